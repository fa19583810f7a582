"""The package's own documented chat form, in CSV and JSON, for chats no other parser reads.

When a chat reaches the expert in a form without a parser (a platform's data download, a
screenshot transcription, a notary's table), it can be written in this form and read with the
same records, events and checks as any other export.  The form is specified in
``docs/formats/chat.md`` ("The generic chat form"):

* CSV (``text/vnd.forensics.chat+csv``): UTF-8 (a BOM is fine) or GB18030, a header row naming
  exactly the columns ``time``, ``sender_id``, ``sender_name``, ``text`` and, optionally,
  ``attachments`` (names separated by ``|``), ``chat``, ``message_id``, ``system``
  (``true``/``1``/``yes``); any order; any other column makes the file the wrong format.
* JSON (``application/vnd.forensics.chat+json``)::

      {"format": "forensics-chat", "version": 1, "chat": "name of the chat",
       "exported": "2026-11-21T09:20:00+08:00",
       "messages": [{"time": "2026-11-20T14:35:02+08:00", "sender_id": "wxid_1",
                     "sender_name": "李四", "text": "...", "attachments": ["a.jpg"],
                     "message_id": "1", "system": false}]}

``time`` is ISO 8601 with an offset (explicit), without one (read in the case's default zone,
marked *assumed*), or Unix time as a number or digit string (seconds; milliseconds when 10^11 or
more).  A row or message that cannot be read becomes a warning naming its row or index.

Examples
--------
>>> import io
>>> from forensics.parsers.base import Builder, ParseContext
>>> data = ("time,sender_id,sender_name,text\\n"
...         "2026-11-20 14:35:02,u1,李四,那条微博你看到了吗\\n"
...         "1763620540,u2,王五,看到了\\n").encode()
>>> ctx = ParseContext("E1", "00" * 32, "chat.csv", len(data), default_zone="Asia/Shanghai")
>>> p = GenericChatParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
>>> a = b.build("text/vnd.forensics.chat+csv")
>>> [(r.time.zone.value, r.time.to_json()["utc"]) for r in a.records]
[('assumed', '2026-11-20T06:35:02Z'), ('explicit', '2025-11-20T06:35:40Z')]
"""

from __future__ import annotations

import csv
import io
import json
import re
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers._chat import (
    MAX_MESSAGES,
    Pending,
    decode_text,
    emit_chat,
    read_limited,
    warn_replaced,
)
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.timestamps import TimeValue, from_unix, parse_iso8601

__all__ = ["ALLOWED_COLUMNS", "PARSERS", "REQUIRED_COLUMNS", "GenericChatParser", "read_time"]

REQUIRED_COLUMNS = ("time", "sender_id", "sender_name", "text")
ALLOWED_COLUMNS = (*REQUIRED_COLUMNS, "attachments", "chat", "message_id", "system")
_JSON_KEYS = frozenset(ALLOWED_COLUMNS)
_NUMBER = re.compile(r"-?\d{1,16}(?:\.\d{1,9})?")
#: Unix values at or above this are milliseconds (1e11 s is the year 5138).
_MS_FROM = 10**11
_TRUE = frozenset({"true", "1", "yes", "y", "是"})
_FALSE = frozenset({"", "false", "0", "no", "n", "否"})


def read_time(value: object, where: str, out: Builder, default_zone: str | None
              ) -> TimeValue | None:
    """A ``time`` value of the generic form (ISO 8601, or Unix seconds / milliseconds)."""
    if isinstance(value, bool) or value is None:
        out.warn(where, f"time {value!r} is not a time")
        return None
    if isinstance(value, int | float):
        return out.time(from_unix, value, "chat:time", where, original=str(value),
                        milliseconds=abs(value) >= _MS_FROM)
    if not isinstance(value, str):
        out.warn(where, f"time is a {type(value).__name__}, not a string or number")
        return None
    text = value.strip()
    if not text:
        out.warn(where, "empty time")
        return None
    if _NUMBER.fullmatch(text):
        number = float(text) if "." in text else int(text)
        return out.time(from_unix, number, "chat:time", where, original=value,
                        milliseconds=abs(number) >= _MS_FROM)
    return out.time(parse_iso8601, text, "chat:time", where, default_zone=default_zone)


