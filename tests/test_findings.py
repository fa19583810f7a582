"""Cross-checks as findings: every kind on a tiny hand-built frame, the report, and a real case.

The frames are built here, row by row, in the shape of ``case.events()`` (plus the custody and
intake rows of ``intake_events``); times are ISO 8601 UTC strings as the events frame holds them.
"""

from __future__ import annotations

import json
import struct
import zlib
from datetime import timedelta

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.findings import (
    DEFAULT_TOLERANCE,
    KINDS,
    Finding,
    FindingsReport,
    Severity,
    apply_clock_offset,
    capture_before_publication,
    chat_out_of_order,
    date_far_from_first_hop,
    device_clock_offset,
    editing_software,
    exif_offset_mismatch,
    find,
    findings_from_frames,
    intake_events,
    received_hops_out_of_order,
    time_after_acquisition,
    times_disagree,
    warc_date_http_date_skew,
)
from forensics.intake import IntakeFacts

SHANGHAI = ("assumed", "Asia/Shanghai")


def ev(eid: str, source: str, when: str, until: str | None = None, *, original: str = "",
       zone: tuple[str, str] = ("explicit", "UTC"), description: str = "", location: str = "",
       data_type: str = "", text: str = "", chat: str | None = None) -> dict:
    """One row of an events frame (``until``: the latest bound of an interval)."""
    row = {"evidence_id": eid, "time_source": source, "description": description,
           "location": location, "data_type": data_type,
           "utc": None if until else when, "earliest": when, "latest": until or when,
           "original": original or when, "zone": zone[0], "zone_name": zone[1], "text": text}
    if chat is not None:
        row["chat"] = chat
    return row


def frame(*rows: dict) -> pd.DataFrame:
    return pd.DataFrame(list(rows))


def artifacts(**metadata: dict) -> pd.DataFrame:
    return pd.DataFrame([{"evidence_id": eid, "flags": "", "metadata": json.dumps(m)}
                         for eid, m in metadata.items()])


def kinds(findings) -> list[tuple[str, str, tuple[str, ...]]]:
    return [(f.kind, f.severity.value, f.evidence_ids) for f in findings]


# --- capture before publication ----------------------------------------------------------------


def test_capture_before_publication_names_both_times_and_the_assumed_zone():
    df = frame(ev("E0001", "intake:captured_at", "2026-11-20T06:00:00Z",
                  original="2026-11-20T14:00:00+08:00", zone=("explicit", "+08:00")),
               ev("E0001", "intake:displayed_time", "2026-11-20T06:32:00Z",
                  original="2026年11月20日 14:32", zone=SHANGHAI))
    f, = capture_before_publication(df)
    assert (f.kind, f.severity, f.evidence_ids) == ("capture-before-publication", "high", ("E0001",))
    assert f.delta_seconds == 32 * 60
    assert f.sources == ("intake:captured_at", "intake:displayed_time")
    labels = dict(f.values)
    assert labels["capture: intake:captured_at @ E0001"].startswith("2026-11-20T06:00:00Z")
    assert "2026年11月20日 14:32" in labels["publication: intake:displayed_time @ E0001"]
    assert labels["difference"] == "32 min" and labels["tolerance"] == "2 min"
    assert f.explanation_zh.startswith("E0001：截取时间")
    assert "assumed Asia/Shanghai" in f.explanation_en
    assert "\n" not in f.explanation_zh + f.explanation_en


def test_capture_within_tolerance_or_a_larger_one_is_no_finding():
    df = frame(ev("E0001", "intake:captured_at", "2026-11-20T06:00:00Z"),
               ev("E0001", "intake:displayed_time", "2026-11-20T06:01:59Z"))
    assert capture_before_publication(df) == []
    df = frame(ev("E0001", "intake:captured_at", "2026-11-20T06:00:00Z"),
               ev("E0001", "Page", "2026-11-20T06:30:00Z", description="Page Published"))
    assert len(capture_before_publication(df)) == 1
    assert capture_before_publication(df, tolerance=timedelta(hours=1)) == []
    assert capture_before_publication(df, tolerance=3600) == []


def test_capture_compared_with_an_interval_as_an_interval():
    # "3分钟前" shown on a page whose capture is stated as 10:00: [09:56, 09:57] is before it.
    shown = ev("E0002", "intake:displayed_time(displayed)", "2026-11-20T01:56:00Z",
               "2026-11-20T01:57:00Z", zone=SHANGHAI)
    ok = frame(ev("E0002", "intake:captured_at", "2026-11-20T02:00:00Z"), shown)
    assert capture_before_publication(ok) == []
    # a day-precision publication ("2026-11-20") overlapping the capture: no finding
    day = ev("E0002", "x", "2026-11-19T16:00:00Z", "2026-11-20T15:59:59Z", description="Posted")
    assert capture_before_publication(frame(ev("E0002", "intake:captured_at",
                                               "2026-11-20T02:00:00Z"), day)) == []
    # an interval wholly after the capture (beyond the tolerance): a finding, measured from its
    # earliest bound
    late = ev("E0002", "x", "2026-11-20T02:10:00Z", "2026-11-20T02:11:00Z", description="Posted")
    f, = capture_before_publication(frame(ev("E0002", "intake:captured_at",
                                             "2026-11-20T02:00:00Z"), late))
    assert f.delta_seconds == 600
    assert "[2026-11-20T02:10:00Z, 2026-11-20T02:11:00Z]" in f.explanation_en


