"""RFC 3161 trusted timestamps: verify a token offline, request one for an item, import one.

A timestamp authority (TSA) signs a ``TSTInfo`` saying that a digest (the *message imprint*)
existed at ``genTime``.  The token is a CMS ``SignedData`` (RFC 5652) whose encapsulated content
is that ``TSTInfo``; a reply (``.tsr``) wraps it in a ``TimeStampResp`` with a status.  Specs:
RFC 3161 (https://www.rfc-editor.org/rfc/rfc3161), RFC 5816 (``ESSCertIDv2``), RFC 5035 and
RFC 2634 section 5.4 (``SigningCertificate``), RFC 5280 (certificate paths).

:func:`verify_token` checks a token **offline**, each check reported on its own
(:class:`Check`: passed, failed or unchecked, the reason, and the time it was judged as of):

``status``
    The reply's ``PKIStatus`` is ``granted`` or ``grantedWithMods`` (else the status text),
    and then a token is present (RFC 3161 2.4.2).
``imprint``
    The message imprint equals the digest of the data (or the digest given), in the token's
    algorithm (SHA-1, SHA-2, SHA-3, SM3 through :mod:`forensics.digests`).
``content_type``, ``message_digest``, ``signature``
    The ``SignedData`` encapsulates ``id-ct-TSTInfo``; the signed attributes name that content
    type and hold the digest of the encapsulated ``TSTInfo``; the signature over the DER
    ``SET OF`` signed attributes verifies with the signer's key (RSA PKCS #1 v1.5 or PSS, ECDSA,
    Ed25519/Ed448; ``cryptography`` does the arithmetic).
``signer``
    The signer's certificate, named by the ``SignerIdentifier`` (issuer and serial, or subject
    key identifier), is among the token's certificates or the ``untrusted`` ones (of several
    with one key identifier, the one the ``ESSCertID`` binds); a second ``SignerInfo`` fails
    (RFC 3161 2.4.2: only the TSA signs).
``ess_cert_id``
    The ``SigningCertificate`` (``ESSCertID``, SHA-1) or ``SigningCertificateV2``
    (``ESSCertIDv2``, any hash) signed attribute binds exactly that certificate (both, when
    both are there).  Each signed attribute the checks use appears once (RFC 5652 11).
``tsa_certificate``
    The signer's extended key usage is ``id-kp-timeStamping`` alone and critical (RFC 3161
    section 2.3); a key usage, if present, allows only digitalSignature / nonRepudiation.
``tsa_name``
    The ``tsa`` field, when the token has one, names the signer (its subject or an alternative
    name; RFC 3161 section 2.4.2), as OpenSSL also checks.
``validity``
    Every certificate of the signer's path was valid **at genTime**: a TSA certificate that
    expired after the stamp does not make an old stamp fail, and one not yet valid at genTime
    does.  The current time is used twice: a note that a certificate has expired since, and
    a genTime (less its accuracy) later than now plus :data:`CLOCK_SKEW` fails this check
    (judged as of now: no TSA signs in the future).
``chain``
    A path from the signer to a certificate of ``ca`` (issuers from ``ca``, the token's
    certificates and ``untrusted``): every signature verified, every issuer a CA
    (basicConstraints, keyCertSign, path length); of several possible issuers (a re-issued
    root), those valid at genTime first.  A critical extension not known fails the chain (RFC
    5280 4.2); one OpenSSL processes but this tool does not (nameConstraints, policy
    constraints) leaves it *unchecked*.  Without ``ca`` the chain is *unchecked* and the token
    cannot be valid: who signed is then not established.

Not checked, ever: revocation (CRL, OCSP); offline there is nothing to ask, and the verdict
says so in ``limitations``.  ``TokenVerdict.valid`` is true only when every check passed.

Where the verdict differs from ``openssl ts -verify`` by design (tests/test_tsp.py and
tests/test_tsp_review.py show each):
OpenSSL judges certificate validity at the current time unless given ``-attime``, so it rejects
a stamp whose TSA certificate expired since and accepts one made before the certificate was
valid; its TS code, built on its PKCS #7 layer, cannot verify RSA-PSS signatures (``openssl
cms -verify`` can) nor read a signer named by subject key identifier, and does not require the
content-type attribute (RFC 5652 5.3 does); it ignores bytes after the token, which this tool
refuses (what is verified and stored must be exactly the token); and it checks no genTime
against the current time.  The trust rule is OpenSSL's: the path must reach a self-signed
trusted certificate unless ``partial_chain`` is asked for.

Why the path is walked here, not by ``cryptography.x509.verification``: that verifier applies
the CA/Browser Forum web-PKI profile.  It refuses RSA keys under 2048 bits (tried: "RSA key is
too weak") and SHA-1 signatures, which TSA hierarchies whose old tokens must still verify use
and which OpenSSL accepts, and it reports one message for the whole path.  Each signature on
the path is still verified by ``cryptography`` (``verify_directly_issued_by``).

:func:`request_item` writes a ``TimeStampReq`` (``.tsq``) over an item's SHA-256;
:func:`import_token` finds what a token covers in a case (an item, or a custody entry such as
an anchored head), verifies it, stores it in ``anchors/``, logs a ``timestamp`` entry, and puts
its genTime in the timeline.  See ``docs/timestamps.md``.

Examples
--------
>>> from asn1crypto import tsp as asn1_tsp
>>> status = asn1_tsp.PKIStatusInfo({"status": "rejection", "status_string": ["unknown policy"]})
>>> reply = bytes([0x30, len(status.dump())]) + status.dump()  # a TimeStampResp, no token
>>> verdict = verify_token(reply, digest="00" * 32)
>>> verdict.valid, verdict.status.value, verdict.pki_status.reason
(False, 'invalid', 'rejection: unknown policy')
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, ClassVar

from asn1crypto import algos, cms, core
from asn1crypto import tsp as asn1_tsp
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, padding, rsa

from forensics import digests as _digests
from forensics.errors import InputError, TimestampTokenError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case, Item

__all__ = [
    "EVENT_DATA_TYPE",
    "EVENT_DESCRIPTION",
    "EVENT_SOURCE",
    "REVOCATION_NOT_CHECKED",
    "Accuracy",
    "CertificateInfo",
    "ChainCheck",
    "Check",
    "CheckStatus",
    "Covered",
    "ImprintCheck",
    "Note",
    "SignerCheck",
    "StatusInfo",
    "TimeBasis",
    "TokenImport",
    "TokenInfo",
    "TokenVerdict",
    "VerdictStatus",
    "import_token",
    "read_certificates",
    "request_item",
    "verify_token",
]

#: The timeline row of an imported token: data type, description and time source.
EVENT_DATA_TYPE = "rfc3161:genTime"
EVENT_DESCRIPTION = "Trusted timestamp (RFC 3161 genTime)"
EVENT_SOURCE = "rfc3161:genTime"
#: The parser name and version recorded in the timeline row's origin.
PARSER = "rfc3161"
PARSER_VERSION = "1"
#: What an offline verification never checks.
REVOCATION_NOT_CHECKED = ("revocation (CRL, OCSP): the verification is offline; ask the TSA's "
                          "CA whether its certificate was revoked before genTime")
#: Longest certificate path followed from the signer (signer and issuers).
MAX_PATH_LENGTH = 10
#: Most candidate paths tried from the signer (certificates of the same name and key, a root
#: re-issued, cross-signed CAs); a token stuffed with look-alike certificates stops here.
MAX_PATH_TRIES = 64
#: How far a genTime (less its accuracy) may lie after the time of the verification before the
#: token is refused: the verifier's own clock may be a little behind the TSA's.
CLOCK_SKEW = timedelta(minutes=5)
#: Imprint algorithms broken for collisions: a stamp over them proves little about one file.
WEAK_HASHES = frozenset({"md5", "sha1"})

#: Certificate extensions this verifier processes (or may ignore: any certificate policy is
#: accepted, revocation is never checked) when they are marked critical.  Like OpenSSL's
#: ``X509_supported_extension``, subject and authority key identifiers are not among them.
_PROCESSED_CRITICAL = frozenset({
    "2.5.29.15",  # keyUsage
    "2.5.29.17",  # subjectAltName
    "2.5.29.19",  # basicConstraints
    "2.5.29.32",  # certificatePolicies
    "2.5.29.31",  # cRLDistributionPoints
    "2.5.29.37",  # extKeyUsage
    "1.3.6.1.5.5.7.48.1.5",  # id-pkix-ocsp-nocheck
})
#: Critical extensions OpenSSL processes and this verifier does not: the chain is then
#: *unchecked* (check it with ``openssl ts -verify``), never passed.
_UNPROCESSED_CRITICAL: Mapping[str, str] = {
    "2.5.29.30": "nameConstraints", "2.5.29.36": "policyConstraints",
    "2.5.29.33": "policyMappings", "2.5.29.54": "inhibitAnyPolicy",
    "1.3.6.1.5.5.7.1.7": "ipAddrBlocks", "1.3.6.1.5.5.7.1.8": "autonomousSysIds",
    "1.3.6.1.5.5.7.1.14": "proxyCertInfo", "2.16.840.1.113730.1.1": "nsCertType",
}

_TST_INFO_OID = "1.2.840.113549.1.9.16.1.4"
_ESS_V1_OID = "1.2.840.113549.1.9.16.2.12"  # SigningCertificate (RFC 2634 5.4)
_ESS_V2_OID = "1.2.840.113549.1.9.16.2.47"  # SigningCertificateV2 (RFC 5035)
_TIME_STAMPING_OID = "1.3.6.1.5.5.7.3.8"
_SM3_OID = "1.2.156.10197.1.401"

#: Digest algorithm OID -> (name as OpenSSL prints it, hashlib / forensics.digests name,
#: cryptography hash class).
_HASHES: Mapping[str, tuple[str, str, type[hashes.HashAlgorithm]]] = {
    "1.2.840.113549.2.5": ("md5", "md5", hashes.MD5),
    "1.3.14.3.2.26": ("sha1", "sha1", hashes.SHA1),
    "2.16.840.1.101.3.4.2.4": ("sha224", "sha224", hashes.SHA224),
    "2.16.840.1.101.3.4.2.1": ("sha256", "sha256", hashes.SHA256),
    "2.16.840.1.101.3.4.2.2": ("sha384", "sha384", hashes.SHA384),
    "2.16.840.1.101.3.4.2.3": ("sha512", "sha512", hashes.SHA512),
    "2.16.840.1.101.3.4.2.5": ("sha512-224", "sha512_224", hashes.SHA512_224),
    "2.16.840.1.101.3.4.2.6": ("sha512-256", "sha512_256", hashes.SHA512_256),
    "2.16.840.1.101.3.4.2.7": ("sha3-224", "sha3_224", hashes.SHA3_224),
    "2.16.840.1.101.3.4.2.8": ("sha3-256", "sha3_256", hashes.SHA3_256),
    "2.16.840.1.101.3.4.2.9": ("sha3-384", "sha3_384", hashes.SHA3_384),
    "2.16.840.1.101.3.4.2.10": ("sha3-512", "sha3_512", hashes.SHA3_512),
    _SM3_OID: ("sm3", "sm3", hashes.SM3),
}

#: Attribute types as OpenSSL's one-line names print them (``/O=.../CN=...``).
_SHORT_NAMES: Mapping[str, str] = {
    "2.5.4.3": "CN", "2.5.4.6": "C", "2.5.4.7": "L", "2.5.4.8": "ST", "2.5.4.9": "street",
    "2.5.4.10": "O", "2.5.4.11": "OU", "2.5.4.12": "title", "2.5.4.4": "SN", "2.5.4.42": "GN",
    "2.5.4.43": "initials", "2.5.4.44": "generationQualifier", "2.5.4.46": "dnQualifier",
    "2.5.4.5": "serialNumber", "2.5.4.13": "description", "2.5.4.15": "businessCategory",
    "2.5.4.17": "postalCode", "2.5.4.41": "name", "2.5.4.65": "pseudonym",
    "2.5.4.97": "organizationIdentifier", "1.2.840.113549.1.9.1": "emailAddress",
    "0.9.2342.19200300.100.1.25": "DC", "0.9.2342.19200300.100.1.1": "UID",
    "1.3.6.1.4.1.311.60.2.1.1": "jurisdictionL", "1.3.6.1.4.1.311.60.2.1.2": "jurisdictionST",
    "1.3.6.1.4.1.311.60.2.1.3": "jurisdictionC",
}

#: What asn1crypto may raise while parsing malformed DER (turned into TimestampTokenError);
#: AttributeError too: some malformed values make it build objects without ``native``.
_ASN1_ERRORS = (ValueError, TypeError, KeyError, IndexError, OverflowError, UnicodeDecodeError,
                AttributeError)
_HEX_RE = re.compile(r"[0-9a-fA-F]+")
_PEM_BEGIN_RE = re.compile(rb"\s*-----BEGIN [A-Z0-9 ]+-----")
_PEM_BLOCK_RE = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
#: PEM labels of a certificate (RFC 7468; "TRUSTED CERTIFICATE" is OpenSSL's, the certificate
#: followed by its trust settings, which are not used here).
_PEM_CERT_LABELS = frozenset({b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"})


# --- records ---------------------------------------------------------------------------------


class CheckStatus(StrEnum):
    """The outcome of one check: "unchecked" never reads as "passed"."""

    PASSED = "passed"
    FAILED = "failed"
    UNCHECKED = "unchecked"


class TimeBasis(StrEnum):
    """Which time a check was judged as of."""

    GEN_TIME = "genTime"  # the token's own time (certificate validity)
    NOW = "now"           # the time of the verification (only notes use it)
    NONE = "none"         # the check does not depend on a time


class VerdictStatus(StrEnum):
    """The whole token: every check passed, one failed, or none failed but some unchecked."""

    VALID = "valid"
    INVALID = "invalid"
    UNCHECKED = "unchecked"


def _fmt(t: datetime | None) -> str | None:
    if t is None:
        return None
    t = t.astimezone(UTC)
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{t.microsecond:06d}".rstrip("0")
                                               if t.microsecond else "") + "Z"


@dataclass(frozen=True, slots=True)
class Check:
    """One check of a token: its name, result, reason, and the time it was judged as of.

    ``as_of`` is genTime for checks of certificate validity (``basis`` ``genTime``) and
    ``None`` for checks that do not depend on a time (``basis`` ``none``).
    """

    name: str
    status: CheckStatus
    reason: str
    as_of: datetime | None = None
    basis: TimeBasis = TimeBasis.NONE

    @property
    def passed(self) -> bool:
        return self.status is CheckStatus.PASSED

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "status": self.status.value, "reason": self.reason,
                "as_of": _fmt(self.as_of), "basis": self.basis.value}


@dataclass(frozen=True, slots=True)
class ImprintCheck(Check):
    """The message imprint check, with the algorithm and both digests (lowercase hex)."""

    algorithm: str = ""
    in_token: str = ""
    expected: str | None = None

    def to_json(self) -> dict[str, object]:
        return {**Check.to_json(self), "algorithm": self.algorithm, "in_token": self.in_token,
                "expected": self.expected}


@dataclass(frozen=True, slots=True)
class CertificateInfo:
    """What a verdict says about one certificate (names as OpenSSL's one-line form)."""

    subject: str
    issuer: str
    serial: str
    not_before: datetime
    not_after: datetime
    sha256: str
    self_signed: bool
    trusted: bool  # one of the ``ca`` certificates given

    def to_json(self) -> dict[str, object]:
        return {"subject": self.subject, "issuer": self.issuer, "serial": self.serial,
                "not_before": _fmt(self.not_before), "not_after": _fmt(self.not_after),
                "sha256": self.sha256, "self_signed": self.self_signed, "trusted": self.trusted}


@dataclass(frozen=True, slots=True)
class SignerCheck(Check):
    """The signer check, with the certificate found and where (``token`` or ``untrusted``)."""

    certificate: CertificateInfo | None = None
    found_in: str = ""

    def to_json(self) -> dict[str, object]:
        return {**Check.to_json(self), "found_in": self.found_in,
                "certificate": self.certificate.to_json() if self.certificate else None}


@dataclass(frozen=True, slots=True)
class ChainCheck(Check):
    """The chain check, with the path followed (signer first; the anchor last when found)."""

    path: tuple[CertificateInfo, ...] = ()
    anchored: bool = False

    def to_json(self) -> dict[str, object]:
        return {**Check.to_json(self), "anchored": self.anchored,
                "path": [c.to_json() for c in self.path]}


@dataclass(frozen=True, slots=True)
class Note:
    """Something worth saying that is not a check (a certificate expired since genTime)."""

    text: str
    as_of: datetime
    basis: TimeBasis

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "as_of": _fmt(self.as_of), "basis": self.basis.value}


