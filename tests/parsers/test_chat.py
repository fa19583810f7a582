"""Chat-export parsers: WhatsApp, Signal, QQ (message manager .txt and QQChatExporter V5),
WeChat (WeChatMsg/MemoTrace CSV and HTML), Telegram Desktop JSON and the generic form.

Fixtures are written here by hand after the layouts the tools write (provenance on each); the
real files are in the shared corpus (``chat/``) with the reference values of
``expected-chat.json``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
from datetime import UTC

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import default_registry
from forensics.parsers.base import Builder, ParseContext
from forensics.parsers.chat_generic import GenericChatParser
from forensics.parsers.chat_qq import QCEParser, QQTextParser
from forensics.parsers.chat_telegram import TelegramParser
from forensics.parsers.chat_wechat import WeChatParser
from forensics.parsers.chat_whatsapp import SignalParser, WhatsAppParser
from forensics.records import ChatMessage
from tests.parsers.conftest import parse_bytes, parse_file

CHAT_TYPES = {
    "text/x-whatsapp-chat", "text/x-signal-chat", "text/x-qq-chat", "text/x-qce-chat",
    "application/x-qce-chat+json", "text/x-qce-chat+html", "text/x-wechat-chat+csv",
    "text/x-wechat-chat+html", "application/x-telegram-chat+json",
    "text/vnd.forensics.chat+csv", "application/vnd.forensics.chat+json",
}


def detect(data: bytes) -> str:
    return default_registry().detect(data[:65536])


def meta(a):
    return dict(a.metadata)


def texts(a):
    return [r.text for r in a.records]


def warnings(a):
    return [(w.location, w.message) for w in a.warnings]


# -- fixtures ------------------------------------------------------------------------------------

# WhatsApp iOS, US locale: U+202F before AM/PM, U+200E before attachments and system texts
# (layout of iOS exports as described by whatsapp-chat-parser's test fixtures).
WA_IOS = ("[1/2/21, 9:05:01\u202fPM] Ann: hi\n"
          "[1/2/21, 9:06:00\u202fPM] Ann: \u200e<attached: 00000012-PHOTO-2021-01-02-21-06-00.jpg>\n"
          "[1/2/21, 9:07:00\u202fPM] Group: \u200eMessages and calls are end-to-end encrypted.\n"
          "[1/13/21, 10:00:00\u202fAM] Bob: ok\n").encode()
# WhatsApp Android, Spanish locale ("p. m." with U+00A0), an attachment with a caption, media
# omitted, a line before the first message; every date fits d/m and m/d.
WA_ES = ("exported by hand\n"
         "3/1/21, 9:05\u00a0p.\u00a0m. - Ana: hola\n"
         "3/1/21, 9:06 p. m. - Ana: IMG-20210103-WA0001.jpg (archivo adjunto)\nfoto\n"
         "4/1/21, 12:00 a. m. - Ana: <Multimedia omitido>\n").encode()
# Android dd/mm/yy, 24-hour: a system line, a continuation line, an impossible date.
WA_DMY = (b"13/01/20, 09:00 - Li: one\ntwo\n"
          b"14/01/20, 09:01 - Li changed the subject to \"a: b\"\n"
          b"31/02/20, 09:02 - Wu: bad date\n")
SIGNAL = b"[2019-12-24, 12:23] Jane Doe: Hello John!\n[2020-01-17, 21:49] John Doe: Hello\nJane!\n"

_R = "=" * 64
# QQ message manager .txt as the Windows client writes it: UTF-8 BOM, CRLF header lines, bare
# LF inside a multi-line message, unpadded hours, 上午/下午, QQ number and e-mail senders.
QQ_TEXT = ("\ufeff消息记录（此消息记录为文本格式，不支持重新导入）\r\n\r\n"
           f"{_R}\r\n消息分组:我的好友\r\n{_R}\r\n消息对象:张三\r\n{_R}\r\n\r\n"
           "2016-03-04 9:05:12 张三\r\n在吗\r\n\r\n"
           "2016-03-04 9:06:01 我\r\n第一行\n第二行\n\n第四行\r\n\r\n"
           f"{_R}\r\n消息分组:我的QQ群\r\n{_R}\r\n消息对象:测试群\r\n{_R}\r\n\r\n"
           "2016-03-05 下午 1:00:00 李四(123456)\r\n[图片]看这个\r\n\r\n"
           "2016-03-05 13:01:00 王五<wangwu@qq.com>\r\n收到\r\n\r\n"
           "2016-03-05 13:02:00 系统消息(10000)\r\n李四 撤回了一条消息\r\n\r\n")
QQ_TXT = QQ_TEXT.encode("utf-8")

# QQChatExporter V5 TextExporter layout (TextExporter.ts), 3 messages with one system message.
QCE_TXT = """[QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter]
[本软件是免费的开源项目~]

===============================================
           QQ聊天记录导出文件
===============================================

聊天名称: 测试群
聊天类型: 群聊
参与人数: 3
导出时间: 2024-02-01 10:00:00
消息总数: 4
时间范围: 2024-01-01 08:00:00 - 2024-01-01 08:02:00


张三:
时间: 2024-01-01 08:00:00
内容: 第一行
第二行


系统:
时间: 2024-01-01 08:01:00
内容: [系统消息]


李四:
时间: 2024-01-01 08:02:00
内容: [图片: a.png]
资源: 1 个文件
  - image: a.png
回复: 01-01 08:00 张三 - 第一行

===============================================
              导出完成
