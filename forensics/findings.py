"""Cross-checks of a case's times and metadata, reported as findings.

Courts ask whether the time of electronic data is clear and whether the environment that made
it was reliable (证据规定 art. 93; 互联网法院规定 art. 11).  Each check here compares times that
the evidence states about itself (EXIF, file names, containers, WARC and HTTP headers, e-mail
hops, chat exports, the intake facts and the custody log) and reports a :class:`Finding` when
they contradict each other beyond a tolerance.  A finding *describes* a contradiction: it never
rewrites a time (facts and inferences are kept apart).  The one function that computes adjusted
times, :func:`apply_clock_offset`, runs only when the expert asks, returns a new table and
labels every adjusted row.

How times are compared
----------------------
* Every time is compared as the interval ``[earliest, latest]`` it stands for (an instant is an
  interval of length 0; a relative displayed time such as ``3分钟前`` or a wall time of unknown
  zone is a real interval).  Two times *disagree* only when their intervals are separated by
  more than the tolerance (:data:`DEFAULT_TOLERANCE`, 2 minutes).
* Times are instants in UTC; where a zone was assumed (``Asia/Shanghai`` by default, the case's
  zone) the explanation says so ("assumed Asia/Shanghai").  In the capture, acquisition and
  disagreement checks, when a gap of an hour or more is within the tolerance of a whole number
  of quarter hours and one side's zone was assumed, the gap may be nothing but a wrong zone:
  the explanation says that too and the severity is one step lower.
* Many contradictions of one kind in one item (a repost list, a chat, a WARC file) make one
  finding: the largest, with the number of others and where the first few are.

The kinds and their severity rules
----------------------------------
``capture-before-publication`` (high)
    A capture time (intake ``captured_at``; a file-name time, except a camera's
    ``IMG_YYYYMMDD`` name on an item not known to be a screenshot; the EXIF DateTimeOriginal of
    a screenshot; the MHTML ``Page Saved`` time; the WARC-Date of the record holding the page)
    earlier than a publication time the item shows (``Page Published``, ``Posted``,
    ``Reposted``, the intake ``displayed_time``).  A capture cannot precede what it shows.
``time-after-acquisition`` (high; medium for a gap under :data:`LARGE_GAP`)
    A time stated by an item later than its acquisition into the case (the custody log's
    ``acquire`` entry): a time in the future of the moment the item was already held.
``times-disagree`` (medium; low when only a container's local reading agrees, or when the
stated capture time is *later* than the file's own time of an item not known to be a
screenshot, as for a downloaded file)
    The file's own times disagree: EXIF DateTimeOriginal, the file-name time, the container's
    Apple ``Keys`` creationdate and ``mvhd`` CreateDate (read as UTC as the specification says,
    and as local wall time: the finding says which reading agrees), and the capture time stated
    at intake (recorded in the custody ``acquire`` entry).
``editing-software`` (medium)
    The metadata names editing software (Photoshop, GIMP, 美图秀秀...): the file was saved by
    it.  This alone does not show that the content was changed.
``exif-offset-mismatch`` (medium; low when no zone offset explains the difference)
    An EXIF time written without an offset, read in an assumed zone, disagrees with the XMP
    time written with one, or with the GPS time (GPSDateStamp/GPSTimeStamp are UTC): the
    finding gives the offset the other source implies.
``received-hops-out-of-order`` (low; medium beyond :data:`LARGE_GAP`)
    An e-mail ``Received`` hop (``email:Received[0]`` is the newest, at the top) earlier than
    the hop below it.
``date-far-from-first-hop`` (medium when ``Date`` is after the first hop; low when it is
before it by more than :data:`MAIL_QUEUE_ALLOWANCE`)
    An e-mail ``Date`` header far from its first (bottom) ``Received`` hop.
``chat-out-of-order`` (low; medium beyond :data:`LARGE_GAP`)
    Chat messages, in the order of the export, going back in time.
``warc-date-http-date-skew`` (low; medium beyond :data:`LARGE_GAP`)
    The WARC-Date and the HTTP ``Date`` of the same record disagree.
``device-clock-offset`` (info)
    The clock offset of one device (same EXIF Make, Model and serial), estimated from its
    items' times against GPS time, the capture time stated at acquisition, or file-name times
    (the best kind available, in that order), with the spread and the number of sources.

``attested-digest-mismatch`` (high)
    An outside statement read by ``forensics attest import`` (a notary's hash list, an evidence
    platform's certificate) lists a digest no item has, under the name of an item the case
    holds: the file in hand is not the file attested.
``attested-file-missing`` (low)
    An outside statement lists a digest and a name that nothing in the case has: attested
    material the case does not hold.
``attested-digest-unchecked`` (low)
    An outside statement lists a digest in an algorithm this machine cannot compute.
``status-bar-clock-differs`` (medium)
    The phone's status-bar clock, read from the pixels of a screenshot or the first frame of a
    recording by ``forensics screens`` (kept OCR readings only), differs from the capture time
    stated at intake by more than :data:`forensics.screens.CLOCK_SLACK`: a retouched status
    bar, a capture time entered wrongly, or a phone in another zone.

Findings are ordered by severity, then kind, then evidence numbers (deterministic).

Examples
--------
>>> import pandas as pd
>>> rows = [
...     {"evidence_id": "E0001", "time_source": "intake:captured_at", "description": "Captured",
...      "earliest": "2026-11-20T06:00:00Z", "latest": "2026-11-20T06:00:00Z",
...      "original": "2026-11-20T14:00:00+08:00", "zone": "explicit", "zone_name": "+08:00"},
...     {"evidence_id": "E0001", "time_source": "intake:displayed_time",
...      "description": "Published (as displayed)",
...      "earliest": "2026-11-20T06:32:00Z", "latest": "2026-11-20T06:32:00Z",
...      "original": "2026年11月20日 14:32", "zone": "assumed", "zone_name": "Asia/Shanghai"}]
>>> [(f.kind, f.severity.value) for f in capture_before_publication(pd.DataFrame(rows))]
[('capture-before-publication', 'high')]
"""

from __future__ import annotations

import functools
import itertools
import json
import re
import statistics
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from html import escape
from typing import TYPE_CHECKING, NamedTuple

from forensics.timestamps import Precision, TimeValue, Zone, format_utc, parse_exif, zone_for

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from forensics.case import Case, Item

__all__ = [
    "DEFAULT_TOLERANCE",
    "KINDS",
    "LARGE_GAP",
    "MAIL_QUEUE_ALLOWANCE",
    "Finding",
    "FindingsReport",
    "Severity",
    "apply_clock_offset",
    "capture_before_publication",
    "chat_out_of_order",
    "date_far_from_first_hop",
    "device_clock_offset",
    "editing_software",
    "exif_offset_mismatch",
    "find",
    "findings_from_frames",
    "intake_events",
    "received_hops_out_of_order",
    "time_after_acquisition",
    "times_disagree",
    "warc_date_http_date_skew",
]

#: Two times disagree only when their intervals are further apart than this.
DEFAULT_TOLERANCE = timedelta(minutes=2)
#: Gaps beyond this raise the severity of clock-skew kinds (hops, chat, WARC, future times).
LARGE_GAP = timedelta(hours=1)
#: A message may wait this long in an outbox or a queue before its first hop.
MAIL_QUEUE_ALLOWANCE = timedelta(hours=1)
#: Where the finding kinds come from: kind -> (Chinese title, English title).
KINDS: Mapping[str, tuple[str, str]] = {
    "capture-before-publication": ("截取早于发布", "Capture before publication"),
    "time-after-acquisition": ("时间晚于入案", "Time after acquisition"),
    "times-disagree": ("时间互相矛盾", "Times disagree"),
    "editing-software": ("编辑软件痕迹", "Editing software"),
    "exif-offset-mismatch": ("EXIF 时区不符", "EXIF offset mismatch"),
    "received-hops-out-of-order": ("Received 跳顺序颠倒", "Received hops out of order"),
    "date-far-from-first-hop": ("Date 与首跳相距过远", "Date far from first hop"),
    "chat-out-of-order": ("聊天记录时间倒序", "Chat out of order"),
    "warc-date-http-date-skew": ("WARC-Date 与 HTTP Date 不符", "WARC-Date vs HTTP Date skew"),
    "device-clock-offset": ("设备时钟偏差", "Device clock offset"),
    "attested-digest-mismatch": ("外部证明的哈希值与所持文件不符", "Attested digest mismatch"),
    "attested-file-missing": ("外部证明所列文件不在案中", "Attested file missing"),
    "attested-digest-unchecked": ("外部证明的哈希算法无法核对", "Attested digest unchecked"),
    "status-bar-clock-differs": ("状态栏时间与取证时间不符", "Status-bar clock differs"),
}

_KIND_RE = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_QUARTER = timedelta(minutes=15)
_ZONE_SPAN = timedelta(hours=26)  # -12:00 .. +14:00
_MAX_LISTED = 5


class Severity(StrEnum):
    """How much a finding matters to the weight of the evidence (see the module docstring)."""

    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    INFO = "info"


_ORDER = (Severity.HIGH, Severity.MEDIUM, Severity.LOW, Severity.INFO)
_RANK = {s: i for i, s in enumerate(_ORDER)}
_SEVERITY_ZH = {Severity.HIGH: "高", Severity.MEDIUM: "中", Severity.LOW: "低", Severity.INFO: "提示"}


def _lower(s: Severity) -> Severity:
    return _ORDER[min(_RANK[s] + 1, len(_ORDER) - 1)]


@dataclass(frozen=True, slots=True)
class Finding:
    """One contradiction (or, for ``info``, one estimate) found among the case's times.

    Attributes
    ----------
    kind : str
        A stable kebab-case id (:data:`KINDS`).
    severity : Severity
        ``high``, ``medium``, ``low`` or ``info``.
    evidence_ids : tuple of str
        The evidence items concerned.
    values : tuple of (str, str)
        The values compared, each as ``(label naming the source, value as text)``.
    explanation_zh, explanation_en : str
        One line each: Chinese first, then English.
    sources : tuple of str
        The time sources compared (``exif:DateTimeOriginal``...), for marking a timeline.
    delta_seconds : float, optional
        The difference measured (the gap, skew or offset estimate), in seconds.

    Examples
    --------
    >>> f = Finding("editing-software", "medium", ("E0001",), (("flag", "edited: GIMP"),),
    ...             "E0001：元数据显示 GIMP。", "E0001: the metadata names GIMP.")
    >>> f.severity is Severity.MEDIUM, f.to_json()["values"]
    (True, [{'label': 'flag', 'value': 'edited: GIMP'}])
    """

    kind: str
    severity: Severity
    evidence_ids: tuple[str, ...]
    values: tuple[tuple[str, str], ...]
    explanation_zh: str
    explanation_en: str
    sources: tuple[str, ...] = ()
    delta_seconds: float | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.kind, str) or not _KIND_RE.fullmatch(self.kind):
            raise ValueError(f"finding kind {self.kind!r} is not a kebab-case id")
        try:
            object.__setattr__(self, "severity", Severity(self.severity))
        except ValueError:
            raise ValueError(f"finding {self.kind}: severity {self.severity!r} is not one of "
                             f"{', '.join(s.value for s in Severity)}") from None
        object.__setattr__(self, "evidence_ids", tuple(str(e) for e in self.evidence_ids))
        object.__setattr__(self, "sources", tuple(str(s) for s in self.sources))
        pairs = []
        for v in self.values:
            if not isinstance(v, tuple | list) or len(v) != 2:
                raise ValueError(f"finding {self.kind}: value {v!r} is not a (label, value) pair")
            pairs.append((str(v[0]), str(v[1])))
        object.__setattr__(self, "values", tuple(pairs))
        for name in ("explanation_zh", "explanation_en"):
            text = getattr(self, name)
            if not isinstance(text, str) or not text.strip() or "\n" in text:
                raise ValueError(f"finding {self.kind}: {name} must be one non-empty line, "
                                 f"got {text!r}")

    def sort_key(self) -> tuple:
        return (_RANK[self.severity], self.kind, self.evidence_ids, self.sources, self.values)

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind, "severity": self.severity.value,
            "evidence_ids": list(self.evidence_ids),
            "values": [{"label": k, "value": v} for k, v in self.values],
            "explanation_zh": self.explanation_zh, "explanation_en": self.explanation_en,
            "sources": list(self.sources), "delta_seconds": self.delta_seconds,
        }


