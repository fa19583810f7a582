"""forensics.attest: outside hash lists and certificates read and matched by digest.

Every list format is made by the tool that writes it where this machine has it (coreutils'
sha256sum/md5sum/sha1sum/sha512sum, OpenSSL's `dgst -sm3`), else written as its documentation
describes (hashdeep, BagIt); each round trip matches every file."""

from __future__ import annotations

import hashlib
import json
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.attest import import_attestation, read_attestation
from forensics.case import Case
from forensics.cli import cli
from forensics.digests import new as new_hash
from forensics.errors import AttestationError
from tests.conftest import case_holding

FILES = {"post.html": b"<p>\xe6\x9a\x96\xe9\x98\xb3</p>", "shot.png": b"\x89PNG fake bytes",
         "chat.txt": b"hello"}


@pytest.fixture
def held(tmp_path: Path) -> tuple[Case, Path]:
    """A case holding three small files, and the folder they came from."""
    return case_holding(tmp_path, FILES), tmp_path / "src"


def _run(cmd: list[str], cwd: Path) -> bytes:
    return subprocess.run(cmd, cwd=cwd, check=True, capture_output=True).stdout


def _statuses(report) -> list[tuple[str, str | None]]:
    return [(m.status, m.evidence_id) for m in report.matches]


def _log(case: Case) -> bytes:
    return (case.root / "custody.jsonl").read_bytes()


NAMES = sorted(FILES)  # chat.txt E0001, post.html E0002, shot.png E0003


@pytest.mark.parametrize(("tool", "list_name", "kind", "algorithm"), [
    (["sha256sum"], "SHA256SUMS", "sha256sum", "sha256"),
    (["sha256sum", "-b"], "list.sha256", "sha256sum", "sha256"),
    (["sha256sum", "--tag"], "checksums.txt", "sha256sum", "sha256"),
    (["md5sum"], "MD5SUMS", "md5sum", "md5"),
    (["sha1sum"], "SHA1SUMS", "sha1sum", "sha1"),
    (["sha512sum"], "SHA512SUMS", "sha512sum", "sha512"),
    (["openssl", "dgst", "-sm3"], "hashes.txt", "sm3sum", "sm3"),
    (["openssl", "dgst", "-sm3", "-r"], "list.sm3", "sm3sum", "sm3"),
])
def test_every_sum_list_round_trips(held, tool, list_name, kind, algorithm):
    case, src = held
    (src.parent / list_name).write_bytes(_run([*tool, *NAMES], src))
    report = import_attestation(case, src.parent / list_name)
    assert report.attestation.kind == kind
    assert _statuses(report) == [("matched", "E0001"), ("matched", "E0002"), ("matched", "E0003")]
    assert {m.algorithm for m in report.matches} == {algorithm}
    assert report.ok and report.counts["matched"] == 3
    assert report.document_ids == ("E0004",)  # the list itself, now an item of the case
    entry = case.attestations[-1]
    assert entry.seq == report.recorded_seq and entry.details["counts"]["matched"] == 3
    assert {r.evidence_id for r in entry.evidence} == {"E0001", "E0002", "E0003", "E0004"}


def test_64_digit_digests_with_nothing_naming_sm3_are_tried_as_sm3(held):
    case, src = held
    lines = "".join(f"{new_hash('sm3', FILES[n]).hexdigest()}  {n}\n" for n in NAMES)
    (src.parent / "list.txt").write_text(lines)
    report = import_attestation(case, src.parent / "list.txt")
    assert [m.algorithm for m in report.matches] == ["sm3"] * 3
    assert report.ok and any("SHA-256, else SM3" in n for n in report.attestation.notes)


def test_hashdeep_round_trip(held):
    case, src = held
    rows = "".join(f"{len(FILES[n])},{hashlib.md5(FILES[n]).hexdigest()},"
                   f"{hashlib.sha256(FILES[n]).hexdigest()},/media/usb/证据, 目录/{n}\n"
                   for n in NAMES)
    text = ("%%%% HASHDEEP-1.0\n%%%% size,md5,sha256,filename\n## Invoked from: /media/usb\n"
            "## $ hashdeep -r .\n##\n" + rows)
    (src.parent / "audit.hashdeep").write_text(text)
    report = import_attestation(case, src.parent / "audit.hashdeep")
    assert report.attestation.kind == "hashdeep"
    assert [(m.status, m.algorithm, m.evidence_id) for m in report.matches] == [
        ("matched", "md5", "E0001"), ("matched", "sha256", "E0001"),
        ("matched", "md5", "E0002"), ("matched", "sha256", "E0002"),
        ("matched", "md5", "E0003"), ("matched", "sha256", "E0003")]
    # the file name keeps its commas (the last field takes the rest of the line)
    assert report.matches[0].listed.name == f"/media/usb/证据, 目录/{NAMES[0]}"
    assert report.matches[0].listed.size == len(FILES[NAMES[0]])


