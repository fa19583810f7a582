"""The hash-chained custody log (``custody.jsonl``).

Every operation that touches a case appends one entry to an append-only JSON Lines file at the
case folder's root.  The format, exactly:

* each line is the RFC 8785 (JSON Canonicalization Scheme) serialization of one entry object,
  followed by ``\\n``; nothing else is ever written to the file;
* an entry has the members ``seq`` (1, 2, 3, ... with no gaps), ``time`` (UTC, ISO 8601 with
  microseconds and a ``Z``), ``actor``, ``host``, ``tool``, ``tool_version``, ``action``,
  ``evidence`` (a list of ``{"id", "size", "sha256", "sm3", "md5"}`` objects, possibly empty),
  ``details`` (an object), ``prev_sha256`` and ``entry_sha256``;
* ``entry_sha256`` is the SHA-256 (lowercase hex) of the RFC 8785 form of the entry *without* its
  ``entry_sha256`` member; ``prev_sha256`` is the previous entry's ``entry_sha256``, and 64 zeros
  for entry 1.

Because a line is canonical, removing the bytes ``,"entry_sha256":"<64 hex>"`` from it gives the
very bytes that were hashed; verification uses that to check a million entries a second without
parsing JSON (:func:`check_chain`).

Appends take a lock file beside the log (two processes give one linear chain), write all entries
of a batch with one ``write``, and ``fsync`` before returning: an entry is acknowledged only once
it is durable.  A writer interrupted mid-line leaves a *torn* last line; the next writer moves it to
``recovered/`` and records a ``recover`` entry (it was never acknowledged, so nothing is lost).

Examples
--------
>>> import tempfile, pathlib
>>> log = CustodyLog(pathlib.Path(tempfile.mkdtemp()) / "custody.jsonl", actor="examiner")
>>> e1, e2 = log.append([EntryDraft("init"), EntryDraft("note", details={"text": "证据保全"})])
>>> e2.seq, e2.prev_sha256 == e1.entry_sha256
(2, True)
>>> check_chain(log.path).problems
()
"""

from __future__ import annotations

import binascii
import bisect
import getpass
import hashlib
import json
import mmap
import os
import re
import socket
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from itertools import pairwise
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

import filelock
import rfc8785

from forensics import __version__
from forensics.durable import fsync_dir, is_disk_full, write_all
from forensics.errors import CustodyLogDamaged, InputError, StorageError
from forensics.problems import (
    DamagedTail,
    DeletedEntries,
    EditedEntry,
    InsertedEntry,
    PrevMismatch,
    Problem,
    ReorderedEntries,
    TornTail,
    UnparseableLine,
)

if TYPE_CHECKING:  # pragma: no cover
    from multiprocessing.connection import Connection

__all__ = [
    "GENESIS",
    "LOG_FILE",
    "Action",
    "ChainCheck",
    "CustodyLog",
    "Entry",
    "EntryDraft",
    "EvidenceRef",
    "Head",
    "canonical_json",
    "check_chain",
    "entry_digest",
]

LOG_FILE = "custody.jsonl"
GENESIS = "0" * 64
LOCK_TIMEOUT_SECONDS = 120.0
RECOVERED_DIR = "recovered"
TOOL_NAME = "forensics"

_HASH_MARK = b',"entry_sha256":"'
_PREV_MARK = b'"prev_sha256":"'
_SEQ_MARK = b'"seq":'

JSONValue = None | bool | int | float | str | list["JSONValue"] | Mapping[str, "JSONValue"]


class Action(StrEnum):
    """The kinds of custody event.  Others may be added; existing names never change."""

    INIT = "init"
    ACQUIRE = "acquire"
    SEEN_AGAIN = "seen-again"
    VERIFY = "verify"
    BACKUP = "backup"
    ANCHOR = "anchor"
    EXPORT = "export"
    NOTE = "note"
    RECOVER = "recover"
    METADATA = "metadata"
    PARSE = "parse"
    FACTS = "facts"
    #: The pseudonym mapping of third parties was extended (forensics.pseudonyms).
    PSEUDONYMS = "pseudonyms"
    #: An outside hash list or certificate (notary, evidence platform, blockchain) was read
    #: and matched against the case (forensics.attest).
    ATTEST = "attest"
    #: An RFC 3161 timestamp was requested for, or a token imported and checked against, the
    #: custody head or an item (forensics.tsp).
    TIMESTAMP = "timestamp"
    #: A platform notice under 民法典 art. 1195 was written, sent, or answered
    #: (forensics.notice).
    NOTICE = "notice"
    #: Screenshots and recordings were read by OCR; the readings are derived files named by
    #: digest (forensics.ocr).
    OCR = "ocr"
    #: What each screenshot and recording shows (content, publisher, publish time, URL), with
    #: the key phrases looked for (forensics.screens).
    SCREENS = "screens"
    #: Derived data was kept in the case for reuse, named by what it was made from: the parsed
    #: tables as Parquet (forensics.artifacts), figures as PNG (forensics.figures); the SHA-256
    #: of each file.  Like ``export`` entries, these change nothing an appendix states.
    DERIVED = "derived"

#: Actions whose entries may carry ``details["events"]``: time events the entry states, each an
#: :meth:`forensics.records.Event.to_row` mapping, shown in the case's timeline (a notarization,
#: a deposit on chain, a trusted timestamp's genTime, a platform notice sent or answered).
EVENT_ACTIONS = frozenset({Action.ATTEST, Action.TIMESTAMP, Action.NOTICE})


