"""Tests of forensics.parsers.email: .eml, mbox and Outlook .msg.

Fixtures are tiny messages written for these tests (provenance: this file; the Chinese, Japanese
and Cantonese strings are ordinary words chosen because their bytes fall outside the declared
charset).  Corpus tests compare with ``/work/shared/corpus/expected-email.json`` (CPython 3.11.7
``email``, ``policy.default``; ``mailbox.mbox`` for the mbox).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import io
import json
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import default_registry
from forensics.parsers.base import Builder, ParseContext
from forensics.parsers.email import EmailMessage, EmailParser, decode_text
from tests.parsers.conftest import parse_bytes, parse_file


def b64(data: bytes) -> bytes:
    return base64.b64encode(data)


def tiny_png() -> bytes:
    """A valid 1x1 grey PNG, built here (signature, IHDR, IDAT, IEND with their CRCs)."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00\x80"))
            + chunk(b"IEND", b""))


def direct(data: bytes):
    """Run the parser itself (no registry net); return the artifact."""
    p = EmailParser()
    ctx = ParseContext(evidence_id="E0001", sha256=hashlib.sha256(data).hexdigest(), name="x",
                       size=len(data), default_zone="Asia/Shanghai")
    b = Builder(p, ctx)
    p.parse(io.BytesIO(data), ctx, b)
    return b.build("message/rfc822")


def no_raise(data: bytes) -> None:
    with contextlib.suppress(WrongFormat):
        direct(data)


# -- tiny fixtures ------------------------------------------------------------------------------

# GB2312-labelled message whose name, subject and body use 镕 and 喆 (in GBK, not in GB2312).
GB_MAIL = (
    b"From: =?GB2312?B?" + b64("朱镕基".encode("gbk")) + b"?= <zhu@example.cn>\r\n"
    b"To: li@example.cn\r\n"
    b"Subject: =?GB2312?B?" + b64("陶喆的证据".encode("gbk")) + b"?=\r\n"
    b"Date: Fri, 20 Nov 2026 14:32:00 +0800\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=\"GB2312\"\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n\r\n" + "镕喆 转发过五百了".encode("gbk") + b"\r\n")

# ISO-2022-JP subject (plain JIS X 0208) and a body with half-width katakana (an extension).
JP_MAIL = (
    b"From: tanaka@example.jp\nTo: sato@example.jp\n"
    b"Subject: =?ISO-2022-JP?B?" + b64("証拠写真".encode("iso2022_jp")) + b"?=\n"
    b"Date: Fri, 20 Nov 2026 15:32:00 +0900\n"
    b"Content-Type: text/plain; charset=ISO-2022-JP\n\n" + "ｶﾀｶﾅ".encode("iso2022_jp_ext") + b"\n")

# Big5-labelled body containing 嘅 (Big5-HKSCS only).
BIG5_MAIL = (
    b"From: chan@example.hk\nTo: wong@example.hk\nSubject: evidence\n"
    b"Date: Fri, 20 Nov 2026 14:32:00 +0800\n"
    b"Content-Type: text/plain; charset=big5\nContent-Transfer-Encoding: 8bit\n\n"
    + "證據嘅相".encode("big5hkscs") + b"\n")

PNG = tiny_png()
# Attachment names as Chinese mail clients write them: encoded words (not RFC 2231, but common),
# RFC 2231 with a GB2312 charset, and raw GBK bytes in the quoted parameter.
ATTACH_MAIL = (
    b"From: a@example.cn\nTo: b@example.cn\nSubject: attachments\n"
    b"Date: Fri, 20 Nov 2026 14:32:00 +0800\nMIME-Version: 1.0\n"
    b"Content-Type: multipart/mixed; boundary=\"XX\"\n\n"
    b"--XX\nContent-Type: text/plain; charset=utf-8\n\n" + "见附件".encode() + b"\n"
    b"--XX\nContent-Type: image/png; name=\"=?UTF-8?B?" + b64("证据.png".encode()) + b"?=\"\n"
    b"Content-Transfer-Encoding: base64\n"
    b"Content-Disposition: attachment; filename=\"=?UTF-8?B?" + b64("证据.png".encode()) + b"?=\"\n\n"
    + b64(PNG) + b"\n"
    b"--XX\nContent-Type: image/jpeg\nContent-Transfer-Encoding: base64\n"
    b"Content-Disposition: attachment; filename*=gb2312''%BD%D8%CD%BC.jpg\n\n"
    + b64(b"\xff\xd8\xff\xe0jpeg") + b"\n"
    b"--XX\nContent-Type: application/octet-stream\n"
    b"Content-Disposition: attachment; filename=\"" + "聊天记录.txt".encode("gbk") + b"\"\n\n"
    b"raw\n"
    b"--XX--\n")