def _flag(value: object, where: str, out: Builder) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower() if isinstance(value, str | int) else "?"
    if text in _TRUE:
        return True
    if text not in _FALSE:
        out.warn(where, f"system {value!r} is not true/false; read as false")
    return False


class GenericChatParser(Parser):
    """The documented generic chat form: ``text/vnd.forensics.chat+csv`` and ``+json``."""

    name = "chat_generic"
    version = "1"
    media_types = ("text/vnd.forensics.chat+csv", "application/vnd.forensics.chat+json")
    sniff_priority: ClassVar[int] = 60

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        t = text.lstrip("\ufeff")
        s = t.lstrip(" \t\r\n")
        if s.startswith("{"):
            if re.search(r'"format"\s*:\s*"forensics-chat"', s[:4096]):
                return "application/vnd.forensics.chat+json"
            return None
        first = t.split("\n", 1)[0].rstrip("\r")
        try:
            names = [c.strip() for c in next(csv.reader([first]))]
        except (csv.Error, StopIteration):
            return None
        if set(REQUIRED_COLUMNS) <= set(names) and set(names) <= set(ALLOWED_COLUMNS):
            return "text/vnd.forensics.chat+csv"
        return None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        text, facts = decode_text(read_limited(fh))
        if text.lstrip(" \t\r\n").startswith("{"):
            messages, title, exported, exported_tv = self._json(text, ctx, out)
            file_type, fmt = "JSON", "forensics generic chat JSON (version 1)"
        else:
            messages = self._csv(text, ctx, out)
            file_type, fmt, title, exported, exported_tv = ("CSV", "forensics generic chat CSV",
                                                            "", "", None)
            chats = list(dict.fromkeys(m.chat for m in messages if m.chat))
            title = chats[0] if len(chats) == 1 else "; ".join(chats)
        warn_replaced(out, facts)
        emit_chat(out, messages, fmt=fmt, file_type=file_type, title=title, exported=exported,
                  exported_time=exported_tv, facts=facts)

    # -- CSV -----------------------------------------------------------------------------------
    def _csv(self, text: str, ctx: ParseContext, out: Builder) -> list[Pending]:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = [h.strip() for h in next(reader)]
        except (StopIteration, csv.Error) as exc:
            raise WrongFormat(f"not the generic chat CSV: no header row ({exc})") from None
        unknown = [h for h in header if h not in ALLOWED_COLUMNS]
        missing = [h for h in REQUIRED_COLUMNS if h not in header]
        doubled = sorted({h for h in header if header.count(h) > 1})
        if unknown or missing or doubled:
            why = "; ".join(x for x in (
                f"unknown column(s) {', '.join(map(repr, unknown))}" if unknown else "",
                f"missing column(s) {', '.join(missing)}" if missing else "",
                f"repeated column(s) {', '.join(doubled)}" if doubled else "") if x)
            raise WrongFormat(f"not the generic chat CSV ({why}); the header must name "
                              f"{', '.join(REQUIRED_COLUMNS)} and may add "
                              f"{', '.join(ALLOWED_COLUMNS[4:])}")
        col = {h: i for i, h in enumerate(header)}
        messages: list[Pending] = []
        row_no = 1
        for _ in range(text.count("\n") + 2):
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_no += 1
                out.warn(f"row {row_no}", f"unreadable CSV row: {exc}; skipped")
                continue
            row_no += 1
            where = f"row {row_no}"
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) != len(header):
                out.warn(where, f"{len(row)} fields where the header has {len(header)}; skipped")
                continue
            if len(messages) >= MAX_MESSAGES:
                out.warn(where, f"more than {MAX_MESSAGES} messages; the rest is not read")
                break
            values = {h: row[i] for h, i in col.items()}
            atts = [a.strip() for a in values.get("attachments", "").split("|") if a.strip()]
            messages.append(self._message(values, atts, where, ctx, out))
        return messages

    # -- JSON ----------------------------------------------------------------------------------
    def _json(self, text: str, ctx: ParseContext, out: Builder
              ) -> tuple[list[Pending], str, str, TimeValue | None]:
        try:
            data = json.loads(text)
        except RecursionError:
            raise WrongFormat("JSON nested too deeply to read") from None
        except ValueError as exc:
            raise WrongFormat(f"not valid JSON: {exc}") from None
        if not isinstance(data, dict) or data.get("format") != "forensics-chat":
            raise WrongFormat('not the generic chat JSON: no "format": "forensics-chat"')
        version = data.get("version")
        if version != 1 or isinstance(version, bool):
            raise WrongFormat(f"generic chat JSON version {version!r} is not supported (this "
                              "parser reads version 1)")
        if not isinstance(data.get("messages"), list):
            raise WrongFormat('generic chat JSON without a "messages" list')
        title = data.get("chat", "")
        if not isinstance(title, str):
            out.warn("chat", f"chat is a {type(title).__name__}, not a string; ignored")
            title = ""
        exported, exported_tv = "", None
        if "exported" in data:
            exported = data["exported"] if isinstance(data["exported"], str) else ""
            exported_tv = read_time(data["exported"], "exported", out, ctx.default_zone)
        messages: list[Pending] = []
        unknown: set[str] = set()
        for i, m in enumerate(data["messages"]):
            where = f"message {i}"
            if len(messages) >= MAX_MESSAGES:
                out.warn(where, f"more than {MAX_MESSAGES} messages; the rest is not read")
                break
            if not isinstance(m, dict):
                out.warn(where, f"not an object but {type(m).__name__}; skipped")
                continue
            unknown |= set(m) - _JSON_KEYS
            values: dict[str, Any] = {}
            for key in ("sender_id", "sender_name", "text", "chat", "message_id"):
                v = m.get(key, "")
                if isinstance(v, str):
                    values[key] = v
                elif isinstance(v, int) and not isinstance(v, bool) and key != "text":
                    values[key] = str(v)
                else:
                    out.warn(where, f"{key} is a {type(v).__name__}, not a string; ignored")
                    values[key] = ""
            values["time"] = m.get("time")
            values["system"] = m.get("system", False)
            atts = m.get("attachments", [])
            if not isinstance(atts, list) or not all(isinstance(a, str) for a in atts):
                out.warn(where, "attachments is not a list of strings; ignored")
                atts = []
            msg = self._message(values, atts, where, ctx, out)
            msg.chat = msg.chat or title
            messages.append(msg)
        if unknown:
            out.warn("messages", f"unknown key(s) ignored: {', '.join(sorted(unknown))}")
        return messages, title, exported, exported_tv

    @staticmethod
    def _message(values: dict[str, Any], atts: list[str], where: str, ctx: ParseContext,
                 out: Builder) -> Pending:
        raw_time = values.get("time")
        tv = read_time(raw_time, where, out, ctx.default_zone)
        system = _flag(values.get("system", ""), where, out)
        sid, sname = values.get("sender_id", "").strip(), values.get("sender_name", "").strip()
        if not system and not sid and not sname:
            out.warn(where, "no sender_id and no sender_name")
        shown = raw_time if isinstance(raw_time, str) else ("" if raw_time is None
                                                            else json.dumps(raw_time))
        return Pending(where, sender_id=sid, sender_name=sname, text=values.get("text", ""),
                       time=tv, time_shown=shown, system=system, attachments=list(atts),
                       message_id=values.get("message_id", "").strip(),
                       chat=values.get("chat", "").strip())


PARSERS: tuple[type[Parser], ...] = (GenericChatParser,)
