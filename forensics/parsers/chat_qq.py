"""QQ chat exports: the classic client's message-manager .txt, and QQChatExporter V5 output.

:class:`QQTextParser` reads the text file the Windows QQ client's 消息管理器 ("message manager")
writes with 导出消息记录 → 文本文件 (.txt).  There is no published specification; the layout,
as the client writes it, is::

    消息记录（此消息记录为文本格式，不支持重新导入）

    ================================================================
    消息分组:我的好友
    ================================================================
    消息对象:张三
    ================================================================

    2016-03-04 9:05:12 张三
    第一行
    第二行

    2016-03-04 9:06:01 李四(10001)
    ...

The hour is not zero-padded; the sender is a nickname, in groups followed by the QQ number in
parentheses or an e-mail address in angle brackets (``张三<zhangsan@qq.com>``); newer clients and
TIM write ``上午``/``下午`` before the time.  A full export holds one 消息分组/消息对象 section per
contact or group.  Files are UTF-8 with a BOM (older clients: GB18030/GBK "ANSI"); header lines
end in CRLF while multi-line message texts keep bare LF.  Times carry no zone (the PC's clock):
they are read in the case's default zone, marked *assumed*.  Reference parsers: qq-chat-history
(https://github.com/hikariyo/qq-chat-history).

:class:`QCEParser` reads the three single-file outputs of QQChatExporter V5
(https://github.com/shuakami/qq-chat-exporter, for NTQQ): the TextExporter ``.txt``, the
JsonExporter ``.json`` (``timestamp`` in epoch milliseconds is preferred; it is UTC) and the
HtmlExporter ``.html`` (``message`` blocks with ``message-sender`` and ``message-time``).

Examples
--------
>>> import io
>>> from forensics.parsers.base import Builder, ParseContext
>>> data = ("\\ufeff消息记录（此消息记录为文本格式，不支持重新导入）\\r\\n\\r\\n" + "=" * 64 + "\\r\\n"
...         "消息分组:我的好友\\r\\n" + "=" * 64 + "\\r\\n消息对象:张三\\r\\n" + "=" * 64 +
...         "\\r\\n\\r\\n2016-03-04 9:05:12 张三\\r\\n你好\\nhi\\r\\n\\r\\n").encode("utf-8")
>>> ctx = ParseContext("E1", "00" * 32, "qq.txt", len(data), default_zone="Asia/Shanghai")
>>> p = QQTextParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
>>> r = b.build("text/x-qq-chat").records[0]
>>> r.chat, r.sender_name, r.text, r.time.to_json()["utc"]
('张三', '张三', '你好\\nhi', '2016-03-04T01:05:12Z')
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers._chat import (
    MAX_MESSAGES,
    Node,
    OffsetTally,
    Pending,
    TextFacts,
    decode_text,
    emit_chat,
    parse_html_tree,
    read_limited,
    split_lines,
    wall_time,
    warn_replaced,
)
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.timestamps import Precision, TimeValue, from_unix

__all__ = ["PARSERS", "QCEParser", "QQTextParser"]

# -- the classic QQ message manager .txt ---------------------------------------------------------

_BANNER = "消息记录（此消息记录为文本格式，不支持重新导入）"
_QQ_HEAD = re.compile(
    r"(?P<stamp>(?P<y>\d{4})-(?P<mo>\d{1,2})-(?P<d>\d{1,2}) (?:(?P<ap>上午|下午) ?)?"
    r"(?P<h>\d{1,2}):(?P<mi>\d{2}):(?P<s>\d{2})) (?P<who>\S.*)")
_QQ_WHO = re.compile(r"(?P<name>.*?)(?:\((?P<qq>\d{4,12})\)|<(?P<mail>[^<>\s]+@[^<>\s]+)>)")
_RULE = re.compile(r"={16,}\s*")
_SECTION = re.compile(r"(?P<key>消息分组|消息对象)[:：](?P<value>.*)")
_PLACEHOLDER = re.compile(r"\[(?:图片|表情|文件|语音|视频|闪照)\]")


def _qq_time(m: re.Match[str], ctx: ParseContext) -> TimeValue:
    h = int(m["h"])
    if m["ap"] == "下午" and h < 12:
        h += 12
    elif m["ap"] == "上午" and h == 12:
        h = 0
    wall = datetime(int(m["y"]), int(m["mo"]), int(m["d"]), h, int(m["mi"]), int(m["s"]))
    return wall_time(wall, m["stamp"], "chat:time", Precision.SECOND, ctx.default_zone)


class QQTextParser(Parser):
    """The QQ client's message-manager text export (消息管理器 → 导出为 .txt)."""

    name = "chat_qq_txt"
    version = "1"
    media_types = ("text/x-qq-chat",)
    sniff_priority: ClassVar[int] = 60

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        t = text.lstrip("\ufeff \r\n")
        if t.startswith(_BANNER[:12]):
            return cls.media_types[0]
        if (re.search(r"^消息对象[:：]", t, re.MULTILINE) and re.search(r"^={16,}", t, re.M)
                and any(_QQ_HEAD.fullmatch(ln.rstrip("\r")) for ln in t.split("\n", 400)[:400])):
            return cls.media_types[0]
        return None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        text, facts = decode_text(read_limited(fh))
        lines = split_lines(text)
        messages: list[Pending] = []
        chats: list[str] = []
        groups: list[str] = []
        chat = ""
        current: Pending | None = None
        body: list[str] = []
        after_break = True  # start of file, a blank line or a ==== rule precedes
        stray: list[int] = []
        saw_header = False

        def close() -> None:
            if current is not None:
                while body and not body[-1].strip():
                    body.pop()
                current.text = "\n".join(body)
                current.attachments = _PLACEHOLDER.findall(current.text)
                messages.append(current)

        for n, line in enumerate(lines, 1):
            bare = line.lstrip("\ufeff")
            if _RULE.fullmatch(bare):
                saw_header = True
                after_break = True
                continue
            sec = _SECTION.fullmatch(bare)
            if sec and (after_break or current is None):
                saw_header = True
                close()
                current, body = None, []
                value = sec["value"].strip()
                if sec["key"] == "消息对象":
                    chat = value
                    chats.append(value)
                else:
                    groups.append(value)
                after_break = True
                continue
            m = _QQ_HEAD.fullmatch(bare) if after_break else None
            if m:
                close()
                current, body = None, []
                if len(messages) >= MAX_MESSAGES:
                    out.warn(f"line {n}", f"more than {MAX_MESSAGES} messages; the rest is not read")
                    break
                where = f"line {n}"
                who = m["who"].strip()
                w = _QQ_WHO.fullmatch(who)
                name, sid = (w["name"].strip(), w["qq"] or w["mail"]) if w else (who, "")
                try:
                    tv = _qq_time(m, ctx)
                except ValueError as exc:
                    out.warn(where, f"impossible date or time {m['stamp']!r}: {exc}")
                    tv = None
                current = Pending(where, sender_id=sid, sender_name=name, time=tv,
                                  time_shown=m["stamp"], chat=chat,
                                  system=sid == "10000" or name == "系统消息")
                after_break = False
                continue
            after_break = not bare.strip()
            if current is not None:
                body.append(line)
            elif bare.strip() and bare.strip() != _BANNER:
                stray.append(n)
        close()
        if not messages and not (saw_header and chats):
            raise WrongFormat("not a QQ message-manager export: no 消息对象 section and no "
                              "\"yyyy-mm-dd h:mm:ss name\" message line")
        warn_replaced(out, facts)
        if stray:
            out.warn(f"line {stray[0]}", f"{len(stray)} line(s) outside any message; not read")
        title = chats[0] if len(set(chats)) == 1 else "; ".join(dict.fromkeys(chats))
        emit_chat(out, messages, fmt="QQ message manager .txt export (消息管理器)",
                  file_type="TXT", title=title, date_order="ymd (fixed by the format)",
                  facts=facts, extra={"Chat:Group": "; ".join(dict.fromkeys(groups)),
                                      "Chat:Chats": len(dict.fromkeys(chats)) or None})


