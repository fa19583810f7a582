"""Outside proof: a notary's or a platform's hash list, or a certificate, matched against the case.

A custody log we keep ourselves says nothing about the time before it began.  What courts credit
most is proof from outside: a notarial certificate listing the digests of what the notary
captured (民事诉讼法 art. 72), an evidence platform's or a court blockchain's certificate with a
digest and a transaction id (在线诉讼规则 arts. 16-18).  :func:`import_attestation` (``forensics
attest import CASE FILE``) reads such a statement, brings the file that states it into the case
as an item of its own (or names the item it already is), matches every listed digest against
the case **by digest, never by file name**, and records the result in one ``attest`` entry of
the custody log.

Formats (``kind``; guessed from the file when not given, see :func:`read_attestation`):

``sha256sum``, ``sm3sum``, ``md5sum``, ``sha1sum``, ``sha512sum``
    What ``sha256sum`` and its kin print (``<hex>  <name>``, ``<hex> *<name>``, names escaped
    with a leading ``\\``), the BSD tag form (``SHA256 (name) = <hex>``) and OpenSSL's
    (``SM3(name)= <hex>``).  Lines starting with ``#`` are comments.  The algorithm comes from a
    tag, else the kind, else the file name (``SHA256SUMS``, ``*.sm3``...), else the digest's
    length: 64 hex digits fit SHA-256 and SM3 alike, so both are tried and the result says
    which matched (and that the algorithm was inferred).  What Windows' own tools print is
    read as a sum list too: ``certutil -hashfile`` (English or Chinese Windows) and
    PowerShell's ``Get-FileHash`` (its table, ``| Format-List``, ``| Export-Csv``); a list
    PowerShell 5.1 wrote with ``>`` is UTF-16.
``hashdeep``
    hashdeep's and md5deep's CSV (``%%%% HASHDEEP-1.0``, ``%%%% size,md5,sha256,filename``).
``bagit``
    A BagIt payload manifest (``manifest-sha256.txt``, RFC 8493 section 2.1.3, names
    percent-encoded; a path outside ``data/`` is refused) or a whole bag folder (every
    ``manifest-*.txt``, with ``bag-info.txt``'s ``Source-Organization`` and ``Bagging-Date`` as
    issuer and time).
``certificate``
    The small TOML or JSON form of ``docs/formats/attestation.md`` for what a notarial or an
    evidence-platform certificate states: issuer, certificate number, time, the digests with
    their algorithm, transaction id or block height, free text.

Each listed digest gets one status (:data:`STATUSES`):

``matched``
    an item of the case has this digest (its evidence number is given);
``mismatched``
    no item has it, but an item carries the listed file name: the file in hand differs from
    the one attested.  A ``high`` finding (``attested-digest-mismatch``);
``missing``
    nothing in the case has the digest or the name: attested material the case does not hold
    (a ``low`` finding, ``attested-file-missing``);
``unknown-algorithm``
    an algorithm this machine cannot compute: nothing could be checked (a ``low`` finding,
    ``attested-digest-unchecked``).

When the statement has a time (the certificate's ``issued_at``, ``bag-info.txt``'s
``Bagging-Date`` or ``--time``), every matched item and the statement itself get a timeline
event at that time ("Notarized (as the attestation states)", ...), with the source
``attest:<kind>`` and the issuer as the actor.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "post.html").write_bytes(b"<p>hello</p>")
>>> case = Case.init(tmp / "case")
>>> _ = case.add([tmp / "post.html"], parse=False)
>>> _ = (tmp / "SHA256SUMS").write_text(
...     "ab" * 32 + "  gone.mp4\\n"
...     + case.item("E0001").digests.sha256 + "  post.html\\n")
>>> report = import_attestation(case, tmp / "SHA256SUMS", issuer="示例公证处",
...                             issued_at="2026-11-21 15:00")
>>> [(m.status, m.evidence_id) for m in report.matches]
[('missing', None), ('matched', 'E0001')]
>>> report.document_ids, report.problems
(('E0002',), 0)
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tomllib
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from forensics import digests as _digests
from forensics.errors import AttestationError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case, Item

__all__ = [
    "EVENTS",
    "KINDS",
    "STATUSES",
    "AttestReport",
    "Attestation",
    "ListedDigest",
    "Match",
    "import_attestation",
    "read_attestation",
]

#: The formats :func:`read_attestation` reads.
KINDS: tuple[str, ...] = ("sha256sum", "sm3sum", "md5sum", "sha1sum", "sha512sum", "hashdeep",
                          "bagit", "certificate")

#: What a listed digest can be found to be (see the module docstring).
STATUSES: tuple[str, ...] = ("matched", "mismatched", "missing", "unknown-algorithm")

#: What happened at the statement's time, with the timeline's description (en) and zh label.
EVENTS: Mapping[str, tuple[str, str]] = {
    "notarized": ("Notarized (as the attestation states)", "公证"),
    "deposited": ("Deposited (as the attestation states)", "存证"),
    "captured": ("Captured (as the attestation states)", "取证"),
    "attested": ("Attested (as the attestation states)", "证明"),
}

#: Hex digits of each algorithm's digest.
_HEX_LENGTH = {"md5": 32, "sha1": 40, "sha224": 56, "sha256": 64, "sm3": 64, "sha384": 96,
               "sha512": 128, "sha512_224": 56, "sha512_256": 64, "sha3_224": 56,
               "sha3_256": 64, "sha3_384": 96, "sha3_512": 128, "blake2s": 64, "blake2b": 128}
#: 64 hex digits with nothing to say which: SHA-256 or SM3, both tried.
_SHA256_OR_SM3 = "sha256|sm3"
#: The digests every item already has (custody log); others are computed from the store.
_HELD = ("sha256", "sm3", "md5")
_KIND_ALGORITHM = {"sha256sum": "sha256", "sm3sum": "sm3", "md5sum": "md5", "sha1sum": "sha1",
                   "sha512sum": "sha512"}
_NAME_ALGORITHM = (  # file-name patterns that say the algorithm of a sum list
    (re.compile(r"sha-?256|\.sha256", re.I), "sha256"),
    (re.compile(r"sha-?512|\.sha512", re.I), "sha512"),
    (re.compile(r"sha-?1(?!\d)|\.sha1", re.I), "sha1"),
    (re.compile(r"sm3", re.I), "sm3"),
    (re.compile(r"md5", re.I), "md5"),
)
_CERT_KEYS = frozenset({"issuer", "certificate_number", "issued_at", "event", "transaction_id",
                        "block_height", "chain", "url", "text", "digests"})
_DIGEST_KEYS = frozenset({"algorithm", "digest", "name", "size"})
_HEX = re.compile(r"[0-9a-fA-F]+")
_TAG_LINE = re.compile(r"(?P<alg>[A-Za-z][A-Za-z0-9_/-]*) ?\((?P<name>.*)\) ?= ?(?P<hex>[0-9a-fA-F]+)")
_GNU_LINE = re.compile(r"(?P<hex>[0-9a-fA-F]+) [ *](?P<name>.+)")
_LOOSE_LINE = re.compile(r"(?P<hex>[0-9a-fA-F]+)[ \t]+\*?(?P<name>\S.*)")
#: ``certutil -hashfile``'s header: English (``SHA256 hash of [file ]NAME:``) or Chinese.
_CERTUTIL_HEAD = re.compile(r"(?P<alg>[A-Za-z][A-Za-z0-9]*) (?:hash of (?:file )?(?P<name>.+)"
                            r"|的 (?P<zname>.+) 哈希)[:：]")
#: PowerShell's ``Get-FileHash``: the CSV header, the table header, a ``Format-List`` field.
_GFH_CSV = re.compile(r'"?Algorithm"?,"?Hash"?,"?Path"?', re.I)
_GFH_TABLE = re.compile(r"Algorithm\s+Hash\s+Path", re.I)
_GFH_ROW = re.compile(r"(?P<alg>[A-Za-z][A-Za-z0-9]*)\s+(?P<hex>[0-9A-Fa-f]+(?:\.\.\.|\u2026)?)"
                      r"(?:\s+(?P<name>.*))?")
_GFH_FIELD = re.compile(r"(?P<key>Algorithm|Hash|Path)\s*:\s?(?P<value>.*)", re.I)


def _algorithm(name: str) -> str:
    """``SHA-256`` / ``SHA256`` / ``sha256`` -> ``sha256``; ``SM3`` -> ``sm3``.

    >>> _algorithm("SHA-256"), _algorithm("SM3"), _algorithm("sha3-256"), _algorithm("Tiger")
    ('sha256', 'sm3', 'sha3_256', 'tiger')
    """
    n = name.strip().lower().replace("-", "").replace("_", "")
    if n.startswith("sha3") and len(n) > 4:
        return f"sha3_{n[4:]}"
    if n in ("sha512224", "sha512256"):
        return f"sha512_{n[6:]}"
    return n


def _shown(text: str) -> str:
    r"""``text`` safe to print on one line: line breaks, control and direction-changing
    characters (a right-to-left override makes ``evil\u202egnp.exe`` show as "evilexe.png")
    written as escapes.

    >>> _shown("evil\u202egnp.exe"), _shown("a\nb")
    ('evil\\u202egnp.exe', 'a\\nb')
    """
    out = []
    for ch in text:
        if ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs"):
            out.append(f"\\u{ord(ch):04x}")
        else:
            out.append(ch)
    return "".join(out)


def _computable(algorithm: str) -> bool:
    if algorithm in ("sm3", _SHA256_OR_SM3):
        return True
    return algorithm in hashlib.algorithms_available


@dataclass(frozen=True, slots=True)
class ListedDigest:
    """One digest as the statement lists it.

    ``algorithm`` is normalized (``sha256``, ``sm3``...; ``"sha256|sm3"`` when 64 hex digits
    came with nothing naming the algorithm); ``name`` the file name as listed (``""`` when
    none); ``line`` where it is (1-based line, or the position in a certificate's list);
    ``size`` when the statement gives one; ``source`` the file of a bag that lists it.
    """

    algorithm: str
    digest: str
    name: str
    line: int
    size: int | None = None
    source: str = ""


@dataclass(frozen=True, slots=True)
class Attestation:
    """What an outside statement says, read by :func:`read_attestation` (nothing matched yet).

    ``files`` are the files read (one, or a bag's manifests and ``bag-info.txt``), with their
    SHA-256; ``issued_at`` the time exactly as written (or as given with ``--time``);
    ``event`` one of :data:`EVENTS`; ``notes`` what was inferred (an algorithm from a length,
    an encoding).
    """

    kind: str
    files: tuple[tuple[str, str], ...]
    encoding: str
    digests: tuple[ListedDigest, ...]
    issuer: str = ""
    certificate_number: str = ""
    issued_at: str = ""
    event: str = "attested"
    transaction_id: str = ""
    block_height: int | None = None
    chain: str = ""
    url: str = ""
    text: str = ""
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {
            "kind": self.kind, "files": [{"path": p, "sha256": d} for p, d in self.files],
            "encoding": self.encoding, "issuer": self.issuer,
            "certificate_number": self.certificate_number, "issued_at": self.issued_at,
            "event": self.event, "transaction_id": self.transaction_id,
            "block_height": self.block_height, "chain": self.chain, "url": self.url,
            "text": self.text, "notes": list(self.notes), "digests": len(self.digests),
        }


@dataclass(frozen=True, slots=True)
class Match:
    """One listed digest against the case: ``status`` one of :data:`STATUSES`.

    ``algorithm`` is the one the match used (SHA-256 or SM3 for an inferred 64-digit digest);
    ``evidence_id`` the item that has the digest (``matched``) or the listed name
    (``mismatched``); ``held`` that item's digest in the same algorithm (``mismatched``).
    """

    listed: ListedDigest
    status: str
    algorithm: str
    evidence_id: str | None = None
    held: str | None = None

    def to_json(self) -> dict[str, object]:
        return {"line": self.listed.line, "source": self.listed.source or None,
                "name": self.listed.name, "algorithm": self.algorithm,
                "listed_algorithm": self.listed.algorithm, "digest": self.listed.digest,
                "size": self.listed.size, "status": self.status,
                "evidence_id": self.evidence_id, "held": self.held}


@dataclass(frozen=True, slots=True)
class AttestReport:
    """What :func:`import_attestation` found and recorded.

    ``document_ids`` are the items holding the statement itself; ``recorded_seq`` the
    ``attest`` entry; ``events`` how many timeline events it states.
    """

    attestation: Attestation
    document_ids: tuple[str, ...]
    matches: tuple[Match, ...]
    recorded_seq: int
    events: int = 0
    counts: Mapping[str, int] = field(default_factory=dict)

    @property
    def problems(self) -> int:
        """Listed digests the case contradicts or could not check (mismatched, unknown)."""
        return self.counts.get("mismatched", 0) + self.counts.get("unknown-algorithm", 0)

    @property
    def ok(self) -> bool:
        return self.problems == 0

    def to_json(self) -> dict[str, object]:
        return {"attestation": self.attestation.to_json(), "documents": list(self.document_ids),
                "recorded_seq": self.recorded_seq, "counts": dict(self.counts),
                "events": self.events, "matches": [m.to_json() for m in self.matches]}

    def to_frame(self) -> pd.DataFrame:
        """One row per listed digest."""
        import pandas as pd

        return pd.DataFrame([m.to_json() for m in self.matches],
                            columns=["line", "source", "name", "algorithm", "listed_algorithm",
                                     "digest", "size", "status", "evidence_id", "held"])

    def __str__(self) -> str:
        a = self.attestation
        lines = [f"{a.kind} from {_shown(a.issuer) or 'an unnamed issuer'}"
                 + (f" ({_shown(a.issued_at)})" if a.issued_at else "")
                 + f": {len(self.matches)} digests, "
                 + ", ".join(f"{self.counts.get(s, 0)} {s}" for s in STATUSES)
                 + f"; recorded as custody entry {self.recorded_seq}"]
        for m in self.matches:
            if m.status != "matched":
                where = f"line {m.listed.line}" + (f" of {_shown(m.listed.source)}"
                                                   if m.listed.source else "")
                what = {"mismatched": f"the file in hand ({m.evidence_id}) differs: held "
                                      f"{m.algorithm} {m.held}",
                        "missing": "not in the case",
                        "unknown-algorithm": f"algorithm {m.listed.algorithm!r} cannot be "
                                             "computed here; not checked"}[m.status]
                lines.append(f"  {m.status.upper()}: {where} {_shown(m.listed.name) or '(no name)'} "
                             f"{m.listed.algorithm} {m.listed.digest}: {what}")
        lines.extend(f"  note: {_shown(n)}" for n in a.notes)
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        a = self.attestation
        colour = {"matched": "", "mismatched": " style='background:#fdd'",
                  "missing": " style='background:#ffe'", "unknown-algorithm":
                  " style='background:#ffe'"}
        rows = "".join(
            f"<tr{colour[m.status]}><td>{m.listed.line}</td><td>{escape(m.listed.name)}</td>"
            f"<td>{escape(m.algorithm)}</td><td><code>{escape(m.listed.digest)}</code></td>"
            f"<td>{escape(m.status)}</td><td>{escape(m.evidence_id or '')}</td></tr>"
            for m in self.matches)
        counts = ", ".join(f"{self.counts.get(s, 0)} {s}" for s in STATUSES)
        return (f"<div><p><b>{escape(a.kind)}</b> · {escape(a.issuer or '—')} · "
                f"{escape(a.issued_at or '—')} · {escape(counts)} · custody entry "
                f"{self.recorded_seq}</p><table><tr><th>line</th><th>name</th>"
                f"<th>algorithm</th><th>digest</th><th>status</th><th>evidence</th></tr>{rows}"
                "</table></div>")


# --- reading ---------------------------------------------------------------------------------------

def _decode(path: Path, data: bytes) -> tuple[str, str]:
    """The text of a list and its encoding: UTF-16 with a byte-order mark (what Windows
    PowerShell 5.1's ``>`` writes), UTF-8 (BOM or not), else GB18030 (Chinese offices)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            raise AttestationError(path, "starts with a UTF-16 byte-order mark but is not "
                                         "UTF-16 text") from None
        if "\x00" not in text:
            return text, "utf-16"
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if "\x00" in text:
            break
        return text, ("utf-8" if encoding == "utf-8-sig" else encoding)
    raise AttestationError(path, "not text (neither UTF-8 nor GB18030; or binary): not a hash "
                                 "list or certificate")


def _read_bytes(path: Path) -> bytes:
    from forensics.durable import open_readonly

    try:
        fd = open_readonly(path)
    except OSError as exc:
        raise AttestationError(path, f"cannot be read ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        return fh.read()


def _check_digest(path: Path, line: int, algorithm: str, hex_text: str) -> str:
    digest = hex_text.lower()
    if not _HEX.fullmatch(digest):
        raise AttestationError(path, f"{hex_text!r} is not a hexadecimal digest", line=line)
    want = _HEX_LENGTH.get("sha256" if algorithm == _SHA256_OR_SM3 else algorithm)
    if want is not None and len(digest) != want:
        raise AttestationError(path, f"a {algorithm} digest has {want} hex digits, this one "
                                     f"{len(digest)} ({hex_text[:16]}...)", line=line)
    return digest


def _by_length(n: int) -> str | None:
    return {32: "md5", 40: "sha1", 64: _SHA256_OR_SM3, 96: "sha384", 128: "sha512"}.get(n)


def _windows_digest(path: Path, number: int, alg: str, hex_text: str) -> str:
    """A digest as Windows prints it: upper case, bytes separated by spaces (certutil on
    Windows 7), cut short with ``...`` by a table too wide for the console (refused)."""
    hex_text = hex_text.strip()
    if hex_text.endswith(("...", "\u2026")):
        raise AttestationError(path, "the digest was cut short ('...') by PowerShell's table; "
                                     "write the list again with `Get-FileHash ... | Format-List` "
                                     "or `| Export-Csv`", line=number)
    return _check_digest(path, number, alg, re.sub(r"\s+", "", hex_text))


def _certutil(path: Path, lines: Sequence[str]) -> tuple[list[ListedDigest], list[str]]:
    """``certutil -hashfile FILE ALG``: a header naming the algorithm and the file, the digest
    on the next line, a ``CertUtil:`` line; any number of them one after another.  A run
    that failed (``CertUtil: ... FAILED``, ``失败``) lists nothing: a note says so."""
    out = []
    notes = []
    pending: tuple[str, str] | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("CertUtil"):
            if "FAILED" in line.upper() or "失败" in line:
                notes.append(f"line {number}: certutil failed there and listed no digest "
                             f"({_shown(line[:120])})")
            continue
        head = _CERTUTIL_HEAD.fullmatch(line)
        if head:
            if pending is not None:
                raise AttestationError(path, "a certutil header without its digest before "
                                             "this one", line=number)
            pending = (_algorithm(head["alg"]), (head["name"] or head["zname"] or "").strip())
            continue
        if pending is None or not _HEX.fullmatch(line.replace(" ", "")):
            raise AttestationError(path, "not certutil -hashfile output (expected 'ALG hash of "
                                         "FILE:' or 'ALG 的 FILE 哈希:', then the digest)",
                                   line=number)
        alg, name = pending
        out.append(ListedDigest(alg, _windows_digest(path, number, alg, line), name, number))
        pending = None
    if pending is not None:
        raise AttestationError(path, f"the last certutil header ({_shown(pending[1])}) has no "
                                     "digest after it", line=len(lines))
    return out, notes


def _get_filehash(path: Path, lines: Sequence[str]) -> list[ListedDigest]:
    """PowerShell's ``Get-FileHash`` output: its table, ``| Format-List`` or ``| Export-Csv``."""
    out = []
    first = next((n for n, x in enumerate(lines) if x.strip()), 0)
    header = lines[first].strip() if lines else ""
    if header.startswith("#TYPE"):
        first += 1
        header = lines[first].strip() if first < len(lines) else ""
    if _GFH_CSV.fullmatch(header):
        import csv

        columns = [c.lower() for c in next(csv.reader([header]))]
        for number, row in enumerate(csv.reader(lines[first + 1:]), start=first + 2):
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(columns):
                raise AttestationError(path, f"{len(row)} fields where the header names "
                                             f"{len(columns)}", line=number)
            r = dict(zip(columns, row, strict=True))
            alg = _algorithm(r["algorithm"])
            out.append(ListedDigest(alg, _windows_digest(path, number, alg, r["hash"]),
                                    r["path"], number))
        return out
    if _GFH_TABLE.fullmatch(header):
        for number, raw in enumerate(lines[first + 1:], start=first + 2):
            line = raw.strip()
            if not line or set(line) <= {"-", " "}:
                continue
            m = _GFH_ROW.fullmatch(line)
            if m is None:
                raise AttestationError(path, "not a row of Get-FileHash's table (Algorithm, "
                                             "Hash, Path)", line=number)
            alg = _algorithm(m["alg"])
            out.append(ListedDigest(alg, _windows_digest(path, number, alg, m["hex"]),
                                    m["name"] or "", number))
        return out
    record: dict[str, str] = {}  # Format-List: "Key : value" records, blank lines between
    where: dict[str, int] = {}
    key = None

    def flush() -> None:
        if not record:
            return
        if not {"algorithm", "hash"} <= set(record):
            raise AttestationError(path, "a Get-FileHash record without Algorithm and Hash",
                                   line=min(where.values()))
        alg = _algorithm(record["algorithm"])
        out.append(ListedDigest(alg, _windows_digest(path, where["hash"], alg, record["hash"]),
                                record.get("path", ""), where["hash"]))
        record.clear()
        where.clear()

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            flush()
            key = None
            continue
        m = _GFH_FIELD.fullmatch(raw.rstrip())
        if m:
            key = m["key"].lower()
            record[key], where[key] = m["value"], number
        elif raw[:1] in (" ", "\t") and key is not None:  # a long value wrapped by the console
            record[key] += raw.strip()
        else:
            raise AttestationError(path, "not Get-FileHash output ('Algorithm : ...', "
                                         "'Hash : ...', 'Path : ...')", line=number)
    flush()
    return out


def _windows_list(path: Path, text: str) -> tuple[list[ListedDigest], list[str]] | None:
    """The list and notes when ``text`` is what Windows' own tools print, else None."""
    lines = text.splitlines()
    heads = [x.strip() for x in lines if x.strip()][:3]
    if any(_CERTUTIL_HEAD.fullmatch(x) for x in heads[:1]) or any(
            x.startswith("CertUtil:") for x in heads):
        listed, notes = _certutil(path, lines)
        return listed, ["written by certutil -hashfile", *notes]
    if heads and (heads[0].startswith("#TYPE") or _GFH_CSV.fullmatch(heads[0])
                  or _GFH_TABLE.fullmatch(heads[0])
                  or (_GFH_FIELD.fullmatch(heads[0])
                      and heads[0].split(":", 1)[0].strip().lower() == "algorithm")):
        return _get_filehash(path, lines), ["written by PowerShell's Get-FileHash"]
    return None


def _sum_list(path: Path, text: str, algorithm: str | None) -> tuple[list[ListedDigest], list[str]]:
    """``sha256sum`` and kin, BSD tags, OpenSSL's ``ALG(name)= hex``, and what Windows' own
    tools print (``certutil -hashfile``, PowerShell's ``Get-FileHash``)."""
    out: list[ListedDigest] = []
    notes: list[str] = []
    windows = _windows_list(path, text)
    if windows is not None:
        return windows
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        escaped = line.startswith("\\")
        body = line[1:] if escaped else line
        tag = _TAG_LINE.fullmatch(body)
        if tag:
            alg, name, hex_text = _algorithm(tag["alg"]), tag["name"], tag["hex"]
        else:
            m = _GNU_LINE.fullmatch(body) or _LOOSE_LINE.fullmatch(body)
            if m:
                hex_text, name = m["hex"], m["name"]
            elif _HEX.fullmatch(body.strip()):
                hex_text, name = body.strip(), ""
            else:
                raise AttestationError(path, "not a digest line (expected '<hex>  <name>', "
                                             "'ALG (name) = <hex>' or a comment)", line=number)
            alg = algorithm or _by_length(len(hex_text))
            if alg is None:
                raise AttestationError(path, f"a digest of {len(hex_text)} hex digits and no "
                                             "algorithm named: give --kind", line=number)
        if escaped:
            name = name.replace("\\\\", "\x00").replace("\\n", "\n").replace("\\r", "\r")
            name = name.replace("\x00", "\\")
        out.append(ListedDigest(alg, _check_digest(path, number, alg, hex_text), name, number))
    if any(d.algorithm == _SHA256_OR_SM3 for d in out):
        notes.append("64-digit digests with no algorithm named: matched as SHA-256, else SM3 "
                     "(give --kind sha256sum or sm3sum to fix one)")
    return out, notes


def _hashdeep(path: Path, text: str) -> list[ListedDigest]:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("%%%% HASHDEEP-1.0"):
        raise AttestationError(path, "not a hashdeep file: the first line must be "
                                     "'%%%% HASHDEEP-1.0'", line=1)
    columns: list[str] | None = None
    out = []
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("%%%%"):
            head = line[4:].strip()
            if head.startswith("size") or "filename" in head:
                columns = [c.strip().lower() for c in head.split(",")]
            continue
        if not line.strip() or line.startswith("##"):
            continue
        if columns is None or columns[-1] != "filename":
            raise AttestationError(path, "a digest line before the '%%%% size,...,filename' "
                                         "header", line=number)
        fields = line.split(",", len(columns) - 1)
        if len(fields) != len(columns):
            raise AttestationError(path, f"{len(fields)} fields where the header names "
                                         f"{len(columns)} ({', '.join(columns)})", line=number)
        row = dict(zip(columns, fields, strict=True))
        size = None
        if "size" in row:
            if not row["size"].isdigit():
                raise AttestationError(path, f"size {row['size']!r} is not a number", line=number)
            size = int(row["size"])
        for col in columns:
            if col in ("size", "filename"):
                continue
            alg = _algorithm(col)
            out.append(ListedDigest(alg, _check_digest(path, number, alg, row[col]),
                                    row["filename"], number, size))
    if not out:
        raise AttestationError(path, "a hashdeep file without a single digest")
    return out


def _bag_manifest(path: Path, text: str) -> list[ListedDigest]:
    m = re.fullmatch(r"(?:tag)?manifest-([A-Za-z0-9_-]+)\.txt", path.name)
    if not m:
        raise AttestationError(path, "a BagIt manifest is named manifest-<algorithm>.txt")
    alg = _algorithm(m[1])
    payload_is_tag = path.name.startswith("tag")
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise AttestationError(path, "not '<digest> <path>' (RFC 8493 2.1.3)", line=number)
        name = parts[1].replace("%0A", "\n").replace("%0a", "\n").replace("%0D", "\r") \
            .replace("%0d", "\r").replace("%25", "%")
        steps = name.split("/")
        if name.startswith("/") or "\\" in name or re.match(r"[A-Za-z]:", name) or any(
                x in ("", ".", "..") for x in steps) or (not payload_is_tag and steps[0] != "data"):
            raise AttestationError(path, f"the path {name!r} is outside the bag's payload "
                                         "(RFC 8493 2.1.3: payload paths are under data/, "
                                         "without '..'); not a manifest to rely on", line=number)
        out.append(ListedDigest(alg, _check_digest(path, number, alg, parts[0]), name, number,
                                source=path.name))
    return out


def _bag_info(path: Path) -> dict[str, str]:
    """``bag-info.txt`` labels (RFC 8493 2.2.2; continuation lines start with whitespace)."""
    info: dict[str, str] = {}
    if not path.is_file():
        return info
    text, _ = _decode(path, _read_bytes(path))
    label = None
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1] in (" ", "\t") and label is not None:
            info[label] += " " + line.strip()
            continue
        if not line.strip():
            continue
        if ":" not in line:
            raise AttestationError(path, "not 'Label: value' (RFC 8493 2.2.2)", line=number)
        label, value = (s.strip() for s in line.split(":", 1))
        info.setdefault(label, value)
    return info


class _DuplicateKey(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _no_duplicates(pairs: list[tuple[str, object]]) -> dict[str, object]:
    """A JSON object whose keys are all different (JSON allows repeats; a certificate not)."""
    out: dict[str, object] = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


def _certificate(path: Path, text: str) -> dict[str, object]:
    try:
        doc = (json.loads(text, object_pairs_hook=_no_duplicates)
               if path.suffix.lower() == ".json" else tomllib.loads(text))
    except _DuplicateKey as exc:
        raise AttestationError(path, f"{exc.key!r} given twice: which value the certificate "
                                     "states cannot be told") from None
    except json.JSONDecodeError as exc:
        raise AttestationError(path, f"not JSON: {exc.msg}", line=exc.lineno) from None
    except tomllib.TOMLDecodeError as exc:
        raise AttestationError(path, f"not TOML: {exc}") from None
    if not isinstance(doc, dict):
        raise AttestationError(path, "a certificate is an object with 'issuer' and 'digests'")
    unknown = sorted(set(doc) - _CERT_KEYS)
    if unknown:
        raise AttestationError(path, f"unknown key(s) {', '.join(unknown)}; the form "
                                     f"(docs/formats/attestation.md) has {', '.join(sorted(_CERT_KEYS))}")
    if not isinstance(doc.get("issuer"), str) or not doc["issuer"].strip():
        raise AttestationError(path, "'issuer' (who states it: the notary's office, the "
                                     "platform) is required")
    listed = doc.get("digests")
    if not isinstance(listed, list) or not listed:
        raise AttestationError(path, "'digests' must be a non-empty list of "
                                     "{algorithm, digest, name}")
    for key in ("certificate_number", "issued_at", "event", "transaction_id", "chain", "url",
                "text"):
        value = doc.get(key, "")
        if not isinstance(value, str):
            if key == "issued_at" and hasattr(value, "isoformat"):  # a TOML datetime
                doc[key] = value.isoformat()
                continue
            raise AttestationError(path, f"{key!r} must be text, not {type(value).__name__}")
    height = doc.get("block_height")
    if isinstance(height, str) and height.strip().isdigit() and height.strip().isascii():
        height = doc["block_height"] = int(height.strip())  # platforms' JSON gives it as text
    if height is not None and (not isinstance(height, int) or isinstance(height, bool)
                               or height < 0):
        raise AttestationError(path, "'block_height' must be a whole number")
    return doc


def _certificate_digests(path: Path, doc: Mapping[str, object]) -> list[ListedDigest]:
    out = []
    for n, d in enumerate(doc["digests"], start=1):  # type: ignore[arg-type]
        if not isinstance(d, Mapping) or not {"algorithm", "digest"} <= set(d):
            raise AttestationError(path, f"digests[{n}] needs 'algorithm' and 'digest'")
        extra = sorted(set(d) - _DIGEST_KEYS)
        if extra:
            raise AttestationError(path, f"digests[{n}]: unknown key(s) {', '.join(extra)}")
        alg, hex_text, name = d["algorithm"], d["digest"], d.get("name", "")
        if not isinstance(alg, str) or not alg.strip():
            raise AttestationError(path, f"digests[{n}]: 'algorithm' must be text naming the "
                                         "algorithm (SHA-256, SM3, MD5...)")
        if not isinstance(hex_text, str):
            raise AttestationError(path, f"digests[{n}]: 'digest' must be text (hex digits)")
        if not isinstance(name, str):
            raise AttestationError(path, f"digests[{n}]: 'name' must be text")
        size = d.get("size")
        if size is not None and (not isinstance(size, int) or isinstance(size, bool)
                                 or size < 0):
            raise AttestationError(path, f"digests[{n}]: 'size' must be a whole number of bytes")
        hex_text = re.sub(r"\s+", "", hex_text)  # printed in groups: "63c1 dd95 ..."
        out.append(ListedDigest(_algorithm(alg), _check_digest(path, n, _algorithm(alg),
                                                               hex_text), name, n, size))
    return out


def _guess_kind(path: Path, text: str) -> str:
    if path.suffix.lower() in (".toml", ".json"):
        return "certificate"
    if text.startswith("%%%% HASHDEEP"):
        return "hashdeep"
    if re.fullmatch(r"manifest-[A-Za-z0-9_-]+\.txt", path.name):
        return "bagit"
    for pattern, alg in _NAME_ALGORITHM:
        if pattern.search(path.name):
            return f"{alg}sum"
    return "sum"


def read_attestation(path: Path | str, *, kind: str | None = None, issuer: str = "",
                     issued_at: str = "", event: str = "") -> Attestation:
    """Read an outside hash list or certificate (nothing is matched or written).

    Parameters
    ----------
    path : path
        The file (a bag's folder for ``bagit``).
    kind : str, optional
        One of :data:`KINDS`; guessed when not given: ``.toml``/``.json`` a certificate, a
        ``%%%% HASHDEEP`` header hashdeep, ``manifest-<alg>.txt`` or a folder with
        ``bagit.txt`` a bag, a name such as ``SHA256SUMS`` or ``list.sm3`` that sum list,
        else a sum list whose algorithm a tag or the digests' length tells.
    issuer, issued_at, event : str, optional
        What the file does not say itself (a sum list names no issuer or time): who states
        it, when (as written on the certificate it belongs to), and what happened then (one
        of :data:`EVENTS`).  A certificate's own values win; given both, they must agree.

    Raises
    ------
    AttestationError
        The file cannot be read, a line or key is malformed (the line is named), the kind or
        the event is unknown.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "list.sm3"
    >>> _ = p.write_text("SM3(a.png)= " + "ab" * 32 + "\\n")
    >>> a = read_attestation(p)
    >>> a.kind, [(d.algorithm, d.name) for d in a.digests]
    ('sm3sum', [('sm3', 'a.png')])
    """
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise AttestationError(path, f"unknown kind {kind!r}; one of {', '.join(KINDS)}")
    if event and event not in EVENTS:
        raise AttestationError(path, f"unknown event {event!r}; one of {', '.join(EVENTS)}")
    if path.is_dir():
        if kind not in (None, "bagit") or not (path / "bagit.txt").is_file():
            raise AttestationError(path, "a folder is read only as a BagIt bag (with bagit.txt)")
        return _read_bag(path, issuer=issuer, issued_at=issued_at, event=event)
    data = _read_bytes(path)
    text, encoding = _decode(path, data)
    files = ((str(path), hashlib.sha256(data).hexdigest()),)
    chosen = kind or _guess_kind(path, text)
    notes: list[str] = []
    if encoding != "utf-8":
        notes.append(f"read as {encoding}")
    fields: dict[str, object] = {}
    if chosen == "certificate":
        doc = _certificate(path, text)
        listed = _certificate_digests(path, doc)
        for key, given in (("issuer", issuer), ("issued_at", issued_at), ("event", event)):
            stated = str(doc.get(key) or "")
            if given and stated and given != stated:
                raise AttestationError(path, f"the certificate says {key} {stated!r}, the "
                                             f"option {given!r}: leave the option out")
        fields = {k: doc[k] for k in _CERT_KEYS - {"digests"} if k in doc}
        if fields.get("event") and fields["event"] not in EVENTS:
            raise AttestationError(path, f"unknown event {fields['event']!r}; one of "
                                         f"{', '.join(EVENTS)}")
    elif chosen == "hashdeep":
        listed = _hashdeep(path, text)
    elif chosen == "bagit":
        listed = _bag_manifest(path, text)
    else:
        algorithm = _KIND_ALGORITHM.get(chosen)
        listed, more = _sum_list(path, text, algorithm)
        notes.extend(more)
        if chosen == "sum":
            algs = {d.algorithm for d in listed}
            chosen = (f"{next(iter(algs))}sum" if len(algs) == 1 and _SHA256_OR_SM3 not in algs
                      else "sha256sum" if algs == {_SHA256_OR_SM3} else "sum")
            if chosen == "sum":
                chosen = "sha256sum"
    if not listed:
        raise AttestationError(path, "no digest listed")
    return Attestation(
        kind=chosen, files=files, encoding=encoding, digests=tuple(listed),
        issuer=str(fields.get("issuer") or issuer), issued_at=str(fields.get("issued_at")
                                                                  or issued_at),
        event=str(fields.get("event") or event or ("notarized" if chosen == "certificate"
                                                    and not fields.get("chain") else
                                                    "deposited" if fields.get("chain")
                                                    else "attested")),
        certificate_number=str(fields.get("certificate_number") or ""),
        transaction_id=str(fields.get("transaction_id") or ""),
        block_height=fields.get("block_height"),  # type: ignore[arg-type]
        chain=str(fields.get("chain") or ""), url=str(fields.get("url") or ""),
        text=str(fields.get("text") or ""), notes=tuple(notes))


def _read_bag(folder: Path, *, issuer: str, issued_at: str, event: str) -> Attestation:
    manifests = sorted(folder.glob("manifest-*.txt"))
    if not manifests:
        raise AttestationError(folder, "a bag without a payload manifest (manifest-<alg>.txt)")
    listed: list[ListedDigest] = []
    files = []
    encodings = set()
    for m in manifests:
        data = _read_bytes(m)
        text, encoding = _decode(m, data)
        encodings.add(encoding)
        listed.extend(_bag_manifest(m, text))
        files.append((str(m), hashlib.sha256(data).hexdigest()))
    info_path = folder / "bag-info.txt"
    info = _bag_info(info_path)
    if info_path.is_file():
        files.append((str(info_path), hashlib.sha256(_read_bytes(info_path)).hexdigest()))
    return Attestation(
        kind="bagit", files=tuple(files), encoding=", ".join(sorted(encodings)),
        digests=tuple(listed), issuer=issuer or info.get("Source-Organization", ""),
        issued_at=issued_at or info.get("Bagging-Date", ""), event=event or "attested",
        certificate_number=info.get("External-Identifier", ""),
        text=info.get("External-Description", ""))


# --- matching ----------------------------------------------------------------------------------------

def _computed(case: Case, items: Sequence[Item], algorithm: str,
              statement: str) -> dict[str, str]:
    """Digest (in an algorithm the log does not hold) -> evidence number, read from the store.

    A stored original that cannot be read stops the import (before anything is written)."""
    from forensics.durable import open_readonly

    out = {}
    for it in items:
        h = _digests.new(algorithm)
        try:
            fd = open_readonly(case.root / it.stored_as)
            with os.fdopen(fd, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    h.update(block)
        except OSError as exc:
            raise AttestationError(statement, f"the {algorithm} of {it.evidence_id} cannot be "
                                              f"computed: its stored original {it.stored_as} "
                                              f"cannot be read ({exc.strerror or exc}); run "
                                              "`forensics verify CASE`. Nothing was recorded"
                                   ) from None
        out.setdefault(h.hexdigest(), it.evidence_id)
    return out


def _base(name: str) -> str:
    """The last part of a listed or held name, for telling which file a digest was about:
    ``C:\\证据\\a.png`` -> ``a.png``; blanks around it (typed lists) do not count."""
    return name.replace("\\", "/").rsplit("/", 1)[-1].strip().casefold()


def _match_all(case: Case, attestation: Attestation) -> tuple[list[Match], list[str]]:
    """Every listed digest against the case, and notes (names of the statement itself)."""
    items = list(case.items)
    held = {alg: {} for alg in _HELD}
    for it in items:
        for alg in _HELD:
            held[alg].setdefault(getattr(it.digests, alg), it.evidence_id)
    own = {sha for _, sha in attestation.files}
    own_names = {_base(p) for p, _ in attestation.files}
    by_name: dict[str, list[Item]] = {}
    for it in items:
        if it.digests.sha256 in own:  # the statement itself cannot list its own digest
            continue
        names = {it.name} | {s.source_path for s in it.sightings if s.source_path}
        for n in {_base(x) for x in names}:
            by_name.setdefault(n, []).append(it)
    out = []
    notes = []
    for d in attestation.digests:
        if not _computable(d.algorithm):
            out.append(Match(d, "unknown-algorithm", d.algorithm))
            continue
        tried = ("sha256", "sm3") if d.algorithm == _SHA256_OR_SM3 else (d.algorithm,)
        found = None
        for alg in tried:
            if alg not in held:
                held[alg] = _computed(case, items, alg, attestation.files[0][0])
            if d.digest in held[alg]:
                found = Match(d, "matched", alg, held[alg][d.digest])
                break
        if found is None:
            base = _base(d.name)
            named = by_name.get(base) if base else None
            if base and base in own_names:
                notes.append(f"line {d.line} names the statement itself ({_shown(d.name)}), "
                             "which cannot list its own digest: not compared by name")
            elif named:
                alg = tried[0]
                it = named[0]
                value = (getattr(it.digests, alg) if alg in _HELD else
                         next(k for k, v in held[alg].items() if v == it.evidence_id))
                found = Match(d, "mismatched", alg, it.evidence_id, value)
            if found is None:
                found = Match(d, "missing", tried[0])
        out.append(found)
    return out, notes


# --- importing -------------------------------------------------------------------------------------

def _document_items(case: Case, attestation: Attestation, progress: bool | None) -> list[Item]:
    """The items holding the statement: those already in the case, else brought in now."""
    from forensics.intake import IntakeFacts

    have = {it.digests.sha256: it for it in case.items}
    new = [path for path, sha in attestation.files if sha not in have]
    if new:  # one intake for all the statement's files
        facts = IntakeFacts(category="other", captured_by=attestation.issuer,
                            method=f"outside attestation ({attestation.kind})",
                            note="the statement read by forensics attest import")
        report = case.add(new, facts=facts, progress=progress)
        have.update({a.sha256: case.item(a.evidence_id) for a in report.added})
        lost = [path for path, sha in attestation.files if sha not in have]
        if lost:
            reasons = "; ".join(f"{s.path}: {s.reason}" for s in (*report.failed,
                                                                 *report.skipped))
            added = ", ".join(f"{a.evidence_id} ({a.source_path})" for a in report.added)
            why = f"; {reasons}" if reasons else ""
            raise AttestationError(lost[0], "could not be brought into the case as it was read "
                                            f"(changed while being imported?{why}); nothing "
                                            "was recorded as an attestation"
                                            + (f"; brought in: {added}" if added else ""))
    return [have[sha] for _, sha in attestation.files]


def _events(case: Case, attestation: Attestation, documents: Sequence[Item],
            matches: Sequence[Match]) -> list[dict[str, object]]:
    """Timeline rows at the statement's time: every matched item and the statement itself."""
    if not attestation.issued_at:
        return []
    from forensics.records import Event, Origin
    from forensics.timestamps import parse_time

    try:
        when = parse_time(attestation.issued_at, zone=case.metadata.timezone,
                          source=f"attest:{attestation.kind}")
    except ValueError as exc:
        raise AttestationError(attestation.files[0][0], f"the time {attestation.issued_at!r} "
                                                        f"cannot be read ({exc})") from None
    description, _ = EVENTS[attestation.event]
    text = " ".join(x for x in (attestation.certificate_number, attestation.transaction_id and
                                f"tx {attestation.transaction_id}",
                                attestation.block_height is not None and
                                f"block {attestation.block_height}", attestation.chain) if x)
    rows = []
    seen = set()
    targets = [(case.item(m.evidence_id), description) for m in matches
               if m.status == "matched" and m.evidence_id]
    targets += [(it, "Attestation issued (as it states)") for it in documents]
    for it, what in targets:
        if (it.evidence_id, what) in seen:
            continue
        seen.add((it.evidence_id, what))
        origin = Origin(it.evidence_id, it.digests.sha256, "attest", "1")
        rows.append(Event(origin, f"attest:{attestation.event}", what, when,
                          actor=attestation.issuer, text=text, url=attestation.url).to_row())
    return rows


def import_attestation(case: Case, path: Path | str, *, kind: str | None = None,
                       issuer: str = "", issued_at: str = "", event: str = "",
                       progress: bool | None = None) -> AttestReport:
    """Read an outside statement, match it against ``case`` and record it (module docstring).

    The statement's file(s) become items of the case (category ``other``) unless they
    already are; one ``attest`` entry then records what the statement says, every listed
    digest with its status, and the timeline events at the statement's time.  Nothing else
    changes: a mismatched digest is a finding (:func:`forensics.findings.find`), not a change
    to any item.

    Parameters are those of :func:`read_attestation`; raises what it raises, and
    :class:`~forensics.errors.AttestationError` when the time cannot be read (before anything
    is written).
    """
    from forensics.custody import Action, EntryDraft

    attestation = read_attestation(path, kind=kind, issuer=issuer, issued_at=issued_at,
                                   event=event)
    if attestation.issued_at:  # a time that does not read fails before anything is written
        _events(case, attestation, [], [])
    # matched before the statement is brought in: a stored original that cannot be read fails
    # here, before anything is written (the statement never lists its own digest)
    matches, notes = _match_all(case, attestation)
    if notes:
        attestation = replace(attestation, notes=(*attestation.notes, *notes))
    documents = _document_items(case, attestation, progress)
    counts = {s: sum(1 for m in matches if m.status == s) for s in STATUSES}
    events = _events(case, attestation, documents, matches)
    refs = {it.evidence_id: it.ref for it in documents}
    for m in matches:
        if m.evidence_id and m.evidence_id not in refs:
            refs[m.evidence_id] = case.item(m.evidence_id).ref
    details = {
        "what": "outside attestation read and matched against the case by digest",
        "attestation": attestation.to_json(),
        "documents": [it.evidence_id for it in documents],
        "counts": counts,
        "results": [m.to_json() for m in matches],
        "events": events,
    }
    (entry,) = case.record([EntryDraft(Action.ATTEST, evidence=tuple(refs.values()),
                                       details=details)])
    return AttestReport(attestation, tuple(it.evidence_id for it in documents), tuple(matches),
                        entry.seq, len(events), counts)


def attestation_results(case: Case) -> list[tuple[int, tuple[str, ...], Mapping[str, object],
                                                  Mapping[str, object]]]:
    """Every listed digest of every ``attest`` entry: ``(seq, document ids, attestation,
    result)``, in log order (for :func:`forensics.findings.find` and reports)."""
    out = []
    for e in case.attestations:
        att = e.details.get("attestation") or {}
        docs = tuple(str(x) for x in (e.details.get("documents") or ()))
        for r in e.details.get("results") or ():
            if isinstance(r, Mapping):
                out.append((e.seq, docs, att, r))
    return out