@dataclass(frozen=True, slots=True)
class StatusInfo:
    """The reply's ``PKIStatusInfo`` (``granted`` for a bare token, which has none)."""

    status: str
    text: str = ""
    failure_info: tuple[str, ...] = ()

    @property
    def granted(self) -> bool:
        return self.status in ("granted", "granted_with_mods")

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "text": self.text, "failure_info": list(self.failure_info)}


@dataclass(frozen=True, slots=True)
class Accuracy:
    """``TSTInfo.accuracy``: genTime is within this much of the true time (RFC 3161 2.4.2)."""

    seconds: int | None = None
    millis: int | None = None
    micros: int | None = None

    @property
    def delta(self) -> timedelta:
        return timedelta(seconds=self.seconds or 0, milliseconds=self.millis or 0,
                         microseconds=self.micros or 0)

    def __str__(self) -> str:
        """As OpenSSL prints it: ``0x01 seconds, unspecified millis, unspecified micros``."""
        parts = []
        for value, unit in ((self.seconds, "seconds"), (self.millis, "millis"),
                            (self.micros, "micros")):
            parts.append(f"{_openssl_hex(value)} {unit}" if value is not None
                         else f"unspecified {unit}")
        return ", ".join(parts)

    def to_json(self) -> dict[str, object]:
        return {"seconds": self.seconds, "millis": self.millis, "micros": self.micros,
                "text": str(self)}


@dataclass(frozen=True, slots=True)
class TokenInfo:
    """What the ``TSTInfo`` says.

    Attributes
    ----------
    gen_time : datetime
        Aware UTC; ``gen_time_text`` is the ``GeneralizedTime`` exactly as written.
    tsa : str
        The ``tsa`` field as OpenSSL prints it (``DirName:/O=.../CN=...``), ``""`` if absent.
    policy : str
        The policy OID, dotted.
    serial : str
        The serial number as OpenSSL prints it (``0x784B...``); ``nonce`` likewise.
    hash_algorithm, imprint : str
        The imprint's algorithm (OpenSSL's name: ``sha256``, ``sm3``...) and its lowercase hex.
    """

    version: int
    policy: str
    hash_algorithm: str
    imprint: str
    serial: str
    gen_time: datetime
    gen_time_text: str
    accuracy: Accuracy | None
    ordering: bool
    nonce: str | None
    tsa: str

    def to_json(self) -> dict[str, object]:
        return {"version": self.version, "policy": self.policy,
                "hash_algorithm": self.hash_algorithm, "imprint": self.imprint,
                "serial": self.serial, "gen_time": _fmt(self.gen_time),
                "gen_time_text": self.gen_time_text,
                "accuracy": self.accuracy.to_json() if self.accuracy else None,
                "ordering": self.ordering, "nonce": self.nonce, "tsa": self.tsa}


