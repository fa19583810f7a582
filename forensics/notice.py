"""The platform notice under 民法典 art. 1195: written from the case, its sending and the answers
logged.

Art. 1195 lets the right holder notify the platform to take necessary measures (删除, 屏蔽,
断开链接); the notice must carry **preliminary evidence of the infringement and the right
holder's true identity**, and a platform that does not act in time is jointly liable for the
damage that grows after the notice.  A wrongful notice makes its sender liable (para. 3).  The
notice, its evidence and the time it was sent therefore matter later in court.

:func:`write_notice` (``forensics notice write``) writes ``notice.docx`` (for the lawyer to sign or
edit) and ``notice.pdf`` (fonts embedded), the whole notice in Chinese first, then an English
translation for reference.  It holds the right holder's identity (read from a small TOML file,
:func:`read_identity`, ``docs/notice.md``), the URLs, the preliminary evidence as a table (evidence
number, name, SHA-256, capture time as stated, a thumbnail of an image or a frame of a recording,
made from the stored original opened read-only), the measures asked for, a request to preserve the
publisher's logs and registration data, the articles 1194-1197 quoted, and the date.  Every
evidence row comes from an item of the case; nothing is invented.  The same case, identity, options
and date give the same bytes.

A URL the case holds no evidence for (no item's intake URL, no parsed record's ``url``) is a
warning; a notice none of whose URLs has evidence is refused unless forced.  Writing is logged in
one ``notice`` entry of the custody log (files and their SHA-256, URLs, measures, evidence numbers,
the identity file's SHA-256: never the ID number itself).  :func:`notice_sent` and
:func:`notice_reply` log the sending and the platform's answers as ``notice`` entries whose
``details["events"]`` put them in the case's timeline: when the platform knew.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> from forensics.intake import IntakeFacts
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "post.html").write_text("<p>谣言</p>", encoding="utf-8")
>>> case = Case.init(tmp / "case")
>>> _ = case.add([tmp / "post.html"], facts=IntakeFacts(url="https://weibo.com/1/A"), parse=False)
>>> _ = (tmp / "id.toml").write_text('name = "陈某明"\\nid_type = "居民身份证"\\n'
...     'id_number = "110101199001011234"\\nphone = "13800000000"\\naddress = "北京市"\\n',
...     encoding="utf-8")
>>> report = write_notice(case, platform="微博", urls=["HTTPS://Weibo.com/1/A/"],
...                       identity=tmp / "id.toml", out=tmp / "notice", date="2026-11-25")
>>> report.evidence_ids, report.warnings, sorted(report.files)
(('E0001',), (), ['notice.docx', 'notice.pdf'])
>>> sent = notice_sent(case, tmp / "notice", channel="微博侵权投诉平台", at="2026-11-25 10:00")
>>> sent.events, sent.notice_seq == report.entry_seq
(1, True)
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import tomllib
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from datetime import date as Date
from datetime import time as Time
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from forensics.appendix_model import (
    _INVISIBLE,
    Heading,
    Items,
    Mark,
    Para,
    Say,
    Span,
    Table,
    say_text,
)
from forensics.errors import ForensicsError, IntegrityError, NoticeError, SourceError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case, Item
    from forensics.custody import Entry
    from forensics.timestamps import TimeValue

__all__ = [
    "ARTICLES",
    "MEASURES",
    "REPLY_KINDS",
    "TRACKING_PARAMS",
    "Agent",
    "Identity",
    "NoticeLogged",
    "NoticeReport",
    "Person",
    "normalize_url",
    "notice_reply",
    "notice_sent",
    "read_identity",
    "write_notice",
]

#: The measures a notice can ask for: name -> (Chinese legal wording, English).  The first three
#: are the words of 民法典 art. 1195 (删除、屏蔽、断开链接).
MEASURES: Mapping[str, tuple[str, str]] = {
    "delete": ("删除上述信息", "delete the information"),
    "block": ("屏蔽上述信息", "block the information"),
    "disconnect": ("断开指向上述信息的链接", "disconnect the links to the information"),
    "preserve": ("保存上述信息及其发布、转发、评论记录，不因删除、屏蔽而灭失",
                 "preserve the information and the records of its publication, reposts and "
                 "comments, so that deleting or blocking it does not destroy them"),
}

#: The platform's answers :func:`notice_reply` logs: kind -> (timeline description, Chinese).
REPLY_KINDS: Mapping[str, tuple[str, str]] = {
    "reply": ("Platform replied", "平台答复"),
    "counter-notice": ("Counter-notice received", "收到不存在侵权行为的声明"),
    "action-taken": ("Platform took measures", "平台已采取措施"),
}

#: 民法典 arts. 1194-1197 as enacted (Chinese), with an unofficial English translation.  The
#: Chinese is the statute's text (LEGAL.md [V]; checked against published reproductions of the
#: official text, flk.npc.gov.cn); paragraphs are separated by newlines.
ARTICLES: tuple[tuple[str, str, str, str], ...] = (
    ("1194", "第一千一百九十四条",
     "网络用户、网络服务提供者利用网络侵害他人民事权益的，应当承担侵权责任。法律另有规定的，依照其"
     "规定。",
     "Network users and network service providers who infringe upon others' civil rights and "
     "interests through the network shall bear tort liability. Where the law provides "
     "otherwise, those provisions apply."),
    ("1195", "第一千一百九十五条",
     "网络用户利用网络服务实施侵权行为的，权利人有权通知网络服务提供者采取删除、屏蔽、断开链接等必"
     "要措施。"
     "通知应当包括构成侵权的初步证据及权利人的真实身份信息。\n"
     "网络服务提供者接到通知后，应当及时将该通知转送相关网络用户，并根据构成侵权的初步证据和服务类"
     "型采取必要措施；"
     "未及时采取必要措施的，对损害的扩大部分与该网络用户承担连带责任。\n"
     "权利人因错误通知造成网络用户或者网络服务提供者损害的，应当承担侵权责任。法律另有规定的，依照"
     "其规定。",
     "Where a network user commits a tort through network services, the right holder is "
     "entitled to notify the network service provider to take necessary measures such as "
     "deletion, blocking or disconnecting links. The notice shall include preliminary evidence "
     "of the tort and the right holder's true identity information.\n"
     "After receiving the notice, the network service provider shall promptly forward it to "
     "the network user concerned and take necessary measures according to the preliminary "
     "evidence of the tort and the type of service; if it fails to take necessary measures in "
     "time, it is jointly and severally liable with the network user for the aggravated part "
     "of the damage.\n"
     "A right holder who causes damage to the network user or the network service provider by "
     "a wrongful notice shall bear tort liability. Where the law provides otherwise, those "
     "provisions apply."),
    ("1196", "第一千一百九十六条",
     "网络用户接到转送的通知后，可以向网络服务提供者提交不存在侵权行为的声明。"
     "声明应当包括不存在侵权行为的初步证据及网络用户的真实身份信息。\n"
     "网络服务提供者接到声明后，应当将该声明转送发出通知的权利人，并告知其可以向有关部门投诉或者向"
     "人民法院提起诉讼。"
     "网络服务提供者在转送声明到达权利人后的合理期限内，未收到权利人已经投诉或者提起诉讼通知的，应"
     "当及时终止所采取的措施。",
     "After receiving the forwarded notice, the network user may submit to the network service "
     "provider a statement that there is no tort. The statement shall include preliminary "
     "evidence that there is no tort and the network user's true identity information.\n"
     "After receiving the statement, the network service provider shall forward it to the "
     "right holder who sent the notice and inform the right holder that it may complain to the "
     "authorities concerned or sue in a people's court. If, within a reasonable period after "
     "the forwarded statement reaches the right holder, the network service provider is not "
     "notified that the right holder has complained or sued, it shall promptly end the "
     "measures taken."),
    ("1197", "第一千一百九十七条",
     "网络服务提供者知道或者应当知道网络用户利用其网络服务侵害他人民事权益，未采取必要措施的，与该"
     "网络用户承担连带责任。",
     "A network service provider that knows or should know that a network user infringes "
     "upon others' civil rights and interests through its network services, and fails to take "
     "necessary measures, is jointly and severally liable with that network user."),
)

#: The notice's files in the output folder.
DOCX_NAME, PDF_NAME = "notice.docx", "notice.pdf"
#: The longer side of a thumbnail (pixels); the PNG is made from the stored original.
THUMB_SIDE = 240
#: Text read from the case is shown up to this many characters in a table cell (the rest is
#: counted, not shown: a row must fit on a page).
MAX_CELL_CHARS = 200
#: The identity file is small: larger files are refused.
MAX_IDENTITY_BYTES = 64 * 1024
#: The parser name timeline rows of notice entries carry.
PARSER, PARSER_VERSION = "notice", "1"
_SENT = ("Notice sent to platform (民法典第1195条)", "通知已发送至平台（民法典第1195条）")


# --- the identity file ---------------------------------------------------------------------------

_PERSON_KEYS = ("name", "id_type", "id_number", "phone", "email", "address")
_AGENT_KEYS = (*_PERSON_KEYS, "authorization")


def _masked(number: str) -> str:
    """An ID number with all but its first and last few characters hidden.

    >>> _masked("110101199001011234"), _masked("AB12")
    ('1101**********1234', '****')
    """
    keep = 4 if len(number) > 10 else 0
    return number[:keep] + "*" * (len(number) - 2 * keep) + (number[-keep:] if keep else "")


@dataclass(frozen=True, slots=True)
class Person:
    """The right holder as the notice names them (民法典 art. 1195: true identity).

    ``id_number``, ``phone``, ``email`` and ``address`` are personal information: they are
    printed in the notice only, never in a ``repr``, a report or the custody log (which keep the
    identity file's SHA-256).
    """

    name: str
    id_type: str
    id_number: str = field(repr=False)
    phone: str = field(default="", repr=False)
    email: str = field(default="", repr=False)
    address: str = field(default="", repr=False)

    @property
    def masked_id(self) -> str:
        """The ID number with its middle hidden (for screens and reports)."""
        return _masked(self.id_number)


@dataclass(frozen=True, slots=True)
class Agent(Person):
    """Who sends the notice for the right holder (代理人), and the authorisation they hold."""

    authorization: str = ""


@dataclass(frozen=True, slots=True)
class Identity:
    """A read identity file: the right holder, an optional agent, and the file's SHA-256."""

    holder: Person
    agent: Agent | None
    path: Path
    sha256: str


def _text_value(path: Path, key: str, value: object) -> str:
    if not isinstance(value, str):
        raise NoticeError(path, f"must be text in quotes, not {type(value).__name__}", key=key)
    text = value.strip()
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text) or "\x00" in text:
        raise NoticeError(path, "holds a NUL or an invalid character", key=key)
    if len(text) > 500:
        raise NoticeError(path, f"is {len(text)} characters long; at most 500", key=key)
    return text


