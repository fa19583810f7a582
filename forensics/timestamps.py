"""The one time type, and the readers for machine-written and displayed times.

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

:func:`parse_displayed` reads the times platforms *display* ("2026年11月20日 14:32", "11-20 14:32",
"昨天 14:02", "3分钟前", "刚刚", "yesterday 2:32 PM", "Nov 20, 2026"; the Chinese forms as
../shared/PLATFORMS.md section 1 records them), resolving the relative ones against the capture
time: "3分钟前" captured at 10:00 is the interval [09:56, 09:57], not a point.
:func:`parse_time` is the one entry point for any time text (``forensics parse-time``): the
machine formats first, then the displayed forms.

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
>>> cap = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
>>> t = parse_time("3分钟前", reference=cap)
>>> t.utc, t.to_json()["earliest"], t.to_json()["latest"]
(None, '2026-11-20T09:56:00Z', '2026-11-20T09:57:00Z')
"""

from __future__ import annotations

import calendar
import email.utils
import functools
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from enum import StrEnum
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "DEFAULT_ZONE",
    "JUST_NOW",
    "NO_YEAR_SLACK",
    "Precision",
    "TimeValue",
    "Zone",
    "format_utc",
    "from_quicktime",
    "from_unix",
    "needs_reference",
    "parse_displayed",
    "parse_exif",
    "parse_iso8601",
    "parse_pdf_date",
    "parse_rfc2822",
    "parse_time",
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


# -- displayed times -----------------------------------------------------------------------------
#: "刚刚" / "just now" is the minute before the capture time: weibo.cn and m.weibo.cn show it
#: before "1分钟前" (PLATFORMS.md section 1), so it stands for less than one minute of age.
JUST_NOW = timedelta(minutes=1)
#: A date shown without a year ("11-20 14:32") is put in the capture year, or in the year before
#: when the capture year would put it more than this after the capture.  Within the slack the
#: capture year is kept: a time a few minutes or hours after the capture is a clock or zone
#: problem that a finding should show, not a post from a year earlier.
NO_YEAR_SLACK = timedelta(days=1)

#: "N units ago": the age unit and the precision it gives.  The age is taken as floored
#: ("3分钟前" = at least 3 and under 4 minutes old), so "N units ago" is the interval
#: [capture - (N+1) units, capture - N units], for every unit and every platform: the rule of
#: issue 5 ("3分钟前" captured at 10:00 is [09:56, 09:57]).  PLATFORMS.md records no rounding
#: rule for any platform ("No platform publishes its age thresholds" [U]); a page built on a
#: library that rounds (moment.js ``fromNow`` shows "2 minutes ago" from 90 seconds) can show
#: a time just outside the interval: test on real captures.  A day is 24 elapsed hours, not a
#: calendar day.
_AGO_UNITS: dict[str, tuple[timedelta, Precision]] = {
    **dict.fromkeys(("秒", "秒钟", "s", "sec", "secs", "second", "seconds"),
                    (timedelta(seconds=1), Precision.SECOND)),
    **dict.fromkeys(("分", "分钟", "m", "min", "mins", "minute", "minutes"),
                    (timedelta(minutes=1), Precision.MINUTE)),
    **dict.fromkeys(("小时", "个小时", "钟头", "个钟头", "h", "hr", "hrs", "hour", "hours"),
                    (timedelta(hours=1), Precision.HOUR)),
    **dict.fromkeys(("天", "日", "d", "day", "days"), (timedelta(days=1), Precision.DAY)),
}
_DAY_WORDS = {"今天": 0, "今日": 0, "today": 0, "昨天": 1, "昨日": 1, "yesterday": 1, "前天": 2}
_MONTHS = {name: n for n, names in enumerate(
    (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
     ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
     ("oct", "october"), ("nov", "november"), ("dec", "december")), start=1) for name in names}
