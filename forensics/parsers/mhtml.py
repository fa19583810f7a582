"""MHTML / MHT saved web pages (RFC 2557 ``multipart/related``, as Chrome, Edge, IE and Firefox
add-ons write them).

Specification: RFC 2557 "MIME Encapsulation of Aggregate Documents, such as HTML (MHTML)"
(https://www.rfc-editor.org/rfc/rfc2557), on RFC 5322 / RFC 2045-2046 MIME.  Chrome (Blink)
writes ``From: <Saved by Blink>``, ``Snapshot-Content-Location`` (the captured URL, Blink only)
and ``Date`` with ``-0000`` ("UTC, local offset unknown", RFC 5322 section 3.3); Internet
Explorer ``From: <Saved by Windows Internet Explorer 8>``; the Firefox MAF add-on
``From: <Saved by Mozilla 5.0 ...>`` and ``X-MAF-Information``.

The file is read with the standard :mod:`email` package under the ``compat32`` policy, which
keeps every header exactly as written (the reference values of the corpus come from the same
parser; ``policy.default`` rewrites a wrong weekday in ``Date`` silently, see below).  Metadata
(``MHTML:*``): From, Subject (encoded-words decoded), Date (raw), SnapshotContentLocation,
Boundary, Type (the root type parameter), Parts / PartTypes / TransferEncodings (the leaf parts,
as ``email``'s ``walk`` sees them), ContentLocation / ContentID of the main HTML part, Defects,
LineEnding.  Records: one :class:`MhtmlDocument` and one :class:`MhtmlPart` per leaf part (with
the SHA-256 of its decoded content); the main HTML part is read like any HTML page
(:func:`~forensics.parsers.html.extract_html`: title, canonical URL, page times, visible text).
Event: ``Page Saved`` from ``Date``.

Warnings: every defect Python's parser reports (``StartBoundaryNotFoundDefect``...), a ``Date``
whose weekday does not match its date (the original string is kept; Python's ``policy.default``
would print the corrected weekday), a boundary that is declared but never used (the body is then
read as one part, marked ``salvaged``).

Examples
--------
>>> import io
>>> from forensics.parsers.base import Builder, ParseContext
>>> data = (b"From: <Saved by Blink>\\r\\nSnapshot-Content-Location: https://weibo.com/1/A\\r\\n"
...         b"Subject: =?utf-8?B?5aOw5piO?=\\r\\nDate: Mon, 17 Dec 2018 11:28:18 -0000\\r\\n"
...         b"MIME-Version: 1.0\\r\\nContent-Type: multipart/related;\\r\\n\\ttype=\\"text/html\\";"
...         b"\\r\\n\\tboundary=\\"B\\"\\r\\n\\r\\n--B\\r\\nContent-Type: text/html\\r\\n"
...         b"Content-Location: https://weibo.com/1/A\\r\\n\\r\\n<title>T</title>\\r\\n--B--\\r\\n")
>>> ctx = ParseContext("E1", "00" * 32, "a.mhtml", len(data))
>>> p = MhtmlParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
>>> a = b.build("multipart/related")
>>> a.metadata["MHTML:Subject"], a.metadata["MHTML:Parts"], a.metadata["HTML:Title"]
('声明', 1, 'T')
>>> a.events[0].description, a.events[0].time.to_json()["utc"], a.events[0].time.zone_name
('Page Saved', '2018-12-17T11:28:18Z', '-0000 (UTC; local offset unknown)')
"""

from __future__ import annotations

import email
import email.errors
import email.header
import email.utils
import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import date
from email import policy
from email.message import Message
from typing import BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers.base import MAX_TEXT_BYTES, Builder, ParseContext, Parser
from forensics.parsers.html import HTML_PARSE_LIMIT, emit_html, extract_html
from forensics.records import Record
from forensics.timestamps import TimeValue, parse_rfc2822

__all__ = ["DATA_TYPE", "MAX_PARTS", "PARSERS", "MhtmlDocument", "MhtmlParser", "MhtmlPart",
           "looks_like_mhtml"]

DATA_TYPE = "web:mhtml"
#: Parts recorded at most (the rest are counted).
MAX_PARTS = 10_000
#: MIME nesting followed at most.
_MAX_DEPTH = 50
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_HEADER_BLOCK = re.compile(r"\A(?:[!-9;-~]+:[^\n]*\n(?:[ \t][^\n]*\n)*)+", re.ASCII)
_EMAIL_ONLY = re.compile(r"^(?:received|message-id|to|cc|return-path|delivered-to|"
                         r"dkim-signature|in-reply-to|references|reply-to):", re.I | re.M)