def hops_mail(top: str, middle: str, bottom: str, date: str) -> bytes:
    return (
        f"Received: from mx2.example.cn by mx3.example.net; {top}\n"
        f"Received: from mx1.example.cn by mx2.example.cn; {middle}\n"
        f"Received: from [10.0.0.7] by mx1.example.cn; {bottom}\n"
        "DKIM-Signature: v=1; a=rsa-sha256; d=example.cn; s=sel2026;\n"
        "\tt=1795156320; bh=47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=;\n"
        "\tb=AAAA\n"
        "From: Zhang San <zhang@example.cn>\nTo: li@example.cn\nSubject: hops\n"
        f"Date: {date}\nMessage-ID: <hops@example.cn>\n\nbody\n").encode()


# Good: hops newest at the top; Date before the first (bottom) hop.
HOPS_GOOD = hops_mail("Fri, 20 Nov 2026 06:33:10 +0000", "Fri, 20 Nov 2026 14:32:40 +0800",
                      "Fri, 20 Nov 2026 06:32:05 +0000", "Fri, 20 Nov 2026 14:32:00 +0800")
# Bad: the top hop is 10 min older than the one below it, and Date is 14 min after the first hop.
HOPS_BAD = hops_mail("Fri, 20 Nov 2026 06:40:00 +0000", "Fri, 20 Nov 2026 06:50:00 +0000",
                     "Fri, 20 Nov 2026 14:31:00 +0800", "Fri, 20 Nov 2026 14:45:00 +0800")

MBOX = (
    b"From zhang@example.cn Fri Nov 20 06:32:05 2026\n"
    b"From: zhang@example.cn\nTo: li@example.cn\nSubject: one\n"
    b"Date: Fri, 20 Nov 2026 14:32:00 +0800\n\n"
    b"From here on it is different (not a separator: no date)\n"
    b">From the archive, escaped\n\n"
    b"From li@example.cn Fri Nov 20 07:00:00 2026\n"
    b"From: li@example.cn\nTo: zhang@example.cn\nSubject: two\n"
    b"Date: Fri, 20 Nov 2026 15:00:00 +0800\n\nreply\n")

NESTED = (
    b"From: a@example.cn\nTo: b@example.cn\nSubject: Fwd\nDate: Fri, 20 Nov 2026 14:32:00 +0800\n"
    b"Content-Type: multipart/mixed; boundary=\"B\"\n\n"
    b"--B\nContent-Type: text/plain\n\nsee below\n"
    b"--B\nContent-Type: message/rfc822\n\n"
    b"From: c@example.cn\nSubject: original\n\noriginal body\n"
    b"--B--\n")


# -- charsets -------------------------------------------------------------------------------------


def test_gb2312_label_reads_as_gb18030():
    a = parse_bytes(GB_MAIL, "gb.eml")
    assert a.media_type == "message/rfc822" and a.parsed
    rec = a.records[0]
    assert isinstance(rec, EmailMessage)
    assert rec.from_ == "朱镕基 <zhu@example.cn>"
    assert rec.subject == "陶喆的证据"
    assert rec.body == "镕喆 转发过五百了\r\n"
    assert rec.charsets == ("gb2312",)
    assert rec.decoding == (
        "From: encoded word labelled GB2312, read as gb18030 (bytes outside gb2312)",
        "Subject: encoded word labelled GB2312, read as gb18030 (bytes outside gb2312)",
        "body part 1: labelled gb2312, read as gb18030 (bytes outside gb2312)",
    )
    assert a.warnings == ()
    assert a.metadata["Email:Subject"] == "陶喆的证据"
    # What the superset reading fixes: Python's own decoding loses the character.
    import email
    import email.policy
    plain = email.message_from_bytes(GB_MAIL, policy=email.policy.default)
    assert "镕" not in str(plain["From"])


