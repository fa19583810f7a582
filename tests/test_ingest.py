"""Bringing files into a case: originals untouched, store content-addressed, facts recorded."""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

import pytest

from forensics.case import Case
from forensics.digests import hash_bytes
from forensics.errors import IntakeSheetError, SourceError
from forensics.intake import IntakeFacts
from forensics.integrity import verify_case

from .conftest import snapshot


def test_originals_are_untouched(case, captures):
    before = snapshot(captures)
    atimes = {p: os.stat(p).st_atime_ns for p in captures.rglob("*") if p.is_file()}
    case.add([captures])
    assert snapshot(captures) == before  # bytes, mtime and mode
    for p, atime in atimes.items():
        assert os.stat(p).st_atime_ns == atime  # O_NOATIME: not even the access time moved


def test_store_is_content_addressed_and_read_only(case, captures):
    report = case.add([captures])
    assert len(report.new) == 3
    for item in case.items:
        stored = case.root / item.stored_as
        assert stored.name == item.digests.sha256
        assert stored.parent.name == item.digests.sha256[:2]
        assert stat.S_IMODE(stored.stat().st_mode) == 0o444
        assert hash_bytes(stored.read_bytes()) == item.digests


def test_numbers_are_stable_and_sequential(case, captures, tmp_path):
    case.add([captures / "post.png"])
    case.add([captures])
    ids = [(i.evidence_id, i.name) for i in case.items]
    assert ids == [("E0001", "post.png"), ("E0002", "mail.eml"), ("E0003", "聊天记录.txt")]
    reopened = Case.open(case.root)
    assert [(i.evidence_id, i.name) for i in reopened.items] == ids


def test_same_content_is_stored_once_and_logged_twice(case, captures, tmp_path):
    copy = tmp_path / "notary" / "IMG_0001.PNG"
    copy.parent.mkdir()
    copy.write_bytes((captures / "post.png").read_bytes())
    case.add([captures / "post.png"])
    report = case.add([copy], facts=IntakeFacts(captured_by="公证处"))
    (again,) = report.added
    assert (again.evidence_id, again.status, again.store_copy) == ("E0001", "seen-again",
                                                                   "already-present")
    assert len(list(case.store.files())) == 1
    entries = case.log.entries()
    assert [e.action for e in entries] == ["init", "acquire", "parse", "seen-again"]
    assert entries[-1].details["source"]["path"] == str(copy)
    assert entries[-1].details["intake"] == {"captured_by": "公证处"}
    item = case.item("E0001")
    assert [s.action for s in item.sightings] == ["acquire", "seen-again"]


def test_duplicates_within_one_add(case, captures):
    (captures / "dup.png").write_bytes((captures / "post.png").read_bytes())
    report = case.add([captures])
    statuses = sorted((a.source_path.rsplit("/", 1)[-1], a.status) for a in report.added)
    assert ("dup.png", "new") in statuses and ("post.png", "seen-again") in statuses
    assert verify_case(case).ok


def test_a_missing_store_copy_is_restored_by_adding_the_original_again(case, captures):
    case.add([captures / "post.png"])
    stored = case.root / case.item("E0001").stored_as
    stored.unlink()
    assert [p.kind for p in verify_case(case, record=False).problems] == ["missing-item"]
    (again,) = case.add([captures / "post.png"]).added
    assert again.store_copy == "restored"
    assert verify_case(case).ok


def test_intake_facts_are_logged(case, captures):
    facts = IntakeFacts(category="帖子", url="https://weibo.com/1/abc", platform="微博",
                        publisher="某大V", publisher_id="1", displayed_time="昨天 14:02",
                        captured_at="2026-11-21T09:15:00+08:00", captured_by="张三",
                        tool="iOS 17", method="screenshot", carrier="Apple iPhone 13 F2LX",
                        purpose="证明内容", note="n")
    case.add([captures / "post.png"], facts=facts)
    item = case.item("E0001")
    assert item.facts == facts
    assert item.facts.category == "post"
    assert item.facts.has_original_carrier is True
    details = [e for e in case.log.entries() if e.action == "acquire"][-1].details
    assert details["intake"]["displayed_time"] == "昨天 14:02"
    assert details["source"]["size"] == (captures / "post.png").stat().st_size
    assert details["source"]["mtime"].endswith("Z")


