"""The timeline: rows from events, custody and intake; the fixed descriptions; order; exports.

Fixtures are made here: a tiny e-mail with three ``Received`` hops and a PNG whose ``tIME``
chunk says 2026-11-20 06:00:00 UTC, brought into a fresh case with intake facts; events frames
are built row by row in the shape of ``case.events()``.
"""

from __future__ import annotations

import io
import json
import random
import struct
import zlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.case import Case
from forensics.intake import IntakeFacts
from forensics.timeline import (
    COLUMNS,
    MAX_ACTOR_LANES,
    SUMMARY_CHARS,
    TIME_DESCRIPTIONS,
    build_timeline,
    describe_timeline,
    lane_for,
    time_description,
    to_csv,
    to_json,
    to_parquet,
    to_timesketch,
    write_timeline,
)
from forensics.timestamps import format_utc

EVENT_COLUMNS = ["evidence_id", "sha256", "parser", "parser_version", "data_type", "description",
                 "location", "utc", "earliest", "latest", "original", "time_source", "precision",
                 "zone", "zone_name", "actor", "text", "url"]


def event(**kw: str | None) -> dict[str, str | None]:
    """One row shaped like ``case.events()``: an EXIF capture time unless told otherwise."""
    row: dict[str, str | None] = {
        "evidence_id": "E0001", "sha256": "ab" * 32, "parser": "image", "parser_version": "1",
        "data_type": "image:exif", "description": "Content Created", "location": "EXIF IFD",
        "utc": None, "earliest": "2026-11-20T06:32:05Z", "latest": None,
        "original": "2026:11:20 14:32:05", "time_source": "exif:DateTimeOriginal",
        "precision": "second", "zone": "assumed", "zone_name": "Asia/Shanghai", "actor": "",
        "text": "", "url": ""}
    row.update(kw)
    if row["latest"] is None:
        row["latest"] = row["earliest"]
    if row["earliest"] == row["latest"]:
        row["utc"] = row["earliest"]
    return row