def test_capture_sources_screenshots_cameras_and_warc_records():
    pub = ev("E0003", "intake:displayed_time", "2026-11-20T07:00:00Z")
    exif = ev("E0003", "exif:DateTimeOriginal", "2026-11-20T06:00:00Z")
    camera = ev("E0003", "file:name", "2026-11-20T06:00:00Z",
                text="IMG_YYYYMMDD_HHMMSS (Android camera, WeChat)")
    # a photo's own EXIF time and camera file name may well predate its publication
    assert capture_before_publication(frame(pub, exif, camera)) == []
    # ... but not a screenshot's (the intake method says so)
    shot = ev("E0003", "intake:captured_at", "2026-11-20T08:00:00Z", text="手机截图")
    found = capture_before_publication(frame(pub, exif, camera, shot))
    assert sorted(f.sources[0] for f in found) == ["exif:DateTimeOriginal", "file:name"]
    # a screenshot named by its tool
    named = ev("E0003", "file:name", "2026-11-20T06:00:00Z", text="Android screenshot")
    assert len(capture_before_publication(frame(pub, named))) == 1
    # iOS writes UserComment "Screenshot"
    art = artifacts(E0003={"EXIF:UserComment": "Screenshot"})
    assert len(capture_before_publication(frame(pub, exif), art)) == 1
    # a WARC record is compared only with the page it holds
    warc = ev("E0004", "warc:WARC-Date", "2026-11-20T06:00:00Z", location="record 2 at byte 400")
    other = ev("E0004", "html:meta[article:published_time]", "2026-11-20T07:00:00Z",
               description="Page Published", location="record 5 at byte 9000")
    same = ev("E0004", "html:meta[article:published_time]", "2026-11-20T07:00:00Z",
              description="Page Published", location="record 2 at byte 400")
    assert capture_before_publication(frame(warc, other)) == []
    assert len(capture_before_publication(frame(warc, same))) == 1


def test_capture_before_many_publications_is_one_finding_with_the_worst():
    rows = [ev("E0005", "intake:captured_at", "2026-11-20T06:00:00Z")]
    rows += [ev("E0005", "repost:time", f"2026-11-20T0{h}:00:00Z", description="Reposted",
                location=f"row {h}") for h in (7, 9, 8)]
    f, = capture_before_publication(frame(*rows))
    assert f.delta_seconds == 3 * 3600
    assert dict(f.values)["publication times after the capture"] == "3"
    assert "row 9" in f.values[1][0]


def test_a_gap_of_whole_hours_with_an_assumed_zone_is_one_step_lower():
    df = frame(ev("E0006", "intake:captured_at", "2026-11-20T06:00:00Z"),
               ev("E0006", "intake:displayed_time", "2026-11-20T14:00:30Z", zone=SHANGHAI))
    f, = capture_before_publication(df)
    assert f.severity == Severity.MEDIUM
    assert "assumed zone may be wrong" in f.explanation_en
    assert "可能只是推定的时区不对" in f.explanation_zh


# --- time after acquisition ---------------------------------------------------------------------


def acquired(eid: str, when: str) -> dict:
    return ev(eid, "custody:acquire", when, description="Acquired into case",
              location="custody entry 2", data_type="custody:acquire")


def test_time_after_acquisition():
    df = frame(acquired("E0001", "2026-11-20T06:00:00Z"),
               ev("E0001", "exif:ModifyDate", "2026-11-22T06:00:00Z"),
               ev("E0001", "exif:DateTimeOriginal", "2026-11-21T06:00:00Z"),
               ev("E0001", "exif:CreateDate", "2026-11-20T06:01:00Z"),  # within tolerance
               acquired("E0002", "2026-11-20T06:00:00Z"),
               ev("E0002", "chat:time", "2026-11-20T06:30:00Z", zone=SHANGHAI),
               ev("E0003", "chat:time", "2030-01-01T00:00:00Z"))  # no acquisition row: unchecked
    found = time_after_acquisition(df)
    assert kinds(found) == [("time-after-acquisition", "high", ("E0001",)),
                            ("time-after-acquisition", "medium", ("E0002",))]
    f = found[0]
    assert f.delta_seconds == 2 * 86400
    assert f.sources == ("exif:ModifyDate", "custody:acquire")
    assert dict(f.values)["times after acquisition"] == "2 (exif:DateTimeOriginal, exif:ModifyDate)"
    assert "custody log" in f.explanation_en and "保管日志" in f.explanation_zh


