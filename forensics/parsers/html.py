"""HTML pages: saved web pages, the main page of a WARC capture, the root part of an MHTML file.

What is read: the character encoding (BOM, the transport's ``charset``, ``<meta charset>`` /
``http-equiv``, else UTF-8 and then GB18030), ``<title>``, ``<link rel=canonical>`` (RFC 6596),
Open Graph ``og:url`` / ``og:title`` (https://ogp.me/), ``<meta name=description>``, the
publish and modify times that pages state (``article:published_time`` and its kin, schema.org
``datePublished`` / ``dateModified`` in JSON-LD or microdata, ``<time datetime>``, and the
``var ct = "..."`` / ``publish_time`` / ``created_at`` values that WeChat and Weibo pages keep in
inline scripts), the ``<!-- saved from url=(0027)https://... -->`` comment that browsers write
into saved pages (the "mark of the web": a URL hint), and the visible text.

Specifications: WHATWG HTML (https://html.spec.whatwg.org/, encoding sniffing in "Parsing HTML
documents", the ``time`` element), the Encoding Standard's labels (https://encoding.spec.whatwg.org/),
RFC 6596 (canonical link), schema.org ``CreativeWork`` (https://schema.org/datePublished).

Parsing uses lxml's libxml2 HTML parser with no network access, no external entities and its
default size limits (``huge_tree=False``): nesting deeper than 256 elements or a single text node
over 10 MB stops the DOM parse; the visible text is then read with a simple linear tag stripper
instead and a warning says so.  Input beyond :data:`HTML_PARSE_LIMIT` bytes is not parsed.

:func:`extract_html` is a plain function (bytes in, :class:`HtmlInfo` out) that the WARC and
MHTML parsers reuse; :func:`emit_html` writes its result to a :class:`~forensics.parsers.base.Builder`.

Examples
--------
>>> page = ('<html><head><meta charset="gbk"><title>声明</title>'
...         '<meta property="article:published_time" content="2026-11-20T14:32:00+08:00">'
...         '</head><body><p>转发过五百了</p><script>var x=1;</script></body></html>')
>>> info = extract_html(page.encode("gbk"))
>>> info.title, info.charset, info.charset_source, info.text
('声明', 'gbk', 'meta', '转发过五百了')
>>> [(t.description, t.time.source, t.time.to_json()["utc"]) for t in info.times]
[('Page Published', 'html:meta[article:published_time]', '2026-11-20T06:32:00Z')]
"""

from __future__ import annotations

import codecs
import contextlib
import dataclasses
import html as html_lib
import json
import re
from dataclasses import dataclass
from datetime import datetime
from itertools import islice
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.records import Record
from forensics.timestamps import (
    DEFAULT_ZONE,
    Precision,
    TimeValue,
    from_unix,
    parse_iso8601,
    parse_rfc2822,
    parse_wall,
)

__all__ = [
    "DATA_TYPE",
    "HTML_PARSE_LIMIT",
    "MAX_TEXT_CHARS",
    "PARSERS",
    "HtmlInfo",
    "HtmlPage",
    "HtmlParser",
    "PageTime",
    "decode_html",
    "emit_html",
    "extract_html",
    "looks_like_html",
]

DATA_TYPE = "web:html"
#: Bytes of one HTML document parsed at most (the rest is not read; a warning says so).
HTML_PARSE_LIMIT = 64 * 1024 * 1024
#: Characters of visible text kept in the :class:`HtmlPage` record (the full length is in
#: ``HTML:TextLength``).
MAX_TEXT_CHARS = 100_000
#: Bytes scanned for ``<meta charset>`` and the "saved from" comment.
_PRESCAN_BYTES = 65536
#: Bounds on the elements looked at, so that a page of a million ``<meta>`` stays fast.
_MAX_ELEMENTS = 5000
_MAX_JSONLD_BYTES = 1024 * 1024
_MAX_JSONLD_NODES = 20_000
_MAX_SCRIPT_CHARS = 4 * 1024 * 1024
_MAX_ATTR_CHARS = 4096

# --- encodings ---------------------------------------------------------------------------------

