"""Figures for the case: the timeline drawn with matplotlib, Chinese text in a real CJK font.

A court reads the figure, so every character must be drawn: a lane called "微博用户" printed as
empty boxes ("tofu") is worse than no figure.  :func:`cjk_font` therefore looks for a font that
*really* has the glyphs (it asks FreeType for each character of a probe string, it does not trust
a family name) and refuses with a clear message naming the package to install when there is
none (Debian/Ubuntu: ``apt-get install fonts-wqy-microhei`` or ``fonts-noto-cjk``; or name a
font file in the environment variable ``FORENSICS_CJK_FONT``).

:func:`timeline_figure` draws the timeline table (the contract of :mod:`forensics.timeline`:
columns ``utc``, ``earliest``, ``latest``, ``lane``, ``evidence_id``, ...): one lane per value
of ``lane``; an instant (``utc`` set) is a dot, an interval (``utc`` empty, ``earliest`` before
``latest``: a relative display time such as "3分钟前", a date without a time) is a bar from its
earliest to its latest possible time, so the figure never claims more precision than the
evidence has.  Findings are drawn as rings (instants) or outlines (intervals) on the rows of the
evidence they concern, coloured by severity, with a legend entry per severity.

Determinism: the same table gives the same PNG bytes (matplotlib's ``Software`` stamp and dates
are left out, the style is reset to matplotlib's defaults while drawing and saving, the SVG hash
salt is fixed).  Only the Agg renderer is used, attached to the figure itself: nothing is
displayed and the caller's pyplot backend is never switched.  matplotlib is imported inside the
functions, so ``import forensics`` stays fast.

Large timelines stay fast: in a lane with more than :data:`MAX_MARKS_PER_LANE` instants (or
intervals), the instants are merged into :data:`TIME_BINS` equal time bins over the whole time
axis (one dot per occupied bin) and the intervals into the runs of bins they cover; the lane
label says so and how many events it holds.  More than :data:`MAX_LANES` lanes: the busiest
``MAX_LANES - 1`` are kept and the rest are drawn together in one lane "其他 / other".

Examples
--------
>>> import pandas as pd
>>> from forensics.figures import timeline_figure
>>> df = pd.DataFrame({
...     "utc": pd.to_datetime(["2026-11-20T06:32:00Z", None], utc=True),
...     "earliest": pd.to_datetime(["2026-11-20T06:32:00Z", "2026-11-20T01:56:00Z"], utc=True),
...     "latest": pd.to_datetime(["2026-11-20T06:32:00Z", "2026-11-20T01:57:00Z"], utc=True),
...     "lane": ["EXIF", "微博（显示时间）"],
...     "evidence_id": ["E0001", "E0002"],
... })
>>> fig = timeline_figure(df)
>>> [t.get_text() for t in fig.axes[0].get_yticklabels()]
['微博（显示时间）', 'EXIF']
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forensics import __version__
from forensics.errors import ForensicsError, InputError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure
    from matplotlib.font_manager import FontEntry, FontProperties

__all__ = [
    "CJK_FAMILIES",
    "CJK_PROBE",
    "FIGURES_DIR",
    "FONT_ENV",
    "MAX_LANES",
    "MAX_MARKS_PER_LANE",
    "TIME_BINS",
    "CJKFont",
    "KeptFigures",
    "cjk_font",
    "drawing_fingerprint",
    "frame_digest",
    "save_figure",
    "source_sha256",
    "timeline_figure",
]

#: Characters a font must have to be used: every Chinese character of the figures' own labels,
#: some of the case vocabulary ("转发诽谤"), full-width punctuation, digits and Latin letters.
CJK_PROBE = ("转发诽谤微博用户案件时间线无事件时刻区间只知其上下界来源或行为人共个条泳道圆点为横其他"
             "已按分箱发现高中低提示未分级行没有绘制项涉及的证据不在图字体能显示写作"
             "（）：，；。0123456789UTCTime")
#: Families tried first, best first (among faces with every glyph, TrueType outlines win over CFF
#: ones, see :attr:`CJKFont.truetype`): Simplified-Chinese faces before the other CJK regions
#: (same characters, but Japanese or Traditional glyph shapes for some of them).
CJK_FAMILIES = (
    "WenQuanYi Micro Hei",
    "WenQuanYi Zen Hei",
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "Noto Sans SC",
    "Microsoft YaHei",
    "SimHei",
    "PingFang SC",
    "Hiragino Sans GB",
    "Sarasa Gothic SC",
    "Droid Sans Fallback",
    "Noto Sans CJK TC",
    "Noto Sans CJK HK",
    "Noto Sans CJK JP",
    "Noto Sans CJK KR",
    "AR PL UMing CN",
    "Noto Serif CJK SC",
)
#: Environment variable naming a font file to use instead of searching (checked for glyphs too).
FONT_ENV = "FORENSICS_CJK_FONT"
#: A lane with more instants (or more intervals) than this is drawn binned in time.
MAX_MARKS_PER_LANE = 2000
#: Number of equal time bins over the whole axis used for binned lanes.
TIME_BINS = 1000
#: At most this many lanes; the rest are drawn together in one "other" lane.
MAX_LANES = 30

_INSTALL_HINT = (
    "install one, e.g. `apt-get install fonts-wqy-microhei` (small, TrueType outlines: PDFs keep "
    "searchable text) or `apt-get install fonts-noto-cjk` (Debian/Ubuntu), or set "
    f"{FONT_ENV}=/path/to/a/font.ttf|.otf|.ttc"
)
_FALLBACK_FAMILY = "DejaVu Sans"
_FONT_SUFFIXES = (".ttf", ".otf", ".ttc")
#: Fonts whose "glyph" for every character is a placeholder box (matplotlib ships "Last Resort
#: High-Efficiency" as its final fallback): they have every glyph and show none of them.
_PLACEHOLDER_FONT = re.compile(r"last\s*resort|notdef", re.IGNORECASE)
_LANGS = ("both", "zh", "en")
_DPI = 150
_SAVE_FORMATS = {".png": "png", ".pdf": "pdf", ".svg": "svg"}
_METADATA = {
    "png": {"Software": None},
    "pdf": {"Creator": None, "Producer": None, "CreationDate": None, "ModDate": None},
    "svg": {"Creator": None, "Date": None},
}
#: Severity words (lower case) to a rank: 4 = high, 3 = medium, 2 = low, 1 = info, 0 = unknown
#: (the severities of :mod:`forensics.findings`, and common synonyms).
_SEVERITY_RANK = {
    "critical": 4, "high": 4, "error": 4, "severe": 4, "major": 4, "严重": 4, "高": 4,
    "medium": 3, "moderate": 3, "warning": 3, "warn": 3, "中": 3,
    "low": 2, "minor": 2, "低": 2,
    "info": 1, "note": 1, "notice": 1, "提示": 1,
}
_SEVERITY_ZH = {4: "高", 3: "中", 2: "低", 1: "提示", 0: "未分级"}
_SEVERITY_COLOR = {4: "#d62728", 3: "#ff7f0e", 2: "#b8a000", 1: "#7f7f7f", 0: "#9467bd"}
_LANE_COLORS = ("#1f77b4", "#2ca02c", "#8c564b", "#17becf", "#7f7f7f", "#bcbd22", "#e377c2",
                "#393b79", "#637939", "#843c39")
_MAX_LABEL = 28


# --------------------------------------------------------------------------------------------
# The font


@dataclass(frozen=True, slots=True)
class CJKFont:
    """A font face that has the glyphs of :data:`CJK_PROBE`, registered with matplotlib.

    Attributes
    ----------
    family : str
        The family name matplotlib knows it by (``"WenQuanYi Micro Hei"``).
    path : str
        The font file (``.ttf``, ``.otf`` or a ``.ttc`` collection).
    face_index : int
        The face inside a collection (0 for a single-face file).
    truetype : bool
        True for TrueType (``glyf``) outlines, which PDF embeds as real fonts (Type 42, text
        searchable); False for PostScript (CFF) outlines, which matplotlib cannot embed that
        way, so :func:`save_figure` draws them as Type 3 glyph procedures in a PDF instead.
    """

    family: str
    path: str
    face_index: int
    truetype: bool

    @property
    def families(self) -> tuple[str, str]:
        """The family list to draw with: this font, then DejaVu Sans for anything it lacks."""
        return (self.family, _FALLBACK_FAMILY)

    def properties(self, size: float | None = None) -> FontProperties:
        """A matplotlib ``FontProperties`` for this face (optionally of a given size)."""
        from matplotlib.font_manager import FontProperties

        return FontProperties(family=list(self.families), size=size)

    def has_glyphs(self, text: str) -> bool:
        """True when the face has a glyph for every non-space character of ``text``.

        >>> cjk_font().has_glyphs("转发诽谤")
        True
        """
        return not _missing_glyphs(self.path, self.face_index, text)


def cjk_font(probe: str = CJK_PROBE) -> CJKFont:
    """Find a font that can draw Chinese, register it with matplotlib, and return it.

    The font file named by the environment variable ``FORENSICS_CJK_FONT`` is used when set.
    Otherwise the fonts fontconfig lists for Chinese (``fc-list :lang=zh``) are registered with
    matplotlib (its font cache may predate them) and the families of :data:`CJK_FAMILIES` are
    tried: TrueType outlines before CFF ones (see :attr:`CJKFont.truetype`), then in the order
    of the list, regular weight first.  Failing that, every font in the system font folders is
    registered and tried.  A face is accepted only if FreeType finds a glyph for every
    character of ``probe``.  The answer is cached per ``probe``.

    Parameters
    ----------
    probe : str
        The characters the font must have.

    Returns
    -------
    CJKFont

    Raises
    ------
    InputError
        No installed font has the glyphs; the message names the package to install.

    Examples
    --------
    >>> font = cjk_font()
    >>> font.has_glyphs("转发诽谤时间线")
    True
    """
    return _cjk_font(probe, os.environ.get(FONT_ENV, ""))


@functools.lru_cache(maxsize=8)
def _cjk_font(probe: str, override: str) -> CJKFont:
    from matplotlib import font_manager

    manager = font_manager.fontManager
    if override:
        return _override_font(manager, override, probe)
    _register(manager, _fontconfig_files(":lang=zh"))
    chosen = _best(_preferred(manager.ttflist), probe)
    if chosen is None:
        _register(manager, _system_font_files())
        chosen = _best(_preferred(manager.ttflist), probe)
    if chosen is None:
        chosen = _best(sorted(manager.ttflist, key=lambda e: (e.name, *_face_order(e))), probe)
    if chosen is None:
        raise InputError(
            f"找不到能显示中文的字体 / no font with Chinese glyphs found (checked "
            f"{len(manager.ttflist)} font faces for {probe!r}): {_INSTALL_HINT}"
        )
    return chosen


def _override_font(manager: Any, path: str, probe: str) -> CJKFont:
    if not os.path.isfile(path):
        raise InputError(f"{FONT_ENV}={path}: no such font file; {_INSTALL_HINT}")
    real = os.path.realpath(path)
    if not any(os.path.realpath(e.fname) == real for e in manager.ttflist):
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError) as exc:
            raise InputError(f"{FONT_ENV}={path}: not a font matplotlib can read ({exc})") from exc
    faces = sorted((e for e in manager.ttflist if os.path.realpath(e.fname) == real),
                   key=lambda e: (e.index, e.name))
    preferred = _preferred(faces)
    chosen = _best(preferred + [e for e in faces if e not in preferred], probe)
    if chosen is None:
        missing = _missing_glyphs(path, faces[0].index, probe) if faces else probe
        raise InputError(
            f"{FONT_ENV}={path}: the font lacks glyphs for {missing!r}; choose a CJK font or "
            f"unset it. {_INSTALL_HINT}"
        )
    return chosen


def _register(manager: Any, paths: Iterable[str]) -> None:
    """Add to matplotlib's font list the files it does not know yet (unreadable ones skipped)."""
    known = {os.path.realpath(e.fname) for e in manager.ttflist}
    for path in paths:
        if os.path.realpath(path) in known:
            continue
        try:
            manager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # not a font FreeType reads: skip it
            continue
        known.add(os.path.realpath(path))


