"""Pseudonyms for third parties (forensics.pseudonyms): matching, grouping, the mapping file.

Fixtures are made here: a repost list in the documented form (docs/formats/reposts.md) whose
original is by the publisher the intake names, a chat in the generic chat form
(docs/formats/chat.md) and a one-message e-mail, all with invented names.
"""

from __future__ import annotations

import hashlib
import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.case import Case
from forensics.custody import Action
from forensics.errors import InputError
from forensics.intake import IntakeFacts
from forensics.pseudonyms import (
    MAPPING_FILE,
    Pseudonyms,
    _serialize,
    pseudonyms,
    third_parties,
)

REPOSTS = """\
post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id
P1,1001,某某大V,,2026-11-20T14:02:00+08:00,原文 @张三丰 看看,10,R0,
P1,2001,路人甲,1001,2026-11-20T14:10:00+08:00,转发微博,3,R1,R0
P1,2002,路人乙,2001,2026-11-20T14:20:00+08:00,顶//@路人甲:转发微博,4,R2,R1
"""

MORE_REPOSTS = """\
post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id
P1,2002,路人乙,2001,2026-11-20T14:20:00+08:00,顶//@路人甲:转发微博,4,R2,R1
P1,2003,路人丙,2002,2026-11-20T14:30:00+08:00,//@路人乙:顶//@路人甲:转发微博,1,R3,R2
"""

CHAT = """\
time,sender_id,sender_name,text
2026-11-20 14:35:02,wxid_li,李四,那条微博你看到了吗 @王五，
2026-11-20 14:36:10,wxid_wang,王五,看到了，路人甲也转了
"""

EML = (
    "From: Alice Wang <alice@example.com>\r\n"
    'To: bob@example.com, "Carol" <carol@example.org>\r\n'
    "Subject: 截图\r\n"
    "Date: Fri, 20 Nov 2026 15:02:11 +0800\r\n"
    "Message-ID: <m1@example.com>\r\n\r\n"
    "see the screenshot\r\n"
)

THIRD = ("路人甲", "2001", "路人乙", "2002", "张三丰", "wxid_li", "李四", "wxid_wang", "王五",
         "alice@example.com", "Alice Wang", "bob@example.com", "carol@example.org", "Carol")


@pytest.fixture
def filled(case, tmp_path):
    d = tmp_path / "captures"
    d.mkdir()
    (d / "reposts.csv").write_text(REPOSTS, encoding="utf-8")
    (d / "chat.csv").write_text(CHAT, encoding="utf-8")
    (d / "mail.eml").write_text(EML, encoding="utf-8")
    case.add([d / "reposts.csv"], facts=IntakeFacts(publisher_id="1001", platform="微博"))
    case.add([d / "chat.csv"], facts=IntakeFacts(platform="微信"))
    case.add([d / "mail.eml"])
    return case


def pseudonym_entries(case: Case):
    return [e for e in case.log.entries() if e.action == Action.PSEUDONYMS]


# --- matching -----------------------------------------------------------------------------------


def test_chinese_names_match_anywhere_and_the_longest_wins():
    p = Pseudonyms((("张三", "T0001"), ("张三丰", "T0002"), ("路人", "T0003")))
    assert p("某张三说张三丰和路人甲") == "某T0001说T0002和T0003甲"


def test_ascii_ids_match_only_as_whole_words():
    p = Pseudonyms((("uid123", "T0001"), ("bob", "T0002"), ("alice@example.com", "T0003")))
    assert p("(uid123) uid123。@uid123 //uid123/") == "(T0001) T0001。@T0001 //T0001/"
    assert p("uid1234 xuid123 uid123_a uid123.5 uid123-b") == \
        "uid1234 xuid123 uid123_a uid123.5 uid123-b"
    assert p("bob@example.com, mail.bob, bob. 给bob的") == "bob@example.com, mail.bob, T0002. 给T0002的"
    assert p("To: alice@example.com;") == "To: T0003;"


def test_case_sensitive_one_pass_and_one_character_names_never_mapped():
    p = Pseudonyms((("张三", "T0002"), ("T0002", "T0001"), ("Bob", "T0003"), ("甲", "T0004")))
    assert p("张三 T0002") == "T0002 T0001"  # the pseudonym written is not replaced again
    assert p("Bob bob BOB") == "T0003 bob BOB"
    assert p("路人甲") == "路人甲"
    assert len(p) == 4 and p.persons == 4


def test_repr_and_notebook_view_show_counts_never_names():
    p = Pseudonyms((("张三", "T0001"), ("uid123", "T0001"), ("李四", "T0002")))
    assert repr(p) == "Pseudonyms(3 identifiers, 2 persons)"
    assert "张三" not in p._repr_html_() and "uid123" not in p._repr_html_()
    assert Pseudonyms()("张三") == "张三"


def test_bad_pairs_and_non_text_are_refused():
    with pytest.raises(InputError, match="pair 1 is not two non-empty strings"):
        Pseudonyms(("ab",))  # type: ignore[arg-type]
    with pytest.raises(InputError, match="mapped twice"):
        Pseudonyms((("张三", "T0001"), ("张三", "T0002")))
    with pytest.raises(TypeError, match="not float"):
        Pseudonyms((("张三", "T0001"),))(float("nan"))  # type: ignore[arg-type]