def test_folder_recursion_records_relative_names(case, captures):
    case.add([captures])
    rel = {e.details["source"].get("relative") for e in _acquired(case)}
    assert rel == {"post.png", "mail.eml", "微信/聊天记录.txt"}


def test_symlinks_and_specials_are_listed_not_followed(case, captures, tmp_path):
    secret = tmp_path / "outside.txt"
    secret.write_text("not evidence")
    (captures / "link.txt").symlink_to(secret)
    os.mkfifo(captures / "pipe")
    report = case.add([captures])
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "symbolic link" in reasons["link.txt"]
    assert "not a regular file" in reasons["pipe"]
    assert len(report.new) == 3
    with pytest.raises(SourceError, match="symbolic link"):
        case.add([captures / "link.txt"])


def test_missing_path_is_an_input_error_and_nothing_is_written(case, captures):
    before = case.log.path.read_bytes()
    with pytest.raises(SourceError, match="no such file") as info:
        case.add([captures / "post.png", captures / "nope.png"])
    assert info.value.path.name == "nope.png"
    assert case.log.path.read_bytes() == before
    assert list(case.store.files()) == []


def test_unreadable_file_is_an_input_error(case, captures, monkeypatch):
    # Tests run as root in CI, where chmod 0 does not stop reads: simulate the refusal instead.
    import forensics.ingest as ingest

    target = captures / "post.png"
    real = os.access
    monkeypatch.setattr(ingest.os, "access", lambda p, mode: Path(p) != target and real(p, mode))
    with pytest.raises(SourceError, match="not readable") as info:
        case.add([captures])
    assert info.value.path == target
    assert list(case.store.files()) == []


def test_read_error_during_copy_is_reported_and_the_rest_added(case, captures, monkeypatch):
    import forensics.ingest as ingest

    real = ingest.open_readonly

    def failing(path):
        if Path(path).name == "mail.eml":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(ingest, "open_readonly", failing)
    report = case.add([captures])
    assert [Path(f.path).name for f in report.failed] == ["mail.eml"]
    assert "cannot open read-only: Permission denied" in report.failed[0].reason
    assert len(report.new) == 2
    assert verify_case(case).ok


def test_strange_names_never_escape_or_collide(case, tmp_path):
    d = tmp_path / "weird"
    d.mkdir()
    nfc = unicodedata.normalize("NFC", "证据é.png")
    nfd = unicodedata.normalize("NFD", "证据é.png")
    names = [nfc, nfd, "a\x01b.txt", "..hidden", "x" * 250, "with space and 'quote'.txt",
             "-rf", "名" * 80]  # 240 bytes of UTF-8
    for i, n in enumerate(names):
        (d / n).write_bytes(f"content {i}".encode())
    bad = os.fsencode(d) + b"/caf\xe9.bin"
    with open(bad, "wb") as fh:
        fh.write(b"latin-1 name")
    report = case.add([d])
    assert len(report.new) == len(names) + 1
    # Nothing was written outside the case's store; every store name is a digest.
    for f in case.store.files():
        assert case.store.sha256_of_path(f) is not None
    recorded = {e.details["source"]["path"] for e in _acquired(case)}
    assert str(d / nfc) in recorded and str(d / nfd) in recorded  # both kept, exactly as on disk
    hexes = [e.details["source"].get("path_bytes_hex") for e in _acquired(case)]
    assert bad.hex() in hexes
    assert verify_case(case).ok


# --- intake sheets -------------------------------------------------------------------------------


def _sheet(path: Path, text: str, encoding: str = "utf-8-sig") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_sheet_supplies_per_file_facts(case, captures):
    sheet = _sheet(captures / "intake.csv",
                   "file,category,publisher-id,captured_at,carrier\n"
                   "post.png,帖子,123,2026-11-21T09:15:00+08:00,none\n"
                   "微信/聊天记录.txt,聊天记录,,,Apple iPhone 13\n")
    report = case.add([], sheet=sheet, facts=IntakeFacts(captured_by="张三"))
    assert [a.evidence_id for a in report.added] == ["E0001", "E0002"]
    post, chat = case.items
    assert post.facts == IntakeFacts(category="post", publisher_id="123",
                                     captured_at="2026-11-21T09:15:00+08:00", carrier="none",
                                     captured_by="张三")
    assert post.facts.has_original_carrier is False
    assert chat.facts.category == "message"
    sheet_info = case.log.entries()[1].details["intake_sheet"]
    assert sheet_info["row"] == 2 and len(sheet_info["sha256"]) == 64


