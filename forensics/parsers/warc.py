"""WARC web archives (ISO 28500, WARC 1.0 and 1.1): records, digests and capture times.

Specification: https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/
(record types, ``WARC-Date``, ``WARC-Block-Digest`` / ``WARC-Payload-Digest``, revisit
profiles).  Records are read with warcio's ``ArchiveIterator`` (https://github.com/webrecorder/warcio),
plain, gzip with one member per record (the normal ``.warc.gz``), or gzip over the whole file
(read through :mod:`gzip`; warcio itself refuses it).

Per record this module emits one typed record (:class:`WarcRecordInfo`; one subclass per WARC
record type, so that ``data_type`` is ``web:warc:response``, ``web:warc:request``...; a type
the standard does not define keeps ``web:warc`` and its name in ``record_type``), the
``Archived (WARC-Date)`` event of responses, revisits, resources and warcinfo records, and the
``HTTP Date`` / ``Content Modified`` (``Last-Modified``) events of HTTP responses.

Digests are verified while the block streams through the hashers, by the rules of
``warcio check``: the block digest over the whole block, the payload digest over what follows
the HTTP headers (raw, still chunked or compressed as transmitted; the whole block for non-HTTP
records).  Values may be written in base32 (what warcio writes), hex or base64; ``sha1``,
``sha256``, ``sha512`` and the other hashlib names are understood.  A revisit has no payload to
check (its ``WARC-Payload-Digest`` names the payload of the earlier capture), which is said, not
counted as a pass; its block digest *is* checked here (``warcio check`` skips revisits).  Each
result is tri-state, as warcio's ``DigestChecker.passed``: True, False, or None (not checked,
with the reason in ``digest_notes``).

Findings are warnings, never exceptions: a digest that does not match (``expected=... found=...``),
a record cut short by the end of the file, a record not followed by the two newlines the format
requires (warcio: "Record not followed by newline, perhaps Content-Length is invalid"), and the
point where the data stops being WARC (reading stops there).  Memory is bounded: payloads stream
through the hashers and only the first HTML response (the main page, up to
:data:`~forensics.parsers.html.HTML_PARSE_LIMIT` bytes) and warcinfo blocks (64 KiB) are kept;
the decompressed total is bounded by :data:`DECOMPRESSION_RATIO` times the file size (at least
:data:`MIN_DECOMPRESSED_BUDGET`), so a gzip bomb stops with a warning.

Examples
--------
>>> import io
>>> from forensics.parsers.base import Builder, ParseContext
>>> block = b"software: test\\r\\n"
>>> data = (b"WARC/1.0\\r\\nWARC-Type: warcinfo\\r\\nWARC-Date: 2017-03-06T04:03:53Z\\r\\n"
...         b"WARC-Block-Digest: sha1:" + block_digest(block) + b"\\r\\n"
...         b"Content-Length: %d\\r\\n\\r\\n" % len(block) + block + b"\\r\\n\\r\\n")
>>> ctx = ParseContext("E1", "00" * 32, "a.warc", len(data))
>>> p = WarcParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
>>> a = b.build("application/warc")
>>> a.metadata["WARC:Records"], a.metadata["WARC:Software"], a.records[0].block_digest_verified
(1, 'test', True)
>>> a.events[0].description, a.events[0].time.to_json()["utc"]
('Archived (WARC-Date)', '2017-03-06T04:03:53Z')
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import logging
import re
import zlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.parsers.html import HTML_PARSE_LIMIT, emit_html, extract_html
from forensics.records import Origin, Record
from forensics.timestamps import TimeValue, parse_iso8601, parse_rfc2822

__all__ = [
    "DECOMPRESSION_RATIO",
    "MAX_RECORDS",
    "MIN_DECOMPRESSED_BUDGET",
    "PARSERS",
    "WarcContinuation",
    "WarcConversion",
    "WarcInfo",
    "WarcMetadata",
    "WarcParser",
    "WarcRecordInfo",
    "WarcRequest",
    "WarcResource",
    "WarcResponse",
    "WarcRevisit",
    "block_digest",
]

#: The decompressed bytes read are bounded by this many times the file size ...
DECOMPRESSION_RATIO = 200
#: ... but never below this (so that small, highly compressible archives still read).
MIN_DECOMPRESSED_BUDGET = 1024 * 1024 * 1024
#: Records read at most from one file.
MAX_RECORDS = 2_000_000
#: A header line longer than this is cut (hostile input); an HTTP header block over
#: ``_HEADER_CAP`` ends the headers.
_MAX_LINE = 1024 * 1024
_HEADER_CAP = 1024 * 1024
_READ_BLOCK = 1024 * 1024
#: Header values kept at most (characters).
_MAX_VALUE = 8192
_WARCINFO_KEEP = 64 * 1024
_MAX_READER_PROBLEMS = 5
_HTTP_RECORDS = ("response", "request", "revisit")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_ARCHIVED_TYPES = ("response", "revisit", "resource", "warcinfo")
_ALGORITHMS = {"sha1": "sha1", "sha-1": "sha1", "sha224": "sha224", "sha-224": "sha224",
               "sha256": "sha256", "sha-256": "sha256", "sha384": "sha384", "sha-384": "sha384",
               "sha512": "sha512", "sha-512": "sha512", "md5": "md5", "sha3-256": "sha3_256",
               "sha3_256": "sha3_256", "sha3-512": "sha3_512", "sha3_512": "sha3_512"}


def block_digest(block: bytes, algorithm: str = "sha1") -> bytes:
    """The digest of ``block`` as warcio writes it: base32 of the raw digest.

    >>> block_digest(b"")
    b'3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ'
    """
    return base64.b32encode(hashlib.new(algorithm, block).digest())


# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WarcRecordInfo(Record):
    """One WARC record: its place in the file, its headers, and what its digests say.

    ``block_digest_verified`` / ``payload_digest_verified`` are tri-state: True (computed and
    equal), False (computed and different: ``*_found`` holds the computed value), None (absent
    or not checked; ``digest_notes`` says why).  ``http_status`` is set for responses and
    revisits, ``http_method`` for requests; ``content_type`` is the HTTP ``Content-Type`` for HTTP
    records and the WARC ``Content-Type`` otherwise.  ``offset`` and ``length`` are positions in
    the file (in the decompressed stream for a whole-file gzip).
    """

    data_type: ClassVar[str] = "web:warc"
    number: int = 0
    offset: int = 0
    length: int = 0
    record_type: str = ""
    record_id: str = ""
    target_uri: str = ""
    date: TimeValue | None = None
    date_raw: str = ""
    warc_content_type: str = ""
    content_length: int | None = None
    http_status: int | None = None
    http_method: str = ""
    content_type: str = ""
    http_date: TimeValue | None = None
    block_digest: str = ""
    block_digest_verified: bool | None = None
    block_digest_found: str = ""
    payload_digest: str = ""
    payload_digest_verified: bool | None = None
    payload_digest_found: str = ""
    digest_notes: tuple[str, ...] = ()
    truncated: bool = False
    ip_address: str = ""
    concurrent_to: str = ""
    refers_to: str = ""
    refers_to_uri: str = ""
    refers_to_date: TimeValue | None = None
    profile: str = ""
    filename: str = ""
    software: str = ""


@dataclass(frozen=True, slots=True)
class WarcInfo(WarcRecordInfo):
    """A ``warcinfo`` record (``software`` from its ``application/warc-fields`` block)."""

    data_type: ClassVar[str] = "web:warc:warcinfo"


@dataclass(frozen=True, slots=True)
class WarcResponse(WarcRecordInfo):
    """A ``response`` record: the server's reply as captured."""

    data_type: ClassVar[str] = "web:warc:response"


