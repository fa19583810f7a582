"""The litigation appendix of a case with 1,000 items and 100,000 timeline events (issue 7).

The case is real: made with ``Case.init`` and ``case.add`` (the normal intake, copies digested
and logged, items parsed) from seeded, synthetic captures, then ``ensure_parsed(case,
rows=True)`` once.  It is kept under ``benchmarks/out/appendix/`` (git-ignored), keyed by seed
and generator version, so a re-run skips making it; making it is not timed.  Its items:

* 10 repost lists in the documented CSV form (``docs/formats/reposts.md``), 9,500 rows each,
  made by ``bench_spread.make_cascade`` (heavy-tailed cascades, ``//@`` chains, ISO 8601 times
  with ``+08:00``, views as integers or ``1.2万`` / ``10万+``, a few exact duplicate rows); each
  list its own post, ids and start time: 95,000 events;
* 580 chat exports in the generic chat CSV form (``docs/formats/chat.md``; times without an
  offset, read in the case's zone), 5 or 6 messages each, every one different: 2,970 events;
* 400 PNG screenshots (tiny, every one different bytes, no EXIF): no events;
* 10 e-mails (``Date`` and two ``Received`` hops): 30 events;
* per item, "Acquired into case" and "Captured (as stated at intake)": 2,000 events.

The case is analysed as a user's case is before its appendix is written: its timeline made
once when it is made (which keeps the parsed tables as Parquet, logged as ``derived`` data) and,
untimed, one appendix written (``prepare``: which keeps the ten spread figures the same way).

Timed, each contender in a fresh process (one at a time; the case is opened and the modules
imported before the clock, as ``build_appendix`` takes an open case):

* **HTML** = ``build_appendix(case, lang="both")`` (the model: parses checked, tables read,
  timeline, findings, spread analysis, its figures, all nine sections) + ``draw_html(model)``,
  each part shown; the appendix written again, with the tables and figures kept;
* **HTML, first appendix**: the same on a copy of the case whose kept figures are deleted
  (the copy made before the clock), so the ten figures are drawn, kept and logged: what the
  first appendix after an analysis costs;
* **the ten figures alone**: ``cascade_figure`` and ``spread_curve_figure`` of the five posts
  drawn and saved as PNG by matplotlib, nothing else (what the first appendix adds);
* **PDF** = ``build_appendix`` + ``draw_pdf(model)``, in its own process, each part shown; the
  fonts are registered (``pdf_fonts()``) before the clock, as for the reference;
* ``write_appendix(case, out)``: everything (HTML, PDF, CSV/XLSX tables, the custody entry);
* reference for HTML: pandas ``DataFrame.to_html(index=False)`` of the timeline;
* reference for PDF: reportlab's own platypus ``LongTable`` (``repeatRows=1``, one table per 500
  rows, plain string cells, fixed column widths filling the A4 frame, the same TrueType Chinese
  face registered), built by ``SimpleDocTemplate``.

The references get the same rows: the timeline table of our model (``len(case.timeline())``
rows, eight columns), each cell as plain text, taken from the HTML contender's model after its
clock stopped.  They draw that table alone; ours draws the whole appendix (cover, 证据目录,
1,000 exhibits with their images and parsed text, hash table, custody, timeline, spread
figures and tables, method), so the ratios say what the whole document costs against the
timeline table drawn the plain way.

Memory: each process reads ``VmHWM`` from ``/proc/self/status``; the peak is reset
(``/proc/self/clear_refs``) before each part, so "peak MiB" is the resident peak during that
part (what stays resident from the part before, such as the model, included).  Times are the
best of ``--repeat`` runs, peaks the largest seen.

Targets (MET or MISS; they do not change the exit status, which is 1 only when a contender
fails or the model's timeline table does not hold the case's timeline): HTML under 5 s, PDF
under 60 s on this machine, each for the appendix of the analysed case; the first appendix's
HTML time is printed beside the HTML target, with its own verdict.

    python benchmarks/bench_appendix.py [--repeat 1] [--seed 7]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_spread  # noqa: E402  (the cascade generator, shared with the spread benchmark)

OUT = ROOT / "benchmarks" / "out" / "appendix"
SEED = 7
GENERATOR = 2  # part of the cached case's name: bump it when make_captures changes
LISTS, LIST_ROWS = 10, 9_500
CHATS, SCREENSHOTS, EMAILS = 580, 400, 10
ITEMS = LISTS + CHATS + SCREENSHOTS + EMAILS
#: Messages in all chats: what makes the timeline 100,000 events, with two events per item
#: ("Acquired into case", "Captured (as stated at intake)") and three per e-mail (Date and two
#: Received hops).
CHAT_EVENTS = 100_000 - LISTS * LIST_ROWS - 2 * ITEMS - 3 * EMAILS
TARGET_HTML, TARGET_PDF = 5.0, 60.0
REF_CHUNK = 500
CONTENDERS = ("html", "pdf", "write", "pandas", "reportlab", "html-first", "figures")
PEOPLE = ("李四", "王五", "赵六", "钱七", "孙八", "周九")
SAYINGS = ("那条微博你看到了吗", "看到了，转发已经过五百了", "删不删？", "截图发我一下", "已经截图了",
           "律师说要公证", "他又发了一条", "评论里有人骂他", "我问问平台", "先别回复")
ADDRESSES = ("zhangsan@example.com", "lawyer@example.com", "notary@example.org")


# ---------------------------------------------------------------------------------------------
# The captures and the case (made once, not timed)


def _png(rng: np.random.Generator) -> bytes:
    """A tiny grey PNG of seeded noise (different bytes each call, no EXIF)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    w, h = 32, 64
    pixels = rng.integers(150, 256, (h, w), dtype=np.uint8)
    raw = b"".join(b"\x00" + row.tobytes() for row in pixels)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))