def frame(rows: list[dict[str, str | None]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=EVENT_COLUMNS)


def mixed_rows() -> list[dict[str, str | None]]:
    """Rows with ties on the time and on several keys, an interval, Chinese text."""
    return [
        event(),
        event(evidence_id="E0002", data_type="email:rfc822", description="Message Received",
              time_source="email:Received[0]", location="message", actor="张三 <zs@example.cn>",
              text="关于那篇帖子", original="Fri, 20 Nov 2026 14:32:05 +0800", zone="explicit",
              zone_name="+08:00"),
        event(evidence_id="E0002", data_type="email:rfc822", description="Message Sent",
              time_source="email:Date", location="message", actor="张三 <zs@example.cn>",
              text="关于那篇帖子", earliest="2026-11-20T06:31:00Z"),
        event(evidence_id="E0003", data_type="social:repost", description="Reposted",
              time_source="repost:time(displayed)", location="row 2", actor="李四",
              text="//@张三: 转发过五百了", earliest="2026-11-20T06:29:00Z",
              latest="2026-11-20T06:30:00Z", original="3分钟前", precision="minute"),
        event(evidence_id="E0003", data_type="social:repost", description="Reposted",
              time_source="repost:time(displayed)", location="row 3", actor="王五",
              text="同上", earliest="2026-11-20T06:29:00Z", latest="2026-11-20T06:30:00Z",
              original="3分钟前", precision="minute"),
        event(evidence_id="E0003", data_type="social:repost", description="Reposted",
              time_source="repost:time(displayed)", location="row 3", actor="王五",
              text="同上，另一条", earliest="2026-11-20T06:29:00Z", latest="2026-11-20T06:30:00Z",
              original="3分钟前", precision="minute"),
        event(evidence_id="E0004", data_type="chat:message", description="Message Sent",
              time_source="chat:time", location="line 1", actor="赵六",
              text="第一行\n第二行\t结束", earliest="2026-11-20T06:32:05.250000Z"),
    ]


# --- the fixed descriptions ---------------------------------------------------------------------


@pytest.mark.parametrize(("description", "source", "expected"), [
    ("Content Created", "exif:DateTimeOriginal", "Capture time (EXIF DateTimeOriginal)"),
    ("Content Created", "exif:DateTimeOriginal+xmp:offset", "Capture time (EXIF DateTimeOriginal)"),
    ("Digitized", "exif:CreateDate", "Digitized (EXIF CreateDate)"),
    ("Content Created", "xmp:CreateDate+exif:OffsetTimeDigitized", "Created (XMP CreateDate)"),
    ("Content Modified", "png:tIME", "Modified (PNG tIME)"),
    ("Capture Time (file name)", "file:name", "Capture time (file name)"),
    ("Message Sent", "email:Date", "Sent (Date header)"),
    ("Message Received", "email:Received[0]", "Received by hop 0"),
    ("Message Received", "email:Received[12]", "Received by hop 12"),
    ("DKIM Signed", "email:DKIM-Signature[1].t", "Signed (DKIM signature 1, t=)"),
    ("Message Sent", "chat:time", "Sent (chat export)"),
    ("Message Sent", "wechat:time(displayed)", "Sent (as displayed)"),
    ("Reposted", "repost:time(displayed)", "Reposted (as displayed)"),
    ("Reposted", "weibo:date", "Reposted"),
    ("Posted", "weibo:time", "Published"),
    ("Posted", "repost:time(displayed)", "Published (as displayed)"),
    ("Page Published", "page:displayed", "Published (as displayed)"),
    ("Page Published", "html:meta[article:published_time]", "Published (stated by the page)"),
    ("Container Created", "quicktime:mvhd.CreateDate", "Container created (mvhd, UTC by spec)"),
    ("Container Created", "quicktime:mvhd.CreateDate(local)",
     "Container created (mvhd read as local time)"),
    ("Archived (WARC-Date)", "warc:WARC-Date", "Archived (WARC-Date)"),
    ("HTTP Date", "http:Date", "Served (HTTP Date header)"),
    ("Acquired", "custody:acquire", "Acquired into case"),
    ("Captured", "intake:captured_at", "Captured (as stated at intake)"),
    # no rule: the event's own description, never an empty or lost row
    ("Content Created", "gps:DateStamp", "Content Created"),
    ("Something New", "x:y", "Something New"),
    ("", "", ""),
])
def test_time_description_map(description: str, source: str, expected: str) -> None:
    assert time_description(description, source) == expected


def test_the_map_is_well_formed() -> None:
    """Patterns compile, no rule is listed twice, every label is filled in."""
    import re

    pairs = [(r.description, r.source) for r in TIME_DESCRIPTIONS]
    assert len(pairs) == len(set(pairs))
    for rule in TIME_DESCRIPTIONS:
        groups = set(re.compile(rule.source).groupindex)
        assert set(re.findall(r"{(\w+)}", rule.label)) <= groups, rule
        assert rule.description and rule.label


@pytest.mark.parametrize(("data_type", "lane"), [
    ("image:exif", "EXIF"), ("image:xmp", "XMP"), ("image:jpeg", "Image"),
    ("email:rfc822", "E-mail"), ("chat:message", "Chat"), ("social:repost", "Reposts"),
    ("social:post", "Posts"), ("web:warc:response", "Web capture"), ("web:mhtml", "Web capture"),
    ("video:quicktime", "Video"), ("pdf:document", "PDF"), ("custody:acquire", "Custody"),
    ("intake:facts", "Intake"), ("gps:track", "gps:track"), ("", "Other"),
])
def test_lanes(data_type: str, lane: str) -> None:
    assert lane_for(data_type) == lane


# --- building from events -----------------------------------------------------------------------


def test_columns_dtypes_and_contract_order() -> None:
    df = build_timeline(events=frame(mixed_rows()))
    assert tuple(df.columns) == COLUMNS
    for c in ("utc", "earliest", "latest"):
        assert str(df[c].dtype) == "datetime64[ns, UTC]"
    for c in COLUMNS[3:]:
        assert df[c].map(type).eq(str).all(), c
    keys = list(zip(df["earliest"], df["latest"], df["evidence_id"], df["source"],
                    df["location"], df["original"], strict=True))
    assert keys == sorted(keys)
    assert list(df.index) == list(range(len(df)))


def test_shuffled_input_gives_the_same_frame_and_bytes(tmp_path: Path) -> None:
    rows = mixed_rows()
    first = build_timeline(events=frame(rows))
    to_csv(first, tmp_path / "a.csv")
    rng = random.Random(5)
    for n in range(8):
        rng.shuffle(rows)
        again = build_timeline(events=frame(rows))
        pd.testing.assert_frame_equal(again, first)
        to_csv(again, tmp_path / "b.csv")
        assert (tmp_path / "b.csv").read_bytes() == (tmp_path / "a.csv").read_bytes(), n


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.permutations(list(range(7))))
def test_order_does_not_depend_on_input_order(perm: list[int]) -> None:
    rows = mixed_rows()
    expected = build_timeline(events=frame(rows))
    got = build_timeline(events=frame([rows[i] for i in perm]))
    pd.testing.assert_frame_equal(got, expected)


