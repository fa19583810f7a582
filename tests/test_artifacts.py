"""Parsing inside a case: derived data named by digest, logged, attachments as items, rebuilt."""

from __future__ import annotations

import json

import pytest

import forensics.parsers as parsers
from forensics.case import Case
from forensics.parsers import Parser, Registry
from forensics.timestamps import parse_iso8601
from tests.conftest import snapshot


class Envelope(Parser):
    """A toy container: 'ENV' then name=content lines, each an attachment; 'bad' lines warn."""

    name, version, media_types = "envelope", "1", ("text/x-envelope",)

    @classmethod
    def sniff(cls, text, head):
        return "text/x-envelope" if text.startswith("ENV") else None

    def parse(self, fh, ctx, out):
        lines = fh.read().decode().splitlines()
        out.meta("Envelope:Parts", len(lines) - 1)
        out.event("test:envelope", "Message Sent",
                  parse_iso8601("2026-11-20T14:32:00+08:00", "envelope:Date"), actor="张三")
        for n, line in enumerate(lines[1:], 2):
            if "=" not in line:
                out.warn(f"line {n}", "no '=' in part")
                continue
            k, v = line.split("=", 1)
            out.child(k, v.encode(), f"line {n}", "text/plain")


@pytest.fixture
def toy_registry(monkeypatch):
    reg = Registry()
    for name in parsers.MODULES:  # the real parsers too, so the rest is recognised as usual
        import importlib

        for cls in importlib.import_module(name).PARSERS:
            reg.register(cls)
    reg.register(Envelope)
    monkeypatch.setattr(parsers, "_DEFAULT", reg)
    return reg


def test_add_parses_new_items_and_logs_it(case: Case, captures):
    before = snapshot(captures)
    report = case.add([captures])
    assert report.parsed is not None and len(report.parsed.parsed) == 3
    parse_entries = [e for e in case.log.entries() if e.action == "parse"]
    assert len(parse_entries) == 1
    results = parse_entries[0].details["results"]
    assert {r["id"] for r in results} == {"E0001", "E0002", "E0003"}
    import hashlib

    kept_in_files = [r for r in results if "derived" in r]
    kept_inline = [r for r in results if "summary" in r]
    # the e-mail has events and records: files; the unparsed chat text and the PNG stub, whose
    # summaries are small and say everything there is, are kept in the entry itself
    names = {it.evidence_id: it.name for it in case.items}
    assert {names[r["id"]] for r in kept_in_files} == {"mail.eml"}
    assert {names[r["id"]] for r in kept_inline} == {"post.png", "聊天记录.txt"}
    for r in kept_in_files:
        derived = case.root / r["derived"]["path"]
        assert derived.name == f"{case.item(r['id']).digests.sha256}.json"
        assert hashlib.sha256(derived.read_bytes()).hexdigest() == r["derived"]["sha256"]
        doc = json.loads(derived.read_text())
        assert doc["source"]["sha256"] == case.item(r["id"]).digests.sha256
        rows = case.root / r["rows"]["path"]
        assert hashlib.sha256(rows.read_bytes()).hexdigest() == r["rows"]["sha256"]
    for r in kept_inline:
        assert r["summary"]["sha256"] == case.item(r["id"]).digests.sha256
    assert snapshot(captures) == before  # originals untouched
    assert case.verify(record=False).ok  # the store untouched


def test_attachments_become_items_linked_to_their_parent(case: Case, tmp_path, toy_registry):
    f = tmp_path / "mail.env"
    f.write_text("ENV\n证据.txt=转发五百次\nbroken\nsame.txt=转发五百次\nother.txt=x")
    report = case.add([f])
    parent = case.item("E0001")
    kids = [it for it in case.items if it.extracted_from == "E0001"]
    assert [k.name for k in kids] == ["证据.txt", "other.txt"]
    assert case.root.joinpath(kids[0].stored_as).read_bytes() == "转发五百次".encode()
    # the same attachment twice is one item, logged twice
    acquires = [e for e in case.log.entries() if e.action in ("acquire", "seen-again")
                and e.evidence[0].evidence_id == kids[0].evidence_id]
    assert [e.action for e in acquires] == ["acquire", "seen-again"]
    assert acquires[0].details["extracted_from"]["id"] == "E0001"
    assert acquires[0].details["extracted_from"]["sha256"] == parent.digests.sha256
    assert acquires[0].details["extracted_from"]["location"] == "line 2"
    assert kids[0].facts.note == "extracted from E0001"
    ids = {p.evidence_id for p in report.parsed.parsed}
    assert ids == {"E0001", *(k.evidence_id for k in kids)}
    (env,) = [p for p in report.parsed.parsed if p.evidence_id == "E0001"]
    assert env.summary["extracted_items"] == ["E0002", "E0002", "E0003"]
    assert [w["location"] for w in env.summary["warnings"]] == ["line 3"]
    assert case.verify(record=False).ok


