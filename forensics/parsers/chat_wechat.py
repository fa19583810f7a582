"""WeChat chat exports written by WeChatMsg / MemoTrace (留痕): the CSV and the HTML page.

WeChat itself has no export; the exports met in practice come from third-party tools that read
the decrypted ``MSG*.db`` of WeChat for Windows 3.x.  This module reads the two single-file
outputs of the open-source WeChatMsg (https://github.com/LC044/WeChatMsg, later published as
MemoTrace / 留痕, releases 1.x-2.x of 2023-2024):

* the CSV of ``app/util/exporter/exporter_csv.py``, UTF-8 with BOM, header
  ``localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,NickName,Sender``
  (one row per row of the ``MSG`` table; ``CreateTime`` is Unix seconds (UTC), ``StrTime`` the
  same instant as local time of the exporting PC, ``Sender`` the sender's wxid, ``Remark`` /
  ``NickName`` the names shown; ``Type`` 1 text, 3 image, 34 voice, 42 contact card, 43 video,
  47 sticker, 48 location, 49 app message (file, link, quote, transfer... by ``SubType``),
  50 call, 10000/10002 system);
* the HTML of ``exporter_html.py``: the page template with the messages in a JavaScript array
  ``const chatMessages = [{ type:1, text:'...', is_send:0, avatar_path:'...',
  timestamp:1690000000, is_chatroom:0, displayname:'...'}, ...]`` (texts are HTML-escaped, WeChat
  emoji written as ``<img ... id="微笑" class="emoji_img">``; ``timestamp`` is Unix seconds).  The
  static sample bubbles of the template ("出错了") are not messages and are ignored.

Other tools' shapes (PyWxDump, the closed MemoTrace 3 releases, WeChat 4.x exporters) are not
read: their files are refused as the wrong format.

Examples
--------
>>> import io
>>> from forensics.parsers.base import Builder, ParseContext
>>> csv_text = ("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,"
...             "Remark,NickName,Sender\\r\\n1,2,1,0,0,1672545600,2,你好,2023-01-01 12:00:00,"
...             "张三,zs,wxid_zs\\r\\n")
>>> data = csv_text.encode("utf-8-sig")
>>> ctx = ParseContext("E1", "00" * 32, "a.csv", len(data))
>>> p = WeChatParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
>>> a = b.build("text/x-wechat-chat+csv")
>>> r = a.records[0]
>>> r.sender_id, r.sender_name, r.text, r.time.to_json()["utc"], a.metadata["Chat:LocalTimeOffset"]
('wxid_zs', '张三', '你好', '2023-01-01T04:00:00Z', '+08:00')
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from bisect import bisect_right
from datetime import datetime
from typing import BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers._chat import (
    MAX_MESSAGES,
    OffsetTally,
    Pending,
    TextFacts,
    decode_text,
    emit_chat,
    parse_html_tree,
    read_limited,
    wall_time,
    warn_replaced,
)
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.timestamps import Precision, TimeValue, from_unix

__all__ = ["PARSERS", "WeChatParser", "parse_js_array"]

_CSV_COLUMNS = ("localId", "TalkerId", "Type", "SubType", "IsSender", "CreateTime", "Status",
                "StrContent", "StrTime", "Remark", "NickName", "Sender")
_CSV_REQUIRED = frozenset({"Type", "IsSender", "CreateTime", "StrContent"})
_STRTIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_TYPE_LABEL = {3: "[图片]", 34: "[语音]", 42: "[名片]", 43: "[视频]", 47: "[动画表情]",
               48: "[位置]", 50: "[通话]"}
_TYPE_KIND = {3: "image", 34: "voice", 42: "contact card", 43: "video", 47: "sticker",
              48: "location"}
_APP_KIND = {3: "music", 4: "link", 5: "link", 6: "file", 8: "sticker", 19: "chat record",
             33: "mini program", 36: "mini program", 51: "channels", 57: "quote",
             2000: "transfer", 2001: "red packet"}
_SYSTEM_TYPES = frozenset({10000, 10002})
_SYSTEM_TAGS = re.compile(r"<!\[CDATA\[|\]\]>|</?(?:img|revo|_wc_cus|a|sysmsg|revokemsg)\b[^>]*>")


def _attr(xml: str, name: str) -> str:
    m = re.search(rf'\b{name}\s*=\s*"([^"]*)"', xml[:20000])
    return m[1] if m else ""


def _title(xml: str) -> str:
    m = re.search(r"<title>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</title>", xml[:200000], re.DOTALL)
    return html.unescape(m[1]).strip() if m else ""


def _int(value: str) -> int | None:
    try:
        return int(value.strip())
    except (ValueError, AttributeError):
        return None


def _csv_content(kind: int | None, sub: int | None, content: str) -> tuple[str, list[str], bool]:
    """``(text, attachments, system)`` of one CSV row's ``StrContent``."""
    if kind is None or kind == 1:
        return content, [], False
    if kind in _SYSTEM_TYPES:
        return html.unescape(_SYSTEM_TAGS.sub("", content)).strip(), [], True
    if kind in _TYPE_KIND:
        label = _TYPE_KIND[kind]
        md5 = _attr(content, "md5")
        if kind == 34:
            length = _int(_attr(content, "voicelength") or "x")
            detail = f"{label} ({length / 1000:g} s)" if length is not None else label
        else:
            detail = f"{label} (md5 {md5})" if md5 else label
        return _TYPE_LABEL[kind], [detail], False
    if kind == 49:
        title = _title(content)
        app = _int(re.search(r"<type>(\d+)</type>", content[:200000])[1]) if re.search(
            r"<type>(\d+)</type>", content[:200000]) else sub
        label = _APP_KIND.get(app or -1, f"app message (SubType {sub})")
        if label == "quote":
            return title, [], False
        if label == "file":
            return f"[文件] {title}".strip(), [title or "file"], False
        url = re.search(r"<url>(?:<!\[CDATA\[)?(.*?)(?:\]\]>)?</url>", content[:200000], re.S)
        att = f"{label}: {title}".rstrip(": ") + (f" <{html.unescape(url[1]).strip()}>"
                                                 if url and url[1].strip() else "")
        return (f"[{label}] {title}".strip(), [att], False)
    if kind == 50:
        return _TYPE_LABEL[50], [], False
    return content, [], False