def test_rows_that_tie_on_the_sort_keys_are_ordered_by_the_rest() -> None:
    df = build_timeline(events=frame(mixed_rows()))
    tied = df[(df["evidence_id"] == "E0003") & (df["location"] == "row 3")]
    assert tied["summary"].tolist() == ["王五: 同上", "王五: 同上，另一条"]


def test_an_interval_stays_an_interval() -> None:
    df = build_timeline(events=frame(mixed_rows()))
    row = df[df["location"] == "row 2"].iloc[0]
    assert pd.isna(row["utc"])
    assert row["earliest"] == pd.Timestamp("2026-11-20T06:29:00Z")
    assert row["latest"] == pd.Timestamp("2026-11-20T06:30:00Z")
    assert row["time_description"] == "Reposted (as displayed)"
    assert row["original"] == "3分钟前"
    assert df.iloc[0]["location"] == "row 2"  # sorted by its earliest bound


def test_fractions_are_kept() -> None:
    df = build_timeline(events=frame(mixed_rows()))
    chat = df[df["data_type"] == "chat:message"].iloc[0]
    assert chat["utc"] == pd.Timestamp("2026-11-20T06:32:05.25Z")


def test_summary_is_one_short_line() -> None:
    long_text = "很长的转发内容" * 40
    rows = [event(location="a", actor="赵六", text="第一行\n第二行\t结束"),
            event(location="b", actor="", text="", url="https://weibo.com/1/abc"),
            event(location="c", actor="李四", text=long_text),
            event(location="d", actor="", text="", url="")]
    df = build_timeline(events=frame(rows)).set_index("location")
    assert df.at["a", "summary"] == "赵六: 第一行 第二行 结束"
    assert df.at["b", "summary"] == "https://weibo.com/1/abc"
    assert len(df.at["c", "summary"]) == SUMMARY_CHARS
    assert df.at["c", "summary"].startswith("李四: 很长的") and df.at["c", "summary"].endswith("…")
    assert df.at["d", "summary"] == "Content Created"


def test_few_chat_actors_get_their_own_lanes_many_share_one() -> None:
    def chat(actor: str, n: int) -> dict[str, str | None]:
        return event(data_type="chat:message", description="Message Sent", time_source="chat:time",
                     location=f"line {n}", actor=actor, text="在吗")
    few = build_timeline(events=frame([chat("张三", 1), chat("李四", 2), chat("", 3)]))
    assert sorted(few["lane"]) == ["Chat", "Chat: 张三", "Chat: 李四"]
    many = [chat(f"用户{i}", i) for i in range(MAX_ACTOR_LANES + 1)]
    assert set(build_timeline(events=frame(many))["lane"]) == {"Chat"}