def _person(path: Path, table: Mapping[str, object], keys: Sequence[str], prefix: str
            ) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, value in table.items():
        if key not in keys:
            raise NoticeError(path, f"unknown key; known: {', '.join(keys)}"
                              + (", and an [agent] table" if not prefix else ""),
                              key=prefix + key)
        values[key] = _text_value(path, prefix + key, value)
    required = [k for k in keys if k in ("name", "id_type", "id_number", "address",
                                         "authorization")]
    for key in required:
        if not values.get(key):
            raise NoticeError(path, "is required and empty or missing", key=prefix + key)
    if not values.get("phone") and not values.get("email"):
        raise NoticeError(path, "give a contact: phone or email (or both)",
                          key=prefix + "phone")
    return values


def read_identity(path: Path | str) -> Identity:
    """Read the right holder's identity file (TOML, UTF-8; ``docs/notice.md``).

    Top-level keys ``name``, ``id_type``, ``id_number``, ``address`` (required), ``phone`` and
    ``email`` (at least one); an optional ``[agent]`` table with the same keys plus
    ``authorization`` (what authorises the agent, such as a signed 授权委托书).  Any other key is
    refused by name: a typo must not drop a fact from a legal notice.

    Raises
    ------
    NoticeError
        The file cannot be read, is not TOML, has an unknown key, lacks a required one, or a value
        is not text; the message names the file and the key.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "id.toml"
    >>> _ = p.write_text('name = "陈某明"\\nid_type = "居民身份证"\\n'
    ...                  'id_number = "110101199001011234"\\nemail = "c@example.org"\\n'
    ...                  'address = "北京市"\\n', encoding="utf-8")
    >>> ident = read_identity(p)
    >>> ident.holder
    Person(name='陈某明', id_type='居民身份证')
    >>> ident.holder.masked_id, ident.agent
    ('1101**********1234', None)
    >>> _ = p.write_text('name = "陈某明"\\nnmae = "x"\\n', encoding="utf-8")
    >>> read_identity(p)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    forensics.errors.NoticeError: ...id.toml, key 'nmae': unknown key; known: name, id_type, ...
    """
    path = Path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_IDENTITY_BYTES + 1)
    except OSError as exc:
        raise NoticeError(path, f"cannot read the identity file: {exc.strerror or exc}") from None
    if len(data) > MAX_IDENTITY_BYTES:
        raise NoticeError(path, f"larger than {MAX_IDENTITY_BYTES} bytes: not an identity file")
    try:
        doc = tomllib.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise NoticeError(path, "not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise NoticeError(path, f"not valid TOML: {exc}") from None
    agent_table = doc.pop("agent", None)
    holder = _person(path, doc, _PERSON_KEYS, "")
    agent = None
    if agent_table is not None:
        if not isinstance(agent_table, dict):
            raise NoticeError(path, "must be a table ([agent])", key="agent")
        agent = Agent(**_person(path, agent_table, _AGENT_KEYS, "agent."))
    return Identity(Person(**holder), agent, path, hashlib.sha256(data).hexdigest())


# --- URLs and the evidence for them --------------------------------------------------------------

#: Query parameters that only say where a link was shared from (analytics), never which page:
#: dropped when URLs are compared.  Every other parameter names the page (WeChat's ``__biz``,
#: ``mid``, ``sn``; a forum's ``tid``) and is kept.  Parameters starting with ``utm_`` count too.
TRACKING_PARAMS = frozenset({"spm", "refer_flag", "wvr", "previous_page", "share_token",
                             "scene", "chksm", "from_share", "fbclid", "gclid"})
_DEFAULT_PORTS = {"http": "80", "https": "443"}
_ESCAPE = re.compile("%([0-9A-Fa-f]{2})")
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")


def _pct(text: str) -> str:
    """``text`` with every escape in one form: an escaped unreserved character unescaped, other
    escapes in upper case, and each non-ASCII character escaped as its UTF-8 bytes.

    >>> _pct("/%e8%b0%a3/%41%2f"), _pct("/谣")
    ('/%E8%B0%A3/A%2F', '/%E8%B0%A3')
    """
    escaped = "".join(c if c.isascii() else "".join(
        f"%{b:02X}" for b in c.encode("utf-8", "surrogatepass")) for c in text)
    return _ESCAPE.sub(_one_escape, escaped)


def _one_escape(m: re.Match[str]) -> str:
    ch = chr(int(m[1], 16))
    return ch if ch in _UNRESERVED else "%" + m[1].upper()


def _host(host: str) -> str:
    """A host in one form: lower case, no root dot, an internationalized name in punycode."""
    host = host.lower().rstrip(".")
    if host.startswith("[") or host.isascii():
        return host
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host


def normalize_url(url: str) -> str:
    """The form URLs are compared in: two addresses of the same page get the same form; two pages
    never do.

    * the scheme: ``http`` and ``https`` are one (the same host and path serve the same page;
      platforms redirect one to the other); the form says ``https``;
    * the host: lower case, without the root dot, an internationalized name in punycode, the
      default port dropped (``:443``, ``:80``); other hosts stay apart (``m.weibo.cn`` is not
      ``weibo.com``, nor ``www.weibo.com``), as do other ports;
    * the path: case kept (``/1/Abc`` is not ``/1/abc``: Weibo's ids are case-sensitive),
      escapes in one form (``%e8%b0%a3`` = ``%E8%B0%A3`` = ``谣``; ``%2F`` stays escaped: it is
      not a slash), no trailing slash;
    * the query: :data:`TRACKING_PARAMS` and ``utm_*`` dropped, the other parameters kept in
      their order;
    * the fragment: dropped (it never reaches the server, ``#comment`` is the same page), except
      a route (``#/post/1``, ``#!/post/1``), which names the page in a single-page site.

    >>> normalize_url(" HTTPS://Weibo.COM/7301/Abc/ ")
    'https://weibo.com/7301/Abc'
    >>> normalize_url("http://weibo.com:80/7301/Abc?refer_flag=1001&utm_source=x#comment")
    'https://weibo.com/7301/Abc'
    >>> normalize_url("https://m.weibo.cn/detail/1") == normalize_url("https://weibo.com/detail/1")
    False
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = _host(parts.hostname or "")
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address
    try:
        port = parts.port
    except ValueError:
        port = None
    netloc = host
    if port is not None and str(port) != _DEFAULT_PORTS.get(scheme):
        netloc += f":{port}"
    if "@" in parts.netloc:
        netloc = parts.netloc.rpartition("@")[0] + "@" + netloc
    if scheme in _DEFAULT_PORTS:
        scheme = "https"
    query = "&".join(
        _pct(p) for p in parts.query.split("&")
        if p and not (p.split("=", 1)[0].lower() in TRACKING_PARAMS
                      or p.lower().startswith("utm_")))
    fragment = parts.fragment if parts.fragment.startswith(("/", "!")) else ""
    return urlunsplit((scheme, netloc, _pct(parts.path).rstrip("/"), query, _pct(fragment)))


def _check_url(url: object) -> str:
    if not isinstance(url, str) or not url.strip():
        raise NoticeError(None, f"a URL must be non-empty text, got {url!r}")
    text = url.strip()
    try:
        parts = urlsplit(text)
    except ValueError as exc:
        raise NoticeError(None, f"{text!r} is not a URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise NoticeError(None, f"{text!r} is not a web address (http:// or https:// and a "
                                "host): name the page the platform shows the content at")
    if _INVISIBLE.search(text) or any(c.isspace() for c in text):
        raise NoticeError(None, f"{text!r} holds spaces or invisible characters: copy the "
                                "address again from the browser")
    return text


def _safe_norm(url: object) -> str | None:
    if not isinstance(url, str) or not url.strip():
        return None
    try:
        return normalize_url(url)
    except ValueError:
        return None


def _evidence_by_url(case: Case, wanted: Mapping[str, str]) -> dict[str, list[str]]:
    """Normalized notice URL -> the items whose intake URL (any sighting) or parsed records name
    it, in number order."""
    found: dict[str, set[str]] = {n: set() for n in wanted}
    for it in case.items:
        urls = {it.facts.url, *(s.facts.url for s in it.sightings)}
        for u in urls:
            n = _safe_norm(u)
            if n in found:
                found[n].add(it.evidence_id)
    records = case.records(progress=False, record=False)
    if "url" in records.columns and len(records):
        for eid, u in records[["evidence_id", "url"]].dropna().itertuples(index=False):
            n = _safe_norm(u)
            if n in found and isinstance(eid, str):
                found[n].add(eid)
    return {n: sorted(ids) for n, ids in found.items()}


def _with_children(case: Case, ids: Iterable[str]) -> list[Item]:
    """The items ``ids`` and every item extracted from them (at any depth), in number order."""
    items = case.items
    chosen = set(ids)
    grew = True
    while grew:
        grew = False
        for it in items:
            if it.extracted_from in chosen and it.evidence_id not in chosen:
                chosen.add(it.evidence_id)
                grew = True
    return [it for it in items if it.evidence_id in chosen]


# --- thumbnails ----------------------------------------------------------------------------------

def _changed(case: Case, it: Item, found: str) -> IntegrityError:
    from forensics.integrity import VerificationReport
    from forensics.problems import ChangedItem

    return IntegrityError(VerificationReport(
        case=str(case.root), status="failed",
        problems=(ChangedItem(it.evidence_id, "sha256", it.digests.sha256, found),),
        items_checked=1, entries_checked=0, head=None, anchors_checked=0,
        checked_at=datetime.now(UTC),
        notes=(f"checked before making the notice's thumbnail of {it.stored_as}",)))


_NOT_IMAGE = Say("无（非图像）", "none (not an image)")
_NO_FRAME = Say("无（无法取得录屏画面）", "none (no frame could be taken)")
_NO_DRAW = Say("无（图像无法绘制）", "none (the image cannot be drawn)")


def _thumbnail(case: Case, it: Item) -> tuple[bytes | None, str, Say | None, str]:
    """(PNG, what it shows, why there is none) for one item, made from the stored original
    opened read-only and checked against its SHA-256 first."""
    import warnings

    from forensics.durable import open_readonly
    from forensics.frames import frames_for, is_recording

    path = case.root / it.stored_as
    if is_recording(it.name, None):
        # a stored copy that is gone or unreadable stops the notice (nothing written or logged);
        # only a recording that cannot be decoded gets "no frame"
        try:
            os.close(open_readonly(path))
        except OSError as exc:
            raise SourceError(path, f"evidence {it.evidence_id} ({it.name}): cannot be opened "
                                    f"read-only: {exc.strerror or exc}") from None
        try:
            frames = frames_for(case, it, limit=1, max_side=THUMB_SIDE)
        except SourceError as exc:
            return None, "", _NO_FRAME, exc.reason
        if not frames:
            return None, "", _NO_FRAME, "no video stream"
        return frames[0].png, f"{frames[0].seconds:.1f}", None, ""
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        fh = os.fdopen(open_readonly(path), "rb")
    except OSError as exc:
        raise SourceError(path, f"evidence {it.evidence_id} ({it.name}): cannot be opened "
                                f"read-only: {exc.strerror or exc}") from None
    with fh:
        found = hashlib.file_digest(fh, "sha256").hexdigest()
        if found != it.digests.sha256:
            raise _changed(case, it, found)
        fh.seek(0)
        try:
            # an image above Pillow's pixel limit is not drawn (Pillow would only warn below
            # twice the limit, then hold the whole bitmap to make a 240-pixel thumbnail)
            with warnings.catch_warnings():
                warnings.simplefilter("error", Image.DecompressionBombWarning)
                im = Image.open(fh)
            with im:
                im.draft("RGB", (THUMB_SIDE * 2, THUMB_SIDE * 2))
                small = ImageOps.exif_transpose(im)
                small.thumbnail((THUMB_SIDE, THUMB_SIDE))
                if small.mode not in ("RGB", "RGBA", "L", "LA"):
                    small = small.convert("RGBA" if "A" in small.getbands() else "RGB")
                buf = io.BytesIO()
                small.save(buf, "PNG")
        except UnidentifiedImageError:
            return None, "", _NOT_IMAGE, ""
        except Exception as exc:  # Pillow raises many kinds for a damaged or huge image
            return None, "", _NO_DRAW, f"{type(exc).__name__}: {exc}"
    return buf.getvalue(), "", None, ""


# --- the content -------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Row:
    """One row of the evidence table, every value from the item."""

    evidence_id: str
    name: str
    sha256: str
    captured_at: str
    png: bytes | None = field(repr=False)
    frame_at: str
    #: Why there is no thumbnail (our words) and the detail (a decoder's message).
    missing: Say | None = None
    detail: str = ""
    #: How the zone of the stated capture time is known (our words), None when none was stated.
    zone: Say | None = None

    @property
    def png_sha256(self) -> str:
        return hashlib.sha256(self.png).hexdigest() if self.png else ""


@dataclass(frozen=True, slots=True)
class _Title:
    text: Say


@dataclass(frozen=True, slots=True)
class _EvidenceTable:
    rows: tuple[_Row, ...]


def _captured_time(case: Case, it: Item) -> TimeValue | None:
    """The item's stated capture time read as the timeline reads it
    (:func:`forensics.timestamps.parse_time` in the case's zone, a relative form against the
    time the item was acquired), or None when none is stated or it cannot be read."""
    from forensics.timestamps import parse_time

    stated = it.facts.captured_at
    if not stated:
        return None
    try:
        return parse_time(stated, reference=it.acquired_at, zone=case.metadata.timezone,
                          source="intake:captured_at")
    except (ValueError, OverflowError):
        return None


def _zone_status(case: Case, it: Item) -> Say | None:
    """How the zone of the item's stated capture time is known (our words)."""
    from forensics.timestamps import Zone

    if not it.facts.captured_at:
        return None
    zone = case.metadata.timezone
    t = _captured_time(case, it)
    if t is None:
        return Say("（未能读作时间）", " (cannot be read as a time)")
    if t.zone == Zone.EXPLICIT:
        return Say("（含时区）", " (with its offset)")
    if t.zone == Zone.ASSUMED:
        name = t.zone_name or zone
        return Say(f"（未写时区，按 {name} 推定）", f" (no offset written; {name} assumed)")
    return Say("（时区未知）", " (zone unknown)")


def _capped(text: str, limit: int = MAX_CELL_CHARS) -> str:
    """``text`` cut to ``limit`` characters, saying how many were left out.

    >>> _capped("a" * 5, 3)
    'aaa…(+2)'
    """
    return text if len(text) <= limit else f"{text[:limit]}…(+{len(text) - limit})"


def _date_say(d: Date) -> Say:
    return Say(f"{d.year}年{d.month}月{d.day}日", d.isoformat())


def _content(platform: str, urls: Sequence[str], url_ids: Sequence[Sequence[str]],
             identity: Identity, measures: Sequence[str], rows: Sequence[_Row],
             publishers: Sequence[str], day: Date) -> tuple[object, ...]:
    """The notice as blocks: our words are :class:`Say` (Chinese and English), everything from
    the case or the identity file is ``str`` (drawn as data: invisible characters shown)."""
    h = identity.holder
    blocks: list[object] = [
        _Title(Say("侵权通知书", "Notice of infringement")),
        Para((Say("（依据《中华人民共和国民法典》第一千一百九十五条）",
                  "(under article 1195 of the Civil Code of the People's Republic of China)"),)),
        Para((Mark(Say("致：", "To: "), "bold"), platform)),
        Para((Say("权利人现依据《中华人民共和国民法典》第一千一百九十五条通知贵方：贵方网络服务中下"
                  "列网络地址所指向的信息"
                  "侵害权利人的民事权益。现提交构成侵权的初步证据及权利人的真实身份信息，请贵方及时"
                  "将本通知转送相关网络用户，"
                  "并及时采取下列必要措施。",
                  "Under article 1195 of the Civil Code of the People's Republic of China, the "
                  "right holder notifies you that the information at the addresses below, on "
                  "your network service, infringes the right holder's civil rights and interests. "
                  "The preliminary evidence of the infringement and the right holder's true "
                  "identity are given below. Please forward this notice to the network user "
                  "concerned promptly and take the necessary measures below promptly."),)),
        Heading(Say("一、权利人身份信息", "1. The right holder's identity")),
        Table((), tuple(r for r in (
            ((Say("姓名（名称）", "Name"),), (h.name,)),
            ((Say("证件类型", "Identity document"),), (h.id_type,)),
            ((Say("证件号码", "Document number"),), (Mark(h.id_number, "code"),)),
            ((Say("联系电话", "Telephone"),), (h.phone,)) if h.phone else None,
            ((Say("电子邮箱", "E-mail"),), (h.email,)) if h.email else None,
            ((Say("地址", "Address"),), (h.address,)),
        ) if r is not None), kind="kv"),
    ]
    a = identity.agent
    if a is not None:
        blocks += [
            Heading(Say("代理人", "Agent")),
            Table((), tuple(r for r in (
                ((Say("姓名（名称）", "Name"),), (a.name,)),
                ((Say("证件类型", "Identity document"),), (a.id_type,)),
                ((Say("证件号码", "Document number"),), (Mark(a.id_number, "code"),)),
                ((Say("联系电话", "Telephone"),), (a.phone,)) if a.phone else None,
                ((Say("电子邮箱", "E-mail"),), (a.email,)) if a.email else None,
                ((Say("地址", "Address"),), (a.address,)),
                ((Say("授权", "Authorisation"),), (a.authorization,)),
            ) if r is not None), kind="kv"),
        ]
    entries: list[Span] = []
    for url, ids in zip(urls, url_ids, strict=True):
        span: list[object] = [Mark(url, "code")]
        if ids:
            span += [Say("（初步证据：", " (preliminary evidence: "), "、".join(ids),
                     Say("）", ")")]
        entries.append(tuple(span))  # type: ignore[arg-type]
    blocks += [Heading(Say("二、涉嫌侵权信息的网络地址",
                           "2. The addresses of the infringing information")),
               Items(tuple(entries), ordered=True)]
    if publishers:
        blocks.append(Para((Say("据上述证据取证时所载，发布者为：",
                                "The publisher, as recorded when the evidence was captured: "),
                            "；".join(publishers))))
    blocks += [
        Heading(Say("三、构成侵权的初步证据", "3. Preliminary evidence of the infringement")),
        Para((Say("下列证据均为权利人保存的电子数据，编号为权利人证据目录中的编号。SHA-256 为各文件"
                  "的数字摘要，"
                  "可用于核验所提交的文件与权利人保存的原件一致；取证时间为取证时陈述的时间；缩略图"
                  "和录屏画面由原件生成，"
                  "原件未作任何改动。",
                  "The evidence below is electronic data kept by the right holder, numbered as in "
                  "the right holder's evidence list. The SHA-256 of each file is its digest, by "
                  "which a copy can be checked against the original kept; the capture time is "
                  "as stated at capture; thumbnails and frames are made from the originals, "
                  "which are unchanged."),)),
        _EvidenceTable(tuple(rows)),
        Heading(Say("四、请求采取的必要措施", "4. The necessary measures asked for")),
        Para((Say("请贵方对上述网络地址所指向的信息及时采取下列必要措施：",
                  "Please take the following necessary measures on the information at the "
                  "addresses above promptly:"),)),
        Items(tuple((Say(*MEASURES[m]),) for m in measures), ordered=True),
        Heading(Say("五、请求保存相关记录", "5. Records to preserve")),
        Para((Say("请贵方保存上述信息的发布者的注册信息（包括账号、注册时提供的手机号码或者其他联系"
                  "方式、实名认证信息）、"
                  "上述信息的发布、修改、删除记录，发布者的登录日志（包括 IP 地址及时间），以及上述"
                  "信息的浏览、转发、评论数据，"
                  "以备人民法院或者其他有权机关依法调取。",
                  "Please preserve the publisher's registration data (account, the telephone "
                  "number or other contact given at registration, real-name verification data), "
                  "the records of the information's publication, modification and deletion, the "
                  "publisher's login logs (with IP addresses and times), and the view, repost "
                  "and comment data of the information, for a people's court or another "
                  "competent authority to obtain as the law provides."),)),
        Heading(Say("六、法律依据", "6. Legal basis")),
    ]
    for number, zh_no, zh, en in ARTICLES:
        blocks.append(Para((Mark(Say(f"《中华人民共和国民法典》{zh_no}",
                                     f"Civil Code of the People's Republic of China, article "
                                     f"{number}, unofficial translation"), "bold"),)))
        blocks.append(Para((Say(zh, en),)))
    blocks += [
        Heading(Say("七、权利人声明", "7. The right holder's declaration")),
        Para((Say("权利人保证本通知所述内容及所附证据真实，并知悉因错误通知造成网络用户或者网络服务"
                  "提供者损害的，"
                  "应当依法承担侵权责任（《中华人民共和国民法典》第一千一百九十五条第三款）。",
                  "The right holder warrants that this notice and its evidence are true, and "
                  "knows that a wrongful notice causing damage to the network user or the network "
                  "service provider entails tort liability (Civil Code art. 1195, para. 3)."),)),
        Para((Say("权利人（签名或盖章）：", "Right holder (signature or seal): "), h.name,
              "　　________________")),
    ]
    if a is not None:
        blocks.append(Para((Say("代理人（签名）：", "Agent (signature): "), a.name,
                            "　　________________")))
    blocks.append(Para((Say("日期：", "Date: "), _date_say(day))))
    return tuple(blocks)


_NO_EVIDENCE = Say("（本通知未附本案证据。）",
                   "(No evidence of the case is attached to this notice.)")
_ROW_HEAD = (Say("证据编号", "No."), Say("名称", "Name"), Say("SHA-256", "SHA-256"),
             Say("取证时间（陈述）", "Captured (as stated)"),
             Say("缩略图 / 录屏画面", "Thumbnail / frame"))


def _row_cells(r: _Row) -> tuple[Span, ...]:
    captured: Span = ((r.captured_at, *((r.zone,) if r.zone else ())) if r.captured_at
                      else (Say("未陈述", "not stated"),))
    if r.png is None:
        pic: Span = (r.missing or _NOT_IMAGE, *((" (", r.detail, ")") if r.detail else ()))
    elif r.frame_at:
        pic = (Say(f"录屏第 {r.frame_at} 秒画面", f"frame at {r.frame_at} s"),)
    else:
        pic = ()
    return ((r.evidence_id,), (r.name,), (Mark(r.sha256, "hash"),), captured, pic)


# --- DOCX ----------------------------------------------------------------------------------------

def _docx_text(text: str) -> str:
    """Data text as the DOCX shows it: invisible and direction-changing characters (and those XML
    cannot hold) as visible ``⟦U+XXXX⟧`` markers, as in the appendix.

    >>> _docx_text("张三\\u202eabc\\x00")
    '张三⟦U+202E⟧abc⟦U+0000⟧'
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(f"⟦U+{ord(c):04X}⟧" if _INVISIBLE.match(c) or c in "\ufffe\uffff" else c
                   for c in text)


def _docx_span(par: Any, span: Sequence[object], lang: str, *, bold: bool = False,
               size: float | None = None) -> None:
    from docx.shared import Pt, RGBColor

    for piece in span:
        style = ""
        if isinstance(piece, Mark):
            style, piece = piece.style, piece.text
        text = say_text(piece, lang) if isinstance(piece, Say) else _docx_text(str(piece))
        run = par.add_run(text)
        if bold or style == "bold":
            run.bold = True
        if style in ("hash", "code"):
            run.font.name = "Courier New"
            run.font.size = Pt(8 if style == "hash" else 9)
        elif size is not None:
            run.font.size = Pt(size)
        if style == "missing":
            run.font.color.rgb = RGBColor(0xAA, 0, 0)


def _docx_blocks(doc: Any, blocks: Sequence[object], lang: str, pictures: bool) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    for b in blocks:
        if isinstance(b, _Title):
            p = doc.add_paragraph()
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _docx_span(p, (b.text,), lang, bold=True, size=16)
        elif isinstance(b, Heading):
            p = doc.add_paragraph()
            p.paragraph_format.space_before = Pt(8)
            p.paragraph_format.keep_with_next = True
            _docx_span(p, (b.text,), lang, bold=True, size=12)
        elif isinstance(b, Para):
            _docx_span(doc.add_paragraph(), b.content, lang)
        elif isinstance(b, Items):
            for i, e in enumerate(b.entries, 1):
                p = doc.add_paragraph()
                p.paragraph_format.left_indent = Mm(6)
                _docx_span(p, (f"{i}. " if b.ordered else "• ", *e), lang)
        elif isinstance(b, Table):
            t = doc.add_table(rows=0, cols=2)
            t.style = "Table Grid"
            for label, value in b.rows:
                cells = t.add_row().cells
                _docx_span(cells[0].paragraphs[0], label, lang, bold=True)
                _docx_span(cells[1].paragraphs[0], value, lang)
        elif isinstance(b, _EvidenceTable):
            t = doc.add_table(rows=1, cols=len(_ROW_HEAD))
            t.style = "Table Grid"
            for cell, head in zip(t.rows[0].cells, _ROW_HEAD, strict=True):
                _docx_span(cell.paragraphs[0], (head,), lang, bold=True, size=9)
            for r in b.rows:
                cells = t.add_row().cells
                for cell, span in zip(cells, _row_cells(r), strict=True):
                    _docx_span(cell.paragraphs[0], span, lang, size=9)
                if pictures and r.png is not None:
                    p = cells[-1].paragraphs[0]
                    p.insert_paragraph_before().add_run().add_picture(io.BytesIO(r.png),
                                                                      width=Mm(30))
            if not b.rows:
                _docx_span(doc.add_paragraph(), (Mark(_NO_EVIDENCE, "missing"),), lang)
        else:  # pragma: no cover - the content is made above
            raise TypeError(f"not a notice block: {type(b).__name__}")


def _fixed_zip(data: bytes, when: datetime) -> bytes:
    """The same package with every member dated ``when`` and stored the same way (python-docx
    dates members with the time of saving)."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            zi = zipfile.ZipInfo(info.filename, date_time=stamp)
            zi.compress_type = zipfile.ZIP_DEFLATED
            zi.create_system = 0
            zi.external_attr = 0
            dst.writestr(zi, src.read(info.filename))
    return out.getvalue()


def _docx_bytes(blocks: Sequence[object], day: Date) -> bytes:
    import docx
    from docx.oxml.ns import qn
    from docx.shared import Mm, Pt

    from forensics import __version__

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(20)
    normal = doc.styles["Normal"]
    normal.font.name = "Times New Roman"
    normal.font.size = Pt(10.5)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "宋体")
    _docx_blocks(doc, blocks, "zh", pictures=True)
    doc.add_page_break()
    p = doc.add_paragraph()
    _docx_span(p, (Say("英文译文（仅供参考，以中文文本为准）",
                       "English translation (for reference; the Chinese text prevails)"),),
               "both", bold=True, size=12)
    _docx_blocks(doc, blocks, "en", pictures=False)
    when = datetime.combine(day, Time(0, 0), tzinfo=UTC)
    cp = doc.core_properties
    cp.title, cp.subject = "侵权通知书 / Notice of infringement", "民法典第1195条"
    cp.author = cp.last_modified_by = ""
    cp.comments, cp.keywords, cp.category = f"forensics {__version__}", "", ""
    cp.created = cp.modified = when
    cp.last_printed = when
    cp.revision = 1
    buf = io.BytesIO()
    doc.save(buf)
    return _fixed_zip(buf.getvalue(), when)


