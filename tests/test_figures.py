"""Tests for forensics.figures: CJK font, timeline figure (lanes, bars, findings), saving.

The timeline tables are built by hand in the shape of the timeline contract (columns utc,
earliest, latest, lane, evidence_id, ...), so these tests do not depend on forensics.timeline.
Every test that draws turns warnings into errors: matplotlib's "Glyph ... missing from font(s)"
UserWarning (a tofu box in the picture) fails the test.
"""

from __future__ import annotations

import io
import subprocess
import sys
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

from forensics.errors import InputError
from forensics.figures import (
    CJK_PROBE,
    FONT_ENV,
    MAX_LANES,
    TIME_BINS,
    cjk_font,
    save_figure,
    timeline_figure,
)

pytestmark = pytest.mark.filterwarnings("error")

CHINESE = "转发诽谤时间线"


def frame(rows: list[tuple[str | None, str, str, str, str]]) -> pd.DataFrame:
    """A timeline table: (utc or None, earliest, latest, lane, evidence_id) per row."""
    def ts(values):
        return pd.to_datetime(pd.Series(values, dtype="object"), utc=True, format="ISO8601")

    return pd.DataFrame({
        "utc": ts([r[0] for r in rows]),
        "earliest": ts([r[1] for r in rows]),
        "latest": ts([r[2] for r in rows]),
        "time_description": ["Capture time (EXIF)"] * len(rows),
        "source": ["exif:DateTimeOriginal"] * len(rows),
        "evidence_id": [r[4] for r in rows],
        "lane": [r[3] for r in rows],
    })


def instant(t: str, lane: str, eid: str) -> tuple[str, str, str, str, str]:
    return (t, t, t, lane, eid)


def interval(lo: str, hi: str, lane: str, eid: str) -> tuple[None, str, str, str, str]:
    return (None, lo, hi, lane, eid)


SAMPLE = [
    instant("2026-11-20T06:32:00Z", "EXIF 拍摄时间", "E0001"),
    interval("2026-11-20T01:56:00Z", "2026-11-20T01:57:00Z", "微博（显示时间）", "E0002"),
    interval("2026-11-19T16:00:00Z", "2026-11-20T15:59:59Z", "微博（显示时间）", "E0004"),
    instant("2026-11-20T07:10:00Z", "保管记录", "E0001"),
    instant("2026-11-19T23:00:00Z", "邮件", "E0003"),
]


@dataclass(frozen=True)
class Finding:
    kind: str
    severity: str
    evidence_ids: tuple[str, ...]


def png_bytes(fig, tmp_path, name="f.png") -> bytes:
    return save_figure(fig, tmp_path / name).read_bytes()


def num(t: str) -> float:
    from matplotlib import dates as mdates

    return float(mdates.date2num(pd.Timestamp(t).tz_convert("UTC").tz_localize(None).to_datetime64()))


def by_gid(ax, prefix: str) -> list:
    return [a for a in (*ax.lines, *ax.collections) if (a.get_gid() or "").startswith(prefix)]


# ------------------------------------------------------------------------------------------
# The font


def test_cjk_font_really_has_the_glyphs():
    from fontTools.ttLib import TTFont
    from matplotlib import font_manager

    font = cjk_font()
    with TTFont(font.path, fontNumber=font.face_index, lazy=True) as tt:
        cmap = tt.getBestCmap()
        assert font.truetype == ("glyf" in tt)
    missing = [c for c in CHINESE + CJK_PROBE if not c.isspace() and ord(c) not in cmap]
    assert missing == [], f"{font.path} lacks {missing}"
    assert font.has_glyphs(CHINESE)
    # Registered: matplotlib resolves the family to the very face that was checked.
    found = font_manager.findfont(font.properties(), fallback_to_default=False)
    assert (str(found), getattr(found, "face_index", 0)) == (font.path, font.face_index)


def test_cjk_font_refuses_clearly_when_no_font_has_the_glyphs(monkeypatch):
    monkeypatch.delenv(FONT_ENV, raising=False)
    # A private-use character: no real font has it; matplotlib's own "Last Resort" font has a
    # placeholder box for every character and must not count.
    with pytest.raises(InputError, match="apt-get install fonts-wqy-microhei") as err:
        cjk_font("\U0010fffd")
    assert "no font with Chinese glyphs" in str(err.value)
    assert "找不到能显示中文的字体" in str(err.value)


