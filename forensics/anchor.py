"""Record the custody head outside the log, with an RFC 3161 timestamp request over it.

An anchor fixes the log's head (sequence number and ``entry_sha256``) somewhere the log cannot
reach: a file in ``anchors/`` beside the log, the text printed for the user to keep or publish, and
a ``.tsq`` (RFC 3161 ``TimeStampReq``, DER) to send to a timestamp authority, e.g.
``curl -H 'Content-Type: application/timestamp-query' --data-binary @anchor.tsq URL > anchor.tsr``.
Once anchored, cutting entries off the end of the log is detected by ``forensics verify``.

The request's message imprint is SHA-256 over the head entry's canonical form without its
``entry_sha256`` member, which *is* ``entry_sha256``: the stamped datum is the head entry itself,
so ``openssl ts -verify -digest <entry_sha256> -in anchor.tsr -CAfile tsa.pem`` checks a reply.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "case")
>>> a = anchor(case)
>>> a.seq, a.request_path.suffix
(1, '.tsq')
>>> timestamp_request_digest(a.request_path.read_bytes()) == a.entry_sha256
True
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from asn1crypto import algos, tsp

from forensics.custody import Action, EntryDraft
from forensics.durable import atomic_write
from forensics.errors import CustodyLogDamaged, InputError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case

__all__ = ["Anchor", "anchor", "timestamp_request", "timestamp_request_digest"]


@dataclass(frozen=True, slots=True)
class Anchor:
    """A recorded head: where the anchor file and the timestamp request were written."""

    seq: int
    entry_sha256: str
    anchored_at: datetime
    anchor_path: Path
    request_path: Path
    recorded_seq: int

    @property
    def text(self) -> str:
        """The line to keep or publish; ``forensics verify --anchor`` accepts it."""
        return f"{self.seq}:{self.entry_sha256}"

    def to_json(self) -> dict[str, object]:
        return {
            "seq": self.seq, "entry_sha256": self.entry_sha256,
            "anchored_at": self.anchored_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "anchor_file": str(self.anchor_path), "timestamp_request": str(self.request_path),
            "recorded_seq": self.recorded_seq, "text": self.text,
        }

    def _repr_html_(self) -> str:
        return (f"<p>anchored entry {self.seq} <code>sha256:{self.entry_sha256}</code> · "
                f"request: {escape(str(self.request_path))}</p>")


def timestamp_request(sha256_hex: str, *, nonce: int | None = None) -> bytes:
    """DER of an RFC 3161 ``TimeStampReq`` over a SHA-256 digest, asking for the TSA certificate.

    >>> der = timestamp_request("00" * 32, nonce=7)
    >>> der[:2].hex(), len(der)
    ('303c', 62)
    """
    req = tsp.TimeStampReq({
        "version": "v1",
        "message_imprint": {
            "hash_algorithm": algos.DigestAlgorithm({"algorithm": "sha256"}),
            "hashed_message": bytes.fromhex(sha256_hex),
        },
        "nonce": nonce if nonce is not None else secrets.randbits(63),
        "cert_req": True,
    })
    return req.dump()


def timestamp_request_digest(der: bytes) -> str:
    """The hex message imprint of a ``TimeStampReq`` (to check what a request stamps)."""
    req = tsp.TimeStampReq.load(der)
    return req["message_imprint"]["hashed_message"].native.hex()


def anchor(case: Case) -> Anchor:
    """Anchor the current head of ``case``'s log; the anchoring itself is logged."""
    from forensics.case import ANCHORS_DIR

    with case.log.lock:
        case.recover()
        try:
            head = case.log.head()
        except ValueError as exc:
            raise CustodyLogDamaged(case.log.path, f"last entry unreadable: {exc}") from None
        if head is None:
            raise InputError(f"{case.root}: the custody log is empty; nothing to anchor")
        now = datetime.now(UTC)
        folder = case.root / ANCHORS_DIR
        folder.mkdir(exist_ok=True)
        stem = f"anchor-{head.seq:08d}"
        anchor_path = folder / f"{stem}.json"
        request_path = folder / f"{stem}.tsq"
        doc = {
            "what": "head of the custody log, recorded outside it",
            "case": str(case.root.resolve()),
            "case_number": case.metadata.case_number,
            "seq": head.seq,
            "entry_sha256": head.entry_sha256,
            "anchored_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "timestamp_request": request_path.name,
            "timestamp_request_imprint": "sha256 of the head entry's canonical form = entry_sha256",
        }
        data = json.dumps(doc, ensure_ascii=False, indent=2).encode("utf-8") + b"\n"
        der = timestamp_request(head.entry_sha256)
        atomic_write(anchor_path, data)
        atomic_write(request_path, der)
        (entry,) = case.record([EntryDraft(Action.ANCHOR, details={
            "what": "custody head anchored outside the log; RFC 3161 request written",
            "anchored_seq": head.seq,
            "anchored_sha256": head.entry_sha256,
            "anchor_file": f"{ANCHORS_DIR}/{anchor_path.name}",
            "anchor_file_sha256": hashlib.sha256(data).hexdigest(),
            "timestamp_request": f"{ANCHORS_DIR}/{request_path.name}",
            "timestamp_request_sha256": hashlib.sha256(der).hexdigest(),
        })])
    return Anchor(head.seq, head.entry_sha256, now, anchor_path, request_path, entry.seq)