@dataclass(frozen=True, slots=True)
class FindingsReport:
    """The findings of a case, in a deterministic order (severity, kind, evidence).

    Examples
    --------
    >>> r = FindingsReport((Finding("editing-software", "medium", ("E0002",), (),
    ...                             "E0002：有编辑软件。", "E0002: editing software."),))
    >>> r.count_by_severity
    {'high': 0, 'medium': 1, 'low': 0, 'info': 0}
    >>> r.to_frame().loc[0, ["severity", "kind", "evidence_ids"]].tolist()
    ['medium', 'editing-software', 'E0002']
    """

    findings: tuple[Finding, ...] = ()
    tolerance: timedelta = DEFAULT_TOLERANCE

    def __post_init__(self) -> None:
        object.__setattr__(self, "findings", tuple(sorted(self.findings, key=Finding.sort_key)))

    def __len__(self) -> int:
        return len(self.findings)

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    @property
    def count_by_severity(self) -> dict[str, int]:
        """How many findings of each severity, every severity listed (``high`` first)."""
        counts = {s.value: 0 for s in _ORDER}
        for f in self.findings:
            counts[f.severity.value] += 1
        return counts

    def of_kind(self, kind: str) -> tuple[Finding, ...]:
        """The findings of one kind."""
        return tuple(f for f in self.findings if f.kind == kind)

    def to_frame(self) -> pd.DataFrame:
        """One row per finding; ``values`` as ``label: value`` lines."""
        import pandas as pd

        rows = [{
            "severity": f.severity.value, "kind": f.kind, "evidence_ids": " ".join(f.evidence_ids),
            "values": "\n".join(f"{k}: {v}" for k, v in f.values),
            "explanation_zh": f.explanation_zh, "explanation_en": f.explanation_en,
            "sources": " ".join(f.sources), "delta_seconds": f.delta_seconds,
        } for f in self.findings]
        return pd.DataFrame(rows, columns=["severity", "kind", "evidence_ids", "values",
                                           "explanation_zh", "explanation_en", "sources",
                                           "delta_seconds"])

    def to_json(self) -> dict[str, object]:
        """What ``forensics findings --json`` prints."""
        return {"tolerance_seconds": self.tolerance.total_seconds(),
                "count_by_severity": self.count_by_severity,
                "findings": [f.to_json() for f in self.findings]}

    def _repr_html_(self) -> str:
        counts = self.count_by_severity
        head = " · ".join(f"{_SEVERITY_ZH[s]} {s.value}: {counts[s.value]}" for s in _ORDER)
        rows = []
        for f in self.findings:
            zh, en = KINDS.get(f.kind, (f.kind, f.kind))
            values = "<br>".join(f"{escape(k)}: <code>{escape(v)}</code>" for k, v in f.values)
            rows.append(
                f"<tr><td>{_SEVERITY_ZH[f.severity]} {f.severity.value}</td>"
                f"<td>{escape(zh)}<br><small>{escape(en)} · <code>{f.kind}</code></small></td>"
                f"<td>{escape(' '.join(f.evidence_ids))}</td><td><small>{values}</small></td>"
                f"<td>{escape(f.explanation_zh)}<br><small>{escape(f.explanation_en)}</small>"
                f"</td></tr>")
        tol_zh, tol_en = _span(self.tolerance)
        return (f"<div><p>{len(self.findings)} 项发现 findings · {head} · 容差 tolerance "
                f"{escape(tol_zh)} / {escape(tol_en)}</p><table><tr><th>严重程度 Severity</th>"
                f"<th>类型 Kind</th><th>证据 Evidence</th><th>比较的值 Values compared</th>"
                f"<th>说明 Explanation</th></tr>{''.join(rows)}</table></div>")


# --- rows of the events frame -----------------------------------------------------------------


class _Time(NamedTuple):
    """One time of one item, as the events (or timeline) frame states it (a tuple: millions
    are made for a large case)."""

    evidence_id: str
    source: str
    description: str
    location: str
    earliest: datetime
    latest: datetime
    original: str
    zone: str
    zone_name: str
    data_type: str = ""
    text: str = ""
    chat: str = ""

    @property
    def utc(self) -> datetime | None:
        return self.earliest if self.earliest == self.latest else None

    @property
    def base(self) -> str:
        """The source without an offset borrowed from elsewhere (``+xmp:offset``)."""
        return self.source.split("+", 1)[0]


_STR_COLUMNS = ("evidence_id", "source", "description", "location", "original", "zone",
                "zone_name", "data_type", "text", "chat")


def _view(df: pd.DataFrame) -> pd.DataFrame:
    """The columns the checks read, with the UTC bounds parsed (``parsed_earliest``,
    ``parsed_latest``), in a stable order (:func:`_sorted`); a frame that already has them
    (made here) is returned as it is."""
    import pandas as pd

    if "parsed_earliest" in df.columns and "parsed_latest" in df.columns:
        return df
    out = pd.DataFrame(index=df.index)
    for col in _STR_COLUMNS:
        src = col
        if col == "source" and "source" not in df.columns:
            src = "time_source"
        if col == "description" and "description" not in df.columns:
            src = "time_description"
        out[col] = df[src].fillna("").astype(str) if src in df.columns else ""
    for col, name in (("parsed_earliest", "earliest"), ("parsed_latest", "latest")):
        if name not in df.columns:
            raise ValueError(f"the frame has no {name!r} column: give case.events() or "
                             f"case.timeline() (columns: {', '.join(map(str, df.columns))})")
        out[col] = _to_utc(df[name])
    return _sorted(out)


def _to_utc(s: pd.Series) -> pd.Series:
    import pandas as pd

    if isinstance(s.dtype, pd.DatetimeTZDtype):
        return s.dt.tz_convert("UTC")
    return pd.to_datetime(s, utc=True, format="ISO8601")


def _sorted(view: pd.DataFrame) -> pd.DataFrame:
    """A stable order: evidence, location in natural order (``line 9`` before ``line 10``),
    source, bounds, original text (sorted by Arrow: a million rows in well under a second)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(view) < 2:
        return view

    def text(col: str) -> pa.Array:
        return pa.array(view[col].to_numpy(dtype=object), pa.string())

    parts = pc.extract_regex(text("location"), r"(?s)^(?P<p>\D*)0*(?P<n>\d*)(?P<r>.*)$")
    digits = parts.field("n")
    table = pa.table({
        "e": text("evidence_id"), "p": parts.field("p"), "w": pc.utf8_length(digits),
        "n": digits, "r": parts.field("r"), "s": text("source"),
        "t0": pa.array(view["parsed_earliest"].astype("int64").to_numpy()),
        "t1": pa.array(view["parsed_latest"].astype("int64").to_numpy()),
        "o": text("original")})
    order = pc.sort_indices(table, sort_keys=[(c, "ascending") for c in table.column_names])
    return view.iloc[order.to_numpy()]


def _times(view: pd.DataFrame) -> list[_Time]:
    """The rows (of a frame made by :func:`_view`, so in its order) as :class:`_Time` s."""
    ok = view["parsed_earliest"].notna() & view["parsed_latest"].notna()
    if not ok.all():
        view = view[ok]
    if not len(view):
        return []
    eid, src, desc, loc, orig, zone, zname, dtype, text, chat = (view[c].tolist()
                                                                  for c in _STR_COLUMNS)
    early = view["parsed_earliest"].dt.to_pydatetime().tolist()
    late = view["parsed_latest"].dt.to_pydatetime().tolist()
    return list(map(_Time._make, zip(eid, src, desc, loc, early, late, orig, zone, zname, dtype,
                                     text, chat, strict=True)))


@functools.lru_cache(maxsize=1 << 16)
def _natural(s: str) -> tuple:
    """``line 9`` before ``line 10``."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", s) if p)


class _Rows:
    """The rows of a view (with both bounds, as :func:`_times` keeps them) as columns, from
    which single rows are made into :class:`_Time` without pandas."""

    def __init__(self, view: pd.DataFrame) -> None:
        import numpy as np

        self.view = view
        self.cols = [view[c].to_numpy(dtype=object) for c in _STR_COLUMNS]
        self.early = np.asarray(view["parsed_earliest"].dt.to_pydatetime(), dtype=object)
        self.late = np.asarray(view["parsed_latest"].dt.to_pydatetime(), dtype=object)

    def at(self, i: int) -> _Time:
        eid, src, desc, loc, orig, zone, zname, dtype, text, chat = (c[i] for c in self.cols)
        return _Time(eid, src, desc, loc, self.early[i], self.late[i], orig, zone, zname, dtype,
                     text, chat)


def _select(view: pd.DataFrame, mask) -> list[_Time]:
    return _times(view[mask]) if len(view) else []


def _tolerance(tolerance: timedelta | float) -> timedelta:
    if isinstance(tolerance, timedelta):
        tol = tolerance
    elif isinstance(tolerance, int | float) and not isinstance(tolerance, bool):
        tol = timedelta(seconds=tolerance)
    else:
        raise TypeError(f"tolerance must be a timedelta or seconds, not {type(tolerance).__name__}")
    if tol < timedelta(0):
        raise ValueError(f"tolerance must not be negative, got {tol}")
    return tol


# --- text ---------------------------------------------------------------------------------------

