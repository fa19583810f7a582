"""Figures of a repost cascade: the tree drawn by depth or time, and the cumulative counts.

Both take the result of :func:`forensics.spread.analyze` (a ``SpreadAnalysis``: the ``nodes``,
``marks`` tables and the ``cumulative(post_id)`` method) and draw one post (cascade).

:func:`cascade_figure` draws the cascade forest layered by depth (x = number of repost
generations from the root, or x = the time of each repost with ``x="time"``).  The nodes are put
in depth-first order, children by time, so every subtree is a contiguous band of the y axis as
tall as the number of nodes in it; a node sits in the middle of its band.  The layout is computed
with numpy from ``parent_node`` (no graph layout algorithm), so 100,000 nodes draw in a few
seconds.  Node area grows with the logarithm of ``reach`` (the number of reposts that descend
from the node); the ``top`` accounts by reach are labelled with their names (Chinese, in the font
of :func:`forensics.figures.cjk_font`) in a column at the right.  Edges are drawn in one
``LineCollection`` per way the edge is known: the platform's parent field (``explicit``, solid),
a ``//@name:`` chain in the text (``chain``, dashed), time order alone (``inferred``, dotted).
Beyond :data:`MAX_NODES_DRAWN` nodes only the nodes with descendants (and the roots and
placeholders) are drawn one by one; the leaves, most of any real cascade, are summarised as a
density (how many leaves fall in each band of the y axis, per depth or per time bin) with their
count per depth written above the columns.  The footnote says how many nodes there are, how many
are drawn one by one, how many edges of each kind, and the evidence numbers the nodes come from.

:func:`spread_curve_figure` draws the cumulative number of reposts over time under each way of
counting (``rows``: every repost row; ``unique``: after removing exact duplicate rows;
``accounts``: distinct reposting accounts) and the cumulative views on a second axis, with the
two reference marks of the 2013 interpretation on online defamation (500 reposts, 5,000 views)
as horizontal lines and the times each was first reached (``analysis.marks``) annotated.  The
figure reports counts and times against the marks; it states no legal conclusion.

Times are drawn in UTC+08:00 by default (``tz="UTC"`` or any fixed offset or IANA zone name
otherwise), and the axis label says which.  Figures are drawn with the Agg renderer only and give
the same bytes every time through :func:`forensics.figures.save_figure`.

Examples
--------
>>> from forensics.spread import analyze, make_table
>>> table = make_table([
...     dict(post_id="P1", account_id="a", account_name="张三", time_shown="2026-11-20T14:00:00+08:00"),
...     dict(post_id="P1", account_id="b", account_name="李四", parent_account_id="a",
...          time_shown="2026-11-20T14:05:00+08:00"),
...     dict(post_id="P1", account_id="c", account_name="王五", parent_account_id="b",
...          time_shown="2026-11-20T14:09:00+08:00"),
... ])
>>> analysis = analyze(table)
>>> fig = cascade_figure(analysis, title="转发树")
>>> fig.axes[0].get_title()
'转发树'
>>> fig = spread_curve_figure(analysis, lang="en")
>>> [line.get_gid() for line in fig.axes[0].lines if line.get_gid()][:3]
['cumulative:rows', 'cumulative:unique', 'cumulative:accounts']
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta, timezone
from typing import TYPE_CHECKING, Any

from forensics import __version__
from forensics.errors import InputError
from forensics.figures import _footnote, _new_figure, _style_axes, _Writer, cjk_font
from forensics.spread import MARK_REPOSTS, MARK_VIEWS

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from forensics.figures import CJKFont

__all__ = [
    "LEAF_BINS",
    "MAX_NODES_DRAWN",
    "cascade_figure",
    "spread_curve_figure",
]

#: Above this many nodes in a cascade, leaves (nodes without descendants) are summarised as a
#: density per depth (or time bin) instead of being drawn one by one.
MAX_NODES_DRAWN = 20_000
#: Number of bands of the y axis the leaf density is counted in.
LEAF_BINS = 300

_LANGS = ("both", "zh", "en")
_X_AXES = ("depth", "time")
#: Counting rules of the cumulative curve, with their colours and labels.
_RULES = {
    "rows": ("#1f77b4", "转发行数", "repost rows"),
    "unique": ("#2ca02c", "去除完全重复行后的转发", "reposts, exact duplicates removed"),
    "accounts": ("#9467bd", "转发账号数", "distinct reposting accounts"),
}
_VIEWS_COLOR = "#ff7f0e"
_MARK_COLOR = "#d62728"
#: Edge kinds (``nodes.known`` of the child) to line style and labels.
_EDGE_STYLES = {
    "explicit": ("-", "平台上级字段", "explicit (platform's parent field)"),
    "chain": ("--", "“//@”转发链", "chain (//@name: in the text)"),
    "inferred": (":", "按时间推断", "inferred (time order only)"),
    "other": ("-.", "其他", "other"),
}
_LINE_WORDS = {"explicit": ("实线", "solid"), "chain": ("虚线", "dashed"), "inferred": ("点线", "dotted"),
               "other": ("点划线", "dash-dotted")}
_KIND_COLORS = {
    "original": "#d62728",
    "repost": "#1f77b4",
    "changed": "#ff7f0e",
}
_PLACEHOLDER_KINDS = ("implied root", "missing parent")
_MAX_NAME = 16
_MAX_EVIDENCE = 6
_MAX_DEPTH_COUNTS = 30
_MAX_CURVE_POINTS = 4000
_MAX_NOT_REACHED = 6
#: A reference mark more than 20 times the highest count is written above the axis, not drawn to
#: scale (the curve would be a flat line at the bottom).
_OFF_SCALE = 0.05
#: Footnote lines are wrapped at this many cells (a CJK character takes two).
_NOTE_WIDTH = 130
_CLOSERS = "）)」』”。，、；：！？.,;:!?"
_OPENERS = "（(「『“"
_ZONE = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2}):?(\d{2})?$", re.IGNORECASE)


def _cells(ch: str) -> int:
    import unicodedata

    return 2 if unicodedata.east_asian_width(ch) in "WF" else 1


def _wrap(text: str, width: int = _NOTE_WIDTH) -> list[str]:
    """Lines of at most ``width`` cells (a CJK character is two): broken after a space or a
    comma, or before a CJK character, never before a closing mark nor after an opening one."""
    lines: list[str] = []
    line, cells, cut = "", 0, 0  # cut: where the line may be broken (0: nowhere yet)
    for ch in text:
        w = _cells(ch)
        if cells + w > width and line:
            at = cut or len(line)
            lines.append(line[:at].rstrip())
            line = line[at:].lstrip()
            cells, cut = sum(_cells(c) for c in line), 0
        after_opener = bool(line) and line[-1] in _OPENERS
        if line and not after_opener and ch not in _CLOSERS and (ch in _OPENERS or w == 2):
            cut = len(line)
        line += ch
        cells += w
        if ch in " ，；、":
            cut = len(line)
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _say(lang: str, zh: str, en: str) -> str:
    return {"both": f"{zh} / {en}", "zh": zh, "en": en}[lang]


def _check_lang(what: str, lang: str) -> None:
    if lang not in _LANGS:
        raise InputError(f"{what}: lang must be one of {', '.join(_LANGS)}, not {lang!r}")


def _name(text: str) -> str:
    return text if len(text) <= _MAX_NAME else text[: _MAX_NAME - 1] + "…"


# --------------------------------------------------------------------------------------------
# Picking the post, times


def _nodes(analysis: Any) -> pd.DataFrame:
    import pandas as pd

    nodes = getattr(analysis, "nodes", None)
    if not isinstance(nodes, pd.DataFrame):
        raise InputError(f"spread figure: expected the result of forensics.spread.analyze (with a "
                         f"nodes table), got {type(analysis).__name__}")
    missing = [c for c in ("node", "post_id", "parent_node") if c not in nodes.columns]
    if missing:
        raise InputError(f"spread figure: nodes table lacks column(s) {', '.join(missing)}")
    return nodes


def _pick_post(nodes: pd.DataFrame, post_id: Any, what: str) -> str | None:
    """The post to draw: the one asked for, or else the one with the most nodes (None: no post)."""
    posts = nodes["post_id"].astype(str)
    if post_id is not None:
        if not (posts == str(post_id)).any():
            known = sorted(posts.unique())
            shown = ", ".join(known[:10]) + (f" (+{len(known) - 10})" if len(known) > 10 else "")
            raise InputError(f"{what}: no post {post_id!r} in the analysis (posts: {shown or 'none'})")
        return str(post_id)
    if posts.empty:
        return None
    counts = posts.value_counts()
    best = counts.max()
    return min(str(p) for p in counts.index[counts == best])


@dataclass(frozen=True, slots=True)
class _Zone:
    tz: Any  # what pandas tz_convert takes
    label: str


def _zone(tz: Any) -> _Zone:
    """``"UTC"``, a fixed offset (``"+08:00"``, ``"UTC+08:00"``) or an IANA name."""
    if isinstance(tz, timezone):
        off = tz.utcoffset(None)
        return _Zone(tz, _offset_label(off))
    text = str(tz).strip()
    if text.upper() in ("UTC", "Z", "GMT", "UTC+00:00", "+00:00"):
        return _Zone("UTC", "UTC")
    m = _ZONE.match(text)
    if m:
        sign, hours, minutes = m.group(1), int(m.group(2)), int(m.group(3) or 0)
        if hours > 23 or minutes > 59:
            raise InputError(f"spread figure: tz {tz!r} is not a UTC offset")
        off = timedelta(hours=hours, minutes=minutes) * (-1 if sign == "-" else 1)
        return _Zone(timezone(off), _offset_label(off))
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        return _Zone(ZoneInfo(text), text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"spread figure: tz {tz!r} is neither UTC, an offset such as +08:00, "
                         f"nor a time zone name") from exc


def _offset_label(off: timedelta | None) -> str:
    seconds = int((off or timedelta()).total_seconds())
    if seconds == 0:
        return "UTC"
    sign = "+" if seconds > 0 else "-"
    hours, rest = divmod(abs(seconds), 3600)
    return f"UTC{sign}{hours:02d}:{rest // 60:02d}"


def _date_numbers(values: Any, zone: _Zone) -> np.ndarray:
    """Times (aware, or ISO strings) to matplotlib date numbers of the zone's wall-clock time."""
    import numpy as np
    import pandas as pd
    from matplotlib import dates as mdates

    try:
        s = pd.to_datetime(pd.Series(values), utc=True, format="ISO8601")
    except (ValueError, TypeError) as exc:
        raise InputError(f"spread figure: not a time ({exc})") from exc
    wall = s.dt.tz_convert(zone.tz).dt.tz_localize(None).to_numpy(dtype="datetime64[ns]")
    out = np.full(len(wall), np.nan)
    ok = ~np.isnat(wall)
    if ok.any():
        out[ok] = mdates.date2num(wall[ok])
    return out


