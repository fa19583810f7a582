"""Displayed times (issue 5, "Reading times"): parse_displayed, parse_time, needs_reference.

The known answers are worked by hand from the rules in forensics.timestamps (the reference
times are chosen so each row tests one rule); the property tests format arbitrary aware times in
every supported form and read them back.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.timestamps import (
    JUST_NOW,
    NO_YEAR_SLACK,
    Precision,
    Zone,
    format_utc,
    needs_reference,
    parse_displayed,
    parse_time,
    zone_for,
)

CST = timezone(timedelta(hours=8))
#: The capture time of most rows: Friday 2026-11-20 10:00 in Beijing (02:00Z).
R = datetime(2026, 11, 20, 10, 0, tzinfo=CST)
#: Just after midnight on New Year's Day in Beijing (2026-12-31T16:05Z).
Y = datetime(2027, 1, 1, 0, 5, tzinfo=CST)
SH, NY, BER = "Asia/Shanghai", "America/New_York", "Europe/Berlin"
M, S, H, D = Precision.MINUTE, Precision.SECOND, Precision.HOUR, Precision.DAY


def z(s: str) -> str:
    """``MM-DDTHH:MM:SS`` in 2026, or a full ``YYYY-MM-DDTHH:MM:SS``, as format_utc writes it."""
    return f"{s}Z" if s[4] == "-" else f"2026-{s}Z"


# (text, reference, zone, earliest, latest (None: the same instant), zone, precision)
KNOWN = [
    # -- dates with a year (read without the reference) --
    ("2026年11月20日 14:32", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026-11-20 14:32:05", None, SH, "11-20T06:32:05", None, "assumed", S),
    ("2026/11/20 下午2:32", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026年11月20日下午2:32", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026.11.20", None, SH, "11-19T16:00:00", "11-20T16:00:00", "assumed", D),
    ("2026年11月20日", None, SH, "11-19T16:00:00", "11-20T16:00:00", "assumed", D),
    ("２０２６年１１月２０日　１４：３２", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("２０２６－１１－２０ １４：３２", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026/1/2 4:32", None, SH, "01-01T20:32:00", None, "assumed", M),
    ("2026-11-20T14:32:00+08:00", None, SH, "11-20T06:32:00", None, "explicit", S),
    ("2026-11-20 14:32 UTC+8", None, SH, "11-20T06:32:00", None, "explicit", M),
    ("2026-11-20 06:32Z", None, NY, "11-20T06:32:00", None, "explicit", M),
    ("2026年11月20日 14时32分", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026年11月20日 星期五 14:32", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026-11-20 14:32:05.250", None, SH, "11-20T06:32:05.250000", None, "assumed",
     Precision.MILLISECOND),
    ("2026-11-20 14:32:05 来自微博 weibo.com", None, SH, "11-20T06:32:05", None, "assumed", S),
    # -- no year: the capture year, or the year before (more than NO_YEAR_SLACK after) --
    ("11-20 09:32", R, SH, "11-20T01:32:00", None, "assumed", M),
    ("11月20日 09:32", R, SH, "11-20T01:32:00", None, "assumed", M),
    ("12-31 23:50", Y, SH, "12-31T15:50:00", None, "assumed", M),
    ("01-01 00:04", Y, SH, "12-31T16:04:00", None, "assumed", M),
    ("12-31", Y, SH, "12-30T16:00:00", "12-31T16:00:00", "assumed", D),
    ("01-01", Y, SH, "12-31T16:00:00", "12-31T16:05:00", "assumed", D),  # cut at the capture
    ("11-22 14:32", R, SH, "2025-11-22T06:32:00", None, "assumed", M),  # 52 h after: 2025
    ("11-21 08:00", R, SH, "11-21T00:00:00", None, "assumed", M),  # 22 h after: kept in 2026
    ("02-29 12:00", datetime(2029, 1, 10, 12, tzinfo=CST), SH, "2028-02-29T04:00:00", None,
     "assumed", M),
    ("Nov 20", R, SH, "11-19T16:00:00", "11-20T02:00:00", "assumed", D),
    ("20 Nov", R, SH, "11-19T16:00:00", "11-20T02:00:00", "assumed", D),
    ("Dec 31 11:50 PM", Y, SH, "12-31T15:50:00", None, "assumed", M),
    ("11月20日 周五", R, SH, "11-19T16:00:00", "11-20T02:00:00", "assumed", D),
    # -- today / yesterday / the day before --
    ("今天 09:15", R, SH, "11-20T01:15:00", None, "assumed", M),
    ("昨天 14:02", R, SH, "11-19T06:02:00", None, "assumed", M),
    ("前天 08:00", R, SH, "11-18T00:00:00", None, "assumed", M),
    ("前天08:00", R, SH, "11-18T00:00:00", None, "assumed", M),
    ("昨天", R, SH, "11-18T16:00:00", "11-19T16:00:00", "assumed", D),
    ("今天", R, SH, "11-19T16:00:00", "11-20T02:00:00", "assumed", D),
    ("yesterday 2:32 PM", R, SH, "11-19T06:32:00", None, "assumed", M),
    ("Yesterday at 9:05 am", R, SH, "11-19T01:05:00", None, "assumed", M),
    ("today 09:15", R, SH, "11-20T01:15:00", None, "assumed", M),
    ("昨天 23:59", Y, SH, "12-31T15:59:00", None, "assumed", M),
    # -- ages: [reference - (N+1) units, reference - N units] --
    ("刚刚", R, SH, "11-20T01:59:00", "11-20T02:00:00", "assumed", M),
    ("just now", R, SH, "11-20T01:59:00", "11-20T02:00:00", "assumed", M),
    ("3分钟前", R, SH, "11-20T01:56:00", "11-20T01:57:00", "assumed", M),
    ("３分钟前", R, SH, "11-20T01:56:00", "11-20T01:57:00", "assumed", M),
    ("10秒前", R, SH, "11-20T01:59:49", "11-20T01:59:50", "assumed", S),
    ("2小时前", R, SH, "11-19T23:00:00", "11-20T00:00:00", "assumed", H),
    ("3天前", R, SH, "11-16T02:00:00", "11-17T02:00:00", "assumed", D),
    ("3 min ago", R, SH, "11-20T01:56:00", "11-20T01:57:00", "assumed", M),
    ("5 minutes ago", R, SH, "11-20T01:54:00", "11-20T01:55:00", "assumed", M),
    ("2 hours ago", R, SH, "11-19T23:00:00", "11-20T00:00:00", "assumed", H),
    ("an hour ago", R, SH, "11-20T00:00:00", "11-20T01:00:00", "assumed", H),
    ("1 day ago", R, SH, "11-18T02:00:00", "11-19T02:00:00", "assumed", D),
    ("0分钟前", R, SH, "11-20T01:59:00", "11-20T02:00:00", "assumed", M),
    ("3 天前发布", R, SH, "11-16T02:00:00", "11-17T02:00:00", "assumed", D),  # Bilibili
    ("发布于 3分钟前 来自 iPhone 14 Pro", R, SH, "11-20T01:56:00", "11-20T01:57:00", "assumed", M),
    ("3分钟前 · IP属地：北京", R, SH, "11-20T01:56:00", "11-20T01:57:00", "assumed", M),
    ("2 hours ago", R, None, "11-19T23:00:00", "11-20T00:00:00", "unknown", H),
    # -- Chinese day periods and AM/PM --
    ("2026年11月20日 下午12:30", None, SH, "11-20T04:30:00", None, "assumed", M),
    ("2026年11月20日 凌晨0:30", None, SH, "11-19T16:30:00", None, "assumed", M),
    ("2026年11月20日 凌晨12:30", None, SH, "11-19T16:30:00", None, "assumed", M),
    ("2026年11月20日 上午12:30", None, SH, "11-19T16:30:00", None, "assumed", M),
    ("2026年11月20日 中午12:30", None, SH, "11-20T04:30:00", None, "assumed", M),
    ("2026年11月20日 晚上12点", None, SH, "11-20T16:00:00", None, "assumed", H),  # ends the day
    ("2026年11月20日 晚上8点半", None, SH, "11-20T12:30:00", None, "assumed", M),
    ("2026年11月20日 早上7:05", None, SH, "11-19T23:05:00", None, "assumed", M),
    ("2026年11月20日 傍晚6点", None, SH, "11-20T10:00:00", None, "assumed", H),
    ("2026年11月20日 下午2点", None, SH, "11-20T06:00:00", None, "assumed", H),
    ("2026/11/20 下午14:32", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026年11月20日 中午1点", None, SH, "11-20T05:00:00", None, "assumed", H),
    ("2026年11月20日 午夜12:00", None, SH, "11-19T16:00:00", None, "assumed", M),
    ("下午2:32", R, SH, "11-20T06:32:00", None, "assumed", M),  # a time alone: the capture day
    ("14:32", R, SH, "11-20T06:32:00", None, "assumed", M),
    # -- English dates --
    ("Nov 20, 2026", None, SH, "11-19T16:00:00", "11-20T16:00:00", "assumed", D),
    ("20 Nov 2026 14:32", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("November 20, 2026 at 2:32 PM", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2:32 PM · Nov 20, 2026", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("Fri, Nov 20, 2026 12:00 AM", None, SH, "11-19T16:00:00", None, "assumed", M),
    ("Nov 20, 2026 12:30 PM", None, SH, "11-20T04:30:00", None, "assumed", M),
    # -- weekdays: the nearest such day 1 to 7 days before (R is a Friday) --
    ("星期三 14:02", R, SH, "11-18T06:02:00", None, "assumed", M),
    ("周五 08:00", R, SH, "11-13T00:00:00", None, "assumed", M),
    ("Wednesday 2:32 PM", R, SH, "11-18T06:32:00", None, "assumed", M),
    ("周日", R, SH, "11-14T16:00:00", "11-15T16:00:00", "assumed", D),
    # -- zones with daylight saving time: folds and gaps are intervals over both readings --
    ("Nov 1, 2026 1:30 AM", None, NY, "11-01T05:30:00", "11-01T06:30:00", "assumed", M),
    ("Mar 8, 2026 2:30 AM", None, NY, "03-08T06:30:00", "03-08T07:30:00", "assumed", M),
    ("Nov 1, 2026", None, NY, "11-01T04:00:00", "11-02T05:00:00", "assumed", D),  # 25 hours
    ("Mar 8, 2026", None, NY, "03-08T05:00:00", "03-09T04:00:00", "assumed", D),  # 23 hours
    ("25 Oct 2026 02:30", None, BER, "10-25T00:30:00", "10-25T01:30:00", "assumed", M),
    ("29 Mar 2026 02:30", None, BER, "03-29T00:30:00", "03-29T01:30:00", "assumed", M),
    ("29 Mar 2026 03:30", None, BER, "03-29T01:30:00", None, "assumed", M),
    ("2026-07-01 12:00", None, BER, "07-01T10:00:00", None, "assumed", M),
    ("yesterday 1:30 AM", datetime(2026, 11, 2, 17, tzinfo=UTC), NY, "11-01T05:30:00",
     "11-01T06:30:00", "assumed", M),
    ("3 hours ago", datetime(2026, 11, 1, 7, 30, tzinfo=UTC), NY, "11-01T03:30:00",
     "11-01T04:30:00", "assumed", H),
    ("Nov 20 2:32 PM", datetime(2026, 11, 21, tzinfo=UTC), NY, "11-20T19:32:00", None,
     "assumed", M),
    ("yesterday", datetime(2026, 3, 30, 10, tzinfo=UTC), BER, "03-28T23:00:00",
     "03-29T22:00:00", "assumed", D),
    ("Dec 31 11:50 PM", datetime(2027, 1, 1, 5, 10, tzinfo=UTC), NY, "2027-01-01T04:50:00", None,
     "assumed", M),
    # -- other zones, and none --
    ("2026-11-20 14:32", None, "+05:30", "11-20T09:02:00", None, "assumed", M),
    ("2026-11-20 14:32", None, "UTC", "11-20T14:32:00", None, "assumed", M),
    ("2026-11-20 14:32", None, None, "11-20T00:32:00", "11-21T02:32:00", "unknown", M),
]


def test_the_table_is_large_enough():
    assert len(KNOWN) >= 60


@pytest.mark.parametrize(("text", "ref", "zone", "earliest", "latest", "kind", "precision"), KNOWN)
def test_known_answers(text, ref, zone, earliest, latest, kind, precision):
    t = parse_displayed(text, reference=ref, zone=zone)
    assert (format_utc(t.earliest), format_utc(t.latest)) == (z(earliest), z(latest or earliest))
    assert (t.zone.value, t.precision) == (kind, precision)
    assert t.zone_name == {"assumed": zone, "unknown": ""}.get(kind, t.zone_name)
    assert (t.original, t.source) == (text, "page:displayed")
    assert (t.utc is None) == (latest is not None)
    assert needs_reference(text) == (ref is not None)  # the table gives a reference only then


def test_explicit_offsets_are_named():
    assert parse_displayed("2026-11-20 14:32 UTC+8", reference=None).zone_name == "+08:00"
    assert parse_displayed("2026-11-20T06:32:00Z", reference=None).zone_name == "+00:00"
    assert parse_displayed("2026-11-20 14:32 -0530", reference=None).zone_name == "-05:30"


def test_edited_is_kept_apart_from_published():
    t = parse_displayed("编辑于 昨天 14:02 广东", reference=R)
    assert (t.source, t.original, format_utc(t.utc)) == (
        "page:displayed(edited)", "编辑于 昨天 14:02 广东", "2026-11-19T06:02:00Z")
    p = parse_displayed("发布于 昨天 14:02", reference=R, source="xhs:note.time")
    assert (p.source, p.utc) == ("xhs:note.time", t.utc)
    assert parse_displayed("Edited Nov 20, 2026", reference=None).source == "page:displayed(edited)"


@pytest.mark.parametrize("text", ["昨天 14:02 广东", "昨天 14:02 · 广东省", "昨天 14:02广东",
                                  "昨天 14:02 IP属地:广东", "昨天 14:02 来自 iPhone客户端",
                                  "Posted yesterday 2:02 PM via Twitter for iPhone"])
def test_noise_around_the_time_is_dropped(text):
    assert format_utc(parse_displayed(text, reference=R).utc) == "2026-11-19T06:02:00Z"


def test_the_rules_follow_their_constants():
    t = parse_displayed("刚刚", reference=R)
    assert t.latest - t.earliest == JUST_NOW and t.latest == R
    edge = R + NO_YEAR_SLACK  # 2026-11-21 10:00 in Beijing
    assert parse_displayed(f"{edge:%m-%d %H:%M}", reference=R).utc == edge
    later = edge + timedelta(minutes=1)
    assert parse_displayed(f"{later:%m-%d %H:%M}", reference=R).utc == later.replace(year=2025)


# -- refusals ------------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ref", "message"), [
    ("", R, "no time given"),
    ("   ", R, "no time given"),
    ("下午两点", R, "'下午两点' is in no form this reader knows"),
    ("2026-11-20 14", R, "is in no form this reader knows"),
    ("2026-02-30 10:00", None, "impossible date '2026-02-30 10:00'"),
    ("13-01 10:00", R, "impossible date '13-01 10:00'"),
    ("02-30", R, "impossible date '02-30'"),
    ("02-29", datetime(2027, 6, 1, tzinfo=CST), "2026 has no 02-29"),
    ("Feb 30, 2026", None, "impossible date 'Feb 30, 2026'"),
    ("25:00", R, "impossible time '25:00': hour 25"),
    ("2026-11-20 14:60", None, "impossible time '2026-11-20 14:60'"),
    ("2026年11月20日 上午14:32", None, "14 o'clock is not in 上午"),
    ("2026年11月20日 晚上3点", None, "3 o'clock is not in 晚上"),
    ("2026-11-20 13:00 pm", None, "hour 13 with pm"),
    ("2026年11月20日 星期三", None, "2026-11-20 is a Friday, not 星期三"),
    ("0001-01-01 00:00", None, "out of range"),
    ("999999999天前", R, "out of range"),
    ("2026-11-20 14:32 +15:00", None, "outside -12:00..+14:00"),
])
def test_refusals_name_the_text(text, ref, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("+", r"\+")):
        parse_displayed(text, reference=ref)


@pytest.mark.parametrize("text", ["3分钟前", "昨天 14:02", "11-20", "刚刚", "14:32", "周三",
                                  "Nov 20", "2 hours ago", "just now"])
def test_relative_forms_need_the_capture_time(text):
    assert needs_reference(text)
    with pytest.raises(ValueError, match="needs the capture time"):
        parse_displayed(text, reference=None)
    with pytest.raises(ValueError, match="needs the capture time"):
        parse_time(text)


def test_reference_must_be_aware_and_zone_known():
    with pytest.raises(ValueError, match="naive"):
        parse_displayed("3分钟前", reference=datetime(2026, 11, 20, 10, 0))
    with pytest.raises(ValueError, match="naive"):  # even where the form does not need it
        parse_displayed("2026-11-20 14:32", reference=datetime(2026, 11, 20, 10, 0))
    with pytest.raises(ValueError, match="unknown time zone 'Mars/Olympus'"):
        parse_displayed("2026-11-20 14:32", reference=None, zone="Mars/Olympus")
    with pytest.raises(TypeError):
        parse_displayed(1763620320, reference=None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="is in no form"):
        needs_reference("soon")


# -- parse_time ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "ref", "zone", "earliest", "latest", "kind", "precision"), [
    ("1763620320", None, SH, "2025-11-20T06:32:00", None, "explicit", S),
    ("1763620320123", None, SH, "2025-11-20T06:32:00.123000", None, "explicit",
     Precision.MILLISECOND),
    ("2026-11-20T14:32:00+08:00", None, NY, "11-20T06:32:00", None, "explicit", S),
    ("2026-11-20T14:32:00", None, SH, "11-20T06:32:00", None, "assumed", S),
    ("2026-11-20", None, SH, "11-19T16:00:00", "11-20T16:00:00", "assumed", D),
    ("2026-11-01T01:30:00", None, NY, "11-01T05:30:00", "11-01T06:30:00", "assumed", S),
    ("Sun, 13 May 2018 12:32:22 +0800", None, SH, "2018-05-13T04:32:22", None, "explicit", S),
    ("Mon, 17 Dec 2018 11:28:18 GMT", None, SH, "2018-12-17T11:28:18", None, "explicit", S),
    ("Tue Feb 23 12:28:47 +0800 2021", None, SH, "2021-02-23T04:28:47", None, "explicit", S),
    ("2026:11:20 14:32:05", None, SH, "11-20T06:32:05", None, "assumed", S),
    ("2026:11:20 14:32:05+08:00", None, NY, "11-20T06:32:05", None, "explicit", S),
    ("D:20050718143045-04'00'", None, SH, "2005-07-18T18:30:45", None, "explicit", S),
    ("3分钟前", R, SH, "11-20T01:56:00", "11-20T01:57:00", "assumed", M),
    ("yesterday 2:32 PM", R, SH, "11-19T06:32:00", None, "assumed", M),
    ("20 Nov 2026 14:32", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("20 Nov 2026 2:32 PM", None, SH, "11-20T06:32:00", None, "assumed", M),  # PM: not a zone
    ("20 Nov 2026 14:32 CST", None, SH, "11-20T06:32:00", None, "assumed", M),
    ("2026-11-20t14:32:00z", None, SH, "11-20T14:32:00", None, "explicit", S),
])
def test_parse_time(text, ref, zone, earliest, latest, kind, precision):
    t = parse_time(f" {text} ", reference=ref, zone=zone, source="cli:parse-time")
    assert (format_utc(t.earliest), format_utc(t.latest)) == (z(earliest), z(latest or earliest))
    assert (t.zone.value, t.precision, t.original, t.source) == (
        kind, precision, f" {text} ", "cli:parse-time")


def test_parse_time_json_is_what_the_cli_prints():
    j = parse_time("3分钟前", reference=R).to_json()
    assert {k: j[k] for k in ("utc", "earliest", "latest", "zone", "source")} == {
        "utc": None, "earliest": "2026-11-20T01:56:00Z", "latest": "2026-11-20T01:57:00Z",
        "zone": "assumed", "source": "text"}


@pytest.mark.parametrize(("text", "message"), [
    ("next tuesday", "cannot read 'next tuesday' as a time"),
    ("12345", "5 digits are neither Unix seconds"),
    ("0000:00:00 00:00:00", "EXIF's 'not set' value"),
    ("", "no time given"),
    ("2026-02-30T10:00:00+08:00", "impossible date"),
    ("Tue Feb 30 12:28:47 +0800 2021", "impossible date"),
])
def test_parse_time_refusals(text, message):
    with pytest.raises(ValueError, match=message):
        parse_time(text, reference=R)


# -- properties ----------------------------------------------------------------------------------
ZONES = ["Asia/Shanghai", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe", "+05:30",
         "UTC"]
MON = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FULL = str.maketrans("0123456789:-", "０１２３４５６７８９：－")
instants = st.datetimes(min_value=datetime(1971, 1, 1), max_value=datetime(2099, 12, 31),
                        timezones=st.just(UTC))


def _cn_clock(h: int, mi: int, choice: int) -> str:
    """A Chinese 12-hour clock for hour h, one of the ways phones and people write it."""
    ways = {0: ["凌晨0", "凌晨12", "上午12", "午夜12"], 12: ["中午12", "下午12"]}.get(h) or (
        [f"凌晨{h}", f"上午{h}"] if h < 6 else [f"早上{h}", f"上午{h}"] if h < 12
        else [f"下午{h - 12}", f"下午{h}"] if h < 18 else [f"晚上{h - 12}", f"下午{h - 12}"])
    return f"{ways[choice % len(ways)]}:{mi:02d}"


def _en_clock(h: int, mi: int) -> str:
    return f"{(h % 12) or 12}:{mi:02d} {'AM' if h < 12 else 'PM'}"


ABSOLUTE = [  # (format of the local wall time, precision)
    (lambda w, c: f"{w.year}年{w.month}月{w.day}日 {w:%H:%M}", M),
    (lambda w, c: f"{w:%Y-%m-%d %H:%M:%S}", S),
    (lambda w, c: f"{w:%Y/%m/%d} {_cn_clock(w.hour, w.minute, c)}", M),
    (lambda w, c: f"{w.year}年{w.month}月{w.day}日{_cn_clock(w.hour, w.minute, c)}", M),
    (lambda w, c: f"{w:%Y年%m月%d日 %H:%M}".translate(FULL), M),
    (lambda w, c: f"{MON[w.month - 1]} {w.day}, {w.year} {_en_clock(w.hour, w.minute)}", M),
    (lambda w, c: f"{w.day} {MON[w.month - 1]} {w.year} {w:%H:%M}", M),
    (lambda w, c: f"{_en_clock(w.hour, w.minute)} · {MON[w.month - 1]} {w.day}, {w.year}", M),
    (lambda w, c: f"{w:%Y年%m月%d日}", D),
    (lambda w, c: f"{MON[w.month - 1]} {w.day}, {w.year}", D),
]
NO_YEAR = [
    (lambda w, c: f"{w:%m-%d %H:%M}", M),
    (lambda w, c: f"{w.month}月{w.day}日 {_cn_clock(w.hour, w.minute, c)}", M),
    (lambda w, c: f"{MON[w.month - 1]} {w.day} {_en_clock(w.hour, w.minute)}", M),
    (lambda w, c: f"{w:%m-%d}", D),
]


def _truncate(x: datetime, zone: str, precision: Precision) -> tuple[datetime, bool]:
    """(the instant cut to the precision, whether its wall time is ambiguous in the zone)."""
    tz = zone_for(zone)
    local = x.astimezone(tz)
    cut = local.replace(second=0, microsecond=0) if precision is M else \
        local.replace(microsecond=0) if precision is S else local
    wall = cut.replace(tzinfo=None)
    ambiguous = (wall.replace(tzinfo=tz, fold=0).utcoffset()
                 != wall.replace(tzinfo=tz, fold=1).utcoffset())
    return cut.astimezone(UTC), ambiguous


def _reads_back(text: str, x: datetime, zone: str, precision: Precision, ref: datetime | None):
    cut, ambiguous = _truncate(x, zone, precision)
    t = parse_displayed(text, reference=ref, zone=zone)
    assert t.precision is precision, text
    assert t.earliest <= cut <= t.latest, (text, zone, x)
    if precision is D:
        assert t.earliest <= x and (x < t.latest or (ref is not None and t.latest == ref))
    elif not ambiguous:
        assert t.earliest == t.latest == cut, (text, zone, x)


@given(instants, st.sampled_from(ZONES), st.integers(0, 3))
@settings(max_examples=200, deadline=None)
def test_absolute_forms_read_back(x, zone, choice):
    local = x.astimezone(zone_for(zone))
    for form, precision in ABSOLUTE:
        _reads_back(form(local, choice), x, zone, precision, None)
    iso = parse_displayed(f"{local:%Y-%m-%dT%H:%M:%S%z}", reference=None, zone="UTC")
    assert iso.zone is Zone.EXPLICIT and iso.utc == x.replace(microsecond=0)


@given(instants, st.sampled_from(ZONES), st.integers(0, 3),
       st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=360)))
@settings(max_examples=200, deadline=None)
def test_forms_without_a_year_read_back(x, zone, choice, age):
    local = x.astimezone(zone_for(zone))
    for form, precision in NO_YEAR:
        _reads_back(form(local, choice), x, zone, precision, x + age)


UNITS = [("秒前", 1), ("分钟前", 60), ("小时前", 3600), ("天前", 86400), (" sec ago", 1),
         (" minutes ago", 60), (" hours ago", 3600), (" days ago", 86400)]


@given(instants, st.sampled_from(ZONES), st.sampled_from(UNITS),
       st.integers(0, 400 * 86400 - 1))
@settings(max_examples=300, deadline=None)
def test_ages_contain_the_true_time_and_end_before_the_capture(ref, zone, unit, elapsed):
    word, seconds = unit
    text = f"{elapsed // seconds}{word}"
    t = parse_displayed(text, reference=ref.astimezone(zone_for(zone)), zone=zone)
    assert t.earliest <= ref - timedelta(seconds=elapsed) <= t.latest <= ref
    assert t.latest - t.earliest == timedelta(seconds=seconds)


RELATIVE = ["刚刚", "just now", "昨天", "前天", "今天", "yesterday", "周一", "星期三", "周日",
            "Saturday", "11-20", "Jan 1", "12-31"]


@given(instants, st.sampled_from(ZONES), st.sampled_from(RELATIVE),
       st.integers(0, 23), st.integers(0, 59), st.booleans())
@settings(max_examples=300, deadline=None)
def test_relative_forms_end_at_or_before_the_capture(ref, zone, text, h, mi, with_clock):
    if with_clock and text not in ("刚刚", "just now", "今天"):
        text = f"{text} {h:02d}:{mi:02d}"
    t = parse_displayed(text, reference=ref, zone=zone)
    assert t.earliest <= t.latest
    if not text[0].isdigit() and not text.startswith("Jan"):
        assert t.latest <= ref, (text, ref)
    else:  # a date or a time of day in the capture day: at most NO_YEAR_SLACK after
        assert t.earliest <= ref + NO_YEAR_SLACK


@given(st.text(max_size=40), st.booleans())
@settings(max_examples=200, deadline=None)
def test_arbitrary_text_raises_only_value_error(text, with_reference):
    with contextlib.suppress(ValueError):
        parse_displayed(text, reference=R if with_reference else None)
    with contextlib.suppress(ValueError):
        parse_time(text, reference=R if with_reference else None)


@given(st.sampled_from(["刚刚", "3分钟前", "昨天 14:02", "11-20 14:32", "2026年11月20日 14:32",
                        "Nov 20", "周三 9:00", "2 hours ago"]),
       st.sampled_from(["", "发布于 ", "发表于 ", "Posted "]),
       st.sampled_from(["", " 来自 iPhone 15", " · IP属地：广东", " 北京", " via Weibo.intl"]))
@settings(max_examples=100, deadline=None)
def test_noise_never_changes_the_reading(core, before, after):
    plain = parse_displayed(core, reference=R)
    noisy = parse_displayed(f"{before}{core}{after}", reference=R)
    assert (noisy.earliest, noisy.latest, noisy.precision) == (
        plain.earliest, plain.latest, plain.precision)
