"""Tests of the HTML parser (forensics.parsers.html).

Fixtures are built in code below (provenance: written for these tests after the WHATWG HTML
standard, Open Graph, schema.org JSON-LD, and the markup of Chinese news and WeChat article pages:
``<meta charset="gbk">``, ``var ct = "..."``, the ``saved from url=(0027)`` comment browsers
write into saved pages).  There is no reference tool output for HTML in the corpus; values are
asserted exactly as written in the fixtures.
"""

from __future__ import annotations

import hashlib
import io
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import default_registry
from forensics.parsers.base import Builder, ParseContext
from forensics.parsers.html import (
    MAX_TEXT_CHARS,
    HtmlPage,
    HtmlParser,
    decode_html,
    extract_html,
    looks_like_html,
    read_page_time,
)
from tests.parsers.conftest import parse_bytes

_SETTINGS = settings(max_examples=150, deadline=None, derandomize=True,
                     suppress_health_check=[HealthCheck.function_scoped_fixture,
                                            HealthCheck.too_slow])

GBK_PAGE = (
    '<!-- saved from url=(0027)https://news.example.cn/a/1 -->\n'
    '<!DOCTYPE html><html lang="zh-CN"><head>'
    '<meta http-equiv="Content-Type" content="text/html; charset=gbk">'
    '<title>某公司回应网传消息</title>'
    '<meta name="description" content="关于网传消息的说明">'
    '<meta name="keywords" content="回应,声明">'
    '<meta property="og:url" content="https://news.example.cn/a/1?from=og">'
    '<meta property="article:published_time" content="2026-11-20T14:32:00+08:00">'
    '<meta property="article:modified_time" content="2026-11-21 09:00">'
    '<meta name="pubdate" content="not a date">'
    '<link rel="canonical" href="https://news.example.cn/a/1">'
    '<script type="application/ld+json">{"@context": "https://schema.org", '
    '"@type": "NewsArticle", "datePublished": "2026-11-20T06:32:00Z", '
    '"author": {"@type": "Person", "name": "张三"}}</script>'
    '<style>p {color: red}</style></head>'
    '<body><h1>某公司回应网传消息</h1><p>网传消息不实。</p>'
    '<p>特此声明。<script>var x = "不可见";</script></p></body></html>'
).encode("gbk")

WECHAT = (
    '<html><head><meta charset="utf-8"><title>公众号文章</title></head><body>'
    '<div id="js_content">正文</div>'
    '<script>var ct = "1763620320"; var publish_time = "2026-11-20" || "";</script>'
    '</body></html>').encode()


def run_parser(data: bytes) -> None:
    """The parser class directly, without the registry's net: only WrongFormat may escape."""
    ctx = ParseContext("E1", hashlib.sha256(data).hexdigest(), "x.html", len(data))
    p = HtmlParser()
    b = Builder(p, ctx)
    try:
        p.parse(io.BytesIO(data), ctx, b)
    except WrongFormat:
        return
    b.build("text/html")


# -- tiny fixtures ---------------------------------------------------------------------------------


def test_gbk_news_page():
    assert default_registry().detect(GBK_PAGE) == "text/html"
    a = parse_bytes(GBK_PAGE, "page.html")
    assert a.parsed
    m = a.metadata
    assert m["File:FileType"] == "HTML"
    assert m["HTML:Title"] == "某公司回应网传消息"
    assert m["HTML:Charset"] == "gbk"
    assert m["HTML:Description"] == "关于网传消息的说明"
    assert m["HTML:Keywords"] == "回应,声明"
    assert m["HTML:Language"] == "zh-CN"
    assert m["HTML:CanonicalURL"] == "https://news.example.cn/a/1"
    assert m["HTML:OgURL"] == "https://news.example.cn/a/1?from=og"
    assert m["HTML:SavedFrom"] == "https://news.example.cn/a/1"
    assert m["HTML:PublishDate"] == "2026-11-20T14:32:00+08:00"
    assert m["HTML:ModifyDate"] == "2026-11-21 09:00"
    assert m["HTML:TextLength"] == len("某公司回应网传消息\n网传消息不实。\n特此声明。")
    page = a.records[0]
    assert isinstance(page, HtmlPage) and page.data_type == "web:html"
    assert page.text == "某公司回应网传消息\n网传消息不实。\n特此声明。"
    assert (page.charset, page.charset_source, page.text_truncated) == ("gbk", "meta", False)
    assert page.published.to_json()["utc"] == "2026-11-20T06:32:00Z"
    assert page.modified.to_json()["utc"] == "2026-11-21T01:00:00Z"
    events = [(e.description, e.time.source, e.time.to_json()["utc"], e.url) for e in a.events]
    url = "https://news.example.cn/a/1"
    assert events == [
        ("Page Published", "html:meta[article:published_time]", "2026-11-20T06:32:00Z", url),
        ("Page Published", "html:json-ld[datePublished]", "2026-11-20T06:32:00Z", url),
        ("Page Modified", "html:meta[article:modified_time]", "2026-11-21T01:00:00Z", url),
    ]
    assert {e.data_type for e in a.events} == {"web:html"}
    assert [(w.location, w.message) for w in a.warnings] == [
        ("document", "html:meta[pubdate]: not a date: 'not a date'")]