def test_iso_2022_jp_subject_and_extension_body():
    rec = parse_bytes(JP_MAIL).records[0]
    assert rec.subject == "証拠写真"
    assert rec.body == "ｶﾀｶﾅ\n"
    assert rec.decoding == ("body part 1: labelled iso-2022-jp, read as iso2022_jp_ext "
                            "(bytes outside iso-2022-jp)",)


def test_big5_body_reads_as_hkscs():
    a = parse_bytes(BIG5_MAIL)
    assert a.records[0].body == "證據嘅相\n"
    assert a.records[0].decoding == ("body part 1: labelled big5, read as big5hkscs "
                                     "(bytes outside big5)",)
    assert a.warnings == ()


def test_mislabelled_and_undeclared_headers():
    data = (b"From: =?ISO-8859-1?B?" + b64("张三".encode()) + b"?= <z@example.cn>\n"
            b"To: =?utf-8?B?" + b64("李四".encode("gbk")) + b"?= <l@example.cn>\n"
            b"Subject: " + "转发过五百了".encode("gbk") + b"\n"
            b"Cc: " + "王五".encode() + b" <w@example.cn>\n\nx\n")
    a = parse_bytes(data)
    rec = a.records[0]
    assert (rec.from_, rec.to, rec.subject, rec.cc) == (
        "张三 <z@example.cn>", "李四 <l@example.cn>", "转发过五百了", "王五 <w@example.cn>")
    assert rec.decoding == (
        "From: encoded word labelled ISO-8859-1 but the bytes are UTF-8; read as utf-8",
        "To: encoded word labelled utf-8 but the bytes do not decode as utf-8; read as gb18030",
        "Subject: raw 8-bit bytes; no charset declared; read as gb18030",
    )
    # The two wrong labels are warnings; undeclared 8-bit text (read by a stated rule) is not.
    assert [w.message for w in a.warnings] == [
        "From: encoded word labelled ISO-8859-1 but the bytes are UTF-8; read as utf-8",
        "To: encoded word labelled utf-8 but the bytes do not decode as utf-8; read as gb18030",
    ]


def test_encoded_word_split_inside_a_character():
    raw = "证据截图".encode()
    data = (b"From: a@example.cn\nSubject: =?utf-8?B?" + b64(raw[:4]) + b"?=\n =?utf-8?B?"
            + b64(raw[4:]) + b"?=\n\nx\n")
    assert parse_bytes(data).records[0].subject == "证据截图"


def test_decode_text_rules():
    assert decode_text("镕".encode("gbk"), "gbk") == ("镕", "gb18030", "")
    assert decode_text(b"plain", None) == ("plain", "ascii", "")
    assert decode_text("é".encode("latin-1"), None) == (
        "é", "latin-1", "no charset declared; read as latin-1")
    assert decode_text(b"\x93quoted\x94", "iso-8859-1") == (
        "\u201cquoted\u201d", "cp1252", "labelled iso-8859-1, read as cp1252 (bytes 0x80-0x9F as cp1252)")
    assert decode_text(b"abc\xff", "x-no-such") == (
        "abc\xff", "latin-1", "unknown charset 'x-no-such'; read as latin-1")


# -- attachments ----------------------------------------------------------------------------------


def test_attachment_names_and_exact_bytes():
    a = parse_bytes(ATTACH_MAIL, "att.eml")
    assert a.warnings == ()
    assert [(c.name, c.location, c.declared_type) for c in a.children] == [
        ("证据.png", "message 0 part 2", "image/png"),
        ("截图.jpg", "message 0 part 3", "image/jpeg"),
        ("聊天记录.txt", "message 0 part 4", "application/octet-stream"),
    ]
    assert a.children[0].data == PNG
    assert a.children[1].data == b"\xff\xd8\xff\xe0jpeg"
    assert a.children[2].data == b"raw"
    rec = a.records[0]
    assert rec.body == "见附件"
    assert [(x.name, x.size, x.part) for x in rec.attachments] == [
        ("证据.png", len(PNG), "2"), ("截图.jpg", 8, "3"), ("聊天记录.txt", 3, "4")]
    assert rec.attachments[0].sha256 == hashlib.sha256(PNG).hexdigest()
    assert a.metadata["Email:Attachments"] == 3