_WEEKDAYS = {
    **{f"{p}{c}": n for p in ("星期", "周", "礼拜") for n, c in enumerate("一二三四五六日")},
    **{f"{p}天": 6 for p in ("星期", "礼拜")},
    **{name: n for n, names in enumerate(
        (("mon", "monday"), ("tue", "tues", "tuesday"), ("wed", "wednesday"),
         ("thu", "thur", "thurs", "thursday"), ("fri", "friday"), ("sat", "saturday"),
         ("sun", "sunday"))) for name in names},
}
#: Chinese day periods: the hour shown -> (hour of day, days to add).  The readings follow CLDR's
#: zh day periods (what phones render): 凌晨 00-06, 早上 04-12, 上午 = a.m. (so 上午12:30 is
#: 00:30, as 12:30 a.m.), 中午 11-14, 下午 = p.m. (下午12:30 is 12:30), 傍晚 16-20, 晚上 18-24.
#: "晚上12点" (colloquial midnight) is 00:00 of the *next* day: the midnight that ends the day
#: shown.  An hour outside its period (上午3点 is fine, 上午14点 is not) is refused.  A 24-hour
#: hour in a p.m. period (下午14:32) is read as written.
_PERIODS: dict[str, dict[int, tuple[int, int]]] = {
    "凌晨": {**{h: (h, 0) for h in range(7)}, 12: (0, 0)},
    "午夜": {0: (0, 0), 12: (0, 0)},
    **{word: {h: (h, 0) for h in range(4, 12)} for word in ("早上", "早晨", "清晨")},
    "上午": {**{h: (h, 0) for h in range(12)}, 12: (0, 0)},
    "中午": {11: (11, 0), 12: (12, 0), 1: (13, 0), 2: (14, 0), 13: (13, 0), 14: (14, 0)},
    "下午": {12: (12, 0), **{h: (h + 12, 0) for h in range(1, 12)},
             **{h: (h, 0) for h in range(13, 24)}},
    "傍晚": {**{h: (h + 12, 0) for h in range(4, 8)}, **{h: (h, 0) for h in range(16, 20)}},
    **{word: {**{h: (h + 12, 0) for h in range(6, 12)}, **{h: (h, 0) for h in range(18, 24)},
              12: (0, 1)} for word in ("晚上", "夜里", "夜间")},
}


def _alternatives(words: Iterable[str]) -> str:
    """A regular expression alternation of the words, longest first."""
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


_WD = _alternatives(_WEEKDAYS)
_MON = _alternatives(_MONTHS)
_CLOCK = (rf"(?:(?P<period>{_alternatives(_PERIODS)}) ?)?(?P<h>\d{{1,2}})"
          r"(?:(?P<colon>:)(?P<mi>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<frac>\d{1,9}))?)?"
          r"|(?P<cn>[点时])(?:(?P<half>半)|(?P<mi2>\d{1,2})分?(?:(?P<s2>\d{1,2})秒)?)?)?"
          r"(?: ?(?P<ampm>am|pm|a\.m\.|p\.m\.))?"
          r"(?: ?\(?(?:(?:utc|gmt) ?(?P<off>[+-]\d{1,2}(?::?\d{2})?)|(?P<off2>[+-]\d{2}(?::?\d{2})?)"
          r"|(?P<z>z|utc|gmt))\)?)?")