_MHTML_MARK = re.compile(r"^(?:from:[^\n]*saved by\b|snapshot-content-location:|"
                         r"x-maf-information:)", re.I | re.M)


def looks_like_mhtml(text: str) -> bool:
    """True for an RFC 822 header block that declares ``multipart/related`` and shows an MHTML
    marker: ``Saved by`` in From, ``Snapshot-Content-Location``, ``X-MAF-Information``, or an
    HTML root (``type="text/html"``, or a first part of type text/html) without e-mail headers.

    >>> looks_like_mhtml("From: <Saved by Blink>\\nContent-Type: multipart/related;\\n"
    ...                  "\\tboundary=x\\n\\n--x\\n")
    True
    >>> looks_like_mhtml("From: a@b.c\\nTo: d@e.f\\nMessage-ID: <1@b.c>\\n"
    ...                  "Content-Type: multipart/related; type=\\"text/html\\"\\n\\n")
    False
    """
    s = text.lstrip("\ufeff\r\n").replace("\r\n", "\n")
    m = _HEADER_BLOCK.match(s[:65536])
    if not m:
        return False
    headers = m.group(0)
    ct = re.search(r"^content-type:[ \t]*(\S[^\n]*(?:\n[ \t][^\n]*)*)", headers, re.I | re.M)
    if not ct or not re.match(r"multipart/related\b", ct.group(1).strip(), re.I):
        return False
    if _MHTML_MARK.search(headers):
        return True
    if _EMAIL_ONLY.search(headers):
        return False
    if re.search(r"\btype\s*=\s*\"?text/html", ct.group(1), re.I):
        return True
    rest = s[m.end():m.end() + 8192]
    first = re.search(r"^content-type:[ \t]*([^\s;]+)", rest, re.I | re.M)
    return bool(first and first.group(1).lower() == "text/html")


@dataclass(frozen=True, slots=True)
class MhtmlDocument(Record):
    """The MHTML envelope: who saved it, when, from which URL, and its parts."""

    data_type: ClassVar[str] = DATA_TYPE
    saved_by: str = ""
    subject: str = ""
    date: TimeValue | None = None
    date_raw: str = ""
    snapshot_url: str = ""
    main_url: str = ""
    boundary: str = ""
    root_type: str = ""
    parts: int = 0
    part_types: str = ""
    defects: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class MhtmlPart(Record):
    """One resource inside an MHTML file (``number`` counts from 1, in file order)."""

    data_type: ClassVar[str] = "web:mhtml:part"
    number: int = 0
    content_type: str = ""
    content_location: str = ""
    content_id: str = ""
    transfer_encoding: str = ""
    charset: str = ""
    size: int = 0
    sha256: str = ""
    salvaged: bool = False


def _text(value: object, limit: int = 8192) -> str:
    """A raw header value as text: unfolded, undecodable bytes read as UTF-8 (else GB18030)."""
    if value is None:
        return ""
    s = str(value)
    if any("\udc80" <= ch <= "\udcff" for ch in s):
        raw = s.encode("utf-8", "surrogateescape")
        try:
            s = raw.decode("utf-8")
        except UnicodeDecodeError:
            s = raw.decode("gb18030", "replace")
    s = re.sub(r"\r?\n(?=[ \t])", "", s).replace("\r", "").replace("\n", " ")
    return s.strip()[:limit]


def _decoded(value: str) -> str:
    """Encoded-words (RFC 2047) decoded; the raw text when they are malformed."""
    if "=?" not in value:
        return value
    try:
        return str(email.header.make_header(email.header.decode_header(value)))
    except (ValueError, LookupError, UnicodeError, email.errors.HeaderParseError):
        return value


def _leaves(msg: Message, out: Builder) -> tuple[list[Message], list[tuple[str, str]]]:
    """Leaf parts in file order and every defect (part label, name), without recursion."""
    leaves: list[Message] = []
    defects: list[tuple[str, str]] = []
    stack: list[tuple[Message, int, str]] = [(msg, 0, "message")]
    while stack:
        part, depth, label = stack.pop()
        defects.extend((label, type(d).__name__ + (f": {d}" if str(d) else ""))
                       for d in getattr(part, "defects", ()))
        if part.is_multipart():
            if depth >= _MAX_DEPTH:
                out.warn(label, f"MIME nesting deeper than {_MAX_DEPTH}; not followed")
                continue
            children = part.get_payload()
            if isinstance(children, list):
                stack.extend((c, depth + 1, f"{label} > part {i}")
                             for i, c in reversed(list(enumerate(children, 1)))
                             if isinstance(c, Message))
            continue
        leaves.append(part)
    return leaves, defects


