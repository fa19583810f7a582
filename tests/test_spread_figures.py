"""Tests for forensics.spread_figures: the cascade figure and the cumulative spread curve.

The analyses come from repost tables built by hand in the shape of the contract of
:mod:`forensics.spread` (``TABLE_COLUMNS``).  Every test that draws turns warnings into errors:
matplotlib's "Glyph ... missing from font(s)" UserWarning (a tofu box) fails the test.
"""

from __future__ import annotations

import io
import time

import numpy as np
import pandas as pd
import pytest

from forensics.errors import InputError
from forensics.figures import cjk_font, save_figure
from forensics.spread import analyze
from forensics.spread_figures import (
    MAX_NODES_DRAWN,
    _layout,
    cascade_figure,
    spread_curve_figure,
)

pytestmark = pytest.mark.filterwarnings("error")

T0 = pd.Timestamp("2026-11-20T06:00:00Z")


def table(parents: list[int], *, names: list[str] | None = None, minutes: list[float | None] | None = None,
          sources: list[str] | None = None, views: list[int | None] | None = None, post_id: str = "P1",
          evidence_id: str = "E0001", captured_at: str | None = None) -> pd.DataFrame:
    """A repost table: row i reposts row parents[i] (-1: the original post)."""
    n = len(parents)
    names = names or [f"用户{i}" for i in range(n)]
    minutes = minutes if minutes is not None else [float(i) for i in range(n)]
    t = pd.Series([T0 + pd.Timedelta(minutes=m) if m is not None else pd.NaT for m in minutes],
                  dtype="datetime64[ns, UTC]")
    ids = [f"u{i}" for i in range(n)]
    return pd.DataFrame({
        "post_id": post_id,
        "account_id": ids,
        "account_name": names,
        "parent_account_id": [ids[p] if p >= 0 else "" for p in parents],
        "parent_name": [names[p] if p >= 0 else "" for p in parents],
        "repost_id": [f"R{i}" for i in range(n)],
        "parent_repost_id": [f"R{p}" if p >= 0 else "" for p in parents],
        "parent_source": sources or ["" if p < 0 else "explicit" for p in parents],
        "time_shown": t.astype(str),
        "earliest": t,
        "latest": t,
        "zone": "explicit",
        "text": ["原文"] + ["转发微博"] * (n - 1),
        "views": pd.array(views if views is not None else [None] * n, dtype="Int64"),
        "views_shown": ["" if v is None else str(v) for v in (views or [None] * n)],
        "views_kind": "exact",
        "reposts": pd.array([None] * n, dtype="Int64"),
        "reposts_shown": "",
        "reposts_kind": "",
        "evidence_id": evidence_id,
        "sha256": "ab" * 32,
        "row": np.arange(1, n + 1),
        "captured_at": pd.Series(pd.Timestamp(captured_at) if captured_at else pd.NaT, index=range(n),
                                 dtype="datetime64[ns, UTC]"),
    })


# ------------------------------------------------------------------------------------------
# Helpers


def png_bytes(fig, tmp_path, name="f.png") -> bytes:
    return save_figure(fig, tmp_path / name).read_bytes()


def by_gid(ax, prefix: str) -> list:
    found = [*ax.lines, *ax.collections, *ax.images, *ax.texts]
    return [a for a in found if (a.get_gid() or "").startswith(prefix)]


def all_text(fig) -> str:
    from matplotlib.text import Text

    return "\n".join(t.get_text() for t in fig.findobj(Text))


def num(t: str) -> float:
    from matplotlib import dates as mdates

    return float(mdates.date2num(pd.Timestamp(t).tz_localize(None).to_datetime64()))


#   0 张三 ─┬ 1 李四 ─┬ 3
#          │         └ 4 ─ 6
#          └ 2 王五 ── 5
STAR = [-1, 0, 0, 1, 1, 2, 4]
NAMES = ["张三", "李四", "王五", "赵六", "孙七", "周八", "吴九"]


# ------------------------------------------------------------------------------------------
# The layout