_SOURCE_NAMES: dict[str, tuple[str, str]] = {
    "exif:DateTimeOriginal": ("EXIF 拍摄时间", "EXIF capture time (DateTimeOriginal)"),
    "exif:CreateDate": ("EXIF 数字化时间", "EXIF CreateDate"),
    "xmp:DateTimeOriginal": ("XMP 拍摄时间", "XMP DateTimeOriginal"),
    "xmp:DateCreated": ("XMP 创建日期", "XMP DateCreated"),
    "xmp:CreateDate": ("XMP 创建时间", "XMP CreateDate"),
    "xmp:DateTimeDigitized": ("XMP 数字化时间", "XMP DateTimeDigitized"),
    "file:name": ("文件名中的时间", "file-name time"),
    "quicktime:Keys.creationdate": ("容器 Keys 创建时间", "container Keys creationdate"),
    "quicktime:mvhd.CreateDate": ("容器 mvhd 创建时间（按 UTC 读）",
                                  "container mvhd CreateDate read as UTC"),
    "quicktime:mvhd.CreateDate(local)": ("容器 mvhd 创建时间（按本地时间读）",
                                         "container mvhd CreateDate read as local time"),
    "intake:captured_at": ("登记的截取时间", "capture time stated at intake"),
    "intake:displayed_time": ("登记的显示发布时间", "displayed publication time stated at intake"),
    "custody:acquire": ("入案时间（保管日志）", "acquisition into the case (custody log)"),
    "warc:WARC-Date": ("WARC 归档时间", "WARC-Date"),
    "http:Date": ("HTTP Date 头", "HTTP Date header"),
    "email:Date": ("邮件 Date 头", "e-mail Date header"),
    "gps": ("GPS 时间（UTC）", "GPS time (UTC)"),
}
_DESCRIPTION_NAMES: dict[str, tuple[str, str]] = {
    "Page Published": ("页面发布时间", "page publication time"),
    "Posted": ("发布时间", "posting time"),
    "Reposted": ("转发时间", "repost time"),
    "Page Saved": ("页面保存时间", "page saved time"),
    "Message Sent": ("消息时间", "message time"),
}
_RECEIVED_RE = re.compile(r"email:Received\[(\d+)\]")


def _name(t: _Time) -> tuple[str, str]:
    m = _RECEIVED_RE.fullmatch(t.source)
    if m:
        return f"第 {m[1]} 跳 Received 头", f"Received hop {m[1]}"
    base = t.base.removesuffix("(displayed)")
    if base in _SOURCE_NAMES:
        return _SOURCE_NAMES[base]
    if t.description in _DESCRIPTION_NAMES:
        return _DESCRIPTION_NAMES[t.description]
    if t.description and t.source:
        return f"{t.description}（{t.source}）", f"{t.description} ({t.source})"
    return t.description or t.source, t.description or t.source


def _when(t: _Time) -> str:
    if t.utc is not None:
        return format_utc(t.utc)
    return f"[{format_utc(t.earliest)}, {format_utc(t.latest)}]"


def _zone_text(t: _Time) -> str:
    if t.zone == Zone.ASSUMED:
        return f"assumed {t.zone_name}"
    if t.zone == Zone.UNKNOWN:
        return "zone unknown: compared as an interval"
    return f"explicit {t.zone_name}".rstrip()


def _value(role: str, t: _Time) -> tuple[str, str]:
    where = f" {t.location}" if t.location else ""
    return (f"{role}: {t.source or t.data_type or t.description} @ {t.evidence_id}{where}",
            f"{_when(t)} (as written: {t.original}; {_zone_text(t)})")


def _span(td: timedelta) -> tuple[str, str]:
    """A duration in words, Chinese and English.

    >>> _span(timedelta(hours=8, seconds=17)), _span(timedelta(milliseconds=240))
    (('8 小时 17 秒', '8 h 17 s'), ('240 毫秒', '240 ms'))
    """
    s = abs(td.total_seconds())
    if s < 1:
        ms = round(s * 1000)
        return f"{ms} 毫秒", f"{ms} ms"
    days, rest = divmod(round(s), 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    zh = [f"{n} {u}" for n, u in ((days, "天"), (hours, "小时"), (minutes, "分"), (seconds, "秒")) if n]
    en = [f"{n} {u}" for n, u in ((days, "d"), (hours, "h"), (minutes, "min"), (seconds, "s")) if n]
    return " ".join(zh), " ".join(en)


def _signed(td: timedelta) -> tuple[str, str]:
    zh, en = _span(td)
    sign = "-" if td < timedelta(0) else "+"
    return sign + zh, sign + en


def _utc_offset(td: timedelta) -> str:
    """``+08:00`` style (to the minute)."""
    minutes = round(td.total_seconds() / 60)
    sign = "-" if minutes < 0 else "+"
    return f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _zone_notes(rows: Iterable[_Time]) -> tuple[str, str]:
    """The zones that were not written, as a sentence to append (Chinese, English)."""
    zh, en, seen = [], [], set()
    for t in rows:
        if (t.source, t.zone, t.zone_name) in seen or t.zone == Zone.EXPLICIT:
            continue
        seen.add((t.source, t.zone, t.zone_name))
        if t.zone == Zone.ASSUMED:
            zh.append(f"{t.source} 的时区按 {t.zone_name} 推定")
            en.append(f"{t.source} assumed {t.zone_name}")
        elif t.zone == Zone.UNKNOWN:
            zh.append(f"{t.source} 时区不明，按区间比较")
            en.append(f"{t.source} zone unknown, compared as an interval")
    if not zh:
        return "", ""
    return f"时区：{'；'.join(zh)}。", f" Zones: {'; '.join(en)}."


def _zone_may_explain(gap: timedelta, rows: Sequence[_Time], tol: timedelta) -> bool:
    """A gap of an hour or more, close to whole quarter hours, with a zone assumed on one side."""
    if not any(t.zone == Zone.ASSUMED for t in rows):
        return False
    gap = abs(gap)
    if gap < LARGE_GAP or gap > _ZONE_SPAN:
        return False
    q = round(gap / _QUARTER) * _QUARTER
    return abs(gap - q) <= tol


def _severity_and_note(base: Severity, gap: timedelta, rows: Sequence[_Time], tol: timedelta
                       ) -> tuple[Severity, str, str]:
    if _zone_may_explain(gap, rows, tol):
        return (_lower(base), "差值接近整刻钟，可能只是推定的时区不对。",
                " The gap is close to whole quarter hours: the assumed zone may be wrong.")
    return base, "", ""


def _gap_values(gap: timedelta, tol: timedelta) -> tuple[tuple[str, str], ...]:
    return (("difference", _span(gap)[1]), ("tolerance", _span(tol)[1]))


# --- the checks ---------------------------------------------------------------------------------

_PUBLISHED = ("Page Published", "Posted", "Reposted")
_SCREENSHOT_WORDS = re.compile(r"截图|截屏|屏幕快照|screen\s*shot|screen\s*capture|录屏|"
                               r"screen\s*record", re.IGNORECASE)


def _metadata(artifacts: pd.DataFrame | None) -> dict[str, dict[str, object]]:
    if artifacts is None or artifacts.empty or "metadata" not in artifacts.columns:
        return {}
    out = {}
    for eid, meta in zip(artifacts["evidence_id"], artifacts["metadata"], strict=False):
        if isinstance(meta, str) and meta:
            try:
                doc = json.loads(meta)
            except ValueError:
                continue
            if isinstance(doc, dict):
                out[str(eid)] = doc
        elif isinstance(meta, Mapping):
            out[str(eid)] = dict(meta)
    return out


def _screenshots(view: pd.DataFrame, meta: Mapping[str, Mapping[str, object]]) -> set[str]:
    """Items known to be screenshots: by the file-name pattern, the intake method or tool, or
    the EXIF UserComment ``Screenshot`` that iOS writes."""
    found = set()
    if len(view):
        named = view[(view["source"] == "file:name") | view["source"].str.startswith("intake:")]
        for eid, text in zip(named["evidence_id"], named["text"], strict=False):
            if _SCREENSHOT_WORDS.search(text):
                found.add(eid)
    for eid, m in meta.items():
        if str(m.get("EXIF:UserComment", "")).strip().lower() == "screenshot":
            found.add(eid)
    return found


def capture_before_publication(events: pd.DataFrame, artifacts: pd.DataFrame | None = None, *,
                               tolerance: timedelta | float = DEFAULT_TOLERANCE
                               ) -> list[Finding]:
    """Items captured before the publication time they show (``capture-before-publication``).

    Parameters
    ----------
    events : DataFrame
        ``case.events()`` with the intake rows of :func:`intake_events` (or any frame with
        ``evidence_id``, ``time_source``, ``description``, ``earliest``, ``latest``...).
    artifacts : DataFrame, optional
        ``case.artifacts()``: its metadata tells screenshots (EXIF UserComment).
    tolerance : timedelta or seconds

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"evidence_id": "E0003", "time_source": "file:name", "text": "Android screenshot",
    ...          "earliest": "2026-11-20T06:00:00Z", "latest": "2026-11-20T06:00:00Z"},
    ...         {"evidence_id": "E0003", "time_source": "intake:displayed_time",
    ...          "earliest": "2026-11-20T06:01:00Z", "latest": "2026-11-20T06:01:00Z"}]
    >>> capture_before_publication(pd.DataFrame(rows))  # 1 minute: within the tolerance
    []
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    shots = _screenshots(view, _metadata(artifacts))
    src, desc = view["source"], view["description"]
    is_pub = desc.isin(_PUBLISHED) | src.str.startswith("intake:displayed_time")
    is_cap = (src.str.startswith("intake:captured_at") | (src == "file:name")
              | src.str.startswith("exif:DateTimeOriginal") | (desc == "Page Saved")
              | (src == "warc:WARC-Date"))
    # The publication times, by item, as whole microseconds (what a datetime holds): a repost
    # list has tens of thousands, so only the latest ones are made into _Time.
    pub_view = view[(is_pub & view["parsed_earliest"].notna()
                     & view["parsed_latest"].notna()).to_numpy()]
    by_item = pub_view.groupby("evidence_id", sort=False).indices if len(pub_view) else {}
    pub_us = _micros(pub_view["parsed_earliest"])
    pub_loc = pub_view["location"].to_numpy(dtype=object)
    pub_rows = _Rows(pub_view)
    tol_us = tol // timedelta(microseconds=1)
    out = []
    for c in _select(view, is_cap & view["evidence_id"].isin(list(by_item))):
        if c.source == "file:name" and "camera" in c.text.lower() and c.evidence_id not in shots:
            continue  # a camera's own name: the photo may well predate its publication
        if c.base == "exif:DateTimeOriginal" and c.evidence_id not in shots:
            continue
        at = by_item[c.evidence_id]
        if c.source == "warc:WARC-Date":
            at = at[pub_loc[at] == c.location]
        late = at[pub_us[at] - _micro(c.latest) > tol_us]
        if not len(late):
            continue
        # the largest gap: the latest publication (ties: by source, then location)
        latest = late[pub_us[late] == pub_us[late].max()]
        p = min(map(pub_rows.at, latest), key=lambda t: (t.source, _natural(t.location)))
        out.append(_capture_finding(c, p, p.earliest - c.latest, len(late), tol))
    return out


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micro(t: datetime) -> int:
    """A UTC datetime as whole microseconds since 1970 (exact: no float)."""
    return (t - _EPOCH) // timedelta(microseconds=1)


def _micros(col: pd.Series) -> np.ndarray:
    """A UTC datetime column as whole microseconds since 1970, as :func:`_micro` gives for its
    values as datetimes (nanoseconds dropped, rounding down)."""
    import numpy as np

    if not len(col):
        return np.zeros(0, dtype=np.int64)
    # from the column's own unit (seconds to nanoseconds): numpy's casts round down, and a
    # microsecond count holds any year a datetime holds
    return (col.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
            .astype("datetime64[us]").view("int64"))


def _capture_finding(c: _Time, p: _Time, gap: timedelta, count: int, tol: timedelta) -> Finding:
    sev, nzh, nen = _severity_and_note(Severity.HIGH, gap, (c, p), tol)
    czh, cen = _name(c)
    pzh, pen = _name(p)
    gzh, gen = _span(gap)
    tzh, ten = _span(tol)
    zzh, zen = _zone_notes((c, p))
    more_zh = f"（共 {count} 个发布时间晚于截取）" if count > 1 else ""
    more_en = f" ({count} publication times are after the capture)" if count > 1 else ""
    values = (_value("capture", c), _value("publication", p), *_gap_values(gap, tol),
              ("publication times after the capture", str(count)))
    return Finding(
        "capture-before-publication", sev, (c.evidence_id,), values,
        f"{c.evidence_id}：截取时间 {_when(c)}（{czh}，{c.source}）比其显示的发布时间 {_when(p)}"
        f"（{pzh}，{p.source}）早 {gzh}{more_zh}，"
        f"超出容差 {tzh}；截取不可能早于发布，二者必有一误。{nzh}{zzh}",
        f"{c.evidence_id}: the capture time {_when(c)} ({cen}, {c.source}) is {gen} before the "
        f"publication time it shows, {_when(p)} ({pen}, {p.source}){more_en}, beyond the {ten} "
        f"tolerance; a capture cannot precede the publication, so one of the two times is "
        f"wrong.{nen}{zen}",
        (c.source, p.source), gap.total_seconds())


def time_after_acquisition(events: pd.DataFrame, *,
                           tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """Times an item states that are later than its acquisition into the case.

    The acquisition is the row with ``time_source`` ``custody:acquire`` (:func:`intake_events`
    makes it from the custody log).  One finding per item: the latest such time, and how many.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"evidence_id": "E0001", "time_source": "custody:acquire",
    ...          "earliest": "2026-11-20T06:00:00Z", "latest": "2026-11-20T06:00:00Z"},
    ...         {"evidence_id": "E0001", "time_source": "exif:DateTimeOriginal",
    ...          "earliest": "2027-01-01T00:00:00Z", "latest": "2027-01-01T00:00:00Z"}]
    >>> [f.severity.value for f in time_after_acquisition(pd.DataFrame(rows))]
    ['high']
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    acquired = {t.evidence_id: t for t in reversed(_select(view, view["source"] == "custody:acquire"))}
    if not acquired:
        return []
    import pandas as pd

    acq_e = pd.to_datetime(view["evidence_id"].map({k: pd.Timestamp(v.latest)
                                                     for k, v in acquired.items()}), utc=True)
    mask = (~view["source"].str.startswith("custody:") & acq_e.notna()
            & ((view["parsed_earliest"] - acq_e) > tol) & view["parsed_latest"].notna())
    # by item; only the latest of an item's late times (the worst) is made into a _Time
    late_view = view[mask.to_numpy()]
    late = late_view.groupby("evidence_id", sort=False).indices if len(late_view) else {}
    late_us = _micros(late_view["parsed_earliest"])
    late_src = late_view["source"].to_numpy(dtype=object)
    late_rows = _Rows(late_view)
    out = []
    for eid in sorted(late):
        a = acquired[eid]
        at = late[eid]
        last = at[late_us[at] == late_us[at].max()]
        worst = max(map(late_rows.at, last), key=lambda t: (t.earliest - a.latest, t.source))
        gap = worst.earliest - a.latest
        base = Severity.HIGH if gap > LARGE_GAP else Severity.MEDIUM
        sev, nzh, nen = _severity_and_note(base, gap, (worst,), tol)
        n = len(at)
        wzh, wen = _name(worst)
        gzh, gen = _span(gap)
        tzh, ten = _span(tol)
        zzh, zen = _zone_notes((worst,))
        listed = ", ".join(sorted(set(late_src[at].tolist()))[:_MAX_LISTED])
        values = (_value("stated time", worst), _value("acquisition", a), *_gap_values(gap, tol),
                  ("times after acquisition", f"{n} ({listed})"))
        out.append(Finding(
            "time-after-acquisition", sev, (eid,), values,
            f"{eid}：{wzh} {_when(worst)} 比该证据入案时间 {_when(a)}（保管日志）晚 {gzh}，超出容差 "
            f"{tzh}{f'（共 {n} 个时间晚于入案）' if n > 1 else ''}；入案后的时间不可能由入案前的"
            f"文件记载，设备时钟可能有误或时间被改动。{nzh}{zzh}",
            f"{eid}: the {wen} {_when(worst)} is {gen} after the item's acquisition into the case "
            f"at {_when(a)} (custody log), beyond the {ten} tolerance"
            f"{f' ({n} times after acquisition)' if n > 1 else ''}; a file cannot state a time "
            f"after it was already held, so a clock was wrong or the time was altered.{nen}{zen}",
            (worst.source, a.source), gap.total_seconds()))
    return out