def test_years_outside_datetime64_ns_are_kept_and_listed() -> None:
    rows = [event(location="early", earliest="1500-01-01T00:00:00Z", original="1500:01:01"),
            event(location="late", earliest="2300-06-01T00:00:00Z", original="2300:06:01"),
            event(location="edge", earliest="9999-12-31T23:59:59.999999Z"),
            event(location="half", earliest="1600-01-01T00:00:00Z",
                  latest="2026-11-20T00:00:00Z", zone="unknown"),
            event(location="fine")]
    df = build_timeline(events=frame(rows))
    assert len(df) == 5
    assert df.iloc[0]["location"] == "fine"
    listed = {r["location"]: r for r in df.attrs["out_of_range"]}
    assert set(listed) == {"early", "late", "edge", "half"}
    assert listed["early"]["earliest"] == "1500-01-01T00:00:00Z"
    assert listed["early"]["original"] == "1500:01:01"
    by = df.set_index("location")
    assert pd.isna(by.at["early", "earliest"]) and pd.isna(by.at["early", "utc"])
    assert pd.isna(by.at["half", "earliest"])
    assert by.at["half", "latest"] == pd.Timestamp("2026-11-20T00:00:00Z")
    assert df.attrs["unread"] == []


def test_a_malformed_time_keeps_its_row_and_is_listed() -> None:
    rows = [event(location="bad", earliest="20 Nov 2026", original="20 Nov 2026"),
            event(location="offset", earliest="2026-11-20T14:32:05+08:00"),
            event(location="good", earliest="2026-11-20T06:32:05.5Z")]
    df = build_timeline(events=frame(rows)).set_index("location")
    assert pd.isna(df.at["bad", "earliest"])
    assert df.at["offset", "earliest"] == pd.Timestamp("2026-11-20T06:32:05Z")
    assert df.at["good", "utc"] == pd.Timestamp("2026-11-20T06:32:05.5Z")
    reasons = sorted(u["reason"] for u in df.attrs["unread"])  # one per unreadable column
    assert [r.split()[0] for r in reasons] == ["earliest", "latest"]
    assert all("'20 Nov 2026' is not an ISO 8601 UTC time" in r for r in reasons)
    assert {u["evidence_id"] for u in df.attrs["unread"]} == {"E0001"}


def test_an_empty_timeline() -> None:
    df = build_timeline(events=frame([]))
    assert tuple(df.columns) == COLUMNS and len(df) == 0
    assert str(df["earliest"].dtype) == "datetime64[ns, UTC]"
    assert describe_timeline(df).startswith("时间线为空")


def test_refuses_what_it_cannot_build_from() -> None:
    with pytest.raises(TypeError, match="needs a case"):
        build_timeline()
    with pytest.raises(ValueError, match=r"lacks the column.*time_source"):
        build_timeline(events=frame(mixed_rows()).drop(columns=["time_source"]))


