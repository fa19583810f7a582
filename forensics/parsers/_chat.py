"""What the chat-export parsers share: reading the text, its byte facts, and writing the messages.

Every chat parser (:mod:`~forensics.parsers.chat_whatsapp`, :mod:`~forensics.parsers.chat_qq`,
:mod:`~forensics.parsers.chat_wechat`, :mod:`~forensics.parsers.chat_telegram`,
:mod:`~forensics.parsers.chat_generic`) first collects its messages as :class:`Pending` values,
decides whether the file is in its format at all (raising
:class:`~forensics.errors.WrongFormat` before anything is produced), and then hands them to
:func:`emit_chat`, which writes one :class:`~forensics.records.ChatMessage` and one
``Message Sent`` event per message and the ``Chat:*`` metadata every chat artifact carries
(see ``docs/formats/chat.md``).

This module is not a format module: it has no ``PARSERS`` and is not in the registry.

Examples
--------
>>> text, facts = decode_text("\\ufeff消息".encode("utf-8") + b"\\r\\nx\\n")
>>> text, facts.encoding, facts.bom, facts.line_endings
('消息\\r\\nx\\n', 'UTF-8', 'UTF-8', 'mixed (1 CRLF, 1 LF)')
>>> split_lines("a\\r\\nb\\nc")
['a', 'b', 'c']
>>> offset_text(-330)
'-05:30'
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import BinaryIO

from forensics.errors import WrongFormat
from forensics.parsers.base import MAX_TEXT_BYTES, Builder
from forensics.records import ChatMessage, Scalar
from forensics.timestamps import Precision, TimeValue, parse_wall

__all__ = [
    "DATA_TYPE",
    "MAX_EVENT_TEXT",
    "MAX_HTML_DEPTH",
    "MAX_MESSAGES",
    "Node",
    "OffsetTally",
    "Pending",
    "TextFacts",
    "cut",
    "decode_text",
    "emit_chat",
    "offset_text",
    "parse_html_tree",
    "read_limited",
    "split_lines",
    "squeeze",
    "wall_time",
    "warn_replaced",
]

DATA_TYPE = "chat:message"
#: Event texts are cut to this many characters (the record keeps the whole text).
MAX_EVENT_TEXT = 500
#: A file with more messages than this is read up to here, with a warning.
MAX_MESSAGES = 2_000_000
#: Characters that are invisible on screen but matter when comparing a file with a screenshot or
#: with another export (WhatsApp puts U+202F before "PM" and U+200E before attachments).
_INVISIBLE = {
    "\u00a0": "U+00A0 NO-BREAK SPACE",
    "\u202f": "U+202F NARROW NO-BREAK SPACE",
    "\u2009": "U+2009 THIN SPACE",
    "\u200b": "U+200B ZERO WIDTH SPACE",
    "\u200e": "U+200E LEFT-TO-RIGHT MARK",
    "\u200f": "U+200F RIGHT-TO-LEFT MARK",
    "\ufeff": "U+FEFF ZERO WIDTH NO-BREAK SPACE (inside the text)",
}


@dataclass(frozen=True, slots=True)
class TextFacts:
    """Byte-level facts of a text export: encoding, byte-order mark, line ends, invisible marks."""

    encoding: str
    bom: str = ""
    line_endings: str = ""
    invisible: str = ""
    replaced: int = 0  # undecodable bytes replaced by U+FFFD
    final_newline: bool = False


@dataclass(slots=True)
class Pending:
    """One message as read, before it becomes a :class:`~forensics.records.ChatMessage`."""

    location: str
    sender_id: str = ""
    sender_name: str = ""
    text: str = ""
    time: TimeValue | None = None
    time_shown: str = ""
    system: bool = False
    attachments: list[str] = field(default_factory=list)
    message_id: str = ""
    chat: str = ""
    edited: TimeValue | None = None


def read_limited(fh: BinaryIO) -> bytes:
    """The whole file, or :class:`WrongFormat` when it is over :data:`MAX_TEXT_BYTES`."""
    data = fh.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise WrongFormat(f"file is larger than {MAX_TEXT_BYTES} bytes, the limit for text "
                          "exports; not read")
    return data


def _line_endings(text: str) -> str:
    crlf = text.count("\r\n")
    lf = text.count("\n") - crlf
    cr = text.count("\r") - crlf
    kinds = [(n, name) for n, name in ((crlf, "CRLF"), (lf, "LF"), (cr, "CR")) if n]
    if not kinds:
        return "none (one line)"
    if len(kinds) == 1:
        return f"{kinds[0][1]} ({kinds[0][0]} line ends)"
    return "mixed (" + ", ".join(f"{n} {name}" for n, name in kinds) + ")"


def _invisible(text: str) -> str:
    counts = Counter(ch for ch in text if ch in _INVISIBLE)
    return "; ".join(f"{_INVISIBLE[ch]} x{n}" for ch, n in sorted(counts.items()))


def decode_text(data: bytes) -> tuple[str, TextFacts]:
    """Decode a text export: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.

    Undecodable bytes (neither UTF-8 nor GB18030) are replaced by U+FFFD and counted in
    :attr:`TextFacts.replaced` so that the parser can warn.
    """
    bom = ""
    if data.startswith(b"\xef\xbb\xbf"):
        body, enc, bom = data[3:], "utf-8", "UTF-8"
    elif data.startswith(b"\xff\xfe"):
        body, enc, bom = data[2:], "utf-16-le", "UTF-16 LE"
    elif data.startswith(b"\xfe\xff"):
        body, enc, bom = data[2:], "utf-16-be", "UTF-16 BE"
    else:
        body, enc = data, ""
    replaced = 0
    if enc:
        text = body.decode(enc, errors="replace")
        replaced = text.count("\ufffd") - body.decode(enc, errors="ignore").count("\ufffd")
        name = {"utf-8": "UTF-8", "utf-16-le": "UTF-16 LE", "utf-16-be": "UTF-16 BE"}[enc]
    else:
        try:
            text, name = body.decode("utf-8"), "UTF-8"
        except UnicodeDecodeError:
            try:
                text, name = body.decode("gb18030"), "GB18030"
            except UnicodeDecodeError:
                text = body.decode("utf-8", errors="replace")
                replaced = text.count("\ufffd") - body.decode("utf-8", "ignore").count("\ufffd")
                name = "UTF-8"
    return text, TextFacts(name, bom, _line_endings(text), _invisible(text), replaced,
                           text.endswith("\n"))


def wall_time(wall: datetime, original: str, source: str, precision: Precision,
              default_zone: str | None) -> TimeValue:
    """:func:`~forensics.timestamps.parse_wall` for chat readers (a bad value is a ValueError).

    A wall time at the very ends of the calendar (``0001-01-01`` read in UTC+08:00) cannot be
    converted to UTC; callers turn the ValueError into a warning.

    >>> wall_time(datetime(1, 1, 1), "0001-01-01", "chat:time", Precision.DAY, "Asia/Shanghai")
    Traceback (most recent call last):
    ...
    ValueError: '0001-01-01' is out of range: too close to the ends of the calendar to convert to UTC
    """
    try:
        return parse_wall(wall, original, source, precision, default_zone=default_zone)
    except OverflowError:
        raise ValueError(f"time {original!r} is out of range in zone "
                         f"{default_zone or 'unknown'}") from None


def split_lines(text: str) -> list[str]:
    """Lines split at LF or CRLF only (a lone CR, U+2028 and the like stay inside a message)."""
    lines = text.split("\n")
    return [ln[:-1] if ln.endswith("\r") else ln for ln in lines]


def cut(text: str, limit: int = MAX_EVENT_TEXT) -> str:
    """``text`` cut to ``limit`` characters, with an ellipsis when cut.

    >>> cut("abcdef", 4)
    'abc…'
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"