#: Between a date and its time: "T", a space, a comma, "at", or nothing after a CJK character.
_SEP = r"(?:t|,? ?at |, ?| |(?<=[\u4e00-\u9fff]))"
_TAIL = rf"(?:{_SEP}{_CLOCK})?"
_WD_AFTER = rf"(?: ?,? ?\(?(?P<wd2>{_WD})\)?)?"
_WD_BEFORE = rf"(?:(?P<wd>{_WD}),? )?"
_FORMS: tuple[tuple[str, re.Pattern[str]], ...] = tuple((name, re.compile(pattern)) for name, pattern in (
    ("date", rf"{_WD_BEFORE}(?P<y>\d{{4}}) ?[-/.年] ?(?P<mo>\d{{1,2}}) ?[-/.月] ?(?P<d>\d{{1,2}}) ?[日号]?"
             rf"{_WD_AFTER}{_TAIL}"),
    ("month-day", rf"(?P<mo>\d{{1,2}}) ?[-/月] ?(?P<d>\d{{1,2}}) ?[日号]?{_WD_AFTER}{_TAIL}"),
    ("en-date", rf"{_WD_BEFORE}(?P<mon>{_MON})\.? (?P<d>\d{{1,2}})(?:st|nd|rd|th)?(?:,? (?P<y>\d{{4}}))?"
                rf"{_TAIL}"),
    ("en-date", rf"{_WD_BEFORE}(?P<d>\d{{1,2}})(?:st|nd|rd|th)? (?P<mon>{_MON})\.?(?:,? (?P<y>\d{{4}}))?"
                rf"{_TAIL}"),
    ("en-date", rf"{_CLOCK} ?[·・,-] ?{_WD_BEFORE}(?P<mon>{_MON})\.? (?P<d>\d{{1,2}})"
                rf"(?:,? (?P<y>\d{{4}}))?"),
    ("day-word", rf"(?P<word>{_alternatives(_DAY_WORDS)}){_TAIL}"),
    ("weekday", rf"(?P<wd>{_WD}){_TAIL}"),
    ("clock", _CLOCK),
    ("ago", rf"(?P<n>\d{{1,9}}) ?(?P<unit>{_alternatives(u for u in _AGO_UNITS if not u.isascii())})"
            r" ?前"),
    ("ago", rf"(?P<n>\d{{1,9}}|an?|one) ?(?P<unit>{_alternatives(u for u in _AGO_UNITS if u.isascii())})"
            r" ago"),
    ("now", r"刚刚|刚才|just now|now|(?:a )?few seconds ago|a moment ago|moments ago"),
))
_READ_ALONE = ("date", "en-date")  # read without the capture time when the year is written

_PREFIX = re.compile(r"(?:(?P<edit>最后编辑于|编辑于|修改于|更新于|编辑时间|修改时间|更新时间|"
                     r"(?:last )?edited(?: on| at)?|updated(?: on| at)?)|发布于|发表于|发布时间|"
                     r"发表时间|发布日期|发表日期|发布|发表|posted(?: on| at)?|published(?: on| at)?)"
                     r" ?:? ?")
_SUFFIXES = (("来自", re.compile(r" ?来自.*")), (" ", re.compile(r" (?:via|from) .*")),
             ("ip属地", re.compile(r" ?[·・|]? ?ip属地 ?:? ?\S+$")),
             ("前", re.compile(r"(?<=前) ?(?:发布|发表)$")))
#: Place names a page writes after a time (Xiaohongshu "昨天 14:02 广东", IP属地 labels).
_PLACES = (
    "北京", "天津", "上海", "重庆", "河北", "山西", "辽宁", "吉林", "黑龙江", "江苏", "浙江", "安徽",
    "福建", "江西", "山东", "河南", "湖北", "湖南", "广东", "海南", "四川", "贵州", "云南", "陕西", "甘肃",
    "青海", "台湾", "内蒙古", "广西", "西藏", "宁夏", "新疆", "香港", "澳门", "中国", "美国", "日本",
    "韩国", "英国", "法国", "德国", "加拿大", "澳大利亚", "新加坡", "马来西亚", "泰国", "俄罗斯", "意大利",
    "西班牙", "荷兰", "新西兰", "未知")
_PLACE_END = re.compile(rf"(?:{'|'.join(_PLACES)})(?:省|市|自治区|特别行政区)?$")
#: A trailing CJK word after a space or a dot, with no character of a time word: a place.
_PLACE = re.compile(r"[ ·・|]+([\u4e00-\u9fff]{2,8})$")
#: Characters of time words: a trailing word with one of them is never dropped as a place.
_TIME_CHARS = frozenset("年月日号时点分秒天前今昨午晚早凌晨星期周礼拜刚才半傍夜钟")
#: The forms named when none fits (the repost readers' warning has always said these).
_HELP = ("ISO 8601, 'YYYY-MM-DD HH:MM', 'YYYY年MM月DD日 HH:MM', 'MM-DD HH:MM', '今天 HH:MM', "
         "'N分钟前', '刚刚'")


def _normalize(text: str) -> str:
    """NFKC (full-width digits, colons, spaces), lower case, single spaces: for matching only."""
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    return " ".join(text.lower().split())