# -- QQChatExporter V5 ---------------------------------------------------------------------------

_QCE_FORMAT = "QQChatExporter V5 (NTQQ) export"
_QCE_TIME = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_QCE_FIELD = re.compile(r"(聊天名称|聊天类型|参与人数|导出时间|消息总数|时间范围): ?(.*)")
_QCE_RESOURCE = re.compile(r" {2}- (?P<kind>[\w-]+): (?P<name>.*)")
_QCE_META = re.compile(r"资源: \d+ 个文件|提及: .*|回复: .*")
_QCE_TOTAL = re.compile(r"总计导出 (\d+) 条消息")
_RESOURCE_LABEL = re.compile(r"\[(?:图片|文件|语音|视频|[\w-]+): (?P<name>[^\]]+)\]")
_CHAT_TYPES = {"群聊": "group", "私聊": "private", "临时会话": "temp"}


def _wall_time(shown: str, ctx: ParseContext, source: str) -> tuple[datetime, TimeValue]:
    m = _QCE_TIME.fullmatch(shown.strip())
    if not m:
        raise ValueError(f"not a 'yyyy-mm-dd HH:MM:SS' time: {shown!r}")
    wall = datetime(*(int(x) for x in m.groups()))  # type: ignore[misc]
    return wall, wall_time(wall, shown, source, Precision.SECOND, ctx.default_zone)


