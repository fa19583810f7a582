"""The custody log: format, chain, every tamper kind, flipped bytes, crashes and concurrency."""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.custody import (
    GENESIS,
    CustodyLog,
    Entry,
    EntryDraft,
    EvidenceRef,
    _fast_walk,
    _slow_walk,
    check_chain,
    entry_digest,
    split_line,
)
from forensics.errors import CustodyLogDamaged
from forensics.problems import (
    DamagedTail,
    DeletedEntries,
    EditedEntry,
    InsertedEntry,
    PrevMismatch,
    ReorderedEntries,
    TornTail,
    UnparseableLine,
)

from .conftest import run_in_processes

REF = EvidenceRef("E0001", 3, "ab" * 32, "cd" * 32, "ef" * 16)


def make_log(tmp_path: Path, n: int = 6) -> tuple[Path, list[bytes]]:
    path = tmp_path / "custody.jsonl"
    log = CustodyLog(path, actor="tester")
    log.append([EntryDraft("init")])
    log.append([EntryDraft("acquire", (REF,), {"source": {"path": f"/tmp/截图{i}.png"}, "i": i})
                for i in range(2, n + 1)])
    return path, path.read_bytes().splitlines(keepends=True)


def kinds(path: Path) -> list[str]:
    return [p.kind for p in check_chain(path).problems]


# --- format --------------------------------------------------------------------------------------


def test_entries_are_canonical_and_chained(tmp_path):
    path, lines = make_log(tmp_path)
    prev = GENESIS
    for n, raw in enumerate(lines, start=1):
        line = raw.rstrip(b"\n")
        obj = json.loads(line)
        assert rfc8785.dumps(obj) == line  # each line is its own RFC 8785 form
        assert obj["seq"] == n
        assert obj["prev_sha256"] == prev
        without = {k: v for k, v in obj.items() if k != "entry_sha256"}
        assert obj["entry_sha256"] == hashlib.sha256(rfc8785.dumps(without)).hexdigest()
        assert obj["entry_sha256"] == entry_digest(without)
        assert obj["time"].endswith("Z")
        assert set(obj) == {"seq", "time", "actor", "host", "tool", "tool_version", "action",
                            "evidence", "details", "prev_sha256", "entry_sha256"}
        prev = obj["entry_sha256"]
    assert check_chain(path).passed
    assert check_chain(path).head.seq == len(lines)


def test_entry_round_trip_and_html(tmp_path):
    _, lines = make_log(tmp_path, 2)
    e = Entry.parse_line(lines[1].rstrip(b"\n"))
    assert e.line() == lines[1].rstrip(b"\n")
    assert e.evidence == (REF,)
    assert e.time.tzinfo is not None
    assert "E0001" in e._repr_html_()


def test_naive_entry_time_refused():
    from datetime import datetime

    with pytest.raises(ValueError, match="timezone-aware"):
        Entry(1, datetime(2026, 1, 1), "a", "h", "t", "v", "init", (), {}, GENESIS, GENESIS)


def test_head_reads_only_the_end(tmp_path):
    path, _ = make_log(tmp_path, 5)
    assert CustodyLog(path).head().seq == 5
    assert CustodyLog(tmp_path / "none.jsonl").head() is None


# --- each tamper kind ----------------------------------------------------------------------------


def test_edited_entry(tmp_path):
    path, lines = make_log(tmp_path)
    lines[3] = lines[3].replace(b'"i":4', b'"i":5')
    path.write_bytes(b"".join(lines))
    (p,) = check_chain(path).problems
    assert isinstance(p, EditedEntry) and p.seq == 4 and p.line == 4
    assert str(p).startswith("entry 4 (line 4): entry edited: entry_sha256 expected=")


def test_forged_entry_breaks_the_next_link(tmp_path):
    path, lines = make_log(tmp_path)
    obj = json.loads(lines[3])
    obj["details"]["i"] = 99
    del obj["entry_sha256"]
    obj["entry_sha256"] = entry_digest(obj)
    lines[3] = rfc8785.dumps(obj) + b"\n"
    path.write_bytes(b"".join(lines))
    (p,) = check_chain(path).problems
    assert isinstance(p, PrevMismatch) and p.seq == 5
    assert p.expected == obj["entry_sha256"]
    assert "prev mismatch: expected=" in str(p)