#: WHATWG Encoding Standard labels that Python spells differently or reads more narrowly.
_LABELS = {
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312": "gb18030",
    "gb_2312-80": "gb18030", "chinese": "gb18030", "csgb2312": "gb18030", "iso-ir-58": "gb18030",
    "gb18030": "gb18030", "hz-gb-2312": "hz",
    "big5": "big5hkscs", "big5-hkscs": "big5hkscs", "x-x-big5": "big5hkscs", "cn-big5": "big5hkscs",
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "l1": "cp1252",
    "ascii": "cp1252", "us-ascii": "cp1252", "windows-1252": "cp1252", "cp1252": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "tis-620": "cp874", "iso-8859-11": "cp874",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949",
    # A <meta> cannot really declare UTF-16 (the declaration itself would be unreadable):
    # WHATWG reads such pages as UTF-8.
    "utf-16": "utf-8", "utf-16le": "utf-8", "utf-16be": "utf-8",
}

_META_CHARSET = re.compile(
    rb"<meta\b[^>]{0,512}?\bcharset\s*=\s*[\"']?\s*([A-Za-z0-9][A-Za-z0-9._:\-]{0,40})", re.I)
_SAVED_FROM = re.compile(r"<!--\s*saved from url=\((\d{1,5})\)(\S{1,4096}?)\s*-->", re.I)


def _codec(label: str) -> str | None:
    """The Python codec for an encoding label, or None when it is unknown."""
    key = label.strip().strip("\"'").lower()
    name = _LABELS.get(key, key)
    try:
        return codecs.lookup(name).name
    except (LookupError, ValueError):
        return None


def decode_html(data: bytes, declared: str | None = None, *, declared_source: str = "http"
                ) -> tuple[str, str, str, list[str]]:
    """Decode an HTML document: ``(text, charset label, where it came from, problems)``.

    The order is the WHATWG one: a byte-order mark, then the charset the transport declared
    (``declared``: an HTTP or MIME ``charset`` parameter), then a ``<meta charset>`` or
    ``http-equiv`` declaration in the first 64 KiB, else UTF-8 if the bytes are valid UTF-8,
    else GB18030 (the common case for Chinese pages that declare nothing).  A declaration that
    does not fit the bytes is reported, and the bytes are read with the first of UTF-8 and
    GB18030 that fits.

    >>> decode_html("<p>中文</p>".encode("gb18030"))[1:3]
    ('gb18030', 'detected')
    >>> decode_html(b'<meta charset="gb2312"><p>\\xd6\\xd0</p>')[0][-8:]
    '<p>中</p>'
    """
    problems: list[str] = []
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace"), "utf-8", "bom", problems
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        enc = "utf-16-le" if data.startswith(b"\xff\xfe") else "utf-16-be"
        return data[2:].decode(enc, errors="replace"), enc, "bom", problems
    label, source = None, ""
    if declared and declared.strip():
        label, source = declared.strip().strip("\"'").lower(), declared_source
        if _codec(label) is None:
            problems.append(f"{declared_source} charset {label!r} is not a known encoding; "
                            f"looked for a <meta> declaration instead")
            label = None
    if label is None:
        m = _META_CHARSET.search(data[:_PRESCAN_BYTES])
        if m:
            found = m.group(1).decode("ascii", "replace").lower()
            if _codec(found) is None:
                problems.append(f"<meta> charset {found!r} is not a known encoding; ignored")
            else:
                label, source = found, "meta"
    if label is not None:
        codec = _codec(label) or "utf-8"
        try:
            return data.decode(codec), label, source, problems
        except UnicodeDecodeError as exc:
            for alt in ("utf-8", "gb18030"):
                if alt == codec:
                    continue
                try:
                    text = data.decode(alt)
                except UnicodeDecodeError:
                    continue
                problems.append(f"declared charset {label!r} does not fit the bytes (byte "
                                f"{exc.start} is not {codec}); read as {alt}")
                return text, alt, "detected", problems
            problems.append(f"bytes not valid in the declared charset {label!r} (first at byte "
                            f"{exc.start}); replaced by U+FFFD")
            return data.decode(codec, errors="replace"), label, source, problems
    for enc in ("utf-8", "gb18030"):
        try:
            return data.decode(enc), enc, "detected", problems
        except UnicodeDecodeError:
            continue
    problems.append("the bytes are neither UTF-8 nor GB18030 and no charset is declared; "
                    "read as UTF-8 with undecodable bytes replaced by U+FFFD")
    return data.decode("utf-8", errors="replace"), "utf-8", "detected", problems