# times-disagree ---------------------------------------------------------------------------------

_MVHD = "quicktime:mvhd.CreateDate"
_MVHD_LOCAL = "quicktime:mvhd.CreateDate(local)"
_KEYS = "quicktime:Keys.creationdate"


def _first(rows: Iterable[_Time], pred) -> _Time | None:
    return next((t for t in rows if pred(t)), None)


def times_disagree(events: pd.DataFrame, artifacts: pd.DataFrame | None = None, *,
                   tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """An item's own times disagreeing: EXIF capture time, file-name time, container times
    (``mvhd`` read both ways, Apple ``Keys`` creationdate) and the capture time stated at intake.

    Examples
    --------
    >>> import pandas as pd
    >>> def row(src, t, orig, zone="explicit", name="UTC (by spec)"):
    ...     return {"evidence_id": "E0009", "time_source": src, "earliest": t, "latest": t,
    ...             "original": orig, "zone": zone, "zone_name": name}
    >>> rows = [row("quicktime:mvhd.CreateDate", "2014-12-19T07:39:23Z", "2014:12:19 07:39:23"),
    ...         row("quicktime:mvhd.CreateDate(local)", "2014-12-18T23:39:23Z",
    ...             "2014:12:19 07:39:23", "assumed", "Asia/Shanghai"),
    ...         row("quicktime:Keys.creationdate", "2014-12-18T23:39:06Z",
    ...             "2014-12-19T07:39:06+0800", name="+08:00")]
    >>> [(f.severity.value, f.values[-1][1]) for f in times_disagree(pd.DataFrame(rows))]
    [('low', 'local reading (quicktime:mvhd.CreateDate(local))')]
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    src = view["source"]
    mask = (src.str.startswith("exif:DateTimeOriginal") | src.isin(("file:name", _KEYS, _MVHD,
                                                                     _MVHD_LOCAL))
            | src.str.startswith("intake:captured_at"))
    by_item: dict[str, list[_Time]] = defaultdict(list)
    for t in _select(view, mask):
        by_item[t.evidence_id].append(t)
    shots = _screenshots(view, _metadata(artifacts))
    out: list[Finding] = []
    for eid in sorted(by_item):
        rows = by_item[eid]
        exif = _first(rows, lambda t: t.base == "exif:DateTimeOriginal")
        name = _first(rows, lambda t: t.source == "file:name")
        keys = _first(rows, lambda t: t.source == _KEYS)
        mvhd = _first(rows, lambda t: t.source == _MVHD)
        local = _first(rows, lambda t: t.source == _MVHD_LOCAL)
        stated = _first(rows, lambda t: t.source.startswith("intake:captured_at"))
        device = [t for t in (exif, name, keys) if t is not None]
        for i, a in enumerate(device):
            for b in device[i + 1:]:
                f = _pair(a, b, Severity.MEDIUM, tol)
                if f:
                    out.append(f)
        container = keys
        if mvhd is not None:
            refs = [keys] if keys is not None else [t for t in (exif, name) if t is not None]
            agreeing = None
            for ref in refs:
                f, agrees = _mvhd_check(mvhd, local, ref, tol)
                if f:
                    out.append(f)
                agreeing = agreeing or agrees
            if container is None:
                container = agreeing or mvhd  # the reading that agrees, else UTC as specified
        if stated is not None:
            for d in (exif, name, container):
                if d is not None:
                    f = _stated_check(stated, d, eid in shots, tol)
                    if f:
                        out.append(f)
    return out


def _pair(a: _Time, b: _Time, base: Severity, tol: timedelta) -> Finding | None:
    gap = max(a.earliest - b.latest, b.earliest - a.latest)
    if gap <= tol:
        return None
    sev, nzh, nen = _severity_and_note(base, gap, (a, b), tol)
    return _disagree(a, b, gap, sev, tol, nzh, nen)


def _disagree(a: _Time, b: _Time, gap: timedelta, sev: Severity, tol: timedelta, zh_note: str,
              en_note: str, extra: tuple[tuple[str, str], ...] = (),
              others: tuple[_Time, ...] = ()) -> Finding:
    azh, aen = _name(a)
    bzh, ben = _name(b)
    gzh, gen = _span(gap)
    tzh, ten = _span(tol)
    zzh, zen = _zone_notes((a, b, *others))
    values = (_value(aen, a), _value(ben, b), *(_value(_name(o)[1], o) for o in others),
              *_gap_values(gap, tol), *extra)
    return Finding(
        "times-disagree", sev, (a.evidence_id,), values,
        f"{a.evidence_id}：{azh} {_when(a)} 与{bzh} {_when(b)} 相差 {gzh}，超出容差 {tzh}。{zh_note}{zzh}",
        f"{a.evidence_id}: the {aen} {_when(a)} and the {ben} {_when(b)} differ by {gen}, beyond "
        f"the {ten} tolerance.{en_note}{zen}",
        tuple(t.source for t in (a, b, *others)), gap.total_seconds())


def _sep(a: _Time, b: _Time) -> timedelta:
    return max(a.earliest - b.latest, b.earliest - a.latest)


def _mvhd_check(utc: _Time, local: _Time | None, ref: _Time, tol: timedelta
                ) -> tuple[Finding | None, _Time | None]:
    """The mvhd time against ``ref``, read both ways: which reading agrees (if any)."""
    if _sep(utc, ref) <= tol:
        return None, utc  # as the specification says: UTC
    if local is not None and _sep(local, ref) <= tol:
        rzh, ren = _name(ref)
        return _disagree(
            utc, ref, _sep(utc, ref), Severity.LOW, tol,
            f"按本地时间（{local.zone_name}）读 mvhd 则与{rzh}一致：设备写入的是本地时间（不符合规范），"
            f"应采用本地读法。",
            f" Read as local time ({local.zone_name}) the mvhd time agrees with the {ren}: the "
            f"device wrote local time (against the specification); the local reading is the one "
            f"to use.",
            (("reading that agrees", f"local reading ({local.source})"),), (local,)), local
    gap = _sep(utc, ref)
    gap_local = _sep(local, ref) if local is not None else None
    extra = (("reading that agrees", "neither (UTC nor local)"),)
    note_zh = "mvhd 按 UTC 读和按本地时间读都不一致。" if local is not None else ""
    note_en = " Neither the UTC nor the local reading of mvhd agrees." if local is not None else ""
    others = (local,) if local is not None else ()
    best = gap if gap_local is None else min(gap, gap_local)
    return _disagree(utc, ref, best, Severity.MEDIUM, tol, note_zh, note_en, extra, others), None


def _stated_check(stated: _Time, d: _Time, screenshot: bool, tol: timedelta) -> Finding | None:
    after = d.earliest - stated.latest  # the file's own time after the stated capture
    before = stated.earliest - d.latest
    if after > tol:
        sev, nzh, nen = _severity_and_note(Severity.MEDIUM, after, (stated, d), tol)
        dzh, den = _name(d)
        return _disagree(stated, d, after, sev, tol,
                         f"文件自身的{dzh}晚于登记的截取时间：文件不可能在截取之后才生成，"
                         f"登记时间或设备时钟有误。{nzh}",
                         f" The file's own {den} is after the stated capture: the file cannot have "
                         f"been made after it was captured, so the stated time or the device clock "
                         f"is wrong.{nen}")
    if before > tol:
        base = Severity.MEDIUM if screenshot else Severity.LOW
        sev, nzh, nen = _severity_and_note(base, before, (stated, d), tol)
        if screenshot:
            zh = "截图文件的时间应与截取时间一致。"
            en = " A screenshot's own time should be its capture time."
        else:
            zh = "若文件是下载或转存的（并非截取时生成），早于截取属正常。"
            en = (" Expected if the file was downloaded or copied rather than made by the "
                  "capture.")
        return _disagree(stated, d, before, sev, tol, zh + nzh, en + nen)
    return None


# exif-offset-mismatch ---------------------------------------------------------------------------

_XMP_PARTNERS = {"exif:DateTimeOriginal": ("xmp:DateTimeOriginal", "xmp:DateCreated"),
                 "exif:CreateDate": ("xmp:CreateDate", "xmp:DateTimeDigitized")}
_WALL_RE = re.compile(r"\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})[ T](\d{2}):(\d{2})(?::(\d{2}))?"
                      r"(?:\.(\d{1,6}))?")
_MAX_EAST = timedelta(hours=14)
_MAX_WEST = timedelta(hours=12)


def _wall(original: str) -> datetime | None:
    """The wall-clock reading of an EXIF-style date as if it were UTC (for offsets)."""
    m = _WALL_RE.match(original)
    if not m:
        return None
    y, mo, d, hh, mm, ss, frac = m.groups()
    try:
        return datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0),
                        int((frac or "0").ljust(6, "0")), tzinfo=UTC)
    except ValueError:
        return None


def _gps_time(meta: Mapping[str, object]) -> TimeValue | None:
    text = meta.get("Composite:GPSDateTime")
    if not isinstance(text, str) or not text.strip():
        date, clock = meta.get("EXIF:GPSDateStamp"), meta.get("EXIF:GPSTimeStamp")
        if not isinstance(date, str) or not isinstance(clock, str):
            return None
        text = f"{date} {clock}Z"
    if not text.rstrip().endswith("Z"):
        text = text.rstrip() + "Z"
    try:
        return parse_exif(text, "gps")
    except ValueError:
        return None


def _gps_row(eid: str, meta: Mapping[str, object]) -> _Time | None:
    t = _gps_time(meta)
    if t is None:
        return None
    key = "Composite:GPSDateTime" if meta.get("Composite:GPSDateTime") else \
        "EXIF:GPSDateStamp + EXIF:GPSTimeStamp"
    return _Time(eid, "gps", "GPS time", key, t.earliest, t.latest, t.original, "explicit", "UTC")


def exif_offset_mismatch(events: pd.DataFrame, artifacts: pd.DataFrame | None = None, *,
                         tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """EXIF times written without an offset that disagree with XMP (with an offset) or with the
    GPS time (UTC, from ``artifacts`` metadata): the finding gives the offset implied.

    Examples
    --------
    >>> import pandas as pd, json
    >>> ev = pd.DataFrame([{"evidence_id": "E0004", "time_source": "exif:DateTimeOriginal",
    ...     "earliest": "2026-07-01T04:00:00Z", "latest": "2026-07-01T04:00:00Z",
    ...     "original": "2026:07:01 12:00:00", "zone": "assumed", "zone_name": "Asia/Shanghai"}])
    >>> art = pd.DataFrame([{"evidence_id": "E0004",
    ...     "metadata": json.dumps({"Composite:GPSDateTime": "2026:07:01 10:00:05Z"})}])
    >>> f, = exif_offset_mismatch(ev, art)
    >>> f.values[2]
    ('offset implied by the GPS time', '+02:00')
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    meta = _metadata(artifacts)
    src = view["source"]
    partners = {p for ps in _XMP_PARTNERS.values() for p in ps}
    exif_rows = _select(view, src.isin(tuple(_XMP_PARTNERS)) & (view["zone"] != Zone.EXPLICIT))
    xmp_rows = _select(view, src.isin(tuple(partners)) & (view["zone"] == Zone.EXPLICIT))
    xmp_by: dict[tuple[str, str], _Time] = {}
    for x in xmp_rows:
        xmp_by.setdefault((x.evidence_id, x.source), x)
    out = []
    for e in exif_rows:
        wall = _wall(e.original)
        for p in _XMP_PARTNERS[e.source]:
            x = xmp_by.get((e.evidence_id, p))
            if x is None or x.utc is None or wall is None:
                continue
            gap = _sep(e, x)
            if gap > tol:
                out.append(_offset_finding(e, x, wall - x.utc, gap, tol, "XMP"))
            break
        gps = _gps_row(e.evidence_id, meta.get(e.evidence_id, {}))
        if e.source == "exif:DateTimeOriginal" and gps is not None and wall is not None:
            implied = wall - gps.earliest
            if -_MAX_WEST - tol <= implied <= _MAX_EAST + tol:
                q = round(implied / _QUARTER) * _QUARTER
                assumed = wall - e.earliest if e.utc is not None else None
                if assumed is None or abs(q - assumed) >= _QUARTER:
                    out.append(_offset_finding(e, gps, q, _sep(e, gps), tol, "GPS"))
            else:
                out.append(_offset_finding(e, gps, None, _sep(e, gps), tol, "GPS"))
    return out


def _offset_finding(e: _Time, other: _Time, implied: timedelta | None, gap: timedelta,
                    tol: timedelta, what: str) -> Finding:
    ezh, een = _name(e)
    gzh, gen = _span(gap)
    zone = f"按推定时区 {e.zone_name} " if e.zone == Zone.ASSUMED else "时区不明，"
    zone_en = f"in the assumed zone {e.zone_name}" if e.zone == Zone.ASSUMED else \
        "with its zone unknown"
    values = [_value(een, e), _value(f"{what} time", other)]
    if implied is None:
        values.append((f"offset implied by the {what} time", "none: beyond -12:00..+14:00"))
        return Finding(
            "exif-offset-mismatch", Severity.LOW, (e.evidence_id,), (*values, *_gap_values(gap, tol)),
            f"{e.evidence_id}：{ezh}未写时区，{zone}读为 {_when(e)}；{what} 时间为 {_when(other)}，"
            f"相差 {gzh}，任何时区都解释不了：{what} 定位可能是旧的，或设备时钟有误。",
            f"{e.evidence_id}: the {een} has no offset; read {zone_en} it is {_when(e)}; the {what} "
            f"time is {_when(other)}, {gen} apart, more than any zone offset explains: the {what} "
            f"fix may be stale or the device clock wrong.",
            (e.source, other.source), gap.total_seconds())
    off = _utc_offset(implied)
    values.append((f"offset implied by the {what} time", off))
    sev = Severity.MEDIUM
    return Finding(
        "exif-offset-mismatch", sev, (e.evidence_id,), (*values, *_gap_values(gap, tol)),
        f"{e.evidence_id}：{ezh}未写时区，{zone}读为 {_when(e)}；写明时区的 {what} 时间为 "
        f"{_when(other)}，相差 {gzh}；按 {what}，该 EXIF 时间的时区应为 UTC{off}（时间线中的原值未改）。",
        f"{e.evidence_id}: the {een} has no offset; read {zone_en} it is {_when(e)}, but the "
        f"{what} time, whose zone is known, is {_when(other)}, {gen} apart; by the {what} time "
        f"the EXIF time was written at UTC{off} (the timeline keeps the value as read).",
        (e.source, other.source), implied.total_seconds())


# e-mail -----------------------------------------------------------------------------------------


def _mail_groups(view: pd.DataFrame) -> dict[tuple[str, str], tuple[_Time | None, dict[int, _Time]]]:
    src = view["source"]
    rows = _select(view, src.str.startswith("email:Received[") | (src == "email:Date"))
    groups: dict[tuple[str, str], list[_Time]] = defaultdict(list)
    for t in rows:
        groups[(t.evidence_id, t.location)].append(t)
    out = {}
    for key, ts in groups.items():
        date = _first(ts, lambda t: t.source == "email:Date")
        hops: dict[int, _Time] = {}
        for t in ts:
            m = _RECEIVED_RE.fullmatch(t.source)
            if m:
                hops.setdefault(int(m[1]), t)
        out[key] = (date, hops)
    return out


def received_hops_out_of_order(events: pd.DataFrame, *,
                               tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """E-mail ``Received`` hops (``email:Received[0]`` the newest, at the top) earlier than the
    hop below them, by more than the tolerance.  Each message is one ``(evidence_id, location)``.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"evidence_id": "E0002", "time_source": f"email:Received[{i}]",
    ...          "location": "message 0", "earliest": t, "latest": t}
    ...         for i, t in enumerate(["2026-11-20T06:00:00Z", "2026-11-20T06:30:00Z"])]
    >>> [f.delta_seconds for f in received_hops_out_of_order(pd.DataFrame(rows))]
    [1800.0]
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    out = []
    for (eid, loc), (_date, hops) in sorted(_mail_groups(view).items()):
        order = sorted(hops)
        for i, j in itertools.pairwise(order):
            newer, older = hops[i], hops[j]
            gap = older.earliest - newer.latest
            if gap <= tol:
                continue
            sev = Severity.MEDIUM if gap > LARGE_GAP else Severity.LOW
            gzh, gen = _span(gap)
            tzh, ten = _span(tol)
            zzh, zen = _zone_notes((newer, older))
            out.append(Finding(
                "received-hops-out-of-order", sev, (eid,),
                (_value(f"Received hop {i} (newer)", newer), _value(f"Received hop {j} (older)", older),
                 *_gap_values(gap, tol)),
                f"{eid} {loc}：第 {i} 跳 Received（较新）{_when(newer)} 比其下方的第 {j} 跳（较早）"
                f"{_when(older)} 还早 {gzh}，超出容差 {tzh}；各跳应自下而上时间不减：服务器时钟有误，"
                f"或该头被插入、改动。{zzh}",
                f"{eid} {loc}: Received hop {i} (newer) {_when(newer)} is {gen} earlier than hop "
                f"{j} below it (older) {_when(older)}, beyond the {ten} tolerance; hops must not "
                f"get older going up: a server clock was wrong, or the header was inserted or "
                f"altered.{zen}",
                (newer.source, older.source), gap.total_seconds()))
    return out


def date_far_from_first_hop(events: pd.DataFrame, *,
                            tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """An e-mail ``Date`` after its first ``Received`` hop (the bottom one) beyond the
    tolerance, or before it by more than :data:`MAIL_QUEUE_ALLOWANCE` (or the tolerance).

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"evidence_id": "E0002", "time_source": s, "location": "message 0",
    ...          "earliest": t, "latest": t}
    ...         for s, t in [("email:Date", "2026-11-20T07:00:00Z"),
    ...                      ("email:Received[0]", "2026-11-20T06:00:10Z")]]
    >>> [f.severity.value for f in date_far_from_first_hop(pd.DataFrame(rows))]
    ['medium']
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    out = []
    allowance = max(tol, MAIL_QUEUE_ALLOWANCE)
    for (eid, loc), (date, hops) in sorted(_mail_groups(view).items()):
        if date is None or not hops:
            continue
        j = max(hops)
        first = hops[j]
        after = date.earliest - first.latest
        before = first.earliest - date.latest
        gzh, gen = _span(after if after > tol else before)
        zzh, zen = _zone_notes((date, first))
        values = (_value("Date", date), _value(f"first hop, Received[{j}]", first))
        if after > tol:
            tzh, ten = _span(tol)
            out.append(Finding(
                "date-far-from-first-hop", Severity.MEDIUM, (eid,), (*values, *_gap_values(after, tol)),
                f"{eid} {loc}：Date 头 {_when(date)} 比第一跳（第 {j} 跳 Received）{_when(first)} 晚 "
                f"{gzh}，超出容差 {tzh}；邮件不可能在发出前被接收：发件端时钟有误或 Date 被改动。{zzh}",
                f"{eid} {loc}: the Date header {_when(date)} is {gen} after the first hop "
                f"(Received[{j}]) {_when(first)}, beyond the {ten} tolerance; a message cannot be "
                f"received before it was sent: the sender's clock was wrong or Date was "
                f"altered.{zen}",
                (date.source, first.source), after.total_seconds()))
        elif before > allowance:
            azh, aen = _span(allowance)
            out.append(Finding(
                "date-far-from-first-hop", Severity.LOW, (eid,),
                (*values, ("difference", gen), ("allowance", aen)),
                f"{eid} {loc}：Date 头 {_when(date)} 比第一跳（第 {j} 跳 Received）{_when(first)} 早 "
                f"{gzh}，超出允许的排队时间 {azh}；邮件可能离线写成后才发出，或 Date 被改动。{zzh}",
                f"{eid} {loc}: the Date header {_when(date)} is {gen} before the first hop "
                f"(Received[{j}]) {_when(first)}, more than the {aen} a message may wait in a "
                f"queue; it may have been written offline and sent later, or Date was "
                f"altered.{zen}",
                (date.source, first.source), -before.total_seconds()))
    return out