def test_layout_puts_each_subtree_in_a_contiguous_band():
    parent = np.array(STAR)
    lay = _layout(parent, np.arange(len(parent), dtype=float))
    assert lay.depth.tolist() == [0, 1, 1, 2, 2, 2, 3]
    assert lay.size.tolist() == [7, 4, 2, 1, 2, 1, 1]
    # Preorder 0 1 3 4 6 2 5: rows 0..6; a node sits in the middle of its band.
    assert lay.y.tolist() == [3.0, 2.5, 5.5, 2.0, 3.5, 6.0, 4.0]
    for i in range(len(parent)):
        members = [j for j in range(len(parent)) if i in _ancestors(parent, j) or j == i]
        lo = min(lay.y[j] - (lay.size[j] - 1) / 2 for j in members)
        assert lo == lay.y[i] - (lay.size[i] - 1) / 2
        assert max(lay.y[j] for j in members) - lo < lay.size[i]


def _ancestors(parent, j):
    out = []
    while parent[j] >= 0:
        j = parent[j]
        out.append(j)
    return out


def test_layout_orders_children_by_time_and_survives_a_cycle():
    parent = np.array([-1, 0, 0, 4, 3])  # 3 and 4 are each other's parent: unreachable
    lay = _layout(parent, np.array([0.0, 5.0, 1.0, 0.0, 0.0]))
    assert lay.placed.tolist() == [True, True, True, False, False]
    assert lay.y[2] < lay.y[1]  # the earlier child first


# ------------------------------------------------------------------------------------------
# The cascade figure


def test_cascade_chinese_labels_render_without_missing_glyphs(tmp_path):
    from matplotlib import font_manager
    from matplotlib.text import Text

    fig = cascade_figure(analyze(table(STAR, names=NAMES)), title="转发诽谤传播树", top=2)
    assert png_bytes(fig, tmp_path).startswith(b"\x89PNG")  # a missing glyph would raise here
    ax = fig.axes[0]
    assert ax.get_title() == "转发诽谤传播树"
    assert ax.get_xlabel() == "转发层级（距原帖的代数） / depth (repost generations from the root)"
    labels = [t.get_text() for t in by_gid(ax, "top:")]
    assert labels == ["张三 (6)", "李四 (3)"]
    font = cjk_font()
    chinese = [t for t in fig.findobj(Text) if any(ord(c) > 0x2E80 for c in t.get_text())]
    assert len(chinese) >= 6
    for t in chinese:
        found = font_manager.findfont(t.get_fontproperties(), fallback_to_default=False)
        assert str(found) == font.path, t.get_text()


def test_cascade_draws_every_node_and_edge_of_a_small_cascade():
    ax = cascade_figure(analyze(table(STAR, names=NAMES))).axes[0]
    nodes = by_gid(ax, "nodes")[0]
    xy = nodes.get_offsets()
    assert len(xy) == len(STAR)
    assert sorted(xy[:, 0].tolist()) == [0, 1, 1, 2, 2, 2, 3]
    sizes = nodes.get_sizes()
    assert sizes[np.argmax(xy[:, 0] == 0)] == sizes.max()  # the root reaches furthest
    (edges,) = by_gid(ax, "edges:")
    assert edges.get_gid() == "edges:explicit"
    assert len(edges.get_segments()) == len(STAR) - 1
    assert not by_gid(ax, "leaf-density")
    note = all_text(ax.figure)
    assert "共 7 个节点" in note and "7 drawn one by one" in note
    assert "E0001 (sha256:abababababab…)" in note


def test_edge_kinds_are_drawn_with_different_line_styles():
    sources = ["", "explicit", "chain", "explicit", "chain", "explicit", "explicit"]
    t = table(STAR, names=NAMES, sources=sources)
    # rows 5 and 6 hang under a deleted repost: its placeholder is linked to the original by
    # inference (the analysis makes "inferred" links; the table never states them)
    t.loc[[5, 6], ["parent_repost_id", "parent_account_id"]] = ["R99", "u99"]
    ax = cascade_figure(analyze(t)).axes[0]
    edges = {c.get_gid(): c for c in by_gid(ax, "edges:")}
    assert set(edges) == {"edges:explicit", "edges:chain", "edges:inferred"}
    styles = {gid: c.get_linestyle()[0] for gid, c in edges.items()}
    assert styles["edges:explicit"][1] is None  # solid
    assert styles["edges:chain"][1] is not None and styles["edges:inferred"][1] is not None
    assert list(styles["edges:chain"][1]) != list(styles["edges:inferred"][1])
    note = all_text(ax.figure)
    assert "edges: explicit 4 solid, chain 2 dashed, inferred 1 dotted" in note.replace("\n", " ")
    zh = "边：平台上级字段 4 条（实线），“//@”转发链 2 条（虚线），按时间推断 1 条（点线）"
    assert zh in note.replace("\n", "")