def test_deleted_entry(tmp_path):
    path, lines = make_log(tmp_path)
    path.write_bytes(b"".join(lines[:2] + lines[3:]))
    (p,) = check_chain(path).problems
    assert isinstance(p, DeletedEntries) and (p.first, p.last) == (3, 3)


def test_deleted_run_of_entries(tmp_path):
    path, lines = make_log(tmp_path)
    path.write_bytes(b"".join(lines[:1] + lines[4:]))
    (p,) = check_chain(path).problems
    assert isinstance(p, DeletedEntries) and (p.first, p.last) == (2, 4)
    assert str(p).startswith("entries 2-4: deleted")


def test_inserted_entry(tmp_path):
    path, lines = make_log(tmp_path)
    forged = json.loads(lines[2])
    forged["details"] = {"text": "inserted later"}
    forged["prev_sha256"] = "12" * 32
    del forged["entry_sha256"]
    forged["entry_sha256"] = entry_digest(forged)
    path.write_bytes(b"".join([*lines[:3], rfc8785.dumps(forged) + b"\n", *lines[3:]]))
    (p,) = check_chain(path).problems
    assert isinstance(p, InsertedEntry) and p.line == 4 and p.seq == 3


def test_inserted_fork_with_a_valid_link(tmp_path):
    path, lines = make_log(tmp_path)
    forged = json.loads(lines[2])  # entry 3, same predecessor, other content
    forged["details"] = {"text": "a second entry 3"}
    del forged["entry_sha256"]
    forged["entry_sha256"] = entry_digest(forged)
    path.write_bytes(b"".join([*lines[:3], rfc8785.dumps(forged) + b"\n", *lines[3:]]))
    (p,) = check_chain(path).problems
    assert isinstance(p, InsertedEntry) and p.line == 4


def test_reordered_entries(tmp_path):
    path, lines = make_log(tmp_path)
    lines[2], lines[3] = lines[3], lines[2]
    path.write_bytes(b"".join(lines))
    (p,) = check_chain(path).problems
    assert isinstance(p, ReorderedEntries)
    assert (p.seq, p.line, p.expected_line) in {(3, 4, 3), (4, 3, 4)}


def test_entry_moved_far(tmp_path):
    path, lines = make_log(tmp_path)
    path.write_bytes(b"".join(lines[1:] + lines[:1]))
    (p,) = check_chain(path).problems
    assert isinstance(p, ReorderedEntries) and p.seq == 1 and p.line == 6


def test_unparseable_line_named_by_number(tmp_path):
    path, lines = make_log(tmp_path)
    lines[2] = b"this is not json\n"
    path.write_bytes(b"".join(lines))
    (p,) = check_chain(path).problems
    assert isinstance(p, UnparseableLine) and p.line == 3
    assert str(p).startswith("line 3: does not parse as a custody entry: not JSON")


def test_bad_utf8_line(tmp_path):
    path, lines = make_log(tmp_path)
    lines[1] = lines[1].replace("截图".encode(), b"\xff\xfe")
    path.write_bytes(b"".join(lines))
    assert kinds(path) == ["unparseable-line"]


def test_cut_tail_is_invisible_without_an_anchor(tmp_path):
    # The chain alone cannot see a cut-off tail; integrity.verify_case checks anchors (tested
    # in test_integrity).  This documents the limit.
    path, lines = make_log(tmp_path)
    path.write_bytes(b"".join(lines[:-2]))
    assert check_chain(path).passed


# --- torn and damaged tails ----------------------------------------------------------------------