@dataclass(frozen=True, slots=True)
class EvidenceRef:
    """An evidence item named by an entry: its number and all three digests."""

    evidence_id: str
    size: int
    sha256: str
    sm3: str
    md5: str

    def to_json(self) -> dict[str, JSONValue]:
        return {
            "id": self.evidence_id, "size": self.size, "sha256": self.sha256,
            "sm3": self.sm3, "md5": self.md5,
        }

    @classmethod
    def from_json(cls, obj: Mapping[str, JSONValue]) -> EvidenceRef:
        """Read one element of an entry's ``evidence``; ``ValueError`` if it is malformed."""
        if not isinstance(obj, Mapping):
            raise ValueError("an 'evidence' element is not an object")
        return cls(
            evidence_id=_str(obj, "id"), size=_int(obj, "size"),
            sha256=_hexstr(obj, "sha256"), sm3=_hexstr(obj, "sm3"), md5=_hexstr(obj, "md5", 32),
        )


def _freeze(value: JSONValue) -> JSONValue:
    t = type(value)
    if t is str or t is int or t is bool or value is None:  # most values: decide fast
        return value
    if t is dict or isinstance(value, Mapping):
        return MappingProxyType({str(k): _freeze(v) for k, v in value.items()})  # type: ignore[union-attr]
    if t is list or t is tuple:
        return tuple(_freeze(v) for v in value)  # type: ignore[union-attr,return-value]
    return value


_SAFE_INT = 2**53 - 1


def _plain_json_is_canonical(value: JSONValue) -> bool:
    r"""True when ``json.dumps`` (sorted keys, compact, UTF-8) writes ``value`` as RFC 8785 does.

    That holds when there are no floats (JCS formats numbers as ECMAScript does), every integer is
    within I-JSON's safe range, and no key has a character outside the Basic Multilingual Plane
    (JCS sorts keys by UTF-16 code units, Python by code points; they agree on the BMP).  String
    *values* are escaped identically (``\"``, ``\\``, ``\b\f\n\r\t``, ``\u00xx``).
    """
    stack = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    while stack:
        v = pop()
        t = type(v)  # exact types first: this runs for every entry written
        if t is str or t is bool or v is None:
            continue
        if t is int:
            if -_SAFE_INT <= v <= _SAFE_INT:  # type: ignore[operator]
                continue
            return False
        if t is dict or t is MappingProxyType or isinstance(v, Mapping):
            for k, x in v.items():  # type: ignore[union-attr]
                if not k.isascii() and any(ord(c) > 0xFFFF for c in k):
                    return False
                push(x)
        elif t is list or t is tuple:
            extend(v)  # type: ignore[arg-type]
        else:
            return False  # floats, subclasses, anything else: rfc8785 decides
    return True


def _jsonable(o: object) -> object:
    if isinstance(o, Mapping):
        return dict(o)
    raise TypeError(f"not JSON-serializable: {type(o).__name__}")


_DUMPS = json.JSONEncoder(
    sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False, default=_jsonable
).encode


def canonical_json(value: JSONValue) -> bytes:
    r"""The RFC 8785 (JCS) serialization of ``value``, UTF-8.

    Uses the standard library's encoder where its output is provably the same (see
    :func:`_plain_json_is_canonical`; five times faster) and the ``rfc8785`` package otherwise.

    >>> canonical_json({"b": [1, "中\u001f"], "a": None})
    b'{"a":null,"b":[1,"\xe4\xb8\xad\\u001f"]}'
    >>> canonical_json({"x": 1.5}) == rfc8785.dumps({"x": 1.5})
    True
    """
    if _plain_json_is_canonical(value):
        try:
            return _DUMPS(value).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: rfc8785 refuses it with a clear error
    return rfc8785.dumps(_thaw(value))


def _with_hash(body: bytes, digest: str) -> bytes:
    """Insert ``entry_sha256`` into a canonical entry body (the inverse of :func:`split_line`).

    The member sorts between ``details`` and ``evidence``; the top-level ``evidence`` is the last
    occurrence of its marker because nothing after it holds objects with such a key.
    """
    k = body.rfind(b',"evidence":[')
    return body[:k] + _HASH_MARK + digest.encode("ascii") + b'"' + body[k:]


def _thaw(value: JSONValue) -> JSONValue:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True, slots=True)
class EntryDraft:
    """What a caller asks to record; the log adds sequence, time, actor and the chain."""

    action: str
    evidence: tuple[EvidenceRef, ...] = ()
    details: Mapping[str, JSONValue] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        object.__setattr__(self, "action", str(self.action))
        object.__setattr__(self, "evidence", tuple(self.evidence))
        object.__setattr__(self, "details", _freeze(dict(self.details)))