===============================================
总计导出 3 条消息
导出时间: 2024-02-01 10:00:00""".encode()
# JsonExporter layout (JsonExporter.ts): timestamp in ms beside the shown local time (+08:00).
QCE_JSON = json.dumps({
    "metadata": {"name": "QQChatExporter V5 / https://github.com/shuakami/qq-chat-exporter",
                 "copyright": "", "version": "5.0.0"},
    "chatInfo": {"name": "好友", "type": "private"},
    "statistics": {"totalMessages": 2},
    "messages": [
        {"id": "m1", "seq": "1", "timestamp": 1704067200000, "time": "2024-01-01 08:00:00",
         "sender": {"uid": "u_a", "uin": "10001", "name": "甲"},
         "content": {"text": "你好", "resources": []}, "recalled": False, "system": False},
        {"seq": "2", "timestamp": 1704067260000, "time": "2024-01-01 08:01:00",
         "sender": {"uid": "u_b", "name": "乙"},
         "content": {"text": "[文件: a.pdf]",
                     "resources": [{"type": "file", "filename": "a.pdf"}]},
         "system": False}]}, ensure_ascii=False).encode()
# HtmlExporter layout (the V5 HtmlExporter.ts template, as in the corpus snapshot).
QCE_HTML = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
    <meta charset="UTF-8">
    <meta name="description" content="测试群的聊天记录导出文件">
    <meta name="generator" content="QQChatExporter">
    <title>测试群 - 聊天记录</title>
</head>
<body>
    <div class="chat-container">
        <div class="chat-header">
            <h1 class="chat-title">测试群</h1>
            <div class="chat-info">
                <div>群聊</div>
                <div>参与人数: 5</div>
                <div>导出时间: 2024-02-01 10:00:00</div>
            </div>
        </div>
        <div class="statistics">
            <div class="stat-item"><div class="stat-number">2</div>
                <div class="stat-label">总消息数</div></div>
        </div>
        <div class="messages-container" id="messagesContainer">
        <div class="message" data-message-id="m_1">
            <div class="message-header">
                <span class="message-sender">张三</span>
                <span class="message-time">2024-01-01 08:00:00</span>
            </div>
            <div class="message-content">
                <div class="reply-content"><strong>李四:</strong> 早</div>
                第一行<br>第二行 &amp; more
                <img src="https://example.com/a.png" alt="a.png" class="message-image">
            </div>
        </div>
        <div class="message system" data-message-id="m_2">
            <div class="message-header">
                <span class="message-sender">系统</span>
                <span class="message-time">2024-01-01 08:01:00</span>
            </div>
            <div class="message-content">李四 加入了群聊</div>
        </div>
        </div>
    </div>
</body>
</html>""".encode()

# WeChatMsg exporter_csv.py: utf-8-sig, the 12 columns, CRLF rows (csv module default).
_WX_HEAD = ("localId,TalkerId,Type,SubType,IsSender,CreateTime,Status,StrContent,StrTime,Remark,"
            "NickName,Sender\r\n")
_WX_ROWS = [
    '1,5,1,0,0,1672545600,2,"你好,在吗",2023-01-01 12:00:00,张三,zs,wxid_zs',
    '2,5,1,0,1,1672545660,2,"第一行\n第二行",2023-01-01 12:01:00,我,me,wxid_me',
    '3,5,3,0,0,1672545720,2,"<?xml version=""1.0""?><msg><img aeskey=""k"" '
    'md5=""0123456789abcdef0123456789abcdef"" length=""100""/></msg>",2023-01-01 12:02:00,'
    '张三,zs,wxid_zs',
    '4,5,34,0,0,1672545780,2,"<msg><voicemsg endflag=""1"" voicelength=""3500"" /></msg>",'
    '2023-01-01 12:03:00,张三,zs,wxid_zs',
    '5,5,49,6,1,1672545840,2,"<msg><appmsg><title>合同.pdf</title><type>6</type></appmsg>'
    '</msg>",2023-01-01 12:04:00,我,me,wxid_me',
    '6,5,10000,0,0,1672545900,4,"""张三"" 撤回了一条消息",2023-01-01 12:05:00,张三,zs,wxid_zs',
    '7,5,1,0,0,oops,2,坏时间,2023-01-01 12:06:00,张三,zs,wxid_zs',
    '8,5,1,0,0,1672546020,2,short',
]
WX_CSV = (_WX_HEAD + "\r\n".join(_WX_ROWS) + "\r\n").encode("utf-8-sig")
# WeChatMsg exporter_html.py: the template page with its static sample bubbles, then the
# chatMessages array written by doc.write(f"{{ type:..., text: '...', ...}},").
WX_HTML = (
    '<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n    <meta charset="UTF-8">\n<style>\n'
    '.item{}\n</style>\n    <title>张三</title>\n</head>\n<body>\n<div class="page">\n'
    '<div class="title-bar"><p id="title">张三</p></div>\n'
    '<div class="content" id="chat-container" onscroll="checkScroll()">\n'
    '<div class="item item-center"><span>8:16</span></div>\n'
    '<div class="bubble bubble-left">很抱歉，由于程序出现未知错误，您的聊天记录未能成功展示。</div>\n'
    '</div>\n</div>\n<script>\nconst chatMessages = [\n'
    "{ type:1, text: '你好<img src=\"https://res.wx.qq.com/x.png\" id=\"微笑\" class=\"emoji_img\">"
    "\\n&lt;b&gt; 它\\'s',is_send:0,avatar_path:'a.jpg',timestamp:1672545600,is_chatroom:0,"
    "displayname:'张三'},"
    "{ type:3, text: './image/abc.jpg',is_send:1,avatar_path:'b.jpg',timestamp:1672545660,"
    "is_chatroom:0,displayname:'我'},"
    "{ type:0, text: '你撤回了一条消息',is_send:1,avatar_path:'',timestamp:1672545720,"
    "is_chatroom:0,displayname:''},"
    "{ type:1, text: 'broken, is_send:0,timestamp:1672545780,is_chatroom:0,displayname:'张三'},\n"
    "{ type:49, text: './file/合同.pdf',is_send:0,avatar_path:'a.jpg',timestamp:1672545840,"
    "is_chatroom:0,displayname:'张三',icon_path: './icon/pdf.png',sub_type:6,"
    "file_name: '合同.pdf',file_size: '1024',app_name: ''},"
    "\n];\n\n</script>\n<script>\nconst chatContainer = document.getElementById('chat-container');"
    "\n</script>\n</body>\n</html>").encode()