def looks_like_html(text: str) -> bool:
    """True when ``text`` starts (after blanks and a BOM) with markup naming an HTML document.

    >>> looks_like_html("\\n<!DOCTYPE html><title>x</title>")
    True
    >>> looks_like_html("From: a@example.com\\n\\n<html>")
    False
    """
    s = text.lstrip("\ufeff \t\r\n\x0c")
    if not s.startswith("<"):
        return False
    return _HTML_MARK.search(s[:4096]) is not None


_HTML_MARK = re.compile(r"<(?:!doctype\s+html|html[\s>]|head[\s>]|meta\s|body[\s>]|title[\s>])",
                        re.I)

# --- records -----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PageTime:
    """A time a page states about itself: which time it is, and the value read."""

    description: str  # "Page Published" or "Page Modified"
    time: TimeValue


@dataclass(frozen=True, slots=True)
class HtmlInfo:
    """Everything :func:`extract_html` reads from one HTML document."""

    title: str = ""
    og_title: str = ""
    canonical_url: str = ""
    og_url: str = ""
    description: str = ""
    keywords: str = ""
    author: str = ""
    generator: str = ""
    language: str = ""
    charset: str = ""
    charset_source: str = ""
    saved_from: str = ""
    text: str = ""
    text_length: int = 0
    text_truncated: bool = False
    times: tuple[PageTime, ...] = ()
    problems: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class HtmlPage(Record):
    """One HTML page: title, URLs, encoding and the first :data:`MAX_TEXT_CHARS` of its text.

    ``url`` is where the page came from when the container says so (the WARC-Target-URI, the
    MHTML part's Content-Location); ``saved_from`` is the browser's "saved from url=" comment.
    """

    data_type: ClassVar[str] = DATA_TYPE
    url: str = ""
    title: str = ""
    canonical_url: str = ""
    og_url: str = ""
    description: str = ""
    language: str = ""
    charset: str = ""
    charset_source: str = ""
    saved_from: str = ""
    published: TimeValue | None = None
    modified: TimeValue | None = None
    text: str = ""
    text_length: int = 0
    text_truncated: bool = False


# --- times -------------------------------------------------------------------------------------

_PUBLISHED_META = frozenset({
    "article:published_time", "og:published_time", "og:article:published_time",
    "article:published", "og:release_date", "pubdate", "publishdate", "publish_date",
    "publish-date", "publication_date", "publish_time", "date", "dc.date", "dc.date.issued",
    "dc.date.created", "dcterms.issued", "dcterms.created", "dcterms.date", "article.published",
    "sailthru.date", "parsely-pub-date", "weibo:article:create_at", "datepublished",
})
_MODIFIED_META = frozenset({
    "article:modified_time", "og:updated_time", "og:article:modified_time",
    "article:updated_time", "article.updated", "dcterms.modified", "dc.date.modified",
    "last-modified", "lastmod", "revised", "updated_time", "weibo:article:update_at",
    "datemodified",
})
_ITEMPROP = {"datepublished": "Page Published", "datecreated": "Page Published",
             "uploaddate": "Page Published", "datemodified": "Page Modified"}
_JSONLD_KEYS = {"datePublished": "Page Published", "dateCreated": "Page Published",
                "uploadDate": "Page Published", "dateModified": "Page Modified"}
_SCRIPT_TIMES = (
    # WeChat articles: var ct = "1609459200"; (Unix seconds), newer: var create_time = "..." * 1;
    ("var ct", re.compile(r"\bvar\s+ct\s*=\s*[\"'](\d{9,11})[\"']")),
    ("create_time", re.compile(r"\bcreate_time\s*[=:]\s*[\"'](\d{9,11})[\"']")),
    # WeChat: var publish_time = "2021-01-02" || "";
    ("publish_time", re.compile(r"\bpublish_time\s*[=:]\s*[\"']([^\"'\n]{4,40})[\"']")),
    # Weibo $render_data: "created_at": "Sat Jan 02 10:00:00 +0800 2021" (the status comes first)
    ("created_at", re.compile(r"[\"']created_at[\"']\s*:\s*[\"']([^\"'\n]{8,40})[\"']")),
)
_WEIBO_TIME = re.compile(r"([A-Z][a-z]{2}) ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}:\d{2}:\d{2}) "
                         r"([+-]\d{4}) (\d{4})")
