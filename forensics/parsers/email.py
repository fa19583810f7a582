"""E-mail: RFC 5322 messages (``.eml``), mbox mailboxes (``.mbox``) and Outlook ``.msg`` files.

Specifications: `RFC 5322 <https://www.rfc-editor.org/rfc/rfc5322>`_ (message format),
`RFC 2045-2049 <https://www.rfc-editor.org/rfc/rfc2045>`_ (MIME),
`RFC 2047 <https://www.rfc-editor.org/rfc/rfc2047>`_ (encoded words in headers),
`RFC 2231 <https://www.rfc-editor.org/rfc/rfc2231>`_ (parameter charsets and continuations),
`RFC 6532 <https://www.rfc-editor.org/rfc/rfc6532>`_ (UTF-8 headers),
`RFC 4155 <https://www.rfc-editor.org/rfc/rfc4155>`_ (mbox),
`RFC 6376 <https://www.rfc-editor.org/rfc/rfc6376>`_ (DKIM signatures), and Microsoft's
`[MS-OXMSG] <https://learn.microsoft.com/openspecs/exchange_server_protocols/ms-oxmsg>`_ (.msg).

Messages are read with the standard library's :mod:`email` package: the MIME structure with the
``compat32`` policy (plain strings, fast), the display headers with ``policy.default``'s header
parser, so the decoded header values are the ones Python shows.  Text is decoded by
:func:`decode_text`, which reads a charset label through its superset (GB2312 and GBK as
GB18030, Big5 as Big5-HKSCS/CP950, ISO-2022-JP with its extensions), recognises UTF-8
mislabelled as a legacy charset, and for undeclared 8-bit text tries UTF-8, GB18030, then
Latin-1, recording which one was used.  Mbox
files are streamed message by message; every attachment (and every attached message) becomes a
child evidence file.  Outlook ``.msg`` files are read with ``extract_msg``.

Examples
--------
>>> import io
>>> from forensics.parsers.base import Builder, ParseContext
>>> raw = (b"From: =?GB2312?B?1cXI/Q==?= <zhang@example.cn>\\r\\nTo: li@example.cn\\r\\n"
...        b"Subject: =?UTF-8?B?5rWL6K+V?=\\r\\nDate: Sun, 13 May 2018 12:32:22 +0800\\r\\n"
...        b"Received: from a by b; Sun, 13 May 2018 04:32:23 +0000\\r\\n\\r\\nhello\\r\\n")
>>> ctx = ParseContext(evidence_id="E0001", sha256="00" * 32, name="m.eml", size=len(raw))
>>> out = Builder(EmailParser(), ctx)
>>> EmailParser().parse(io.BytesIO(raw), ctx, out)
>>> art = out.build("message/rfc822")
>>> rec = art.records[0]
>>> rec.from_, rec.subject, rec.body
('张三 <zhang@example.cn>', '测试', 'hello\\r\\n')
>>> for e in art.events:
...     print(e.description, e.time.source, e.time.to_json()["utc"])
Message Sent email:Date 2018-05-13T04:32:22Z
Message Received email:Received[0] 2018-05-13T04:32:23Z
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import email
import email.charset
import email.errors
import email.message
import email.policy
import email.utils
import hashlib
import io
import itertools
import logging
import mimetypes
import re
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers.base import MAX_CHILD_BYTES, Builder, ParseContext, Parser
from forensics.records import Record
from forensics.timestamps import TimeValue, format_utc, from_unix, parse_rfc2822

__all__ = [
    "CLOCK_SKEW",
    "MAX_BODY_CHARS",
    "MAX_MESSAGE_BYTES",
    "MAX_PARTS",
    "PARSERS",
    "Attachment",
    "DkimSignature",
    "EmailMessage",
    "EmailParser",
    "decode_text",
]

#: One message (an .eml file, one message of an mbox, an .msg file) larger than this is not read.
MAX_MESSAGE_BYTES = 256 * 1024 * 1024
#: MIME parts walked per message; the rest are skipped with a warning.
MAX_PARTS = 10_000
#: Messages read from one mbox; the rest are counted, not read.
MAX_MBOX_MESSAGES = 1_000_000
#: Characters of body text kept on the record.
MAX_BODY_CHARS = 200_000
#: Attachment bytes extracted from one file in total (children are held in memory).
MAX_EXTRACTED_BYTES = MAX_CHILD_BYTES
#: Longest header value kept; longer ones are cut (with a warning).
MAX_HEADER_CHARS = 1_000_000
#: Longest header value handed to the email package's structured (address, date) parser, whose
#: time grows faster than the length; longer values have their encoded words decoded as text.
MAX_STRUCTURED_CHARS = 20_000
#: Parameter-parsing work (bytes x semicolons, summed over Content-Type and Content-Disposition
#: fields) above which the MIME structure is not read: the email package re-reads parameters
#: in quadratic time, so a hostile header could stall it for minutes.
MAX_PARAM_WORK = 10_000_000_000
#: Times that disagree by less than this (clock skew between servers) are not reported.
CLOCK_SKEW = timedelta(minutes=5)
#: Longest line read at once while splitting an mbox.
_LINE_CHUNK = 1 << 20

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_DATA_TYPE = "email:rfc822"

# -- records ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DkimSignature:
    """The tags of one ``DKIM-Signature`` header that say who signed and when (RFC 6376 3.5)."""

    domain: str = ""  # d=
    selector: str = ""  # s=
    timestamp: int | None = None  # t= (Unix seconds), None when absent or not a number
    algorithm: str = ""  # a=

    def __str__(self) -> str:
        t = "" if self.timestamp is None else str(self.timestamp)
        return f"d={self.domain}; s={self.selector}; t={t}"


@dataclass(frozen=True, slots=True)
class Attachment:
    """An attachment extracted as a child file: name, declared type, decoded size, MIME part."""

    name: str = ""
    content_type: str = ""
    size: int = 0
    sha256: str = ""
    part: str = ""  # MIME part number ("2", "1.3"); "attachment 0" for .msg

    def __str__(self) -> str:
        return f"{self.name} ({self.content_type}, {self.size} bytes, part {self.part})"


@dataclass(frozen=True, slots=True)
class EmailMessage(Record):
    """One e-mail message: the headers that identify and date it, its structure and body.

    Header values are decoded as Python's ``email`` package (``policy.default``) shows them,
    except where :func:`decode_text` had to correct a charset (``decoding`` says where).
    """

    data_type: ClassVar[str] = _DATA_TYPE
    index: int = 0  # position in the mbox (0 for a single message)
    offset: int = 0  # byte offset of the message in the file (mbox: of its From_ line)
    size: int = 0  # bytes of the message
    mbox_from: str = ""  # the mbox separator line without "From " (address/ID and date)
    from_: str = ""
    to: str = ""
    cc: str = ""
    bcc: str = ""
    subject: str = ""
    date: str = ""  # as policy.default shows it (normalised RFC 5322 form)
    date_raw: str = ""  # exactly as written
    message_id: str = ""
    in_reply_to: str = ""
    references: str = ""
    #: ``Received`` header values, unfolded, in header order: [0] is the top (most recent) hop.
    received: tuple[str, ...] = ()
    dkim: tuple[DkimSignature, ...] = ()
    content_type: str = ""
    #: Charsets declared by the parts (lower case, sorted, unique).
    charsets: tuple[str, ...] = ()
    attachments: tuple[Attachment, ...] = ()
    #: Names of the defects the email package found while parsing (e.g. StartBoundaryNotFoundDefect).
    defects: tuple[str, ...] = ()
    body: str = ""
    body_type: str = ""  # text/plain or text/html
    #: How text was decoded where it was not simply its declared charset.
    decoding: tuple[str, ...] = ()


# -- text decoding ----------------------------------------------------------------------------

#: Labels Python does not know, mapped to a codec it does.
_LABEL_ALIASES = {
    "x-gbk": "gbk", "csgb2312": "gb2312", "x-euc-cn": "gb2312", "gb_2312": "gb2312",
    "x-big5": "big5", "cn-big5": "big5", "csbig5": "big5", "x-x-big5": "big5",
    "x-sjis": "shift_jis", "windows-31j": "cp932", "x-euc-jp": "euc_jp",
    "csiso2022jp": "iso2022_jp", "unicode-1-1-utf-8": "utf-8", "x-utf-8": "utf-8",
}
#: Labels that mean "no charset declared".
_NO_LABEL = {"", "unknown-8bit", "x-unknown", "unknown", "default", "none"}
#: Codecs tried for a label, best first: supersets read every byte the label's own codec reads.
_CHAINS = {
    "gb2312": ("gb18030",), "gbk": ("gb18030",), "gb18030": ("gb18030",),
    "big5": ("big5hkscs", "cp950"), "big5hkscs": ("big5hkscs", "cp950"),
    "cp950": ("cp950", "big5hkscs"),
    "iso2022_jp": ("iso2022_jp", "iso2022_jp_ext", "iso2022_jp_2", "iso2022_jp_3"),
    "shift_jis": ("cp932", "shift_jis", "shift_jis_2004"), "cp932": ("cp932", "shift_jis_2004"),
    "euc_jp": ("euc_jp", "euc_jis_2004"), "euc_kr": ("cp949",), "cp949": ("cp949",),
    "iso8859-1": ("cp1252", "latin-1"),
}
#: Tried in this order when nothing is declared, or the declared charset does not fit the bytes.
_FALLBACKS = ("utf-8", "gb18030", "latin-1")
_UTF8 = {"utf-8", "utf-8-sig"}
_ASCII_SUPERSET_SKIP = {"utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be",
                        "utf-7"}


@dataclass(frozen=True, slots=True)
class _Decoded:
    text: str
    codec: str  # the codec that was used
    note: str = ""  # how it was decoded, when not simply as declared
    warn: bool = False  # the declared charset was wrong or unknown


#: Python codecs that are not mail charsets (and, for punycode, decode in quadratic time).
_NOT_CHARSETS = frozenset({"punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined"})


def _codec_for(label: str) -> str | None:
    name = _LABEL_ALIASES.get(label, label)
    name = email.charset.ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except (LookupError, ValueError, TypeError):
        return None
    return None if codec in _NOT_CHARSETS else codec


def _try(data: bytes, codec: str) -> str | None:
    try:
        return data.decode(codec)
    except (UnicodeError, LookupError, ValueError, TypeError, OverflowError):
        return None


def _mislabelled_utf8(data: bytes) -> str | None:
    """``data`` as UTF-8 when it is valid UTF-8 with at least two multi-byte characters."""
    text = _try(data, "utf-8")
    if text is None:
        return None
    return text if sum(1 for ch in text if ord(ch) > 0x7F) >= 2 else None


def decode_text(data: bytes, label: str | None = None) -> tuple[str, str, str]:
    """Decode ``data`` declared as ``label``; return (text, codec used, note).

    The note is ``""`` when the declared charset (or its superset giving the same text) was used.
    GB2312/GBK are read as GB18030, Big5 as Big5-HKSCS (then CP950), Shift_JIS as CP932,
    EUC-KR as CP949, ISO-8859-1 as Windows-1252 (then Latin-1); bytes that are valid UTF-8
    with two or more multi-byte characters are read as UTF-8 whatever the label; when the
    label does not fit (or is missing) UTF-8, GB18030 and Latin-1 are tried in turn.

    Examples
    --------
    >>> decode_text("朱镕基".encode("gbk"), "gb2312")
    ('朱镕基', 'gb18030', 'labelled gb2312, read as gb18030 (bytes outside gb2312)')
    >>> decode_text("你好".encode("utf-8"), "GB2312")[1:]
    ('utf-8', 'labelled GB2312 but the bytes are UTF-8; read as utf-8')
    >>> decode_text("證據".encode("big5"), "big5")
    ('證據', 'big5hkscs', '')
    >>> decode_text("证据".encode("gb18030"))
    ('证据', 'gb18030', 'no charset declared; read as gb18030')
    """
    d = _decode(data, label)
    return d.text, d.codec, d.note


def _decode(data: bytes, label: str | None) -> _Decoded:
    lab = (label or "").strip().strip("\"'").strip()
    low = lab.lower()
    if low in _NO_LABEL:
        if data.isascii():
            return _Decoded(data.decode("ascii"), "ascii")
        for c in _FALLBACKS:
            text = _try(data, c)
            if text is not None:
                note = "" if c == "utf-8" else f"no charset declared; read as {c}"
                return _Decoded(text, c, note)
    codec = _codec_for(low)
    tried: set[str] = set()
    if codec is not None:
        if codec not in _UTF8 and codec not in _ASCII_SUPERSET_SKIP and not data.isascii():
            text = _mislabelled_utf8(data)
            if text is not None:
                return _Decoded(text, "utf-8",
                                f"labelled {lab} but the bytes are UTF-8; read as utf-8", True)
        for c in _CHAINS.get(codec, (codec,)):
            tried.add(c)
            text = _try(data, c)
            if text is None:
                continue
            if c == codec:
                return _Decoded(text, c)
            plain = _try(data, codec)
            if plain == text:
                return _Decoded(text, c)
            why = (f"bytes outside {low}" if plain is None
                   else f"bytes 0x80-0x9F as {c}" if codec == "iso8859-1" else "superset")
            return _Decoded(text, c, f"labelled {lab}, read as {c} ({why})")
        start = f"labelled {lab} but the bytes do not decode as {low}"
    else:
        start = f"unknown charset {lab!r}"
    for c in _FALLBACKS:
        if c in tried:
            continue
        text = _try(data, c)
        if text is not None:
            return _Decoded(text, c, f"{start}; read as {c}", True)
    return _Decoded(data.decode("latin-1"), "latin-1", f"{start}; read as latin-1", True)


# -- headers ----------------------------------------------------------------------------------

_EW = re.compile(r"=\?([^?\s*]+)(\*[^?\s]*)?\?([bBqQ])\?([^?\s]*)\?=")
_SURROGATES = re.compile("[\udc80-\udcff]")


def _unfold(raw: str) -> str:
    return raw.replace("\r", "").replace("\n", "")


def _ew_bytes(kind: str, payload: str) -> bytes:
    if kind in "bB":
        s = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        if len(s) % 4 == 1:
            s = s[:-1]
        s += "=" * (-len(s) % 4)
        try:
            return base64.b64decode(s)
        except (binascii.Error, ValueError):
            return b""
    raw = payload.replace("_", " ").encode("utf-8", "surrogateescape")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]), raw)


def _ew_groups(text: str) -> list[tuple[int, int, str, bytes]]:
    """Runs of adjacent encoded words (whitespace between) with one charset: span, label, bytes."""
    groups: list[tuple[int, int, str, bytes]] = []
    for m in _EW.finditer(text):
        label, data = m[1], _ew_bytes(m[3], m[4])
        if groups:
            start, end, glabel, gdata = groups[-1]
            if glabel.lower() == label.lower() and not text[end:m.start()].strip():
                groups[-1] = (start, m.end(), glabel, gdata + data)
                continue
        groups.append((m.start(), m.end(), label, data))
    return groups


def _python_ew_ok(text: str, start: int, end: int) -> bool:
    """Whether Python's reading of each encoded word in ``text[start:end]`` (its own label,
    strictly) gives what :func:`decode_text` gives, so the email package can be left to it."""
    for m in _EW.finditer(text, start, end):
        codec = _codec_for(m[1].lower())
        data = _ew_bytes(m[3], m[4])
        if codec is None or _try(data, codec) != _decode(data, m[1]).text:
            return False
    return True


def _fix_text(name: str, value: str, notes: list[str], problems: list[str]) -> str:
    """Raw 8-bit bytes decoded and badly labelled encoded words rewritten as UTF-8 ones."""
    if _SURROGATES.search(value):
        d = _decode(value.encode("utf-8", "surrogateescape"), None)
        value = d.text
        if d.codec != "utf-8":
            notes.append(f"{name}: raw 8-bit bytes; {d.note}")
    if "=?" not in value:
        return value
    pieces: list[str] = []
    pos = 0
    for start, end, label, data in _ew_groups(value):
        if _python_ew_ok(value, start, end):
            continue
        d = _decode(data, label)
        if d.note:
            notes.append(f"{name}: encoded word {d.note}")
            if d.warn:
                problems.append(f"{name}: encoded word {d.note}")
        enc = base64.b64encode(d.text.encode("utf-8", "surrogatepass")).decode("ascii")
        pieces += [value[pos:start], f"=?utf-8?b?{enc}?="]
        pos = end
    return "".join([*pieces, value[pos:]]) if pieces else value


def _plain_ew(value: str) -> str:
    """Encoded words decoded without the structured parser (for parameters and fallbacks)."""
    out: list[str] = []
    pos = 0
    for start, end, label, data in _ew_groups(value):
        out += [value[pos:start], _decode(data, label).text]
        pos = end
    return "".join([*out, value[pos:]])


def _header(name: str, raw: str, notes: list[str], problems: list[str]) -> str:
    """A header value as policy.default shows it, with charsets corrected where needed."""
    value = _unfold(raw)
    if len(value) > MAX_HEADER_CHARS:
        problems.append(f"{name}: value of {len(value)} characters cut to {MAX_HEADER_CHARS}")
        value = value[:MAX_HEADER_CHARS]
    fixed = _fix_text(name, value, notes, problems)
    if len(fixed) > MAX_STRUCTURED_CHARS:
        notes.append(f"{name}: {len(fixed)} characters; encoded words decoded as plain text")
        return _plain_ew(fixed).strip()
    try:
        return str(email.policy.default.header_factory(name, fixed))
    except Exception:  # the structured parser failed: show the decoded text as written
        return _plain_ew(fixed).strip()


def _raw_headers(msg: email.message.Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in msg.raw_items()]
    except Exception:
        return []


def _first(headers: list[tuple[str, str]], name: str) -> str | None:
    low = name.lower()
    for k, v in headers:
        if k.lower() == low:
            return v
    return None


def _all(headers: list[tuple[str, str]], name: str) -> list[str]:
    low = name.lower()
    return [v for k, v in headers if k.lower() == low]


def _raw_text(value: str) -> str:
    """An unfolded raw header value as text (8-bit bytes decoded, encoded words left as written)."""
    value = _unfold(value)
    if _SURROGATES.search(value):
        value = _decode(value.encode("utf-8", "surrogateescape"), None).text
    return value


def _params(raw: str) -> dict[str, str]:
    """The parameters of a MIME header value (RFC 2045 5.1, RFC 2231), decoded.

    >>> _params('attachment; filename*=gb2312\\'\\'%D6%A4%BE%DD.png')["filename"]
    '证据.png'
    >>> _params('text/plain; name="=?UTF-8?B?6K+B5o2uLnBuZw==?="')["name"]
    '证据.png'
    """
    value = _unfold(raw)
    items: list[tuple[str, str]] = []
    i, n = value.find(";"), len(value)
    while 0 <= i < n and len(items) < 200:
        i += 1
        eq = value.find("=", i)
        semi = value.find(";", i)
        if eq < 0 or (0 <= semi < eq):
            i = semi
            continue
        key = value[i:eq].strip().lower()
        j = eq + 1
        while j < n and value[j] in " \t":
            j += 1
        if j < n and value[j] == '"':
            buf: list[str] = []
            j += 1
            while j < n and value[j] != '"':
                if value[j] == "\\" and j + 1 < n:
                    j += 1
                buf.append(value[j])
                j += 1
            val = "".join(buf)
            i = value.find(";", j)
        else:
            semi = value.find(";", j)
            val = (value[j:] if semi < 0 else value[j:semi]).strip()
            i = semi
        if key:
            items.append((key, val))
    plain: dict[str, str] = {}
    sections: dict[str, dict[int, tuple[str, bool]]] = {}
    for key, val in items:
        m = re.fullmatch(r"([^*]+)(?:\*(\d{1,4}))?(\*)?", key)
        if m and (m[2] is not None or m[3]):
            sections.setdefault(m[1], {}).setdefault(int(m[2] or 0), (val, bool(m[3])))
        else:
            plain.setdefault(key, val)
    out: dict[str, str] = {}
    for key, val in plain.items():
        text = _plain_ew(val)
        if _SURROGATES.search(text):
            text = _decode(text.encode("utf-8", "surrogateescape"), None).text
        out[key] = text
    for key, parts in sections.items():
        charset, data = "", b""
        for k in sorted(parts):
            val, extended = parts[k]
            if extended:
                if k == min(parts):
                    bits = val.split("'", 2)
                    if len(bits) == 3:
                        charset, val = bits[0], bits[2]
                data += re.sub(rb"%([0-9A-Fa-f]{2})", lambda m: bytes([int(m[1], 16)]),
                               val.encode("utf-8", "surrogateescape"))
            else:
                data += val.encode("utf-8", "surrogateescape")
        out[key] = _decode(data, charset or None).text
    return out


def _filename(headers: list[tuple[str, str]]) -> str | None:
    for hname, pname in (("content-disposition", "filename"), ("content-type", "name")):
        raw = _first(headers, hname)
        if raw is not None:
            name = _params(raw).get(pname)
            if name is not None:
                return name.strip()
    return None


def _dkim(raw: str) -> dict[str, str]:
    tags: dict[str, str] = {}
    for item in _unfold(raw).split(";"):
        k, sep, v = item.partition("=")
        if sep:
            tags.setdefault(k.strip().lower(), re.sub(r"\s+", "", v))
    return tags


def _span(delta: timedelta) -> str:
    minutes = int(abs(delta).total_seconds() // 60)
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // 1440} days"


# -- MIME structure ---------------------------------------------------------------------------


def _walk(msg: email.message.Message) -> Iterator[tuple[str, email.message.Message, bool]]:
    """Every part, depth first, with its part number and whether it lies inside an attachment."""
    stack: list[tuple[str, email.message.Message, bool]] = [("", msg, False)]
    while stack:
        num, part, inside = stack.pop()
        yield num, part, inside
        payload = part.get_payload() if part.is_multipart() else None
        if isinstance(payload, list):
            kids = [p for p in payload if isinstance(p, email.message.Message)]
            below = inside or part.get_content_type() in ("message/rfc822", "message/global")
            for i in range(len(kids) - 1, -1, -1):
                stack.append((f"{num}.{i + 1}" if num else str(i + 1), kids[i], below))


def _serialize(part: email.message.Message, linesep: str) -> bytes:
    """The body of a ``message/*`` part as bytes (the email package's serialisation)."""
    from email.generator import BytesGenerator

    pol = email.policy.default.clone(linesep=linesep, refold_source="none", max_line_length=None)
    payload = part.get_payload() if part.is_multipart() else None
    buf = io.BytesIO()
    gen = BytesGenerator(buf, mangle_from_=False, policy=pol)
    if part.get_content_type() in ("message/rfc822", "message/global") and isinstance(
            payload, list) and len(payload) == 1:
        gen.flatten(payload[0])
        return buf.getvalue()
    gen.flatten(part)
    data = buf.getvalue()
    if not _raw_headers(part):
        return data[len(linesep):]
    sep = (linesep * 2).encode()
    cut = data.find(sep)
    return data[cut + len(sep):] if cut >= 0 else b""


def _name_for(num: str, ctype: str, index: int) -> str:
    ext = ".eml" if ctype in ("message/rfc822", "message/global") else (
        mimetypes.guess_extension(ctype, strict=False) or ".bin")
    return f"message{index}-part{num or '1'}{ext}"


# -- the parser -------------------------------------------------------------------------------

_FIELD = re.compile(r"[!-9;-~]+:")
_FROM_LINE = re.compile(r"From (\S+) +(\S.*)")
_KNOWN = frozenset({
    "received", "from", "to", "cc", "bcc", "subject", "date", "message-id", "mime-version",
    "return-path", "dkim-signature", "reply-to", "sender", "delivered-to", "in-reply-to",
    "references", "content-type", "content-transfer-encoding", "x-mailer", "x-original-to",
    "envelope-to", "list-id", "list-unsubscribe", "thread-index", "thread-topic",
    "authentication-results", "arc-seal", "received-spf", "x-received", "user-agent",
    "importance", "x-priority", "x-originating-ip", "errors-to",
})
_NOT_MAIL_ONLY = frozenset({"date", "mime-version", "content-type", "content-transfer-encoding"})


def _is_from_line(line: str) -> bool:
    """An mbox separator: ``From <address or ID> <date with a time and a year>``."""
    m = _FROM_LINE.fullmatch(line.rstrip("\r\n"))
    return bool(m and re.search(r"\b\d{1,2}:\d{2}\b", m[2]) and re.search(r"\b\d{4}\b", m[2]))


def _header_block(lines: list[str], truncated: bool) -> dict[str, str] | None:
    """The fields of a leading RFC 5322 header block, or None when ``lines`` do not start one."""
    fields: dict[str, str] = {}
    last = None
    for line in lines:
        line = line.rstrip("\r")
        if not line:
            return fields or None
        if line[0] in " \t":
            if last is None:
                return None
            fields[last] += " " + line.strip()
            continue
        m = _FIELD.match(line)
        if not m:
            return None
        last = m[0][:-1].lower()
        fields.setdefault(last, line[m.end():].strip())
    return fields if truncated and fields else None


def _looks_like_mail(fields: dict[str, str] | None) -> bool:
    if not fields:
        return False
    known = [k for k in fields if k in _KNOWN]
    if len(known) < 2 or not any(k not in _NOT_MAIL_ONLY for k in known):
        return False
    # A web page saved as MHTML looks like a message; the MHTML parser reads those.
    related = fields.get("content-type", "").lower().startswith("multipart/related")
    saved = "saved by" in fields.get("from", "").lower() or "snapshot-content-location" in fields
    return not (related and saved)


class EmailParser(Parser):
    """RFC 5322 messages, mbox mailboxes and Outlook .msg files."""

    name: ClassVar[str] = "email"
    version: ClassVar[str] = "1"
    media_types: ClassVar[tuple[str, ...]] = (
        "message/rfc822", "application/mbox", "application/vnd.ms-outlook")

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        """``message/rfc822`` for a header block, ``application/mbox`` for a From_ line first.

        >>> EmailParser.sniff("From: a@example.com\\nSubject: hi\\n\\nbody", b"")
        'message/rfc822'
        >>> EmailParser.sniff("From: <Saved by Blink>\\nSubject: x\\nContent-Type: "
        ...                   "multipart/related; type=text/html\\n\\n", b"") is None
        True
        """
        lines = text.split("\n", 400)
        truncated = len(lines) > 400 or len(head) >= 65536
        lines = lines[:400]
        if lines and _is_from_line(lines[0]):
            return "application/mbox" if _looks_like_mail(_header_block(lines[1:], truncated)) \
                else None
        return "message/rfc822" if _looks_like_mail(_header_block(lines, truncated)) else None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        fh.seek(0)
        first = fh.readline(_LINE_CHUNK)
        fh.seek(0)
        if first.startswith(_OLE_MAGIC):
            _MsgReader(ctx, out).read(fh)
        elif _is_from_line(first.removeprefix(b"\xef\xbb\xbf").decode("latin-1")):
            _MessageReader(ctx, out).read_mbox(fh)
        else:
            _MessageReader(ctx, out).read_eml(fh, first)


PARSERS: tuple[type[Parser], ...] = (EmailParser,)


class _MessageReader:
    """Reads RFC 5322 messages (alone or from an mbox) into records, events and children."""

    def __init__(self, ctx: ParseContext, out: Builder) -> None:
        self.ctx = ctx
        self.out = out
        self.extracted = 0

    # -- containers ---------------------------------------------------------------------------
    def read_eml(self, fh: BinaryIO, first: bytes) -> None:
        line = first.removeprefix(b"\xef\xbb\xbf")
        if not _FIELD.match(line.decode("latin-1")):
            shown = line[:60].decode("utf-8", "replace").rstrip("\r\n")
            raise WrongFormat(f"not an e-mail message: first line {shown!r} is not a header field")
        data = fh.read(MAX_MESSAGE_BYTES + 1)
        if len(data) > MAX_MESSAGE_BYTES:
            raise WrongFormat(f"message is larger than the {MAX_MESSAGE_BYTES}-byte limit "
                              "for one message; not read")
        self.out.meta("File:FileType", "TXT")  # ExifTool 12.57 has no e-mail type: TXT
        self.out.meta("Email:Format", "RFC 5322 message")
        self.message(data.removeprefix(b"\xef\xbb\xbf"), 0, 0, "")

    def read_mbox(self, fh: BinaryIO) -> None:
        self.out.meta("File:FileType", "TXT")  # as ExifTool 12.57 reports an mbox
        self.out.meta("Email:Format", "mbox (RFC 4155)")
        count = 0
        skipped = 0
        for offset, from_line, data in self._split(fh):
            if count >= MAX_MBOX_MESSAGES:
                skipped += 1
                continue
            loc = f"message {count}"
            if data is None:
                self.out.warn(loc, f"message at byte {offset} is larger than the "
                                   f"{MAX_MESSAGE_BYTES}-byte limit; not read")
            else:
                self.message(data, count, offset, from_line)
            count += 1
        if skipped:
            self.out.warn("-", f"{skipped} messages after the first {MAX_MBOX_MESSAGES} not read")
        self.out.meta("Email:Messages", count + skipped)

    @staticmethod
    def _split(fh: BinaryIO) -> Iterator[tuple[int, str, bytes | None]]:
        """(offset, From_ line, message bytes or None when too large), streaming line by line."""
        lines: list[bytes] = []
        size, offset, start = 0, 0, 0
        from_line: str | None = None
        at_line_start = True
        too_big = False
        while True:
            line = fh.readline(_LINE_CHUNK)
            if not line:
                break
            width = len(line)
            if offset == 0:
                line = line.removeprefix(b"\xef\xbb\xbf")
            if at_line_start and line.startswith(b"From ") and _is_from_line(
                    line[:1000].decode("latin-1")):
                if from_line is not None:
                    yield start, from_line, None if too_big else _strip_separator(b"".join(lines))
                from_line = line.decode("utf-8", "replace").rstrip("\r\n")[5:]
                lines, size, start, too_big = [], 0, offset, False
            elif not too_big:
                size += len(line)
                if size > MAX_MESSAGE_BYTES:
                    too_big, lines = True, []
                else:
                    lines.append(line)
            at_line_start = line.endswith(b"\n")
            offset += width
        if from_line is not None:
            yield start, from_line, None if too_big else _strip_separator(b"".join(lines))

    # -- one message --------------------------------------------------------------------------
    def message(self, data: bytes, index: int, offset: int, mbox_from: str) -> None:
        """Parse one message's bytes.

        The structure is read with the ``compat32`` policy (plain strings: fast, and nothing is
        decoded behind our back); display headers are then decoded with ``policy.default``'s
        header parser, so they read as Python shows them.
        """
        from email.parser import BytesParser

        loc = f"message {index}"
        why = _mime_too_costly(data)
        msg = None
        if why is None:
            try:
                msg = BytesParser(policy=email.policy.compat32).parsebytes(data)
            except Exception as exc:  # RecursionError on absurd nesting, or a parser bug
                why = f"{type(exc).__name__}: {exc}"[:200]
        if msg is None:
            self.out.warn(loc, f"MIME structure not read ({why}); headers only")
            try:
                msg = BytesParser(policy=email.policy.compat32).parsebytes(data, headersonly=True)
            except Exception as exc:
                self.out.warn(loc, f"message could not be parsed: {type(exc).__name__}: {exc}")
                return
        self._message(msg, data, index, offset, mbox_from, structure=why is None)

    def _message(self, msg: email.message.Message, data: bytes, index: int, offset: int,
                 mbox_from: str, *, structure: bool = True) -> None:
        out, loc = self.out, f"message {index}"
        notes: list[str] = []
        problems: list[str] = []
        headers = _raw_headers(msg)

        def h(name: str) -> str:
            raw = _first(headers, name)
            return "" if raw is None else _header(name, raw, notes, problems)

        from_, to, cc, bcc, subject = h("From"), h("To"), h("Cc"), h("Bcc"), h("Subject")
        date, message_id = h("Date"), h("Message-ID")
        in_reply_to, references = h("In-Reply-To"), h("References")
        date_raw = _raw_text(_first(headers, "Date") or "").strip()
        received = tuple(_raw_text(v).strip() for v in _all(headers, "Received"))
        dkim = tuple(self._dkim(i, raw, loc) for i, raw in enumerate(_all(headers, "DKIM-Signature")))
        linesep = "\r\n" if b"\r\n" in data[:4096] else "\n"
        charsets: tuple[str, ...] = ()
        defects: tuple[str, ...] = ()
        attachments: tuple[Attachment, ...] = ()
        body = body_type = ""
        if structure:
            try:
                charsets, defects, attachments, body, body_type = self._structure(
                    msg, index, loc, linesep, notes, problems)
            except RecursionError:
                problems.append("MIME structure nested too deeply; parts not read")
        for p in problems:
            out.warn(loc, p)
        rec = EmailMessage(
            out.origin, loc, index=index, offset=offset, size=len(data), mbox_from=mbox_from,
            from_=from_, to=to, cc=cc, bcc=bcc, subject=subject, date=date, date_raw=date_raw,
            message_id=message_id, in_reply_to=in_reply_to, references=references,
            received=received, dkim=dkim, content_type=_ctype(msg), charsets=charsets,
            attachments=attachments, defects=defects, body=body, body_type=body_type,
            decoding=tuple(notes))
        out.record(rec)
        if index == 0:
            _meta(out, rec)
        self._events(rec, loc)

    def _dkim(self, i: int, raw: str, loc: str) -> DkimSignature:
        tags = _dkim(raw)
        t = tags.get("t", "")
        ts = int(t) if t.isascii() and t.isdigit() and len(t) <= 12 else None
        if t and ts is None:
            self.out.warn(loc, f"DKIM-Signature[{i}]: t={t[:40]!r} is not a Unix time")
        return DkimSignature(tags.get("d", ""), tags.get("s", ""), ts, tags.get("a", ""))

    def _structure(self, msg: email.message.Message, index: int, loc: str, linesep: str,
                   notes: list[str], problems: list[str]
                   ) -> tuple[tuple[str, ...], tuple[str, ...], tuple[Attachment, ...], str, str]:
        out = self.out
        charsets: set[str] = set()
        defects: list[str] = []
        attachments: list[Attachment] = []
        body_part: tuple[str, email.message.Message] | None = None
        html_part: tuple[str, email.message.Message] | None = None
        n = 0
        for num, part, inside in _walk(msg):
            n += 1
            if n > MAX_PARTS:
                out.warn(loc, f"more than {MAX_PARTS} MIME parts; the rest not read")
                break
            where = f"{loc} part {num}" if num else loc
            for d in part.defects:
                name = type(d).__name__
                defects.append(name)
                text = str(d) or (type(d).__doc__ or "").strip().splitlines()[0]
                out.warn(where, f"{name}: {text}" if text else name)
            with contextlib.suppress(Exception):
                cs = part.get_content_charset()
                if cs:
                    charsets.add(str(cs).lower())
            if inside:
                continue
            ctype = _ctype(part)
            if ctype.startswith("multipart/"):
                continue
            part_headers = _raw_headers(part)
            fname = _filename(part_headers)
            disposition = (_first(part_headers, "content-disposition") or "").strip().lower()
            is_message = ctype in ("message/rfc822", "message/global")
            if fname is not None or disposition.startswith("attachment") or is_message:
                att = self._attachment(part, num or "1", ctype, fname, index, linesep)
                if att is not None:
                    attachments.append(att)
                continue
            if ctype == "text/plain" and body_part is None:
                body_part = (num or "1", part)
            elif ctype == "text/html" and html_part is None:
                html_part = (num or "1", part)
        chosen = body_part or html_part
        body, body_type = "", ""
        if chosen is not None:
            num, part = chosen
            body_type = _ctype(part)
            body = self._body(part, f"{loc} part {num}", f"body part {num}", notes, problems)
        return tuple(sorted(charsets)), tuple(defects), tuple(attachments), body, body_type

    def _body(self, part: email.message.Message, where: str, label: str, notes: list[str],
              problems: list[str]) -> str:
        try:
            data = part.get_payload(decode=True)
        except Exception as exc:
            self.out.warn(where, f"body could not be decoded: {type(exc).__name__}: {exc}")
            return ""
        if not isinstance(data, bytes):
            return ""
        try:
            charset = part.get_content_charset()
        except Exception:
            charset = None
        d = _decode(data, charset)
        if d.note:
            notes.append(f"{label}: {d.note}")
            if d.warn:
                problems.append(f"{label}: {d.note}")
        if len(d.text) > MAX_BODY_CHARS:
            notes.append(f"{label}: {len(d.text)} characters, first {MAX_BODY_CHARS} kept")
            return d.text[:MAX_BODY_CHARS]
        return d.text

    def _attachment(self, part: email.message.Message, num: str, ctype: str, fname: str | None,
                    index: int, linesep: str) -> Attachment | None:
        out = self.out
        where = f"message {index} part {num}"
        name = fname or _name_for(num, ctype, index)
        data: bytes | None
        if part.is_multipart():
            try:
                data = _serialize(part, linesep)
            except Exception as exc:
                out.warn(where, f"attachment {name!r} could not be written out: "
                                f"{type(exc).__name__}: {exc}")
                return None
        else:
            data = self._decoded_payload(part, where, name)
        if data is None:
            return None
        if self.extracted + len(data) > MAX_EXTRACTED_BYTES:
            out.warn(where, f"attachment {name!r} ({len(data)} bytes) not extracted: over the "
                            f"{MAX_EXTRACTED_BYTES}-byte total for one file")
            return None
        if len(data) <= MAX_CHILD_BYTES:
            self.extracted += len(data)
        out.child(name, data, where, ctype)
        return Attachment(name, ctype, len(data), hashlib.sha256(data).hexdigest(), num)

    def _decoded_payload(self, part: email.message.Message, where: str, name: str) -> bytes | None:
        out = self.out
        cte = str(part.get("content-transfer-encoding", "") or "").strip().lower()
        raw = part._payload  # the body as written: get_payload() may decode it with the charset
        raw_bytes = raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""
        before = len(part.defects)
        try:
            data = part.get_payload(decode=True)
        except Exception as exc:
            out.warn(where, f"attachment {name!r}: {cte or 'body'} does not decode "
                            f"({type(exc).__name__}: {exc}); raw bytes kept")
            return raw_bytes
        new = [type(d).__name__ for d in part.defects[before:]]
        del part.defects[before:]
        if not isinstance(data, bytes):
            data = b""
        if cte == "base64" and raw_bytes.strip():
            compact = re.sub(rb"\s+", b"", raw_bytes)
            try:
                binascii.a2b_base64(compact, strict_mode=True)
            except (binascii.Error, ValueError) as exc:
                new.append(f"invalid base64 ({exc})")
            if not data:
                out.warn(where, f"attachment {name!r}: base64 body does not decode; raw bytes kept")
                return raw_bytes
        if new:
            out.warn(where, f"attachment {name!r}: {cte} body is damaged ({'; '.join(new)}); "
                            "the bytes that decode were kept")
        return data

    # -- times --------------------------------------------------------------------------------
    def _events(self, rec: EmailMessage, loc: str) -> None:
        out, zone = self.out, self.ctx.default_zone
        kw = {"location": loc, "actor": rec.from_, "text": rec.subject}
        sent = None
        if rec.date_raw:
            sent = out.time(parse_rfc2822, rec.date_raw, "email:Date", loc, default_zone=zone)
            out.event(_DATA_TYPE, "Message Sent", sent, **kw)
        hops: list[tuple[int, datetime]] = []
        for i, hop in enumerate(rec.received):
            _, sep, when = hop.rpartition(";")
            if not sep or not when.strip():
                continue
            t = out.time(parse_rfc2822, when.strip(), f"email:Received[{i}]", loc,
                         default_zone=zone)
            out.event(_DATA_TYPE, "Message Received", t, **kw)
            if t is not None and t.utc is not None:
                hops.append((i, t.utc))
        for i, sig in enumerate(rec.dkim):
            if sig.timestamp is None:
                continue
            try:
                t = from_unix(sig.timestamp, f"email:DKIM-Signature[{i}].t",
                              original=str(sig.timestamp))
            except ValueError as exc:
                out.warn(loc, f"DKIM-Signature[{i}]: {exc}")
                continue
            out.event(_DATA_TYPE, "DKIM Signed", t, **kw)
        self._cross_check(loc, sent, hops)

    def _cross_check(self, loc: str, sent: TimeValue | None,
                     hops: list[tuple[int, datetime]]) -> None:
        """Hops listed top (newest) first must not get older going up; Date precedes them all."""
        for (i, newer), (j, older) in itertools.pairwise(hops):
            if newer < older - CLOCK_SKEW:
                self.out.warn(loc, f"Received hops out of order: Received[{i}] "
                                   f"({format_utc(newer)}) is {_span(older - newer)} earlier than "
                                   f"Received[{j}] ({format_utc(older)}) below it")
        if sent is not None and sent.utc is not None and hops:
            j, first = hops[-1]
            if sent.utc > first + CLOCK_SKEW:
                self.out.warn(loc, f"Date ({format_utc(sent.utc)}) is {_span(sent.utc - first)} "
                                   f"after the first Received hop, Received[{j}] "
                                   f"({format_utc(first)})")


def _mime_too_costly(data: bytes) -> str | None:
    """Why the MIME structure of ``data`` should not be parsed, or None (see MAX_PARAM_WORK)."""
    work = 0
    for m in re.finditer(rb"(?im)^content-(?:type|disposition)[ \t]*:", data):
        end = m.end()
        while True:
            nl = data.find(b"\n", end)
            if nl < 0 or nl + 1 >= len(data) or data[nl + 1] not in b" \t":
                end = len(data) if nl < 0 else nl
                break
            end = nl + 1
        size = end - m.start()
        work += size * (data.count(b";", m.end(), end) + 1)
        if work > MAX_PARAM_WORK:
            return (f"a {size}-byte MIME header at byte {m.start()} has too many parameters to "
                    "read safely")
    return None


def _strip_separator(data: bytes) -> bytes:
    """Drop the line ending that belongs to the mbox separator (the blank line before From_)."""
    for end in (b"\r\n", b"\n"):
        if data.endswith(end * 2):
            return data[: -len(end)]
    return data


def _ctype(part: email.message.Message) -> str:
    try:
        return part.get_content_type()
    except Exception:
        return "text/plain"


def _meta(out: Builder, rec: EmailMessage) -> None:
    out.meta("Email:From", rec.from_)
    out.meta("Email:To", rec.to)
    out.meta("Email:Cc", rec.cc)
    out.meta("Email:Subject", rec.subject)
    out.meta("Email:Date", rec.date)
    out.meta("Email:Message-ID", rec.message_id)
    out.meta("Email:Received", len(rec.received))
    out.meta("Email:Attachments", len(rec.attachments))
    if rec.dkim:
        out.meta("Email:DKIM-Domain", rec.dkim[0].domain)
        out.meta("Email:DKIM-Selector", rec.dkim[0].selector)
        out.meta("Email:DKIM-Timestamp", rec.dkim[0].timestamp)


# -- Outlook .msg -----------------------------------------------------------------------------


class _MsgReader:
    """Outlook .msg files through extract_msg ([MS-OXMSG] property streams in an OLE2 file)."""

    def __init__(self, ctx: ParseContext, out: Builder) -> None:
        self.ctx = ctx
        self.out = out

    def read(self, fh: BinaryIO) -> None:
        data = fh.read(MAX_MESSAGE_BYTES + 1)
        if len(data) > MAX_MESSAGE_BYTES:
            raise WrongFormat(f"Outlook .msg file is larger than the {MAX_MESSAGE_BYTES}-byte "
                              "limit for one message; not read")
        if len(data) < 1536:
            raise WrongFormat(f"not an Outlook .msg file: {len(data)} bytes is too small for an "
                              "OLE2 compound file")
        loggers = [logging.getLogger(n) for n in ("extract_msg", "olefile", "RTFDE")]
        levels = [lg.level for lg in loggers]
        try:
            for lg in loggers:
                lg.setLevel(logging.CRITICAL + 1)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                self._read(data)
        finally:
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)

    def _read(self, data: bytes) -> None:
        import extract_msg
        from extract_msg.enums import ErrorBehavior

        is_msg = b"__substg1.0_" in data or "__substg1.0_".encode("utf-16-le") in data
        try:
            msg = extract_msg.openMsg(io.BytesIO(data), delayAttachments=True,
                                      errorBehavior=ErrorBehavior.ATTACH_SUPPRESS_ALL)
        except Exception as exc:
            what = "Outlook .msg file could not be opened" if is_msg else (
                "OLE2 compound file that is not an Outlook message")
            raise WrongFormat(f"{what}: {type(exc).__name__}: {exc}") from None
        try:
            self._message(msg, len(data))
        finally:
            with contextlib.suppress(Exception):
                msg.close()

    def _get(self, msg: object, attr: str) -> object:
        try:
            return getattr(msg, attr, None)
        except Exception as exc:
            self.out.warn("message 0", f".msg property {attr} could not be read: "
                                       f"{type(exc).__name__}: {exc}")
            return None

    def _message(self, msg: object, size: int) -> None:
        out, loc = self.out, "message 0"
        out.meta("File:FileType", "FPX")  # what ExifTool 12.57 reports for a .msg
        out.meta("Email:Format", "Outlook .msg ([MS-OXMSG])")
        out.meta("Email:MessageClass", str(self._get(msg, "classType") or ""))
        notes: list[str] = []
        problems: list[str] = []

        def text(attr: str) -> str:
            v = self._get(msg, attr)
            return "" if v is None else str(v)

        header_text = text("headerText")
        headers: list[tuple[str, str]] = []
        if header_text:
            ht = header_text
            if ht.startswith("Microsoft Mail Internet Headers Version 2.0"):
                ht = ht[43:].lstrip()
            try:
                parsed = email.message_from_string(ht, policy=email.policy.compat32)
                headers = _raw_headers(parsed)
            except Exception as exc:
                out.warn(loc, f"transport headers could not be parsed: {type(exc).__name__}")

        def h(name: str, attr: str) -> str:
            raw = _first(headers, name)
            if raw is not None:
                return _header(name, raw, notes, problems)
            return text(attr) if attr else ""

        date_raw = _raw_text(_first(headers, "Date") or "").strip()
        received = tuple(_raw_text(v).strip() for v in _all(headers, "Received"))
        reader = _MessageReader(self.ctx, out)
        dkim = tuple(reader._dkim(i, raw, loc) for i, raw in enumerate(_all(headers, "DKIM-Signature")))
        body = text("body")
        if len(body) > MAX_BODY_CHARS:
            notes.append(f"body: {len(body)} characters, first {MAX_BODY_CHARS} kept")
            body = body[:MAX_BODY_CHARS]
        attachments = self._attachments(msg)
        sent_at = self._get(msg, "date")
        date = h("Date", "")
        if not date and isinstance(sent_at, datetime) and sent_at.tzinfo is not None:
            date = email.utils.format_datetime(sent_at)
        for p in problems:
            out.warn(loc, p)
        rec = EmailMessage(
            out.origin, loc, size=size, from_=h("From", "sender"),
            to=h("To", "to"), cc=h("Cc", "cc"), bcc=h("Bcc", "bcc"),
            subject=h("Subject", "subject"), date=date, date_raw=date_raw,
            message_id=h("Message-ID", "messageId"), in_reply_to=h("In-Reply-To", "inReplyTo"),
            references=h("References", ""), received=received, dkim=dkim,
            content_type="application/vnd.ms-outlook", attachments=attachments,
            body=body, body_type="text/plain" if body else "", decoding=tuple(notes))
        out.record(rec)
        _meta(out, rec)
        reader._events(rec, loc)
        kw = {"location": loc, "actor": rec.from_, "text": rec.subject}
        for attr, desc, source in (("date", "Message Sent", "msg:ClientSubmitTime"),
                                   ("receivedTime", "Message Received", "msg:MessageDeliveryTime")):
            v = self._get(msg, attr)
            if isinstance(v, datetime) and v.tzinfo is not None:
                try:
                    t = from_unix(v.timestamp(), source, original=v.isoformat())
                except ValueError as exc:
                    out.warn(loc, f"{source}: {exc}")
                    continue
                out.event(_DATA_TYPE, desc, t, **kw)

    def _attachments(self, msg: object) -> tuple[Attachment, ...]:
        out = self.out
        atts = self._get(msg, "attachments") or []
        found: list[Attachment] = []
        extracted = 0
        for i, att in enumerate(list(atts)[:MAX_PARTS]):
            where = f"message 0 attachment {i}"
            try:
                kind_v = getattr(att, "type", None)
                kind = str(getattr(kind_v, "name", kind_v) or "").lower()
                name = (getattr(att, "longFilename", None) or getattr(att, "shortFilename", None)
                        or getattr(att, "name", None) or f"attachment{i}")
                ctype = getattr(att, "mimetype", None) or ""
                payload = att.data
                if kind in ("msg", "signed_embedded") and hasattr(payload, "exportBytes"):
                    data = payload.exportBytes()
                    ctype = ctype or "application/vnd.ms-outlook"
                    if not str(name).lower().endswith(".msg"):
                        name = f"{name}.msg"
                elif isinstance(payload, bytes):
                    data = payload
                else:
                    out.warn(where, f"attachment {name!r} ({kind or 'unknown type'}) has no data "
                                    "that could be extracted")
                    continue
            except Exception as exc:
                out.warn(where, f"attachment could not be read: {type(exc).__name__}: {exc}")
                continue
            name, ctype = str(name), str(ctype)
            if extracted + len(data) > MAX_EXTRACTED_BYTES:
                out.warn(where, f"attachment {name!r} ({len(data)} bytes) not extracted: over the "
                                f"{MAX_EXTRACTED_BYTES}-byte total for one file")
                continue
            extracted += len(data)
            out.child(name, data, where, ctype)
            found.append(Attachment(name, ctype, len(data), hashlib.sha256(data).hexdigest(),
                                    f"attachment {i}"))
        return tuple(found)