# Telegram Desktop "Export Telegram data" result.json shape (export_output_json.cpp): two chats,
# a DST change in Europe/Berlin between two messages, a service message, an edited message.
TG_FULL = json.dumps({
    "about": "x", "personal_information": {"user_id": 42, "first_name": "Ann", "last_name": "Lee"},
    "chats": {"about": "y", "list": [
        {"name": "Bob", "type": "personal_chat", "id": 7, "messages": [
            {"id": 1, "type": "message", "date": "2021-03-28T01:59:00",
             "date_unixtime": "1616893140", "from": "Bob", "from_id": "user7",
             "text": "before DST", "photo": "photos/photo_1@28-03-2021_01-59-00.jpg"},
            {"id": 2, "type": "message", "date": "2021-03-28T03:01:00",
             "date_unixtime": "1616893260", "from": "Ann", "from_id": "user42",
             "text": [{"type": "bold", "text": "after"}, " DST"],
             "edited": "2021-03-28T03:05:00", "edited_unixtime": "1616893500"}]},
        {"name": "Group", "type": "private_group", "id": 9, "messages": [
            {"id": 3, "type": "service", "date": "2021-04-01T10:00:00",
             "date_unixtime": "1617264000", "actor": "Ann", "actor_id": "user42",
             "action": "create_group", "title": "Group", "members": ["Ann", "Bob", None],
             "text": ""},
            {"id": 4, "type": "message", "date": "2021-04-01T10:01:00", "from": "Bob",
             "from_id": "user7", "text": "no unixtime",
             "file": "(File not included. Change data exporting settings to download.)"},
            "junk"]}]}}).encode()
TG_SINGLE = json.dumps({"name": "Bob", "type": "personal_chat", "id": 7, "messages": [
    {"id": 1, "type": "message", "date": "2018-12-05T18:39:10", "date_unixtime": "1544006350",
     "from": "Bob", "from_id": "user7", "text": "hi"}]}).encode()

# The generic form (docs/formats/chat.md), CSV in GB18030 as Excel saves it.
GEN_CSV = ("time,sender_id,sender_name,text,attachments,chat,message_id,system\n"
           "2026-11-20T14:35:02+08:00,u1,李四,那条微博你看到了吗,a.jpg|b.mp4,群,1,\n"
           "2026-11-20 14:35:40,u2,王五,\"看到了,转发已经过五百了\",,群,2,no\n"
           "1763620575000,,,李四 撤回了一条消息,,群,3,true\n"
           "not a time,u1,李四,删不删？,,群,4,\n"
           "2026-11-20T14:37:00+08:00,u1,李四\n").encode("gb18030")
GEN_JSON = json.dumps({
    "format": "forensics-chat", "version": 1, "chat": "张三与李四",
    "exported": "2026-11-21T09:20:00+08:00",
    "messages": [
        {"time": "2026-11-20T14:35:02+08:00", "sender_id": "u1", "sender_name": "李四",
         "text": "a", "attachments": ["x.jpg"], "message_id": "1"},
        {"time": 1763620540, "sender_id": "u2", "sender_name": "王五", "text": "b", "extra": 1},
        {"time": True, "sender_id": 5, "sender_name": "王五", "text": "c", "system": "maybe"},
        3]}, ensure_ascii=False).encode()

EMAIL = (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: chat\r\n"
         b"Date: Fri, 20 Nov 2026 15:02:11 +0800\r\n\r\n"
         b"01/01/19, 11:25 - John Doe: quoted chat line\r\n")
HTML_PAGE = (b"<!DOCTYPE html><html><head><title>x</title></head><body>"
             b"<div class=\"message\">const chatMessages = [</div></body></html>")
WARC = b"WARC/1.0\r\nWARC-Type: warcinfo\r\nContent-Length: 0\r\n\r\n\r\n\r\n"
REPOSTS = (b"post_id,account_id,parent_account_id,time,text\n"
           b"1,u1,,2020-01-01 10:00:00,hi\n2,u2,u1,2020-01-01 10:05:00,//@u1: hi\n")
MHTML = (b"From: <Saved by Blink>\r\nSnapshot-Content-Location: http://example.com/\r\n"
         b"Subject: Example\r\nDate: Mon, 17 Dec 2018 11:28:18 -0000\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: multipart/related; type=\"text/html\"; boundary=\"b\"\r\n\r\n--b--\r\n")
PLAIN_JSON = b'{"messages": [{"a": 1}], "name": "not a chat"}'
DEMO_CHAT = "2026-11-20 14:35:02 李四: 那条微博你看到了吗\n".encode()


# -- detection -----------------------------------------------------------------------------------

@pytest.mark.parametrize(("data", "media_type"), [
    (WA_IOS, "text/x-whatsapp-chat"), (WA_ES[len(b"exported by hand\n"):], "text/x-whatsapp-chat"),
    (WA_DMY, "text/x-whatsapp-chat"), (SIGNAL, "text/x-signal-chat"),
    (QQ_TXT, "text/x-qq-chat"), (QQ_TEXT.encode("gb18030"), "text/x-qq-chat"),
    (QCE_TXT, "text/x-qce-chat"), (QCE_JSON, "application/x-qce-chat+json"),
    (QCE_HTML, "text/x-qce-chat+html"), (WX_CSV, "text/x-wechat-chat+csv"),
    (WX_HTML, "text/x-wechat-chat+html"), (TG_FULL, "application/x-telegram-chat+json"),
    (TG_SINGLE, "application/x-telegram-chat+json"), (GEN_CSV, "text/vnd.forensics.chat+csv"),
    (GEN_JSON, "application/vnd.forensics.chat+json"),
])
def test_detect_fixtures(data, media_type):
    assert detect(data) == media_type