@dataclass(frozen=True, slots=True)
class WarcRequest(WarcRecordInfo):
    """A ``request`` record: what the crawler sent."""

    data_type: ClassVar[str] = "web:warc:request"


@dataclass(frozen=True, slots=True)
class WarcRevisit(WarcRecordInfo):
    """A ``revisit`` record: the same payload as an earlier capture (``refers_to_*``)."""

    data_type: ClassVar[str] = "web:warc:revisit"


@dataclass(frozen=True, slots=True)
class WarcResource(WarcRecordInfo):
    """A ``resource`` record: content without a protocol exchange (screenshots, DNS...)."""

    data_type: ClassVar[str] = "web:warc:resource"


@dataclass(frozen=True, slots=True)
class WarcMetadata(WarcRecordInfo):
    """A ``metadata`` record: what the crawler noted about another record."""

    data_type: ClassVar[str] = "web:warc:metadata"


@dataclass(frozen=True, slots=True)
class WarcConversion(WarcRecordInfo):
    """A ``conversion`` record: another format of an earlier record's content."""

    data_type: ClassVar[str] = "web:warc:conversion"


@dataclass(frozen=True, slots=True)
class WarcContinuation(WarcRecordInfo):
    """A ``continuation`` record: a later segment of a segmented record."""

    data_type: ClassVar[str] = "web:warc:continuation"


