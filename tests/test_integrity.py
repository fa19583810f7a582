"""Verifying a case, anchors, backups, and crashes in the middle of an add."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from forensics.case import Case
from forensics.errors import InputError, IntegrityError
from forensics.integrity import compare, load_anchor, verify_case
from forensics.problems import (
    AnchorMismatch,
    BackupBehind,
    ChangedItem,
    MetadataChanged,
    MissingAnchorFile,
    MissingItem,
    TruncatedLog,
    UnexpectedFile,
)

from .conftest import run_in_processes


@pytest.fixture
def filled(case, captures):
    case.add([captures])
    return case


def _writable(p: Path) -> Path:
    p.chmod(0o644)
    return p


def test_intact_case_passes_and_the_check_is_logged(filled):
    report = verify_case(filled)
    assert report.status == "passed" and report.ok and report.problems == ()
    assert report.items_checked == 3
    last = filled.log.entries()[-1]
    assert last.action == "verify" and last.seq == report.recorded_seq
    assert last.details["status"] == "passed"
    assert "通过" in report._repr_html_()
    assert report.to_json()["head"]["seq"] == report.head.seq
    report.raise_for_problems()


def test_every_flipped_byte_of_a_stored_item_is_caught(filled):
    item = filled.item("E0001")
    path = _writable(filled.root / item.stored_as)
    original = path.read_bytes()
    for i in range(len(original)):
        flipped = bytearray(original)
        flipped[i] ^= 0x01
        path.write_bytes(bytes(flipped))
        problems = verify_case(filled, record=False).problems
        assert {(p.evidence_id, p.algorithm) for p in problems} == {
            ("E0001", "sha256"), ("E0001", "sm3"), ("E0001", "md5")}, i
        assert all(isinstance(p, ChangedItem) for p in problems)
    path.write_bytes(original)
    assert verify_case(filled, record=False).ok


def test_changed_item_message_names_both_values(filled):
    item = filled.item("E0002")
    path = _writable(filled.root / item.stored_as)
    path.write_bytes(path.read_bytes() + b"!")
    report = verify_case(filled)
    assert report.status == "failed"
    msgs = [str(p) for p in report.problems]
    assert f"E0002: content changed: sha256 expected={item.digests.sha256} found=" in msgs[1]
    with pytest.raises(IntegrityError, match="integrity problem"):
        report.raise_for_problems()
    assert filled.log.entries()[-1].details["status"] == "failed"


def test_missing_item(filled):
    item = filled.item("E0003")
    (filled.root / item.stored_as).unlink()
    (p,) = verify_case(filled).problems
    assert isinstance(p, MissingItem) and p.evidence_id == "E0003"


@pytest.mark.parametrize("name", ["store/sha256/00/" + "0" * 64, "store/extra.txt",
                                  "store/sha256/ab/not-a-digest"])
def test_unexpected_file_in_the_store(filled, name):
    p = filled.root / name
    p.parent.mkdir(parents=True, exist_ok=True)
    p.write_bytes(b"planted")
    (problem,) = verify_case(filled).problems
    assert isinstance(problem, UnexpectedFile) and problem.path == name


def test_item_replaced_by_a_symlink(filled, tmp_path):
    item = filled.item("E0001")
    path = filled.root / item.stored_as
    keep = tmp_path / "keep"
    keep.write_bytes(path.read_bytes())
    path.unlink()
    path.symlink_to(keep)
    kinds = [p.kind for p in verify_case(filled).problems]
    assert "unexpected-file" in kinds


def test_metadata_edited_by_hand(filled):
    toml = filled.root / "case.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace("测试案件", "别的案件"), encoding="utf-8")
    (p,) = verify_case(filled).problems
    assert isinstance(p, MetadataChanged)


# --- anchors -------------------------------------------------------------------------------------


def test_cut_tail_detected_after_anchor(filled):
    a = filled.anchor()
    data = filled.log.path.read_bytes().splitlines(keepends=True)
    filled.log.path.write_bytes(b"".join(data[: a.seq - 1]))
    problems = verify_case(filled, record=False).problems
    assert any(isinstance(p, TruncatedLog) and p.anchored_seq == a.seq for p in problems)
    assert any("tail cut off: anchored head expected=entry" in str(p) for p in problems)


def test_cut_tail_detected_with_an_anchor_kept_elsewhere(filled, tmp_path):
    a = filled.anchor()
    outside = load_anchor(a.text)
    # The attacker removes the anchors and the tail with them.
    for f in (filled.root / "anchors").iterdir():
        f.unlink()
    lines = filled.log.path.read_bytes().splitlines(keepends=True)
    filled.log.path.write_bytes(b"".join(lines[: a.seq - 2]))
    problems = verify_case(filled, record=False, anchors=(outside,)).problems
    assert any(isinstance(p, TruncatedLog) for p in problems)


def test_anchor_mismatch_when_the_anchored_entry_was_rewritten(filled):
    a = filled.anchor()
    import json

    from forensics.custody import entry_digest

    lines = filled.log.path.read_bytes().splitlines(keepends=True)
    obj = json.loads(lines[a.seq - 1])
    obj["actor"] = "someone else"
    del obj["entry_sha256"]
    obj["entry_sha256"] = entry_digest(obj)
    import rfc8785

    lines[a.seq - 1] = rfc8785.dumps(obj) + b"\n"
    filled.log.path.write_bytes(b"".join(lines))
    kinds = {type(p) for p in verify_case(filled, record=False).problems}
    assert AnchorMismatch in kinds


def test_deleted_anchor_file_is_reported(filled):
    a = filled.anchor()
    a.anchor_path.unlink()
    problems = verify_case(filled).problems
    assert any(isinstance(p, MissingAnchorFile) for p in problems)


def test_anchor_request_is_rfc3161_over_the_head(filled):
    from asn1crypto import tsp

    a = filled.anchor()
    req = tsp.TimeStampReq.load(a.request_path.read_bytes())
    assert req["version"].native == "v1"
    assert req["message_imprint"]["hash_algorithm"]["algorithm"].native == "sha256"
    assert req["message_imprint"]["hashed_message"].native.hex() == a.entry_sha256
    assert req["cert_req"].native is True
    entry = filled.log.entries()[a.seq - 1]
    assert entry.entry_sha256 == a.entry_sha256
    assert filled.log.entries()[-1].action == "anchor"


def test_anchor_request_reads_with_openssl(filled):
    a = filled.anchor()
    out = subprocess.run(["openssl", "ts", "-query", "-in", str(a.request_path), "-text"],
                         capture_output=True, text=True, check=True).stdout
    hex_pairs = "".join(x for line in out.splitlines() if " - " in line
                        for x in line.split(" - ", 1)[1][:48].replace("-", " ").split())
    assert hex_pairs == a.entry_sha256
    assert "Certificate required: yes" in out


def test_bad_anchor_text():
    with pytest.raises(InputError, match="not an anchor"):
        load_anchor("12:xyz")


# --- backups -------------------------------------------------------------------------------------


def test_backup_copies_rehashes_and_logs(filled, tmp_path):
    dest = tmp_path / "backup"
    report = filled.backup(dest)
    assert report.ok and report.items_copied == 3 and report.check.status == "passed"
    entry = filled.log.entries()[-1]
    assert entry.action == "backup" and entry.details["copy_status"] == "passed"
    assert (dest / "custody.jsonl").read_bytes() == filled.log.path.read_bytes()
    assert compare(filled, dest) == ()
    again = filled.backup(dest)
    assert again.items_copied == 0 and again.items_present == 3


def test_backup_behind_and_brought_up_to_date(filled, captures, tmp_path):
    dest = tmp_path / "backup"
    filled.backup(dest)
    new = captures / "new.txt"
    new.write_text("later capture")
    filled.add([new])
    (p,) = compare(filled, dest)
    assert isinstance(p, BackupBehind) and p.missing_items == ("E0004",)
    filled.backup(dest)
    assert compare(filled, dest) == ()


def test_backup_with_a_changed_item_is_reported(filled, tmp_path):
    dest = tmp_path / "backup"
    filled.backup(dest)
    item = filled.item("E0001")
    p = _writable(dest / item.stored_as)
    p.write_bytes(b"tampered copy")
    kinds = [x.kind for x in compare(filled, dest)]
    assert "changed-item" in kinds


def test_backup_refuses_a_foreign_folder(filled, tmp_path):
    other = tmp_path / "other"
    other.mkdir()
    (other / "x").write_text("unrelated")
    with pytest.raises(InputError, match="not a backup of this case"):
        filled.backup(other)
    with pytest.raises(InputError, match="outside the case"):
        filled.backup(filled.root / "derived" / "b")


def test_backup_of_another_case_is_not_a_match(filled, tmp_path):
    other = Case.init(tmp_path / "other-case")
    problems = compare(filled, other.root)
    assert problems and problems[0].kind == "backup-diverged"


# --- crashes in the middle of an add -------------------------------------------------------------


@pytest.mark.slow
def test_killed_add_leaves_a_case_that_verifies(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    rng = random.Random(7)
    for i in range(400):
        (src / f"f{i:04d}.bin").write_bytes(rng.randbytes(rng.randrange(1, 40_000)))
    case_dir = tmp_path / "case"
    Case.init(case_dir)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    import forensics.ingest

    assert forensics.ingest.BATCH_FILES >= 1
    recovered = 0
    for _ in range(12):
        proc = subprocess.Popen(
            [sys.executable, "-c",
             "import sys, forensics.ingest as g; g.BATCH_FILES = 17; "
             "from forensics.cli import main; main(sys.argv[1:])",
             "add", str(case_dir), str(src), "--no-progress"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        time.sleep(0.2 + rng.random() * 0.6)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        case = Case.open(case_dir)
        report = verify_case(case)  # recovers first, then checks
        recovered += sum(1 for n in report.notes if n.startswith("recovered"))
        assert report.ok, [str(p) for p in report.problems]
        assert not any((case_dir / "staging").iterdir())
    print(f"killed-add test: {recovered} recoveries logged")
    assert recovered > 0  # the kills did interrupt work that had to be recovered
    case = Case.open(case_dir)
    case.add([src], progress=False)
    assert len(case.items) == 400
    assert verify_case(case).ok


def test_a_damaged_log_line_does_not_make_every_item_unexpected(filled):
    lines = filled.log.path.read_bytes().splitlines(keepends=True)
    lines[2] = b"{not json}\n"
    filled.log.path.write_bytes(b"".join(lines))
    problems = verify_case(filled, record=False).problems
    kinds = [p.kind for p in problems]
    # The acquisition that line recorded is unknown now, so its item is unaccounted for.
    assert kinds.count("unparseable-line") == 1
    assert kinds.count("unexpected-file") == 1
    assert "changed-item" not in kinds


def test_unreadable_item_is_a_problem_not_a_traceback(filled, monkeypatch):
    import forensics.integrity as integrity

    real = integrity.hash_file
    bad = filled.root / filled.item("E0002").stored_as

    def failing(path, *a, **k):
        if Path(path) == bad:
            raise PermissionError(13, "Permission denied")
        return real(path, *a, **k)

    monkeypatch.setattr(integrity, "hash_file", failing)
    report = verify_case(filled)
    assert [(p.kind, p.where) for p in report.problems] == [("unreadable-item", "E0002")]
    assert report.status == "failed"


def _add_worker(case_dir: str, src: str) -> None:
    import forensics.ingest as ingest

    ingest.BATCH_FILES = 7  # many small commits, so the two writers interleave
    Case.open(Path(case_dir)).add([src], progress=False)


def test_two_processes_adding_at_once(tmp_path):
    shared = [os.urandom(2000) for _ in range(30)]
    for name in ("a", "b"):
        d = tmp_path / name
        d.mkdir()
        for i, data in enumerate(shared):  # the same 30 contents in both folders
            (d / f"{name}{i:02d}.bin").write_bytes(data)
        for i in range(30):  # and 30 of each folder's own
            (d / f"{name}-own{i:02d}.bin").write_bytes(os.urandom(1500))
    case = Case.init(tmp_path / "case")
    run_in_processes(_add_worker, [(str(case.root), str(tmp_path / n)) for n in ("a", "b")])
    report = verify_case(case)
    assert report.ok, [str(p) for p in report.problems]
    items = case.items
    assert len(items) == 90
    assert [i.evidence_id for i in items] == [f"E{n:04d}" for n in range(1, 91)]
    entries = case.log.entries()
    acquired = [e for e in entries if e.action == "acquire"]
    again = [e for e in entries if e.action == "seen-again"]
    assert len(acquired) == 90 and len(again) == 30


def test_an_interrupted_backup_can_be_resumed(filled, tmp_path):
    dest = tmp_path / "backup"
    filled.backup(dest)
    filled.add([Path(__file__)])  # something new to copy next time
    log = dest / "custody.jsonl"
    # An earlier backup run killed while appending the log: a torn copy, still a byte prefix.
    full = filled.log.path.read_bytes()
    log.chmod(0o644)
    log.write_bytes(full[: len(log.read_bytes()) + 25])
    report = filled.backup(dest)
    assert report.ok, str(report)
    assert compare(filled, dest) == ()
