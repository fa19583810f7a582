"""The time type and the machine-format readers (displayed Chinese times: issue 5)."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.timestamps import (
    Precision,
    TimeValue,
    Zone,
    format_utc,
    from_quicktime,
    from_unix,
    parse_exif,
    parse_iso8601,
    parse_pdf_date,
    parse_rfc2822,
    parse_wall,
    zone_for,
)

T = datetime(2026, 11, 20, 6, 32, tzinfo=UTC)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="naive"):
        TimeValue(datetime(2026, 1, 1), T, "x", "s", Precision.SECOND, Zone.EXPLICIT)
    with pytest.raises(ValueError, match="before earliest"):
        TimeValue(T, T - timedelta(seconds=1), "x", "s", Precision.SECOND, Zone.EXPLICIT)


def test_values_are_normalised_to_utc():
    t = TimeValue(T.astimezone(timezone(timedelta(hours=8))), T, "x", "s", Precision.SECOND,
                  Zone.EXPLICIT)
    assert t.earliest.utcoffset() == timedelta(0) and t.utc == T


def test_exif_with_offset_subsec_and_assumed_zone():
    t = parse_exif("2021:04:11 15:47:53", "exif:DateTimeOriginal", offset="-05:00", subsec="12")
    assert format_utc(t.utc) == "2021-04-11T20:47:53.120000Z"
    assert (t.zone, t.zone_name, t.precision) == (Zone.EXPLICIT, "-05:00", Precision.MILLISECOND)
    a = parse_exif("2008:05:30 15:56:01", "exif:DateTimeOriginal")
    assert (a.zone, a.zone_name, format_utc(a.utc)) == (Zone.ASSUMED, "Asia/Shanghai",
                                                        "2008-05-30T07:56:01Z")


@pytest.mark.parametrize("text", ["0000:00:00 00:00:00", "", "    :  :     :  :  ", "\x00\x00"])
def test_exif_not_set_is_none(text):
    assert parse_exif(text, "exif:ModifyDate") is None


@pytest.mark.parametrize("text", ["2008:13:30 15:56:01", "2008:02:30 10:00:00", "yesterday"])
def test_exif_impossible_raises(text):
    with pytest.raises(ValueError):
        parse_exif(text, "exif:ModifyDate")


def test_unknown_zone_is_an_interval():
    v = parse_wall(datetime(2021, 4, 11, 12), "x", "s", Precision.SECOND, default_zone=None)
    assert v.zone is Zone.UNKNOWN and v.utc is None
    assert v.latest - v.earliest == timedelta(hours=26)


def test_iso8601_forms():
    assert parse_iso8601("2017-03-06T04:02:06Z", "warc:WARC-Date").zone_name == "+00:00"
    assert parse_iso8601("2017-03-06T12:02:06+0800", "x").utc == datetime(
        2017, 3, 6, 4, 2, 6, tzinfo=UTC)
    assert parse_iso8601("2017-03-06 12:02", "x").precision is Precision.MINUTE
    with pytest.raises(ValueError):
        parse_iso8601("06/03/2017", "x")


def test_rfc2822_minus_zero_is_utc_with_unknown_local_offset():
    t = parse_rfc2822("Tue, 5 Sep 2016 22:30:04 -0000", "mhtml:Date")
    assert t.utc == datetime(2016, 9, 5, 22, 30, 4, tzinfo=UTC)
    assert "local offset unknown" in t.zone_name
    assert parse_rfc2822("Mon, 22 Aug 2016 06:23:36 -0300", "email:Date").zone_name == "-03:00"
    with pytest.raises(ValueError):
        parse_rfc2822("not a date", "email:Date")


def test_pdf_dates():
    assert format_utc(parse_pdf_date("D:20000629102108+11'00'", "pdf:CreationDate").utc) == \
        "2000-06-28T23:21:08Z"
    t = parse_pdf_date("D:2022", "pdf:CreationDate")
    assert t.precision is Precision.YEAR and t.zone is Zone.ASSUMED


def test_unix_and_quicktime():
    assert format_utc(from_unix(1704067300000, "qq", milliseconds=True).utc) == \
        "2024-01-01T00:01:40Z"
    with pytest.raises(ValueError):
        from_unix(1e20, "x")
    assert from_quicktime(0, "quicktime:mvhd.CreateDate") is None
    local = from_quicktime(3501794363, "quicktime:mvhd.CreateDate", as_local="Asia/Bangkok")
    assert local.zone is Zone.ASSUMED and format_utc(local.utc) == "2014-12-18T17:39:23Z"


def test_zone_for():
    assert zone_for("UTC") is UTC
    with pytest.raises(ValueError):
        zone_for("Mars/Olympus")
    with pytest.raises(ValueError):
        zone_for("+15:00")


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_readers_raise_only_value_error(text):
    for reader in (parse_exif, parse_iso8601, parse_rfc2822, parse_pdf_date):
        with contextlib.suppress(ValueError):
            reader(text, "fuzz")


@settings(max_examples=200, deadline=None)
@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(2200, 1, 1)),
       st.integers(-12 * 60, 14 * 60))
def test_exif_round_trip(wall, minutes):
    sign = "-" if minutes < 0 else "+"
    off = f"{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"
    t = parse_exif(f"{wall:%Y:%m:%d %H:%M:%S}", "x", offset=off)
    expected = wall.replace(microsecond=0, tzinfo=timezone(timedelta(minutes=minutes)))
    assert t.utc == expected


def test_calendar_edges_raise_value_error():
    with pytest.raises(ValueError, match="ends of the calendar"):
        parse_wall(datetime(9999, 12, 31, 23), "x", "s", Precision.SECOND, offset="-05:00")
    with pytest.raises(ValueError, match="ends of the calendar"):
        parse_wall(datetime(1, 1, 1), "x", "s", Precision.SECOND, default_zone=None)


def test_named_zones_are_never_explicit():
    cst = parse_rfc2822("Mon, 17 Dec 2018 11:28:18 CST", "email:Date")
    assert cst.zone is Zone.ASSUMED and cst.zone_name == "CST read as Asia/Shanghai"
    assert format_utc(cst.utc) == "2018-12-17T03:28:18Z"
    us = parse_rfc2822("Mon, 17 Dec 2018 11:28:18 CST", "email:Date", default_zone="UTC")
    assert format_utc(us.utc) == "2018-12-17T17:28:18Z" and "ambiguous" in us.zone_name
    commented = parse_rfc2822("Mon, 17 Dec 2018 11:28:18 +0800 (CST)", "email:Date")
    assert commented.zone is Zone.EXPLICIT and commented.zone_name == "+08:00"
    assert parse_rfc2822("Mon, 17 Dec 2018 11:28:18 GMT", "http:Date").zone is Zone.EXPLICIT