def test_damaged_base64_attachment_is_kept_with_a_warning():
    good = b64(PNG)
    bad = good[:10] + b"!!" + good[10:-2]  # junk inside and padding cut off
    data = ATTACH_MAIL.replace(good, bad)
    a = parse_bytes(data)
    assert len(a.children) == 3
    assert len(a.warnings) == 1
    w = a.warnings[0]
    assert w.location == "message 0 part 2"
    assert w.message.startswith("attachment '证据.png': base64 body is damaged (")


def test_undecodable_base64_keeps_raw_bytes():
    data = (b"From: a@example.cn\nSubject: s\nContent-Type: multipart/mixed; boundary=B\n\n"
            b"--B\nContent-Type: application/pdf; name=x.pdf\nContent-Transfer-Encoding: base64\n\n"
            b"!!!!\n--B--\n")
    a = parse_bytes(data)
    assert [(c.name, c.data) for c in a.children] == [("x.pdf", b"!!!!")]
    assert [w.message for w in a.warnings] == [
        "attachment 'x.pdf': base64 body does not decode; raw bytes kept"]


def test_nested_message_becomes_a_child():
    a = parse_bytes(NESTED)
    assert [(c.name, c.location, c.declared_type) for c in a.children] == [
        ("message0-part2.eml", "message 0 part 2", "message/rfc822")]
    assert a.children[0].data == b"From: c@example.cn\nSubject: original\n\noriginal body"
    assert a.records[0].body == "see below"
    # The child reads as a message of its own.
    assert parse_bytes(a.children[0].data).records[0].subject == "original"


def test_child_size_cap(monkeypatch):
    import forensics.parsers.base as base

    monkeypatch.setattr(base, "MAX_CHILD_BYTES", 10)
    a = parse_bytes(ATTACH_MAIL)
    assert [c.name for c in a.children] == ["截图.jpg", "聊天记录.txt"]
    assert [w.message for w in a.warnings] == [
        f"attachment '证据.png' is {len(PNG)} bytes, over the 10-byte limit; not extracted"]


# -- times and cross-checks -------------------------------------------------------------------


def test_received_hops_dkim_and_events():
    a = parse_bytes(HOPS_GOOD)
    assert a.warnings == ()
    rec = a.records[0]
    assert rec.received == (
        "from mx2.example.cn by mx3.example.net; Fri, 20 Nov 2026 06:33:10 +0000",
        "from mx1.example.cn by mx2.example.cn; Fri, 20 Nov 2026 14:32:40 +0800",
        "from [10.0.0.7] by mx1.example.cn; Fri, 20 Nov 2026 06:32:05 +0000")
    assert [(s.domain, s.selector, s.timestamp, s.algorithm) for s in rec.dkim] == [
        ("example.cn", "sel2026", 1795156320, "rsa-sha256")]
    ev = [(e.description, e.time.source, e.time.to_json()["utc"], e.actor, e.text)
          for e in a.events]
    who = "Zhang San <zhang@example.cn>"
    assert ev == [
        ("Message Sent", "email:Date", "2026-11-20T06:32:00Z", who, "hops"),
        ("Message Received", "email:Received[0]", "2026-11-20T06:33:10Z", who, "hops"),
        ("Message Received", "email:Received[1]", "2026-11-20T06:32:40Z", who, "hops"),
        ("Message Received", "email:Received[2]", "2026-11-20T06:32:05Z", who, "hops"),
        ("DKIM Signed", "email:DKIM-Signature[0].t", "2026-11-20T06:32:00Z", who, "hops"),
    ]
    assert all(e.data_type == "email:rfc822" for e in a.events)
    assert dt.datetime.fromtimestamp(1795156320, dt.UTC).isoformat() == "2026-11-20T06:32:00+00:00"
    m = a.metadata
    assert (m["Email:Received"], m["Email:DKIM-Domain"], m["Email:DKIM-Selector"],
            m["Email:DKIM-Timestamp"], m["Email:Message-ID"]) == (
        3, "example.cn", "sel2026", 1795156320, "<hops@example.cn>")