def _trim(core: str) -> tuple[str, bool]:
    """The text without the words around a time that are safe to drop, and whether it said
    "edited" (编辑于: the time of an edit, not of publication)."""
    core = core.strip(" ·・|,;")
    edited = False
    m = _PREFIX.match(core)
    if m and m.end() < len(core):
        edited = m["edit"] is not None
        core = core[m.end():]
    for hint, rx in _SUFFIXES:
        m = rx.search(core) if hint in core else None
        if m and m.start() > 0:
            core = core[:m.start()]
    core = core.strip(" ·・|,;")
    if not core or not "\u4e00" <= core[-1] <= "\u9fff":
        return core, edited
    m = _PLACE_END.search(core)
    if m and m.start() > 0:
        return core[:m.start()].strip(" ·・|,;"), edited
    m = _PLACE.search(core)
    if m and m.start() > 0 and not set(m[1]) & _TIME_CHARS:
        core = core[:m.start()].strip(" ·・|,;")
    return core, edited


def _match(core: str) -> tuple[str, re.Match[str]] | None:
    for name, rx in _FORMS:
        m = rx.fullmatch(core)
        if m is None:
            continue
        g = m.groupdict()
        if g.get("h") is not None and not (g["colon"] or g["cn"] or g["ampm"]):
            continue  # a bare number is not a time of day
        return name, m
    return None


def _read(text: str) -> tuple[str, re.Match[str], bool]:
    if not isinstance(text, str):
        raise TypeError(f"a displayed time is text, got {type(text).__name__}")
    return _read_text(text)


@functools.lru_cache(maxsize=4096)
def _read_text(text: str) -> tuple[str, re.Match[str], bool]:
    """(form name, match, edited) of a text; cached, as lists repeat the same minutes."""
    core, edited = _trim(_normalize(text))
    if not core:
        raise ValueError("no time given")
    got = _match(core)
    if got is None:
        raise ValueError(f"time {text!r} is in no form this reader knows ({_HELP})")
    return got[0], got[1], edited


def _needs(name: str, m: re.Match[str]) -> bool:
    return name not in _READ_ALONE or m["y"] is None


def needs_reference(text: str) -> bool:
    """Whether reading a displayed time needs the capture time.

    True for relative times ("3分钟前", "昨天 14:02", "刚刚", "星期三 14:02", a time of day
    alone) and for dates without a year ("11-20 14:32", "Nov 20"), whose year is inferred from
    the capture: the mark that a value so read was *inferred*.  False for dates that carry their
    year.  Raises ``ValueError`` for text in no displayed form.

    Examples
    --------
    >>> needs_reference("11-20 14:32"), needs_reference("2026-11-20 14:32"), needs_reference("刚刚")
    (True, False, True)
    """
    name, m, _ = _read(text)
    return _needs(name, m)


def _span(wall: datetime, tz: tzinfo | None) -> tuple[datetime, datetime]:
    """The UTC bounds of a wall reading.  A zone's fold (the hour read twice when clocks go back)
    gives both readings as an interval; so does a gap (a wall time skipped when clocks go
    forward, which never showed on a clock in that zone): the reading before and after the
    change.  No zone: every offset in use, -12:00 to +14:00."""
    if tz is None:
        base = wall.replace(tzinfo=UTC)
        return base - _EAST, base + _WEST
    a = wall.replace(tzinfo=tz, fold=0).astimezone(UTC)
    b = wall.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return (a, b) if a <= b else (b, a)


def _clock(g: dict[str, str | None], text: str) -> tuple[time, int, Precision]:
    """(the time of day, days to add, precision) of the clock groups of a match."""
    h = int(g["h"] or 0)
    period, ampm = g["period"], g["ampm"]
    day = 0
    if period and ampm:
        raise ValueError(f"impossible time {text!r}: both {period} and {ampm}")
    if ampm:
        if not 1 <= h <= 12:
            raise ValueError(f"impossible time {text!r}: hour {h} with {ampm} (1 to 12)")
        h = h % 12 + (12 if ampm.startswith("p") else 0)
    elif period:
        if h not in _PERIODS[period]:
            raise ValueError(f"impossible time {text!r}: {h} o'clock is not in {period} "
                             f"(hours {sorted(_PERIODS[period])})")
        h, day = _PERIODS[period][h]
    elif h > 23:
        raise ValueError(f"impossible time {text!r}: hour {h}")
    mi = 30 if g["half"] else int(g["mi"] or g["mi2"] or 0)
    s = int(g["s"] or g["s2"] or 0)
    frac = g["frac"]
    if mi > 59 or s > 59:
        raise ValueError(f"impossible time {text!r}: minute {mi}, second {s}")
    precision = (Precision.HOUR if not (g["mi"] or g["mi2"] or g["half"])
                 else Precision.MINUTE if not (g["s"] or g["s2"])
                 else Precision.SECOND if not frac
                 else Precision.MILLISECOND if len(frac) <= 3 else Precision.MICROSECOND)
    return time(h, mi, s, int((frac + "000000")[:6]) if frac else 0), day, precision