@dataclass(frozen=True, slots=True)
class TokenVerdict:
    """Every check of one token (see the module docstring), what it says, and when it was checked.

    ``status`` is ``valid`` when every check passed, ``invalid`` when one failed, ``unchecked``
    when none failed but some could not be made (no ``ca``, no signer certificate...).
    """

    source: str
    checked_at: datetime
    status_info: StatusInfo
    info: TokenInfo | None
    pki_status: Check
    imprint: ImprintCheck
    content_type: Check
    message_digest: Check
    signature: Check
    signer: SignerCheck
    ess_cert_id: Check
    tsa_certificate: Check
    tsa_name: Check
    validity: Check
    chain: ChainCheck
    notes: tuple[Note, ...] = ()
    limitations: tuple[str, ...] = (REVOCATION_NOT_CHECKED,)

    @property
    def checks(self) -> tuple[Check, ...]:
        return (self.pki_status, self.imprint, self.content_type, self.message_digest,
                self.signature, self.signer, self.ess_cert_id, self.tsa_certificate,
                self.tsa_name, self.validity, self.chain)

    @property
    def problems(self) -> tuple[Check, ...]:
        """The failed checks."""
        return tuple(c for c in self.checks if c.status is CheckStatus.FAILED)

    @property
    def unchecked(self) -> tuple[Check, ...]:
        return tuple(c for c in self.checks if c.status is CheckStatus.UNCHECKED)

    @property
    def status(self) -> VerdictStatus:
        if self.problems:
            return VerdictStatus.INVALID
        if self.unchecked:
            return VerdictStatus.UNCHECKED
        return VerdictStatus.VALID

    @property
    def valid(self) -> bool:
        return self.status is VerdictStatus.VALID

    @property
    def reason(self) -> str:
        """Why it is not valid: the failed checks (else the unchecked ones); ``""`` if valid."""
        bad = self.problems or self.unchecked
        return "; ".join(f"{c.name}: {c.reason}" for c in bad)

    @property
    def summary(self) -> str:
        """``valid``, ``invalid: <reason>`` or ``not verified: <reason>`` (the timeline text)."""
        if self.valid:
            return "valid"
        word = "invalid" if self.status is VerdictStatus.INVALID else "not verified"
        return f"{word}: {self.reason}"

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source, "status": self.status.value, "valid": self.valid,
            "reason": self.reason, "checked_at": _fmt(self.checked_at),
            "status_info": self.status_info.to_json(),
            "token": self.info.to_json() if self.info else None,
            "checks": [c.to_json() for c in self.checks],
            "time_basis": {
                "genTime": [c.name for c in self.checks if c.basis is TimeBasis.GEN_TIME],
                "now": [c.name for c in self.checks if c.basis is TimeBasis.NOW]
                + [n.text for n in self.notes if n.basis is TimeBasis.NOW],
            },
            "notes": [n.to_json() for n in self.notes],
            "limitations": list(self.limitations),
        }

    def __str__(self) -> str:
        lines = [f"{self.source or 'token'}: {self.status.value.upper()}"
                 + (f" ({self.reason})" if self.reason else "")]
        if self.info is not None:
            i = self.info
            lines += [f"  genTime:        {_fmt(i.gen_time)}  ({i.gen_time_text})",
                      f"  TSA:            {i.tsa or 'unspecified'}",
                      f"  policy:         {i.policy}",
                      f"  serial:         {i.serial}",
                      f"  hash algorithm: {i.hash_algorithm}",
                      f"  imprint:        {i.imprint}",
                      f"  accuracy:       {i.accuracy or 'unspecified'}",
                      f"  ordering:       {'yes' if i.ordering else 'no'}",
                      f"  nonce:          {i.nonce or 'unspecified'}"]
        for c in self.checks:
            when = (f" [as of {c.basis.value} {_fmt(c.as_of)}]"
                    if c.basis is not TimeBasis.NONE and c.as_of else "")
            lines.append(f"  {c.status.value.upper():<9} {c.name}: {c.reason}{when}")
        lines += [f"  note: {n.text}" for n in self.notes]
        lines += [f"  not checked: {x}" for x in self.limitations]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {CheckStatus.PASSED: "", CheckStatus.FAILED: " style='background:#fdd'",
                  CheckStatus.UNCHECKED: " style='background:#ffe'"}
        rows = "".join(
            f"<tr{colour[c.status]}><td>{escape(c.name)}</td><td>{c.status.value}</td>"
            f"<td>{escape(c.reason)}</td><td>{escape(c.basis.value)} "
            f"{escape(_fmt(c.as_of) or '')}</td></tr>" for c in self.checks)
        head = ""
        if self.info is not None:
            i = self.info
            head = (f"<p>genTime <b>{escape(_fmt(i.gen_time) or '')}</b> · TSA "
                    f"{escape(i.tsa or '—')} · policy {escape(i.policy)} · serial "
                    f"<code>{escape(i.serial)}</code> · {escape(i.hash_algorithm)} "
                    f"<code>{escape(i.imprint)}</code></p>")
        notes = "".join(f"<li>{escape(n.text)}</li>" for n in self.notes)
        notes += "".join(f"<li>not checked: {escape(x)}</li>" for x in self.limitations)
        return (f"<div><h4>RFC 3161 token {escape(self.source)}: {self.status.value}</h4>{head}"
                f"<table><tr><th>check</th><th>result</th><th>reason</th><th>judged as of</th>"
                f"</tr>{rows}</table><ul>{notes}</ul></div>")


# --- small helpers ---------------------------------------------------------------------------


def _unreadable(src: str | None, why: str) -> TimestampTokenError:
    return TimestampTokenError(src, f"not a readable RFC 3161 timestamp token: {why}")


def _openssl_hex(n: int | None) -> str:
    """An integer as OpenSSL's TS printer writes it: ``0x`` and whole bytes in capitals.

    >>> _openssl_hex(1), _openssl_hex(500), _openssl_hex(0)
    ('0x01', '0x01F4', '0x0')
    """
    if n is None:
        return ""
    if n == 0:
        return "0x0"
    sign, n = ("-", -n) if n < 0 else ("", n)
    digits = f"{n:X}"
    return f"0x{sign}{'0' * (len(digits) % 2)}{digits}"


def _oneline(name: asn1_x509.Name) -> str:
    """A name as OpenSSL's ``X509_NAME_oneline`` writes it (``/O=sigstore.dev/CN=tsa``).

    Characters outside ASCII are kept as they are (OpenSSL escapes their bytes as ``\\xHH``).
    """
    out = []
    for rdn in name.chosen:
        parts = []
        for atv in rdn:
            oid = atv["type"].dotted
            value = atv["value"].native
            if isinstance(value, bytes):
                value = value.hex()
            parts.append(f"{_SHORT_NAMES.get(oid, oid)}={value}")
        out.append("+".join(parts))
    return "".join(f"/{p}" for p in out)


def _general_name(gn: asn1_x509.GeneralName) -> str:
    """A ``GeneralName`` as OpenSSL's ``GENERAL_NAME_print`` writes it."""
    kind = gn.name
    if kind == "directory_name":
        return f"DirName:{_oneline(gn.chosen)}"
    label = {"dns_name": "DNS", "uniform_resource_identifier": "URI", "rfc822_name": "email",
             "ip_address": "IP Address", "registered_id": "Registered ID"}.get(kind)
    if label is None:
        return f"{kind}:<unsupported>"
    value = gn.chosen.dotted if kind == "registered_id" else gn.native
    return f"{label}:{value}"


@dataclass(frozen=True, slots=True)
class _Cert:
    """One certificate in both libraries' forms: asn1crypto for names, cryptography for keys."""

    der: bytes
    asn1: asn1_x509.Certificate
    crypto: x509.Certificate

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.der).hexdigest()

    @property
    def self_issued(self) -> bool:
        return self.asn1.issuer == self.asn1.subject

    def info(self, trusted: bool) -> CertificateInfo:
        c = self.crypto
        return CertificateInfo(
            subject=_oneline(self.asn1.subject), issuer=_oneline(self.asn1.issuer),
            serial=_openssl_hex(self.asn1.serial_number), not_before=c.not_valid_before_utc,
            not_after=c.not_valid_after_utc, sha256=self.sha256, self_signed=self.self_issued,
            trusted=trusted)

    def label(self) -> str:
        return f"{_oneline(self.asn1.subject)} (serial {_openssl_hex(self.asn1.serial_number)})"


def _cert_from_der(der: bytes, where: str, source: str) -> _Cert:
    try:
        crypto = x509.load_der_x509_certificate(der)
        asn1 = asn1_x509.Certificate.load(der, strict=True)
        asn1.native  # noqa: B018 - parse every field now, so a bad one is refused here
    except (*_ASN1_ERRORS, UnsupportedAlgorithm, x509.InvalidVersion) as exc:
        raise TimestampTokenError(source or None, f"{where} is not a readable X.509 "
                                                  f"certificate ({exc})") from None
    return _Cert(der, asn1, crypto)


def _as_cert(c: x509.Certificate, where: str) -> _Cert:
    from cryptography.hazmat.primitives.serialization import Encoding

    der = c.public_bytes(Encoding.DER)
    return _cert_from_der(der, where, "")


def read_certificates(path: Path | str) -> tuple[x509.Certificate, ...]:
    """The certificates of a PEM (one or more) or DER file, for ``ca`` and ``untrusted``.

    Raises :class:`~forensics.errors.TimestampTokenError` naming the file when it holds none.

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "empty.pem"
    >>> _ = p.write_text("no certificate here")
    >>> read_certificates(p)
    Traceback (most recent call last):
    ...
    forensics.errors.TimestampTokenError: ...empty.pem: no PEM or DER certificate in it
    """
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise TimestampTokenError(path, f"cannot read the file ({exc.strerror})") from None
    if b"-----BEGIN" in data:
        certs = _pem_certificates(data, path)
    else:
        try:
            certs = (x509.load_der_x509_certificate(data),)
        except ValueError:
            certs = ()
    if not certs:
        raise TimestampTokenError(path, "no PEM or DER certificate in it")
    return certs


def _pem_certificates(data: bytes, path: Path) -> tuple[x509.Certificate, ...]:
    """The certificates of the PEM blocks of ``data``; other blocks (keys, CRLs) are passed
    over, text between blocks too."""
    import base64
    import binascii

    certs, others = [], []
    for n, m in enumerate(_PEM_BLOCK_RE.finditer(data), 1):
        label = m.group(1)
        if label not in _PEM_CERT_LABELS:
            others.append(label.decode())
            continue
        try:
            der = base64.b64decode(re.sub(rb"\s", b"", m.group(2)), validate=True)
            if label == b"TRUSTED CERTIFICATE":  # the certificate, then X509_CERT_AUX
                der = core.Sequence.load(der).dump()
            certs.append(x509.load_der_x509_certificate(der))
        except (binascii.Error, *_ASN1_ERRORS) as exc:
            raise TimestampTokenError(path, f"a PEM certificate in it (block {n}, "
                                            f"{label.decode()}) is unreadable ({exc})") from None
    if not certs and others:
        raise TimestampTokenError(path, f"no certificate in it (it holds: {', '.join(others)})")
    return tuple(certs)