def _reference(pairs, text):
    """The rule written naively: an alternation, longest first, each with its boundaries."""
    w = "A-Za-z0-9_"

    def word(c):
        return c.isascii() and (c.isalnum() or c == "_")

    names = sorted((r for r, _ in pairs if len(r) >= 2), key=lambda x: (-len(x), x))
    if not names:
        return text
    rx = re.compile("|".join(
        (f"(?<![{w}])(?<![{w}][.@-])" if word(n[0]) else "") + re.escape(n)
        + (f"(?![{w}])(?![.@-][{w}])" if word(n[-1]) else "") for n in names))
    table = dict(pairs)
    return rx.sub(lambda m: table[m[0]], text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text("ab张三.@-_ ", min_size=1, max_size=5), max_size=12, unique=True),
       st.text("ab张三.@-_ x", max_size=40))
def test_the_compiled_pattern_agrees_with_the_naive_rule(names, text):
    pairs = tuple((n, f"T{i:04d}") for i, n in enumerate(names))
    assert Pseudonyms(pairs)(text) == _reference(pairs, text)


def test_names_nested_hundreds_deep_compile_and_still_match_the_longest():
    pairs = tuple(("张" * i, f"T{i:04d}") for i in range(2, 400)) + tuple(
        ("ab" * i, f"T{1000 + i:04d}") for i in range(1, 200))
    p = Pseudonyms(pairs)
    for text in ("张" * 5 + "三", "张" * 399 + "三" + "张" * 401, "ab" * 150 + " " + "ab" * 150 + "c",
                 "x" + "ab" * 120 + " ab."):
        assert p(text) == _reference(pairs, text)


# --- who the third parties are ------------------------------------------------------------------


def test_third_parties_are_grouped_by_person_in_evidence_order_without_the_publisher(filled):
    groups = third_parties(filled, progress=False)
    assert groups == (
        ("张三丰",),  # a mention in the original (row 1 of E0001)
        ("2001", "路人甲"),  # the //@路人甲 chain of row 3 joins the account of row 2
        ("2002", "路人乙"),
        ("wxid_li", "李四"),  # E0002, the chat
        ("王五", "wxid_wang"),  # mentioned before it speaks: the name belongs to its id
        ("alice@example.com", "Alice Wang"),  # E0003, the e-mail
        ("bob@example.com",),
        ("carol@example.org", "Carol"),
    )
    flat = {i for g in groups for i in g}
    assert not flat & {"1001", "某某大V"}  # the intake publisher, by id, keeps its name too


def test_parties_the_expert_keeps_are_not_third_parties(filled):
    groups = third_parties(filled, keep=["路人乙", "carol@example.org"], progress=False)
    flat = {i for g in groups for i in g}
    assert not flat & {"路人乙", "2002", "carol@example.org", "Carol"}
    assert "路人甲" in flat
    with pytest.raises(InputError, match="not one string"):
        third_parties(filled, keep="路人乙", progress=False)


# --- the mapping kept in the case ---------------------------------------------------------------


def test_first_run_writes_the_file_and_one_entry_without_names(filled):
    p = pseudonyms(filled, progress=False)
    path = filled.root / MAPPING_FILE
    doc = json.loads(path.read_text(encoding="utf-8"))
    assert doc["format"] == 1
    assert [tuple(x) for x in doc["pairs"]] == list(p.pairs)
    assert dict(p.pairs)["2001"] == dict(p.pairs)["路人甲"] == "T0002"
    assert p("路人甲 (2001) 转发了某某大V (1001) 的微博，@张三丰") == \
        "T0002 (T0002) 转发了某某大V (1001) 的微博，@T0001"
    assert p("From: Alice Wang <alice@example.com>") == "From: T0006 <T0006>"
    (entry,) = pseudonym_entries(filled)
    assert dict(entry.details) == {
        "what": "third-party pseudonyms extended", "file": MAPPING_FILE,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(), "added": 14, "total": 14}
    log = (filled.root / "custody.jsonl").read_text(encoding="utf-8")
    assert not [name for name in THIRD if name in log]


def test_a_second_run_changes_nothing_and_logs_nothing(filled):
    first = pseudonyms(filled, progress=False)
    path = filled.root / MAPPING_FILE
    before = (path.read_bytes(), path.stat().st_mtime_ns)
    again = pseudonyms(filled, progress=False)
    assert again == first
    assert (path.read_bytes(), path.stat().st_mtime_ns) == before
    assert len(pseudonym_entries(filled)) == 1


def test_new_evidence_keeps_the_old_numbers_and_appends(filled, tmp_path):
    first = dict(pseudonyms(filled, progress=False).pairs)
    more = tmp_path / "more.csv"
    more.write_text(MORE_REPOSTS, encoding="utf-8")
    filled.add([more])
    second = dict(pseudonyms(filled, progress=False).pairs)
    assert {k: second[k] for k in first} == first
    assert second["路人丙"] == second["2003"] == "T0009"
    entries = pseudonym_entries(filled)
    assert [(e.details["added"], e.details["total"]) for e in entries] == [(14, 14), (2, 16)]