def _offset(g: dict[str, str | None]) -> str | None:
    """The offset written in the text, as ``+HH:MM``."""
    if g.get("z"):
        return "+00:00"
    off = g.get("off") or g.get("off2")
    if not off:
        return None
    sign, rest = off[0], off[1:].replace(":", "")
    hh, mm = (rest, "00") if len(rest) <= 2 else (rest[:-2], rest[-2:])
    return f"{sign}{int(hh):02d}:{mm}"


def _date(y: int, mo: int, d: int, text: str) -> date:
    try:
        return date(y, mo, d)
    except ValueError as exc:
        raise ValueError(f"impossible date {text!r}: {exc}") from None


def parse_displayed(text: str, *, reference: datetime | None, zone: str | None = DEFAULT_ZONE,
                    source: str = "page:displayed") -> TimeValue:
    """A time as a platform displays it, read against the capture time where it needs one.

    Absolute forms (read without ``reference``): ``2026年11月20日 14:32``,
    ``2026-11-20 14:32:05``, ``2026/11/20 下午2:32``, ``2026.11.20``, ISO 8601 with or without
    an offset, ``Nov 20, 2026``, ``20 Nov 2026 14:32``, ``2:32 PM · Nov 20, 2026``.  Forms read
    against ``reference`` (the capture time; see :func:`needs_reference`):

    * no year (``11-20 14:32``, ``11月20日``, ``Nov 20``): the capture year in ``zone``, or the
      year before when that would put it more than :data:`NO_YEAR_SLACK` after the capture (so
      "12-31 23:50" captured on 1 January is the day before; "11-20 14:35" captured at 14:30
      stays after the capture, for a finding to show);
    * ``今天``/``昨天``/``前天`` and ``today``/``yesterday`` (with or without a time): the capture
      day in ``zone``, 1 or 2 days before; a weekday (``星期三 14:02``, ``周三``,
      ``Wednesday 2:32 PM``): the nearest such day 1 to 7 days before the capture day (a page
      writes 今天 or the time alone for today); a time alone (``14:32``): the capture day;
    * ``N秒/分钟/小时/天前`` and ``N sec/min/hours/days ago``: the interval
      [reference - (N+1) units, reference - N units]: pages floor the age, so "3分钟前" is at
      least 3 and under 4 minutes old (a day is 24 elapsed hours);
    * ``刚刚``, ``just now``: [reference - :data:`JUST_NOW`, reference].

    A time of day is a point with the precision written (hour, minute, second); a date without a
    time is an interval covering the day (precision ``day``); a day read against the capture
    time is cut at the capture time (a page cannot show what is not yet posted).  Chinese day
    periods (上午, 下午, 凌晨, 中午, 晚上, 早上, 傍晚, 午夜) and ``AM``/``PM`` follow CLDR's zh
    day periods, what phones render: 上午 is a.m. and 下午 p.m. (上午12:30 is 00:30, 下午12:30 is
    12:30), 凌晨0:30 and 凌晨12:30 are 00:30, 中午12:30 is 12:30, 晚上8点 is 20:00, and the
    colloquial 晚上12点 is the midnight that *ends* the day shown; an hour outside its period
    (上午14点) is refused.  Wall times are in ``zone`` (*assumed*, ``zone_name`` = ``zone``) unless the
    text writes an offset (``+08:00``, ``UTC+8``, ``Z``: *explicit*); ``zone=None`` leaves the
    zone *unknown* (bounds -12:00..+14:00).  In a zone with daylight saving time a wall time read
    twice (the fold) or never shown (the gap) becomes the interval covering both readings.

    Full-width digits and punctuation are read (NFKC, for matching only: ``original`` keeps the
    text).  Words around the time are dropped where safe: ``发布于``, ``发表于``, ``Posted``
    before it; ``来自 <client>``, ``via <client>``, ``IP属地：<place>``, a province or country
    name, ``发布`` after it.  ``编辑于``/``Edited`` marks an edit time, not a publication: the
    source gets ``(edited)`` appended.

    Parameters
    ----------
    text : str
        The time as shown.
    reference : datetime or None
        The capture time, aware.  Needed by the relative forms.
    zone : str or None
        IANA zone or ``+HH:MM`` of the wall times (the case zone, ``Asia/Shanghai`` by default).
    source : str
        The source recorded in the value.

    Raises
    ------
    ValueError
        Text in no known form; an impossible date or time (naming the text); a relative form
        without a reference ("needs the capture time"); a naive reference; an unknown zone.

    Examples
    --------
    >>> cap = datetime(2026, 11, 20, 10, 0, tzinfo=timezone(timedelta(hours=8)))
    >>> t = parse_displayed("3分钟前", reference=cap)
    >>> t.to_json()["earliest"], t.to_json()["latest"], t.precision.value
    ('2026-11-20T01:56:00Z', '2026-11-20T01:57:00Z', 'minute')
    >>> t = parse_displayed("昨天 下午2:02", reference=cap)
    >>> t.to_json()["utc"], t.zone.value, t.zone_name
    ('2026-11-19T06:02:00Z', 'assumed', 'Asia/Shanghai')
    >>> new_year = datetime(2027, 1, 1, 0, 5, tzinfo=timezone(timedelta(hours=8)))
    >>> parse_displayed("12-31 23:50", reference=new_year).to_json()["utc"]
    '2026-12-31T15:50:00Z'
    >>> t = parse_displayed("２０２６年１１月２０日", reference=None)
    >>> t.to_json()["earliest"], t.to_json()["latest"], t.utc
    ('2026-11-19T16:00:00Z', '2026-11-20T16:00:00Z', None)
    >>> t = parse_displayed("Nov 1, 2026 1:30 AM", reference=None, zone="America/New_York")
    >>> t.to_json()["earliest"], t.to_json()["latest"]
    ('2026-11-01T05:30:00Z', '2026-11-01T06:30:00Z')
    >>> try:
    ...     parse_displayed("3分钟前", reference=None)
    ... except ValueError as exc:
    ...     print(exc)
    '3分钟前' is shown relative to when the page was seen: reading it needs the capture time (reference)
    """
    if reference is not None:
        if not isinstance(reference, datetime):
            raise TypeError(f"reference must be a datetime, got {type(reference).__name__}")
        if reference.tzinfo is None or reference.utcoffset() is None:
            raise ValueError(f"reference {reference.isoformat()} is naive; give the capture time "
                             f"with its zone or offset")
    assumed = zone_for(zone) if zone else None
    name, m, edited = _read(text)
    if _needs(name, m):
        _reference(reference, text)
    if edited:
        source = f"{source}(edited)"
    try:
        return _resolve(name, m, text, reference, assumed, zone, source)
    except OverflowError:
        raise ValueError(f"time {text!r} is out of range: too close to the ends of the calendar "
                         f"to convert to UTC") from None


