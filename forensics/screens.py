"""Which of the four things a court needs each screenshot and recording shows, read from its
pixels: the content, the publisher, the publish time and the page address.

The standard advice to a defamation victim is to capture the post so that the capture shows the
defamatory content, who published it, when, and the URL.  :func:`check_screens` reads every
capture of a case by OCR (:mod:`forensics.ocr`; the readings are kept as derived data and logged)
and calls each of the four ``shown``, ``not shown`` or ``unsure`` (:class:`Call`), with the text
that shows it and, for a recording, the first sampled frame at which it appears.

What is looked for, per capture:

* **content**: the key phrases the expert gives (``--phrases FILE``: the defamatory statements,
  one per line).  Compared without spaces and punctuation, across line breaks; a phrase found
  whole is ``shown``; a near match (:data:`NEAR` or more of the phrase, by RapidFuzz's partial
  ratio: an OCR slip, a phrase cut by the crop, an edited word) is ``unsure``.  With no phrases
  the content cannot be recognised: ``unsure``.
* **publisher**: the item's intake facts ``publisher`` and ``publisher_id`` (a name written
  ``老赵 (wxid_zhaomou88)`` is looked for as both), found on a line of the page: ``shown``; found
  only inside an address, on a line read with a low score, or nearly (:data:`NEAR_NAME`, or
  one character misread in a name of :data:`SLIP_NAME` or more): ``unsure``.  Without those
  facts, an ``@handle`` or the name-like line just above a displayed time is a candidate:
  ``unsure``.
* **publish time**: every displayed time on the page is read by the package's displayed-time
  reader (:func:`forensics.timestamps.parse_displayed`) against the capture time (plus the
  frame's offset in a recording), after a tolerant pass for what OCR does to times
  (``2026-11-2014:02`` is ``2026-11-20 14:02``).  ``shown`` when one equals the item's
  ``displayed_time`` fact as written or as a time (the two intervals overlap); ``unsure`` when the
  time next to the publisher's name (on its row, or just below it) differs from it, or when
  there is no fact and only that candidate; ``not shown`` when no time on the page is the
  publish time (comment times do not count).  The clock of the phone's status bar (a bare
  ``HH:MM`` at the very top) is never a publish time: it is compared with the capture time
  instead, and a status-bar time that disagrees by more than :data:`CLOCK_SLACK` is a warning
  (an edited screenshot, or a capture time that is wrong).
* **URL**: any address-like text (a scheme, or a host under a known top-level domain followed by
  a path).  ``shown`` when it is the item's ``url`` fact (compared as
  :func:`forensics.notice.normalize_url` does) or, without the fact, when any address is shown;
  ``unsure`` when another address, or a near reading of the recorded one (:data:`NEAR_URL`:
  ``weibo.c0m/...`` is no address but is a slip of OCR), is shown; ``not shown`` otherwise.
  An app page title (``微博正文``) is named in the text but is not an address.

A capture whose text is too small to read reliably (median line height under
:data:`MIN_TEXT_HEIGHT` pixels, a thumbnail) never gets ``not shown``: ``unsure`` instead.  So
does a capture that could not be decoded.

Counts shown (``转发 1843``, ``赞 1.2万``, ``阅读 10万+``; a whole bar read as one line,
``转发 1843 评论 611 赞 1.2万``, pairs each number with one word) are read with their precision and
feed the spread analysis as counts *as displayed* at the capture time (:func:`screen_counts`).

Examples
--------
>>> from forensics.ocr import OcrFrame, OcrLine
>>> frame = OcrFrame(540, 1170, (
...     OcrLine("09:15", 0.99, (25, 11, 84, 34)),
...     OcrLine("weibo.com/7301122334/5091873346521078", 0.99, (54, 59, 441, 82)),
...     OcrLine("城南吃瓜君", 1.0, (112, 189, 242, 218)),
...     OcrLine("昨天14:02来自iPhone15Pro", 0.99, (111, 226, 370, 248)),
...     OcrLine("暖阳烘焙老板用过期面粉", 0.99, (29, 278, 493, 306)),
...     OcrLine("转发1843", 1.0, (39, 723, 141, 748))))
>>> look = LookFor(phrases=("老板用过期面粉",), publisher=("城南吃瓜君",),
...                displayed_time="昨天 14:02",
...                url="https://weibo.com/7301122334/5091873346521078")
>>> from datetime import datetime, timezone, timedelta
>>> cap = datetime(2026, 11, 21, 9, 15, 40, tzinfo=timezone(timedelta(hours=8)))
>>> got = check_frames((frame,), look, captured_at=cap)
>>> [got[k].call.value for k in ASPECTS]
['shown', 'shown', 'shown', 'shown']
>>> got["publish_time"].texts
('昨天14:02来自iPhone15Pro',)
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from forensics.errors import OcrError
from forensics.ocr import OcrFrame, OcrLine, OcrReading, _visible

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case, Item
    from forensics.spread import DisplayedCount
    from forensics.timestamps import TimeValue

__all__ = [
    "ASPECTS",
    "CLOCK_SLACK",
    "MIN_TEXT_HEIGHT",
    "NEAR",
    "NEAR_NAME",
    "NEAR_URL",
    "SLIP_NAME",
    "Call",
    "Element",
    "LookFor",
    "PhraseHit",
    "ScreenCheck",
    "ScreenReport",
    "ShownCount",
    "ShownTime",
    "check_frames",
    "check_screens",
    "read_phrases",
    "screen_counts",
]

#: The four things a capture must show, in the order of the JSON keys and the table columns.
ASPECTS = ("content", "publisher", "publish_time", "url")
#: A key phrase matched this well (RapidFuzz partial ratio, 0-100) but not whole: ``unsure``.
NEAR = 80.0
#: An address (or a line) this close to the recorded URL (RapidFuzz ratio) but not equal to it:
#: ``unsure``.
NEAR_URL = 90.0
#: A publisher name or id matched this well on one line but not exactly: ``unsure``.
NEAR_NAME = 85.0
#: Names of this many characters or more are also ``unsure`` with one character misread
#: (``城南吃爪君`` for ``城南吃瓜君``).
SLIP_NAME = 4
#: The status-bar clock (minute precision) may differ from the capture time by this much.
CLOCK_SLACK = timedelta(minutes=2)
#: Median height (pixels of the capture) of the lines read, under which the text is too small
#: for ``not shown`` to be trusted.
MIN_TEXT_HEIGHT = 11
#: A line read with a score under this only makes a call ``unsure``.
MIN_LINE_SCORE = 0.75
#: The status bar is the top band of this fraction of the capture's height.
STATUS_BAND = 0.05
#: App page titles that name the page without its address (named in the URL's text).
APP_PAGES = ("微博正文", "微博详情", "评论详情", "视频详情", "笔记详情", "图文详情", "动态详情",
             "帖子详情", "全文", "详情", "公众号", "朋友圈", "抖音", "小红书", "知乎", "今日头条")
#: Top-level domains that make a bare ``host/path`` an address (with a scheme any host is).
TLDS = frozenset((
    "com", "cn", "net", "org", "gov", "edu", "info", "biz", "io", "me", "tv", "cc", "co", "top",
    "xyz", "site", "online", "vip", "club", "shop", "app", "dev", "hk", "tw", "mo", "jp", "kr",
    "sg", "uk", "de", "fr", "ru", "us", "ca", "au", "in", "wang", "ink", "link", "live", "news"))
#: Words of displayed counts -> what they count (the spread analysis's vocabulary).
COUNT_WORDS: Mapping[str, str] = {
    **dict.fromkeys(("转发", "转载", "分享", "转推", "reposts", "repost", "retweets", "shares",
                     "share", "forwards"), "reposts"),
    **dict.fromkeys(("评论", "回复", "comments", "comment", "replies"), "comments"),
    **dict.fromkeys(("赞", "点赞", "喜欢", "likes", "like"), "likes"),
    **dict.fromkeys(("阅读", "浏览", "播放", "观看", "围观", "views", "view", "reads", "plays"),
                    "views"),
}


class Call(StrEnum):
    """What a capture shows of one aspect."""

    SHOWN = "shown"
    NOT_SHOWN = "not shown"
    UNSURE = "unsure"


# -- records -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Element:
    """The call for one aspect: the texts that show it (or the near misses, for ``unsure``),
    the first frame (seconds into a recording) at which it appears, and why."""

    call: Call
    texts: tuple[str, ...] = ()
    at: float | None = None
    why: str = ""

    def to_json(self) -> dict[str, object]:
        return {"call": self.call.value, "texts": list(self.texts), "at": self.at,
                "why": self.why}


@dataclass(frozen=True, slots=True)
class PhraseHit:
    """One key phrase in one capture: its call, the text read (the lines it spans) and the
    match score (100 = found whole)."""

    phrase: str
    call: Call
    text: str = ""
    score: float = 0.0
    at: float | None = None


@dataclass(frozen=True, slots=True)
class ShownTime:
    """A time displayed on a capture: as read, where (``status bar`` or ``page``), its value
    read against the capture time (None when it cannot be read) and the frame."""

    text: str
    place: str
    value: TimeValue | None
    at: float | None = None
    line: str = ""

    def to_json(self) -> dict[str, object]:
        v = self.value.to_json() if self.value is not None else None
        return {"text": self.text, "place": self.place, "line": self.line, "at": self.at,
                "value": v}


@dataclass(frozen=True, slots=True)
class ShownCount:
    """A count displayed on a capture (``转发 1843``, ``赞 1.2万``, ``阅读 10万+``).

    ``value`` is the number shown; ``kind`` ``exact``, ``approximate`` (rounded or cut to the
    unit of its last digit, ``step``: the true count lies in [value - step/2, value + step)) or
    ``at least`` (``10万+``: no upper bound)."""

    what: str
    value: int
    kind: str
    step: int
    shown: str
    at: float | None = None

    @property
    def low(self) -> int:
        return self.value - self.step // 2 if self.kind == "approximate" else self.value

    @property
    def high(self) -> int | None:
        if self.kind == "at least":
            return None
        return self.value + self.step - 1 if self.kind == "approximate" else self.value

    def to_json(self) -> dict[str, object]:
        return {"what": self.what, "value": self.value, "kind": self.kind, "step": self.step,
                "low": self.low, "high": self.high, "shown": self.shown, "at": self.at}


@dataclass(frozen=True, slots=True)
class LookFor:
    """What to look for in a capture: key phrases, publisher names or ids, the publish time as
    recorded, and the address (from the item's intake facts and the expert's phrases)."""

    phrases: tuple[str, ...] = ()
    publisher: tuple[str, ...] = ()
    displayed_time: str = ""
    url: str = ""
    zone: str = "Asia/Shanghai"


@dataclass(frozen=True, slots=True)
class ScreenCheck:
    """The completeness of one capture.  ``content``, ``publisher``, ``publish_time`` and
    ``url`` are :class:`Element` calls; the rest is what was read on the way."""

    evidence_id: str
    name: str
    sha256: str
    kind: str
    captured_at: str | None
    content: Element
    publisher: Element
    publish_time: Element
    url: Element
    phrases: tuple[PhraseHit, ...] = ()
    times: tuple[ShownTime, ...] = ()
    counts: tuple[ShownCount, ...] = ()
    status_bar: str = ""
    status_bar_check: str = ""
    frames: int = 0
    warnings: tuple[str, ...] = ()
    error: str = ""
    ocr_sha256: str = ""

    @property
    def complete(self) -> bool:
        """All four shown."""
        return all(getattr(self, a).call == Call.SHOWN for a in ASPECTS)

    @property
    def problems(self) -> tuple[str, ...]:
        """What an expert must look at: aspects not shown or unsure, a status-bar clock that
        disagrees, an unreadable capture."""
        out = [f"{a.replace('_', ' ')} {getattr(self, a).call.value}" for a in ASPECTS
               if getattr(self, a).call != Call.SHOWN]
        if self.status_bar_check.startswith("differs"):
            out.append(f"status-bar time {self.status_bar} {self.status_bar_check}")
        if self.error:
            out.append(f"cannot be read: {self.error}")
        return tuple(out)

    def to_json(self) -> dict[str, object]:
        """The ``forensics screens --json`` object: ``evidence_id``; ``content``,
        ``publisher``, ``publish_time``, ``url`` each exactly ``shown``, ``not shown`` or
        ``unsure``; ``texts`` (per aspect, the text found), ``first_seen`` (per aspect, seconds
        into a recording), ``why``; then phrases, times, counts and the status bar."""
        d: dict[str, object] = {"evidence_id": self.evidence_id}
        d.update({a: getattr(self, a).call.value for a in ASPECTS})
        d["texts"] = {a: list(getattr(self, a).texts) for a in ASPECTS}
        d["first_seen"] = {a: getattr(self, a).at for a in ASPECTS}
        d["why"] = {a: getattr(self, a).why for a in ASPECTS}
        d.update({"name": self.name, "sha256": self.sha256, "kind": self.kind,
                  "captured_at": self.captured_at, "frames": self.frames,
                  "complete": self.complete,
                  "phrases": [{"phrase": h.phrase, "call": h.call.value, "text": h.text,
                               "score": h.score, "at": h.at} for h in self.phrases],
                  "times": [t.to_json() for t in self.times],
                  "counts": [c.to_json() for c in self.counts],
                  "status_bar": self.status_bar, "status_bar_check": self.status_bar_check,
                  "warnings": list(self.warnings), "error": self.error,
                  "ocr_sha256": self.ocr_sha256})
        return d


# -- text helpers --------------------------------------------------------------------------------


def _key(text: str) -> str:
    """Text for comparison: NFKC, lower case, without spaces, punctuation and symbols."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def _keyed_lines(lines: Sequence[OcrLine]) -> tuple[str, list[int]]:
    """The lines' keys joined, and the start offset of each line in the joined text."""
    starts, parts, pos = [], [], 0
    for ln in lines:
        k = _key(ln.text)
        starts.append(pos)
        parts.append(k)
        pos += len(k)
    return "".join(parts), starts