_LOOSE_DATE = re.compile(
    r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:[T\s]*(\d{1,2})\s*[:时]\s*(\d{1,2})(?:\s*[:分]\s*(\d{1,2})\s*秒?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?")


def read_page_time(value: str, source: str, *, default_zone: str | None = DEFAULT_ZONE
                   ) -> TimeValue | None:
    """Read a time as pages write it: ISO 8601, RFC 2822, Unix seconds or milliseconds,
    ``2021/01/02 10:00``, ``2021年1月2日 10:00``, or Weibo's ``Sat Jan 02 10:00:00 +0800 2021``.

    Returns None for an empty value; raises ``ValueError`` for text that is not a time.

    >>> read_page_time("2021年1月2日 10:00", "x", default_zone="Asia/Shanghai").to_json()["utc"]
    '2021-01-02T02:00:00Z'
    >>> read_page_time("Sat Jan 02 10:00:00 +0800 2021", "x").to_json()["utc"]
    '2021-01-02T02:00:00Z'
    """
    raw = value.strip()
    if not raw:
        return None
    if len(raw) > 100:
        raise ValueError(f"not a date: {raw[:40]!r}... ({len(raw)} characters)")
    if raw.isdigit() and len(raw) in (9, 10, 12, 13):
        return from_unix(int(raw), source, original=value, milliseconds=len(raw) >= 12)
    with contextlib.suppress(ValueError):  # not ISO 8601: try the other forms below
        return parse_iso8601(raw, source, default_zone=default_zone)
    m = _WEIBO_TIME.fullmatch(raw)
    if m:
        wd, mon, day, hms, off, year = m.groups()
        tv = parse_rfc2822(f"{wd}, {day} {mon} {year} {hms} {off}", source)
        return dataclasses.replace(tv, original=value)
    m = _LOOSE_DATE.fullmatch(raw)
    if m:
        y, mo, d, hh, mi, ss, off = m.groups()
        try:
            wall = datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
        except ValueError as exc:
            raise ValueError(f"impossible date {value!r}: {exc}") from None
        precision = (Precision.DAY if hh is None else Precision.MINUTE if ss is None
                     else Precision.SECOND)
        if off in ("Z", "z"):
            off = "+00:00"
        elif off and ":" not in off:
            off = f"{off[:3]}:{off[3:]}"
        return parse_wall(wall, value, source, precision, offset=off, default_zone=default_zone)
    if re.search(r"[A-Za-z]{3}", raw):
        with contextlib.suppress(ValueError):  # not RFC 2822 either: refused below
            return parse_rfc2822(raw, source, default_zone=default_zone)
    raise ValueError(f"not a date: {value!r}")


# --- extraction --------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_BLOCK_TAGS = ("p", "div", "br", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6",
               "section", "article", "header", "footer", "blockquote", "pre", "table", "ul",
               "ol", "dl", "dt", "dd", "hr", "form", "nav", "aside", "main", "figure",
               "figcaption", "address", "center", "option")
_HIDDEN_TAGS = ("script", "style", "noscript", "template", "head", "title")
_HIDDEN_OPEN = re.compile(r"<(script|style|noscript|template|title)(?![\w-])", re.I)
_BLOCK_RE = re.compile(r"</?(?:" + "|".join(_BLOCK_TAGS) + r")\b[^>]*>", re.I)


def _clean(s: str | None, limit: int = _MAX_ATTR_CHARS) -> str:
    if not s:
        return ""
    return " ".join(s.split())[:limit]


def _normalize_text(raw: str) -> str:
    lines = (" ".join(line.split()) for line in raw.split("\n"))
    return "\n".join(line for line in lines if line)


def _strip_tags(text: str) -> str:
    """Visible text by a linear scan (used when the DOM parse stopped early)."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        j = text.find("<", i)
        if j < 0:
            out.append(text[i:])
            break
        out.append(text[i:j])
        hidden = _HIDDEN_OPEN.match(text, j)
        if hidden:
            close = re.compile(rf"</{hidden.group(1)}", re.I).search(text, hidden.end())
            j = close.start() if close else n
        if text.startswith("<!--", j):
            end = text.find("-->", j + 4)
            i = n if end < 0 else end + 3
            continue
        end = text.find(">", j)
        if end < 0:
            break
        out.append("\n" if _BLOCK_RE.fullmatch(text, j, end + 1) else "")
        i = end + 1
    return _normalize_text(html_lib.unescape("".join(out)))


def _parse_dom(text: str) -> tuple[Any, list[str]]:
    """The lxml tree of ``text`` (or None) and the fatal parser errors, if any."""
    from lxml import etree
    from lxml import html as lxml_html

    parser = lxml_html.HTMLParser(encoding="utf-8", recover=True, no_network=True,
                                  huge_tree=False, remove_comments=True, remove_pis=True,
                                  default_doctype=False, collect_ids=False)
    try:
        root = etree.fromstring(text.encode("utf-8", errors="replace"), parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError) as exc:
        return None, [f"HTML parser failed: {exc}"]
    fatal = [f"line {e.line}: {e.message.strip()}" for e in islice(parser.error_log, 10000)
             if e.level_name == "FATAL"]
    return root, fatal[:3]


def _times_from_dom(root: Any, default_zone: str | None, problems: list[str]) -> list[PageTime]:
    found: list[PageTime] = []
    seen: set[tuple[str, str, str]] = set()

    def add(description: str, value: str | None, source: str) -> None:
        if not value:
            return
        value = value.strip()[:200]
        key = (description, source, value)
        if key in seen:
            return
        seen.add(key)
        try:
            tv = read_page_time(value, source, default_zone=default_zone)
        except (ValueError, OverflowError) as exc:
            problems.append(f"{source}: {exc}")
            return
        if tv is not None:
            found.append(PageTime(description, tv))

    for el in islice(root.iter("meta"), _MAX_ELEMENTS):
        for attr in ("property", "name", "http-equiv"):
            key = (el.get(attr) or "").strip().lower()
            if not key:
                continue
            if key in _PUBLISHED_META:
                add("Page Published", el.get("content"), f"html:meta[{key}]")
            elif key in _MODIFIED_META:
                add("Page Modified", el.get("content"), f"html:meta[{key}]")
    for el in islice(root.xpath("//*[@itemprop]"), _MAX_ELEMENTS):
        for prop in (el.get("itemprop") or "").split():
            desc = _ITEMPROP.get(prop.lower())
            if desc:
                value = el.get("content") or el.get("datetime") or _clean(el.text, 100)
                add(desc, value, f"html:itemprop[{prop}]")
    times = list(islice(root.iter("time"), _MAX_ELEMENTS))
    for el in times:
        if el.get("pubdate") is not None:
            add("Page Published", el.get("datetime") or _clean(el.text, 100),
                "html:time[pubdate]")
    with_dt = [el for el in times if el.get("datetime")]
    in_article = [el for el in with_dt if any(True for _ in islice(el.iterancestors("article"), 1))]
    if in_article or len(with_dt) == 1:
        el = (in_article or with_dt)[0]
        add("Page Published", el.get("datetime"), "html:time[datetime]")
    scripts: list[str] = []
    budget = _MAX_SCRIPT_CHARS
    for el in islice(root.iter("script"), _MAX_ELEMENTS):
        body = el.text or ""
        kind = (el.get("type") or "").strip().lower()
        if kind == "application/ld+json":
            _jsonld_times(body, add, problems)
        elif budget > 0 and not el.get("src"):
            scripts.append(body[:budget])
            budget -= len(scripts[-1])
    script_text = "\n".join(scripts)
    for name, rx in _SCRIPT_TIMES:
        m = rx.search(script_text)
        if m:
            add("Page Published", m.group(1), f"html:script[{name}]")
    return found


def _jsonld_times(body: str, add: Any, problems: list[str]) -> None:
    if len(body) > _MAX_JSONLD_BYTES:
        problems.append(f"JSON-LD block of {len(body)} characters not read (limit "
                        f"{_MAX_JSONLD_BYTES})")
        return
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        problems.append(f"JSON-LD block not readable: {type(exc).__name__}: {str(exc)[:120]}")
        return
    stack: list[Any] = [data]
    visited = 0
    while stack and visited < _MAX_JSONLD_NODES:
        node = stack.pop()
        visited += 1
        if isinstance(node, dict):
            for key, desc in _JSONLD_KEYS.items():
                value = node.get(key)
                if isinstance(value, str):
                    add(desc, value, f"html:json-ld[{key}]")
            stack.extend(v for v in node.values() if isinstance(v, dict | list))
        elif isinstance(node, list):
            stack.extend(v for v in reversed(node) if isinstance(v, dict | list))


def _visible_text(root: Any) -> str:
    """The text a reader sees: everything but script, style, head...; blocks on their own lines.

    An explicit stack, not recursion, and the tree is not modified.
    """
    hidden, block = set(_HIDDEN_TAGS), set(_BLOCK_TAGS)
    parts: list[str] = []
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        el, closing = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if closing:
            if tag in block:
                parts.append("\n")
            if el.tail:
                parts.append(el.tail)
            continue
        if not tag or tag in hidden:
            if el.tail:
                parts.append(el.tail)
            continue
        if tag in block:
            parts.append("\n")
        if el.text:
            parts.append(el.text)
        stack.append((el, True))
        stack.extend((child, False) for child in reversed(el))
    return _normalize_text("".join(parts))


def extract_html(data: bytes, *, charset: str | None = None, charset_source: str = "http",
                 default_zone: str | None = DEFAULT_ZONE,
                 max_text: int = MAX_TEXT_CHARS) -> HtmlInfo:
    """Read one HTML document (at most :data:`HTML_PARSE_LIMIT` bytes); never raises on content.

    Parameters
    ----------
    data : bytes
        The document as stored or as decoded from its container (de-chunked, decompressed).
    charset, charset_source : str, optional
        The encoding the container declared (HTTP ``Content-Type`` of a WARC response, MIME
        ``charset`` of an MHTML part), and what declared it (``http``, ``mime``).
    default_zone : str or None
        Zone assumed for page times written without one (None: unknown).
    max_text : int
        Characters of visible text kept in :attr:`HtmlInfo.text`.

    Examples
    --------
    >>> doc = (b'<!-- saved from url=(0022)https://weibo.com/1/ -->'
    ...        b'<html><head><link rel="canonical" href="https://weibo.com/1/A"></head>'
    ...        b'<body>a<div>b</div></body></html>')
    >>> info = extract_html(doc)
    >>> info.saved_from, info.canonical_url, info.text, info.text_length
    ('https://weibo.com/1/', 'https://weibo.com/1/A', 'a\\nb', 3)
    """
    problems: list[str] = []
    if len(data) > HTML_PARSE_LIMIT:
        problems.append(f"page is {len(data)} bytes; only the first {HTML_PARSE_LIMIT} were read")
        data = data[:HTML_PARSE_LIMIT]
    text, label, source, decode_problems = decode_html(data, charset,
                                                       declared_source=charset_source)
    problems.extend(decode_problems)
    text = _CONTROL.sub(" ", text)
    saved_from = ""
    m = _SAVED_FROM.search(text, 0, _PRESCAN_BYTES)
    if m:
        saved_from = m.group(2)
        if int(m.group(1)) != len(saved_from):
            problems.append(f"'saved from url=({m.group(1)})' comment: the URL has "
                            f"{len(saved_from)} characters, not {int(m.group(1))}")
    root, fatal = _parse_dom(text)
    fields: dict[str, str] = {}
    times: list[PageTime] = []
    if root is not None:
        for el in islice(root.iter("title"), 1):
            fields["title"] = _clean(el.text_content(), 2000)
        metas: dict[str, str] = {}
        for el in islice(root.iter("meta"), _MAX_ELEMENTS):
            key = (el.get("name") or el.get("property") or "").strip().lower()
            if key and key not in metas:
                metas[key] = _clean(el.get("content"))
        fields.update(
            og_title=metas.get("og:title", ""), og_url=metas.get("og:url", ""),
            description=metas.get("description", ""), keywords=metas.get("keywords", ""),
            author=metas.get("author", ""), generator=metas.get("generator", ""),
            language=_clean(root.get("lang"), 64))
        for el in islice(root.iter("link"), _MAX_ELEMENTS):
            if "canonical" in (el.get("rel") or "").lower().split():
                fields["canonical_url"] = _clean(el.get("href"))
                break
        times = _times_from_dom(root, default_zone, problems)
    if fatal or root is None:
        for f in fatal:
            problems.append(f"HTML parser stopped at {f}; the visible text was read with a "
                            f"simple tag stripper instead")
        visible = _strip_tags(text)
    else:
        visible = _visible_text(root)
    published = [t for t in times if t.description == "Page Published"]
    modified = [t for t in times if t.description == "Page Modified"]
    return HtmlInfo(
        title=fields.get("title", ""), og_title=fields.get("og_title", ""),
        canonical_url=fields.get("canonical_url", ""), og_url=fields.get("og_url", ""),
        description=fields.get("description", ""), keywords=fields.get("keywords", ""),
        author=fields.get("author", ""), generator=fields.get("generator", ""),
        language=fields.get("language", ""), charset=label, charset_source=source,
        saved_from=saved_from, text=visible[:max_text], text_length=len(visible),
        text_truncated=len(visible) > max_text, times=tuple(published + modified),
        problems=tuple(problems))


def emit_html(out: Builder, info: HtmlInfo, *, location: str, url: str = "") -> HtmlPage:
    """Write an :class:`HtmlInfo` to ``out``: ``HTML:*`` metadata (first page wins), one
    :class:`HtmlPage` record, ``Page Published`` / ``Page Modified`` events and the problems as
    warnings at ``location``."""
    out.meta("HTML:Title", info.title)
    out.meta("HTML:Description", info.description)
    out.meta("HTML:Keywords", info.keywords)
    out.meta("HTML:Author", info.author)
    out.meta("HTML:Generator", info.generator)
    out.meta("HTML:Language", info.language)
    out.meta("HTML:Charset", info.charset)
    out.meta("HTML:CanonicalURL", info.canonical_url)
    out.meta("HTML:OgURL", info.og_url)
    out.meta("HTML:SavedFrom", info.saved_from)
    out.meta("HTML:TextLength", info.text_length)
    for t in info.times:
        key = "HTML:PublishDate" if t.description == "Page Published" else "HTML:ModifyDate"
        out.meta(key, t.time.original)
    for p in info.problems:
        out.warn(location, p)
    if info.text_truncated:
        out.warn(location, f"visible text is {info.text_length} characters; the record keeps "
                           f"the first {len(info.text)}")
    page_url = url or info.canonical_url or info.og_url or info.saved_from
    for t in info.times:
        out.event(DATA_TYPE, t.description, t.time, location=location, url=page_url,
                  text=info.title)
    published = next((t.time for t in info.times if t.description == "Page Published"), None)
    modified = next((t.time for t in info.times if t.description == "Page Modified"), None)
    rec = HtmlPage(out.origin, location, url=url, title=info.title or info.og_title,
                   canonical_url=info.canonical_url, og_url=info.og_url,
                   description=info.description, language=info.language,
                   charset=info.charset, charset_source=info.charset_source,
                   saved_from=info.saved_from, published=published, modified=modified,
                   text=info.text, text_length=info.text_length,
                   text_truncated=info.text_truncated)
    out.record(rec)
    return rec


# --- the parser --------------------------------------------------------------------------------


class HtmlParser(Parser):
    """Generic HTML pages (``text/html``); chat-export HTML is claimed first by its parsers.

    Examples
    --------
    >>> import io
    >>> data = b"<!DOCTYPE html><title>T</title><meta name=pubdate content=2026-11-20>"
    >>> ctx = ParseContext("E1", "00" * 32, "p.html", len(data), default_zone="Asia/Shanghai")
    >>> p = HtmlParser(); b = Builder(p, ctx); p.parse(io.BytesIO(data), ctx, b)
    >>> a = b.build("text/html")
    >>> a.metadata["HTML:Title"], a.events[0].description, a.events[0].time.to_json()["utc"]
    ('T', 'Page Published', '2026-11-19T16:00:00Z')
    """

    name: ClassVar[str] = "html"
    version: ClassVar[str] = "1"
    media_types: ClassVar[tuple[str, ...]] = ("text/html", "application/xhtml+xml")
    sniff_priority: ClassVar[int] = 10

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        return "text/html" if looks_like_html(text) else None

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        data = fh.read(HTML_PARSE_LIMIT + 1)
        head = data[:_PRESCAN_BYTES]
        if not head.strip():
            raise WrongFormat("not HTML: the file is empty or blank")
        if not head.startswith((b"\xff\xfe", b"\xfe\xff")):
            nuls = head.count(b"\x00")
            if nuls > len(head) // 10:
                raise WrongFormat(f"not HTML: binary content ({nuls} NUL bytes in the first "
                                  f"{len(head)})")
            if not re.search(rb"<[A-Za-z!?/]", head):
                raise WrongFormat(f"not HTML: no markup in the first {len(head)} bytes")
        truncated = len(data) > HTML_PARSE_LIMIT
        info = extract_html(data[:HTML_PARSE_LIMIT], default_zone=ctx.default_zone)
        out.meta("File:FileType", "HTML")
        if truncated:
            out.warn("document", f"file is over {HTML_PARSE_LIMIT} bytes; only the first "
                                 f"{HTML_PARSE_LIMIT} were parsed")
        emit_html(out, info, location="document")


PARSERS: tuple[type[Parser], ...] = (HtmlParser,)