def test_an_interval_reaching_past_acquisition_is_not_in_the_future():
    df = frame(acquired("E0001", "2026-11-20T06:00:00Z"),
               ev("E0001", "chat:time", "2026-11-19T16:00:00Z", "2026-11-20T15:59:59Z"))
    assert time_after_acquisition(df) == []


# --- times disagree -----------------------------------------------------------------------------


def test_exif_and_file_name_disagree():
    df = frame(ev("E0001", "exif:DateTimeOriginal", "2026-11-20T06:00:00Z", zone=SHANGHAI,
                  original="2026:11:20 14:00:00"),
               ev("E0001", "file:name", "2026-11-20T06:10:00Z", zone=SHANGHAI))
    f, = times_disagree(df)
    assert (f.kind, f.severity, f.delta_seconds) == ("times-disagree", "medium", 600)
    assert "assumed Asia/Shanghai" in f.explanation_en
    assert times_disagree(df, tolerance=timedelta(minutes=10)) == []


def mvhd(eid: str, utc: str, local: str, wall: str) -> list[dict]:
    return [ev(eid, "quicktime:mvhd.CreateDate", utc, original=wall,
               zone=("explicit", "UTC (by spec)")),
            ev(eid, "quicktime:mvhd.CreateDate(local)", local, original=wall, zone=SHANGHAI)]


def test_mvhd_reading_that_agrees_with_keys():
    keys = ev("E0009", "quicktime:Keys.creationdate", "2014-12-19T00:39:06Z",
              original="2014-12-19T07:39:06+0700", zone=("explicit", "+07:00"))
    # as the specification says (UTC): no finding
    utc_ok = mvhd("E0009", "2014-12-19T00:39:23Z", "2014-12-18T16:39:23Z", "2014:12:19 00:39:23")
    assert times_disagree(frame(*utc_ok, keys)) == []
    # the device wrote local time: low, and it says so
    local_ok = mvhd("E0009", "2014-12-19T08:39:23Z", "2014-12-19T00:39:23Z",
                    "2014:12:19 08:39:23")
    f, = times_disagree(frame(*local_ok, keys))
    assert f.severity == Severity.LOW
    assert dict(f.values)["reading that agrees"] == "local reading (quicktime:mvhd.CreateDate(local))"
    assert "Read as local time (Asia/Shanghai)" in f.explanation_en
    # neither reading agrees: medium
    neither = mvhd("E0009", "2014-12-25T00:00:00Z", "2014-12-24T16:00:00Z", "2014:12:25 00:00:00")
    f, = times_disagree(frame(*neither, keys))
    assert f.severity == Severity.MEDIUM
    assert dict(f.values)["reading that agrees"] == "neither (UTC nor local)"


def test_mvhd_without_keys_is_compared_with_the_exif_time():
    exif = ev("E0010", "exif:DateTimeOriginal", "2014-12-19T00:39:20Z",
              original="2014:12:19 08:39:20", zone=SHANGHAI)
    local_ok = mvhd("E0010", "2014-12-19T08:39:23Z", "2014-12-19T00:39:23Z",
                    "2014:12:19 08:39:23")
    f, = times_disagree(frame(exif, *local_ok))
    assert f.severity == Severity.LOW and "local" in f.values[-1][1]


def test_stated_capture_against_the_files_own_times():
    stated = ev("E0011", "intake:captured_at", "2026-11-20T06:00:00Z")
    # the file's own time after the stated capture: medium
    after = ev("E0011", "exif:DateTimeOriginal", "2026-11-20T06:30:00Z")
    f, = times_disagree(frame(stated, after))
    assert f.severity == Severity.MEDIUM and "after the stated capture" in f.explanation_en
    # before it: low for a file that may have been downloaded ...
    before = ev("E0011", "exif:DateTimeOriginal", "2026-11-19T06:00:00Z")
    f, = times_disagree(frame(stated, before))
    assert f.severity == Severity.LOW and "downloaded" in f.explanation_en
    # ... medium for a screenshot
    shot = ev("E0011", "intake:captured_at", "2026-11-20T06:00:00Z", text="截屏")
    f, = times_disagree(frame(shot, before))
    assert f.severity == Severity.MEDIUM and "screenshot" in f.explanation_en


# --- editing software ---------------------------------------------------------------------------