def test_kept_parties_are_never_replaced_even_when_mapped_before(filled):
    first = pseudonyms(filled, progress=False)
    assert first("路人乙") == "T0003"
    kept = pseudonyms(filled, keep=["2002"], progress=False)
    assert kept("路人乙 (2002)") == "路人乙 (2002)"
    assert kept("路人甲") == "T0002"
    doc = json.loads((filled.root / MAPPING_FILE).read_text(encoding="utf-8"))
    assert ["路人乙", "T0003"] in doc["pairs"]  # kept in the file: its number is not reused
    assert len(pseudonym_entries(filled)) == 1


def test_a_case_without_third_parties_writes_nothing(case):
    p = pseudonyms(case, progress=False)
    assert len(p) == 0 and p("路人甲") == "路人甲"
    assert not (case.root / MAPPING_FILE).exists()
    assert pseudonym_entries(case) == []


def test_a_pseudonym_that_is_a_real_id_is_skipped(case, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("post_id,account_id,account_name,parent_account_id,time,text\n"
                 "P1,T0001,路人甲,,2026-11-20T14:02:00+08:00,原文\n", encoding="utf-8")
    case.add([f])
    p = pseudonyms(case, progress=False)
    assert p.pairs == (("T0001", "T0002"), ("路人甲", "T0002"))


@pytest.mark.parametrize(("content", "message"), [
    (b"{not json", "not JSON"),
    (b"\xff\xfe", "not UTF-8"),
    (b'{"format": 2, "pairs": []}', "format 2"),
    (b'{"format": 1, "pairs": [["\xe5\xbc\xa0\xe4\xb8\x89", "X1"]]}', "pair 1: 'X1' is not a"),
    (b'{"format": 1, "pairs": [["ab"]]}', "pair 1 is not"),
])
def test_a_corrupt_mapping_is_refused_naming_the_file(case, content, message):
    (case.root / MAPPING_FILE).write_bytes(content)
    with pytest.raises(InputError, match=re.escape(message)) as info:
        pseudonyms(case, progress=False)
    assert MAPPING_FILE in str(info.value)
    assert (case.root / MAPPING_FILE).read_bytes() == content


def test_a_mapping_changed_by_hand_or_lost_is_refused(filled):
    pseudonyms(filled, progress=False)
    path = filled.root / MAPPING_FILE
    good = path.read_bytes()
    path.write_bytes(good.replace(b"T0002", b"T0009"))
    with pytest.raises(InputError, match="changed outside the tool"):
        pseudonyms(filled, progress=False)
    path.unlink()
    with pytest.raises(InputError, match="missing, but custody entry"):
        pseudonyms(filled, progress=False)
    path.write_bytes(good)
    assert pseudonyms(filled, progress=False)("路人甲") == "T0002"


def test_pairs_appended_by_an_interrupted_run_are_recorded(filled):
    p = pseudonyms(filled, progress=False)
    path = filled.root / MAPPING_FILE
    path.write_bytes(_serialize((*p.pairs, ("路人庚", "T0009"))))  # the write, not the entry
    again = pseudonyms(filled, progress=False)
    assert again("路人庚") == "T0009"
    assert [(e.details["added"], e.details["total"]) for e in pseudonym_entries(filled)] == \
        [(14, 14), (1, 15)]


def test_a_backup_refuses_to_make_pseudonyms(filled, tmp_path):
    filled.backup(tmp_path / "backup")
    copy = Case.open(tmp_path / "backup")
    with pytest.raises(InputError, match="backup or read-only"):
        pseudonyms(copy, progress=False)
    assert not (tmp_path / "backup" / MAPPING_FILE).exists()
    made = pseudonyms(filled, progress=False)
    filled.backup(tmp_path / "backup")  # the mapping is copied with the entry that logs it
    copy = Case.open(tmp_path / "backup")
    assert pseudonyms(copy, progress=False).pairs == made.pairs
    assert (tmp_path / "backup" / MAPPING_FILE).read_bytes() == \
        (filled.root / MAPPING_FILE).read_bytes()


def test_verify_reports_a_mapping_changed_or_removed_outside_the_tool(filled):
    from forensics.problems import PseudonymsChanged

    pseudonyms(filled, progress=False)
    assert filled.verify(record=False).ok
    path = filled.root / MAPPING_FILE
    original = path.read_bytes()
    path.write_bytes(original.replace(b"T0001", b"T0099"))
    report = filled.verify(record=False)
    (p,) = [x for x in report.problems if isinstance(x, PseudonymsChanged)]
    assert p.kind == "pseudonyms-changed" and p.found != p.expected
    path.unlink()
    (p,) = [x for x in filled.verify(record=False).problems if isinstance(x, PseudonymsChanged)]
    assert p.found == "missing"
    path.write_bytes(original)
    assert filled.verify(record=False).ok
