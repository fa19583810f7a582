"""forensics.export: the dispatcher every export format goes through (the formats have their own
test files): where it may write, what it records, and that it never touches the evidence."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from forensics import export as export_module
from forensics.errors import InputError
from forensics.export import FORMATS, ExportReport, Written, export
from tests.conftest import snapshot


def _fake_writer(case, dest: Path, *, progress=None) -> Written:
    (dest / "sub").mkdir()
    (dest / "a.txt").write_text("列表 a")
    (dest / "sub" / "b.bin").write_bytes(b"\x00\x01" * 1000)
    return Written((dest / "a.txt", dest / "sub" / "b.bin"), ("a note",))


@pytest.fixture
def fake(monkeypatch):
    monkeypatch.setattr(export_module, "_writer", lambda fmt: _fake_writer)


def test_every_format_names_its_writer():
    assert set(FORMATS) == {"bagit", "verify-kit", "case-uco", "timesketch"}
    for module, function, what in FORMATS.values():
        assert module.startswith("forensics.export_") and function.startswith("write_") and what


def test_export_logs_every_file_with_its_digest_and_the_head(case, captures, tmp_path, fake):
    case.add([captures], parse=False)
    head = case.head
    originals = snapshot(case.root / "store")
    report = export(case, "bagit", tmp_path / "out")
    assert isinstance(report, ExportReport)
    assert [p for p, _ in report.files] == ["a.txt", "sub/b.bin"]
    assert report.made_from_seq == head.seq and report.notes == ("a note",)
    entry = case.log.entries()[-1]
    assert entry.seq == report.recorded_seq and entry.action == "export"
    assert entry.details["what"] == "export bagit"
    assert entry.details["made_from_head"]["entry_sha256"] == head.entry_sha256
    assert entry.details["files"] == {
        "a.txt": hashlib.sha256("列表 a".encode()).hexdigest(),
        "sub/b.bin": hashlib.sha256(b"\x00\x01" * 1000).hexdigest()}
    assert {r.evidence_id for r in entry.evidence} == {it.evidence_id for it in case.items}
    assert snapshot(case.root / "store") == originals
    assert report.to_json()["files"][0] == {"path": "a.txt", "sha256": report.files[0][1]}
    assert "2 files in" in str(report) and "a note" in str(report)
    assert "<code>" in report._repr_html_()


def test_export_without_record_writes_nothing_into_the_case(case, captures, tmp_path, fake):
    case.add([captures], parse=False)
    before = (case.root / "custody.jsonl").read_bytes()
    report = export(case, "timesketch", tmp_path / "out", record=False)
    assert report.recorded_seq is None and "not recorded" in str(report)
    assert (case.root / "custody.jsonl").read_bytes() == before


def test_export_refuses_inside_the_case_a_used_folder_and_an_unknown_format(case, tmp_path,
                                                                               fake):
    before = (case.root / "custody.jsonl").read_bytes()
    with pytest.raises(InputError, match="inside the case folder"):
        export(case, "bagit", case.root / "reports" / "bag")
    with pytest.raises(InputError, match="inside the case folder"):
        export(case, "bagit", case.root)
    used = tmp_path / "used"
    used.mkdir()
    (used / "x").write_text("earlier")
    with pytest.raises(InputError, match="not an empty folder"):
        export(case, "bagit", used)
    (tmp_path / "file").write_text("x")
    with pytest.raises(InputError, match="not an empty folder"):
        export(case, "bagit", tmp_path / "file")
    assert (case.root / "custody.jsonl").read_bytes() == before
    assert (used / "x").read_text() == "earlier"


def test_unknown_format_is_refused(case, tmp_path):
    with pytest.raises(InputError, match="unknown export format 'zip'; one of bagit"):
        export(case, "zip", tmp_path / "out")
    assert not (tmp_path / "out").exists()