def _repost_list(k: int, seed: int) -> pd.DataFrame:
    """List ``k``: a seeded cascade with its own post, ids and start (``k`` days later)."""
    df = bench_spread.make_cascade(LIST_ROWS, seed * 100 + k)
    for col in ("post_id", "repost_id", "parent_repost_id"):
        df[col] = [str(int(v) + k * 10**10) if v else "" for v in df[col].tolist()]
    when = pd.to_datetime(df["time"], format="%Y-%m-%dT%H:%M:%S%z") + pd.Timedelta(days=k)
    df["time"] = when.dt.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"
    return df


def _chat(k: int, n: int, rng: np.random.Generator) -> str:
    """Chat ``k`` in the generic chat CSV form: ``n`` messages, each text different."""
    start = np.datetime64("2026-11-20T09:00:00") + np.timedelta64(int(rng.integers(0, 30 * 86400)),
                                                                   "s")
    gaps = np.cumsum(rng.integers(5, 600, n))
    lines = ["time,sender_id,sender_name,text,chat"]
    for j in range(n):
        at = str(start + np.timedelta64(int(gaps[j]), "s")).replace("T", " ")
        who = int(rng.integers(0, len(PEOPLE)))
        said = SAYINGS[int(rng.integers(0, len(SAYINGS)))]
        lines.append(f"{at},wxid_{who},{PEOPLE[who]},{said}（第{k}段第{j + 1}条）,群聊{k % 7}")
    return "\n".join(lines) + "\n"


def _email(k: int) -> str:
    sent = pd.Timestamp("2026-11-21T09:00:00+08:00") + pd.Timedelta(minutes=37 * k)
    hop1, hop2 = sent + pd.Timedelta(seconds=4), sent + pd.Timedelta(seconds=9)
    fmt = "%a, %d %b %Y %H:%M:%S +0800"
    return (f"Received: from mx.example.org by mail.example.com; {hop2.strftime(fmt)}\n"
            f"Received: from client.example.com by mx.example.org; {hop1.strftime(fmt)}\n"
            f"From: 张三 <{ADDRESSES[0]}>\nTo: {ADDRESSES[1]}\nCc: {ADDRESSES[2]}\n"
            f"Subject: 证据截图 第{k}封\nDate: {sent.strftime(fmt)}\n"
            f"Message-ID: <bench-{k}@example.com>\nContent-Type: text/plain; charset=utf-8\n\n"
            f"附上第{k}批截图，发布时间显示为“昨天 14:02”。\n")