# --- PDF -----------------------------------------------------------------------------------------

def _pdf_story(blocks: Sequence[object], lang: str, pictures: bool, w: Any, kit: Any
               ) -> list[Any]:
    from forensics.appendix_pdf import FRAME_W, _block, _Look

    Text = kit.Text
    story: list[Any] = []
    for b in blocks:
        if isinstance(b, _Title):
            story.append(Text(w.lines(w.segs((Mark(b.text, "bold"),), _Look(size=17)), FRAME_W),
                              space_after=4))
        elif isinstance(b, Heading):
            story.append(Text(w.lines(w.segs((Mark(b.text, "bold"),), _Look(size=11.5)),
                                      FRAME_W), space_before=8, space_after=3, keep_next=True))
        elif isinstance(b, Para):
            story.append(Text(w.lines(w.segs(b.content, _Look(size=9.5)), FRAME_W),
                              space_after=4))
        elif isinstance(b, Items):
            for i, e in enumerate(b.entries, 1):
                bullet = f"{i}. " if b.ordered else "• "
                story.append(Text(w.lines(w.segs((bullet, *e), _Look(size=9.5)), FRAME_W - 10),
                                  indent=10, space_after=2))
        elif isinstance(b, Table):
            story += _block(b, w, kit, FRAME_W)
        elif isinstance(b, _EvidenceTable):
            story += _pdf_evidence(b, lang, pictures, w, kit)
        else:  # pragma: no cover - the content is made above
            raise TypeError(f"not a notice block: {type(b).__name__}")
    return story


