"""What the litigation appendix says, before it is drawn: one content model for HTML and PDF.

:func:`build_appendix` reads a case once and returns an :class:`Appendix`: nine
:class:`Section` objects made of a handful of frozen block types (:class:`Para`,
:class:`Heading`, :class:`Table`, :class:`Pre`, :class:`Items`, :class:`Picture`,
:class:`Exhibit`, :class:`Box`).  :mod:`forensics.appendix_html` and
:mod:`forensics.appendix_pdf` only draw it, so the two files cannot say different things.

Text comes in two kinds that the renderers treat differently:

- our own words are :class:`Say` (Chinese and English; the renderer picks by language);
- everything read from the evidence or the case is a plain ``str``: attacker-written, so the
  renderers escape it and show invisible or direction-changing characters as visible markers.

A run of text (a paragraph, a table cell) is a :data:`Span`: a tuple of ``str``, :class:`Say`
and :class:`Mark` pieces.

Examples
--------
>>> cell = ("SHA-256 ", Mark("ab" * 32, "hash"))
>>> Para((Say("结果", "result"), "：", Mark("passed", "bold"))).style
'p'
>>> plain_text(("a", Say("甲", "A"), Mark("x", "code")), "both")
'a甲 / Ax'
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import platform
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, TypeAlias
from zoneinfo import ZoneInfo

from forensics.errors import InputError
from forensics.figures import KeptFigures

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case, Item

__all__ = [
    "DEPENDENCIES",
    "LANGS",
    "MAX_EXHIBIT_CHARS",
    "MAX_FIGURE_POSTS",
    "SECTIONS",
    "Appendix",
    "Block",
    "Box",
    "Exhibit",
    "FrameSampler",
    "Heading",
    "Items",
    "Mark",
    "Para",
    "Picture",
    "Pre",
    "Say",
    "Section",
    "Span",
    "Table",
    "build_appendix",
    "flag_note",
    "plain_text",
    "pseudonymized_frame",
    "say_text",
]


@dataclass(frozen=True, slots=True)
class Say:
    """Our own words, in Chinese and English (never data from the evidence)."""

    zh: str
    en: str


#: How a :class:`Mark` is drawn.
#:
#: - ``code``: a file name, path or command, in a fixed-width face;
#: - ``hash``: a digest, fixed-width and allowed to break anywhere;
#: - ``bold``, ``missing`` (a warning colour), ``unreached`` (a mark not reached, greyed);
#: - ``ref``: a finding's reference (``F3``); with ``target`` it is also the anchor it names;
#: - ``anchor``: the place ``target`` names (a finding's id), drawn like ``ref``;
#: - ``pageref``: a pointer to the exhibit ``target`` (``ex-E0001``): the HTML links to it with
#:   the mark's text, the PDF prints the page the exhibit begins on.
MarkStyle: TypeAlias = Literal["code", "hash", "bold", "missing", "unreached", "ref", "anchor",
                               "pageref"]


@dataclass(frozen=True, slots=True)
class Mark:
    """A piece of text drawn in a particular way; ``text`` is a ``str`` (data) or :class:`Say`."""

    text: str | Say
    style: MarkStyle
    target: str = ""


#: A run of text: data (``str``), our words (:class:`Say`) and marked pieces, in order.  A
#: ``"\n"`` inside a ``str`` piece is a line break (several values in one table cell).
Span: TypeAlias = tuple["str | Say | Mark", ...]


@dataclass(frozen=True, slots=True)
class Para:
    """A paragraph.  ``notice`` is the boxed warning (not a judicial appraisal), ``missing`` a
    statement that something is absent or failed, ``flag`` the note on invisible characters."""

    content: Span
    style: Literal["p", "notice", "missing", "flag"] = "p"


@dataclass(frozen=True, slots=True)
class Heading:
    """A heading inside a section (the sections' own headings are :attr:`Section.heading`)."""

    text: Say


#: Which table it is: the PDF picks column widths and font size by it.
TableKind: TypeAlias = Literal["kv", "evidence-list", "anchors", "hashes", "findings", "timeline",
                               "spread", "variants", "factors", "versions", "params", "digests",
                               "attestations", "plain"]


@dataclass(frozen=True, slots=True)
class Table:
    """A table.  ``kind="kv"`` has no header: each row is (label, value), the label drawn as a
    header cell.  Other tables repeat their header on every page they run over."""

    header: tuple[Span, ...]
    rows: tuple[tuple[Span, ...], ...]
    kind: TableKind = "plain"


@dataclass(frozen=True, slots=True)
class Pre:
    """Text as captured, line breaks kept (data: escaped and flagged)."""

    text: str


@dataclass(frozen=True, slots=True)
class Items:
    """A list of spans, numbered or not."""

    entries: tuple[Span, ...]
    ordered: bool = False


@dataclass(frozen=True, slots=True)
class Picture:
    """An image with its caption.

    ``data`` is either the stored original's own bytes (``source="original"``: never
    re-encoded; ``media_type`` from its signature) or a PNG we made (``"figure"``, ``"frame"``),
    whose SHA-256 the caption names.
    """

    data: bytes
    media_type: str
    alt: str
    caption: tuple[Span, ...] = ()
    source: Literal["original", "figure", "frame"] = "figure"


@dataclass(frozen=True, slots=True)
class Exhibit:
    """One evidence item shown: the place the 证据目录's 页码 points to (``anchor``)."""

    anchor: str
    title: Span
    body: tuple[Block, ...]
    caption: tuple[Span, ...]


@dataclass(frozen=True, slots=True)
class Box:
    """Blocks set apart and drawn differently: ``inference`` holds the software's findings,
    kept apart from the facts."""

    title: Say
    body: tuple[Block, ...]
    style: Literal["inference"] = "inference"
    anchor: str = ""


Block: TypeAlias = "Para | Heading | Table | Pre | Items | Picture | Exhibit | Box"


@dataclass(frozen=True, slots=True)
class Section:
    """One of the nine numbered sections."""

    id: str
    number: int
    heading: Say
    blocks: tuple[Block, ...]


@dataclass(frozen=True, slots=True)
class Appendix:
    """The whole appendix, ready to draw.

    ``flags`` counts the invisible or direction-changing characters in the data text, by code
    point (``("U+202E", 2)``), in code-point order; ``lang`` is ``zh``, ``en`` or ``both``;
    ``head`` is the custody head it was made from (``(seq, entry_sha256)``), ``None`` for an
    empty log; ``params`` the parameters it was made with, for the export's log entry.
    """

    lang: str
    title: str
    case_number: str
    heading: Say
    notice: Say
    sections: tuple[Section, ...]
    flags: tuple[tuple[str, int], ...]
    head: tuple[int, str] | None
    params: tuple[tuple[str, str], ...] = field(default=())


def say_text(s: Say, lang: str, sep: str = " / ") -> str:
    """Our words in ``lang``: ``zh``, ``en``, or both joined by ``sep``.

    >>> say_text(Say("甲", "A"), "en"), say_text(Say("甲", "A"), "both")
    ('A', '甲 / A')
    """
    if lang == "zh":
        return s.zh
    if lang == "en":
        return s.en
    return s.zh if s.zh == s.en else f"{s.zh}{sep}{s.en}"


def plain_text(span: Sequence[str | Say | Mark], lang: str) -> str:
    """A span as plain text (no escaping, no markers): for searching and for tests."""
    out = []
    for piece in span:
        if isinstance(piece, Mark):
            piece = piece.text
        out.append(say_text(piece, lang) if isinstance(piece, Say) else piece)
    return "".join(out)


# --- what the appendix says ----------------------------------------------------------------------

#: The languages of an appendix: Chinese, English, or Chinese then English.
LANGS = ("zh", "en", "both")
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

#: What a caller passes to take frames of a recording: ``(case, item)`` to ``(seconds, PNG
#: bytes)`` pairs; it raises :class:`~forensics.errors.InputError` when it cannot.
FrameSampler: TypeAlias = "Callable[[Case, Item], Sequence[tuple[float, bytes]]]"

_HEADING = Say("诉讼附录", "Litigation appendix")
_NOTICE = Say("本附录为一方当事人自行委托的分析，不是司法鉴定意见",
              "A party's own analysis, not a judicial appraisal (鉴定意见)")
_SPREAD_WORDING = Say("计数与时间仅对照参考标准列出，不构成法律结论",
                      "counts and times against the reference marks, not a legal conclusion")
#: Our own sentences, Chinese and English, with ``{}`` fields filled by :func:`_say`.
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
    "no_frames": ("未能从录像中取出画面", "no frames could be taken from the recording"),
    "frame": ("画面，时间", "frame at"),
    "frame_source": ("取自录像，其 SHA-256 为", "taken from the recording with SHA-256"),
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
    "tools": ("{k}/{n} 件证据写明取证工具：", "{k}/{n} items name the capture tool: "),
    "verified": ("各证据的哈希值（SHA-256、SM3、MD5）齐全；最近一次核验（记录序号 {seq}）"
                 "结果：{status}，重新计算 {items} 件、检查保管记录 {entries} 条",
                 "digests (SHA-256, SM3, MD5) for every item; latest verification (entry {seq}): "
                 "{status}, {items} items re-hashed, {entries} custody entries checked"),
    "unverified": ("{n} 件证据有哈希值，但本案从未核验",
                   "{n} items have digests, but the case was never verified"),
    "carriers": ("{k}/{n} 件写明原始载体情况，其中 {c} 件为无原始载体的复制件",
                 "{k}/{n} items state their carrier; {c} are copies without an original carrier"),
    "entries": ("保管记录 {n} 条（导出记录除外）", "{n} custody entries (exports aside)"),
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
}

