"""PDF documents: the document information dictionary, XMP metadata, and the revision history.

Format: ISO 32000-1:2008 (PDF 1.7), https://opensource.adobe.com/dc-acrobat-sdk-docs/pdfstandards/
PDF32000_2008.pdf - header (7.5.2), trailer and incremental updates (7.5.5, 7.5.6), document
information dictionary and dates (14.3.3, 7.9.4), metadata streams (14.3.2), linearization
(Annex F), signatures (12.8.1).  XMP: ISO 16684-1 / Adobe XMP Specification Part 1,
https://github.com/adobe/XMP-Toolkit-SDK/tree/main/docs.

What is read, with ExifTool's ``-G -n`` names and value forms:

* ``PDF:PDFVersion`` (header), ``PDF:Linearized`` (true only when the linearization dictionary's
  ``/L`` equals the file length, as ExifTool decides), ``PDF:PageCount`` (``/Pages /Count``; page
  contents are never parsed), ``PDF:Encryption`` (``Standard V2.3 (128-bit)``);
* the Info dictionary: ``PDF:CreateDate``/``PDF:ModifyDate`` in ExifTool's form
  (``2005:07:18 14:30:45-04:00``), ``PDF:Producer``, ``PDF:Creator``, ``PDF:Author``,
  ``PDF:Title``, ``PDF:Subject``, ``PDF:Keywords``, ``PDF:Trapped`` and any other key
  (``PTEX.Fullbanner`` -> ``PDF:PTEX_Fullbanner``); from the catalog ``PDF:PageLayout``,
  ``PDF:PageMode``, ``PDF:Language``, ``PDF:TaggedPDF``;
* the catalog's XMP stream (:func:`read_xmp`): ``XMP:CreateDate``, ``XMP:ModifyDate``,
  ``XMP:MetadataDate``, ``XMP:Producer``, ``XMP:CreatorTool``, ``XMP:DocumentID``,
  ``XMP:InstanceID`` and the other simple properties;
* ``PDF:Revisions`` (our name: how many times the file was saved, from its ``%%EOF`` markers, the
  linearization section not counted) and ``PDF:Signatures`` (``/ByteRange`` arrays).

A file saved again after its first save (an incremental update) is flagged, and so is content
appended after the last signature: a notarial certificate re-saved after signing must say so.
Info and XMP dates that disagree are flagged too.

Lists (``PDF:Keywords`` split at commas by ExifTool, ``XMP:Subject``...) are kept as one string
joined with ``", "`` (ExifTool's list separator).  The library is pypdf (BSD, pure Python), run
with ``strict=False``; its log messages become warnings of the artifact.

Examples
--------
>>> exiftool_pdf_date("D:20050718143045-04'00'")
'2005:07:18 14:30:45-04:00'
>>> json_value("1.3"), json_value("False"), json_value("0210")
(1.3, False, '0210')
"""

from __future__ import annotations

import io
import logging
import re
import threading
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.records import Record, Scalar
from forensics.timestamps import TimeValue, Zone, parse_iso8601, parse_pdf_date

__all__ = [
    "MAX_SCAN_BYTES",
    "MAX_XMP_BYTES",
    "PARSERS",
    "PdfDocument",
    "PdfParser",
    "XmpPacket",
    "exiftool_pdf_date",
    "exiftool_xmp_date",
    "json_value",
    "read_xmp",
]

#: The raw scan for ``%%EOF`` markers and signatures reads at most this much of the file.
MAX_SCAN_BYTES = 512 * 1024 * 1024
#: An XMP packet larger than this is not parsed (a warning says so).
MAX_XMP_BYTES = 8 * 1024 * 1024
#: Info dictionary entries read at most (a hostile file may have millions).
MAX_INFO_KEYS = 200
#: pypdf messages kept as warnings for one file (the rest are counted).
MAX_LIBRARY_WARNINGS = 20
#: XMP properties read at most, and their deepest nesting.
MAX_XMP_PROPERTIES = 5000
MAX_XMP_DEPTH = 16

#: A file pypdf cannot open is scanned for Info entries in at most this many leading bytes.
MAX_RAW_FALLBACK_BYTES = 64 * 1024 * 1024

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XML_NS = "http://www.w3.org/XML/1998/namespace"
_META_NS = "adobe:ns:meta/"
_CHUNK = 1 << 20

#: ExifTool's names for Info dictionary keys that differ from the key itself.
_INFO_NAMES = {"CreationDate": "CreateDate", "ModDate": "ModifyDate"}


