"""forensics.tsp: RFC 3161 tokens verified offline, requested for items, imported into a case.

Fixtures: the real token of ../shared/corpus/timestamp/sigstage (sigstore's TSA, with what
OpenSSL 3.0.19 says of it in ../shared/corpus/expected-timestamp.txt), and tokens made here by
tests/tsp_fixtures.py with our own CA and TSA, each bad one changed in one thing.  Where the
``openssl`` binary is present, its verdict on every token is compared with ours.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import cms
from asn1crypto import tsp as asn1_tsp
from cryptography.hazmat.primitives.asymmetric import rsa

from forensics.anchor import timestamp_request_digest
from forensics.case import Case
from forensics.custody import Action
from forensics.errors import InputError, TimestampTokenError
from forensics.tsp import (
    EVENT_SOURCE,
    CheckStatus,
    TimeBasis,
    VerdictStatus,
    import_token,
    read_certificates,
    request_item,
    verify_token,
)
from tests.conftest import snapshot
from tests.tsp_fixtures import (
    DATA,
    DIGEST,
    GEN_TIME,
    NOW,
    OPENSSL,
    make_ca,
    make_token,
    make_tsa,
    needs_openssl,
    openssl_verify,
)


@pytest.fixture(scope="module")
def pki():
    """A root CA, an EC TSA and an RSA TSA under it, and a stranger CA."""
    ca = make_ca()
    return {"ca": ca, "tsa": make_tsa(ca), "rsa": make_tsa(ca, "RSA TSA", key=rsa.generate_private_key(
        65537, 2048)), "stranger": make_ca("Unknown CA")}


def _verify(token: bytes, pki, **kw):
    kw.setdefault("data", DATA)
    kw.setdefault("ca", [pki["ca"].cert])
    return verify_token(token, now=NOW, **kw)


# --- the corpus token --------------------------------------------------------------------------


@pytest.fixture
def sigstage(corpus: Path) -> Path:
    folder = corpus / "timestamp" / "sigstage"
    if not (folder / "response-sha256.tsr").is_file():
        pytest.skip(f"corpus token not found in {folder}")
    return folder


def _openssl_text(corpus: Path) -> dict[str, str]:
    """The ``Name: value`` lines of what `openssl ts -reply -text` printed (the corpus file)."""
    text = (corpus / "expected-timestamp.txt").read_text(encoding="utf-8")
    return dict(re.findall(r"^([A-Za-z ]+): (.*)$", text, re.MULTILINE))


@pytest.mark.corpus
def test_corpus_token_is_valid_and_reads_as_openssl_prints_it(sigstage, corpus):
    ca = read_certificates(sigstage / "ts_chain.pem")
    v = verify_token(sigstage / "response-sha256.tsr",
                     data=(sigstage / "hello.txt").read_bytes(), ca=ca)
    assert v.valid, v.reason
    assert v.status is VerdictStatus.VALID and [c.status for c in v.checks] == [
        CheckStatus.PASSED] * 11
    want = _openssl_text(corpus)
    i = v.info
    assert i.gen_time == datetime(2025, 5, 9, 11, 58, 55, tzinfo=UTC)
    assert i.gen_time == datetime.strptime(want["Time stamp"], "%b %d %H:%M:%S %Y GMT"
                                           ).replace(tzinfo=UTC)
    assert i.serial == want["Serial number"] == "0x784B4C5E57AAA63B570F15CBA4DF95251668AE9E"
    assert i.policy == want["Policy OID"] == "1.3.6.1.4.1.57264.2"
    assert i.tsa == want["TSA"] == "DirName:/O=sigstore.dev/CN=sigstore-tsa"
    assert i.hash_algorithm == want["Hash Algorithm"] == "sha256"
    assert str(i.accuracy) == want["Accuracy"]
    assert i.nonce == want["Nonce"]
    assert i.ordering is False and want["Ordering"] == "no"
    assert "Verification: OK" in (corpus / "expected-timestamp.txt").read_text()
    # the path is followed up to the self-signed root of the chain file, as OpenSSL does
    assert [c.subject for c in v.chain.path] == ["/O=sigstore.dev/CN=sigstore-tsa",
                                                 "/O=sigstore.dev/CN=sigstore-tsa-selfsigned"]
    assert v.validity.basis is TimeBasis.GEN_TIME and v.validity.as_of == i.gen_time
    assert v.limitations and "revocation" in v.limitations[0]


@pytest.mark.corpus
def test_corpus_token_with_other_data_is_invalid_by_imprint(sigstage):
    ca = read_certificates(sigstage / "ts_chain.pem")
    v = verify_token(sigstage / "response-sha256.tsr", data=b"hello!", ca=ca)
    assert not v.valid and v.status is VerdictStatus.INVALID
    assert [c.name for c in v.problems] == ["imprint"]
    assert v.imprint.reason == (
        "the sha256 of the data differs from the token's imprint: expected="
        + hashlib.sha256(b"hello!").hexdigest() + " found=" + hashlib.sha256(b"hello").hexdigest())


@pytest.mark.corpus
def test_corpus_token_by_digest_and_without_ca(sigstage):
    tsr = sigstage / "response-sha256.tsr"
    ca = read_certificates(sigstage / "ts_chain.pem")
    assert verify_token(tsr, digest="sha256:" + hashlib.sha256(b"hello").hexdigest(), ca=ca).valid
    short = verify_token(tsr, digest="ab" * 20, ca=ca)
    assert short.imprint.reason == ("the digest given has 40 hex digits; the token's sha256 "
                                    "imprint has 64")
    unchecked = verify_token(tsr, data=b"hello")
    assert unchecked.status is VerdictStatus.UNCHECKED and not unchecked.valid
    assert unchecked.chain.status is CheckStatus.UNCHECKED
    assert unchecked.summary.startswith("not verified: chain: no trusted CA given")
    assert len(unchecked.chain.path) == 1  # no root at hand: only the signer


@pytest.mark.corpus
@needs_openssl
def test_corpus_verdicts_agree_with_openssl(sigstage, tmp_path):
    import subprocess

    def openssl(ca_file: Path, data: Path) -> bool:
        out = subprocess.run([OPENSSL, "ts", "-verify", "-in", str(sigstage /
                                                                  "response-sha256.tsr"),
                              "-data", str(data), "-CAfile", str(ca_file)],
                             capture_output=True, text=True, check=False)
        return "Verification: OK" in out.stdout

    chain = sigstage / "ts_chain.pem"
    certs = read_certificates(chain)
    (tmp_path / "other.txt").write_bytes(b"hello!")
    from cryptography.hazmat.primitives.serialization import Encoding
    (tmp_path / "leaf.pem").write_bytes(certs[0].public_bytes(Encoding.PEM))
    for ca_file, ca, data in [(chain, certs, sigstage / "hello.txt"),
                              (chain, certs, tmp_path / "other.txt"),
                              (tmp_path / "leaf.pem", certs[:1], sigstage / "hello.txt")]:
        ours = verify_token(sigstage / "response-sha256.tsr", data=data.read_bytes(), ca=ca)
        assert ours.valid == openssl(ca_file, data), (ca_file, data, ours.reason)
    # the TSA certificate alone, not a root: refused as OpenSSL does, unless asked
    leaf_only = verify_token(sigstage / "response-sha256.tsr", data=b"hello", ca=certs[:1])
    assert "not at a root" in leaf_only.chain.reason
    assert verify_token(sigstage / "response-sha256.tsr", data=b"hello", ca=certs[:1],
                        partial_chain=True).valid


@pytest.mark.corpus
def test_corpus_token_imported_into_a_case(sigstage, tmp_path):
    case = Case.init(tmp_path / "case")
    case.add([sigstage / "hello.txt"], parse=False)
    result = import_token(case, sigstage / "response-sha256.tsr",
                          ca=read_certificates(sigstage / "ts_chain.pem"))
    assert result.ok and result.covered.evidence_id == "E0001"
    rows = case.timeline()
    row = rows[rows["source"] == EVENT_SOURCE].iloc[0]
    assert row["utc"] == datetime(2025, 5, 9, 11, 58, 55, tzinfo=UTC)
    assert row["actor"] == "DirName:/O=sigstore.dev/CN=sigstore-tsa"


# --- tokens made here --------------------------------------------------------------------------


def test_valid_tokens_ec_rsa_and_bare(pki):
    for token in (make_token(pki["tsa"], DIGEST), make_token(pki["rsa"], DIGEST),
                  make_token(pki["rsa"], DIGEST, signature="pss"),
                  make_token(pki["tsa"], DIGEST, bare=True)):
        v = _verify(token, pki)
        assert v.valid, v.reason
        assert v.summary == "valid"
    bare = _verify(make_token(pki["tsa"], DIGEST, bare=True), pki)
    assert bare.status_info.text == "bare TimeStampToken: no reply status"


def test_tsa_certificate_expired_after_gen_time_is_still_valid(pki):
    tsa = make_tsa(pki["ca"], not_after=datetime(2025, 12, 31, tzinfo=UTC))
    v = _verify(make_token(tsa, DIGEST), pki)
    assert v.valid, v.reason
    assert v.validity.basis is TimeBasis.GEN_TIME and v.validity.as_of == GEN_TIME
    assert [n.basis for n in v.notes] == [TimeBasis.NOW]
    assert "expired on 2025-12-31T00:00:00Z, after genTime" in v.notes[0].text
    assert v.to_json()["time_basis"]["genTime"] == ["validity"]


def test_tsa_certificate_not_yet_valid_at_gen_time_is_invalid(pki):
    tsa = make_tsa(pki["ca"], not_before=datetime(2025, 7, 1, tzinfo=UTC))
    v = _verify(make_token(tsa, DIGEST), pki)
    assert [c.name for c in v.problems] == ["validity"]
    assert "was not yet valid at genTime 2025-06-01T12:00:00Z" in v.validity.reason


@pytest.mark.parametrize(("flags", "reason"), [
    ({"eku": False}, "has no extended key usage"),
    ({"eku_critical": False}, "(id-kp-timeStamping) is not critical"),
])
def test_tsa_certificate_without_critical_time_stamping_usage_is_invalid(pki, flags, reason):
    v = _verify(make_token(make_tsa(pki["ca"], **flags), DIGEST), pki)
    assert [c.name for c in v.problems] == ["tsa_certificate"]
    assert reason in v.tsa_certificate.reason


def test_ess_cert_id_of_another_certificate_is_invalid(pki):
    v = _verify(make_token(pki["tsa"], DIGEST, ess_cert=pki["ca"]), pki)
    assert [c.name for c in v.problems] == ["ess_cert_id"]
    assert v.ess_cert_id.reason.startswith("ESSCertIDv2 binds a certificate with sha256 "
                                           + hashlib.sha256(pki["ca"].der).hexdigest())


def test_tampered_tst_info_fails_the_message_digest(pki):
    v = _verify(make_token(pki["tsa"], DIGEST, tamper_tst=True), pki)
    assert [c.name for c in v.problems] == ["message_digest"]
    assert v.message_digest.reason.startswith("the encapsulated TSTInfo was changed after signing")
    assert v.info.serial == "0x784B4C5E57AAA63C"  # what the changed TSTInfo says


def test_bad_signature_is_invalid(pki):
    for tsa in (pki["tsa"], pki["rsa"]):
        v = _verify(make_token(tsa, DIGEST, bad_signature=True), pki)
        assert [c.name for c in v.problems] == ["signature"]
        assert "does not verify with the key of /O=forensics tests/CN=" in v.signature.reason


def test_chain_to_an_unknown_ca_is_invalid(pki):
    v = _verify(make_token(pki["tsa"], DIGEST), pki, ca=[pki["stranger"].cert])
    assert [c.name for c in v.problems] == ["chain"]
    assert v.chain.reason.startswith("no certificate whose signature verifies issued "
                                     "/O=forensics tests/CN=Test TSA")
    # a root with the right name but another key does not pass either
    impostor = make_ca("Test Root CA")
    assert _verify(make_token(pki["tsa"], DIGEST), pki, ca=[impostor.cert]).chain.status is \
        CheckStatus.FAILED


def test_tsa_name_of_someone_else_is_invalid(pki):
    v = _verify(make_token(pki["tsa"], DIGEST, tsa_name=pki["ca"].cert.subject), pki)
    assert [c.name for c in v.problems] == ["tsa_name"]
    assert _verify(make_token(pki["tsa"], DIGEST, tsa_name=None), pki).valid


def test_signer_certificate_from_untrusted(pki):
    token = make_token(pki["tsa"], DIGEST, certs=())
    v = _verify(token, pki)
    assert v.status is VerdictStatus.UNCHECKED and v.signer.status is CheckStatus.UNCHECKED
    assert "give the TSA certificate (--untrusted)" in v.signer.reason
    v = _verify(token, pki, untrusted=[pki["tsa"].cert])
    assert v.valid and v.signer.found_in == "untrusted"


def test_rejection_reply_is_invalid_with_its_status_text(pki):
    status = asn1_tsp.PKIStatusInfo({"status": "rejection", "status_string": ["bad request"],
                                     "fail_info": {"bad_alg"}}).dump()
    v = _verify(bytes([0x30, len(status)]) + status, pki)
    assert v.pki_status.reason == "rejection: bad request (bad_alg)"
    assert v.info is None and v.status is VerdictStatus.INVALID


def test_imprint_in_sha512_and_sm3(pki):
    from forensics.digests import new

    v = _verify(make_token(pki["tsa"], hashlib.sha512(DATA).digest(), hash_name="sha512"), pki)
    assert v.valid and v.info.hash_algorithm == "sha512"
    sm3 = make_token(pki["tsa"], new("sm3", DATA).digest(), hash_name="1.2.156.10197.1.401")
    v = _verify(sm3, pki)
    assert v.valid and v.info.hash_algorithm == "sm3"
    assert not _verify(sm3, pki, data=DATA + b"!").valid


def test_data_from_a_file_is_read_in_blocks(pki, tmp_path):
    (tmp_path / "data.bin").write_bytes(DATA)
    with open(tmp_path / "data.bin", "rb") as fh:
        assert _verify(make_token(pki["tsa"], DIGEST), pki, data=fh).valid


def test_bad_usage(pki):
    token = make_token(pki["tsa"], DIGEST)
    with pytest.raises(InputError, match="not both"):
        verify_token(token, data=DATA, digest=DIGEST.hex())
    with pytest.raises(InputError, match="not a hexadecimal digest"):
        verify_token(token, digest="xyz")
    assert verify_token(token, ca=[pki["ca"].cert]).imprint.status is CheckStatus.UNCHECKED


def test_report_forms(pki):
    v = _verify(make_token(pki["tsa"], DIGEST), pki)
    obj = json.loads(json.dumps(v.to_json()))
    assert obj["valid"] is True and obj["token"]["gen_time"] == "2025-06-01T12:00:00Z"
    assert [c["name"] for c in obj["checks"]] == [
        "status", "imprint", "content_type", "message_digest", "signature", "signer",
        "ess_cert_id", "tsa_certificate", "tsa_name", "validity", "chain"]
    assert obj["checks"][9]["basis"] == "genTime"
    assert "genTime" in v._repr_html_() and "PASSED    chain" in str(v)


# --- unreadable input --------------------------------------------------------------------------


def test_unreadable_tokens_raise_a_typed_error_naming_the_file(pki, tmp_path):
    token = make_token(pki["tsa"], DIGEST)
    data_ci = cms.ContentInfo({"content_type": "data", "content": b"hello"}).dump()
    for name, content, message in [
        ("empty.tsr", b"", "the file is empty"),
        ("garbage.tsr", b"GIF89a not a token", "not DER, or truncated"),
        ("truncated.tsr", token[:-40], "not DER, or truncated"),
        ("trailing.tsr", token + b"\x00", "not DER, or truncated"),
        ("data.p7", data_ci, "the token is CMS data, not SignedData"),
        ("int.der", b"\x30\x03\x02\x01\x00", "neither a TimeStampResp nor a TimeStampToken"),
    ]:
        path = tmp_path / name
        path.write_bytes(content)
        with pytest.raises(TimestampTokenError) as err:
            verify_token(path, data=DATA)
        assert err.value.path == path and err.value.exit_code == 2
        assert str(err.value).startswith(f"{path}: not a readable RFC 3161 timestamp token: ")
        assert message in str(err.value)
    with pytest.raises(TimestampTokenError, match="cannot read the file"):
        verify_token(tmp_path / "missing.tsr", data=DATA)


def test_flipped_bytes_never_pass_and_never_crash(pki):
    token = make_token(pki["tsa"], DIGEST)
    tst = asn1_tsp.TimeStampResp.load(token)["time_stamp_token"]["content"][
        "encap_content_info"]["content"].contents
    start = token.index(tst)
    outcomes = {"error": 0, "not valid": 0, "valid": 0}
    for i in range(0, len(token), 3):
        flipped = token[:i] + bytes([token[i] ^ 0x01]) + token[i + 1:]
        try:
            v = _verify(flipped, pki)
        except TimestampTokenError:
            outcomes["error"] += 1
            continue
        outcomes["valid" if v.valid else "not valid"] += 1
        if start <= i < start + len(tst):  # a signed byte of the TSTInfo
            assert not v.valid, f"byte {i} flipped in the TSTInfo still valid"
    assert outcomes["error"] and outcomes["not valid"]


def test_read_certificates(pki, tmp_path):
    (tmp_path / "two.pem").write_bytes(pki["ca"].pem + pki["tsa"].pem)
    (tmp_path / "one.der").write_bytes(pki["tsa"].der)
    (tmp_path / "bad.pem").write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n"
                                       b"-----END CERTIFICATE-----\n")
    assert len(read_certificates(tmp_path / "two.pem")) == 2
    assert read_certificates(tmp_path / "one.der")[0] == pki["tsa"].cert
    with pytest.raises(TimestampTokenError, match="unreadable"):
        read_certificates(tmp_path / "bad.pem")


# --- OpenSSL's verdicts on our tokens ----------------------------------------------------------


@needs_openssl
def test_openssl_agrees_on_our_tokens(pki, tmp_path):
    ca, tsa = pki["ca"], pki["tsa"]
    tokens = {
        "valid-ec": make_token(tsa, DIGEST),
        "valid-rsa": make_token(pki["rsa"], DIGEST),
        "expired-later": make_token(make_tsa(ca, not_after=datetime(2025, 12, 31, tzinfo=UTC)),
                                    DIGEST),
        "not-yet-valid": make_token(make_tsa(ca, not_before=datetime(2025, 7, 1, tzinfo=UTC)),
                                    DIGEST),
        "no-eku": make_token(make_tsa(ca, eku=False), DIGEST),
        "eku-not-critical": make_token(make_tsa(ca, eku_critical=False), DIGEST),
        "ess-other": make_token(tsa, DIGEST, ess_cert=ca),
        "tampered": make_token(tsa, DIGEST, tamper_tst=True),
        "bad-signature": make_token(tsa, DIGEST, bad_signature=True),
        "tsa-name": make_token(tsa, DIGEST, tsa_name=ca.cert.subject),
    }
    for name, token in tokens.items():
        ours = _verify(token, pki)
        theirs = openssl_verify(tmp_path / name, token, DATA, ca, at=GEN_TIME)
        assert ours.valid == theirs.ok, (name, ours.reason, theirs.output)
        wrong = openssl_verify(tmp_path / f"{name}-wrong", token, DATA + b"!", ca, at=GEN_TIME)
        assert not wrong.ok and not _verify(token, pki, data=DATA + b"!").valid
    unknown = make_token(tsa, DIGEST)
    assert not openssl_verify(tmp_path / "unknown", unknown, DATA, pki["stranger"],
                              at=GEN_TIME).ok
    assert not _verify(unknown, pki, ca=[pki["stranger"].cert]).valid
    no_certs = make_token(tsa, DIGEST, certs=())
    assert openssl_verify(tmp_path / "untrusted", no_certs, DATA, ca, at=GEN_TIME,
                          untrusted=tsa).ok
    assert _verify(no_certs, pki, untrusted=[tsa.cert]).valid
    assert openssl_verify(tmp_path / "bare", make_token(tsa, DIGEST, bare=True), DATA, ca,
                          at=GEN_TIME, bare=True).ok


@needs_openssl
def test_where_openssl_differs_by_design(pki, tmp_path):
    """OpenSSL judges validity at *now* unless -attime; its TS code cannot check RSA-PSS."""
    import subprocess

    ca = pki["ca"]
    expired = make_token(make_tsa(ca, not_after=datetime(2025, 12, 31, tzinfo=UTC)), DIGEST)
    assert _verify(expired, pki).valid
    assert not openssl_verify(tmp_path / "e", expired, DATA, ca).ok  # now: expired
    assert openssl_verify(tmp_path / "e2", expired, DATA, ca, at=GEN_TIME).ok
    early = make_token(make_tsa(ca, not_before=datetime(2025, 7, 1, tzinfo=UTC)), DIGEST)
    assert not _verify(early, pki).valid
    assert openssl_verify(tmp_path / "n", early, DATA, ca).ok  # now: valid, so accepted
    assert not openssl_verify(tmp_path / "n2", early, DATA, ca, at=GEN_TIME).ok
    pss = make_token(pki["rsa"], DIGEST, signature="pss", bare=True)
    assert _verify(pss, pki).valid
    assert not openssl_verify(tmp_path / "p", pss, DATA, ca, at=GEN_TIME, bare=True).ok
    cms_check = subprocess.run(
        [OPENSSL, "cms", "-verify", "-inform", "DER", "-in", "token.der", "-CAfile", "ca.pem",
         "-purpose", "any", "-attime", str(int(GEN_TIME.timestamp())), "-out", "/dev/null"],
        cwd=tmp_path / "p", capture_output=True, text=True, check=False)
    assert "Verification successful" in cms_check.stderr


# --- the case ----------------------------------------------------------------------------------


@pytest.fixture
def held(tmp_path: Path) -> Case:
    src = tmp_path / "src"
    src.mkdir()
    (src / "post.html").write_bytes(DATA)
    case = Case.init(tmp_path / "case")
    case.add([src / "post.html"], parse=False)
    return case


def test_request_item_writes_a_request_and_logs_it(held):
    sha = held.item("E0001").digests.sha256
    tsq = request_item(held, "E0001")
    assert tsq == held.root / "anchors" / f"timestamp-E0001-{sha[:12]}.tsq"
    assert timestamp_request_digest(tsq.read_bytes()) == sha
    e = held.head
    assert e.action == Action.TIMESTAMP and e.evidence_ids == ("E0001",)
    assert e.details["timestamp_request"] == f"anchors/{tsq.name}"
    assert e.details["timestamp_request_sha256"] == hashlib.sha256(tsq.read_bytes()).hexdigest()
    assert dict(e.details["imprint"]) == {"algorithm": "sha256", "digest": sha}
    again = request_item(held, "E0001")
    assert again.name == f"timestamp-E0001-{sha[:12]}-2.tsq" and tsq.exists()
    with pytest.raises(InputError, match="no evidence item 'E0009'"):
        request_item(held, "E0009")


def test_round_trip_request_sign_import_timeline(held, pki, tmp_path):
    tsq = request_item(held, "E0001")
    imprint = bytes.fromhex(timestamp_request_digest(tsq.read_bytes()))
    given = tmp_path / "reply.tsr"
    given.write_bytes(make_token(pki["tsa"], imprint))
    before = snapshot(tmp_path)["reply.tsr"]
    result = import_token(held, given, ca=[pki["ca"].cert])
    assert result.ok and result.covered.kind == "item" and result.covered.evidence_id == "E0001"
    assert snapshot(tmp_path)["reply.tsr"] == before  # the given file is only read
    stored = held.root / result.stored_as
    assert stored.read_bytes() == given.read_bytes()
    assert result.stored_as == f"anchors/timestamp-E0001-{result.token_sha256[:12]}.tsr"
    e = held.head
    assert e.seq == result.recorded_seq and e.action == Action.TIMESTAMP
    assert e.evidence_ids == ("E0001",) and e.details["status"] == "passed"
    assert e.details["token_sha256"] == hashlib.sha256(given.read_bytes()).hexdigest()
    assert e.details["verdict"]["valid"] is True
    (event,) = e.details["events"]
    assert event["evidence_id"] == "E0001" and event["parser"] == "rfc3161"
    assert event["precision"] == "second" and event["zone"] == "explicit"
    rows = held.timeline()
    row = rows[rows["source"] == EVENT_SOURCE].iloc[0]
    assert row["evidence_id"] == "E0001" and row["utc"] == GEN_TIME
    assert row["time_description"] == "Trusted timestamp (RFC 3161 genTime)"
    assert row["actor"] == "DirName:/O=forensics tests/CN=Test TSA"
    assert row["summary"].endswith("valid") and row["location"] == f"custody seq {e.seq}"
    assert held.verify(record=False).ok


def test_head_stamp_round_trip(held, pki, tmp_path):
    a = held.anchor()
    (tmp_path / "head.tsr").write_bytes(make_token(pki["tsa"], bytes.fromhex(a.entry_sha256)))
    result = import_token(held, tmp_path / "head.tsr", ca=[pki["ca"].cert])
    c = result.covered
    assert result.ok and (c.kind, c.evidence_id, c.seq) == ("custody-entry", "", a.seq)
    assert c.anchored_by == (a.recorded_seq,) and c.sha256 == a.entry_sha256
    assert result.stored_as.startswith(f"anchors/timestamp-seq{a.seq:08d}-")
    assert held.head.evidence == ()
    rows = held.timeline()
    row = rows[rows["source"] == EVENT_SOURCE].iloc[0]
    assert row["evidence_id"] == "" and row["sha256"] == a.entry_sha256 and row["utc"] == GEN_TIME


def test_invalid_token_is_stored_and_logged_with_its_verdict(held, pki, tmp_path):
    (tmp_path / "bad.tsr").write_bytes(make_token(pki["tsa"], DIGEST, tamper_tst=True))
    result = import_token(held, tmp_path / "bad.tsr", ca=[pki["ca"].cert])
    assert not result.ok and (held.root / result.stored_as).is_file()
    e = held.head
    assert e.details["status"] == "failed"
    assert e.details["events"][0]["text"].startswith("invalid: message_digest: the encapsulated")
    rows = held.timeline()
    assert rows[rows["source"] == EVENT_SOURCE]["summary"].iloc[0].count("invalid: ") == 1


def test_import_without_ca_is_logged_as_not_verified(held, pki, tmp_path):
    (tmp_path / "t.tsr").write_bytes(make_token(pki["tsa"], DIGEST))
    result = import_token(held, tmp_path / "t.tsr")
    assert not result.ok and result.verdict.status is VerdictStatus.UNCHECKED
    assert held.head.details["status"] == "unchecked"
    assert held.head.details["events"][0]["text"].startswith("not verified: chain: no trusted CA")


def test_import_sha512_token_rehashes_the_stored_item(held, pki, tmp_path):
    (tmp_path / "t.tsr").write_bytes(make_token(pki["tsa"], hashlib.sha512(DATA).digest(),
                                                hash_name="sha512"))
    result = import_token(held, tmp_path / "t.tsr", ca=[pki["ca"].cert])
    assert result.ok and result.covered.evidence_id == "E0001"
    assert result.covered.sha256 == hashlib.sha256(DATA).hexdigest()


def test_token_covering_nothing_is_refused_and_nothing_written(held, pki, tmp_path):
    (tmp_path / "t.tsr").write_bytes(make_token(pki["tsa"], hashlib.sha256(b"other").digest()))
    log = (held.root / "custody.jsonl").read_bytes()
    anchors = sorted((held.root / "anchors").iterdir())
    with pytest.raises(TimestampTokenError, match="covers nothing in the case") as err:
        import_token(held, tmp_path / "t.tsr", ca=[pki["ca"].cert])
    assert err.value.exit_code == 2
    assert (held.root / "custody.jsonl").read_bytes() == log
    assert sorted((held.root / "anchors").iterdir()) == anchors
    (tmp_path / "junk.tsr").write_bytes(b"junk")
    with pytest.raises(TimestampTokenError, match=r"junk\.tsr: not a readable"):
        import_token(held, tmp_path / "junk.tsr")


def test_the_appendix_cover_lists_imported_tokens(held, pki, tmp_path):
    from forensics.appendix_model import Table, build_appendix, plain_text

    def stamps(a) -> list:
        cover = next(s for s in a.sections if s.id == "cover")
        return [b for b in cover.blocks if isinstance(b, Table) and b.kind == "anchors"
                and "genTime" in plain_text(b.header[1], "en")]

    assert stamps(build_appendix(held, lang="en", progress=False)) == []
    tsq = request_item(held, "E0001")
    imprint = bytes.fromhex(timestamp_request_digest(tsq.read_bytes()))
    (tmp_path / "ok.tsr").write_bytes(make_token(pki["tsa"], imprint))
    (tmp_path / "bad.tsr").write_bytes(make_token(pki["tsa"], imprint, tamper_tst=True))
    good = import_token(held, tmp_path / "ok.tsr", ca=[pki["ca"].cert])
    bad = import_token(held, tmp_path / "bad.tsr", ca=[pki["ca"].cert])
    (table,) = stamps(build_appendix(held, lang="en", progress=False))
    text = [" | ".join(plain_text(c, "en") for c in row) for row in table.rows]
    assert text[0].startswith(f"{good.recorded_seq} | {GEN_TIME:%Y-%m-%dT%H:%M:%S}")
    assert "DirName:/O=forensics tests/CN=Test TSA | E0001 | valid (" in text[0]
    assert text[1].startswith(f"{bad.recorded_seq} | ") and "| invalid (" in text[1]
