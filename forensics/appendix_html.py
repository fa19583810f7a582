"""The litigation appendix as one self-contained HTML file (issue 7).

:func:`render_html` turns a case into a single HTML document, Chinese first and then English, in
nine sections, each with an id for the table of contents at the top:

1. ``cover``: title, case number, examiner, the date of the custody head entry (never the time
   of rendering), package version, the custody head and its anchors, and the notice that this is
   a party's own analysis, not a judicial appraisal (鉴定意见; 证据规定 art. 41);
2. ``evidence-list``: the 证据目录 of :func:`forensics.appendix.evidence_list` with the court
   form's lines (证据规定 art. 19);
3. ``exhibits``: one per item, in the evidence-list order: PNG, JPEG, GIF and WebP shown from the
   stored original's own bytes (a ``data:`` URI, never re-encoded); other images and recordings
   named, with the reason they are not shown; text evidence as parsed, capped per item;
4. ``hashes``: :func:`forensics.appendix.hash_table`;
5. ``integrity``: the latest ``verify`` entry of the custody log, or a plain statement that the
   case was never verified (never "passed");
6. ``timeline``: every event of :meth:`Case.timeline` (facts: times as read) with the findings
   of :meth:`Case.findings` (inferences) kept in a separate, differently drawn block and
   referenced beside the events they concern;
7. ``spread``: the per-post table of :meth:`Case.spread` with the reference marks (counts and
   times, no legal conclusion) and the cascade and curve figures as PNG ``data:`` URIs;
8. ``method``: how each step was done, the sources of error, and the court's authenticity
   factors (证据规定 art. 93/94, 互联网法院规定 art. 11) with what in this case speaks to each;
9. ``reproducibility``: package, Python and dependency versions, parameters, item digests and
   the custody head.

Captured content is written by the other side, so the document is built for hostile text: every
text is escaped by :func:`_esc` (there is no template engine and no markup from the data), there is
no ``<script>`` at all, a Content-Security-Policy forbids everything but inline styles and
``data:`` images, URLs are shown as text (never links), and invisible or direction-changing
characters (U+200B-U+200F, U+202A-U+202E, U+2066-U+2069, U+FEFF, U+00AD and control characters)
are replaced by visible markers such as ``⟦U+202E⟧`` and counted in a note at the top.

The same case, package version and parameters give the same bytes: there is no time of rendering
in the file, the figures are written by :func:`forensics.figures.save_figure`, and every table
has a fixed order.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "c", title="示例", case_number="(2026)1号")
>>> html = render_html(case, lang="zh")
>>> html.startswith(b"<!DOCTYPE html>"), b"<script" in html, b'id="reproducibility"' in html
(True, False, True)
>>> _esc("a\\u202eb<")
'a<span class="inv">⟦U+202E⟧</span>b&lt;'
"""

from __future__ import annotations

import base64
import hashlib
import os
import platform
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from forensics.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case, Item

__all__ = [
    "CSP",
    "DEPENDENCIES",
    "LANGS",
    "MAX_EXHIBIT_CHARS",
    "MAX_FIGURE_POSTS",
    "SECTIONS",
    "render_html",
    "write_html",
]

LANGS = ("zh", "en", "both")
#: The Content-Security-Policy of the document: nothing may be fetched or run.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
#: At most this many characters of parsed text are shown per exhibit; a note says how many more.
MAX_EXHIBIT_CHARS = 4000
#: Figures are drawn for at most this many posts (those with the most nodes); the table lists all.
MAX_FIGURE_POSTS = 5
#: The distributions whose versions the reproducibility section lists.
DEPENDENCIES = ("pandas", "numpy", "matplotlib", "networkx", "lxml", "exifread", "warcio",
                "pypdf", "extract-msg", "pyarrow", "rfc8785", "asn1crypto", "snowland-smx",
                "xlsxwriter", "tomli-w")
#: The sections, in order: (id, Chinese heading, English heading).
SECTIONS = (
    ("cover", "封面", "Cover"),
    ("evidence-list", "证据目录", "Evidence list"),
    ("exhibits", "证据展示", "Exhibits"),
    ("hashes", "哈希值表", "Hash table"),
    ("integrity", "完整性声明", "Integrity statement"),
    ("timeline", "时间线", "Timeline"),
    ("spread", "传播分析", "Spread"),
    ("method", "方法与局限", "Method and limits"),
    ("reproducibility", "可重现性", "Reproducibility"),
)
_NOTICE = ("本附录为一方当事人自行委托的分析，不是司法鉴定意见",
           "A party's own analysis, not a judicial appraisal (鉴定意见)")
#: Our own sentences, Chinese and English, with ``{}`` fields filled by :meth:`_Doc.msg`.
_MSG: dict[str, tuple[str, str]] = {
    "no_flags": ("本附录中未发现不可见字符或文字方向控制字符。",
                 "No invisible or text-direction characters were found in this appendix."),
    "flags": ("本附录所引内容中有 {total} 个不可见字符或文字方向控制字符，均以黄色标记 ⟦U+…⟧ 显示，"
              "未按其作用排版",
              "The quoted content holds {total} invisible or text-direction characters; each is "
              "shown as a yellow marker ⟦U+…⟧ instead of taking effect"),
    "no_anchor": ("保管记录的头部未曾在记录之外锚定（无可信时间戳）。",
                  "The custody head was never anchored outside the log (no trusted timestamp)."),
    "cover_date": ("日期（保管记录头部条目的日期）", "date (of the custody head entry)"),
    "more_chars": ("另有 {left} 个字符未显示（共 {total} 个字符、{n} 条）；完整内容见原件",
                   "{left} more characters not shown (of {total} in {n} entries); the original "
                   "holds them all"),
    "unreadable": ("无法读取存储的原件", "the stored original cannot be read"),
    "mismatch": ("存储的副本与其 SHA-256 不符，未显示；请运行 forensics verify",
                 "the stored copy does not match its SHA-256 and is not shown; run forensics verify"),
    "no_browser": ("此图像格式（如 HEIC）无法在浏览器中显示；原件",
                   "This image format (such as HEIC) cannot be shown in a browser; the original is"),
    "recording": ("录音录像无法在本附录中播放；原件",
                  "A recording cannot be played in this appendix; the original is"),
    "parsed_text": ("解析所得文本（按解析器读取的原样）", "text as parsed"),
    "raw_text": ("原件文本（无解析器读取，按 UTF-8 原样显示）",
                 "the original's text (no parser reads it; shown as UTF-8)"),
    "nothing_shown": ("此证据没有可显示的内容；原件",
                      "Nothing of this item can be shown here; the original is"),
    "copy_note": ("仅复制件为“yes”的证据没有原始载体，不能单独作为认定事实的依据（证据规定第15、90条）。",
                  "Items marked copy only = yes have no original carrier and cannot alone prove a "
                  "fact (证据规定 art. 15, 90)."),
    "never_verified": ("本案从未核验：存储的证据和保管记录链未经重新计算哈希值检查。本附录不声称核验通过。",
                       "This case has never been verified: the stored items were not re-hashed and "
                       "the custody chain was not checked. This appendix does not say that it passed."),
    "more_problems": ("另有 {n} 个问题未记入保管记录", "{n} more problems were not written to the log"),
    "after_verify": ("此次核验之后又记录了 {n} 条保管记录（序号 {a}–{b}），不在此次核验范围内。",
                     "{n} custody entries were recorded after this verification (seq {a}–{b}) and "
                     "are not covered by it."),
    "inference_title": ("推断：时间交叉核对的发现", "Inferences: findings of the cross-checks"),
    "inference_note": ("以下是软件对所读时间的比较与推断，不是事实本身；编号标在相关事件旁。",
                       "These are the software’s comparisons of the times read, not facts in "
                       "themselves; their references stand beside the events they concern."),
    "facts_note": ("共 {n} 个事件，按时间排列；“原文”为证据中所写的样子。",
                   "{n} events in time order; “original text” is as the evidence writes it."),
    "no_spread": ("本案没有转发记录，未作传播分析。",
                  "The case holds no repost lists; there is no spread analysis."),
    "figures_cut": ("图只画了节点最多的 {n} 个帖子；其余 {rest} 个见上表。",
                    "Figures are drawn for the {n} posts with the most nodes; the other {rest} are "
                    "in the table."),
    "factor_note": ("本表只列出案件记录中可读到的内容，不判断证据是否真实。",
                    "This table lists what the case records show; it does not judge authenticity."),
    "manifest": ("证据清单摘要（每件一行“编号 SHA-256”的 SHA-256）",
                 "items manifest digest (SHA-256 over one “number SHA-256” line per item)"),
    "made_from": ("本附录据以生成的保管记录头部（序号、entry_sha256）",
                  "custody head this appendix was made from (seq, entry_sha256)"),
    "same_bytes": ("相同的案件、软件版本与参数生成逐字节相同的本文件；生成时间记录在保管记录中，不写入文件。",
                   "The same case, version and parameters give this file byte for byte; the time "
                   "of making belongs in the custody log, not in the file."),
}
_SPREAD_WORDING = ("计数与时间仅对照参考标准列出，不构成法律结论",
                   "counts and times against the reference marks, not a legal conclusion")