def test_torn_tail_is_reported_then_recovered_by_the_next_writer(tmp_path):
    path, lines = make_log(tmp_path)
    torn = lines[-1][:40]
    path.write_bytes(b"".join(lines[:-1]) + torn)
    check = check_chain(path)
    assert [type(p) for p in check.problems] == [TornTail]
    assert check.torn_tail
    log = CustodyLog(path, actor="tester")
    (note,) = log.append([EntryDraft("note", details={"text": "after the crash"})])
    entries = log.entries()
    assert [e.action for e in entries[-2:]] == ["recover", "note"]
    rec = entries[-2]
    side = tmp_path / rec.details["kept_as"]
    assert side.read_bytes() == torn
    assert rec.details["sha256"] == hashlib.sha256(torn).hexdigest()
    assert check_chain(path).passed
    assert rec.seq == len(lines)  # the torn entry was never acknowledged: its number is reused
    assert note.seq == rec.seq + 1


def test_damaged_tail_is_not_mistaken_for_a_crash(tmp_path):
    path, lines = make_log(tmp_path)
    lines[-1] = lines[-1][:-1] + b"\x0b"
    path.write_bytes(b"".join(lines))
    assert [type(p) for p in check_chain(path).problems] == [DamagedTail]
    before = path.read_bytes()
    with pytest.raises(CustodyLogDamaged, match="newline"):
        CustodyLog(path).append([EntryDraft("note")])
    assert path.read_bytes() == before


def test_append_refused_after_an_edited_last_entry(tmp_path):
    path, lines = make_log(tmp_path)
    lines[-1] = lines[-1].replace(b'"i":6', b'"i":7')
    path.write_bytes(b"".join(lines))
    with pytest.raises(CustodyLogDamaged, match="does not match its digest"):
        CustodyLog(path).append([EntryDraft("note")])


# --- every flipped byte --------------------------------------------------------------------------


@pytest.mark.parametrize("mask", [0xFF, 0x01, 0x20])
def test_every_flipped_byte_is_caught_and_named(tmp_path, mask):
    path, lines = make_log(tmp_path, 4)
    data = b"".join(lines)
    starts = []
    pos = 0
    for line in lines:
        starts.append(pos)
        pos += len(line)
    missed = []
    for i in range(len(data)):
        flipped = bytearray(data)
        flipped[i] ^= mask
        path.write_bytes(bytes(flipped))
        problems = check_chain(path).problems
        line_no = max(n for n, s in enumerate(starts, start=1) if s <= i)
        named = {getattr(p, "line", None) for p in problems}
        # A flipped newline joins two lines into line N, or leaves the last line torn.
        if not problems or not (named & {line_no, line_no + 1}):
            missed.append((i, data[i : i + 1], [str(p) for p in problems]))
    assert missed == []


# --- properties ----------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=20),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(details=st.lists(st.dictionaries(st.text(max_size=10), json_values, max_size=5),
                        min_size=1, max_size=5))
def test_any_details_round_trip_and_chain(tmp_path_factory, details):
    path = tmp_path_factory.mktemp("log") / "custody.jsonl"
    log = CustodyLog(path, actor="演示")
    written = log.append([EntryDraft("note", details=d) for d in details])
    parsed = log.entries()
    assert [e.line() for e in parsed] == [e.line() for e in written]
    for raw, e in zip(path.read_bytes().splitlines(), parsed, strict=True):
        body, recorded = split_line(raw)
        assert hashlib.sha256(body).hexdigest() == recorded.decode() == e.entry_sha256
        assert json.loads(raw)["details"] == json.loads(json.dumps(
            {k: v for k, v in details[e.seq - 1].items()}))
    data = path.read_bytes()
    fast = _fast_walk(data)
    slow = _slow_walk(data)
    assert fast is not None and slow.problems == ()
    assert fast == (slow.entries, slow.head)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.permutations(range(6)))
def test_any_permutation_is_reported_as_reordering_only(tmp_path_factory, order):
    path, lines = make_log(tmp_path_factory.mktemp("perm"), 6)
    path.write_bytes(b"".join(lines[i] for i in order))
    problems = check_chain(path).problems
    if list(order) == sorted(order):
        assert problems == ()
    else:
        assert problems and all(isinstance(p, ReorderedEntries) for p in problems)


# --- concurrency and crashes ---------------------------------------------------------------------


def _appender(path: str, worker: int, count: int) -> None:
    log = CustodyLog(path, actor=f"worker-{worker}")
    for i in range(count):
        log.append([EntryDraft("note", details={"worker": worker, "i": i})] * (1 + i % 3))