def _pdf_evidence(b: _EvidenceTable, lang: str, pictures: bool, w: Any, kit: Any) -> list[Any]:
    """The evidence table: a reportlab table whose cells are our laid-out text (invisible
    characters shown, right-to-left text in reading order) and the thumbnails."""
    from PIL import Image
    from reportlab.platypus import Spacer, TableStyle
    from reportlab.platypus import Table as RLTable

    from forensics.appendix_pdf import _HEAD_BG, _RULE, FRAME_W, _Look

    Text = kit.Text
    mm = 72 / 25.4
    widths = [16 * mm, 38 * mm, 44 * mm, 30 * mm]
    widths.append(FRAME_W - sum(widths))
    pad = 3.0

    def cell(span: Span, j: int, look: Any) -> list[Any]:
        return [Text(w.lines(w.segs(span, look), widths[j] - 2 * pad), space_after=0)]

    head_look = _Look(size=8, bold=True)
    data = [[cell((h,), j, head_look) for j, h in enumerate(_ROW_HEAD)]]
    for r in b.rows:
        cells = [cell(span, j, _Look(size=8)) for j, span in enumerate(_row_cells(r))]
        if pictures and r.png is not None:
            with Image.open(io.BytesIO(r.png)) as im:
                iw, ih = im.size
            scale = min((widths[-1] - 2 * pad) / iw, 35 * mm / ih)
            cells[-1] = [kit.Pic(r.png, iw * scale, ih * scale), *cells[-1]]
        data.append(cells)
    table = RLTable(data, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.4, _RULE), ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), _HEAD_BG), ("FONTNAME", (0, 0), (-1, -1), w.m.fonts.sans),
        *((side, (0, 0), (-1, -1), pad) for side in ("LEFTPADDING", "RIGHTPADDING",
                                                    "TOPPADDING", "BOTTOMPADDING")),
    ]))
    out: list[Any] = [table, Spacer(1, 4)]
    if not b.rows:
        out.append(Text(w.lines(w.segs((Mark(_NO_EVIDENCE, "missing"),), _Look(size=9.5)),
                                FRAME_W)))
    return out