def _resolve(name: str, m: re.Match[str], text: str, reference: datetime | None,
             assumed: tzinfo | None, zone: str | None, source: str) -> TimeValue:
    g = m.groupdict()
    ref = _reference(reference, text) if _needs(name, m) else None
    if ref is not None and name in ("ago", "now"):
        now = ref.astimezone(UTC)
        if name == "now":
            earliest, latest, precision = now - JUST_NOW, now, Precision.MINUTE
        else:
            unit, precision = _AGO_UNITS[g["unit"]]
            n = int(g["n"]) if g["n"].isdigit() else 1
            earliest, latest = now - (n + 1) * unit, now - n * unit
        if zone:
            return TimeValue(earliest, latest, text, source, precision, Zone.ASSUMED, zone)
        return TimeValue(earliest, latest, text, source, precision, Zone.UNKNOWN, "")
    offset = _offset(g)
    tz = zone_for(offset) if offset else assumed
    clock = _clock(g, text) if g.get("h") is not None else None

    def span(day: date) -> tuple[datetime, datetime, Precision]:
        if clock is None:
            return (_span(datetime.combine(day, time()), tz)[0],
                    _span(datetime.combine(day + timedelta(days=1), time()), tz)[1], Precision.DAY)
        at, extra, precision = clock
        e, la = _span(datetime.combine(day + timedelta(days=extra), at), tz)
        return e, la, precision

    # The capture day in the zone of the wall times (with no zone: in the reference's own offset).
    local = (ref.astimezone(tz) if tz else ref).date() if ref is not None else None
    mo = _MONTHS[g["mon"]] if g.get("mon") else int(g["mo"]) if g.get("mo") else 0
    if name in ("date", "en-date") and g["y"]:
        day = _date(int(g["y"]), mo, int(g["d"]), text)
    elif local is None or ref is None:  # pragma: no cover - parse_displayed checked it
        raise ValueError(f"{text!r} needs the capture time")
    elif name in ("month-day", "en-date"):
        day = _infer_year(mo, int(g["d"]), local.year, ref, span, text)
    else:
        if name == "day-word":
            day = local - timedelta(days=_DAY_WORDS[g["word"]])
        elif name == "weekday":
            back = (local.weekday() - _WEEKDAYS[g["wd"]]) % 7 or 7
            day = local - timedelta(days=back)
        else:  # a time of day alone: the capture day
            day = local
    for key in ("wd", "wd2"):
        if name != "weekday" and g.get(key) and _WEEKDAYS[g[key]] != day.weekday():
            raise ValueError(f"impossible date {text!r}: {day.isoformat()} is a "
                             f"{day.strftime('%A')}, not {g[key]}")
    earliest, latest, precision = span(day)
    if ref is not None and clock is None and earliest <= ref < latest:
        latest = ref  # a day read against the capture time ends at the capture
    if offset:
        return TimeValue(earliest, latest, text, source, precision, Zone.EXPLICIT, offset)
    if zone:
        return TimeValue(earliest, latest, text, source, precision, Zone.ASSUMED, zone)
    return TimeValue(earliest, latest, text, source, precision, Zone.UNKNOWN, "")