def test_font_override_is_checked(monkeypatch, tmp_path):
    from matplotlib import font_manager

    good = cjk_font().path
    monkeypatch.setenv(FONT_ENV, str(tmp_path / "none.ttf"))
    with pytest.raises(InputError, match="no such font file"):
        cjk_font()
    monkeypatch.setenv(FONT_ENV, str(font_manager.findfont("DejaVu Sans")))
    with pytest.raises(InputError, match="lacks glyphs for '转发"):
        cjk_font()
    monkeypatch.setenv(FONT_ENV, good)
    assert cjk_font().path == good


def test_importing_the_module_does_not_import_matplotlib():
    code = "import sys, forensics.figures; print('matplotlib' in sys.modules, 'pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


# ------------------------------------------------------------------------------------------
# The timeline figure


def test_chinese_labels_and_title_render_without_missing_glyphs(tmp_path):
    from matplotlib import font_manager
    from matplotlib.text import Text

    fig = timeline_figure(frame(SAMPLE), title=CHINESE)
    data = png_bytes(fig, tmp_path)  # draws every text: a missing glyph would raise here
    assert data.startswith(b"\x89PNG")
    ax = fig.axes[0]
    assert ax.get_title() == CHINESE
    assert ax.get_xlabel() == "时间 (UTC) / Time (UTC)"
    lanes = [t.get_text() for t in ax.get_yticklabels()]
    assert lanes == ["微博（显示时间）", "邮件", "EXIF 拍摄时间", "保管记录"]
    font = cjk_font()
    chinese = [t for t in fig.findobj(Text) if any(ord(c) > 0x2E80 for c in t.get_text())]
    assert len(chinese) >= 6
    for t in chinese:
        found = font_manager.findfont(t.get_fontproperties(), fallback_to_default=False)
        assert str(found) == font.path, t.get_text()


def test_intervals_are_bars_and_instants_are_markers():
    from matplotlib.collections import PolyCollection
    from matplotlib.lines import Line2D

    fig = timeline_figure(frame(SAMPLE))
    ax = fig.axes[0]
    bars = by_gid(ax, "intervals:")
    assert [b.get_gid() for b in bars] == ["intervals:微博（显示时间）"]
    assert isinstance(bars[0], PolyCollection)
    extents = sorted((round(p.get_extents().x0, 6), round(p.get_extents().x1, 6))
                     for p in bars[0].get_paths())
    assert extents == [
        (round(num("2026-11-19T16:00:00Z"), 6), round(num("2026-11-20T15:59:59Z"), 6)),
        (round(num("2026-11-20T01:56:00Z"), 6), round(num("2026-11-20T01:57:00Z"), 6)),
    ]
    dots = {line.get_gid(): list(line.get_xdata()) for line in by_gid(ax, "instants:")}
    assert all(isinstance(line, Line2D) for line in by_gid(ax, "instants:"))
    assert dots == {
        "instants:邮件": [num("2026-11-19T23:00:00Z")],
        "instants:EXIF 拍摄时间": [num("2026-11-20T06:32:00Z")],
        "instants:保管记录": [num("2026-11-20T07:10:00Z")],
    }
    # Lanes are ordered by their first time; lane i is drawn at y = i.
    assert list(by_gid(ax, "instants:邮件")[0].get_ydata()) == [1]


def test_findings_are_marked_on_the_rows_of_their_evidence(tmp_path):
    findings = [
        Finding("exif_vs_acquisition", "high", ("E0001",)),
        Finding("capture_before_publication", "warning", ("E0004",)),
        Finding("future_time", "info", ("E9999",)),
    ]
    fig = timeline_figure(frame(SAMPLE), findings=findings)
    png_bytes(fig, tmp_path)
    ax = fig.axes[0]
    rings = {line.get_gid(): list(line.get_xdata()) for line in by_gid(ax, "finding-instants:")}
    assert rings == {
        "finding-instants:4:EXIF 拍摄时间": [num("2026-11-20T06:32:00Z")],
        "finding-instants:4:保管记录": [num("2026-11-20T07:10:00Z")],
    }
    outlines = by_gid(ax, "finding-intervals:")
    assert [o.get_gid() for o in outlines] == ["finding-intervals:3:微博（显示时间）"]
    assert len(outlines[0].get_paths()) == 1  # E0004's interval only, not E0002's
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "发现（高） / finding (high): exif_vs_acquisition" in legend
    assert "发现（中） / finding (warning): capture_before_publication" in legend
    note = "\n".join(t.get_text() for t in ax.texts)
    assert "1 项发现涉及的证据不在图中" in note and "1 finding(s) concern evidence not in the figure" in note