def test_sheet_in_gb18030_as_excel_saves_it(case, captures):
    sheet = _sheet(captures / "intake.csv", "file,platform\npost.png,微博\n", "gb18030")
    case.add([], sheet=sheet)
    assert case.item("E0001").facts.platform == "微博"


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("file,catgory\npost.png,post\n", "unknown column"),
        ("name,category\npost.png,post\n", "no 'file' column"),
        ("file,category\npost.png,rumour\n", "unknown category"),
        ("file\n../outside.png\n", "leaves the folder"),
        ("file\n/etc/passwd\n", "absolute path"),
        ("file\npost.png\npost.png\n", "already listed in row 2"),
        ("file\nmissing.png\n", "does not exist"),
        ("file,captured_at\npost.png,2026-13-45T99:00\n", "not a valid ISO 8601"),
        ("file,category\npost.png,post,extra\n", "more cells than columns"),
        ("", "empty sheet"),
    ],
)
def test_bad_sheets_name_row_and_column(case, captures, text, match):
    sheet = _sheet(captures / "intake.csv", text)
    before = case.log.path.read_bytes()
    with pytest.raises(IntakeSheetError, match=match) as info:
        case.add([], sheet=sheet)
    assert str(sheet) in str(info.value)
    assert case.log.path.read_bytes() == before


def test_sheet_row_for_a_file_not_being_added(case, captures):
    sheet = _sheet(captures / "intake.csv", "file\nmail.eml\n")
    with pytest.raises(IntakeSheetError, match="not among the files being added"):
        case.add([captures / "post.png"], sheet=sheet)


def test_file_changing_while_read_is_refused(case, captures, monkeypatch):
    import forensics.ingest as ingest

    real = ingest.StagingSession.stage

    def stage_and_touch(self, fd):
        staged = real(self, fd)
        target = captures / "post.png"
        os.utime(target, ns=(0, 12345))
        return staged

    monkeypatch.setattr(ingest.StagingSession, "stage", stage_and_touch)
    report = case.add([captures / "post.png"])
    assert report.added == ()
    assert "changed while it was being read" in report.failed[0].reason
    assert list(case.store.files()) == []


def test_full_disk_during_copy_is_a_storage_error(case, captures, monkeypatch):
    import errno

    import forensics.store as store
    from forensics.errors import StorageError

    def full(src, dst, **kw):
        dst.write(b"partial")
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store, "copy_and_hash", full)
    before = case.log.path.read_bytes()
    with pytest.raises(StorageError, match="No space left"):
        case.add([captures])
    assert case.log.path.read_bytes() == before
    assert list(case.store.files()) == []
    report = verify_case(case)  # the partial copy was never acknowledged: recovery discards it
    assert report.ok
    (rec,) = [e for e in case.log.entries() if e.action == "recover"]
    assert rec.details["result"] == "discarded"
    assert [p for p in (case.root / "staging").rglob("*") if p.is_file()] == []


def test_a_file_named_twice_or_hard_linked_is_brought_in_once_and_said(case, captures):
    os.link(captures / "post.png", captures / "post-hardlink.png")
    report = case.add([captures, captures / "mail.eml"])
    assert len(report.added) == 3
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert "same file as" in reasons["post.png"] or "same file as" in reasons["post-hardlink.png"]
    assert "mail.eml" not in reasons  # the same path named twice is not a second file


def _acquired(case):
    return [e for e in case.log.entries() if e.action in ("acquire", "seen-again")]


def test_recovery_removes_lock_files_of_sessions_that_died_before_their_folder(case, captures):
    import uuid

    orphan = case.root / "staging" / f"{uuid.uuid4().hex}.lock"
    orphan.parent.mkdir(exist_ok=True)
    orphan.write_bytes(b"")
    case.add([captures / "post.png"])  # any write to the case recovers first
    assert not orphan.exists()
    assert not list((case.root / "staging").iterdir())
