"""The evidence list (证据目录) and the hash table of the appendix, from a case."""

from __future__ import annotations

from datetime import UTC, datetime

import pandas as pd
import pytest

from forensics.appendix import (
    EVIDENCE_LIST_COLUMNS,
    HASH_TABLE_COLUMNS,
    evidence_list,
    hash_table,
    write_csv,
)
from forensics.errors import InputError
from forensics.intake import IntakeFacts

EML = """\
From: a@example.com
To: b@example.com
Subject: shots
Date: Fri, 20 Nov 2026 15:02:11 +0800
Message-ID: <x@example.com>
MIME-Version: 1.0
Content-Type: multipart/mixed; boundary="B"

--B
Content-Type: text/plain; charset=utf-8

see attached
--B
Content-Type: text/plain; name="note.txt"
Content-Disposition: attachment; filename="note.txt"

attached note
--B--
"""


@pytest.fixture
def filled(case, tmp_path):
    files = {}
    for name, text in (("shot.txt", "截图"), ("chat.txt", "聊天"), ("log.txt", "日志")):
        files[name] = tmp_path / name
        files[name].write_text(text, encoding="utf-8")
    mail = tmp_path / "mail.eml"
    mail.write_text(EML, encoding="utf-8")
    case.add([files["chat.txt"]], facts=IntakeFacts(category="message", platform="微信",
                                                    captured_by="张三", method="export",
                                                    carrier="iPhone 13 F2LX", purpose="证明讨论"))
    case.add([files["shot.txt"]], facts=IntakeFacts(
        category="post", platform="微博", publisher="某某大V", url="https://weibo.com/1/P1",
        captured_by="张三", method="screenshot", tool="iOS 截屏", carrier="iPhone 13 F2LX",
        captured_at="2026-11-21T09:15:00+08:00", displayed_time="昨天 14:02",
        purpose="证明涉案微博的内容、发布者和发布时间"))
    case.add([mail], facts=IntakeFacts(category="message", carrier="none"))
    case.add([files["log.txt"]], facts=IntakeFacts(carrier="none", note="平台回函附件"))
    return case


def test_evidence_list_numbers_by_kind_keeps_attachments_with_their_mail_and_invents_nothing(filled):
    ev = evidence_list(filled)
    assert tuple(ev.columns) == EVIDENCE_LIST_COLUMNS
    by_id = ev.set_index("证据编号")
    # post first (1), then the messages (2-1 chat, 2-2 mail, 2-3 its attachment), then no kind
    assert by_id.at["E0002", "序号"] == "1"
    assert [by_id.at[e, "序号"] for e in ("E0001", "E0003", "E0004")] == ["2-1", "2-2", "2-3"]
    assert by_id.at["E0005", "序号"] == "3"
    assert "提取自 E0003" in by_id.at["E0004", "证据来源"]
    assert by_id.at["E0002", "证据名称"] == "微博 某某大V：shot.txt"
    assert by_id.at["E0002", "证据来源"] == "张三以screenshot取得；工具 iOS 截屏；https://weibo.com/1/P1"
    assert by_id.at["E0002", "证明对象/目的"] == "证明涉案微博的内容、发布者和发布时间"
    # no purpose entered: empty, and the remarks say it is missing
    assert by_id.at["E0005", "证明对象/目的"] == ""
    assert "purpose not yet stated" in by_id.at["E0005", "备注"]
    assert by_id.at["E0002", "原件/复印件"].startswith("原件（原始载体：iPhone 13 F2LX）")
    assert by_id.at["E0005", "原件/复印件"].startswith("复制件")
    assert by_id.at["E0003", "原件/复印件"].startswith("复制件")
    assert (ev["页码"] == "").all()
    assert by_id.at["E0002", "SHA-256"] == filled.item("E0002").digests.sha256


