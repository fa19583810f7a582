"""Adversarial review of forensics.tsp: tokens meant to make the verdict wrong, and a clerk's slips.

Each test says what it guards: ``BUG:`` a defect found in review (the test failed first, then
forensics/tsp.py was fixed), ``Pinned:`` a case that was already right and must stay so.
Tokens come from tests/tsp_fixtures.py (our own CA and TSA); the variants that file cannot make
(other signed attributes, another SignerIdentifier, more SignerInfos, intermediate CAs, other
certificate extensions) are made here by :func:`resign` and :func:`issue`, each changing one
thing of a good token.  Where the ``openssl`` binary is present its verdict (``-attime``
genTime) is compared with ours; each deliberate difference is in docs/timestamps.md.
"""

from __future__ import annotations

import hashlib
import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import cms
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from forensics.case import Case
from forensics.cli import cli
from forensics.errors import InputError, TimestampTokenError
from forensics.tsp import (
    CheckStatus,
    TimeBasis,
    VerdictStatus,
    import_token,
    read_certificates,
    verify_token,
)
from tests.tsp_fixtures import (
    DATA,
    DIGEST,
    GEN_TIME,
    NOW,
    OPENSSL,
    Issued,
    make_ca,
    make_token,
    make_tsa,
    needs_openssl,
    openssl_verify,
)


@pytest.fixture(scope="module")
def pki():
    ca = make_ca()
    return {"ca": ca, "tsa": make_tsa(ca)}


