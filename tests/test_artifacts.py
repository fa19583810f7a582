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
    for r in results:
        derived = case.root / r["derived"]["path"]
        assert derived.name == f"{case.item(r['id']).digests.sha256}.json"
        import hashlib

        assert hashlib.sha256(derived.read_bytes()).hexdigest() == r["derived"]["sha256"]
        doc = json.loads(derived.read_text())
        assert doc["source"]["sha256"] == case.item(r["id"]).digests.sha256
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