def test_editing_software_from_the_flags():
    art = pd.DataFrame([
        {"evidence_id": "E0002", "flags": "edited: 美图秀秀; truncated record (WARC)"},
        {"evidence_id": "E0001", "flags": "edited: Adobe Photoshop CC; edited: GIMP 2.4.5"},
        {"evidence_id": "E0003", "flags": ""}, {"evidence_id": "E0004", "flags": None}])
    found = editing_software(art)
    assert kinds(found) == [("editing-software", "medium", ("E0001",)),
                            ("editing-software", "medium", ("E0002",))]
    assert found[0].values == (("flag (artifacts: flags)", "edited: Adobe Photoshop CC"),
                               ("flag (artifacts: flags)", "edited: GIMP 2.4.5"))
    assert "美图秀秀" in found[1].explanation_zh
    assert "does not show that the content was changed" in found[1].explanation_en
    assert editing_software(pd.DataFrame(columns=["evidence_id"])) == []


# --- EXIF offset --------------------------------------------------------------------------------


def test_exif_without_offset_against_xmp_with_one():
    exif = ev("E0004", "exif:DateTimeOriginal", "2026-07-01T04:00:00Z",
              original="2026:07:01 12:00:00", zone=SHANGHAI)
    xmp = ev("E0004", "xmp:DateTimeOriginal", "2026-07-01T10:00:00Z",
             original="2026:07:01 12:00:00+02:00", zone=("explicit", "+02:00"))
    f, = exif_offset_mismatch(frame(exif, xmp))
    assert (f.kind, f.severity) == ("exif-offset-mismatch", "medium")
    assert dict(f.values)["offset implied by the XMP time"] == "+02:00"
    assert "assumed zone Asia/Shanghai" in f.explanation_en and "UTC+02:00" in f.explanation_zh
    # XMP agreeing with the assumed zone, or an EXIF time with its own offset: nothing
    agree = ev("E0004", "xmp:DateTimeOriginal", "2026-07-01T04:00:00Z",
               original="2026:07:01 12:00:00+08:00", zone=("explicit", "+08:00"))
    assert exif_offset_mismatch(frame(exif, agree)) == []
    explicit = ev("E0004", "exif:DateTimeOriginal", "2026-07-01T04:00:00Z",
                  original="2026:07:01 12:00:00", zone=("explicit", "+08:00"))
    assert exif_offset_mismatch(frame(explicit, xmp)) == []


def test_exif_without_offset_against_gps_time():
    exif = ev("E0004", "exif:DateTimeOriginal", "2026-07-01T04:00:00Z",
              original="2026:07:01 12:00:00", zone=SHANGHAI)
    gps = artifacts(E0004={"EXIF:GPSDateStamp": "2026:07:01", "EXIF:GPSTimeStamp": "10:00:04"})
    f, = exif_offset_mismatch(frame(exif), gps)
    assert dict(f.values)["offset implied by the GPS time"] == "+02:00"
    assert f.delta_seconds == 2 * 3600
    # the GPS time agrees with the assumed +08:00 (a few seconds of clock error): no finding
    fine = artifacts(E0004={"Composite:GPSDateTime": "2026:07:01 04:00:09.5Z"})
    assert exif_offset_mismatch(frame(exif), fine) == []
    # more than any zone: low
    stale = artifacts(E0004={"Composite:GPSDateTime": "2026:07:02 20:00:00Z"})
    f, = exif_offset_mismatch(frame(exif), stale)
    assert f.severity == Severity.LOW and "none" in dict(f.values)["offset implied by the GPS time"]


# --- e-mail -------------------------------------------------------------------------------------


def mail(eid: str, loc: str, date: str | None, *hops: str) -> list[dict]:
    rows = [ev(eid, f"email:Received[{i}]", t, location=loc, description="Message Received")
            for i, t in enumerate(hops)]
    if date:
        rows.append(ev(eid, "email:Date", date, location=loc, description="Message Sent"))
    return rows


def test_received_hops_out_of_order():
    df = frame(*mail("E0002", "message 0", None, "2026-11-20T06:00:00Z", "2026-11-20T06:00:30Z",
                     "2026-11-20T08:00:00Z"),
               *mail("E0002", "message 1", None, "2026-11-20T06:05:00Z", "2026-11-20T06:00:00Z"))
    f, = received_hops_out_of_order(df)  # 30 s is within the tolerance; message 1 is in order
    assert (f.severity, f.delta_seconds) == (Severity.MEDIUM, 7170.0)
    assert f.sources == ("email:Received[1]", "email:Received[2]")
    assert "message 0" in f.explanation_en and "第 1 跳" in f.explanation_zh
    small = frame(*mail("E0002", "message 0", None, "2026-11-20T06:00:00Z",
                        "2026-11-20T06:10:00Z"))
    assert [f.severity for f in received_hops_out_of_order(small)] == [Severity.LOW]