# --- escaping ------------------------------------------------------------------------------------

#: Characters that are invisible or change the direction of text: shown as ⟦U+XXXX⟧ markers.
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u2060-\u2064\u2028\u2029"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _marker(ch: str) -> str:
    return f'<span class="inv">⟦U+{ord(ch):04X}⟧</span>'


def _esc(text: object, found: Counter[str] | None = None) -> str:
    """``text`` as HTML text: escaped (``& < > " '``), with every invisible or direction
    character replaced by a visible marker (counted in ``found`` by code point)."""
    s = "" if text is None else str(text)
    s = escape(s.replace("\r\n", "\n"), quote=True)
    if _INVISIBLE.search(s) is None:
        return s
    if found is not None:
        found.update(f"U+{ord(c):04X}" for c in _INVISIBLE.findall(s))
    return _INVISIBLE.sub(lambda m: _marker(m.group()), s)


def _id(text: str) -> str:
    """A fragment id made only of safe characters."""
    return re.sub(r"[^A-Za-z0-9_-]", "_", text)


class _Doc:
    """What a rendering needs throughout: the language and the count of flagged characters."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self.found: Counter[str] = Counter()

    def t(self, text: object) -> str:
        """Data text (attacker-written): escaped and flagged."""
        return _esc(text, self.found)

    def say(self, zh: str, en: str) -> str:
        """Our own words in the document's language(s), escaped."""
        if self.lang == "zh":
            return escape(zh)
        if self.lang == "en":
            return escape(en)
        return f"{escape(zh)} / {escape(en)}"

    def msg(self, key: str, **kw: object) -> str:
        """A sentence of :data:`_MSG` with its fields filled (escaped)."""
        zh, en = _MSG[key]
        return self.say(zh.format(**kw), en.format(**kw))

    def heading(self, zh: str, en: str) -> str:
        if self.lang == "zh":
            return escape(zh)
        if self.lang == "en":
            return escape(en)
        return f'{escape(zh)}<span class="en"> {escape(en)}</span>'

    def table(self, header: Sequence[str], rows: Iterable[Sequence[str]], cls: str = "") -> str:
        """A table whose cells are already HTML (escaped by the caller)."""
        head = "".join(f"<th>{h}</th>" for h in header)
        body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
        c = f' class="{cls}"' if cls else ""
        return f"<table{c}><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _blank(v: object) -> bool:
    """Missing: None, NaN, NaT or NA (a table's empty cell)."""
    if v is None or (isinstance(v, float) and v != v):
        return True
    import pandas as pd

    return v is pd.NaT or v is pd.NA


def _s(v: object) -> str:
    """A cell value as text ("" for missing)."""
    if _blank(v):
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def _utc(v: object) -> str:
    """A time as ``YYYY-MM-DD HH:MM:SS[.ffffff]Z`` ("" when missing)."""
    import pandas as pd

    if _blank(v):
        return ""
    t = pd.Timestamp(v)
    t = t.tz_localize("UTC") if t.tzinfo is None else t.tz_convert("UTC")
    s = t.strftime("%Y-%m-%d %H:%M:%S")
    if t.microsecond:
        s += f".{t.microsecond:06d}"
    return s + "Z"


# --- the document --------------------------------------------------------------------------------

_CSS = """
body{font-family:"Noto Sans CJK SC","WenQuanYi Micro Hei","Source Han Sans SC","Microsoft YaHei",
sans-serif;font-size:10.5pt;line-height:1.5;color:#111;margin:1.5em auto;max-width:60em;padding:0 1em}
h1{font-size:18pt}h2{font-size:14pt;border-bottom:1px solid #444;margin-top:2em}
h3{font-size:11.5pt;margin-bottom:.2em}
.en{color:#444;font-weight:normal}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:9pt}
th,td{border:1px solid #999;padding:2px 4px;vertical-align:top;text-align:left;
unicode-bidi:isolate;overflow-wrap:anywhere}
th{background:#eee}
code,.hash{font-family:"DejaVu Sans Mono","Noto Sans Mono",monospace;font-size:8.5pt;
overflow-wrap:anywhere}
.notice{border:2px solid #a00;padding:.5em;font-weight:bold}
.inv{background:#ffd54f;color:#000;border:1px solid #b26a00;font-family:monospace;font-size:8pt;
padding:0 1px}
.flagnote{border-left:4px solid #b26a00;padding-left:.5em}
.facts{border:1px solid #555}
.inference{border:2px dashed #6a1b9a;background:#f7f0fa;padding:.3em .6em;margin:.5em 0}
.inference h3{color:#6a1b9a}
.ref{color:#6a1b9a;font-weight:bold}
.exhibit{border-top:1px solid #bbb;padding:.4em 0;break-inside:avoid-page}
figure{margin:.3em 0}
.exhibit img{display:block;max-width:100%;max-height:22cm;min-width:6cm;image-rendering:auto;
border:1px solid #ccc}
figcaption{font-size:9pt}
pre{white-space:pre-wrap;overflow-wrap:anywhere;font-family:inherit;font-size:9pt;
background:#fafafa;border:1px solid #ddd;padding:.4em;unicode-bidi:isolate}
.missing{color:#a00}
.unreached{color:#555}
.figure img{max-width:100%}
nav ol{columns:2}
@page{size:A4;margin:18mm 15mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:9.5pt}
h2{break-before:page}thead{display:table-header-group}tr{break-inside:avoid}
a{color:inherit;text-decoration:none}nav{break-after:page}}
"""


