"""OCR of screenshots and recordings, and the four completeness calls, measured in one run.

Issue 10 ("Measured"): OCR time per screenshot and per minute of recording on this machine, and
the accuracy of the four completeness calls (content, publisher, publish time, URL) on the
sample case's captures.  Three parts:

1. **Per screenshot**: wall time of :func:`forensics.ocr.read_image_file` (read-only open,
   decoding, enlarging to ``MIN_WIDTH``, tiling, reading order) on the six sample screenshots
   (``data/case-files/screenshots``, 540x1170) and on a phone-size page (1080x2400: the sample
   page drawn 540x1200 by ``forensics.sample._draw_page`` and enlarged twice, so the text has
   a phone's pixel size; a tall image, read in two tiles), best of ``--repeat``.  In the same
   run, the reference: the raw engine, ``rapidocr_onnxruntime.RapidOCR`` with one ONNX Runtime
   thread (as ours runs it), called on the same decoded BGR array, so that ``ours / raw`` is our
   overhead; and the raw engine with its default threads (ONNX Runtime's choice: every physical
   core), which shows what the one thread, kept on purpose for the same results everywhere,
   costs.  The runs of the three are interleaved; each is warmed up once, untimed.
2. **Per minute of recording**: a 60 s screen recording (540x1170, 10 fps, MPEG-4 part 2 as
   the sample's recorder, the sample page scrolling down and back up with pauses between the
   scrolls), made once under ``benchmarks/out/screens/`` (git-ignored; making it is not timed),
   read by :func:`forensics.ocr.read_recording` (a frame sampled every second; a sampled frame
   that looks like the last one read is not read again): seconds of OCR per minute of
   recording, frames sampled and frames read, best of ``--rec-repeat``.
3. **Accuracy**: a fresh sample case (``forensics.sample.generate`` then ``build_case`` with
   ``screens=False``, in a temporary folder), :func:`forensics.screens.check_screens` with the
   two key phrases of the sample post (OCR of every capture included, timed), and each call
   compared with :data:`TRUTH` (keyed by file name).  An ``unsure`` is an abstention, never
   counted right or wrong.  Printed per capture and per aspect: correct, wrong, unsure;
   accuracy of the calls made (correct / (correct + wrong)), correct of all calls, the
   abstention rate, and per aspect the precision and recall of ``shown`` (an ``unsure`` where
   the truth is ``shown`` is a miss for recall).

Target: no wrong call on the sample case (exit status 1 when a call is wrong or a capture of
:data:`TRUTH` is missing).  The issue sets no time target: the times are measured and printed.
Whole run about 3 minutes on 2 idle cores.  The CPU time other processes used during the run
(``/proc/stat`` less this process's own) is printed; above :data:`BUSY` cores on average it gets
a note, as the times are then slower than on an idle machine.

    python benchmarks/bench_screens.py [--repeat 3] [--rec-repeat 1]
"""

from __future__ import annotations

import argparse
import io
import logging
import os
import platform
import resource
import sys
import tempfile
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path

import numpy as np
from PIL import Image

from forensics import sample
from forensics.ocr import (
    MAX_SIDE,
    MIN_WIDTH,
    TILE_RATIO,
    engine_fingerprint,
    read_image_file,
    read_recording,
)
from forensics.screens import ASPECTS, Call, check_screens

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOTS = ROOT / "data" / "case-files" / "screenshots"
OUT = ROOT / "benchmarks" / "out" / "screens"
GENERATOR = 1  # part of the cached files' names: bump it when make_phone or make_recording changes
PHONE = (1080, 2400)
REC_SIZE = (540, 1170)
REC_FPS = 10
REC_SECONDS = 60
#: The recording's script: (seconds, scroll offset at the start, at the end), in pixels of the
#: page body.  Scrolls of 1 to 2 s between pauses of 6 to 8 s, down to the comments and back.
REC_SCRIPT = ((6.0, 0, 0), (1.5, 0, 260), (8.0, 260, 260), (1.5, 260, 520), (7.0, 520, 520),
              (2.0, 520, 780), (8.0, 780, 780), (1.0, 780, 900), (7.0, 900, 900),
              (2.0, 900, 400), (7.0, 400, 400), (2.0, 400, 0), (7.0, 0, 0))