@pytest.mark.parametrize("data", [EMAIL, HTML_PAGE, WARC, REPOSTS, MHTML, PLAIN_JSON, DEMO_CHAT,
                                  b"nothing to parse here", b""])
def test_sniffs_do_not_claim_other_formats(data):
    assert detect(data) not in CHAT_TYPES


def test_utf16_qq_export_is_recognised_and_read():
    data = b"\xff\xfe" + QQ_TEXT.lstrip("\ufeff").encode("utf-16-le")
    assert detect(data) == "text/x-qq-chat"
    a = parse_bytes(data)
    assert a.unparsed_reason is None
    assert meta(a)["Chat:Encoding"] == "UTF-16 LE" and meta(a)["Chat:Messages"] == 5


# -- WhatsApp and Signal -------------------------------------------------------------------------

def test_whatsapp_ios_narrow_spaces_attachments_system():
    a = parse_bytes(WA_IOS)
    m = meta(a)
    assert m["Chat:Layout"] == 'iOS: "[date time] name: text"'
    assert m["Chat:DateOrder"] == "mdy (inferred: a second field above 12, line 4)"
    assert (m["Chat:Messages"], m["Chat:SystemMessages"], m["Chat:Participants"]) == (4, 1, 2)
    assert m["Chat:FirstMessage"] == "1/2/21, 9:05:01\u202fPM"
    assert m["Chat:InvisibleCharacters"] == ("U+200E LEFT-TO-RIGHT MARK x2; "
                                             "U+202F NARROW NO-BREAK SPACE x4")
    r = a.records
    assert isinstance(r[0], ChatMessage) and r[0].data_type == "chat:message"
    assert r[0].time.to_json()["utc"] == "2021-01-02T13:05:01Z"  # 21:05:01 in Asia/Shanghai
    assert r[0].time.zone.value == "assumed" and r[0].time.zone_name == "Asia/Shanghai"
    assert r[1].attachments == ("00000012-PHOTO-2021-01-02-21-06-00.jpg",)
    assert r[2].system and r[2].text == "Messages and calls are end-to-end encrypted."
    assert r[3].time.to_json()["utc"] == "2021-01-13T02:00:00Z"
    assert a.warnings == ()
    ev = a.events[0]
    assert (ev.description, ev.data_type, ev.actor, ev.text, ev.location) == (
        "Message Sent", "chat:message", "Ann", "hi", "line 1")


def test_whatsapp_spanish_ambiguous_order_attachments():
    a = parse_bytes(WA_ES, media_type="text/x-whatsapp-chat")
    m = meta(a)
    assert m["Chat:DateOrder"] == "ambiguous, assumed dmy"
    assert warnings(a) == [
        ("file", "day/month order cannot be told from the file: every date fits both d/m and "
                 "m/d and both orders keep it chronological; read as d/m/y"),
        ("line 1", "1 non-empty line(s) before the first message line; not read")]
    assert [r.time.to_json()["utc"] for r in a.records] == [
        "2021-01-03T13:05:00Z", "2021-01-03T13:06:00Z", "2021-01-03T16:00:00Z"]
    assert a.records[1].text == "IMG-20210103-WA0001.jpg (archivo adjunto)\nfoto"
    assert a.records[1].attachments == ("IMG-20210103-WA0001.jpg",)
    assert a.records[2].attachments == ("<Multimedia omitido>",)
    assert m["Chat:InvisibleCharacters"] == "U+00A0 NO-BREAK SPACE x2"


def test_whatsapp_system_with_colon_and_impossible_date():
    a = parse_bytes(WA_DMY, default_zone=None)
    assert meta(a)["Chat:DateOrder"] == "dmy (inferred: a first field above 12, line 1)"
    assert [(r.sender_name, r.system) for r in a.records] == [
        ("Li", False), ("", True), ("Wu", False)]
    assert a.records[0].text == "one\ntwo"
    assert a.records[0].time.zone.value == "unknown" and a.records[0].time.utc is None
    assert a.records[2].time is None and a.records[2].time_shown == "31/02/20, 09:02"
    assert warnings(a) == [("line 4", "impossible date or time '31/02/20, 09:02' read as dmy: "
                                      "day is out of range for month")]
    assert len(a.events) == 2  # no event for the message without a time


def test_whatsapp_impossible_12_hour_value_is_flagged_and_read_leniently():
    data = b"06/20/2020, 00:08 a. m. - A: x\n06/21/2020, 01:00 p. m. - A: y"
    a = parse_bytes(data, default_zone="UTC")
    assert warnings(a) == [("line 1", "impossible 12-hour time '06/20/2020, 00:08 a. m.' (hour 0 "
                                      "with 'a. m.'); read leniently as the 24-hour value 00:08")]
    assert a.flags == ("impossible 12-hour times (1), read leniently",)
    assert [r.time.to_json()["utc"] for r in a.records] == ["2020-06-20T00:08:00Z",
                                                            "2020-06-21T13:00:00Z"]


def test_whatsapp_chronology_decides_the_order():
    data = b"06/03/2017, 00:45 - A: x\n08/05/2017, 01:48 - B: y\n09/04/2017, 01:50 - A: z\n"
    a = parse_bytes(data)
    assert meta(a)["Chat:DateOrder"] == ("mdy (inferred: only this order keeps the messages in "
                                         "chronological order)")
    assert a.warnings == ()


def test_signal():
    a = parse_bytes(SIGNAL, default_zone="UTC")
    m = meta(a)
    assert (m["Chat:Format"], m["Chat:Messages"], m["Chat:DateOrder"]) == (
        "Signal text export (bracket header)", 2, "ymd (year first in the file)")
    assert texts(a) == ["Hello John!", "Hello\nJane!"]


@pytest.mark.parametrize("parser", [WhatsAppParser, SignalParser, QQTextParser, QCEParser,
                                    WeChatParser, TelegramParser, GenericChatParser])