def test_frames_and_rebuild_from_the_store(case: Case, tmp_path, toy_registry):
    f = tmp_path / "mail.env"
    f.write_text("ENV\na.txt=1\nbroken")
    case.add([f])
    arts = case.artifacts()
    assert list(arts["evidence_id"]) == ["E0001", "E0002"]
    assert arts.loc[0, "parser"] == "envelope" and arts.loc[1, "extracted_from"] == "E0001"
    ev = case.events()
    assert ev.loc[0, "utc"] == "2026-11-20T06:32:00Z" and ev.loc[0, "zone"] == "explicit"
    assert ev.loc[0, "actor"] == "张三" and ev.loc[0, "time_source"] == "envelope:Date"
    w = case.parse_warnings()
    assert list(w["location"]) == ["line 3"]
    assert (case.root / "derived" / "events.parquet").is_file()
    # derived data deleted: rebuilt from the store, and the rebuild is logged
    import shutil

    shutil.rmtree(case.root / "derived" / "parsed")
    (case.root / "derived" / "events.parquet").unlink()
    n_before = len(case.log.entries())
    again = Case.open(case.root).events()
    assert again.equals(ev)
    rebuild = [e for e in case.log.entries()[n_before:] if e.action == "parse"]
    assert rebuild and rebuild[0].details["reason"] == "rebuild"


def test_add_without_parse_then_artifacts_parses_on_demand(case: Case, captures):
    report = case.add([captures], parse=False)
    assert report.parsed is None
    assert not [e for e in case.log.entries() if e.action == "parse"]
    df = case.artifacts()
    assert len(df) == 3
    assert [e for e in case.log.entries() if e.action == "parse"]


def test_stale_parser_version_is_parsed_again(case: Case, tmp_path, toy_registry, monkeypatch):
    f = tmp_path / "mail.env"
    f.write_text("ENV\n")
    case.add([f])
    monkeypatch.setattr(Envelope, "version", "2")
    toy_registry.get("text/x-envelope").__class__.version = "2"
    arts = case.artifacts()
    assert arts.loc[0, "parser_version"] == "2"


@pytest.mark.corpus
def test_the_whole_corpus_goes_in_parsed_and_intact(corpus, tmp_path):
    """Every corpus file, the corrupted ones included: stored, parsed or listed with the reason,
    attachments extracted and linked, the store still verifying."""
    case = Case.init(tmp_path / "case")
    before = snapshot(corpus)
    report = case.add([corpus])
    assert not report.failed and snapshot(corpus) == before
    arts = case.artifacts()
    files = [p for p in corpus.rglob("*") if p.is_file()]
    originals = arts[arts["extracted_from"].isna()]
    assert len(originals) == len({__import__("hashlib").sha256(p.read_bytes()).hexdigest()
                                  for p in files})
    unparsed = arts[arts["unparsed_reason"].notna()]
    # only the corpus's own documentation and the timestamp fixtures (issue 9) are unparsed
    assert set(unparsed["media_type"]) <= {"text/plain", "application/octet-stream"}, unparsed
    assert all(arts.loc[arts["parser"].notna(), "parser_version"].notna())
    # the attachment of mail_test_3.eml is an item of its own, with the reference digest
    kid = arts[arts["name"] == "message.txt"].iloc[0]
    assert kid["sha256"] == "79ee4469fd90848893abf3b47538255adb885e13a0756e07b789bf19530fdc0f"
    parent = case.item(kid["extracted_from"])
    assert parent.name == "mail_test_3.eml"
    assert case.verify(record=False).ok
    events = case.events()
    assert len(events) > 100 and events["utc"].notna().any()
    assert set(events["zone"]) <= {"explicit", "assumed", "unknown"}


def _parse_entries(case):
    return [e for e in case.log.entries() if e.action == "parse"]


def test_an_edited_derived_file_is_never_served(case: Case, tmp_path, toy_registry):
    f = tmp_path / "mail.env"
    f.write_text("ENV\nbroken")
    case.add([f])
    item = case.item("E0001")
    path = case.root / "derived" / "parsed" / f"{item.digests.sha256}.json"
    doc = json.loads(path.read_text())
    doc["artifact"]["metadata"]["Envelope:Parts"] = 99
    path.chmod(0o644)
    path.write_text(json.dumps(doc))
    n = len(_parse_entries(case))
    arts = case.artifacts()
    assert json.loads(arts.loc[0, "metadata"])["Envelope:Parts"] == 1
    assert len(_parse_entries(case)) == n + 1  # parsed again from the store, and logged