def test_findings_as_a_table():
    table = pd.DataFrame({"kind": ["email_hops_out_of_order"], "severity": ["medium"],
                          "evidence_ids": ["E0003, E0002"]})
    ax = timeline_figure(frame(SAMPLE), findings=table).axes[0]
    assert {a.get_gid() for a in by_gid(ax, "finding-")} == {
        "finding-instants:3:邮件", "finding-intervals:3:微博（显示时间）"}


def test_deterministic_png_pdf_svg_bytes(tmp_path):
    findings = [Finding("exif_vs_acquisition", "high", ("E0001",))]
    for suffix in (".png", ".pdf", ".svg"):
        a = save_figure(timeline_figure(frame(SAMPLE), findings=findings, title=CHINESE),
                        tmp_path / f"a{suffix}", dpi=72).read_bytes()
        b = save_figure(timeline_figure(frame(SAMPLE), findings=findings, title=CHINESE),
                        tmp_path / f"b{suffix}", dpi=72).read_bytes()
        assert a == b, suffix
        assert b"Matplotlib" not in a and b"matplotlib.org" not in a, suffix


def test_pdf_embeds_its_fonts(tmp_path):
    from pypdf import PdfReader

    path = save_figure(timeline_figure(frame(SAMPLE), title=CHINESE), tmp_path / "t.pdf")
    with path.open("rb") as fh:
        page = PdfReader(fh).pages[0]
        fonts = [f.get_object() for f in page["/Resources"]["/Font"].values()]
        for f in fonts:
            if f["/Subtype"] == "/Type3":  # glyphs drawn as procedures (CFF fonts)
                continue
            descriptor = f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
            assert "/FontFile2" in descriptor, f["/BaseFont"]
        if cjk_font().truetype:
            assert CHINESE in page.extract_text()


def test_empty_timeline_says_no_events(tmp_path):
    empty = frame(SAMPLE).iloc[:0]
    fig = timeline_figure(empty)
    png_bytes(fig, tmp_path)
    texts = [t.get_text() for t in fig.axes[0].texts]
    assert texts == ["无事件 / no events"]
    assert [t.get_text() for t in timeline_figure(empty, lang="en").axes[0].texts] == ["no events"]
    assert [t.get_text() for t in timeline_figure(empty, lang="zh").axes[0].texts] == ["无事件"]
    undated = frame(SAMPLE).assign(utc=pd.NaT, earliest=pd.NaT, latest=pd.NaT)
    assert "5 行没有时间" in " ".join(t.get_text() for t in timeline_figure(undated).axes[0].texts)


def test_chinese_only_labels_and_notes():
    ax = timeline_figure(frame(SAMPLE), lang="zh").axes[0]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_title()) == ("时间 (UTC)", "来源或行为人",
                                                                   "案件时间线")
    both = timeline_figure(frame(SAMPLE)).axes[0]
    assert both.get_xlabel() == "时间 (UTC) / Time (UTC)"


def test_english_only_and_iso_strings():
    df = frame(SAMPLE)
    for col in ("utc", "earliest", "latest"):
        df[col] = df[col].dt.strftime("%Y-%m-%dT%H:%M:%SZ").where(df[col].notna(), None)
    ax = timeline_figure(df, lang="en").axes[0]
    assert ax.get_xlabel() == "Time (UTC)"
    assert ax.get_title() == "Case timeline"
    assert len(by_gid(ax, "intervals:")) == 1


def test_single_instant_gets_a_readable_axis(tmp_path):
    fig = timeline_figure(frame([instant("2026-11-20T06:32:05Z", "EXIF", "E0001")]))
    png_bytes(fig, tmp_path)
    lo, hi = fig.axes[0].get_xlim()
    assert lo < num("2026-11-20T06:32:05Z") < hi


@pytest.mark.parametrize(("change", "message"), [
    (lambda df: df.drop(columns=["lane"]), "missing column(s) lane"),
    (lambda df: df.assign(latest=df["earliest"] - pd.Timedelta(hours=1), utc=pd.NaT),
     "row 0, evidence E0001: interval ends before it starts"),
    (lambda df: df.assign(earliest="yesterday"), "column 'earliest': not a time"),
])
def test_bad_tables_are_refused(change, message):
    with pytest.raises(InputError) as err:
        timeline_figure(change(frame(SAMPLE)))
    assert message in str(err.value)