def _verify(token: bytes, ca: Issued, **kw):
    kw.setdefault("data", DATA)
    kw.setdefault("now", NOW)
    return verify_token(token, ca=[ca.cert], **kw)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "forensics tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def issue(issuer: Issued, cn: str, *, ca: bool = False, path_length: int | None = None,
          basic_constraints: bool = True, key_usage: x509.KeyUsage | None = None,
          extra: tuple[tuple[x509.ExtensionType, bool], ...] = (), key=None,
          ski: bool = False, serial: int | None = None,
          not_before: datetime = datetime(2021, 1, 1, tzinfo=UTC),
          not_after: datetime = datetime(2035, 1, 1, tzinfo=UTC)) -> Issued:
    """A certificate signed by ``issuer``: an intermediate CA (``ca``) or a TSA (EKU
    id-kp-timeStamping critical, key usage digitalSignature unless ``key_usage``)."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    b = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(issuer.cert.subject)
         .public_key(key.public_key()).serial_number(serial or x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after))
    if basic_constraints:
        b = b.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length),
                            critical=True)
    if ca:
        b = b.add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                          False), critical=True)
    else:
        b = b.add_extension(key_usage or x509.KeyUsage(True, False, False, False, False, False,
                                                       False, False, False), critical=True)
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                            critical=True)
    if ski:
        b = b.add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                            critical=False)
    for ext, critical in extra:
        b = b.add_extension(ext, critical=critical)
    return Issued(key, b.sign(issuer.key, hashes.SHA256()))


def resign(token: bytes, tsa: Issued, *, drop: tuple[str, ...] = (),
           add: tuple[cms.CMSAttribute, ...] = (), replace: dict[str, object] | None = None,
           sid: cms.SignerIdentifier | None = None, no_signed_attrs: bool = False,
           more_signer_infos: int = 0, certs: tuple[Issued, ...] | None = None) -> bytes:
    """``token`` (a reply from make_token) re-signed by ``tsa`` after one change to its
    SignerInfo: signed attributes dropped, added or given other values, another signer
    identifier, no signed attributes (the signature over the TSTInfo itself), copies of the
    SignerInfo added, other certificates."""
    sd = asn1_tsp.TimeStampResp.load(token)["time_stamp_token"]["content"]
    si = sd["signer_infos"][0]
    econtent = sd["encap_content_info"]["content"]
    attrs = []
    for a in si["signed_attrs"]:
        kind = a["type"].native
        if kind in drop:
            continue
        if replace and kind in replace:
            a = cms.CMSAttribute({"type": kind, "values": replace[kind]})
        attrs.append(cms.CMSAttribute.load(a.dump()))
    attrs += list(add)
    attrs.sort(key=lambda a: a.dump())
    fields: dict = {"version": "v3" if sid is not None else "v1",
                    "sid": sid or si["sid"].copy(), "digest_algorithm": {"algorithm": "sha256"},
                    "signature_algorithm": {"algorithm": "sha256_ecdsa"}}
    if no_signed_attrs:
        to_sign = econtent.contents
    else:
        fields["signed_attrs"] = cms.CMSAttributes(attrs)
        to_sign = fields["signed_attrs"].dump()
    fields["signature"] = tsa.key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
    signer_info = cms.SignerInfo(fields)
    infos = [signer_info] + [cms.SignerInfo.load(signer_info.dump())] * more_signer_infos
    cert_list = ([asn1_x509.Certificate.load(c.der) for c in certs] if certs is not None
                 else [c.chosen.copy() for c in sd["certificates"]])
    signed_data = cms.SignedData({
        "version": "v3", "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": sd["encap_content_info"].copy(), "certificates": cert_list,
        "signer_infos": infos})
    ci = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    return asn1_tsp.TimeStampResp({"status": {"status": "granted"},
                                   "time_stamp_token": ci}).dump()


def _openssl_ok(tmp_path: Path, name: str, token: bytes, ca: Issued) -> bool:
    return openssl_verify(tmp_path / name, token, DATA, ca, at=GEN_TIME).ok


# --- certificates ------------------------------------------------------------------------------


def test_unknown_critical_extension_on_the_tsa_certificate_is_invalid(pki, tmp_path):
    """BUG: a critical extension the verifier does not know was ignored, so the token was
    valid; RFC 5280 4.2 says such a certificate must be rejected (OpenSSL: "unhandled critical
    extension")."""
    odd = x509.UnrecognizedExtension(x509.ObjectIdentifier("1.2.3.4.5"), b"\x05\x00")
    tsa = issue(pki["ca"], "Odd TSA", extra=((odd, True),))
    token = make_token(tsa, DIGEST)
    v = _verify(token, pki["ca"])
    assert v.status is VerdictStatus.INVALID and [c.name for c in v.problems] == ["chain"]
    assert "critical extension 1.2.3.4.5" in v.chain.reason
    assert "/O=forensics tests/CN=Odd TSA" in v.chain.reason
    # the same extension, not critical, is ignored as it may be
    assert _verify(make_token(issue(pki["ca"], "Odd TSA", extra=((odd, False),)), DIGEST),
                   pki["ca"]).valid
    if OPENSSL:
        assert not _openssl_ok(tmp_path, "crit", token, pki["ca"])


def test_critical_name_constraints_on_a_ca_are_not_verified(pki):
    """BUG: a CA's critical nameConstraints were silently ignored (the tool does not process
    them), so the verdict was valid; now the chain is unchecked, naming the extension."""
    nc = x509.NameConstraints(permitted_subtrees=[x509.DirectoryName(_name("Elsewhere"))],
                              excluded_subtrees=None)
    sub = issue(pki["ca"], "Constrained CA", ca=True, extra=((nc, True),))
    tsa = issue(sub, "Constrained TSA")
    v = _verify(make_token(tsa, DIGEST, certs=(tsa, sub)), pki["ca"])
    assert v.status is VerdictStatus.UNCHECKED and v.chain.status is CheckStatus.UNCHECKED
    assert "nameConstraints" in v.chain.reason and "Constrained CA" in v.chain.reason


def test_reissued_root_order_in_the_ca_file_does_not_matter(tmp_path):
    """BUG: with a root re-issued under the same name and key (the old one expired before
    genTime) the path took whichever came first in --ca, so the order of the file decided
    the verdict; OpenSSL (-attime genTime) picks the one valid then."""
    old = make_ca(not_before=datetime(2015, 1, 1, tzinfo=UTC),
                  not_after=datetime(2025, 1, 1, tzinfo=UTC))
    new = make_ca(key=old.key, not_before=datetime(2024, 6, 1, tzinfo=UTC),
                  not_after=datetime(2044, 1, 1, tzinfo=UTC))
    token = make_token(make_tsa(old), DIGEST)
    for order in ([old, new], [new, old]):
        v = verify_token(token, data=DATA, ca=[c.cert for c in order], now=NOW)
        assert v.valid, v.reason
        assert v.chain.path[-1].not_after == datetime(2044, 1, 1, tzinfo=UTC)
    if OPENSSL:
        folder = tmp_path / "reissued"
        folder.mkdir()
        (folder / "token.der").write_bytes(token)
        (folder / "data.bin").write_bytes(DATA)
        (folder / "ca.pem").write_bytes(old.pem + new.pem)
        out = subprocess.run([OPENSSL, "ts", "-verify", "-in", "token.der", "-data", "data.bin",
                              "-CAfile", "ca.pem", "-attime", str(int(GEN_TIME.timestamp()))],
                             cwd=folder, capture_output=True, text=True, check=False)
        assert "Verification: OK" in out.stdout


def test_expired_intermediate_in_the_token_and_its_renewal_in_untrusted(pki):
    """BUG (same cause): an intermediate renewed under the same name and key; the token
    carries the copy expired at genTime, --untrusted the renewed one.  The first found was
    taken and the honest token refused."""
    key = ec.generate_private_key(ec.SECP256R1())
    old = issue(pki["ca"], "Sub CA", ca=True, key=key, not_after=datetime(2025, 1, 1, tzinfo=UTC))
    new = issue(pki["ca"], "Sub CA", ca=True, key=key, not_before=datetime(2024, 6, 1,
                                                                          tzinfo=UTC))
    tsa = issue(old, "Sub TSA")
    v = _verify(make_token(tsa, DIGEST, certs=(tsa, old)), pki["ca"], untrusted=[new.cert])
    assert v.valid, v.reason


@needs_openssl
@pytest.mark.parametrize(("what", "valid"), [
    ("intermediate without basicConstraints", False),
    ("root pathLen 0 above an intermediate", False),
    ("intermediate valid at genTime, its root not", False),
    ("key usage nonRepudiation only", True),
    ("key usage keyEncipherment only", False),
    ("key usage digitalSignature and keyEncipherment", False),
])
def test_chain_and_key_usage_verdicts_agree_with_openssl(tmp_path, what, valid):
    """Pinned: basicConstraints, pathLen, validity of every issuer at genTime, and the TSA's
    key usage (only digitalSignature / nonRepudiation), as OpenSSL judges them."""
    root = make_ca(not_before=datetime(2025, 7, 1, tzinfo=UTC)) if "its root not" in what \
        else make_ca()
    if "pathLen" in what:
        base = make_ca()
        root = Issued(base.key, _with_path_len_zero(base))
    sub = issue(root, "Sub CA", ca=True, basic_constraints="without basic" not in what)
    ku = {"nonRepudiation only": x509.KeyUsage(False, True, False, False, False, False, False,
                                               False, False),
          "keyEncipherment only": x509.KeyUsage(False, False, True, False, False, False, False,
                                                False, False),
          "and keyEncipherment": x509.KeyUsage(True, False, True, False, False, False, False,
                                               False, False)}
    usage = next((u for k, u in ku.items() if k in what), None)
    tsa = issue(sub, "Chained TSA", key_usage=usage)
    token = make_token(tsa, DIGEST, certs=(tsa, sub))
    v = _verify(token, root)
    assert v.valid is valid, v.reason
    assert _openssl_ok(tmp_path, "chain", token, root) is valid


def _with_path_len_zero(root: Issued) -> x509.Certificate:
    """``root`` re-made with basicConstraints pathLen 0 (same name, key and validity)."""
    c = root.cert
    return (x509.CertificateBuilder().subject_name(c.subject).issuer_name(c.issuer)
            .public_key(root.key.public_key()).serial_number(c.serial_number)
            .not_valid_before(c.not_valid_before_utc).not_valid_after(c.not_valid_after_utc)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .sign(root.key, hashes.SHA256()))


def test_a_token_stuffed_with_look_alike_cas_is_judged_quickly(pki):
    """Guard for the path search above: CAs of one name cross-signed by each other's keys give
    a path at every turn; the search stops after MAX_PATH_TRIES and the chain fails."""
    import time

    keys = [ec.generate_private_key(ec.SECP256R1()) for _ in range(5)]
    holder = make_ca("Mesh CA", key=keys[0])
    mesh = [issue(Issued(signer, holder.cert), "Mesh CA", ca=True, key=key)
            for key in keys for signer in keys]
    tsa = issue(Issued(keys[0], holder.cert), "Mesh TSA")
    started = time.monotonic()
    v = _verify(make_token(tsa, DIGEST, certs=(tsa, *mesh)), pki["ca"])
    assert time.monotonic() - started < 10
    assert v.chain.status is CheckStatus.FAILED


# --- the SignerInfo ----------------------------------------------------------------------------


@pytest.mark.parametrize(("drop", "failed"), [
    (("content_type",), ["content_type"]),
    (("message_digest",), ["message_digest"]),
    (("signing_certificate_v2",), ["ess_cert_id"]),
])
def test_a_missing_signed_attribute_is_invalid(pki, drop, failed):
    """Pinned: content-type, message-digest and SigningCertificateV2 are each required
    (RFC 5652 5.3, RFC 3161 2.4.1).  OpenSSL's TS code (on its PKCS #7 layer) does not require
    content-type (a difference, in docs/timestamps.md)."""
    v = _verify(resign(make_token(pki["tsa"], DIGEST), pki["tsa"], drop=drop), pki["ca"])
    assert [c.name for c in v.problems] == failed


@needs_openssl
def test_openssl_accepts_a_token_without_content_type_we_do_not(pki, tmp_path):
    """Pinned difference: RFC 5652 5.3 requires the content-type attribute whenever signed
    attributes are present; OpenSSL's ts -verify does not look for it."""
    token = resign(make_token(pki["tsa"], DIGEST), pki["tsa"], drop=("content_type",))
    assert _openssl_ok(tmp_path, "noct", token, pki["ca"])
    assert not _verify(token, pki["ca"]).valid


def test_a_signature_over_the_tst_info_itself_is_invalid(pki):
    """Pinned: CMS allows a SignerInfo without signed attributes (the signature over the
    content), but RFC 3161 2.4.1 requires SigningCertificate, a signed attribute."""
    v = _verify(resign(make_token(pki["tsa"], DIGEST), pki["tsa"], no_signed_attrs=True),
                pki["ca"])
    assert {"content_type", "message_digest", "signature", "ess_cert_id"} <= {
        c.name for c in v.problems}
    assert "no signed attributes" in v.signature.reason


def test_a_second_content_type_attribute_is_invalid(pki):
    """BUG: RFC 5652 11.1 allows one content-type attribute; with two, the first was taken
    (here the token's own, so the token passed)."""
    extra = cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]})
    twin = cms.CMSAttribute({"type": "message_digest", "values": [b"\x00" * 32]})
    for add, name in ((extra, "content_type"), (twin, "message_digest")):
        v = _verify(resign(make_token(pki["tsa"], DIGEST), pki["tsa"], add=(add,)), pki["ca"])
        assert name in [c.name for c in v.problems], v.reason
        assert "more than one" in getattr(v, name).reason


