"""Adversarial review of the CASE/UCO export (forensics.export_uco).

``BUG:`` a defect found in review (the test failed first, then forensics/export_uco.py was fixed);
``Pinned:`` a case that was already right and must stay so.  Helpers and the judge
(``case_validate``) come from tests/test_export_uco.py.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.case import Case
from forensics.cli import cli
from forensics.custody import Action, EntryDraft, EvidenceRef
from forensics.digests import new
from forensics.export_uco import OUTPUT_NAME, case_uco_document, write_case_uco
from forensics.intake import IntakeFacts
from forensics.notebooks import copy_sample_case
from tests.test_export_uco import custody_actions, graph, hashes_of, nodes_by_id, validate

FORGED = "0" * 64


def _fields(description: str) -> dict[str, list[str]]:
    """The ``key: value`` lines of a description, as a reader of the export would split them."""
    out: dict[str, list[str]] = {}
    for line in description.splitlines():
        key, sep, value = line.partition(": ")
        if sep:
            out.setdefault(key, []).append(value)
    return out


def test_hostile_custody_text_cannot_forge_a_description_line(case, captures, tmp_path):
    """BUG: a value holding a line break (a note set by `forensics facts`, a captured-by) was
    written as it is into the ``key: value`` lines of a description, so a note reading
    ``x\\nentry_sha256: 000...`` gave the custody action a second, forged entry_sha256 line
    (and a record a forged "stored as").  Line breaks in values are now escaped."""
    case.add([captures / "post.png"], progress=False, parse=False,
             facts=IntakeFacts(captured_by="Eve\nURL: https://forged.example/\r\nseq: 1"))
    case.set_facts(["E0001"], note=f"x\nentry_sha256: {FORGED}\nstored as: store/forged")
    write_case_uco(case, tmp_path)
    out = tmp_path / OUTPUT_NAME
    entries = {e.entry_sha256: e for e in case.log.entries()}
    for action in custody_actions(out):
        fields = _fields(action["uco-core:description"])
        assert all(len(v) == 1 for v in fields.values()), fields
        assert fields["entry_sha256"][0] in entries
    for node in graph(out):
        fields = _fields(str(node.get("uco-core:description", "")))
        assert all(len(v) == 1 for v in fields.values()), (node["@type"], fields)
        assert fields.get("stored as", [""])[0] != "store/forged"
        assert "forged.example" not in fields.get("URL", [""])[0]
    (record,) = [n for n in graph(out) if n["@type"] == "case-investigation:ProvenanceRecord"]
    assert "note: x\\nentry_sha256: " + FORGED in record["uco-core:description"]
    assert validate(out).returncode == 0


def test_an_item_with_no_name(case, captures, tmp_path):
    """Pinned: an item whose acquisition names no source (no file name) is a File with its size
    and digests and no fileName; case_validate accepts it."""
    case.add([captures / "post.png"], progress=False, parse=False)
    data = b"bytes that came with no name"
    ref = EvidenceRef("E0002", len(data), hashlib.sha256(data).hexdigest(),
                      new("sm3", data).hexdigest(), hashlib.md5(data).hexdigest())
    case.record([EntryDraft(Action.ACQUIRE, evidence=(ref,), details={"what": "no name"})])
    assert case.item("E0002").name == ""
    write_case_uco(case, tmp_path)
    nodes = nodes_by_id(tmp_path / OUTPUT_NAME)
    (record,) = [n for n in nodes.values() if n.get("case-investigation:exhibitNumber") == "E0002"]
    file_node = nodes[record["uco-core:object"][0]["@id"]]
    (facet,) = [f for f in file_node["uco-core:hasFacet"]
                if f["@type"] == "uco-observable:FileFacet"]
    assert "uco-observable:fileName" not in facet
    assert hashes_of(file_node) == {"SHA256": ref.sha256, "MD5": ref.md5}
    assert "\nname:" not in record["uco-core:description"]
    assert validate(tmp_path / OUTPUT_NAME).returncode == 0


def test_sm3_hashes_are_the_items_own(case, captures):
    """Pinned: with sm3=True each file carries its SM3 digest, the one the case recorded."""
    case.add([captures / "post.png", captures / "mail.eml"], progress=False, parse=False)
    doc = case_uco_document(case, sm3=True)
    files = {hashes_of(n)["SHA256"]: hashes_of(n) for n in doc["@graph"]
             if n["@type"] == "uco-observable:File"}
    for it in case.items:
        assert files[it.digests.sha256]["SM3"] == it.digests.sm3


def test_ids_stay_stable_when_facts_change(case, captures, tmp_path):
    """Pinned: after `facts` corrects an item, every node that stands for the same thing (the
    investigation, each file, record, capture and earlier custody entry) keeps its IRI, and
    two exports of the changed case are the same bytes."""
    case.add([captures / "post.png"], progress=False, parse=False, facts=IntakeFacts(
        captured_by="林律师", url="https://weibo.com/1", captured_at="2026-11-20T14:32:00+08:00"))
    before = {n["@id"]: n["@type"] for n in case_uco_document(case)["@graph"]
              if n["@type"] not in ("uco-observable:URL", "uco-identity:Identity")}
    case.set_facts(["E0001"], url="https://weibo.com/2", captured_by="吴某")
    after = {n["@id"]: n["@type"] for n in case_uco_document(case)["@graph"]}
    assert all(after.get(iri) == kind for iri, kind in before.items())
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    write_case_uco(case, tmp_path / "a")
    write_case_uco(case, tmp_path / "b")
    a, b = (tmp_path / d / OUTPUT_NAME for d in "ab")
    assert a.read_bytes() == b.read_bytes()
    nodes = nodes_by_id(tmp_path / "a" / OUTPUT_NAME)
    (capture,) = [n for n in nodes.values() if n.get("uco-core:name") == "capture"]
    assert nodes[capture["uco-action:performer"]["@id"]]["uco-core:name"] == "吴某"


@pytest.mark.slow
def test_the_sample_case_through_the_command_then_case_validate(tmp_path):
    """Pinned: `forensics export CASE --format case-uco DEST` on the sample case, then
    `case_validate DEST/case.jsonld`: exit 0, Conforms: True."""
    case = copy_sample_case(tmp_path / "case")
    dest = tmp_path / "uco"
    r = CliRunner().invoke(cli, ["export", str(case.root), "--format", "case-uco", str(dest),
                                 "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    assert [f["path"] for f in json.loads(r.stdout)["files"]] == [OUTPUT_NAME]
    result = validate(Path(dest) / OUTPUT_NAME)
    assert result.returncode == 0 and "Conforms: True" in result.stdout, result.stdout


def test_an_export_of_a_case_whose_log_is_empty_is_refused(tmp_path):
    """Pinned: no custody entries, nothing to export: a clear InputError naming the log."""
    from forensics.errors import InputError

    case = Case.init(tmp_path / "case")
    (case.root / "custody.jsonl").write_bytes(b"")
    with pytest.raises(InputError, match="no custody entries"):
        case_uco_document(Case.open(case.root))