def test_date_far_from_first_hop():
    after = frame(*mail("E0002", "message 0", "2026-11-20T06:10:00Z", "2026-11-20T06:02:00Z",
                        "2026-11-20T06:00:00Z"))
    f, = date_far_from_first_hop(after)
    assert (f.severity, f.delta_seconds) == (Severity.MEDIUM, 600)
    assert f.sources == ("email:Date", "email:Received[1]")
    before = frame(*mail("E0002", "message 0", "2026-11-20T03:00:00Z", "2026-11-20T06:00:00Z"))
    f, = date_far_from_first_hop(before)
    assert f.severity == Severity.LOW and f.delta_seconds == -3 * 3600
    queued = frame(*mail("E0002", "message 0", "2026-11-20T05:30:00Z", "2026-11-20T06:00:00Z"))
    assert date_far_from_first_hop(queued) == []


# --- chat, WARC ---------------------------------------------------------------------------------


def msg(eid: str, line: int, when: str, chat: str | None = None) -> dict:
    return ev(eid, "chat:time", when, location=f"line {line}", data_type="chat:message",
              description="Message Sent", chat=chat)


def test_chat_out_of_order_in_the_exports_order():
    df = frame(msg("E0005", 10, "2026-11-20T06:00:00Z"),  # listed before line 9 on purpose
               msg("E0005", 9, "2026-11-20T08:00:00Z"),
               msg("E0005", 11, "2026-11-20T06:05:00Z"),
               msg("E0005", 12, "2026-11-20T06:04:00Z"))  # 1 minute back: within the tolerance
    f, = chat_out_of_order(df)
    assert (f.severity, f.delta_seconds) == (Severity.MEDIUM, 7200)
    assert f.values[0][0] == "earlier message: chat:time @ E0005 line 9"
    assert dict(f.values)["steps back in time"] == "1 (line 10)"
    # the exported-at time and edits are not messages
    df2 = frame(msg("E0005", 1, "2026-11-20T06:00:00Z"),
                ev("E0005", "chat:exported", "2026-11-19T00:00:00Z", location="line 2",
                   data_type="chat:message", description="Exported"))
    assert chat_out_of_order(df2) == []


def test_chats_in_one_file_are_checked_apart():
    df = frame(msg("E0006", 1, "2026-11-20T08:00:00Z", chat="张三"),
               msg("E0006", 2, "2026-11-20T06:00:00Z", chat="李四"),
               msg("E0006", 3, "2026-11-20T06:10:00Z", chat="李四"))
    assert chat_out_of_order(df) == []
    df = frame(msg("E0006", 1, "2026-11-20T08:00:00Z"), msg("E0006", 2, "2026-11-20T06:00:00Z"))
    assert len(chat_out_of_order(df)) == 1


def test_warc_date_http_date_skew_per_record():
    rec = "record 3 at byte 1197"
    df = frame(ev("E0007", "warc:WARC-Date", "2017-03-06T04:02:06Z", location=rec),
               ev("E0007", "http:Date", "2017-03-06T04:12:06Z", location=rec),
               ev("E0007", "warc:WARC-Date", "2017-03-06T04:03:00Z", location="record 5"),
               ev("E0007", "http:Date", "2017-03-06T04:03:30Z", location="record 5"),
               ev("E0007", "http:Date", "2017-03-06T09:00:00Z", location="record 7"))
    f, = warc_date_http_date_skew(df)
    assert (f.severity, f.delta_seconds) == (Severity.LOW, 600)
    assert dict(f.values)["records skewed"] == f"1 ({rec})"
    assert "before the same record's HTTP Date" in f.explanation_en


# --- device clock offset, applied only on request -----------------------------------------------


def test_device_clock_offset_from_several_sources():
    meta = {"EXIF:Make": "HUAWEI", "EXIF:Model": "HUAWEI P40", "EXIF:SerialNumber": "A1"}
    art = artifacts(E0001={**meta, "Composite:GPSDateTime": "2026:11:20 06:00:00Z"},
                    E0002={**meta, "Composite:GPSDateTime": "2026:11:21 06:00:00Z"},
                    E0003={"EXIF:Make": "Canon", "EXIF:Model": "Canon EOS 40D"})
    df = frame(ev("E0001", "exif:DateTimeOriginal", "2026-11-20T06:00:40Z"),
               ev("E0001", "intake:captured_at", "2026-11-20T05:00:00Z"),
               ev("E0002", "exif:DateTimeOriginal", "2026-11-21T06:00:44Z"),
               ev("E0003", "exif:DateTimeOriginal", "2026-11-21T06:00:44Z"))
    f, = device_clock_offset(df, art)
    assert (f.kind, f.severity, f.evidence_ids) == ("device-clock-offset", "info",
                                                    ("E0001", "E0002"))
    values = dict(f.values)
    assert values["device"] == "HUAWEI P40 (serial A1)"
    assert values["reference"] == "GPS time"  # GPS preferred over the stated capture time
    assert (values["estimate (median)"], values["spread (max - min)"], values["sources"]) == (
        "+42 s", "4 s", "2")
    assert "capture time stated at acquisition: exif:DateTimeOriginal - intake:captured_at @ E0001" \
        in values
    assert f.delta_seconds == 42
    assert "no time was changed" in f.explanation_en and "未改动任何时间" in f.explanation_zh