@dataclass(frozen=True, slots=True)
class Entry:
    """One custody entry as recorded (see the module docstring for the exact format)."""

    seq: int
    time: datetime
    actor: str
    host: str
    tool: str
    tool_version: str
    action: str
    evidence: tuple[EvidenceRef, ...]
    details: Mapping[str, JSONValue]
    prev_sha256: str
    entry_sha256: str

    def __post_init__(self) -> None:
        if self.time.tzinfo is None:
            raise ValueError("custody entry time must be timezone-aware")

    def to_json(self, *, with_hash: bool = True) -> dict[str, JSONValue]:
        obj: dict[str, JSONValue] = {
            "seq": self.seq,
            "time": _format_time(self.time),
            "actor": self.actor,
            "host": self.host,
            "tool": self.tool,
            "tool_version": self.tool_version,
            "action": self.action,
            "evidence": [e.to_json() for e in self.evidence],
            "details": _thaw(self.details),
            "prev_sha256": self.prev_sha256,
        }
        if with_hash:
            obj["entry_sha256"] = self.entry_sha256
        return obj

    def line(self) -> bytes:
        """The exact bytes of this entry's line in the log (without the newline)."""
        return canonical_json(self.to_json())

    @property
    def evidence_ids(self) -> tuple[str, ...]:
        return tuple(e.evidence_id for e in self.evidence)

    @classmethod
    def from_json(cls, obj: Mapping[str, JSONValue]) -> Entry:
        """Build an entry from its parsed JSON form; raises ``ValueError`` if malformed."""
        if not isinstance(obj, Mapping):
            raise ValueError("not a JSON object")
        ev = obj.get("evidence")
        if not isinstance(ev, list):
            raise ValueError("'evidence' is not a list")
        details = obj.get("details")
        if not isinstance(details, Mapping):
            raise ValueError("'details' is not an object")
        return cls(
            seq=_int(obj, "seq"),
            time=_parse_time(_str(obj, "time")),
            actor=_str(obj, "actor"),
            host=_str(obj, "host"),
            tool=_str(obj, "tool"),
            tool_version=_str(obj, "tool_version"),
            action=_str(obj, "action"),
            evidence=tuple(EvidenceRef.from_json(e) for e in ev),
            details=_freeze(details),  # type: ignore[arg-type]
            prev_sha256=_hexstr(obj, "prev_sha256"),
            entry_sha256=_hexstr(obj, "entry_sha256"),
        )

    @classmethod
    def parse_line(cls, line: bytes) -> Entry:
        """Parse one log line (without newline); raises ``ValueError`` naming what is wrong."""
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(f"not UTF-8 ({exc.reason} at byte {exc.start})") from None
        try:
            obj = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg} at column {exc.colno})") from None
        except RecursionError:
            raise ValueError("not an entry (nested too deeply)") from None
        if "\\u" in text:  # canonical lines escape only control characters
            _check_text(obj)
        try:
            return cls.from_json(obj)
        except RecursionError:
            raise ValueError("not an entry (nested too deeply)") from None

    def _repr_html_(self) -> str:
        from html import escape

        ev = ", ".join(self.evidence_ids) or "—"
        return (
            f"<table><tr><th>seq</th><td>{self.seq}</td></tr>"
            f"<tr><th>time (UTC)</th><td>{escape(_format_time(self.time))}</td></tr>"
            f"<tr><th>action</th><td>{escape(self.action)}</td></tr>"
            f"<tr><th>actor</th><td>{escape(self.actor)}@{escape(self.host)}</td></tr>"
            f"<tr><th>evidence</th><td>{escape(ev)}</td></tr>"
            f"<tr><th>entry_sha256</th><td><code>{self.entry_sha256}</code></td></tr></table>"
        )


@dataclass(frozen=True, slots=True)
class Head:
    """The last entry of the log: its sequence number and digest."""

    seq: int
    entry_sha256: str

    def __str__(self) -> str:
        return f"entry {self.seq} sha256:{self.entry_sha256}"


def entry_digest(obj_without_hash: Mapping[str, JSONValue]) -> str:
    """SHA-256 of the RFC 8785 form of an entry object that lacks ``entry_sha256``.

    Examples
    --------
    >>> entry_digest({"seq": 1, "action": "init"}) == hashlib.sha256(
    ...     b'{"action":"init","seq":1}').hexdigest()
    True
    """
    return hashlib.sha256(canonical_json(obj_without_hash)).hexdigest()


def _format_time(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _parse_time(s: str) -> datetime:
    try:
        t = datetime.fromisoformat(s)
        if t.tzinfo is None:
            raise ValueError(f"time {s!r} has no zone")
        return t.astimezone(UTC)
    except OverflowError:
        raise ValueError(f"time {s!r} is out of range") from None


def _str(obj: Mapping[str, JSONValue], key: str) -> str:
    v = obj.get(key)
    if not isinstance(v, str):
        raise ValueError(f"{key!r} missing or not a string")
    return v


def _int(obj: Mapping[str, JSONValue], key: str) -> int:
    v = obj.get(key)
    if not isinstance(v, int) or isinstance(v, bool):
        raise ValueError(f"{key!r} missing or not an integer")
    if not 0 <= v <= _SAFE_INT:
        raise ValueError(f"{key!r} out of range (0 to 2**53-1)")
    return v


_HEX_RE = {64: re.compile(r"[0-9a-f]{64}").fullmatch, 32: re.compile(r"[0-9a-f]{32}").fullmatch}


def _hexstr(obj: Mapping[str, JSONValue], key: str, length: int = 64) -> str:
    v = obj.get(key)
    if type(v) is not str or not _HEX_RE[length](v):
        raise ValueError(f"{key!r} is not {length} lowercase hex digits")
    return v


def _check_text(value: JSONValue) -> None:
    """Refuse strings that cannot be written as UTF-8 (lone surrogates from ``\\ud800``)."""
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            try:
                v.encode("utf-8")
            except UnicodeEncodeError:
                raise ValueError("a string holds a lone surrogate (\\ud800-\\udfff)") from None
        elif isinstance(v, Mapping):
            stack.extend(v.keys())
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)


