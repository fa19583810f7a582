"""The case timeline: every time the evidence states, one row per event, in a fixed order.

The rows come from three places:

* every time event the parsers read (:func:`forensics.artifacts.events_frame`, i.e.
  ``case.events()``): EXIF and XMP, QuickTime atoms, WARC and HTTP headers, e-mail ``Date`` and
  ``Received`` hops, chat exports, repost lists, PDF dates...;
* the custody log: one row per ``acquire`` and ``seen-again`` entry (the time the item entered
  the case, as the log recorded it: zone explicit, UTC);
* the intake facts: one row per stated capture time (``captured_at``), read with
  :func:`forensics.timestamps.parse_time` (an offset written: zone *explicit*; none written:
  *assumed* in the case zone; a relative form is read against the time it was recorded).

Each row says *which* time it is (``time_description``, from the fixed map
:data:`TIME_DESCRIPTIONS`, in the manner of plaso's timestamp descriptions) and where it came
from (``source``, ``evidence_id``, ``sha256``, ``parser``, ``location``, ``original``).  Nothing
is resolved or corrected here: an interval stays an interval (``utc`` is NaT and ``earliest`` /
``latest`` bound it), an assumed zone stays marked as assumed.

The exports (:func:`to_csv`, :func:`to_json`, :func:`to_timesketch`, :func:`to_parquet`,
:func:`write_timeline`) are UTF-8 with Chinese text as is, and give the same bytes for the same
timeline: nothing of the run (date, host, path) is written into them.  Timesketch's import
format is described at https://timesketch.org/guides/user/import-from-json-csv/ (mandatory
``message``, ``datetime`` in ISO 8601 and ``timestamp_desc``; file names ending ``.csv`` or
``.jsonl``).

Examples
--------
>>> import pandas as pd
>>> events = pd.DataFrame([{
...     "evidence_id": "E0001", "sha256": "ab" * 32, "parser": "email", "parser_version": "1",
...     "data_type": "email:rfc822", "description": "Message Received",
...     "location": "message", "utc": "2026-11-20T06:32:05Z", "earliest": "2026-11-20T06:32:05Z",
...     "latest": "2026-11-20T06:32:05Z", "original": "Fri, 20 Nov 2026 14:32:05 +0800",
...     "time_source": "email:Received[1]", "precision": "second", "zone": "explicit",
...     "zone_name": "+08:00", "actor": "张三 <zs@example.com>", "text": "转发过五百了",
...     "url": ""}])
>>> df = build_timeline(events=events)
>>> row = df.iloc[0]
>>> row["time_description"], row["lane"], row["summary"]
('Received by hop 1', 'E-mail', '张三 <zs@example.com>: 转发过五百了')
>>> str(row["utc"]), str(df["utc"].dtype)
('2026-11-20 06:32:05+00:00', 'datetime64[ns, UTC]')
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from forensics.timestamps import DEFAULT_ZONE, format_utc, parse_time

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case

__all__ = [
    "COLUMNS",
    "FORMATS",
    "LANES",
    "MAX_ACTOR_LANES",
    "SORT_KEYS",
    "SOURCE_ACQUIRE",
    "SOURCE_INTAKE",
    "SOURCE_SEEN_AGAIN",
    "SUMMARY_CHARS",
    "TIME_DESCRIPTIONS",
    "TimeDescriptionRule",
    "build_timeline",
    "describe_timeline",
    "lane_for",
    "time_description",
    "to_csv",
    "to_json",
    "to_parquet",
    "to_timesketch",
    "write_timeline",
]

#: The columns of a timeline, in this order (the contract shared with findings and figures).
COLUMNS = ("utc", "earliest", "latest", "time_description", "source", "original", "zone",
           "zone_name", "precision", "evidence_id", "sha256", "parser", "data_type", "actor",
           "summary", "location", "lane")
_TIME_COLUMNS = ("utc", "earliest", "latest")
#: The order of the rows: these keys first (NaT last; evidence numbers in numeric order, E9999
#: before E10000), then every other column, so that rows that tie on these keys still come out
#: in the same order whatever the input order was.
SORT_KEYS = ("earliest", "latest", "evidence_id", "source", "location", "original")
_TIE_KEYS = ("time_description", "data_type", "actor", "summary", "parser", "sha256", "zone",
             "zone_name", "precision", "lane", "utc")
#: The columns of ``case.events()`` a timeline is built from.
_EVENT_INPUT = ("evidence_id", "sha256", "parser", "data_type", "description", "location",
                "earliest", "latest", "original", "time_source", "precision", "zone",
                "zone_name", "actor", "text", "url")
#: A summary longer than this is cut, ending in an ellipsis.
SUMMARY_CHARS = 120
#: Chat and repost rows get one lane per actor ("Chat: 张三") when their family has at most this
#: many distinct actors; more would make the figure unreadable, so they share one lane.
MAX_ACTOR_LANES = 6
#: The export formats of :func:`write_timeline`.
FORMATS = ("csv", "json", "timesketch", "parquet")

#: The sources of the rows made here rather than by a parser: the custody log's ``acquire`` and
#: ``seen-again`` entries, and the capture time stated at intake.
SOURCE_ACQUIRE = "custody:acquire"
SOURCE_SEEN_AGAIN = "custody:seen-again"
SOURCE_INTAKE = "intake:captured_at"
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class TimeDescriptionRule:
    """One entry of :data:`TIME_DESCRIPTIONS`.

    A row whose event ``description`` equals :attr:`description` and whose ``time_source``
    matches :attr:`source` (a regular expression matched in full) is described as :attr:`label`;
    ``{name}`` in the label is replaced by the named group of that pattern.
    """

    description: str
    source: str
    label: str


_R = TimeDescriptionRule
_OFFSET = r"(?:\+[\w:.]+)?"  # "exif:DateTimeOriginal+xmp:offset": the offset was taken from XMP
#: Which time each (event description, time source) pair is, in words a reader understands.
#: The first matching rule wins; a pair no rule matches is described by the event description
#: itself, so no row is ever lost or left without a description.  ``Received[i]`` counts hops as
#: the message lists them: hop 0 is the top header, the last server to receive the message.
TIME_DESCRIPTIONS: tuple[TimeDescriptionRule, ...] = (
    # images (EXIF, XMP, PNG, file name)
    _R("Content Created", rf"exif:DateTimeOriginal{_OFFSET}", "Capture time (EXIF DateTimeOriginal)"),
    _R("Digitized", rf"exif:CreateDate{_OFFSET}", "Digitized (EXIF CreateDate)"),
    _R("Content Modified", rf"exif:ModifyDate{_OFFSET}", "Modified (EXIF ModifyDate)"),
    _R("Content Created", rf"xmp:DateTimeOriginal{_OFFSET}", "Capture time (XMP DateTimeOriginal)"),
    _R("Content Created", rf"xmp:(?P<tag>DateCreated|CreateDate){_OFFSET}", "Created (XMP {tag})"),
    _R("Content Modified", rf"xmp:ModifyDate{_OFFSET}", "Modified (XMP ModifyDate)"),
    _R("Metadata Modified", rf"xmp:MetadataDate{_OFFSET}", "Metadata modified (XMP MetadataDate)"),
    _R("Content Modified", r"png:tIME", "Modified (PNG tIME)"),
    _R("Content Created", r"png:(?P<key>.+)", "Created (PNG text {key})"),
    _R("Capture Time (file name)", r"file:name", "Capture time (file name)"),
    # PDF
    _R("Content Created", r"pdf:CreationDate", "Created (PDF CreationDate)"),
    _R("Content Modified", r"pdf:ModDate", "Modified (PDF ModDate)"),
    # video (QuickTime / MP4): the same atom read as UTC (the spec) and as local time
    _R("Container Created", r"quicktime:mvhd\.CreateDate", "Container created (mvhd, UTC by spec)"),
    _R("Container Created", r"quicktime:mvhd\.CreateDate\(local\)",
       "Container created (mvhd read as local time)"),
    _R("Container Modified", r"quicktime:mvhd\.ModifyDate",
       "Container modified (mvhd, UTC by spec)"),
    _R("Container Modified", r"quicktime:mvhd\.ModifyDate\(local\)",
       "Container modified (mvhd read as local time)"),
    _R("Track Created", r"quicktime:tkhd\.CreateDate", "Track created (tkhd, UTC by spec)"),
    _R("Track Created", r"quicktime:tkhd\.CreateDate\(local\)",
       "Track created (tkhd read as local time)"),
    _R("Device Creation Date", r"quicktime:Keys\.creationdate",
       "Recorded on device (QuickTime creationdate)"),
    _R("Content Created", r"quicktime:(?P<tag>.+)", "Created (QuickTime {tag})"),
    # web captures
    _R("Archived (WARC-Date)", r"warc:WARC-Date", "Archived (WARC-Date)"),
    _R("HTTP Date", r"http:Date", "Served (HTTP Date header)"),
    _R("Content Modified", r"http:Last-Modified", "Modified (HTTP Last-Modified)"),
    _R("Page Saved", r"mhtml:Date", "Saved (MHTML Date header)"),
    _R("Page Published", r"page:displayed|.*\(displayed\)", "Published (as displayed)"),
    _R("Page Published", r".+", "Published (stated by the page)"),
    _R("Page Modified", r".+", "Modified (stated by the page)"),
    # e-mail
    _R("Message Sent", r"email:Date", "Sent (Date header)"),
    _R("Message Received", r"email:Received\[(?P<hop>\d+)\]", "Received by hop {hop}"),
    _R("DKIM Signed", r"email:DKIM-Signature\[(?P<n>\d+)\]\.t", "Signed (DKIM signature {n}, t=)"),
    _R("Message Sent", r"msg:ClientSubmitTime", "Sent (Outlook ClientSubmitTime)"),
    _R("Message Received", r"msg:MessageDeliveryTime", "Received (Outlook MessageDeliveryTime)"),
    # chats and social media: what the platform displayed, or what its export wrote
    _R("Message Sent", r".*\(displayed\)", "Sent (as displayed)"),
    _R("Message Sent", r".+", "Sent (chat export)"),
    _R("Exported", r".+", "Chat exported"),
    _R("Posted", r".*\(displayed\)", "Published (as displayed)"),
    _R("Posted", r".+", "Published"),
    _R("Reposted", r".*\(displayed\)", "Reposted (as displayed)"),
    _R("Reposted", r".+", "Reposted"),
    # the custody log and the intake facts
    _R("Acquired", SOURCE_ACQUIRE, "Acquired into case"),
    _R("Seen Again", SOURCE_SEEN_AGAIN, "Brought in again (same content)"),
    _R("Captured", SOURCE_INTAKE, "Captured (as stated at intake)"),
)
del _R

#: The lane of each data type (a row's group in the timeline figure): the exact data type
#: first, then its family (the part before the first ``:``).  Unknown types keep their own
#: data type as the lane.
LANES: Mapping[str, str] = {
    "image:exif": "EXIF", "image:xmp": "XMP", "image:png": "PNG", "image:filename": "File name",
    "image": "Image", "email": "E-mail", "chat": "Chat", "social:repost": "Reposts",
    "social:post": "Posts", "social": "Social media", "web": "Web capture", "video": "Video",
    "pdf": "PDF", "custody": "Custody", "intake": "Intake",
}
#: Lanes split by actor when they have few actors (see :data:`MAX_ACTOR_LANES`).
_ACTOR_LANES = ("Chat", "Reposts", "Posts")


@lru_cache(maxsize=4096)
def time_description(description: str, source: str) -> str:
    """Which time an event is, in words: the first rule of :data:`TIME_DESCRIPTIONS` that fits.

    Parameters
    ----------
    description : str
        The event description a parser wrote (``Content Created``, ``Message Received``...).
    source : str
        The time's source (``exif:DateTimeOriginal``, ``email:Received[2]``...).

    Returns
    -------
    str
        The label, or ``description`` itself when no rule fits.

    Examples
    --------
    >>> time_description("Content Created", "exif:DateTimeOriginal+xmp:offset")
    'Capture time (EXIF DateTimeOriginal)'
    >>> time_description("Message Received", "email:Received[2]")
    'Received by hop 2'
    >>> time_description("Reposted", "repost:time(displayed)")
    'Reposted (as displayed)'
    >>> time_description("Something New", "x:y")
    'Something New'
    """
    for rule in TIME_DESCRIPTIONS:
        if rule.description != description:
            continue
        m = _compiled(rule.source).fullmatch(source)
        if m:
            return rule.label.format(**m.groupdict()) if "{" in rule.label else rule.label
    return description


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def lane_for(data_type: str) -> str:
    """The lane of a data type (:data:`LANES`), before any split by actor.

    >>> lane_for("email:rfc822"), lane_for("image:exif"), lane_for("web:warc:response")
    ('E-mail', 'EXIF', 'Web capture')
    >>> lane_for("gps:track")
    'gps:track'
    """
    if data_type in LANES:
        return LANES[data_type]
    return LANES.get(data_type.split(":", 1)[0], data_type or "Other")


# --- building ---------------------------------------------------------------------------------


def build_timeline(case: Case | None = None, *, events: pd.DataFrame | None = None
                   ) -> pd.DataFrame:
    """The timeline of a case: one row per event, sorted, in the columns of :data:`COLUMNS`.

    Parameters
    ----------
    case : Case, optional
        The case: its custody log gives one "Acquired into case" row per ``acquire`` entry (and a
        "Brought in again" row per ``seen-again`` entry; source ``custody:seen-again``), its
        intake facts one "Captured (as stated at intake)" row per stated capture time (per
        sighting, the same text once per item; items extracted from another item inherit its
        facts and get no row of their own), its zone is assumed for capture times written
        without an offset.  May be omitted when ``events`` is given.
    events : pandas.DataFrame, optional
        The events to use instead of ``case.events()``, shaped like it (the columns ``utc`` and
        ``parser_version`` are not needed: ``utc`` is ``earliest`` when ``earliest == latest``).

    Returns
    -------
    pandas.DataFrame
        ``utc``, ``earliest``, ``latest`` as ``datetime64[ns, UTC]`` (``utc`` NaT for an
        interval), then text columns (``""`` where a value is missing).  Rows are sorted by
        :data:`SORT_KEYS` (NaT last), ties broken by every other column, so the same events give
        the same frame whatever their input order.  ``df.attrs`` holds two lists of dicts (plain
        strings, so they survive Parquet and JSON):

        * ``"out_of_range"``: rows whose time lies outside what ``datetime64[ns]`` holds (before
          1677-09-21 or after 2262-04-11).  They are kept, with NaT in the time columns that do
          not fit; each entry names ``evidence_id``, ``source``, ``location``, ``original``,
          ``earliest`` and ``latest`` (ISO 8601 as read).
        * ``"unread"``: times that could not be read at all (a capture time stated as
          "昨天 14:02", a malformed event time), with ``evidence_id``, ``source``, ``original``
          and ``reason``.  Capture times that cannot be read get no row; an event whose time
          string is malformed keeps its row, with NaT.

    Examples
    --------
    >>> import pandas as pd
    >>> base = {"evidence_id": "E0002", "sha256": "cd" * 32, "parser": "reposts",
    ...         "data_type": "social:repost", "description": "Reposted", "zone": "assumed",
    ...         "zone_name": "Asia/Shanghai", "precision": "minute", "actor": "李四",
    ...         "text": "//@张三: 转发过五百了", "url": ""}
    >>> events = pd.DataFrame([
    ...     {**base, "location": "row 2", "earliest": "2026-11-20T01:56:00Z",
    ...      "latest": "2026-11-20T01:57:00Z", "original": "3分钟前",
    ...      "time_source": "repost:time(displayed)"},
    ...     {**base, "location": "row 1", "earliest": "1500-01-01T00:00:00Z",
    ...      "latest": "1500-01-01T00:00:00Z", "original": "1500-01-01 08:00",
    ...      "time_source": "repost:time"}])
    >>> df = build_timeline(events=events)
    >>> print(df[["utc", "earliest", "time_description", "location"]].to_string(index=False))
    utc                  earliest        time_description location
    NaT 2026-11-20 01:56:00+00:00 Reposted (as displayed)    row 2
    NaT                       NaT                Reposted    row 1
    >>> df.attrs["out_of_range"][0]["earliest"]
    '1500-01-01T00:00:00Z'
    """
    import pandas as pd

    if events is None:
        if case is None:
            raise TypeError("build_timeline needs a case, or an events frame (events=...)")
        events = case.events()
    missing = [c for c in _EVENT_INPUT if c not in events.columns]
    if missing:
        raise ValueError(f"build_timeline: the events frame lacks the column(s) "
                         f"{', '.join(missing)}; it must be shaped like case.events() "
                         f"({', '.join(_EVENT_INPUT)})")
    unread: list[dict[str, str]] = []
    frame = events.loc[:, list(_EVENT_INPUT)]
    if case is not None:
        extra = _case_rows(case, unread)
        if extra:
            frame = pd.concat([frame, pd.DataFrame(extra, columns=list(_EVENT_INPUT))],
                              ignore_index=True)
    df = _build(frame, unread)
    return df


def _case_rows(case: Case, unread: list[dict[str, str]]) -> list[dict[str, str]]:
    """Rows from the custody log (acquisitions, and the events ``attest`` and ``timestamp``
    entries state) and the intake facts (stated capture times)."""
    from forensics.custody import Action

    zone = case.metadata.timezone or DEFAULT_ZONE
    rows: list[dict[str, str]] = []
    seen_capture: set[tuple[str, str]] = set()
    for e in case.log.iter_entries():
        if e.action not in (Action.ACQUIRE, Action.SEEN_AGAIN) or not e.evidence:
            continue
        ref = e.evidence[0]
        src = e.details.get("source")
        path = str(src.get("path", "")) if isinstance(src, Mapping) else ""
        name = path.replace("\\", "/").rsplit("/", 1)[-1]
        intake = e.details.get("intake")
        facts = intake if isinstance(intake, Mapping) else {}
        url = str(facts.get("url") or "")
        when = format_utc(e.time)
        acquire = e.action == Action.ACQUIRE
        rows.append({
            "evidence_id": ref.evidence_id, "sha256": ref.sha256, "parser": "",
            "data_type": f"custody:{e.action}", "description": "Acquired" if acquire
            else "Seen Again", "location": f"custody seq {e.seq}", "earliest": when,
            "latest": when, "original": e.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "time_source": SOURCE_ACQUIRE if acquire else SOURCE_SEEN_AGAIN,
            "precision": "microsecond", "zone": "explicit", "zone_name": "UTC",
            "actor": e.actor, "text": name, "url": url,
        })
        stated = facts.get("captured_at")
        if not isinstance(stated, str) or not stated.strip() or "extracted_from" in e.details:
            continue
        key = (ref.evidence_id, stated)
        if key in seen_capture:
            continue
        seen_capture.add(key)
        try:
            # ISO 8601 as asked at intake, or any form people write ("2026年11月20日 14:32");
            # a relative one ("昨天 14:02") is read against the time it was recorded.
            t = parse_time(stated, reference=e.time, zone=zone, source=SOURCE_INTAKE)
        except ValueError as exc:
            unread.append({"evidence_id": ref.evidence_id, "source": SOURCE_INTAKE,
                           "original": stated, "reason": f"custody seq {e.seq}: {exc}"})
            continue
        rows.append({
            "evidence_id": ref.evidence_id, "sha256": ref.sha256, "parser": "",
            "data_type": "intake:facts", "description": "Captured",
            "location": f"custody seq {e.seq} intake", "earliest": format_utc(t.earliest),
            "latest": format_utc(t.latest), "original": stated, "time_source": SOURCE_INTAKE,
            "precision": t.precision.value, "zone": t.zone.value, "zone_name": t.zone_name,
            "actor": str(facts.get("captured_by") or ""), "text": name, "url": url,
        })
    # what the log states itself: a notarization or deposit (forensics.attest), a trusted
    # timestamp's genTime (forensics.tsp), as its entry recorded it
    for seq, ev in case.logged_events:
        rows.append({**{c: "" if ev.get(c) is None else str(ev.get(c)) for c in _EVENT_INPUT},
                     "location": f"custody seq {seq}"})
    return rows


def _strings(series: pd.Series):  # -> pyarrow large_string array, "" for missing
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(series, from_pandas=True)
    if isinstance(arr, pa.ChunkedArray):  # pragma: no cover - pandas gives one chunk here
        arr = arr.combine_chunks()
    if arr.type != pa.large_string():
        arr = pc.cast(arr, pa.large_string())
    return pc.fill_null(arr, _text(""))


def _text(value: str | None):  # -> pyarrow large_string scalar
    import pyarrow as pa

    return pa.scalar(value, pa.large_string())


def _join(a, b, sep: str):  # -> element-wise a + sep + b (arrays or str)
    import pyarrow.compute as pc

    a = _text(a) if isinstance(a, str) else a
    b = _text(b) if isinstance(b, str) else b
    return pc.binary_join_element_wise(a, b, _text(sep))


#: Microseconds since 1970 that ``datetime64[ns]`` can hold (1677-09-21 .. 2262-04-11).
_NS_MIN_US = -(2**63 - 1) // 1000 + 1
_NS_MAX_US = (2**63 - 1) // 1000


def _times(cols: dict, column: str, unread: list[dict[str, str]], bad: set[int]):
    """ISO 8601 strings -> timestamp[ns, UTC]; a time ``datetime64[ns]`` cannot hold -> null.

    Arrow reads the strings (they end in ``Z`` and may carry fractions); only when one of them
    is malformed is each string read on its own, so that the others keep their time and the
    malformed one is listed in ``unread``.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    raw = cols[column]
    given = pc.not_equal(raw, _text(""))
    try:
        us = pc.cast(pc.if_else(given, raw, _text(None)), pa.timestamp("us", "UTC"))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        us = _times_one_by_one(cols, column, unread)
    micros = pc.cast(us, pa.int64())
    fits = pc.and_kleene(pc.greater_equal(micros, _NS_MIN_US), pc.less_equal(micros, _NS_MAX_US))
    outside = pc.fill_null(pc.invert(fits), False)
    if pc.any(outside).as_py():
        bad.update(int(i) for i in np.flatnonzero(outside.to_numpy(zero_copy_only=False)))
        us = pc.if_else(outside, pa.scalar(None, us.type), us)
    missing = pc.invert(given)
    if pc.any(missing).as_py():
        for i in np.flatnonzero(missing.to_numpy(zero_copy_only=False)):
            unread.append(_unread(cols, int(i), f"{column} time missing"))
    return pc.cast(us, pa.timestamp("ns", "UTC"))


