"""The one time type, and the readers for the machine-written time formats.

Every time the package handles is a :class:`TimeValue`: an aware UTC instant (or an interval,
when the source only bounds it), the original string exactly as found, its source
(``exif:DateTimeOriginal``, ``email:Received[2]``, ``quicktime:mvhd.CreateDate``...), its
precision, and whether the zone was *explicit* in the source, *assumed* (and which zone), or
*unknown*.  Naive datetimes are refused at construction (the model is dfdatetime's: "not set" is
no value at all, never the epoch).

Readers here cover the formats machines write: EXIF ``YYYY:MM:DD HH:MM:SS`` with ``OffsetTime*``
and ``SubSecTime*``, ISO 8601 / RFC 3339 (WARC-Date, XMP, JSON exports), RFC 2822 / RFC 5322
and HTTP dates, PDF dates (``D:YYYYMMDDHHmmSS+HH'mm'``), Unix seconds and milliseconds, and
QuickTime's seconds since 1904-01-01.

Examples
--------
>>> t = parse_exif("2008:05:30 15:56:01", "exif:DateTimeOriginal", offset="+08:00")
>>> t.utc.isoformat(), t.zone.value, t.precision.value
('2008-05-30T07:56:01+00:00', 'explicit', 'second')
>>> t = parse_exif("2008:05:30 15:56:01", "exif:DateTimeOriginal", default_zone="Asia/Shanghai")
>>> t.zone.value, t.zone_name, t.utc.isoformat()
('assumed', 'Asia/Shanghai', '2008-05-30T07:56:01+00:00')
>>> parse_exif("0000:00:00 00:00:00", "exif:DateTimeOriginal") is None
True
"""

from __future__ import annotations

import email.utils
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_ZONE",
    "Precision",
    "TimeValue",
    "Zone",
    "format_utc",
    "from_quicktime",
    "from_unix",
    "parse_exif",
    "parse_iso8601",
    "parse_pdf_date",
    "parse_rfc2822",
    "parse_wall",
    "zone_for",
]

DEFAULT_ZONE = "Asia/Shanghai"

#: Earliest and latest offsets in use anywhere (UTC-12:00 .. UTC+14:00): the bounds of a wall
#: time whose zone is unknown.
_WEST = timedelta(hours=12)
_EAST = timedelta(hours=14)
#: Seconds between 1904-01-01 (QuickTime, classic Mac OS) and 1970-01-01.
QUICKTIME_EPOCH_OFFSET = 2_082_844_800


class Zone(StrEnum):
    """How the zone of a time is known."""

    EXPLICIT = "explicit"  # the source wrote an offset or "Z"
    ASSUMED = "assumed"    # none written; a zone was assumed (TimeValue.zone_name says which)
    UNKNOWN = "unknown"    # none written and none assumed: only bounds are known


class Precision(StrEnum):
    """The finest unit the source wrote."""

    YEAR = "year"
    MONTH = "month"
    DAY = "day"
    HOUR = "hour"
    MINUTE = "minute"
    SECOND = "second"
    MILLISECOND = "millisecond"
    MICROSECOND = "microsecond"