def test_wechat_script_times():
    a = parse_bytes(WECHAT, "wx.html")
    events = [(e.time.source, e.time.to_json()["utc"], e.time.zone.value) for e in a.events]
    assert events == [("html:script[var ct]", "2025-11-20T06:32:00Z", "explicit"),
                      ("html:script[publish_time]", "2026-11-19T16:00:00Z", "assumed")]
    assert a.records[0].text == "正文"


def test_weibo_render_data_time():
    doc = ('<html><head><title>微博正文</title></head><body><script>var $render_data = [{"status": '
           '{"created_at": "Fri Nov 20 14:32:00 +0800 2026", "text": "转发"}, "comments": '
           '[{"created_at": "Sat Nov 21 10:00:00 +0800 2026"}]}][0] || {};</script></body></html>')
    info = extract_html(doc.encode())
    assert [(t.time.source, t.time.original, t.time.to_json()["utc"]) for t in info.times] == [
        ("html:script[created_at]", "Fri Nov 20 14:32:00 +0800 2026", "2026-11-20T06:32:00Z")]


def test_time_elements_and_microdata():
    doc = (b'<html><body><article><h1>t</h1><time datetime="2026-11-20T10:00+08:00">x</time>'
           b'</article><span itemprop="dateModified" content="2026-11-22"></span>'
           b'<time datetime="2020-01-01" pubdate>old</time></body></html>')
    info = extract_html(doc, default_zone="Asia/Shanghai")
    got = [(t.description, t.time.source, t.time.to_json()["utc"]) for t in info.times]
    assert got == [
        ("Page Published", "html:time[pubdate]", "2019-12-31T16:00:00Z"),
        ("Page Published", "html:time[datetime]", "2026-11-20T02:00:00Z"),
        ("Page Modified", "html:itemprop[dateModified]", "2026-11-21T16:00:00Z"),
    ]


def test_charset_detection():
    text = "<p>中文内容</p>"
    assert decode_html(text.encode("gb18030"))[1:] == ("gb18030", "detected", [])
    assert decode_html(text.encode("utf-8"))[1:] == ("utf-8", "detected", [])
    assert decode_html(b"\xef\xbb\xbf" + text.encode())[1:3] == ("utf-8", "bom")
    assert decode_html(text.encode("gbk"), "GB2312")[0] == text
    got = decode_html(b'<meta charset="utf-8">' + text.encode("gbk"))
    assert got[1:] == ("gb18030", "detected", [
        "declared charset 'utf-8' does not fit the bytes (byte 25 is not utf-8); read as gb18030"])
    assert decode_html(b"<p>x</p>", "klingon")[3] == [
        "http charset 'klingon' is not a known encoding; looked for a <meta> declaration instead"]


def test_read_page_time_forms():
    z = {"default_zone": "Asia/Shanghai"}
    assert read_page_time("1763620320", "s").to_json()["utc"] == "2025-11-20T06:32:00Z"
    assert read_page_time("1763620320000", "s").precision.value == "millisecond"
    assert read_page_time("2026/11/20 14:32", "s", **z).to_json()["utc"] == "2026-11-20T06:32:00Z"
    assert read_page_time("2026年11月20日", "s", **z).precision.value == "day"
    assert read_page_time("Fri, 20 Nov 2026 06:32:00 GMT", "s").zone_name == "+00:00"
    assert read_page_time("  ", "s") is None
    with pytest.raises(ValueError, match="not a date"):
        read_page_time("soon", "s")


def test_text_is_capped_and_says_so():
    body = ("字" * (MAX_TEXT_CHARS + 10)).encode()
    a = parse_bytes(b"<html><body><p>" + body + b"</p></body></html>", "long.html")
    page = a.records[0]
    assert page.text_truncated and len(page.text) == MAX_TEXT_CHARS
    assert a.metadata["HTML:TextLength"] == MAX_TEXT_CHARS + 10
    assert [w.message for w in a.warnings] == [
        f"visible text is {MAX_TEXT_CHARS + 10} characters; the record keeps the first "
        f"{MAX_TEXT_CHARS}"]