def test_wrong_format_is_refused_before_anything(parser):
    for data in (EMAIL, b"", b"\x00\x01binary", REPOSTS):
        mt = parser.media_types[0]
        a = parse_bytes(data, media_type=mt)
        assert a.unparsed_reason, (parser.name, data[:20])
        assert a.records == () and a.events == ()


# -- QQ ------------------------------------------------------------------------------------------

def test_qq_message_manager_txt_mixed_line_ends_unpadded_hours():
    a = parse_bytes(QQ_TXT)
    m = meta(a)
    assert m["Chat:Format"] == "QQ message manager .txt export (消息管理器)"
    assert (m["Chat:Messages"], m["Chat:SystemMessages"], m["Chat:Participants"]) == (5, 1, 4)
    assert m["Chat:Title"] == "张三; 测试群" and m["Chat:Chats"] == 2
    assert m["Chat:Group"] == "我的好友; 我的QQ群"
    assert m["Chat:LineEndings"] == "mixed (29 CRLF, 3 LF)" and m["Chat:ByteOrderMark"] == "UTF-8"
    assert (m["Chat:FirstMessage"], m["Chat:LastMessage"]) == ("2016-03-04 9:05:12",
                                                               "2016-03-05 13:02:00")
    r = a.records
    assert [(x.chat, x.sender_id, x.sender_name) for x in r] == [
        ("张三", "", "张三"), ("张三", "", "我"), ("测试群", "123456", "李四"),
        ("测试群", "wangwu@qq.com", "王五"), ("测试群", "10000", "系统消息")]
    assert r[1].text == "第一行\n第二行\n\n第四行"
    assert r[2].time_shown == "2016-03-05 下午 1:00:00"
    assert [x.time.to_json()["utc"] for x in r] == [
        "2016-03-04T01:05:12Z", "2016-03-04T01:06:01Z", "2016-03-05T05:00:00Z",
        "2016-03-05T05:01:00Z", "2016-03-05T05:02:00Z"]
    assert r[2].attachments == ("[图片]",) and r[4].system
    assert a.warnings == ()


def test_qq_gb18030():
    a = parse_bytes(QQ_TEXT.lstrip("\ufeff").encode("gb18030"))
    assert meta(a)["Chat:Encoding"] == "GB18030"
    assert texts(a) == texts(parse_bytes(QQ_TXT))


def test_qq_stray_lines_and_bad_time():
    data = (f"{_R}\n消息对象:甲\n{_R}\n\n2016-02-30 9:00:00 甲\nx\n".encode())
    a = parse_bytes(data, media_type="text/x-qq-chat")
    assert a.records[0].time is None
    assert warnings(a) == [("line 5", "impossible date or time '2016-02-30 9:00:00': day is out "
                                      "of range for month")]


def test_qce_txt():
    a = parse_bytes(QCE_TXT)
    m = meta(a)
    assert m["Chat:Format"] == "QQChatExporter V5 (NTQQ) export"
    assert (m["Chat:Title"], m["Chat:Type"], m["Chat:MemberCount"]) == ("测试群", "group", 3)
    assert (m["Chat:Messages"], m["Chat:SystemMessages"], m["Chat:Exported"]) == (
        3, 1, "2024-02-01 10:00:00")
    assert texts(a) == ["第一行\n第二行", "[系统消息]", "[图片: a.png]"]
    assert a.records[2].attachments == ("a.png",)
    assert warnings(a) == [("line 12", "stated message total is 4 but 3 messages were read")]
    exported = [e for e in a.events if e.description == "Exported"]
    assert exported[0].time.to_json()["utc"] == "2024-02-01T02:00:00Z"


def test_qce_json_prefers_timestamp_and_records_the_offset():
    a = parse_bytes(QCE_JSON)
    m = meta(a)
    assert (m["Chat:Title"], m["Chat:Type"], m["Chat:ExporterVersion"]) == ("好友", "private",
                                                                            "5.0.0")
    assert m["Chat:LocalTimeOffset"] == "+08:00"
    r = a.records
    assert [(x.sender_id, x.sender_name, x.message_id) for x in r] == [
        ("10001", "甲", "m1"), ("u_b", "乙", "2")]
    assert r[0].time.zone.value == "explicit" and r[0].time.source == "qce:timestamp"
    assert r[1].attachments == ("a.pdf",)
    assert a.warnings == ()


def test_qce_html():
    a = parse_bytes(QCE_HTML)
    m = meta(a)
    assert (m["HTML:Title"], m["Chat:Title"], m["Chat:MemberCount"]) == (
        "测试群 - 聊天记录", "测试群", 5)
    assert m["Chat:Exported"] == "2024-02-01 10:00:00"
    r = a.records
    assert r[0].text == "第一行\n第二行 & more" and r[0].attachments == ("a.png",)
    assert r[0].message_id == "m_1" and r[1].system
    assert a.warnings == ()


# -- WeChat --------------------------------------------------------------------------------------

def test_wechat_csv():
    a = parse_bytes(WX_CSV)
    m = meta(a)
    assert (m["Chat:Messages"], m["Chat:SystemMessages"], m["Chat:Participants"]) == (8, 1, 2)
    assert m["Chat:LocalTimeOffset"] == "+08:00"
    r = a.records
    assert r[0].text == "你好,在吗" and r[1].text == "第一行\n第二行"
    assert r[2].attachments == ("image (md5 0123456789abcdef0123456789abcdef)",)
    assert r[3].attachments == ("voice (3.5 s)",)
    assert (r[4].text, r[4].attachments) == ("[文件] 合同.pdf", ("合同.pdf",))
    assert r[5].system and r[5].text == '"张三" 撤回了一条消息'
    assert r[0].time.source == "wechat:CreateTime" and r[0].time_shown == "2023-01-01 12:00:00"
    assert r[6].time.zone.value == "assumed" and r[6].time.source == "wechat:StrTime"
    assert warnings(a) == [("row 8", "CreateTime 'oops' is not Unix seconds"),
                           ("row 9", "8 fields where the header has 12")]