def offset_text(minutes: int) -> str:
    """A UTC offset in minutes as ``+HH:MM``."""
    sign = "-" if minutes < 0 else "+"
    m = abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


class OffsetTally:
    """Offsets between a shown local time and the UTC instant stored beside it.

    Telegram's ``date`` / ``date_unixtime``, WeChat's ``StrTime`` / ``CreateTime`` and
    QQChatExporter's ``time`` / ``timestamp`` give both; their difference is the UTC offset of
    the computer that wrote the export (it can change with daylight saving time).

    >>> t = OffsetTally()
    >>> t.add(datetime(2018, 12, 5, 12, 39, 10), datetime(2018, 12, 5, 10, 39, 10, tzinfo=UTC))
    >>> t.summary()
    '+02:00'
    """

    #: Disagreements beyond any real UTC offset that are listed one by one (the rest counted).
    MAX_LISTED = 10

    def __init__(self) -> None:
        self.counts: Counter[int] = Counter()
        self._odd: list[str] = []
        self._more = 0

    def add(self, wall: datetime, instant: datetime, where: str = "") -> None:
        delta = wall - instant.astimezone(UTC).replace(tzinfo=None)
        minutes = round(delta.total_seconds() / 60)
        if abs(minutes) > 14 * 60:
            if len(self._odd) < self.MAX_LISTED:
                self._odd.append(f"{where}: the shown time is {minutes} minutes from the stored "
                                 "instant, more than any UTC offset")
            else:
                self._more += 1
            return
        self.counts[minutes] += 1

    @property
    def odd(self) -> list[str]:
        """Messages whose shown time and stored instant disagree by more than 14 hours."""
        more = [f"{self._more} more messages disagree the same way"] if self._more else []
        return [*self._odd, *more]

    def summary(self) -> str:
        if not self.counts:
            return ""
        if len(self.counts) == 1:
            return offset_text(next(iter(self.counts)))
        return ", ".join(f"{offset_text(m)} ({n} messages)" for m, n in sorted(self.counts.items()))