_CLASSES: dict[str, type[WarcRecordInfo]] = {
    "warcinfo": WarcInfo, "response": WarcResponse, "request": WarcRequest,
    "revisit": WarcRevisit, "resource": WarcResource, "metadata": WarcMetadata,
    "conversion": WarcConversion, "continuation": WarcContinuation,
}


# --- digests -----------------------------------------------------------------------------------


@dataclass
class _Digest:
    """A declared digest and the hasher computing it (None when it cannot be checked)."""

    declared: str
    algorithm: str = ""
    hasher: Any = None
    note: str = ""

    @classmethod
    def start(cls, declared: str | None, what: str) -> _Digest | None:
        if not declared or not declared.strip():
            return None
        declared = declared.strip()
        algo, sep, _value = declared.partition(":")
        name = _ALGORITHMS.get(algo.strip().lower())
        if not sep:
            return cls(declared, note=f"{what} digest {declared!r} has no 'algorithm:' prefix; "
                                      f"not checked")
        if name is None:
            return cls(declared, note=f"{what} digest algorithm {algo!r} is not known; "
                                      f"not checked")
        return cls(declared, name, hashlib.new(name))

    def verdict(self) -> tuple[bool | None, str]:
        """(verified, computed value in the declared encoding) once the data was hashed."""
        if self.hasher is None:
            return None, ""
        digest = self.hasher.digest()
        algo, _, value = self.declared.partition(":")
        value = value.strip()
        expected = _decode_digest(value, len(digest))
        b32 = base64.b32encode(digest).decode("ascii")
        if expected is None:
            self.note = (f"declared value {value[:80]!r} is not hex, base32 or base64 of a "
                         f"{self.algorithm} digest; not checked")
            return None, f"{algo}:{b32}"
        if len(value) == 2 * len(digest) and re.fullmatch(r"[0-9A-Fa-f]+", value):
            found = f"{algo}:{digest.hex()}"
        elif len(value.rstrip("=")) == len(b32.rstrip("=")):
            found = f"{algo}:{b32}"
        else:
            found = f"{algo}:{base64.b64encode(digest).decode('ascii')}"
        return hmac.compare_digest(expected, digest), found


def _decode_digest(value: str, size: int) -> bytes | None:
    """The raw digest written as hex, base32 or base64 (standard or URL-safe), or None."""
    v = value.strip()
    try:
        if len(v) == 2 * size and re.fullmatch(r"[0-9A-Fa-f]+", v):
            return bytes.fromhex(v)
        b32_len = len(base64.b32encode(bytes(size)).rstrip(b"="))
        if len(v.rstrip("=")) == b32_len:
            padded = v.rstrip("=").upper() + "=" * (-b32_len % 8)
            return base64.b32decode(padded)
        b64_len = len(base64.b64encode(bytes(size)).rstrip(b"="))
        if len(v.rstrip("=")) == b64_len:
            padded = v.rstrip("=") + "=" * (-b64_len % 4)
            alt = b"-_" if ("-" in v or "_" in v) else None
            return base64.b64decode(padded, altchars=alt, validate=True)
    except (binascii.Error, ValueError):
        return None
    return None


# --- reading -----------------------------------------------------------------------------------


class _OverBudget(Exception):
    """The decompressed data passed the budget (a decompression bomb, or an absurd record)."""


class _WholeFileGzip(Exception):
    """warcio found one gzip member holding several records: read the file through gzip."""


@dataclass
class _Gap:
    """Bytes between records that are not the two newlines the format requires."""

    offset: int
    found: bytes