def _weight(entry: FontEntry) -> int:
    from matplotlib.font_manager import weight_dict

    w = entry.weight
    return w if isinstance(w, int) else int(weight_dict.get(str(w), 400))


def _face_order(entry: FontEntry) -> tuple[int, bool, str, int]:
    return (abs(_weight(entry) - 400), entry.style != "normal", entry.fname, entry.index)


def _preferred(entries: Iterable[FontEntry]) -> list[FontEntry]:
    rank = {name.casefold(): i for i, name in enumerate(CJK_FAMILIES)}
    chosen = [e for e in entries if e.name.casefold() in rank]
    return sorted(chosen, key=lambda e: (rank[e.name.casefold()], *_face_order(e)))


def _best(entries: Iterable[FontEntry], probe: str) -> CJKFont | None:
    """The first face (in the given order) with every glyph, TrueType outlines before CFF."""
    fonts = [
        CJKFont(family=e.name, path=str(e.fname), face_index=int(e.index),
                truetype=_is_truetype(str(e.fname), int(e.index)))
        for e in entries
        if str(e.fname).lower().endswith(_FONT_SUFFIXES) and not _PLACEHOLDER_FONT.search(e.name)
        and not _missing_glyphs(e.fname, e.index, probe)
    ]
    return min(fonts, key=lambda f: not f.truetype, default=None)