def test_signing_certificate_v1_and_v2_must_both_bind_the_signer(pki):
    """BUG: with both SigningCertificate (v1) and SigningCertificateV2, only v2 was checked;
    OpenSSL checks both, and a v1 binding another certificate makes the token invalid."""
    other = hashlib.sha1(pki["ca"].der).digest()  # ESSCertID (v1) is SHA-1
    v1 = cms.CMSAttribute({"type": "signing_certificate",
                           "values": [{"certs": [{"cert_hash": other}]}]})
    v = _verify(resign(make_token(pki["tsa"], DIGEST), pki["tsa"], add=(v1,)), pki["ca"])
    assert [c.name for c in v.problems] == ["ess_cert_id"]
    assert "ESSCertID binds" in v.ess_cert_id.reason
    good = cms.CMSAttribute({"type": "signing_certificate", "values": [{"certs": [{
        "cert_hash": hashlib.sha1(pki["tsa"].der).digest()}]}]})
    assert _verify(resign(make_token(pki["tsa"], DIGEST), pki["tsa"], add=(good,)),
                   pki["ca"]).valid


def test_ess_issuer_serial_naming_another_issuer_is_invalid(pki):
    """Pinned: ESSCertIDv2's issuerSerial must name the signer's issuer (RFC 5035 4)."""
    tsa = asn1_x509.Certificate.load(pki["tsa"].der)
    stranger = asn1_x509.Name.load(make_ca("Stranger CA").cert.subject.public_bytes())
    value = [{"certs": [{"hash_algorithm": {"algorithm": "sha256"},
                         "cert_hash": hashlib.sha256(pki["tsa"].der).digest(),
                         "issuer_serial": {"issuer": [asn1_x509.GeneralName(
                             name="directory_name", value=stranger)],
                             "serial_number": tsa.serial_number}}]}]
    v = _verify(resign(make_token(pki["tsa"], DIGEST), pki["tsa"],
                       replace={"signing_certificate_v2": value}), pki["ca"])
    assert [c.name for c in v.problems] == ["ess_cert_id"]
    assert "names another issuer" in v.ess_cert_id.reason