class WeChatParser(Parser):
    """WeChatMsg / MemoTrace CSV and HTML exports of one WeChat chat."""

    name = "chat_wechat"
    version = "1"
    media_types = ("text/x-wechat-chat+csv", "text/x-wechat-chat+html")
    sniff_priority: ClassVar[int] = 60

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        t = text.lstrip("\ufeff")
        first = t.split("\n", 1)[0].rstrip("\r")
        if first.startswith("localId,") or {"Type", "IsSender", "CreateTime", "StrContent",
                                            "TalkerId"} <= set(first.split(",")):
            return "text/x-wechat-chat+csv"
        s = t.lstrip(" \t\r\n")
        if s[:15].lower().startswith(("<!doctype html", "<html")) and _ARRAY_START.search(t) \
                and ("is_send:" in t or 'id="chat-container"' in t):
            return "text/x-wechat-chat+html"
        return None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        text, facts = decode_text(read_limited(fh))
        s = text.lstrip(" \t\r\n")
        if s[:15].lower().startswith(("<!doctype html", "<html")):
            self._html(text, facts, ctx, out)
        else:
            self._csv(text, facts, ctx, out)

    # -- CSV -----------------------------------------------------------------------------------
    def _csv(self, text: str, facts: TextFacts, ctx: ParseContext, out: Builder) -> None:
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except (StopIteration, csv.Error) as exc:
            raise WrongFormat(f"not a WeChatMsg CSV export: no header row ({exc})") from None
        header = [h.strip() for h in header]
        missing = sorted(_CSV_REQUIRED - set(header))
        if missing:
            raise WrongFormat(f"not a WeChatMsg CSV export: header {','.join(header)[:200]!r} "
                              f"lacks {', '.join(missing)}")
        col = {name: header.index(name) for name in _CSV_COLUMNS if name in header}
        tally = OffsetTally()
        messages: list[Pending] = []
        max_rows = text.count("\n") + 2
        row_no = 1
        chatroom = False
        for _ in range(max_rows):
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row_no += 1
                out.warn(f"row {row_no}", f"unreadable CSV row: {exc}")
                continue
            row_no += 1
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(messages) >= MAX_MESSAGES:
                out.warn(f"row {row_no}", f"more than {MAX_MESSAGES} messages; the rest is not read")
                break
            where = f"row {row_no}"
            if len(row) != len(header):
                out.warn(where, f"{len(row)} fields where the header has {len(header)}")

            def get(name: str, row: list[str] = row) -> str:
                i = col.get(name)
                return row[i] if i is not None and i < len(row) else ""

            kind, sub = _int(get("Type")), _int(get("SubType"))
            if kind is None:
                out.warn(where, f"Type {get('Type')!r} is not a number; read as text")
            body, attachments, system = _csv_content(kind, sub, get("StrContent"))
            sender = get("Sender").strip()
            if sender.endswith("@chatroom"):
                chatroom = True
            shown, raw = get("StrTime").strip(), get("CreateTime").strip()
            tv = self._csv_time(raw, shown, where, ctx, out, tally)
            messages.append(Pending(where, sender_id=sender,
                                    sender_name=(get("Remark") or get("NickName")).strip(),
                                    text=body, time=tv, time_shown=shown or raw, system=system,
                                    attachments=attachments, message_id=get("localId").strip()))
        warn_replaced(out, facts)
        for problem in tally.odd:
            out.warn("rows", problem)
        emit_chat(out, messages, fmt="WeChatMsg/MemoTrace CSV export", file_type="CSV",
                  date_order="ymd (fixed by the format)" if "StrTime" in col else "",
                  facts=facts, extra={"Chat:Layout": "exporter_csv.py CSV (" + ",".join(header)[:300]
                                      + ")", "Chat:LocalTimeOffset": tally.summary(),
                                      "Chat:Type": "group" if chatroom else ""})

    @staticmethod
    def _csv_time(raw: str, shown: str, where: str, ctx: ParseContext, out: Builder,
                  tally: OffsetTally) -> TimeValue | None:
        wall = None
        m = _STRTIME.fullmatch(shown)
        if m:
            try:
                wall = datetime(*(int(x) for x in m.groups()))  # type: ignore[misc]
            except ValueError as exc:
                out.warn(where, f"StrTime {shown!r} is not a valid time: {exc}")
        elif shown:
            out.warn(where, f"StrTime {shown!r} is not 'yyyy-mm-dd HH:MM:SS'")
        seconds = _int(raw)
        if seconds is not None:
            tv = out.time(from_unix, seconds, "wechat:CreateTime", where, original=raw)
            if tv is not None:
                if wall is not None:
                    tally.add(wall, tv.earliest, where)
                return tv
        elif raw:
            out.warn(where, f"CreateTime {raw!r} is not Unix seconds")
        if wall is not None:
            try:
                return wall_time(wall, shown, "wechat:StrTime", Precision.SECOND, ctx.default_zone)
            except ValueError as exc:
                out.warn(where, f"StrTime: {exc}")
                return None
        if not raw and not shown:
            out.warn(where, "no CreateTime and no StrTime")
        return None

    # -- HTML ----------------------------------------------------------------------------------
    def _html(self, text: str, facts: TextFacts, ctx: ParseContext, out: Builder) -> None:
        start = _ARRAY_START.search(text)
        if not start:
            raise WrongFormat("not a WeChatMsg HTML export: no 'const chatMessages = [' array")
        items, problems = parse_js_array(text, start.end() - 1)
        root = parse_html_tree(text[: start.start()])
        title_node = root.find("title")
        title = title_node.text() if title_node else ""
        newlines = [m.start() for m in re.finditer("\n", text)]
        messages: list[Pending] = []
        chatroom = None
        for k, (pos, item) in enumerate(items[:MAX_MESSAGES], 1):
            where = f"message {k} (line {bisect_right(newlines, pos - 1) + 1})"
            if not isinstance(item, dict):
                out.warn(where, f"array element is {type(item).__name__}, not an object; skipped")
                continue
            if isinstance(item.get("is_chatroom"), int | float):
                chatroom = bool(item["is_chatroom"]) or bool(chatroom)
            messages.append(self._html_message(item, where, out, title))
        if len(items) > MAX_MESSAGES:
            out.warn("chatMessages", f"more than {MAX_MESSAGES} messages; the rest is not read")
        warn_replaced(out, facts)
        for pos, problem in problems:
            out.warn(f"line {bisect_right(newlines, pos - 1) + 1}", problem)
        emit_chat(out, messages, fmt="WeChatMsg/MemoTrace HTML export", file_type="HTML",
                  title=title, facts=facts,
                  extra={"HTML:Title": title, "Chat:Layout": "exporter_html.py chatMessages array",
                         "Chat:Type": "" if chatroom is None else
                         ("group" if chatroom else "private")})

    @staticmethod
    def _html_message(item: dict[str, object], where: str, out: Builder, title: str) -> Pending:
        def s(key: str) -> str:
            v = item.get(key)
            return v if isinstance(v, str) else ""

        kind = _code(item.get("type"))
        sub = _code(item.get("sub_type"))
        raw = _html_text(s("text"))
        attachments: list[str] = []
        system = kind == 0
        if kind in (3, 34, 43, 47):
            text = _TYPE_LABEL[kind]
            if raw:
                attachments.append(raw)
            if kind == 34 and s("voice_to_text"):
                text += " " + _html_text(s("voice_to_text"))
        elif kind == 49 and sub == 6:
            text = f"[文件] {_html_text(s('file_name'))}".strip()
            attachments.append(raw or _html_text(s("file_name")) or "file")
        elif kind == 49 and sub in (3, 5):
            label = "music" if sub == 3 else "link"
            t = _html_text(s("title"))
            text = f"[{label}] {t}".strip()
            url = s("link_url") or s("url")
            attachments.append(f"{label}: {t}".rstrip(": ") + (f" <{url}>" if url else ""))
        elif kind == 49 and sub == 57 and s("refer_text"):
            text = raw + "\n[引用] " + _html_text(s("refer_text"))
        else:
            text = raw
        ts = item.get("timestamp")
        tv = None
        if isinstance(ts, int | float) and not isinstance(ts, bool):
            tv = out.time(from_unix, ts, "wechat:timestamp", where, original=_num(ts))
        else:
            out.warn(where, f"timestamp {ts!r} is not Unix seconds")
        return Pending(where, sender_name="" if system else html.unescape(s("displayname")),
                       text=text, time=tv, time_shown=_num(ts) if ts is not None else "",
                       system=system, attachments=attachments, chat=title)