def test_wechat_html():
    a = parse_bytes(WX_HTML)
    m = meta(a)
    assert (m["Chat:Title"], m["Chat:Type"], m["Chat:Messages"]) == ("张三", "private", 4)
    r = a.records
    assert r[0].text == "你好[微笑]\n<b> 它's" and r[0].sender_name == "张三"
    assert r[1].attachments == ("./image/abc.jpg",) and r[2].system
    assert (r[3].text, r[3].attachments) == ("[文件] 合同.pdf", ("./file/合同.pdf",))
    assert [x.time.to_json()["utc"] for x in r] == [
        "2023-01-01T04:00:00Z", "2023-01-01T04:01:00Z", "2023-01-01T04:02:00Z",
        "2023-01-01T04:04:00Z"]
    assert len(a.warnings) == 1 and a.warnings[0].message.startswith("unreadable message object")


# -- Telegram ------------------------------------------------------------------------------------

def test_telegram_full_export():
    a = parse_bytes(TG_FULL, default_zone="Europe/Berlin")
    m = meta(a)
    assert (m["Chat:Chats"], m["Chat:Type"], m["Chat:ExportOwner"]) == (
        2, "personal_chat, private_group", "Ann Lee (user 42)")
    assert m["Chat:LocalTimeOffset"] == "+01:00 (1 messages), +02:00 (2 messages)"
    assert "Chat:Title" not in m
    r = a.records
    assert [(x.chat, x.sender_id, x.system) for x in r] == [
        ("Bob", "user7", False), ("Bob", "user42", False), ("Group", "user42", True),
        ("Group", "user7", False)]
    assert r[1].text == "after DST" and r[2].text == 'create_group "Group" Ann, Bob, (deleted account)'
    assert r[0].attachments == ("photos/photo_1@28-03-2021_01-59-00.jpg",)
    assert r[3].time.zone.value == "assumed" and r[3].time.to_json()["utc"] == "2021-04-01T08:01:00Z"
    edits = [e for e in a.events if e.description == "Content Modified"]
    assert [e.time.to_json()["utc"] for e in edits] == ["2021-03-28T01:05:00Z"]
    assert warnings(a) == [("chats.list[1].messages[2]", "not an object but str; skipped")]


def test_telegram_single():
    a = parse_bytes(TG_SINGLE)
    assert meta(a)["Chat:Title"] == "Bob" and meta(a)["Chat:LocalTimeOffset"] == "+08:00"
    assert a.records[0].time_shown == "2018-12-05T18:39:10"


# -- generic -------------------------------------------------------------------------------------

def test_generic_csv():
    a = parse_bytes(GEN_CSV)
    m = meta(a)
    assert (m["Chat:Format"], m["Chat:Encoding"], m["Chat:Title"]) == (
        "forensics generic chat CSV", "GB18030", "群")
    assert (m["Chat:Messages"], m["Chat:SystemMessages"], m["Chat:Participants"]) == (4, 1, 2)
    r = a.records
    assert r[0].attachments == ("a.jpg", "b.mp4") and r[1].text == "看到了,转发已经过五百了"
    assert [(x.time.zone.value, x.time.to_json()["utc"]) for x in r[:3]] == [
        ("explicit", "2026-11-20T06:35:02Z"), ("assumed", "2026-11-20T06:35:40Z"),
        ("explicit", "2025-11-20T06:36:15Z")]
    assert r[2].time.precision.value == "millisecond" and r[3].time is None
    assert warnings(a) == [("row 5", "chat:time: not an ISO 8601 date-time: 'not a time'"),
                           ("row 6", "3 fields where the header has 8; skipped")]


def test_generic_json():
    a = parse_bytes(GEN_JSON)
    m = meta(a)
    assert (m["Chat:Title"], m["Chat:Exported"], m["Chat:Messages"]) == (
        "张三与李四", "2026-11-21T09:20:00+08:00", 3)
    assert [r.time_shown for r in a.records] == ["2026-11-20T14:35:02+08:00", "1763620540", "true"]
    assert warnings(a) == [("message 2", "time True is not a time"),
                           ("message 2", "system 'maybe' is not true/false; read as false"),
                           ("message 3", "not an object but int; skipped"),
                           ("messages", "unknown key(s) ignored: extra")]
    assert [e.description for e in a.events][:1] == ["Exported"]


@pytest.mark.parametrize("data", [
    b"time,sender,text\n2026-01-01,a,b\n",
    b"time,sender_id,sender_name,text,views\n2026-01-01,a,b,c,1\n",
    b'{"format": "forensics-chat", "version": 2, "messages": []}',
    b'{"format": "other", "version": 1, "messages": []}',
])
def test_generic_wrong_header_or_version(data):
    p = GenericChatParser()
    ctx = ParseContext("E1", "00" * 32, "x", len(data))
    with pytest.raises(WrongFormat):
        p.parse(io.BytesIO(data), ctx, Builder(p, ctx))


def test_event_text_is_cut():
    long = "长" * 2000
    data = f"[2020-01-01, 10:00] A: {long}\n".encode()
    a = parse_bytes(data)
    assert a.records[0].text == long and len(a.events[0].text) == 500


# -- the shared corpus ---------------------------------------------------------------------------

def _expected(corpus):
    return json.loads((corpus / "expected-chat.json").read_text(encoding="utf-8"))


_MEDIA = {
    "qce_HtmlExporter.groupMixedMedia.snap.html": "text/x-qce-chat+html",
    "qce_JsonExporter.groupMixedMedia.snap.json": "application/x-qce-chat+json",
    "qce_TextExporter.groupMixedMedia.snap.txt": "text/x-qce-chat",
    "signal_export.txt": "text/x-signal-chat",
    "telegram_single_export.json": "application/x-telegram-chat+json",
    "whatsapp_ddmmyy_24hrs.txt": "text/x-whatsapp-chat",
    "whatsapp_ios_bracket_mmddyy_24hrs.txt": "text/x-whatsapp-chat",
    "whatsapp_mmddyyyy_12hrs.txt": "text/x-whatsapp-chat",
    "whatsapp_short-chat.txt": "text/x-whatsapp-chat",
}