#: Characters that are invisible or change the direction of text: counted in
#: :attr:`Appendix.flags`, drawn as visible markers such as ``⟦U+202E⟧``.
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff\u061c\u2060-\u2064\u2028\u2029"
    "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _say(key: str, **kw: object) -> Say:
    """A sentence of :data:`_MSG` with its fields filled (numbers and states we computed)."""
    zh, en = _MSG[key]
    return Say(zh.format(**kw), en.format(**kw))


def _txt(v: object) -> str:
    """A value as data text: ``None`` as "", anything else by ``str``."""
    return "" if v is None else str(v)


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


def _utc_column(col: pd.Series) -> list[str]:
    """:func:`_utc` of every value of a column, computed on the whole column at once.

    >>> import pandas as pd
    >>> _utc_column(pd.Series(pd.to_datetime(["2026-01-02T03:04:05.5+08:00", None], utc=True)))
    ['2026-01-01 19:04:05.500000Z', '']
    >>> _utc_column(pd.Series(pd.to_datetime(["1500-01-01T00:00:00.25Z"], utc=True).as_unit("us")))
    ['1500-01-01 00:00:00.250000Z']
    """
    import numpy as np
    import pandas as pd

    t = pd.to_datetime(col, utc=True, errors="coerce")
    # in the column's own unit, whatever it is (numpy's casts round down: a time before 1970
    # keeps its own second; no cast to nanoseconds, which would not hold the year 1500)
    own = t.dt.tz_localize(None).to_numpy()
    missing = np.isnat(own).tolist()
    micro = (own.astype("datetime64[us]").view("int64") % 1_000_000).tolist()
    base = np.datetime_as_string(own.astype("datetime64[s]"), unit="s").tolist()
    return ["" if m else f"{b[:10]} {b[11:]}.{u:06d}Z" if u else f"{b[:10]} {b[11:]}Z"
            for b, u, m in zip(base, micro, missing, strict=True)]


def _texts(col: pd.Series) -> list[str]:
    """:func:`_s` of every value of a column (text columns without a call per value).

    >>> import pandas as pd
    >>> _texts(pd.Series(["a", None], dtype=object)), _texts(pd.Series([3.0, 2.5, None]))
    (['a', ''], ['3', '2.5', ''])
    """
    from pandas.api.types import infer_dtype

    if str(col.dtype) in ("str", "string") or infer_dtype(col, skipna=True) in ("string",
                                                                                 "empty"):
        return col.where(col.notna(), "").astype(object).tolist()
    return [_s(v) for v in col.tolist()]


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


def _clock(seconds: float) -> str:
    """A position in a recording as ``mm:ss`` (``mm:ss.fff`` when not on a whole second).

    >>> _clock(5.0), _clock(125.5), _clock(3725)
    ('00:05', '02:05.500', '62:05')
    """
    ms = round(seconds * 1000)
    m, rest = divmod(ms, 60_000)
    s, frac = divmod(rest, 1000)
    return f"{m:02d}:{s:02d}" + (f".{frac:03d}" if frac else "")


def _kv(rows: Iterable[tuple[Span, Span]]) -> Table:
    return Table(header=(), rows=tuple((a, b) for a, b in rows), kind="kv")


def _head(*names: Say) -> tuple[Span, ...]:
    return tuple((n,) for n in names)


#: Custody actions that change nothing the appendix states (files written from the case, data
#: kept for reuse): the appendix is made from the last entry of another action.
_NOT_STATED = frozenset({"export", "derived"})