def test_bad_arguments_are_refused(tmp_path):
    with pytest.raises(InputError, match="lang must be one of both, zh, en, not 'fr'"):
        timeline_figure(frame(SAMPLE), lang="fr")
    with pytest.raises(InputError, match=r"findings\[0\] \(str\): has no attribute evidence_ids"):
        timeline_figure(frame(SAMPLE), findings=["exif"])
    with pytest.raises(InputError, match=r"missing column\(s\) evidence_id"):
        timeline_figure(frame(SAMPLE).drop(columns=["evidence_id"]),
                        findings=[Finding("k", "high", ("E0001",))])
    fig = timeline_figure(frame(SAMPLE))
    with pytest.raises(InputError, match=r"cannot save a figure as '\.jpg'"):
        save_figure(fig, tmp_path / "t.jpg")
    with pytest.raises(InputError, match="does not exist"):
        save_figure(fig, tmp_path / "no" / "t.png")


def test_huge_timeline_is_binned_and_fast(tmp_path):
    n = 100_000
    rng = np.random.default_rng(5)
    start = pd.Timestamp("2026-11-01", tz="UTC") + pd.to_timedelta(rng.integers(0, 30 * 86400, n), unit="s")
    is_interval = rng.random(n) < 0.3
    end = start + pd.to_timedelta(np.where(is_interval, rng.integers(60, 86400, n), 0), unit="s")
    names = ["微博", "EXIF", "邮件"] + [f"用户{i:02d}" for i in range(60)]
    lanes = rng.choice(names, n, p=[0.5, 0.2, 0.1] + [0.2 / 60] * 60)
    df = pd.DataFrame({"utc": pd.Series(start).where(~is_interval), "earliest": start, "latest": end,
                       "lane": lanes, "evidence_id": [f"E{i % 900:04d}" for i in range(n)]})
    began = time.perf_counter()
    fig = timeline_figure(df, findings=[Finding("k", "high", ("E0001", "E0002"))])
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72)
    elapsed = time.perf_counter() - began
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == MAX_LANES
    assert any("其他 34 条泳道 / 34 other lanes" in label for label in labels)
    weibo = next(label for label in labels if label.startswith("微博"))
    assert "已按时间分箱 / " in weibo and "events, binned" in weibo
    dots = by_gid(ax, "instants:微博")[0]
    assert len(dots.get_xdata()) <= TIME_BINS
    assert elapsed < 8, f"100k rows took {elapsed:.1f} s"


def test_the_callers_style_neither_leaks_in_nor_is_changed(tmp_path):
    import matplotlib

    plain = save_figure(timeline_figure(frame(SAMPLE)), tmp_path / "plain.png").read_bytes()
    style = {"font.size": 20.0, "lines.markersize": 30.0, "axes.facecolor": "black", "svg.hashsalt": None}
    with matplotlib.rc_context(style):
        backend = matplotlib.rcParams._get("backend")
        styled = save_figure(timeline_figure(frame(SAMPLE)), tmp_path / "styled.png").read_bytes()
        assert {k: matplotlib.rcParams[k] for k in style} == style
        assert matplotlib.rcParams._get("backend") == backend
    assert styled == plain


def test_characters_no_font_has_are_spelled_out_not_drawn_as_boxes(tmp_path):
    rows = [instant("2026-11-20T06:32:00Z", "用户\U0010fffd", "E0001")]
    fig = timeline_figure(frame(rows), title="时间线\U0010fffd")
    png_bytes(fig, tmp_path)  # no "Glyph ... missing" warning
    ax = fig.axes[0]
    assert ax.get_title() == "时间线<U+10FFFD>"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["用户<U+10FFFD>"]
    assert "1 个字符字体不能显示" in "\n".join(t.get_text() for t in ax.texts)


def test_findings_mark_only_the_rows_they_compared():
    """A finding that names its time sources marks those rows, not every row of the item
    (an editing-software finding must not ring the acquisition point)."""
    import pandas as pd

    from forensics.figures import _findings, _row_ranks

    g = pd.DataFrame({"evidence_id": ["E0001", "E0001", "E0002"],
                      "source": ["exif:DateTimeOriginal", "custody:acquire", "email:Date"]})
    f = type("F", (), {"evidence_ids": ("E0001",), "kind": "times-disagree",
                       "severity": "high", "sources": ("exif:DateTimeOriginal",)})()
    ranks = _row_ranks(g, _findings([f]))
    assert ranks.notna().tolist() == [True, False, False]
    plain = type("F", (), {"evidence_ids": ("E0001",), "kind": "editing-software",
                           "severity": "medium"})()
    assert _row_ranks(g, _findings([plain])).notna().tolist() == [True, False, False]