def make_captures(folder: Path, seed: int) -> dict[str, Path]:
    """Write the 1,000 capture files under ``folder``, one sub-folder per kind."""
    rng = np.random.default_rng(seed)
    kinds = {name: folder / name for name in ("reposts", "chats", "screenshots", "mail")}
    for d in kinds.values():
        d.mkdir(parents=True)
    for k in range(LISTS):
        _repost_list(k, seed).to_csv(kinds["reposts"] / f"reposts-{k:02d}.csv", index=False,
                                     encoding="utf-8", lineterminator="\n")
    per, extra = divmod(CHAT_EVENTS, CHATS)
    for k in range(CHATS):
        (kinds["chats"] / f"chat-{k:04d}.csv").write_text(
            _chat(k, per + (k < extra), rng), encoding="utf-8")
    for k in range(SCREENSHOTS):
        (kinds["screenshots"] / f"IMG_{k:04d}.png").write_bytes(_png(rng))
    for k in range(EMAILS):
        (kinds["mail"] / f"mail-{k:02d}.eml").write_text(_email(k), encoding="utf-8")
    return kinds


def make_case(seed: int) -> tuple[Path, dict, float]:
    """The cached case for ``seed`` (made when missing), its counts and the seconds making took."""
    key = f"case-v{GENERATOR}-cascade{bench_spread.GENERATOR}-seed{seed}"
    root, ready = OUT / key, OUT / f"{key}.json"
    if ready.is_file() and root.is_dir():
        return root, json.loads(ready.read_text()), 0.0
    from forensics.artifacts import ensure_parsed
    from forensics.case import Case
    from forensics.intake import IntakeFacts

    t = time.perf_counter()
    shutil.rmtree(root, ignore_errors=True)  # a case left half made by an interrupted run
    captures = OUT / f"{key}-captures"
    shutil.rmtree(captures, ignore_errors=True)
    kinds = make_captures(captures, seed)
    case = Case.init(root, title="基准：某公司诉张某名誉权纠纷 (benchmark)",
                     case_number="(2026)基0001民初1号", examiner="基准鉴定人")
    common = {"captured_at": "2026-12-01T10:00:00+08:00", "captured_by": "张三",
              "carrier": "none"}
    facts = {
        "reposts": IntakeFacts(category="record/log", platform="微博", method="platform export",
                               purpose="证明涉案微博的转发范围", **common),
        "chats": IntakeFacts(category="message", platform="微信", method="export",
                             purpose="证明发布者讨论涉案微博", **common),
        "screenshots": IntakeFacts(category="post", platform="微博", method="screenshot",
                                   purpose="证明涉案微博的内容", **common),
        "mail": IntakeFacts(category="message", method="saved e-mail",
                            purpose="证明截图的转交时间", **common),
    }
    for name, folder in kinds.items():
        case.add([folder], facts=facts[name], progress=False)
    ensure_parsed(case, rows=True, progress=False)
    # the timeline, as an analysis makes it: the parsed tables are kept (logged ``derived``)
    counts = {"items": len(case.items), "events": len(case.timeline(progress=False))}
    shutil.rmtree(captures)  # the case holds its own copies
    ready.write_text(json.dumps(counts))
    return root, counts, time.perf_counter() - t


# ---------------------------------------------------------------------------------------------
# The contenders (each in its own process: ``--contender NAME``)


