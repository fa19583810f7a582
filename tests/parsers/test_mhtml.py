"""Tests of the MHTML parser (forensics.parsers.mhtml).

Fixtures are built in code below (provenance: written for these tests after RFC 2557 and the
header blocks Chrome/Blink, Internet Explorer and the Firefox MAF add-on write, as seen in the
corpus files).  The corpus tests compare with CPython 3.11 ``email`` (``expected-mhtml.json`` of
the shared corpus).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import default_registry, parse_path
from forensics.parsers.base import Builder, ParseContext
from forensics.parsers.html import HtmlPage
from forensics.parsers.mhtml import MhtmlDocument, MhtmlParser, MhtmlPart, looks_like_mhtml
from tests.parsers.conftest import parse_bytes

_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])

PAGE = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gbk">'
        '<title>关于某某的声明</title>'
        '<meta property="article:published_time" content="2026-11-20 14:32:00">'
        '</head><body><div>转发过五百了</div></body></html>').encode("gbk")
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\n" + bytes(20)).decode()
SUBJECT = "=?utf-8?B?" + base64.b64encode("关于某某的声明".encode()).decode() + "?="


def blink(page: bytes = PAGE, date: str = "Fri, 20 Nov 2026 06:40:00 -0000") -> bytes:
    """A Chrome-style MHTML: HTML (8bit, GBK) and a PNG (base64), CRLF line endings."""
    return (
        "From: <Saved by Blink>\r\n"
        "Snapshot-Content-Location: https://weibo.com/1/Abc\r\n"
        f"Subject: {SUBJECT}\r\n"
        f"Date: {date}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: multipart/related;\r\n"
        '\ttype="text/html";\r\n'
        '\tboundary="----MultipartBoundary--abc----"\r\n\r\n\r\n'
        "------MultipartBoundary--abc----\r\n"
        "Content-Type: text/html; charset=gbk\r\n"
        "Content-ID: <frame-1@mhtml.blink>\r\n"
        "Content-Transfer-Encoding: 8bit\r\n"
        "Content-Location: https://weibo.com/1/Abc\r\n\r\n").encode() + page + (
        "\r\n------MultipartBoundary--abc----\r\n"
        "Content-Type: image/png\r\n"
        "Content-Transfer-Encoding: base64\r\n"
        "Content-Location: https://weibo.com/a.png\r\n\r\n"
        f"{PNG}\r\n"
        "------MultipartBoundary--abc------\r\n").encode()


IE = (b"From: <Saved by Windows Internet Explorer 8>\r\nSubject: Test\r\n"
      b"Date: Sat, 6 May 2017 16:48:07 +0800\r\nMIME-Version: 1.0\r\n"
      b"Content-Type: multipart/related;\r\n\tboundary=\"----=_NextPart_000\"\r\n"
      b"X-MimeOLE: Produced By Microsoft MimeOLE V6.1\r\n\r\n"
      b"------=_NextPart_000\r\nContent-Type: text/html\r\n"
      b"Content-Location: http://example.cn/\r\n\r\n<title>IE</title>x\r\n"
      b"------=_NextPart_000--\r\n")
EMAIL = (b"Received: from mx.example.com\r\nFrom: a@example.com\r\nTo: b@example.com\r\n"
         b"Message-ID: <1@example.com>\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
         b"Content-Type: multipart/related; type=\"text/html\"; boundary=\"b\"\r\n\r\n"
         b"--b\r\nContent-Type: text/html\r\n\r\n<p>hi</p>\r\n--b--\r\n")


def run_parser(data: bytes) -> None:
    """The parser class directly, without the registry's net: only WrongFormat may escape."""
    ctx = ParseContext("E1", hashlib.sha256(data).hexdigest(), "x.mhtml", len(data))
    p = MhtmlParser()
    b = Builder(p, ctx)
    try:
        p.parse(io.BytesIO(data), ctx, b)
    except WrongFormat:
        return
    b.build("multipart/related")


# -- tiny fixtures ---------------------------------------------------------------------------------


