"""``python -m forensics.demo CASE OUT``: build and check a small demonstration case.

Until the sample case and the notebooks exist (issue 8), ``make demo`` runs this: it writes a few
made-up captures (a screenshot, a chat export in Chinese, an e-mail, and a duplicate), brings them
into a new case with intake facts from an intake sheet, anchors the custody head, backs the case up,
verifies the case and the backup, and prints the custody log.  Everything it makes is fictional.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

from forensics.case import Case
from forensics.intake import IntakeFacts

__all__ = ["build_demo", "main"]


def _png(width: int, height: int) -> bytes:
    """A tiny valid grey PNG (no EXIF, as phone screenshots usually are)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"".join(b"\x00" + bytes([200]) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0,
                                                              0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


_CHAT = """\
2026-11-20 14:35:02 李四: 那条微博你看到了吗
2026-11-20 14:35:40 王五: 看到了，转发已经过五百了
2026-11-20 14:36:15 李四: 删不删？
"""

_EML = """\
From: =?utf-8?b?5byg5LiJ?= <zhangsan@example.com>
To: lawyer@example.com
Subject: =?utf-8?b?6K+B5o2u5oiq5Zu+?=
Date: Fri, 20 Nov 2026 15:02:11 +0800
Message-ID: <demo-1@example.com>
Content-Type: text/plain; charset=utf-8

附上截图，发布时间显示为“昨天 14:02”。
"""

_SHEET = """\
file,category,url,platform,publisher,publisher-id,displayed-time,captured-at,captured-by,tool,method,carrier,purpose
weibo-post.png,post,https://weibo.com/1234567890/Nabc123,微博,某某大V,1234567890,昨天 14:02,2026-11-21T09:15:00+08:00,张三,iOS 截屏,screenshot,Apple iPhone 13 (serial F2LXDEMO),证明涉案微博的内容、发布者和发布时间
chat-export.txt,message,,微信,李四,,,2026-11-21T09:20:00+08:00,张三,微信导出,export,Apple iPhone 13 (serial F2LXDEMO),证明发布者讨论涉案微博
mail.eml,message,,,张三,,,2026-11-21T09:30:00+08:00,张三,Thunderbird 128,saved e-mail,none,证明截图的转交时间
reposts.csv,record/log,https://weibo.com/1234567890/Nabc123,微博,,,,2026-11-22T10:00:00+08:00,微博运营方,平台导出,platform export after a notice (民法典第1195条),none,证明涉案微博的转发范围
"""

#: The platform's repost list of the post (the documented form, docs/formats/reposts.md): the
#: original, reposts from it and from each other with ``//@`` chains, one that changes a word.
_REPOSTS = """post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id
Nabc123,1234567890,某某大V,,2026-11-20T14:02:00+08:00,某公司老板张三卷款跑路了，大家转告！,1.2万,R0,
Nabc123,2000000001,路人甲,1234567890,2026-11-20T14:10:00+08:00,转发微博,320,R1,R0
Nabc123,2000000002,路人乙,1234567890,2026-11-20T14:12:30+08:00,真的假的？,85,R2,R0
Nabc123,2000000003,路人丙,2000000001,2026-11-20T14:20:00+08:00,顶//@路人甲:转发微博,40,R3,R1
Nabc123,2000000004,路人丁,2000000003,2026-11-20T14:31:00+08:00,//@路人丙:顶//@路人甲:转发微博,12,R4,R3
Nabc123,2000000005,路人戊,1234567890,2026-11-20T15:05:00+08:00,某公司老板张三携款跑路了，大家转告！,2100,R5,R0
Nabc123,2000000006,路人己,2000000005,2026-11-20T15:40:00+08:00,转发微博//@路人戊:某公司老板张三携款跑路了，大家转告！,30,R6,R5
"""


def write_captures(dest: Path) -> Path:
    """Write the demonstration's captures and their intake sheet (``intake.csv``) into ``dest``
    (a screenshot, a chat export in Chinese, an e-mail and a repost list); return ``dest``.

    >>> import tempfile
    >>> src = write_captures(Path(tempfile.mkdtemp()) / "src")
    >>> sorted(p.name for p in src.iterdir())
    ['chat-export.txt', 'intake.csv', 'mail.eml', 'reposts.csv', 'weibo-post.png']
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    (dest / "weibo-post.png").write_bytes(_png(64, 128))
    (dest / "chat-export.txt").write_text(_CHAT, encoding="utf-8")
    (dest / "mail.eml").write_text(_EML, encoding="utf-8")
    (dest / "reposts.csv").write_text(_REPOSTS, encoding="utf-8")
    (dest / "intake.csv").write_text(_SHEET, encoding="utf-8-sig")
    return dest


def build_demo(case_dir: Path, out_dir: Path) -> int:
    """Build the demonstration case; return 0 when the case and its backup verify."""
    captures = write_captures(out_dir / "captures")
    again = out_dir / "notary"
    again.mkdir(exist_ok=True)
    (again / "IMG_0001.png").write_bytes(_png(64, 128))  # same content, handed over again

    case = Case.init(case_dir, title="示例：张三诉李四名誉权纠纷 (demonstration)",
                     case_number="(2026)示0000民初1号", examiner="示例鉴定人")
    print(f"case: {case_dir}")
    report = case.add([], sheet=captures / "intake.csv")
    for a in report.added:
        print(f"  {a.evidence_id} {a.status:<10} {a.sha256[:16]}… {a.source_path}")
    report = case.add([again], facts=IntakeFacts(category="post", captured_by="公证处",
                                                 method="notarized capture", carrier="none"))
    for a in report.added:
        print(f"  {a.evidence_id} {a.status:<10} {a.sha256[:16]}… {a.source_path}")
    analysis = case.spread(progress=False)
    written = case.write_spread(out_dir / "spread", analysis=analysis)
    from forensics.figures import save_figure
    from forensics.spread_figures import cascade_figure, spread_curve_figure

    figures = {"cascade.png": out_dir / "spread" / "cascade.png",
               "spread-curve.png": out_dir / "spread" / "spread-curve.png"}
    save_figure(cascade_figure(analysis, title="示例：转发树 / demonstration cascade"),
                figures["cascade.png"])
    save_figure(spread_curve_figure(analysis), figures["spread-curve.png"])
    case.log_export("spread figures", figures, analysis=analysis)
    written.update(figures)
    for p in analysis.to_json():
        reached = {k: v for k, v in p["reached_5000_views_at"].items() if v}
        print(f"spread of {p['post_id']}: {p['repost_rows']} reposts, {p['distinct_accounts']} "
              f"accounts, depth {p['max_depth']}, {p['changed_text_variants']} changed-text "
              f"variant(s); 5,000-view reference mark: {reached or 'not reached'}; exports in "
              f"{out_dir / 'spread'} ({len(written)} files)")
    anchor = case.anchor()
    print(f"anchored head: {anchor.text}")
    backup = case.backup(out_dir / "backup")
    print(backup)
    result = case.verify()
    print(result)
    from forensics.integrity import compare

    comparison = compare(case, out_dir / "backup")
    print(f"backup compared: {'PASSED' if not comparison else 'FAILED'}")
    for p in comparison:
        print(f"  PROBLEM {p}")
    appendix = case.write_appendix(out_dir / "appendix", progress=False)
    print(f"appendix: {out_dir / 'appendix'} ({', '.join(appendix)})")
    print("custody log:")
    from forensics.case import summarize

    for e in case.log.entries():
        print(f"  {e.seq:>3} {e.time:%H:%M:%S} {e.action:<10} {','.join(e.evidence_ids):<6} "
              f"{summarize(e)}")
    return 0 if result.ok and backup.ok and not comparison else 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m forensics.demo CASE_DIR OUT_DIR", file=sys.stderr)
        return 2
    return build_demo(Path(args[0]), Path(args[1]))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