@functools.lru_cache(maxsize=256)
def _is_truetype(path: str, face_index: int) -> bool:
    from fontTools.ttLib import TTFont, TTLibError

    try:
        with TTFont(path, fontNumber=face_index, lazy=True) as font:
            return "glyf" in font
    except (OSError, TTLibError):
        return False


@functools.lru_cache(maxsize=256)
def _missing_glyphs(path: str, face_index: int, text: str) -> str:
    """The characters of ``text`` (spaces aside) that the face has no glyph for."""
    from matplotlib import ft2font

    wanted = "".join(dict.fromkeys(c for c in text if not c.isspace()))
    try:
        face = ft2font.FT2Font(path, face_index=face_index)
    except (OSError, RuntimeError, ValueError):
        return wanted
    return "".join(c for c in wanted if face.get_char_index(ord(c)) == 0)


def _fontconfig_files(pattern: str) -> list[str]:
    """Font files fontconfig matches (``fc-list PATTERN``); none without fontconfig."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        out = subprocess.run([fc_list, pattern, "--format=%{file}\\n"], capture_output=True, text=True,
                             timeout=30, check=False).stdout
    except (OSError, subprocess.SubprocessError):  # fontconfig broken: the font folders remain
        return []
    return sorted({p.strip() for p in out.splitlines() if p.strip().lower().endswith(_FONT_SUFFIXES)})


def _system_font_files() -> list[str]:
    """Every font file in the system folders and in the environment's ``fonts`` folder (conda)."""
    from matplotlib import font_manager

    prefixes = {os.environ.get("CONDA_PREFIX", ""), sys.prefix}
    dirs = [d for d in (os.path.join(p, "fonts") for p in sorted(prefixes) if p) if os.path.isdir(d)]
    paths = [*font_manager.findSystemFonts(fontpaths=dirs)] if dirs else []
    paths += font_manager.findSystemFonts()
    return sorted({p for p in paths if p.lower().endswith(_FONT_SUFFIXES)})


# --------------------------------------------------------------------------------------------
# The timeline figure


@dataclass(frozen=True, slots=True)
class _Lane:
    """One lane ready to draw: times are matplotlib date numbers (days)."""

    label: str
    total: int
    instants: np.ndarray
    starts: np.ndarray
    ends: np.ndarray
    marked: tuple[tuple[int, np.ndarray, np.ndarray, np.ndarray], ...]  # (rank, instants, s, e)
    binned: bool


@dataclass(frozen=True, slots=True)
class _Finding:
    evidence_ids: tuple[str, ...]
    kind: str
    severity: str
    rank: int
    #: The time sources the finding compared (``Finding.sources``); empty: every row of its
    #: evidence is marked.
    sources: tuple[str, ...] = ()


def _text(lang: str, zh: str, en: str) -> str:
    return {"both": f"{zh} / {en}", "zh": zh}.get(lang, en)