def test_expert_groups_and_a_later_purpose(filled):
    filled.set_facts(["E0005"], purpose="证明平台收到通知的时间")
    ev = evidence_list(filled, groups={"E0005": "A", "E0002": "A", "E0001": "B"})
    by_id = ev.set_index("证据编号")
    assert [by_id.at[e, "序号"] for e in ("E0002", "E0005")] == ["1-1", "1-2"]
    assert by_id.at["E0001", "序号"] == "2"
    assert by_id.at["E0005", "证明对象/目的"] == "证明平台收到通知的时间"
    with pytest.raises(InputError, match="E0099"):
        evidence_list(filled, groups={"E0099": "A"})


def test_hash_table_is_keyed_to_the_evidence_numbers(filled):
    ht = hash_table(filled)
    assert tuple(ht.columns) == HASH_TABLE_COLUMNS
    assert list(ht["evidence_id"]) == ["E0001", "E0002", "E0003", "E0004", "E0005"]
    it = filled.item("E0003")
    row = ht.set_index("evidence_id").loc["E0003"]
    assert (row["sha256"], row["sm3"], row["md5"], row["size"]) == (
        it.digests.sha256, it.digests.sm3, it.digests.md5, it.digests.size)
    assert row["copy_only"] == "yes"
    assert ht.set_index("evidence_id").at["E0001", "copy_only"] == "no"
    assert ht.set_index("evidence_id").at["E0005", "copy_only"] == "yes"
    assert ht.set_index("evidence_id").at["E0002", "captured_at"] == "2026-11-21T09:15:00+08:00"


def test_csv_is_the_same_bytes_every_time(filled, tmp_path):
    a = write_csv(evidence_list(filled), tmp_path / "evidence-list.csv")
    b = write_csv(evidence_list(filled))
    assert a == b == (tmp_path / "evidence-list.csv").read_bytes()
    assert a.startswith(b"\xef\xbb\xbf\xe5\xba\x8f\xe5\x8f\xb7,")  # BOM, then 序号
    back = pd.read_csv(tmp_path / "evidence-list.csv", dtype=str, keep_default_na=False,
                       encoding="utf-8-sig")
    assert list(back.columns) == list(EVIDENCE_LIST_COLUMNS)
    assert b"\r\n" not in a


def test_xlsx_is_the_same_bytes_whatever_the_clock_and_zone(filled, tmp_path, monkeypatch):
    import io
    import time
    import zipfile

    from forensics.appendix import write_xlsx

    ev = evidence_list(filled)
    created = datetime(2026, 11, 20, 1, 2, 3, tzinfo=UTC)
    a = write_xlsx(ev, sheet="证据目录", created=created)
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    try:
        b = write_xlsx(ev, sheet="证据目录", created=created)
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as z:
        core = z.read("docProps/core.xml").decode()
        assert "2026-11-20T01:02:03Z" in core
        strings = z.read("xl/sharedStrings.xml").decode()
        assert "证明对象/目的" in strings and filled.item("E0002").digests.sha256 in strings
        assert all(i.date_time == (1980, 1, 1, 0, 0, 0) for i in z.infolist())


def test_write_tables_writes_every_table_twice_the_same_and_logs_them(filled, tmp_path):
    import hashlib

    from forensics.appendix import TABLE_FILES, write_tables

    a = write_tables(filled, tmp_path / "a", progress=False)
    b = write_tables(filled, tmp_path / "b", progress=False)
    assert list(a) == list(TABLE_FILES)
    for name in TABLE_FILES:
        assert a[name].read_bytes() == b[name].read_bytes(), name
    last = list(filled.log.entries())[-1]
    assert last.action == "export" and last.details["what"] == "appendix tables"
    assert last.details["files"] == {n: hashlib.sha256(p.read_bytes()).hexdigest()
                                     for n, p in b.items()}
    assert sorted(last.evidence_ids) == [it.evidence_id for it in filled.items]
    timeline = pd.read_csv(a["timeline.csv"], encoding="utf-8-sig", dtype=str)
    assert "description" in timeline.columns or "time_description" in timeline.columns
