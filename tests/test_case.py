"""The case folder: layout, metadata, opening, items replayed from the log."""

from __future__ import annotations

import tomllib

import pytest

from forensics.case import Case, CaseMetadata
from forensics.errors import CaseExistsError, InputError, NotACaseError
from forensics.intake import IntakeFacts


def test_layout_and_metadata(case):
    for name in ("case.toml", "custody.jsonl", "store", "staging", "anchors", "derived",
                 "reports"):
        assert (case.root / name).exists(), name
    meta = tomllib.loads((case.root / "case.toml").read_text(encoding="utf-8"))["case"]
    assert meta["title"] == "测试案件" and meta["timezone"] == "Asia/Shanghai"
    (init,) = case.log.entries()
    assert init.action == "init" and init.actor == "test-examiner"
    assert init.details["metadata"]["case_number"] == "(2026)测0001号"


def test_examiner_is_the_default_actor(tmp_path, monkeypatch):
    monkeypatch.delenv("FORENSICS_ACTOR")
    c = Case.init(tmp_path / "c", examiner="王鉴定")
    assert c.log.entries()[0].actor == "王鉴定"
    assert Case.open(c.root).log.actor == "王鉴定"


def test_init_refuses_existing_content(tmp_path):
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "x").write_text("x")
    with pytest.raises(CaseExistsError):
        Case.init(tmp_path / "c")
    Case.init(tmp_path / "empty-ok")


def test_unknown_timezone(tmp_path):
    with pytest.raises(InputError, match="unknown time zone"):
        Case.init(tmp_path / "c", timezone="Asia/Beijing")
    assert not (tmp_path / "c").exists()


@pytest.mark.parametrize(("make", "reason"), [
    (lambda p: None, "no such folder"),
    (lambda p: p.write_text("x"), "not a folder"),
    (lambda p: p.mkdir(), "no case.toml"),
    (lambda p: (p.mkdir(), (p / "case.toml").write_text("[case]\n")), "no custody.jsonl"),
    (lambda p: (p.mkdir(), (p / "case.toml").write_text("not toml ["),
                (p / "custody.jsonl").write_text("")), "case.toml unreadable"),
])
def test_open_refuses_what_is_not_a_case(tmp_path, make, reason):
    p = tmp_path / "x"
    make(p)
    with pytest.raises(NotACaseError, match=reason) as info:
        Case.open(p)
    assert info.value.path == p


def test_items_follow_other_processes(case, captures):
    other = Case.open(case.root)
    other.add([captures / "post.png"])
    assert [i.evidence_id for i in case.items] == ["E0001"]
    sha = case.item("E0001").digests.sha256
    assert case.item_by_sha256(sha).evidence_id == "E0001"
    assert case.item_by_sha256("0" * 64) is None
    with pytest.raises(InputError, match="no evidence item 'E0009'"):
        case.item("E0009")


def test_html_views(case, captures):
    case.add([captures])
    html = case._repr_html_()
    assert "证据编号" in html and "E0003" in html and "<table>" in html
    assert "SM3" in case.item("E0001")._repr_html_()
    html = case.add([captures / "post.png", captures / "mail.eml"])._repr_html_()
    assert "0 new, 2 seen again" in html and "seen-again" in html


def test_entries_frame(case, captures):
    import pandas as pd

    case.add([captures])
    df = case.entries_frame()
    assert isinstance(df, pd.DataFrame)
    assert list(df["action"]) == ["init", "acquire", "acquire", "acquire", "parse"]


def test_metadata_round_trip():
    m = CaseMetadata(title="标题", case_number="1", examiner="e", created_at="2026-11-24T00:00:00Z")
    from pathlib import Path

    assert CaseMetadata.from_toml(m.to_toml(), Path("/x/case.toml")) == m


def test_parse_entries_are_summarized(case, captures):
    from forensics.case import summarize

    case.add([captures])
    (e,) = [e for e in case.log.entries() if e.action == "parse"]
    assert summarize(e) == "parsed 2, not parsed 1, 1 warnings (add)"


# -- facts set after intake -------------------------------------------------------------------------
def test_set_facts_records_the_change_and_replays_it(case, tmp_path):
    f = tmp_path / "shot.txt"
    f.write_text("截图说明", encoding="utf-8")
    case.add([f], facts=IntakeFacts(note="初录", platform="微博"), parse=False)
    (entry,) = case.set_facts(["E0001"], purpose="证明涉案微博的发布时间", note=None)
    assert entry.action == "facts"
    assert entry.details["facts"] == {"purpose": "证明涉案微博的发布时间", "note": None}
    assert entry.details["replaced"] == {"purpose": None, "note": "初录"}
    it = case.item("E0001")
    assert (it.facts.purpose, it.facts.note, it.facts.platform) == ("证明涉案微博的发布时间", None,
                                                                     "微博")
    again = Case.open(case.root)  # replayed from the log
    assert again.item("E0001").facts.purpose == "证明涉案微博的发布时间"
    assert again.verify().ok
    with pytest.raises(InputError, match="no item 'E0009'"):
        case.set_facts(["E0009"], purpose="x")
    with pytest.raises(InputError, match="not a valid ISO 8601"):
        case.set_facts(["E0001"], captured_at="2026-13-45T00:00:00Z")
    with pytest.raises(InputError, match="unknown intake fact"):
        case.set_facts(["E0001"], colour="red")
    assert len([e for e in case.log.entries() if e.action == "facts"]) == 1


def test_a_corrected_capture_time_reads_relative_times_again(case, tmp_path):
    lst = tmp_path / "reposts.csv"
    lst.write_text("post_id,account_id,account_name,parent_account_id,time,text\n"
                   "P,1,a,,2026-11-20T10:00:00+08:00,原文\nP,2,b,1,3分钟前,转发\n",
                   encoding="utf-8")
    case.add([lst])
    before = case.spread(progress=False).to_json()[0]
    assert before["data_quality"]["untimed_rows"] == 1  # no capture time: "3分钟前" waits
    case.set_facts(["E0001"], captured_at="2026-11-20T10:30:00+08:00")
    after = case.spread(progress=False).to_json()[0]
    assert after["data_quality"]["untimed_rows"] == 0
    assert after["last_repost_time"] == "2026-11-20T02:27:00Z"