def test_apply_clock_offset_returns_a_new_labelled_frame():
    df = frame(ev("E0001", "exif:DateTimeOriginal", "2026-11-20T06:00:42Z"),
               ev("E0001", "custody:acquire", "2026-11-22T00:00:00Z"),
               ev("E0001", "chat:time", "2026-11-20T06:00:00Z", "2026-11-20T06:01:00Z"),
               ev("E0002", "exif:DateTimeOriginal", "2026-11-20T07:00:00Z"))
    before = df.copy(deep=True)
    out = apply_clock_offset(df, ["E0001"], timedelta(seconds=42), "鉴定人 2026-12-01 要求")
    pd.testing.assert_frame_equal(df, before)  # the original is never changed
    assert out is not df
    assert list(out.columns[-4:]) == ["adjusted_utc", "adjusted_earliest", "adjusted_latest",
                                      "adjustment"]
    assert out.loc[0, "utc"] == "2026-11-20T06:00:42Z"
    assert out.loc[0, "adjusted_utc"] == pd.Timestamp("2026-11-20T06:00:00Z")
    assert "鉴定人 2026-12-01 要求" in out.loc[0, "adjustment"]
    assert "original time is kept in utc" in out.loc[0, "adjustment"]
    # custody rows come from another clock; other items are left as read
    assert out.loc[1, "adjustment"] == "" and out.loc[3, "adjustment"] == ""
    assert out.loc[3, "adjusted_utc"] == pd.Timestamp("2026-11-20T07:00:00Z")
    # an interval is shifted as an interval
    assert out.loc[2, "adjusted_earliest"] == pd.Timestamp("2026-11-20T05:59:18Z")
    assert pd.isna(out.loc[2, "adjusted_utc"])
    assert out.attrs["clock_offsets"][0]["offset_seconds"] == 42


def test_apply_clock_offset_on_a_timeline_frame_and_its_refusals():
    tl = pd.DataFrame({"utc": pd.to_datetime(["2026-11-20T06:00:42Z"], utc=True),
                       "earliest": pd.to_datetime(["2026-11-20T06:00:42Z"], utc=True),
                       "latest": pd.to_datetime(["2026-11-20T06:00:42Z"], utc=True),
                       "source": ["exif:DateTimeOriginal"], "evidence_id": ["E0001"]})
    out = apply_clock_offset(tl, "E0001", -18, "test", sources=["exif:DateTimeOriginal"])
    assert out.loc[0, "adjusted_utc"] == pd.Timestamp("2026-11-20T06:01:00Z")
    with pytest.raises(ValueError, match="needs a reason"):
        apply_clock_offset(tl, "E0001", 5, "  ")
    with pytest.raises(ValueError, match="no evidence numbers"):
        apply_clock_offset(tl, [], 5, "x")
    with pytest.raises(TypeError, match="offset must be a timedelta or seconds"):
        apply_clock_offset(tl, "E0001", "5", "x")


# --- the finding and the report -----------------------------------------------------------------


def test_finding_refuses_bad_values_with_clear_messages():
    ok = dict(kind="times-disagree", severity="low", evidence_ids=("E1",), values=(),
              explanation_zh="说明", explanation_en="explanation")
    assert Finding(**ok).severity is Severity.LOW
    with pytest.raises(ValueError, match="'Times Disagree' is not a kebab-case id"):
        Finding(**{**ok, "kind": "Times Disagree"})
    with pytest.raises(ValueError, match="severity 'urgent' is not one of high, medium, low"):
        Finding(**{**ok, "severity": "urgent"})
    with pytest.raises(ValueError, match="explanation_en must be one non-empty line"):
        Finding(**{**ok, "explanation_en": "two\nlines"})
    with pytest.raises(ValueError, match="not a \\(label, value\\) pair"):
        Finding(**{**ok, "values": (("only a label",),)})
    with pytest.raises(TypeError, match="tolerance must be a timedelta"):
        times_disagree(frame(), tolerance="2 min")
    with pytest.raises(ValueError, match="must not be negative"):
        times_disagree(frame(), tolerance=-1)