def test_received_out_of_order_and_late_date_warn():
    a = parse_bytes(HOPS_BAD)
    assert [(w.location, w.message) for w in a.warnings] == [
        ("message 0", "Received hops out of order: Received[0] (2026-11-20T06:40:00Z) is 10 min "
                      "earlier than Received[1] (2026-11-20T06:50:00Z) below it"),
        ("message 0", "Date (2026-11-20T06:45:00Z) is 14 min after the first Received hop, "
                      "Received[2] (2026-11-20T06:31:00Z)"),
    ]


def test_bad_dates_are_warnings_not_errors():
    data = (b"From: a@example.cn\nSubject: s\nDate: yesterday\n"
            b"Received: from x by y; not a date\n"
            b"DKIM-Signature: d=example.cn; s=s; t=soon\n\nx\n")
    a = parse_bytes(data)
    assert a.events == ()
    assert len(a.warnings) == 3
    assert a.records[0].dkim[0].timestamp is None


# -- mbox -----------------------------------------------------------------------------------------


def test_mbox_split_and_from_lines():
    a = parse_bytes(MBOX, "x.mbox")
    assert a.media_type == "application/mbox"
    assert [(r.index, r.mbox_from, r.subject, r.offset) for r in a.records] == [
        (0, "zhang@example.cn Fri Nov 20 06:32:05 2026", "one", 0),
        (1, "li@example.cn Fri Nov 20 07:00:00 2026", "two", MBOX.index(b"From li@"))]
    assert a.records[0].body == ("From here on it is different (not a separator: no date)\n"
                                 ">From the archive, escaped\n")
    assert a.metadata["Email:Messages"] == 2
    assert a.metadata["Email:Subject"] == "one"
    assert (a.metadata["File:FileType"], a.metadata["Email:Format"]) == ("TXT", "mbox (RFC 4155)")
    assert a.warnings == ()


# -- wrong format ---------------------------------------------------------------------------------


def test_wrong_format_is_unparsed_with_reason():
    a = parse_bytes(b"hello world\nthis is not mail\n", media_type="message/rfc822")
    assert a.unparsed_reason == ("not an e-mail message: first line 'hello world' is not a "
                                 "header field")
    assert a.records == () and a.events == ()
    with pytest.raises(WrongFormat):
        direct(b"")


# -- Outlook .msg ---------------------------------------------------------------------------------