def _data_texts(blocks: Sequence[object]) -> Iterable[str]:
    """Every piece of data text (``str``: from the case or the identity file) in ``blocks``."""
    def span(sp: Sequence[object]) -> Iterable[str]:
        for piece in sp:
            text = piece.text if isinstance(piece, Mark) else piece
            if isinstance(text, str):
                yield text

    for b in blocks:
        if isinstance(b, Para):
            yield from span(b.content)
        elif isinstance(b, Items):
            for e in b.entries:
                yield from span(e)
        elif isinstance(b, Table):
            for row in b.rows:
                for cell in row:
                    yield from span(cell)
        elif isinstance(b, _EvidenceTable):
            for r in b.rows:
                yield from (r.evidence_id, r.name, r.captured_at, r.detail)


def _glyph_note(blocks: Sequence[object], metrics: Any) -> Para | None:
    """A note naming the characters of the data that no embedded face has (drawn as
    ``⟦U+XXXX⟧`` markers: a 生僻字 in a name, an emoji), or None when every one is drawn."""
    lacking = sorted({c for t in _data_texts(blocks) for c in t
                      if c not in "\n\t" and not _INVISIBLE.match(c)
                      and metrics.glyph(c, False) is None})
    if not lacking:
        return None
    codes = "、".join(f"U+{ord(c):04X}" for c in lacking)
    return Para((Say(f"注：本 PDF 所用字体缺少下列字符，以“⟦U+码位⟧”（其 Unicode 码位）代替："
                     f"{codes}。DOCX 文件中为原字符。",
                     f"Note: the font of this PDF lacks these characters, drawn as "
                     f"\"⟦U+code point⟧\" (their Unicode code points): {codes}. The DOCX file "
                     "holds the characters themselves."),), "missing")