def _lines_at(lines: Sequence[OcrLine], starts: list[int], lo: int, hi: int) -> list[OcrLine]:
    out = []
    for i, ln in enumerate(lines):
        end = starts[i + 1] if i + 1 < len(starts) else 1 << 62
        if starts[i] < hi and end > lo:
            out.append(ln)
    return out


def read_phrases(path: Path | str) -> tuple[str, ...]:
    """Key phrases from a UTF-8 text file: one per line; blank lines and lines starting with
    ``#`` are skipped.

    Raises
    ------
    OcrError
        The file cannot be read, is not UTF-8, or holds no phrase (naming the file).
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise OcrError(path, f"the key-phrase file cannot be read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise OcrError(path, f"the key-phrase file is not UTF-8 (byte {exc.start}); save it as "
                             f"UTF-8, one phrase per line") from None
    phrases = []
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if not _key(line):
            raise OcrError(path, f"line {n} ({line!r}) has no letters or digits to look for")
        phrases.append(line)
    if not phrases:
        raise OcrError(path, "the key-phrase file holds no phrase (one per line; # starts a "
                             "comment)")
    return tuple(dict.fromkeys(phrases))


# -- times ---------------------------------------------------------------------------------------

#: OCR drops the space between a date and its time: ``2026-11-2014:02`` -> ``2026-11-20 14:02``.
_GLUED = re.compile(r"(?<!\d)((?:\d{4}[-/.])?\d{1,2}[-/.])(\d{2})(\d{1,2}:\d{2})")
_CANDIDATES = re.compile(
    r"(?:\d{4}\s?[-/.年]\s?\d{1,2}\s?[-/.月]\s?\d{1,2}\s?[日号]?(?:\s?\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)?)"
    r"|(?:\d{1,2}\s?[-/月]\s?\d{1,2}\s?[日号]?\s?\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)"
    r"|(?:\d{1,2}月\d{1,2}日)"
    r"|(?:(?:今天|昨天|前天|今日|昨日)\s?(?:(?:上午|下午|晚上|凌晨|中午|早上)\s?)?\d{1,2}[:：]\d{2})"
    r"|(?:\d{1,3}\s?(?:秒|分钟|小时|天)前)"
    r"|(?:刚刚)"
    r"|(?:(?:(?:上午|下午|晚上|凌晨|中午|早上)\s?)?\d{1,2}[:：]\d{2}(?:[:：]\d{2})?)")


def _times_in(text: str) -> list[str]:
    fixed = _GLUED.sub(r"\1\2 \3", unicodedata.normalize("NFKC", text))
    out = []
    for m in _CANDIDATES.finditer(fixed):
        s = m.group(0).strip()
        # a clock glued to digits around it is part of a number, not a time
        if m.start() > 0 and fixed[m.start() - 1].isdigit():
            continue
        if m.end() < len(fixed) and fixed[m.end()].isdigit():
            continue
        out.append(s)
    return out


def _read_time(text: str, reference: datetime | None, zone: str) -> TimeValue | None:
    from forensics.timestamps import needs_reference, parse_displayed

    try:
        if reference is None and needs_reference(text):
            return None
        return parse_displayed(text, reference=reference, zone=zone, source="screen:ocr")
    except (ValueError, OverflowError, TypeError):
        return None


def _overlap(a: TimeValue, b: TimeValue) -> bool:
    if a.earliest is None or b.earliest is None:
        return False
    a_hi = a.latest or a.earliest
    b_hi = b.latest or b.earliest
    # minute-precision values: a point stands for its whole minute
    return a.earliest <= b_hi + timedelta(seconds=59) and b.earliest <= a_hi + timedelta(seconds=59)


_BARE_CLOCK = re.compile(r"\d{1,2}[:：]\d{2}")


def _status_clock(frame: OcrFrame) -> OcrLine | None:
    band = max(24, frame.height * STATUS_BAND)
    for ln in frame.lines:
        if ln.box[3] <= band and _BARE_CLOCK.fullmatch(_strip(ln.text)):
            return ln
    return None


def _strip(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "")


# -- addresses -----------------------------------------------------------------------------------

_ADDRESS = re.compile(
    r"(?:(?P<scheme>https?)://)?(?P<host>(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+"
    r"(?P<tld>[a-z]{2,24}))(?::\d{2,5})?(?P<path>/[^\s\"'<>]*)?", re.IGNORECASE)


def _addresses(text: str) -> list[str]:
    flat = unicodedata.normalize("NFKC", text).replace(" ", "")
    out = []
    for m in _ADDRESS.finditer(flat):
        before = flat[m.start() - 1] if m.start() > 0 else ""
        if before and ((before.isascii() and before.isalnum()) or before in "@."):
            continue  # part of an e-mail address or a longer word (not after Chinese text:
            # the spaces between them were taken out)
        tld = m["tld"].lower()
        if m["scheme"] or (tld in TLDS and (m["path"] or m["host"].lower().startswith("www."))):
            out.append(m.group(0))
    return out


def _url_forms(address: str) -> tuple[str, ...]:
    """``address`` as read, and without what a sentence glued to it (``...078，请查看``,
    ``...078.``): cut at the first character outside printable ASCII, and without trailing
    punctuation.  An address may hold other characters (``/wiki/诽谤``), so all are tried.

    >>> _url_forms("weibo.com/1/2(已截图)")
    ('weibo.com/1/2(已截图)', 'weibo.com/1/2')
    """
    cut = re.match(r"[!-~]*", address)[0]  # type: ignore[index]
    forms = [address, cut.rstrip(".,;:!?)]}>'\"(")]
    return tuple(f for f in dict.fromkeys(forms) if f)


def _norm_url(url: str) -> str:
    from forensics.notice import normalize_url

    if "://" not in url:
        url = "https://" + url
    try:
        return normalize_url(url)
    except (ValueError, UnicodeError):
        return url.lower()


def _host(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return (urlsplit(_norm_url(url)).hostname or "").lower()
    except ValueError:
        return ""


# -- counts --------------------------------------------------------------------------------------

_WORDS = "|".join(sorted((re.escape(w) for w in COUNT_WORDS), key=len, reverse=True))
_NUM = r"(\d[\d,]*(?:\.\d+)?\s?(?:万|亿|千|[kKwWmM])?\+?)"
_COUNT_AFTER = re.compile(rf"(?<![a-z])({_WORDS})\s?[:：]?\s?{_NUM}", re.IGNORECASE)
_COUNT_BEFORE = re.compile(rf"{_NUM}\s?(?:次|人|条)?\s?({_WORDS})(?![a-z])", re.IGNORECASE)


def _step(shown: str, kind: str) -> int:
    if kind != "approximate":
        return 1
    m = re.search(r"(\d+)(?:\.(\d+))?\s?(万|亿|千|[kKwWmM])", shown)
    if not m:
        return 1
    unit = {"万": 10_000, "w": 10_000, "亿": 100_000_000, "千": 1_000, "k": 1_000,
            "m": 1_000_000}[m[3].lower() if m[3].isascii() else m[3]]
    return max(1, unit // 10 ** len(m[2] or ""))


def _counts_in(text: str, at: float | None) -> list[ShownCount]:
    from forensics.parsers.reposts import parse_displayed_count

    flat = unicodedata.normalize("NFKC", text)
    out = []
    after = [(m.start(), m.end(), m[1], m[2]) for m in _COUNT_AFTER.finditer(flat)]
    before = [(m.start(), m.end(), m[2], m[1]) for m in _COUNT_BEFORE.finditer(flat)]
    # One line may hold the whole bar ("转发 1843 评论 611 赞 1.2万"): each number belongs to one
    # word, on the side this line writes them (the side that pairs more of them, or whose first
    # pair starts first); a pair of the other side is kept only where it shares nothing.
    if len(before) > len(after) or (before and len(before) == len(after)
                                     and before[0][0] < after[0][0]):
        first, second = before, after
    else:
        first, second = after, before
    found = list(first)
    found += [m for m in second if all(m[1] <= f[0] or m[0] >= f[1] for f in first)]
    for _, _, word, num in sorted(found):
        try:
            got = parse_displayed_count(num.replace(" ", ""))
        except ValueError:
            continue
        if got is None:
            continue
        value, kind = got
        what = COUNT_WORDS[word.lower()]
        out.append(ShownCount(what, value, kind, _step(num, kind), f"{word} {num}".strip(), at))
    return out


# -- the calls -----------------------------------------------------------------------------------


def _small(frames: Sequence[OcrFrame]) -> bool:
    heights = sorted(ln.height for f in frames for ln in f.lines)
    return bool(heights) and heights[len(heights) // 2] < MIN_TEXT_HEIGHT


def _phrase_hits(frame: OcrFrame, phrases: Sequence[str]) -> list[PhraseHit]:
    from rapidfuzz import fuzz

    lines = list(frame.lines)
    joined, starts = _keyed_lines(lines)
    out = []
    for ph in phrases:
        k = _key(ph)
        if not k:
            continue
        pos = joined.find(k)
        if pos >= 0:
            span = _lines_at(lines, starts, pos, pos + len(k))
            weak = any(ln.score < MIN_LINE_SCORE for ln in span)
            out.append(PhraseHit(ph, Call.UNSURE if weak else Call.SHOWN,
                                 " / ".join(ln.text for ln in span), 100.0, frame.at))
            continue
        if not joined:
            out.append(PhraseHit(ph, Call.NOT_SHOWN, "", 0.0, frame.at))
            continue
        al = fuzz.partial_ratio_alignment(k, joined)
        if al is not None and al.score >= NEAR:
            span = _lines_at(lines, starts, al.dest_start, al.dest_end)
            out.append(PhraseHit(ph, Call.UNSURE, " / ".join(ln.text for ln in span),
                                 round(al.score, 1), frame.at))
        else:
            out.append(PhraseHit(ph, Call.NOT_SHOWN, "", round(al.score, 1) if al else 0.0,
                                 frame.at))
    return out


def _publisher_targets(look: LookFor) -> list[str]:
    out = []
    for t in look.publisher:
        t = t.strip()
        if not t:
            continue
        out.append(t)
        m = re.fullmatch(r"(.+?)\s*[(（](.+?)[)）]", t)
        if m:
            out.extend((m[1].strip(), m[2].strip()))
    return [t for t in dict.fromkeys(out) if len(_key(t)) >= 2]


def _one_slip(target: str, text: str) -> bool:
    """``text`` holds ``target`` with one character misread, dropped or added (a name of
    :data:`SLIP_NAME` or more characters: in a shorter one a slip is another name)."""
    from rapidfuzz.distance import Levenshtein

    n = len(target)
    if n < SLIP_NAME:
        return False
    for m in (n - 1, n, n + 1):
        for i in range(max(0, len(text) - m) + 1):
            if Levenshtein.distance(target, text[i:i + m], score_cutoff=1) <= 1:
                return True
    return False


def _find_publisher(frame: OcrFrame, look: LookFor, address_lines: set[int],
                    time_lines: set[int]) -> tuple[Call, list[str], str]:
    from rapidfuzz import fuzz

    targets = _publisher_targets(look)
    lines = frame.lines
    if targets:
        near: list[str] = []
        in_address: list[str] = []
        for i, ln in enumerate(lines):
            k = _key(ln.text)
            for t in targets:
                tk = _key(t)
                if tk in k:
                    if i in address_lines:
                        in_address.append(ln.text)
                    elif ln.score < MIN_LINE_SCORE:
                        near.append(ln.text)
                    else:
                        return Call.SHOWN, [ln.text], f"the recorded publisher {t!r} is shown"
                elif len(tk) >= 3 and len(k) <= len(tk) * 3 and (
                        fuzz.partial_ratio(tk, k) >= NEAR_NAME or _one_slip(tk, k)):
                    near.append(ln.text)
        if near:
            return (Call.UNSURE, list(dict.fromkeys(near)),
                    f"a text close to the recorded publisher ({', '.join(targets)}) is shown, "
                    f"not the name itself")
        if in_address:
            return (Call.UNSURE, list(dict.fromkeys(in_address)),
                    "the publisher's id appears only inside the address, not as a name")
        return Call.NOT_SHOWN, [], f"the recorded publisher ({', '.join(targets)}) is not shown"
    handles = [ln.text for ln in lines if re.search(r"@[\w\u4e00-\u9fff]{2,}", ln.text)]
    above = [lines[i - 1].text for i in sorted(time_lines)
             if i > 0 and (i - 1) not in time_lines and (i - 1) not in address_lines
             and 2 <= len(_key(lines[i - 1].text)) <= 24]
    cands = list(dict.fromkeys(handles + above[:1]))
    if cands:
        return (Call.UNSURE, cands, "no publisher is recorded for the item (intake fact "
                                    "publisher); a name-like text is shown")
    return (Call.NOT_SHOWN, [], "no publisher is recorded for the item and no name-like text is "
                                "shown")


def check_frames(frames: Sequence[OcrFrame], look: LookFor, *,
                 captured_at: datetime | None = None) -> dict[str, object]:
    """The four calls over the frames of one capture (one frame for an image), with what was
    read on the way: a mapping of ``content``, ``publisher``, ``publish_time``, ``url``
    (:class:`Element`) and ``phrases``, ``times``, ``counts``, ``status_bar``,
    ``status_bar_check``, ``warnings``.

    ``captured_at`` is the capture time (aware), for relative times and the status-bar check;
    a recording's frame at ``t`` seconds is read against ``captured_at + t``.
    """
    per_frame: list[dict[str, tuple[Call, list[str], str]]] = []
    phrases_best: dict[str, PhraseHit] = {}
    times: list[ShownTime] = []
    counts: list[ShownCount] = []
    status = ""
    status_check = ""
    look_time = None
    # a phrase of only punctuation or spaces cannot be looked for
    phrases = tuple(p for p in look.phrases if _key(p))
    for frame in frames:
        ref = None
        if captured_at is not None:
            ref = captured_at + timedelta(seconds=frame.at or 0)
        lines = frame.lines
        calls: dict[str, tuple[Call, list[str], str]] = {}
        # status bar
        clock = _status_clock(frame)
        if clock is not None and not status:
            status = _strip(clock.text).replace("：", ":")
            status_check = _check_clock(status, ref, look.zone, frame)
        # addresses
        address_lines: set[int] = set()
        found_urls: list[tuple[str, str]] = []
        for i, ln in enumerate(lines):
            for a in _addresses(ln.text):
                address_lines.add(i)
                found_urls.append((a, ln.text))
        # times
        time_lines: set[int] = set()
        page_times: list[tuple[int, ShownTime]] = []
        for i, ln in enumerate(lines):
            if clock is not None and ln is clock:
                times.append(ShownTime(status, "status bar",
                                       _read_time(status, ref, look.zone), frame.at, ln.text))
                continue
            if i in address_lines:
                continue
            for t in _times_in(ln.text):
                st = ShownTime(t, "page", _read_time(t, ref, look.zone), frame.at, ln.text)
                times.append(st)
                page_times.append((i, st))
                time_lines.add(i)
        # a line that also shows a time is a comment's (or a repost's) meta line: its "赞 12"
        # counts the comment, not the post
        counts.extend(c for i, ln in enumerate(lines) if i not in time_lines
                      for c in _counts_in(ln.text, frame.at))
        # content
        if phrases:
            hits = _phrase_hits(frame, phrases)
            for h in hits:
                old = phrases_best.get(h.phrase)
                rank = {Call.SHOWN: 2, Call.UNSURE: 1, Call.NOT_SHOWN: 0}
                if old is None or rank[h.call] > rank[old.call]:
                    phrases_best[h.phrase] = h
            shown = [h for h in hits if h.call == Call.SHOWN]
            near = [h for h in hits if h.call == Call.UNSURE]
            if shown:
                calls["content"] = (Call.SHOWN, [h.text for h in shown],
                                    f"{len(shown)} of {len(hits)} key phrases shown")
            elif near:
                calls["content"] = (Call.UNSURE, [h.text for h in near],
                                    "a text close to a key phrase is shown (an OCR slip, a crop "
                                    "or an edit)")
            else:
                calls["content"] = (Call.NOT_SHOWN, [], "none of the key phrases is shown")
        elif look.phrases:
            calls["content"] = (Call.UNSURE, [], "the key phrases have no letters or digits to "
                                                 "look for: the content cannot be recognised")
        else:
            calls["content"] = (Call.UNSURE, [], "no key phrases given (--phrases): the content "
                                                 "cannot be recognised")
        # publisher
        pub = _find_publisher(frame, look, address_lines, time_lines)
        calls["publisher"] = pub
        pub_line = None
        if pub[0] in (Call.SHOWN, Call.UNSURE) and pub[1]:
            pub_line = next((i for i, ln in enumerate(lines) if ln.text == pub[1][0]), None)
        # publish time
        if look.displayed_time and look_time is None:
            look_time = _read_time(look.displayed_time, ref, look.zone) or False
        calls["publish_time"] = _publish_time(page_times, look, look_time or None, pub_line,
                                              lines)
        # url
        calls["url"] = _url_call(found_urls, look, lines)
        per_frame.append(calls)
    out: dict[str, object] = {}
    small = _small(frames)
    for a in ASPECTS:
        out[a] = _merge([(f.at, c[a]) for f, c in zip(frames, per_frame, strict=True)], small)
    if not frames:
        for a in ASPECTS:
            out[a] = Element(Call.UNSURE, (), None, "nothing could be read from the capture")
    out["phrases"] = tuple(phrases_best.get(p, PhraseHit(p, Call.NOT_SHOWN)) for p in phrases)
    out["times"] = tuple(times)
    out["counts"] = tuple(_first_counts(counts))
    out["status_bar"] = status
    out["status_bar_check"] = status_check
    warnings = []
    if small:
        warnings.append(f"the text is small (median line under {MIN_TEXT_HEIGHT} px): no "
                        f"aspect is called 'not shown'")
    if status_check.startswith("differs"):
        warnings.append(f"the status-bar clock shows {status}, which {status_check}")
    out["warnings"] = tuple(warnings)
    return out


def _check_clock(status: str, ref: datetime | None, zone: str, frame: OcrFrame) -> str:
    from forensics.timestamps import zone_for

    if ref is None:
        return "not checked: the capture time is not recorded"
    try:
        h, m = (int(x) for x in status.split(":"))
        local = ref.astimezone(zone_for(zone))
    except (ValueError, KeyError):
        return "not checked: the clock cannot be read"
    if not (0 <= h < 24 and 0 <= m < 60):
        return "not checked: not a time of day"
    shown = local.replace(hour=h, minute=m, second=0, microsecond=0)
    # the nearest such wall time to the capture (a clock near midnight)
    best = min((shown + timedelta(days=d) for d in (-1, 0, 1)), key=lambda x: abs(x - local))
    diff = local - best
    if -CLOCK_SLACK <= diff <= CLOCK_SLACK + timedelta(seconds=59):
        return f"agrees with the capture time ({local:%H:%M:%S} {zone}, assumed zone)"
    mins = int(abs(diff).total_seconds() // 60)
    side = "behind" if diff > timedelta(0) else "ahead of"
    return (f"differs from the capture time ({local:%H:%M:%S} {zone}, assumed zone): "
            f"{mins} min {side} it")


def _just_below(name: OcrLine, line: OcrLine) -> bool:
    """``line`` is on the row of ``name`` or starts within two of its heights below it (the
    post's time under the publisher; a comment further down is not)."""
    gap = line.box[1] - name.box[3]
    return -name.height <= gap <= 2 * max(name.height, 1)


def _publish_time(page_times: list[tuple[int, ShownTime]], look: LookFor,
                  want: TimeValue | None, pub_line: int | None,
                  lines: Sequence[OcrLine]) -> tuple[Call, list[str], str]:
    near_pub = [(i, t) for i, t in page_times
                if pub_line is not None and 0 <= i - pub_line <= 2
                and _just_below(lines[pub_line], lines[i])]
    if look.displayed_time:
        wk = _key(look.displayed_time)
        for i, t in page_times:
            same_text = wk and wk in _key(_GLUED.sub(r"\1\2 \3", t.line))
            same_time = want is not None and t.value is not None and _overlap(want, t.value)
            if same_text or same_time:
                if lines[i].score < MIN_LINE_SCORE:
                    return (Call.UNSURE, [t.line], f"the recorded publish time "
                            f"{look.displayed_time!r} is read with a low score")
                how = "as written" if same_text else "as a time"
                return (Call.SHOWN, [t.line],
                        f"the recorded publish time {look.displayed_time!r} is shown ({how})")
        if near_pub:
            return (Call.UNSURE, [t.line for _, t in near_pub],
                    f"the time next to the publisher differs from the recorded publish time "
                    f"{look.displayed_time!r}")
        if page_times:
            return (Call.NOT_SHOWN, [], f"the recorded publish time {look.displayed_time!r} is "
                    f"not shown (other times on the page: "
                    f"{', '.join(dict.fromkeys(t.text for _, t in page_times[:4]))})")
        return Call.NOT_SHOWN, [], "no displayed time on the page"
    if near_pub:
        return (Call.UNSURE, [t.line for _, t in near_pub],
                "no publish time is recorded for the item (intake fact displayed-time); the "
                "time next to the publisher is shown")
    if page_times:
        return (Call.UNSURE, [page_times[0][1].line],
                "no publish time is recorded for the item; a displayed time is shown")
    return Call.NOT_SHOWN, [], "no displayed time on the page"


def _url_call(found: list[tuple[str, str]], look: LookFor,
              lines: Sequence[OcrLine]) -> tuple[Call, list[str], str]:
    from rapidfuzz import fuzz

    pages = [ln.text for ln in lines if _strip(ln.text) in APP_PAGES]
    page_note = f"; the app page {pages[0]!r} is shown, which is not an address" if pages else ""
    if not found and not look.url:
        return (Call.NOT_SHOWN, [f"app page: {p}" for p in pages[:1]],
                f"no address is shown{page_note}")
    if not look.url:
        return (Call.SHOWN, [line for _, line in found],
                "an address is shown (no URL is recorded for the item to compare it with)")
    want = _norm_url(look.url)
    for a, line in found:
        if any(_norm_url(f) == want for f in _url_forms(a)):
            return Call.SHOWN, [line], "the recorded URL is shown"
    if found:
        best = max(found, key=lambda f: fuzz.ratio(_norm_url(f[0]), want))
        score = fuzz.ratio(_norm_url(best[0]), want)
        if score >= NEAR_URL and _host(best[0]) == _host(look.url):
            return (Call.UNSURE, [best[1]], f"an address close to the recorded URL is shown "
                                            f"({score:.0f}% alike: an OCR slip or another page)")
    # a reading of the recorded address that no longer looks like one (``weibo.c0m/...``)
    target = want.split("://", 1)[-1]
    near = [ln.text for ln in lines
            if len(flat := _strip(ln.text).lower()) >= 0.8 * len(target)
            and fuzz.partial_ratio(target, flat) >= NEAR_URL]
    if near:
        return (Call.UNSURE, near, "a text close to the recorded URL is shown (an OCR slip, or "
                                   "an edited address)")
    if found:
        return (Call.UNSURE, [line for _, line in found],
                f"another address is shown, not the recorded URL {look.url}")
    return (Call.NOT_SHOWN, [f"app page: {p}" for p in pages[:1]],
            f"no address is shown{page_note}")


def _merge(frames: list[tuple[float | None, tuple[Call, list[str], str]]],
           small: bool) -> Element:
    """One call over a recording's frames: shown at the first frame that shows it, else unsure
    at the first unsure frame, else not shown."""
    for want in (Call.SHOWN, Call.UNSURE):
        for at, (call, texts, why) in frames:
            if call == want:
                return Element(call, tuple(dict.fromkeys(texts)), at, why)
    why = frames[0][1][2] if frames else ""
    texts = tuple(dict.fromkeys(t for _, (_, ts, _) in frames for t in ts))
    if small:
        return Element(Call.UNSURE, texts, None,
                       f"{why}; but the text is too small to read reliably")
    return Element(Call.NOT_SHOWN, texts, None, why)


def _first_counts(counts: Iterable[ShownCount]) -> list[ShownCount]:
    """Each (what, value) once, at its first frame."""
    seen: set[tuple[str, int, str]] = set()
    out = []
    for c in counts:
        k = (c.what, c.value, c.kind)
        if k not in seen:
            seen.add(k)
            out.append(c)
    return out


# -- a case --------------------------------------------------------------------------------------


def _look_for(item: Item, phrases: Sequence[str], zone: str) -> LookFor:
    f = item.facts
    return LookFor(tuple(phrases), tuple(x for x in (f.publisher, f.publisher_id) if x),
                   f.displayed_time or "", f.url or "", zone)


def _captured(item: Item) -> datetime | None:
    text = item.facts.captured_at_utc
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def check_reading(reading: OcrReading, item: Item, phrases: Sequence[str] = (), *,
                  zone: str = "Asia/Shanghai") -> ScreenCheck:
    """The completeness of one capture from its OCR reading and its item's intake facts."""
    cap = _captured(item)
    got = check_frames(reading.frames, _look_for(item, phrases, zone), captured_at=cap)
    warnings = (*reading.warnings, *got["warnings"])  # type: ignore[misc]
    elements = {a: got[a] for a in ASPECTS}
    if reading.error:
        elements = {a: Element(Call.UNSURE, (), None, f"the capture cannot be read: "
                                                      f"{reading.error}") for a in ASPECTS}
    return ScreenCheck(
        item.evidence_id, item.name, item.digests.sha256, reading.kind,
        item.facts.captured_at_utc, **elements,  # type: ignore[arg-type]
        phrases=got["phrases"], times=got["times"], counts=got["counts"],  # type: ignore[arg-type]
        status_bar=str(got["status_bar"]), status_bar_check=str(got["status_bar_check"]),
        frames=len(reading.frames), warnings=tuple(warnings), error=reading.error,
        ocr_sha256=reading.derived_sha256)


@dataclass(frozen=True, slots=True)
class ScreenReport:
    """The completeness of every capture of a case (``forensics screens``)."""

    checks: tuple[ScreenCheck, ...]
    phrases: tuple[str, ...] = ()
    engine: Mapping[str, object] = field(default_factory=dict)

    @property
    def problems(self) -> int:
        """Captures with something to look at (an aspect not shown or unsure, a status-bar
        clock that disagrees, an unreadable capture)."""
        return sum(1 for c in self.checks if c.problems)

    def to_json(self) -> list[dict[str, object]]:
        return [c.to_json() for c in self.checks]

    def table(self) -> pd.DataFrame:
        """One row per capture: evidence number, name, kind, the four calls, the status bar,
        and the counts shown."""
        import pandas as pd

        rows = []
        for c in self.checks:
            rows.append({
                "evidence_id": c.evidence_id, "name": c.name, "kind": c.kind,
                **{a: getattr(c, a).call.value for a in ASPECTS},
                "status_bar": c.status_bar, "status_bar_check": c.status_bar_check,
                "counts": "; ".join(x.shown for x in c.counts),
                "problems": "; ".join(c.problems)})
        cols = ["evidence_id", "name", "kind", *ASPECTS, "status_bar", "status_bar_check",
                "counts", "problems"]
        return pd.DataFrame(rows, columns=cols)

    def _repr_html_(self) -> str:
        """Chinese first, then English, as the rendered pages for lawyers are."""
        colour = {Call.SHOWN: "#1a7f37", Call.NOT_SHOWN: "#b42318", Call.UNSURE: "#9a6700"}
        head = "".join(f"<th>{escape(h)}</th>" for h in
                       ("编号 No.", "截图/录屏 capture", "内容 content", "发布者 publisher",
                        "发布时间 publish time", "网址 URL", "状态栏时间 status bar"))
        body = []
        for c in self.checks:
            cells = []
            for a in ASPECTS:
                e = getattr(c, a)
                at = f" @{e.at:.0f}s" if e.at is not None and c.kind == "recording" else ""
                text = _visible("; ".join(e.texts)[:120])
                why = "" if e.call == Call.SHOWN else f"<br><small><i>{_visible(e.why)}</i></small>"
                cells.append(f"<td title='{_visible(e.why)}'><b style='color:{colour[e.call]}'>"
                             f"{_CALL_ZH[e.call]} {e.call.value}</b>{at}<br><small>{text}</small>"
                             f"{why}</td>")
            word = next((zh for en, zh in _CLOCK_ZH if c.status_bar_check.startswith(en)), "")
            bar = _visible(f"{c.status_bar} {word} {c.status_bar_check}".strip())
            body.append(f"<tr><td>{_visible(c.evidence_id)}</td><td>{_visible(c.name)}</td>"
                        f"{''.join(cells)}<td><small>{bar}</small></td></tr>")
        phrases = _visible(", ".join(self.phrases)) or "未给出 none given"
        return (f"<p><b>截图与录屏 Screenshots and recordings</b>：{len(self.checks)} 件 captures，"
                f"{self.problems} 件需查看 with something to look at；关键语句 key phrases："
                f"{phrases}</p><table><tr>{head}</tr>{''.join(body)}</table>")


_CALL_ZH = {Call.SHOWN: "显示", Call.NOT_SHOWN: "未显示", Call.UNSURE: "不确定"}
_CLOCK_ZH = (("agrees", "与取证时间相符"), ("differs", "与取证时间不符"), ("not checked", "未核对"))


def _is_file(text: str) -> bool:
    """``text`` names an existing file (a phrase too long or odd to be a path does not)."""
    try:
        return Path(text).is_file()
    except (OSError, ValueError):
        return False


def check_screens(case: Case, *, phrases: Sequence[str] | Path | str | None = None,
                  evidence_ids: Sequence[str] | None = None, progress: bool | None = None,
                  record: bool | None = None, run: bool = True) -> ScreenReport:
    """Read every capture of ``case`` (or ``evidence_ids``) and call its completeness.

    Parameters
    ----------
    phrases : sequence of str, or a path
        The key phrases (the defamatory statements), or a file of them (:func:`read_phrases`).
    record : bool, optional
        Keep and log new OCR readings (default: when the case is writable).
    run : bool
        Run OCR on captures without a kept reading (False: use the kept ones only).
    """
    from forensics.errors import InputError
    from forensics.ocr import engine_fingerprint, read_captures

    if isinstance(phrases, Path) or (isinstance(phrases, str) and _is_file(phrases)):
        phrases = read_phrases(phrases)  # type: ignore[arg-type]
    elif isinstance(phrases, str):
        phrases = (phrases,)
    ph = tuple(dict.fromkeys(p.strip() for p in (phrases or ()) if p and p.strip()))
    for p in ph:
        if not _key(p):
            raise InputError(f"the key phrase {p!r} has no letters or digits to look for")
    readings = read_captures(case, evidence_ids, progress=progress, record=record, run=run)
    zone = case.metadata.timezone or "Asia/Shanghai"
    checks = tuple(check_reading(r, case.item(r.evidence_id), ph, zone=zone) for r in readings)
    return ScreenReport(checks, ph, engine_fingerprint() if readings else {})


def screen_counts(case: Case, post_ids: Iterable[str]) -> list[DisplayedCount]:
    """The counts shown on the case's captures, as the spread analysis takes them: each with the
    post it belongs to (a post of ``post_ids`` named as a whole part of the address the capture
    shows, or else of the item's ``url`` fact) and the capture time (plus the frame's offset).

    Only kept OCR readings are used (``forensics screens`` makes them): the spread analysis never
    starts the OCR engine.
    """
    from forensics.spread import DisplayedCount

    ids = sorted({p for p in post_ids if p}, key=len, reverse=True)
    if not ids:
        return []
    report = check_screens(case, run=False, record=False, progress=False)
    out: list[DisplayedCount] = []
    for c in report.checks:
        item = case.item(c.evidence_id)
        where = [t for t in c.url.texts if not t.startswith("app page:")] + [item.facts.url or ""]
        post = None
        for text in where:
            post = next((p for p in ids if re.search(
                rf"(?<![0-9A-Za-z]){re.escape(p)}(?![0-9A-Za-z])", text)), None)
            if post:
                break
        if post is None:
            continue
        cap = _captured(item)
        for n in c.counts:
            when = cap + timedelta(seconds=n.at or 0) if cap is not None else None
            out.append(DisplayedCount(post, n.what, n.value, n.kind, n.shown, when,
                                      c.evidence_id, c.sha256, "screen:ocr"))
    return out
