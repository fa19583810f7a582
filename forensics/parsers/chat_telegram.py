"""Telegram Desktop chat exports in JSON (``result.json``).

Telegram Desktop's "Export chat history" (one chat) and "Export Telegram data" (every chat, under
``chats.list`` and ``left_chats.list``) write a ``result.json`` in "machine-readable JSON".  A
message has ``id``, ``type`` (``message`` or ``service``), ``date`` (the exporting computer's
local time, ISO 8601 *without* offset), ``date_unixtime`` (Unix seconds as a string, UTC; since
Telegram Desktop 3.x), ``from``/``from_id`` (``actor``/``actor_id`` and ``action`` for service
messages), ``text`` (a string, or a list of strings and ``{"type": "bold", "text": ...}``
entities), ``edited``/``edited_unixtime``, and media fields such as ``photo``, ``file``,
``media_type``.  There is no published schema; see
https://telegram.org/blog/export-and-more and the Telegram Desktop source
(``export_output_json.cpp``, https://github.com/telegramdesktop/tdesktop).

``date_unixtime`` is preferred (explicit UTC).  When both are present, ``date - date_unixtime`` is
the UTC offset of the exporting computer; it is recorded in ``Chat:LocalTimeOffset``.  A message
with only ``date`` is read in the case's default zone (marked *assumed*).

Examples
--------
>>> import io, json
>>> from forensics.parsers.base import Builder, ParseContext
>>> doc = {"name": "Chat", "type": "personal_chat", "id": 1, "messages": [
...     {"id": 5, "type": "message", "date": "2018-12-05T12:39:10",
...      "date_unixtime": "1544006350", "from": "A", "from_id": "user1",
...      "text": ["Link: ", {"type": "link", "text": "https://telegram.org/"}]}]}
>>> data = json.dumps(doc).encode()
>>> ctx = ParseContext("E1", "00" * 32, "result.json", len(data))
>>> p = TelegramParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
>>> a = b.build("application/x-telegram-chat+json")
>>> r = a.records[0]
>>> r.text, r.time.to_json()["utc"], r.time_shown, a.metadata["Chat:LocalTimeOffset"]
('Link: https://telegram.org/', '2018-12-05T10:39:10Z', '2018-12-05T12:39:10', '+02:00')
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers._chat import (
    MAX_MESSAGES,
    OffsetTally,
    Pending,
    decode_text,
    emit_chat,
    read_limited,
    warn_replaced,
)
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.timestamps import TimeValue, from_unix, parse_iso8601

__all__ = ["PARSERS", "TelegramParser", "telegram_text"]

_CHAT_TYPES = re.compile(r'"type"\s*:\s*"(?:personal_chat|private_group|private_supergroup|'
                         r'public_supergroup|public_channel|private_channel|bot_chat|'
                         r'saved_messages)"')
_KEYS = frozenset({"date_unixtime", "date", "from_id", "actor_id"})
_NAIVE = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}")


def telegram_text(value: object) -> str:
    """The plain text of a ``text`` field: a string, or a list of strings and entities.

    >>> telegram_text(["a ", {"type": "bold", "text": "b"}, {"type": "x"}])
    'a b'
    """
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = []
        for part in value:
            if isinstance(part, str):
                parts.append(part)
            elif isinstance(part, dict) and isinstance(part.get("text"), str):
                parts.append(part["text"])
        return "".join(parts)
    return ""


def _str(v: object) -> str:
    if isinstance(v, bool) or v is None:
        return ""
    return str(v) if isinstance(v, str | int | float) else ""


class TelegramParser(Parser):
    """Telegram Desktop ``result.json``: one chat, or a full export with ``chats.list``."""

    name = "chat_telegram"
    version = "1"
    media_types = ("application/x-telegram-chat+json",)
    sniff_priority: ClassVar[int] = 55

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        t = text.lstrip("\ufeff \t\r\n")
        if not t.startswith("{") or '"forensics-chat"' in t[:4000] or "QQChatExporter" in t[:4000]:
            return None
        if '"messages"' in t and ('"date_unixtime"' in t or '"from_id"' in t
                                  or _CHAT_TYPES.search(t)):
            return cls.media_types[0]
        if '"personal_information"' in t and '"chats"' in t:
            return cls.media_types[0]
        return None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        text, facts = decode_text(read_limited(fh))
        try:
            data = json.loads(text)
        except RecursionError:
            raise WrongFormat("JSON nested too deeply to read") from None
        except ValueError as exc:
            raise WrongFormat(f"not valid JSON: {exc}") from None
        if not isinstance(data, dict):
            raise WrongFormat("not a Telegram export: the JSON is not an object")
        chats: list[tuple[str, dict[str, Any]]] = []
        if isinstance(data.get("messages"), list):
            chats.append(("", data))
        for key in ("chats", "left_chats"):
            box = data.get(key)
            if isinstance(box, dict) and isinstance(box.get("list"), list):
                for k, c in enumerate(box["list"]):
                    if isinstance(c, dict):
                        chats.append((f"{key}.list[{k}]", c))
        if not chats:
            raise WrongFormat("not a Telegram export: no \"messages\" list and no chats.list")
        telegramish = any(isinstance(m, dict) and _KEYS & m.keys()
                          for _, c in chats if isinstance(c.get("messages"), list)
                          for m in c["messages"][:50])
        empty = all(not c.get("messages") for _, c in chats)
        if not telegramish and not (empty and ("type" in data or "chats" in data)):
            raise WrongFormat("not a Telegram export: no message has date, date_unixtime or "
                              "from_id")
        tally = OffsetTally()
        messages: list[Pending] = []
        types: set[str] = set()
        for prefix, chat in chats:
            name = _str(chat.get("name")) or (f"chat {_str(chat.get('id'))}"
                                              if _str(chat.get("id")) else "")
            if _str(chat.get("type")):
                types.add(_str(chat["type"]))
            raw = chat.get("messages") if isinstance(chat.get("messages"), list) else []
            for i, m in enumerate(raw):
                where = f"{prefix}.messages[{i}]" if prefix else f"messages[{i}]"
                if len(messages) >= MAX_MESSAGES:
                    out.warn(where, f"more than {MAX_MESSAGES} messages; the rest is not read")
                    break
                if not isinstance(m, dict):
                    out.warn(where, f"not an object but {type(m).__name__}; skipped")
                    continue
                messages.append(self._message(m, where, name, ctx, out, tally))
        warn_replaced(out, facts)
        for problem in tally.odd:
            out.warn("messages", problem)
        single = chats[0][1] if len(chats) == 1 else None
        owner = data.get("personal_information")
        owner_text = ""
        if isinstance(owner, dict):
            who = " ".join(x for x in (_str(owner.get("first_name")),
                                       _str(owner.get("last_name"))) if x)
            uid = _str(owner.get("user_id"))
            owner_text = f"{who} (user {uid})" if uid else who
        emit_chat(out, messages, fmt="Telegram Desktop JSON (result.json shape)",
                  file_type="JSON", title=_str(single.get("name")) if single else "",
                  facts=facts,
                  extra={"Chat:Type": ", ".join(sorted(types)),
                         "Chat:ID": _str(single.get("id")) if single else "",
                         "Chat:Chats": len(chats) if len(chats) > 1 else None,
                         "Chat:ExportOwner": owner_text,
                         "Chat:LocalTimeOffset": tally.summary()})

    @staticmethod
    def _message(m: dict[str, Any], where: str, chat: str, ctx: ParseContext, out: Builder,
                 tally: OffsetTally) -> Pending:
        service = m.get("type") == "service"
        unix, date = _str(m.get("date_unixtime")), _str(m.get("date"))
        tv = TelegramParser._time(unix, date, "date", where, ctx, out, tally)
        edited = None
        if m.get("edited_unixtime") is not None or m.get("edited") is not None:
            edited = TelegramParser._time(_str(m.get("edited_unixtime")), _str(m.get("edited")),
                                          "edited", where, ctx, out, None)
        text = telegram_text(m.get("text"))
        if service:
            parts = [_str(m.get("action"))]
            if _str(m.get("title")):
                parts.append(f'"{_str(m["title"])}"')
            members = m.get("members")
            if isinstance(members, list):
                parts.append(", ".join(_str(x) or "(deleted account)" for x in members))
            if text:
                parts.append(text)
            text = " ".join(p for p in parts if p)
        attachments = [m[k] for k in ("photo", "file") if isinstance(m.get(k), str) and m[k]]
        return Pending(where, sender_id=_str(m.get("actor_id" if service else "from_id")),
                       sender_name=_str(m.get("actor" if service else "from")), text=text,
                       time=tv, time_shown=date or unix, system=service,
                       attachments=attachments, message_id=_str(m.get("id")), chat=chat,
                       edited=edited)

    @staticmethod
    def _time(unix: str, date: str, field: str, where: str, ctx: ParseContext, out: Builder,
              tally: OffsetTally | None) -> TimeValue | None:
        if unix:
            if not re.fullmatch(r"-?\d{1,12}", unix.strip()):
                out.warn(where, f"{field}_unixtime {unix!r} is not Unix seconds")
            else:
                tv = out.time(from_unix, int(unix), f"telegram:{field}_unixtime", where,
                              original=unix)
                if tv is not None:
                    if tally is not None and date and _NAIVE.fullmatch(date):
                        try:
                            tally.add(datetime.fromisoformat(date), tv.earliest, where)
                        except ValueError as exc:
                            out.warn(where, f"{field} {date!r}: {exc}")
                    return tv
        if date:
            return out.time(parse_iso8601, date, f"telegram:{field}", where,
                            default_zone=ctx.default_zone)
        if field == "date":
            out.warn(where, "message without date and date_unixtime")
        return None


PARSERS: tuple[type[Parser], ...] = (TelegramParser,)