def _pdf_bytes(blocks: Sequence[object], day: Date) -> bytes:
    from reportlab.platypus import BaseDocTemplate, Frame, PageBreak, PageTemplate

    from forensics import __version__
    from forensics.appendix_pdf import (
        _DRAWING,
        _GREY,
        FRAME_H,
        FRAME_W,
        MARGIN_B,
        MARGIN_L,
        MARGIN_R,
        MARGIN_T,
        PAGE_H,
        PAGE_W,
        _flowables,
        _Look,
        _Metrics,
        _Writer,
        pdf_fonts,
    )

    fonts = pdf_fonts()
    total = 0
    data = b""
    with _DRAWING:
        metrics = _Metrics(fonts)
        note = _glyph_note(blocks, metrics)
        if note is not None:
            blocks = (*blocks, note)
        for _ in range(3):  # the second pass prints the page count the first found
            kit = _flowables(True, {})
            zh = _Writer("zh", metrics, {})
            en = _Writer("en", metrics, {})
            both = _Writer("both", metrics, {})
            story = _pdf_story(blocks, "zh", True, zh, kit)
            story += [PageBreak(), kit.Text(both.lines(both.segs(
                (Mark(Say("英文译文（仅供参考，以中文文本为准）",
                          "English translation (for reference; the Chinese text prevails)"),
                      "bold"),), _Look(size=12)), FRAME_W), space_after=6)]
            story += _pdf_story(blocks, "en", False, en, kit)
            shown = total

            def decorate(canv: Any, doc: Any, shown: int = shown) -> None:
                # the notice's date, not reportlab's invariant 2000-01-01 (a date only: the
                # day is all the notice states)
                canv.setDateFormatter(lambda *_: f"D:{day:%Y%m%d}")
                canv.saveState()
                canv.setFont(fonts.sans, 8)
                canv.setFillColorRGB(*_GREY)
                n = doc.page
                canv.drawCentredString(PAGE_W / 2, 9 * 72 / 25.4,
                                       f"第 {n} 页 共 {shown or n} 页 / page {n} of {shown or n}")
                canv.restoreState()

            buf = io.BytesIO()
            doc = BaseDocTemplate(
                buf, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_L, rightMargin=MARGIN_R,
                topMargin=MARGIN_T, bottomMargin=MARGIN_B, invariant=1,
                initialFontName=fonts.sans, title="侵权通知书 / Notice of infringement",
                author="", subject="民法典第1195条", creator=f"forensics {__version__}",
                producer=f"forensics {__version__} (reportlab)", lang="zh-CN")
            frame = Frame(MARGIN_L, MARGIN_B, FRAME_W, FRAME_H, leftPadding=0, rightPadding=0,
                          topPadding=0, bottomPadding=0, id="body")
            doc.addPageTemplates([PageTemplate("page", [frame], onPage=decorate)])
            doc.build(story)
            data = buf.getvalue()
            if doc.page == total:
                return data
            total = doc.page
    raise ForensicsError("the notice PDF's page count did not settle; please report this")


# --- writing -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NoticeReport:
    """What :func:`write_notice` wrote and logged.

    ``files`` maps each file name to its path, ``sha256`` to its digest; ``warnings`` name the
    URLs the case holds no evidence for (also in the logged entry); ``entry_seq`` is the custody
    entry that records it.
    """

    out: Path
    files: Mapping[str, Path]
    sha256: Mapping[str, str]
    platform: str
    urls: tuple[str, ...]
    measures: tuple[str, ...]
    evidence_ids: tuple[str, ...]
    date: str
    warnings: tuple[str, ...]
    forced: bool
    entry_seq: int
    #: True when ``out`` already held these very files, written and logged before (``entry_seq``
    #: is that entry): nothing was written or logged again.
    existing: bool = False

    @property
    def ok(self) -> bool:
        """True when every URL of the notice has evidence in the case."""
        return not self.warnings

    def to_json(self) -> dict[str, object]:
        return {"out": str(self.out), "files": {n: {"path": str(p), "sha256": self.sha256[n]}
                                                for n, p in sorted(self.files.items())},
                "platform": self.platform, "urls": list(self.urls),
                "measures": list(self.measures), "evidence_ids": list(self.evidence_ids),
                "date": self.date, "warnings": list(self.warnings), "forced": self.forced,
                "logged_as": self.entry_seq, "existing": self.existing}

    def __str__(self) -> str:
        lines = [f"{self.sha256[n]}  {p}" for n, p in sorted(self.files.items())]
        lines.append(f"notice to {self.platform} dated {self.date}: {len(self.urls)} URL(s), "
                     f"evidence {', '.join(self.evidence_ids) or 'none'}; measures "
                     f"{', '.join(self.measures)}; "
                     + (f"already written and logged as custody entry {self.entry_seq}: "
                        "nothing written again" if self.existing
                        else f"logged as custody entry {self.entry_seq}"))
        lines += [f"warning: {w}" for w in self.warnings]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        warn = "".join(f"<li style='color:#a00'>{escape(w)}</li>" for w in self.warnings)
        rows = "".join(f"<tr><td>{escape(n)}</td><td><code>{self.sha256[n]}</code></td></tr>"
                       for n in sorted(self.files))
        return (f"<div><b>通知书 / notice</b> → {escape(self.platform)} ({escape(self.date)}), "
                f"evidence {escape(', '.join(self.evidence_ids) or '—')}, custody entry "
                f"{self.entry_seq}<table>{rows}</table>{'<ul>' + warn + '</ul>' if warn else ''}"
                "</div>")


def _day(date: Date | str | None, zone: str) -> Date:
    if date is None:
        return datetime.now(ZoneInfo(zone)).date()
    if isinstance(date, datetime):
        raise NoticeError(None, "give the notice's date as a date (YYYY-MM-DD), not a time")
    if isinstance(date, Date):
        day = date
    else:
        try:
            day = Date.fromisoformat(str(date).strip())
        except ValueError:
            raise NoticeError(None, f"the date {date!r} is not a date in the form YYYY-MM-DD"
                              ) from None
    if not 1980 <= day.year <= 2107:  # what a DOCX (a ZIP package) can date its parts with
        raise NoticeError(None, f"the date {day.isoformat()} is not a date a notice can bear "
                                "(years 1980-2107)")
    return day


def _out_folder(case: Case, out: Path) -> Path:
    """``out`` checked before anything is made: a folder (or none yet), outside the case folder
    except under its ``reports/`` (as for the appendix: files among the evidence would be
    unexplained there)."""
    from forensics.case import REPORTS_DIR
    from forensics.store import STORE_DIR

    if out.exists() and not out.is_dir():
        raise NoticeError(out, "is a file, not a folder: name a folder for the notice (--out)")
    root = case.root.resolve()
    where = out.resolve()
    if where.is_relative_to((case.root / STORE_DIR).resolve()):
        raise NoticeError(out, "inside the case's evidence store: write the notice elsewhere")
    if (where == root or root in where.parents) and \
            where.relative_to(root).parts[:1] != (REPORTS_DIR,):
        raise NoticeError(out, f"inside the case folder {root}: write the notice outside it, or "
                               f"under {root / REPORTS_DIR}")
    return out


def _measures(measures: Iterable[str]) -> tuple[str, ...]:
    if isinstance(measures, str):
        measures = [measures]
    out = tuple(dict.fromkeys(m.strip().lower() for m in measures))
    if not out:
        raise NoticeError(None, f"ask for at least one measure: {', '.join(MEASURES)}")
    for m in out:
        if m not in MEASURES:
            raise NoticeError(None, f"unknown measure {m!r}; known: {', '.join(MEASURES)}")
    return out