def timeline_figure(df: pd.DataFrame, *, findings: Any = None, title: str | None = None,
                    lang: str = "both") -> Figure:
    """Draw a timeline table as lanes of instants (dots) and intervals (bars), findings marked.

    Parameters
    ----------
    df : pandas.DataFrame
        The timeline (:func:`forensics.timeline.build_timeline`): columns ``earliest``,
        ``latest`` and ``lane`` are required, ``utc`` is used when present (an empty ``utc``
        with ``earliest`` before ``latest`` is an interval), ``evidence_id`` is required when
        ``findings`` are given.  Times are aware datetimes or ISO 8601 strings.
    findings : iterable or pandas.DataFrame, optional
        Objects with attributes ``evidence_ids`` (ids, or refs with an ``evidence_id``),
        ``kind`` and ``severity``, or a DataFrame with those columns (``evidence_ids`` may be a
        list or a comma-separated string; a single ``evidence_id`` column is accepted too).
        Every event of the evidence a finding concerns is ringed in the colour of its most
        severe finding.
    title : str, optional
        The figure title; by default "案件时间线 / Case timeline".
    lang : {"both", "zh", "en"}
        ``"both"`` (the default): labels in Chinese then English; ``"zh"``: Chinese only;
        ``"en"``: English only (the ``lang`` of the notebooks and the appendix).

    Returns
    -------
    matplotlib.figure.Figure
        Drawn with the Agg renderer (``fig.canvas``); save it with :func:`save_figure`.

    Raises
    ------
    InputError
        A required column is missing, a time does not parse, an interval ends before it starts,
        a finding lacks an attribute, ``lang`` is unknown, or no CJK font is installed.

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.to_datetime(["2026-11-20T06:32:00Z", "2026-11-20T06:40:00Z"], utc=True)
    >>> df = pd.DataFrame({"utc": t, "earliest": t, "latest": t, "lane": ["邮件", "邮件"],
    ...                    "evidence_id": ["E0003", "E0003"]})
    >>> fig = timeline_figure(df, title="转发诽谤时间线")
    >>> fig.axes[0].get_title()
    '转发诽谤时间线'
    >>> [line.get_gid() for line in fig.axes[0].lines if line.get_gid()]
    ['instants:邮件']
    """
    import matplotlib

    if lang not in _LANGS:
        raise InputError(f"timeline figure: lang must be one of {', '.join(_LANGS)}, not {lang!r}")
    marks = _findings(findings)
    table, undated = _prepare(df, need_ids=bool(marks))
    font = cjk_font()
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update({"font.family": list(font.families), "font.size": 9,
                                    "axes.unicode_minus": False, "svg.hashsalt": "forensics"})
        if table is None or table.empty:
            return _empty_figure(font, title, lang, undated)
        return _draw(table, marks, font, title, lang, undated)


def _findings(findings: Any) -> list[_Finding]:
    import pandas as pd

    if findings is None:
        return []
    rows: Iterator[tuple[Any, Any, Any]]
    if isinstance(findings, pd.DataFrame):
        id_col = next((c for c in ("evidence_ids", "evidence_id") if c in findings.columns), None)
        missing = [c for c in ("kind", "severity") if c not in findings.columns]
        if id_col is None or missing:
            need = missing + ([] if id_col else ["evidence_ids"])
            raise InputError(f"findings table: missing column(s) {', '.join(need)} "
                             f"(has {', '.join(map(str, findings.columns))})")
        rows = ((r[id_col], r["kind"], r["severity"], r.get("sources"))
                for r in findings.to_dict("records"))
    else:
        def attrs() -> Iterator[tuple[Any, Any, Any]]:
            for i, f in enumerate(findings):
                lacking = [a for a in ("evidence_ids", "kind", "severity") if not hasattr(f, a)]
                if lacking:
                    raise InputError(f"findings[{i}] ({type(f).__name__}): has no attribute "
                                     f"{', '.join(lacking)}; a finding needs evidence_ids, kind, severity")
                yield (f.evidence_ids, f.kind, f.severity, getattr(f, "sources", None))
        rows = attrs()
    out = []
    for ids, kind, severity, sources in rows:
        sev = _plain(severity)
        srcs = _evidence_ids(sources) if isinstance(sources, str) else tuple(
            str(x) for x in (sources if isinstance(sources, tuple | list) else ()))
        out.append(_Finding(_evidence_ids(ids), _plain(kind), sev,
                            _SEVERITY_RANK.get(sev.lower(), 0), srcs))
    return out


def _row_ranks(g: Any, marks: list[_Finding]) -> Any:
    """Per row, the highest severity rank of the findings that concern it: its evidence, and
    (when a finding names the time sources it compared) one of those sources."""
    import pandas as pd

    ranks = pd.Series(float("nan"), index=g.index)
    sources = g["source"] if "source" in g.columns else pd.Series("", index=g.index)
    for f in marks:
        hit = g["evidence_id"].isin(f.evidence_ids)
        if f.sources:
            hit &= sources.isin(f.sources)
        else:  # about the file itself: its own times, not when it was acquired or stated
            hit &= ~sources.str.startswith(("custody:", "intake:"))
        ranks = ranks.where(~hit | (ranks >= f.rank), float(f.rank))
    return ranks


def _plain(value: Any) -> str:
    """An enum's value or the value itself, as text."""
    return str(getattr(value, "value", value))


def _evidence_ids(ids: Any) -> tuple[str, ...]:
    if ids is None or (isinstance(ids, float) and math.isnan(ids)):
        return ()
    if isinstance(ids, str):
        return tuple(x for x in re.split(r"[,;\s]+", ids) if x)
    if hasattr(ids, "evidence_id"):
        return (str(ids.evidence_id),)
    return tuple(str(getattr(x, "evidence_id", x)) for x in ids)