def build_appendix(case: Case, *, lang: str = "both", groups: Mapping[str, str] | None = None,
                   pseudonymize: Callable[[str], str] | None = None,
                   frames: FrameSampler | None = None, parties: Sequence[str] = (),
                   progress: bool | None = None, record: bool | None = None) -> Appendix:
    """What the appendix of ``case`` says: the nine sections, ready for a renderer to draw.

    Parameters
    ----------
    case : forensics.case.Case
    lang : {"both", "zh", "en"}
        Chinese then English (default), Chinese only, or English only.  Our words are
        :class:`Say` either way; ``lang`` picks the findings' explanations, the figures' labels
        and what :attr:`Appendix.lang` tells the renderer.
    groups : mapping, optional
        Evidence number to group label, as :func:`forensics.appendix.evidence_list` takes it.
    pseudonymize : callable, optional
        Applied to every piece of data text in the finished model (never to :class:`Say`, never
        to a digest); the identity when not given.
    frames : callable, optional
        ``frames(case, item)`` gives ``(seconds, PNG bytes)`` pairs for a recording, shown in
        its exhibit as :class:`Picture` ``source="frame"``; an
        :class:`~forensics.errors.InputError` it raises is shown as a ``missing`` paragraph.
    parties : sequence of str
        The parties as the cover names them (``"原告：张三"``), in order; the case folder does
        not record them.
    progress : bool, optional
        Progress bars while parsing and analysing.
    record : bool, optional
        Keep and log parses made on the way (as :func:`~forensics.artifacts.ensure_parsed`),
        and the parsed tables and spread figures made (``derived`` entries, reused by the next
        appendix: :class:`~forensics.figures.KeptFigures`); ``False`` writes nothing into the
        case.

    Returns
    -------
    Appendix
        Equal (``==``) for the same case, version and parameters.  Items not parsed yet are
        parsed first (and the parse logged, when the case is writable), so the model names the
        custody head it was made from.

    Raises
    ------
    InputError
        ``lang`` is not one of :data:`LANGS`, ``groups`` names an unknown item, or ``frames``
        returned something that is not PNG data.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from forensics.case import Case
    >>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "c", title="示例", case_number="1号")
    >>> a = build_appendix(case, lang="en")
    >>> [s.id for s in a.sections][:3], a.flags, a.params[:3]
    (['cover', 'evidence-list', 'exhibits'], (), (('lang', 'en'), ('groups', '—'), \
('pseudonymize', 'no')))
    >>> say_text(a.sections[2].blocks[0].content[0], "en")
    'The case holds no items.'
    """
    from forensics.appendix import evidence_list
    from forensics.artifacts import _writable, ensure_parsed, events_frame

    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    ensure_parsed(case, progress=progress, rows=False, record=record)
    # the tables too: an item whose rows are missing is parsed again (and logged) now,
    # before the custody head this is made from is taken
    events_frame(case, progress=progress, record=record)
    case.refresh()
    # export entries only record files written from the case (this appendix among them), and
    # derived entries data kept for reuse: left out, so that writing the appendix again (or
    # after an analysis kept its tables or figures) gives the same bytes
    entries = tuple(e for e in case.log.entries() if e.action not in _NOT_STATED)
    head = entries[-1] if entries else None
    ev = evidence_list(case, groups=groups)
    order = [(str(r["序号"]), str(r["证据编号"])) for _, r in ev.iterrows()]
    timeline = case.timeline(progress=progress, record=record)
    findings = case.findings(progress=progress, record=record)
    analysis = case.spread(progress=progress, record=record)
    artifacts = case.artifacts(progress=progress, record=record)
    records = case.records(progress=progress, record=record)
    if pseudonymize is not None:  # the figures are drawn from it: their labels too
        analysis = replace(analysis, **{
            name: pseudonymized_frame(getattr(analysis, name), pseudonymize,
                                      columns=_SPREAD_PERSONS)
            for name in ("nodes", "posts", "accounts", "marks", "variants", "combined",
                         "quality")})
    parties = tuple(str(p) for p in parties)
    # figures drawn are kept in the case where parses may be (``record``), and reused
    kept = KeptFigures(case, record=_writable(case) if record is None else
                       bool(record) and _writable(case))
    params = (*_params(lang, groups, pseudonymize, frames, analysis, findings),
              ("parties", "; ".join(parties) or "—"), ("figures.font", _font_named()))

    bodies = (
        _cover(case, head, entries, parties),
        _evidence_section(case, ev),
        _exhibits(case, order, artifacts, records, frames),
        _hash_section(case),
        _integrity(entries),
        _timeline_section(lang, timeline, findings),
        _spread_section(lang, analysis, kept),
        _method(case, entries, findings),
        _reproducibility(case, head, params),
    )
    kept.log()
    sections = tuple(Section(sid, n, Say(zh, en), blocks) for n, ((sid, zh, en), blocks)
                     in enumerate(zip(SECTIONS, bodies, strict=True), 1))
    m = case.metadata
    title = m.title or m.case_number or str(case.root.name)
    case_number = m.case_number or ""
    if pseudonymize is not None:
        fn = pseudonymize
        sections = tuple(replace(s, blocks=tuple(_map_block(b, fn, digests=False)
                                                 for b in s.blocks)) for s in sections)
        title, case_number = fn(title), fn(case_number)
    texts = [title]
    for s in sections:
        _collect(s.blocks, texts)
    # "\n" joins them: it is not one of the characters counted
    found = Counter(f"U+{ord(c):04X}" for c in _INVISIBLE.findall("\n".join(texts)))
    flags = tuple(sorted(found.items(), key=lambda kv: int(kv[0][2:], 16)))
    return Appendix(lang=lang, title=title, case_number=case_number, heading=_HEADING,
                    notice=_NOTICE, sections=sections, flags=flags,
                    head=(head.seq, head.entry_sha256) if head is not None else None,
                    params=params)


def flag_note(flags: Sequence[tuple[str, int]]) -> Para:
    """The note at the top of the appendix on its invisible or direction-changing characters.

    >>> plain_text(flag_note(()).content, "en")
    'No invisible or text-direction characters were found in this appendix.'
    >>> note = flag_note((("U+200B", 1), ("U+202E", 2)))
    >>> note.style, plain_text(note.content, "en").split("：")[-1]
    ('flag', 'U+200B ×1, U+202E ×2')
    """
    total = sum(n for _, n in flags)
    if not total:
        return Para((_say("no_flags"),), "flag")
    detail = ", ".join(f"{k} ×{v}" for k, v in flags)
    return Para((_say("flags", total=total), "：", detail), "flag")


# --- walking the model ---------------------------------------------------------------------------

def _map_span(span: Span, fn: Callable[[str], str], digests: bool) -> Span:
    out: list[str | Say | Mark] = []
    for piece in span:
        if isinstance(piece, str):
            out.append(fn(piece))
        elif isinstance(piece, Mark) and isinstance(piece.text, str) and (
                digests or piece.style != "hash"):
            out.append(Mark(fn(piece.text), piece.style, piece.target))
        else:
            out.append(piece)
    return tuple(out)


def _map_block(b: Block, fn: Callable[[str], str], *, digests: bool) -> Block:
    """``b`` with ``fn`` applied to every piece of data text in it (our words untouched; digests
    only when ``digests``)."""
    def spans(xs: Sequence[Span]) -> tuple[Span, ...]:
        return tuple(_map_span(x, fn, digests) for x in xs)

    def blocks(xs: Sequence[Block]) -> tuple[Block, ...]:
        return tuple(_map_block(x, fn, digests=digests) for x in xs)

    if isinstance(b, Para):
        return replace(b, content=_map_span(b.content, fn, digests))
    if isinstance(b, Table):
        return replace(b, header=spans(b.header), rows=tuple(spans(r) for r in b.rows))
    if isinstance(b, Pre):
        return Pre(fn(b.text))
    if isinstance(b, Items):
        return replace(b, entries=spans(b.entries))
    if isinstance(b, Picture):
        return replace(b, alt=fn(b.alt), caption=spans(b.caption))
    if isinstance(b, Exhibit):
        return replace(b, title=_map_span(b.title, fn, digests), body=blocks(b.body),
                       caption=spans(b.caption))
    if isinstance(b, Box):
        return replace(b, body=blocks(b.body))
    return b  # Heading: our words only


def _collect(blocks: Sequence[Block], out: list[str]) -> None:
    """Append every piece of data text in ``blocks`` (digests included) to ``out``."""
    def span(x: Span) -> None:
        for piece in x:
            if type(piece) is str:
                out.append(piece)
            elif isinstance(piece, Mark) and isinstance(piece.text, str):
                out.append(piece.text)

    for b in blocks:
        if isinstance(b, Table):  # the long ones: without a call per cell
            out.extend(p if type(p) is str else p.text  # type: ignore[union-attr]
                       for row in (b.header, *b.rows) for cell in row for p in cell
                       if type(p) is str or (type(p) is Mark and type(p.text) is str))
        elif isinstance(b, Para):
            span(b.content)
        elif isinstance(b, Pre):
            out.append(b.text)
        elif isinstance(b, Items):
            for x in b.entries:
                span(x)
        elif isinstance(b, Picture):
            out.append(b.alt)
            for x in b.caption:
                span(x)
        elif isinstance(b, Exhibit):
            span(b.title)
            _collect(b.body, out)
            for x in b.caption:
                span(x)
        elif isinstance(b, Box):
            _collect(b.body, out)


# --- the sections --------------------------------------------------------------------------------

#: The columns of the spread tables that name people (the figures label accounts from them);
#: the others (post ids, rules, times, explanations) keep their meaning untouched.
_SPREAD_PERSONS = frozenset({"account_id", "account_name", "account_key", "parent_account_id",
                             "text", "original_text", "diff", "originators", "originator"})