def test_hostile_deep_nesting_is_bounded():
    doc = (b"<html><head><title>Deep</title></head><body>" + b"<div>" * 100_000 + b"deep"
           + b"</div>" * 100_000 + b"<p>tail</p></body></html>")
    t0 = time.monotonic()
    a = parse_bytes(doc, "deep.html")
    assert time.monotonic() - t0 < 5
    assert a.metadata["HTML:Title"] == "Deep"
    assert a.records[0].text == "deep\ntail"
    assert [w.message for w in a.warnings] == [
        "HTML parser stopped at line 1: Excessive depth in document: 256, use XML_PARSE_HUGE "
        "option; the visible text was read with a simple tag stripper instead"]


def test_hostile_inputs_never_crash():
    cases = [
        b"<html><title>a\x00b</title><body>x\x00y\x0cz</body></html>",
        b"<html><head><meta name=description content='" + b"x" * 11_000_000 + b"'></head>"
        b"<body>hi</body></html>",
        b"<p>a<script>" + b"x<" * 200_000,
        b'<html><script type="application/ld+json">' + b"[" * 100_000 + b"</script><p>x",
        b"<html>" + b"<meta name=pubdate content=2026-11-20>" * 20_000,
    ]
    for doc in cases:
        a = parse_bytes(doc, "h.html", media_type="text/html")
        assert a.parsed, a.unparsed_reason
    a = parse_bytes(b"<html><title>a\x00b</title></html>", "n.html", media_type="text/html")
    assert a.metadata["HTML:Title"] == "a b"


def test_wrong_format_and_garbage():
    a = parse_bytes(b"\x00\x00\x01garbage" * 100, "g.html", media_type="text/html")
    assert a.unparsed_reason == "not HTML: binary content (200 NUL bytes in the first 1000)"
    a = parse_bytes(b"plain words only", "p.html", media_type="text/html")
    assert a.unparsed_reason == "not HTML: no markup in the first 16 bytes"
    assert a.records == () and a.events == ()
    a = parse_bytes(b"<html>" + bytes(range(128, 256)) * 50, "b.html", media_type="text/html")
    assert a.parsed and a.records[0].text_length > 0
    assert [w.message for w in a.warnings] == [
        "the bytes are neither UTF-8 nor GB18030 and no charset is declared; read as UTF-8 with "
        "undecodable bytes replaced by U+FFFD"]


def test_detect_claims_html_and_nothing_else():
    reg = default_registry()
    assert reg.detect(b"\xef\xbb\xbf\n<!doctype html><p>x") == "text/html"
    assert reg.detect(b"<html><body>x</body></html>") == "text/html"
    assert reg.detect(WECHAT) == "text/html"
    assert not looks_like_html("<?xml version='1.0'?><svg></svg>")
    for other in (b"From: <Saved by Blink>\nContent-Type: multipart/related; boundary=x\n\n"
                  b"--x\nContent-Type: text/html\n\n<html></html>\n--x--\n",
                  b"From: a@example.com\nTo: b@example.com\nSubject: <html>\n\nbody",
                  b"time,user,text\n2026-11-20,a,<html>\n",
                  b'{"messages": ["<html>"]}',
                  b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n"):
        assert reg.detect(other) != "text/html", other[:30]


@pytest.mark.corpus
def test_corpus_html_files_parse(corpus: Path):
    # The only HTML in the corpus is a chat export (claimed by its own parser); read it as a
    # plain page too: no exception, a title and text.
    for path in sorted((corpus / "chat").glob("*.html")):
        data = path.read_bytes()
        run_parser(data)
        info = extract_html(data)
        assert info.text_length > 0


# -- properties -----------------------------------------------------------------------------------


@_SETTINGS
@given(data=st.binary(max_size=800))
def test_arbitrary_bytes_never_raise(data: bytes):
    run_parser(data)
    run_parser(b"<html>" + data)
    extract_html(data)


@_SETTINGS
@given(text=st.text(max_size=600))
def test_arbitrary_text_never_raises(text: str):
    run_parser(("<!DOCTYPE html>" + text).encode("utf-8", "surrogatepass"))
    looks_like_html(text)


@_SETTINGS
@given(pos=st.integers(0, len(GBK_PAGE) - 1), value=st.integers(0, 255),
       cut=st.integers(0, len(GBK_PAGE)), insert=st.binary(max_size=40))
def test_mutated_page_never_raises(pos: int, value: int, cut: int, insert: bytes):
    run_parser(GBK_PAGE[:pos] + bytes([value]) + insert + GBK_PAGE[pos + 1:cut])