def _bag(folder: Path, files: dict[str, bytes]) -> Path:
    (folder / "data").mkdir(parents=True)
    (folder / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
    (folder / "bag-info.txt").write_text(
        "Source-Organization: 示例存证平台\nBagging-Date: 2026-11-22\n"
        "External-Identifier: CZ-2026-0001\nExternal-Description: 存证包\n  （续行）\n")
    for alg in ("sha256", "sha512"):
        (folder / f"manifest-{alg}.txt").write_text("".join(
            f"{hashlib.new(alg, data).hexdigest()}  data/{name.replace('%', '%25')}\n"
            for name, data in files.items()))
    return folder


def test_bagit_manifest_and_bag_folder(held):
    case, src = held
    bag = _bag(src.parent / "bag", {n: FILES[n] for n in NAMES} | {"50%.txt": b"not held"})
    report = import_attestation(case, bag / "manifest-sha256.txt")
    assert report.attestation.kind == "bagit"
    assert _statuses(report) == [("matched", "E0001"), ("matched", "E0002"), ("matched", "E0003"),
                                 ("missing", None)]
    assert report.matches[-1].listed.name == "data/50%.txt"  # %25 decoded
    whole = import_attestation(case, bag)
    a = whole.attestation
    assert (a.issuer, a.issued_at, a.certificate_number) == ("示例存证平台", "2026-11-22",
                                                             "CZ-2026-0001")
    assert a.text == "存证包 （续行）"
    assert [m.algorithm for m in whole.matches] == ["sha256"] * 4 + ["sha512"] * 4
    assert len(whole.document_ids) == 3  # both manifests and bag-info.txt
    assert whole.events == 3 + 3  # matched items and the three documents, at the bagging date


def test_certificate_toml_and_json(held):
    case, src = held
    sm3 = new_hash("sm3", FILES["post.html"]).hexdigest()
    (src.parent / "cert.toml").write_text(f'''
issuer = "某互联网法院电子证据平台"
certificate_number = "ZX-2026-000123"
issued_at = 2026-11-21T16:05:09+08:00
transaction_id = "0x9f2c"
block_height = 1234567
chain = "司法链"
url = "https://example.invalid/verify/ZX-2026-000123"
text = "存证内容：涉案微博页面"

[[digests]]
algorithm = "SM3"
digest = "{sm3}"
name = "post.html"
''', encoding="utf-8")
    report = import_attestation(case, src.parent / "cert.toml")
    a = report.attestation
    assert (a.kind, a.event, a.block_height, a.chain) == ("certificate", "deposited", 1234567,
                                                          "司法链")
    assert _statuses(report) == [("matched", "E0002")]
    rows = case.timeline(progress=False)
    mine = rows[rows["source"] == "attest:certificate"]
    assert sorted(mine["evidence_id"]) == ["E0002", "E0004"]
    post = mine[mine["evidence_id"] == "E0002"].iloc[0]
    assert post["time_description"] == "Deposited (as the attestation states)"
    assert str(post["utc"]) == "2026-11-21 08:05:09+00:00" and post["zone"] == "explicit"
    assert post["actor"] == "某互联网法院电子证据平台"
    assert post["location"] == f"custody seq {report.recorded_seq}"
    doc = {"issuer": "示例公证处", "certificate_number": "(2026)示证字第7号",
           "issued_at": "2026-11-21 15:00", "digests": [
               {"algorithm": "sha256", "digest": hashlib.sha256(FILES["shot.png"]).hexdigest(),
                "name": "shot.png", "size": len(FILES["shot.png"])}]}
    (src.parent / "notary.json").write_text(json.dumps(doc, ensure_ascii=False))
    report = import_attestation(case, src.parent / "notary.json")
    assert report.attestation.event == "notarized" and _statuses(report) == [
        ("matched", "E0003")]
    rows = case.timeline(progress=False)
    shot = rows[(rows["source"] == "attest:certificate") & (rows["evidence_id"] == "E0003")]
    assert shot.iloc[0]["zone"] == "assumed"  # no offset written: the case's zone, marked


def test_mismatch_missing_and_unknown_algorithm_give_their_findings(held):
    case, src = held
    tampered = hashlib.sha256(b"the file the notary saw").hexdigest()
    gone = hashlib.sha256(b"gone").hexdigest()
    (src.parent / "SHA256SUMS").write_text(
        f"{hashlib.sha256(FILES['chat.txt']).hexdigest()}  chat.txt\n"
        f"{tampered}  证据/post.html\n{gone}  recording.mp4\n")
    report = import_attestation(case, src.parent / "SHA256SUMS", issuer="示例公证处")
    assert _statuses(report) == [("matched", "E0001"), ("mismatched", "E0002"),
                                 ("missing", None)]
    bad = report.matches[1]
    assert bad.held == hashlib.sha256(FILES["post.html"]).hexdigest()
    assert not report.ok and report.problems == 1
    assert "MISMATCHED: line 2 证据/post.html" in str(report)
    text = ("%%%% HASHDEEP-1.0\n%%%% size,tiger,filename\n"
            f"5,{'ab' * 24},chat.txt\n")
    (src.parent / "old.hashdeep").write_text(text)
    unknown = import_attestation(case, src.parent / "old.hashdeep")
    assert _statuses(unknown) == [("unknown-algorithm", None)] and unknown.problems == 1
    findings = {f.kind: f for f in case.findings(progress=False)}
    mismatch = findings["attested-digest-mismatch"]
    assert mismatch.severity.value == "high" and mismatch.evidence_ids == ("E0004", "E0002")
    assert tampered in mismatch.values[0][1] and "示例公证处" in mismatch.explanation_zh
    assert findings["attested-file-missing"].severity.value == "low"
    assert findings["attested-digest-unchecked"].severity.value == "low"
    # the same list again: the documents are the same item, each finding still once
    again = import_attestation(case, src.parent / "SHA256SUMS", issuer="示例公证处")
    assert again.document_ids == ("E0004",)
    kinds = [f.kind for f in case.findings(progress=False)]
    assert kinds.count("attested-digest-mismatch") == 1
    assert kinds.count("attested-file-missing") == 1


def test_a_list_already_in_the_case_is_not_brought_in_again(held):
    case, src = held
    (src / "SHA256SUMS").write_bytes(_run(["sha256sum", *NAMES], src))
    case.add([src / "SHA256SUMS"], parse=False)
    n = len(case.items)
    report = import_attestation(case, src / "SHA256SUMS")
    assert report.document_ids == ("E0004",) and len(case.items) == n


def test_gb18030_list_with_chinese_names_and_escaped_names(held):
    case, src = held
    digest = hashlib.sha256(b"other content").hexdigest()
    text = (f"{digest}  截图/帖子.png\n"
            f"\\{hashlib.sha256(FILES['chat.txt']).hexdigest()}  odd\\nname\\\\x.txt\n")
    (src.parent / "SHA256SUMS.txt").write_bytes(text.encode("gbk"))
    report = import_attestation(case, src.parent / "SHA256SUMS.txt")
    assert report.attestation.encoding == "gb18030"
    assert "read as gb18030" in report.attestation.notes
    assert report.matches[0].listed.name == "截图/帖子.png"
    assert report.matches[1].listed.name == "odd\nname\\x.txt"
    assert _statuses(report) == [("missing", None), ("matched", "E0001")]


@pytest.mark.parametrize(("name", "content", "message"), [
    ("SHA256SUMS", "not a digest at all\n", "line 1: not a digest line"),
    ("SHA256SUMS", "# ok\n" + "ab" * 20 + "  x.png\n", "line 2: a sha256 digest has 64 hex "
                                                     "digits, this one 40"),
    ("list.txt", "abc123  x.png\n", "line 1: a digest of 6 hex digits and no algorithm"),
    ("a.hashdeep", "%%%% HASHDEEP-1.0\n" + "5,ab,x\n", "line 2: a digest line before"),
    ("a.hashdeep", "%%%% HASHDEEP-1.0\n%%%% size,md5,filename\nx," + "ab" * 16 + ",f\n",
     "line 3: size 'x' is not a number"),
    ("c.toml", 'issuer = "x"\ndigests = []\n', "'digests' must be a non-empty list"),
    ("c.toml", 'issuer = "x"\nissuer_name = "y"\n[[digests]]\nalgorithm = "md5"\n'
               'digest = "' + "ab" * 16 + '"\n', "unknown key(s) issuer_name"),
    ("c.json", '{"issuer": "x", "digests": [{"algorithm": "md5"}]}',
     "digests[1] needs 'algorithm' and 'digest'"),
    ("c.json", '{"issuer": ', "not JSON"),
    ("c.toml", 'digests = [{algorithm = "md5", digest = "' + "ab" * 16 + '"}]\n',
     "'issuer' (who states it"),
    ("SHA256SUMS", "", "no digest listed"),
])
def test_malformed_input_is_a_typed_error_naming_file_and_line(held, name, content, message):
    case, src = held
    path = src.parent / name
    path.write_text(content)
    before = _log(case)
    with pytest.raises(AttestationError, match=message.replace("(", r"\(").replace(")", r"\)")
                       .replace("[", r"\[").replace("]", r"\]")) as err:
        import_attestation(case, path)
    assert str(path) in str(err.value)
    assert _log(case) == before  # nothing recorded, nothing brought in


def test_binary_file_bad_time_and_folder_without_bag(held):
    case, src = held
    (src.parent / "x.sha256").write_bytes(b"\x00\x01\x02binary")
    with pytest.raises(AttestationError, match="not text"):
        read_attestation(src.parent / "x.sha256")
    (src.parent / "SHA256SUMS").write_bytes(_run(["sha256sum", *NAMES], src))
    before = _log(case)
    with pytest.raises(AttestationError, match="the time 'next week' cannot be read"):
        import_attestation(case, src.parent / "SHA256SUMS", issued_at="next week")
    assert _log(case) == before
    with pytest.raises(AttestationError, match="only as a BagIt bag"):
        read_attestation(src)
    with pytest.raises(AttestationError, match="unknown kind"):
        read_attestation(src.parent / "SHA256SUMS", kind="sha3sum")
    with pytest.raises(AttestationError, match="cannot be read"):
        read_attestation(src.parent / "nothing-here.txt")


def test_cli_import_text_json_and_exit_codes(held):
    case, src = held
    (src.parent / "SHA256SUMS").write_bytes(_run(["sha256sum", *NAMES], src))
    runner = CliRunner()
    ok = runner.invoke(cli, ["attest", "import", str(case.root), str(src.parent / "SHA256SUMS"),
                             "--issuer", "示例公证处", "--time", "2026-11-21 15:00",
                             "--event", "notarized"])
    assert ok.exit_code == 0, ok.output
    assert "3 matched, 0 mismatched, 0 missing" in ok.stdout
    (src.parent / "bad.md5").write_text(f"{'0' * 32}  shot.png\n")
    bad = runner.invoke(cli, ["attest", "import", str(case.root), str(src.parent / "bad.md5"),
                              "--json"])
    assert bad.exit_code == 1
    doc = json.loads(bad.stdout)
    assert doc["counts"] == {"matched": 0, "mismatched": 1, "missing": 0,
                             "unknown-algorithm": 0}
    assert doc["matches"][0]["status"] == "mismatched"
    assert doc["matches"][0]["evidence_id"] == "E0003"
    garbage = runner.invoke(cli, ["attest", "import", str(case.root), str(src / "shot.png"),
                                  "--kind", "md5sum"])
    assert garbage.exit_code == 2 and "error:" in garbage.stderr
    assert "Traceback" not in garbage.output
    helped = runner.invoke(cli, ["attest", "import", "--help"])
    assert helped.exit_code == 0 and "forensics attest import CASE" in helped.stdout


def test_the_sample_notary_list_names_the_missing_recording(tmp_path):
    """data/case-files/notary/SHA256SUMS.txt lists three files; the notary's own recording was
    never handed over (data/README.md)."""
    data = Path(__file__).resolve().parent.parent / "data" / "case-files"
    case = Case.init(tmp_path / "case")
    case.add([], sheet=data / "intake.csv", parse=False)
    report = import_attestation(case, data / "notary" / "SHA256SUMS.txt", issuer="示例公证处",
                                issued_at="2026-11-21T15:00:00+08:00", event="notarized")
    names = {m.listed.name: m.status for m in report.matches}
    assert names == {"weibo-post-20261121.html": "matched",
                     "weibo-post-20261121.warc.gz": "matched",
                     "公证录像_20261121.mp4": "missing"}
    assert report.document_ids and report.ok


def test_an_ambiguous_64_digit_mismatch_names_both_algorithms(held):
    case, src = held
    (src.parent / "list.txt").write_text(f"{'ef' * 32}  post.html\n")
    report = import_attestation(case, src.parent / "list.txt")
    assert [m.status for m in report.matches] == ["mismatched"]
    (f,) = [f for f in case.findings(progress=False) if f.kind == "attested-digest-mismatch"]
    assert "sha256/sm3" in f.values[0][1] and "sha256/sm3" in f.explanation_en
    assert f.values[1][1] == f"sha256 {case.item('E0002').digests.sha256}"