def _payload(part: Message) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except (ValueError, TypeError, LookupError, UnicodeError, AssertionError):
        data = None
    if isinstance(data, bytes):
        return data
    raw = part.get_payload()
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _weekday_problem(raw: str) -> str:
    m = re.match(r"\s*([A-Za-z]{3})[a-z]*\s*,", raw)
    parts = email.utils.parsedate_tz(" ".join(raw.split())) if m else None
    if not m or not parts:
        return ""
    try:
        day = date(parts[0], parts[1], parts[2])
    except (ValueError, TypeError, OverflowError):
        return ""
    written = m.group(1).title()
    if written in _WEEKDAYS and written != _WEEKDAYS[day.weekday()]:
        return (f"weekday {written} does not match {day.isoformat()} (a "
                f"{_DAY_NAMES[day.weekday()]}); the date is read, the string kept as written")
    return ""


class MhtmlParser(Parser):
    """MHTML saved pages (``multipart/related``); plain e-mails are left to the e-mail parser."""

    name: ClassVar[str] = "mhtml"
    version: ClassVar[str] = "1"
    media_types: ClassVar[tuple[str, ...]] = ("multipart/related", "application/x-mimearchive")
    sniff_priority: ClassVar[int] = 70

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        return "multipart/related" if looks_like_mhtml(text) else None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        data = fh.read(MAX_TEXT_BYTES + 1)
        if len(data) > MAX_TEXT_BYTES:
            raise WrongFormat(f"MHTML file over {MAX_TEXT_BYTES} bytes; not read")
        head = data[:65536].decode("utf-8", "replace")
        if not looks_like_mhtml(head):
            s = head.lstrip("\ufeff\r\n").replace("\r\n", "\n")
            if not _HEADER_BLOCK.match(s) or not re.search(
                    r"^content-type:[ \t]*multipart/related", s.split("\n\n", 1)[0], re.I | re.M):
                raise WrongFormat("not MHTML: no RFC 822 header block declaring "
                                  "Content-Type: multipart/related at the start")
        try:
            msg = email.message_from_bytes(data, policy=policy.compat32)
        except RecursionError:
            raise WrongFormat("MIME structure nested too deeply to parse") from None
        leaves, defects = _leaves(msg, out)
        out.meta("File:FileType", "MHTML")
        saved_by = _text(msg.get("From"))
        subject = _decoded(_text(msg.get("Subject")))
        date_raw = _text(msg.get("Date"), 200)
        snapshot = _text(msg.get("Snapshot-Content-Location"))
        boundary = _text(msg.get_param("boundary") or "", 200)
        root_type = _text(msg.get_param("type") or "", 200)
        out.meta("MHTML:From", saved_by)
        out.meta("MHTML:Subject", subject)
        out.meta("MHTML:Date", date_raw)
        out.meta("MHTML:SnapshotContentLocation", snapshot)
        out.meta("MHTML:Boundary", boundary)
        out.meta("MHTML:Type", root_type)
        types = Counter(p.get_content_type() for p in leaves)
        encodings = Counter(_text(p.get("Content-Transfer-Encoding"), 64).lower() or "(none)"
                            for p in leaves)
        out.meta("MHTML:Parts", len(leaves))
        out.meta("MHTML:PartTypes", ", ".join(f"{t} {n}" for t, n in types.items()))
        out.meta("MHTML:TransferEncodings", ", ".join(f"{t} {n}" for t, n in encodings.items()))
        crlf, lf = data.count(b"\r\n"), data.count(b"\n")
        out.meta("MHTML:LineEnding", "LF" if not crlf else "CRLF" if crlf == lf
                 else f"mixed ({crlf} CRLF, {lf - crlf} LF)")
        out.meta("MHTML:Defects", ", ".join(name.split(":")[0] for _, name in defects))
        for label, name in defects:
            out.warn(label, f"MIME defect: {name}")

        saved = out.time(parse_rfc2822, date_raw, "mhtml:Date", "Date header",
                         default_zone=ctx.default_zone) if date_raw else None
        if date_raw:
            problem = _weekday_problem(date_raw)
            if problem:
                out.warn("Date header", problem)

        start = _text(msg.get_param("start") or "", 500).strip("<>")
        main_index = None
        for i, part in enumerate(leaves):
            cid = _text(part.get("Content-ID"), 500).strip("<>")
            if start and cid == start:
                main_index = i
                break
        if main_index is None:
            main_index = next((i for i, p in enumerate(leaves)
                               if p.get_content_type() in ("text/html", "application/xhtml+xml")),
                              None)
        main_url = ""
        salvaged: Message | None = None
        if main_index is None and msg.get_content_maintype() == "multipart" and \
                not msg.is_multipart():
            salvaged = self._salvage(msg, boundary, out)
        records: list[MhtmlPart] = []
        html_part: tuple[Message, str] | None = None
        for i, part in enumerate(leaves, 1):
            if i > MAX_PARTS:
                out.warn(f"part {i}", f"more than {MAX_PARTS} parts; the rest are counted only")
                break
            payload = _payload(part)
            rec = MhtmlPart(out.origin, f"part {i}", number=i,
                            content_type=part.get_content_type(),
                            content_location=_text(part.get("Content-Location")),
                            content_id=_text(part.get("Content-ID"), 500),
                            transfer_encoding=_text(part.get("Content-Transfer-Encoding"), 64),
                            charset=_text(part.get_param("charset") or "", 64),
                            size=len(payload), sha256=hashlib.sha256(payload).hexdigest())
            records.append(rec)
            if main_index == i - 1:
                main_url = rec.content_location
                out.meta("MHTML:ContentLocation", rec.content_location)
                out.meta("MHTML:ContentID", rec.content_id)
                html_part = (part, f"part {i}")
        if salvaged is not None:
            payload = _payload(salvaged)
            rec = MhtmlPart(out.origin, "body (salvaged)", number=0,
                            content_type=salvaged.get_content_type(),
                            content_location=_text(salvaged.get("Content-Location")),
                            content_id=_text(salvaged.get("Content-ID"), 500),
                            transfer_encoding=_text(salvaged.get("Content-Transfer-Encoding"), 64),
                            charset=_text(salvaged.get_param("charset") or "", 64),
                            size=len(payload), sha256=hashlib.sha256(payload).hexdigest(),
                            salvaged=True)
            records.append(rec)
            if rec.content_type in ("text/html", "application/xhtml+xml"):
                html_part = (salvaged, rec.location)
        out.record(MhtmlDocument(
            out.origin, "message", saved_by=saved_by, subject=subject, date=saved,
            date_raw=date_raw, snapshot_url=snapshot, main_url=main_url, boundary=boundary,
            root_type=root_type, parts=len(leaves),
            part_types=", ".join(f"{t} {n}" for t, n in types.items()),
            defects=tuple(name.split(":")[0] for _, name in defects)))
        for rec in records:
            out.record(rec)
        out.event(DATA_TYPE, "Page Saved", saved, location="Date header",
                  url=snapshot or main_url, text=subject)
        if html_part is not None:
            part, location = html_part
            body = _payload(part)[:HTML_PARSE_LIMIT]
            charset = part.get_param("charset")
            info = extract_html(body, charset=_text(charset, 64) if charset else None,
                                charset_source="mime", default_zone=ctx.default_zone)
            emit_html(out, info, location=location,
                      url=_text(part.get("Content-Location")) or snapshot)

    @staticmethod
    def _salvage(msg: Message, boundary: str, out: Builder) -> Message | None:
        """A multipart whose boundary never occurs: read its body as one part if it is one."""
        body = msg.get_payload()
        if not isinstance(body, str):
            return None
        text = body.lstrip("\r\n")
        if not re.match(r"content-[a-z-]+:", text[:200], re.I):
            return None
        try:
            part = email.message_from_string(text, policy=policy.compat32)
        except (RecursionError, ValueError, LookupError, UnicodeError):
            return None
        where = _text(part.get("Content-Location")) or "no Content-Location"
        out.warn("message", f"boundary {boundary!r} is declared but never used; the body holds "
                            f"one part ({part.get_content_type()}, {where}), read on its own and "
                            f"marked salvaged")
        return part


PARSERS: tuple[type[Parser], ...] = (MhtmlParser,)