def _exported(value: str, ctx: ParseContext, out: Builder, where: str
              ) -> tuple[str, TimeValue | None]:
    """The export time as shown and read; a template placeholder is said to be one."""
    value = value.strip()
    if not value:
        return "", None
    if value.startswith("<") and value.endswith(">"):
        out.warn(where, f"export time field holds the placeholder {value!r}, not a time; the "
                        "export time is unknown")
        return "", None
    try:
        return value, _wall_time(value, ctx, "chat:exported")[1]
    except ValueError as exc:
        out.warn(where, f"export time: {exc}")
        return value, None


def _count_check(out: Builder, where: str, stated: str | int | None, found: int) -> None:
    if stated is None or stated == "":
        return
    try:
        n = int(stated)
    except (TypeError, ValueError):
        out.warn(where, f"stated message total {stated!r} is not a number")
        return
    if n != found:
        out.warn(where, f"stated message total is {n} but {found} messages were read")


#: The exporter names itself in ``metadata.name``; another JSON file that merely mentions it
#: (a test's expected values, a bug report) is not an export.
_QCE_JSON_NAME = re.compile(r'"metadata"\s*:\s*\{\s*"name"\s*:\s*"QQChatExporter')


class QCEParser(Parser):
    """QQChatExporter V5 single-file exports: TextExporter .txt, JsonExporter .json, HtmlExporter
    .html."""

    name = "chat_qce"
    version = "1"
    media_types = ("text/x-qce-chat", "application/x-qce-chat+json", "text/x-qce-chat+html")
    sniff_priority: ClassVar[int] = 60

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        t = text.lstrip("\ufeff \t\r\n")
        if t.startswith("[QQChatExporter") or (
                t.startswith("=") and "QQ聊天记录导出文件" in t[:400] and "聊天名称:" in t[:2000]):
            return "text/x-qce-chat"
        if t.startswith("{") and (_QCE_JSON_NAME.search(t[:4000]) or (
                '"chatInfo"' in t and '"messages"' in t and '"sender"' in t)):
            return "application/x-qce-chat+json"
        if t[:15].lower().startswith(("<!doctype html", "<html")) and (
                "的聊天记录导出文件\"" in t and ("messages-container" in t or "chat-header" in t)):
            return "text/x-qce-chat+html"
        return None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        text, facts = decode_text(read_limited(fh))
        t = text.lstrip(" \t\r\n")
        if t.startswith("{"):
            self._json(t, facts, ctx, out)
        elif t[:15].lower().startswith(("<!doctype html", "<html")):
            self._html(text, facts, ctx, out)
        else:
            self._txt(text, facts, ctx, out)

    # -- TextExporter --------------------------------------------------------------------------
    def _txt(self, text: str, facts: TextFacts, ctx: ParseContext, out: Builder) -> None:
        lines = split_lines(text)
        first = next((ln for ln in lines if ln.strip()), "")
        if not (first.startswith("[QQChatExporter") or any("QQ聊天记录导出文件" in ln
                                                           for ln in lines[:20])):
            raise WrongFormat("not a QQChatExporter text export: no '[QQChatExporter' first "
                              "line and no 'QQ聊天记录导出文件' title")
        fields: dict[str, tuple[int, str]] = {}
        starts = [i for i in range(len(lines) - 1)
                  if lines[i].endswith(":") and lines[i + 1].startswith("时间: ")]
        for i, line in enumerate(lines[: starts[0] if starts else len(lines)], 1):
            f = _QCE_FIELD.fullmatch(line)
            if f and f[1] not in fields:
                fields[f[1]] = (i, f[2].strip())
        messages: list[Pending] = []
        total_stated: tuple[int, str] | None = None
        for k, i in enumerate(starts[:MAX_MESSAGES]):
            end = starts[k + 1] if k + 1 < len(starts) else len(lines)
            where = f"line {i + 1}"
            name = lines[i][:-1]
            shown = lines[i + 1][len("时间: "):].strip()
            try:
                tv: TimeValue | None = _wall_time(shown, ctx, "chat:time")[1]
            except ValueError as exc:
                out.warn(f"line {i + 2}", str(exc))
                tv = None
            body: list[str] = []
            attachments: list[str] = []
            in_content = False
            for j in range(i + 2, end):
                line = lines[j]
                if _RULE.fullmatch(line) and k == len(starts) - 1:  # the footer
                    for jj in range(j, len(lines)):
                        tm = _QCE_TOTAL.fullmatch(lines[jj].strip())
                        if tm:
                            total_stated = (jj + 1, tm[1])
                        ex = re.fullmatch(r"导出时间: ?(.*)", lines[jj])
                        if ex and "导出时间" not in fields:
                            fields["导出时间"] = (jj + 1, ex[1].strip())
                    break
                if line.startswith("内容: ") and not in_content and not body:
                    body.append(line[len("内容: "):])
                    in_content = True
                    continue
                r = _QCE_RESOURCE.fullmatch(line)
                if r:
                    attachments.append(r["name"].strip())
                    in_content = False
                    continue
                if _QCE_META.fullmatch(line):
                    in_content = False
                    continue
                if in_content:
                    body.append(line)
            while body and not body[-1].strip():
                body.pop()
            content = "\n".join(body)
            messages.append(Pending(where, sender_name=name, text=content, time=tv,
                                    time_shown=shown, attachments=attachments,
                                    system=content == "[系统消息]"))
        if len(starts) > MAX_MESSAGES:
            out.warn(f"line {starts[MAX_MESSAGES] + 1}",
                     f"more than {MAX_MESSAGES} messages; the rest is not read")
        warn_replaced(out, facts)
        if "消息总数" in fields:
            _count_check(out, f"line {fields['消息总数'][0]}", fields["消息总数"][1], len(messages))
        if total_stated:
            _count_check(out, f"line {total_stated[0]}", total_stated[1], len(messages))
        exported, exported_tv = ("", None)
        if "导出时间" in fields:
            exported, exported_tv = _exported(fields["导出时间"][1], ctx, out,
                                              f"line {fields['导出时间'][0]}")
        version = re.match(r"\[QQChatExporter (V\d+)", first)
        fmt = _QCE_FORMAT if not version else _QCE_FORMAT.replace("V5", version[1])
        title = fields.get("聊天名称", (0, ""))[1]
        for m in messages:
            m.chat = title
        members = fields.get("参与人数", (0, ""))[1]
        stated_range = fields.get("时间范围", (0, ""))
        _range_check(out, f"line {stated_range[0]}", stated_range[1], messages)
        emit_chat(out, messages, fmt=fmt, file_type="TXT", title=title,
                  date_order="ymd (fixed by the format)", exported=exported,
                  exported_time=exported_tv, facts=facts,
                  extra={"Chat:Layout": "TextExporter .txt",
                         "Chat:StatedRange": stated_range[1],
                         "Chat:Type": _CHAT_TYPES.get(fields.get("聊天类型", (0, ""))[1], ""),
                         "Chat:MemberCount": int(members) if members.isdigit() else None})

    # -- JsonExporter --------------------------------------------------------------------------
    def _json(self, text: str, facts: TextFacts, ctx: ParseContext, out: Builder) -> None:
        try:
            data = json.loads(text)
        except RecursionError:
            raise WrongFormat("JSON nested too deeply to read") from None
        except ValueError as exc:
            raise WrongFormat(f"not valid JSON: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("messages"), list):
            raise WrongFormat("not a QQChatExporter JSON export: no top-level \"messages\" list")
        meta = data.get("metadata") if isinstance(data.get("metadata"), dict) else {}
        info = data.get("chatInfo") if isinstance(data.get("chatInfo"), dict) else {}
        stats = data.get("statistics") if isinstance(data.get("statistics"), dict) else {}
        if not (meta or info or stats):
            raise WrongFormat("not a QQChatExporter JSON export: no metadata, chatInfo or "
                              "statistics object")
        title = info.get("name") if isinstance(info.get("name"), str) else ""
        tally = OffsetTally()
        messages: list[Pending] = []
        raw = data["messages"]
        if len(raw) > MAX_MESSAGES:
            out.warn(f"message {MAX_MESSAGES + 1}",
                     f"more than {MAX_MESSAGES} messages; the rest is not read")
        for i, m in enumerate(raw[:MAX_MESSAGES], 1):
            where = f"message {i}"
            if not isinstance(m, dict):
                out.warn(where, f"not an object but {type(m).__name__}; skipped")
                continue
            messages.append(self._json_message(m, where, ctx, out, tally, title))
        warn_replaced(out, facts)
        for problem in tally.odd:
            out.warn("messages", problem)
        _count_check(out, "statistics.totalMessages", stats.get("totalMessages"), len(messages))
        name = meta.get("name") if isinstance(meta.get("name"), str) else ""
        version = re.search(r"QQChatExporter (V\d+)", name)
        fmt = _QCE_FORMAT if not version else _QCE_FORMAT.replace("V5", version[1])
        exported, exported_tv = "", None
        for key in ("exportTime", "exportedAt", "exportDate"):
            if isinstance(meta.get(key), str):
                exported, exported_tv = _exported_iso(meta[key], ctx, out, f"metadata.{key}")
                break
        count = info.get("participantCount")
        emit_chat(out, messages, fmt=fmt, file_type="JSON", title=title, exported=exported,
                  exported_time=exported_tv, facts=facts,
                  extra={"Chat:Layout": "JsonExporter .json",
                         "Chat:Type": info.get("type") if isinstance(info.get("type"), str) else "",
                         "Chat:MemberCount": count if isinstance(count, int)
                         and not isinstance(count, bool) else None,
                         "Chat:ExporterVersion": meta.get("version")
                         if isinstance(meta.get("version"), str) else "",
                         "Chat:LocalTimeOffset": tally.summary()})

    @staticmethod
    def _json_message(m: dict[str, Any], where: str, ctx: ParseContext, out: Builder,
                      tally: OffsetTally, title: str) -> Pending:
        sender = m.get("sender") if isinstance(m.get("sender"), dict) else {}
        sid = next((str(sender[k]) for k in ("uin", "uid") if isinstance(sender.get(k), str | int)
                    and not isinstance(sender.get(k), bool) and str(sender[k])), "")
        sname = next((sender[k] for k in ("name", "groupCard", "remark", "nickname")
                      if isinstance(sender.get(k), str) and sender[k]), "")
        content = m.get("content") if isinstance(m.get("content"), dict) else {}
        text = content.get("text") if isinstance(content.get("text"), str) else ""
        attachments = []
        resources = content.get("resources")
        for r in resources if isinstance(resources, list) else []:
            if isinstance(r, dict) and isinstance(r.get("filename"), str):
                attachments.append(r["filename"])
        shown = m.get("time") if isinstance(m.get("time"), str) else ""
        ts = m.get("timestamp")
        tv: TimeValue | None = None
        if isinstance(ts, int | float) and not isinstance(ts, bool):
            tv = out.time(from_unix, ts, "qce:timestamp", where, original=str(ts),
                          milliseconds=True)
            if tv is not None and shown:
                try:
                    tally.add(_wall_time(shown, ctx, "qce:time")[0], tv.earliest, where)
                except ValueError as exc:
                    out.warn(where, f"time: {exc}")
        elif shown:
            try:
                tv = _wall_time(shown, ctx, "qce:time")[1]
            except ValueError as exc:
                out.warn(where, f"time: {exc}")
        else:
            out.warn(where, "no timestamp and no time")
        mid = next((str(m[k]) for k in ("id", "messageId", "seq") if isinstance(m.get(k), str | int)
                    and not isinstance(m.get(k), bool)), "")
        return Pending(where, sender_id=sid, sender_name=sname, text=text, time=tv,
                       time_shown=shown or (str(ts) if ts is not None else ""),
                       system=m.get("system") is True, attachments=attachments,
                       message_id=mid, chat=title)

    # -- HtmlExporter --------------------------------------------------------------------------
    def _html(self, text: str, facts: TextFacts, ctx: ParseContext, out: Builder) -> None:
        root = parse_html_tree(text)
        blocks = [n for n in root.iter() if n.tag == "div" and "message" in n.classes
                  and ("data-message-id" in n.attrs or n.find(cls="message-time"))]
        container = root.find(cls="messages-container")
        if not blocks and container is None:
            raise WrongFormat("not a QQChatExporter HTML export: no messages-container and no "
                              "message blocks")
        title_node = root.find("h1", "chat-title")
        title = title_node.text() if title_node else ""
        page_title = root.find("title")
        info: dict[str, tuple[int, str]] = {}
        chat_type = ""
        info_node = root.find(cls="chat-info")
        for d in info_node.find_all("div")[1:] if info_node else []:
            t = d.text()
            f = re.fullmatch(r"(参与人数|导出时间|时间范围): ?(.*)", t)
            if f:
                value = f[2].strip()
                odd = [c.tag for c in d.children if isinstance(c, Node)]
                if not value and odd:  # "<TIMESTAMP>" read as an element by the HTML parser
                    value = f"<{odd[0].upper()}>"
                info[f[1]] = (d.line, value)
            elif t in _CHAT_TYPES:
                chat_type = _CHAT_TYPES[t]
        stated_total = None
        for item in root.find_all("div", "stat-item"):
            label, number = item.find(cls="stat-label"), item.find(cls="stat-number")
            if label and number and label.text() == "总消息数":
                stated_total = (item.line, number.text())
        messages: list[Pending] = []
        if len(blocks) > MAX_MESSAGES:
            out.warn(f"line {blocks[MAX_MESSAGES].line}",
                     f"more than {MAX_MESSAGES} messages; the rest is not read")
        for b in blocks[:MAX_MESSAGES]:
            messages.append(self._html_message(b, ctx, out, title))
        warn_replaced(out, facts)
        if stated_total:
            _count_check(out, f"line {stated_total[0]}", stated_total[1], len(messages))
        gen = next((n.attrs.get("content", "") for n in root.find_all("meta")
                    if n.attrs.get("name") == "generator"), "")
        exported, exported_tv = ("", None)
        if "导出时间" in info:
            exported, exported_tv = _exported(info["导出时间"][1], ctx, out,
                                              f"line {info['导出时间'][0]}")
        members = info.get("参与人数", (0, ""))[1]
        stated_range = info.get("时间范围", (0, ""))
        _range_check(out, f"line {stated_range[0]}", stated_range[1], messages)
        emit_chat(out, messages, fmt=_QCE_FORMAT, file_type="HTML", title=title,
                  date_order="ymd (fixed by the format)", exported=exported,
                  exported_time=exported_tv, facts=facts,
                  extra={"HTML:Title": page_title.text() if page_title else "",
                         "Chat:Layout": "HtmlExporter .html",
                         "Chat:StatedRange": stated_range[1],
                         "Chat:Type": chat_type,
                         "Chat:MemberCount": int(members) if members.isdigit() else None,
                         "HTML:Generator": gen})

    @staticmethod
    def _html_message(b: Node, ctx: ParseContext, out: Builder, title: str) -> Pending:
        where = f"line {b.line}"
        sender = b.find(cls="message-sender")
        time_node = b.find(cls="message-time")
        shown = time_node.text() if time_node else ""
        tv: TimeValue | None = None
        if shown:
            try:
                tv = _wall_time(shown, ctx, "chat:time")[1]
            except ValueError as exc:
                out.warn(where, str(exc))
        else:
            out.warn(where, "message without a time")
        content = b.find(cls="message-content")
        text = content.text(skip=frozenset({"reply-content", "resource-placeholder"})) \
            if content else ""
        attachments: list[str] = []
        for n in content.iter() if content else []:
            if n.tag in ("img", "video", "audio") and (n.attrs.get("alt") or n.attrs.get("src")):
                attachments.append(n.attrs.get("alt") or n.attrs["src"])
            elif "resource-placeholder" in n.classes or "message-file" in n.classes:
                label = n.text()
                lm = _RESOURCE_LABEL.fullmatch(label)
                attachments.append(lm["name"].strip() if lm else label)
        return Pending(where, sender_name=sender.text() if sender else "", text=text, time=tv,
                       time_shown=shown, system="system" in b.classes, attachments=attachments,
                       message_id=b.attrs.get("data-message-id", ""), chat=title)


def _range_check(out: Builder, where: str, stated: str, messages: list[Pending]) -> None:
    """Warn when the header's 时间范围 does not span the messages' first and last times."""
    found = _QCE_TIME.findall(stated)
    shown = sorted(m.time_shown for m in messages if _QCE_TIME.fullmatch(m.time_shown))
    if not stated or not shown:
        return
    ends = ["{}-{}-{} {}:{}:{}".format(*f) for f in found]
    if ends != [shown[0], shown[-1]]:
        out.warn(where, f"stated time range {stated!r} is not the messages' range "
                        f"{shown[0]} - {shown[-1]}")


def _exported_iso(value: str, ctx: ParseContext, out: Builder, where: str
                  ) -> tuple[str, TimeValue | None]:
    from forensics.timestamps import parse_iso8601

    tv = out.time(parse_iso8601, value, "chat:exported", where, default_zone=ctx.default_zone)
    return value, tv


PARSERS: tuple[type[Parser], ...] = (QQTextParser, QCEParser)
