"""RFC 3161 tokens made on the fly, signed by our own test CA and TSA (for tests/test_tsp*.py).

Provenance: nothing here comes from outside.  Certificates are made with ``cryptography``'s
``x509.CertificateBuilder``; tokens are assembled with ``asn1crypto.cms`` / ``asn1crypto.tsp``
exactly as RFC 3161 and RFC 5652 lay them out (a ``TSTInfo`` encapsulated in a ``SignedData``
whose signed attributes are content-type, signing-time, message-digest and
``SigningCertificateV2``, in DER order), so OpenSSL's ``ts -verify`` accepts the good ones.
Each bad variant changes one thing (a flag of :func:`make_token` or :func:`make_tsa`).
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from asn1crypto import cms
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.serialization import Encoding
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

GEN_TIME = datetime(2025, 6, 1, 12, 0, 0, tzinfo=UTC)
#: "Now" for the verdicts of these tests (after every certificate below has been made).
NOW = datetime(2026, 11, 25, tzinfo=UTC)
OPENSSL = shutil.which("openssl")


@dataclass(frozen=True)
class Issued:
    """A private key and its certificate."""

    key: ec.EllipticCurvePrivateKey | rsa.RSAPrivateKey
    cert: x509.Certificate

    @property
    def der(self) -> bytes:
        return self.cert.public_bytes(Encoding.DER)

    @property
    def pem(self) -> bytes:
        return self.cert.public_bytes(Encoding.PEM)


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.ORGANIZATION_NAME, "forensics tests"),
                      x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def _ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_ca(cn: str = "Test Root CA", *, key=None,
            not_before: datetime = datetime(2020, 1, 1, tzinfo=UTC),
            not_after: datetime = datetime(2040, 1, 1, tzinfo=UTC)) -> Issued:
    """A self-signed root CA (basicConstraints cA, keyCertSign)."""
    key = key or _ec_key()
    cert = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False,
                                         False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                           critical=False)
            .sign(key, hashes.SHA256()))
    return Issued(key, cert)


def make_tsa(ca: Issued, cn: str = "Test TSA", *, key=None,
             not_before: datetime = datetime(2024, 1, 1, tzinfo=UTC),
             not_after: datetime = datetime(2034, 1, 1, tzinfo=UTC),
             eku: bool = True, eku_critical: bool = True) -> Issued:
    """A TSA certificate issued by ``ca`` (EKU id-kp-timeStamping, critical, unless told)."""
    key = key or _ec_key()
    b = (x509.CertificateBuilder().subject_name(_name(cn)).issuer_name(ca.cert.subject)
         .public_key(key.public_key()).serial_number(x509.random_serial_number())
         .not_valid_before(not_before).not_valid_after(not_after)
         .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
         .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False,
                                      False), critical=True)
         .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
             ca.key.public_key()), critical=False))
    if eku:
        b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]),
                            critical=eku_critical)
    return Issued(key, b.sign(ca.key, hashes.SHA256()))


def make_token(tsa: Issued, digest: bytes, *, gen_time: datetime = GEN_TIME,
               hash_name: str = "sha256", certs: tuple[Issued, ...] | None = None,
               ess_cert: Issued | None = None, tamper_tst: bool = False,
               bad_signature: bool = False, signature: str = "auto",
               accuracy: dict | None = None, tsa_name: x509.Name | bool | None = True,
               nonce: int | None = 0x51708B19A1D2E209C, serial: int = 0x784B4C5E57AAA63B,
               policy: str = "1.2.3.4.1", bare: bool = False) -> bytes:
    """A ``TimeStampResp`` (or, ``bare``, a ``TimeStampToken``) over ``digest``.

    ``ess_cert``: the certificate the SigningCertificateV2 binds (default the TSA's);
    ``tamper_tst``: the TSTInfo changed after signing (its serial); ``bad_signature``: one bit
    of the signature flipped; ``signature``: ``ecdsa``, ``pkcs1v15`` or ``pss`` (``auto``: by
    key); ``tsa_name``: True for the TSA's subject, a Name for another, None for no field.
    """
    if tsa_name is True:
        tsa_name = tsa.cert.subject
    fields: dict = {
        "version": "v1", "policy": policy,
        "message_imprint": {"hash_algorithm": {"algorithm": hash_name},
                            "hashed_message": digest},
        "serial_number": serial, "gen_time": gen_time,
        "accuracy": accuracy if accuracy is not None else {"seconds": 1},
        "ordering": False,
    }
    if nonce is not None:
        fields["nonce"] = nonce
    if tsa_name is not None:
        fields["tsa"] = asn1_x509.GeneralName(
            name="directory_name", value=asn1_x509.Name.load(tsa_name.public_bytes()))
    tst = asn1_tsp.TSTInfo(fields).dump()
    bound = (ess_cert or tsa).der
    asn1_cert = asn1_x509.Certificate.load(tsa.der)
    attrs = [
        cms.CMSAttribute({"type": "content_type", "values": ["tst_info"]}),
        cms.CMSAttribute({"type": "signing_time", "values": [cms.Time(name="utc_time", value=gen_time)]}),
        cms.CMSAttribute({"type": "message_digest", "values": [hashlib.sha256(tst).digest()]}),
        cms.CMSAttribute({"type": "signing_certificate_v2", "values": [{"certs": [{
            "hash_algorithm": {"algorithm": "sha256"},
            "cert_hash": hashlib.sha256(bound).digest(),
            "issuer_serial": {
                "issuer": [asn1_x509.GeneralName(name="directory_name",
                                                 value=asn1_cert.issuer)],
                "serial_number": asn1_cert.serial_number},
        }]}]}),
    ]
    attrs.sort(key=lambda a: a.dump())  # DER: a SET OF is sorted by encoding
    signed = cms.CMSAttributes(attrs)
    to_sign = signed.dump()
    if signature == "auto":
        signature = "ecdsa" if isinstance(tsa.key, ec.EllipticCurvePrivateKey) else "pkcs1v15"
    if signature == "ecdsa":
        sig = tsa.key.sign(to_sign, ec.ECDSA(hashes.SHA256()))
        sig_alg = {"algorithm": "sha256_ecdsa"}
    elif signature == "pkcs1v15":
        sig = tsa.key.sign(to_sign, padding.PKCS1v15(), hashes.SHA256())
        sig_alg = {"algorithm": "sha256_rsa"}
    else:
        sig = tsa.key.sign(to_sign, padding.PSS(padding.MGF1(hashes.SHA256()), 32),
                           hashes.SHA256())
        sig_alg = {"algorithm": "rsassa_pss", "parameters": {
            "hash_algorithm": {"algorithm": "sha256"},
            "mask_gen_algorithm": {"algorithm": "mgf1",
                                   "parameters": {"algorithm": "sha256"}},
            "salt_length": 32, "trailer_field": "trailer_field_bc"}}
    if bad_signature:
        sig = sig[:-1] + bytes([sig[-1] ^ 1])
    if tamper_tst:
        fields["serial_number"] = serial + 1
        tst = asn1_tsp.TSTInfo(fields).dump()
    signer_info = cms.SignerInfo({
        "version": "v1",
        "sid": cms.SignerIdentifier({"issuer_and_serial_number": {
            "issuer": asn1_cert.issuer, "serial_number": asn1_cert.serial_number}}),
        "digest_algorithm": {"algorithm": "sha256"},
        "signed_attrs": signed,
        "signature_algorithm": sig_alg,
        "signature": sig,
    })
    certs = (tsa,) if certs is None else certs
    signed_data = cms.SignedData({
        "version": "v3",
        "digest_algorithms": [{"algorithm": "sha256"}],
        "encap_content_info": {"content_type": "tst_info",
                               "content": asn1_tsp.TSTInfo.load(tst)},
        "certificates": [asn1_x509.Certificate.load(c.der) for c in certs],
        "signer_infos": [signer_info],
    })
    token = cms.ContentInfo({"content_type": "signed_data", "content": signed_data})
    if bare:
        return token.dump()
    return asn1_tsp.TimeStampResp({"status": {"status": "granted"},
                                   "time_stamp_token": token}).dump()


@dataclass(frozen=True)
class OpenSSLVerdict:
    ok: bool
    output: str


def openssl_verify(folder: Path, token: bytes, data: bytes, ca: Issued | None, *,
                   at: datetime | None = None, untrusted: Issued | None = None,
                   bare: bool = False) -> OpenSSLVerdict:
    """``openssl ts -verify`` on a token and its data (``at``: ``-attime``, else now)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "token.der").write_bytes(token)
    (folder / "data.bin").write_bytes(data)
    cmd = [OPENSSL or "openssl", "ts", "-verify", "-in", "token.der", "-data", "data.bin"]
    if bare:
        cmd.append("-token_in")
    if ca is not None:
        (folder / "ca.pem").write_bytes(ca.pem)
        cmd += ["-CAfile", "ca.pem"]
    if untrusted is not None:
        (folder / "untrusted.pem").write_bytes(untrusted.pem)
        cmd += ["-untrusted", "untrusted.pem"]
    if at is not None:
        cmd += ["-attime", str(int(at.timestamp()))]
    done = subprocess.run(cmd, cwd=folder, capture_output=True, text=True, check=False)
    out = done.stdout + done.stderr
    return OpenSSLVerdict("Verification: OK" in out, out)


#: What the tests stamp, and its SHA-256.
DATA = b"the post as captured"
DIGEST = hashlib.sha256(DATA).digest()
#: The comparisons with OpenSSL need its binary (the CI machine installs it).
needs_openssl = pytest.mark.skipif(OPENSSL is None, reason="the openssl binary is not installed")