# --- from a real (tiny) case ----------------------------------------------------------------------


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(
        ">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def tiny_png(when: tuple[int, int, int, int, int, int]) -> bytes:
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    time_chunk = png_chunk(b"tIME", struct.pack(">HBBBBB", *when))
    idat = png_chunk(b"IDAT", zlib.compress(b"\0\0\0\0"))
    return b"\x89PNG\r\n\x1a\n" + ihdr + time_chunk + idat + png_chunk(b"IEND", b"")


MAIL = (
    b"Received: from mx2.example.cn by mx3.example.net; Fri, 20 Nov 2026 06:33:10 +0000\n"
    b"Received: from mx1.example.cn by mx2.example.cn; Fri, 20 Nov 2026 14:32:40 +0800\n"
    b"From: Zhang San <zhang@example.cn>\nTo: li@example.cn\nSubject: =?UTF-8?B?"
    b"5YWz5LqO6YKj56+H5biW5a2Q?=\nDate: Fri, 20 Nov 2026 14:32:00 +0800\n"
    b"Message-ID: <t@example.cn>\n\nbody\n")


@pytest.fixture
def small_case(tmp_path: Path) -> Case:
    files = tmp_path / "in"
    files.mkdir()
    (files / "mail.eml").write_bytes(MAIL)
    (files / "post.png").write_bytes(tiny_png((2026, 11, 20, 6, 0, 0)))
    (files / "note.png").write_bytes(tiny_png((2026, 11, 19, 1, 0, 0)))
    case = Case.init(tmp_path / "case", examiner="王鉴定")
    case.add([files / "mail.eml"], facts=IntakeFacts(captured_at="2026-11-20T15:00:00+08:00",
                                                     captured_by="李四", url="https://x.cn/1"))
    case.add([files / "post.png"], facts=IntakeFacts(captured_at="2026-11-20 16:00"))
    case.add([files / "note.png"], facts=IntakeFacts(captured_at="上周某个时候"))
    (files / "again").mkdir()
    (files / "again" / "post.png").write_bytes((files / "post.png").read_bytes())
    case.add([files / "again" / "post.png"],
             facts=IntakeFacts(captured_at="2026-11-20 16:00"))
    return case


def test_a_case_timeline_has_events_custody_and_intake_rows(small_case: Case) -> None:
    df = build_timeline(small_case)
    assert tuple(df.columns) == COLUMNS
    kinds = df.groupby("evidence_id")["time_description"].apply(set).to_dict()
    assert {"Sent (Date header)", "Received by hop 0", "Received by hop 1",
            "Acquired into case", "Captured (as stated at intake)"} <= kinds["E0001"]
    assert {"Modified (PNG tIME)", "Acquired into case", "Brought in again (same content)",
            "Captured (as stated at intake)"} <= kinds["E0002"]
    assert "Captured (as stated at intake)" not in kinds["E0003"]

    acquired = df[df["source"] == "custody:acquire"]
    assert sorted(acquired["evidence_id"]) == ["E0001", "E0002", "E0003"]
    assert set(acquired["actor"]) == {"test-examiner"}
    assert set(acquired["zone"]) == {"explicit"} and set(acquired["lane"]) == {"Custody"}
    assert acquired["location"].str.fullmatch(r"custody seq \d+").all()
    first = acquired.set_index("evidence_id").loc["E0001"]
    assert first["utc"] == pd.Timestamp(small_case.item("E0001").acquired_at)
    assert first["summary"] == "test-examiner: mail.eml"
    seen = df[df["source"] == "custody:seen-again"]
    assert seen["evidence_id"].tolist() == ["E0002"]

    intake = df[df["source"] == "intake:captured_at"].set_index("evidence_id")
    assert list(intake.index) == ["E0001", "E0002"]  # once per item for the same text
    assert intake.at["E0001", "utc"] == pd.Timestamp("2026-11-20T07:00:00Z")
    assert intake.at["E0001", "zone"] == "explicit" and intake.at["E0001", "actor"] == "李四"
    assert intake.at["E0001", "summary"] == "李四: mail.eml"
    assert intake.at["E0002", "utc"] == pd.Timestamp("2026-11-20T08:00:00Z")
    assert intake.at["E0002", "zone"] == "assumed"
    assert intake.at["E0002", "zone_name"] == "Asia/Shanghai"
    assert intake.at["E0002", "original"] == "2026-11-20 16:00"
    assert set(intake["lane"]) == {"Intake"}

    (unread,) = df.attrs["unread"]
    assert unread["evidence_id"] == "E0003" and unread["original"] == "上周某个时候"
    assert unread["source"] == "intake:captured_at" and "cannot read" in unread["reason"]

    mail = df[df["data_type"] == "email:rfc822"]
    assert set(mail["summary"]) == {"Zhang San <zhang@example.cn>: 关于那篇帖子"}
    assert set(mail["lane"]) == {"E-mail"}
    png = df[df["time_description"] == "Modified (PNG tIME)"].set_index("evidence_id")
    assert png.at["E0002", "utc"] == pd.Timestamp("2026-11-20T06:00:00Z")
    assert png.at["E0002", "lane"] == "PNG"


def test_a_case_timeline_is_the_same_when_built_again(small_case: Case, tmp_path: Path) -> None:
    a = build_timeline(small_case)
    b = build_timeline(Case.open(small_case.root), events=small_case.events())
    pd.testing.assert_frame_equal(a, b)
    text = describe_timeline(a)
    assert "Custody 4" in text and "Intake 2" in text and "无法读取" in text


# --- exports ----------------------------------------------------------------------------------


@pytest.fixture
def timeline() -> pd.DataFrame:
    rows = [*mixed_rows(), event(location="early", earliest="1500-01-01T00:00:00Z")]
    return build_timeline(events=frame(rows))


def test_csv(timeline: pd.DataFrame, tmp_path: Path) -> None:
    assert to_csv(timeline, tmp_path / "t.csv") == len(timeline)
    data = (tmp_path / "t.csv").read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    back = pd.read_csv(io.BytesIO(data), dtype=str, keep_default_na=False)
    assert tuple(back.columns) == COLUMNS
    assert back["earliest"].iloc[0] == "2026-11-20T06:29:00Z"
    assert "2026-11-20T06:32:05.250000Z" in set(back["utc"])
    assert back["utc"].iloc[0] == ""  # the interval
    assert back["earliest"].iloc[-1] == ""  # out of range
    assert "赵六: 第一行 第二行 结束" in set(back["summary"])
    to_csv(timeline, tmp_path / "bom.csv", bom=True)
    assert (tmp_path / "bom.csv").read_bytes() == b"\xef\xbb\xbf" + data


def test_json(timeline: pd.DataFrame, tmp_path: Path) -> None:
    to_json(timeline, tmp_path / "t.json")
    text = (tmp_path / "t.json").read_text(encoding="utf-8")
    rows = json.loads(text)
    assert len(rows) == len(timeline) and list(rows[0]) == list(COLUMNS)
    assert rows[0]["utc"] is None and rows[0]["latest"] == "2026-11-20T06:30:00Z"
    assert rows[-1]["earliest"] is None
    assert "李四" in text and "\\u" not in text
    assert text.count("\n") == len(timeline) + 2  # "[", one object per line, "]"


def test_timesketch_jsonl_and_csv(timeline: pd.DataFrame, tmp_path: Path) -> None:
    n = to_timesketch(timeline, tmp_path / "t.jsonl")
    assert n == len(timeline) - 1  # the row without a time cannot be placed
    lines = (tmp_path / "t.jsonl").read_text(encoding="utf-8").splitlines()
    events = [json.loads(x) for x in lines]
    assert list(events[0])[:4] == ["message", "datetime", "timestamp", "timestamp_desc"]
    assert set(COLUMNS) <= set(events[0])
    first = events[0]
    assert first["datetime"] == "2026-11-20T06:29:00+00:00"
    assert first["latest"] == "2026-11-20T06:30:00Z" and first["utc"] is None
    assert first["timestamp"] == int(datetime(2026, 11, 20, 6, 29, tzinfo=UTC).timestamp() * 1e6)
    assert first["timestamp_desc"] == "Reposted (as displayed)"
    assert first["message"] == "Reposted (as displayed): 李四: //@张三: 转发过五百了"
    assert to_timesketch(timeline, tmp_path / "t.csv") == n
    back = pd.read_csv(tmp_path / "t.csv", dtype=str, keep_default_na=False)
    assert list(back.columns)[:4] == ["message", "datetime", "timestamp", "timestamp_desc"]
    assert back["datetime"].tolist() == [e["datetime"] for e in events]


def test_parquet_round_trip(timeline: pd.DataFrame, tmp_path: Path) -> None:
    path = tmp_path / "t.parquet"
    assert to_parquet(timeline, path) == len(timeline)
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, timeline, check_dtype=False)
    assert str(back["earliest"].dtype).startswith("datetime64") and back["earliest"].dt.tz
    meta = json.loads(pq.read_schema(path).metadata[b"forensics:timeline"])
    assert meta["out_of_range"][0]["earliest"] == "1500-01-01T00:00:00Z"