def _status(key: str) -> float:
    """``VmHWM``/``VmRSS`` of this process from /proc, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def _reset_peak() -> bool:
    """Reset ``VmHWM`` to the current resident size (Linux 4.0+); False when not allowed."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class Clock:
    """Times and resident peaks of the parts of one contender."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.peak: dict[str, float] = {}
        self.base: dict[str, float] = {}
        self.reset = True

    def part(self, name: str, fn):
        self.reset &= _reset_peak()
        self.base[name] = _status("VmRSS")
        t = time.perf_counter()
        out = fn()
        self.seconds[name] = time.perf_counter() - t
        self.peak[name] = _status("VmHWM")
        return out


def _pages(data: bytes) -> int:
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _timeline_rows(model) -> pd.DataFrame:
    """The model's timeline table, every cell as plain text (the references' rows)."""
    from forensics.appendix_model import Table, plain_text

    section = next(s for s in model.sections if s.id == "timeline")
    table = next(b for b in section.blocks if isinstance(b, Table) and b.kind == "timeline")
    head = [plain_text(h, model.lang) for h in table.header]
    rows = [[plain_text(c, model.lang) for c in r] for r in table.rows]
    return pd.DataFrame(rows, columns=head, dtype=object)


def contender(name: str, case_dir: Path, rows_path: Path, result: Path) -> int:
    """Run one contender in this process; write its times, peaks and sizes to ``result``."""
    clock = Clock()
    out: dict[str, object] = {}
    if name == "prepare":  # untimed: the analysis a user's case has had (tables, figures kept)
        from forensics.appendix_model import build_appendix
        from forensics.case import Case

        build_appendix(Case.open(case_dir), lang="both", progress=False)
        result.write_text("{}")
        return 0
    if name == "html-first":  # a copy whose kept figures are gone: the first appendix
        first = OUT / "first-copy"
        shutil.rmtree(first, ignore_errors=True)
        shutil.copytree(case_dir, first, symlinks=True)
        shutil.rmtree(first / "derived" / "figures", ignore_errors=True)
        case_dir, name = first, "html"
        out["first"] = True
    if name == "figures":
        figures_alone(case_dir, clock)
        out["figures"] = 10
    elif name in ("html", "pdf", "write"):
        from forensics.appendix import write_appendix
        from forensics.appendix_html import draw_html
        from forensics.appendix_model import build_appendix
        from forensics.appendix_pdf import draw_pdf, pdf_fonts
        from forensics.case import Case

        case = Case.open(case_dir)
        if name == "write":
            dest = OUT / "written"
            files = clock.part("write_appendix", lambda: write_appendix(case, dest, progress=False))
            out["files"] = {k: Path(p).stat().st_size for k, p in files.items()}
            out["pages"] = _pages(Path(files["appendix.pdf"]).read_bytes())
        else:
            fonts = pdf_fonts() if name == "pdf" else None
            model = clock.part("build_appendix",
                               lambda: build_appendix(case, lang="both", progress=False))
            if name == "html":
                data = clock.part("draw_html", lambda: draw_html(model))
                if not out.get("first"):
                    table = _timeline_rows(model)
                    table.to_parquet(rows_path, index=False)
                    out["timeline_rows"] = len(table)
                    out["case_timeline"] = len(case.timeline(progress=False))
            else:
                data = clock.part("draw_pdf", lambda: draw_pdf(model, fonts=fonts))
                out["pages"] = _pages(data)
            out["bytes"] = len(data)
    elif name == "pandas":
        df = pd.read_parquet(rows_path)
        data = clock.part("to_html", lambda: df.to_html(index=False).encode("utf-8"))
        out["bytes"] = len(data)
    else:
        data = reportlab_reference(pd.read_parquet(rows_path), clock)
        out["bytes"] = len(data)
        out["pages"] = _pages(data)
    out.update(seconds=clock.seconds, peak=clock.peak, base=clock.base, reset=clock.reset,
               hwm=_status("VmHWM"))
    result.write_text(json.dumps(out, ensure_ascii=False))
    return 0


def figures_alone(case_dir: Path, clock: Clock) -> None:
    """The ten spread figures of the appendix drawn and saved as PNG by matplotlib (the
    analysis made before the clock)."""
    from forensics.appendix_model import MAX_FIGURE_POSTS
    from forensics.case import Case
    from forensics.figures import cjk_font, save_figure
    from forensics.spread_figures import cascade_figure, spread_curve_figure

    analysis = Case.open(case_dir).spread(progress=False, record=False)
    posts = sorted(analysis.to_json(), key=lambda p: (-int(p.get("nodes", 0)),
                                                       str(p["post_id"])))[:MAX_FIGURE_POSTS]
    cjk_font()
    folder = OUT / "figures-alone"
    folder.mkdir(exist_ok=True)

    def draw() -> None:
        for p in posts:
            for fn in (cascade_figure, spread_curve_figure):
                save_figure(fn(analysis, p["post_id"], lang="both"),
                            folder / f"{fn.__name__}-{p['post_id']}.png")

    clock.part("figures", draw)


def reportlab_reference(df: pd.DataFrame, clock: Clock) -> bytes:
    """The timeline as reportlab's own LongTables, one per ``REF_CHUNK`` rows (timed part:
    the tables and the document, fonts registered before)."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import LongTable, SimpleDocTemplate, TableStyle

    from forensics.appendix_pdf import pdf_fonts

    face = pdf_fonts().sans  # the same TrueType Chinese face as ours, registered
    header = [str(c) for c in df.columns]
    rows = df.astype(str).to_numpy().tolist()
    frame = A4[0] - 30 * mm
    shares = (0.17, 0.09, 0.11, 0.13, 0.08, 0.07, 0.30, 0.05)
    widths = [frame * s for s in shares]
    style = TableStyle([("FONT", (0, 0), (-1, -1), face, 5.5), ("LEADING", (0, 0), (-1, -1), 7),
                        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                        ("BACKGROUND", (0, 0), (-1, 0), colors.lightgrey),
                        ("VALIGN", (0, 0), (-1, -1), "TOP")])

    def draw() -> bytes:
        buf = io.BytesIO()
        doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=15 * mm, rightMargin=15 * mm,
                                topMargin=15 * mm, bottomMargin=15 * mm)
        story = [LongTable([header, *rows[i:i + REF_CHUNK]], colWidths=widths, repeatRows=1,
                           style=style) for i in range(0, len(rows), REF_CHUNK)]
        doc.build(story)
        return buf.getvalue()

    return clock.part("LongTable", draw)