def _reference(reference: datetime | None, text: str) -> datetime:
    if reference is None:
        raise ValueError(f"{text!r} is shown relative to when the page was seen: reading it needs "
                         f"the capture time (reference)")
    return reference


def _infer_year(mo: int, d: int, year: int, reference: datetime,
                span: Callable[[date], tuple[datetime, datetime, Precision]], text: str) -> date:
    """The capture year, or the year before when the capture year would put the date more than
    :data:`NO_YEAR_SLACK` after the capture (or has no such day: 02-29)."""
    if mo < 1 or mo > 12 or d < 1 or d > calendar.monthrange(2000, mo)[1]:
        _date(2000, mo, d, text)  # raises, naming the text
    try:
        day = date(year, mo, d)
    except ValueError:
        day = None
    if day is not None and span(day)[0] <= reference + NO_YEAR_SLACK:
        return day
    try:
        return date(year - 1, mo, d)
    except ValueError:
        raise ValueError(f"impossible date {text!r}: read against the capture time "
                         f"{reference.isoformat()}, {year} puts it after the capture and "
                         f"{year - 1} has no {mo:02d}-{d:02d}") from None


_DIGITS_RE = re.compile(r"\d+")
_EXIF_FORM_RE = re.compile(r"(\d{4}):(\d{2}):(\d{2})( \d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"
                           r"(\s*(?:Z|[+-]\d{2}:?\d{2}))?")
_ISO_OFFSET_RE = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:[.,]\d{1,9})?)?"
                            r"\s*(?:[Zz]|[+-]\d{2}:?\d{2})")
_RFC2822_RE = re.compile(r"(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d{1,2}:\d{2}"
                         r"(?::\d{2})?\s*(?:[+-]\d{4}|UTC?|GMT|Z|[ECMP][SD]T)(?:\s*\([^()]*\))?")
#: ``Tue Feb 23 12:28:47 +0800 2021``: the Weibo API's ``created_at`` (Ruby/Twitter style).
_API_TIME_RE = re.compile(r"(?:[A-Za-z]{3}\s+)?([A-Za-z]{3})\s+(\d{1,2})\s+(\d{2}):(\d{2}):(\d{2})\s+"
                          r"([+-]\d{2})(\d{2})\s+(\d{4})")