def _hash_of(algorithm: str, chunks: Iterable[bytes]) -> str:
    h = _digests.new(algorithm)
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


def _chunks(data: bytes | BinaryIO) -> Iterable[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    while block := data.read(_digests.HASH_BLOCK_SIZE):
        yield block


def _algorithm_key(name: str) -> str:
    return re.sub(r"[-_/ ]", "", name.lower())


#: ``--digest`` prefixes (``sha256``, ``SHA-256``, ``sha3_256``...) -> OpenSSL's name.
_DIGEST_PREFIXES: Mapping[str, str] = {_algorithm_key(v[0]): v[0] for v in _HASHES.values()}
_COLON_HEX_RE = re.compile(r"[0-9a-fA-F]{2}(?::[0-9a-fA-F]{2})+")


def _clean_digest(digest: str) -> tuple[str | None, str]:
    """A digest as given: (its algorithm when prefixed, lowercase hex).

    ``sha256:`` / ``SHA-256:`` prefixes, spaces and colon-separated bytes are allowed; a
    prefix naming no known algorithm, or text that is not hex, is an InputError.

    >>> _clean_digest("SHA-256:AB CD"), _clean_digest("ab:cd:ef")
    (('sha256', 'abcd'), (None, 'abcdef'))
    """
    text = digest.strip()
    algorithm = None
    if _COLON_HEX_RE.fullmatch(text.replace(" ", "")):
        text = text.replace(":", "")
    elif ":" in text:
        prefix, text = text.split(":", 1)
        algorithm = _DIGEST_PREFIXES.get(_algorithm_key(prefix))
        if algorithm is None:
            raise InputError(f"--digest {digest!r}: unknown algorithm {prefix.strip()!r} before "
                             f"':' (known: {', '.join(sorted(set(_DIGEST_PREFIXES.values())))})")
    text = text.replace(" ", "")
    if not text or not _HEX_RE.fullmatch(text) or len(text) % 2:
        raise InputError(f"--digest {digest!r}: not a hexadecimal digest")
    return algorithm, text.lower()


# --- parsing ---------------------------------------------------------------------------------


class _TimeStampResp(core.Sequence):
    """RFC 3161 2.4.2 ``TimeStampResp``: asn1crypto's own marks the token required, but a
    rejection carries none (``timeStampToken TimeStampToken OPTIONAL``)."""

    _fields: ClassVar[list[tuple]] = [("status", asn1_tsp.PKIStatusInfo),
                                      ("time_stamp_token", cms.ContentInfo, {"optional": True})]


@dataclass(frozen=True, slots=True)
class _Parsed:
    status: StatusInfo
    token: _Token | None


@dataclass(frozen=True, slots=True)
class _Token:
    econtent_type: str
    econtent: bytes
    tst: asn1_tsp.TSTInfo
    certs: tuple[_Cert, ...]
    signer_infos: int
    signer_info: cms.SignerInfo
    signed_attrs: tuple[tuple[str, tuple[object, ...]], ...] | None  # (type dotted, values)
    signed_attrs_der: bytes | None  # the DER SET OF that was signed
    digest_oid: str


def _status_info(si: asn1_tsp.PKIStatusInfo) -> StatusInfo:
    status = si["status"].native
    texts = si["status_string"].native or []
    fail = si["fail_info"].native
    failures = tuple(sorted(fail)) if isinstance(fail, set | frozenset) else ()
    return StatusInfo(str(status), "; ".join(str(t) for t in texts), failures)


def _parse(der: bytes, source: str) -> _Parsed:
    src = source or None
    if not der:
        raise _unreadable(src, "the file is empty")
    armour = _PEM_BEGIN_RE.match(der)
    if armour:
        raise _unreadable(src, f"the file is PEM text ({armour.group(0).decode().strip()}), "
                               "not DER; the DER is its base64 body, byte for byte: "
                               "sed '1d;$d' TOKEN.pem | base64 -d > TOKEN.tsr")
    try:
        outer = core.Sequence.load(der, strict=True)
        first = outer.contents[:1]
    except _ASN1_ERRORS as exc:
        raise _unreadable(src, f"not DER, or truncated ({exc})") from None
    try:
        if first == b"\x06":  # an OBJECT IDENTIFIER first: a bare ContentInfo
            status = StatusInfo("granted", "bare TimeStampToken: no reply status")
            info = cms.ContentInfo.load(der, strict=True)
        elif first == b"\x30":  # a SEQUENCE first: TimeStampResp (its PKIStatusInfo)
            resp = _TimeStampResp.load(der, strict=True)
            status = _status_info(resp["status"])
            info = resp["time_stamp_token"]
            if isinstance(info, core.Void):
                return _Parsed(status, None)
        else:
            raise _unreadable(src, "neither a TimeStampResp nor a TimeStampToken")
        if info["content_type"].dotted != "1.2.840.113549.1.7.2":
            raise _unreadable(src, f"the token is CMS {info['content_type'].native}, not "
                                   "SignedData")
        return _Parsed(status, _token(info["content"], src))
    except TimestampTokenError:
        raise
    except _ASN1_ERRORS as exc:
        raise _unreadable(src, f"malformed ({exc})") from None


def _token(sd: cms.SignedData, src: str | None) -> _Token:
    encap = sd["encap_content_info"]
    econtent_type = encap["content_type"].dotted
    content = encap["content"]
    if isinstance(content, core.Void):
        raise _unreadable(src, "the SignedData has no encapsulated content (TSTInfo)")
    econtent = bytes(content)
    try:
        tst = asn1_tsp.TSTInfo.load(econtent, strict=True)
        tst.native  # noqa: B018 - parse every field now
    except _ASN1_ERRORS as exc:
        kind = "TSTInfo" if econtent_type == _TST_INFO_OID else econtent_type
        raise _unreadable(src, f"the encapsulated content ({kind}) is not a TSTInfo "
                               f"({exc})") from None
    certs: list[_Cert] = []
    cert_set = sd["certificates"]
    if not isinstance(cert_set, core.Void):
        for i, choice in enumerate(cert_set):
            if choice.name == "certificate":
                certs.append(_cert_from_der(choice.chosen.dump(), f"certificate {i + 1} of "
                                            "the token", src or ""))
    infos = sd["signer_infos"]
    if len(infos) == 0:
        raise _unreadable(src, "the SignedData has no SignerInfo: nobody signed it")
    si = infos[0]
    attrs = si["signed_attrs"]
    signed_attrs = attrs_der = None
    if not isinstance(attrs, core.Void):
        raw = attrs.dump()
        if raw[:1] != b"\xa0":
            raise _unreadable(src, "the signed attributes are not tagged [0]")
        attrs_der = b"\x31" + raw[1:]  # RFC 5652 5.4: the signature is over the SET OF form
        attrs.native  # noqa: B018 - parse every attribute now, so a bad one is refused here
        signed_attrs = tuple((a["type"].dotted, tuple(a["values"])) for a in attrs)
    si.native  # noqa: B018 - parse the whole SignerInfo now
    return _Token(econtent_type, econtent, tst, tuple(certs), len(infos), si, signed_attrs,
                  attrs_der, si["digest_algorithm"]["algorithm"].dotted)


def _info(tst: asn1_tsp.TSTInfo) -> TokenInfo:
    mi = tst["message_imprint"]
    oid = mi["hash_algorithm"]["algorithm"].dotted
    acc = tst["accuracy"]
    accuracy = None
    if not isinstance(acc, core.Void):
        a = acc.native
        accuracy = Accuracy(a.get("seconds"), a.get("millis"), a.get("micros"))
    tsa = tst["tsa"]
    nonce = tst["nonce"].native
    gen = tst["gen_time"]
    return TokenInfo(
        version=int(tst["version"]), policy=tst["policy"].dotted,
        hash_algorithm=_HASHES[oid][0] if oid in _HASHES else oid,
        imprint=mi["hashed_message"].native.hex(), serial=_openssl_hex(tst["serial_number"].native),
        gen_time=gen.native.astimezone(UTC), gen_time_text=gen.contents.decode("ascii"),
        accuracy=accuracy, ordering=bool(tst["ordering"].native),
        nonce=_openssl_hex(nonce) if nonce is not None else None,
        tsa="" if isinstance(tsa, core.Void) else _general_name(tsa))


# --- the checks ------------------------------------------------------------------------------


def _check(name: str, status: CheckStatus, reason: str, **kw: object) -> Check:
    return Check(name, status, reason, **kw)  # type: ignore[arg-type]


_P, _F, _U = CheckStatus.PASSED, CheckStatus.FAILED, CheckStatus.UNCHECKED


def _imprint(info: TokenInfo, oid: str, data: bytes | BinaryIO | None,
             digest: str | None) -> ImprintCheck:
    algo, in_token = info.hash_algorithm, info.imprint
    kw = {"algorithm": algo, "in_token": in_token}
    if data is None and digest is None:
        return ImprintCheck("imprint", _U, "no data or digest given to compare with", **kw)
    if oid not in _HASHES:
        return ImprintCheck("imprint", _U, f"the token's hash algorithm {oid} is not one this "
                            "tool computes", **kw)
    if digest is not None:
        named, given = _clean_digest(digest)
        if named is not None and named != algo:
            return ImprintCheck(
                "imprint", _U, f"the digest given is {named}; the token's imprint is {algo}: "
                f"give the {algo} of the data (or the data itself), nothing was compared",
                expected=given, **kw)
        if len(given) != len(in_token):
            return ImprintCheck(
                "imprint", _U, f"the digest given has {len(given)} hex digits; the token's "
                f"{algo} imprint has {len(in_token)}", expected=given, **kw)
        what = "the digest given"
    else:
        given = _hash_of(_HASHES[oid][1], _chunks(data))  # type: ignore[arg-type]
        what = f"the {algo} of the data"
    if hmac.compare_digest(given, in_token):
        return ImprintCheck("imprint", _P, f"{what} equals the token's imprint ({algo})",
                            expected=given, **kw)
    return ImprintCheck("imprint", _F, f"{what} differs from the token's imprint: "
                        f"expected={given} found={in_token}", expected=given, **kw)


def _attr(tok: _Token, oid: str) -> tuple[object, ...] | None:
    """The values of the signed attribute ``oid``; None when it is missing, and ``()`` when it
    is there more than once (RFC 5652 11: content-type, message-digest and the signing
    certificate attributes appear once, with one value)."""
    found = [values for t, values in tok.signed_attrs or () if t == oid]
    if not found:
        return None
    return found[0] if len(found) == 1 else ()


def _content_checks(tok: _Token) -> tuple[Check, Check]:
    if tok.econtent_type != _TST_INFO_OID:
        ctype = _check("content_type", _F, f"the encapsulated content type is "
                       f"{tok.econtent_type}, not id-ct-TSTInfo")
    elif tok.signed_attrs is None:
        ctype = _check("content_type", _F, "no signed attributes (RFC 3161 requires them: "
                       "content-type, message-digest, SigningCertificate)")
    else:
        values = _attr(tok, "1.2.840.113549.1.9.3")
        if values is None or len(values) != 1:
            ctype = _check("content_type", _F, "the signed content-type attribute is missing "
                           "or has more than one value")
        elif values[0].dotted != tok.econtent_type:  # type: ignore[attr-defined]
            ctype = _check("content_type", _F, f"the signed content-type attribute says "
                           f"{values[0].dotted}, the content is "  # type: ignore[attr-defined]
                           f"{tok.econtent_type}")
        else:
            ctype = _check("content_type", _P, "id-ct-TSTInfo, as the signed content-type "
                           "attribute says")
    if tok.signed_attrs is None:
        return ctype, _check("message_digest", _F, "no signed attributes, so no message-digest")
    values = _attr(tok, "1.2.840.113549.1.9.4")
    if values is None or len(values) != 1:
        return ctype, _check("message_digest", _F, "the signed message-digest attribute is "
                             "missing or has more than one value")
    if tok.digest_oid not in _HASHES:
        return ctype, _check("message_digest", _U, f"digest algorithm {tok.digest_oid} is not "
                             "one this tool computes")
    name = _HASHES[tok.digest_oid][0]
    found = values[0].native.hex()  # type: ignore[attr-defined]
    actual = _hash_of(_HASHES[tok.digest_oid][1], (tok.econtent,))
    if hmac.compare_digest(found, actual):
        return ctype, _check("message_digest", _P, f"the {name} of the encapsulated TSTInfo "
                             "equals the signed message-digest")
    return ctype, _check("message_digest", _F, f"the encapsulated TSTInfo was changed after "
                         f"signing: {name} expected={found} found={actual}")


def _sid_matches(sid: cms.SignerIdentifier, cert: _Cert) -> bool:
    if sid.name == "issuer_and_serial_number":
        ias = sid.chosen
        return (ias["serial_number"].native == cert.asn1.serial_number
                and ias["issuer"] == cert.asn1.issuer)
    ski = cert.asn1.key_identifier
    return ski is not None and sid.chosen.native == ski


def _sid_text(sid: cms.SignerIdentifier) -> str:
    if sid.name == "issuer_and_serial_number":
        ias = sid.chosen
        return (f"issuer {_oneline(ias['issuer'])}, serial "
                f"{_openssl_hex(ias['serial_number'].native)}")
    return f"subject key identifier {sid.chosen.native.hex()}"


def _ess_binds(tok: _Token, cert: _Cert) -> bool:
    """Whether a SigningCertificate(V2) attribute's first ESSCertID hashes to ``cert``."""
    for oid in (_ESS_V2_OID, _ESS_V1_OID):
        values = _attr(tok, oid)
        try:
            cid = values[0]["certs"][0]  # type: ignore[index]
            alg = (cid["hash_algorithm"]["algorithm"].dotted if oid == _ESS_V2_OID
                   else "1.3.14.3.2.26")
            if alg in _HASHES and hmac.compare_digest(
                    cid["cert_hash"].native.hex(), _hash_of(_HASHES[alg][1], (cert.der,))):
                return True
        except (TypeError, *_ASN1_ERRORS):
            continue
    return False


def _find_signer(tok: _Token, untrusted: Sequence[_Cert], trusted: set[bytes]
                 ) -> tuple[SignerCheck, _Cert | None]:
    """The certificate the SignerIdentifier names, from the token's certificates, then
    ``untrusted``; of several (a renewed certificate has the same key identifier), the one the
    ESSCertID binds."""
    sid = tok.signer_info["sid"]
    found = [(where, c) for where, pool in (("token", tok.certs), ("untrusted", untrusted))
             for c in pool if _sid_matches(sid, c)]
    where, cert = next(((w, c) for w, c in found if _ess_binds(tok, c)),
                       found[0] if found else ("", None))
    if tok.signer_infos != 1:
        return SignerCheck(
            "signer", _F, f"{tok.signer_infos} SignerInfos; RFC 3161 allows only the TSA's",
            certificate=cert.info(cert.der in trusted) if cert else None, found_in=where), cert
    if cert is None:
        return SignerCheck("signer", _U, f"no certificate matches the signer ({_sid_text(sid)}) "
                           "in the token or among the untrusted ones; give the TSA certificate "
                           "(--untrusted)"), None
    place = "the token's certificates" if where == "token" else "--untrusted"
    return SignerCheck("signer", _P, f"{cert.label()}, found in {place}",
                       certificate=cert.info(cert.der in trusted), found_in=where), cert


def _signature(tok: _Token, signer: _Cert | None) -> Check:
    if signer is None:
        return _check("signature", _U, "the signer's certificate was not found")
    if tok.signed_attrs_der is None:
        return _check("signature", _F, "no signed attributes: RFC 3161 tokens sign them")
    si = tok.signer_info
    sig_alg = si["signature_algorithm"]
    try:
        kind = sig_alg.signature_algo
    except ValueError:
        return _check("signature", _U, f"signature algorithm {sig_alg['algorithm'].dotted} is "
                      "not one this tool verifies")
    sig = si["signature"].native
    data = tok.signed_attrs_der
    try:
        key = signer.crypto.public_key()
    except (UnsupportedAlgorithm, ValueError) as exc:
        return _check("signature", _U, f"cannot read the public key of {signer.label()} ({exc})")

    def hash_for(oid: str) -> hashes.HashAlgorithm | None:
        return _HASHES[oid][2]() if oid in _HASHES else None

    try:
        hash_oid = algos.DigestAlgorithmId.unmap(sig_alg.hash_algo)
    except ValueError:  # rsaEncryption, ecPublicKey...: the SignerInfo's digest algorithm
        hash_oid = tok.digest_oid
    try:
        if kind == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPublicKey):
            h = hash_for(hash_oid)
            if h is None:
                return _check("signature", _U, f"hash {hash_oid} is not supported")
            key.verify(sig, data, padding.PKCS1v15(), h)
        elif kind == "rsassa_pss" and isinstance(key, rsa.RSAPublicKey):
            params = sig_alg["parameters"]
            h = hash_for(params["hash_algorithm"]["algorithm"].dotted)
            mgf_h = hash_for(params["mask_gen_algorithm"]["parameters"]["algorithm"].dotted)
            if h is None or mgf_h is None:
                return _check("signature", _U, "RSA-PSS with a hash this tool does not know")
            key.verify(sig, data, padding.PSS(padding.MGF1(mgf_h), params["salt_length"].native),
                       h)
        elif kind == "ecdsa" and isinstance(key, ec.EllipticCurvePublicKey):
            h = hash_for(hash_oid)
            if h is None:
                return _check("signature", _U, f"hash {hash_oid} is not supported")
            key.verify(sig, data, ec.ECDSA(h))
        elif kind == "dsa" and isinstance(key, dsa.DSAPublicKey):
            h = hash_for(hash_oid)
            if h is None:
                return _check("signature", _U, f"hash {hash_oid} is not supported")
            key.verify(sig, data, h)
        elif kind in ("ed25519", "ed448") and isinstance(
                key, ed25519.Ed25519PublicKey | ed448.Ed448PublicKey):
            key.verify(sig, data)
        else:
            return _check("signature", _F, f"signature algorithm {kind} does not fit the "
                          f"signer's {type(key).__name__.removeprefix('_')} key"
                          if kind in ("rsassa_pkcs1v15", "rsassa_pss", "ecdsa", "dsa", "ed25519",
                                      "ed448")
                          else f"signature algorithm {kind} is not supported")
    except InvalidSignature:
        return _check("signature", _F, f"the {kind} signature over the signed attributes does "
                      f"not verify with the key of {signer.label()}")
    except (UnsupportedAlgorithm, ValueError, TypeError, KeyError) as exc:
        return _check("signature", _U, f"cannot check the {kind} signature here ({exc})")
    return _check("signature", _P, f"{kind} signature over the signed attributes verifies with "
                  "the signer's key")