def pseudonymized_frame(df: pd.DataFrame, fn: Callable[[str], str], *,
                        columns: Iterable[str] | None = None) -> pd.DataFrame:
    """``df`` with every text cell (and every text in a cell holding a list) passed through
    ``fn``; only the ``columns`` named, when given.  Other cells are untouched.

    >>> import pandas as pd
    >>> df = pseudonymized_frame(pd.DataFrame({"a": ["张三", "李四"], "b": [["张三"], []]}),
    ...                          lambda s: s.replace("张三", "T0001"))
    >>> df["a"].tolist(), df["b"].tolist()
    (['T0001', '李四'], [['T0001'], []])
    """
    out = df.copy()
    wanted = None if columns is None else set(columns)

    def one(v: object) -> object:
        if isinstance(v, str):
            return fn(v)
        if isinstance(v, list | tuple) and all(isinstance(x, str) for x in v):
            return type(v)(fn(x) for x in v)
        return v

    for c in out.columns:
        col = out[c]
        if wanted is not None and c not in wanted:
            continue
        if col.dtype == object or str(col.dtype) in ("str", "string"):
            out[c] = col.map(one)
    return out


def _params(lang: str, groups: Mapping[str, str] | None, pseudonymize: object, frames: object,
            analysis: Any, findings: Any) -> tuple[tuple[str, str], ...]:
    grouping = "; ".join(f"{k}={v}" for k, v in sorted((groups or {}).items())) or "—"
    params = [("lang", lang), ("groups", grouping),
              ("pseudonymize", "no" if pseudonymize is None else "yes"),
              ("frames", "no" if frames is None else "yes")]
    p = getattr(analysis, "params", None)
    if p is not None:
        params += [(f"spread.{k}", str(getattr(p, k))) for k in p.__dataclass_fields__]
    tol = getattr(findings, "tolerance", None)
    if tol is not None:
        params.append(("findings.tolerance_seconds", f"{tol.total_seconds():g}"))
    return tuple(params)


@functools.lru_cache(maxsize=4)
def _font_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _font_named() -> str:
    """The Chinese font the figures are drawn with (and the PDF embeds), with its file's digest:
    another font gives other figure and PDF bytes."""
    from forensics.figures import cjk_font

    try:
        f = cjk_font()
    except InputError as exc:
        return f"none ({exc})"
    return f"{f.family} ({os.path.basename(f.path)}, face {f.face_index}, sha256 {_font_file(f.path)})"


def _cover(case: Case, head: Any, entries: Sequence[Any],
           parties: Sequence[str] = ()) -> tuple[Block, ...]:
    from forensics import __version__

    m = case.metadata
    zone = ZoneInfo(m.timezone)
    date: Span
    head_span: Span
    if head is not None:
        date = (f"{head.time.astimezone(zone):%Y-%m-%d} ({m.timezone})",)
        head_span = (Say("序号", "seq"), f" {head.seq} · entry_sha256 ",
                     Mark(head.entry_sha256, "hash"))
    else:
        date = head_span = (Say("无（保管记录为空）", "none (empty custody log)"),)
    anchors = [e for e in entries if e.action == "anchor"]
    anchor_block: Block
    if anchors:
        rows = []
        for e in anchors:
            d = e.details
            what: Span = (_txt(d.get("what")),)
            if d.get("timestamp_request"):
                what += ("\n", Mark(_txt(d.get("timestamp_request")), "code"))
            rows.append(((str(e.seq),), (_utc(e.time),), (_txt(d.get("anchored_seq")),),
                         (Mark(_txt(d.get("anchored_sha256")), "hash"),), what))
        anchor_block = Table(_head(Say("记录序号", "entry"), Say("时间 (UTC)", "time (UTC)"),
                                   Say("锚定序号", "anchored seq"),
                                   Say("锚定摘要", "anchored entry_sha256"), Say("说明", "what")),
                             tuple(rows), kind="anchors")
    else:
        anchor_block = Para((_say("no_anchor"),))
    table = _kv([
        ((Say("案件", "case"),), (_txt(m.title),)),
        ((Say("案号", "case number"),), (_txt(m.case_number),)),
        ((Say("当事人", "parties"),), tuple(x for p in parties for x in (p, "\n"))[:-1] if parties
         else (Mark(Say("未列明", "not given"), "unreached"),)),
        ((Say("鉴定人 / 分析人", "examiner"),), (_txt(m.examiner),)),
        ((_say("cover_date"),), date),
        ((Say("软件版本", "package version"),), (f"forensics {__version__}",)),
        ((Say("保管记录头部", "custody head"),), head_span),
    ])
    return (table, Heading(Say("锚定与时间戳", "Anchors and timestamps")), anchor_block,
            *_trusted_timestamps(entries), Para((_NOTICE,), "notice"))


def _trusted_timestamps(entries: Sequence[Any]) -> tuple[Block, ...]:
    """The RFC 3161 tokens imported (``timestamp`` entries with a genTime): what each covers,
    its time, its authority and the offline verdict (forensics.tsp)."""
    stamps = [e for e in entries if e.action == "timestamp" and e.details.get("gen_time")]
    if not stamps:
        return (Para((Say("未导入可信时间戳（RFC 3161）。",
                          "No trusted timestamp (RFC 3161) has been imported."),)),)
    rows = []
    for e in stamps:
        d = e.details
        covers = d.get("covers") if isinstance(d.get("covers"), Mapping) else {}
        what: Span = ((_txt(covers.get("evidence_id")),) if covers.get("kind") == "item" else
                      (Say("保管记录条目", "custody entry"), f" {_txt(covers.get('seq'))} · ",
                       Mark(_txt(covers.get("digest")), "hash")))
        status = str(d.get("status", ""))
        verdict = {"passed": Say("有效", "valid"), "failed": Say("无效", "invalid")}.get(
            status, Say("未能核验", "not verified"))
        rows.append(((str(e.seq),), (_txt(d.get("gen_time")),), (_txt(d.get("tsa")),), what,
                     (Mark(verdict, "bold") if status != "passed" else verdict,
                      f" ({_txt(d.get('what'))})")))
    return (Table(_head(Say("记录序号", "entry"), Say("时间戳时间 genTime (UTC)", "genTime (UTC)"),
                        Say("时间戳机构", "authority (TSA)"), Say("所盖对象", "covers"),
                        Say("离线核验结果", "offline verdict")), tuple(rows), kind="anchors"),)


def _evidence_section(case: Case, ev: pd.DataFrame) -> tuple[Block, ...]:
    from forensics.appendix import _form_lines

    above, below = _form_lines(case)
    cols = list(ev.columns)
    page = cols.index("页码")
    rows = []
    for _, r in ev.iterrows():
        eid = str(r["证据编号"])
        cells: list[Span] = [(_txt(r[c]),) for c in cols]
        cells[page] = (Mark(Say(f"见证据展示 {eid}", f"see exhibit {eid}"), "pageref",
                            f"ex-{eid}"),)
        cells[-1] = (Mark(_txt(r[cols[-1]]), "hash"),)
        rows.append(tuple(cells))
    header = tuple((Say(str(c), str(c)),) for c in cols)
    return (*(Para((x,)) for x in above), Table(header, tuple(rows), kind="evidence-list"),
            *(Para((x,)) for x in below))


# --- 3. exhibits ---------------------------------------------------------------------------------