def synthetic_msg(*, message_class: str = "IPM.Note") -> bytes:
    """A minimal .msg written here from [MS-OXMSG] with extract_msg's OLE writer.

    NOT a file made by Outlook: it holds only the streams this parser reads (message class,
    subject, sender, body, Message-ID, transport headers, submit time, one recipient, one
    attachment), so it tests our use of extract_msg, not extract_msg's range.
    """
    from extract_msg.ole_writer import OleWriter

    def u(s: str) -> bytes:
        return s.encode("utf-16-le")

    def props(head: bytes, entries: list[tuple[int, bytes]]) -> bytes:
        return head + b"".join(struct.pack("<II", tag, 6) + v for tag, v in entries)

    w = OleWriter()
    entries = []
    strings = {"001A": message_class, "0037": "证据 subject", "0C1A": "张三", "1000": "正文 镕",
               "1035": "<msg@example.cn>",
               "007D": "Received: from a by b; Fri, 20 Nov 2026 06:32:30 +0000\r\n"
                       "Date: Fri, 20 Nov 2026 14:32:00 +0800\r\n"
                       "From: =?GB2312?B?" + b64("张三".encode("gbk")).decode() +
                       "?= <zhang@example.cn>\r\n\r\n"}
    for pid, s in strings.items():
        w.addEntry(f"__substg1.0_{pid}001F", u(s))
        entries.append((int(pid + "001F", 16), struct.pack("<II", len(u(s)) + 2, 0)))
    sent = dt.datetime(2026, 11, 20, 6, 32, tzinfo=dt.UTC)
    ft = int((sent - dt.datetime(1601, 1, 1, tzinfo=dt.UTC)).total_seconds()) * 10**7
    entries += [(0x00390040, struct.pack("<Q", ft)), (0x0E070003, struct.pack("<II", 1, 0))]
    w.addEntry("__properties_version1.0",
               props(bytes(8) + struct.pack("<IIII", 1, 1, 1, 1) + bytes(8), entries))
    w.addEntry("__nameid_version1.0", storage=True)
    for s in ("00020102", "00030102", "00040102"):
        w.addEntry(f"__nameid_version1.0/__substg1.0_{s}", b"")
    r = "__recip_version1.0_#00000000"
    w.addEntry(r, storage=True)
    w.addEntry(r + "/__substg1.0_3001001F", u("李四"))
    w.addEntry(r + "/__substg1.0_39FE001F", u("li@example.cn"))
    w.addEntry(r + "/__properties_version1.0",
               props(bytes(8), [(0x0C150003, struct.pack("<II", 1, 0))]))
    a = "__attach_version1.0_#00000000"
    w.addEntry(a, storage=True)
    w.addEntry(a + "/__substg1.0_3707001F", u("证据.png"))
    w.addEntry(a + "/__substg1.0_37010102", PNG)
    w.addEntry(a + "/__substg1.0_370E001F", u("image/png"))
    w.addEntry(a + "/__properties_version1.0", props(bytes(8), [
        (0x37050003, struct.pack("<II", 1, 0)), (0x37010102, struct.pack("<II", len(PNG), 0))]))
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_synthetic_msg():
    data = synthetic_msg()
    assert default_registry().detect(data[:65536]) == "application/vnd.ms-outlook"
    a = parse_bytes(data, "x.msg")
    assert a.parsed and a.warnings == ()
    rec = a.records[0]
    assert (rec.from_, rec.to, rec.subject, rec.body, rec.message_id) == (
        "张三 <zhang@example.cn>", "李四 <li@example.cn>", "证据 subject", "正文 镕",
        "<msg@example.cn>")
    assert rec.received == ("from a by b; Fri, 20 Nov 2026 06:32:30 +0000",)
    assert [(c.name, c.data, c.declared_type, c.location) for c in a.children] == [
        ("证据.png", PNG, "image/png", "message 0 attachment 0")]
    assert [(e.description, e.time.source, e.time.to_json()["utc"]) for e in a.events] == [
        ("Message Sent", "email:Date", "2026-11-20T06:32:00Z"),
        ("Message Received", "email:Received[0]", "2026-11-20T06:32:30Z"),
        ("Message Sent", "msg:ClientSubmitTime", "2026-11-20T06:32:00Z"),
    ]
    assert (a.metadata["File:FileType"], a.metadata["Email:Format"]) == (
        "FPX", "Outlook .msg ([MS-OXMSG])")


def test_non_msg_ole_and_garbage_are_unparsed():
    from extract_msg.ole_writer import OleWriter

    w = OleWriter()
    w.addEntry("WordDocument", b"\x00" * 4096)
    buf = io.BytesIO()
    w.write(buf)
    ole = buf.getvalue()
    assert default_registry().detect(ole) == "application/x-ole-storage"
    a = parse_bytes(ole, media_type="application/vnd.ms-outlook")
    assert a.unparsed_reason.startswith("OLE2 compound file that is not an Outlook message: ")
    garbage = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "__substg1.0_".encode("utf-16-le") + bytes(3000)
    a = parse_bytes(garbage)
    assert a.media_type == "application/vnd.ms-outlook"
    assert a.unparsed_reason.startswith("Outlook .msg file could not be opened: ")
    assert a.records == ()
    a = parse_bytes(synthetic_msg(message_class="IPM.NoSuchThing"))
    assert a.unparsed_reason.startswith("Outlook .msg file could not be opened: ")


# -- detection ------------------------------------------------------------------------------------


def test_detect_fixtures():
    reg = default_registry()
    for data in (GB_MAIL, JP_MAIL, BIG5_MAIL, ATTACH_MAIL, HOPS_GOOD, NESTED):
        assert reg.detect(data) == "message/rfc822"
    assert reg.detect(MBOX) == "application/mbox"