@dataclass(frozen=True, slots=True)
class TimeValue:
    """A time as read from evidence.

    Attributes
    ----------
    earliest, latest : datetime
        Aware UTC bounds.  Equal for an instant.
    original : str
        The text exactly as found in the source.
    source : str
        Where it was found, e.g. ``exif:DateTimeOriginal`` or ``email:Received[2]``.
    precision : Precision
        The finest unit written.
    zone : Zone
        Explicit, assumed or unknown.
    zone_name : str
        The offset written (``+08:00``), the zone assumed (``Asia/Shanghai``), or ``""``.
    """

    earliest: datetime
    latest: datetime
    original: str
    source: str
    precision: Precision
    zone: Zone
    zone_name: str = ""

    def __post_init__(self) -> None:
        for name in ("earliest", "latest"):
            v = getattr(self, name)
            if not isinstance(v, datetime):
                raise TypeError(f"{name} must be a datetime, got {type(v).__name__}")
            if v.tzinfo is None or v.utcoffset() is None:
                raise ValueError(f"{name} is a naive datetime ({v.isoformat()}); times must be aware")
            if v.utcoffset() != timedelta(0):
                object.__setattr__(self, name, v.astimezone(UTC))
        if self.latest < self.earliest:
            raise ValueError(f"latest {self.latest.isoformat()} is before earliest "
                             f"{self.earliest.isoformat()}")

    @property
    def is_instant(self) -> bool:
        return self.earliest == self.latest

    @property
    def utc(self) -> datetime | None:
        """The instant, or ``None`` when the source only bounds it (an interval)."""
        return self.earliest if self.earliest == self.latest else None

    def to_json(self) -> dict[str, str | None]:
        """ISO 8601 UTC strings ending in ``Z``.

        >>> parse_iso8601("2017-03-06T04:02:06Z", "warc:WARC-Date").to_json()["utc"]
        '2017-03-06T04:02:06Z'
        """
        return {
            "utc": format_utc(self.utc) if self.utc else None,
            "earliest": format_utc(self.earliest), "latest": format_utc(self.latest),
            "original": self.original, "source": self.source,
            "precision": self.precision.value, "zone": self.zone.value,
            "zone_name": self.zone_name,
        }