def _ski(cert: x509.Certificate) -> bytes:
    return cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest


def test_signer_named_by_subject_key_identifier(pki, tmp_path):
    """Pinned (a difference): CMS lets the SignerInfo name its signer by subjectKeyIdentifier;
    we verify it, OpenSSL's TS code cannot even read such a token (docs/timestamps.md)."""
    tsa = issue(pki["ca"], "SKI TSA", ski=True)
    sid = cms.SignerIdentifier(name="subject_key_identifier", value=_ski(tsa.cert))
    token = resign(make_token(tsa, DIGEST), tsa, sid=sid)
    v = _verify(token, pki["ca"])
    assert v.valid, v.reason
    if OPENSSL:
        assert not _openssl_ok(tmp_path, "ski", token, pki["ca"])


def test_of_two_certificates_with_the_signers_key_identifier_the_bound_one_is_taken(pki):
    """BUG: two certificates carry the subjectKeyIdentifier the SignerInfo names (the TSA's
    certificate and its renewal, same key); the first in the pool was taken, so the ESSCertID
    check failed on an honest token.  The one the ESSCertID binds is the signer."""
    key = ec.generate_private_key(ec.SECP256R1())
    bound = issue(pki["ca"], "SKI TSA", key=key, ski=True)
    renewed = issue(pki["ca"], "SKI TSA", key=key, ski=True,
                    not_before=datetime(2026, 1, 1, tzinfo=UTC))
    sid = cms.SignerIdentifier(name="subject_key_identifier", value=_ski(bound.cert))
    token = resign(make_token(bound, DIGEST), bound, sid=sid, certs=(renewed, bound))
    v = _verify(token, pki["ca"])
    assert v.valid, v.reason
    assert v.signer.certificate.sha256 == hashlib.sha256(bound.der).hexdigest()