@pytest.mark.parametrize("text", [
    "From: <Saved by Blink>\nSnapshot-Content-Location: http://x/\nSubject: x\n"
    "MIME-Version: 1.0\nContent-Type: multipart/related;\n\ttype=\"text/html\"\n\n",
    "From: <Saved by Mozilla 5.0 (Macintosh)>\nSubject: T\nMIME-Version: 1.0\n"
    "Content-Type: multipart/related; type=\"text/html\"\n\n",
    "WARC/1.0\nWARC-Type: response\n\n",
    "HTTP/1.1 200 OK\nDate: Fri, 20 Nov 2026 06:32:00 GMT\nContent-Type: text/html\n\n",
    "Date: Fri, 20 Nov 2026\nContent-Type: text/plain\n\nonly generic fields",
    "2026-11-20 14:32 李四: 转发过五百了\n",
    "post_id,account_id,time\n1,2,2026-11-20\n",
    "<!DOCTYPE html><html><head><title>x</title></head></html>",
    "From: a@example.cn\nSubject: headers but no blank line",
    "From nobody\nFrom: a@b\nSubject: s\n\n",
])
def test_sniff_refuses(text):
    assert EmailParser.sniff(text, text.encode()) is None


# -- corpus ---------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_matches_reference(corpus):
    expected = json.loads((corpus / "expected-email.json").read_text(encoding="utf-8"))
    compared = 0
    for entry in expected:
        path = corpus / entry["file"]
        assert default_registry().detect(path.read_bytes()[:65536]) == (
            "application/mbox" if path.suffix == ".mbox" else "message/rfc822")
        a = parse_file(path)
        assert a.parsed, a.unparsed_reason
        messages = entry.get("messages", [entry])
        assert len(a.records) == len(messages)
        for want, rec in zip(messages, a.records, strict=True):
            got = {"From": rec.from_, "To": rec.to, "Date": rec.date, "Subject": rec.subject,
                   "Message_ID": rec.message_id or None, "content_type": rec.content_type,
                   "charsets": list(rec.charsets), "defects": list(rec.defects)}
            for key, value in got.items():
                assert value == want[key], (entry["file"], rec.index, key)
                compared += 1
            if "mbox_from_line" in want:
                assert rec.mbox_from == want["mbox_from_line"]
                compared += 1
            atts = [(x.name, x.content_type) for x in rec.attachments]
            assert atts == [(x["filename"], x["content_type"]) for x in want["attachments"]]
            compared += 1
            for x, w in zip(rec.attachments, want["attachments"], strict=True):
                if w["content_type"] == "message/delivery-status":
                    # Python's get_payload(decode=True) gives None for a message/* part, so the
                    # reference lists 0 bytes; we extract the part's body, verbatim.
                    assert w["size"] == 0
                    assert x.size == 213 and a.children[0].data in path.read_bytes()
                else:
                    assert (x.size, x.sha256) == (w["size"], w["sha256"])
                compared += 1
        if "message_count" in entry:
            assert a.metadata["Email:Messages"] == entry["message_count"]
            compared += 1
    assert compared == 138


@pytest.mark.corpus
def test_corpus_details(corpus):
    a = parse_file(corpus / "email" / "mail_malformed_2.eml")
    assert [(w.location, w.message) for w in a.warnings] == [
        ("message 0 part 3.1",
         "StartBoundaryNotFoundDefect: The claimed start boundary was never found.")]
    assert [(c.name, c.location, c.declared_type) for c in a.children] == [
        ("DSN57BAC498.txt", "message 0 part 2", "message/delivery-status")]
    a = parse_file(corpus / "email" / "mail_test_12.eml")
    rec = a.records[0]
    assert rec.to == "danglüe@email.com"
    assert rec.body.startswith("你好！我公司可代开各类增值税发票")
    assert [w.message for w in a.warnings] == [
        "body part 1: labelled gb2312 but the bytes are UTF-8; read as utf-8"]
    assert dict(a.metadata) == {
        "File:FileSize": 795, "File:MIMEType": "message/rfc822", "File:FileType": "TXT",
        "Email:Format": "RFC 5322 message",
        "Email:From": "张先生 <baoguan@hotmail.com>", "Email:To": "danglüe@email.com",
        "Email:Subject": "代开各地增值税发票", "Email:Date": "Sun, 13 May 2018 12:32:22 +0800",
        "Email:Received": 1, "Email:Attachments": 0}
    a = parse_file(corpus / "email" / "mail_test_3.eml")
    assert a.children[0].name == "message.txt" and len(a.children[0].data) == 374
    a = parse_file(corpus / "email" / "test.mbox")
    assert a.warnings == ()
    assert len(a.events) == 35
    assert sum(e.description == "DKIM Signed" for e in a.events) == 3
    first = a.records[1]
    assert (first.dkim[0].domain, first.dkim[0].timestamp) == ("duolingo.com", 1526044286)