#: Cores used on average by other processes during the run above which a note says so.
BUSY = 0.25
PHRASES = ("暖阳烘焙老板陈某明用过期面粉做蛋糕", "店里还偷偷改生产日期")
_S, _N = Call.SHOWN, Call.NOT_SHOWN
#: The truth of the sample case's captures, in the order of ``ASPECTS`` (content, publisher,
#: publish time, URL).  ``截图1.png`` is the 135x292 thumbnail in the witness's mail: it shows
#: all four, too small to read (``unsure`` is the right answer there, and counts as abstained).
TRUTH: dict[str, tuple[Call, Call, Call, Call]] = {
    "SVID_20261121_094107_1.mp4": (_S, _S, _S, _N),
    "IMG_4821.PNG": (_S, _S, _S, _S),
    "Screenshot_2025-11-21-10-05-33-118_com.sina.weibo.jpg": (_S, _S, _S, _N),
    "Screenshot_20261121_093012_com.sina.weibo.jpg": (_S, _S, _S, _N),
    "weibo-post-annotated.jpg": (_S, _S, _S, _N),
    "微信图片_20261121101502.jpg": (_S, _S, _S, _N),
    "Screenshot_2025-11-21-10-06-02-447_com.sina.weibo.jpg": (_N, _N, _N, _N),
    "截图1.png": (_S, _S, _S, _S),
}


@dataclass(frozen=True, slots=True)
class Timing:
    """Best-of-N wall times (seconds) of one image: ours, the raw engine with one thread and
    with its default threads, and the lines each read (on the last run)."""

    name: str
    size: tuple[int, int]
    ours: float
    raw_one: float
    raw_all: float
    lines_ours: int
    lines_raw: int


@dataclass(frozen=True, slots=True)
class RecordingRun:
    """The best run of :func:`read_recording` over the benchmark's recording."""

    seconds: float
    duration: float
    sampled: int
    read: int
    warnings: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Tally:
    """Correct, wrong and unsure calls, and the counts for the precision and recall of
    ``shown`` (true positives, calls ``shown``, truths ``shown``)."""

    correct: int = 0
    wrong: int = 0
    unsure: int = 0
    tp: int = 0
    said_shown: int = 0
    truly_shown: int = 0

    def add(self, got: Call, truth: Call) -> Tally:
        return Tally(self.correct + (got == truth), self.wrong + (got not in (truth, Call.UNSURE)),
                     self.unsure + (got == Call.UNSURE),
                     self.tp + (got == truth == Call.SHOWN), self.said_shown + (got == Call.SHOWN),
                     self.truly_shown + (truth == Call.SHOWN))

    def __add__(self, o: Tally) -> Tally:
        return Tally(self.correct + o.correct, self.wrong + o.wrong, self.unsure + o.unsure,
                     self.tp + o.tp, self.said_shown + o.said_shown,
                     self.truly_shown + o.truly_shown)

    @property
    def calls(self) -> int:
        return self.correct + self.wrong + self.unsure


# ---------------------------------------------------------------------------------------------
# Inputs (made once, not timed)


def _page(clock: str = "09:15") -> sample._Page:
    return sample._Page(clock, "昨天 14:02", "iPhone 15 Pro", ("1843", "611", "1.2万"),
                        url=sample.POST_URL, comments=sample._COMMENTS)