def test_report_order_counts_json_frame_and_html():
    def f(kind, sev, eid):
        return Finding(kind, sev, (eid,), (("x <y>", "1"),), "中文说明", "English <b>")
    report = FindingsReport((f("times-disagree", "low", "E0002"), f("device-clock-offset", "info", "E0001"),
                             f("times-disagree", "low", "E0001"),
                             f("capture-before-publication", "high", "E0009")))
    assert [(x.severity.value, x.kind, x.evidence_ids[0]) for x in report] == [
        ("high", "capture-before-publication", "E0009"), ("low", "times-disagree", "E0001"),
        ("low", "times-disagree", "E0002"), ("info", "device-clock-offset", "E0001")]
    assert report.count_by_severity == {"high": 1, "medium": 0, "low": 2, "info": 1}
    assert len(report.of_kind("times-disagree")) == 2
    doc = json.loads(json.dumps(report.to_json(), ensure_ascii=False))
    assert doc["tolerance_seconds"] == DEFAULT_TOLERANCE.total_seconds()
    assert doc["findings"][0]["values"] == [{"label": "x <y>", "value": "1"}]
    df = report.to_frame()
    assert list(df.columns) == ["severity", "kind", "evidence_ids", "values", "explanation_zh",
                                "explanation_en", "sources", "delta_seconds"]
    html = report._repr_html_()
    assert "严重程度 Severity" in html and "说明 Explanation" in html
    assert KINDS["capture-before-publication"][0] in html
    assert "<b>" not in html and "&lt;b&gt;" in html
    assert FindingsReport().to_frame().empty


def every_kind_frame() -> tuple[pd.DataFrame, pd.DataFrame]:
    rows = [
        ev("E0001", "intake:captured_at", "2026-11-20T06:00:00Z"),
        ev("E0001", "intake:displayed_time", "2026-11-20T07:00:00Z"),
        acquired("E0001", "2026-11-21T00:00:00Z"),
        ev("E0001", "exif:ModifyDate", "2026-11-23T00:00:00Z"),
        ev("E0002", "exif:DateTimeOriginal", "2026-07-01T04:00:00Z",
           original="2026:07:01 12:00:00", zone=SHANGHAI),
        ev("E0002", "file:name", "2026-07-01T05:00:00Z"),
        *mail("E0003", "message 0", "2026-11-20T09:00:00Z", "2026-11-20T06:00:00Z",
              "2026-11-20T07:00:00Z"),
        msg("E0004", 1, "2026-11-20T08:00:00Z"), msg("E0004", 2, "2026-11-20T06:00:00Z"),
        ev("E0005", "warc:WARC-Date", "2017-03-06T04:02:06Z", location="record 1"),
        ev("E0005", "http:Date", "2017-03-06T05:02:06Z", location="record 1"),
    ]
    art = pd.DataFrame([
        {"evidence_id": "E0002", "flags": "edited: GIMP 2.4.5", "metadata": json.dumps(
            {"EXIF:Make": "Canon", "EXIF:Model": "EOS", "Composite:GPSDateTime":
             "2026:07:01 10:00:00Z"})}])
    return frame(*rows), art


def test_every_kind_from_one_frame():
    df, art = every_kind_frame()
    report = findings_from_frames(df, art)
    # every kind but those of outside statements (forensics.attest; tests/test_attest.py) and
    # of the screenshots' status bars (forensics.screens; tests/test_sample.py)
    assert {f.kind for f in report} == {k for k in KINDS if not k.startswith("attested-")
                                        and k != "status-bar-clock-differs"}
    assert report.count_by_severity["high"] == 2


@settings(max_examples=25, deadline=None)
@given(st.randoms(use_true_random=False))
def test_the_order_of_rows_does_not_change_the_report(rnd):
    df, art = every_kind_frame()
    expected = findings_from_frames(df, art).to_json()
    index = list(df.index)
    rnd.shuffle(index)
    assert findings_from_frames(df.loc[index], art).to_json() == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(-10_000, 10_000), st.integers(0, 600))
def test_a_finding_exactly_when_the_instants_are_further_apart_than_the_tolerance(gap, tol):
    t0 = pd.Timestamp("2026-11-20T06:00:00Z")
    t1 = t0 + pd.Timedelta(seconds=gap)
    df = frame(ev("E0001", "exif:DateTimeOriginal", t0.strftime("%Y-%m-%dT%H:%M:%SZ")),
               ev("E0001", "file:name", t1.strftime("%Y-%m-%dT%H:%M:%SZ")))
    found = times_disagree(df, tolerance=tol)
    assert bool(found) == (abs(gap) > tol)
    if found:
        assert found[0].delta_seconds == abs(gap)