def parse_time(text: str, *, reference: datetime | None = None, zone: str | None = DEFAULT_ZONE,
               source: str = "text") -> TimeValue:
    """Any time text: the machine formats first, then the displayed forms.

    In order: only digits, 10 of them: Unix seconds, 13: Unix milliseconds (UTC, explicit);
    ``D:YYYYMMDD...`` (PDF); ISO 8601 with an offset (:func:`parse_iso8601`); RFC 2822 / HTTP
    dates with a zone (:func:`parse_rfc2822`); the Weibo API form
    ``Tue Feb 23 12:28:47 +0800 2021``; the EXIF form ``YYYY:MM:DD HH:MM:SS``; then everything
    :func:`parse_displayed` reads.  Wall times without an offset (ISO 8601, EXIF or displayed)
    are all read by :func:`parse_displayed`, so they get one rule in ``zone``: daylight-saving
    folds and gaps become intervals, and a date alone is the interval of its day.

    Raises ``ValueError`` for anything else, naming the text, and for the relative forms when
    ``reference`` is not given.

    Examples
    --------
    >>> parse_time("1763620320").to_json()["utc"]
    '2025-11-20T06:32:00Z'
    >>> parse_time("Sun, 13 May 2018 12:32:22 +0800").to_json()["utc"]
    '2018-05-13T04:32:22Z'
    >>> parse_time("2026:11:20 14:32:05").to_json()["utc"]
    '2026-11-20T06:32:05Z'
    >>> cap = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)
    >>> parse_time("2 hours ago", reference=cap, zone="Europe/Berlin").to_json()["latest"]
    '2026-11-20T08:00:00Z'
    >>> parse_time("next tuesday")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: cannot read 'next tuesday' as a time: not Unix seconds (10 digits) or milliseconds...
    """
    if not isinstance(text, str):
        raise TypeError(f"a time is text, got {type(text).__name__}")
    raw = text.strip()
    if _DIGITS_RE.fullmatch(raw):
        if len(raw) not in (10, 13):
            raise ValueError(f"cannot read {text!r} as a time: {len(raw)} digits are neither Unix "
                             f"seconds (10 digits) nor milliseconds (13)")
        return from_unix(int(raw), source, original=text, milliseconds=len(raw) == 13)
    if raw[:2] in ("D:", "d:"):
        return replace(parse_pdf_date(raw, source, default_zone=zone), original=text)
    if _ISO_OFFSET_RE.fullmatch(raw):
        return replace(parse_iso8601(raw, source, default_zone=zone), original=text)
    if _RFC2822_RE.fullmatch(raw):
        return replace(parse_rfc2822(raw, source, default_zone=zone), original=text)
    m = _API_TIME_RE.fullmatch(raw)
    if m and m[1].lower() in _MONTHS:
        try:
            wall = datetime(int(m[8]), _MONTHS[m[1].lower()], int(m[2]), int(m[3]), int(m[4]),
                            int(m[5]))
        except ValueError as exc:
            raise ValueError(f"impossible date {text!r}: {exc}") from None
        return parse_wall(wall, text, source, Precision.SECOND, offset=f"{m[6]}:{m[7]}")
    m = _EXIF_FORM_RE.fullmatch(raw)
    if m:
        if not raw.strip("0: "):
            raise ValueError(f"{text!r} is EXIF's 'not set' value (all zeros), not a time")
        iso = f"{m[1]}-{m[2]}-{m[3]}{m[4] or ''}{m[5] or ''}"
        return replace(parse_displayed(iso, reference=reference, zone=zone, source=source),
                       original=text)
    try:
        return parse_displayed(text, reference=reference, zone=zone, source=source)
    except ValueError as exc:
        if "in no form this reader knows" not in str(exc):
            raise
    raise ValueError(f"cannot read {text!r} as a time: not Unix seconds (10 digits) or milliseconds "
                     f"(13), ISO 8601, RFC 2822, EXIF, PDF, nor a displayed form such as "
                     f"'2026年11月20日 14:32', '11-20 14:32', '3分钟前', 'yesterday 2:32 PM'") from None