def format_utc(dt: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``; fractions only when present.

    >>> format_utc(datetime(2026, 11, 20, 6, 32, tzinfo=UTC))
    '2026-11-20T06:32:00Z'
    """
    s = dt.astimezone(UTC).replace(tzinfo=None).isoformat()
    return s + "Z"


def zone_for(name: str) -> tzinfo:
    """An IANA zone or a fixed ``+HH:MM`` offset.

    >>> zone_for("+05:30").utcoffset(None)
    datetime.timedelta(seconds=19800)
    """
    m = re.fullmatch(r"([+-])(\d{2}):?(\d{2})", name.strip())
    if m:
        delta = timedelta(hours=int(m[2]), minutes=int(m[3]))
        if delta > _EAST:
            raise ValueError(f"offset {name!r} is outside -12:00..+14:00")
        return timezone(-delta if m[1] == "-" else delta)
    if name.strip().upper() in ("Z", "UTC", "GMT"):
        return UTC
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}; use an IANA name or +HH:MM") from None


def parse_wall(wall: datetime, original: str, source: str, precision: Precision, *,
               offset: str | None = None, default_zone: str | None = DEFAULT_ZONE) -> TimeValue:
    """A wall-clock reading: explicit when ``offset`` is given, else assumed or unknown.

    >>> w = datetime(2021, 4, 11, 15, 47, 53)
    >>> parse_wall(w, "x", "s", Precision.SECOND, offset="-05:00").utc.isoformat()
    '2021-04-11T20:47:53+00:00'
    >>> v = parse_wall(w, "x", "s", Precision.SECOND, default_zone=None)
    >>> v.zone.value, v.utc, v.earliest.isoformat(), v.latest.isoformat()
    ('unknown', None, '2021-04-11T01:47:53+00:00', '2021-04-12T03:47:53+00:00')
    """
    if wall.tzinfo is not None:
        raise ValueError("parse_wall takes the naive wall reading; pass the offset separately")
    try:
        return _wall(wall, original, source, precision, offset, default_zone)
    except OverflowError:
        raise ValueError(f"{original!r} is out of range: too close to the ends of the calendar to "
                         f"convert to UTC") from None


def _wall(wall: datetime, original: str, source: str, precision: Precision, offset: str | None,
          default_zone: str | None) -> TimeValue:
    if offset:
        z = zone_for(offset)
        at = wall.replace(tzinfo=z).astimezone(UTC)
        return TimeValue(at, at, original, source, precision, Zone.EXPLICIT, offset)
    if default_zone:
        z = zone_for(default_zone)
        at = wall.replace(tzinfo=z).astimezone(UTC)
        return TimeValue(at, at, original, source, precision, Zone.ASSUMED, default_zone)
    base = wall.replace(tzinfo=UTC)
    return TimeValue(base - _EAST, base + _WEST, original, source, precision, Zone.UNKNOWN, "")


_EXIF_RE = re.compile(
    r"\s*(\d{4})[:\-/](\d{2})[:\-/](\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2}))?)?"
    r"(?:\.(\d{1,9}))?\s*(Z|[+-]\d{2}:?\d{2})?\s*\x00*"
)


def parse_exif(text: str, source: str, *, offset: str | None = None, subsec: str | None = None,
               default_zone: str | None = DEFAULT_ZONE) -> TimeValue | None:
    """An EXIF/XMP-style date ``YYYY:MM:DD HH:MM:SS`` (with optional offset and sub-seconds).

    Returns ``None`` for the "not set" forms (all zeros or blank); raises ``ValueError`` for
    text that is set but impossible (month 13, year 42603...).

    >>> parse_exif("2021:04:11 15:47:53", "exif:DateTimeOriginal", offset="-05:00",
    ...            subsec="123").to_json()["utc"]
    '2021-04-11T20:47:53.123000Z'
    >>> parse_exif("2008:03:15 09:52:01-04:00", "xmp:DateTimeOriginal").zone_name
    '-04:00'
    """
    raw = text.strip().strip("\x00").strip()
    if not raw or set(raw) <= set("0: -T") or raw.startswith("0000"):
        return None
    m = _EXIF_RE.fullmatch(raw)
    if not m:
        raise ValueError(f"not an EXIF date: {text!r}")
    y, mo, d, hh, mm, ss, frac, written = m.groups()
    if hh is None:
        precision = Precision.DAY
    elif ss is None:
        precision = Precision.MINUTE
    else:
        precision = Precision.SECOND
    sub = frac or (subsec.strip().strip("\x00").strip() if subsec else "")
    micro = 0
    if sub:
        if not sub.isdigit():
            raise ValueError(f"sub-second value {sub!r} is not digits")
        micro = int((sub + "000000")[:6])
        precision = Precision.MILLISECOND if len(sub) <= 3 else Precision.MICROSECOND
    try:
        wall = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
    except ValueError as exc:
        raise ValueError(f"impossible date {text!r}: {exc}") from None
    off = written if written else (offset.strip() if offset and offset.strip() else None)
    if off == "Z":
        off = "+00:00"
    if off and ":" not in off:
        off = f"{off[:3]}:{off[3:]}"
    return parse_wall(wall, text, source, precision, offset=off, default_zone=default_zone)


def parse_iso8601(text: str, source: str, *, default_zone: str | None = DEFAULT_ZONE) -> TimeValue:
    """ISO 8601 / RFC 3339 date-times (``2017-03-06T04:02:06Z``, ``...+08:00``, date only).

    >>> parse_iso8601("2018-12-05T10:39:10", "telegram:date", default_zone="UTC").zone.value
    'assumed'
    >>> parse_iso8601("2026-11-20", "x").precision.value
    'day'
    """
    raw = text.strip()
    m = re.fullmatch(
        r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?"
        r"\s*(Z|z|[+-]\d{2}:?\d{2})?", raw)
    if not m:
        raise ValueError(f"not an ISO 8601 date-time: {text!r}")
    y, mo, d, hh, mm, ss, frac, off = m.groups()
    precision = (Precision.DAY if hh is None else Precision.MINUTE if ss is None
                 else Precision.SECOND if not frac
                 else Precision.MILLISECOND if len(frac) <= 3 else Precision.MICROSECOND)
    micro = int((frac + "000000")[:6]) if frac else 0
    try:
        wall = datetime(int(y), int(mo), int(d), int(hh or 0), int(mm or 0), int(ss or 0), micro)
    except ValueError as exc:
        raise ValueError(f"impossible date {text!r}: {exc}") from None
    if off in ("Z", "z"):
        off = "+00:00"
    elif off and ":" not in off:
        off = f"{off[:3]}:{off[3:]}"
    return parse_wall(wall, text, source, precision, offset=off, default_zone=default_zone)


def parse_rfc2822(text: str, source: str, *, default_zone: str | None = DEFAULT_ZONE) -> TimeValue:
    """RFC 5322 / RFC 2822 / HTTP dates.  ``-0000`` means "UTC, local offset unknown".

    >>> parse_rfc2822("Mon, 17 Dec 2018 11:28:18 -0000", "mhtml:Date").zone_name
    '-0000 (UTC; local offset unknown)'
    >>> parse_rfc2822("Sun, 13 May 2018 12:32:22 +0800", "email:Date").to_json()["utc"]
    '2018-05-13T04:32:22Z'
    """
    raw = " ".join(text.split())
    try:
        parts = email.utils.parsedate_tz(raw)
    except (TypeError, ValueError, IndexError):
        parts = None
    if not parts:
        raise ValueError(f"not an RFC 2822 date: {text!r}")
    try:
        wall = datetime(*parts[:6])  # type: ignore[misc]
    except (ValueError, TypeError, OverflowError) as exc:
        raise ValueError(f"impossible date {text!r}: {exc}") from None
    precision = Precision.SECOND if re.search(r"\d:\d\d:\d\d", raw) else Precision.MINUTE
    tz = parts[9]
    if tz is None:
        return parse_wall(wall, text, source, precision, default_zone=default_zone)
    named = re.search(r"\d:\d\d(?::\d\d)?\s+([A-Za-z]{1,5})\s*$", raw)
    if named and named[1].upper() not in ("UT", "UTC", "GMT", "Z"):
        return _named_zone(wall, text, source, precision, named[1].upper(), tz, default_zone)
    if tz == 0 and re.search(r"-0000\b", raw):
        at = wall.replace(tzinfo=UTC)
        return TimeValue(at, at, text, source, precision, Zone.EXPLICIT,
                         "-0000 (UTC; local offset unknown)")
    if abs(tz) > 14 * 3600:
        raise ValueError(f"offset out of range in {text!r}")
    off = timezone(timedelta(seconds=tz))
    at = wall.replace(tzinfo=off).astimezone(UTC)
    sign = "-" if tz < 0 else "+"
    return TimeValue(at, at, text, source, precision, Zone.EXPLICIT,
                     f"{sign}{abs(tz) // 3600:02d}:{abs(tz) % 3600 // 60:02d}")


def _named_zone(wall: datetime, text: str, source: str, precision: Precision, name: str,
                rfc_offset: int, default_zone: str | None) -> TimeValue:
    """A zone written as a name (``CST``, ``EST``): ambiguous, so never *explicit*.

    RFC 822 reads ``CST`` as US Central (-06:00), but Chinese servers write ``CST`` for China
    Standard Time (+08:00).  When the assumed zone uses that abbreviation at that time, it is
    read in the assumed zone; otherwise as RFC 822 says.  Either way the zone is *assumed* and
    the name says which reading was taken.
    """
    if default_zone:
        z = zone_for(default_zone)
        if wall.replace(tzinfo=z).tzname() == name:
            at = wall.replace(tzinfo=z).astimezone(UTC)
            return TimeValue(at, at, text, source, precision, Zone.ASSUMED,
                             f"{name} read as {default_zone}")
    off = timezone(timedelta(seconds=rfc_offset))
    at = wall.replace(tzinfo=off).astimezone(UTC)
    sign = "-" if rfc_offset < 0 else "+"
    hhmm = f"{sign}{abs(rfc_offset) // 3600:02d}:{abs(rfc_offset) % 3600 // 60:02d}"
    return TimeValue(at, at, text, source, precision, Zone.ASSUMED,
                     f"{name} read as {hhmm} (RFC 822); the name is ambiguous")


def parse_pdf_date(text: str, source: str, *, default_zone: str | None = DEFAULT_ZONE) -> TimeValue:
    """PDF dates (ISO 32000-1 7.9.4): ``D:YYYYMMDDHHmmSSOHH'mm'``, every part after the year optional.

    >>> parse_pdf_date("D:20050718143045-04'00'", "pdf:CreationDate").to_json()["utc"]
    '2005-07-18T18:30:45Z'
    """
    raw = text.strip()
    m = re.fullmatch(r"(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
                     r"\s*(?:(Z)|([+-])(\d{2})'?(?:(\d{2})'?)?)?\s*", raw)
    if not m:
        raise ValueError(f"not a PDF date: {text!r}")
    y, mo, d, hh, mi, ss, z, sign, oh, om = m.groups()
    parts = [mo, d, hh, mi, ss]
    n = sum(1 for p in parts if p)
    precision = [Precision.YEAR, Precision.MONTH, Precision.DAY, Precision.HOUR, Precision.MINUTE,
                 Precision.SECOND][n]
    try:
        wall = datetime(int(y), int(mo or 1), int(d or 1), int(hh or 0), int(mi or 0), int(ss or 0))
    except ValueError as exc:
        raise ValueError(f"impossible date {text!r}: {exc}") from None
    off = "+00:00" if z else (f"{sign}{oh}:{om or '00'}" if sign else None)
    return parse_wall(wall, text, source, precision, offset=off, default_zone=default_zone)


def from_unix(value: float, source: str, *, original: str | None = None,
              milliseconds: bool = False) -> TimeValue:
    """Unix time (seconds, or milliseconds with ``milliseconds=True``): always UTC, explicit.

    >>> from_unix(1544006350, "telegram:date_unixtime").to_json()["utc"]
    '2018-12-05T10:39:10Z'
    >>> from_unix(1704067300000, "qq:timestamp", milliseconds=True).precision.value
    'millisecond'
    """
    seconds = value / 1000 if milliseconds else value
    try:
        at = datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError) as exc:
        raise ValueError(f"Unix time {value!r} is out of range: {exc}") from None
    precision = Precision.MILLISECOND if milliseconds else (
        Precision.SECOND if float(value).is_integer() else Precision.MICROSECOND)
    return TimeValue(at, at, original if original is not None else str(value), source, precision,
                     Zone.EXPLICIT, "UTC")


def from_quicktime(seconds: int, source: str, *, as_local: str | None = None) -> TimeValue | None:
    """Seconds since 1904-01-01 (QuickTime ``mvhd``/``tkhd``/``mdhd``).  0 means "not set".

    The specification says UTC; many cameras and phones write local time.  Read it as UTC by
    default, or as wall time in ``as_local`` (marked assumed) for the second reading.

    >>> from_quicktime(3501794363, "quicktime:mvhd.CreateDate").to_json()["utc"]
    '2014-12-19T00:39:23Z'
    >>> from_quicktime(0, "quicktime:mvhd.CreateDate") is None
    True
    """
    if seconds == 0:
        return None
    try:
        wall = datetime(1904, 1, 1) + timedelta(seconds=seconds)
    except OverflowError:
        raise ValueError(f"QuickTime time {seconds} is past the year 9999") from None
    original = f"{wall:%Y:%m:%d %H:%M:%S}"
    if as_local:
        return parse_wall(wall, original, source, Precision.SECOND, default_zone=as_local)
    at = wall.replace(tzinfo=UTC)
    return TimeValue(at, at, original, source, Precision.SECOND, Zone.EXPLICIT, "UTC (by spec)")