def _wall(r):
    return r.time.utc.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S")


@pytest.mark.corpus
@pytest.mark.parametrize("name", sorted(_MEDIA))
def test_corpus_chat_file(corpus, name):
    exp = _expected(corpus)[f"chat/{name}"]
    path = corpus / "chat" / name
    data = path.read_bytes()
    assert detect(data) == _MEDIA[name]
    a = parse_file(path, default_zone="UTC")  # read as UTC: times compare as shown
    assert a.unparsed_reason is None and a.media_type == _MEDIA[name]
    m = meta(a)
    # format: the QCE snapshots are "... export snapshot" (made by the exporter's test harness)
    assert exp["format"] == m["Chat:Format"] or exp["format"] == m["Chat:Format"] + " snapshot"
    # byte facts
    b = exp["bytes"]
    assert m["File:FileSize"] == b["size"]
    assert ("Chat:ByteOrderMark" in m) == b["utf8_bom"]
    assert b["crlf_lines"] == 0  # no CRLF in the corpus: one kind of line end
    assert m["Chat:LineEndings"] == f"LF ({b['bare_lf_lines']} line ends)"
    assert m["Chat:FinalNewline"] == b["final_newline"]
    invisible = m.get("Chat:InvisibleCharacters", "")
    for code in ("U202F", "U200E", "U00A0"):
        assert (f"U+{code[1:]}" in invisible) == b[f"contains_{code}"]
    records = a.records
    times = [r.time for r in records]
    assert all(t is not None for t in times)
    if "messages" in exp:
        assert m["Chat:Messages"] == len(records) == exp["messages"]
    if "message_blocks" in exp:
        assert m["Chat:Messages"] == len(records) == exp["message_blocks"]
    if "system_messages" in exp:
        assert m["Chat:SystemMessages"] == exp["system_messages"]
    if "authors" in exp:
        assert sorted({r.sender_name for r in records if not r.system}) == exp["authors"]
        assert m["Chat:Participants"] == len(exp["authors"])
    first, last = exp.get("first_timestamp_as_shown"), exp.get("last_timestamp_as_shown")
    if isinstance(first, str):
        assert (m["Chat:FirstMessage"], m["Chat:LastMessage"]) == (first, last)
        assert (records[0].time_shown, records[-1].time_shown) == (first, last)
    if "chronological_min" in exp:
        walls = [_wall(r) for r in records]
        assert (min(walls), max(walls)) == (exp["chronological_min"], exp["chronological_max"])
        assert exp["date_order_assumed"] == m["Chat:DateOrder"][:3]
        assert (walls == sorted(walls)) == exp["in_file_order"]
        assert sum(1 for r in records for ln in r.text.split("\n")[1:] if ln.strip()) == \
            exp["continuation_lines"]
        # blank lines: inside message texts, plus the empty "line" after a final newline
        assert sum(1 for r in records for ln in r.text.split("\n") if not ln.strip()) + \
            m["Chat:FinalNewline"] == exp["blank_lines"]
    if "parse_flags" in exp:
        impossible = [w.message for w in a.warnings if "impossible 12-hour" in w.message]
        assert len(impossible) == len(exp["parse_flags"]) == len(a.warnings)
        for flag, message in zip(exp["parse_flags"], impossible, strict=True):
            assert repr(flag.removeprefix("impossible 12-hour value ")) in message
    if "distinct_datetimes" in exp:  # HTML: every message time, plus the header range
        assert sorted({r.time_shown for r in records}) == exp["distinct_datetimes"]
        stated = m["Chat:StatedRange"]
        assert stated == f"{exp['distinct_datetimes'][0]} 至 {exp['distinct_datetimes'][-1]}"
        assert len(records) + 2 == exp["datetime_strings_found"]
        assert m["HTML:Title"] == exp["title"]
    if "header_message_total" in exp:  # TXT
        assert str(m["Chat:Messages"]) == exp["header_message_total"]
        assert f"{m['Chat:FirstMessage']} - {m['Chat:LastMessage']}" == exp["header_time_range"]
        assert m["Chat:StatedRange"] == exp["header_time_range"]
        assert "Chat:Exported" not in m
        assert [w.message for w in a.warnings] == [
            f"export time field holds the placeholder {exp['export_time_field']!r}, not a time; "
            "the export time is unknown"]
    if "chat" in exp:  # JSON
        c = exp["chat"]
        assert (m["Chat:Title"], m["Chat:Type"], m["Chat:MemberCount"]) == (
            c["name"], c["type"], c["participantCount"])
        assert [[r.sender_name, r.sender_id] for r in records] == exp["senders"]
        assert (m["Chat:FirstMessage"], m["Chat:LastMessage"]) == (first["time"], last["time"])
        assert int(records[0].time.utc.timestamp() * 1000) == first["timestamp"]
        assert int(records[-1].time.utc.timestamp() * 1000) == last["timestamp"]
        tr = exp["statistics_timeRange"]
        assert records[0].time.to_json()["utc"] == tr["start"].replace(".000Z", "Z")
        assert records[-1].time.to_json()["utc"] == tr["end"].replace(".000Z", "Z")
        assert m["Chat:LocalTimeOffset"] == "+00:00"  # time == UTC wall time in the snapshot
        assert a.warnings == ()
    if "chats" in exp:  # Telegram
        (c,) = exp["chats"]
        assert m.get("Chat:Title") == c["chat_name"] and m.get("Chat:Type") == c["chat_type"]
        assert m.get("Chat:ID") == c["chat_id"]
        assert m["Chat:Messages"] == c["messages"] == c["by_type"]["message"]
        assert sorted({r.sender_name for r in records}) == c["authors"]
        assert records[0].time_shown == c["first_timestamp_as_shown"]["date_unixtime"]
        assert records[-1].time_shown == c["last_timestamp_as_shown"]["date_unixtime"]
        assert records[0].time.utc.isoformat() == c["first_utc_from_unixtime"]
        assert records[-1].time.utc.isoformat() == c["last_utc_from_unixtime"]
        assert ("Chat:LocalTimeOffset" in m) == bool(c["date_minus_unixtime_minutes"])
        assert all(t.zone.value == "explicit" for t in times)
    elif "chat" not in exp:
        assert all(t.zone.value == "assumed" for t in times)  # no offset written in the file
    assert len([e for e in a.events if e.description == "Message Sent"]) == len(records)


