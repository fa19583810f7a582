"""Tests of forensics.parsers.reposts: the documented repost-list form (CSV and JSON), Weibo CED
repost and original-microblog files, and cascade edge lists.

Fixtures are written here by hand in the documented form (docs/formats/reposts.md) or in the
shape of the public datasets (CED: thunlp/Chinese_Rumor_Dataset; cascades: O'Brien et al. 2020);
their ids, names and texts are invented.  Corpus tests read ../shared/corpus/propagation.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import time
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import ParseContext, default_registry
from forensics.parsers.base import Builder
from forensics.parsers.reposts import (
    CASCADE_MEDIA_TYPE,
    CED_POST_MEDIA_TYPE,
    CED_REPOSTS_MEDIA_TYPE,
    CSV_MEDIA_TYPE,
    JSON_MEDIA_TYPE,
    PARSERS,
    CascadeEdgesParser,
    CedPostParser,
    CedRepostsParser,
    RepostCsvParser,
    RepostDetail,
    RepostJsonParser,
    SocialPost,
    parse_chain,
    parse_displayed_count,
    parse_displayed_time,
    resolve_parent_reposts,
)
from forensics.records import Origin, Repost
from forensics.timestamps import parse_iso8601
from tests.parsers.conftest import parse_bytes, parse_file

CST = timezone(timedelta(hours=8))

# -- fixtures ------------------------------------------------------------------------------------
# The documented form, UTF-8 with BOM, as a platform would hand it over: the original (empty
# parent), an explicit repost, a repost whose parent is only stated by its //@ chain, and a
# repost whose time is shown relative to the capture ("3分钟前").
GOOD_CSV = (
    "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,"
    "parent_repost_id\r\n"
    "P1,100,张三,,2026-11-20 14:32,原帖：某公司老板卷款跑路了,1.2万,R0,\r\n"
    "P1,200,李四_2024,100,2026-11-20T14:40:00+08:00,转发微博,\"3,456\",R1,R0\r\n"
    "P1,300,王五,,11-20 15:01,说得对//@李四_2024:转发微博,10万+,R2,\r\n"
    "P1,400,赵六,200,3分钟前,\"顶 //@李四_2024： 转发微博\",12,R3,\r\n"
).encode("utf-8-sig")

# The same header without the required ``time`` column.
BAD_CSV = (
    "post_id,account_id,account_name,parent_account_id,text\n"
    "P1,100,张三,,原帖\n"
).encode()

GOOD_JSON = json.dumps({
    "format": "forensics-reposts", "version": 1, "post_id": "P9",
    "reposts": [
        {"account_id": 100, "account_name": "张三", "parent_account_id": "",
         "time": "2026-11-20T14:32:00+08:00", "text": "原帖", "views": 1500,
         "likes": "2.3万"},
        {"account_id": "200", "account_name": "李四", "parent_account_id": "100",
         "time": "2026年11月20日 14:40", "text": "转发微博", "views": "１２３"},
    ],
}, ensure_ascii=False).encode()

# CED repost file shape: a JSON array of {mid, uid, parent, kids, text, date}.
CED_REPOSTS = json.dumps([
    {"kids": ["m2"], "uid": "u1", "parent": "", "text": "可怕", "mid": "m1",
     "date": "2012-12-01 19:50:16"},
    {"kids": [], "uid": "u2", "parent": "m1", "text": "", "mid": "m2",
     "date": "2012-12-01 20:00:00"},
    {"kids": [], "uid": "u3", "parent": "", "text": "转发微博", "mid": "m3",
     "date": "2012-12-02 08:00:00"},
], ensure_ascii=False).encode()
CED_NAME = "7_srcMid_9999.json"

# CED original-microblog shape, with the Weibo API time string form.
CED_POST = json.dumps({
    "multi": None, "text": "原文//@某人:说法", "user": {
        "verified": False, "description": True, "gender": "f", "messages": 10,
        "followers": 20, "location": "北京", "time": 1328503522, "friends": 30,
        "verified_type": -1},
    "has_url": False, "comments": 5, "pics": 0, "source": "微博 weibo.com", "likes": 1,
    "time": "Tue Apr 12 00:44:52 +0800 2011", "reposts": 7,
}, ensure_ascii=False).encode()

# Cascade edge list shape (child,parent,tree_id,generation; seed 1 has no row).
CASCADE = b"2,1,161,1\n3,1,161,1\n4,2,161,2\n2,1,170,1\n"


def ctx_for(data: bytes, name: str = "sample", captured_at: datetime | None = None,
            default_zone: str | None = "Asia/Shanghai") -> ParseContext:
    return ParseContext("E0001", hashlib.sha256(data).hexdigest(), name, len(data),
                        default_zone=default_zone, captured_at=captured_at)


def run(parser_cls, data: bytes, **kw):
    """Call a parser directly (not through the registry's net) and build the artifact."""
    p = parser_cls()
    ctx = ctx_for(data, **kw)
    b = Builder(p, ctx)
    p.parse(io.BytesIO(data), ctx, b)
    return b.build(parser_cls.media_types[0])


def messages(a) -> list[tuple[str, str]]:
    return [(w.location, w.message) for w in a.warnings]


# -- the documented CSV form ---------------------------------------------------------------------
def test_good_csv_records_events_and_metadata():
    a = parse_bytes(GOOD_CSV, "reposts.csv")
    assert a.media_type == CSV_MEDIA_TYPE and a.parsed and a.parser == "reposts"
    r = a.records
    assert all(isinstance(x, RepostDetail) and isinstance(x, Repost) for x in r)
    assert [x.row for x in r] == [1, 2, 3, 4]
    assert [x.parent_source for x in r] == ["", "explicit", "chain", "explicit"]
    assert [x.parent_account_id for x in r] == ["", "100", "200", "200"]
    assert [x.chain for x in r] == [(), (), ("李四_2024",), ("李四_2024",)]
    assert [x.views for x in r] == [12000, 3456, 100000, 12]
    assert [x.views_shown for x in r] == ["1.2万", "3,456", "10万+", "12"]
    assert [x.approximate for x in r] == [("views",), (), ("views",), ()]
    assert r[0].time.to_json()["utc"] == "2026-11-20T06:32:00Z"
    assert (r[0].time.zone.value, r[0].time.zone_name) == ("assumed", "Asia/Shanghai")
    assert r[1].time.zone.value == "explicit" and r[1].time.to_json()["utc"] == \
        "2026-11-20T06:40:00Z"
    assert r[2].time is None and r[2].time_shown == "11-20 15:01"
    assert r[3].time is None and r[3].time_shown == "3分钟前"
    assert (r[1].repost_id, r[1].parent_repost_id) == ("R1", "R0")
    assert r[0].text == "原帖：某公司老板卷款跑路了" and r[0].location == "row 1"
    # Events only for rows whose time is known; the original is "Posted".
    assert [(e.description, e.actor, e.data_type) for e in a.events] == [
        ("Posted", "张三 (100)", "social:repost"), ("Reposted", "李四_2024 (200)", "social:repost")]
    assert a.events[0].time.source == "repost:time"
    m = a.metadata
    assert (m["File:FileType"], m["Reposts:Encoding"], m["Reposts:Rows"], m["Reposts:Posts"],
            m["Reposts:PostID"], m["Reposts:Originals"], m["Reposts:ParentsFromChain"],
            m["Reposts:TimesUnresolved"], m["Reposts:DuplicateRows"]) == (
        "CSV", "UTF-8 (BOM)", 4, 1, "P1", 1, 1, 2, 0)
    # One summary warning for the two capture-relative times, one for the rounded views.
    assert messages(a) == [
        ("column time", "2 rows show times relative to the capture time (e.g. '11-20 15:01' on "
                        "row 3); set the capture time (captured_at) to resolve them"),
        ("column views", "2 rows show a rounded or lower-bound views count (e.g. row 1: '1.2万' "
                         "read as 12000, approximate); rows 1, 3; the shown text is kept"),
    ]


def test_good_csv_with_capture_time_resolves_displayed_times():
    cap = datetime(2026, 11, 20, 16, 0, tzinfo=CST)
    a = run(RepostCsvParser, GOOD_CSV, captured_at=cap)
    r = a.records
    assert r[2].time.to_json()["utc"] == "2026-11-20T07:01:00Z"
    assert r[2].time.source == "repost:time(displayed)" and r[2].time.zone.value == "assumed"
    assert (r[3].time.to_json()["earliest"], r[3].time.to_json()["latest"]) == (
        "2026-11-20T07:56:00Z", "2026-11-20T07:57:00Z")
    assert a.metadata["Reposts:TimesUnresolved"] == 0
    assert len(a.events) == 4 and len(a.warnings) == 1  # only the views summary


# The example of docs/formats/reposts.md, section 1.6 (kept equal to it).
DOC_EXAMPLE_CSV = """\
post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id
P1,100,张三,,2026-11-20T14:32:00+08:00,原帖：某公司老板卷款跑路了,1.2万,R0,
P1,200,李四,100,2026-11-20T14:40:00+08:00,转发微博,"3,456",R1,R0
P1,300,王五,200,2026-11-20 15:01,说得对//@李四:转发微博,10万+,R2,R1
P1,400,赵六,,3分钟前,顶//@李四:转发微博,12,R3,
""".encode()


def test_doc_example_reads_as_documented():
    a = parse_bytes(DOC_EXAMPLE_CSV, "example.csv")
    assert [(r.parent_account_id, r.parent_source, r.views) for r in a.records] == [
        ("", "", 12000), ("100", "explicit", 3456), ("200", "explicit", 100000),
        ("200", "chain", 12)]
    assert a.records[3].time is None and len(a.warnings) == 2


def test_csv_missing_required_column_is_wrong_format():
    a = parse_bytes(BAD_CSV, "bad.csv", media_type=CSV_MEDIA_TYPE)
    assert not a.parsed and a.records == () and a.events == ()
    assert "lacks the required column(s) time" in a.unparsed_reason
    with pytest.raises(WrongFormat, match="post_id, account_id, parent_account_id, time"):
        run(RepostCsvParser, b"a,b\n1,2\n")
    with pytest.raises(WrongFormat, match="no header row"):
        run(RepostCsvParser, b"\n\n")


def test_gb18030_csv():
    data = GOOD_CSV.decode("utf-8-sig").encode("gb18030")
    a = parse_bytes(data, "gbk.csv")
    assert a.media_type == CSV_MEDIA_TYPE and a.metadata["Reposts:Encoding"] == "GB18030"
    assert [x.account_name for x in a.records] == ["张三", "李四_2024", "王五", "赵六"]


def test_csv_data_quality_warnings():
    data = (
        "post_id,account_id,account_name,parent_account_id,time,text,views,extra\n"
        "P1,1E+15,甲,,2026-11-20 14:32,原帖,12,\n"          # id rounded by a spreadsheet
        "P1,200,乙,100,2026-11-20 14:40,转发,,x,y\n"         # too many fields
        "P1,,丙,,,//@乙:好,,\n"                               # missing values; parent by chain
        "P1,300,丙,300,2026-11-20 14:41,自己,多,\n"          # self-repost; views not a number
        "P2,400,丁,,2026-11-20 14:50,a,,\n"
        "P2,401,戊,,2026-11-20 14:51,b,,\n"                  # a second original of P2
        ",,,,,,,\n"                                          # empty row
        "P2,402,己,,2026-11-20 14:52,//@戊: c,,\n"
        "P2,402,己,,2026-11-20 14:52,//@戊: c,,\n"            # exact duplicate
        "P2,403,庚,401,2026-11-20 14:53,d\n"                 # too few fields
    ).encode()
    a = parse_bytes(data, "q.csv")
    assert a.parsed and len(a.records) == 9
    assert messages(a) == [
        ("header", "column 'extra' (column 8) is not in the repost-list form; ignored"),
        ("row 1", "account_id '1E+15' looks like a number a spreadsheet rounded; the real id is "
                  "lost (save id columns as text)"),
        ("row 2", "9 fields but the header has 8; the extra fields are ignored"),
        ("row 3", "missing required value(s): account_id, time"),
        ("row 4", "views '多' is not a number; kept as shown only"),
        ("row 10", "6 fields but the header has 8; the missing ones read as empty"),
        ("row 7", "empty rows skipped: 7"),
        ("row 6", "post 'P2' has 2 originals (rows with no parent): rows 5, 6"),
        ("row 4", "self-repost: account '300' is its own parent"),
        ("row 8", "exact duplicate rows: row 8 appears 2 times (rows 8, 9); all kept"),
    ]
    r = {x.row: x for x in a.records}
    assert (r[3].parent_account_id, r[3].parent_source) == ("200", "chain")
    assert (r[8].parent_account_id, r[9].parent_source) == ("401", "chain")
    assert r[4].views is None and r[4].views_shown == "多"
    assert a.metadata["Reposts:DuplicateRows"] == 1 and a.metadata["Reposts:Originals"] == 3


def test_chain_names_resolved_only_when_unique():
    data = (
        "post_id,account_id,account_name,parent_account_id,time,text\n"
        "P,1,A,,2026-11-20 10:00,原帖\n"
        "P,2,B,1,2026-11-20 10:01,x\n"
        "P,3,B,1,2026-11-20 10:02,同名\n"
        "P,4,C,,2026-11-20 10:03,y//@B:x\n"          # B is the name of two accounts
        "P,5,D,,2026-11-20 10:04,z//@无此人:x\n"      # not in the file
        "P,6,E,2,2026-11-20 10:05,w//@C:y//@B:x\n"    # explicit parent 2, chain says C (4)
    ).encode()
    a = parse_bytes(data, "n.csv")
    r = a.records
    assert [(x.parent_account_id, x.parent_source) for x in r[3:]] == [
        ("", "chain"), ("", "chain"), ("2", "explicit")]
    assert r[3].chain == ("B",) and r[4].chain == ("无此人",) and r[5].chain == ("C", "B")
    assert messages(a) == [
        ("row 4", "no parent_account_id; the //@ chain names 'B', the account_name of 2 "
                  "accounts (2, 3); kept as a name (chain[0])"),
        ("row 5", "no parent_account_id; the //@ chain names '无此人', who is not in the "
                  "account_name column; kept as a name (chain[0])"),
        ("row 6", "parent_account_id '2' but the //@ chain names 'C' (account '4') first"),
        ("column parent_repost_id", "1 rows name a parent account with several reposts of the "
                                    "post and no parent_repost_id; the spread analysis takes "
                                    "the parent's latest repost at or before the child's time "
                                    "(rows 4)"),
    ]


def test_every_original_states_a_chain_the_earliest_is_the_original():
    # A post that is itself a repost of something else keeps its own chain (as CED sources do).
    data = (
        "post_id,account_id,account_name,parent_account_id,time,text\n"
        "P,2,B,,2026-11-20 10:05,再转//@A:原文\n"
        "P,1,A,,2026-11-20 10:00,看看//@X:原文\n"
    ).encode()
    a = parse_bytes(data, "c.csv")
    assert [(x.account_id, x.parent_source, x.parent_account_id) for x in a.records] == [
        ("2", "chain", "1"), ("1", "", "")]
    assert [e.description for e in a.events] == ["Reposted", "Posted"]


def test_year_boundary_with_capture_time():
    data = ("post_id,account_id,account_name,parent_account_id,time,text\n"
            "P,1,A,,12-31 23:50,x\nP,2,B,1,01-01 00:01,y\nP,3,C,1,刚刚,z\n").encode()
    cap = datetime(2027, 1, 1, 0, 5, tzinfo=CST)
    a = run(RepostCsvParser, data, captured_at=cap)
    assert [x.time.to_json()["earliest"] for x in a.records] == [
        "2026-12-31T15:50:00Z", "2026-12-31T16:01:00Z", "2026-12-31T16:04:00Z"]
    assert a.records[2].time.to_json()["latest"] == "2026-12-31T16:05:00Z"
    assert a.warnings == ()


def test_time_after_capture_and_bad_time_are_warned():
    data = ("post_id,account_id,account_name,parent_account_id,time,text\n"
            "P,1,A,,今天 23:00,x\nP,2,B,1,2026-13-01 10:00,y\nP,3,C,1,下午两点,z\n").encode()
    a = run(RepostCsvParser, data, captured_at=datetime(2026, 11, 20, 10, 0, tzinfo=CST))
    assert [w[0] for w in messages(a)] == ["row 1", "row 2", "row 3"]
    assert messages(a)[0][1] == "time '今天 23:00' resolves after the capture time"
    assert "impossible date" in messages(a)[1][1]
    assert "is in no form this reader knows" in messages(a)[2][1]


def test_latest_before_rule_is_reported():
    data = (b"post_id,account_id,account_name,parent_account_id,time,text\n"
            b"P,1,A,,2026-11-20 10:00,o\nP,2,B,1,2026-11-20 10:05,r1\n"
            b"P,2,B,1,2026-11-20 10:20,r2\nP,3,C,2,2026-11-20 10:10,c\n"
            b"P,4,D,2,2026-11-20 10:01,too early\n")
    a = parse_bytes(data, "l.csv")
    assert a.metadata["Reposts:ParentsByLatestRule"] == 1
    assert messages(a) == [
        ("column parent_repost_id", "1 rows name a parent account with several reposts of the "
                                    "post and no parent_repost_id; the spread analysis takes "
                                    "the parent's latest repost at or before the child's time "
                                    "(rows 4)"),
        ("row 5", "parent repost not determined: none of the 2 rows of account '2' is at or "
                  "before this row's time"),
    ]


def test_csv_line_over_the_limit_is_refused(monkeypatch):
    import forensics.parsers.reposts as mod

    monkeypatch.setattr(mod, "MAX_LINE_BYTES", 100)
    data = GOOD_CSV + b"P1," + b"x" * (3 << 20) + b"\n"
    with pytest.raises(WrongFormat, match="longer than 100 bytes"):
        run(RepostCsvParser, data)


def test_csv_field_over_csv_limit_is_skipped_with_a_warning():
    data = GOOD_CSV + b'P1,500,A,100,2026-11-20 15:00,"' + b"x" * 140_000 + b'"\r\n'
    a = run(RepostCsvParser, data)
    assert len(a.records) == 4
    assert ("row 5", "unreadable CSV row (field larger than field limit (131072)); skipped") \
        in messages(a)


def test_undecodable_bytes_are_replaced_with_a_warning():
    data = GOOD_CSV + b"P1,500,A,100,2026-11-20 15:00," + b"\xff\xfe\x80\r\n"
    a = run(RepostCsvParser, data)
    assert len(a.records) == 5 and "\ufffd" in a.records[4].text
    assert any("neither valid UTF-8 nor GB18030" in m for _, m in messages(a))


def test_a_few_thousand_rows_parse_well_under_a_second():
    lines = ["post_id,account_id,account_name,parent_account_id,time,text,views"]
    lines.append("P,0,u0,,2026-11-20 10:00,原帖,1")
    lines += [f"P,{i},u{i},{i // 2},2026-11-20 {10 + i // 3600:02d}:{i // 60 % 60:02d},"
              f"转发//@u{i // 2}:x,{i}" for i in range(1, 5000)]
    data = "\n".join(lines).encode()
    t = time.perf_counter()
    a = run(RepostCsvParser, data)
    assert time.perf_counter() - t < 1.0
    assert len(a.records) == 5000 and len(a.events) == 5000 and a.warnings == ()


# -- the documented JSON form --------------------------------------------------------------------
def test_good_json():
    a = parse_bytes(GOOD_JSON, "reposts.json")
    assert a.media_type == JSON_MEDIA_TYPE and a.parsed
    r = a.records
    assert [(x.post_id, x.account_id, x.parent_account_id, x.parent_source) for x in r] == [
        ("P9", "100", "", ""), ("P9", "200", "100", "explicit")]
    assert [x.views for x in r] == [1500, 123] and r[0].likes == 23000
    assert r[1].time.to_json()["utc"] == "2026-11-20T06:40:00Z"
    assert a.metadata["Reposts:FormatVersion"] == 1 and a.metadata["File:FileType"] == "JSON"
    assert [e.description for e in a.events] == ["Posted", "Reposted"]
    assert messages(a) == [
        ("column likes", "1 rows show a rounded or lower-bound likes count (e.g. row 1: '2.3万' "
                         "read as 23000, approximate); rows 1; the shown text is kept")]


def test_json_wrong_version_and_bad_entries():
    doc = json.loads(GOOD_JSON)
    doc["version"] = 2
    a = parse_bytes(json.dumps(doc).encode(), "v2.json")
    assert a.media_type == JSON_MEDIA_TYPE and not a.parsed
    assert a.unparsed_reason == ("forensics-reposts version 2 is not read by this parser (it "
                                 "reads version 1)")
    doc["version"] = 1
    doc["reposts"] = [["not", "an", "object"], {"account_id": [1], "time": "x", "post_id": "",
                                                "colour": "red"}]
    a = parse_bytes(json.dumps(doc).encode(), "bad.json")
    assert a.parsed and len(a.records) == 1 and a.records[0].row == 2
    assert messages(a) == [
        ("row 1", "entry is a list, not an object; skipped"),
        ("row 2", "account_id is a list, not a string or a number; ignored"),
        ("row 2", "missing required value(s): account_id"),
        ("row 2", "repost:time: time 'x' is in no form this reader knows (ISO 8601, "
                  "'YYYY-MM-DD HH:MM', 'YYYY年MM月DD日 HH:MM', 'MM-DD HH:MM', '今天 HH:MM', "
                  "'N分钟前', '刚刚')"),
        ("key colour", "not in the repost-list form; ignored on 1 rows"),
    ]
    with pytest.raises(WrongFormat, match="invalid JSON"):
        run(RepostJsonParser, b'{"format": "forensics-reposts", ')


# -- Weibo CED -----------------------------------------------------------------------------------
def test_ced_reposts_fixture():
    a = parse_bytes(CED_REPOSTS, CED_NAME)
    assert a.media_type == CED_REPOSTS_MEDIA_TYPE and a.parsed and a.warnings == ()
    r = a.records
    assert [(x.post_id, x.account_id, x.parent_account_id, x.repost_id, x.parent_repost_id)
            for x in r] == [("srcMid", "u1", "9999", "m1", ""), ("srcMid", "u2", "u1", "m2", "m1"),
                            ("srcMid", "u3", "9999", "m3", "")]
    assert {x.parent_source for x in r} == {"explicit"}
    t = r[0].time
    assert (t.to_json()["utc"], t.zone.value, t.zone_name, t.source) == (
        "2012-12-01T11:50:16Z", "assumed", "Asia/Shanghai", "weibo:date")
    m = a.metadata
    assert (m["Reposts:MaxDepth"], m["Reposts:DirectChildren"], m["Reposts:DepthHistogram"],
            m["Reposts:EmptyTexts"], m["Reposts:FirstTimeShown"], m["Reposts:LastTimeShown"]) == (
        2, 2, "1=2, 2=1", 1, "2012-12-01 19:50:16", "2012-12-02 08:00:00")
    assert [e.description for e in a.events] == ["Reposted"] * 3


def test_ced_reposts_bad_parts_and_unknown_name():
    bad = json.dumps([{"mid": "a", "uid": "u", "parent": "zz", "kids": ["q"], "text": 5,
                       "date": "12月01日 19:50"}, 7, {"mid": "a", "uid": "v", "parent": "",
                                                      "kids": [], "date": ""}]).encode()
    a = parse_bytes(bad, "renamed.json")
    assert a.media_type == CED_REPOSTS_MEDIA_TYPE and a.parsed and len(a.records) == 2
    assert messages(a) == [
        ("file name", "'renamed.json' is not <n>_<mid>_<uid>.json: the source post and its "
                      "author are unknown; direct reposts get no parent account"),
        ("row 2", "entry is a int, not an object; skipped"),
        ("-", "mid 'a' appears 2 times; all kept"),
        ("row 1", "parent 'zz' is not in the file; no parent account"),
        ("row 3", "no date"),
        ("column date", "1 rows show times relative to the capture time (e.g. '12月01日 19:50' "
                        "on row 1); set the capture time (captured_at) to resolve them"),
        ("-", "1 kids entries do not name a record whose parent is the record listing them"),
        ("-", "1 records have no depth (their parents lead to a mid not in the file, or round "
              "in a cycle)"),
    ]
    assert a.records[0].text == "5"
    with pytest.raises(WrongFormat, match="no 'mid'"):
        run(CedRepostsParser, b'[{"a": 1}]')


def test_ced_post_fixture():
    a = parse_bytes(CED_POST, "3_abcMid_12345.json")
    assert a.media_type == CED_POST_MEDIA_TYPE and a.parsed and a.warnings == ()
    (p,) = a.records
    assert isinstance(p, SocialPost) and p.data_type == "social:post"
    assert (p.post_id, p.account_id, p.reposts, p.comments, p.likes, p.chain, p.client) == (
        "abcMid", "12345", 7, 5, 1, ("某人",), "微博 weibo.com")
    assert (p.time.to_json()["utc"], p.time.zone_name, p.time.source) == (
        "2011-04-11T16:44:52Z", "+08:00", "weibo:time")
    assert p.account_created.to_json()["utc"] == "2012-02-06T04:45:22Z"
    (e,) = a.events
    assert (e.description, e.data_type, e.actor) == ("Posted", "social:post", "12345")
    with pytest.raises(WrongFormat):
        run(CedPostParser, b"[1, 2]")


def test_ced_post_bad_time_is_a_warning():
    doc = json.loads(CED_POST)
    doc["time"] = "yesterday"
    a = run(CedPostParser, json.dumps(doc).encode(), name="x.json")
    assert a.records[0].time is None and a.events == ()
    assert messages(a) == [("time", "weibo:time: 'yesterday' is neither Unix seconds nor a "
                                    "Weibo API date ('Tue Apr 12 00:44:52 +0800 2011')")]


# -- cascade edge lists --------------------------------------------------------------------------
def test_cascade_fixture():
    a = parse_bytes(CASCADE, "cascade.csv")
    assert a.media_type == CASCADE_MEDIA_TYPE and a.parsed and a.warnings == ()
    assert [(x.post_id, x.account_id, x.parent_account_id, x.generation, x.row, x.time)
            for x in a.records] == [("161", "2", "1", 1, 1, None), ("161", "3", "1", 1, 2, None),
                                    ("161", "4", "2", 2, 3, None), ("170", "2", "1", 1, 4, None)]
    m = a.metadata
    assert (m["Reposts:Rows"], m["Reposts:Trees"], m["Reposts:Nodes"],
            m["Reposts:MaxGeneration"], m["Reposts:StarTrees"]) == (4, 2, 6, 2, 1)
    assert a.events == ()


def test_cascade_bad_lines():
    data = b"2,1,5,1\n3,9,5,2\nx,y\n4,2,5,3\n2,1,5,1\n"
    a = run(CascadeEdgesParser, data)
    assert len(a.records) == 4
    assert messages(a) == [
        ("line 3", "not four integers: 'x,y\\n'; skipped"),
        ("line 5", "tree 5: node 2 already has a row (line 1); kept"),
        ("line 2", "tree 5: parent 9 of node 3 has no row"),
        ("line 4", "tree 5: node 4 has generation 3, its parent 2 has 1"),
    ]
    with pytest.raises(WrongFormat, match="not four integers"):
        run(CascadeEdgesParser, b"child,parent,tree,generation\n2,1,5,1\n")
    a = parse_bytes(b"child,parent,tree,generation\n2,1,5,1\n", media_type=CASCADE_MEDIA_TYPE)
    assert not a.parsed and a.records == () and "not four integers" in a.unparsed_reason


# -- detection -----------------------------------------------------------------------------------
def test_detection_of_the_fixtures_and_not_of_other_formats():
    detect = default_registry().detect
    assert detect(GOOD_CSV) == CSV_MEDIA_TYPE
    assert detect(GOOD_CSV.decode("utf-8-sig").encode("gb18030")) == CSV_MEDIA_TYPE
    assert detect(GOOD_JSON) == JSON_MEDIA_TYPE
    assert detect(CED_REPOSTS) == CED_REPOSTS_MEDIA_TYPE
    assert detect(CED_POST) == CED_POST_MEDIA_TYPE
    assert detect(CASCADE) == CASCADE_MEDIA_TYPE
    ours = {CSV_MEDIA_TYPE, JSON_MEDIA_TYPE, CED_REPOSTS_MEDIA_TYPE, CED_POST_MEDIA_TYPE,
            CASCADE_MEDIA_TYPE}
    others = [
        b"From: a@example.com\r\nTo: b@example.com\r\nSubject: hi\r\n\r\nbody\r\n",
        "time,sender,text\n2026-11-20 14:32,李四,转发过五百了\n".encode(),
        b"<!DOCTYPE html><html><head><title>x</title></head><body>1,2,3,4</body></html>",
        b"a,b,c,d\n1,2,3,4\n",
        b"child,parent,tree,generation\n2,1,5,1\n",
        b"1,2,3\n4,5,6\n",
        b"2,1,5,0\n",
        b'{"name": "x", "type": "personal_chat", "messages": [{"id": 1, "text": "hi"}]}',
        b'[{"id": 1, "text": "hi", "date": "2026-11-20"}]',
        b'{"text": "x", "time": 1, "reposts": 2, "comments": 3}',  # no user object
        b"post_id,account_id,time,text\nP,1,2026-11-20 10:00,x\n",  # no parent column
        b"2026-11-20 14:32 \xe6\x9d\x8e\xe5\x9b\x9b: hi\n",
    ]
    for data in others:
        assert detect(data) not in ours, data


# -- chains, counts, displayed times, parent resolution ------------------------------------------
@pytest.mark.parametrize(("text", "chain"), [
    ("转发理由//@B: 说得对//@A: 原文", ("B", "A")),
    ("//@B：说得对 //@A ： 原文", ("B", "A")),
    ("转发微博", ()),
    ("转发微博//@用户_12-x:转发微博", ("用户_12-x",)),
    ("／／＠全角：文字", ("全角",)),
    ("邮件 a@b.com 与 http://x.cn/a", ()),
    ("//@" + "长" * 31 + ":x", ()),
    ("//@ 有空格 名字:x", ()),  # names have no spaces
])
def test_parse_chain(text, chain):
    assert parse_chain(text) == chain


@given(st.text())
@settings(max_examples=150, deadline=None)
def test_parse_chain_never_raises(text):
    assert isinstance(parse_chain(text), tuple)


_NAME = st.text(alphabet=st.sampled_from("张三李四王五ab_XY09-"), min_size=1, max_size=30)
_COMMENT = st.text(alphabet=st.characters(blacklist_characters="/／@＠",
                                          blacklist_categories=("Cs",)), max_size=20)


@given(st.text(alphabet=st.characters(blacklist_characters="/／@＠",
                                      blacklist_categories=("Cs",)), max_size=20),
       st.lists(st.tuples(_NAME, _COMMENT, st.sampled_from([":", "：", " :", "： "])),
                max_size=6))
@settings(max_examples=150, deadline=None)
def test_parse_chain_round_trip(own, links):
    text = own + "".join(f"//@{name}{colon}{comment}" for name, comment, colon in links)
    assert parse_chain(text) == tuple(name for name, _, _ in links)


@pytest.mark.parametrize(("shown", "expected"), [
    ("3,456", (3456, "exact")), ("３４５６", (3456, "exact")), ("1.2万", (12000, "approximate")),
    ("10万+", (100000, "at least")), ("999+", (999, "at least")), ("1.5亿", (150000000,
                                                                          "approximate")),
    ("3k", (3000, "approximate")), ("2.5w", (25000, "approximate")), ("", None),
])
def test_parse_displayed_count(shown, expected):
    assert parse_displayed_count(shown) == expected


@pytest.mark.parametrize("shown", ["12.5", "-3", "1,23", "多", "1万万", "1e5"])
def test_parse_displayed_count_refuses(shown):
    with pytest.raises(ValueError):
        parse_displayed_count(shown)


CAP = datetime(2026, 11, 20, 10, 0, tzinfo=UTC)  # 18:00 in Beijing


@pytest.mark.parametrize(("shown", "earliest", "latest"), [
    ("3分钟前", "2026-11-20T09:56:00Z", "2026-11-20T09:57:00Z"),
    ("３分钟前", "2026-11-20T09:56:00Z", "2026-11-20T09:57:00Z"),
    ("10秒前", "2026-11-20T09:59:49Z", "2026-11-20T09:59:50Z"),
    ("2小时前", "2026-11-20T07:00:00Z", "2026-11-20T08:00:00Z"),
    ("1天前", "2026-11-18T10:00:00Z", "2026-11-19T10:00:00Z"),
    ("刚刚", "2026-11-20T09:59:00Z", "2026-11-20T10:00:00Z"),
    ("今天 09:15", "2026-11-20T01:15:00Z", "2026-11-20T01:15:00Z"),
    ("昨天 14:02", "2026-11-19T06:02:00Z", "2026-11-19T06:02:00Z"),
    ("前天14:02", "2026-11-18T06:02:00Z", "2026-11-18T06:02:00Z"),
    ("11-20 14:32", "2026-11-20T06:32:00Z", "2026-11-20T06:32:00Z"),
    # More than a day (NO_YEAR_SLACK) after the capture: the year before.  Within a day the
    # capture year is kept (a clock or zone problem for a finding, not a post a year older).
    ("11月22日 14:32", "2025-11-22T06:32:00Z", "2025-11-22T06:32:00Z"),
    ("11月21日 14:32", "2026-11-21T06:32:00Z", "2026-11-21T06:32:00Z"),
])
def test_displayed_times_against_capture(shown, earliest, latest):
    t = parse_displayed_time(shown, "repost:time", captured_at=CAP)
    assert (t.to_json()["earliest"], t.to_json()["latest"]) == (earliest, latest)
    assert t.source == "repost:time(displayed)" and t.zone.value == "assumed"
    assert t.original == shown
    assert parse_displayed_time(shown, "repost:time") is None


def test_year_boundary_displayed_time():
    cap = datetime(2027, 1, 1, 0, 5, tzinfo=CST)
    t = parse_displayed_time("12-31 23:50", "repost:time", captured_at=cap)
    assert t.to_json()["utc"] == "2026-12-31T15:50:00Z"
    t = parse_displayed_time("01-01 00:04", "repost:time", captured_at=cap)
    assert t.to_json()["utc"] == "2026-12-31T16:04:00Z"
    # Naive capture times are read in the default zone.
    t = parse_displayed_time("12-31 23:50", "repost:time", captured_at=datetime(2027, 1, 1, 0, 5))
    assert t.to_json()["utc"] == "2026-12-31T15:50:00Z"


@pytest.mark.parametrize(("shown", "utc", "zone"), [
    ("2026-11-20T14:32:00+08:00", "2026-11-20T06:32:00Z", "explicit"),
    ("2026-11-20T06:32:00Z", "2026-11-20T06:32:00Z", "explicit"),
    ("2026-11-20 14:32", "2026-11-20T06:32:00Z", "assumed"),
    ("2026-11-20 14:32:05", "2026-11-20T06:32:05Z", "assumed"),
    ("2026/11/20 14:32", "2026-11-20T06:32:00Z", "assumed"),
    ("2026/1/2 4:32", "2026-01-01T20:32:00Z", "assumed"),
    ("2026年11月20日 14:32", "2026-11-20T06:32:00Z", "assumed"),
    ("２０２６－１１－２０ １４：３２", "2026-11-20T06:32:00Z", "assumed"),
])
def test_absolute_displayed_times(shown, utc, zone):
    t = parse_displayed_time(shown, "repost:time")
    assert (t.to_json()["utc"], t.zone.value, t.source, t.original) == (
        utc, zone, "repost:time", shown)


def test_displayed_time_errors_and_unknown_zone():
    for bad in ("", "下午两点", "2026-02-30 10:00", "13-01 10:00", "0001-01-01 00:00"):
        with pytest.raises(ValueError):
            parse_displayed_time(bad, "repost:time", captured_at=CAP)
    t = parse_displayed_time("2026-11-20 14:32", "repost:time", default_zone=None)
    assert t.zone.value == "unknown" and t.utc is None


@given(st.text(max_size=40), st.booleans())
@settings(max_examples=150, deadline=None)
def test_displayed_time_raises_only_value_error(text, with_capture):
    with contextlib.suppress(ValueError):
        parse_displayed_time(text, "repost:time", captured_at=CAP if with_capture else None)


def _r(row, who, parent="", hhmm="10:00", **kw):
    o = Origin(None, "00" * 32, "reposts", "1")
    t = parse_iso8601(f"2026-11-20T{hhmm}+08:00", "repost:time") if hhmm else None
    return Repost(o, f"row {row}", post_id="P", account_id=who, parent_account_id=parent,
                  time=t, row=row, **kw)


def test_resolve_parent_reposts_rules():
    rows = [
        _r(1, "A", "", "10:00", repost_id="a"),
        _r(2, "B", "A", "10:05", repost_id="b1"),
        _r(3, "B", "A", "10:20", repost_id="b2"),
        _r(4, "C", "B", "10:10"),                       # latest B before 10:10 is row 2
        _r(5, "D", "B", "10:20"),                       # same minute as row 3: at or before
        _r(6, "E", "B", "", ),                          # no time
        _r(7, "F", "", "10:30", parent_repost_id="b1"),  # explicit repost id
        _r(8, "G", "Z", "10:30"),                       # parent not in the list
        _r(9, "H", "", "10:31", parent_repost_id="zz"),
        _r(10, "I", "", "10:40", chain=("B",), parent_source="chain"),  # by account_name
        _r(11, "B", "A", "10:20"),                      # a third B at 10:20 -> tie for row 12
        _r(12, "J", "B", "10:25"),
    ]
    rows[9] = Repost(rows[9].origin, "row 10", post_id="P", account_id="I", time=rows[9].time,
                     row=10, chain=("B",), parent_source="chain")
    rows[1:3] = [Repost(r.origin, r.location, post_id="P", account_id="B", account_name="B",
                        parent_account_id="A", time=r.time, row=r.row, repost_id=r.repost_id)
                 for r in rows[1:3]]
    links = resolve_parent_reposts(rows)
    assert [(x.row, x.parent_row, x.rule) for x in links] == [
        (1, None, "original"), (2, 1, "only"), (3, 1, "only"), (4, 2, "latest-before"),
        (5, None, "unresolved"), (6, None, "unresolved"), (7, 2, "repost-id"),
        (8, None, "not-in-list"), (9, None, "not-in-list"), (10, 3, "latest-before"),
        (11, 1, "only"), (12, None, "unresolved")]
    assert links[4].note == "account 'B' has 2 rows at the same latest time before this row"
    assert links[5].note == "account 'B' has 3 rows for this post and this row has no time"
    # By name, for a chain parent whose name was not resolved to an id.
    rows2 = [_r(1, "A"), Repost(rows[1].origin, "row 2", post_id="P", account_id="B",
                                account_name="Bee", parent_account_id="A", row=2),
             Repost(rows[1].origin, "row 3", post_id="P", account_id="C", row=3,
                    chain=("Bee",), parent_source="chain")]
    assert [(x.parent_row, x.rule) for x in resolve_parent_reposts(rows2)] == [
        (None, "original"), (1, "only"), (2, "only")]
    assert resolve_parent_reposts([]) == ()


# -- corpus --------------------------------------------------------------------------------------
CED_FILES = ("non-rumor-repost/4882_eu7gkP_1645311413.json",
             "rumor-repost/750_z7LzLjna8_2471932630.json")


@pytest.mark.corpus
@pytest.mark.parametrize("rel", CED_FILES)
def test_corpus_ced_reposts_match_reference(corpus, rel):
    expected = json.loads((corpus / "expected-weibo.json").read_text())[
        f"propagation/weibo_ced/{rel}"]
    path = corpus / "propagation" / "weibo_ced" / rel
    assert default_registry().detect(path.read_bytes()[:65536]) == CED_REPOSTS_MEDIA_TYPE
    a = parse_file(path)
    assert a.parsed and a.media_type == CED_REPOSTS_MEDIA_TYPE and a.warnings == ()
    m, recs = a.metadata, a.records
    assert m["Reposts:Rows"] == len(recs) == expected["records"]
    assert m["Reposts:DistinctRepostIDs"] == len({r.repost_id for r in recs}) == \
        expected["distinct_mids"]
    assert m["Reposts:DuplicateRepostIDs"] == expected["duplicate_mids"]
    assert m["Reposts:Accounts"] == expected["distinct_uids"]
    assert m["Reposts:DirectChildren"] == expected["direct_children_of_source"]
    assert m["Reposts:ParentNotInFile"] == expected["parent_not_in_file"]
    assert m["Reposts:KidsInconsistent"] == expected["kids_entries_inconsistent_with_parent"]
    assert m["Reposts:MaxDepth"] == expected["max_depth"]
    assert m["Reposts:DepthHistogram"] == ", ".join(
        f"{k}={v}" for k, v in expected["depth_histogram"].items())
    assert m["Reposts:EmptyTexts"] == expected["empty_text"]
    assert sum(r.text == "转发微博" for r in recs) == expected["text_exactly_转发微博"]
    assert m["Reposts:TextsWithChain"] == expected["texts_with_slashslash_at"]
    assert sum(r.time is not None for r in recs) == expected["full_dates"]
    assert m["Reposts:FirstTimeShown"] == expected["first_date_as_shown"]
    assert m["Reposts:LastTimeShown"] == expected["last_date_as_shown"]
    assert m["Reposts:PostID"] == expected["source_mid"]
    assert m["Reposts:SourceAccount"] == expected["source_uid_from_filename"]
    assert {r.post_id for r in recs} == {expected["source_mid"]}
    assert all(r.parent_account_id == expected["source_uid_from_filename"]
               for r in recs if not r.parent_repost_id)
    assert all(r.time.zone_name == "Asia/Shanghai" for r in recs)
    assert len(a.events) == expected["records"]
    # The source post, from the original-microblog file of the same name.
    post_path = corpus / "propagation" / "weibo_ced" / "original-microblog" / path.name
    assert default_registry().detect(post_path.read_bytes()) == CED_POST_MEDIA_TYPE
    p = parse_file(post_path)
    assert p.parsed and p.warnings == ()
    (post,) = p.records
    assert post.time.to_json()["utc"].replace("Z", "+00:00") == expected["source_time_utc"]
    assert post.time_shown == str(expected["source_time_raw"])
    assert post.chain == tuple(expected["source_text_chain_names"])
    assert bool(post.chain) is expected["source_text_has_repost_chain"]
    assert (post.reposts, post.comments, post.likes) == (
        expected["displayed_reposts"], expected["displayed_comments"],
        expected["displayed_likes"])
    assert (post.post_id, post.account_id) == (expected["source_mid"],
                                               expected["source_uid_from_filename"])
    first = min(r.time.earliest for r in recs)
    assert round((first - post.time.earliest).total_seconds() / 3600, 3) == \
        expected["first_repost_minus_source_hours"]
    assert sum(r.time.earliest < post.time.earliest for r in recs) == \
        expected["reposts_before_source"]


@pytest.mark.corpus
def test_corpus_cascade_matches_reference(corpus):
    expected = json.loads((corpus / "expected-propagation.json").read_text())[
        "propagation/young_data_Marref_github.csv"]
    path = corpus / "propagation" / "young_data_Marref_github.csv"
    assert default_registry().detect(path.read_bytes()[:65536]) == CASCADE_MEDIA_TYPE
    a = parse_file(path)
    assert a.parsed and a.media_type == CASCADE_MEDIA_TYPE and a.warnings == ()
    m = a.metadata
    assert a.records[0].row == 1  # no header row
    assert expected["header_rows"] == 0
    assert (m["Reposts:Rows"], m["Reposts:Trees"], m["Reposts:Nodes"]) == (
        expected["rows"], expected["trees"], expected["nodes_incl_seed"])
    assert (m["Reposts:TreeSizeMean"], m["Reposts:TreeSizeMedian"], m["Reposts:TreeSizeMax"],
            m["Reposts:TreeSizeMin"]) == (expected["mean_tree_size"],
                                          expected["median_tree_size"],
                                          expected["max_tree_size"], expected["min_tree_size"])
    assert (m["Reposts:MaxGeneration"], m["Reposts:MeanMaxGeneration"],
            m["Reposts:StarTrees"]) == (expected["max_depth"], expected["mean_depth"],
                                        expected["trees_depth1_only"])
    assert (m["Reposts:MinTreeID"], m["Reposts:MaxTreeID"]) == (expected["min_tree_id"],
                                                                expected["max_tree_id"])
    assert (m["Reposts:DuplicateChildIDs"], m["Reposts:ParentNotSeen"],
            m["Reposts:GenerationInconsistent"]) == (expected["duplicate_child_ids"],
                                                     expected["parent_not_seen"],
                                                     expected["generation_inconsistent"])
    assert sum(r.account_id == "1" for r in a.records) == expected["rows_with_child_eq_1"]
    assert len(a.records) == expected["rows"] and a.events == ()


@pytest.mark.corpus
def test_corpus_other_files_are_not_claimed(corpus):
    detect = default_registry().detect
    ours = {CSV_MEDIA_TYPE, JSON_MEDIA_TYPE, CED_REPOSTS_MEDIA_TYPE, CED_POST_MEDIA_TYPE,
            CASCADE_MEDIA_TYPE}
    checked = 0
    for folder in ("chat", "email", "mhtml", "warc"):
        for path in sorted((corpus / folder).glob("*")):
            if path.is_file():
                assert detect(path.read_bytes()[:65536]) not in ours, path.name
                checked += 1
    assert checked > 0


# -- robustness ----------------------------------------------------------------------------------
def _safe(parser_cls, data: bytes, name: str = "sample") -> None:
    with contextlib.suppress(WrongFormat):
        run(parser_cls, data, name=name)


@given(st.binary(max_size=2048), st.sampled_from(PARSERS))
@settings(max_examples=150, deadline=None)
def test_arbitrary_bytes_never_raise(data, parser_cls):
    _safe(parser_cls, data, CED_NAME)


_GOOD = [(RepostCsvParser, GOOD_CSV), (RepostJsonParser, GOOD_JSON),
         (CedRepostsParser, CED_REPOSTS), (CedPostParser, CED_POST),
         (CascadeEdgesParser, CASCADE)]


@given(st.sampled_from(_GOOD), st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255),
                                                  st.sampled_from(["flip", "insert", "delete"])),
                                        min_size=1, max_size=8))
@settings(max_examples=150, deadline=None)
def test_mutated_good_inputs_never_raise(pair, edits):
    parser_cls, data = pair
    buf = bytearray(data)
    for pos, byte, op in edits:
        i = pos % (len(buf) + 1)
        if op == "insert":
            buf[i:i] = bytes([byte])
        elif buf and i < len(buf):
            if op == "flip":
                buf[i] = byte
            else:
                del buf[i]
    _safe(parser_cls, bytes(buf), CED_NAME)


@given(st.lists(st.lists(st.text(max_size=12), min_size=0, max_size=12), max_size=8),
       st.booleans())
@settings(max_examples=150, deadline=None)
def test_arbitrary_csv_rows_never_raise(rows, with_capture):
    head = "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id," \
           "parent_repost_id,reposts,comments,likes\n"
    body = "\n".join(",".join(json.dumps(c, ensure_ascii=False) for c in r) for r in rows)
    data = (head + body).encode("utf-8", "replace")
    p = RepostCsvParser()
    ctx = ctx_for(data, captured_at=CAP if with_capture else None)
    p.parse(io.BytesIO(data), ctx, Builder(p, ctx))