def split_line(line: bytes) -> tuple[bytes, bytes] | None:
    """Split a canonical line into (hashed body, recorded ``entry_sha256``), or None.

    ``entry_sha256`` sorts after ``details`` and before ``evidence``; the members after it hold
    no nested objects with such a key, so the *last* occurrence of the marker is the top-level one.
    """
    i = line.rfind(_HASH_MARK)
    if i < 0:
        return None
    j = i + len(_HASH_MARK)
    recorded = line[j : j + 64]
    if line[j + 64 : j + 65] != b'"':
        return None
    return line[:i] + line[j + 65 :], recorded


def _prev_and_seq(line: bytes) -> tuple[bytes, int] | None:
    i = line.rfind(_PREV_MARK)
    if i < 0:
        return None
    j = i + len(_PREV_MARK)
    prev = line[j : j + 64]
    k = line.find(_SEQ_MARK, j)
    if k < 0:
        return None
    k += len(_SEQ_MARK)
    end = line.find(b",", k)
    try:
        return prev, int(line[k:end])
    except ValueError:
        return None


# --- reading ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Line:
    number: int  # 1-based line number in the file
    seq: int | None
    prev: str | None
    recorded: str | None
    computed: str | None
    error: str | None


def _scan_line(number: int, line: bytes) -> _Line:
    parts = split_line(line)
    ps = _prev_and_seq(line)
    if parts is None or ps is None:
        try:
            Entry.parse_line(line)
        except ValueError as exc:
            return _Line(number, None, None, None, None, str(exc))
        return _Line(number, None, None, None, None, "not in canonical form")
    body, recorded = parts
    computed = hashlib.sha256(body).hexdigest()
    try:
        rec = recorded.decode("ascii")
        prev = ps[0].decode("ascii")
    except UnicodeDecodeError:
        return _Line(number, None, None, None, None, "digest fields are not hex")
    # Bytes that are not an entry are reported as such, whether or not their digest matches.
    try:
        entry = Entry.parse_line(line)
    except ValueError as exc:
        return _Line(number, ps[1], prev, rec, computed, str(exc))
    try:
        canonical = entry.line()
    except (ValueError, RecursionError) as exc:  # numbers RFC 8785 cannot write, say
        return _Line(number, ps[1], prev, rec, computed, f"not writable as RFC 8785: {exc}")
    if computed == rec and canonical != line:
        # The digest covers the bytes, but no writer produces these bytes: members moved,
        # added or spelled differently from RFC 8785.
        return _Line(number, ps[1], prev, rec, computed, "not in RFC 8785 canonical form")
    return _Line(number, ps[1], prev, rec, computed, None)


@dataclass(frozen=True, slots=True)
class ChainCheck:
    """Result of walking the chain: the problems, how many entries, and the head."""

    problems: tuple[Problem, ...]
    entries: int
    head: Head | None
    torn_tail: bool

    @property
    def passed(self) -> bool:
        return not self.problems


#: Logs larger than this are walked by several processes at once (see :func:`_fast_walk`) ...
_PARALLEL_MIN_BYTES = 50 << 20
#: ... at most this many (fewer when fewer CPUs are available to this process).
_WALK_PROCESSES = 2


def _walk_lines(data: bytes, start: int, end: int, prev: bytes, seq: int) -> tuple[int, bytes] | None:
    """Check the lines of ``data[start:end]`` (which ends with a newline) continue a chain.

    ``prev`` and ``seq`` are the digest and number of the entry before ``start``.  Returns the
    last entry's number and digest, or None at the first irregularity.  Works on offsets into
    ``data`` (no line is copied) and hashes through memoryview slices.
    """
    view = memoryview(data)
    find, rfind = data.find, data.rfind
    sha = hashlib.sha256
    hexlify = binascii.b2a_hex
    hash_mark, prev_mark = _HASH_MARK, _PREV_MARK
    s = start
    while s < end:
        e = find(b"\n", s, end)
        j = rfind(prev_mark, s, e)  # the last one is the top-level member
        i = rfind(hash_mark, s, e)  # likewise (see split_line)
        if i < 0 or j < 0:
            return None
        if data[i + 82 : i + 95] != b',"evidence":[':
            return None  # entry_sha256 is not where RFC 8785 puts it: let the slow walk say
        h = sha(view[s:i])
        h.update(view[i + 82 : e])
        recorded = data[i + 17 : i + 81]
        # 64 lowercase hex digits cannot hold the newline, so i + 81 < e when they match.
        if hexlify(h.digest()) != recorded or data[i + 81] != 34:  # 34: '"'
            return None
        seq += 1
        link = b'%s","seq":%d,' % (prev, seq)
        if data[j + 15 : j + 15 + len(link)] != link:
            return None
        prev = recorded
        s = e + 1
    return seq, prev


def _walk_tail(data: bytes, start: int, end: int) -> tuple[bytes, int, int, bytes] | None:
    """Walk ``data[start:end]`` taking its first line's ``prev_sha256`` and ``seq`` as given.

    Returns that first ``prev`` and ``seq - 1``, and the last entry's number and digest: the
    caller checks the first two against the walk of the chunk before.
    """
    e = data.find(b"\n", start, end)
    j = data.rfind(_PREV_MARK, start, e)
    if j < 0:
        return None
    comma = data.find(b",", j + 87, e)
    digits = data[j + 87 : comma] if comma >= 0 else b""
    if not digits.isdigit():
        return None
    prev, seq = data[j + 15 : j + 79], int(digits) - 1
    walked = _walk_lines(data, start, end, prev, seq)
    return None if walked is None else (prev, seq, *walked)