def _ess(tok: _Token, signer: _Cert | None, pool: Sequence[_Cert]) -> Check:
    if signer is None:
        return _check("ess_cert_id", _U, "the signer's certificate was not found")
    v2 = _attr(tok, _ESS_V2_OID)
    v1 = _attr(tok, _ESS_V1_OID)
    if v2 is None and v1 is None:
        return _check("ess_cert_id", _F, "no SigningCertificate or SigningCertificateV2 signed "
                      "attribute: the signer's certificate is not bound (RFC 3161 2.4.1)")
    passed = []
    for values, version in ((v2, "V2"), (v1, "")):  # both, when both are there (as OpenSSL)
        if values is None:
            continue
        result = _ess_one(values, version, signer, pool)
        if not result.passed:
            return result
        passed.append(result.reason)
    return _check("ess_cert_id", _P, "; ".join(passed))


def _ess_one(values: tuple[object, ...], version: str, signer: _Cert, pool: Sequence[_Cert]
             ) -> Check:
    """One SigningCertificate(V2) attribute: its first ESSCertID binds the signer."""
    if len(values) != 1:
        return _check("ess_cert_id", _F, f"the SigningCertificate{version} attribute is there "
                      "more than once or has more than one value")
    if not len(values[0]["certs"]):  # type: ignore[index]
        return _check("ess_cert_id", _F, f"SigningCertificate{version} is empty")
    cid = values[0]["certs"][0]  # type: ignore[index]
    if version:
        oid = cid["hash_algorithm"]["algorithm"].dotted
        if oid not in _HASHES:
            return _check("ess_cert_id", _U, f"ESSCertIDv2 hash {oid} is not supported")
        hname, hl = _HASHES[oid][0], _HASHES[oid][1]
    else:
        hname, hl = "sha1", "sha1"
    bound = cid["cert_hash"].native.hex()
    if not hmac.compare_digest(bound, _hash_of(hl, (signer.der,))):
        other = next((c for c in pool if _hash_of(hl, (c.der,)) == bound), None)
        named = f"{other.label()}" if other else f"a certificate with {hname} {bound}"
        return _check("ess_cert_id", _F, f"ESSCertID{'v2' if version else ''} binds {named}, "
                      f"not the signer {signer.label()}")
    issuer_serial = cid["issuer_serial"]
    if not isinstance(issuer_serial, core.Void):
        if issuer_serial["serial_number"].native != signer.asn1.serial_number:
            return _check("ess_cert_id", _F, "ESSCertID issuerSerial names serial "
                          f"{_openssl_hex(issuer_serial['serial_number'].native)}, the signer "
                          f"has {_openssl_hex(signer.asn1.serial_number)}")
        names = [g.chosen for g in issuer_serial["issuer"] if g.name == "directory_name"]
        if not any(n == signer.asn1.issuer for n in names):
            return _check("ess_cert_id", _F, "ESSCertID issuerSerial names another issuer than "
                          f"the signer's ({_oneline(signer.asn1.issuer)})")
    return _check("ess_cert_id", _P, f"ESSCertID{'v2' if version else ''} ({hname}) binds the "
                  "signer's certificate")