class _GzipStream:
    """A whole-file gzip (one or more members) as a plain stream, read with :mod:`zlib`.

    ``gzip.GzipFile`` drops the data of a read that meets the end of a cut-short file; this
    returns every byte it can and notes where and why the gzip data stops.
    """

    def __init__(self, fh: BinaryIO, problems: list[str]) -> None:
        self._fh = fh
        self._problems = problems
        self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self._pending = b""
        self._buf = bytearray()
        self._pos = 0
        self._in_member = False
        self._done = False

    def _fill(self, want: int) -> None:
        while len(self._buf) < want and not self._done:
            data = self._pending or self._fh.read(65536)
            self._pending = b""
            if not data:
                if self._in_member:
                    self._problems.append(f"gzip stream cut short after {self._pos + len(self._buf)} "
                                          f"decompressed bytes (no end-of-stream marker)")
                self._done = True
                break
            try:
                self._buf += self._d.decompress(data, 1 << 20)
            except zlib.error as exc:
                self._problems.append(f"gzip data damaged after {self._pos + len(self._buf)} "
                                      f"decompressed bytes: {exc}")
                self._done = True
                break
            self._in_member = True
            if self._d.unconsumed_tail:
                self._pending = self._d.unconsumed_tail
            elif self._d.eof:
                self._pending = self._d.unused_data
                self._d = zlib.decompressobj(16 + zlib.MAX_WBITS)
                self._in_member = False

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = 1 << 20
        self._fill(size)
        out = bytes(self._buf[:size])
        del self._buf[:size]
        self._pos += len(out)
        return out

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        """The caller's handle stays open."""