def test_blink_mhtml_with_chinese_page():
    data = blink()
    assert default_registry().detect(data) == "multipart/related"
    a = parse_bytes(data, "page.mhtml")
    assert a.parsed and a.warnings == ()
    m = a.metadata
    assert m["File:FileType"] == "MHTML"
    assert m["MHTML:From"] == "<Saved by Blink>"
    assert m["MHTML:Subject"] == "关于某某的声明"
    assert m["MHTML:Date"] == "Fri, 20 Nov 2026 06:40:00 -0000"
    assert m["MHTML:SnapshotContentLocation"] == "https://weibo.com/1/Abc"
    assert m["MHTML:Parts"] == 2
    assert m["MHTML:PartTypes"] == "text/html 1, image/png 1"
    assert m["MHTML:TransferEncodings"] == "8bit 1, base64 1"
    assert m["MHTML:ContentLocation"] == "https://weibo.com/1/Abc"
    assert m["MHTML:ContentID"] == "<frame-1@mhtml.blink>"
    assert m["MHTML:LineEnding"] == "CRLF"
    assert m["HTML:Title"] == "关于某某的声明"
    assert m["HTML:Charset"] == "gbk"
    doc = next(r for r in a.records if isinstance(r, MhtmlDocument))
    assert (doc.saved_by, doc.snapshot_url, doc.parts) == ("<Saved by Blink>",
                                                           "https://weibo.com/1/Abc", 2)
    parts = [r for r in a.records if isinstance(r, MhtmlPart)]
    assert [(p.number, p.content_type, p.content_location) for p in parts] == [
        (1, "text/html", "https://weibo.com/1/Abc"), (2, "image/png", "https://weibo.com/a.png")]
    assert parts[0].sha256 == hashlib.sha256(PAGE).hexdigest()
    assert parts[1].size == 28
    page = next(r for r in a.records if isinstance(r, HtmlPage))
    assert (page.title, page.text, page.charset_source) == ("关于某某的声明", "转发过五百了", "mime")
    events = [(e.data_type, e.description, e.time.to_json()["utc"], e.time.zone_name, e.url)
              for e in a.events]
    assert events == [
        ("web:mhtml", "Page Saved", "2026-11-20T06:40:00Z", "-0000 (UTC; local offset unknown)",
         "https://weibo.com/1/Abc"),
        ("web:html", "Page Published", "2026-11-20T06:32:00Z", "Asia/Shanghai",
         "https://weibo.com/1/Abc"),
    ]


def test_wrong_weekday_is_a_warning_and_the_string_is_kept():
    a = parse_bytes(blink(date="Thu, 20 Nov 2026 06:40:00 -0000"), "page.mhtml")
    assert a.metadata["MHTML:Date"] == "Thu, 20 Nov 2026 06:40:00 -0000"
    assert [(w.location, w.message) for w in a.warnings] == [
        ("Date header", "weekday Thu does not match 2026-11-20 (a Friday); the date is read, the "
                        "string kept as written")]
    assert a.events[0].time.original == "Thu, 20 Nov 2026 06:40:00 -0000"


def test_bad_date_is_a_warning_without_event():
    a = parse_bytes(blink(date="yesterday"), "page.mhtml")
    assert [(w.location, w.message) for w in a.warnings] == [
        ("Date header", "mhtml:Date: not an RFC 2822 date: 'yesterday'")]
    assert [e.description for e in a.events] == ["Page Published"]


def test_internet_explorer_mht():
    assert default_registry().detect(IE) == "multipart/related"
    a = parse_bytes(IE, "page.mht")
    assert a.metadata["MHTML:From"] == "<Saved by Windows Internet Explorer 8>"
    assert a.metadata["HTML:Title"] == "IE"
    assert a.metadata["MHTML:ContentLocation"] == "http://example.cn/"
    assert a.events[0].time.to_json()["utc"] == "2017-05-06T08:48:07Z"
    assert a.warnings == ()


def test_plain_email_is_not_claimed_and_wrong_format():
    assert not looks_like_mhtml(EMAIL.decode())
    assert default_registry().detect(EMAIL) != "multipart/related"
    a = parse_bytes(b"just some text\n", "x.mhtml", media_type="multipart/related")
    assert a.unparsed_reason == ("not MHTML: no RFC 822 header block declaring Content-Type: "
                                 "multipart/related at the start")
    assert a.records == () and a.events == ()


def test_other_formats_are_not_claimed():
    reg = default_registry()
    assert reg.detect(b"<!DOCTYPE html><html><title>x</title></html>") != "multipart/related"
    assert reg.detect(b"From: someone@example.com\nSubject: hi\n\nbody\n") != "multipart/related"
    assert reg.detect(b"name,time\n\xe5\xbc\xa0,2026-11-20\n") != "multipart/related"


def test_deep_nesting_is_refused_cleanly():
    deep = b"From: <Saved by Blink>\nContent-Type: multipart/related; boundary=b0\n\n"
    for i in range(1, 3000):
        deep += b"--b%d\nContent-Type: multipart/related; boundary=b%d\n\n" % (i - 1, i)
    a = parse_bytes(deep, "deep.mhtml")
    assert a.unparsed_reason == "MIME structure nested too deeply to parse"


# -- corpus ---------------------------------------------------------------------------------------