@pytest.mark.parametrize(("fmt", "name"), [("csv", "t.csv"), ("json", "t.json"),
                                           ("timesketch", "t.jsonl"), ("parquet", "t.parquet")])
def test_exports_are_deterministic(timeline: pd.DataFrame, tmp_path: Path, fmt: str,
                                   name: str) -> None:
    write_timeline(timeline, fmt, tmp_path / f"1{name}")
    shuffled = frame(list(reversed([*mixed_rows(), event(location="early",
                                                         earliest="1500-01-01T00:00:00Z")])))
    write_timeline(build_timeline(events=shuffled), fmt, tmp_path / f"2{name}")
    assert (tmp_path / f"1{name}").read_bytes() == (tmp_path / f"2{name}").read_bytes()
    if fmt != "parquet":
        buf = io.StringIO()
        write_timeline(timeline, fmt, buf)
        assert buf.getvalue().encode() == (tmp_path / f"1{name}").read_bytes()


def test_write_timeline_refuses_bad_requests(timeline: pd.DataFrame, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="unknown timeline format 'xml'"):
        write_timeline(timeline, "xml", tmp_path / "t.xml")
    with pytest.raises(ValueError, match="binary"):
        write_timeline(timeline, "parquet", io.StringIO())
    with pytest.raises(ValueError, match=r"not a timeline.*lane"):
        to_csv(timeline.drop(columns=["lane"]), tmp_path / "t.csv")