def test_cascade_over_time_in_the_chosen_zone():
    tab = table(STAR, names=NAMES, minutes=[0, 5, 6, 30, 31, None, 40])
    fig = cascade_figure(analyze(tab), x="time", lang="en")
    ax = fig.axes[0]
    assert ax.get_xlabel() == "time (UTC+08:00)"
    xs = sorted(by_gid(ax, "nodes")[0].get_offsets()[:, 0].tolist())
    assert xs[0] == pytest.approx(num("2026-11-20T14:00:00"))  # 06:00Z drawn at 14:00 +08:00
    assert len(xs) == 6
    assert "1 nodes without a time not drawn" in all_text(fig)
    utc = cascade_figure(analyze(tab), x="time", tz="UTC").axes[0]
    assert utc.get_xlabel() == "时间 (UTC) / time (UTC)"
    assert min(by_gid(utc, "nodes")[0].get_offsets()[:, 0]) == pytest.approx(num("2026-11-20T06:00:00"))


def test_cascade_picks_the_biggest_post_or_the_one_asked_for():
    tab = pd.concat([table(STAR, names=NAMES, post_id="P1"), table([-1, 0], post_id="P2")],
                    ignore_index=True)
    analysis = analyze(tab)
    assert cascade_figure(analysis, lang="en").axes[0].get_title() == "Repost cascade: post P1"
    ax = cascade_figure(analysis, "P2", lang="zh").axes[0]
    assert ax.get_title() == "转发树：帖子 P2"
    assert len(by_gid(ax, "nodes")[0].get_offsets()) == 2
    with pytest.raises(InputError, match="no post 'P3' in the analysis"):
        cascade_figure(analysis, "P3")


def test_deterministic_png_bytes(tmp_path):
    tab = table(STAR, names=NAMES, views=[100, 2000, 3000, 5, 5, 5, 5])
    for make in (lambda: cascade_figure(analyze(tab), title="转发树"),
                 lambda: spread_curve_figure(analyze(tab), title="累计")):
        for suffix in (".png", ".pdf", ".svg"):
            a = save_figure(make(), tmp_path / f"a{suffix}", dpi=72).read_bytes()
            b = save_figure(make(), tmp_path / f"b{suffix}", dpi=72).read_bytes()
            assert a == b, suffix
            assert b"Matplotlib" not in a and b"matplotlib.org" not in a, suffix


def big_table(n: int, seed: int = 7) -> pd.DataFrame:
    """A heavy-tailed cascade: early reposts collect most of the later ones."""
    rng = np.random.default_rng(seed)
    i = np.arange(n)
    parents = np.where(i == 0, -1, (i * rng.random(n) ** 4).astype(np.int64))
    minutes = np.sort(rng.random(n) * 3 * 24 * 60)
    minutes[0] = 0.0
    t = pd.Series(T0 + pd.to_timedelta(minutes, unit="min"), dtype="datetime64[ns, UTC]")
    ids = np.char.add("u", i.astype(str)).astype(object)
    return pd.DataFrame({
        "post_id": "P1", "account_id": ids,
        "account_name": np.char.add("用户", i.astype(str)).astype(object),
        "parent_account_id": np.where(parents >= 0, ids[np.clip(parents, 0, None)], ""),
        "parent_name": "", "repost_id": np.char.add("R", i.astype(str)).astype(object),
        "parent_repost_id": np.where(parents >= 0, np.char.add("R", parents.astype(str)), "").astype(object),
        "parent_source": np.where(parents >= 0, "explicit", ""), "time_shown": "",
        "earliest": t, "latest": t, "zone": "explicit", "text": "转发微博",
        "views": pd.array(rng.integers(0, 50, n), dtype="Int64"), "views_shown": "", "views_kind": "exact",
        "reposts": pd.array(np.zeros(n, dtype=np.int64), dtype="Int64"), "reposts_shown": "",
        "reposts_kind": "",
        "evidence_id": "E0002", "sha256": "cd" * 32, "row": i + 1,
        "captured_at": pd.Series(pd.NaT, index=i, dtype="datetime64[ns, UTC]"),
    })