def _code(v: object) -> int | None:
    """A message type or sub-type code: a finite number, as an int; anything else (text, a
    boolean, ``1e30949`` read as infinity, NaN) is no code.

    >>> _code(49), _code(6.0), _code(float("inf")), _code(True), _code("49")
    (49, 6, None, None, None)
    """
    if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
        return int(v)
    return None


def _num(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


_EMOJI_IMG = re.compile(r"<img\b[^>]*?\bid=\"([^\"]*)\"[^>]*>")
_TAG = re.compile(r"<[^<>]{0,2000}>")


def _html_text(value: str) -> str:
    """The exporter's HTML-escaped text as plain text (emoji images back to ``[name]``)."""
    value = _EMOJI_IMG.sub(lambda m: f"[{m[1].replace(' ', '')}]", value)
    value = re.sub(r"<br\s*/?>", "\n", value)
    return html.unescape(_TAG.sub("", value))


# -- a JavaScript array-literal reader (the exporter's object literals, not general JS) ---------

_ARRAY_START = re.compile(r"(?:const|let|var)\s+chatMessages\s*=\s*\[")
_IDENT = re.compile(r"[A-Za-z_$][\w$]*")
_NUMBER = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?")
_RESYNC = re.compile(r"\{\s*type\s*:")
_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": "\b", "f": "\f", "v": "\v", "0": "\0"}
_MAX_DEPTH = 32
_CONSTANTS: dict[str, object] = {"true": True, "false": False, "null": None, "undefined": None}


class _JSError(ValueError):
    def __init__(self, pos: int, message: str) -> None:
        super().__init__(message)
        self.pos = pos


class _Reader:
    def __init__(self, s: str) -> None:
        self.s = s

    def ws(self, i: int) -> int:
        s = self.s
        while i < len(s):
            if s[i] in " \t\r\n\u00a0\ufeff":
                i += 1
            elif s.startswith("//", i):
                j = s.find("\n", i)
                i = len(s) if j < 0 else j + 1
            elif s.startswith("/*", i):
                j = s.find("*/", i + 2)
                i = len(s) if j < 0 else j + 2
            else:
                break
        return i

    def string(self, i: int) -> tuple[str, int]:
        s, quote, out = self.s, self.s[i], []
        i += 1
        while i < len(s):
            j = i
            while j < len(s) and s[j] not in (quote, "\\", "\n"):
                j += 1
            out.append(s[i:j])
            if j >= len(s) or s[j] == "\n":
                raise _JSError(j, "unterminated string")
            if s[j] == quote:
                return "".join(out), j + 1
            esc = s[j + 1: j + 2]
            if esc == "u" and s[j + 2: j + 3] == "{":
                k = s.find("}", j + 3)
                code = s[j + 3: k] if k > 0 else ""
                i = k + 1 if k > 0 else j + 2
            elif esc == "u":
                code, i = s[j + 2: j + 6], j + 6
            elif esc == "x":
                code, i = s[j + 2: j + 4], j + 4
            else:
                if esc in ("\n", "\r"):  # line continuation
                    i = j + 2 + (s[j + 1: j + 3] == "\r\n")
                    continue
                out.append(_ESCAPES.get(esc, esc))
                i = j + 2
                continue
            try:
                out.append(chr(int(code, 16)))
            except (ValueError, OverflowError):
                raise _JSError(j, f"bad escape \\{esc}{code}") from None
        raise _JSError(i, "unterminated string")

    def value(self, i: int, depth: int) -> tuple[object, int]:
        s = self.s
        i = self.ws(i)
        if i >= len(s):
            raise _JSError(i, "unexpected end of the array")
        ch = s[i]
        if depth > _MAX_DEPTH:
            raise _JSError(i, "nested too deeply")
        if ch in "'\"":
            return self.string(i)
        if ch == "{":
            obj: dict[str, object] = {}
            i += 1
            while True:
                i = self.ws(i)
                if i < len(s) and s[i] == "}":
                    return obj, i + 1
                if i < len(s) and s[i] in "'\"":
                    key, i = self.string(i)
                else:
                    m = _IDENT.match(s, i) or _NUMBER.match(s, i)
                    if not m:
                        raise _JSError(i, f"expected a property name, found {s[i:i + 20]!r}")
                    key, i = m[0], m.end()
                i = self.ws(i)
                if i >= len(s) or s[i] != ":":
                    raise _JSError(i, f"expected ':' after property {key!r}")
                obj[key], i = self.value(i + 1, depth + 1)
                i = self.ws(i)
                if i < len(s) and s[i] == ",":
                    i += 1
                elif i >= len(s) or s[i] != "}":
                    raise _JSError(i, f"expected ',' or '}}' after property {key!r}")
        if ch == "[":
            arr: list[object] = []
            i += 1
            while True:
                i = self.ws(i)
                if i < len(s) and s[i] == "]":
                    return arr, i + 1
                v, i = self.value(i, depth + 1)
                arr.append(v)
                i = self.ws(i)
                if i < len(s) and s[i] == ",":
                    i += 1
                elif i >= len(s) or s[i] != "]":
                    raise _JSError(i, "expected ',' or ']' in an array")
        m = _NUMBER.match(s, i)
        if m:
            text = m[0]
            return (float(text) if any(c in text for c in ".eE") else int(text)), m.end()
        m = _IDENT.match(s, i)
        if m and m[0] in _CONSTANTS:
            return _CONSTANTS[m[0]], m.end()
        raise _JSError(i, f"unexpected {s[i:i + 20]!r}")


def parse_js_array(s: str, i: int) -> tuple[list[tuple[int, object]], list[tuple[int, str]]]:
    """The elements of the JavaScript array literal starting at ``s[i] == '['``.

    Returns ``[(position, value), ...]`` and ``[(position, problem), ...]``: an element that
    cannot be read is reported and skipped (reading resumes at the next ``{ type:``).

    >>> parse_js_array("[{ type:1, text: 'a\\\\'b',is_send:0,}, {type:0, text:\\"x\\"},\\n];", 0)[0]
    [(1, {'type': 1, 'text': "a'b", 'is_send': 0}), (37, {'type': 0, 'text': 'x'})]
    """
    r = _Reader(s)
    items: list[tuple[int, object]] = []
    problems: list[tuple[int, str]] = []
    i += 1
    limit = len(s) + 1
    for _ in range(limit):
        i = r.ws(i)
        if i >= len(s):
            problems.append((i, "chatMessages array not closed before the end of the file"))
            break
        if s[i] == "]":
            break
        start = i
        try:
            v, i = r.value(i, 1)
        except _JSError as exc:
            problems.append((exc.pos, f"unreadable message object: {exc}"))
            m = _RESYNC.search(s, max(exc.pos, start + 1))
            if not m:
                break
            i = m.start()
            continue
        items.append((start, v))
        i = r.ws(i)
        if i < len(s) and s[i] == ",":
            i += 1
        elif i < len(s) and s[i] != "]":
            problems.append((i, f"expected ',' or ']' after a message, found {s[i:i + 20]!r}"))
            m = _RESYNC.search(s, i)
            if not m:
                break
            i = m.start()
    return items, problems


PARSERS: tuple[type[Parser], ...] = (WeChatParser,)