_WEB_IMAGES = ((b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"),
               (b"GIF87a", "image/gif"), (b"GIF89a", "image/gif"))
_WEB_IMAGE_EXT = (".png", ".jpg", ".jpeg", ".gif", ".webp")
_RECORDING_EXT = (".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv", ".webm", ".mp3", ".m4a", ".aac",
                  ".amr", ".wav", ".flac", ".ogg", ".opus", ".silk", ".wma", ".wmv")
_IMAGE_EXT = (".heic", ".heif", ".tif", ".tiff", ".bmp", ".dng", ".raw", ".cr2", ".nef", ".arw",
              ".svg", ".avif", ".jxl", ".psd")


def _web_image_type(data: bytes) -> str | None:
    """The media type of bytes a browser shows as they are (by their signature), else None.

    >>> _web_image_type(b"GIF89a..."), _web_image_type(b"<svg")
    ('image/gif', None)
    """
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


def _record_lines(rows: pd.DataFrame) -> dict[str, list[str]]:
    """The relevant text of the parsed records, one string per record (blank ones left out),
    by evidence number.

    Posts, reposts and chat messages (the bulk: a repost list has tens of thousands) are put
    together column-wise for all items at once; the few other records one by one.
    """
    import pandas as pd

    wanted = [c for c in _TEXT_COLUMNS if c in rows.columns]
    if rows.empty or "evidence_id" not in rows.columns:
        return {}
    # Arrow-backed text: the concatenations below run column-wise in Arrow, not per value
    cols = {c: rows[c].fillna("") if str(rows[c].dtype) == "str"
            else pd.Series(_texts(rows[c]), index=rows.index, dtype="str") for c in wanted}
    empty = pd.Series("", index=rows.index, dtype="str")

    def col(name: str) -> pd.Series:
        return cols.get(name, empty)

    def paren(x: pd.Series) -> pd.Series:
        return (" (" + x + ")").where(x != "", "")

    dt = col("data_type")
    out = pd.Series("", index=rows.index, dtype="str")
    social = dt.isin(("social:repost", "social:post"))
    if social.any():
        who = (col("account_name") + paren(col("account_id"))).str.strip()
        views = (" · views " + col("views_shown")).where(col("views_shown") != "", "")
        out[social] = ("[" + col("time_shown") + "] " + who + ": " + col("text") + views)[social]
    chat = dt == "chat:message"
    if chat.any():
        who = col("sender_name") + paren(col("sender_id"))
        extra = (" [" + col("attachments") + "]").where(col("attachments") != "", "")
        out[chat] = ("[" + col("time_shown") + "] " + who + ": " + col("text") + extra)[chat]
    rest = ~(social | chat)
    if rest.any():
        for i in rows.index[rest.to_numpy()]:
            out[i] = _record_line({c: cols[c][i] for c in wanted})
    keep = out.str.strip() != ""
    lines: dict[str, list[str]] = {}
    for eid, text in zip(rows["evidence_id"][keep].astype(str).tolist(), out[keep].tolist(),
                         strict=True):
        lines.setdefault(eid, []).append(text)
    return lines


def _record_line(g: Mapping[str, str]) -> str:
    """The text of one record other than a post, repost or chat message."""
    dt = g.get("data_type", "")
    if dt == "email:rfc822":
        head = [f"{k}: {g.get(c, '')}" for k, c in (("From", "from_"), ("To", "to"),
                                                     ("Cc", "cc"), ("Subject", "subject"),
                                                     ("Date", "date_raw")) if g.get(c)]
        return "\n".join(head) + "\n\n" + g.get("body", "").strip()
    if dt == "web:html":
        return "\n".join(x for x in (f"URL: {g['url']}" if g.get("url") else "",
                                     f"Title: {g['title']}" if g.get("title") else "",
                                     g.get("text", "")) if x)
    if dt == "web:mhtml":
        return "\n".join(f"{k}: {g[c]}" for k, c in (("Snapshot-Content-Location", "snapshot_url"),
                                                      ("Subject", "subject"),
                                                      ("Date", "date_raw")) if g.get(c))
    if dt.startswith("web:warc") and g.get("target_uri"):
        return " ".join(x for x in (g.get("record_type", ""), g.get("target_uri", ""),
                                    g.get("http_status", ""), g.get("date_raw", "")) if x)
    return g.get("text", "")


def _capped(lines: list[str], what: Say) -> tuple[Block, ...]:
    """``lines`` as one :class:`Pre` of at most :data:`MAX_EXHIBIT_CHARS` characters, under
    ``what``, with a note of how much is left out."""
    shown, used = [], 0
    for line in lines:
        if used >= MAX_EXHIBIT_CHARS:
            break
        room = MAX_EXHIBIT_CHARS - used
        shown.append(line[:room])
        used += min(len(line), room)
    total = sum(len(x) for x in lines)
    text = "\n\n".join(shown) if "\n" in "".join(lines) else "\n".join(shown)
    out: tuple[Block, ...] = (Para((what,)), Pre(text))
    if total > used:
        out += (Para((_say("more_chars", left=total - used, total=total, n=len(lines)),),
                     "missing"),)
    return out


def _exhibits(case: Case, order: list[tuple[str, str]], artifacts: pd.DataFrame,
              records: pd.DataFrame, frames: FrameSampler | None) -> tuple[Block, ...]:
    media = {}
    if not artifacts.empty:
        media = {str(r["evidence_id"]): _s(r.get("media_type")) for _, r in artifacts.iterrows()}
    by_item = _record_lines(records)
    shows = _screen_calls(case)
    parts: list[Block] = []
    for seq, eid in order:
        it = case.item(eid)
        mt = media.get(eid, "")
        ext = os.path.splitext(it.name.lower())[1]
        captured = it.facts.captured_at or Say("未说明", "not stated")
        caption = ((Say("证据编号", "evidence number"), f" {eid} · SHA-256 ",
                    Mark(it.digests.sha256, "hash")),
                   (Say("取证时间", "capture time"), "：", captured), *shows.get(eid, ()))
        body: tuple[Block, ...] = ()
        looks_image = mt.startswith("image/") or ext in _IMAGE_EXT or ext in _WEB_IMAGE_EXT
        data = None
        if looks_image or eid not in by_item:
            try:
                data = _read_original(case, it)
            except OSError as exc:
                body = (Para((_say("unreadable"), "：", _txt(exc.strerror or exc)), "missing"),)
        if data is not None and hashlib.sha256(data).hexdigest() != it.digests.sha256:
            body = (Para((_say("mismatch"),), "missing"),)
            data = None
        body = body or _exhibit_content(case, it, data, looks_image, mt, ext, by_item, frames)
        if not body:
            body = (Para((_say("nothing_shown"), " ", Mark(it.name, "code"),
                          f" ({mt or ext or '?'}).")),)
        title = (Say("序号", "No."), f" {seq} · {eid} · ", it.name)
        parts.append(Exhibit(anchor=f"ex-{eid}", title=title, body=body, caption=caption))
    if not parts:
        parts.append(Para((Say("本案没有证据。", "The case holds no items."),)))
    return tuple(parts)


_ASPECT_SAY = {"content": Say("内容", "content"), "publisher": Say("发布者", "publisher"),
               "publish_time": Say("发布时间", "publish time"), "url": Say("网址", "URL")}
_CALL_SAY = {"shown": Say("显示", "shown"), "not shown": Say("未显示", "not shown"),
             "unsure": Say("不确定", "unsure")}


def _screen_calls(case: Case) -> dict[str, tuple[Span, ...]]:
    """Per capture, the caption lines saying what it shows (``forensics screens``: the kept OCR
    readings and the key phrases last logged; OCR is never run here)."""
    from forensics.screens import ASPECTS

    out: dict[str, tuple[Span, ...]] = {}
    report = case.screens(run=False, record=False, progress=False)
    for c in report.checks:
        line: list[str | Say | Mark] = [Say("画面显示（文字识别）", "shown on the capture (OCR)"), "："]
        for i, a in enumerate(ASPECTS):
            e = getattr(c, a)
            at = f" @{e.at:g}s" if e.at is not None and c.kind == "recording" else ""
            line += [*((" · ",) if i else ()), _ASPECT_SAY[a], " ",
                     Mark(_CALL_SAY[e.call.value], "bold"), at]
        lines: list[Span] = [tuple(line)]
        if c.status_bar_check.startswith("differs"):
            lines.append((Say("状态栏时间", "status-bar clock"), f" {c.status_bar} ",
                          Say("与所述取证时间不符", "differs from the stated capture time")))
        out[c.evidence_id] = tuple(lines)
    return out


def _exhibit_content(case: Case, it: Item, data: bytes | None, looks_image: bool, mt: str,
                     ext: str, by_item: Mapping[str, list[str]],
                     frames: FrameSampler | None) -> tuple[Block, ...]:
    """What an exhibit shows: the image itself, frames of a recording, what the parser read,
    the raw text, or a note that it cannot be shown here (``()`` when there is nothing)."""
    eid = it.evidence_id
    web = _web_image_type(data) if data is not None else None
    if web is not None and data is not None:
        return (Picture(data=data, media_type=web, alt=f"{eid} {it.name}", source="original"),)
    where: Span = (" ", Mark(it.name, "code"), f" ({mt or ext}), ", Mark(it.stored_as, "code"),
                   ".")
    if looks_image:
        return (Para((_say("no_browser"), *where), "missing"),)
    if mt.startswith(("video/", "audio/")) or ext in _RECORDING_EXT:
        note = Para((_say("recording"), *where), "missing")
        return (note, *_frame_blocks(case, it, frames)) if frames is not None else (note,)
    if lines := by_item.get(eid):
        return _capped(lines, _say("parsed_text"))
    if data is not None and (mt.startswith("text/") or not mt):
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            return ()
        return _capped([text], _say("raw_text"))
    return ()


def _frame_blocks(case: Case, it: Item, frames: FrameSampler) -> tuple[Block, ...]:
    """The frames ``frames`` takes of the recording ``it``, each captioned with its time, its own
    SHA-256 and the recording's; a ``missing`` paragraph when it cannot take them."""
    try:
        got = tuple(frames(case, it))
    except InputError as exc:
        return (Para((_say("no_frames"), "：", str(exc)), "missing"),)
    out: list[Block] = []
    for seconds, png in got:
        if not isinstance(png, bytes) or not png.startswith(b"\x89PNG\r\n\x1a\n"):
            raise InputError(f"{it.evidence_id} ({it.name}): the frame at {seconds}s given for "
                             "the appendix is not PNG data")
        at = _clock(seconds)
        out.append(Picture(
            data=png, media_type="image/png", alt=f"{it.evidence_id} {it.name} {at}",
            caption=((_say("frame"), f" {at} · PNG SHA-256 ",
                      Mark(hashlib.sha256(png).hexdigest(), "hash")),
                     (_say("frame_source"), " ", Mark(it.digests.sha256, "hash"))),
            source="frame"))
    return tuple(out)


# --- 4. hash table -------------------------------------------------------------------------------

_HASH_HEAD = {"evidence_id": ("证据编号", "evidence number"), "name": ("名称", "name"),
              "size": ("字节", "bytes"), "sha256": ("SHA-256", "SHA-256"), "sm3": ("SM3", "SM3"),
              "md5": ("MD5", "MD5"), "acquired_at": ("入库时间 (UTC)", "acquired (UTC)"),
              "captured_at": ("取证时间", "captured"), "carrier": ("原始载体", "original carrier"),
              "copy_only": ("仅复制件", "copy only")}


def _hash_section(case: Case) -> tuple[Block, ...]:
    from forensics.appendix import hash_table

    ht = hash_table(case)
    rows = []
    for r in ht.to_dict("records"):
        rows.append(tuple((Mark(_txt(r[c]), "hash"),) if c in ("sha256", "sm3", "md5")
                          else (_txt(r[c]),) for c in ht.columns))
    head = tuple((Say(*_HASH_HEAD.get(c, (c, c))),) for c in ht.columns)
    return Table(head, tuple(rows), kind="hashes"), Para((_say("copy_note"),))


# --- 5. integrity --------------------------------------------------------------------------------

def _integrity(entries: Sequence[Any]) -> tuple[Block, ...]:
    verifies = [e for e in entries if e.action == "verify"]
    if not verifies:
        return (Para((Mark(_say("never_verified"), "bold"),), "missing"),
                Para((Say("核验方法：forensics verify CASE", "To verify: forensics verify CASE"),)),
                *_outside_proof(entries))
    e = verifies[-1]
    d = e.details
    status = str(d.get("status", ""))
    label = {"passed": Say("通过", "passed"), "failed": Say("未通过", "failed")}.get(
        status, Say("未检查", "unchecked"))
    checked = d.get("checked_head")
    checked_text = (f"{checked.get('seq')} {checked.get('entry_sha256')}"
                    if isinstance(checked, Mapping) else "—")
    table = _kv([
        ((Say("核验时间 (UTC)", "verified at (UTC)"),), (_utc(e.time),)),
        ((Say("工具及版本", "tool and version"),), (f"{e.tool} {e.tool_version}",)),
        ((Say("操作人 / 主机", "actor / host"),), (f"{e.actor} / {e.host}",)),
        ((Say("结果", "result"),), (Mark(label, "bold"), f" ({_txt(d.get('what', ''))})")),
        ((Say("重新计算哈希的证据数", "items re-hashed"),), (_txt(d.get("items_checked")),)),
        ((Say("检查的保管记录条目数", "custody entries checked"),),
         (_txt(d.get("entries_checked")),)),
        ((Say("检查的锚定数", "anchors checked"),), (_txt(d.get("anchors_checked")),)),
        ((Say("核验时的记录头部", "head checked"),), (checked_text,)),
        ((Say("本次核验记录于", "logged as entry"),), (str(e.seq),)),
    ])
    out: list[Block] = [table]
    problems = [str(p) for p in (d.get("problems") or ())]
    count = d.get("problem_count", len(problems))
    if problems:
        out += [Heading(Say("发现的问题", "Problems found")),
                Items(tuple((p,) for p in problems), ordered=True)]
        if isinstance(count, int) and count > len(problems):
            out.append(Para((_say("more_problems", n=count - len(problems)),)))
    elif status == "passed":
        out.append(Para((Say("未发现问题。", "No problems found."),)))
    later = [x for x in entries if x.seq > e.seq]
    if later:
        out.append(Para((_say("after_verify", n=len(later), a=later[0].seq, b=later[-1].seq),)))
    return (*out, *_outside_proof(entries))


def _outside_proof(entries: Sequence[Any]) -> tuple[Block, ...]:
    """The outside statements read into the case (``attest`` entries): who, what, when, and
    how each listed digest compared with the files in hand."""
    heading = Heading(Say("外部证明（公证、存证平台的哈希清单或证书）",
                          "Outside proof (notary, evidence platform: hash lists, certificates)"))
    attests = [e for e in entries if e.action == "attest"]
    if not attests:
        return (heading, Para((Say("本案未导入外部证明（公证处或存证平台的哈希清单、证书）。",
                                   "No outside statement (a notary's or an evidence platform's "
                                   "hash list or certificate) has been read into the case."),)))
    rows = []
    for e in attests:
        d = e.details
        att = d.get("attestation") if isinstance(d.get("attestation"), Mapping) else {}
        counts = d.get("counts") if isinstance(d.get("counts"), Mapping) else {}
        stated: Span = tuple(x for x in (
            _txt(att.get("certificate_number")) if att.get("certificate_number") else "",
            "\n" if att.get("certificate_number") and att.get("transaction_id") else "",
            f"tx {_txt(att.get('transaction_id'))}" if att.get("transaction_id") else "",
            f" · block {att.get('block_height')}" if att.get("block_height") is not None
            else "", f" · {_txt(att.get('chain'))}" if att.get("chain") else "") if x) or ("—",)
        result: Span = (Say("相符", "matched"), f" {counts.get('matched', 0)} · ",
                        Mark(Say("不符", "mismatched"), "bold") if counts.get("mismatched")
                        else Say("不符", "mismatched"), f" {counts.get('mismatched', 0)} · ",
                        Say("案中没有", "missing"), f" {counts.get('missing', 0)} · ",
                        Say("无法核对", "unchecked"), f" {counts.get('unknown-algorithm', 0)}")
        docs = " ".join(str(x) for x in (d.get("documents") or ()))
        rows.append(((str(e.seq),), (_txt(att.get("issuer")) or "—",),
                     (_txt(att.get("kind")), f" {docs}" if docs else ""), stated,
                     (_txt(att.get("issued_at")) or "—",), result))
    table = Table(_head(Say("记录序号", "entry"), Say("出具方", "issuer"),
                        Say("形式与证据编号", "form and evidence"),
                        Say("证书编号、交易", "certificate, transaction"),
                        Say("所述时间", "time stated"), Say("逐项比对结果", "digests compared")),
                  tuple(rows), kind="attestations")
    return (heading, Para((Say("按哈希值（而非文件名）逐项比对；不符或无法核对的项见“交叉核对发现”。",
                               "Each listed digest was compared by value (never by file name) "
                               "with the files in hand; mismatches and unchecked digests are "
                               "listed among the findings."),)), table)


# --- 6. timeline ---------------------------------------------------------------------------------

def _timeline_section(lang: str, timeline: pd.DataFrame, findings: Any) -> tuple[Block, ...]:
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
    ftable: Block
    if flist:
        frows = []
        for n, f in enumerate(flist):
            vals = _lines(f.values)
            expl = {"zh": f.explanation_zh, "en": f.explanation_en}.get(
                lang, f"{f.explanation_zh}\n{f.explanation_en}")
            frows.append(((Mark(fids[n], "anchor", target=fids[n]),), (_txt(f.severity.value),),
                          (_txt(f.kind),), (" ".join(f.evidence_ids),), vals, (expl,)))
        ftable = Table(_head(Say("编号", "ref"), Say("等级", "severity"), Say("类型", "kind"),
                             Say("证据", "evidence"), Say("比较的值", "values compared"),
                             Say("说明", "explanation")), tuple(frows), kind="findings")
    else:
        ftable = Para((Say("交叉核对未发现矛盾。", "The cross-checks found no contradiction."),))
    inference = Box(title=Say(*_MSG["inference_title"]),
                    body=(Para((_say("inference_note"),)), ftable))
    import numpy as np

    cols = {c: np.array(_texts(timeline[c]), dtype=object)
            for c in ("zone", "zone_name", "time_description", "source", "original",
                      "evidence_id", "summary")}
    utc, lo, hi = (np.array(_utc_column(timeline[c]), dtype=object)
                   for c in ("utc", "earliest", "latest"))
    # the time: the instant when it is one, else the interval (a bound unknown shown as "?")
    has_lo, has_hi = lo != "", hi != ""
    unknown = np.empty(len(timeline), dtype=object)
    unknown.fill(Say("时间未知", "unknown"))
    interval = np.where(has_lo, lo, "?") + " – " + np.where(has_hi, hi, "?")
    when = np.where((utc != "") & (~has_lo | (lo == hi)), utc,
                    np.where(has_lo | has_hi, interval, unknown))
    z, zn = cols["zone"], cols["zone_name"]
    zone = np.where((z != "") & (zn != ""), z + " " + zn, np.where(z != "", z, zn))
    marks: list[tuple[str | Mark, ...]] = [()] * len(timeline)
    spans: dict[tuple[str, ...], tuple[str | Mark, ...]] = {}  # the same few, many times
    for i, xs in refs.items():
        key = tuple(xs)
        span = spans.get(key)
        if span is None:
            made: list[str | Mark] = []
            for x in xs:
                made += [", ", Mark(x, "ref", target=x)] if made else [Mark(x, "ref", target=x)]
            span = spans[key] = tuple(made)
        marks[i] = span
    rows = list(zip(*([(v,) for v in c.tolist()]
                      for c in (when, cols["time_description"], cols["source"],
                                cols["original"], zone, cols["evidence_id"], cols["summary"])),
                    marks, strict=True))
    head = _head(Say("时间 (UTC) 或区间", "time (UTC) or interval"), Say("描述", "description"),
                 Say("来源", "source"), Say("原文", "original text"),
                 Say("时区状态", "zone status"), Say("证据编号", "evidence number"),
                 Say("内容", "content"), Say("相关推断", "inferences"))
    facts: tuple[Block, ...] = (Heading(Say("事实：所读取的时间", "Facts: the times as read")),
                                Para((_say("facts_note", n=len(rows)),)))
    if rows:
        facts += (Table(head, tuple(rows), kind="timeline"),)
    else:
        facts += (Para((Say("没有可列的时间。", "No times to list."),)),)
    return (inference, *facts)


# --- 7. spread -----------------------------------------------------------------------------------

def _figure_inputs(analysis: Any) -> dict[str, str]:
    """What every spread figure of ``analysis`` depends on (see :func:`_figure_key`)."""
    from forensics.figures import drawing_fingerprint, frame_digest

    return {**drawing_fingerprint(),
            **{name: frame_digest(getattr(analysis, name)) for name in ("nodes", "posts", "marks")},
            "params": repr(analysis.params), "displayed": repr(analysis.displayed)}


def _figure_key(base: Mapping[str, str], figure: str, post_id: object, lang: str) -> str:
    """The SHA-256 naming one figure among the kept ones: its inputs, drawing and all."""
    doc = {**base, "figure": figure, "post": str(post_id), "lang": lang}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _lines(pairs: Iterable[tuple[object, object]]) -> Span:
    """``key: value`` pairs, one a line, in one cell."""
    return ("\n".join(f"{_txt(k)}: {_txt(v)}" for k, v in pairs),)


def _spread_section(lang: str, analysis: Any, kept: KeptFigures) -> tuple[Block, ...]:
    posts = analysis.to_json()
    wording = Para((_SPREAD_WORDING,), "notice")
    if not posts:
        return wording, Para((_say("no_spread"),))

    def marks(d: Mapping[str, Any]) -> Span:
        out: list[str | Mark] = []
        for n, (rule, t) in enumerate(d.items()):
            out.append(("\n" if n else "") + f"{rule}: " + (_txt(t) if t else ""))
            if not t:
                out.append(Mark(Say("未达到", "not reached"), "unreached"))
        return tuple(out)

    rows, rules, notes, variants = [], {}, {}, []
    for p in posts:
        views = (f"{p['views_original']} ({p['views_original_kind']})"
                 if p.get("views_original") is not None else "—")
        rows.append(((_txt(p["post_id"]),), (", ".join(p["originators"]),),
                     (_txt(p["repost_rows"]),), (_txt(p["unique_reposts"]),),
                     (_txt(p["distinct_accounts"]),), (_txt(p["max_depth"]),),
                     (_txt(p["max_breadth"]),), (views,), (_txt(p.get("views_shown_total", "")),),
                     marks(p["reached_500_reposts_at"]), marks(p["reached_5000_views_at"]),
                     _lines(p["data_quality"].items()), (", ".join(p["evidence"]),)))
        rules.update(p.get("counting_rules", {}))
        notes.update(p.get("data_quality_notes", {}))
        variants += [((_txt(p["post_id"]),), (_txt(v.get("evidence_id")),), (_txt(v.get("row")),),
                      (f"{v.get('account_name', '')} ({v.get('account_id', '')})",),
                      (_txt(v.get("similarity")),), (_txt(v.get("diff")),))
                     for v in p.get("variants", ())]
    mark = posts[0]["reference_marks"]
    head = _head(Say("帖子", "post"), Say("发布者", "originators"),
                 Say("转发行数", "repost rows"), Say("去重转发", "unique reposts"),
                 Say("参与账号", "accounts"), Say("深度", "depth"), Say("宽度", "breadth"),
                 Say("原帖显示浏览", "views shown (original)"),
                 Say("显示浏览合计", "views shown (all rows)"),
                 Say(f"转发{mark['reposts']}次参考标准", f"{mark['reposts']}-repost mark"),
                 Say(f"浏览{mark['views']}次参考标准", f"{mark['views']}-view mark"),
                 Say("数据质量计数", "data-quality counts"), Say("证据", "evidence"))
    out: list[Block] = [wording, Para((_txt(mark.get("note", "")),)),
                        Table(head, tuple(rows), kind="spread"),
                        Heading(Say("各计数规则", "How each count was made")),
                        Items(tuple((Mark(_txt(k), "bold"), f": {_txt(v)}")
                                    for k, v in (*rules.items(), *notes.items())))]
    if variants:
        out += [Heading(Say("改动文字的转发", "Reposts with changed text")),
                Table(_head(Say("帖子", "post"), Say("证据", "evidence"), Say("行", "row"),
                            Say("账号", "account"), Say("相似度", "similarity"),
                            Say("差异", "difference")), tuple(variants), kind="variants")]
    from forensics.spread_figures import cascade_figure, spread_curve_figure

    drawn = sorted(posts, key=lambda p: (-int(p.get("nodes", 0)),
                                         str(p["post_id"])))[:MAX_FIGURE_POSTS]
    base = _figure_inputs(analysis)
    for p in drawn:
        pid = _txt(p["post_id"])
        for fig_fn, zh, en in ((cascade_figure, "转发树", "cascade"),
                               (spread_curve_figure, "累计转发与浏览", "cumulative reposts and views")):
            key = _figure_key(base, fig_fn.__name__, p["post_id"], lang)
            png = kept.png(key, functools.partial(fig_fn, analysis, p["post_id"], lang=lang))
            out.append(Picture(data=png, media_type="image/png", alt=f"{en} {pid}",
                               caption=((Say(zh, en), "：", f"{pid} · PNG SHA-256 ",
                                         Mark(hashlib.sha256(png).hexdigest(), "hash")),),
                               source="figure"))
    if len(posts) > len(drawn):
        out.append(Para((_say("figures_cut", n=len(drawn), rest=len(posts) - len(drawn)),)))
    return tuple(out)


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
    ("截图内容识别", "Reading the screenshots",
     "截图与录屏（每秒一帧）经离线文字识别（RapidOCR，PP-OCRv4 中英文模型）读取，判断每件是否显示"
     "侵权内容（专家给出的关键语句）、发布者、发布时间与网址，并核对状态栏时间；识别结果作为派生"
     "数据保存，不改变原件。",
     "Screenshots and recordings (a frame a second) are read by offline OCR (RapidOCR, PP-OCRv4 "
     "Chinese and English models) to tell whether each shows the content (the key phrases the "
     "expert gave), the publisher, the publish time and the address, and to check the "
     "status-bar clock; the readings are kept as derived data and the originals are not "
     "changed."),
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
    ("文字识别", "OCR",
     "文字识别可能误读小字、灰色字、录屏中滚动时模糊的画面和压缩严重的图片；相近的读法判为“不确定”"
     "而非“未显示”，所识别的文字附在判断旁，供对照原图。“显示”只说明截图上有这些文字，不说明截图"
     "未被编辑。",
     "OCR can misread small or grey text, blurred frames of a scrolling recording and heavily "
     "compressed images; near readings are called “unsure”, not “not shown”, and the text read "
     "is given beside each call to compare with the image. “Shown” means the text is on the "
     "capture, not that the capture was not edited."),
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


def _factors(case: Case, entries: Sequence[Any], findings: Any) -> tuple[tuple[Span, ...], ...]:
    """One row per authenticity factor: the rule, the factor, what in this case speaks to it."""
    items = case.items
    n = len(items)
    verifies = [e for e in entries if e.action == "verify"]
    anchors = [e for e in entries if e.action == "anchor"]
    nothing: Span = (Say("本案中没有", "nothing in this case"),)

    def ids(xs: Sequence[Item]) -> str:
        return ", ".join(x.evidence_id for x in xs)

    said: dict[str, Span] = {}
    tools = [it for it in items if it.facts.tool]
    said["environment"] = (_say("tools", k=len(tools), n=n), ids(tools)) if tools else nothing
    if verifies:
        v = verifies[-1].details
        said["integrity"] = (_say("verified", seq=verifies[-1].seq, status=v.get("status"),
                                  items=v.get("items_checked"),
                                  entries=v.get("entries_checked")),)
    else:
        said["integrity"] = (_say("unverified", n=n),) if n else nothing
    stated = [it for it in items if it.facts.has_original_carrier is not None]
    copies = [it for it in items if it.facts.has_original_carrier is False]
    carriers: Span = nothing
    if stated:
        carriers = (_say("carriers", k=len(stated), n=n, c=len(copies)),)
        carriers += ("：", ids(copies)) if copies else ()
    said["carrier"] = (*carriers, "; ", _say("entries", n=len(entries)))
    who = [it for it in items if it.facts.captured_by or it.facts.method]
    said["process"] = (_say("who", k=len(who), n=n),) if who else nothing
    flist = list(findings)
    counts = Counter(f.severity.value for f in flist)
    said["changes"] = ((_say("findings", n=len(flist)),
                        ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))
                       if flist else nothing)
    notarized = [it for it in items if _says(it, _NOTARY_WORDS)]
    said["notary"] = (_say("notarized"), ids(notarized)) if notarized else nothing
    by_platform = [it for it in items if _says(it, _PLATFORM_WORDS)]
    said["platform"] = (_say("platform_items"), ids(by_platform)) if by_platform else nothing
    said["fixed"] = (_say("anchored", n=len(anchors)),) if anchors else nothing
    said["other"] = nothing
    return tuple(((Say(rz, re_),), (Say(fz, fe),), said[k])
                 for k, (rz, re_, fz, fe) in _FACTORS.items())