def test_several_signer_infos_are_invalid_even_when_the_signer_is_unknown(pki):
    """BUG: RFC 3161 2.4.2 allows only the TSA's signature; with two SignerInfos the token was
    invalid only when the first signer's certificate was at hand, otherwise merely
    "not verified"."""
    token = resign(make_token(pki["tsa"], DIGEST), pki["tsa"], more_signer_infos=1)
    assert _verify(token, pki["ca"]).signer.status is CheckStatus.FAILED
    bare = resign(make_token(pki["tsa"], DIGEST), pki["tsa"], more_signer_infos=1, certs=())
    v = _verify(bare, pki["ca"])
    assert v.status is VerdictStatus.INVALID and v.signer.status is CheckStatus.FAILED
    assert "2 SignerInfos" in v.signer.reason


def test_certificates_in_the_token_that_are_not_the_signer(pki):
    """Pinned: other certificates in the token (a stranger's root, another TSA) neither help
    nor hurt: the signer is the one the SignerInfo names."""
    other = make_tsa(make_ca("Other Root"), "Other TSA")
    token = make_token(pki["tsa"], DIGEST, certs=(other, make_ca("Other Root"), pki["tsa"]))
    v = _verify(token, pki["ca"])
    assert v.valid and v.signer.certificate.subject.endswith("CN=Test TSA")


# --- the reply and the TSTInfo -----------------------------------------------------------------


def test_a_granted_reply_without_a_token_is_invalid(pki):
    """BUG: RFC 3161 2.4.2 requires a token when the status is granted; such a reply was only
    "not verified" (every check unchecked), as if something could still be checked."""
    status = asn1_tsp.PKIStatusInfo({"status": "granted"}).dump()
    v = _verify(bytes([0x30, len(status)]) + status, pki["ca"])
    assert v.status is VerdictStatus.INVALID and v.pki_status.status is CheckStatus.FAILED
    assert "holds no token" in v.pki_status.reason