def _tsa_usage(signer: _Cert | None) -> Check:
    if signer is None:
        return _check("tsa_certificate", _U, "the signer's certificate was not found")
    eku = None
    for ext in signer.asn1["tbs_certificate"]["extensions"]:
        if ext["extn_id"].native == "extended_key_usage":
            eku = ext
    if eku is None:
        return _check("tsa_certificate", _F, "the signer's certificate has no extended key usage; "
                      "RFC 3161 2.3 requires id-kp-timeStamping")
    purposes = [p.dotted for p in eku["extn_value"].parsed]
    if purposes != [_TIME_STAMPING_OID]:
        return _check("tsa_certificate", _F, "the signer's extended key usage is "
                      f"{', '.join(purposes) or 'empty'}; RFC 3161 2.3 requires "
                      "id-kp-timeStamping alone")
    if not eku["critical"].native:
        return _check("tsa_certificate", _F, "the signer's extended key usage "
                      "(id-kp-timeStamping) is not critical; RFC 3161 2.3 requires it critical")
    ku = signer.asn1.key_usage_value
    if ku is not None:
        usages = set(ku.native)
        if not usages & {"digital_signature", "non_repudiation"} or usages - {
                "digital_signature", "non_repudiation"}:
            return _check("tsa_certificate", _F, "the signer's key usage ("
                          f"{', '.join(sorted(usages))}) is not digitalSignature / "
                          "nonRepudiation")
    return _check("tsa_certificate", _P, "extended key usage id-kp-timeStamping, critical")


def _tsa_name(tok: _Token, signer: _Cert | None) -> Check:
    tsa = tok.tst["tsa"]
    if isinstance(tsa, core.Void):
        return _check("tsa_name", _P, "the token names no TSA (the field is optional)")
    if signer is None:
        return _check("tsa_name", _U, "the signer's certificate was not found")
    if tsa.name == "directory_name" and tsa.chosen == signer.asn1.subject:
        return _check("tsa_name", _P, f"{_general_name(tsa)} is the signer's subject")
    san = signer.asn1.subject_alt_name_value
    for g in san or ():
        if g.name == tsa.name and (g.chosen == tsa.chosen or (
                isinstance(g.native, str) and isinstance(tsa.native, str)
                and g.native.lower() == tsa.native.lower())):
            return _check("tsa_name", _P, f"{_general_name(tsa)} is one of the signer's names")
    return _check("tsa_name", _F, f"the token names the TSA {_general_name(tsa)}, but the "
                  f"signer is {_oneline(signer.asn1.subject)} (RFC 3161 2.4.2)")


def _valid_at(cert: _Cert, t: datetime) -> bool:
    return cert.crypto.not_valid_before_utc <= t <= cert.crypto.not_valid_after_utc


def _build_path(signer: _Cert, anchors: Sequence[_Cert], pool: Sequence[_Cert],
                gen_time: datetime, partial_chain: bool = False
                ) -> tuple[list[_Cert], bool, str]:
    """Follow issuers from ``signer``: (path, anchored, why not).

    Issuers are taken from ``anchors`` first, and above a trusted certificate only from
    ``anchors``.  As OpenSSL's, the path must end at a self-signed trusted certificate (a chain
    file holding the TSA certificate and its root is followed up to the root); with
    ``partial_chain`` (OpenSSL's ``-partial_chain``) any trusted certificate ends it.  When
    several certificates could be the issuer (a root re-issued under the same name and key, a
    renewed intermediate), those valid at ``gen_time`` are tried first and every candidate
    path is tried (up to :data:`MAX_PATH_TRIES`): the first anchored path whose certificates
    were all valid at genTime wins, else the first anchored one, else the first dead end.
    """
    trusted = {a.der for a in anchors}
    issued: dict[tuple[bytes, bytes], bool] = {}
    tries = [0]

    def signed_by(child: _Cert, parent: _Cert) -> bool:
        key = (child.der, parent.der)
        if key not in issued:
            try:
                child.crypto.verify_directly_issued_by(parent.crypto)
                issued[key] = True
            except (InvalidSignature, ValueError, TypeError, UnsupportedAlgorithm):
                issued[key] = False
        return issued[key]

    def issuers(cur: _Cert, seen: set[bytes]) -> list[_Cert]:
        groups = (anchors,) if cur.der in trusted else (anchors, pool)
        out: list[_Cert] = []
        for group in groups:
            for cand in group:
                if (cand.der in seen or cand.asn1.subject != cur.asn1.issuer
                        or any(c.der == cand.der for c in out)):
                    continue
                if signed_by(cur, cand):
                    out.append(cand)
        return sorted(out, key=lambda c: not _valid_at(c, gen_time))  # stable: anchors first

    def walk(path: list[_Cert]) -> tuple[list[_Cert], bool, str]:
        tries[0] += 1
        cur = path[-1]
        if cur.der in trusted and cur.self_issued:
            return path, True, ""
        if len(path) >= MAX_PATH_LENGTH:
            return path, False, f"no trusted certificate within {MAX_PATH_LENGTH} certificates"
        anchored: tuple[list[_Cert], bool, str] | None = None
        dead_end: tuple[list[_Cert], bool, str] | None = None
        for cand in issuers(cur, {c.der for c in path}):
            if tries[0] >= MAX_PATH_TRIES:
                break
            result = walk([*path, cand])
            if result[1] and all(_valid_at(c, gen_time) for c in result[0]):
                return result
            if result[1]:
                anchored = anchored or result
            else:
                dead_end = dead_end or result
        if anchored is not None:
            return anchored
        if cur.der in trusted and partial_chain:
            return path, True, ""
        if dead_end is not None:
            return dead_end
        if tries[0] >= MAX_PATH_TRIES:
            return path, False, f"no path to a trusted root within {MAX_PATH_TRIES} tries " \
                                "(too many certificates that could be issuers)"
        if cur.der in trusted:
            return path, False, f"the path ends at the trusted {cur.label()}, but not at a " \
                                f"root: its issuer {_oneline(cur.asn1.issuer)} was not " \
                                "given (give the root, or allow a partial chain)"
        if cur.self_issued:
            return path, False, f"the path ends at the self-signed {cur.label()}, which is " \
                                "not among the trusted certificates"
        return path, False, f"no certificate whose signature verifies issued {cur.label()} " \
                            f"(its issuer: {_oneline(cur.asn1.issuer)})"

    return walk([signer])


def _critical_problem(path: Sequence[_Cert]) -> tuple[CheckStatus, str] | None:
    """A critical extension of a certificate of the path that is not processed here: an
    unknown one fails the chain (RFC 5280 4.2, as OpenSSL's "unhandled critical extension");
    one OpenSSL processes and this verifier does not leaves it unchecked."""
    later = None
    for cert in path:
        for ext in cert.asn1["tbs_certificate"]["extensions"]:
            oid = ext["extn_id"].dotted
            if not ext["critical"].native or oid in _PROCESSED_CRITICAL:
                continue
            if oid not in _UNPROCESSED_CRITICAL:
                return _F, (f"{cert.label()} has the critical extension {oid}, which is not "
                            "known: RFC 5280 4.2 requires the certificate be rejected")
            later = later or (_U, f"{cert.label()} has the critical extension "
                                  f"{_UNPROCESSED_CRITICAL[oid]}, which this tool does not "
                                  "process: the chain cannot be judged here (openssl ts "
                                  "-verify, with -attime genTime, does)")
    return later


def _ca_problem(issuer: _Cert, below: int) -> str:
    """Why ``issuer`` may not issue (``below``: CA certificates between it and the signer)."""
    bc = issuer.asn1.basic_constraints_value
    if bc is None:
        if issuer.asn1["tbs_certificate"]["version"].native == "v1" and issuer.self_issued:
            return ""  # a version 1 root has no extensions; OpenSSL takes it as a CA
        return f"{issuer.label()} issues certificates but has no basicConstraints"
    if not bc["ca"].native:
        return f"{issuer.label()} issues certificates but basicConstraints says cA=false"
    limit = bc["path_len_constraint"].native
    if limit is not None and below > limit:
        return f"{issuer.label()} allows {limit} CA certificate(s) below it, the path has {below}"
    ku = issuer.asn1.key_usage_value
    if ku is not None and "key_cert_sign" not in ku.native:
        return f"{issuer.label()} issues certificates but its key usage lacks keyCertSign"
    return ""