def test_100k_nodes_draw_with_leaves_summarised(tmp_path):
    n = 100_000
    analysis = analyze(big_table(n))
    began = time.perf_counter()
    fig = cascade_figure(analysis)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=72)
    elapsed = time.perf_counter() - began
    ax = fig.axes[0]
    drawn = len(by_gid(ax, "nodes")[0].get_offsets())
    assert 0 < drawn < n
    assert n > MAX_NODES_DRAWN
    assert by_gid(ax, "leaf-density")
    counts = by_gid(ax, "leaf-count:")
    assert counts and sum(int(c.get_text().replace(",", "")) for c in counts) == n - drawn
    assert len(by_gid(ax, "edges:explicit")[0].get_segments()) == drawn - 1
    note = all_text(fig)
    assert f"{n:,} nodes" in note and f"{drawn:,} drawn one by one" in note
    assert f"{n - drawn:,} leaves summarised as a density per depth" in note
    assert len(by_gid(ax, "top:")) == 15
    by_time = cascade_figure(analysis, x="time")
    by_time.savefig(io.BytesIO(), format="png", dpi=72)
    assert by_gid(by_time.axes[0], "leaf-density")
    curve = spread_curve_figure(analysis)
    curve.savefig(io.BytesIO(), format="png", dpi=72)
    assert len(by_gid(curve.axes[0], "cumulative:rows")[0].get_xdata()) <= 4001
    print(f"100k-node cascade drawn and rendered in {elapsed:.2f} s")


# ------------------------------------------------------------------------------------------
# The spread curve


def test_spread_curve_marks_and_crossing_times(tmp_path):
    n = 600
    parents = [-1] + [0] * (n - 1)
    minutes = [float(i) for i in range(n)]
    views = [10] * n
    tab = table(parents, minutes=minutes, views=views, captured_at="2026-11-21T02:00:00Z")
    fig = spread_curve_figure(analyze(tab))
    png_bytes(fig, tmp_path)
    ax, ax2 = fig.axes
    assert {line.get_gid() for line in by_gid(ax, "cumulative:")} == {
        "cumulative:rows", "cumulative:unique", "cumulative:accounts"}
    assert by_gid(ax2, "cumulative:views")
    assert [t.get_text() for t in by_gid(ax, "mark-label:")] == [
        "参考标准：转发500次 / reference mark: 500 reposts"]
    assert [t.get_text() for t in by_gid(ax2, "mark-label:")] == [
        "参考标准：浏览5000次 / reference mark: 5,000 views"]
    assert by_gid(ax, "mark:reposts")[0].get_ydata()[0] == 500
    assert by_gid(ax2, "mark:views")[0].get_ydata()[0] == 5000
    reached = {t.get_gid(): t.get_text() for t in by_gid(ax, "reached-label:")}
    # Row i is at 06:00Z + i minutes; the 500th repost (row i = 500) at 14:20Z, 22:20 +08:00; the
    # views shown by all rows (6,000) were certainly reached by the capture time, 10:00 +08:00.
    assert reached == {
        "reached-label:500 reposts": "2026-11-20 22:20:00 转发500次 / 500 reposts (rows, unique, accounts)",
        "reached-label:5000 views": "2026-11-21 10:00:00 浏览5000次 / 5000 views (all_rows_displayed)",
    }
    assert by_gid(ax2, "reached-point:5000 views")[0].get_ydata()[0] == 5000
    assert "情节严重" not in all_text(fig)
    assert ax.get_xlabel() == "时间 (UTC+08:00) / time (UTC+08:00)"