def _times_one_by_one(cols: dict, column: str, unread: list[dict[str, str]]):
    import pyarrow as pa

    values: list[int | None] = []
    for i, text in enumerate(cols[column].to_pylist()):
        if not text:
            values.append(None)
            continue
        try:
            t = datetime.fromisoformat(text)
            if t.tzinfo is None:
                raise ValueError("no zone")
            values.append((t - _EPOCH) // _MICROSECOND)
        except (ValueError, OverflowError) as exc:
            unread.append(_unread(cols, i, f"{column} {text!r} is not an ISO 8601 UTC time "
                                           f"({exc})"))
            values.append(None)
    return pa.array(values, pa.int64()).cast(pa.timestamp("us", "UTC"))


def _unread(cols: dict, i: int, reason: str) -> dict[str, str]:
    return {"evidence_id": cols["evidence_id"][i].as_py(), "source": cols["time_source"][i].as_py(),
            "original": cols["original"][i].as_py(), "reason": reason}


def _build(frame: pd.DataFrame, unread: list[dict[str, str]]) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc

    cols = {c: _strings(frame[c]) for c in _EVENT_INPUT}
    bad: set[int] = set()
    earliest = _times(cols, "earliest", unread, bad)
    latest = _times(cols, "latest", unread, bad)
    utc = pc.if_else(pc.equal(earliest, latest), earliest, pa.scalar(None, earliest.type))
    out_of_range = [{"evidence_id": cols["evidence_id"][i].as_py(),
                     "source": cols["time_source"][i].as_py(),
                     "location": cols["location"][i].as_py(),
                     "original": cols["original"][i].as_py(),
                     "earliest": cols["earliest"][i].as_py(), "latest": cols["latest"][i].as_py()}
                    for i in sorted(bad)]
    table = pa.table({
        "utc": utc, "earliest": earliest, "latest": latest,
        "time_description": _descriptions(cols["description"], cols["time_source"]),
        "source": cols["time_source"], "original": cols["original"], "zone": cols["zone"],
        "zone_name": cols["zone_name"], "precision": cols["precision"],
        "evidence_id": cols["evidence_id"], "sha256": cols["sha256"], "parser": cols["parser"],
        "data_type": cols["data_type"], "actor": cols["actor"],
        "summary": _summaries(cols["actor"], cols["text"], cols["url"], cols["description"]),
        "location": cols["location"], "lane": _lanes(cols["data_type"], cols["actor"]),
    })
    table = table.take(_order(table))
    df = table.to_pandas()
    for c in COLUMNS[3:]:
        if df[c].dtype != "str":
            df[c] = df[c].astype("str")
    df.attrs["out_of_range"] = out_of_range
    df.attrs["unread"] = unread
    return df


def _order(table):  # -> the row order: SORT_KEYS, then every other column; NaT last
    """Arrow's stable multi-column sort; text compares by code point, evidence numbers by
    length first (``E9999`` before ``E10000``), a missing time after every time."""
    import pyarrow as pa
    import pyarrow.compute as pc

    last = pa.scalar(2**63 - 1, pa.int64())
    keys = {}
    for name in (*SORT_KEYS, *_TIE_KEYS):
        col = table.column(name)
        if name in _TIME_COLUMNS:
            col = pc.fill_null(pc.cast(col, pa.int64()), last)
        elif name == "evidence_id":
            keys["evidence_id length"] = pc.utf8_length(col)
        keys[name] = col
    return pc.sort_indices(pa.table(keys), sort_keys=[(k, "ascending") for k in keys])


def _descriptions(description, source):  # -> pyarrow string array
    """:func:`time_description` of each row, looked up once per distinct pair."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    d = pc.dictionary_encode(description)
    s = pc.dictionary_encode(source)
    width = max(len(s.dictionary), 1)
    pairs = (d.indices.to_numpy(zero_copy_only=False).astype(np.int64) * width
             + s.indices.to_numpy(zero_copy_only=False))
    codes, uniq = pd.factorize(pairs)
    d_names, s_names = d.dictionary.to_pylist(), s.dictionary.to_pylist()
    labels = [time_description(d_names[p // width], s_names[p % width]) for p in uniq.tolist()]
    return pc.take(pa.array(labels, pa.large_string()), pa.array(codes, pa.int64()))


def _lanes(data_type, actor):  # -> pyarrow string array
    import pyarrow as pa
    import pyarrow.compute as pc

    d = pc.dictionary_encode(data_type)
    labels = pa.array([lane_for(t) for t in d.dictionary.to_pylist()], pa.large_string())
    lane = pc.take(labels, d.indices)
    for family in _ACTOR_LANES:
        if family not in labels.to_pylist():
            continue
        mask = pc.equal(lane, _text(family))
        actors = pc.unique(pc.filter(actor, mask))
        actors = pc.filter(actors, pc.not_equal(actors, _text("")))
        if 0 < len(actors) <= MAX_ACTOR_LANES:
            split = pc.and_(mask, pc.not_equal(actor, _text("")))
            lane = pc.if_else(split, _join(family, actor, ": "), lane)
    return lane


def _summaries(actor, text, url, description):  # -> pyarrow string array
    """``who: what`` in one line: actor, then the text (or the URL when there is no text)."""
    import pyarrow.compute as pc

    multiline = pc.invert(pc.utf8_is_printable(text))  # line breaks, tabs, control characters
    if pc.any(multiline).as_py():
        flat = pc.replace_substring_regex(pc.filter(text, multiline), r"\s+", " ")
        text = pc.replace_with_mask(text, multiline, pc.utf8_trim_whitespace(flat))
    what = pc.if_else(pc.not_equal(text, _text("")), text, url)
    has_actor = pc.not_equal(actor, _text(""))
    line = pc.if_else(pc.and_(has_actor, pc.not_equal(what, _text(""))),
                      _join(actor, what, ": "), pc.if_else(has_actor, actor, what))
    line = pc.if_else(pc.equal(line, _text("")), description, line)
    long = pc.greater(pc.utf8_length(line), SUMMARY_CHARS)
    if pc.any(long).as_py():
        cut = _join(pc.utf8_slice_codeunits(line, 0, SUMMARY_CHARS - 1), "…", "")
        line = pc.if_else(long, cut, line)
    return line


# --- describing -------------------------------------------------------------------------------


def describe_timeline(df: pd.DataFrame) -> str:
    """One paragraph, Chinese then English: how many rows, from when to when, per lane.

    Examples
    --------
    >>> import pandas as pd
    >>> events = pd.DataFrame([{
    ...     "evidence_id": "E0001", "sha256": "ab" * 32, "parser": "image",
    ...     "data_type": "image:exif", "description": "Content Created", "location": "EXIF IFD",
    ...     "earliest": "2026-11-20T06:32:05Z", "latest": "2026-11-20T06:32:05Z",
    ...     "original": "2026:11:20 14:32:05", "time_source": "exif:DateTimeOriginal",
    ...     "precision": "second", "zone": "assumed", "zone_name": "Asia/Shanghai",
    ...     "actor": "", "text": "", "url": ""}])
    >>> text = describe_timeline(build_timeline(events=events))
    >>> text[:text.index("；")]
    '时间线共 1 条记录（区间 0 条），最早 2026-11-20T06:32:05Z，最晚 2026-11-20T06:32:05Z（UTC）'
    >>> text[text.index("The"):text.index(";")]
    'The timeline has 1 row (0 intervals), from 2026-11-20T06:32:05Z to 2026-11-20T06:32:05Z (UTC)'
    >>> "按泳道：EXIF 1 条" in text, "by lane: EXIF 1." in text
    (True, True)
    """
    n = len(df)
    if n == 0:
        return "时间线为空：没有任何带时间的记录。 The timeline is empty: no event states a time."
    intervals = int((df["utc"].isna() & df["earliest"].notna()).sum())
    first = df["earliest"].min()
    last = df["latest"].max()
    lanes = df["lane"].value_counts(sort=False)
    order = sorted(lanes.items(), key=lambda kv: (-kv[1], kv[0]))
    zh_lanes = "、".join(f"{k} {v} 条" for k, v in order)
    en_lanes = ", ".join(f"{k} {v}" for k, v in order)
    span_zh = (f"最早 {format_utc(first.to_pydatetime())}，最晚 {format_utc(last.to_pydatetime())}（UTC）"
               if first is not None and first == first else "没有可排序的时间")
    span_en = (f"from {format_utc(first.to_pydatetime())} to {format_utc(last.to_pydatetime())} (UTC)"
               if first is not None and first == first else "with no time that sorts")
    zh = f"时间线共 {n} 条记录（区间 {intervals} 条），{span_zh}；按泳道：{zh_lanes}。"
    en = (f"The timeline has {n} row{'s' if n != 1 else ''} ({intervals} interval"
          f"{'s' if intervals != 1 else ''}), {span_en}; by lane: {en_lanes}.")
    oor = len(df.attrs.get("out_of_range") or ())
    unread = len(df.attrs.get("unread") or ())
    if oor or unread:
        zh += f"另有 {oor} 条时间超出可表示范围（保留，时间为空），{unread} 个时间无法读取（已列出）。"
        en += (f" Also {oor} row(s) with times out of the representable range (kept, time empty) "
               f"and {unread} time(s) that could not be read (listed).")
    return f"{zh} {en}"


# --- exporting --------------------------------------------------------------------------------


def _iso(series: pd.Series, *, suffix: str = "Z"):  # -> pyarrow string array, null for NaT
    """ISO 8601 UTC strings as :func:`forensics.timestamps.format_utc` writes them.

    ``YYYY-MM-DDTHH:MM:SS``, then ``.ffffff`` only when the microseconds are not zero, then
    ``suffix``.  Written digit by digit with numpy (the calendar from days since 1970 by
    Howard Hinnant's ``civil_from_days``): formatting a million times through ``datetime``
    objects or ``strftime`` takes seconds.  Nanoseconds, which no reader here produces, are
    dropped.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = series.dt.tz_convert(None).to_numpy(dtype="datetime64[us]")
    null = np.isnat(values)
    us = np.where(null, 0, values.astype(np.int64))
    days, rest = np.divmod(us, 86_400_000_000)
    seconds, micro = np.divmod(rest, 1_000_000)
    z = days + 719_468
    era = z // 146_097
    doe = z - era * 146_097
    yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = np.where(mp < 10, mp + 3, mp - 9)
    year = yoe + era * 400 + (month <= 2)
    tail = suffix.encode()
    n = len(us)
    width = 26 + len(tail)
    m = np.empty((n, width), dtype=np.uint8)
    m[:] = np.frombuffer(b"0000-00-00T00:00:00.000000" + tail, dtype=np.uint8)
    for start, value, digits in ((0, year, 4), (5, month, 2), (8, day, 2),
                                 (11, seconds // 3600, 2), (14, seconds // 60 % 60, 2),
                                 (17, seconds % 60, 2), (20, micro, 6)):
        value = value.astype(np.int32)
        for k in range(digits):
            value, digit = np.divmod(value, 10)
            m[:, start + digits - 1 - k] += digit.astype(np.uint8)
    keep = np.ones((n, width), dtype=bool)
    whole = micro == 0
    keep[:, 19:26] = ~whole[:, None]
    keep[null] = False
    lengths = keep.sum(axis=1, dtype=np.int64)
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    data = m[keep]
    text = pa.LargeStringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
    if null.any():
        text = pc.if_else(pa.array(null), _text(None), text)
    return text


def _export_table(df: pd.DataFrame):  # -> pyarrow.Table with the times as ISO strings
    import pyarrow as pa

    _check_columns(df)
    cols = {}
    for c in df.columns:
        if c in _TIME_COLUMNS:
            cols[c] = _iso(df[c])
        else:
            cols[c] = _strings(df[c])
    return pa.table(cols)


def _check_columns(df: pd.DataFrame) -> None:
    missing = [c for c in COLUMNS if c not in df.columns]
    if missing:
        raise ValueError(f"not a timeline: the column(s) {', '.join(missing)} are missing; "
                         f"build one with build_timeline()")


def _csv_bytes(table, *, header: bool = True) -> bytes:
    import pyarrow.csv as pcsv

    buf = io.BytesIO()
    pcsv.write_csv(table, buf, pcsv.WriteOptions(include_header=header,
                                                  quoting_style="needed"))
    return buf.getvalue()


_CHUNK_ROWS = 65536


def _csv_chunks(table) -> Iterator[bytes]:
    if table.num_rows == 0:
        yield _csv_bytes(table)
        return
    for start in range(0, table.num_rows, _CHUNK_ROWS):
        yield _csv_bytes(table.slice(start, _CHUNK_ROWS), header=start == 0)


def _json_text(value: object) -> str:
    """One value as JSON, UTF-8 kept; U+2028/U+2029 escaped so no reader splits a line there."""
    return json.dumps(value, ensure_ascii=False).replace("\u2028", "\\u2028").replace(
        "\u2029", "\\u2029")


#: What JSON must escape in a string (RFC 8259: quote, backslash, U+0000..U+001F), and U+2028 /
#: U+2029, which some readers take for line ends.
_JSON_SPECIAL = r'["\\\x00-\x1f\x{2028}\x{2029}]'


def _json_fragment(col):  # -> (quoted: bool, pyarrow string array)
    """Each value of an Arrow column as JSON: ``(False, text)`` or ``(True, inside of quotes)``.

    Text columns (never null here) only need escaping where :data:`_JSON_SPECIAL` matches,
    found for the whole column in one pass; those few values go through :func:`json.dumps`.
    Columns with nulls (times) and numbers are written whole, ``null`` for a null.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    if isinstance(col, pa.ChunkedArray):
        col = col.combine_chunks()
    if pa.types.is_integer(col.type):
        return False, pc.fill_null(pc.cast(col, pa.large_string()), _text("null"))
    if col.null_count:  # ISO 8601 times: nothing to escape
        return False, pc.fill_null(_join(_join('"', col, ""), '"', ""), _text("null"))
    special = pc.match_substring_regex(col, _JSON_SPECIAL)
    if pc.any(special).as_py():
        fixed = [_json_text(v)[1:-1] for v in pc.filter(col, special).to_pylist()]
        col = pc.replace_with_mask(col, special, pa.array(fixed, pa.large_string()))
    return True, col


def _json_chunks(table, end: str = "\n") -> Iterator[object]:
    """The rows as JSON objects (keys in column order, no spaces), each followed by ``end``.

    Each row is assembled by one Arrow call (literal pieces, such as braces, keys and quotes,
    between the columns' values), and each chunk of rows is handed on as the bytes of Arrow's
    buffer, without making a Python string per row.
    """
    import numpy as np
    import pyarrow.compute as pc

    for start in range(0, table.num_rows, _CHUNK_ROWS):
        part = table.slice(start, _CHUNK_ROWS)
        pieces: list[object] = []
        literal = "{"
        for i, name in enumerate(part.column_names):
            quoted, values = _json_fragment(part.column(name))
            literal += ("," if i else "") + _json_text(name) + ":" + ('"' if quoted else "")
            pieces += [_text(literal), values]
            literal = '"' if quoted else ""
        pieces.append(_text(literal + "}" + end))
        rows = pc.binary_join_element_wise(*pieces, _text(""))
        offsets = np.frombuffer(rows.buffers()[1], dtype=np.int64)
        first, last = int(offsets[rows.offset]), int(offsets[rows.offset + len(rows)])
        yield rows.buffers()[2].slice(first, last - first)


def _json_array(table) -> Iterator[object]:
    """``[``, the objects one per line separated by commas, ``]``."""
    yield b"["
    held = None
    for chunk in _json_chunks(table, ",\n"):
        yield b"\n" if held is None else held
        held = chunk
    if held is None:
        yield b"]\n"
    else:
        yield memoryview(held)[:-2]  # the last row's ",\n"
        yield b"\n]\n"


def _timesketch_table(df: pd.DataFrame):  # -> pyarrow.Table, rows without a time left out
    import numpy as np
    import pyarrow as pa

    base = _export_table(df)
    earliest = df["earliest"].dt.tz_convert(None).to_numpy(dtype="datetime64[us]")
    placed = ~np.isnat(earliest)
    front = {
        "message": _join(base.column("time_description"), base.column("summary"), ": "),
        "datetime": _iso(df["earliest"], suffix="+00:00"),
        "timestamp": pa.array(earliest.astype(np.int64), type=pa.int64()),
        "timestamp_desc": base.column("time_description"),
    }
    table = pa.table({**front, **{c: base.column(c) for c in base.column_names}})
    return table if placed.all() else table.filter(pa.array(placed))


def _encoded(df: pd.DataFrame, fmt: str) -> tuple[int, Iterator[object]]:
    """(rows, chunks of bytes) of ``df`` in ``fmt``: csv, json, timesketch (JSON Lines) or
    timesketch-csv.  Chunks end at row boundaries, so each decodes as UTF-8 on its own."""
    if fmt in ("timesketch", "timesketch-csv"):
        table = _timesketch_table(df)
        chunks = _json_chunks(table) if fmt == "timesketch" else _csv_chunks(table)
        return table.num_rows, chunks
    table = _export_table(df)
    return table.num_rows, _csv_chunks(table) if fmt == "csv" else _json_array(table)


def _write(df: pd.DataFrame, fmt: str, out: Path | str | TextIO, prefix: bytes = b"") -> int:
    n, chunks = _encoded(df, fmt)
    if isinstance(out, str | Path):
        with open(out, "wb") as fh:
            fh.write(prefix)
            for chunk in chunks:
                fh.write(chunk)  # type: ignore[arg-type]
    else:
        out.write(prefix.decode("utf-8"))
        for chunk in chunks:
            out.write(bytes(chunk).decode("utf-8"))  # type: ignore[call-overload]
    return n


def to_csv(df: pd.DataFrame, path: Path | str, *, bom: bool = False) -> int:
    """Write the timeline as CSV: a header, then one line per row, in the columns of the frame.

    UTF-8 (with ``bom=True`` a byte-order mark first, for Excel), ``\\n`` line ends, every text
    value quoted, times as ISO 8601 UTC strings ending in ``Z`` (empty for NaT).  Returns the
    number of rows written.

    >>> import tempfile, pathlib, pandas as pd
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "t.csv"
    >>> to_csv(build_timeline(events=pd.DataFrame(columns=list(_EVENT_INPUT))), out)
    0
    >>> out.read_text(encoding="utf-8")[:30]
    '"utc","earliest","latest","tim'
    """
    return _write(df, "csv", path, "\ufeff".encode() if bom else b"")


def to_json(df: pd.DataFrame, path: Path | str) -> int:
    """Write the timeline as one JSON array, one object per line (``json.load`` reads it whole).

    Keys in the order of the columns, no spaces; times as ISO 8601 UTC strings ending in ``Z``,
    ``null`` for NaT; text as is (UTF-8, not ``\\u`` escaped, except control characters and
    U+2028 / U+2029).  An array rather than JSON Lines, like the other ``--json`` outputs of the
    command; Timesketch's JSON Lines are :func:`to_timesketch`.  Returns the number of rows
    written.
    """
    return _write(df, "json", path)


def to_timesketch(df: pd.DataFrame, path: Path | str) -> int:
    """Write the form Timesketch imports: JSON Lines, or CSV when ``path`` ends in ``.csv``.

    Timesketch needs ``message`` (here "time description: summary"), ``datetime`` (ISO 8601,
    here ``...+00:00``) and ``timestamp_desc`` (the time description); ``timestamp``
    (microseconds since 1970) and every timeline column follow.  An interval is written at its
    ``earliest`` bound, with ``latest`` beside it.  Rows without an earliest time (out of range,
    unread: see :func:`build_timeline`) cannot be placed and are left out.  Timesketch accepts
    only file names ending in ``.jsonl`` or ``.csv``.  Returns the number of rows written.
    """
    csv_form = str(path).lower().endswith(".csv")
    return _write(df, "timesketch-csv" if csv_form else "timesketch", path)


def to_parquet(df: pd.DataFrame, path: Path | str) -> int:
    """Write the timeline as Parquet (times as ``timestamp[ns, UTC]``, text as UTF-8 strings).

    ``df.attrs`` (out-of-range and unread times) is kept as JSON in the schema metadata under
    ``forensics:timeline``.  Returns the number of rows written.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    _check_columns(df)
    table = pa.Table.from_pandas(df, preserve_index=False)
    attrs = {"out_of_range": list(df.attrs.get("out_of_range") or ()),
             "unread": list(df.attrs.get("unread") or ())}
    meta = dict(table.schema.metadata or {})
    meta[b"forensics:timeline"] = json.dumps(attrs, ensure_ascii=False, sort_keys=True).encode()
    pq.write_table(table.replace_schema_metadata(meta), str(path))
    return table.num_rows


def write_timeline(df: pd.DataFrame, fmt: str, out: Path | str | TextIO) -> int:
    """Write the timeline in ``fmt`` (one of :data:`FORMATS`) to a file path or a text stream.

    ``csv`` is :func:`to_csv`, ``json`` :func:`to_json`, ``timesketch`` :func:`to_timesketch`
    (JSON Lines on a stream), ``parquet`` :func:`to_parquet` (a path only).  A stream gets the
    same text a file would hold.  Returns the number of rows written.

    >>> import io, pandas as pd
    >>> buf = io.StringIO()
    >>> write_timeline(build_timeline(events=pd.DataFrame(columns=list(_EVENT_INPUT))), "json", buf)
    0
    >>> buf.getvalue()
    '[]\\n'
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown timeline format {fmt!r}; use one of: {', '.join(FORMATS)}")
    if isinstance(out, str | Path):
        writer = {"csv": to_csv, "json": to_json, "timesketch": to_timesketch,
                  "parquet": to_parquet}[fmt]
        return writer(df, out)
    if fmt == "parquet":
        raise ValueError("the parquet format is binary: give a file path, not a text stream")
    return _write(df, fmt, out)