def _prepare(df: Any, *, need_ids: bool) -> tuple[pd.DataFrame | None, int]:
    """Columns lane, start, end (date numbers), instant, evidence_id; and the undated count."""
    import numpy as np
    import pandas as pd
    from matplotlib import dates as mdates

    if not isinstance(df, pd.DataFrame):
        raise InputError(f"timeline figure: expected a pandas DataFrame, got {type(df).__name__}")
    required = ["earliest", "latest", "lane"] + (["evidence_id"] if need_ids else [])
    missing = [c for c in required if c not in df.columns]
    if missing:
        raise InputError(f"timeline table: missing column(s) {', '.join(missing)} "
                         f"(has {', '.join(map(str, df.columns)) or 'none'})")
    if df.empty:
        return None, 0

    def times(name: str) -> pd.Series:
        col = df[name] if name in df.columns else pd.Series(pd.NaT, index=df.index)
        try:
            s = pd.to_datetime(col, utc=True, format="ISO8601")
        except (ValueError, TypeError) as exc:
            raise InputError(f"timeline table, column {name!r}: not a time ({exc})") from exc
        return s.dt.tz_convert("UTC").dt.tz_localize(None)

    utc, earliest, latest = times("utc"), times("earliest"), times("latest")
    earliest = earliest.fillna(utc).fillna(latest)
    latest = latest.fillna(utc).fillna(earliest)
    bad = earliest.notna() & (latest < earliest)
    if bad.any():
        i = int(np.flatnonzero(bad.to_numpy())[0])
        who = f", evidence {df['evidence_id'].iloc[i]}" if "evidence_id" in df.columns else ""
        raise InputError(f"timeline table, row {i}{who}: interval ends before it starts "
                         f"(earliest={earliest.iloc[i]}Z latest={latest.iloc[i]}Z)")
    instant = utc.notna() | (earliest == latest)
    start = utc.where(utc.notna(), earliest)
    end = utc.where(utc.notna(), latest)
    dated = start.notna().to_numpy()
    lanes = df["lane"].astype("string").fillna("(未知 / unknown)").str.strip().replace("", "(空 / empty)")
    ids = df["evidence_id"].astype("string").fillna("") if "evidence_id" in df.columns else ""
    src = df["source"].astype("string").fillna("") if "source" in df.columns else ""
    table = pd.DataFrame({
        "lane": lanes.to_numpy(dtype=object),
        "start": mdates.date2num(start.to_numpy(dtype="datetime64[ns]")),
        "end": mdates.date2num(end.to_numpy(dtype="datetime64[ns]")),
        "instant": instant.to_numpy(dtype=bool),
        "evidence_id": ids if isinstance(ids, str) else ids.to_numpy(dtype=object),
        "source": src if isinstance(src, str) else src.to_numpy(dtype=object),
    })[dated].reset_index(drop=True)
    return table, int((~dated).sum())


class _Writer:
    """Makes text drawable: a character neither font has becomes ``<U+XXXX>``, never a box."""

    def __init__(self, font: CJKFont) -> None:
        from matplotlib import font_manager

        self.font = font
        self.fallback = str(font_manager.findfont(font_manager.FontProperties(family=_FALLBACK_FAMILY)))
        self.replaced: set[str] = set()

    def __call__(self, text: str) -> str:
        missing = _missing_glyphs(self.font.path, self.font.face_index, text)
        if missing:
            missing = _missing_glyphs(self.fallback, 0, missing)
        if not missing:
            return text
        self.replaced.update(missing)
        return "".join(f"<U+{ord(c):04X}>" if c in missing else c for c in text)


def _label(text: str) -> str:
    return text if len(text) <= _MAX_LABEL else text[: _MAX_LABEL - 1] + "…"


def _lanes(table: pd.DataFrame, marks: list[_Finding], lang: str, lo: float, hi: float,
           write: _Writer) -> list[_Lane]:

    counts = table.groupby("lane", sort=True).size()
    if len(counts) > MAX_LANES:
        keep = set(sorted(counts.index, key=lambda k: (-counts[k], k))[: MAX_LANES - 1])
        others = len(counts) - len(keep)
        merged = _text(lang, f"其他 {others} 条泳道", f"{others} other lanes")
        table = table.assign(lane=table["lane"].where(table["lane"].isin(keep), merged))
    firsts = table.groupby("lane", sort=True)["start"].min()
    order = sorted(firsts.index, key=lambda k: (firsts[k], k))

    rank_of: dict[str, int] = {}
    for f in marks:
        for eid in f.evidence_ids:
            rank_of[eid] = max(rank_of.get(eid, -1), f.rank)
    groups = dict(tuple(table.groupby("lane", sort=False)))
    out = []
    for name in order:
        g = groups[name]
        inst = g["instant"].to_numpy()
        n_inst, n_int = int(inst.sum()), int((~inst).sum())
        binned = max(n_inst, n_int) > MAX_MARKS_PER_LANE
        instants, starts, ends = _reduce(g, inst, binned, lo, hi)
        marked = []
        if rank_of:
            ranks = _row_ranks(g, marks)
            for rank in sorted({int(r) for r in ranks.dropna()}, reverse=True):
                sel = (ranks == rank).to_numpy()
                sub = g[sel]
                sub_inst = inst[sel]
                big = max(int(sub_inst.sum()), int((~sub_inst).sum())) > MAX_MARKS_PER_LANE
                marked.append((rank, *_reduce(sub, sub_inst, big, lo, hi)))
        label = write(_label(str(name)))
        if binned:
            label += "\n" + _text(lang, f"{len(g)} 个事件，已按时间分箱", f"{len(g)} events, binned")
        out.append(_Lane(label, len(g), instants, starts, ends, tuple(marked), binned))
    return out