def make_phone() -> Path:
    """The 1080x2400 page (PNG under ``OUT``): drawn at half size, enlarged twice (Lanczos)."""
    path = OUT / f"phone-v{GENERATOR}-{PHONE[0]}x{PHONE[1]}.png"
    if path.is_file():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    half = sample._draw_page(_page(), (PHONE[0] // 2, PHONE[1] // 2))
    half.resize(PHONE, Image.Resampling.LANCZOS).save(path, "PNG")
    return path


def make_recording() -> tuple[Path, float]:
    """The 60 s recording (MP4 under ``OUT``) and the seconds making it took (0: cached)."""
    import av

    path = OUT / f"recording-v{GENERATOR}-{REC_SECONDS}s-{REC_SIZE[0]}x{REC_SIZE[1]}.mp4"
    if path.is_file():
        return path, 0.0
    if abs(sum(d for d, _, _ in REC_SCRIPT) - REC_SECONDS) > 1e-9:
        sys.exit(f"REC_SCRIPT lasts {sum(d for d, _, _ in REC_SCRIPT)} s, not {REC_SECONDS} s")
    t = time.perf_counter()
    OUT.mkdir(parents=True, exist_ok=True)
    w, h = REC_SIZE
    reach = max(max(a, b) for _, a, b in REC_SCRIPT)
    tall = sample._draw_page(_page("09:41"), REC_SIZE, tall=h + reach)
    head = np.asarray(tall.crop((0, 0, w, 100)))
    body = np.asarray(tall.crop((0, 100, w, tall.height)))
    offsets: list[int] = []
    for seconds, start, end in REC_SCRIPT:
        n = round(seconds * REC_FPS)
        offsets += [round(start + (end - start) * (i + 1) / n) for i in range(n)]
    tmp = path.with_suffix(".tmp")
    with av.open(str(tmp), "w", format="mp4") as c:
        s = c.add_stream("mpeg4", rate=REC_FPS)
        s.width, s.height = w, h
        s.pix_fmt = "yuv420p"
        s.bit_rate = 1_500_000
        for i, shift in enumerate(offsets):
            canvas = np.concatenate([head, body[shift:shift + h - 100]], axis=0)
            vf = av.VideoFrame.from_ndarray(np.ascontiguousarray(canvas), format="rgb24")
            vf.pts = i
            for packet in s.encode(vf):
                c.mux(packet)
        for packet in s.encode():
            c.mux(packet)
    tmp.replace(path)
    return path, time.perf_counter() - t


# ---------------------------------------------------------------------------------------------
# 1. Per screenshot


def _bgr(path: Path) -> np.ndarray:
    with Image.open(io.BytesIO(path.read_bytes())) as im:
        rgb = np.asarray(im.convert("RGB"))
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _best(fn: Callable[[], int], runs: int) -> tuple[float, int]:
    best, got = float("inf"), 0
    for _ in range(runs):
        t = time.perf_counter()
        got = fn()
        best = min(best, time.perf_counter() - t)
    return best, got


def time_images(paths: list[Path], repeat: int) -> list[Timing]:
    """Best-of-``repeat`` times of ours and the raw engine (one thread, default threads)."""
    from rapidocr_onnxruntime import RapidOCR

    one = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, print_verbose=False)
    every = RapidOCR(print_verbose=False)
    for name in ("RapidOCR", "rapidocr_onnxruntime"):
        logging.getLogger(name).setLevel(logging.WARNING)
    warm = _bgr(paths[0])
    read_image_file(paths[0])
    one(warm)
    every(warm)
    out = []
    for path in paths:
        bgr = _bgr(path)
        contenders: dict[str, Callable[[], int]] = {
            "ours": lambda p=path: len(read_image_file(p).lines),
            "one": lambda a=bgr: len(one(a)[0] or ()),
            "all": lambda a=bgr: len(every(a)[0] or ()),
        }
        best = dict.fromkeys(contenders, float("inf"))
        lines = dict.fromkeys(contenders, 0)
        for _ in range(repeat):  # interleaved, so a slow moment of the machine hits all three
            for key, fn in contenders.items():
                t, lines[key] = _best(fn, 1)
                best[key] = min(best[key], t)
        out.append(Timing(path.name, (bgr.shape[1], bgr.shape[0]), best["ours"], best["one"],
                          best["all"], lines["ours"], lines["one"]))
    return out


# ---------------------------------------------------------------------------------------------
# 2. Per minute of recording


def time_recording(path: Path, repeat: int) -> RecordingRun:
    """The fastest of ``repeat`` (at least one) runs of :func:`read_recording` on ``path``."""
    runs = []
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        frames, sampled, duration, warnings = read_recording(path, progress=False)
        runs.append(RecordingRun(time.perf_counter() - t, duration or float("nan"), sampled,
                                 len(frames), warnings))
    return min(runs, key=lambda r: r.seconds)


# ---------------------------------------------------------------------------------------------
# 3. Accuracy


def accuracy() -> tuple[list[tuple[str, str, tuple[Call, ...]]], float, float]:
    """The calls on a fresh sample case: (evidence number, file name, calls) per capture, the
    seconds building the case took and the seconds ``check_screens`` took (OCR included)."""
    with tempfile.TemporaryDirectory(prefix="bench-screens-") as tmp:
        t = time.perf_counter()
        sample.generate(Path(tmp) / "files")
        # no OCR while building: check_screens below reads every capture afresh, timed
        case = sample.build_case(Path(tmp) / "case", Path(tmp) / "files", progress=False,
                                 screens=False)
        built = time.perf_counter() - t
        t = time.perf_counter()
        report = check_screens(case, phrases=PHRASES, progress=False, record=False)
        checked = time.perf_counter() - t
    rows = [(c.evidence_id, c.name, tuple(getattr(c, a).call for a in ASPECTS))
            for c in report.checks]
    return rows, built, checked


def _pad(text: str, width: int) -> str:
    """``text`` cut or padded to ``width`` terminal columns (a CJK character takes two)."""
    out, used = "", 0
    for ch in text:
        w = 2 if unicodedata.east_asian_width(ch) in "WF" else 1
        if used + w > width:
            break
        out, used = out + ch, used + w
    return out + " " * (width - used)


def _pct(num: int, den: int) -> str:
    return f"{100 * num / den:5.1f} %" if den else "    -  "


def print_accuracy(rows: list[tuple[str, str, tuple[Call, ...]]]) -> int:
    """Print the per-capture and per-aspect tables; the number of wrong and missing calls."""
    short = {Call.SHOWN: "shown", Call.NOT_SHOWN: "not", Call.UNSURE: "unsure"}
    per_aspect = dict.fromkeys(ASPECTS, Tally())
    print(f"{'capture':<60} {'content':>9} {'publisher':>10} {'time':>9} {'url':>9}  "
          f"right/wrong/unsure")
    seen = set()
    for eid, name, calls in rows:
        truth = TRUTH.get(name)
        if truth is None:
            cells = " ".join(f"{short[c]:>9}" for c in calls)
            print(f"{eid} {_pad(name, 54)} {cells}  (no truth: not scored)")
            continue
        seen.add(name)
        row = Tally()
        cells = []
        for aspect, got, want in zip(ASPECTS, calls, truth, strict=True):
            per_aspect[aspect] = per_aspect[aspect].add(got, want)
            row = row.add(got, want)
            mark = "" if got in (want, Call.UNSURE) else f"!{short[want]}"
            cells.append(f"{short[got] + mark:>{10 if aspect == 'publisher' else 9}}")
        print(f"{eid} {_pad(name, 54)} {' '.join(cells)}  {row.correct}/{row.wrong}/{row.unsure}")
    missing = [n for n in TRUTH if n not in seen]
    for name in missing:
        print(f"  missing: {name} (in the truth table, not among the case's captures)")
    print("  (a call marked !x is wrong; x is the truth)")
    print(f"{'aspect':<13} {'right':>5} {'wrong':>5} {'unsure':>6} {'accuracy':>9} "
          f"{'abstain':>8} {'shown prec':>10} {'shown rec':>10}")
    total = Tally()
    for aspect, t in per_aspect.items():
        total = total + t
        print(f"{aspect:<13} {t.correct:5d} {t.wrong:5d} {t.unsure:6d} "
              f"{_pct(t.correct, t.correct + t.wrong):>9} {_pct(t.unsure, t.calls):>8} "
              f"{_pct(t.tp, t.said_shown):>10} {_pct(t.tp, t.truly_shown):>10}")
    print(f"{'all':<13} {total.correct:5d} {total.wrong:5d} {total.unsure:6d} "
          f"{_pct(total.correct, total.correct + total.wrong):>9} "
          f"{_pct(total.unsure, total.calls):>8} {_pct(total.tp, total.said_shown):>10} "
          f"{_pct(total.tp, total.truly_shown):>10}")
    print(f"accuracy of the calls made: {total.correct}/{total.correct + total.wrong} "
          f"({_pct(total.correct, total.correct + total.wrong).strip()}); correct of all calls: "
          f"{total.correct}/{total.calls} ({_pct(total.correct, total.calls).strip()}); "
          f"abstention rate {_pct(total.unsure, total.calls).strip()}")
    return total.wrong + len(missing)


# ---------------------------------------------------------------------------------------------


def _machine_busy() -> float:
    """CPU seconds the whole machine has spent busy since boot (``/proc/stat``; NaN elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    except OSError:
        return float("nan")
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(v) for v in fields[:8])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def _own_cpu() -> float:
    """CPU seconds this process (all its threads) and its children have used."""
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


def machine() -> str:
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        model = platform.processor()
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    fp = engine_fingerprint()
    models = fp["models"]
    n_models = len(models) if isinstance(models, dict) else 0
    return (f"machine: {os.cpu_count()} CPUs ({usable} usable), {model or 'CPU model unknown'}, "
            f"load average {os.getloadavg()[0]:.2f}\n"
            f"Python {platform.python_version()}, onnxruntime {version('onnxruntime')}, "
            f"{fp['engine']} {fp['version']} ({n_models} models), "
            f"numpy {np.__version__}, Pillow {version('pillow')}, PyAV {version('av')}")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=3, help="runs per image (best counts)")
    ap.add_argument("--rec-repeat", type=int, default=1, help="runs of the recording")
    a = ap.parse_args()
    if a.repeat < 1 or a.rec_repeat < 1:
        sys.exit("--repeat and --rec-repeat must be at least 1")
    shots = sorted(SCREENSHOTS.iterdir())
    if not shots:
        sys.exit(f"no screenshots under {SCREENSHOTS}: run `python -m forensics.sample "
                 f"data/case-files` first")
    start = time.perf_counter()
    busy, own = _machine_busy(), _own_cpu()
    phone = make_phone()
    recording, made = make_recording()
    print(machine())
    print(f"\n1. per screenshot: best of {a.repeat}, seconds (ours enlarges images narrower than "
          f"{MIN_WIDTH} px and reads images taller than {TILE_RATIO:g} widths or {MAX_SIDE} px "
          f"in tiles)")
    timings = time_images([*shots, phone], a.repeat)
    print(f"{_pad('image', 54)} {'size':>9} {'ours':>6} {'raw 1t':>6} {'ours/raw':>8} "
          f"{'raw all':>7} {'1t/all':>6} {'lines':>9}")
    for t in timings:
        print(f"{_pad(t.name, 54)} {t.size[0]:>4}x{t.size[1]:<4} {t.ours:6.2f} {t.raw_one:6.2f} "
              f"{t.ours / t.raw_one:8.2f} {t.raw_all:7.2f} {t.raw_one / t.raw_all:6.2f} "
              f"{t.lines_ours:>4}/{t.lines_raw:<4}")
    sample_t = [t for t in timings if t.name != phone.name]
    mean = {k: sum(getattr(t, k) for t in sample_t) / len(sample_t)
            for k in ("ours", "raw_one", "raw_all")}
    print(f"mean of the {len(sample_t)} sample screenshots: ours {mean['ours']:.2f} s, raw one "
          f"thread {mean['raw_one']:.2f} s (ours/raw {mean['ours'] / mean['raw_one']:.2f}), raw "
          f"default threads {mean['raw_all']:.2f} s (one thread costs "
          f"{mean['raw_one'] / mean['raw_all']:.2f}x)")
    print("  lines: read by ours / by the raw engine; raw 1t: one ONNX Runtime thread (as ours); "
          "raw all: the engine's default threads")

    made_text = f"made in {made:.1f} s, not timed" if made else "cached"
    print(f"\n2. per minute of recording: {recording.relative_to(ROOT)} ({made_text}), "
          f"{REC_SIZE[0]}x{REC_SIZE[1]}, {REC_FPS} fps, best of {a.rec_repeat}")
    rec = time_recording(recording, a.rec_repeat)
    per_min = rec.seconds / rec.duration * 60
    print(f"read_recording: {rec.seconds:.1f} s for {rec.duration:.1f} s of recording -> "
          f"{per_min:.1f} s of OCR per minute of recording ({per_min / 60:.2f}x real time)")
    print(f"frames: {rec.sampled} sampled (one a second), {rec.read} read, "
          f"{rec.sampled - rec.read} skipped as unchanged; {rec.seconds / max(rec.read, 1):.2f} s "
          f"per frame read")
    for w in rec.warnings:
        print("  warning:", w)

    print("\n3. accuracy of the four calls on a fresh sample case; key phrases: "
          + ", ".join(PHRASES))
    rows, built, checked = accuracy()
    print(f"case built (without OCR) in {built:.1f} s; check_screens, OCR of the {len(rows)} "
          f"captures included: {checked:.1f} s")
    bad = print_accuracy(rows)
    wall = time.perf_counter() - start
    others = ((_machine_busy() - busy) - (_own_cpu() - own)) / wall
    print(f"\ntarget: no wrong call on the sample case: {'PASS' if not bad else 'MISS'}; "
          f"whole run {wall:.0f} s; other processes used {max(others, 0.0):.2f} cores on average")
    if others > BUSY:
        print(f"note: the machine was busy ({others:.2f} of {os.cpu_count()} cores taken by other "
              f"processes): the times are slower than on an idle machine, and 'raw all' most of "
              f"all (its threads wait for cores that other processes hold)")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