def emit_chat(out: Builder, messages: list[Pending], *, fmt: str, file_type: str,
              title: str = "", date_order: str = "", exported: str = "",
              exported_time: TimeValue | None = None, facts: TextFacts | None = None,
              extra: dict[str, Scalar] | None = None) -> None:
    """Write the metadata, one record and one ``Message Sent`` event per message.

    Call it only once the file is known to be in the format (no :class:`WrongFormat` after it).
    """
    out.meta("File:FileType", file_type)
    out.meta("Chat:Format", fmt)
    out.meta("Chat:Title", title)
    out.meta("Chat:Messages", len(messages))
    out.meta("Chat:SystemMessages", sum(1 for m in messages if m.system))
    senders = {(m.sender_id or m.sender_name) for m in messages
               if not m.system and (m.sender_id or m.sender_name)}
    out.meta("Chat:Participants", len(senders))
    if messages:
        out.meta("Chat:FirstMessage", messages[0].time_shown)
        out.meta("Chat:LastMessage", messages[-1].time_shown)
    out.meta("Chat:DateOrder", date_order)
    out.meta("Chat:Exported", exported)
    for key, value in (extra or {}).items():
        out.meta(key, value)
    if facts is not None:
        out.meta("Chat:Encoding", facts.encoding)
        out.meta("Chat:ByteOrderMark", facts.bom)
        out.meta("Chat:LineEndings", facts.line_endings)
        out.meta("Chat:InvisibleCharacters", facts.invisible)
        out.meta("Chat:FinalNewline", facts.final_newline)
    if exported_time is not None:
        out.event(DATA_TYPE, "Exported", exported_time, location="header")
    for m in messages:
        out.record(ChatMessage(
            origin=out.origin, location=m.location, chat=m.chat, sender_id=m.sender_id,
            sender_name=m.sender_name, text=m.text, time=m.time, time_shown=m.time_shown,
            system=m.system, attachments=tuple(m.attachments), message_id=m.message_id))
        actor = m.sender_name or m.sender_id
        out.event(DATA_TYPE, "Message Sent", m.time, location=m.location, actor=actor,
                  text=cut(m.text))
        if m.edited is not None:
            out.event(DATA_TYPE, "Content Modified", m.edited, location=m.location, actor=actor,
                      text=cut(m.text))