def render_html(case: Case, *, lang: str = "both", groups: Mapping[str, str] | None = None,
                progress: bool | None = None) -> bytes:
    """The appendix of ``case`` as one self-contained HTML document (UTF-8 bytes).

    Parameters
    ----------
    case : forensics.case.Case
    lang : {"both", "zh", "en"}
        Chinese then English (default), Chinese only, or English only.  The court-form columns
        of the evidence list stay in Chinese.
    groups : mapping, optional
        Evidence number to group label, as :func:`forensics.appendix.evidence_list` takes it.
    progress : bool, optional
        Progress bars while parsing and analysing.

    Returns
    -------
    bytes
        The same bytes for the same case, version and parameters.  Items not parsed yet are
        parsed first (and the parse logged, when the case is writable), so the document names
        the custody head it was made from.

    Raises
    ------
    InputError
        ``lang`` is not one of :data:`LANGS`, or ``groups`` names an unknown item.
    """
    from forensics.artifacts import ensure_parsed

    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    ensure_parsed(case, progress=progress, rows=True)
    case.refresh()
    head = case.head
    doc = _Doc(lang)

    from forensics.appendix import evidence_list

    ev = evidence_list(case, groups=groups)
    order = [(str(r["序号"]), str(r["证据编号"])) for _, r in ev.iterrows()]
    timeline = case.timeline(progress=progress)
    findings = case.findings(progress=progress)
    analysis = case.spread(progress=progress)
    artifacts = case.artifacts(progress=progress)
    records = case.records(progress=progress)

    body = [
        _cover(doc, case, head),
        _evidence_section(doc, case, ev),
        _exhibits(doc, case, order, artifacts, records),
        _hash_section(doc, case),
        _integrity(doc, case),
        _timeline_section(doc, timeline, findings),
        _spread_section(doc, analysis),
        _method(doc, case, findings),
        _reproducibility(doc, case, head, groups, analysis, findings),
    ]
    title = case.metadata.title or case.metadata.case_number or str(case.root.name)
    heading = {"zh": "诉讼附录", "en": "Litigation appendix"}.get(lang, "诉讼附录 / Litigation appendix")
    toc = "".join(f'<li><a href="#{sid}">{i}. {doc.heading(zh, en)}</a></li>'
                  for i, (sid, zh, en) in enumerate(SECTIONS, 1))
    flags = _flag_note(doc)  # after the body: it counts what the body flagged
    page = (
        "<!DOCTYPE html>\n"
        f'<html lang="{"en" if lang == "en" else "zh-CN"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{doc.t(title)} · {escape(heading)}</title>\n<style>{_CSS}</style>\n</head>\n"
        f"<body>\n<h1>{escape(heading)}：{doc.t(title)}</h1>\n"
        f'<p class="notice">{doc.say(*_NOTICE)}</p>\n'
        f'<nav><h2 id="toc">{doc.heading("目录", "Contents")}</h2><ol>{toc}</ol></nav>\n'
        f"{flags}\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
    return page.encode("utf-8")


def write_html(case: Case, path: str | os.PathLike[str], **kw: Any) -> Path:
    """Write :func:`render_html` of ``case`` to ``path`` atomically; return the path.

    ``kw`` are the options of :func:`render_html` (``lang``, ``groups``, ``progress``).
    """
    from forensics.durable import atomic_write

    target = Path(path)
    atomic_write(target, render_html(case, **kw))
    return target


def _section(doc: _Doc, sid: str, inner: str) -> str:
    n, zh, en = next((i, z, e) for i, (s, z, e) in enumerate(SECTIONS, 1) if s == sid)
    return f'<section id="{sid}">\n<h2>{n}. {doc.heading(zh, en)}</h2>\n{inner}\n</section>'


def _flag_note(doc: _Doc) -> str:
    total = sum(doc.found.values())
    if not total:
        return f'<p class="flagnote">{doc.msg("no_flags")}</p>'
    detail = ", ".join(f"{k} ×{v}" for k, v in sorted(doc.found.items()))
    return f'<p class="flagnote">{doc.msg("flags", total=total)}：{escape(detail)}</p>'


# --- 1. cover ------------------------------------------------------------------------------------

def _cover(doc: _Doc, case: Case, head: Any) -> str:
    from forensics import __version__

    m = case.metadata
    zone = ZoneInfo(m.timezone)
    if head is not None:
        date = f"{head.time.astimezone(zone):%Y-%m-%d} ({m.timezone})"
        head_text = (f"{doc.say('序号', 'seq')} {head.seq} · entry_sha256 "
                     f'<code class="hash">{doc.t(head.entry_sha256)}</code>')
    else:
        date = doc.say("无（保管记录为空）", "none (empty custody log)")
        head_text = date
    anchors = [e for e in case.log.entries() if e.action == "anchor"]
    if anchors:
        arows = []
        for e in anchors:
            d = e.details
            arows.append((str(e.seq), doc.t(_utc(e.time)), doc.t(d.get("anchored_seq")),
                          f'<code class="hash">{doc.t(d.get("anchored_sha256"))}</code>',
                          doc.t(d.get("what")) + (f"<br><code>{doc.t(d.get('timestamp_request'))}</code>"
                                                   if d.get("timestamp_request") else "")))
        anchor_html = doc.table([doc.say("记录序号", "entry"), doc.say("时间 (UTC)", "time (UTC)"),
                                 doc.say("锚定序号", "anchored seq"),
                                 doc.say("锚定摘要", "anchored entry_sha256"),
                                 doc.say("说明", "what")], arows)
    else:
        anchor_html = f"<p>{doc.msg('no_anchor')}</p>"
    rows = [
        (doc.say("案件", "case"), doc.t(m.title)),
        (doc.say("案号", "case number"), doc.t(m.case_number)),
        (doc.say("鉴定人 / 分析人", "examiner"), doc.t(m.examiner)),
        (doc.msg("cover_date"), doc.t(date) if head is not None else date),
        (doc.say("软件版本", "package version"), f"forensics {doc.t(__version__)}"),
        (doc.say("保管记录头部", "custody head"), head_text),
    ]
    table = "<table>" + "".join(f"<tr><th>{a}</th><td>{b}</td></tr>" for a, b in rows) + "</table>"
    inner = (f"{table}\n<h3>{doc.heading('锚定与时间戳', 'Anchors and timestamps')}</h3>\n{anchor_html}\n"
             f'<p class="notice">{doc.say(*_NOTICE)}</p>')
    return _section(doc, "cover", inner)


# --- 2. evidence list ----------------------------------------------------------------------------

def _evidence_section(doc: _Doc, case: Case, ev: pd.DataFrame) -> str:
    from forensics.appendix import _form_lines

    above, below = _form_lines(case)
    rows = []
    for _, r in ev.iterrows():
        eid = str(r["证据编号"])
        cells = [doc.t(r[c]) for c in ev.columns]
        cells[list(ev.columns).index("页码")] = (f'<a href="#ex-{_id(eid)}">'
                                                 f'{doc.say("见证据展示", "see exhibit")} {doc.t(eid)}</a>')
        cells[-1] = f'<code class="hash">{cells[-1]}</code>'
        rows.append(cells)
    lines_above = "".join(f"<p>{doc.t(x)}</p>" for x in above)
    lines_below = "".join(f"<p>{doc.t(x)}</p>" for x in below)
    return _section(doc, "evidence-list", lines_above
                    + doc.table([escape(str(c)) for c in ev.columns], rows) + lines_below)


# --- 3. exhibits ---------------------------------------------------------------------------------

_WEB_IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
_WEB_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_RECORDING_EXT = (".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv", ".webm", ".mp3", ".m4a", ".aac",
                  ".amr", ".wav", ".flac", ".ogg", ".opus", ".silk", ".wma", ".wmv")
_IMAGE_EXT = (".heic", ".heif", ".tif", ".tiff", ".bmp", ".dng", ".raw", ".cr2", ".nef", ".arw",
              ".svg", ".avif", ".jxl", ".psd")


def _web_image_type(data: bytes) -> str | None:
    """The media type of bytes a browser shows as they are (by their signature), else None."""
    for magic, mt in _WEB_IMAGES:
        if data.startswith(magic):
            return mt
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _read_original(case: Case, item: Item) -> bytes:
    """The stored copy's bytes, opened read-only (never followed through a link)."""
    from forensics.durable import open_readonly

    with os.fdopen(open_readonly(case.root / item.stored_as), "rb") as fh:
        return fh.read()


#: The record columns an exhibit's text is made of.
_TEXT_COLUMNS = ("data_type", "from_", "to", "cc", "subject", "date_raw", "body", "sender_name",
                 "sender_id", "attachments", "time_shown", "text", "account_name", "account_id",
                 "views_shown", "url", "title", "snapshot_url", "record_type", "target_uri",
                 "http_status")


def _record_lines(rows: pd.DataFrame) -> list[str]:
    """The relevant text of an item's parsed records, one string per record."""
    out = []
    wanted = [c for c in _TEXT_COLUMNS if c in rows.columns]
    for r in rows[wanted].to_dict("records"):
        g = {k: _s(v) for k, v in r.items()}
        dt = g.get("data_type", "")
        if dt == "email:rfc822":
            head = [f"{k}: {g.get(c, '')}" for k, c in (("From", "from_"), ("To", "to"),
                                                         ("Cc", "cc"), ("Subject", "subject"),
                                                         ("Date", "date_raw")) if g.get(c)]
            out.append("\n".join(head) + "\n\n" + g.get("body", "").strip())
        elif dt == "chat:message":
            who = g.get("sender_name", "") + (f" ({g['sender_id']})" if g.get("sender_id") else "")
            extra = f" [{g['attachments']}]" if g.get("attachments") else ""
            out.append(f"[{g.get('time_shown', '')}] {who}: {g.get('text', '')}{extra}")
        elif dt in ("social:repost", "social:post"):
            who = g.get("account_name", "") + (f" ({g['account_id']})" if g.get("account_id") else "")
            views = f" · views {g['views_shown']}" if g.get("views_shown") else ""
            out.append(f"[{g.get('time_shown', '')}] {who.strip()}: {g.get('text', '')}{views}")
        elif dt == "web:html":
            out.append("\n".join(x for x in (f"URL: {g['url']}" if g.get("url") else "",
                                             f"Title: {g['title']}" if g.get("title") else "",
                                             g.get("text", "")) if x))
        elif dt == "web:mhtml":
            out.append("\n".join(f"{k}: {g[c]}" for k, c in (("Snapshot-Content-Location", "snapshot_url"),
                                                              ("Subject", "subject"),
                                                              ("Date", "date_raw")) if g.get(c)))
        elif dt.startswith("web:warc") and g.get("target_uri"):
            out.append(" ".join(x for x in (g.get("record_type", ""), g.get("target_uri", ""),
                                            g.get("http_status", ""), g.get("date_raw", "")) if x))
        elif g.get("text"):
            out.append(g["text"])
    return [x for x in out if x.strip()]


def _capped(doc: _Doc, lines: list[str], what: str) -> str:
    shown, used = [], 0
    for line in lines:
        if used >= MAX_EXHIBIT_CHARS:
            break
        room = MAX_EXHIBIT_CHARS - used
        shown.append(line[:room])
        used += min(len(line), room)
    total = sum(len(x) for x in lines)
    text = "\n\n".join(shown) if "\n" in "".join(lines) else "\n".join(shown)
    note = ""
    if total > used:
        note = (f'<p class="missing">'
                f'{doc.msg("more_chars", left=total - used, total=total, n=len(lines))}</p>')
    return f"<p>{what}</p><pre>{doc.t(text)}</pre>{note}"


def _exhibits(doc: _Doc, case: Case, order: list[tuple[str, str]], artifacts: pd.DataFrame,
              records: pd.DataFrame) -> str:
    media = {}
    if not artifacts.empty:
        media = {str(r["evidence_id"]): _s(r.get("media_type")) for _, r in artifacts.iterrows()}
    by_item: dict[str, pd.DataFrame] = {}
    if not records.empty and "evidence_id" in records.columns:
        by_item = {str(k): g for k, g in records.groupby("evidence_id", sort=False)}
    parts = []
    for seq, eid in order:
        it = case.item(eid)
        mt = media.get(eid, "")
        ext = os.path.splitext(it.name.lower())[1]
        captured = it.facts.captured_at or doc.say("未说明", "not stated")
        caption = (f"<figcaption>{doc.say('证据编号', 'evidence number')} {doc.t(eid)} · SHA-256 "
                   f'<code class="hash">{doc.t(it.digests.sha256)}</code><br>'
                   f"{doc.say('取证时间', 'capture time')}：{doc.t(captured)}</figcaption>")
        shown = ""
        looks_image = mt.startswith("image/") or ext in _IMAGE_EXT or ext in _WEB_IMAGE_EXT
        data = None
        if looks_image or eid not in by_item:
            try:
                data = _read_original(case, it)
            except OSError as exc:
                shown = (f'<p class="missing">{doc.msg("unreadable")}：'
                         f"{doc.t(exc.strerror or exc)}</p>")
        if data is not None and hashlib.sha256(data).hexdigest() != it.digests.sha256:
            shown = f'<p class="missing">{doc.msg("mismatch")}</p>'
            data = None
        shown = shown or _exhibit_content(doc, it, eid, data, looks_image, mt, ext, by_item)
        if not shown:
            shown = (f"<p>{doc.msg('nothing_shown')} "
                     f"<code>{doc.t(it.name)}</code> ({doc.t(mt or ext or '?')}).</p>")
        parts.append(
            f'<div class="exhibit" id="ex-{_id(eid)}"><h3>{doc.say("序号", "No.")} {doc.t(seq)} · '
            f"{doc.t(eid)} · {doc.t(it.name)}</h3><figure>{shown}{caption}</figure></div>")
    if not parts:
        parts.append(f"<p>{doc.say('本案没有证据。', 'The case holds no items.')}</p>")
    return _section(doc, "exhibits", "\n".join(parts))


def _exhibit_content(doc: _Doc, it: Item, eid: str, data: bytes | None, looks_image: bool,
                     mt: str, ext: str, by_item: Mapping[str, pd.DataFrame]) -> str:
    """What an exhibit shows: the image itself, what the parser read, the raw text, or a note
    that it cannot be shown here ("" when there is nothing)."""
    web = _web_image_type(data) if data is not None else None
    shown = ""
    if web is not None:
        uri = f"data:{web};base64,{base64.b64encode(data).decode('ascii')}"  # type: ignore[arg-type]
        shown = f'<img src="{uri}" alt="{doc.t(eid)} {doc.t(it.name)}">'
    elif looks_image:
        shown = (f'<p class="missing">{doc.msg("no_browser")} '
                 f"<code>{doc.t(it.name)}</code> ({doc.t(mt or ext)}), "
                 f"<code>{doc.t(it.stored_as)}</code>.</p>")
    elif mt.startswith(("video/", "audio/")) or ext in _RECORDING_EXT:
        shown = (f'<p class="missing">{doc.msg("recording")} '
                 f"<code>{doc.t(it.name)}</code> ({doc.t(mt or ext)}), "
                 f"<code>{doc.t(it.stored_as)}</code>.</p>")
    elif eid in by_item and (lines := _record_lines(by_item[eid])):
        shown = _capped(doc, lines, doc.msg("parsed_text"))
    elif data is not None and (mt.startswith("text/") or not mt):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
        if text is not None:
            shown = _capped(doc, [text], doc.msg("raw_text"))
    return shown


# --- 4. hash table -------------------------------------------------------------------------------

_HASH_HEAD = {"evidence_id": ("证据编号", "evidence number"), "name": ("名称", "name"),
              "size": ("字节", "bytes"), "sha256": ("SHA-256", "SHA-256"), "sm3": ("SM3", "SM3"),
              "md5": ("MD5", "MD5"), "acquired_at": ("入库时间 (UTC)", "acquired (UTC)"),
              "captured_at": ("取证时间", "captured"), "carrier": ("原始载体", "original carrier"),
              "copy_only": ("仅复制件", "copy only")}


def _hash_section(doc: _Doc, case: Case) -> str:
    from forensics.appendix import hash_table

    ht = hash_table(case)
    rows = []
    for r in ht.to_dict("records"):
        rows.append([f'<code class="hash">{doc.t(r[c])}</code>' if c in ("sha256", "sm3", "md5")
                     else doc.t(r[c]) for c in ht.columns])
    names = [_HASH_HEAD.get(c, (c, c)) for c in ht.columns]
    head = [doc.say(zh, en) if zh != en else escape(zh) for zh, en in names]
    note = f"<p>{doc.msg('copy_note')}</p>"
    return _section(doc, "hashes", doc.table(head, rows) + note)


# --- 5. integrity --------------------------------------------------------------------------------

def _integrity(doc: _Doc, case: Case) -> str:
    entries = case.log.entries()
    verifies = [e for e in entries if e.action == "verify"]
    if not verifies:
        inner = (f'<p class="missing"><b>{doc.msg("never_verified")}</b></p>'
                 f"<p>{doc.say('核验方法：forensics verify CASE', 'To verify: forensics verify CASE')}</p>")
        return _section(doc, "integrity", inner)
    e = verifies[-1]
    d = e.details
    status = str(d.get("status", ""))
    label = {"passed": doc.say("通过", "passed"), "failed": doc.say("未通过", "failed")}.get(
        status, doc.say("未检查", "unchecked"))
    checked = d.get("checked_head")
    checked_seq = checked.get("seq") if isinstance(checked, Mapping) else None
    rows = [
        (doc.say("核验时间 (UTC)", "verified at (UTC)"), doc.t(_utc(e.time))),
        (doc.say("工具及版本", "tool and version"), doc.t(f"{e.tool} {e.tool_version}")),
        (doc.say("操作人 / 主机", "actor / host"), doc.t(f"{e.actor} / {e.host}")),
        (doc.say("结果", "result"), f"<b>{label}</b> ({doc.t(d.get('what', ''))})"),
        (doc.say("重新计算哈希的证据数", "items re-hashed"), doc.t(d.get("items_checked"))),
        (doc.say("检查的保管记录条目数", "custody entries checked"), doc.t(d.get("entries_checked"))),
        (doc.say("检查的锚定数", "anchors checked"), doc.t(d.get("anchors_checked"))),
        (doc.say("核验时的记录头部", "head checked"),
         doc.t(f"{checked_seq} {checked.get('entry_sha256')}") if isinstance(checked, Mapping) else "—"),
        (doc.say("本次核验记录于", "logged as entry"), doc.t(e.seq)),
    ]
    table = "<table>" + "".join(f"<tr><th>{a}</th><td>{b}</td></tr>" for a, b in rows) + "</table>"
    problems = [str(p) for p in (d.get("problems") or ())]
    count = d.get("problem_count", len(problems))
    if problems:
        plist = "".join(f"<li>{doc.t(p)}</li>" for p in problems)
        more = ""
        if isinstance(count, int) and count > len(problems):
            more = f"<p>{doc.msg('more_problems', n=count - len(problems))}</p>"
        ptext = f"<h3>{doc.heading('发现的问题', 'Problems found')}</h3><ol>{plist}</ol>{more}"
    else:
        ptext = f"<p>{doc.say('未发现问题。', 'No problems found.')}</p>" if status == "passed" else ""
    later = [x for x in entries if x.seq > e.seq]
    after = ""
    if later:
        after = (f"<p>{doc.msg('after_verify', n=len(later), a=later[0].seq, b=later[-1].seq)}"
                 "</p>")
    return _section(doc, "integrity", table + ptext + after)


# --- 6. timeline ---------------------------------------------------------------------------------

def _timeline_section(doc: _Doc, timeline: pd.DataFrame, findings: Any) -> str:
    flist = list(findings)
    fids = {i: f"F{i + 1}" for i in range(len(flist))}
    # which finding goes beside which event: same item, and (when it names them) same time source
    refs: dict[int, list[str]] = {}
    ev_ids = timeline["evidence_id"].astype(str).tolist() if len(timeline) else []
    sources = timeline["source"].astype(str).tolist() if len(timeline) else []
    by_item: dict[str, list[int]] = {}
    for i, e in enumerate(ev_ids):
        by_item.setdefault(e, []).append(i)
    for n, f in enumerate(flist):
        rows = [i for e in f.evidence_ids for i in by_item.get(e, ())]
        named = [i for i in rows if sources[i] in f.sources] if f.sources else []
        for i in sorted(set(named or rows)):
            refs.setdefault(i, []).append(fids[n])
    if flist:
        frows = []
        for n, f in enumerate(flist):
            vals = "<br>".join(f"{doc.t(k)}: {doc.t(v)}" for k, v in f.values)
            expl = {"zh": doc.t(f.explanation_zh), "en": doc.t(f.explanation_en)}.get(
                doc.lang, f"{doc.t(f.explanation_zh)}<br>{doc.t(f.explanation_en)}")
            frows.append((f'<span class="ref" id="{fids[n]}">{fids[n]}</span>',
                          doc.t(f.severity.value), doc.t(f.kind), doc.t(" ".join(f.evidence_ids)),
                          vals, expl))
        ftable = doc.table([doc.say("编号", "ref"), doc.say("等级", "severity"),
                            doc.say("类型", "kind"), doc.say("证据", "evidence"),
                            doc.say("比较的值", "values compared"),
                            doc.say("说明", "explanation")], frows)
    else:
        ftable = f"<p>{doc.say('交叉核对未发现矛盾。', 'The cross-checks found no contradiction.')}</p>"
    inference = (f'<div class="inference"><h3>{doc.heading(*_MSG["inference_title"])}</h3>'
                 f"<p>{doc.msg('inference_note')}</p>"
                 f"{ftable}</div>")
    rows = []
    for i, r in enumerate(timeline.itertuples(index=False)):
        utc, lo, hi = _utc(r.utc), _utc(r.earliest), _utc(r.latest)
        if utc and (not lo or lo == hi):
            when = utc
        elif lo or hi:
            when = f"{lo or '?'} – {hi or '?'}"
        else:
            when = doc.say("时间未知", "unknown")
        zone = " ".join(x for x in (_s(r.zone), _s(r.zone_name)) if x)
        mark = ", ".join(f'<a class="ref" href="#{x}">{x}</a>' for x in refs.get(i, ()))
        rows.append((doc.t(when), doc.t(_s(r.time_description)), doc.t(_s(r.source)),
                     doc.t(_s(r.original)), doc.t(zone), doc.t(_s(r.evidence_id)),
                     doc.t(_s(r.summary)), mark))
    head = [doc.say("时间 (UTC) 或区间", "time (UTC) or interval"), doc.say("描述", "description"),
            doc.say("来源", "source"), doc.say("原文", "original text"),
            doc.say("时区状态", "zone status"), doc.say("证据编号", "evidence number"),
            doc.say("内容", "content"), doc.say("相关推断", "inferences")]
    facts = (f'<h3>{doc.heading("事实：所读取的时间", "Facts: the times as read")}</h3>'
             f"<p>{doc.msg('facts_note', n=len(rows))}</p>"
             + (doc.table(head, rows, cls="facts") if rows else
                f"<p>{doc.say('没有可列的时间。', 'No times to list.')}</p>"))
    return _section(doc, "timeline", inference + facts)


# --- 7. spread -----------------------------------------------------------------------------------

def _figure_png(fig: Any) -> bytes:
    from forensics.figures import save_figure

    with tempfile.TemporaryDirectory() as d:
        p = save_figure(fig, Path(d) / "figure.png")
        return p.read_bytes()


def _spread_section(doc: _Doc, analysis: Any) -> str:
    posts = analysis.to_json()
    wording = f'<p class="notice">{doc.say(*_SPREAD_WORDING)}</p>'
    if not posts:
        return _section(doc, "spread", wording + f"<p>{doc.msg('no_spread')}</p>")

    def marks(d: Mapping[str, Any]) -> str:
        never = f'<span class="unreached">{doc.say("未达到", "not reached")}</span>'
        return "<br>".join(f"{doc.t(rule)}: " + (doc.t(t) if t else never) for rule, t in d.items())

    rows, rules, notes, variants = [], {}, {}, []
    for p in posts:
        q = p["data_quality"]
        rows.append((doc.t(p["post_id"]), doc.t(", ".join(p["originators"])),
                     doc.t(p["repost_rows"]), doc.t(p["unique_reposts"]),
                     doc.t(p["distinct_accounts"]), doc.t(p["max_depth"]), doc.t(p["max_breadth"]),
                     doc.t(f"{p['views_original']} ({p['views_original_kind']})"
                           if p.get("views_original") is not None else "—"),
                     doc.t(p.get("views_shown_total", "")),
                     marks(p["reached_500_reposts_at"]), marks(p["reached_5000_views_at"]),
                     "<br>".join(f"{doc.t(k)}: {doc.t(v)}" for k, v in q.items()),
                     doc.t(", ".join(p["evidence"]))))
        rules.update(p.get("counting_rules", {}))
        notes.update(p.get("data_quality_notes", {}))
        variants += [(doc.t(p["post_id"]), doc.t(v.get("evidence_id")), doc.t(v.get("row")),
                      doc.t(f"{v.get('account_name', '')} ({v.get('account_id', '')})"),
                      doc.t(v.get("similarity")), doc.t(v.get("diff")))
                     for v in p.get("variants", ())]
    mark = posts[0]["reference_marks"]
    head = [doc.say("帖子", "post"), doc.say("发布者", "originators"),
            doc.say("转发行数", "repost rows"), doc.say("去重转发", "unique reposts"),
            doc.say("参与账号", "accounts"), doc.say("深度", "depth"), doc.say("宽度", "breadth"),
            doc.say("原帖显示浏览", "views shown (original)"),
            doc.say("显示浏览合计", "views shown (all rows)"),
            doc.say(f"转发{mark['reposts']}次参考标准", f"{mark['reposts']}-repost mark"),
            doc.say(f"浏览{mark['views']}次参考标准", f"{mark['views']}-view mark"),
            doc.say("数据质量计数", "data-quality counts"), doc.say("证据", "evidence")]
    inner = [wording, f"<p>{doc.t(mark.get('note', ''))}</p>", doc.table(head, rows)]
    inner.append(f"<h3>{doc.heading('各计数规则', 'How each count was made')}</h3><ul>"
                 + "".join(f"<li><b>{doc.t(k)}</b>: {doc.t(v)}</li>" for k, v in rules.items())
                 + "".join(f"<li><b>{doc.t(k)}</b>: {doc.t(v)}</li>" for k, v in notes.items())
                 + "</ul>")
    if variants:
        inner.append(f"<h3>{doc.heading('改动文字的转发', 'Reposts with changed text')}</h3>"
                     + doc.table([doc.say("帖子", "post"), doc.say("证据", "evidence"),
                                  doc.say("行", "row"), doc.say("账号", "account"),
                                  doc.say("相似度", "similarity"), doc.say("差异", "difference")],
                                 variants))
    from forensics.spread_figures import cascade_figure, spread_curve_figure

    drawn = sorted(posts, key=lambda p: (-int(p.get("nodes", 0)), str(p["post_id"])))[:MAX_FIGURE_POSTS]
    for p in drawn:
        pid = p["post_id"]
        for fig_fn, zh, en in ((cascade_figure, "转发树", "cascade"),
                               (spread_curve_figure, "累计转发与浏览", "cumulative reposts and views")):
            png = _figure_png(fig_fn(analysis, pid, lang=doc.lang))
            uri = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
            inner.append(f'<figure class="figure"><img src="{uri}" alt="{doc.t(en)} {doc.t(pid)}">'
                         f"<figcaption>{doc.say(zh, en)}：{doc.t(pid)} · PNG SHA-256 "
                         f'<code class="hash">{hashlib.sha256(png).hexdigest()}</code></figcaption></figure>')
    if len(posts) > len(drawn):
        inner.append(f"<p>{doc.msg('figures_cut', n=len(drawn), rest=len(posts) - len(drawn))}</p>")
    return _section(doc, "spread", "\n".join(inner))


# --- 8. method and limits ------------------------------------------------------------------------

_METHOD = (
    ("收取与保管", "Intake and custody",
     "每个文件复制进只读的内容寻址存储，同时计算 SHA-256、SM3、MD5，"
     "并写入以哈希链连接的保管记录；原件从不被修改。",
     "Each file is copied into a read-only content-addressed store, hashed with SHA-256, SM3 "
     "and MD5, and written into the hash-chained custody log; originals are never changed."),
    ("核验", "Verification",
     "forensics verify 重新计算每件证据的哈希值，并逐条检查保管记录的哈希链与锚定。",
     "forensics verify re-hashes every item and walks the custody log's hash chain and anchors."),
    ("解析", "Parsing",
     "每种格式由各自的解析器读取（邮件、聊天导出、网页、WARC、图片元数据、转发列表）；"
     "损坏的记录作为警告列出，解析继续。",
     "Each format is read by its own parser (e-mail, chat exports, web pages, WARC, image "
     "metadata, repost lists); a corrupt record becomes a warning and parsing continues."),
    ("时间线", "Timeline",
     "每个时间注明其来源、精度与时区状态（明示、推定或未知）；"
     "相对时间（如“昨天 14:02”）按取证时间换算，并以区间表示。",
     "Every time names its source, precision and zone status (explicit, assumed or unknown); "
     "relative times (such as “昨天 14:02”) are resolved against the capture time and given "
     "as intervals."),
    ("交叉核对", "Cross-checks",
     "软件比较同一证据或相关证据中的不同时间，超出容差的差异列为推断性的发现。",
     "The software compares the times of an item and of related items; differences beyond the "
     "tolerance are listed as findings (inferences)."),
    ("传播分析", "Spread analysis",
     "由平台转发列表重建转发树，按多种计数规则分别计数，"
     "并列出各计数首次达到参考标准的时间。",
     "The repost tree is rebuilt from the platform's repost lists; reposts are counted under "
     "several rules, each with the time it first reached the reference marks."),
)
_LIMITS = (
    ("时钟误差", "Clock error",
     "设备与服务器时钟可能有偏差；时区未写明的时间按案件默认时区推定，并标为推定。",
     "Device and server clocks can be off; times without a zone are read in the case's default "
     "zone and marked assumed."),
    ("已删除的帖子", "Deleted posts", "取证前已被删除的帖子或转发不在数据中，计数可能偏低。",
     "Posts and reposts deleted before capture are not in the data; counts can be too low."),
    ("机器账号", "Bots", "软件不判断账号是否为机器账号；所有账号同等计数。",
     "The software does not judge whether an account is a bot; every account is counted alike."),
    ("抽样", "Sampling",
     "平台导出或页面可能只显示部分转发；显示的计数可能为约数（如“1.2万”）。",
     "A platform export or page may show only part of the reposts; displayed counts may be "
     "rounded (such as “1.2万”)."),
    ("解析限制", "Parser limits", "未能解析的文件只记录其哈希值；解析警告见软件输出。",
     "Files no parser reads are recorded by their digests only; parse warnings are in the "
     "software's output."),
)
#: The authenticity factors: (rule zh, rule en, factor zh, factor en).
_FACTORS = {
    "environment": ("证据规定第93条第(一)至(三)项；互联网法院规定第11条",
                    "证据规定 art. 93 (1)-(3); 互联网法院规定 art. 11",
                    "软硬件环境可靠、运行正常、有错误监测",
                    "reliable hardware/software environment, normal operation, error monitoring"),
    "integrity": ("证据规定第93条第(四)项", "证据规定 art. 93 (4)",
                  "保存、传输、提取的方法完整可靠",
                  "kept, transmitted and extracted completely by a reliable method"),
    "carrier": ("互联网法院规定第11条；证据规定第15条", "互联网法院规定 art. 11; 证据规定 art. 15",
                "存储介质与保管", "storage medium and custody"),
    "process": ("互联网法院规定第11条", "互联网法院规定 art. 11",
                "创建者与时间明确；提取主体、工具、方法可靠；过程可重现",
                "creator and time clear; reliable extraction subject, tool and method; "
                "reproducible process"),
    "changes": ("互联网法院规定第11条", "互联网法院规定 art. 11",
                "有无增加、删除、修改", "whether anything was added, deleted or changed"),
    "notary": ("证据规定第94条第2款；民事诉讼法第72条", "证据规定 art. 94 para. 2; 民事诉讼法 art. 72",
               "经公证的内容", "notarized content"),
    "platform": ("证据规定第94条第1款第(二)项", "证据规定 art. 94 para. 1 (2)",
                 "由中立第三方平台提供或确认",
                 "provided or confirmed by a neutral third-party platform"),
    "fixed": ("互联网法院规定第11条；在线诉讼规则第16-18条",
              "互联网法院规定 art. 11; 在线诉讼规则 arts. 16-18",
              "电子签名、可信时间戳、哈希校验、区块链固定",
              "fixed by e-signature, trusted timestamp, hash check or blockchain"),
    "other": ("证据规定第94条第1款第(一)、(三)至(五)项", "证据规定 art. 94 para. 1 (1), (3)-(5)",
              "不利于持有人、正常业务记录、档案、按约定方式处理",
              "against its holder's interest; ordinary business records; archives; handled as "
              "agreed"),
}
_MSG.update({
    "tools": ("{k}/{n} 件证据写明取证工具：", "{k}/{n} items name the capture tool: "),
    "verified": ("各证据的哈希值（SHA-256、SM3、MD5）齐全；最近一次核验（记录序号 {seq}）"
                 "结果：{status}，重新计算 {items} 件、检查保管记录 {entries} 条",
                 "digests (SHA-256, SM3, MD5) for every item; latest verification (entry {seq}): "
                 "{status}, {items} items re-hashed, {entries} custody entries checked"),
    "unverified": ("{n} 件证据有哈希值，但本案从未核验",
                   "{n} items have digests, but the case was never verified"),
    "carriers": ("{k}/{n} 件写明原始载体情况，其中 {c} 件为无原始载体的复制件",
                 "{k}/{n} items state their carrier; {c} are copies without an original carrier"),
    "entries": ("保管记录 {n} 条", "{n} custody entries"),
    "who": ("{k}/{n} 件写明取证人或方法；第9节列出软件版本与全部输入的摘要",
            "{k}/{n} items state who captured them or how; section 9 lists the versions and the "
            "digests of every input"),
    "findings": ("时间交叉核对有 {n} 项发现（见第6节）：",
                 "{n} findings of the time cross-checks (section 6): "),
    "notarized": ("取证人或方法写明公证的证据：", "items whose capture names a notary: "),
    "platform_items": ("写明由平台提供或导出的证据：",
                       "items stated as provided or exported by a platform: "),
    "anchored": ("保管记录头部在记录之外锚定 {n} 次（已写出 RFC 3161 时间戳请求；"
                 "时间戳回执须另行核对）",
                 "the custody head was anchored outside the log {n} time(s) (RFC 3161 request "
                 "written; any timestamp reply must be checked separately)"),
})
_NOTARY_WORDS = ("公证", "notar")
_PLATFORM_WORDS = ("平台", "platform", "运营")


def _says(it: Item, words: Sequence[str]) -> bool:
    """Whether who captured the item, or how (at any hand-over), names one of ``words``."""
    for s in it.sightings or ():
        f = s.facts
        text = " ".join(x or "" for x in (f.captured_by, f.method)).lower()
        if any(w in text for w in words):
            return True
    f = it.facts
    return any(w in " ".join(x or "" for x in (f.captured_by, f.method)).lower() for w in words)


def _factors(doc: _Doc, case: Case, findings: Any) -> list[tuple[str, str, str]]:
    """One row per authenticity factor: the rule, the factor, what in this case speaks to it."""
    items = case.items
    n = len(items)
    entries = case.log.entries()
    verifies = [e for e in entries if e.action == "verify"]
    anchors = [e for e in entries if e.action == "anchor"]
    nothing = doc.say("本案中没有", "nothing in this case")

    def ids(xs: Sequence[Item]) -> str:
        return doc.t(", ".join(x.evidence_id for x in xs))

    said: dict[str, str] = {}
    tools = [it for it in items if it.facts.tool]
    said["environment"] = doc.msg("tools", k=len(tools), n=n) + ids(tools) if tools else nothing
    if verifies:
        v = verifies[-1].details
        said["integrity"] = doc.msg("verified", seq=verifies[-1].seq, status=v.get("status"),
                                    items=v.get("items_checked"), entries=v.get("entries_checked"))
    else:
        said["integrity"] = doc.msg("unverified", n=n) if n else nothing
    stated = [it for it in items if it.facts.has_original_carrier is not None]
    copies = [it for it in items if it.facts.has_original_carrier is False]
    carriers = (doc.msg("carriers", k=len(stated), n=n, c=len(copies))
                + (f"：{ids(copies)}" if copies else "")) if stated else nothing
    said["carrier"] = f"{carriers}; {doc.msg('entries', n=len(entries))}"
    who = [it for it in items if it.facts.captured_by or it.facts.method]
    said["process"] = doc.msg("who", k=len(who), n=n) if who else nothing
    flist = list(findings)
    counts = Counter(f.severity.value for f in flist)
    said["changes"] = (doc.msg("findings", n=len(flist))
                       + doc.t(", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
                       if flist else nothing)
    notarized = [it for it in items if _says(it, _NOTARY_WORDS)]
    said["notary"] = doc.msg("notarized") + ids(notarized) if notarized else nothing
    by_platform = [it for it in items if _says(it, _PLATFORM_WORDS)]
    said["platform"] = doc.msg("platform_items") + ids(by_platform) if by_platform else nothing
    said["fixed"] = doc.msg("anchored", n=len(anchors)) if anchors else nothing
    said["other"] = nothing
    return [(doc.say(rz, re_), doc.say(fz, fe), said[k])
            for k, (rz, re_, fz, fe) in _FACTORS.items()]


def _method(doc: _Doc, case: Case, findings: Any) -> str:
    steps = "".join(f"<li><b>{doc.say(a, b)}</b>：{doc.say(c, d)}</li>" for a, b, c, d in _METHOD)
    limits = "".join(f"<li><b>{doc.say(a, b)}</b>：{doc.say(c, d)}</li>" for a, b, c, d in _LIMITS)
    table = doc.table([doc.say("依据", "rule"), doc.say("审查因素", "factor"),
                       doc.say("本案中与之相关的内容", "what in this case speaks to it")],
                      _factors(doc, case, findings))
    inner = (f"<h3>{doc.heading('方法', 'Method')}</h3><ol>{steps}</ol>"
             f"<h3>{doc.heading('误差来源与局限', 'Sources of error and limits')}</h3><ul>{limits}</ul>"
             f"<h3>{doc.heading('法院审查真实性的因素', 'The court’s authenticity factors')}</h3>{table}"
             f"<p>{doc.msg('factor_note')}</p>")
    return _section(doc, "method", inner)


# --- 9. reproducibility --------------------------------------------------------------------------

def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _reproducibility(doc: _Doc, case: Case, head: Any, groups: Mapping[str, str] | None,
                     analysis: Any, findings: Any) -> str:
    from forensics import __version__
    from forensics.integrity import items_manifest_digest

    vers = [("forensics", __version__), ("Python", platform.python_version())]
    vers += [(d, _version(d)) for d in DEPENDENCIES]
    vtable = doc.table([doc.say("软件", "software"), doc.say("版本", "version")],
                       [(doc.t(a), doc.t(b)) for a, b in vers])
    grouping = "; ".join(f"{k}={v}" for k, v in sorted((groups or {}).items())) or "—"
    params = [("lang", doc.lang), ("groups", grouping)]
    p = getattr(analysis, "params", None)
    if p is not None:
        params += [(f"spread.{k}", str(getattr(p, k))) for k in p.__dataclass_fields__]
    tol = getattr(findings, "tolerance", None)
    if tol is not None:
        params.append(("findings.tolerance_seconds", f"{tol.total_seconds():g}"))
    ptable = doc.table([doc.say("参数", "parameter"), doc.say("值", "value")],
                       [(doc.t(a), doc.t(b)) for a, b in params])
    items = case.items
    dtable = doc.table([doc.say("证据编号", "evidence number"), "SHA-256", "SM3", doc.say("字节", "bytes")],
                       [(doc.t(it.evidence_id), f'<code class="hash">{doc.t(it.digests.sha256)}</code>',
                         f'<code class="hash">{doc.t(it.digests.sm3)}</code>', doc.t(it.digests.size))
                        for it in items])
    headtxt = (doc.t(f"{head.seq} {head.entry_sha256}") if head is not None else "—")
    inner = (f"<h3>{doc.heading('软件版本', 'Versions')}</h3>{vtable}"
             f"<h3>{doc.heading('参数', 'Parameters')}</h3>{ptable}"
             f"<h3>{doc.heading('全部输入的摘要', 'Digests of every input')}</h3>{dtable}"
             f"<p>{doc.msg('manifest')}："
             f'<code class="hash">{items_manifest_digest(items)}</code></p>'
             f"<p>{doc.msg('made_from')}："
             f'<code class="hash">{headtxt}</code></p>'
             f"<p>{doc.msg('same_bytes')}</p>")
    return _section(doc, "reproducibility", inner)