def _reduce(g: pd.DataFrame, inst: np.ndarray, binned: bool, lo: float,
            hi: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Instants, interval starts and ends of a lane: all of them, or merged into time bins."""
    import numpy as np

    x = g["start"].to_numpy()[inst]
    s = g["start"].to_numpy()[~inst]
    e = g["end"].to_numpy()[~inst]
    if not binned or hi <= lo:
        order = np.lexsort((e, s))
        return np.sort(x), s[order], e[order]
    width = (hi - lo) / TIME_BINS

    def index(v: np.ndarray) -> np.ndarray:
        return np.clip(((v - lo) / width).astype(np.int64), 0, TIME_BINS - 1)

    occupied = np.unique(index(x))
    x = lo + (occupied + 0.5) * width
    cover = np.zeros(TIME_BINS + 1, dtype=np.int64)
    np.add.at(cover, index(s), 1)
    np.add.at(cover, index(e) + 1, -1)
    on = np.concatenate(([False], np.cumsum(cover[:-1]) > 0, [False]))
    edges = np.flatnonzero(on[1:] != on[:-1])
    first, last = edges[0::2], edges[1::2]
    return x, lo + first * width, lo + last * width


def _style_axes(ax: Axes, font: CJKFont) -> None:
    ax.tick_params(labelsize=8, labelfontfamily=list(font.families))
    # Create the first tick of each axis now, inside the drawing style: later ticks copy it.
    _ = ax.xaxis.get_major_ticks(1), ax.yaxis.get_major_ticks(1)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)


def _new_figure(height: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11.0, height), layout="constrained")
    FigureCanvasAgg(fig)
    return fig


def _footnote(ax: Axes, lines: list[str]) -> None:
    ax.annotate("\n".join(lines), xy=(0.0, 0.0), xycoords=("axes fraction", ax.xaxis.label),
                xytext=(0, -6), textcoords="offset points", ha="left", va="top", fontsize=7,
                color="#444444", annotation_clip=False)


def _empty_figure(font: CJKFont, title: str | None, lang: str, undated: int) -> Figure:
    fig = _new_figure(3.0)
    ax = fig.add_subplot()
    ax.set_axis_off()
    write = _Writer(font)
    ax.set_title(write(title) if title is not None else _text(lang, "案件时间线", "Case timeline"))
    ax.text(0.5, 0.5, _text(lang, "无事件", "no events"), ha="center", va="center", fontsize=14,
            color="#555555", transform=ax.transAxes, gid="no-events")
    if undated:
        ax.text(0.5, 0.3, _text(lang, f"{undated} 行没有时间，未绘制", f"{undated} rows without a time"),
                ha="center", va="center", fontsize=8, color="#555555", transform=ax.transAxes)
    return fig


def _draw(table: pd.DataFrame, marks: list[_Finding], font: CJKFont, title: str | None, lang: str,
          undated: int) -> Figure:
    from matplotlib import dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    lo, hi = float(table["start"].min()), float(table["end"].max())
    write = _Writer(font)
    lanes = _lanes(table, marks, lang, lo, hi, write)
    n = len(lanes)
    fig = _new_figure(max(3.4, 1.9 + 0.45 * n + 0.15 * sum(lane.binned for lane in lanes)))
    ax = fig.add_subplot()
    _style_axes(ax, font)

    for y, lane in enumerate(lanes):
        color = _LANE_COLORS[y % len(_LANE_COLORS)]
        ax.axhline(y, color="#dddddd", linewidth=0.6, zorder=0)
        if len(lane.starts):
            ax.broken_barh(list(zip(lane.starts, lane.ends - lane.starts, strict=True)), (y - 0.22, 0.44),
                           facecolors=color, edgecolors=color, alpha=0.45, linewidth=0.8, zorder=2,
                           gid=f"intervals:{lane.label}")
        if len(lane.instants):
            ax.plot(lane.instants, [y] * len(lane.instants), linestyle="none", marker="o",
                    markersize=5, color=color, zorder=3, gid=f"instants:{lane.label}")
        for rank, instants, starts, ends in lane.marked:
            mark = _SEVERITY_COLOR[rank]
            if len(starts):
                ax.broken_barh(list(zip(starts, ends - starts, strict=True)), (y - 0.32, 0.64),
                               facecolors="none", edgecolors=mark, linewidth=1.6, zorder=4,
                               gid=f"finding-intervals:{rank}:{lane.label}")
            if len(instants):
                ax.plot(instants, [y] * len(instants), linestyle="none", marker="o", markersize=11,
                        markerfacecolor="none", markeredgecolor=mark, markeredgewidth=1.6, zorder=4,
                        gid=f"finding-instants:{rank}:{lane.label}")

    ax.set_yticks(range(n), [lane.label for lane in lanes])
    ax.set_ylim(n - 0.5, -0.5)
    span = hi - lo
    pad = span * 0.04 if span > 0 else 1 / 24
    ax.set_xlim(lo - max(pad, 1 / 1440), hi + max(pad, 1 / 1440))
    locator = mdates.AutoDateLocator(tz="UTC", minticks=4, maxticks=9)
    formatter = mdates.ConciseDateFormatter(
        locator, tz="UTC",
        formats=["%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M:%S", "%S.%f"],
        zero_formats=["", "%Y", "%Y-%m", "%m-%d", "%H:%M", "%H:%M:%S"],
        offset_formats=["", "%Y", "%Y-%m", "%Y-%m-%d", "%Y-%m-%d", "%Y-%m-%d %H:%M"],
    )
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(formatter)
    ax.xaxis.get_offset_text().set_fontfamily(list(font.families))
    ax.grid(axis="x", color="#cccccc", linewidth=0.5, zorder=0)
    ax.set_xlabel(_text(lang, "时间 (UTC)", "Time (UTC)"))
    ax.set_ylabel(_text(lang, "来源或行为人", "Source or actor"))
    ax.set_title(write(title) if title is not None else _text(lang, "案件时间线", "Case timeline"))

    handles = [
        Line2D([], [], linestyle="none", marker="o", markersize=5, color="#555555",
               label=_text(lang, "时刻", "instant")),
        Patch(facecolor="#555555", alpha=0.45, edgecolor="#555555",
              label=_text(lang, "区间 (只知上下界)", "interval (bounds only)")),
    ]
    drawn = set(table["evidence_id"]) if marks else set()
    for rank in sorted({f.rank for f in marks}, reverse=True):
        group = [f for f in marks if f.rank == rank]
        severities = write(", ".join(dict.fromkeys(f.severity for f in group)))
        kinds = list(dict.fromkeys(f.kind for f in group))
        shown = ", ".join(write(_label(k)) for k in kinds[:3])
        if len(kinds) > 3:
            shown += f" (+{len(kinds) - 3})"
        handles.append(Line2D([], [], linestyle="none", marker="o", markersize=10, markerfacecolor="none",
                              markeredgecolor=_SEVERITY_COLOR[rank], markeredgewidth=1.6,
                              label=_text(lang, f"发现（{_SEVERITY_ZH[rank]}）", f"finding ({severities})")
                              + f": {shown}"))
    ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0,
              frameon=False, prop=font.properties(7))

    total = len(table)
    zh = [f"共 {total} 个事件，{n} 条泳道；圆点为时刻，横条为区间 (只知其上下界)。"]
    en = [f"{total} events in {n} lanes; dots are instants, bars are intervals (only their bounds known)."]
    if undated:
        zh.append(f"{undated} 行没有时间，未绘制。")
        en.append(f"{undated} rows without a time are not drawn.")
    unmatched = sum(1 for f in marks if not set(f.evidence_ids) & drawn)
    if unmatched:
        zh.append(f"{unmatched} 项发现涉及的证据不在图中。")
        en.append(f"{unmatched} finding(s) concern evidence not in the figure.")
    if write.replaced:
        zh.append(f"{len(write.replaced)} 个字符字体不能显示，写作 <U+编码>。")
        en.append(f"{len(write.replaced)} characters no font can draw are written as <U+code>.")
    notes = ([" ".join(zh)] if lang != "en" else []) + ([" ".join(en)] if lang != "zh" else [])
    notes.append(f"forensics {__version__}")
    _footnote(ax, notes)
    return fig


# --------------------------------------------------------------------------------------------
# Saving


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = _DPI) -> Path:
    """Write a figure as PNG, PDF or SVG (by the suffix), fonts embedded, bytes reproducible.

    A PDF embeds subsets of the fonts as TrueType (``pdf.fonttype`` 42: the text stays
    selectable and searchable) when the CJK font of :func:`cjk_font` has TrueType outlines;
    a CFF-outline font (Noto Sans CJK, Source Han Sans) would be written as an invalid
    TrueType font by matplotlib (its issue 20870), so its glyphs are embedded as Type 3
    procedures instead (drawn exactly, not searchable).  An SVG draws the glyphs as paths
    (readable without the font).  No software stamp or creation date is written and the SVG
    ids use a fixed salt, so the same figure gives the same bytes.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    path : str or os.PathLike
        Ends in ``.png``, ``.pdf`` or ``.svg``; the folder must exist.
    dpi : int
        Resolution of the PNG (and of any raster part of PDF/SVG).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    InputError
        Unknown suffix, or the folder does not exist.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> t = pd.to_datetime(["2026-11-20T06:32:00Z"], utc=True)
    >>> fig = timeline_figure(pd.DataFrame({"utc": t, "earliest": t, "latest": t, "lane": ["EXIF"]}))
    >>> out = save_figure(fig, pathlib.Path(tempfile.mkdtemp()) / "timeline.png")
    >>> out.read_bytes()[:4]
    b'\\x89PNG'
    """
    target = Path(path)
    fmt = _SAVE_FORMATS.get(target.suffix.lower())
    if fmt is None:
        raise InputError(f"{target}: cannot save a figure as {target.suffix or '(no suffix)'!r}; "
                         f"use one of {', '.join(_SAVE_FORMATS)}")
    if not target.parent.is_dir():
        raise InputError(f"{target}: folder {target.parent} does not exist")
    with _saving():
        fig.savefig(target, format=fmt, dpi=dpi, metadata=dict(_METADATA[fmt]), facecolor="white")
    return target


@contextlib.contextmanager
def _saving() -> Iterator[None]:
    """matplotlib's defaults and our font embedding, while a figure is saved."""
    import matplotlib

    embed = 42 if cjk_font().truetype else 3
    with matplotlib.rc_context():
        matplotlib.rcdefaults()
        matplotlib.rcParams.update({"pdf.fonttype": embed, "ps.fonttype": embed,
                                    "svg.fonttype": "path", "svg.hashsalt": "forensics"})
        yield


# --------------------------------------------------------------------------------------------
# Figures kept in a case

#: Where :class:`KeptFigures` keeps figures, under the case's ``derived`` folder.
FIGURES_DIR = "figures"


def frame_digest(df: pd.DataFrame) -> str:
    """SHA-256 of a table's columns, their types and every value (pandas' stable per-row hash,
    index included): what a figure drawn from it depends on.

    >>> import pandas as pd
    >>> a = pd.DataFrame({"x": [1, 2], "y": ["甲", "乙"]})
    >>> frame_digest(a) == frame_digest(a.copy()), frame_digest(a) == frame_digest(a.iloc[::-1])
    (True, False)
    """
    import hashlib

    import pandas as pd

    h = hashlib.sha256(repr([(str(c), str(t)) for c, t in df.dtypes.items()]).encode())
    try:
        h.update(pd.util.hash_pandas_object(df, index=True).to_numpy().tobytes())
    except TypeError:  # a column of unhashable values (lists): their text instead
        h.update(df.to_json(orient="split", date_format="iso", default_handler=repr).encode())
    return h.hexdigest()


@functools.lru_cache(maxsize=32)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    import hashlib

    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def source_sha256(*modules: str) -> str:
    """SHA-256 of the source files of ``modules`` (``"forensics.figures"``): the code a kept
    result was made by, so that a change of it between two releases makes it again."""
    import hashlib
    import importlib.util

    h = hashlib.sha256()
    for name in modules:
        spec = importlib.util.find_spec(name)
        origin = spec.origin if spec is not None else None
        if origin and os.path.isfile(origin):
            st = os.stat(origin)
            h.update(_file_sha256(origin, st.st_size, st.st_mtime_ns).encode())
        else:  # no source to read (a frozen build): the version alone says it
            h.update(f"{name}=={__version__}".encode())
    return h.hexdigest()


def drawing_fingerprint() -> dict[str, str]:
    """What drawing a figure depends on besides its data: this package (its version and the
    source of its drawing code), matplotlib and the CJK font file (its SHA-256)."""
    import matplotlib

    font = cjk_font()
    st = os.stat(font.path)
    return {"forensics": __version__, "matplotlib": matplotlib.__version__,
            "code": source_sha256("forensics.figures", "forensics.spread_figures",
                                  "forensics.spread"),
            "font": f"{font.family}#{font.face_index}",
            "font_sha256": _file_sha256(font.path, st.st_size, st.st_mtime_ns)}


class KeptFigures:
    """PNG figures kept in a case (``derived/figures/<key>.png``) so that the same figure is
    drawn once: a figure is a pure function of its inputs, so ``key`` (a SHA-256 of every
    input, :func:`drawing_fingerprint` among them) names it.

    A kept file is used only when the custody log names it (a ``derived`` entry, what
    ``figures``) with the SHA-256 it still has; else the figure is drawn again.  Figures drawn
    here are written and logged by :meth:`log` (one entry for all), and only when ``record``.

    Examples
    --------
    >>> import tempfile, pathlib, pandas as pd
    >>> from forensics.case import Case
    >>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "c")
    >>> t = pd.to_datetime(["2026-11-20T06:32:00Z"], utc=True)
    >>> draw = lambda: timeline_figure(pd.DataFrame({"utc": t, "earliest": t, "latest": t,
    ...                                               "lane": ["EXIF"]}))
    >>> kept = KeptFigures(case, record=True)
    >>> png = kept.png("a" * 64, draw)
    >>> kept.drawn, kept.log().details["what"]
    (1, 'figures')
    >>> again = KeptFigures(case, record=True)
    >>> again.png("a" * 64, draw) == png, again.drawn, again.log()
    (True, 0, None)
    """

    def __init__(self, case: Any, *, record: bool) -> None:
        self.case = case
        self.record = record
        case.refresh()  # the figures logged so far (by this or another process)
        self.drawn = 0
        self._new: dict[str, str] = {}  # path in the case -> SHA-256 of the bytes written

    def png(self, key: str, draw: Any) -> bytes:
        """The PNG bytes of the figure ``draw()`` makes, kept under ``key`` (64 hex digits)."""
        import hashlib
        import io

        if not re.fullmatch(r"[0-9a-f]{64}", key):
            raise InputError(f"a kept figure's key must be 64 hex digits, not {key!r}")
        name = f"{key}.png"
        folder = self.case.root / "derived" / FIGURES_DIR
        logged = self.case._state.figures.get(f"derived/{FIGURES_DIR}/{name}")
        if logged is not None:
            try:
                data = (folder / name).read_bytes()
            except OSError:
                data = None
            if data is not None and hashlib.sha256(data).hexdigest() == logged:
                return data
        fig = draw()
        buf = io.BytesIO()
        with _saving():
            fig.savefig(buf, format="png", dpi=_DPI, metadata=dict(_METADATA["png"]),
                        facecolor="white")
        data = buf.getvalue()
        self.drawn += 1
        if self.record:
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            try:
                folder.mkdir(parents=True, exist_ok=True)
                tmp.write_bytes(data)
                os.replace(tmp, folder / name)
            except OSError:  # not kept (a full disk): drawn again next time, nothing logged
                with contextlib.suppress(OSError):
                    tmp.unlink()
            else:
                self._new[f"derived/{FIGURES_DIR}/{name}"] = hashlib.sha256(data).hexdigest()
        return data

    def log(self) -> Any:
        """Log the figures drawn and kept since the last call (one ``export`` entry); the entry,
        or ``None`` when there were none."""
        if not self._new:
            return None
        files, self._new = self._new, {}
        try:
            return self.case.log_derived("figures", files)
        except (OSError, ForensicsError):  # not logged (a log that cannot be written to):
            return None  # the files are never trusted, and are drawn again next time