def test_a_rejection_exits_1_with_its_status(pki, tmp_path):
    """Pinned: a rejection is a readable reply that is not a valid stamp: exit 1, not 2."""
    status = asn1_tsp.PKIStatusInfo({"status": "rejection", "status_string": ["bad alg"]}).dump()
    (tmp_path / "r.tsr").write_bytes(bytes([0x30, len(status)]) + status)
    r = CliRunner().invoke(cli, ["timestamp", "verify", str(tmp_path / "r.tsr"), "--digest",
                                 DIGEST.hex()])
    assert r.exit_code == 1 and "rejection: bad alg" in r.output


def test_gen_time_in_the_future_of_the_verification_is_invalid(pki):
    """BUG: a genTime after the time of the verification was accepted (only the certificates'
    validity at genTime was looked at), so a TSA with a wrong clock, or a forger holding its
    key, could date evidence to a time that has not come yet."""
    future = datetime(2027, 3, 1, tzinfo=UTC)
    v = _verify(make_token(pki["tsa"], DIGEST, gen_time=future), pki["ca"])
    assert [c.name for c in v.problems] == ["validity"]
    assert v.validity.basis is TimeBasis.NOW and v.validity.as_of == NOW
    assert "after the time of this verification" in v.validity.reason
    assert v.to_json()["time_basis"]["now"] == ["validity"]
    # within the stated accuracy and the allowed clock skew: fine
    soon = make_token(pki["tsa"], DIGEST, gen_time=NOW.replace(second=30), accuracy={
        "seconds": 1})
    assert _verify(soon, pki["ca"]).valid


def test_fractional_gen_time_and_accuracy_in_millis(pki, tmp_path):
    """Pinned: genTime with fractional seconds and an accuracy in millis are read exactly."""
    t = datetime(2025, 6, 1, 12, 0, 0, 250000, tzinfo=UTC)
    token = make_token(pki["tsa"], DIGEST, gen_time=t, accuracy={"millis": 500})
    v = _verify(token, pki["ca"])
    assert v.valid and v.info.gen_time == t and v.info.gen_time_text == "20250601120000.25Z"
    assert str(v.info.accuracy) == "unspecified seconds, 0x01F4 millis, unspecified micros"
    assert v.to_json()["token"]["gen_time"] == "2025-06-01T12:00:00.25Z"
    if OPENSSL:
        assert _openssl_ok(tmp_path, "frac", token, pki["ca"])


# --- the digest a clerk types ------------------------------------------------------------------


def test_a_digest_of_another_algorithm_is_not_verified_not_invalid(pki):
    """BUG: the SHA-256 of the data given for a SHA-512 token made the token "invalid"; it was
    never compared (another algorithm), so it is "not verified", naming both algorithms."""
    token = make_token(pki["tsa"], hashlib.sha512(DATA).digest(), hash_name="sha512")
    v = _verify(token, pki["ca"], data=None, digest=DIGEST.hex())
    assert v.status is VerdictStatus.UNCHECKED and v.imprint.status is CheckStatus.UNCHECKED
    assert "sha512" in v.imprint.reason
    named = _verify(token, pki["ca"], data=None, digest="sha256:" + DIGEST.hex())
    assert named.imprint.status is CheckStatus.UNCHECKED
    assert named.imprint.reason.startswith("the digest given is sha256; the token's imprint is "
                                           "sha512")
    good = _verify(token, pki["ca"], data=None, digest="SHA-512:" + hashlib.sha512(DATA)
                   .hexdigest().upper())
    assert good.valid, good.reason


def test_a_digest_with_an_unknown_algorithm_prefix_is_refused():
    """BUG: the text before ":" was thrown away unread, so ``--digest sha-257:...`` or a pasted
    ``E0001: ...`` was taken as the digest of the token's algorithm."""
    token = make_token(make_tsa(make_ca()), DIGEST)
    with pytest.raises(InputError, match="unknown algorithm 'sha-257'"):
        verify_token(token, digest="sha-257:" + DIGEST.hex())
    assert verify_token(token, digest=f"  sha256:{DIGEST.hex()} ").imprint.passed


def test_a_wrong_length_digest_exits_1_naming_both_lengths(pki, tmp_path):
    """BUG (with the one above): a digest of the wrong length made the token "invalid"; nothing
    was compared, so it is "not verified" (exit 1), naming both lengths."""
    (tmp_path / "t.tsr").write_bytes(make_token(pki["tsa"], DIGEST))
    (tmp_path / "ca.pem").write_bytes(pki["ca"].pem)
    r = CliRunner().invoke(cli, ["timestamp", "verify", str(tmp_path / "t.tsr"), "--digest",
                                 DIGEST.hex()[:-2], "--ca", str(tmp_path / "ca.pem")])
    assert r.exit_code == 1 and "62 hex digits" in r.output and "not verified" in r.output