def _time_axis(ax: Axes, font: CJKFont) -> None:
    from matplotlib import dates as mdates

    locator = mdates.AutoDateLocator(minticks=4, maxticks=9)
    formatter = mdates.ConciseDateFormatter(
        locator,
        formats=["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M:%S", "%S.%f"],
        zero_formats=["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M:%S"],
        offset_formats=["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.xaxis.get_offset_text().set_fontfamily(list(font.families))


def _pad_limits(lo: float, hi: float, minimum: float) -> tuple[float, float]:
    span = hi - lo
    pad = max(span * 0.04, minimum)
    return lo - pad, hi + pad


def _style(font: CJKFont) -> dict[str, Any]:
    return {"font.family": list(font.families), "font.size": 9, "axes.unicode_minus": False,
            "svg.hashsalt": "forensics"}


def _empty(title: str, message: str, gid: str, notes: list[str]) -> Figure:
    fig = _new_figure(3.0)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_title(title)
    ax.text(0.5, 0.55, message, ha="center", va="center", fontsize=14, color="#555555",
            transform=ax.transAxes, gid=gid)
    for i, note in enumerate(notes):
        ax.text(0.5, 0.35 - 0.12 * i, note, ha="center", va="center", fontsize=8, color="#555555",
                transform=ax.transAxes)
    return fig


def _evidence_note(g: pd.DataFrame, lang: str) -> str:
    """The evidence numbers (with the start of their SHA-256) the rows come from."""
    import pandas as pd

    if "evidence_id" not in g.columns:
        return ""
    ids = g["evidence_id"].astype("string").fillna("")
    digests = (g["sha256"].astype("string").fillna("") if "sha256" in g.columns
               else pd.Series("", index=g.index))
    pairs = sorted({(i, d) for i, d in zip(ids.to_numpy(dtype=object), digests.to_numpy(dtype=object),
                                           strict=True) if i})
    if not pairs:
        return ""
    shown = ", ".join(f"{i} (sha256:{d[:12]}…)" if d else i for i, d in pairs[:_MAX_EVIDENCE])
    if len(pairs) > _MAX_EVIDENCE:
        shown += f" (+{len(pairs) - _MAX_EVIDENCE})"
    return _say(lang, "证据", "evidence") + ": " + shown


# --------------------------------------------------------------------------------------------
# The cascade figure


@dataclass(frozen=True, slots=True)
class _Layout:
    """A cascade laid out: per local node its parent (-1 root), depth, y and subtree size."""

    parent: np.ndarray
    depth: np.ndarray
    y: np.ndarray
    size: np.ndarray
    placed: np.ndarray  # bool: reached from a root (False only inside a cycle)


def _layout(parent: np.ndarray, order_key: np.ndarray) -> _Layout:
    """Depth-first layout of a forest given as a parent array (local indices, -1 for roots).

    Children are ordered by ``order_key`` (then index); each node's subtree takes a contiguous
    band of ``size`` rows starting at its preorder position, the node drawn in its middle.
    Everything is computed level by level with numpy (one pass per depth).
    """
    import numpy as np

    n = len(parent)
    idx = np.arange(n)
    is_root = (parent < 0) | (parent >= n)
    parent = np.where(is_root, -1, parent)
    # Children lists (CSR), siblings in order of (key, index).
    by_parent = np.lexsort((idx, order_key, parent))
    by_parent = by_parent[parent[by_parent] >= 0]
    counts = np.bincount(parent[by_parent], minlength=n)
    start = np.concatenate(([0], np.cumsum(counts)))
    depth = np.full(n, -1, dtype=np.int64)
    levels = []
    roots = np.lexsort((idx[is_root], order_key[is_root]))
    level = idx[is_root][roots]
    d = 0
    while len(level):
        depth[level] = d
        levels.append(level)
        c = counts[level]
        total = int(c.sum())
        if total == 0:
            break
        # The children of every node of this level, in level order then sibling order.
        offsets = np.repeat(start[level] - np.concatenate(([0], np.cumsum(c)[:-1])), c)
        level = by_parent[offsets + np.arange(total)]
        level = level[depth[level] < 0]  # a cycle cannot loop back
        d += 1
    placed = depth >= 0
    size = np.where(placed, 1, 0).astype(np.int64)
    for lv in reversed(levels[1:]):
        np.add.at(size, parent[lv], size[lv])
    pos = np.zeros(n, dtype=np.int64)
    if levels:
        first = levels[0]
        pos[first] = np.cumsum(size[first]) - size[first]
    for lv in levels[1:]:
        # lv lists siblings together, in sibling order: offset = sizes of the earlier siblings.
        p = parent[lv]
        csum = np.cumsum(size[lv])
        group_start = np.flatnonzero(np.concatenate(([True], p[1:] != p[:-1])))
        before = csum - size[lv]
        base = np.repeat(before[group_start], np.diff(np.concatenate((group_start, [len(lv)]))))
        pos[lv] = pos[p] + 1 + (before - base)
    y = pos + (size - 1) / 2.0
    return _Layout(parent, depth, y, size, placed)


def cascade_figure(analysis: Any, post_id: Any = None, *, top: int = 15, title: str | None = None,
                   lang: str = "both", x: str = "depth", tz: Any = "UTC+08:00") -> Figure:
    """Draw one post's cascade as a tree layered by depth (or time), sized by reach.

    Parameters
    ----------
    analysis : forensics.spread.SpreadAnalysis
        The result of :func:`forensics.spread.analyze`; its ``nodes`` table is used (columns
        ``node``, ``post_id``, ``parent_node``, ``kind``, ``account_id``, ``account_name``,
        ``reach``, ``known``, ``earliest``, ``latest``, ``changed_text``, ``evidence_id``,
        ``sha256``; only the first three are required).
    post_id : str, optional
        The post to draw; by default the post with the most nodes (the title names it).
    top : int
        How many accounts to label: those with the largest reach (one label per account, at its
        node of largest reach; nodes without descendants are not labelled).
    title : str, optional
        The figure title; by default "转发树：帖子 … / Repost cascade: post …".
    lang : {"both", "zh", "en"}
        Labels in Chinese and English, Chinese only, or English only.
    x : {"depth", "time"}
        What the horizontal axis shows: the depth (generations from the root) or the time of
        each repost (the middle of its interval when only bounds are known; nodes without a
        time are then left out and counted in the footnote).
    tz : str
        The zone of a time axis: ``"UTC+08:00"`` (default), ``"UTC"``, an offset or a zone name.

    Returns
    -------
    matplotlib.figure.Figure
        Drawn with the Agg renderer; save it with :func:`forensics.figures.save_figure`.

    Raises
    ------
    InputError
        ``analysis`` is not an analysis, the post is unknown, ``lang``, ``x``, ``top`` or ``tz``
        is not valid, or no CJK font is installed.

    Examples
    --------
    >>> from forensics.spread import analyze, make_table
    >>> table = make_table([
    ...     dict(post_id="P1", account_id="a", account_name="张三", time_shown="2026-11-20 14:00"),
    ...     dict(post_id="P1", account_id="b", account_name="李四", parent_account_id="a",
    ...          time_shown="2026-11-20 14:05"),
    ... ])
    >>> fig = cascade_figure(analysis=analyze(table), lang="en")
    >>> fig.axes[0].get_title()
    'Repost cascade: post P1'
    >>> sorted(c.get_gid() for c in fig.axes[0].collections if c.get_gid())
    ['edges:explicit', 'nodes']
    """

    _check_lang("cascade figure", lang)
    if x not in _X_AXES:
        raise InputError(f"cascade figure: x must be one of {', '.join(_X_AXES)}, not {x!r}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise InputError(f"cascade figure: top must be a whole number >= 0, not {top!r}")
    zone = _zone(tz)
    nodes = _nodes(analysis)
    post = _pick_post(nodes, post_id, "cascade figure")
    font = cjk_font()
    with _drawing(font) as write:
        heading = _heading(write, lang, title, post, "转发树", "Repost cascade")
        if post is None:
            return _empty(heading, _say(lang, "无转发", "no reposts"), "no-nodes", [])
        g = nodes[nodes["post_id"].astype(str) == post].reset_index(drop=True)
        return _draw_cascade(g, font, write, heading, lang, x, zone, top)


@contextmanager
def _drawing(font: CJKFont) -> Iterator[_Writer]:
    """matplotlib's defaults and our style, for one figure (the caller's settings untouched);
    yields the writer that keeps every character drawable."""
    import matplotlib

    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update(_style(font))
        yield _Writer(font)


def _heading(write: _Writer, lang: str, title: str | None, post: str | None, zh: str,
             en: str) -> str:
    """The figure's title: the caller's, else the figure's name and the post it shows."""
    if title is not None:
        return write(title)
    if post is None:
        return _say(lang, zh, en)
    return write(_say(lang, f"{zh}：帖子 {post}", f"{en}: post {post}"))


def _column(g: pd.DataFrame, name: str, default: Any) -> pd.Series:
    import pandas as pd

    return g[name] if name in g.columns else pd.Series(default, index=g.index)


def _draw_cascade(g: pd.DataFrame, font: CJKFont, write: _Writer, heading: str, lang: str,
                  x_axis: str, zone: _Zone, top: int) -> Figure:
    import numpy as np
    from matplotlib.collections import LineCollection
    from matplotlib.lines import Line2D
    from matplotlib.ticker import MaxNLocator

    n = len(g)
    node_ids = g["node"].to_numpy(dtype=np.int64)
    # Global node numbers to local positions (parents outside this post become roots).
    lookup = np.full(int(max(node_ids.max(), g["parent_node"].max(), 0)) + 1, -1, dtype=np.int64)
    lookup[node_ids] = np.arange(n)
    gp = g["parent_node"].fillna(-1).to_numpy(dtype=np.int64)
    parent = np.where(gp >= 0, lookup[np.clip(gp, 0, None)], -1)

    earliest = _date_numbers(_column(g, "earliest", None), zone)
    latest = _date_numbers(_column(g, "latest", None), zone)
    lo_t = np.where(np.isnan(earliest), latest, earliest)
    hi_t = np.where(np.isnan(latest), earliest, latest)
    when = (lo_t + hi_t) / 2.0
    key = np.where(np.isnan(when), np.inf, when)
    lay = _layout(parent, key)

    kind = _column(g, "kind", "repost").astype("string").fillna("").to_numpy(dtype=object)
    changed = _column(g, "changed_text", False).fillna(False).to_numpy(dtype=bool)
    reach_col = _column(g, "reach", np.nan)
    reach = np.where(reach_col.isna().to_numpy(), lay.size - 1,
                     reach_col.fillna(0).to_numpy(dtype=np.float64)).astype(np.int64)
    known = _column(g, "known", "").astype("string").fillna("").to_numpy(dtype=object)
    placeholder = np.isin(kind, _PLACEHOLDER_KINDS)

    if x_axis == "depth":
        xs = lay.depth.astype(np.float64)
        located = lay.placed
    else:
        xs = when
        located = lay.placed & ~np.isnan(when)
    if not located.any():
        note = _say(lang, f"{n:,} 个节点都没有时间，无法按时间绘制", f"none of the {n:,} nodes has a time")
        return _empty(heading, _say(lang, "无时间", "no times"), "no-times", [note])
    summarise = n > MAX_NODES_DRAWN
    leaf = lay.size == 1
    individual = located & ~(summarise & leaf & ~placeholder & (lay.parent >= 0))
    summarised = located & ~individual

    fig = _new_figure(7.5)
    ax = fig.add_subplot()
    _style_axes(ax, font)
    rows = max(int(lay.size[lay.placed & (lay.parent < 0)].sum()), 1)

    # Edges: from parent to child, for children drawn one by one (both ends located).
    child = np.flatnonzero(individual & (lay.parent >= 0))
    child = child[located[lay.parent[child]]]
    kinds_known = np.where(np.isin(known, [k for k in _EDGE_STYLES if k != "other"]), known, "other")
    edge_kind = kinds_known[child]
    all_kinds = kinds_known[lay.parent >= 0]
    edge_counts = {name: int((all_kinds == name).sum()) for name in _EDGE_STYLES}
    handles: list[Any] = []
    thin, alpha = (0.6, 0.7) if len(child) <= 2000 else (0.25, 0.35)
    for name, (style, zh, en) in _EDGE_STYLES.items():
        sel = child[edge_kind == name]
        if not len(sel):
            continue
        p = lay.parent[sel]
        segments = np.stack([np.column_stack((xs[p], lay.y[p])), np.column_stack((xs[sel], lay.y[sel]))],
                            axis=1)
        ax.add_collection(LineCollection(segments, colors="#777777", linewidths=thin, linestyles=style,
                                         alpha=alpha, zorder=1, gid=f"edges:{name}"))
        handles.append(Line2D([], [], color="#777777", linestyle=style, linewidth=1.0,
                              label=_say(lang, zh, en) + f" ({edge_counts[name]:,})"))

    # Leaves summarised: a density over (depth or time bin) x (band of the y axis).
    if summarised.any():
        _leaf_density(ax, xs, lay.y, summarised, x_axis, rows, lang, font)
        handles.append(Line2D([], [], linestyle="none", marker="s", markersize=8, color="#9ecae1",
                              label=_say(lang, "未单独绘制的末端转发（密度）", "leaves, as a density")))

    # Nodes drawn one by one.
    drawn = np.flatnonzero(individual)
    colors = np.where(kind[drawn] == "original", _KIND_COLORS["original"],
                      np.where(changed[drawn], _KIND_COLORS["changed"], _KIND_COLORS["repost"]))
    colors = np.where(placeholder[drawn], "white", colors)
    edges = np.where(placeholder[drawn], "#555555", colors)
    base = 3.0 if len(drawn) <= 2000 else 1.0
    sizes = _marker_size(base, reach[drawn])
    ax.scatter(xs[drawn], lay.y[drawn], s=sizes, c=list(colors), edgecolors=list(edges), linewidths=0.5,
               zorder=3, gid="nodes")
    if x_axis == "time":
        spans = drawn[(hi_t[drawn] > lo_t[drawn])]
        if len(spans):
            segments = np.stack([np.column_stack((lo_t[spans], lay.y[spans])),
                                 np.column_stack((hi_t[spans], lay.y[spans]))], axis=1)
            ax.add_collection(LineCollection(segments, colors="#1f77b4", linewidths=1.2, alpha=0.5,
                                             zorder=2, gid="intervals"))
    for key_name, zh, en in (("original", "原帖", "original post"), ("repost", "转发", "repost"),
                             ("changed", "改动文字的转发", "repost with changed text")):
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=6,
                              color=_KIND_COLORS[key_name], label=_say(lang, zh, en)))
    if placeholder.any():
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=6, markerfacecolor="white",
                              markeredgecolor="#555555",
                              label=_say(lang, "占位节点（推定的原帖或缺失的上级）",
                                         "placeholder (implied root or missing parent)")))
    steps = [r for r in (1, 10, 100, 1000, 10_000, 100_000, 1_000_000) if r <= max(int(reach.max()), 1)]
    for r in sorted({steps[0], steps[len(steps) // 2], steps[-1]}):
        handles.append(Line2D([], [], linestyle="none", marker="o", color="#bbbbbb",
                              markersize=math.sqrt(float(_marker_size(base, np.array([r]))[0])),
                              label=_say(lang, f"下游 {r:,} 次转发", f"reach {r:,}")))

    # Axes.
    ax.set_ylim(rows - 0.5 + rows * 0.01, -0.5 - rows * 0.01)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.set_ylabel(_say(lang, "转发（深度优先顺序，子树相邻）",
                       "reposts (depth-first order, subtrees together)"))
    if x_axis == "depth":
        top_depth = int(lay.depth[located].max()) if located.any() else 0
        ax.set_xlim(-0.5, top_depth + 0.5)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel(_say(lang, "转发层级（距原帖的代数）", "depth (repost generations from the root)"))
    else:
        finite = xs[located]
        if len(finite):
            ax.set_xlim(*_pad_limits(float(np.nanmin(lo_t[located])), float(np.nanmax(hi_t[located])),
                                     1 / 1440))
        _time_axis(ax, font)
        ax.set_xlabel(_say(lang, f"时间 ({zone.label})", f"time ({zone.label})"))
    counted = any((t.get_gid() or "").startswith("leaf-count:") for t in ax.texts)
    ax.set_title(heading, pad=14 if counted else 6)

    _label_top(ax, g, write, reach, lay, xs, located, top, rows)
    fig.legend(handles=handles, loc="outside right upper", frameon=False, prop=font.properties(7))

    # Footnote.
    n_place = int(placeholder.sum())
    n_drawn = len(drawn)
    n_summ = int(summarised.sum())
    n_off = n - int(located.sum())
    zh = [f"共 {n:,} 个节点（{n - n_place:,} 条转发行，{n_place:,} 个占位节点），单独绘制 {n_drawn:,} 个"]
    en = [f"{n:,} nodes ({n - n_place:,} repost rows, {n_place:,} placeholders), "
          f"{n_drawn:,} drawn one by one"]
    if n_summ:
        zh.append(f"{n_summ:,} 个没有下游转发的节点按{'层级' if x_axis == 'depth' else '时间'}汇总为密度")
        en.append(f"{n_summ:,} leaves summarised as a density per {x_axis}")
    if n_off:
        why_zh = "没有时间" if x_axis == "time" else "处在环中"
        why_en = "without a time" if x_axis == "time" else "in a cycle"
        zh.append(f"{n_off:,} 个节点{why_zh}，未绘制")
        en.append(f"{n_off:,} nodes {why_en} not drawn")
    kinds_zh = "，".join(f"{_EDGE_STYLES[k][1]} {c:,} 条（{_LINE_WORDS[k][0]}）"
                         for k, c in edge_counts.items() if c)
    kinds_en = ", ".join(f"{k} {c:,} {_LINE_WORDS[k][1]}" for k, c in edge_counts.items() if c)
    if kinds_en:
        zh.append(f"边：{kinds_zh}")
        en.append(f"edges: {kinds_en}")
    notes = []
    if lang != "en":
        notes += _wrap("；".join(zh) + "。")
    if lang != "zh":
        notes += _wrap("; ".join(en) + ".")
    evidence = _evidence_note(g, lang)
    if evidence:
        notes += _wrap(evidence)
    if write.replaced:
        notes.append(_say(lang, f"{len(write.replaced)} 个字符字体不能显示，写作 <U+编码>",
                          f"{len(write.replaced)} characters no font can draw are written as <U+code>"))
    notes.append(f"forensics {__version__}")
    fig.set_size_inches(11.0, 6.8 + 0.13 * len(notes))
    _footnote(ax, notes)
    return fig


def _marker_size(base: float, reach: np.ndarray) -> np.ndarray:
    """Marker area (points squared): the diameter grows with log10 of the reach."""
    import numpy as np

    return (base + 3.0 * np.log10(1.0 + np.clip(reach, 0, None))) ** 2


def _leaf_density(ax: Axes, xs: np.ndarray, y: np.ndarray, sel: np.ndarray, x_axis: str, rows: int,
                  lang: str, font: CJKFont) -> None:
    import numpy as np
    from matplotlib import colormaps
    from matplotlib.colors import LogNorm

    ybins = min(LEAF_BINS, rows)
    y_edges = np.linspace(-0.5, rows - 0.5, ybins + 1)
    if x_axis == "depth":
        d = xs[sel].astype(np.int64)
        width = int(d.max()) + 1
        # Two image columns per depth: the depth's strip (depth +- 0.25) and an empty gap.
        col = 2 * d
        grid = np.zeros((ybins, 2 * width), dtype=np.float64)
        row = np.clip(np.searchsorted(y_edges, y[sel], side="right") - 1, 0, ybins - 1)
        np.add.at(grid, (row, col), 1.0)
        extent = (-0.25, 2 * width * 0.5 - 0.25, rows - 0.5, -0.5)
        per_depth = np.bincount(d, minlength=width)
        if np.count_nonzero(per_depth) <= _MAX_DEPTH_COUNTS:
            for depth in np.flatnonzero(per_depth):
                ax.annotate(f"{int(per_depth[depth]):,}", xy=(float(depth), 1.0),
                            xycoords=("data", "axes fraction"), xytext=(0, 2), textcoords="offset points",
                            ha="center", va="bottom", fontsize=6, color="#3b6e99",
                            gid=f"leaf-count:{int(depth)}")
            ax.annotate(_say(lang, "末端转发", "leaves"), xy=(0.0, 1.0), xycoords="axes fraction",
                        xytext=(-4, 2), textcoords="offset points", ha="right", va="bottom", fontsize=6,
                        color="#3b6e99")
    else:
        t = xs[sel]
        lo, hi = float(np.nanmin(t)), float(np.nanmax(t))
        if hi <= lo:
            hi = lo + 1 / 1440
        xbins = 400
        grid, _, _ = np.histogram2d(y[sel], t, bins=(y_edges, np.linspace(lo, hi, xbins + 1)))
        extent = (lo, hi, rows - 0.5, -0.5)
    cmap = colormaps["Blues"].with_extremes(under=(1, 1, 1, 0), bad=(1, 1, 1, 0))
    vmax = max(float(grid.max()), 2.0)
    ax.imshow(np.ma.masked_less(grid, 1.0), cmap=cmap, norm=LogNorm(vmin=1.0, vmax=vmax), extent=extent,
              aspect="auto", interpolation="nearest", origin="upper", zorder=0, alpha=0.85,
              gid="leaf-density")


def _label_top(ax: Axes, g: pd.DataFrame, write: _Writer, reach: np.ndarray, lay: _Layout,
               xs: np.ndarray, located: np.ndarray, top: int, rows: int) -> int:
    """Label the ``top`` accounts by reach in a column right of the axes; returns how many."""
    import numpy as np

    if top <= 0:
        return 0
    candidates = np.flatnonzero(located & (reach > 0))
    if not len(candidates):
        return 0
    order = candidates[np.lexsort((candidates, -reach[candidates]))]
    accounts = _column(g, "account_id", "").astype("string").fillna("").to_numpy(dtype=object)
    names = _column(g, "account_name", "").astype("string").fillna("").to_numpy(dtype=object)
    chosen: list[int] = []
    seen: set[str] = set()
    for i in order:
        who = accounts[i] or f"#{i}"
        if who in seen:
            continue
        seen.add(who)
        chosen.append(int(i))
        if len(chosen) == top:
            break
    # Spread the labels apart vertically (in data units of the inverted y axis).
    fig = ax.figure
    height_pt = ax.get_position().height * fig.get_figheight() * 72
    gap = rows * 11.0 / max(height_pt, 1.0)
    want = np.array([lay.y[i] for i in chosen])
    order_y = np.argsort(want, kind="stable")
    placed = want[order_y].copy()
    low, high = -0.5 + gap / 2, rows - 0.5 - gap / 2
    for k in range(len(placed)):
        placed[k] = max(placed[k], low if k == 0 else placed[k - 1] + gap)
    for k in range(len(placed) - 1, -1, -1):
        placed[k] = min(placed[k], high if k == len(placed) - 1 else placed[k + 1] - gap)
    text_y = np.empty_like(placed)
    text_y[order_y] = placed
    for rank, (i, ty) in enumerate(zip(chosen, text_y, strict=True)):
        name = str(names[i]) or str(accounts[i]) or f"#{i}"
        label = write(_name(name)) + f" ({int(reach[i]):,})"
        ax.annotate(label, xy=(float(xs[i]), float(lay.y[i])), xycoords="data",
                    xytext=(1.01, float(ty)), textcoords=("axes fraction", "data"), ha="left", va="center",
                    fontsize=7, color="#222222", annotation_clip=False, gid=f"top:{rank + 1}",
                    # from the label's left edge (relpos), not clipped to its box (patchA):
                    # the same line, without a Bezier split per label and per draw
                    arrowprops={"arrowstyle": "-", "color": "#aaaaaa", "linewidth": 0.5, "linestyle": ":",
                                "shrinkA": 0, "shrinkB": 2, "relpos": (0.0, 0.5), "patchA": None})
    return len(chosen)


# --------------------------------------------------------------------------------------------
# The cumulative curve


def spread_curve_figure(analysis: Any, post_id: Any = None, *, title: str | None = None,
                        lang: str = "both", tz: Any = "UTC+08:00", yscale: str = "linear") -> Figure:
    """Draw the cumulative reposts (each counting rule) and views of one post over time.

    The reposts under each counting rule are step curves on the left axis, the views (the sum
    of the views the rows published so far showed at capture, ``cumulative()["views"]``) on
    the right axis, drawn when some row shows its views; the reference marks (those of
    ``analysis.params``: 500 reposts, 5,000 views) are dashed horizontal lines labelled
    "参考标准：转发500次 / reference mark: 500 reposts" and "参考标准：浏览5000次 / reference
    mark: 5,000 views"; the time by which each mark had certainly been reached (from
    ``analysis.marks``) is a dotted vertical line, labelled with the time and the counting rules
    that reached it then; a mark not reached is said in the footnote with the count under each
    rule (and the explanation, when the count is over the mark but its time is not known).  The
    figure states counts and times, no legal conclusion.

    Parameters
    ----------
    analysis : forensics.spread.SpreadAnalysis
        The result of :func:`forensics.spread.analyze`: ``nodes`` (to find the posts),
        ``marks`` (columns ``post_id``, ``mark``, ``rule``, ``reached_at``) and the method
        ``cumulative(post_id)`` (columns ``time``, ``rows``, ``unique``, ``accounts``,
        ``views``).
    post_id : str, optional
        The post to draw; by default the post with the most nodes.
    title : str, optional
        The figure title; by default "累计转发与浏览：帖子 … / Cumulative reposts and views: post …".
    lang : {"both", "zh", "en"}
        Labels in Chinese and English, Chinese only, or English only.
    tz : str
        The zone of the time axis: ``"UTC+08:00"`` (default), ``"UTC"``, an offset or a zone name.
    yscale : {"linear", "log"}
        The count axes.  On a linear axis a mark more than 20 times the highest count is not
        drawn to scale: its label, at the top, says it is above the scale and gives the highest
        count.  A log axis shows the marks and counts of any size together.

    Returns
    -------
    matplotlib.figure.Figure

    Raises
    ------
    InputError
        ``analysis`` is not an analysis, the post is unknown, ``lang``, ``tz`` or ``yscale`` is
        not valid, or no CJK font is installed.

    Examples
    --------
    >>> from forensics.spread import analyze, make_table
    >>> table = make_table([
    ...     dict(post_id="P1", account_id="a", account_name="张三", time_shown="2026-11-20 14:00",
    ...          views=3000),
    ...     dict(post_id="P1", account_id="b", account_name="李四", parent_account_id="a",
    ...          time_shown="2026-11-20 14:05", views=2500),
    ... ], captured_at="2026-11-21 09:00")
    >>> fig = spread_curve_figure(analyze(table), tz="UTC")
    >>> fig.axes[0].get_xlabel()
    '时间 (UTC) / time (UTC)'
    >>> [t.get_text() for t in fig.axes[1].texts if t.get_gid() == "mark-label:views"]
    ['参考标准：浏览5000次 / reference mark: 5,000 views']
    """

    _check_lang("spread curve figure", lang)
    if yscale not in ("linear", "log"):
        raise InputError(f"spread curve figure: yscale must be linear or log, not {yscale!r}")
    zone = _zone(tz)
    nodes = _nodes(analysis)
    post = _pick_post(nodes, post_id, "spread curve figure")
    font = cjk_font()
    with _drawing(font) as write:
        heading = _heading(write, lang, title, post, "累计转发与浏览",
                           "Cumulative reposts and views")
        if post is None:
            return _empty(heading, _say(lang, "无转发", "no reposts"), "no-reposts", [])
        cum = analysis.cumulative(post)
        times = _date_numbers(cum["time"], zone) if len(cum) else _date_numbers([], zone)
        if not len(times) or bool(_isnan_all(times)):
            rows = int((nodes["post_id"].astype(str) == post).sum())
            note = _say(lang, f"{rows:,} 个节点都没有时间，无法绘制累计曲线",
                        f"none of the {rows:,} nodes has a time: no curve to draw")
            return _empty(heading, _say(lang, "无时间", "no times"), "no-times", [note])
        marks = _marks_of(analysis, post)
        params = getattr(analysis, "params", None)
        levels = (int(getattr(params, "mark_reposts", MARK_REPOSTS)),
                  int(getattr(params, "mark_views", MARK_VIEWS)))
        return _draw_curve(cum, times, marks, levels, font, write, heading, lang, zone, nodes, post,
                           yscale == "log")


def _isnan_all(values: np.ndarray) -> bool:
    import numpy as np

    return bool(np.isnan(values).all())


def _marks_of(analysis: Any, post: str) -> pd.DataFrame:
    import pandas as pd

    marks = getattr(analysis, "marks", None)
    cols = ["mark", "rule", "reached_at"]
    if not isinstance(marks, pd.DataFrame) or marks.empty or any(c not in marks.columns for c in cols):
        return pd.DataFrame({c: [] for c in cols})
    return marks[marks["post_id"].astype(str) == post].reset_index(drop=True)


def _is_views(mark: str) -> bool:
    return "view" in mark.lower() or "浏览" in mark


def _mark_zh(mark: str) -> str:
    """``"500 reposts"`` -> ``"转发500次"``, ``"5000 views"`` -> ``"浏览5000次"``."""
    m = re.fullmatch(r"(\d+) (reposts|views)", mark)
    if not m:
        return mark
    return f"{'转发' if m.group(2) == 'reposts' else '浏览'}{m.group(1)}次"


def _unreached(row: Any, rule: str, level: int) -> str:
    """A mark not reached under a rule: the rule and its count; the explanation as well when the
    count is at or above the mark (reached, but not at a known time)."""
    count = getattr(row, "count", None)
    try:
        n = int(count)
    except (TypeError, ValueError):
        n = None
    text = rule if n is None else f"{rule} {n:,}"
    why = str(getattr(row, "explanation", "") or "")
    if why and (n is None or n >= level):
        text += f" ({why if len(why) <= 140 else why[:139] + '…'})"
    return text


def _reference(ax: Axes, level: int, top: float, side: str, color: str, what: str, lang: str,
               zh: str, en: str, log: bool) -> None:
    """The reference mark as a dashed line, labelled.  The y axis reaches it, unless (linear axis)
    the counts stay far below it (under :data:`_OFF_SCALE` of it): then the label, at the top,
    says the mark is above the scale, so the curve keeps a readable scale."""
    ax.axhline(level, color=color, linestyle="--", linewidth=1.0, zorder=2, gid=f"mark:{what}")
    x = 0.005 if side == "left" else 0.995
    if log:
        ax.set_yscale("log")
        ax.set_ylim(0.8, max(top, level) * 1.6)
    if log or top >= level * _OFF_SCALE:
        if not log:
            ax.set_ylim(0, max(top, level) * 1.08)
        ax.text(x, level, _say(lang, zh, en), transform=ax.get_yaxis_transform(), ha=side, va="bottom",
                fontsize=7, color=color, gid=f"mark-label:{what}")
        return
    ax.set_ylim(0, max(top * 1.15, 5.0))
    label = _say(lang, f"{zh}（高于图中范围；最高 {top:,.0f}）",
                 f"{en} (above this scale; highest {top:,.0f})")
    ax.annotate(label, xy=(x, 1.0), xycoords="axes fraction", xytext=(0, -2), textcoords="offset points",
                ha=side, va="top", fontsize=7, color=color, gid=f"mark-label:{what}")


def _thin(x: np.ndarray, ys: list[np.ndarray]) -> tuple[np.ndarray, list[np.ndarray]]:
    """At most about :data:`_MAX_CURVE_POINTS` points of step curves: the last point of each
    equal time bin (the curves only rise, so the drawn envelope is unchanged at figure scale)."""
    import numpy as np

    if len(x) <= _MAX_CURVE_POINTS:
        return x, ys
    lo, hi = float(x[0]), float(x[-1])
    if hi <= lo:
        keep = np.array([0, len(x) - 1])
    else:
        b = ((x - lo) / (hi - lo) * (_MAX_CURVE_POINTS - 1)).astype(np.int64)
        last = np.flatnonzero(np.concatenate((b[1:] != b[:-1], [True])))
        keep = np.unique(np.concatenate(([0], last)))
    return x[keep], [y[keep] for y in ys]


def _draw_curve(cum: pd.DataFrame, times: np.ndarray, marks: pd.DataFrame, levels: tuple[int, int],
                font: CJKFont, write: _Writer, heading: str, lang: str, zone: _Zone, nodes: pd.DataFrame,
                post: str, log: bool) -> Figure:
    import numpy as np
    import pandas as pd
    from matplotlib import dates as mdates
    from matplotlib.ticker import FuncFormatter

    ok = ~np.isnan(times)
    order = np.argsort(times[ok], kind="stable")
    x = times[ok][order]
    rules = [r for r in _RULES if r in cum.columns]
    curves = [pd.to_numeric(cum[r], errors="coerce").to_numpy(dtype=np.float64)[ok][order] for r in rules]
    views = (pd.to_numeric(cum["views"], errors="coerce").to_numpy(dtype=np.float64)[ok][order]
             if "views" in cum.columns else np.full(len(x), np.nan))
    has_views = bool(np.isfinite(views).any() and np.nanmax(views) > 0)
    x, thinned = _thin(x, [*curves, views])
    curves, views = thinned[:-1], thinned[-1]

    fig = _new_figure(5.4)
    ax = fig.add_subplot()
    _style_axes(ax, font)
    count_fmt = FuncFormatter(lambda v, _pos: f"{v:,.0f}")
    marker = "o" if len(x) == 1 else None
    handles = []
    for rule, y in zip(rules, curves, strict=True):
        color, zh, en = _RULES[rule]
        (line,) = ax.plot(x, y, drawstyle="steps-post", color=color, linewidth=1.4, marker=marker,
                          markersize=4, zorder=3, gid=f"cumulative:{rule}", label=_say(lang, zh, en))
        handles.append(line)
    mark_r, mark_v = levels
    top_count = max([float(np.nanmax(y)) for y in curves if np.isfinite(y).any()] + [0.0])
    _reference(ax, mark_r, top_count, "left", _MARK_COLOR, "reposts", lang, f"参考标准：转发{mark_r}次",
               f"reference mark: {mark_r:,} reposts", log)
    ax.yaxis.set_major_formatter(count_fmt)
    ax.set_ylabel(_say(lang, "累计转发", "cumulative reposts"))

    ax2 = None
    if has_views:  # the views axis only when some row shows its views
        ax2 = ax.twinx()
        _style_axes(ax2, font)
        ax2.spines["right"].set_visible(True)
        top_views = float(np.nanmax(views))
        (vline,) = ax2.plot(x, views, drawstyle="steps-post", color=_VIEWS_COLOR, linewidth=1.2,
                            linestyle="-", marker=marker, markersize=4, zorder=3, gid="cumulative:views",
                            label=_say(lang, "累计浏览（取证时显示值）",
                                       "cumulative views (as shown at capture)"))
        handles.append(vline)
        _reference(ax2, mark_v, top_views, "right", _VIEWS_COLOR, "views", lang, f"参考标准：浏览{mark_v}次",
                   f"reference mark: {mark_v:,} views", log)
        ax2.yaxis.set_major_formatter(count_fmt)
        ax2.set_ylabel(_say(lang, "累计浏览", "cumulative views"))

    # Crossing times: one dotted line and one label per mark and time (the rules that reached it
    # then listed together), labels stacked at the top of the axes.
    reached = _date_numbers(marks["reached_at"], zone) if len(marks) else np.array([])
    not_reached: dict[str, list[str]] = {}
    groups: dict[tuple[str, float], list[str]] = {}
    for i, row in enumerate(marks.itertuples(index=False)):
        mark, rule = str(row.mark), str(row.rule)
        if np.isnan(reached[i]):
            level = mark_v if _is_views(mark) else mark_r
            not_reached.setdefault(mark, []).append(_unreached(row, rule, level))
            continue
        groups.setdefault((mark, float(reached[i])), []).append(rule)
    lo_x, hi_x = float(x[0]), float(x[-1])
    for _, t in groups:
        lo_x, hi_x = min(lo_x, t), max(hi_x, t)
    left, right = _pad_limits(lo_x, hi_x, 1 / 1440)
    ax.set_xlim(left, right)
    for k, ((mark, t), rules_hit) in enumerate(sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0]))):
        is_views = _is_views(mark)
        color = _VIEWS_COLOR if is_views else _MARK_COLOR
        target = ax2 if is_views and ax2 is not None else ax
        level = mark_v if is_views else mark_r
        when = pd.Timestamp(mdates.num2date(t)).strftime("%Y-%m-%d %H:%M:%S")
        zh_mark = _mark_zh(mark)
        target.axvline(t, color=color, linestyle=":", linewidth=0.9, zorder=1, gid=f"reached:{mark}")
        if target is ax2 or not is_views:
            target.plot([t], [level], linestyle="none", marker="o", markersize=6, markerfacecolor="none",
                        markeredgecolor=color, markeredgewidth=1.4, zorder=4, gid=f"reached-point:{mark}")
        flip = t > left + 0.6 * (right - left)
        label = f"{when} " + _say(lang, zh_mark, mark) + f" ({', '.join(rules_hit)})"
        ax.annotate(write(label), xy=(t, 0.91 - 0.06 * (k % 12)), xycoords=("data", "axes fraction"),
                    xytext=(-3 if flip else 3, 0), textcoords="offset points", fontsize=6.5, color=color,
                    ha="right" if flip else "left", va="top", gid=f"reached-label:{mark}",
                    bbox={"boxstyle": "square,pad=0.1", "facecolor": "white", "edgecolor": "none",
                          "alpha": 0.8})
    _time_axis(ax, font)
    ax.set_xlabel(_say(lang, f"时间 ({zone.label})", f"time ({zone.label})"))
    ax.grid(axis="x", color="#dddddd", linewidth=0.5, zorder=0)
    ax.set_title(heading)
    fig.legend(handles=handles, loc="outside right upper", frameon=False, prop=font.properties(7))

    g = nodes[nodes["post_id"].astype(str) == post]
    reposts = _column(g, "kind", "repost").astype("string") == "repost"
    n_rows = int(reposts.sum())
    undated = int((reposts & _column(g, "latest", None).isna()).sum()) if "latest" in g.columns else 0
    zh = [f"共 {n_rows:,} 条转发行；曲线为各计数方式下的累计转发（按每条转发时间的上界）；虚线为参考标准，"
          f"点线为确定已达到的时间（analysis.marks）"]
    en = [f"{n_rows:,} repost rows; curves are cumulative reposts under each counting rule (at the latest "
          f"bound of each repost's time); dashed lines are the reference marks, dotted lines the times "
          f"by which they had certainly been reached (analysis.marks)"]
    if has_views:
        zh.append("浏览曲线为已发布各条在取证时显示的浏览数之和，不是当时已达到的浏览数")
        en.append("the views curve sums the views each row published so far showed at capture, not the "
                  "views reached by that time")
    else:
        zh.append("没有浏览数")
        en.append("no views known")
    if undated:
        zh.append(f"{undated:,} 条转发没有时间，未计入曲线")
        en.append(f"{undated:,} reposts without a time are not in the curves")
    notes = []
    if lang != "en":
        notes += _wrap(write("；".join(zh) + "。"))
    if lang != "zh":
        notes += _wrap(write("; ".join(en) + "."))
    for mark, parts in not_reached.items():
        head = _say(lang, f"未达到{_mark_zh(mark)}", f"{mark} not reached")
        more = f" (+{len(parts) - _MAX_NOT_REACHED})" if len(parts) > _MAX_NOT_REACHED else ""
        notes += _wrap(write(f"{head}: " + "; ".join(parts[:_MAX_NOT_REACHED]) + more))
    evidence = _evidence_note(g, lang)
    if evidence:
        notes += _wrap(evidence)
    notes.append(f"forensics {__version__}")
    fig.set_size_inches(11.0, 4.2 + 0.13 * len(notes))
    _footnote(ax, notes)
    return fig