def warn_replaced(out: Builder, facts: TextFacts) -> None:
    """Warn when bytes could not be decoded."""
    if facts.replaced:
        out.warn("file", f"{facts.replaced} bytes are neither {facts.encoding} nor GB18030; "
                         "replaced by U+FFFD")


_SPACE_RE = re.compile(r"[ \t\r\n\f\v]+")


def squeeze(text: str) -> str:
    """Runs of ASCII white space as one space (how a browser shows HTML text), stripped.

    >>> squeeze("  a \\n  b ")
    'a b'
    """
    return _SPACE_RE.sub(" ", text).strip()


# -- a small, forgiving HTML tree (stdlib html.parser) ------------------------------------------

_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "param", "source", "track", "wbr"})
#: Deeper nesting than this is flattened (a hostile page cannot exhaust the stack).
MAX_HTML_DEPTH = 200


@dataclass(slots=True)
class Node:
    """An element: tag, attributes, children (nodes or text strings)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)
    line: int = 0

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def iter(self) -> list[Node]:
        """Every element below (and including) this one, in document order (no recursion)."""
        found: list[Node] = []
        stack: list[Node] = [self]
        while stack:
            n = stack.pop()
            found.append(n)
            stack.extend(reversed([c for c in n.children if isinstance(c, Node)]))
        return found

    def find_all(self, tag: str = "", cls: str = "") -> list[Node]:
        return [n for n in self.iter() if (not tag or n.tag == tag) and (not cls or cls in n.classes)]

    def find(self, tag: str = "", cls: str = "") -> Node | None:
        for n in self.iter():
            if (not tag or n.tag == tag) and (not cls or cls in n.classes):
                return n
        return None

    def text(self, *, skip: frozenset[str] = frozenset()) -> str:
        """Visible text: white space squeezed as a browser does, ``<br>`` as a line break.

        Elements whose tag or one of whose classes is in ``skip`` are left out, and so are
        ``script`` and ``style``.
        """
        parts: list[str] = []
        stack: list[Node | str] = [self]
        while stack:
            n = stack.pop()
            if isinstance(n, str):
                parts.append(n)
                continue
            if n is not self and (n.tag in skip or n.classes & skip
                                  or n.tag in ("script", "style")):
                continue
            if n.tag == "br":
                parts.append("\x00")
                continue
            stack.extend(reversed(n.children))
        lines = [squeeze(p) for p in "".join(parts).split("\x00")]
        while lines and not lines[0]:
            lines.pop(0)
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines)


def parse_html_tree(text: str) -> Node:
    """A tree of the page; never raises on malformed markup (unclosed tags are closed)."""
    from html.parser import HTMLParser

    root = Node("#root")

    class _Builder(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.stack: list[Node] = [root]

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            node = Node(tag, {k: v or "" for k, v in attrs}, line=self.getpos()[0])
            self.stack[-1].children.append(node)
            if tag not in _VOID and len(self.stack) < MAX_HTML_DEPTH:
                self.stack.append(node)

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs},
                                                line=self.getpos()[0]))

        def handle_endtag(self, tag: str) -> None:
            for i in range(len(self.stack) - 1, 0, -1):
                if self.stack[i].tag == tag:
                    del self.stack[i:]
                    return

        def handle_data(self, data: str) -> None:
            self.stack[-1].children.append(data)

    b = _Builder()
    try:
        b.feed(text)
        b.close()
    except (AssertionError, ValueError, IndexError):  # html.parser's last-resort errors
        return root  # what was read before the markup broke (callers warn on missing parts)
    return root
