"""CASE/UCO JSON-LD export (forensics.export_uco): ``case_validate`` (case-utils, CASE 1.5.0 /
UCO 1.5.0) accepts it, every item's digests sit with its file, every custody entry is an action in
order, the same case gives the same bytes, and hostile text stays valid JSON-LD."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner

from forensics.case import Case
from forensics.cli import cli
from forensics.export import export
from forensics.export_uco import OUTPUT_NAME, case_uco_document, write_case_uco
from forensics.intake import IntakeFacts
from forensics.notebooks import copy_sample_case

UCO_CORE = "https://ontology.unifiedcyberontology.org/uco/core/"
UCO_OBSERVABLE = "https://ontology.unifiedcyberontology.org/uco/observable/"
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE


def case_validate() -> str:
    """The ``case_validate`` console script of the venv running the tests (case-utils is in the
    ``test`` extra: missing, the test fails rather than skips)."""
    beside = Path(sys.executable).with_name("case_validate")
    found = str(beside) if beside.is_file() else shutil.which("case_validate")
    assert found, "case_validate not found: pip install -e '.[test]' installs case-utils"
    return found


def validate(path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([case_validate(), *flags, str(path)], capture_output=True, text=True,
                          timeout=300)


def graph(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["@graph"]


def nodes_by_id(path: Path) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for n in graph(path):
        assert n["@id"] not in out, f"node {n['@id']} written twice"
        out[n["@id"]] = n
    return out


def custody_actions(path: Path) -> list[dict]:
    return [n for n in graph(path) if n["@type"] == "case-investigation:InvestigativeAction"
            and n["uco-core:description"].startswith("custody entry ")]


def hashes_of(file_node: dict) -> dict[str, str]:
    (content,) = [f for f in file_node["uco-core:hasFacet"]
                  if f["@type"] == "uco-observable:ContentDataFacet"]
    return {h["uco-types:hashMethod"]: h["uco-types:hashValue"]["@value"]
            for h in content["uco-observable:hash"]}


def info_results_are_only_sm3(report: str, n_items: int) -> None:
    """A strict ``case_validate`` run: one sh:Info per SM3 hash (outside UCO's HashNameVocab)
    and nothing else."""
    assert "Conforms: False" in report
    assert f"Results ({n_items}):" in report
    assert report.count("Severity: sh:Info") == n_items
    assert report.count("Source Shape: types:Hash-hashMethod-in-shape") == n_items
    assert report.count('Value Node: Literal("SM3")') == n_items
    assert "sh:Violation" not in report and "sh:Warning" not in report


@pytest.fixture
def small(case: Case, captures: Path) -> Case:
    """The tiny conftest case with three captures, facts on each, one with a URL."""
    case.add([captures / "post.png"], progress=False, facts=IntakeFacts(
        category="post", url="https://weibo.com/123/AbCdEf", platform="微博",
        captured_at="2026-11-20T14:32:00+08:00", captured_by="林律师", tool="Chrome 131",
        method="screenshot", carrier="none"))
    case.add([captures / "微信", captures / "mail.eml"], progress=False,
             facts=IntakeFacts(category="message", captured_by="吴某"))
    return case


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> tuple[Case, Path]:
    """The kept sample case, copied, and its export (not logged: the copy stays as kept)."""
    tmp = tmp_path_factory.mktemp("uco-sample")
    case = copy_sample_case(tmp / "case")
    report = export(case, "case-uco", tmp / "out", progress=False, record=False)
    return case, report.dest / OUTPUT_NAME


# --- case_validate is the judge ---------------------------------------------------------------

def test_the_sample_case_export_conforms(sample):
    """What `forensics export --format case-uco` writes, case_validate accepts as it is."""
    _case, out = sample
    strict = validate(out)
    assert strict.returncode == 0, strict.stdout + strict.stderr
    assert "Conforms: True" in strict.stdout and '"SM3"' not in out.read_text(encoding="utf-8")


def test_with_sm3_the_only_results_are_the_sm3_advisories(small, tmp_path):
    (tmp_path / "with").mkdir()
    (tmp_path / "without").mkdir()
    written = write_case_uco(small, tmp_path / "with", sm3=True)
    assert "conforms with --allow-info" in written.notes[0]
    out = tmp_path / "with" / OUTPUT_NAME
    strict = validate(out)
    assert strict.returncode == 1, strict.stdout + strict.stderr
    info_results_are_only_sm3(strict.stdout, len(small.items))
    allowed = validate(out, "--allow-info")
    assert allowed.returncode == 0 and "Conforms: True" in allowed.stdout
    plain = write_case_uco(small, tmp_path / "without")
    assert "SM3 left out" in plain.notes[0]
    assert validate(tmp_path / "without" / OUTPUT_NAME).returncode == 0


def test_an_invalid_node_is_refused_by_the_validator_we_rely_on(small, tmp_path):
    """The judge is not blind: a hash value that is not hex makes it fail."""
    write_case_uco(small, tmp_path)
    out = tmp_path / OUTPUT_NAME
    out.write_text(out.read_text(encoding="utf-8").replace(
        small.items[0].digests.md5, "not-hex"), encoding="utf-8")
    r = validate(out)
    assert r.returncode == 1 and "sh:Violation" in r.stdout and "hashValue" in r.stdout


# --- what the document says -------------------------------------------------------------------

def test_every_item_has_its_file_digests_and_provenance_record(sample):
    case, out = sample
    nodes = nodes_by_id(out)
    records = {n["case-investigation:exhibitNumber"]: n for n in nodes.values()
               if n["@type"] == "case-investigation:ProvenanceRecord"}
    assert sorted(records) == sorted(it.evidence_id for it in case.items)
    for it in case.items:
        (ref,) = records[it.evidence_id]["uco-core:object"]
        file_node = nodes[ref["@id"]]
        assert file_node["@type"] == "uco-observable:File"
        assert hashes_of(file_node) == {"SHA256": it.digests.sha256, "MD5": it.digests.md5}
        (facet,) = [f for f in file_node["uco-core:hasFacet"]
                    if f["@type"] == "uco-observable:FileFacet"]
        assert facet["uco-observable:fileName"] == it.name
        assert facet["uco-observable:sizeInBytes"]["@value"] == str(it.digests.size)


def test_an_extracted_item_names_its_root_exhibit_and_parent(sample):
    case, out = sample
    nodes = nodes_by_id(out)
    extracted = [it for it in case.items if it.extracted_from]
    assert extracted, "the sample case has an e-mail attachment"
    records = {n["case-investigation:exhibitNumber"]: n for n in nodes.values()
               if n["@type"] == "case-investigation:ProvenanceRecord"}
    file_of = {k: r["uco-core:object"][0]["@id"] for k, r in records.items()}
    relations = [n for n in nodes.values() if n["@type"] == "uco-observable:ObservableRelationship"]
    for it in extracted:
        assert records[it.evidence_id]["case-investigation:rootExhibitNumber"] == it.extracted_from
        assert any(r["uco-core:source"] == [{"@id": file_of[it.evidence_id]}]
                   and r["uco-core:target"] == {"@id": file_of[it.extracted_from]}
                   and r["uco-core:kindOfRelationship"] == "Extracted_From" for r in relations)
    assert "case-investigation:rootExhibitNumber" not in records[case.items[0].evidence_id]


def test_every_custody_entry_is_an_action_in_order(sample):
    case, out = sample
    entries = case.log.entries()
    actions = custody_actions(out)
    assert [a["uco-core:name"] for a in actions] == [e.action for e in entries]
    nodes = nodes_by_id(out)
    previous = None
    for e, a in zip(entries, actions, strict=True):
        t = e.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        assert a["uco-action:startTime"] == a["uco-action:endTime"] == {
            "@type": "xsd:dateTime", "@value": t}
        assert f"seq: {e.seq}\n" in a["uco-core:description"]
        assert f"entry_sha256: {e.entry_sha256}" in a["uco-core:description"]
        assert nodes[a["uco-action:performer"]["@id"]] == {
            "@id": a["uco-action:performer"]["@id"], "@type": "uco-identity:Identity",
            "uco-core:name": e.actor}
        (tool,) = a["uco-action:instrument"]
        assert nodes[tool["@id"]]["uco-tool:version"] == e.tool_version
        informed = [r["@id"] for r in a.get("case-investigation:wasInformedBy", [])]
        assert (previous in informed) if previous else not informed
        previous = a["@id"]
        named = a.get("uco-action:result" if e.action == "acquire" else "uco-action:object", [])
        shas = {hashes_of(nodes[r["@id"]])["SHA256"] for r in named}
        assert shas == {r.sha256 for r in e.evidence}


def test_a_capture_is_an_action_from_its_url_to_its_file(small, tmp_path):
    write_case_uco(small, tmp_path)
    nodes = nodes_by_id(tmp_path / OUTPUT_NAME)
    (capture,) = [n for n in nodes.values() if n.get("uco-core:name") == "capture"
                  and "林律师" in n["uco-core:description"]]
    (url,) = capture["uco-action:object"]
    (facet,) = nodes[url["@id"]]["uco-core:hasFacet"]
    assert facet == {**facet, "@type": "uco-observable:URLFacet",
                     "uco-observable:fullValue": "https://weibo.com/123/AbCdEf"}
    assert capture["uco-action:startTime"]["@value"] == "2026-11-20T06:32:00.000000Z"
    assert nodes[capture["uco-action:performer"]["@id"]]["uco-core:name"] == "林律师"
    (acquire,) = [a for a in custody_actions(tmp_path / OUTPUT_NAME)
                  if a["uco-core:name"] == "acquire"
                  and a["uco-action:result"] == capture["uco-action:result"]]
    assert {"@id": capture["@id"]} in acquire["case-investigation:wasInformedBy"]


def test_the_investigation_names_the_case_and_holds_every_node(small, tmp_path):
    doc = case_uco_document(small)
    inv, *rest = doc["@graph"]
    assert inv["@type"] == "case-investigation:Investigation"
    assert inv["uco-core:name"] == "(2026)测0001号 测试案件"
    assert f"custody head: entry {small.head.seq} sha256:{small.head.entry_sha256}" in \
        inv["uco-core:description"]
    assert [r["@id"] for r in inv["uco-core:object"]] == [n["@id"] for n in rest]
    assert all(re.fullmatch(r"kb:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-"
                            r"[0-9a-f]{12}", n["@id"]) for n in doc["@graph"])


# --- the same case, the same bytes ------------------------------------------------------------

def test_two_exports_of_the_same_case_are_the_same_bytes(small, tmp_path):
    a = export(small, "case-uco", tmp_path / "a", progress=False, record=False)
    b = export(small, "case-uco", tmp_path / "b", progress=False, record=False)
    assert a.files == b.files
    copy = tmp_path / "copy"
    shutil.copytree(small.root, copy)  # the same case elsewhere: nothing depends on its path
    (tmp_path / "c").mkdir()
    write_case_uco(Case.open(copy), tmp_path / "c")
    assert (tmp_path / "c" / OUTPUT_NAME).read_bytes() == (a.dest / OUTPUT_NAME).read_bytes()
    text = (a.dest / OUTPUT_NAME).read_text(encoding="utf-8")
    assert text.endswith("}\n") and text.startswith('{\n  "@context": {\n')


def test_another_case_with_the_same_number_gets_other_iris(tmp_path):
    one = Case.init(tmp_path / "1", case_number="(2026)测1号")
    two = Case.init(tmp_path / "2", case_number="(2026)测1号")
    ids = [{n["@id"] for n in case_uco_document(c)["@graph"]} for c in (one, two)]
    assert not ids[0] & ids[1]


# --- hostile text -----------------------------------------------------------------------------

HOSTILE = f'he said "hi"\n\\ {RLO}gnp.exe </script> {{"@id": "kb:x"}} 中文'


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")
def test_hostile_names_and_text_stay_valid_json_ld(tmp_path, monkeypatch):
    monkeypatch.setenv("FORENSICS_ACTOR", f'Eve "the\nexaminer" {RLO}')
    case = Case.init(tmp_path / "case", title=HOSTILE, case_number='"(2026)"\n1')
    src = tmp_path / "in"
    src.mkdir()
    name = f'a"b\n{RLO}gnp.exe'
    (src / name).write_bytes(b"hostile")
    case.add([src / name], progress=False, parse=False, facts=IntakeFacts(
        url=f'https://x.example/"><script>{RLO}', captured_by=HOSTILE, note=HOSTILE))
    write_case_uco(case, tmp_path)
    out = tmp_path / OUTPUT_NAME
    text = out.read_text(encoding="utf-8")
    assert RLO in text  # kept as the character it is (JSON escapes only what it must)
    g = rdflib.Graph().parse(out, format="json-ld")
    names = {str(o) for o in g.objects(None, rdflib.URIRef(UCO_CORE + "name"))}
    assert '"(2026)"\n1 ' + HOSTILE in names
    assert f'Eve "the\nexaminer" {RLO}' in names and HOSTILE in names
    file_names = {str(o) for o in g.objects(None, rdflib.URIRef(UCO_OBSERVABLE + "fileName"))}
    assert file_names == {name}
    assert not any("kb:x" in str(s) for s in g.subjects())  # text never becomes a node
    r = validate(out, "--allow-info")
    assert r.returncode == 0, r.stdout + r.stderr


# --- the command ------------------------------------------------------------------------------

def test_the_cli_exports_and_logs_the_export(small, tmp_path):
    dest = tmp_path / "uco"
    r = CliRunner().invoke(cli, ["export", str(small.root), "--format", "case-uco", str(dest),
                                 "--json"], catch_exceptions=False)
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert [f["path"] for f in out["files"]] == [OUTPUT_NAME]
    small.refresh()
    last = small.log.entries()[-1]
    assert last.seq == out["recorded_seq"] and last.action == "export"
    assert last.details["what"] == "export case-uco"
    assert last.details["files"] == {OUTPUT_NAME: out["files"][0]["sha256"]}
    # the export was made from the log before its own entry
    assert [a["uco-core:name"] for a in custody_actions(dest / OUTPUT_NAME)] == \
        [e.action for e in small.log.entries()[:-1]]