def test_a_derived_file_no_entry_names_is_ignored(case: Case, tmp_path, toy_registry):
    f = tmp_path / "mail.env"
    f.write_text("ENV\n")
    case.add([f], parse=False)
    item = case.item("E0001")
    forged = {"format": "forensics-parsed", "artifact": {"sha256": item.digests.sha256,
                                                         "media_type": "x/forged"}}
    d = case.root / "derived" / "parsed"
    d.mkdir(parents=True, exist_ok=True)
    (d / f"{item.digests.sha256}.json").write_text(json.dumps(forged))
    assert case.artifacts().loc[0, "media_type"] == "text/x-envelope"


def test_a_changed_stored_copy_is_not_parsed_under_its_old_digest(case: Case, captures):
    case.add([captures / "mail.eml"], parse=False)
    item = case.item("E0001")
    stored = case.root / item.stored_as
    stored.chmod(0o644)
    stored.write_bytes(b"From: forged@example.com\r\nSubject: x\r\n\r\nforged\r\n")
    n = len(case.log.entries())
    arts = case.artifacts()
    assert "does not match its recorded SHA-256" in arts.loc[0, "unparsed_reason"]
    assert "forensics verify" in arts.loc[0, "unparsed_reason"]
    assert len(case.log.entries()) == n  # nothing logged as parsed
    assert not (case.root / "derived" / "parsed" / f"{item.digests.sha256}.json").exists()


def test_a_missing_stored_copy_is_listed_not_fatal(case: Case, captures):
    case.add([captures], parse=False)
    stored = case.root / case.item("E0002").stored_as
    stored.chmod(0o644)
    stored.unlink()
    arts = case.artifacts()
    assert len(arts) == 3
    assert "cannot be opened" in arts.set_index("evidence_id").loc["E0002", "unparsed_reason"]


def test_read_only_use_writes_and_logs_nothing(case: Case, captures):
    case.add([captures], parse=False)
    before_log = (case.root / "custody.jsonl").read_bytes()
    arts = case.artifacts(record=False)
    assert len(arts) == 3 and arts["parser"].notna().any()
    assert (case.root / "custody.jsonl").read_bytes() == before_log
    assert not list((case.root / "derived").rglob("*.json"))


def test_a_new_parser_makes_old_results_stale(case: Case, tmp_path, monkeypatch):
    f = tmp_path / "mail.env"
    f.write_text("ENV\na=1")
    case.add([f])  # no parser for it yet
    assert case.artifacts().loc[0, "media_type"] == "text/plain"
    reg = Registry()
    import importlib

    for name in parsers.MODULES:
        for cls in importlib.import_module(name).PARSERS:
            reg.register(cls)
    reg.register(Envelope)
    monkeypatch.setattr(parsers, "_DEFAULT", reg)
    arts = case.artifacts()
    assert arts.loc[0, "media_type"] == "text/x-envelope"
    assert list(arts["evidence_id"]) == ["E0001", "E0002"]  # and its attachment extracted


def test_records_of_one_type_keep_their_columns_even_when_empty(case: Case, tmp_path):
    f = tmp_path / "r.csv"
    f.write_text("post_id,account_id,parent_account_id,time\nP1,1,,2026-11-20T14:32:00+08:00\n")
    case.add([f])
    df = case.records("social:repost")
    assert df["views"].isna().all() and list(df["account_id"]) == ["1"]


def test_reading_a_backup_never_makes_it_diverge(case: Case, captures, tmp_path):
    case.add([captures])
    dest = tmp_path / "backup"
    case.backup(dest)
    copy = Case.open(dest)
    before = (dest / "custody.jsonl").read_bytes()
    assert len(copy.artifacts()) == 3 and len(copy.events()) >= 0
    assert (dest / "custody.jsonl").read_bytes() == before
    from forensics.integrity import compare

    assert not [p for p in compare(case, dest) if p.kind != "backup-behind"]
    case.backup(dest)  # still a copy of the case: brought up to date, not refused


def test_inspect_lists_what_it_cannot_read(tmp_path):
    import os

    from forensics.artifacts import inspect

    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    os.mkfifo(tmp_path / "pipe")
    arts = {a.name: a for a in inspect([tmp_path])}
    assert arts["a.png"].media_type == "image/png"
    assert "not a regular file" in arts["pipe"].unparsed_reason