# chat, WARC ------------------------------------------------------------------------------------


def chat_out_of_order(events: pd.DataFrame, *,
                      tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """Chat messages (``chat:message`` ``Message Sent`` events), in the order of the export
    (their ``location``: ``line 9`` before ``line 10``), going back in time beyond the
    tolerance.  One finding per chat (``evidence_id`` and, when given, a ``chat`` column): the
    largest step back, and how many.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"evidence_id": "E0005", "data_type": "chat:message", "description": "Message Sent",
    ...          "time_source": "chat:time", "location": f"line {n}", "earliest": t, "latest": t}
    ...         for n, t in [(9, "2026-11-20T06:30:00Z"), (10, "2026-11-20T06:00:00Z")]]
    >>> f, = chat_out_of_order(pd.DataFrame(rows))
    >>> f.severity.value, f.values[0][0]
    ('low', 'earlier message: chat:time @ E0005 line 9')
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    mask = view["data_type"] == "chat:message"
    if (view["description"] != "").any():
        mask &= view["description"].isin(("Message Sent", ""))
    import numpy as np
    import pandas as pd

    msgs = view[mask & view["parsed_earliest"].notna() & view["parsed_latest"].notna()]
    if len(msgs) < 2:
        return []
    # vectorised: each message against the one before it in the same chat (export order)
    msgs = msgs.assign(pos=np.arange(len(msgs)))
    by_chat = msgs.groupby(["evidence_id", "chat"], sort=False)
    prev_pos = by_chat["pos"].shift(1)
    back = (by_chat["parsed_earliest"].shift(1) - msgs["parsed_latest"]) > pd.Timedelta(tol)
    if not back.any():
        return []
    cur_pos = msgs["pos"][back].tolist()
    before = prev_pos[back].astype("int64").tolist()
    wanted = sorted(set(cur_pos) | set(before))
    rows = dict(zip(wanted, _times(msgs.iloc[wanted]), strict=True))
    groups: dict[tuple[str, str], list[tuple[timedelta, _Time, _Time]]] = defaultdict(list)
    for c, p in zip(cur_pos, before, strict=True):
        prev, cur = rows[p], rows[c]
        groups[(cur.evidence_id, cur.chat)].append((prev.earliest - cur.latest, prev, cur))
    out = []
    for (eid, chat), steps in sorted(groups.items()):
        gap, prev, cur = max(steps, key=lambda s: (s[0], [-x for x in _loc_num(s[2])]))
        sev = Severity.MEDIUM if gap > LARGE_GAP else Severity.LOW
        n = len(steps)
        where = ", ".join(s[2].location for s in steps[:_MAX_LISTED]) + (" ..." if n > _MAX_LISTED
                                                                          else "")
        gzh, gen = _span(gap)
        tzh, ten = _span(tol)
        zzh, zen = _zone_notes((prev, cur))
        label = f" 「{chat}」" if chat else ""
        label_en = f" ({chat})" if chat else ""
        prev_v = _value("earlier message", prev)
        cur_v = _value("next message", cur)
        out.append(Finding(
            "chat-out-of-order", sev, (eid,),
            (prev_v, cur_v, *_gap_values(gap, tol), ("steps back in time", f"{n} ({where})")),
            f"{eid}{label}：导出顺序中 {cur.location} 的消息 {_when(cur)} 比前一条 {prev.location} 的 "
            f"{_when(prev)} 早 {gzh}，超出容差 {tzh}（共 {n} 处倒序）；导出的记录应按时间排列：可能被"
            f"拼接、编辑，或设备时钟曾被调整。{zzh}",
            f"{eid}{label_en}: in the export's order the message at {cur.location} {_when(cur)} is "
            f"{gen} earlier than the one before it at {prev.location} {_when(prev)}, beyond the "
            f"{ten} tolerance ({n} step{'s' if n > 1 else ''} back); an export lists messages in "
            f"time order: it may have been spliced or edited, or the device clock was "
            f"changed.{zen}",
            (prev.source, cur.source), gap.total_seconds()))
    return out


def _loc_num(t: _Time) -> list[int]:
    return [int(p) for p in re.findall(r"\d+", t.location)]


def warc_date_http_date_skew(events: pd.DataFrame, *,
                             tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """The WARC-Date and the HTTP ``Date`` of the same record (same ``evidence_id`` and
    ``location``) further apart than the tolerance.  One finding per item: the largest skew.

    Examples
    --------
    >>> import pandas as pd
    >>> rows = [{"evidence_id": "E0007", "time_source": s, "location": "record 3 at byte 1197",
    ...          "earliest": t, "latest": t}
    ...         for s, t in [("warc:WARC-Date", "2017-03-06T04:02:06Z"),
    ...                      ("http:Date", "2017-03-06T03:02:06Z")]]
    >>> [f.delta_seconds for f in warc_date_http_date_skew(pd.DataFrame(rows))]
    [3600.0]
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    if not len(view):
        return []
    rows = _select(view, view["source"].isin(("warc:WARC-Date", "http:Date")))
    records: dict[tuple[str, str], dict[str, _Time]] = defaultdict(dict)
    for t in rows:
        records[(t.evidence_id, t.location)].setdefault(t.source, t)
    skewed: dict[str, list[tuple[timedelta, _Time, _Time]]] = defaultdict(list)
    for (eid, _loc), pair in records.items():
        w, h = pair.get("warc:WARC-Date"), pair.get("http:Date")
        if w is not None and h is not None and _sep(w, h) > tol:
            skewed[eid].append((_sep(w, h), w, h))
    out = []
    for eid in sorted(skewed):
        items = sorted(skewed[eid], key=lambda s: _natural(s[1].location))
        gap, w, h = max(items, key=lambda s: s[0])
        n = len(items)
        where = ", ".join(s[1].location for s in items[:_MAX_LISTED]) + (" ..." if n > _MAX_LISTED
                                                                          else "")
        sev = Severity.MEDIUM if gap > LARGE_GAP else Severity.LOW
        gzh, gen = _span(gap)
        tzh, ten = _span(tol)
        direction_zh = "晚" if w.earliest > h.latest else "早"
        direction_en = "after" if w.earliest > h.latest else "before"
        out.append(Finding(
            "warc-date-http-date-skew", sev, (eid,),
            (_value("WARC-Date", w), _value("HTTP Date", h), *_gap_values(gap, tol),
             ("records skewed", f"{n} ({where})")),
            f"{eid} {w.location}：WARC-Date {_when(w)} 比同一记录的 HTTP Date {_when(h)} {direction_zh} "
            f"{gzh}，超出容差 {tzh}{f'（共 {n} 条记录）' if n > 1 else ''}；采集端或网站服务器的时钟有误。",
            f"{eid} {w.location}: the WARC-Date {_when(w)} is {gen} {direction_en} the same "
            f"record's HTTP Date {_when(h)}, beyond the {ten} tolerance"
            f"{f' ({n} records skewed)' if n > 1 else ''}; the "
            f"crawler's or the web server's clock was wrong.",
            (w.source, h.source), gap.total_seconds()))
    return out


# editing software -------------------------------------------------------------------------------


def editing_software(artifacts: pd.DataFrame) -> list[Finding]:
    """Items whose metadata names editing software (``flags`` such as ``edited: GIMP 2.4.5``).

    Examples
    --------
    >>> import pandas as pd
    >>> art = pd.DataFrame([{"evidence_id": "E0001", "flags": "edited: GIMP 2.4.5"},
    ...                     {"evidence_id": "E0002", "flags": ""}])
    >>> [f.evidence_ids for f in editing_software(art)]
    [('E0001',)]
    """
    if artifacts is None or artifacts.empty or "flags" not in artifacts.columns:
        return []
    out = []
    for eid, flags in sorted(zip(artifacts["evidence_id"].astype(str), artifacts["flags"],
                                 strict=False)):
        if not isinstance(flags, str):
            continue
        tools = [f.strip()[len("edited:"):].strip() for f in flags.split(";")
                 if f.strip().startswith("edited:")]
        if not tools:
            continue
        names = "、".join(tools)
        out.append(Finding(
            "editing-software", Severity.MEDIUM, (eid,),
            tuple(("flag (artifacts: flags)", f"edited: {t}") for t in tools),
            f"{eid}：元数据记载了编辑软件（{names}），说明文件曾由其保存；这本身不证明内容被修改，"
            f"但应查明用途（如仅调整尺寸）。",
            f"{eid}: the metadata names editing software ({', '.join(tools)}): the file was "
            f"saved by it; this alone does not show that the content was changed, but its use "
            f"(a resize, say) should be explained.",
            ("metadata",)))
    return out


# device clock offset -----------------------------------------------------------------------------

_REF_KINDS = (("gps", "GPS 时间", "GPS time"),
              ("stated", "入案登记的截取时间", "capture time stated at acquisition"),
              ("file-name", "文件名时间", "file-name time"))


def _device(meta: Mapping[str, object]) -> str | None:
    def first(*keys: str) -> str:
        for k in keys:
            v = meta.get(k)
            if isinstance(v, str | int) and str(v).strip():
                return str(v).strip()
        return ""

    make = first("EXIF:Make", "QuickTime:Make", "XMP:Make")
    model = first("EXIF:Model", "QuickTime:Model", "XMP:Model")
    serial = first("EXIF:SerialNumber", "EXIF:BodySerialNumber", "MakerNotes:SerialNumber",
                   "MakerNotes:InternalSerialNumber")
    if not make and not model:
        return None
    name = model if make and model.lower().startswith(make.lower()) else f"{make} {model}".strip()
    return f"{name} (serial {serial})" if serial else name


def device_clock_offset(events: pd.DataFrame, artifacts: pd.DataFrame | None = None, *,
                        tolerance: timedelta | float = DEFAULT_TOLERANCE) -> list[Finding]:
    """The clock offset of each device (EXIF Make, Model and serial), estimated from its items.

    For every item of a device, its own time (EXIF DateTimeOriginal, else the container's Keys
    creationdate; instants only) is compared with each reference available: the GPS time (UTC
    from satellites), the capture time stated at acquisition (``intake:captured_at``), the
    file-name time (often the same clock: agreement there shows consistency, not accuracy).
    The estimate is the median over the best kind of reference available (in that order), with
    its spread (max - min) and the number of sources; the other kinds are listed.  Offsets are
    *device minus reference*: positive means the device clock is ahead.  A device is reported
    (severity ``info``) when it has two or more sources and its estimate exceeds the tolerance,
    or three or more sources: a single sample is no estimate of a clock (that pair is reported
    by the kind that compares it, e.g. ``exif-offset-mismatch``).
    Nothing is changed: see :func:`apply_clock_offset`.

    Examples
    --------
    >>> import pandas as pd, json
    >>> def ev(eid, src, t):
    ...     return {"evidence_id": eid, "time_source": src, "earliest": t, "latest": t,
    ...             "zone": "explicit", "zone_name": "+08:00"}
    >>> events = pd.DataFrame([
    ...     ev("E0001", "exif:DateTimeOriginal", "2026-11-20T06:00:30Z"),
    ...     ev("E0001", "intake:captured_at", "2026-11-20T06:00:00Z"),
    ...     ev("E0002", "exif:DateTimeOriginal", "2026-11-21T08:00:34Z"),
    ...     ev("E0002", "intake:captured_at", "2026-11-21T08:00:00Z")])
    >>> meta = json.dumps({"EXIF:Make": "HUAWEI", "EXIF:Model": "P40"})
    >>> art = pd.DataFrame({"evidence_id": ["E0001", "E0002"], "metadata": [meta, meta]})
    >>> f, = device_clock_offset(events, art, tolerance=10)
    >>> f.severity.value, f.delta_seconds, f.values[1:4]
    ('info', 32.0, (('estimate (median)', '+32 s'), ('spread (max - min)', '4 s'), ('sources', '2')))
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    meta = _metadata(artifacts)
    devices = {eid: d for eid, m in meta.items() if (d := _device(m))}
    if not len(view) or not devices:
        return []
    src = view["source"]
    mask = view["evidence_id"].isin(list(devices)) & (
        src.str.startswith("exif:DateTimeOriginal") | (src == _KEYS)
        | src.str.startswith("intake:captured_at") | (src == "file:name"))
    by_item: dict[str, list[_Time]] = defaultdict(list)
    for t in _select(view, mask):
        by_item[t.evidence_id].append(t)
    estimates: dict[str, dict[str, list[tuple[timedelta, _Time, _Time]]]] = defaultdict(
        lambda: defaultdict(list))
    for eid in sorted(by_item):
        rows = by_item[eid]
        own = (_first(rows, lambda t: t.base == "exif:DateTimeOriginal" and t.utc is not None)
               or _first(rows, lambda t: t.source == _KEYS and t.utc is not None))
        if own is None:
            continue
        refs = {"gps": _gps_row(eid, meta.get(eid, {})),
                "stated": _first(rows, lambda t: t.source.startswith("intake:captured_at")),
                "file-name": _first(rows, lambda t: t.source == "file:name")}
        for kind, ref in refs.items():
            if ref is not None and ref.utc is not None and own.utc is not None:
                estimates[devices[eid]][kind].append((own.utc - ref.utc, own, ref))
    out = []
    for device in sorted(estimates):
        kinds = estimates[device]
        best = next(k for k, *_ in _REF_KINDS if kinds.get(k))
        offsets = sorted(d for d, _, _ in kinds[best])
        est = _median(offsets)
        total = sum(len(v) for v in kinds.values())
        if total < 2 or (abs(est) <= tol and total < 3):
            # One sample is no estimate of a clock (the pair is reported by the kind that
            # compares it); a small offset needs several sources to be worth a line.
            continue
        spread = offsets[-1] - offsets[0]
        kzh, ken = next((zh, en) for k, zh, en in _REF_KINDS if k == best)
        sen = _signed(est)[1]
        pzh, pen = _span(spread)
        values: list[tuple[str, str]] = [("device", device), ("estimate (median)", sen),
                                         ("spread (max - min)", pen), ("sources", str(len(offsets))),
                                         ("reference", ken)]
        for k, _zh, en in _REF_KINDS:
            for d, own, ref in kinds.get(k, ()):
                values.append((f"{en}: {own.source} - {ref.source} @ {own.evidence_id}",
                               _signed(d)[1]))
        eids = tuple(sorted({own.evidence_id for v in kinds.values() for _, own, _ in v}))
        rows_seen = [t for v in kinds.values() for _, own, ref in v for t in (own, ref)]
        zzh, zen = _zone_notes(rows_seen)
        if zzh:
            zzh, zen = (f"估计值含推定时区可能带来的误差。{zzh}",
                        f" The estimate includes any error of an assumed zone.{zen}")
        n = len(offsets)
        ahead_zh = "快" if est >= timedelta(0) else "慢"
        ahead_en = "ahead of" if est >= timedelta(0) else "behind"
        out.append(Finding(
            "device-clock-offset", Severity.INFO, eids, tuple(values),
            f"设备 {device}：据 {n} 个来源（{kzh}）估计，其时钟比参考时间{ahead_zh} "
            f"{_span(est)[0]}（离散 {pzh}）；仅供参考，未改动任何时间，需经鉴定人要求方可校正。{zzh}",
            f"Device {device}: from {n} source{'s' if n > 1 else ''} ({ken}) its clock reads "
            f"{_span(est)[1]} {ahead_en} the reference (spread {pen}); for information only: no "
            f"time was changed, a correction is applied only when the expert asks.{zen}",
            tuple(sorted({t.source for t in rows_seen})), est.total_seconds()))
    return out


def _median(values: Sequence[timedelta]) -> timedelta:
    return timedelta(seconds=statistics.median(v.total_seconds() for v in values))


# --- applying an offset, on request ---------------------------------------------------------------


def apply_clock_offset(frame: pd.DataFrame, evidence_ids: str | Iterable[str],
                       offset: timedelta | float, reason: str, *,
                       sources: Iterable[str] | None = None) -> pd.DataFrame:
    """A NEW frame with times corrected for a device clock offset, labelled on every row.

    Only when the expert asks: the original ``utc``, ``earliest`` and ``latest`` columns are
    never changed.  Columns are added: ``adjusted_utc``, ``adjusted_earliest``,
    ``adjusted_latest`` (UTC datetimes: the time minus ``offset`` on adjusted rows, the time as
    read on the others) and ``adjustment`` (what was done and why, Chinese then English; empty
    on rows left as read).

    Parameters
    ----------
    frame : DataFrame
        ``case.events()`` or ``case.timeline()``.
    evidence_ids : str or iterable of str
        The device's items.
    offset : timedelta or seconds
        Device clock minus true time (positive: the clock was ahead), as
        :func:`device_clock_offset` estimates it.
    reason : str
        Why (who asked, on what basis); required.
    sources : iterable of str, optional
        Only rows of these time sources (``exif:DateTimeOriginal``...).  Default: every row of
        those items except the custody and intake rows, which come from other clocks.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"evidence_id": ["E0001", "E0002"],
    ...                    "utc": ["2026-11-20T06:00:30Z", "2026-11-20T07:00:00Z"],
    ...                    "earliest": ["2026-11-20T06:00:30Z", "2026-11-20T07:00:00Z"],
    ...                    "latest": ["2026-11-20T06:00:30Z", "2026-11-20T07:00:00Z"],
    ...                    "time_source": ["exif:DateTimeOriginal", "exif:DateTimeOriginal"]})
    >>> out = apply_clock_offset(df, ["E0001"], 30, "expert request of 2026-12-01")
    >>> str(out.loc[0, "adjusted_utc"]), df.loc[0, "utc"], out.loc[1, "adjustment"]
    ('2026-11-20 06:00:00+00:00', '2026-11-20T06:00:30Z', '')
    """
    off = offset if isinstance(offset, timedelta) else _seconds(offset)
    if not isinstance(reason, str) or not reason.strip():
        raise ValueError("apply_clock_offset needs a reason (who asked, on what basis): an "
                         "adjustment without one cannot be defended")
    ids = {evidence_ids} if isinstance(evidence_ids, str) else {str(e) for e in evidence_ids}
    if not ids:
        raise ValueError("apply_clock_offset: no evidence numbers given")
    for col in ("evidence_id", "earliest", "latest"):
        if col not in frame.columns:
            raise ValueError(f"apply_clock_offset: the frame has no {col!r} column")
    out = frame.copy()
    src_col = "time_source" if "time_source" in out.columns else "source"
    src = out[src_col].fillna("").astype(str) if src_col in out.columns else None
    chosen = out["evidence_id"].astype(str).isin(ids)
    if sources is not None:
        if src is None:
            raise ValueError("apply_clock_offset: sources given but the frame has no source column")
        chosen &= src.isin(set(sources))
    elif src is not None:
        chosen &= ~(src.str.startswith("custody:") | src.str.startswith("intake:"))
    shift = _pd_timedelta(off)
    for col in ("utc", "earliest", "latest"):
        if col in out.columns:
            t = _to_utc(out[col])
            out[f"adjusted_{col}"] = t.where(~chosen, t - shift)
    szh, sen = _signed(off)
    label = (f"已按鉴定人要求扣除设备时钟偏差 {szh}（原因：{reason.strip()}）；原始时间仍在 utc 列 / "
             f"device clock offset {sen} removed at the expert's request (reason: "
             f"{reason.strip()}); the original time is kept in utc")
    out["adjustment"] = ""
    out.loc[chosen, "adjustment"] = label
    out.attrs = {**frame.attrs, "clock_offsets": [*frame.attrs.get("clock_offsets", []),
                                                  {"evidence_ids": sorted(ids),
                                                   "offset_seconds": off.total_seconds(),
                                                   "reason": reason.strip()}]}
    return out


def _seconds(value: float) -> timedelta:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"offset must be a timedelta or seconds, not {type(value).__name__}")
    return timedelta(seconds=value)


def _pd_timedelta(td: timedelta):
    import pandas as pd

    return pd.Timedelta(td)


# --- the case ---------------------------------------------------------------------------------


def _read_captured(text: str | None, zone: str, acquired: datetime) -> TimeValue | None:
    """The stated capture time, by :func:`forensics.timestamps.parse_time` (machine formats and
    displayed forms; a relative one against the acquisition, its source then marked
    ``(displayed)``); None for text no reader takes."""
    from forensics.timestamps import needs_reference, parse_time

    if not text:
        return None
    try:
        t = parse_time(text, reference=acquired, zone=zone, source="intake:captured_at")
    except ValueError:
        return None
    try:
        inferred = needs_reference(text)
    except ValueError:  # a machine format (Unix time, RFC 2822...): read as written
        inferred = False
    return replace(t, source="intake:captured_at(displayed)") if inferred else t


def _read_displayed(text: str | None, captured: TimeValue | None, zone: str) -> TimeValue | None:
    if not text:
        return None
    from forensics.parsers.reposts import parse_displayed_time

    reference = captured.latest if captured is not None else None
    try:
        return parse_displayed_time(text, "intake:displayed_time", captured_at=reference,
                                    default_zone=zone)
    except ValueError:
        return None


def intake_events(case: Case) -> pd.DataFrame:
    """Rows like ``case.events()`` for what the custody log says about each item.

    * ``custody:acquire`` (``Acquired into case``): the time of the ``acquire`` entry;
    * ``intake:captured_at`` (``Captured (as stated at intake)``): the capture time given at
      intake, read by :func:`forensics.timestamps.parse_time` (no offset: the case's zone,
      assumed; a relative form against the acquisition, source
      ``intake:captured_at(displayed)``); its ``text`` holds the intake method and tool;
    * ``intake:displayed_time`` (``Published (as displayed)``): the publish time as displayed,
      read as a displayed time against the capture time (relative forms become intervals).

    The events the log states itself (:attr:`Case.logged_events`: a notarization, a trusted
    timestamp's genTime) are not here: they are in the timeline, and are not the items' own
    times (a deposit on chain after acquisition is no contradiction).

    The ``location`` names the custody entry (``custody entry 3``).  Text that none of the
    readers takes gives no row.
    """
    import pandas as pd

    from forensics.records import Event, Origin

    zone = case.metadata.timezone
    rows = []
    for item in case.items:
        rows.extend(_item_rows(item, zone, Event, Origin))
    columns = ["evidence_id", "sha256", "parser", "parser_version", "data_type", "description",
               "location", "utc", "earliest", "latest", "original", "time_source", "precision",
               "zone", "zone_name", "actor", "text", "url"]
    return pd.DataFrame(rows, columns=columns)


def _item_rows(item: Item, zone: str, event_cls, origin_cls) -> list[dict]:
    origin = origin_cls(item.evidence_id, item.digests.sha256, "custody", "1")
    loc = f"custody entry {item.acquired_seq}"
    at = item.acquired_at.astimezone(UTC)
    precision = Precision.MICROSECOND if at.microsecond else Precision.SECOND
    acquired = TimeValue(at, at, format_utc(at), "custody:acquire", precision, Zone.EXPLICIT, "UTC")
    facts = item.facts
    how = " ".join(x for x in (facts.method, facts.tool) if x)
    out = [event_cls(origin, "custody:acquire", "Acquired into case", acquired, location=loc)]
    captured = _read_captured(facts.captured_at, zone, at)
    if captured is not None:
        out.append(event_cls(origin, "intake:facts", "Captured (as stated at intake)", captured,
                             location=loc, actor=facts.captured_by or "", text=how,
                             url=facts.url or ""))
    shown = _read_displayed(facts.displayed_time, captured, zone)
    if shown is not None:
        out.append(event_cls(origin, "intake:facts", "Published (as displayed)", shown,
                             location=loc, actor=facts.publisher or "", url=facts.url or ""))
    return [{**e.to_row()} for e in out]


def findings_from_frames(events: pd.DataFrame, artifacts: pd.DataFrame | None = None, *,
                         tolerance: timedelta | float = DEFAULT_TOLERANCE) -> FindingsReport:
    """Every check on an events frame (with the :func:`intake_events` rows) and the artifacts.

    Examples
    --------
    >>> import pandas as pd
    >>> findings_from_frames(pd.DataFrame(columns=["evidence_id", "earliest", "latest"])
    ...                      ).count_by_severity["high"]
    0
    """
    tol = _tolerance(tolerance)
    view = _view(events)
    found: list[Finding] = [
        *capture_before_publication(view, artifacts, tolerance=tol),
        *time_after_acquisition(view, tolerance=tol),
        *times_disagree(view, artifacts, tolerance=tol),
        *exif_offset_mismatch(view, artifacts, tolerance=tol),
        *received_hops_out_of_order(view, tolerance=tol),
        *date_far_from_first_hop(view, tolerance=tol),
        *chat_out_of_order(view, tolerance=tol),
        *warc_date_http_date_skew(view, tolerance=tol),
        *device_clock_offset(view, artifacts, tolerance=tol),
    ]
    if artifacts is not None:
        found.extend(editing_software(artifacts))
    return FindingsReport(tuple(found), tol)


def find(case: Case, *, tolerance: timedelta | float = DEFAULT_TOLERANCE,
         progress: bool | None = None, record: bool | None = None) -> FindingsReport:
    """Cross-check the times and metadata of every item of ``case`` (see the module docstring).

    Reads ``case.events()``, ``case.artifacts()``, the chat records (to tell chats apart) and
    the custody log (:func:`intake_events`); writes nothing but what those write (a parse of
    items not parsed yet, as ``record`` says).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from forensics.case import Case
    >>> from forensics.intake import IntakeFacts
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "post.txt").write_text("截图说明")
    >>> case = Case.init(tmp / "case")
    >>> _ = case.add([tmp / "post.txt"], facts=IntakeFacts(
    ...     captured_at="2019-11-20T14:00:00+08:00", displayed_time="2019年11月20日 14:32"))
    >>> [(f.kind, f.severity.value) for f in find(case)]
    [('capture-before-publication', 'high')]
    """
    import pandas as pd

    events = case.events(progress=progress, record=record)
    artifacts = case.artifacts(progress=progress, record=record)
    chats = case.records("chat:message", progress=progress, record=record)
    if not events.empty and not chats.empty and {"chat", "location"} <= set(chats.columns):
        names = (chats[["evidence_id", "location", "chat"]]
                 .drop_duplicates(["evidence_id", "location"]))
        events = events.merge(names, on=["evidence_id", "location"], how="left")
    intake = intake_events(case)
    frames = [f for f in (events, intake) if not f.empty]
    frame = pd.concat(frames, ignore_index=True) if frames else intake
    report = findings_from_frames(frame, artifacts, tolerance=tolerance)
    extra = [*attestation_findings(case), *status_bar_findings(case)]
    if extra:
        report = FindingsReport((*report.findings, *extra), report.tolerance)
    return report


def status_bar_findings(case: Case) -> list[Finding]:
    """The ``status-bar-clock-differs`` findings, from the kept OCR readings of the case's
    screenshots and recordings (never running OCR: ``forensics screens`` reads them)."""
    from forensics.screens import check_screens

    out = []
    report = check_screens(case, run=False, record=False, progress=False)
    zone = case.metadata.timezone or "Asia/Shanghai"
    for c in report.checks:
        if not c.status_bar_check.startswith("differs") or not c.captured_at:
            continue
        cap = datetime.fromisoformat(c.captured_at.replace("Z", "+00:00"))
        local = cap.astimezone(zone_for(zone))
        h, m = (int(x) for x in c.status_bar.split(":"))
        shown = local.replace(hour=h, minute=m, second=0, microsecond=0)
        shown = min((shown + timedelta(days=d) for d in (-1, 0, 1)),
                    key=lambda x: abs(x - local))
        gap = shown - local  # + : the clock shows a later time than the capture
        span_zh, span_en = _span(abs(gap))
        side_zh, side_en = ("晚", "later") if gap > timedelta(0) else ("早", "earlier")
        it = case.item(c.evidence_id)
        out.append(Finding(
            "status-bar-clock-differs", Severity.MEDIUM, (c.evidence_id,),
            (("status bar (OCR)", c.status_bar),
             ("stated capture time", f"{local:%Y-%m-%d %H:%M:%S} {zone} (assumed zone)")),
            f"{c.evidence_id}（{it.name}）状态栏显示 {c.status_bar}，比所述取证时间 "
            f"{local:%H:%M:%S} {side_zh}{span_zh}：状态栏可能被修改，或取证时间记录有误。",
            f"{c.evidence_id} ({it.name}): the status bar shows {c.status_bar}, {span_en} "
            f"{side_en} than the stated capture time {local:%H:%M:%S}: the status bar may have "
            f"been retouched, or the capture time is wrong.",
            sources=("screen:status-bar", "intake:captured_at"),
            delta_seconds=gap.total_seconds()))
    return out


def attestation_findings(case: Case) -> list[Finding]:
    """The ``attested-*`` findings: every listed digest of every ``attest`` entry that the case
    contradicts (``mismatched``), lacks (``missing``) or cannot check (``unknown-algorithm``).

    The same statement imported twice gives each finding once.
    """
    from forensics.attest import attestation_results

    out: dict[tuple, Finding] = {}
    for seq, docs, att, r in attestation_results(case):
        status = r.get("status")
        issuer = str(att.get("issuer") or "") or "?"
        where = f"{'/'.join(docs) or '?'} line {r.get('line')}"
        name = str(r.get("name") or "") or "(no name)"
        alg, digest = str(r.get("algorithm")), str(r.get("digest"))
        if r.get("listed_algorithm") == "sha256|sm3" and status != "matched":
            alg = "sha256/sm3"  # 64 hex digits and nothing naming which: both were tried
        listed = (f"listed by {issuer} ({where}, custody entry {seq}): {name}",
                  f"{alg} {digest}")
        if status == "mismatched":
            held = str(r.get("evidence_id"))
            f = Finding("attested-digest-mismatch", Severity.HIGH, (*docs, held),
                        (listed, (f"held: {held}",
                                  f"{r.get('algorithm')} {r.get('held')}")),
                        f"{held}：{issuer}所列“{name}”的 {alg} 值与所持文件不同，所持文件不是"
                        "被证明的那个文件。",
                        f"{held}: the {alg} that {issuer} lists for '{name}' differs from the "
                        "file in hand, which is not the file attested.")
        elif status == "missing":
            f = Finding("attested-file-missing", Severity.LOW, docs, (listed,),
                        f"{issuer}所列“{name}”（{alg}）不在本案中。",
                        f"'{name}' ({alg}), listed by {issuer}, is not in the case.")
        elif status == "unknown-algorithm":
            f = Finding("attested-digest-unchecked", Severity.LOW, docs, (listed,),
                        f"{issuer}所列“{name}”的算法 {alg} 在本机无法计算，未核对。",
                        f"'{name}' listed by {issuer} uses {alg}, which cannot be computed "
                        "here: not checked.")
        else:
            continue
        out.setdefault((f.kind, f.evidence_ids, name, alg, digest), f)
    return list(out.values())