def write_notice(case: Case, *, platform: str, urls: Sequence[str], identity: Path | str,
                 measures: Sequence[str] = ("delete",), out: Path | str,
                 evidence_ids: Sequence[str] | None = None, date: Date | str | None = None,
                 force: bool = False) -> NoticeReport:
    """Write the notice to ``platform`` (``notice.docx``, ``notice.pdf`` in ``out``) and log it.

    Parameters
    ----------
    case : Case
        The case whose items are the notice's evidence.
    platform : str
        Whom the notice is addressed to (微博, 抖音, ...).
    urls : sequence of str
        The addresses of the content (http or https); duplicates after
        :func:`normalize_url` are dropped.
    identity : path-like
        The right holder's identity file (:func:`read_identity`).
    measures : sequence of str
        Keys of :data:`MEASURES`: ``delete``, ``block``, ``disconnect``, ``preserve``.
    out : path-like
        Folder to write into (created if missing): outside the case, or under its ``reports/``.
        A ``notice.docx`` or ``notice.pdf`` already there is never replaced; the very same
        notice written and logged there before is reported (``existing``), not logged again.
    evidence_ids : sequence of str, optional
        The items to attach; by default those whose intake URL or parsed records name one of the
        URLs, with the items extracted from them.
    date : date or "YYYY-MM-DD", optional
        The notice's date; by default today in the case's zone.  The date is part of the
        document, so the same case, options and date give the same bytes.
    force : bool
        Write even when no URL has evidence in the case.

    Returns
    -------
    NoticeReport

    Raises
    ------
    NoticeError
        Bad options or identity file, no URL with evidence (without ``force``), ``out`` inside
        the case or holding another notice.
    IntegrityError
        A stored original no longer matches its SHA-256 (nothing is written).
    SourceError
        A stored original is missing or cannot be opened (nothing is written).
    """
    from forensics.custody import Action, EntryDraft
    from forensics.durable import atomic_write
    if not isinstance(platform, str) or not platform.strip():
        raise NoticeError(None, "name the platform the notice is addressed to (--platform)")
    platform = platform.strip()
    if isinstance(urls, str):
        urls = [urls]
    given = [_check_url(u) for u in urls]
    if not given:
        raise NoticeError(None, "name at least one URL of the content (--url)")
    wanted: dict[str, str] = {}
    for u in given:
        wanted.setdefault(normalize_url(u), u)
    chosen_measures = _measures(measures)
    ident = read_identity(identity)
    day = _day(date, case.metadata.timezone)
    out = _out_folder(case, Path(out))

    by_url = _evidence_by_url(case, wanted)
    bare = [url for n, url in wanted.items() if not by_url[n]]
    if len(bare) == len(wanted) and not force:
        raise NoticeError(None, "no URL of the notice has evidence in the case: "
                          + "; ".join(wanted.values()) + ". Bring the captures in first "
                          "(forensics add --url ...), or write it anyway with force")
    forced = bool(force and len(bare) == len(wanted))
    if evidence_ids is not None:
        items = [case.item(e) for e in dict.fromkeys(evidence_ids)]
        items.sort(key=lambda it: case.items.index(it))
    else:
        items = _with_children(case, {e for ids in by_url.values() for e in ids})
    attached = {it.evidence_id for it in items}
    url_ids = {n: [e for e in ids if e in attached] for n, ids in by_url.items()}
    warnings = tuple(
        f"{url}: the case holds no evidence for this address (no item's intake URL and no "
        "parsed record names it); a wrongful notice makes its sender liable (民法典 art. 1195 "
        "para. 3)" if not by_url[n] else
        f"{url}: the case's evidence for this address ({', '.join(by_url[n])}) is not attached "
        "to the notice (--evidence): the notice names it without its evidence"
        for n, url in wanted.items() if not url_ids[n])
    rows = []
    for it in items:
        png, frame_at, missing, detail = _thumbnail(case, it)
        rows.append(_Row(it.evidence_id, _capped(it.name), it.digests.sha256,
                         _capped(it.facts.captured_at or ""), png, frame_at, missing,
                         _capped(detail), _zone_status(case, it)))
    tz = ZoneInfo(case.metadata.timezone)
    today = datetime.now(tz).date()
    later = [it.evidence_id for it in items
             if (t := _captured_time(case, it)) is not None and t.earliest.astimezone(tz).date()
             > day]
    warnings += ((f"the notice is dated {day.isoformat()}, after today ({today.isoformat()} in "
                  f"{case.metadata.timezone}): check --date",) if day > today else ())
    warnings += ((f"the notice is dated {day.isoformat()}, before evidence {', '.join(later)} "
                  "was captured (as stated): check --date",) if later else ())
    publishers = tuple(dict.fromkeys(
        f"{it.facts.publisher}（{it.facts.publisher_id}）" if it.facts.publisher and
        it.facts.publisher_id else (it.facts.publisher or it.facts.publisher_id or "")
        for it in items if it.facts.publisher or it.facts.publisher_id))
    blocks = _content(platform, list(wanted.values()), [url_ids[n] for n in wanted], ident,
                      chosen_measures, rows, publishers, day)
    head = case.head
    payloads = {DOCX_NAME: _docx_bytes(blocks, day), PDF_NAME: _pdf_bytes(blocks, day)}
    digests = {name: hashlib.sha256(data).hexdigest() for name, data in payloads.items()}
    ids = tuple(it.evidence_id for it in items)
    there = [n for n in payloads if (out / n).exists()]
    if there:
        if len(there) < len(payloads) or any(
                not (out / n).is_file() or _file_sha256(out / n) != digests[n] for n in there):
            raise NoticeError(out, f"already holds {' and '.join(there)} of another notice; a "
                                   "notice once written may have been sent, so it is never "
                                   "replaced: write into a new folder")
        prior = [e for e in _notice_entries(case, "written")
                 if e.details.get("files") == digests
                 and e.details.get("out") == str(out.resolve())]
        if prior:  # the same notice, written and logged before: nothing to write or log
            return NoticeReport(out, {n: out / n for n in payloads}, digests, platform,
                                tuple(wanted.values()), chosen_measures, ids, day.isoformat(),
                                warnings, forced, prior[-1].seq, existing=True)
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, data in payloads.items():
            atomic_write(out / name, data)
    except OSError as exc:
        from forensics.errors import StorageError

        raise StorageError(out, exc.strerror or str(exc)) from None
    (entry,) = case.record([EntryDraft(Action.NOTICE, evidence=tuple(it.ref for it in items),
                                       details={
        "kind": "written",
        "what": f"platform notice (民法典 art. 1195) to {platform} written",
        "platform": platform, "urls": list(wanted.values()), "measures": list(chosen_measures),
        "evidence_ids": list(ids), "date": day.isoformat(),
        "out": str(out.resolve()), "files": digests,
        "thumbnails": {r.evidence_id: r.png_sha256 for r in rows if r.png},
        "identity_sha256": ident.sha256, "agent": ident.agent is not None,
        "warnings": list(warnings), "forced": forced,
        "made_from_head": {"seq": head.seq, "entry_sha256": head.entry_sha256} if head else None,
    })])
    return NoticeReport(out, {n: out / n for n in payloads}, digests, platform,
                        tuple(wanted.values()), chosen_measures, ids, day.isoformat(), warnings,
                        forced, entry.seq)


# --- sending and answers -------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class NoticeLogged:
    """What :func:`notice_sent` or :func:`notice_reply` logged: the entry, the notice it belongs
    to, the item brought in (a reply file, a notice changed after writing), the timeline rows."""

    kind: str
    entry_seq: int
    notice_seq: int | None
    at: str
    at_utc: str
    zone: str
    evidence_ids: tuple[str, ...]
    events: int
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {f.name: (list(v) if isinstance(v := getattr(self, f.name), tuple) else v)
                for f in fields(self)}

    def __str__(self) -> str:
        what = {"sent": _SENT[0], **{k: v[0] for k, v in REPLY_KINDS.items()}}[self.kind]
        brought = f"; brought in {', '.join(self.evidence_ids)}" if self.evidence_ids else ""
        lines = [f"{what} at {self.at_utc} (as given: {self.at!r}, zone {self.zone}); logged as "
                 f"custody entry {self.entry_seq}"
                 + (f" for the notice of entry {self.notice_seq}" if self.notice_seq else "")
                 + brought]
        return "\n".join([*lines, *(f"warning: {w}" for w in self.warnings)])


def _when(case: Case, at: str, source: str) -> TimeValue:
    from forensics.timestamps import parse_time

    if not isinstance(at, str) or not at.strip():
        raise NoticeError(None, "give the time (--at), e.g. '2026-11-25 10:00' (the case's zone "
                                "when it has no offset)")
    try:
        return parse_time(at, zone=case.metadata.timezone, source=source)
    except ValueError as exc:
        raise NoticeError(None, f"the time {at!r} cannot be read ({exc})") from None