def test_spread_curve_far_below_the_marks_says_so():
    fig = spread_curve_figure(analyze(table(STAR, names=NAMES)), lang="en", tz="UTC")
    (ax,) = fig.axes  # no views known: no views axis
    assert ax.get_xlabel() == "time (UTC)"
    rows = by_gid(ax, "cumulative:rows")[0]
    assert rows.get_xdata()[0] == pytest.approx(num("2026-11-20T06:01:00"))  # the first repost
    assert list(rows.get_ydata()) == [1, 2, 3, 4, 5, 6]
    # 6 reposts against a mark of 500: the curve keeps its scale, the mark is written above it.
    assert ax.get_ylim()[1] < 10
    assert [t.get_text() for t in by_gid(ax, "mark-label:")] == [
        "reference mark: 500 reposts (above this scale; highest 6)"]
    note = all_text(fig)
    assert "500 reposts not reached: rows 6; unique 6; accounts 6; displayed 0" in note
    assert "5000 views not reached: original_displayed 0; all_rows_displayed 0" in note
    assert "no views known" in note
    assert "未达到" not in note and "情节严重" not in note


def test_log_scale_shows_small_counts_and_the_marks_together():
    fig = spread_curve_figure(analyze(table(STAR, names=NAMES, views=[100, 2000, 3000, 5, 5, 5, 5])),
                              yscale="log", lang="zh")
    ax, ax2 = fig.axes
    assert ax.get_yscale() == "log" and ax2.get_yscale() == "log"
    assert ax.get_ylim()[1] > 500 and ax2.get_ylim()[1] > 5000
    assert [t.get_text() for t in by_gid(ax, "mark-label:")] == ["参考标准：转发500次"]
    assert [t.get_text() for t in by_gid(ax2, "mark-label:")] == ["参考标准：浏览5000次"]
    with pytest.raises(InputError, match="yscale must be linear or log, not 'sqrt'"):
        spread_curve_figure(analyze(table(STAR)), yscale="sqrt")


def test_a_mark_reached_without_a_known_time_is_explained():
    views = [100, 2000, 3000, 5, 5, 5, 5]  # 5,120 views shown in all, capture time unknown
    fig = spread_curve_figure(analyze(table(STAR, names=NAMES, views=views)))
    note = all_text(fig).replace("\n", " ")
    assert "未达到浏览5000次 / 5000 views not reached: " in note
    assert "all_rows_displayed 5,120 (5120 views of all rows shown in E0001, but its capture time" in note
    assert not by_gid(fig.axes[0], "reached-label:")


def test_empty_and_undated_posts(tmp_path):
    empty = analyze(table(STAR).iloc[:0])
    for make in (cascade_figure, spread_curve_figure):
        fig = make(empty)
        png_bytes(fig, tmp_path)
        assert "无转发 / no reposts" in all_text(fig)
    undated = analyze(table(STAR, names=NAMES, minutes=[None] * len(STAR)))
    fig = spread_curve_figure(undated)
    png_bytes(fig, tmp_path)
    assert "无时间 / no times" in all_text(fig)
    assert "无时间 / no times" in all_text(cascade_figure(undated, x="time"))
    by_depth = cascade_figure(undated)  # the tree needs no times
    assert len(by_gid(by_depth.axes[0], "nodes")[0].get_offsets()) == len(STAR)


def test_bad_arguments_are_refused():
    analysis = analyze(table(STAR))
    with pytest.raises(InputError, match="lang must be one of both, zh, en, not 'fr'"):
        cascade_figure(analysis, lang="fr")
    with pytest.raises(InputError, match="lang must be one of"):
        spread_curve_figure(analysis, lang="fr")
    with pytest.raises(InputError, match="x must be one of depth, time, not 'radial'"):
        cascade_figure(analysis, x="radial")
    with pytest.raises(InputError, match="top must be a whole number"):
        cascade_figure(analysis, top=-1)
    with pytest.raises(InputError, match="tz 'Mars/Base'"):
        spread_curve_figure(analysis, tz="Mars/Base")
    with pytest.raises(InputError, match=r"expected the result of forensics\.spread\.analyze"):
        cascade_figure(pd.DataFrame())


def test_names_no_font_has_are_spelled_out(tmp_path):
    names = ["张三\U0010fffd", *NAMES[1:]]
    fig = cascade_figure(analyze(table(STAR, names=names)))
    png_bytes(fig, tmp_path)
    assert "张三<U+10FFFD> (6)" in [t.get_text() for t in by_gid(fig.axes[0], "top:")]
    assert "1 个字符字体不能显示" in all_text(fig)