# --- a real case ------------------------------------------------------------------------------


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def test_find_on_a_case_reads_the_custody_log_and_the_chat_records(case, tmp_path):
    shot = tmp_path / "Screenshot_20190521-104552.png"
    shot.write_bytes(tiny_png())
    chat = tmp_path / "chat.txt"
    chat.write_text("21/01/2019, 11:23 - Alice: first\n21/01/2019, 13:30 - Bob: second\n"
                    "21/01/2019, 11:40 - Alice: third\n25/01/2019, 09:00 - Bob: fourth\n",
                    encoding="utf-8")
    case.add([chat])
    case.add([shot], facts=IntakeFacts(captured_at="2019-05-21T10:50:00+08:00",
                                       displayed_time="2019-05-21 10:55", method="手机截图"))
    intake = intake_events(case)
    assert list(intake.columns) == list(case.events().columns)
    assert set(intake["time_source"]) == {"custody:acquire", "intake:captured_at",
                                          "intake:displayed_time"}
    report = find(case)
    assert kinds(report) == [
        ("capture-before-publication", "high", ("E0002",)),
        ("capture-before-publication", "high", ("E0002",)),
        ("chat-out-of-order", "medium", ("E0001",)),
        ("times-disagree", "medium", ("E0002",)),
    ]
    assert [f.sources[0] for f in report.of_kind("capture-before-publication")] == [
        "file:name", "intake:captured_at"]
    assert "line 3" in report.of_kind("chat-out-of-order")[0].explanation_en
    assert json.loads(json.dumps(report.to_json(), ensure_ascii=False))["count_by_severity"] == {
        "high": 2, "medium": 2, "low": 0, "info": 0}


def test_intake_times_are_read_against_the_capture_time(case, tmp_path):
    note = tmp_path / "post.txt"
    note.write_text("一条帖子", encoding="utf-8")
    case.add([note], facts=IntakeFacts(captured_at="2019-11-20 10:00", displayed_time="3分钟前"))
    rows = intake_events(case).set_index("time_source")
    assert rows.loc["intake:captured_at", "utc"] == "2019-11-20T02:00:00Z"  # assumed zone
    assert rows.loc["intake:captured_at", "zone"] == "assumed"
    shown = rows.loc["intake:displayed_time(displayed)"]
    assert pd.isna(shown["utc"])
    assert (shown["earliest"], shown["latest"]) == ("2019-11-20T01:56:00Z", "2019-11-20T01:57:00Z")
    assert rows.loc["custody:acquire", "location"] == "custody entry 2"
    assert len(find(case)) == 0


def test_one_sample_is_no_clock_estimate():
    """Reviewer's case (DSCN0010): EXIF vs GPS once is reported as the mismatch it is, not as an
    estimate of the device's clock."""
    import json

    import pandas as pd

    from forensics.findings import device_clock_offset

    events = pd.DataFrame([
        {"evidence_id": "E0001", "time_source": "exif:DateTimeOriginal",
         "earliest": "2008-10-22T08:28:39Z", "latest": "2008-10-22T08:28:39Z",
         "zone": "assumed", "zone_name": "Asia/Shanghai"},
        {"evidence_id": "E0001", "time_source": "intake:captured_at",
         "earliest": "2008-10-23T14:27:07Z", "latest": "2008-10-23T14:27:07Z",
         "zone": "explicit", "zone_name": "+08:00"}])
    meta = json.dumps({"EXIF:Make": "NIKON", "EXIF:Model": "COOLPIX P6000"})
    art = pd.DataFrame({"evidence_id": ["E0001"], "metadata": [meta]})
    assert device_clock_offset(events, art) == []


def test_times_beyond_what_nanoseconds_hold_are_compared_as_written():
    # pandas keeps such times in microseconds; the checks count in microseconds too (found by
    # review: a cast to nanoseconds wrapped the year 9999 round and chose 2027 as the worst)
    import pandas as pd

    from forensics.findings import capture_before_publication, time_after_acquisition

    rows = [{"evidence_id": "E0001", "time_source": "custody:acquire",
             "earliest": "2026-11-20T06:00:00Z", "latest": "2026-11-20T06:00:00Z"},
            {"evidence_id": "E0001", "time_source": "exif:DateTimeOriginal",
             "earliest": "2027-01-01T00:00:00Z", "latest": "2027-01-01T00:00:00Z"},
            {"evidence_id": "E0001", "time_source": "zip:mtime",
             "earliest": "9999-01-01T00:00:00Z", "latest": "9999-01-01T00:00:00Z"}]
    (f,) = time_after_acquisition(pd.DataFrame(rows))
    assert dict(f.values)["stated time: zip:mtime @ E0001"].startswith("9999-01-01")
    assert dict(f.values)["times after acquisition"].startswith("2 ")
    rows = [{"evidence_id": "E0003", "time_source": "file:name", "text": "Android screenshot",
             "earliest": "2026-11-20T06:00:00Z", "latest": "2026-11-20T06:00:00Z"},
            {"evidence_id": "E0003", "time_source": "intake:displayed_time",
             "earliest": "2026-11-22T06:01:00Z", "latest": "2026-11-22T06:01:00Z"},
            {"evidence_id": "E0003", "time_source": "intake:displayed_time",
             "earliest": "2300-11-21T06:01:00Z", "latest": "2300-11-21T06:01:00Z"}]
    (f,) = capture_before_publication(pd.DataFrame(rows))
    assert dict(f.values)["publication times after the capture"] == "2"
    assert dict(f.values)["publication: intake:displayed_time @ E0003"].startswith("2300-11-21")
