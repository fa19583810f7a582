"""WhatsApp "Export chat" text files, and Signal text exports in the same line-per-message style.

WhatsApp writes one line per message, continued on the next lines when the message has several;
there is no published specification (the layout follows the phone's locale).  Two layouts exist:

* Android: ``dd/mm/yy, HH:MM - Name: text`` (``12/30/21, 10:01 PM - ...`` in the US, with
  ``a. m.`` / ``p. m.`` in Spanish, ``2020/1/17 下午9:49 - ...`` in Chinese);
* iOS: ``[mm/dd/yy HH:MM:SS] Name: text`` (iOS puts U+200E before attachments and system texts).

Lines without ``Name:`` are system messages (``X created group "Y"``, ``You were added``).
Attachments appear as ``<Media omitted>``, ``IMG-20200101-WA0001.jpg (file attached)`` or
``<attached: 00000012-PHOTO-2020-01-01-12-00-00.jpg>``.  Times carry no zone: they are the
phone's local clock, read here in the case's default zone (marked *assumed*).

The day/month order is not written anywhere; it is inferred from the whole file (a field above
12 decides; otherwise the order that keeps the file chronological) and stated in
``Chat:DateOrder``.  Reference material: https://faq.whatsapp.com/1180414079177245 ("How to
export your chat history") and the whatsapp-chat-parser test fixtures
(https://github.com/Pustur/whatsapp-chat-parser).

Signal (``[yyyy-mm-dd, HH:MM] Name: text``, as in the chat-miner fixtures,
https://github.com/joweich/chat-miner) is read by :class:`SignalParser`.

Examples
--------
>>> import io
>>> from forensics.parsers.base import Builder, ParseContext
>>> data = "30/01/19, 20:49 - Jahn Doe: Lorem ipsum\\n20/06/20, 00:08 - You were added".encode()
>>> ctx = ParseContext("E1", "00" * 32, "chat.txt", len(data), default_zone="UTC")
>>> p = WhatsAppParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
>>> a = b.build("text/x-whatsapp-chat")
>>> a.metadata["Chat:DateOrder"], a.metadata["Chat:SystemMessages"]
('dmy (inferred: a first field above 12, line 1)', 1)
>>> a.records[0].sender_name, a.records[0].time.to_json()["utc"]
('Jahn Doe', '2019-01-30T20:49:00Z')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers._chat import (
    MAX_MESSAGES,
    Pending,
    decode_text,
    emit_chat,
    read_limited,
    split_lines,
    wall_time,
    warn_replaced,
)
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.timestamps import Precision

__all__ = ["MAX_PREAMBLE", "PARSERS", "SignalParser", "WhatsAppParser"]

#: Non-empty lines tolerated before the first message line (a title someone typed above it).
MAX_PREAMBLE = 2
_SP = "[ \u00a0\u202f\u2009]"
_DATE = r"(?P<a>\d{1,4})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})"
_AMPM = rf"(?P<ampm>[aApP]\.?{_SP}?[mM]\.?|上午|下午|午前|午後)"
_TIME = (rf"(?P<pre>上午|下午)?{_SP}?(?P<h>\d{{1,2}})[:.](?P<mi>\d{{2}})(?:[:.](?P<s>\d{{2}}))?"
         rf"(?:{_SP}*{_AMPM})?")
_ANDROID = re.compile(rf"(?P<stamp>{_DATE},?{_SP}+{_TIME}){_SP}+[-–]{_SP}(?P<rest>.*)")
_IOS = re.compile(rf"\u200e?\[(?P<stamp>{_DATE},?{_SP}+{_TIME})\]{_SP}+(?P<rest>.*)")
_SIGNAL = re.compile(r"\[(?P<stamp>(?P<a>\d{4})-(?P<b>\d{2})-(?P<c>\d{2}), (?P<h>\d{2}):(?P<mi>\d{2}))\]"
                     r" (?P<rest>.*)")
#: ``Name: text``; a name has no quotes (system texts quote group names) and is not too long.
_SENDER = re.compile(r"(?P<name>[^:\"“”\n]{1,120}?):(?P<text>.*)", re.DOTALL)
_FILE_ATTACHED = re.compile(
    r"(?P<f>\S.*?\.\w{1,8}) \((?:file attached|Datei angehängt|archivo adjunto|fichier joint|"
    r"file allegato|arquivo anexado|bestand bijgevoegd|dosya eklendi|файл прикреплен|"
    r"文件已附加|附加文件)\)")
_ATTACHED_IOS = re.compile(r"<attached: (?P<f>[^<>\n]+)>")
_OMITTED = re.compile(
    r"<(?:Media omitted|Multimedia omitido|Medien ausgeschlossen|Médias omis|Media weggelaten|"
    r"Mídia oculta|Media omessi|省略多媒体文件|媒体已忽略|媒體已略去)>|"
    r"(?:image|video|audio|sticker|GIF|document|Contact card) omitted")


@dataclass(slots=True)
class _Head:
    line: int
    stamp: str
    a: str
    b: str
    c: str
    h: int
    mi: int
    s: str
    ampm: str
    rest: str


def _heads(lines: list[str], pattern: re.Pattern[str]) -> list[_Head]:
    found = []
    for i, line in enumerate(lines, 1):
        m = pattern.fullmatch(line.lstrip("\ufeff"))
        if m:
            g = m.groupdict()
            ampm = g.get("ampm") or g.get("pre") or ""
            found.append(_Head(i, m["stamp"], m["a"], m["b"], m["c"], int(m["h"]), int(m["mi"]),
                               g.get("s") or "", ampm, m["rest"]))
    return found


def _first_line(text: str) -> str:
    for line in text.split("\n", 50)[:50]:
        s = line.strip().lstrip("\ufeff\u200e").strip()
        if s:
            return line.rstrip("\r").lstrip("\ufeff")
    return ""


def _year(y: str) -> int:
    return 2000 + int(y) if len(y) <= 2 else int(y)


def _ymd(h: _Head, order: str) -> tuple[int, int, int]:
    if order == "ymd":
        return int(h.a), int(h.b), int(h.c)
    if order == "mdy":
        return _year(h.c), int(h.a), int(h.b)
    return _year(h.c), int(h.b), int(h.a)


def _date_or_none(h: _Head, order: str) -> datetime | None:
    y, mo, d = _ymd(h, order)
    try:
        return datetime(y, mo, d)
    except ValueError:
        return None


def _inversions(heads: list[_Head], order: str) -> int:
    """Messages whose date is earlier than the message before them, under ``order``."""
    n = 0
    prev = None
    for h in heads:
        d = _date_or_none(h, order)
        if d is None:
            continue
        key = (d, h.h, h.mi)
        if prev is not None and key < prev:
            n += 1
        prev = key
    return n


def _infer_date_order(heads: list[_Head]) -> tuple[str, str, str]:
    """``(order, Chat:DateOrder text, warning or "")`` for the dates of a whole file."""
    if heads and all(len(h.a) == 4 for h in heads):
        return "ymd", "ymd (year first in the file)", ""
    first_big = next((h for h in heads if int(h.a) > 12), None)
    second_big = next((h for h in heads if int(h.b) > 12), None)
    if first_big and not second_big:
        return "dmy", f"dmy (inferred: a first field above 12, line {first_big.line})", ""
    if second_big and not first_big:
        return "mdy", f"mdy (inferred: a second field above 12, line {second_big.line})", ""
    if first_big and second_big:
        bad_d = sum(1 for h in heads if _date_or_none(h, "dmy") is None)
        bad_m = sum(1 for h in heads if _date_or_none(h, "mdy") is None)
        order = "dmy" if bad_d <= bad_m else "mdy"
        return (order, f"{order} (inconsistent: both fields exceed 12 in different lines; "
                f"assumed {order})",
                f"the file mixes day/month orders (line {first_big.line} has a first field "
                f"above 12, line {second_big.line} a second field above 12); read as {order}")
    inv_d, inv_m = _inversions(heads, "dmy"), _inversions(heads, "mdy")
    if inv_m < inv_d:
        why = ("only this order keeps the messages in chronological order" if inv_m == 0 else
               f"fewer out-of-order messages ({inv_m} against {inv_d} as dmy)")
        return "mdy", f"mdy (inferred: {why})", ""
    if inv_d < inv_m:
        why = ("only this order keeps the messages in chronological order" if inv_d == 0 else
               f"fewer out-of-order messages ({inv_d} against {inv_m} as mdy)")
        return "dmy", f"dmy (inferred: {why})", ""
    return ("dmy", "ambiguous, assumed dmy",
            "day/month order cannot be told from the file: every date fits both d/m and m/d "
            "and both orders keep it chronological; read as d/m/y")


def _clock(h: _Head) -> tuple[int, str]:
    """The 24-hour hour, and a warning text when the 12-hour value is impossible."""
    if not h.ampm:
        return h.h, ""
    marker = h.ampm.replace("\u202f", " ").replace("\u00a0", " ")
    pm = marker in ("下午", "午後") or marker.lower().replace(".", "").replace(" ", "") == "pm"
    if 1 <= h.h <= 12:
        if pm:
            return (12 if h.h == 12 else h.h + 12), ""
        return (0 if h.h == 12 else h.h), ""
    why = (f"impossible 12-hour time {h.stamp!r} (hour {h.h} with {marker!r}); read leniently "
           f"as the 24-hour value {h.h:02d}:{h.mi:02d}")
    return h.h, why


def _split_sender(rest: str) -> tuple[str, str, bool]:
    """``(name, text, system)`` of what follows the time stamp."""
    m = _SENDER.fullmatch(rest)
    if not m or not m["name"].strip() or m["name"] != m["name"].strip():
        return "", rest, True
    text = m["text"][1:] if m["text"].startswith(" ") else m["text"]
    return m["name"], text, False


def _attachments(text: str) -> list[str]:
    first = text.split("\n", 1)[0].lstrip("\u200e")
    found = [m["f"] for m in _ATTACHED_IOS.finditer(text)]
    m = _FILE_ATTACHED.match(first)
    if m:
        found.insert(0, m["f"].lstrip("\u200e"))
    elif _OMITTED.fullmatch(first.strip()):
        found.append(first.strip())
    return found


class _LineChat(Parser):
    """What WhatsApp and Signal share: one header line per message, continuation lines after."""

    fmt: ClassVar[str] = ""
    layouts: ClassVar[tuple[tuple[str, re.Pattern[str]], ...]] = ()
    wrong: ClassVar[str] = ""

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        text, facts = decode_text(read_limited(fh))
        lines = split_lines(text)
        best: tuple[str, list[_Head]] = ("", [])
        for name, pattern in self.layouts:
            heads = _heads(lines, pattern)
            if len(heads) > len(best[1]):
                best = (name, heads)
        layout, heads = best
        if not heads:
            raise WrongFormat(self.wrong)
        if len(heads) > MAX_MESSAGES:
            out.warn(f"line {heads[MAX_MESSAGES].line}",
                     f"more than {MAX_MESSAGES} messages; the rest is not read")
            heads = heads[:MAX_MESSAGES]
        skipped = [i for i, ln in enumerate(lines[: heads[0].line - 1], 1)
                   if ln.strip().lstrip("\ufeff\u200e")]
        if len(skipped) > MAX_PREAMBLE:
            raise WrongFormat(f"{self.wrong.split(':')[0]}: {len(skipped)} non-empty lines before "
                              f"the first message line (line {heads[0].line}); an export starts "
                              "with a message")
        order, order_text, order_warning = _infer_date_order(heads)
        warn_replaced(out, facts)
        if order_warning:
            out.warn("file", order_warning)
        if skipped:
            out.warn(f"line {skipped[0]}", f"{len(skipped)} non-empty line(s) before the first "
                                           "message line; not read")
        ends = [h.line - 1 for h in heads[1:]] + [len(lines)]
        messages: list[Pending] = []
        impossible = 0
        for h, end in zip(heads, ends, strict=True):
            where = f"line {h.line}"
            name, body, system = _split_sender(h.rest)
            more = lines[h.line:end]  # the lines after the header, up to the next header
            full = "\n".join([body, *more]).rstrip()
            attachments = _attachments(full)
            if not system and full.startswith("\u200e") and not attachments:
                system = True  # iOS marks system texts (sent "by" the group) with U+200E
            full = full.removeprefix("\u200e")  # still counted in Chat:InvisibleCharacters
            hour, problem = _clock(h)
            if problem:
                impossible += 1
                out.warn(where, problem)
            y, mo, d = _ymd(h, order)
            try:
                wall = datetime(y, mo, d, hour, h.mi, int(h.s or 0))
                tv = wall_time(wall, h.stamp, "chat:time",
                               Precision.SECOND if h.s else Precision.MINUTE, ctx.default_zone)
            except ValueError as exc:
                out.warn(where, f"impossible date or time {h.stamp!r} read as {order}: {exc}")
                tv = None
            messages.append(Pending(where, sender_name=name, text=full, time=tv,
                                    time_shown=h.stamp, system=system,
                                    attachments=attachments))
        if impossible:
            out.flag(f"impossible 12-hour times ({impossible}), read leniently")
        emit_chat(out, messages, fmt=self.fmt, file_type="TXT", date_order=order_text,
                  facts=facts, extra={"Chat:Layout": layout})


class WhatsAppParser(_LineChat):
    """WhatsApp "Export chat" .txt (Android and iOS layouts, any locale's date order)."""

    name = "chat_whatsapp"
    version = "1"
    media_types = ("text/x-whatsapp-chat",)
    sniff_priority: ClassVar[int] = 50
    fmt = 'WhatsApp "Export chat" .txt'
    layouts = (('Android: "date, time - name: text"', _ANDROID),
               ('iOS: "[date time] name: text"', _IOS))
    wrong = ('not a WhatsApp chat export: no line of the form "dd/mm/yy, HH:MM - name: text" '
             'or "[dd/mm/yy HH:MM:SS] name: text"')

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        first = _first_line(text)
        if not first or _SIGNAL.fullmatch(first):
            return None
        if _ANDROID.fullmatch(first) or _IOS.fullmatch(first):
            return cls.media_types[0]
        return None


class SignalParser(_LineChat):
    """Signal text export with bracketed ISO dates: ``[yyyy-mm-dd, HH:MM] Name: text``."""

    name = "chat_signal"
    version = "1"
    media_types = ("text/x-signal-chat",)
    sniff_priority: ClassVar[int] = 55
    fmt = "Signal text export (bracket header)"
    layouts = (('"[yyyy-mm-dd, HH:MM] name: text"', _SIGNAL),)
    wrong = 'not a Signal text export: no line of the form "[yyyy-mm-dd, HH:MM] name: text"'

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        first = _first_line(text)
        return cls.media_types[0] if first and _SIGNAL.fullmatch(first) else None


PARSERS: tuple[type[Parser], ...] = (WhatsAppParser, SignalParser)