def _walk_child(data: bytes, start: int, end: int, conn: Connection) -> None:
    try:
        conn.send(_walk_tail(data, start, end))
    finally:
        conn.close()


def _walk_processes(size: int) -> int:
    """How many processes to walk a log of ``size`` bytes with (1: in this one only)."""
    if size <= _PARALLEL_MIN_BYTES or sys.platform == "darwin":
        return 1
    import multiprocessing
    import threading

    if (
        "fork" not in multiprocessing.get_all_start_methods()
        or threading.active_count() > 1  # forking threads can deadlock the child
        or multiprocessing.current_process().daemon  # daemons may not have children
    ):
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:
        cpus = os.cpu_count() or 1
    return max(1, min(_WALK_PROCESSES, cpus))


def _fast_walk(data: bytes) -> tuple[int, Head | None] | None:
    """Walk a well-formed chain quickly; return None at the first irregularity.

    Each line is checked against its own ``entry_sha256`` (the digest of the line without that
    member), links to the line before (``prev_sha256``) and carries the next number (``seq``),
    written right after ``prev_sha256`` as canonical JSON puts it.  Large logs are cut at line
    boundaries into one chunk per process: child processes (forked, so ``data`` is shared, not
    copied) walk the later chunks from whatever their first line claims, this process walks the
    first, and the chunks are joined where the first line of one must continue the last of the
    one before.  Anything unusual, including a failure of the child processes, gives None or a
    walk in this process alone, never a wrong "passed".

    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "custody.jsonl"
    >>> _ = CustodyLog(p, actor="x").append([EntryDraft("init"), EntryDraft("note")])
    >>> n, head = _fast_walk(p.read_bytes())
    >>> n, head.seq
    (2, 2)
    >>> _fast_walk(p.read_bytes().replace(b'"seq":2', b'"seq":3')) is None
    True
    """
    if not data:
        return 0, None
    if data[-1] != 10:  # 10: newline
        return None  # torn or damaged tail: let the slow walk describe it
    size = len(data)
    processes = _walk_processes(size)
    cuts = [0]
    for k in range(1, processes):
        cut = data.find(b"\n", k * size // processes) + 1
        if cuts[-1] < cut < size:
            cuts.append(cut)
    cuts.append(size)
    if len(cuts) == 2:
        walked = _walk_lines(data, 0, size, GENESIS.encode(), 0)
        return None if walked is None else (walked[0], Head(walked[0], walked[1].decode()))

    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    children = []
    try:
        for a, b in pairwise(cuts[1:]):
            receive, send = ctx.Pipe(duplex=False)
            child = ctx.Process(target=_walk_child, args=(data, a, b, send), daemon=True)
            child.start()
            send.close()
            children.append((child, receive))
        walked = _walk_lines(data, 0, cuts[1], GENESIS.encode(), 0)
        parts = [child_end.recv() for _, child_end in children]
    except (OSError, EOFError):
        walked, parts = _walk_lines(data, 0, size, GENESIS.encode(), 0), []
    finally:
        for child, child_end in children:
            child.join()
            child_end.close()
    if walked is None:
        return None
    seq, prev = walked
    for part in parts:
        if part is None or part[0] != prev or part[1] != seq:
            return None
        seq, prev = part[2], part[3]
    return seq, Head(seq, prev.decode())


def check_chain(path: Path | str) -> ChainCheck:
    """Walk the hash chain of the log at ``path`` and name every problem found.

    Finds edited entries (content no longer matches ``entry_sha256``), broken links (``prev``
    mismatch), deleted, inserted and reordered entries, lines that do not parse (by line number),
    a torn last line (an interrupted write, not yet recovered) and a damaged one.  A cut-off tail
    can only be seen against an anchor (see :mod:`forensics.integrity`).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "custody.jsonl"
    >>> _ = CustodyLog(p, actor="x").append([EntryDraft("init"), EntryDraft("note")])
    >>> lines = p.read_bytes().splitlines(keepends=True)
    >>> _ = p.write_bytes(lines[1] + lines[0])
    >>> [str(x)[:48] for x in check_chain(p).problems]
    ['entry 1 (line 2): reordered: expected at line 1 ']
    """
    with open(path, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        if size == 0:
            return ChainCheck((), 0, None, False)
        # Map rather than read: the pages come from the cache without a copy, and forked walkers
        # share them.
        with mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_READ) as data:
            fast = _fast_walk(data)  # type: ignore[arg-type]
            if fast is not None and _head_is_an_entry(data):  # type: ignore[arg-type]
                return ChainCheck((), fast[0], fast[1], False)
            return _slow_walk(data[:])


def _head_is_an_entry(data: bytes) -> bool:
    """Whether the last line is a well-formed, canonical entry.

    The fast walk checks bytes and links, not JSON: a line in the middle is vouched for by the
    next line's link, but nothing follows the head, so it alone is parsed here.  (Replaying the
    log, as ``verify`` does, parses every line.)
    """
    start = data.rfind(b"\n", 0, len(data) - 1) + 1
    line = data[start : len(data) - 1]
    try:
        return Entry.parse_line(line).line() == line
    except ValueError:
        return False


def _slow_walk(data: bytes) -> ChainCheck:
    raw = data.split(b"\n")
    tail = raw.pop()  # b"" when the file ends with a newline
    problems: list[Problem] = []
    torn = False
    scanned = [_scan_line(n, line) for n, line in enumerate(raw, start=1)]
    if tail:
        n = len(raw) + 1
        cut = tail[: tail.rfind(b"}") + 1]
        complete = _scan_line(n, cut) if cut else None
        if complete is not None and complete.error is None and complete.recorded == complete.computed:
            problems.append(DamagedTail(n))
            scanned.append(complete)
        else:
            problems.append(TornTail(n, len(tail)))
            torn = True

    good: list[_Line] = []
    unparsed: list[int] = []
    edited: set[int] = set()
    for s in scanned:
        if s.error is not None:
            problems.append(UnparseableLine(s.number, s.error))
            unparsed.append(s.number)
            continue
        if s.recorded != s.computed:
            problems.append(EditedEntry(s.seq or 0, s.number, s.recorded or "", s.computed or ""))
            edited.add(s.number)
        good.append(s)  # an edited entry still links: its successor names its recorded digest

    children: dict[str, list[_Line]] = {}
    for s in good:
        children.setdefault(s.prev or "", []).append(s)

    # Walk from the genesis.  Where the link breaks, name why and carry on from the next entry.
    cur = _Line(0, 0, None, GENESIS, GENESIS, None)
    visited: set[int] = set()
    by_order = sorted(good, key=lambda k: (k.seq or 0, k.number))
    order_seqs = [k.seq or 0 for k in by_order]
    skip: dict[int, int] = {}  # index -> a later index to look at (visited ones jumped over)

    def after(seq: int) -> _Line | None:
        """The unvisited line with the lowest (seq, line) above ``seq``, in amortized O(log n)."""
        i = bisect.bisect_right(order_seqs, seq)
        path = []
        while i < len(by_order) and by_order[i].number in visited:
            path.append(i)
            i = skip.get(i, i + 1)
        for j in path:  # compress, so that later searches jump straight here
            skip[j] = i
        return by_order[i] if i < len(by_order) else None

    chain: list[_Line] = []
    while True:
        kids = [k for k in children.get(cur.recorded or "", []) if k.number not in visited]
        expected_seq = (cur.seq or 0) + 1
        if kids:
            # On a fork prefer the entry the chain goes on from, then the right number.
            kids.sort(key=lambda k: (not children.get(k.recorded or ""), k.seq != expected_seq,
                                     k.number))
            nxt = kids[0]
            if nxt.seq != expected_seq and nxt.number not in edited:
                problems.append(InsertedEntry(
                    nxt.seq or 0, nxt.number,
                    f"sequence number {nxt.seq} where {expected_seq} was expected"))
        else:
            nxt = after(cur.seq or 0)
            if nxt is None:
                break
            if nxt.seq == expected_seq:
                if cur.number not in edited:
                    problems.append(PrevMismatch(nxt.seq or 0, nxt.number, cur.recorded or "",
                                                 nxt.prev or ""))
            else:
                lo, hi = sorted((cur.number, nxt.number))
                explained = sum(1 for u in unparsed if lo < u < hi)
                if explained < (nxt.seq or 0) - expected_seq:
                    problems.append(DeletedEntries(expected_seq, (nxt.seq or 0) - 1, nxt.number))
        visited.add(nxt.number)
        chain.append(nxt)
        cur = nxt

    for s in good:
        if s.number not in visited:
            problems.append(InsertedEntry(
                s.seq or 0, s.number,
                "not part of the chain: its prev matches no entry, or another entry already "
                "continues the chain from there"))

    # Order: entries outside the longest run in file order were moved.
    lines = [s.number for s in chain]
    keep = _longest_increasing(lines)
    sorted_lines = sorted(lines)
    for i, s in enumerate(chain):
        if i not in keep:
            problems.append(ReorderedEntries(s.seq or 0, s.number, sorted_lines[i]))

    head = Head(chain[-1].seq or 0, chain[-1].recorded or "") if chain else None
    problems.sort(key=_problem_order)
    return ChainCheck(tuple(problems), len(scanned), head, torn)


def _longest_increasing(values: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of ``values`` (patience sort)."""
    tails: list[int] = []
    tails_idx: list[int] = []
    parent = [-1] * len(values)
    for i, v in enumerate(values):
        k = bisect.bisect_left(tails, v)
        if k == len(tails):
            tails.append(v)
            tails_idx.append(i)
        else:
            tails[k] = v
            tails_idx[k] = i
        parent[i] = tails_idx[k - 1] if k else -1
    out: set[int] = set()
    i = tails_idx[-1] if tails_idx else -1
    while i >= 0:
        out.add(i)
        i = parent[i]
    return out


def _problem_order(p: Problem) -> tuple[int, str]:
    line = getattr(p, "line", 0)
    return (line, p.kind)


# --- writing ------------------------------------------------------------------------------------


def _default_actor() -> str:
    env = os.environ.get("FORENSICS_ACTOR")
    if env:
        return env
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return f"uid {os.getuid()}" if hasattr(os, "getuid") else "unknown"


class _LogLock:
    """The cross-process lock beside the log, re-entrant, with typed errors instead of OSError."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = filelock.FileLock(str(path), timeout=LOCK_TIMEOUT_SECONDS)

    def __enter__(self) -> _LogLock:
        try:
            self._lock.acquire()
        except filelock.Timeout:
            raise StorageError(
                self.path, f"another forensics process has held the case's lock for more than "
                f"{LOCK_TIMEOUT_SECONDS:.0f} s; run the command again when it has finished"
            ) from None
        except OSError as exc:
            raise StorageError(self.path, f"cannot take the lock: {exc.strerror}") from None
        return self

    def __exit__(self, *exc: object) -> None:
        self._lock.release()


class CustodyLog:
    """Append to and read one custody log file.

    Parameters
    ----------
    path : path-like
        The ``custody.jsonl`` file (created on the first append).
    actor : str, optional
        Who is acting; defaults to ``$FORENSICS_ACTOR`` or the login name.
    """

    def __init__(self, path: Path | str, *, actor: str | None = None) -> None:
        self.path = Path(path)
        self.actor = actor or _default_actor()
        try:
            self.actor.encode("utf-8")
        except UnicodeEncodeError:
            raise InputError(f"actor {self.actor!r} is not valid UTF-8 text; set --actor or "
                             "$FORENSICS_ACTOR to a name") from None
        self.host = socket.gethostname()
        self._lock = _LogLock(Path(str(self.path) + ".lock"))
        #: (offset before, offset after, entries) of this object's last write, so that a reader
        #: that was current before it can take the entries without parsing them back.
        self.last_write: tuple[int, int, int] = (-1, -1, 0)
        self._iter_end = 0

    @property
    def lock(self) -> _LogLock:
        """The cross-process lock held while appending (re-entrant within a process)."""
        return self._lock

    # reading

    def read(
        self, offset: int = 0, *, strict: bool = True, bad: list[tuple[int, str]] | None = None
    ) -> tuple[tuple[Entry, ...], int]:
        """Parse the complete entries from byte ``offset`` on; return them and the new offset.

        Raises :class:`CustodyLogDamaged` on a line that is not an entry (writers must not build
        on a log they cannot read; ``forensics verify`` describes the damage).  A torn last line
        (no newline) is not returned and the offset stops before it.  With ``strict=False``
        unreadable lines are passed over, and listed in ``bad`` as (line number counted from
        ``offset``, reason) when a list is given.
        """
        entries = list(self.iter_entries(offset, strict=strict, bad=bad))
        return tuple(entries), self._iter_end

    def iter_entries(
        self, offset: int = 0, *, strict: bool = True, bad: list[tuple[int, str]] | None = None
    ) -> Iterator[Entry]:
        """Like :meth:`read`, one entry at a time (a million-entry log is not held at once).

        When the iteration ends, ``self._iter_end`` is the offset after the last complete line.
        """
        self._iter_end = offset
        try:
            fh = open(self.path, "rb")  # noqa: SIM115 - closed below, across yields
        except FileNotFoundError:
            return
        except OSError as exc:
            raise CustodyLogDamaged(self.path, f"cannot read: {exc.strerror}") from None
        with fh:
            fh.seek(offset)
            pos = offset
            for n, raw in enumerate(fh, start=1):
                if not raw.endswith(b"\n"):
                    break  # a torn last line: not an entry (yet)
                pos += len(raw)
                self._iter_end = pos
                try:
                    entry = Entry.parse_line(raw[:-1])
                except ValueError as exc:
                    if strict:
                        raise CustodyLogDamaged(
                            self.path, f"line {n} after byte {offset}: {exc}") from None
                    if bad is not None:
                        bad.append((n, str(exc)))
                    continue
                yield entry

    def entries(self) -> tuple[Entry, ...]:
        """Every complete entry in file order."""
        return self.read(0)[0]

    def head(self) -> Head | None:
        """The last complete entry's sequence and digest (reads only the end of the file)."""
        last = self._last_line()
        if last is None:
            return None
        entry = Entry.parse_line(last)
        return Head(entry.seq, entry.entry_sha256)

    def _last_line(self) -> bytes | None:
        try:
            size = self.path.stat().st_size
        except FileNotFoundError:
            return None
        if size == 0:
            return None
        with open(self.path, "rb") as fh:
            step = 4096
            pos = size
            buf = b""
            while pos > 0:
                read = min(step, pos)
                pos -= read
                fh.seek(pos)
                buf = fh.read(read) + buf
                body = buf[:-1] if buf.endswith(b"\n") else buf
                nl = body.rfind(b"\n")
                if nl >= 0 or pos == 0:
                    if not buf.endswith(b"\n"):
                        return None
                    return body[nl + 1 :]
                step *= 2
        return None

    # writing

    def append(self, drafts: Sequence[EntryDraft]) -> tuple[Entry, ...]:
        """Append ``drafts`` as consecutive entries, durably, and return them.

        The lock is held for the whole append; the entries are written with one ``write`` and
        ``fsync``-ed before this returns.  On a write error (a full disk) the file is cut back to
        its previous length and :class:`StorageError` is raised: nothing half-written remains.
        """
        if not drafts:
            return ()
        with self._lock:
            return self._append_locked(drafts)[1]

    def recover(self) -> tuple[Entry, ...]:
        """Move a torn last line aside and log that; return the entries written (none if clean)."""
        with self._lock:
            if not self.path.exists():
                return ()
            return self._append_locked(())[0]

    def _append_locked(
        self, drafts: Sequence[EntryDraft]
    ) -> tuple[tuple[Entry, ...], tuple[Entry, ...]]:
        """Append under the held lock; return (recovery entries, entries for ``drafts``)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        created = not self.path.exists()
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644)
        try:
            if created:
                fsync_dir(self.path.parent)
            recovered = self._recover_tail(fd)
            drafts = list(recovered) + list(drafts)
            if not drafts:
                return (), ()
            head = self._head_locked()
            seq = head.seq if head else 0
            prev = head.entry_sha256 if head else GENESIS
            now = datetime.now(UTC)
            out: list[Entry] = []
            chunks: list[bytes] = []
            for d in drafts:
                seq += 1
                obj: dict[str, JSONValue] = {
                    "seq": seq, "time": _format_time(now), "actor": self.actor,
                    "host": self.host, "tool": TOOL_NAME, "tool_version": __version__,
                    "action": d.action, "evidence": [e.to_json() for e in d.evidence],
                    "details": d.details, "prev_sha256": prev,
                }
                body = canonical_json(obj)
                digest = hashlib.sha256(body).hexdigest()
                entry = Entry(
                    seq=seq, time=now, actor=self.actor, host=self.host, tool=TOOL_NAME,
                    tool_version=__version__, action=d.action, evidence=d.evidence,
                    details=d.details, prev_sha256=prev, entry_sha256=digest,
                )
                out.append(entry)
                chunks.append(_with_hash(body, digest) + b"\n")
                prev = digest
            size_before = os.fstat(fd).st_size
            payload = b"".join(chunks)
            try:
                write_all(fd, payload)
                os.fsync(fd)
            except OSError as exc:
                try:
                    os.ftruncate(fd, size_before)
                    os.fsync(fd)
                except OSError:
                    pass  # the torn tail is recovered by the next writer
                if is_disk_full(exc):
                    raise StorageError(self.path, exc.strerror or "disk full") from None
                raise
            self.last_write = (size_before, size_before + len(payload), len(out))
            return tuple(out[: len(recovered)]), tuple(out[len(recovered) :])
        finally:
            os.close(fd)

    def _head_locked(self) -> Head | None:
        last = self._last_line()
        if last is None:
            return None
        try:
            entry = Entry.parse_line(last)
        except ValueError as exc:
            raise CustodyLogDamaged(self.path, f"last entry unreadable: {exc}") from None
        body_hash = split_line(last)
        if body_hash is None or hashlib.sha256(body_hash[0]).hexdigest() != entry.entry_sha256:
            raise CustodyLogDamaged(self.path, f"last entry {entry.seq} does not match its digest")
        return Head(entry.seq, entry.entry_sha256)

    @staticmethod
    def _continues_chain(fd: int, offset: int, line: bytes) -> bool:
        """Whether ``line`` (starting at ``offset``) links to the complete line before it."""
        ps = _prev_and_seq(line)
        if ps is None:
            return False
        if offset == 0:
            return ps == (GENESIS.encode(), 1)
        start = max(0, offset - (1 << 20))
        window = os.pread(fd, offset - start, start)
        before = window[window.rfind(b"\n", 0, len(window) - 1) + 1 : -1]
        parts, prev_ps = split_line(before), _prev_and_seq(before)
        return (parts is not None and prev_ps is not None and parts[1] == ps[0]
                and prev_ps[1] + 1 == ps[1])

    def _recover_tail(self, fd: int) -> tuple[EntryDraft, ...]:
        """Move a torn last line aside and return the draft of the entry that records it."""
        size = os.fstat(fd).st_size
        if size == 0:
            return ()
        if os.pread(fd, 1, size - 1) == b"\n":
            return ()
        start = max(0, size - (1 << 20))
        window = os.pread(fd, size - start, start)
        while True:
            nl = window.rfind(b"\n")
            if nl >= 0 or start == 0:
                break
            start = max(0, start - (1 << 20))
            window = os.pread(fd, size - start, start)
        offset = start + nl + 1
        tail = os.pread(fd, size - offset, offset)
        cut = tail[: tail.rfind(b"}") + 1]
        parts = split_line(cut) if cut else None
        if parts is not None and hashlib.sha256(parts[0]).hexdigest().encode() == parts[1]:
            if cut == tail and self._continues_chain(fd, offset, tail):
                # A write killed between the entry's last byte and its newline (kills cut
                # writes at page boundaries): a complete link of the chain.  Finish the line.
                write_all(fd, b"\n")
                os.fsync(fd)
                return (
                    EntryDraft(Action.RECOVER, details={
                        "what": "the last entry of the custody log lacked its newline after an "
                        "interrupted write; the newline was added",
                        "byte_offset": offset + len(tail),
                        "entry_sha256": parts[1].decode("ascii"),
                    }),
                )
            raise CustodyLogDamaged(
                self.path, "last line holds a complete entry but its newline is gone or replaced"
            )
        side_dir = self.path.parent / RECOVERED_DIR
        side_dir.mkdir(exist_ok=True)
        side = side_dir / f"torn-line-at-byte-{offset}.bin"
        n = 1
        while side.exists():
            n += 1
            side = side_dir / f"torn-line-at-byte-{offset}-{n}.bin"
        sfd = os.open(side, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o444)
        try:
            write_all(sfd, tail)
            os.fsync(sfd)
        finally:
            os.close(sfd)
        fsync_dir(side_dir)
        os.ftruncate(fd, offset)
        os.fsync(fd)
        return (
            EntryDraft(
                Action.RECOVER,
                details={
                    "what": "torn last line of the custody log (an interrupted write, never "
                    "acknowledged) moved aside",
                    "byte_offset": offset,
                    "length": len(tail),
                    "sha256": hashlib.sha256(tail).hexdigest(),
                    "kept_as": f"{RECOVERED_DIR}/{side.name}",
                },
            ),
        )