def _utc(t: datetime) -> str:
    return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _earliest(entry: Entry) -> datetime | None:
    """The earliest time of a logged sending (its first timeline row), or None."""
    events = entry.details.get("events") or ()
    try:
        t = datetime.fromisoformat(str(events[0]["earliest"]))
    except (IndexError, KeyError, TypeError, ValueError):
        return None
    return t if t.tzinfo is not None else None


def _notice_entries(case: Case, kind: str) -> list[Entry]:
    from forensics.custody import Action

    return [e for e in case.log.iter_entries()
            if e.action == Action.NOTICE and e.details.get("kind") == kind]


def _rows(when: TimeValue, data_type: str, description: str, urls: Sequence[str],
          evidence_id: str, sha256: str, text: str, actor: str = "") -> list[dict[str, object]]:
    from forensics.records import Event, Origin

    origin = Origin(evidence_id, sha256, PARSER, PARSER_VERSION)
    return [Event(origin, data_type, description, when, actor=actor, text=text, url=u).to_row()
            for u in (urls or [""])]


def _file_sha256(path: Path) -> str:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except OSError as exc:
        raise NoticeError(path, f"cannot read: {exc.strerror or exc}") from None


def _bring_in(case: Case, path: Path, note: str) -> Item:
    from forensics.intake import IntakeFacts

    report = case.add([path], facts=IntakeFacts(category="message", note=note))
    if not report.added:
        reasons = "; ".join(s.reason for s in (*report.failed, *report.skipped))
        raise NoticeError(path, f"could not be brought into the case ({reasons})")
    return case.item(report.added[0].evidence_id)


def notice_sent(case: Case, notice: Path | str, *, channel: str, at: str,
                recipient: str = "") -> NoticeLogged:
    """Log that the notice was sent: when, how, to whom (a ``notice`` entry and timeline rows).

    ``notice`` is the folder :func:`write_notice` wrote (its ``notice.pdf`` and ``notice.docx``)
    or one file.  A file is matched by SHA-256 to the notice entry that wrote it; a file that
    matches none (signed, scanned or edited after writing) is brought into the case as an item
    of its own first, with a warning.  ``at`` is read by :func:`forensics.timestamps.parse_time`:
    without an offset it is in the case's zone, marked assumed.  One timeline row per URL of
    the notice, "Notice sent to platform (民法典第1195条)": from then on the platform knew.

    Raises :class:`~forensics.errors.NoticeError` for a missing file, an empty channel or a
    time that cannot be read (before anything is written).
    """
    from forensics.custody import Action, EntryDraft

    if not isinstance(channel, str) or not channel.strip():
        raise NoticeError(None, "say how the notice was sent (--channel): the platform's "
                                "complaint form, e-mail to ..., registered mail no. ...")
    when = _when(case, at, "notice:sent")
    path = Path(notice)
    if path.is_dir():
        files = [path / n for n in (PDF_NAME, DOCX_NAME) if (path / n).is_file()]
        if not files:
            raise NoticeError(path, f"holds neither {PDF_NAME} nor {DOCX_NAME}")
    elif path.is_file():
        files = [path]
    else:
        raise NoticeError(path, "no such file or folder")
    written: dict[str, Entry] = {}
    for e in _notice_entries(case, "written"):
        for sha in (e.details.get("files") or {}).values():
            written[str(sha)] = e
    digests = {p.name: _file_sha256(p) for p in files}
    matched = [written[s] for s in digests.values() if s in written]
    entry = matched[0] if matched else None
    warnings: list[str] = []
    brought: list[Item] = []
    for p in files:
        if digests[p.name] not in written:
            it = _bring_in(case, p, "platform notice as sent; not the file `forensics notice "
                                    "write` wrote")
            brought.append(it)
            warnings.append(f"{p}: not a notice written by `forensics notice write` in this case "
                            f"(signed or changed after writing?); brought in as {it.evidence_id}")
    urls = [str(u) for u in entry.details.get("urls") or ()] if entry is not None else []
    platform = str(entry.details.get("platform") or "") if entry is not None else ""
    dated = str(entry.details.get("date") or "") if entry is not None else ""
    local = when.latest.astimezone(ZoneInfo(case.metadata.timezone)).date()
    if dated and local.isoformat() < dated:
        warnings.append(f"sent at {at!r} ({local.isoformat()} in {case.metadata.timezone}), "
                        f"before the notice is dated {dated}: check --at or the notice's date")
    if brought:
        origin_id, origin_sha = brought[0].evidence_id, brought[0].digests.sha256
    else:
        origin_id, origin_sha = "", digests.get(PDF_NAME) or next(iter(digests.values()))
    text = "; ".join(x for x in (channel.strip(), recipient.strip()) if x)
    events = _rows(when, "notice:sent", _SENT[0], urls, origin_id, origin_sha, text,
                   actor=platform)
    refs = {r.evidence_id: r for r in (entry.evidence if entry is not None else ())}
    refs.update({it.evidence_id: it.ref for it in brought})
    (logged,) = case.record([EntryDraft(Action.NOTICE, evidence=tuple(refs.values()), details={
        "kind": "sent", "what": _SENT[0], "channel": channel.strip(),
        "recipient": recipient.strip(), "at": at, "platform": platform, "urls": urls,
        "notice_seq": entry.seq if entry is not None else None, "files": digests,
        "brought_in": [it.evidence_id for it in brought], "warnings": warnings,
        "events": events,
    })])
    return NoticeLogged("sent", logged.seq, entry.seq if entry is not None else None, at,
                        str(events[0]["earliest"]), when.zone.value,
                        tuple(it.evidence_id for it in brought), len(events), tuple(warnings))


def notice_reply(case: Case, *, at: str, text: str = "", file: Path | str | None = None,
                 kind: str = "reply") -> NoticeLogged:
    """Log the platform's answer to the latest notice sent: a reply, a counter-notice (民法典
    art. 1196) or the measures it took.

    A reply file (the e-mail, a screenshot) is brought into the case as an item first
    (:meth:`~forensics.case.Case.add`) and named by the entry and the timeline rows; ``text``
    is what it says, in brief.  One timeline row per URL of the notice ("Platform replied",
    "Counter-notice received", "Platform took measures").

    Raises :class:`~forensics.errors.NoticeError` when no notice was logged as sent, the kind
    is unknown, neither ``text`` nor ``file`` is given, or the time cannot be read.
    """
    from forensics.custody import Action, EntryDraft

    if kind not in REPLY_KINDS:
        raise NoticeError(None, f"unknown kind {kind!r}; known: {', '.join(REPLY_KINDS)}")
    text = (text or "").strip()
    if not text and file is None:
        raise NoticeError(None, "say what the platform answered: a text, a file, or both")
    when = _when(case, at, f"notice:{kind}")
    sent = _notice_entries(case, "sent")
    if not sent:
        raise NoticeError(None, "no notice was logged as sent in this case; log the sending "
                                "first (forensics notice sent CASE NOTICE --channel ... --at ...)")
    last = sent[-1]
    warnings: list[str] = []
    sent_at = _earliest(last)
    if sent_at is not None and when.latest < sent_at:
        warnings.append(f"the answer at {at!r} ({_utc(when.latest)}) is before the notice was "
                        f"sent ({_utc(sent_at)}, custody entry {last.seq}): check --at")
    item = None
    if file is not None:
        path = Path(file)
        if not path.is_file():
            raise NoticeError(path, "no such file")
        item = _bring_in(case, path, f"platform {kind} to the notice sent (custody entry "
                                     f"{last.seq})")
    urls = [str(u) for u in last.details.get("urls") or ()]
    platform = str(last.details.get("platform") or "")
    files = last.details.get("files") or {}
    sha = (item.digests.sha256 if item is not None
           else str(files.get(PDF_NAME) or next(iter(files.values()), "")))
    description = REPLY_KINDS[kind][0]
    events = _rows(when, f"notice:{kind}", description, urls,
                   item.evidence_id if item is not None else "", sha, text, actor=platform)
    refs = (item.ref,) if item is not None else ()
    (logged,) = case.record([EntryDraft(Action.NOTICE, evidence=refs, details={
        "kind": kind, "what": description, "at": at, "text": text, "platform": platform,
        "urls": urls, "sent_seq": last.seq, "notice_seq": last.details.get("notice_seq"),
        "file": item.evidence_id if item is not None else None, "warnings": warnings,
        "events": events,
    })])
    notice_seq = last.details.get("notice_seq")
    return NoticeLogged(kind, logged.seq, notice_seq if isinstance(notice_seq, int) else None,
                        at, str(events[0]["earliest"]), when.zone.value,
                        (item.evidence_id,) if item is not None else (), len(events),
                        tuple(warnings))