@pytest.mark.corpus
def test_corpus_other_files_are_not_claimed(corpus):
    for path in sorted(corpus.rglob("*")):
        if path.is_file() and path.parent.name != "chat" and not path.name.startswith("expected"):
            with path.open("rb") as fh:
                assert detect(fh.read(65536)) not in CHAT_TYPES, path


# -- never raise ---------------------------------------------------------------------------------

_SEEDS = {
    WhatsAppParser: [WA_IOS, WA_ES, WA_DMY], SignalParser: [SIGNAL],
    QQTextParser: [QQ_TXT, QQ_TEXT.encode("gb18030")], QCEParser: [QCE_TXT, QCE_JSON, QCE_HTML],
    WeChatParser: [WX_CSV, WX_HTML], TelegramParser: [TG_FULL, TG_SINGLE],
    GenericChatParser: [GEN_CSV, GEN_JSON],
}
_SNIPPETS = [b"\n", b"\r\n", b":", b"{", b"}", b"[", b"]", b"'", b'"', b",", b"\\", b"<br>",
             b"</div>", b"<div class=\"message\">", b"\xe2\x80\xaf", b"\xff\xfe", b"9999",
             b"-1", b"1e309", b"\x00", b"=" * 20, b"\xe6\xb6\x88\xe6\x81\xaf\xe5\xaf\xb9"]


@st.composite
def _mutated(draw, seeds):
    data = bytearray(draw(st.sampled_from(seeds)))
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from("rids"))
        pos = draw(st.integers(0, len(data)))
        if op == "r" and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif op == "i":
            data[pos:pos] = draw(st.binary(min_size=1, max_size=6))
        elif op == "s":
            data[pos:pos] = draw(st.sampled_from(_SNIPPETS))
        elif pos < len(data):
            del data[pos:pos + draw(st.integers(1, 40))]
    return bytes(data)


def _run(parser_cls, data: bytes) -> None:
    p = parser_cls()
    ctx = ParseContext("E1", hashlib.sha256(data).hexdigest(), "x", len(data))
    b = Builder(p, ctx)
    try:
        p.parse(io.BytesIO(data), ctx, b)
    except WrongFormat:
        return
    b.build(parser_cls.media_types[0])


_SETTINGS = settings(max_examples=150, deadline=None,
                     suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


@pytest.mark.parametrize("parser_cls", list(_SEEDS))
@_SETTINGS
@given(data=st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(parser_cls, data):
    _run(parser_cls, data)


@pytest.mark.parametrize("parser_cls", list(_SEEDS))
@_SETTINGS
@given(data=st.data())
def test_mutated_inputs_never_raise(parser_cls, data):
    _run(parser_cls, data.draw(_mutated(_SEEDS[parser_cls])))


@_SETTINGS
@given(text=st.text(max_size=400))
def test_sniffs_never_raise(text):
    head = text.encode("utf-8", "surrogatepass")
    for parser_cls in _SEEDS:
        parser_cls.sniff(text, head)


@pytest.mark.parametrize(("data", "media_type"), [
    (b"0001/01/01, 00:00 - A: x\n", "text/x-whatsapp-chat"),
    (f"{_R}\n消息对象:甲\n{_R}\n\n0001-01-01 0:00:00 甲\nx\n".encode(), "text/x-qq-chat"),
    ((_WX_HEAD + "1,5,1,0,0,,2,x,0001-01-01 00:00:00,甲,j,wxid_j\r\n").encode(),
     "text/x-wechat-chat+csv"),
    (b"time,sender_id,sender_name,text\n0001-01-01T00:00:00,u,a,b\n",
     "text/vnd.forensics.chat+csv"),
])
def test_calendar_edges_become_warnings(data, media_type):
    """0001-01-01 in UTC+08:00 is before the first representable UTC instant."""
    a = parse_bytes(data, media_type=media_type)
    assert a.unparsed_reason is None and len(a.records) == 1 and a.records[0].time is None
    assert len(a.warnings) == 1 and "out of range" in a.warnings[0].message


def test_qce_stated_range_is_checked():
    data = QCE_TXT.replace("时间范围: 2024-01-01 08:00:00".encode(),
                           "时间范围: 2023-12-31 08:00:00".encode())
    a = parse_bytes(data)
    assert ("line 13", "stated time range '2023-12-31 08:00:00 - 2024-01-01 08:02:00' is not the "
                       "messages' range 2024-01-01 08:00:00 - 2024-01-01 08:02:00") in warnings(a)


@pytest.mark.parametrize("code", ["type:1e30949", "sub_type:1e30949", "type:-1e999",
                                  "timestamp:1e30949"])
def test_wechat_html_numbers_too_large_for_an_int_are_no_codes(code):
    """Found by the mutation test in CI: ``type:1e30949`` reads as infinity, and ``int(inf)``
    raised OverflowError out of the parser."""
    key = code.split(":")[0]
    data = re.sub(rf"\b{key}:[0-9]+".encode(), code.encode(), WX_HTML, count=0)
    assert data != WX_HTML
    _run(WeChatParser, data)