def _chain_and_validity(signer: _Cert | None, anchors: Sequence[_Cert] | None,
                        pool: Sequence[_Cert], gen_time: datetime, now: datetime,
                        partial_chain: bool) -> tuple[Check, ChainCheck, tuple[Note, ...]]:
    if signer is None:
        return (_check("validity", _U, "the signer's certificate was not found", as_of=gen_time,
                       basis=TimeBasis.GEN_TIME),
                ChainCheck("chain", _U, "the signer's certificate was not found"), ())
    path, anchored, why = _build_path(signer, anchors or (), pool, gen_time, partial_chain)
    trusted = {a.der for a in anchors or ()}
    infos = tuple(c.info(c.der in trusted) for c in path)
    bad = [c for c in path if not c.crypto.not_valid_before_utc <= gen_time
           <= c.crypto.not_valid_after_utc]
    if bad:
        c = bad[0]
        state = ("not yet valid" if gen_time < c.crypto.not_valid_before_utc else "expired")
        validity = _check("validity", _F, f"{c.label()} was {state} at genTime "
                          f"{_fmt(gen_time)} (valid {_fmt(c.crypto.not_valid_before_utc)} to "
                          f"{_fmt(c.crypto.not_valid_after_utc)})", as_of=gen_time,
                          basis=TimeBasis.GEN_TIME)
    else:
        which = "every certificate of the path" if len(path) > 1 else "the signer's certificate"
        validity = _check("validity", _P, f"{which} ({len(path)}) was valid at genTime "
                          f"{_fmt(gen_time)}", as_of=gen_time, basis=TimeBasis.GEN_TIME)
    notes = tuple(
        Note(f"{c.label()} expired on {_fmt(c.crypto.not_valid_after_utc)}, after genTime: "
             "the stamp is judged at genTime (OpenSSL's default, the current time, would "
             "reject it)", now, TimeBasis.NOW)
        for c in path if gen_time <= c.crypto.not_valid_after_utc < now)
    if anchors is None:
        return validity, ChainCheck(
            "chain", _U, "no trusted CA given (--ca): who signed is not established; not valid "
            "as trusted", path=infos), notes
    if not anchored:
        return validity, ChainCheck("chain", _F, why, path=infos), notes
    critical = _critical_problem(path)
    if critical is not None and critical[0] is _F:
        return validity, ChainCheck("chain", _F, critical[1], path=infos), notes
    cas = 0
    for issuer in path[1:]:
        problem = _ca_problem(issuer, cas)
        if problem:
            return validity, ChainCheck("chain", _F, problem, path=infos), notes
        if not issuer.self_issued:
            cas += 1
    if critical is not None:
        return validity, ChainCheck("chain", _U, critical[1], path=infos), notes
    top = path[-1]
    return validity, ChainCheck(
        "chain", _P, f"{len(path)} certificate(s), every signature verified, up to the trusted "
        f"{_oneline(top.asn1.subject)}", path=infos, anchored=True), notes


def _not_in_the_future(validity: Check, info: TokenInfo, now: datetime) -> Check:
    """``validity`` failed when genTime, less its accuracy, is after ``now`` plus
    :data:`CLOCK_SKEW`: no TSA can sign at a time that has not come."""
    earliest = info.gen_time - (info.accuracy.delta if info.accuracy else timedelta(0))
    if earliest <= now + CLOCK_SKEW:
        return validity
    return _check("validity", _F, f"genTime {_fmt(info.gen_time)} is after the time of this "
                  f"verification ({_fmt(now)}): the TSA's clock was wrong, or someone else "
                  "holding its key signed; the time cannot be trusted", as_of=now,
                  basis=TimeBasis.NOW)


def verify_token(token: bytes | os.PathLike[str], *, data: bytes | BinaryIO | None = None,
                 digest: str | None = None, ca: Sequence[x509.Certificate] | None = None,
                 untrusted: Sequence[x509.Certificate] = (), partial_chain: bool = False,
                 now: datetime | None = None) -> TokenVerdict:
    """Verify an RFC 3161 token offline (see the module docstring for every check).

    Parameters
    ----------
    token : bytes or path
        A ``TimeStampResp`` (``.tsr``) or a bare ``TimeStampToken`` (CMS ``ContentInfo``), DER;
        a path is read (and named in errors and in the verdict).
    data : bytes or binary file, optional
        What was stamped; hashed (in blocks) with the token's algorithm.
    digest : str, optional
        Or its digest in hex (``sha256:`` prefix allowed), in the token's algorithm.
    ca : sequence of cryptography Certificate, optional
        The trusted certificates (the TSA's root).  Without them the chain is unchecked and the
        token is not valid.
    untrusted : sequence of cryptography Certificate
        More certificates to find the signer and intermediates among.
    partial_chain : bool
        Accept a path ending at a trusted certificate that is not a self-signed root (OpenSSL's
        ``-partial_chain``); by default, as OpenSSL, the path must reach a trusted root.
    now : datetime, optional
        The current time, for the note that a certificate has expired since (tests).

    Returns
    -------
    TokenVerdict

    Raises
    ------
    TimestampTokenError
        The token cannot be read (not DER, truncated, not SignedData, no TSTInfo).
    InputError
        Both or a malformed ``digest``.

    Examples
    --------
    >>> verify_token(b"not DER at all")
    Traceback (most recent call last):
    ...
    forensics.errors.TimestampTokenError: not a readable RFC 3161 timestamp token: not DER...
    """
    source = ""
    if isinstance(token, os.PathLike):
        source = os.fspath(token)
        try:
            token = Path(source).read_bytes()
        except OSError as exc:
            raise TimestampTokenError(source, f"cannot read the file ({exc.strerror})") from None
    if data is not None and digest is not None:
        raise InputError("give the data or its digest, not both")
    if digest is not None:
        _clean_digest(digest)  # refuse a malformed digest before anything else
    checked_at = (now or datetime.now(UTC)).astimezone(UTC)
    parsed = _parse(bytes(token), source)
    st = parsed.status
    pki = (_check("status", _P, st.status + (f": {st.text}" if st.text else ""))
           if st.granted else
           _check("status", _F, st.status + (f": {st.text}" if st.text else "")
                  + (f" ({', '.join(st.failure_info)})" if st.failure_info else "")))
    tok = parsed.token
    if tok is None:
        none = "the reply holds no token"
        if st.granted:  # RFC 3161 2.4.2: granted (or with mods) means a token is present
            pki = _check("status", _F, f"{st.status}, but the reply holds no token (RFC 3161 "
                         "2.4.2 requires one)")
        return TokenVerdict(
            source, checked_at, st, None, pki, ImprintCheck("imprint", _U, none),
            *(_check(n, _U, none) for n in ("content_type", "message_digest", "signature")),
            SignerCheck("signer", _U, none), _check("ess_cert_id", _U, none),
            _check("tsa_certificate", _U, none), _check("tsa_name", _U, none),
            _check("validity", _U, none, basis=TimeBasis.GEN_TIME), ChainCheck("chain", _U, none))
    info = _info(tok.tst)
    anchors = [_as_cert(c, f"trusted certificate {i + 1}") for i, c in enumerate(ca or ())]
    extra = [_as_cert(c, f"untrusted certificate {i + 1}") for i, c in enumerate(untrusted)]
    trusted = {a.der for a in anchors}
    imprint = _imprint(info, tok.tst["message_imprint"]["hash_algorithm"]["algorithm"].dotted,
                       data, digest)
    ctype, mdigest = _content_checks(tok)
    signer_check, signer = _find_signer(tok, extra, trusted)
    pool = [*tok.certs, *extra]
    validity, chain, notes = _chain_and_validity(
        signer, anchors if ca is not None else None, pool, info.gen_time, checked_at,
        partial_chain)
    validity = _not_in_the_future(validity, info, checked_at)
    if info.hash_algorithm in WEAK_HASHES:
        notes += (Note(f"the imprint uses {info.hash_algorithm}, which is broken for collisions: "
                       "the stamp proves less than a SHA-2 or SM3 one", checked_at,
                       TimeBasis.NONE),)
    return TokenVerdict(
        source, checked_at, st, info, pki, imprint, ctype, mdigest, _signature(tok, signer),
        signer_check, _ess(tok, signer, pool), _tsa_usage(signer), _tsa_name(tok, signer),
        validity, chain, notes)


# --- the case --------------------------------------------------------------------------------


def request_item(case: Case, evidence_id: str) -> Path:
    """Write an RFC 3161 request over an item's SHA-256 into ``anchors/`` and log it.

    The file is ``anchors/timestamp-<E>-<sha256[:12]>.tsq`` (``-2``, ``-3``... when asked
    again: every request has its own nonce).  Send it to a TSA; import the reply with
    :func:`import_token`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from forensics.case import Case
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "post.html").write_bytes(b"<p>hello</p>")
    >>> case = Case.init(tmp / "case")
    >>> _ = case.add([tmp / "post.html"], parse=False)
    >>> tsq = request_item(case, "E0001")
    >>> tsq.name
    'timestamp-E0001-a5652be1ca86.tsq'
    >>> case.head.action, case.head.details["imprint"]["algorithm"]
    ('timestamp', 'sha256')
    """
    from forensics.anchor import timestamp_request
    from forensics.case import ANCHORS_DIR
    from forensics.custody import Action, EntryDraft
    from forensics.durable import atomic_write

    item = case.item(evidence_id)
    sha = item.digests.sha256
    folder = case.root / ANCHORS_DIR
    with case.log.lock:  # the name is chosen and the request logged by one writer at a time
        folder.mkdir(exist_ok=True)
        stem = f"timestamp-{item.evidence_id}-{sha[:12]}"
        path, n = folder / f"{stem}.tsq", 1
        while path.exists():
            n += 1
            path = folder / f"{stem}-{n}.tsq"
        der = timestamp_request(sha)
        atomic_write(path, der)
        case.record([EntryDraft(Action.TIMESTAMP, evidence=(item.ref,), details={
            "what": f"RFC 3161 timestamp request written for {item.evidence_id}",
            "timestamp_request": f"{ANCHORS_DIR}/{path.name}",
            "timestamp_request_sha256": hashlib.sha256(der).hexdigest(),
            "imprint": {"algorithm": "sha256", "digest": sha},
        })])
    return path