@dataclass(frozen=True, slots=True)
class PdfDocument(Record):
    """One PDF file: header facts, Info dictionary, XMP and revision history."""

    data_type: ClassVar[str] = "pdf:document"
    version: str = ""
    page_count: int | None = None
    linearized: bool = False
    encrypted: bool = False
    encryption: str = ""
    decrypted: bool | None = None  # None: not encrypted; False: a user password is needed
    title: str = ""
    author: str = ""
    subject: str = ""
    keywords: str = ""
    creator: str = ""
    producer: str = ""
    create_date: TimeValue | None = None
    modify_date: TimeValue | None = None
    xmp_create_date: TimeValue | None = None
    xmp_modify_date: TimeValue | None = None
    xmp_metadata_date: TimeValue | None = None
    xmp_creator_tool: str = ""
    xmp_producer: str = ""
    document_id: str = ""
    instance_id: str = ""
    revisions: int = 1
    signatures: int = 0
    signed_bytes: int | None = None  # bytes covered by the last signature's /ByteRange


# -- ExifTool value forms -----------------------------------------------------------------------

_JSON_NUMBER = re.compile(r"-?(?:\d|[1-9]\d{1,14})(?:\.\d{1,16})?(?:[eE][-+]?\d{1,3})?")


def json_value(text: str) -> Scalar:
    """A string as ``exiftool -json`` prints it: ``true``/``false`` and plain numbers unquoted.

    >>> json_value("2010"), json_value("true"), json_value("+1"), json_value("1 of 2")
    (2010, True, '+1', '1 of 2')
    """
    if text.lower() in ("true", "false"):
        return text.lower() == "true"
    if _JSON_NUMBER.fullmatch(text):
        if re.fullmatch(r"-?\d+", text):
            return int(text)
        return float(text)
    return text


def exiftool_pdf_date(text: str) -> str:
    """A PDF date in ExifTool's form (missing parts filled as ExifTool does).

    >>> exiftool_pdf_date("D:20000629102108+11'00'")
    '2000:06:29 10:21:08+11:00'
    >>> exiftool_pdf_date("D:2005"), exiftool_pdf_date("D:20050718143045Z")
    ('2005:01:01 00:00:00', '2005:07:18 14:30:45Z')
    """
    date = text.strip()
    if date.startswith("D:"):
        date = date[2:]
    default = "00000101000000"
    if len(date) < len(default):
        date += default[len(date):]
    m = re.match(r"(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(.*)", date, re.S)
    if not m:
        return text
    out = f"{m[1]}:{m[2]}:{m[3]} {m[4]}:{m[5]}:{m[6]}"
    tz = m[7]
    if tz:
        if re.match(r"\s*Z", tz, re.I):
            out += "Z"
        else:
            z = re.match(r"\s*([-+])\s*(\d+)[': ]+(\d*)", tz)
            if z:
                out += f"{z[1]}{z[2]}:{z[3] or '00'}"
    return out


def exiftool_xmp_date(text: str) -> str:
    """An XMP date in ExifTool's form (``2000-06-29T10:21:08+11:00`` -> ``2000:06:29 10:21:08+11:00``).

    >>> exiftool_xmp_date("2013-10-28T15:24:13-04:00"), exiftool_xmp_date("2004-02-26")
    ('2013:10:28 15:24:13-04:00', '2004:02:26')
    """
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(:\d{2})?(\S*)", text)
    if m:
        return f"{m[1]}:{m[2]}:{m[3]} {m[4]}:{m[5]}{m[6] or ''}{m[7]}"
    if re.match(r"\d{4}(-\d{2}){0,2}", text):
        return text.replace("-", ":")
    return text


# -- XMP ----------------------------------------------------------------------------------------

def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _ucfirst(name: str) -> str:
    return name[:1].upper() + name[1:]


def _is_date_tag(name: str) -> bool:
    return "Date" in name or name.endswith("When")


@dataclass(frozen=True, slots=True)
class XmpPacket:
    """What :func:`read_xmp` found: ExifTool-named tags, the first raw text of each, problems."""

    tags: tuple[tuple[str, Scalar], ...] = ()
    raw: dict[str, str] = field(default_factory=dict)
    problems: tuple[str, ...] = ()