# --- the files a clerk has ---------------------------------------------------------------------


def test_trailing_bytes_after_the_token_are_refused_naming_them(pki, tmp_path):
    """Pinned (a difference): bytes after the DER token make it unreadable (exit 2): what is
    verified and stored must be exactly the token.  OpenSSL ignores them."""
    token = make_token(pki["tsa"], DIGEST)
    (tmp_path / "t.tsr").write_bytes(token + b"\n")
    with pytest.raises(TimestampTokenError, match="1 byte"):
        verify_token(tmp_path / "t.tsr", data=DATA)
    if OPENSSL:
        assert openssl_verify(tmp_path / "trail", token + b"\n", DATA, pki["ca"],
                              at=GEN_TIME).ok


def test_a_pem_armoured_token_is_refused_with_how_to_convert(pki, tmp_path):
    """BUG: a token saved as PEM text was refused as "not DER, or truncated", which sends the
    clerk looking for a damaged file; it now says it is PEM and how to get the DER."""
    import base64

    body = base64.encodebytes(make_token(pki["tsa"], DIGEST, bare=True)).decode()
    (tmp_path / "t.pem").write_text(f"-----BEGIN PKCS7-----\n{body}-----END PKCS7-----\n")
    with pytest.raises(TimestampTokenError) as err:
        verify_token(tmp_path / "t.pem", data=DATA)
    assert "PEM text (-----BEGIN PKCS7-----)" in str(err.value)
    assert "base64 -d" in str(err.value) and err.value.exit_code == 2


def test_ca_file_with_trusted_certificate_and_other_pem_blocks(pki, tmp_path):
    """BUG: OpenSSL's "TRUSTED CERTIFICATE" PEM blocks (what ``openssl x509 -trustout``
    writes; -CAfile reads them) were refused as unreadable, and a file holding only a private
    key was called "a PEM certificate in it is unreadable".  Other blocks are passed over."""
    key = pki["ca"].key.private_bytes(serialization.Encoding.PEM,
                                      serialization.PrivateFormat.PKCS8,
                                      serialization.NoEncryption())
    (tmp_path / "mixed.pem").write_bytes(b"comment\n" + pki["ca"].pem + key + pki["tsa"].pem)
    assert read_certificates(tmp_path / "mixed.pem") == (pki["ca"].cert, pki["tsa"].cert)
    trusted = pki["ca"].pem.replace(b"CERTIFICATE", b"TRUSTED CERTIFICATE")
    (tmp_path / "trusted.pem").write_bytes(trusted)
    (cert,) = read_certificates(tmp_path / "trusted.pem")
    assert cert == pki["ca"].cert
    assert verify_token(make_token(pki["tsa"], DIGEST), data=DATA, ca=[cert], now=NOW).valid
    (tmp_path / "key.pem").write_bytes(key)
    with pytest.raises(TimestampTokenError, match=r"no certificate in it \(it holds: PRIVATE KEY"):
        read_certificates(tmp_path / "key.pem")


# --- import --------------------------------------------------------------------------------------


def test_import_of_a_token_covering_only_an_items_md5_says_it_is_weak(pki, tmp_path):
    """BUG: a token whose imprint is the item's MD5 was imported as plainly "valid": the
    custody entry and the timeline said nothing of MD5 (collisions are practical, so the stamp
    proves little about *this* file); only a note deep in the verdict did."""
    src = tmp_path / "post.html"
    src.write_bytes(DATA)
    case = Case.init(tmp_path / "case")
    case.add([src], parse=False)
    md5 = hashlib.md5(DATA).digest()  # the weak stamp under test
    (tmp_path / "md5.tsr").write_bytes(make_token(pki["tsa"], md5, hash_name="md5"))
    result = import_token(case, tmp_path / "md5.tsr", ca=[pki["ca"].cert])
    assert result.covered.evidence_id == "E0001" and result.covered.algorithm == "md5"
    assert result.covered.weak
    e = case.head
    assert "md5" in e.details["what"] and "weak" in e.details["what"]
    assert "weak" in e.details["events"][0]["text"]
    assert "weak" in str(result).splitlines()[0]