_NS_RANGE = st.datetimes(min_value=datetime(1678, 1, 1), max_value=datetime(2261, 12, 31),
                         timezones=st.just(UTC))


@settings(max_examples=60, deadline=None)
@given(st.lists(_NS_RANGE, min_size=1, max_size=20))
def test_times_read_back_as_written(times: list[datetime]) -> None:
    """Any time datetime64[ns] holds goes through build and export unchanged (microseconds)."""
    rows = [event(location=f"r{i}", earliest=format_utc(t),
                  latest=format_utc(t + timedelta(seconds=i % 2))) for i, t in enumerate(times)]
    df = build_timeline(events=frame(rows))
    buf = io.StringIO()
    write_timeline(df, "json", buf)
    got = {r["location"]: (r["earliest"], r["latest"]) for r in json.loads(buf.getvalue())}
    assert got == {r["location"]: (r["earliest"], r["latest"]) for r in rows}
    assert not df.attrs["out_of_range"]


def test_describe_timeline_is_bilingual(timeline: pd.DataFrame) -> None:
    text = describe_timeline(timeline)
    zh, en = text.split(" The timeline has ")
    assert zh.startswith(f"时间线共 {len(timeline)} 条记录（区间 3 条）")
    assert "最早 2026-11-20T06:29:00Z" in zh and "最晚 2026-11-20T06:32:05.250000Z" in zh
    assert "Reposts: 王五 2 条" in zh and "by lane: E-mail 2, EXIF 2, Reposts: 王五 2" in en
    assert "1 row(s) with times out of the representable range" in en


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(max_size=30), min_size=1, max_size=8))
def test_any_text_survives_every_export(texts: list[str]) -> None:
    """Quotes, backslashes, control characters, U+2028: JSON and CSV give the text back."""
    rows = [event(location=f"r{i}", original=t, actor=t[:5]) for i, t in enumerate(texts)]
    df = build_timeline(events=frame(rows))
    expected = dict(zip(df["location"], df["original"], strict=True))
    buf = io.StringIO()
    write_timeline(df, "json", buf)
    assert {r["location"]: r["original"] for r in json.loads(buf.getvalue())} == expected
    buf = io.StringIO()
    write_timeline(df, "timesketch", buf)
    lines = buf.getvalue().split("\n")
    assert lines[-1] == "" and len(lines) == len(df) + 1
    assert {r["location"]: r["original"] for r in map(json.loads, lines[:-1])} == expected
    buf = io.StringIO()
    write_timeline(df, "csv", buf)
    back = pd.read_csv(io.StringIO(buf.getvalue()), dtype=str, keep_default_na=False)
    assert dict(zip(back["location"], back["original"], strict=True)) == expected


def test_evidence_numbers_sort_as_numbers() -> None:
    rows = [event(evidence_id=e) for e in ("E10000", "E9999", "E0002")]
    assert build_timeline(events=frame(rows))["evidence_id"].tolist() == ["E0002", "E9999", "E10000"]


def test_a_relative_capture_time_is_read_against_when_it_was_recorded(case: Case, tmp_path):
    f = tmp_path / "shot.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    case.add([f], facts=IntakeFacts(captured_at="昨天 14:02"))
    df = build_timeline(case)
    (row,) = df[df["source"] == "intake:captured_at"].itertuples()
    recorded = case.item("E0001").acquired_at
    assert row.original == "昨天 14:02" and row.zone == "assumed"
    assert row.utc < pd.Timestamp(recorded) and (pd.Timestamp(recorded) - row.utc).days <= 2