@dataclass(frozen=True, slots=True)
class Covered:
    """What a token's imprint covers in a case: an item, or a custody entry (a head)."""

    kind: str  # "item" or "custody-entry"
    evidence_id: str  # "" for a custody entry
    seq: int | None  # the custody entry's number (None for an item)
    sha256: str  # the item's SHA-256, or the entry's entry_sha256
    algorithm: str  # the token's imprint algorithm
    digest: str  # the imprint (hex)
    anchored_by: tuple[int, ...] = ()  # ``anchor`` entries that recorded this entry

    @property
    def weak(self) -> bool:
        """The imprint is MD5 or SHA-1: anyone can make two files with one digest, so the stamp
        says little about *this* file."""
        return self.algorithm in WEAK_HASHES

    @property
    def weakness(self) -> str:
        """``""``, or what to say wherever the verdict is said."""
        return (f"weak: its imprint is {self.algorithm}, broken for collisions; it proves "
                "little about this file" if self.weak else "")

    @property
    def label(self) -> str:
        if self.kind == "item":
            return self.evidence_id
        anchored = (f", anchored by entry {', '.join(map(str, self.anchored_by))}"
                    if self.anchored_by else "")
        return f"custody entry {self.seq}{anchored}"

    def to_json(self) -> dict[str, object]:
        return {"kind": self.kind, "evidence_id": self.evidence_id or None, "seq": self.seq,
                "sha256": self.sha256, "algorithm": self.algorithm, "digest": self.digest,
                "anchored_by": list(self.anchored_by), "weak": self.weak}


@dataclass(frozen=True, slots=True)
class TokenImport:
    """What :func:`import_token` found, stored and recorded; ``ok`` when the token is valid."""

    verdict: TokenVerdict
    covered: Covered
    source: Path
    stored_as: str  # relative to the case folder
    token_sha256: str
    recorded_seq: int
    event: Mapping[str, object] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.verdict.valid

    def to_json(self) -> dict[str, object]:
        return {"ok": self.ok, "covered": self.covered.to_json(), "source": str(self.source),
                "stored_as": self.stored_as, "token_sha256": self.token_sha256,
                "recorded_seq": self.recorded_seq, "event": dict(self.event),
                "verdict": self.verdict.to_json()}

    def __str__(self) -> str:
        v = self.verdict
        when = _fmt(v.info.gen_time) if v.info else "—"
        weak = f" ({self.covered.weakness})" if self.covered.weak else ""
        return (f"token {self.source.name} covers {self.covered.label}: genTime {when}, "
                f"{v.summary}{weak}\nstored as {self.stored_as}; recorded as custody entry "
                f"{self.recorded_seq}\n{v}")

    def _repr_html_(self) -> str:
        return (f"<div><p>token <code>{escape(self.source.name)}</code> covers "
                f"<b>{escape(self.covered.label)}</b> · stored as {escape(self.stored_as)} · "
                f"custody entry {self.recorded_seq}</p>{self.verdict._repr_html_()}</div>")


def _item_digest(case: Case, item: Item, algorithm: str) -> str:
    """An item's digest in ``algorithm``: recorded for SHA-256 and SM3, else re-hashed from
    the store (read-only)."""
    if algorithm == "sha256":
        return item.digests.sha256
    if algorithm == "sm3":
        return item.digests.sm3
    if algorithm == "md5":
        return item.digests.md5
    from forensics.durable import open_readonly

    fd = open_readonly(case.root / item.stored_as)
    with os.fdopen(fd, "rb") as fh:
        return _hash_of(algorithm, _chunks(fh))


def _covered(case: Case, info: TokenInfo, oid: str, source: Path) -> tuple[Covered, Item | None]:
    algo, digest = info.hash_algorithm, info.imprint
    if oid not in _HASHES:
        raise TimestampTokenError(source, f"its imprint algorithm {oid} is not one this tool "
                                          "computes; it cannot be matched to the case")
    hl = _HASHES[oid][1]
    for item in case.items:
        if hmac.compare_digest(_item_digest(case, item, hl), digest):
            return Covered("item", item.evidence_id, None, item.digests.sha256, algo,
                           digest), item
    if algo == "sha256":
        entries = case.log.entries()
        anchored = tuple(e.seq for e in entries if e.action == "anchor"
                         and e.details.get("anchored_sha256") == digest)
        for e in entries:
            if hmac.compare_digest(e.entry_sha256, digest):
                return Covered("custody-entry", "", e.seq, e.entry_sha256, algo, digest,
                               anchored), None
    raise TimestampTokenError(
        source, f"it covers nothing in the case {case.root}: its {algo} imprint {digest} is "
        "no item's digest and no custody entry's entry_sha256")


def _event_row(info: TokenInfo, verdict: TokenVerdict, covered: Covered, location: str
               ) -> dict[str, object]:
    """The timeline row of a token's genTime (an interval when the accuracy exceeds 1 s)."""
    from forensics.records import Event, Origin
    from forensics.timestamps import Precision, TimeValue, Zone

    t = info.gen_time
    acc = info.accuracy.delta if info.accuracy else timedelta(0)
    frac = info.gen_time_text.rstrip("Z").partition(".")[2]
    precision = (Precision.MICROSECOND if len(frac) > 3 else Precision.MILLISECOND if frac
                 else Precision.SECOND)
    if acc >= timedelta(milliseconds=1) and precision is Precision.MICROSECOND:
        precision = Precision.MILLISECOND
    if acc >= timedelta(seconds=1):
        precision = Precision.SECOND
    earliest, latest = (t - acc, t + acc) if acc > timedelta(seconds=1) else (t, t)
    value = TimeValue(earliest, latest, info.gen_time_text, EVENT_SOURCE, precision,
                      Zone.EXPLICIT, "UTC")
    origin = Origin(covered.evidence_id, covered.sha256, PARSER, PARSER_VERSION)
    text = verdict.summary + (f"; {covered.weakness}" if covered.weak else "")
    return Event(origin, EVENT_DATA_TYPE, EVENT_DESCRIPTION, value, location=location,
                 actor=info.tsa, text=text).to_row()


def import_token(case: Case, tsr_path: Path | str, *, ca: Sequence[x509.Certificate] | None = None,
                 untrusted: Sequence[x509.Certificate] = ()) -> TokenImport:
    """Check a token against the item or custody entry it covers, store it, log it.

    The token's imprint is looked up among the items' digests and the custody entries'
    ``entry_sha256`` (an anchored head); a token covering nothing in the case is refused
    (:class:`~forensics.errors.TimestampTokenError`, exit 2).  It is verified (with ``ca`` when
    given), copied into ``anchors/`` (the given file is only read), and a ``timestamp`` entry
    records the verdict, the token's file and SHA-256 and, in ``details["events"]``, the
    genTime row the timeline shows.  An invalid token is stored and logged too; ``ok`` is
    false (the command exits 1).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from asn1crypto import tsp as asn1_tsp
    >>> from forensics.case import Case
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> case = Case.init(tmp / "case")
    >>> status = asn1_tsp.PKIStatusInfo({"status": "rejection"}).dump()
    >>> _ = (tmp / "rejected.tsr").write_bytes(bytes([0x30, len(status)]) + status)
    >>> import_token(case, tmp / "rejected.tsr")
    Traceback (most recent call last):
    ...
    forensics.errors.TimestampTokenError: ...rejected.tsr: the reply holds no token (status ...
    """
    from forensics.case import ANCHORS_DIR
    from forensics.custody import Action, EntryDraft
    from forensics.durable import atomic_write

    source = Path(tsr_path)
    try:
        der = source.read_bytes()
    except OSError as exc:
        raise TimestampTokenError(source, f"cannot read the file ({exc.strerror})") from None
    parsed = _parse(der, str(source))
    if parsed.token is None:
        raise TimestampTokenError(source, f"the reply holds no token (status "
                                          f"{parsed.status.status}); nothing to import")
    info = _info(parsed.token.tst)
    oid = parsed.token.tst["message_imprint"]["hash_algorithm"]["algorithm"].dotted
    covered, item = _covered(case, info, oid, source)
    verdict = replace(verify_token(der, digest=covered.digest, ca=ca, untrusted=untrusted),
                      source=str(source))
    token_sha = hashlib.sha256(der).hexdigest()
    who = item.evidence_id if item is not None else f"seq{covered.seq:08d}"
    folder = case.root / ANCHORS_DIR
    stored = folder / f"timestamp-{who}-{token_sha[:12]}.tsr"
    stored_as = f"{ANCHORS_DIR}/{stored.name}"
    row = _event_row(info, verdict, covered, f"token {stored_as}")
    evidence = (item.ref,) if item is not None else ()
    status = {VerdictStatus.VALID: "passed", VerdictStatus.INVALID: "failed"}.get(
        verdict.status, "unchecked")
    with case.log.lock:  # stored and logged by one writer at a time
        folder.mkdir(exist_ok=True)
        if not stored.exists() or stored.read_bytes() != der:
            atomic_write(stored, der, mode=0o444)
        (entry,) = case.record([EntryDraft(Action.TIMESTAMP, evidence=evidence, details={
            "what": f"RFC 3161 token imported for {covered.label}: {verdict.summary}"
                    + (f" ({covered.weakness})" if covered.weak else ""),
            "status": status,
            "covers": covered.to_json(),
            "token_file": stored_as,
            "token_sha256": token_sha,
            "source": {"path": str(source), "name": source.name},
            "gen_time": _fmt(info.gen_time),
            "tsa": info.tsa,
            "serial": info.serial,
            "policy": info.policy,
            "verdict": _json_safe(verdict.to_json()),
            "events": [_json_safe(row)],
        })])
    return TokenImport(verdict, covered, source, stored_as, token_sha, entry.seq, row)


def _json_safe(value: object) -> object:
    """Plain JSON values for the custody log (no floats: RFC 8785 formats them its own way)."""
    if isinstance(value, Mapping):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float):
        return repr(value)
    return value
