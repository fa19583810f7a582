"""`forensics timestamp request|verify|import`: exit codes, JSON, messages.

The commands are in /tmp/briefs/K-cli.py until they are pasted into forensics/cli.py; until
then every test here fails with "No such command 'timestamp'".  Tokens come from
tests/tsp_fixtures.py (our own CA and TSA) and the shared corpus (sigstore's TSA).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.anchor import timestamp_request_digest
from forensics.case import Case
from forensics.cli import cli
from tests.tsp_fixtures import GEN_TIME, make_ca, make_token, make_tsa

DATA = b"the post as captured"


@pytest.fixture(scope="module")
def pki():
    ca = make_ca()
    return {"ca": ca, "tsa": make_tsa(ca)}


@pytest.fixture
def files(tmp_path: Path, pki) -> dict[str, Path]:
    """The data, the CA's PEM, the TSA's PEM, a good token, a tampered one, garbage."""
    out = {"data": tmp_path / "post.html", "ca": tmp_path / "ca.pem", "tsa": tmp_path / "tsa.pem",
           "good": tmp_path / "good.tsr", "bad": tmp_path / "bad.tsr",
           "nocerts": tmp_path / "nocerts.tsr", "junk": tmp_path / "junk.tsr"}
    digest = hashlib.sha256(DATA).digest()
    out["data"].write_bytes(DATA)
    out["ca"].write_bytes(pki["ca"].pem)
    out["tsa"].write_bytes(pki["tsa"].pem)
    out["good"].write_bytes(make_token(pki["tsa"], digest))
    out["bad"].write_bytes(make_token(pki["tsa"], digest, tamper_tst=True))
    out["nocerts"].write_bytes(make_token(pki["tsa"], digest, certs=()))
    out["junk"].write_bytes(b"<html>not a token</html>")
    return out


def run(*args: str):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_help_has_examples():
    for sub in ("request", "verify", "import"):
        result = run("timestamp", sub, "--help")
        assert result.exit_code == 0, result.output
        assert "Examples:" in result.output and f"forensics timestamp {sub}" in result.output


def test_verify_valid_token_exits_0(files):
    result = run("timestamp", "verify", files["good"], "--data", files["data"], "--ca", files["ca"])
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output and "2025-06-01T12:00:00Z" in result.output
    digest = hashlib.sha256(DATA).hexdigest()
    result = run("timestamp", "verify", files["good"], "--digest", digest, "--ca", files["ca"],
                 "--json")
    obj = json.loads(result.output)
    assert result.exit_code == 0 and obj["valid"] is True
    assert obj["token"]["gen_time"] == GEN_TIME.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert obj["time_basis"]["genTime"] == ["validity"]


def test_verify_invalid_or_unverifiable_exits_1_with_the_reason(files):
    result = run("timestamp", "verify", files["bad"], "--data", files["data"], "--ca", files["ca"])
    assert result.exit_code == 1
    assert "timestamp invalid: message_digest: the encapsulated TSTInfo was changed" in \
        result.output
    other = files["data"].with_name("other.html")
    other.write_bytes(DATA + b"!")
    result = run("timestamp", "verify", files["good"], "--data", other, "--ca", files["ca"])
    assert result.exit_code == 1 and "invalid: imprint:" in result.output
    result = run("timestamp", "verify", files["good"], "--data", files["data"])
    assert result.exit_code == 1 and "not verified: chain: no trusted CA given" in result.output
    result = run("timestamp", "verify", files["nocerts"], "--data", files["data"], "--ca",
                 files["ca"])
    assert result.exit_code == 1 and "--untrusted" in result.output
    result = run("timestamp", "verify", files["nocerts"], "--data", files["data"], "--ca",
                 files["ca"], "--untrusted", files["tsa"])
    assert result.exit_code == 0, result.output


def test_verify_bad_input_exits_2(files, tmp_path):
    result = run("timestamp", "verify", files["junk"], "--data", files["data"])
    assert result.exit_code == 2
    assert f"{files['junk']}: not a readable RFC 3161 timestamp token" in result.output
    assert run("timestamp", "verify", files["good"]).exit_code == 2  # neither --data nor --digest
    both = run("timestamp", "verify", files["good"], "--data", files["data"], "--digest", "ab")
    assert both.exit_code == 2 and "one of them" in both.output
    assert run("timestamp", "verify", files["good"], "--digest", "xyz").exit_code == 2
    assert run("timestamp", "verify", tmp_path / "missing.tsr", "--digest", "ab").exit_code == 2
    result = run("timestamp", "verify", files["good"], "--data", files["data"], "--ca",
                 files["junk"])
    assert result.exit_code == 2 and "no PEM or DER certificate" in result.output


@pytest.fixture
def case(tmp_path: Path, files) -> Case:
    c = Case.init(tmp_path / "case")
    c.add([files["data"]], parse=False)
    return c


def test_request_item_and_head(case):
    result = run("timestamp", "request", case.root, "--evidence", "E0001", "--json")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    sha = case.item("E0001").digests.sha256
    assert obj["imprint"] == {"algorithm": "sha256", "digest": sha}
    assert timestamp_request_digest(Path(obj["request"]).read_bytes()) == sha
    result = run("timestamp", "request", case.root)
    assert result.exit_code == 0, result.output
    assert Path(result.stdout.strip()).name.startswith("anchor-")
    assert [e.action for e in case.log.entries()][-2:] == ["timestamp", "anchor"]
    assert run("timestamp", "request", case.root, "--evidence", "E0042").exit_code == 2


def test_import_valid_invalid_and_uncovered(case, files, pki, tmp_path):
    result = run("timestamp", "import", case.root, files["good"], "--ca", files["ca"], "--json")
    assert result.exit_code == 0, result.output
    obj = json.loads(result.output)
    assert obj["ok"] is True and obj["covered"]["evidence_id"] == "E0001"
    assert (case.root / obj["stored_as"]).read_bytes() == files["good"].read_bytes()
    result = run("timestamp", "import", case.root, files["bad"], "--ca", files["ca"])
    assert result.exit_code == 1
    assert "stored and logged, but it is invalid: message_digest" in result.output
    other = tmp_path / "other.tsr"
    other.write_bytes(make_token(pki["tsa"], hashlib.sha256(b"other").digest()))
    result = run("timestamp", "import", case.root, other, "--ca", files["ca"])
    assert result.exit_code == 2 and "covers nothing in the case" in result.output
    assert run("timestamp", "import", case.root, files["junk"]).exit_code == 2
    head = case.anchor()
    head_token = tmp_path / "head.tsr"
    head_token.write_bytes(make_token(pki["tsa"], bytes.fromhex(head.entry_sha256)))
    result = run("timestamp", "import", case.root, head_token, "--ca", files["ca"])
    assert result.exit_code == 0, result.output
    assert f"covers custody entry {head.seq}" in result.output