def _iterator(stream: Any, budget: int, gaps: list[_Gap], problems: list[str]) -> Any:
    """warcio's ArchiveIterator with a bounded, quiet reader (no writes to stderr)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import DecompressingBufferedReader
    from warcio.utils import BUFF_SIZE

    class Reader(DecompressingBufferedReader):
        total = 0

        def _process_read(self, data: bytes) -> None:
            super()._process_read(data)
            if data:
                self.total += self.buff_size
                if self.total > budget:
                    raise _OverBudget(f"over {budget} decompressed bytes")

        def _decompress(self, data: bytes) -> bytes:
            if self.decompressor and data:
                try:
                    return self.decompressor.decompress(data)
                except Exception as exc:  # zlib.error and kin, as warcio catches them
                    if self.num_block_read == 0:
                        self.decompressor = None  # not compressed after all: read as is
                        return data
                    if len(problems) < _MAX_READER_PROBLEMS:
                        problems.append(f"compressed data damaged after {self.total} "
                                        f"decompressed bytes: {exc}")
                    return b""
            return data

        def readline(self, length: int | None = None) -> bytes:
            if length is None or length > _MAX_LINE:
                length = _MAX_LINE
            return super().readline(length)

    class Iterator(ArchiveIterator):
        def __init__(self, fh: Any) -> None:
            super().__init__(fh, no_record_parse=True)
            self.reader = Reader(self.fh, block_size=BUFF_SIZE)

        def _raise_invalid_gzip_err(self) -> None:
            raise _WholeFileGzip()

        def _consume_blanklines(self) -> tuple[bytes | None, int]:
            # As warcio's, but the "not followed by newline" finding is kept, not printed.
            empty_size = 0
            first_line = True
            while True:
                line = self.reader.readline()
                if len(line) == 0:
                    return None, empty_size
                stripped = line.rstrip()
                if len(stripped) == 0 or first_line:
                    empty_size += len(line)
                    if len(stripped) != 0:
                        at = self.fh.tell() - self.reader.rem_length() - empty_size
                        gaps.append(_Gap(at, line[:64]))
                        self.err_count += 1
                    first_line = False
                    continue
                return line, empty_size

    return Iterator(stream)


class _LogCapture(logging.Filter):
    """Keeps warcio's log messages (e.g. "Replacing spaces in invalid WARC-Target-URI") as
    findings instead of letting them reach stderr."""

    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []

    def filter(self, record: logging.LogRecord) -> bool:
        self.messages.append(record.getMessage()[:300])
        return False


class _Tee:
    """The record block as read: every byte goes through the block hasher."""

    def __init__(self, raw: Any, hasher: Any) -> None:
        self.raw = raw
        self.hasher = hasher
        self.header_bytes = 0
        self.total = 0

    def _seen(self, data: bytes) -> bytes:
        if self.hasher is not None:
            self.hasher.update(data)
        self.total += len(data)
        return data

    def readline(self, length: int | None = None) -> bytes:
        if self.header_bytes >= _HEADER_CAP:
            return b""
        line = self._seen(self.raw.readline(_MAX_LINE))
        self.header_bytes += len(line)
        return line

    def read(self, size: int) -> bytes:
        return self._seen(self.raw.read(size))


def _charset(content_type: str) -> str | None:
    m = re.search(r"charset\s*=\s*[\"']?([^\"';\s]+)", content_type, re.I)
    return m.group(1) if m else None


def _dechunk(data: bytes) -> tuple[bytes, str]:
    """HTTP/1.1 chunked transfer coding removed; a problem when it is broken."""
    out = bytearray()
    pos, n = 0, len(data)
    while pos < n:
        eol = data.find(b"\r\n", pos, pos + 1024)
        try:
            size = int(data[pos:eol].split(b";")[0].strip(), 16) if eol >= 0 else -1
        except ValueError:
            size = -1
        if size < 0:
            if pos == 0:
                return data, "Transfer-Encoding is chunked but the payload is not; read as is"
            return bytes(out) + data[pos:], (f"chunked transfer coding broken at payload byte "
                                             f"{pos}; the rest read as is")
        if size == 0:
            return bytes(out), ""
        start = eol + 2
        out += data[start:start + size]
        pos = start + size + 2
    return bytes(out), ""


def _decompress(data: bytes, coding: str) -> tuple[bytes, str]:
    """The payload with its Content-Encoding removed (bounded by HTML_PARSE_LIMIT)."""
    if coding in ("", "identity"):
        return data, ""
    if coding in ("gzip", "x-gzip"):
        wbits = 16 + zlib.MAX_WBITS
    elif coding == "deflate":
        wbits = zlib.MAX_WBITS if data[:1] == b"\x78" else -zlib.MAX_WBITS
    else:
        return data, f"Content-Encoding {coding!r} is not decoded; the page text was not read"
    d = zlib.decompressobj(wbits)
    buf = bytearray()
    limit = HTML_PARSE_LIMIT
    pos = 0
    try:
        while pos < len(data) and len(buf) <= limit and not d.eof:
            buf += d.decompress(data[pos:pos + 65536], limit + 1 - len(buf))
            pos += 65536
            while d.unconsumed_tail and len(buf) <= limit:
                buf += d.decompress(d.unconsumed_tail, limit + 1 - len(buf))
    except zlib.error as exc:
        if not buf:
            return data, f"Content-Encoding {coding} but the payload is not {coding} ({exc}); read as is"
        return bytes(buf), f"Content-Encoding {coding}: {exc} after {len(buf)} bytes; read up to there"
    if not d.eof and len(buf) <= limit:
        return bytes(buf), (f"Content-Encoding {coding}: the compressed payload ends before its "
                            f"end marker (cut short); read the {len(buf)} bytes it gives")
    return bytes(buf), ""


@dataclass
class _MainPage:
    location: str
    url: str
    content_type: str
    transfer_encoding: str
    content_encoding: str
    payload: bytearray = field(default_factory=bytearray)
    cut: bool = False


class _Scan:
    """One pass over the file; what it finds is written to the Builder only at the end, so a
    whole-file gzip found at the second record can start over cleanly."""

    def __init__(self, origin: Origin, ctx: ParseContext, budget: int, compression: str) -> None:
        self.origin = origin
        self.ctx = ctx
        self.budget = budget
        self.compression = compression
        self.records: list[WarcRecordInfo] = []
        self.events: list[tuple[str, str, TimeValue, str, str]] = []
        self.warnings: list[tuple[str, str]] = []
        self.first_error = ""
        self.version = ""
        self.main: _MainPage | None = None
        self.gaps: list[_Gap] = []
        self.reader_problems: list[str] = []
        self.log = _LogCapture()

    def warn(self, location: str, message: str) -> None:
        self.warnings.append((location, message))

    def time(self, reader: Any, text: str | None, source: str, location: str) -> TimeValue | None:
        if not text or not text.strip():
            return None
        try:
            return reader(text.strip(), source, default_zone=self.ctx.default_zone)
        except (ValueError, OverflowError) as exc:
            self.warn(location, f"{source}: {exc}")
            return None

    def run(self, stream: Any) -> None:
        logger = logging.getLogger("warcio.recordloader")
        logger.addFilter(self.log)
        try:
            self._run(stream)
        finally:
            logger.removeFilter(self.log)

    def _run(self, stream: Any) -> None:
        it = _iterator(stream, self.budget, self.gaps, self.reader_problems)
        n = 0
        while True:
            start = it.offset
            where = f"byte {start}" + (f" (after record {n})" if n else "")
            try:
                record = next(it)
            except StopIteration:
                break
            except _WholeFileGzip:
                raise
            except _OverBudget as exc:
                self._stop(where, f"stopped reading: {exc} (a decompression bomb or an absurd "
                                  f"record); the rest of the file was not read")
                break
            except Exception as exc:  # warcio on hostile input: stop cleanly
                reason = " ".join(str(exc).split())[:300] or type(exc).__name__
                if n == 0:
                    self.first_error = f"not a WARC file: {reason}"
                else:
                    self.warn(where, f"not a WARC record ({reason}); stopped reading here")
                break
            if record.format != "warc":
                if n == 0:
                    self.first_error = f"not a WARC file: the first record is {record.format}"
                else:
                    self.warn(where, f"not a WARC record ({record.format}); stopped reading")
                break
            if n == 0 and not any(record.rec_headers.get_header(k) for k in
                                  ("WARC-Type", "WARC-Record-ID", "WARC-Date")):
                self.first_error = ("not a WARC file: the first record has no WARC-Type, "
                                    "WARC-Record-ID or WARC-Date")
                break
            n += 1
            if n > MAX_RECORDS:
                self.warn(where, f"more than {MAX_RECORDS} records; the rest were not read")
                break
            location = f"record {n} at byte {start}"
            try:
                self._read(it, record, n, start, location)
            except _OverBudget as exc:
                self._stop(location, f"stopped reading: {exc} (a decompression bomb or an "
                                     f"absurd record); the rest of the file was not read")
                break
            except Exception as exc:  # warcio on hostile input
                self._stop(location, f"record not readable ({type(exc).__name__}: "
                                     f"{str(exc)[:200]}); stopped reading")
                break
        for p in self.reader_problems:
            self.warn(f"after record {n}" if n else "start of file", p)

    def _stop(self, location: str, message: str) -> None:
        if not self.records:
            self.first_error = f"{location}: {message}"
        self.warn(location, message)

    def _read(self, it: Any, record: Any, n: int, offset: int, location: str) -> None:
        for message in self.log.messages:
            self.warn(location, f"warcio: {message}")
        self.log.messages.clear()
        h = record.rec_headers

        def get(name: str) -> str | None:
            value = h.get_header(name)
            return value[:_MAX_VALUE] if value is not None else None

        rtype = (get("WARC-Type") or "").strip()
        if not self.version:
            self.version = str(h.protocol or "").replace("WARC/", "")
        uri = get("WARC-Target-URI") or ""
        clen_raw = get("Content-Length")
        content_length: int | None = None
        if clen_raw is None:
            self.warn(location, "no Content-Length: the block was read to the end of the file "
                                "(or gzip member)")
        else:
            try:
                content_length = int(clen_raw)
                if content_length < 0:
                    raise ValueError
            except ValueError:
                self.warn(location, f"Content-Length {clen_raw!r} is not a byte count; the "
                                    f"block was not read")
        if not rtype:
            self.warn(location, "no WARC-Type header")
        block = _Digest.start(get("WARC-Block-Digest"), "block")
        payload = _Digest.start(get("WARC-Payload-Digest"), "payload")
        notes: list[str] = []
        if rtype == "revisit" and payload is not None:
            notes.append("revisit: the record holds no payload to check; WARC-Payload-Digest "
                         "names the payload of the earlier capture")
            payload.hasher = None
        if get("WARC-Segment-Number") and payload is not None and payload.hasher is not None:
            notes.append("segmented record: the payload digest covers all segments; not checked")
            payload.hasher = None
        raw = record.raw_stream
        tee = _Tee(raw, block.hasher if block else None)
        http = None
        if rtype in _HTTP_RECORDS and uri.startswith(("http:", "https:")) and record.length != 0:
            from warcio.statusandheaders import StatusAndHeadersParser

            try:
                http = StatusAndHeadersParser([], verify=False).parse(tee)
            except EOFError:
                http = None
            if tee.header_bytes >= _HEADER_CAP:
                self.warn(location, f"HTTP header block over {_HEADER_CAP} bytes; the rest "
                                    f"was read as payload")
        http_ct = (http.get_header("Content-Type") or "") if http else ""
        status: int | None = None
        method = ""
        if http is not None and rtype in ("response", "revisit"):
            code = (http.get_statuscode() or "").strip()
            status = int(code) if code.isdigit() and len(code) <= 3 else None
        elif http is not None and rtype == "request":
            method = str(http.protocol or "")[:32]
        main = None
        if (self.main is None and rtype == "response" and status is not None
                and 200 <= status < 300
                and http_ct.split(";")[0].strip().lower() in _HTML_TYPES):
            main = _MainPage(location, uri, http_ct,
                             (http.get_header("Transfer-Encoding") or "").strip().lower(),
                             (http.get_header("Content-Encoding") or "").strip().lower())
            self.main = main
        keep_info = bytearray() if rtype == "warcinfo" else None
        payload_hasher = payload.hasher if payload else None
        while True:
            chunk = tee.read(_READ_BLOCK)
            if not chunk:
                break
            if payload_hasher is not None:
                payload_hasher.update(chunk)
            if main is not None and not main.cut:
                room = HTML_PARSE_LIMIT - len(main.payload)
                main.payload += chunk[:room]
                main.cut = len(chunk) > room
            if keep_info is not None and len(keep_info) < _WARCINFO_KEEP:
                keep_info += chunk[:_WARCINFO_KEEP - len(keep_info)]
        missing = getattr(raw, "limit", 0) if content_length else 0
        truncated = bool(missing)
        if truncated:
            self.warn(location, f"record truncated: Content-Length is {content_length} but only "
                                f"{content_length - missing} bytes remain before the end of "
                                f"the file; digests not checked")
            notes.append("record truncated: digests not checked")
            for d in (block, payload):
                if d is not None:
                    d.hasher = None
        gaps_before = len(self.gaps)
        it.read_to_end()
        for gap in self.gaps[gaps_before:]:
            self.warn(location, f"record not followed by newline, perhaps Content-Length is "
                                f"invalid: found {gap.found!r} at byte {gap.offset}")
        length = it.get_record_length()
        results: dict[str, tuple[bool | None, str]] = {}
        for what, d in (("block", block), ("payload", payload)):
            if d is None:
                results[what] = (None, "")
                continue
            verified, found = d.verdict()
            results[what] = (verified, found)
            if d.note:
                notes.append(d.note)
                self.warn(location, d.note)
            if verified is False:
                self.warn(location, f"{what} digest failed: expected={d.declared} found={found}")
        date_raw = (get("WARC-Date") or "").strip()
        date = self.time(parse_iso8601, date_raw, "warc:WARC-Date", location)
        http_date = last_modified = None
        if http is not None and rtype in ("response", "revisit"):
            http_date = self.time(parse_rfc2822, http.get_header("Date"), "http:Date", location)
            last_modified = self.time(parse_rfc2822, http.get_header("Last-Modified"),
                                      "http:Last-Modified", location)
        software = ""
        if keep_info is not None:
            m = re.search(rb"(?im)^software\s*:[ \t]*([^\r\n]*)", bytes(keep_info))
            software = m.group(1).decode("utf-8", "replace").strip() if m else ""
        refers_date = None
        if rtype == "revisit":
            refers_date = self.time(parse_iso8601, get("WARC-Refers-To-Date"),
                                    "warc:WARC-Refers-To-Date", location)
        cls = _CLASSES.get(rtype, WarcRecordInfo)
        rec = cls(
            self.origin, location, number=n, offset=offset, length=length, record_type=rtype,
            record_id=get("WARC-Record-ID") or "", target_uri=uri, date=date, date_raw=date_raw,
            warc_content_type=get("Content-Type") or "", content_length=content_length,
            http_status=status, http_method=method,
            content_type=http_ct if http is not None else (get("Content-Type") or ""),
            http_date=http_date,
            block_digest=block.declared if block else "",
            block_digest_verified=results["block"][0], block_digest_found=results["block"][1],
            payload_digest=payload.declared if payload else "",
            payload_digest_verified=results["payload"][0],
            payload_digest_found=results["payload"][1],
            digest_notes=tuple(notes), truncated=truncated,
            ip_address=get("WARC-IP-Address") or "", concurrent_to=get("WARC-Concurrent-To") or "",
            refers_to=get("WARC-Refers-To") or "",
            refers_to_uri=get("WARC-Refers-To-Target-URI") or "", refers_to_date=refers_date,
            profile=get("WARC-Profile") or "", filename=get("WARC-Filename") or "",
            software=software)
        self.records.append(rec)
        data_type = cls.data_type if cls is not WarcRecordInfo else "web:warc"
        if rtype in _ARCHIVED_TYPES and date is not None:
            self.events.append((data_type, "Archived (WARC-Date)", date, location, uri))
        if http_date is not None:
            self.events.append((data_type, "HTTP Date", http_date, location, uri))
        if last_modified is not None:
            self.events.append((data_type, "Content Modified", last_modified, location, uri))

    def emit(self, out: Builder) -> None:
        recs = self.records
        out.meta("File:FileType", "WARC")
        out.meta("WARC:Version", self.version)
        out.meta("WARC:Compression", self.compression)
        out.meta("WARC:Records", len(recs))
        types = Counter(r.record_type or "(none)" for r in recs)
        out.meta("WARC:RecordTypes", ", ".join(f"{t} {c}" for t, c in types.items()))
        out.meta("WARC:Target-URI", next((r.target_uri for r in recs
                                          if r.record_type == "response"), ""))
        out.meta("WARC:Date", recs[0].date_raw if recs else "")
        out.meta("WARC:Software", next((r.software for r in recs if r.software), ""))
        out.meta("WARC:Filename", next((r.filename for r in recs if r.filename), ""))
        verdicts = [v for r in recs for v in (r.block_digest_verified, r.payload_digest_verified)]
        present = sum(1 for r in recs for d in (r.block_digest, r.payload_digest) if d)
        failures = verdicts.count(False)
        out.meta("WARC:DigestsVerified", verdicts.count(True))
        out.meta("WARC:DigestFailures", failures)
        out.meta("WARC:DigestsNotChecked", present - verdicts.count(True) - failures)
        truncated = sum(1 for r in recs if r.truncated)
        if truncated:
            out.meta("WARC:TruncatedRecords", truncated)
            out.flag("truncated record (WARC)")
        if failures:
            out.flag("digest mismatch (WARC)")
        for location, message in self.warnings:
            out.warn(location, message)
        for rec in recs:
            out.record(rec)
        for data_type, description, tv, location, url in self.events:
            out.event(data_type, description, tv, location=location, url=url)
        main = self.main
        if main is not None:
            data = bytes(main.payload)
            if main.cut:
                out.warn(main.location, f"main page payload over {HTML_PARSE_LIMIT} bytes; the "
                                        f"page text was read from the first {HTML_PARSE_LIMIT}")
            if "chunked" in main.transfer_encoding:
                data, problem = _dechunk(data)
                if problem:
                    out.warn(main.location, problem)
            data, problem = _decompress(data, main.content_encoding)
            if problem:
                out.warn(main.location, problem)
            info = extract_html(data, charset=_charset(main.content_type), charset_source="http",
                                default_zone=self.ctx.default_zone)
            emit_html(out, info, location=main.location, url=main.url)


# --- the parser --------------------------------------------------------------------------------


class WarcParser(Parser):
    """WARC files, plain or gzip (see the module docstring)."""

    name: ClassVar[str] = "warc"
    version: ClassVar[str] = "1"
    media_types: ClassVar[tuple[str, ...]] = ("application/warc",)

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        fh.seek(0)
        head = fh.read(16)
        fh.seek(0)
        if not head:
            raise WrongFormat("not a WARC file: the file is empty")
        gz = head.startswith(b"\x1f\x8b")
        if not gz and not head.startswith(b"WARC/"):
            raise WrongFormat(f"not a WARC file: it starts with {head[:12]!r}, not 'WARC/'")
        budget = max(MIN_DECOMPRESSED_BUDGET, DECOMPRESSION_RATIO * max(ctx.size, 0))
        scan = _Scan(out.origin, ctx, budget, "gzip (one member per record)" if gz else "none")
        try:
            scan.run(fh)
        except _WholeFileGzip:
            fh.seek(0)
            scan = _Scan(out.origin, ctx, budget, "gzip (whole file)")
            scan.warn("file", "the whole file is one gzip stream (not one member per record): "
                              "offsets are positions in the decompressed data")
            problems: list[str] = []
            scan.run(_GzipStream(fh, problems))
            for p in problems:
                scan.warn("gzip stream", p)
        if not scan.records:
            raise WrongFormat(scan.first_error or "not a WARC file: no record found")
        scan.emit(out)


PARSERS: tuple[type[Parser], ...] = (WarcParser,)