# ---------------------------------------------------------------------------------------------
# The run


def spawn(name: str, case_dir: Path, rows_path: Path, repeat: int) -> dict:
    """Best of ``repeat`` fresh processes of one contender (time: least total; peaks: largest)."""
    best: dict | None = None
    totals, peaks = [], []
    for _ in range(repeat):
        result = OUT / f"result-{name}.json"
        p = subprocess.run([sys.executable, __file__, "--contender", name, "--case", str(case_dir),
                            "--rows", str(rows_path), "--result", str(result)],
                           capture_output=True, text=True, check=False)
        if p.returncode != 0:
            sys.exit(f"{name} failed ({p.returncode}):\n{p.stderr[-3000:]}")
        m = json.loads(result.read_text())
        if not m:  # the untimed preparation
            return m
        totals.append(sum(m["seconds"].values()))
        peaks.append(max(m["peak"].values()))
        if best is None or totals[-1] < sum(best["seconds"].values()):
            best = m
    assert best is not None
    best.update(runs=totals, max_peak=max(peaks))
    return best


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=1, help="runs of each contender (best counts)")
    ap.add_argument("--seed", type=int, default=SEED)
    ap.add_argument("--contender", choices=(*CONTENDERS, "prepare"), help=argparse.SUPPRESS)
    ap.add_argument("--case", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--rows", type=Path, help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args()
    os.environ.setdefault("FORENSICS_ACTOR", "bench_appendix")
    if a.contender:
        return contender(a.contender, a.case, a.rows, a.result)
    if a.repeat < 1:
        sys.exit("--repeat must be at least 1")
    OUT.mkdir(parents=True, exist_ok=True)
    case_dir, counts, made = make_case(a.seed)
    rows_path = OUT / "timeline-rows.parquet"
    rows_path.unlink(missing_ok=True)  # made afresh by the html contender of this run
    load = os.getloadavg()[0]
    spawn("prepare", case_dir, rows_path, 1)
    r = {name: spawn(name, case_dir, rows_path, a.repeat) for name in CONTENDERS}
    made_text = f"made in {made:.0f} s, not timed" if made else "cached"
    print(f"case: {counts['items']:,} items, {counts['events']:,} timeline events "
          f"(len(case.timeline())), seed {a.seed} ({case_dir.relative_to(ROOT)}, {made_text}); "
          f"{os.cpu_count()} CPUs, load average {load:.2f} before, {os.getloadavg()[0]:.2f} after; "
          f"best of {a.repeat}")
    status = 0
    h, p, w, ph, rl, hf, fg = (r[n] for n in CONTENDERS)
    if h["timeline_rows"] != h["case_timeline"]:
        print(f"ERROR: the model's timeline table has {h['timeline_rows']:,} rows, the case's "
              f"timeline {h['case_timeline']:,}")
        status = 1
    html_s = h["seconds"]["build_appendix"] + h["seconds"]["draw_html"]
    first_s = hf["seconds"]["build_appendix"] + hf["seconds"]["draw_html"]
    pdf_s = p["seconds"]["build_appendix"] + p["seconds"]["draw_pdf"]
    ref_html, ref_pdf = ph["seconds"]["to_html"], rl["seconds"]["LongTable"]
    lines = [  # (label, seconds, peak MiB, target, reference seconds)
        ("build_appendix (HTML process)", h["seconds"]["build_appendix"],
         h["peak"]["build_appendix"], "", None),
        ("draw_html", h["seconds"]["draw_html"], h["peak"]["draw_html"], "", ref_html),
        ("HTML = build + draw_html", html_s, max(h["peak"].values()), f"< {TARGET_HTML:g} s",
         ref_html),
        ("HTML, first appendix (figures drawn)", first_s, max(hf["peak"].values()), "",
         ref_html),
        ("  of which the ten figures alone", fg["seconds"]["figures"], fg["peak"]["figures"], "",
         None),
        ("build_appendix (PDF process)", p["seconds"]["build_appendix"],
         p["peak"]["build_appendix"], "", None),
        ("draw_pdf", p["seconds"]["draw_pdf"], p["peak"]["draw_pdf"], "", ref_pdf),
        ("PDF = build + draw_pdf", pdf_s, max(p["peak"].values()), f"< {TARGET_PDF:g} s", ref_pdf),
        ("write_appendix (all files, logged)", w["seconds"]["write_appendix"],
         w["peak"]["write_appendix"], "", None),
        ("ref: pandas DataFrame.to_html", ref_html, ph["peak"]["to_html"], "", None),
        ("ref: reportlab LongTable", ref_pdf, rl["peak"]["LongTable"], "", None),
    ]
    print(f"{'part':<36} {'seconds':>8} {'peak MiB':>9} {'target':>8} {'ours / ref':>11}")
    for label, s, peak, target, ref in lines:
        ratio = f"{s / ref:.1f}" if ref else ""
        print(f"{label:<36} {s:8.2f} {peak:9.0f} {target:>8} {ratio:>11}")
    if not all(m["reset"] for m in r.values()):
        print("note: /proc/self/clear_refs refused: peaks are since each process started")
    print(f"rows drawn by the references: {len(pd.read_parquet(rows_path)):,} (the model's "
          f"timeline table, 8 columns, plain text); ours draws the whole appendix")
    print(f"pages: ours {p['pages']:,} (write_appendix's {w['pages']:,}), reportlab "
          f"{rl['pages']:,}")
    print(f"bytes: ours HTML {h['bytes']:,}, PDF {p['bytes']:,}; pandas HTML {ph['bytes']:,}, "
          f"reportlab PDF {rl['bytes']:,}")
    print("write_appendix files: " + ", ".join(f"{k} {v:,}" for k, v in sorted(w["files"].items())))
    for what, s, target in (("HTML", html_s, TARGET_HTML), ("PDF", pdf_s, TARGET_PDF)):
        print(f"target: {what} (build_appendix + draw_{what.lower()}) under {target:g} s "
              f"({s:.2f} s): {'MET' if s < target else 'MISS'}")
    print(f"first appendix (the ten figures drawn, {fg['seconds']['figures']:.2f} s of it in "
          f"matplotlib alone): HTML {first_s:.2f} s: "
          f"{'MET' if first_s < TARGET_HTML else 'MISS'} against the same {TARGET_HTML:g} s")
    return status


if __name__ == "__main__":
    sys.exit(main())