def read_xmp(data: bytes) -> XmpPacket:
    """XMP properties as ExifTool names them (``XMP:`` group), and the problems found.

    Entity declarations are refused (no expansion, no network, no DTD); a packet larger than
    :data:`MAX_XMP_BYTES` is not read.  Structures are flattened as ExifTool does (``JobRef`` /
    ``name`` -> ``JobRefName``); arrays are joined with ``", "``; dates take ExifTool's form.

    >>> x = read_xmp(b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
    ...     b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
    ...     b'xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmp:CreateDate="2022-05-28T18:46:53+02:00"/>'
    ...     b'</rdf:RDF></x:xmpmeta>')
    >>> x.tags, x.raw["CreateDate"], x.problems
    ((('CreateDate', '2022:05:28 18:46:53+02:00'),), '2022-05-28T18:46:53+02:00', ())
    """
    if len(data) > MAX_XMP_BYTES:
        return XmpPacket(problems=(f"XMP packet is {len(data)} bytes, over the "
                                   f"{MAX_XMP_BYTES}-byte limit; not read",))
    if re.search(rb"<!\s*(DOCTYPE|ENTITY)", data, re.I):
        return XmpPacket(problems=("XMP packet declares a DOCTYPE or entities; not read "
                                   "(entity expansion refused)",))
    from lxml import etree

    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, remove_pis=True)
    text = data.strip(b"\x00 \t\r\n")
    root = None
    try:
        root = etree.fromstring(text, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        # Trailing padding or junk around the packet: retry with the xmpmeta element alone.
        m = re.search(rb"<(x:x[am]pmeta|rdf:RDF)\b.*?</\1\s*>", text, re.S)
        if m:
            try:
                root = etree.fromstring(m.group(0), parser)
            except (etree.XMLSyntaxError, ValueError):
                root = None
        if root is None:
            return XmpPacket(problems=(f"XMP packet is not well-formed XML: {exc}",))
    found: dict[str, list[str]] = {}
    is_list: set[str] = set()

    def emit(name: str, value: str, listed: bool = False) -> None:
        if sum(len(v) for v in found.values()) >= MAX_XMP_PROPERTIES:
            return
        found.setdefault(name, []).append(value)
        if listed:
            is_list.add(name)

    def attributes(el: Any, prefix: str) -> None:
        for key, value in el.attrib.items():
            if key.startswith(("{" + _RDF, "{" + _XML_NS)) or key == "about":
                continue
            emit(prefix + _ucfirst(_local(key)), value)

    def prop(el: Any, prefix: str, depth: int, listed: bool = False) -> None:
        if depth > MAX_XMP_DEPTH or not isinstance(el.tag, str):
            return
        name = prefix + _ucfirst(_local(el.tag))
        resource = el.get(f"{{{_RDF}}}resource")
        if resource is not None:
            emit(name, resource, listed)
            return
        kids = [c for c in el if isinstance(c.tag, str)]
        if el.get(f"{{{_RDF}}}parseType") == "Resource":
            for c in kids:
                prop(c, name, depth + 1, listed)
            return
        if not kids:
            plain = [k for k in el.attrib if not k.startswith(("{" + _RDF, "{" + _XML_NS))]
            if plain:
                attributes(el, name)
            elif el.text and el.text.strip():
                emit(name, el.text, listed)
            return
        first = kids[0]
        if first.tag in (f"{{{_RDF}}}Seq", f"{{{_RDF}}}Bag", f"{{{_RDF}}}Alt"):
            items = [li for li in first if li.tag == f"{{{_RDF}}}li"]
            if first.tag == f"{{{_RDF}}}Alt":
                default = [li for li in items if li.get(f"{{{_XML_NS}}}lang") == "x-default"]
                items = (default or items)[:1]
            for li in items:
                sub = [c for c in li if isinstance(c.tag, str)]
                if li.get(f"{{{_RDF}}}parseType") == "Resource" or sub:
                    for c in sub:
                        if c.tag == f"{{{_RDF}}}Description":
                            attributes(c, name)
                            for cc in c:
                                prop(cc, name, depth + 2, True)
                        else:
                            prop(c, name, depth + 1, True)
                elif li.text and li.text.strip():
                    emit(name, li.text, first.tag != f"{{{_RDF}}}Alt")
            return
        for c in kids:  # a structure, with or without an rdf:Description wrapper
            if c.tag == f"{{{_RDF}}}Description":
                attributes(c, name)
                for cc in c:
                    prop(cc, name, depth + 2, listed)
            else:
                prop(c, name, depth + 1, listed)

    toolkit = root.get(f"{{{_META_NS}}}xmptk") or root.get(f"{{{_META_NS}}}xaptk")
    if toolkit:
        emit("XMPToolkit", toolkit)
    for desc in root.iter(f"{{{_RDF}}}Description"):
        parent = desc.getparent()
        if parent is None or parent.tag != f"{{{_RDF}}}RDF":
            continue
        about = desc.get(f"{{{_RDF}}}about") or desc.get("about")
        if about:
            emit("About", about)
        attributes(desc, "")
        for el in desc:
            prop(el, "", 0)
    tags: list[tuple[str, Scalar]] = []
    for name, values in found.items():
        if name == "About":
            values = values[:1]
        if _is_date_tag(name):
            values = [exiftool_xmp_date(v) for v in values]
        if name in is_list or len(values) > 1:
            tags.append((name, ", ".join(values)))
        else:
            tags.append((name, json_value(values[0])))
    return XmpPacket(tuple(tags), {k: v[0] for k, v in found.items()}, ())


# -- pypdf plumbing -----------------------------------------------------------------------------

_LOG_LOCK = threading.Lock()
_LOG_USERS = 0
_LOG_PROPAGATE = True


class _Collect(logging.Handler):
    """Keeps pypdf's log messages of the current thread."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.thread = threading.get_ident()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread and record.levelno >= logging.WARNING:
            try:
                self.messages.append(record.getMessage())
            except Exception:  # a badly formatted library message
                self.messages.append(str(record.msg))


@contextmanager
def _quiet_pypdf() -> Iterator[_Collect]:
    """Silence pypdf's logger and Python warnings; collect them instead."""
    global _LOG_USERS, _LOG_PROPAGATE
    log = logging.getLogger("pypdf")
    handler = _Collect()
    with _LOG_LOCK:
        if _LOG_USERS == 0:
            _LOG_PROPAGATE = log.propagate
            log.propagate = False
        _LOG_USERS += 1
        log.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield handler
        handler.messages.extend(str(w.message) for w in caught)
    finally:
        with _LOG_LOCK:
            log.removeHandler(handler)
            _LOG_USERS -= 1
            if _LOG_USERS == 0:
                log.propagate = _LOG_PROPAGATE


def _text(value: Any) -> Scalar:
    """A pypdf object as a metadata value (None for dictionaries, arrays and streams)."""
    from pypdf.generic import (
        BooleanObject,
        ByteStringObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    if isinstance(value, BooleanObject):
        return bool(value)
    if isinstance(value, NameObject):
        return str(value)[1:]
    if isinstance(value, TextStringObject):
        return str(value).rstrip("\x00")
    if isinstance(value, ByteStringObject):
        return bytes(value).decode("latin-1").rstrip("\x00")
    if isinstance(value, NumberObject):
        return int(value)
    if isinstance(value, FloatObject):
        return float(value)
    if isinstance(value, str):
        return value
    return None


def _resolve(value: Any) -> Any:
    return value.get_object() if hasattr(value, "get_object") else value


def _encryption(enc: Any) -> str:
    """ExifTool's ``PDF:Encryption`` form: ``Standard V2.3 (128-bit)``."""
    filt = _text(_resolve(enc.get("/Filter"))) or "?"
    v = _resolve(enc.get("/V"))
    r = _resolve(enc.get("/R"))
    length = _resolve(enc.get("/Length"))
    ver = int(v) if isinstance(v, int) else 0
    text = f"{filt} V{ver}"
    if filt == "Standard" and isinstance(r, int):
        text += f".{int(r)}"
    bits = int(length) if isinstance(length, int) else (40 if ver == 1 else None)
    if bits:
        text += f" ({bits}-bit)"
    return text


_RAW_INFO = re.compile(rb"/(CreationDate|ModDate|Producer|Creator|Author|Title|Subject|Keywords)"
                       rb"\s*(?=[(<])")
_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b",
            ord("f"): b"\f", ord("("): b"(", ord(")"): b")", ord("\\"): b"\\"}


def _decode_pdf_string(raw: bytes) -> str:
    """A PDF text string: UTF-16BE with a byte-order mark, UTF-8 with one, else PDFDocEncoding
    (read as Latin-1, which agrees with it for letters and digits)."""
    if raw.startswith(b"\xfe\xff"):
        return raw[2:].decode("utf-16-be", errors="replace").rstrip("\x00")
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace").rstrip("\x00")
    return raw.decode("latin-1").rstrip("\x00")


def _raw_string(data: bytes, at: int, limit: int = 4096) -> str | None:
    r"""The PDF string (literal ``(...)`` or hex ``<...>``) starting at ``at``, or None.

    >>> _raw_string(b"(a\\(b\\) (c) \\101)", 0), _raw_string(b"<FEFF0041>", 0)
    ('a(b) (c) A', 'A')
    """
    if data[at:at + 1] == b"<":
        end = data.find(b">", at, at + limit)
        if end < 0:
            return None
        hexed = re.sub(rb"\s", b"", data[at + 1:end])
        if len(hexed) % 2:
            hexed += b"0"
        try:
            return _decode_pdf_string(bytes.fromhex(hexed.decode("ascii")))
        except ValueError:
            return None
    if data[at:at + 1] != b"(":
        return None
    out, depth, i, stop = bytearray(), 1, at + 1, min(len(data), at + limit)
    while i < stop:
        c = data[i]
        if c == 0x5C and i + 1 < stop:  # backslash
            n = data[i + 1]
            if n in _ESCAPES:
                out += _ESCAPES[n]
                i += 2
            elif 0x30 <= n <= 0x37:
                m = re.match(rb"[0-7]{1,3}", data[i + 1:i + 4])
                out.append(int(m.group(0), 8) & 0xFF)  # type: ignore[union-attr]
                i += 1 + len(m.group(0))  # type: ignore[union-attr]
            elif n in (0x0A, 0x0D):
                i += 3 if data[i + 1:i + 3] == b"\r\n" else 2
            else:
                out.append(n)
                i += 2
            continue
        if c == 0x28:
            depth += 1
        elif c == 0x29:
            depth -= 1
            if depth == 0:
                return _decode_pdf_string(bytes(out))
        out.append(c)
        i += 1
    return None


# -- raw scan -----------------------------------------------------------------------------------

@dataclass(slots=True)
class _Scan:
    eof_offsets: list[int]
    byte_ranges: list[tuple[int, int, int, int]]
    scanned: int
    linearized_length: int | None
    has_linearization: bool


def _scan(fh: BinaryIO, size: int, head: bytes) -> _Scan:
    """``%%EOF`` markers and ``/ByteRange`` arrays, read in fixed-size blocks."""
    lin = re.search(rb"\d+\s+\d+\s+obj\s*<<(.{0,2000}?)>>", head, re.S)
    has_lin = bool(lin and b"/Linearized" in lin.group(1))
    lin_len = None
    if has_lin and lin:
        m = re.search(rb"/L\s+(\d{1,15})\b", lin.group(1))
        lin_len = int(m.group(1)) if m else None
    eofs: list[int] = []
    ranges: list[tuple[int, int, int, int]] = []
    br = re.compile(rb"/ByteRange\s*\[\s*(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s+(\d{1,15})\s*\]")
    fh.seek(0)
    pos = 0
    tail = b""
    limit = min(size, MAX_SCAN_BYTES)
    while pos < limit:
        block = fh.read(min(_CHUNK, limit - pos))
        if not block:
            break
        buf = tail + block
        base = pos - len(tail)
        keep = 80  # longest match we may cut (a /ByteRange array) fits in the overlap
        cut = max(0, len(buf) - keep) if pos + len(block) < limit else len(buf)
        for m in re.finditer(rb"%%EOF", buf):
            if m.start() < cut or cut == len(buf):
                eofs.append(base + m.start())
        for m in br.finditer(buf):
            if m.start() < cut or cut == len(buf):
                ranges.append(tuple(int(g) for g in m.groups()))  # type: ignore[arg-type]
        tail = buf[cut:] if cut < len(buf) else b""
        pos += len(block)
    return _Scan(sorted(set(eofs)), list(dict.fromkeys(ranges)), pos, lin_len, has_lin)


# -- the parser ---------------------------------------------------------------------------------

def _same_time(a: TimeValue, b: TimeValue) -> bool:
    """Equal instants when both zones are written, else equal wall readings."""
    if a.zone is Zone.EXPLICIT and b.zone is Zone.EXPLICIT:
        return a.earliest == b.earliest and a.latest == b.latest
    digits_a = re.sub(r"\D", "", a.original.removeprefix("D:"))[:14]
    digits_b = re.sub(r"\D", "", b.original)[:14]
    n = min(len(digits_a), len(digits_b))
    return digits_a[:n] == digits_b[:n]


def _xmp_time(out: Builder, raw: str, source: str, zone: str | None) -> TimeValue | None:
    """An XMP date; year or year-month alone read with the PDF reader's partial forms."""
    text = raw.strip()
    if re.fullmatch(r"\d{4}(-\d{2})?", text):
        return out.time(parse_pdf_date, text.replace("-", ""), source, "XMP", default_zone=zone)
    return out.time(parse_iso8601, text, source, "XMP", default_zone=zone)


class PdfParser(Parser):
    """PDF: header, Info dictionary, catalog, XMP, revisions and signatures (pypdf)."""

    name: ClassVar[str] = "pdf"
    version: ClassVar[str] = "1"
    media_types: ClassVar[tuple[str, ...]] = ("application/pdf",)

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        fh.seek(0)
        head = fh.read(2048)
        at = head.find(b"%PDF-", 0, 1024 + 5)
        if at < 0:
            start = head[:16].decode("latin-1").encode("unicode_escape").decode("ascii")
            raise WrongFormat(f"not a PDF: no %PDF- header in the first 1024 bytes "
                              f"(starts with {start!r})")
        m = re.match(rb"%PDF-(\d{1,2}\.\d{1,2})", head[at:])
        version = m.group(1).decode("ascii") if m else ""
        out.meta("File:FileType", "PDF")
        if version:
            out.meta("PDF:PDFVersion", json_value(version))
        else:
            out.warn(f"header at byte {at}", f"%PDF- header without a version number: "
                                         f"{head[at:at + 12]!r}")
        if at:
            out.warn("header", f"%PDF- header starts at byte {at}, not 0 (junk before it)")

        scan = _scan(fh, size, head[at:])
        linearized = scan.has_linearization and scan.linearized_length == size
        out.meta("PDF:Linearized", linearized)
        if scan.has_linearization and scan.linearized_length != size:
            out.warn("linearization dictionary", f"/L says {scan.linearized_length} bytes but "
                                                 f"the file has {size}: changed after it was "
                                                 f"linearized")
        if scan.scanned < size:
            out.warn("-", f"only the first {scan.scanned} of {size} bytes were scanned for "
                          f"%%EOF markers and signatures")

        fields: dict[str, Any] = {"version": version, "linearized": linearized}
        with _quiet_pypdf() as log:
            try:
                self._read(fh, ctx, out, fields)
            except Exception as exc:  # pypdf raises many types on bad input
                out.warn("document structure", f"pypdf could not read the file: "
                                                f"{type(exc).__name__}: {exc}")
                self._raw_fallback(fh, ctx, out, fields)
        seen: set[str] = set()
        for msg in log.messages:
            if msg in seen:
                continue
            seen.add(msg)
            if len(seen) > MAX_LIBRARY_WARNINGS:
                out.warn("pypdf", f"{len(set(log.messages)) - MAX_LIBRARY_WARNINGS} more pypdf "
                                  f"messages not kept")
                break
            out.warn("pypdf", msg)

        self._revisions(scan, size, out, fields)
        self._compare(out, fields)
        out.record(PdfDocument(origin=out.origin, location="document", **fields))

    # -- pieces -------------------------------------------------------------------------------
    def _read(self, fh: BinaryIO, ctx: ParseContext, out: Builder, fields: dict[str, Any]) -> None:
        import pypdf
        from pypdf import PasswordType

        fh.seek(0)
        reader = pypdf.PdfReader(fh, strict=False)
        trailer = reader.trailer
        if reader.is_encrypted:
            fields["encrypted"] = True
            try:
                enc = _resolve(trailer.get("/Encrypt"))
                fields["encryption"] = _encryption(enc)
                out.meta("PDF:Encryption", fields["encryption"])
            except Exception as exc:
                out.warn("encryption dictionary", f"cannot read: {type(exc).__name__}: {exc}")
            try:
                ok = reader.decrypt("") != PasswordType.NOT_DECRYPTED
            except Exception as exc:  # unsupported handler, missing crypto module
                out.warn("encryption dictionary", f"cannot decrypt: {type(exc).__name__}: {exc}")
                ok = False
            fields["decrypted"] = ok
            if not ok:
                out.warn("encryption dictionary", "encrypted with a user password: Info strings, "
                                                  "XMP and page count cannot be read without it")
                return
            out.warn("encryption dictionary", "encrypted, opened with the empty user password "
                                              "(no password needed to read it)")
        self._info(trailer, ctx, out, fields)
        self._catalog(trailer, ctx, out, fields)

    def _raw_fallback(self, fh: BinaryIO, ctx: ParseContext, out: Builder,
                      fields: dict[str, Any]) -> None:
        """No usable cross-reference (a cut or damaged file): find Info entries and an
        uncompressed XMP packet by scanning the bytes; the latest value of each key wins."""
        fh.seek(0)
        data = fh.read(MAX_RAW_FALLBACK_BYTES)
        found: dict[str, str] = {}
        for m in _RAW_INFO.finditer(data):
            value = _raw_string(data, m.end())
            if value is not None:
                found[m.group(1).decode("ascii")] = value
        xmp = None
        for m in re.finditer(rb"<x:x[am]pmeta\b.*?</x:x[am]pmeta\s*>", data, re.S):
            xmp = m.group(0)
        if not found and xmp is None:
            return
        out.warn("document structure", f"read by a raw scan of the bytes instead: "
                                        f"{len(found)} Info entries"
                                        f"{' and an XMP packet' if xmp is not None else ''}")
        for name, value in found.items():
            tag = _INFO_NAMES.get(name, name)
            if name in ("CreationDate", "ModDate"):
                out.meta(f"PDF:{tag}", exiftool_pdf_date(value))
                when = out.time(parse_pdf_date, value, f"pdf:{name}", "Info (raw scan)",
                                default_zone=ctx.default_zone)
                fields["create_date" if name == "CreationDate" else "modify_date"] = when
                out.event("pdf:document", "Content Created" if name == "CreationDate"
                          else "Content Modified", when, location="Info (raw scan)")
            else:
                out.meta(f"PDF:{tag}", json_value(value))
                fields[name.lower()] = value
        if xmp is not None:
            packet = read_xmp(xmp)
            for p in packet.problems:
                out.warn("XMP (raw scan)", p)
            self._xmp(packet, ctx, out, fields)

    def _info(self, trailer: Any, ctx: ParseContext, out: Builder, fields: dict[str, Any]) -> None:
        try:
            info = _resolve(trailer.get("/Info"))
        except Exception as exc:
            out.warn("Info dictionary", f"cannot read: {type(exc).__name__}: {exc}")
            return
        if info is None:
            return
        if not hasattr(info, "items"):
            out.warn("Info dictionary", f"/Info is a {type(info).__name__}, not a dictionary")
            return
        for n, (key, raw) in enumerate(info.items()):
            if n >= MAX_INFO_KEYS:
                out.warn("Info dictionary", f"more than {MAX_INFO_KEYS} entries; the rest ignored")
                break
            name = str(key).lstrip("/")
            try:
                value = _text(_resolve(raw))
            except Exception as exc:
                out.warn("Info dictionary", f"/{name}: cannot read: {type(exc).__name__}: {exc}")
                continue
            if value is None or value == "":
                continue
            tag = _INFO_NAMES.get(name, re.sub(r"\W", "_", name))
            if name in ("CreationDate", "ModDate") and isinstance(value, str):
                out.meta(f"PDF:{tag}", exiftool_pdf_date(value))
                source = f"pdf:{name}"
                when = out.time(parse_pdf_date, value, source, "Info dictionary",
                                default_zone=ctx.default_zone)
                fields["create_date" if name == "CreationDate" else "modify_date"] = when
                out.event("pdf:document", "Content Created" if name == "CreationDate"
                          else "Content Modified", when, location="Info dictionary")
                continue
            out.meta(f"PDF:{tag}", json_value(value) if isinstance(value, str) else value)
            if name in ("Title", "Author", "Subject", "Keywords", "Creator", "Producer"):
                fields[name.lower()] = str(value)

    def _catalog(self, trailer: Any, ctx: ParseContext, out: Builder, fields: dict[str, Any]) -> None:
        try:
            root = _resolve(trailer.get("/Root"))
        except Exception as exc:
            out.warn("catalog", f"cannot read: {type(exc).__name__}: {exc}")
            return
        if root is None or not hasattr(root, "get"):
            out.warn("catalog", "no document catalog (/Root) in the trailer")
            return
        try:
            pages = _resolve(root.get("/Pages"))
            count = _resolve(pages.get("/Count")) if hasattr(pages, "get") else None
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                fields["page_count"] = int(count)
                out.meta("PDF:PageCount", int(count))
            else:
                out.warn("catalog", f"page tree has no usable /Count ({count!r})")
        except Exception as exc:
            out.warn("catalog", f"page tree: {type(exc).__name__}: {exc}")
        for key, tag in (("/PageLayout", "PageLayout"), ("/PageMode", "PageMode"),
                         ("/Lang", "Language")):
            try:
                value = _text(_resolve(root.get(key)))
            except Exception:  # optional entries; a bad one is skipped
                value = None
            if isinstance(value, str):
                out.meta(f"PDF:{tag}", value)
        try:
            mark = _resolve(root.get("/MarkInfo"))
            marked = _text(_resolve(mark.get("/Marked"))) if hasattr(mark, "get") else None
            if isinstance(marked, bool):
                out.meta("PDF:TaggedPDF", bool(marked))
        except Exception as exc:  # an optional entry: say it could not be read, go on
            out.warn("catalog /MarkInfo", f"not readable: {type(exc).__name__}")
        try:
            meta = _resolve(root.get("/Metadata"))
        except Exception as exc:
            out.warn("XMP metadata stream", f"cannot read: {type(exc).__name__}: {exc}")
            return
        if meta is None:
            return
        if not hasattr(meta, "get_data"):
            out.warn("XMP metadata stream", f"/Metadata is a {type(meta).__name__}, not a stream")
            return
        length = _resolve(meta.get("/Length"))
        if isinstance(length, int) and length > MAX_XMP_BYTES:
            out.warn("XMP metadata stream", f"/Length {length} is over the {MAX_XMP_BYTES}-byte "
                                            f"limit; not read")
            return
        try:
            data = meta.get_data()
        except Exception as exc:
            out.warn("XMP metadata stream", f"cannot decode: {type(exc).__name__}: {exc}")
            return
        xmp = read_xmp(bytes(data))
        for p in xmp.problems:
            out.warn("XMP metadata stream", p)
        self._xmp(xmp, ctx, out, fields)

    def _xmp(self, xmp: XmpPacket, ctx: ParseContext, out: Builder,
             fields: dict[str, Any]) -> None:
        for name, value in xmp.tags:
            out.meta(f"XMP:{name}", value)
        raw = xmp.raw
        plain = {"CreatorTool": "xmp_creator_tool", "Producer": "xmp_producer",
                 "DocumentID": "document_id", "InstanceID": "instance_id"}
        for name, key in plain.items():
            if name in raw:
                fields[key] = raw[name]
        # Events read the original ISO text, not ExifTool's colon form.
        for name, key, desc in (("CreateDate", "xmp_create_date", "Content Created"),
                                ("ModifyDate", "xmp_modify_date", "Content Modified"),
                                ("MetadataDate", "xmp_metadata_date", "Metadata Modified")):
            if name not in raw:
                continue
            when = _xmp_time(out, raw[name], f"xmp:{name}", ctx.default_zone)
            fields[key] = when
            out.event("pdf:document", desc, when, location="XMP")

    def _revisions(self, scan: _Scan, size: int, out: Builder, fields: dict[str, Any]) -> None:
        eofs = len(scan.eof_offsets)
        revisions = max(1, eofs - (1 if scan.has_linearization and eofs > 1 else 0))
        if eofs == 0:
            out.warn("end of file", "no %%EOF marker: the file is truncated or damaged")
        fields["revisions"] = revisions
        out.meta("PDF:Revisions", revisions)
        if revisions > 1:
            out.flag(f"incremental updates: saved {revisions} times (the later saves changed "
                     f"or added objects after the first)")
        if scan.byte_ranges:
            fields["signatures"] = len(scan.byte_ranges)
            out.meta("PDF:Signatures", len(scan.byte_ranges))
            a, b, c, d = max(scan.byte_ranges, key=lambda r: r[2] + r[3])
            end = c + d
            fields["signed_bytes"] = end
            if a != 0 or end > size:
                out.warn("signature", f"/ByteRange [{a} {b} {c} {d}] does not fit a file of "
                                      f"{size} bytes")
            later = [e for e in scan.eof_offsets if e >= end]
            if end < size and later:
                out.flag(f"changed after signing: the last signature covers bytes 0-{end} of "
                         f"{size}; {len(later)} later save(s) follow")

    def _compare(self, out: Builder, fields: dict[str, Any]) -> None:
        for label, a_key, b_key in (("CreateDate", "create_date", "xmp_create_date"),
                                    ("ModifyDate", "modify_date", "xmp_modify_date")):
            a, b = fields.get(a_key), fields.get(b_key)
            if a is not None and b is not None and not _same_time(a, b):
                out.flag(f"info/xmp dates disagree: {label} Info {a.original} vs XMP {b.original}")


PARSERS: tuple[type[Parser], ...] = (PdfParser,)