@pytest.mark.corpus
def test_corpus_matches_python_email(corpus: Path):
    expected = json.loads((corpus / "expected-mhtml.json").read_text())
    compared = 0
    for name, exp in expected.items():
        path = corpus / name
        assert default_registry().detect(path.read_bytes()[:65536]) == "multipart/related", name
        a = parse_path(path)
        assert a.parsed, name
        m = a.metadata
        checks = [
            (m["File:FileSize"], exp["size"]),
            (m["MHTML:LineEnding"], "LF" if exp["crlf"] == 0 else "CRLF"),
            (m["MHTML:From"], exp["From_raw"]),
            (m["MHTML:Subject"], exp["Subject_raw"]),
            (m["MHTML:Subject"], exp["Subject"]),
            (m["MHTML:Date"], exp["Date_raw"]),
            (m.get("MHTML:SnapshotContentLocation"), exp["Snapshot_Content_Location"]),
            ("multipart/related", exp["top_content_type"]),
            (m["MHTML:Boundary"], exp["boundary"]),
            (m["MHTML:Type"], exp["type_param"]),
            (m["MHTML:Parts"], exp["mime_parts"]),
            (m["MHTML:PartTypes"], ", ".join(f"{t} {n}" for t, n in exp["part_types"].items())),
            (m["MHTML:TransferEncodings"], ", ".join(
                f"{t or '(none)'} {n}" for t, n in exp["transfer_encodings"].items())),
            (m.get("MHTML:ContentLocation"), exp["first_part_content_location"]),
            (m.get("MHTML:ContentID"), exp["first_part_content_id"]),
            (m.get("HTML:Title"), exp["first_html_title"]),
            (sorted(m.get("MHTML:Defects", "").split(", ")) if m.get("MHTML:Defects") else [],
             sorted(exp["defects"])),
        ]
        for got, want in checks:
            assert got == want, (name, got, want)
        # Date_parsed: Python gives a naive datetime for -0000 (UTC, offset unknown).
        saved = next(e for e in a.events if e.description == "Page Saved").time
        want = exp["Date_parsed"]
        if want.endswith("+10:00"):
            assert saved.zone_name == "+10:00"
            assert saved.to_json()["utc"] == "2017-05-06T06:48:07Z"
        else:
            assert saved.zone_name == "-0000 (UTC; local offset unknown)"
            assert saved.to_json()["utc"] == want + "Z"
        compared += len(checks) + 1
    assert compared == 4 * 18


@pytest.mark.corpus
def test_corpus_missing_boundary_details(corpus: Path):
    a = parse_path(corpus / "mhtml/mhtml2html_missing_boundary.mhtml")
    assert [(w.location, w.message) for w in a.warnings] == [
        ("message", "MIME defect: StartBoundaryNotFoundDefect"),
        ("message", "MIME defect: MultipartInvariantViolationDefect"),
        ("Date header", "weekday Tue does not match 2016-09-05 (a Monday); the date is read, the "
                        "string kept as written"),
        ("message", "boundary '----MultipartBoundary--13Auk8ODqvYITpKWs1cqVnvH965JWLgToStNEOgxaj"
                    "----' is declared but never used; the body holds one part (text/html, "
                    "http://msindwan.bitbucket.org/), read on its own and marked salvaged"),
    ]
    salvaged = [r for r in a.records if isinstance(r, MhtmlPart) and r.salvaged]
    assert [(r.content_type, r.content_location) for r in salvaged] == [
        ("text/html", "http://msindwan.bitbucket.org/")]


@pytest.mark.corpus
def test_corpus_mutations_never_raise(corpus: Path):
    for path in sorted((corpus / "mhtml").iterdir()):
        data = path.read_bytes()
        for cut in (len(data) // 3, len(data) - 7):
            run_parser(data[:cut])
        step = max(1, len(data) // 40)
        for pos in range(0, len(data), step):
            run_parser(data[:pos] + bytes([data[pos] ^ 0x55]) + data[pos + 1:])


# -- properties -----------------------------------------------------------------------------------


@_SETTINGS
@given(data=st.binary(max_size=800))
def test_arbitrary_bytes_never_raise(data: bytes):
    run_parser(data)
    run_parser(b"From: <Saved by Blink>\r\nContent-Type: multipart/related; boundary=b\r\n\r\n"
               + data)


@_SETTINGS
@given(pos=st.integers(0, len(blink()) - 1), value=st.integers(0, 255),
       cut=st.integers(0, len(blink())), insert=st.binary(max_size=40))
def test_mutated_mhtml_never_raises(pos: int, value: int, cut: int, insert: bytes):
    good = blink()
    run_parser(good[:pos] + bytes([value]) + insert + good[pos + 1:cut])


@_SETTINGS
@given(text=st.text(max_size=400))
def test_sniff_never_raises(text: str):
    looks_like_mhtml(text)
    MhtmlParser.sniff(text, text.encode("utf-8", "replace"))