@pytest.mark.corpus
def test_corpus_sniff_claims_only_email(corpus):
    from forensics.parsers.sniff import decode_text_head, is_probably_text

    for path in sorted(corpus.rglob("*")):
        if not path.is_file() or path.parent.name == "email":
            continue
        head = path.read_bytes()[:65536]
        if is_probably_text(head):
            assert EmailParser.sniff(decode_text_head(head), head) is None, path.name


# -- properties -----------------------------------------------------------------------------------

SEEDS = [GB_MAIL, JP_MAIL, BIG5_MAIL, ATTACH_MAIL, HOPS_BAD, MBOX, NESTED]
TOKENS = [b"=?gb2312?B?", b"?=", b"\n--XX", b"\n\n", b"boundary=", b"; filename*0*=utf-8''%E8",
          b"Content-Type: message/rfc822\n\n", b"Content-Transfer-Encoding: base64\n", b"\xff",
          b"From x Fri Nov 20 06:32:05 2026\n", b"DKIM-Signature: t=99999999999999\n",
          b"Received: a; Fri, 20 Nov 9999 99:99:99 +9999\n", b"=?utf-8?q?=E8=AF?="]


@st.composite
def mutated(draw):
    data = bytearray(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(1, 8))):
        pos = draw(st.integers(0, len(data)))
        op = draw(st.integers(0, 3))
        if op == 0 and pos < len(data):
            data[pos] = draw(st.integers(0, 255))
        elif op == 1:
            data[pos:pos] = draw(st.sampled_from(TOKENS))
        elif op == 2:
            del data[pos:pos + draw(st.integers(1, 40))]
        else:
            data = data[:pos]
    return bytes(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    no_raise(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_header_values_never_raise(data):
    no_raise(b"From: a@b.c\nSubject: " + data + b"\nContent-Type: multipart/mixed; boundary=X\n\n"
             + data + b"\n--X\n" + data)
    no_raise(b"From a Fri Nov 20 06:32:05 2026\nFrom: x\nTo: y\n\n" + data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_mutated_messages_never_raise(data):
    no_raise(data)


MSG = synthetic_msg()


@settings(max_examples=150, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(MSG) - 1), st.integers(0, 255)), max_size=12),
       st.integers(1536, len(MSG)))
def test_mutated_msg_never_raises(flips, cut):
    data = bytearray(MSG)
    for pos, value in flips:
        data[pos] = value
    no_raise(bytes(data[:cut]))


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=200), st.one_of(st.none(), st.sampled_from(
    ["gb2312", "big5", "iso-2022-jp", "utf-8", "us-ascii", "iso-8859-1", "utf-16", "base64",
     "zlib", "unicode-escape", "x-gbk", ""]), st.text(max_size=20)))
def test_decode_text_total(data, label):
    text, codec, note = decode_text(data, label)
    assert isinstance(text, str) and codec and isinstance(note, str)


def test_undecodable_header_bytes_are_safe_to_write():
    """Found by fuzz/fuzz_parsers.py: a raw 0xFF inside a DKIM header reached a row as a lone
    surrogate, which cannot be written as UTF-8."""
    import json

    data = (b"From: a@example.com\r\nTo: b@example.com\r\nSubject: s\r\n"
            b"Date: Mon, 22 Aug 2016 06:23:36 -0300\r\n"
            b"DKIM-Signature: v=1; d=ex\xffample.com; s=sel\xfe; t=1526044286\r\n\r\nbody\r\n")
    a = parse_bytes(data)
    json.dumps([a.to_json(), [r.to_row() for r in a.records], [e.to_row() for e in a.events]],
               ensure_ascii=False).encode("utf-8")