def test_concurrent_appenders_give_one_linear_chain(tmp_path):
    path = tmp_path / "custody.jsonl"
    run_in_processes(_appender, [(str(path), w, 30) for w in range(4)])
    check = check_chain(path)
    assert check.passed
    entries = CustodyLog(path).entries()
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert len(entries) == 4 * sum(1 + i % 3 for i in range(30))
    for w in range(4):
        mine = [e.details["i"] for e in entries if e.details["worker"] == w]
        assert sorted(set(mine)) == list(range(30))


_WRITER = textwrap.dedent("""
    import sys
    from forensics.custody import CustodyLog, EntryDraft
    log = CustodyLog(sys.argv[1], actor="crash-test")
    n = 0
    while True:
        n += 1
        batch = [EntryDraft("note", details={"n": n, "k": k, "pad": "证" * 400})
                 for k in range(50)]
        entries = log.append(batch)
        print(entries[-1].seq, flush=True)   # acknowledged: durable before this line
""")


@pytest.mark.slow
def test_killed_writers_never_lose_an_acknowledged_entry(tmp_path):
    path = tmp_path / "custody.jsonl"
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    import random

    rng = random.Random(20261124)
    acknowledged = 0
    torn_seen = 0
    for _ in range(25):
        proc = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE,
                                env=env, text=True)
        time.sleep(0.1 + rng.random() * 0.3)
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        acks = [int(x) for x in out.split()]
        if acks:
            acknowledged = max(acknowledged, acks[-1])
        data = path.read_bytes() if path.exists() else b""
        if data and not data.endswith(b"\n"):
            torn_seen += 1
        # Every acknowledged entry is there, and the log verifies once a writer has recovered it.
        log = CustodyLog(path, actor="checker")
        log.append([EntryDraft("note", details={"check": True})])
        check = check_chain(path)
        assert check.passed, [str(p) for p in check.problems]
        seqs = {e.seq for e in log.entries()}
        assert set(range(1, acknowledged + 1)) <= seqs
    assert acknowledged > 0
    print(f"crash test: {acknowledged} acknowledged entries, {torn_seen} torn tails recovered")


def test_full_disk_leaves_nothing_half_written(tmp_path, monkeypatch):
    import errno

    import forensics.custody as custody
    from forensics.errors import StorageError

    path, _ = make_log(tmp_path, 3)
    before = path.read_bytes()
    real = custody.write_all

    def half_then_full(fd, data):
        real(fd, data[: len(data) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(custody, "write_all", half_then_full)
    with pytest.raises(StorageError, match="No space left on device"):
        CustodyLog(path).append([EntryDraft("note", details={"x": "y" * 1000})] * 5)
    assert path.read_bytes() == before
    assert check_chain(path).passed


json_with_floats = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**60), 2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=12),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=6),
                      children, max_size=4),
    max_leaves=15,
)


@settings(max_examples=300, deadline=None)
@given(json_with_floats)
def test_canonical_json_is_rfc8785(value):
    from forensics.custody import canonical_json

    try:
        expected = rfc8785.dumps(value)
    except rfc8785.IntegerDomainError:
        with pytest.raises(rfc8785.IntegerDomainError):
            canonical_json(value)
        return
    assert canonical_json(value) == expected


def test_canonical_json_sorts_astral_keys_as_utf16():
    from forensics.custody import canonical_json

    value = {"\U0001f600": 1, "\ufb01": 2}  # code-point order and UTF-16 order differ
    assert canonical_json(value) == rfc8785.dumps(value)


def test_write_killed_just_before_the_newline_is_finished_not_refused(tmp_path):
    # SIGKILL cuts writes at page boundaries; one may fall right after an entry's last "}".
    path, lines = make_log(tmp_path)
    path.write_bytes(b"".join(lines)[:-1])
    log = CustodyLog(path, actor="tester")
    log.append([EntryDraft("note", details={"text": "after the crash"})])
    entries = log.entries()
    assert [e.seq for e in entries] == list(range(1, len(lines) + 3))
    rec = entries[-2]
    assert rec.action == "recover" and "newline was added" in rec.details["what"]
    assert check_chain(path).passed