def _method(case: Case, entries: Sequence[Any], findings: Any) -> tuple[Block, ...]:
    def listed(xs: Sequence[tuple[str, str, str, str]]) -> tuple[Span, ...]:
        return tuple((Mark(Say(a, b), "bold"), "：", Say(c, d)) for a, b, c, d in xs)

    table = Table(_head(Say("依据", "rule"), Say("审查因素", "factor"),
                        Say("本案中与之相关的内容", "what in this case speaks to it")),
                  _factors(case, entries, findings), kind="factors")
    return (Heading(Say("方法", "Method")), Items(listed(_METHOD), ordered=True),
            Heading(Say("误差来源与局限", "Sources of error and limits")), Items(listed(_LIMITS)),
            Heading(Say("法院审查真实性的因素", "The court’s authenticity factors")), table,
            Para((_say("factor_note"),)))


# --- 9. reproducibility --------------------------------------------------------------------------

def _version(dist: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(dist)
    except PackageNotFoundError:
        return "not installed"


def _reproducibility(case: Case, head: Any,
                     params: Sequence[tuple[str, str]]) -> tuple[Block, ...]:
    from forensics import __version__
    from forensics.integrity import items_manifest_digest

    vers = [("forensics", __version__), ("Python", platform.python_version())]
    vers += [(d, _version(d)) for d in DEPENDENCIES]
    items = case.items
    digests = tuple(((it.evidence_id,), (Mark(it.digests.sha256, "hash"),),
                     (Mark(it.digests.sm3, "hash"),), (str(it.digests.size),)) for it in items)
    headtxt = f"{head.seq} {head.entry_sha256}" if head is not None else "—"
    return (
        Heading(Say("软件版本", "Versions")),
        Table(_head(Say("软件", "software"), Say("版本", "version")),
              tuple(((a,), (b,)) for a, b in vers), kind="versions"),
        Heading(Say("参数", "Parameters")),
        Table(_head(Say("参数", "parameter"), Say("值", "value")),
              tuple(((a,), (b,)) for a, b in params), kind="params"),
        Heading(Say("全部输入的摘要", "Digests of every input")),
        Table(_head(Say("证据编号", "evidence number"), Say("SHA-256", "SHA-256"),
                    Say("SM3", "SM3"), Say("字节", "bytes")), digests, kind="digests"),
        Para((_say("manifest"), "：", Mark(items_manifest_digest(items), "hash"))),
        Para((_say("made_from"), "：", Mark(headtxt, "hash"))),
        Para((_say("same_bytes"),)),
    )
