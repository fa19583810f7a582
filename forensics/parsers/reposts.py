"""Repost lists: who spread a post, from whom, and when.

Three forms are read (spec of the first: ``docs/formats/reposts.md``):

1. **The documented repost-list form** that a platform is asked to hand over after a notice under
   Civil Code art. 1195 or a court order: CSV (``text/vnd.forensics.reposts+csv``) or JSON
   (``application/vnd.forensics.reposts+json``), one row per repost with ``post_id``,
   ``account_id``, ``account_name``, ``parent_account_id``, ``time``, ``text`` and optional
   ``views``, ``repost_id``, ``parent_repost_id``, ``reposts``, ``comments``, ``likes``.
2. **The Weibo CED dataset** (thunlp/Chinese_Rumor_Dataset, Song et al. 2018,
   https://github.com/thunlp/Chinese_Rumor_Dataset): repost files
   (``application/x-weibo-ced-reposts+json``) and original-microblog files
   (``application/x-weibo-ced-post+json``).
3. **Twitter cascade edge lists** (the "Marref" data of O'Brien, Dassios and Gleeson, "Branching
   process descriptions of information cascades on Twitter", J. Complex Networks 2020):
   ``child,parent,tree_id,generation`` without a header (``text/x-cascade-edges+csv``).

Each repost becomes a :class:`RepostDetail` (a :class:`~forensics.records.Repost` with the
displayed counts the shared record has no field for) and, when its time is known, a "Reposted"
event ("Posted" for the original post).  Times shown by a platform's page ("11-20 14:32",
"昨天 14:02", "3分钟前") are resolved against the capture time by
:func:`forensics.timestamps.parse_displayed` (:func:`parse_displayed_time` keeps the repost
readers' signature); ``//@name:`` chains are read by :func:`parse_chain`; counts such as "1.2万"
or "10万+" by :func:`parse_displayed_count`.  Which of a parent's several reposts a child hangs
under, when the list does not say, is the spread analysis' call; :func:`resolve_parent_reposts`
states the rule it uses.

Examples
--------
>>> parse_chain("转发理由//@B: 说得对//@A: 原文")
('B', 'A')
>>> parse_displayed_count("1.2万")
(12000, 'approximate')
"""

from __future__ import annotations

import bisect
import codecs
import csv
import gc
import io
import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import BinaryIO, ClassVar, NamedTuple

from forensics.errors import WrongFormat
from forensics.parsers.base import MAX_TEXT_BYTES, Builder, ParseContext, Parser
from forensics.parsers.sniff import HEAD_BYTES
from forensics.records import Record, Repost
from forensics.timestamps import (
    DEFAULT_ZONE,
    JUST_NOW,
    Precision,
    TimeValue,
    from_unix,
    needs_reference,
    parse_displayed,
    parse_wall,
    zone_for,
)

__all__ = [
    "CASCADE_MEDIA_TYPE",
    "CED_POST_MEDIA_TYPE",
    "CED_REPOSTS_MEDIA_TYPE",
    "CED_ZONE",
    "COLUMNS",
    "CSV_MEDIA_TYPE",
    "JSON_FORMAT",
    "JSON_MEDIA_TYPE",
    "JUST_NOW",
    "MAX_LINE_BYTES",
    "PARSERS",
    "REQUIRED_COLUMNS",
    "CascadeEdgesParser",
    "CedPostParser",
    "CedRepostsParser",
    "ParentLink",
    "RepostCsvParser",
    "RepostDetail",
    "RepostJsonParser",
    "SocialPost",
    "parse_chain",
    "parse_displayed_count",
    "parse_displayed_time",
    "resolve_parent_reposts",
]

CSV_MEDIA_TYPE = "text/vnd.forensics.reposts+csv"
JSON_MEDIA_TYPE = "application/vnd.forensics.reposts+json"
CED_REPOSTS_MEDIA_TYPE = "application/x-weibo-ced-reposts+json"
CED_POST_MEDIA_TYPE = "application/x-weibo-ced-post+json"
CASCADE_MEDIA_TYPE = "text/x-cascade-edges+csv"

#: The columns of the documented form, in the order of the spec.
COLUMNS = ("post_id", "account_id", "account_name", "parent_account_id", "time", "text", "views",
           "repost_id", "parent_repost_id", "reposts", "comments", "likes")
#: A CSV header without one of these is refused (``WrongFormat`` names the missing ones).
REQUIRED_COLUMNS = ("post_id", "account_id", "parent_account_id", "time")
_COUNT_COLUMNS = ("views", "reposts", "comments", "likes")
#: The JSON form's ``format`` marker and the one version read.
JSON_FORMAT = "forensics-reposts"

#: The CED dataset writes repost dates without an offset.  Its README gives only the form
#: ("2014-07-24 14:37:38"); the data were crawled from Sina Weibo, which shows Beijing time, and
#: the corpus documentation (../shared/corpus/README.md) found that reading them as UTC+08:00 puts
#: the first repost after the source post in 3,385 of the 3,387 events.  So the zone is
#: *assumed* Asia/Shanghai, whatever the case's zone.
CED_ZONE = "Asia/Shanghai"
#: A line longer than this (no newline within it) is not a repost list.
MAX_LINE_BYTES = 16 * 1024 * 1024
#: Row numbers listed in one summary warning.
_LIST_ROWS = 20
#: Time strings remembered while reading one file (most lists repeat the same minutes).
_TIME_CACHE = 65536
_MISSING = object()


# -- records -------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class RepostDetail(Repost):
    """A :class:`~forensics.records.Repost` with what the shared record has no field for.

    ``views`` (inherited) holds the number read from ``views_shown``; the other displayed counts
    are kept the same way.  ``approximate`` names the counts that were shown rounded ("1.2万")
    or as a lower bound ("10万+").  ``generation`` is the depth a cascade edge list states.
    """

    views_shown: str = ""
    reposts: int | None = None
    reposts_shown: str = ""
    comments: int | None = None
    comments_shown: str = ""
    likes: int | None = None
    likes_shown: str = ""
    approximate: tuple[str, ...] = ()
    generation: int | None = None


@dataclass(frozen=True, slots=True)
class SocialPost(Record):
    """An original post as a platform or a dataset describes it (CED ``original-microblog``)."""

    data_type: ClassVar[str] = "social:post"
    post_id: str = ""
    account_id: str = ""
    text: str = ""
    time: TimeValue | None = None
    time_shown: str = ""
    reposts: int | None = None
    comments: int | None = None
    likes: int | None = None
    pictures: int | None = None
    has_url: bool | None = None
    #: Names of a ``//@name:`` chain in the post's own text, nearest first.
    chain: tuple[str, ...] = ()
    #: The client the post was sent from (CED ``source``, e.g. "微博 weibo.com").
    client: str = ""
    account_verified: bool | None = None
    account_followers: int | None = None
    account_friends: int | None = None
    account_posts: int | None = None
    account_location: str = ""
    account_gender: str = ""
    account_created: TimeValue | None = None


class ParentLink(NamedTuple):
    """Which repost in a list a row hangs under, and how that was decided.

    ``rule`` is ``original`` (no parent), ``repost-id`` (``parent_repost_id`` found), ``only``
    (the parent account has one repost of the post in the list), ``latest-before`` (resolved by
    the rule: the parent's latest repost at or before the child's time), ``not-in-list`` (the
    parent's post is not in the list) or ``unresolved`` (``note`` says why).
    """

    index: int
    row: int
    parent_index: int | None
    parent_row: int | None
    rule: str
    note: str = ""


# -- chains --------------------------------------------------------------------------------------
_CHAIN_RE = re.compile(r"[/／]{2}\s*[@＠]\s*([^\s:：@＠/／]{1,30})\s*[:：]")


def parse_chain(text: str) -> tuple[str, ...]:
    """The names of a Weibo-style ``//@name: comment`` repost chain, nearest first.

    Each repost of a repost appends ``//@<name of the one reposted>:`` and that account's text,
    so the first name is the account this text was reposted from.  Full-width ``：``, ``／``
    and ``＠`` and spaces around the parts are accepted; names are 1 to 30 characters without
    spaces, colons, ``@`` or ``/``.  Never raises.

    Examples
    --------
    >>> parse_chain("转发理由//@B: 说得对//@A: 原文")
    ('B', 'A')
    >>> parse_chain("转发微博//@王思聪：窦评论猿 //@user_2024 :")
    ('王思聪', 'user_2024')
    >>> parse_chain("转发微博"), parse_chain("")
    ((), ())
    """
    if not isinstance(text, str) or ("@" not in text and "＠" not in text):
        return ()
    return tuple(sys.intern(n) for n in _CHAIN_RE.findall(text))


# -- displayed counts ----------------------------------------------------------------------------
_FULLWIDTH = str.maketrans({**{chr(0xFF10 + i): str(i) for i in range(10)}, "：": ":", "－": "-",
                            "／": "/", "．": ".", "，": ",", "＋": "+", "\u3000": " ",
                            "\xa0": " "})
_COUNT_RE = re.compile(r"(\d{1,15}(?:,\d{3}){0,5}|\d{0,15}\.\d{1,6})(万|亿|千|[kKwWmM])?(\+)?")
_UNITS = {"万": 10_000, "w": 10_000, "W": 10_000, "亿": 100_000_000, "千": 1000, "k": 1000,
          "K": 1000, "m": 1_000_000, "M": 1_000_000}


def parse_displayed_count(text: str) -> tuple[int, str] | None:
    """A count as a page shows it: ``(number, kind)``, or None when blank.

    ``kind`` is ``exact`` ("3,456"), ``approximate`` (a rounded display with a unit: "1.2万",
    "3k") or ``at least`` (a lower bound: "10万+", "999+").  Full-width digits are accepted.
    Raises ``ValueError`` for anything else (a decimal without a unit, words, negatives).

    Examples
    --------
    >>> parse_displayed_count("3,456"), parse_displayed_count("10万+")
    ((3456, 'exact'), (100000, 'at least'))
    >>> parse_displayed_count("１.５亿")
    (150000000, 'approximate')
    >>> parse_displayed_count("  ") is None
    True
    >>> parse_displayed_count("12.5")
    Traceback (most recent call last):
    ...
    ValueError: '12.5' has a decimal point but no unit such as 万; not a count
    """
    text = str(text)
    if text.isascii() and text.isdigit() and len(text) <= 15:
        return int(text), "exact"
    raw = "".join(str(text).translate(_FULLWIDTH).split())
    if not raw:
        return None
    m = _COUNT_RE.fullmatch(raw)
    if not m:
        raise ValueError(f"{text!r} is not a count")
    num, unit, plus = m.groups()
    if "." in num and not unit:
        raise ValueError(f"{text!r} has a decimal point but no unit such as 万; not a count")
    try:
        value = int(Decimal(num.replace(",", "")) * _UNITS.get(unit or "", 1))
    except (InvalidOperation, ValueError):  # pragma: no cover - the pattern admits only numbers
        raise ValueError(f"{text!r} is not a count") from None
    return value, "at least" if plus else "approximate" if unit else "exact"


# -- displayed times -----------------------------------------------------------------------------
def _wall(y: int, mo: int, d: int, hh: str | None, mm: str | None, ss: str | None,
          text: str) -> datetime:
    try:
        return datetime(y, mo, d, int(hh or 0), int(mm or 0), int(ss or 0))
    except ValueError as exc:
        raise ValueError(f"impossible date {text!r}: {exc}") from None


def parse_displayed_time(text: str, source: str, *, captured_at: datetime | None = None,
                         default_zone: str | None = DEFAULT_ZONE) -> TimeValue | None:
    """A time as a list or a page shows it; None when it needs a capture time that is not given.

    The repost readers' signature over :func:`forensics.timestamps.parse_displayed` (the one
    displayed-time reader; its docstring lists the forms and the rules).  What this adds:

    * forms that need the capture time (:func:`~forensics.timestamps.needs_reference`:
      ``11-20 14:32``, ``昨天 14:02``, ``3分钟前``, ``刚刚``...) give ``None`` when
      ``captured_at`` is not given, and get the source ``<source>(displayed)`` when it is;
      all other forms keep ``source`` as given;
    * a naive ``captured_at`` is read in ``default_zone`` (UTC when that is None).

    Raises ``ValueError`` for text in no known form and for impossible dates.

    Examples
    --------
    >>> from datetime import timedelta, timezone
    >>> cap = datetime(2027, 1, 1, 0, 5, tzinfo=timezone(timedelta(hours=8)))
    >>> t = parse_displayed_time("12-31 23:50", "repost:time", captured_at=cap)
    >>> t.to_json()["utc"], t.source, t.zone.value
    ('2026-12-31T15:50:00Z', 'repost:time(displayed)', 'assumed')
    >>> t = parse_displayed_time("3分钟前", "repost:time",
    ...                          captured_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC))
    >>> t.to_json()["earliest"], t.to_json()["latest"]
    ('2026-11-20T09:56:00Z', '2026-11-20T09:57:00Z')
    >>> parse_displayed_time("3分钟前", "repost:time") is None
    True
    >>> parse_displayed_time("２０２６年１１月２０日 １４：３２", "repost:time").to_json()["utc"]
    '2026-11-20T06:32:00Z'
    """
    if not needs_reference(text):
        return parse_displayed(text, reference=None, zone=default_zone, source=source)
    if captured_at is None:
        return None
    if captured_at.tzinfo is None or captured_at.utcoffset() is None:
        captured_at = captured_at.replace(tzinfo=zone_for(default_zone) if default_zone else UTC)
    return parse_displayed(text, reference=captured_at, zone=default_zone,
                           source=f"{source}(displayed)")


# -- parent resolution ---------------------------------------------------------------------------
def resolve_parent_reposts(reposts: Sequence[Repost]) -> tuple[ParentLink, ...]:
    """For each repost, the repost in the same list it hangs under (one :class:`ParentLink` each).

    The rule, in order:

    1. ``parent_repost_id`` given: the row of the same post with that ``repost_id``
       (``repost-id``);
    2. no parent account (and no chain parent): the original (``original``);
    3. the parent account (``parent_account_id``, or for a parent read from a ``//@`` chain
       without a resolved id, the ``account_name`` equal to ``chain[0]``) has exactly one row
       for the post: that row (``only``); none: ``not-in-list``;
    4. it has several: **the parent's latest repost at or before the child's time**
       (``latest-before``; compared on the earliest bound of each time, so two times shown to
       the same minute count as "at or before").  A child without a time, no candidate at or
       before it, or two candidates at the same latest time: ``unresolved``.

    A pure function: it reads the rows and changes nothing.

    Examples
    --------
    >>> from forensics.records import Origin
    >>> from forensics.timestamps import parse_iso8601
    >>> o = Origin(None, "00" * 32, "reposts", "1")
    >>> def r(row, who, parent, hhmm):
    ...     t = parse_iso8601(f"2026-11-20T{hhmm}+08:00", "repost:time")
    ...     return Repost(o, f"row {row}", post_id="P", account_id=who,
    ...                   parent_account_id=parent, time=t, row=row)
    >>> rows = [r(1, "A", "", "10:00"), r(2, "B", "A", "10:05"), r(3, "B", "A", "10:20"),
    ...         r(4, "C", "B", "10:10"), r(5, "D", "B", "10:30"), r(6, "E", "B", "10:01")]
    >>> [(x.row, x.parent_row, x.rule) for x in resolve_parent_reposts(rows)]
    ... # doctest: +NORMALIZE_WHITESPACE
    [(1, None, 'original'), (2, 1, 'only'), (3, 1, 'only'), (4, 2, 'latest-before'),
     (5, 3, 'latest-before'), (6, None, 'unresolved')]
    """
    # Index only the reposts, accounts and names that some row names as its parent.
    want_repost: set[tuple[str, str]] = set()
    want_account: set[tuple[str, str]] = set()
    want_name: set[tuple[str, str]] = set()
    for r in reposts:
        if r.parent_repost_id:
            want_repost.add((r.post_id, r.parent_repost_id))
        elif r.parent_account_id:
            want_account.add((r.post_id, r.parent_account_id))
        elif r.parent_source == "chain" and r.chain:
            want_name.add((r.post_id, r.chain[0]))
    by_repost: dict[tuple[str, str], list[int]] = {}
    by_account: dict[tuple[str, str], list[int]] = {}
    by_name: dict[tuple[str, str], list[int]] = {}
    for i, r in enumerate(reposts):
        if want_repost and r.repost_id and (r.post_id, r.repost_id) in want_repost:
            by_repost.setdefault((r.post_id, r.repost_id), []).append(i)
        if (r.post_id, r.account_id) in want_account:
            by_account.setdefault((r.post_id, r.account_id), []).append(i)
        if want_name and r.account_name and (r.post_id, r.account_name) in want_name:
            by_name.setdefault((r.post_id, r.account_name), []).append(i)
    del want_repost, want_account, want_name
    timed: dict[int, tuple[list[datetime], list[int]]] = {}  # id(list) -> sorted times, indexes

    def sorted_times(cands: list[int]) -> tuple[list[datetime], list[int]]:
        key = id(cands)
        if key not in timed:
            pairs = sorted((reposts[j].time.earliest, j) for j in cands  # type: ignore[union-attr]
                           if reposts[j].time is not None)
            timed[key] = ([p[0] for p in pairs], [p[1] for p in pairs])
        return timed[key]

    def link(i: int, parent: int | None, rule: str, note: str = "") -> ParentLink:
        return ParentLink(i, reposts[i].row, parent,
                          None if parent is None else reposts[parent].row, rule, note)

    out: list[ParentLink] = []
    for i, r in enumerate(reposts):
        if r.parent_repost_id:
            hits = [j for j in by_repost.get((r.post_id, r.parent_repost_id), ()) if j != i]
            if len(hits) == 1:
                out.append(link(i, hits[0], "repost-id"))
            elif not hits:
                out.append(link(i, None, "not-in-list",
                                f"parent_repost_id {r.parent_repost_id!r} is not in the list"))
            else:
                out.append(link(i, None, "unresolved", f"parent_repost_id "
                                f"{r.parent_repost_id!r} is on {len(hits)} rows"))
            continue
        if r.parent_account_id:
            cands = by_account.get((r.post_id, r.parent_account_id), [])
            who = f"account {r.parent_account_id!r}"
        elif r.parent_source == "chain" and r.chain:
            cands = by_name.get((r.post_id, r.chain[0]), [])
            who = f"account named {r.chain[0]!r}"
        else:
            out.append(link(i, None, "original"))
            continue
        # The row itself is among the candidates only for a self-repost.
        own = (r.account_id == r.parent_account_id if r.parent_account_id
               else r.account_name == r.chain[0]) and i in cands
        others = len(cands) - own
        if not others:
            out.append(link(i, None, "not-in-list", f"{who} has no row for this post"))
            continue
        if others == 1:
            out.append(link(i, next(j for j in cands if j != i), "only"))
            continue
        if r.time is None:
            out.append(link(i, None, "unresolved", f"{who} has {others} rows for this "
                                                   f"post and this row has no time"))
            continue
        times, idx = sorted_times(cands)
        pos = bisect.bisect_right(times, r.time.earliest)
        best: int | None = None
        while pos > 0:
            pos -= 1
            if idx[pos] != i:
                best = pos
                break
        if best is None:
            out.append(link(i, None, "unresolved", f"none of the {others} rows of {who} "
                                                   f"is at or before this row's time"))
            continue
        tie, k = 0, best
        while k >= 0 and times[k] == times[best]:
            tie += idx[k] != i
            k -= 1
        if tie > 1:
            out.append(link(i, None, "unresolved", f"{who} has {tie} rows at the same "
                                                   f"latest time before this row"))
            continue
        out.append(link(i, idx[best], "latest-before"))
    return tuple(out)


# -- helpers -------------------------------------------------------------------------------------
def _rows_text(rows: Sequence[int]) -> str:
    head = ", ".join(str(r) for r in rows[:_LIST_ROWS])
    return head + (f" and {len(rows) - _LIST_ROWS} more" if len(rows) > _LIST_ROWS else "")


_EXCEL_NUMBER = re.compile(r"\d(?:\.\d+)?[eE]\+\d+")


def _choose_encoding(fh: BinaryIO) -> tuple[str, str, int | None]:
    """(codec, label, None) for UTF-8 or GB18030 text; or a fallback and the first bad offset.

    Reads the stream in blocks (no more than one block in memory) and refuses a line longer
    than :data:`MAX_LINE_BYTES`.
    """
    fh.seek(0)
    bom = fh.read(3) == b"\xef\xbb\xbf"
    failed: dict[str, int] = {}
    for codec in ("utf-8", "gb18030"):
        fh.seek(3 if bom and codec == "utf-8" else 0)
        dec = codecs.getincrementaldecoder(codec)()
        pos, run, bad = 0, 0, None
        while chunk := fh.read(1 << 20):
            if codec == "utf-8":  # a line inside one block is shorter than the limit
                first = chunk.find(b"\n")
                if first < 0:
                    run += len(chunk)
                else:
                    run, last = run + first, len(chunk) - chunk.rfind(b"\n") - 1
                    if run > MAX_LINE_BYTES:
                        break
                    run = last
                if run > MAX_LINE_BYTES:
                    break
            if bad is None:
                try:
                    dec.decode(chunk)
                except UnicodeDecodeError as exc:
                    bad = pos + exc.start
                    if codec == "gb18030":
                        break
            pos += len(chunk)
        if run > MAX_LINE_BYTES:
            raise WrongFormat(f"a line is longer than {MAX_LINE_BYTES} bytes; not a repost list")
        if bad is None:
            try:
                dec.decode(b"", final=True)
            except UnicodeDecodeError:
                bad = pos
        if bad is None:
            if codec == "utf-8":
                return ("utf-8-sig", "UTF-8 (BOM)", None) if bom else ("utf-8", "UTF-8", None)
            return "gb18030", "GB18030", None
        failed[codec] = bad
    codec = max(failed, key=lambda c: failed[c])
    return ("utf-8-sig" if codec == "utf-8" and bom else codec,
            "UTF-8" if codec == "utf-8" else "GB18030", failed[codec])


def _read_json(fh: BinaryIO, what: str) -> object:
    data = fh.read(MAX_TEXT_BYTES + 1)
    if len(data) > MAX_TEXT_BYTES:
        raise WrongFormat(f"{what} over {MAX_TEXT_BYTES} bytes; not read")
    text: str | None = None
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    del data
    if text is None:
        raise WrongFormat(f"not a {what}: neither UTF-8 nor GB18030 text")
    try:
        return json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise WrongFormat(f"not a {what}: invalid JSON ({exc})") from None


def _head_json(text: str, head: bytes) -> object:
    """The head parsed as JSON when it holds the whole file, else ``_MISSING``."""
    if len(head) >= HEAD_BYTES:
        return _MISSING
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return _MISSING


def _actor(name: str, account_id: str) -> str:
    if name and account_id and name != account_id:
        return f"{name} ({account_id})"
    return name or account_id


def _first_last_shown(rows: Sequence[Repost]) -> tuple[str, str]:
    timed = [(r.time.earliest, r.row, r.time_shown) for r in rows if r.time is not None]
    if not timed:
        return "", ""
    return min(timed)[2], max(timed)[2]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a long list is read.

    The records hold no reference cycles, but every full collection walks all of them: with a
    million rows that is half of the reading time.  The collector's previous state is restored.
    """
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


class _Base(Parser):
    name: ClassVar[str] = "reposts"
    #: 2: displayed times read by forensics.timestamps.parse_displayed (more forms; a date
    #: without a time is its day; the no-year slack), so earlier parses are stale.
    version: ClassVar[str] = "2"

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        with _gc_paused():
            self._parse(fh, ctx, out)

    def _parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:  # pragma: no cover
        """Each subclass reads its own form."""
        raise NotImplementedError(f"{type(self).__name__} must define _parse")


# -- the documented form -------------------------------------------------------------------------
class _RepostList:
    """Rows of the documented form, collected; :meth:`finish` works out originals and chains,
    checks the data and hands records, events and metadata to the builder.

    :meth:`add` takes the values in :data:`COLUMNS` order (``""`` for an absent column).
    """

    def __init__(self, ctx: ParseContext, out: Builder) -> None:
        self.ctx, self.out = ctx, out
        self.rows: list[RepostDetail] = []
        self.names: dict[str, str] = {}  # account_name -> the first account_id seen with it
        self.ambiguous: dict[str, set[str]] = {}  # account_name -> its ids, when several
        self._seen: dict[int, int | list[int]] = {}
        self.dups: dict[int, list[int]] = {}
        self.pending: list[tuple[int, str]] = []
        self.approx: dict[str, list[tuple[int, str, int, str]]] = {}
        self._times: dict[str, tuple[str, TimeValue | ValueError | None]] = {}
        self._capture: datetime | None = None

    def _time(self, shown: str) -> tuple[str, TimeValue | ValueError | None]:
        """(the first equal string seen, the time or the error or None): repeated times share
        one TimeValue and one string."""
        hit = self._times.get(shown)
        if hit is not None:
            return hit
        try:
            value: TimeValue | ValueError | None = parse_displayed_time(
                shown, "repost:time", captured_at=self.ctx.captured_at,
                default_zone=self.ctx.default_zone)
        except (ValueError, OverflowError) as exc:
            value = ValueError(str(exc))
        if len(self._times) >= _TIME_CACHE:
            self._times.clear()
        self._times[shown] = (shown, value)
        return shown, value

    def ids_for(self, name: str) -> set[str]:
        """The account ids that carry ``name`` in the account_name column."""
        if name in self.ambiguous:
            return self.ambiguous[name]
        first = self.names.get(name)
        return {first} if first is not None else set()

    def add(self, row: int, vals: list[str]) -> None:
        out, loc, intern = self.out, f"row {row}", sys.intern
        post, acc, name, parent, shown, text, views, rid, prid, reposts, comments, likes = vals
        post, acc, name, parent = (intern(post.strip()), intern(acc.strip()),
                                   intern(name.strip()), intern(parent.strip()))
        shown, views, rid, prid = shown.strip(), views.strip(), rid.strip(), prid.strip()
        reposts, comments, likes = reposts.strip(), comments.strip(), likes.strip()
        if not (post and acc and shown):
            missing = [k for k, v in (("post_id", post), ("account_id", acc), ("time", shown))
                       if not v]
            out.warn(loc, f"missing required value(s): {', '.join(missing)}")
        for k, v in (("post_id", post), ("account_id", acc), ("parent_account_id", parent),
                     ("repost_id", rid), ("parent_repost_id", prid)) if "+" in "".join(
                         (post, acc, parent, rid, prid)) else ():
            if "+" in v and _EXCEL_NUMBER.fullmatch(v):
                out.warn(loc, f"{k} {v!r} looks like a number a spreadsheet rounded; the real "
                              f"id is lost (save id columns as text)")
        tv: TimeValue | None = None
        if shown:
            shown, got = self._time(shown)
            if isinstance(got, ValueError):
                out.warn(loc, f"repost:time: {got}")
            elif got is None:
                self.pending.append((row, shown))
            else:
                tv = got
                cap = self.ctx.captured_at
                if cap is not None and "(displayed)" in tv.source and \
                        tv.earliest > self._capture_utc(cap):
                    out.warn(loc, f"time {shown!r} resolves after the capture time")
        numbers: list[int | None] = [None, None, None, None]
        approximate: list[str] = []
        for n, (k, v) in enumerate((("views", views), ("reposts", reposts),
                                    ("comments", comments), ("likes", likes))):
            if not v:
                continue
            try:
                got_count = parse_displayed_count(v)
            except ValueError:
                out.warn(loc, f"{k} {v!r} is not a number; kept as shown only")
                continue
            if got_count is not None:
                numbers[n] = got_count[0]
                if got_count[1] != "exact":
                    approximate.append(k)
                    self.approx.setdefault(k, []).append((row, v, got_count[0], got_count[1]))
        rec = RepostDetail(
            self.out.origin, loc, post_id=post, account_id=acc, account_name=name,
            parent_account_id=parent, time=tv, time_shown=shown, text=text, views=numbers[0],
            repost_id=rid, parent_repost_id=prid, chain=parse_chain(text),
            parent_source="explicit" if parent or prid else "", row=row, views_shown=views,
            reposts=numbers[1], reposts_shown=reposts, comments=numbers[2],
            comments_shown=comments, likes=numbers[3], likes_shown=likes,
            approximate=tuple(approximate))
        if name and acc:
            first = self.names.setdefault(name, acc)
            if first != acc:
                self.ambiguous.setdefault(name, {first}).add(acc)
        self._check_duplicate(rec)
        self.rows.append(rec)

    def _capture_utc(self, cap: datetime) -> datetime:
        if self._capture is None:
            if cap.tzinfo is None or cap.utcoffset() is None:
                cap = cap.replace(tzinfo=zone_for(self.ctx.default_zone or "UTC"))
            self._capture = cap.astimezone(UTC)
        return self._capture

    @staticmethod
    def _key(r: RepostDetail) -> tuple[str, ...]:
        return (r.post_id, r.account_id, r.account_name, r.parent_account_id, r.time_shown,
                r.text, r.views_shown, r.repost_id, r.parent_repost_id, r.reposts_shown,
                r.comments_shown, r.likes_shown)

    def _check_duplicate(self, rec: RepostDetail) -> None:
        key = self._key(rec)
        h = hash(key)
        n = len(self.rows)
        bucket = self._seen.get(h)
        if bucket is None:
            self._seen[h] = n
            return
        cands = [bucket] if isinstance(bucket, int) else bucket
        for j in cands:
            if self._key(self.rows[j]) == key:
                self.dups.setdefault(j, []).append(rec.row)
                return
        self._seen[h] = [*cands, n]

    def finish(self) -> None:
        out, rows = self.out, self.rows
        self._seen.clear()
        # Originals and parents read from a chain.
        parentless: dict[str, list[int]] = {}
        for n, r in enumerate(rows):
            if r.parent_source == "":
                parentless.setdefault(r.post_id, []).append(n)
        chain_rows: list[int] = []
        originals: dict[str, list[int]] = {}
        for post, idx in parentless.items():
            plain = [n for n in idx if not rows[n].chain]
            if plain:
                originals[post] = plain
                chain_rows += [n for n in idx if rows[n].chain]
            else:  # every parentless row states a chain: the earliest is the original
                first = min(idx, key=lambda n: (rows[n].time is None,
                                                rows[n].time.earliest if rows[n].time else 0,
                                                rows[n].row))
                originals[post] = [first]
                chain_rows += [n for n in idx if n != first]
        for n in sorted(chain_rows):
            r = rows[n]
            name = r.chain[0]
            ids = self.ids_for(name)
            pid = next(iter(ids)) if len(ids) == 1 else ""
            if not ids:
                out.warn(r.location, f"no parent_account_id; the //@ chain names {name!r}, who "
                                     f"is not in the account_name column; kept as a name "
                                     f"(chain[0])")
            elif len(ids) > 1:
                out.warn(r.location, f"no parent_account_id; the //@ chain names {name!r}, the "
                                     f"account_name of {len(ids)} accounts "
                                     f"({', '.join(sorted(ids)[:5])}); kept as a name (chain[0])")
            rows[n] = replace(r, parent_account_id=pid, parent_source="chain")
        for post, idx in originals.items():
            if len(idx) > 1:
                out.warn(rows[idx[1]].location,
                         f"post {post!r} has {len(idx)} originals (rows with no parent): rows "
                         f"{_rows_text([rows[n].row for n in idx])}")
        # Per-row checks that need the whole file.
        for r in rows:
            if r.parent_account_id and r.parent_account_id == r.account_id:
                out.warn(r.location, f"self-repost: account {r.account_id!r} is its own parent")
            if r.repost_id and r.repost_id == r.parent_repost_id:
                out.warn(r.location, f"repost {r.repost_id!r} names itself as its parent")
            if r.parent_source == "explicit" and r.parent_account_id and r.chain:
                ids = self.ids_for(r.chain[0])
                if len(ids) == 1 and r.parent_account_id not in ids:
                    out.warn(r.location, f"parent_account_id {r.parent_account_id!r} but the "
                                         f"//@ chain names {r.chain[0]!r} (account "
                                         f"{next(iter(ids))!r}) first")
        dup_total = 0
        for j, copies in self.dups.items():
            dup_total += len(copies)
            first = rows[j].row
            out.warn(rows[j].location, f"exact duplicate rows: row {first} appears "
                                       f"{len(copies) + 1} times (rows "
                                       f"{_rows_text([first, *copies])}); all kept")
        if self.pending:
            row, shown = self.pending[0]
            out.warn("column time", f"{len(self.pending)} rows show times relative to the "
                                    f"capture time (e.g. {shown!r} on row {row}); set the "
                                    f"capture time (captured_at) to resolve them")
        for k in _COUNT_COLUMNS:
            lst = self.approx.get(k)
            if lst:
                row, shown, value, kind = lst[0]
                out.warn(f"column {k}", f"{len(lst)} rows show a rounded or lower-bound {k} "
                                        f"count (e.g. row {row}: {shown!r} read as {value}, "
                                        f"{kind}); rows {_rows_text([x[0] for x in lst])}; "
                                        f"the shown text is kept")
        links = resolve_parent_reposts(rows)
        by_rule = [lk for lk in links if lk.rule == "latest-before"]
        if by_rule:
            out.warn("column parent_repost_id",
                     f"{len(by_rule)} rows name a parent account with several reposts of the "
                     f"post and no parent_repost_id; the spread analysis takes the parent's "
                     f"latest repost at or before the child's time (rows "
                     f"{_rows_text([lk.row for lk in by_rule])})")
        for lk in links:
            if lk.rule == "unresolved":
                out.warn(f"row {lk.row}", f"parent repost not determined: {lk.note}")
        del links
        # Output.
        first, last = _first_last_shown(rows)
        posts = {r.post_id for r in rows if r.post_id}
        out.meta("Reposts:Format", JSON_FORMAT)
        out.meta("Reposts:Rows", len(rows))
        out.meta("Reposts:Posts", len(posts))
        if len(posts) == 1:
            out.meta("Reposts:PostID", next(iter(posts)))
        out.meta("Reposts:Accounts", len({r.account_id for r in rows if r.account_id}))
        out.meta("Reposts:Originals", sum(len(x) for x in originals.values()))
        out.meta("Reposts:ParentsFromChain", len(chain_rows))
        out.meta("Reposts:ParentsByLatestRule", len(by_rule))
        out.meta("Reposts:DuplicateRows", dup_total)
        out.meta("Reposts:TimesUnresolved", len(self.pending))
        out.meta("Reposts:FirstTimeShown", first)
        out.meta("Reposts:LastTimeShown", last)
        for r in rows:
            out.record(r)
            out.event(r.data_type, "Reposted" if r.parent_source else "Posted", r.time,
                      location=r.location, actor=_actor(r.account_name, r.account_id),
                      text=r.text)


class RepostCsvParser(_Base):
    """The documented repost-list form as CSV (UTF-8 with or without BOM, or GB18030)."""

    media_types: ClassVar[tuple[str, ...]] = (CSV_MEDIA_TYPE,)
    sniff_priority: ClassVar[int] = 60

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        header = _header_line(text)
        if header is None:
            return None
        names = set(header)
        return CSV_MEDIA_TYPE if {"post_id", "account_id", "parent_account_id"} <= names else None

    def _parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        codec, label, bad_at = _choose_encoding(fh)
        fh.seek(0)
        text = io.TextIOWrapper(fh, encoding=codec, errors="strict" if bad_at is None
                                else "replace", newline="")
        try:
            self._read(csv.reader(text), ctx, out, label, bad_at)
        except UnicodeDecodeError as exc:  # pragma: no cover - the first pass checked the bytes
            out.warn("-", f"stopped reading: {exc}")
        finally:
            text.detach()

    def _read(self, reader: Iterator[list[str]], ctx: ParseContext, out: Builder, label: str,
              bad_at: int | None) -> None:
        header: list[str] | None = None
        try:
            for row in reader:
                if any(f.strip() for f in row):
                    header = row
                    break
        except csv.Error as exc:
            raise WrongFormat(f"not a repost list: unreadable CSV header ({exc})") from None
        if header is None:
            raise WrongFormat("not a repost list: no header row")
        names = [h.strip().lstrip("\ufeff").strip().lower() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in names]
        if missing:
            raise WrongFormat(f"not a repost list: the header lacks the required column(s) "
                              f"{', '.join(missing)} (found: {', '.join(names)[:300]})")
        index: dict[str, int] = {}
        for n, col in enumerate(names):
            if col in index:
                out.warn("header", f"column {col!r} appears more than once; the first "
                                   f"(column {index[col] + 1}) is read")
            elif col in COLUMNS:
                index[col] = n
            else:
                out.warn("header", f"column {header[n]!r} (column {n + 1}) is not in the "
                                   f"repost-list form; ignored")
        if bad_at is not None:
            out.warn("-", f"the file is neither valid UTF-8 nor GB18030 (first bad byte near "
                          f"offset {bad_at}); read as {label}, bad bytes shown as U+FFFD")
        out.meta("File:FileType", "CSV")
        out.meta("Reposts:Encoding", label)
        out.meta("Reposts:Columns", ", ".join(names))
        width = len(header)
        positions = [index.get(k, -1) for k in COLUMNS]
        lst = _RepostList(ctx, out)
        row, errors = 0, 0
        blank: list[int] = []
        while True:
            try:
                fields = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                row += 1
                errors += 1
                out.warn(f"row {row}", f"unreadable CSV row ({exc}); skipped")
                if errors > 10_000:
                    out.warn(f"row {row}", "too many unreadable rows; stopped reading")
                    break
                continue
            row += 1
            errors = 0
            if not any(f.strip() for f in fields):
                blank.append(row)
                continue
            if len(fields) != width:
                more = len(fields) > width
                what = "the extra fields are ignored" if more else "the missing ones read as empty"
                out.warn(f"row {row}", f"{len(fields)} fields but the header has {width}; {what}")
            lst.add(row, [fields[n] if 0 <= n < len(fields) else "" for n in positions])
        if blank:
            out.warn(f"row {blank[0]}", f"empty rows skipped: {_rows_text(blank)}")
        lst.finish()


def _header_line(text: str) -> list[str] | None:
    for line in text.lstrip("\ufeff").splitlines()[:5]:
        if not line.strip():
            continue
        try:
            cells = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            return None
        return [c.strip().lower() for c in cells]
    return None


def _json_value(v: object) -> str | None:
    """A JSON value of the documented form as text; None when it has the wrong type."""
    if v is None:
        return ""
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return None
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return str(int(v)) if v.is_integer() and abs(v) < 1e15 else None
    return None


class RepostJsonParser(_Base):
    """The documented repost-list form as JSON: ``{"format": "forensics-reposts", ...}``."""

    media_types: ClassVar[tuple[str, ...]] = (JSON_MEDIA_TYPE,)
    sniff_priority: ClassVar[int] = 60

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        s = text.lstrip("\ufeff \t\r\n")
        if s.startswith("{") and re.search(r'"format"\s*:\s*"forensics-reposts"', s[:65536]):
            return JSON_MEDIA_TYPE
        return None

    def _parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        data = _read_json(fh, "forensics-reposts JSON file")
        if not isinstance(data, dict) or data.get("format") != JSON_FORMAT:
            raise WrongFormat('not a repost list: no "format": "forensics-reposts" at the top')
        version = data.get("version")
        if version != 1 or isinstance(version, bool):
            raise WrongFormat(f"forensics-reposts version {version!r} is not read by this "
                              f"parser (it reads version 1)")
        items = data.get("reposts")
        if not isinstance(items, list):
            raise WrongFormat('not a repost list: "reposts" is missing or not a list')
        top_post = _json_value(data.get("post_id"))
        if top_post is None:
            out.warn("post_id", "top-level post_id is not a string or a number; ignored")
            top_post = ""
        for k in data:
            if k not in ("format", "version", "post_id", "reposts"):
                out.warn(str(k)[:80], "top-level key not in the repost-list form; ignored")
        out.meta("File:FileType", "JSON")
        out.meta("Reposts:FormatVersion", 1)
        lst = _RepostList(ctx, out)
        unknown: Counter[str] = Counter()
        for row, item in enumerate(items, 1):
            if not isinstance(item, dict):
                out.warn(f"row {row}", f"entry is a {type(item).__name__}, not an object; "
                                       f"skipped")
                continue
            values: list[str] = []
            for k in COLUMNS:
                got = _json_value(item.get(k))
                if got is None:
                    out.warn(f"row {row}", f"{k} is a {type(item.get(k)).__name__}, not a "
                                           f"string or a number; ignored")
                    got = ""
                values.append(got)
            if not values[0].strip():
                values[0] = top_post
            for k in item:
                if k not in COLUMNS:
                    unknown[str(k)] += 1
            lst.add(row, values)
        for k, n in unknown.most_common(50):
            out.warn(f"key {k[:80]}", f"not in the repost-list form; ignored on {n} rows")
        lst.finish()


# -- Weibo CED -----------------------------------------------------------------------------------
_CED_NAME = re.compile(r"(\d+)_([0-9A-Za-z]+)_([^/\\]+?)\.json")
_CED_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})")
_WEIBO_API_TIME = re.compile(r"[A-Za-z]{3} ([A-Za-z]{3}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) "
                             r"([+-]\d{2})(\d{2}) (\d{4})")
_MONTHS = {m: n for n, m in enumerate(("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug",
                                       "Sep", "Oct", "Nov", "Dec"), 1)}


def _ced_source(name: str) -> tuple[str, str]:
    """(source mid, source uid) from a CED file name ``<n>_<mid>_<uid>.json``, else ("", "")."""
    m = _CED_NAME.fullmatch(name.replace("\\", "/").rsplit("/", 1)[-1])
    return (m[2], m[3]) if m else ("", "")


def _text(v: object) -> str:
    if v is None:
        return ""
    return v if isinstance(v, str) else str(v)


class CedRepostsParser(_Base):
    """CED ``rumor-repost``/``non-rumor-repost`` files: a JSON array of reposts and comments."""

    media_types: ClassVar[tuple[str, ...]] = (CED_REPOSTS_MEDIA_TYPE,)
    sniff_priority: ClassVar[int] = 55

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        m = re.match(r"\s*\[\s*(\{[^{}]*\})", text.lstrip("\ufeff"))
        if not m:
            return None
        obj = m[1]
        if all(re.search(rf'"{k}"\s*:', obj) for k in ("mid", "uid", "parent", "date")):
            return CED_REPOSTS_MEDIA_TYPE
        return None

    def _parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        data = _read_json(fh, "CED repost file")
        if not isinstance(data, list):
            raise WrongFormat("not a CED repost file: not a JSON array")
        first = next((x for x in data if isinstance(x, dict)), None)
        if data and (first is None or "mid" not in first):
            raise WrongFormat("not a CED repost file: the entries have no 'mid'")
        source_mid, source_uid = _ced_source(ctx.name)
        if not source_uid:
            out.warn("file name", f"{ctx.name!r} is not <n>_<mid>_<uid>.json: the source post "
                                  f"and its author are unknown; direct reposts get no parent "
                                  f"account")
        out.meta("File:FileType", "JSON")
        out.meta("Reposts:Format", "weibo-ced")
        entries: list[tuple[int, dict[str, object]]] = []
        uid_of: dict[str, str] = {}
        mids: Counter[str] = Counter()
        for row, item in enumerate(data, 1):
            if not isinstance(item, dict):
                out.warn(f"row {row}", f"entry is a {type(item).__name__}, not an object; "
                                       f"skipped")
                continue
            mid = _text(item.get("mid"))
            mids[mid] += 1
            if mid and mid not in uid_of:
                uid_of[mid] = _text(item.get("uid"))
            entries.append((row, item))
        for mid, n in mids.items():
            if n > 1:
                out.warn("-", f"mid {mid!r} appears {n} times; all kept")
        rows: list[RepostDetail] = []
        parent_of: dict[str, str] = {}
        kids_of: list[tuple[str, list[str]]] = []
        times: dict[str, TimeValue | None] = {}
        pending: list[tuple[int, str]] = []
        for row, item in entries:
            loc = f"row {row}"
            mid, uid = _text(item.get("mid")), _text(item.get("uid"))
            parent, text, date = (_text(item.get("parent")), _text(item.get("text")),
                                  _text(item.get("date")))
            kids = item.get("kids")
            if isinstance(kids, list):
                kids_of.append((mid, [_text(k) for k in kids]))
            elif kids is not None:
                out.warn(loc, "kids is not a list; ignored")
            if not mid or not uid:
                out.warn(loc, f"missing {'mid' if not mid else 'uid'}")
            if mid:
                parent_of.setdefault(mid, parent)
            if parent:
                pacc = uid_of.get(parent, "")
                if parent not in uid_of:
                    out.warn(loc, f"parent {parent!r} is not in the file; no parent account")
            else:
                pacc = source_uid
            tv, later = self._time(date, ctx, times, out, loc)
            if later:
                pending.append((row, date))
            rows.append(RepostDetail(
                out.origin, loc, post_id=source_mid, account_id=uid, parent_account_id=pacc,
                time=tv, time_shown=date, text=text, repost_id=mid, parent_repost_id=parent,
                chain=parse_chain(text), parent_source="explicit", row=row))
        if pending:
            out.warn("column date", f"{len(pending)} rows show times relative to the capture "
                                    f"time (e.g. {pending[0][1]!r} on row {pending[0][0]}); set "
                                    f"the capture time (captured_at) to resolve them")
        # Tree checks: depth, kids against parents.
        depth = _depths(parent_of)
        inconsistent = 0
        for mid, kids in kids_of:
            for k in kids:
                if parent_of.get(k) != mid:
                    inconsistent += 1
        if inconsistent:
            out.warn("-", f"{inconsistent} kids entries do not name a record whose parent is "
                          f"the record listing them")
        no_depth = sum(1 for d in depth.values() if d is None)
        if no_depth:
            out.warn("-", f"{no_depth} records have no depth (their parents lead to a mid not "
                          f"in the file, or round in a cycle)")
        hist = Counter(d for d in depth.values() if d)
        first, last = _first_last_shown(rows)
        out.meta("Reposts:PostID", source_mid)
        out.meta("Reposts:SourceAccount", source_uid)
        out.meta("Reposts:Rows", len(rows))
        out.meta("Reposts:DistinctRepostIDs", len(mids))
        out.meta("Reposts:DuplicateRepostIDs", sum(n - 1 for n in mids.values()))
        out.meta("Reposts:Accounts", len({r.account_id for r in rows if r.account_id}))
        out.meta("Reposts:DirectChildren", sum(1 for r in rows if not r.parent_repost_id))
        out.meta("Reposts:ParentNotInFile",
                 sum(1 for r in rows if r.parent_repost_id and r.parent_repost_id not in uid_of))
        out.meta("Reposts:KidsInconsistent", inconsistent)
        out.meta("Reposts:MaxDepth", max(hist) if hist else 0)
        out.meta("Reposts:DepthHistogram", ", ".join(f"{k}={hist[k]}" for k in sorted(hist)))
        out.meta("Reposts:EmptyTexts", sum(1 for r in rows if not r.text.strip()))
        out.meta("Reposts:TextsWithChain", sum(1 for r in rows if r.chain))
        out.meta("Reposts:TimesUnresolved", len(pending))
        out.meta("Reposts:FirstTimeShown", first)
        out.meta("Reposts:LastTimeShown", last)
        for r in rows:
            out.record(r)
            out.event(r.data_type, "Reposted", r.time, location=r.location, actor=r.account_id,
                      text=r.text)

    @staticmethod
    def _time(date: str, ctx: ParseContext, cache: dict[str, TimeValue | None], out: Builder,
              loc: str) -> tuple[TimeValue | None, bool]:
        """The time of a ``date`` and whether it waits for the capture time."""
        if not date:
            out.warn(loc, "no date")
            return None, False
        if date in cache:
            tv = cache[date]
            return tv, tv is None
        m = _CED_DATE.fullmatch(date)
        try:
            if m:
                y, mo, d, hh, mm, ss = m.groups()
                tv = parse_wall(_wall(int(y), int(mo), int(d), hh, mm, ss, date), date,
                                "weibo:date", Precision.SECOND, default_zone=CED_ZONE)
            else:
                tv = parse_displayed_time(date, "weibo:date", captured_at=ctx.captured_at,
                                          default_zone=CED_ZONE)
        except (ValueError, OverflowError) as exc:
            out.warn(loc, f"weibo:date: {exc}")
            return None, False
        if len(cache) < _TIME_CACHE:
            cache[date] = tv
        return tv, tv is None


def _depths(parent_of: dict[str, str]) -> dict[str, int | None]:
    """Depth of each mid below the source (1 = direct), None on a cycle or a missing parent."""
    depth: dict[str, int | None] = {}
    for start in parent_of:
        path: list[str] = []
        node, d = start, None
        seen: set[str] = set()
        while True:
            if node in depth:
                d = depth[node]
                break
            if node in seen:
                d = None
                break
            seen.add(node)
            path.append(node)
            parent = parent_of.get(node)
            if parent is None:  # a parent mid that is not in the file
                path.pop()
                d = None
                break
            if parent == "":
                d = 0
                break
            node = parent
        for node in reversed(path):
            d = None if d is None else d + 1
            depth[node] = d
    return depth


def _int_or_none(v: object) -> int | None:
    if isinstance(v, bool) or v is None:
        return None
    if isinstance(v, int):
        return v
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        try:
            got = parse_displayed_count(v)
        except ValueError:
            return None
        return got[0] if got else None
    return None


class CedPostParser(_Base):
    """CED ``original-microblog`` files: one JSON object describing the source post."""

    media_types: ClassVar[tuple[str, ...]] = (CED_POST_MEDIA_TYPE,)
    sniff_priority: ClassVar[int] = 55

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        data = _head_json(text.lstrip("\ufeff"), head)
        if isinstance(data, dict) and isinstance(data.get("user"), dict) and \
                {"text", "time", "reposts", "comments"} <= data.keys() and "format" not in data:
            return CED_POST_MEDIA_TYPE
        return None

    def _parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        data = _read_json(fh, "CED original-microblog file")
        if not isinstance(data, dict) or "text" not in data or "time" not in data:
            raise WrongFormat("not a CED original-microblog file: no object with text and time")
        mid, uid = _ced_source(ctx.name)
        raw_time = data.get("time")
        shown = _text(raw_time)
        tv = self._time(raw_time, out)
        user = data.get("user") if isinstance(data.get("user"), dict) else {}
        if not isinstance(data.get("user"), dict):
            out.warn("user", "no user object")
        created = None
        if isinstance(user.get("time"), int | float) and not isinstance(user.get("time"), bool):
            try:
                created = from_unix(user["time"], "weibo:user.time", original=str(user["time"]))
            except ValueError as exc:
                out.warn("user.time", str(exc))
        text = _text(data.get("text"))
        counts = {}
        for k in ("reposts", "comments", "likes", "pics"):
            v = data.get(k)
            counts[k] = _int_or_none(v)
            if v is not None and counts[k] is None:
                out.warn(k, f"{k} {v!r} is not a count; ignored")
        verified = user.get("verified")
        has_url = data.get("has_url")
        post = SocialPost(
            out.origin, "post", post_id=mid, account_id=uid, text=text, time=tv,
            time_shown=shown, reposts=counts["reposts"], comments=counts["comments"],
            likes=counts["likes"], pictures=counts["pics"],
            has_url=has_url if isinstance(has_url, bool) else None, chain=parse_chain(text),
            client=_text(data.get("source")),
            account_verified=verified if isinstance(verified, bool) else None,
            account_followers=_int_or_none(user.get("followers")),
            account_friends=_int_or_none(user.get("friends")),
            account_posts=_int_or_none(user.get("messages")),
            account_location=_text(user.get("location")), account_gender=_text(user.get("gender")),
            account_created=created)
        out.meta("File:FileType", "JSON")
        out.meta("Weibo:PostID", mid)
        out.meta("Weibo:AccountID", uid)
        out.meta("Weibo:Time", shown)
        out.meta("Weibo:Reposts", post.reposts)
        out.meta("Weibo:Comments", post.comments)
        out.meta("Weibo:Likes", post.likes)
        out.meta("Weibo:Pictures", post.pictures)
        out.meta("Weibo:Client", post.client)
        out.meta("Weibo:Chain", " ".join(post.chain))
        out.record(post)
        out.event(post.data_type, "Posted", tv, location="post", actor=uid, text=text)

    @staticmethod
    def _time(raw: object, out: Builder) -> TimeValue | None:
        try:
            if isinstance(raw, int | float) and not isinstance(raw, bool):
                return from_unix(raw, "weibo:time", original=str(raw))
            if isinstance(raw, str):
                s = raw.strip()
                if s.isdigit():
                    return from_unix(int(s), "weibo:time", original=raw)
                m = _WEIBO_API_TIME.fullmatch(s)
                if m and m[1] in _MONTHS:
                    wall = _wall(int(m[8]), _MONTHS[m[1]], int(m[2]), m[3], m[4], m[5], raw)
                    return parse_wall(wall, raw, "weibo:time", Precision.SECOND,
                                      offset=f"{m[6]}:{m[7]}")
            out.warn("time", f"weibo:time: {raw!r} is neither Unix seconds nor a Weibo API "
                             f"date ('Tue Apr 12 00:44:52 +0800 2011')")
        except (ValueError, OverflowError) as exc:
            out.warn("time", f"weibo:time: {exc}")
        return None


# -- cascade edge lists --------------------------------------------------------------------------
_EDGE_RE = re.compile(rb"\s*(\d{1,12})\s*,\s*(\d{1,12})\s*,\s*(\d{1,12})\s*,\s*(\d{1,12})\s*")
_EDGE_TEXT_RE = re.compile(r"\d{1,12},\d{1,12},\d{1,12},\d{1,12}")


def _lines(fh: BinaryIO, limit: int = 4096) -> Iterator[tuple[int, bytes | None]]:
    """(line number, line) pairs; None for a line over ``limit`` bytes (skipped, not kept)."""
    n = 0
    while True:
        line = fh.readline(limit)
        if not line:
            return
        n += 1
        if len(line) >= limit and not line.endswith(b"\n"):
            while True:
                more = fh.readline(limit)
                if not more or more.endswith(b"\n"):
                    break
            yield n, None
            continue
        yield n, line


class CascadeEdgesParser(_Base):
    """Cascade edge lists ``child,parent,tree_id,generation`` without a header (Marref)."""

    media_types: ClassVar[tuple[str, ...]] = (CASCADE_MEDIA_TYPE,)
    sniff_priority: ClassVar[int] = 45

    @classmethod
    def sniff(cls, text: str, head: bytes) -> str | None:
        lines = text.splitlines()
        if len(head) >= HEAD_BYTES and lines:
            lines = lines[:-1]  # the head may cut the last line
        lines = [x.strip() for x in lines if x.strip()]
        if not lines:
            return None
        for x in lines:
            if not _EDGE_TEXT_RE.fullmatch(x) or x.rsplit(",", 1)[1].lstrip("0") == "":
                return None
        return CASCADE_MEDIA_TYPE

    def _parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        fh.seek(0)
        started = False
        trees: dict[int, dict[int, tuple[int, int, int]]] = {}  # tree -> child -> (parent, gen, row)
        rows: list[RepostDetail] = []
        dup_child = 0
        bad = 0
        for n, line in _lines(fh):
            loc = f"line {n}"
            if line is None:
                if not started:
                    raise WrongFormat("not a cascade edge list: the first line is over 4096 bytes")
                bad += 1
                out.warn(loc, "line over 4096 bytes; skipped")
                continue
            if not line.strip():
                continue
            m = _EDGE_RE.fullmatch(line)
            if not m:
                if not started:
                    raise WrongFormat(f"not a cascade edge list: line {n} is not four integers "
                                      f"(child,parent,tree_id,generation): "
                                      f"{line[:60].decode('latin-1')!r}")
                bad += 1
                out.warn(loc, f"not four integers: {line[:60].decode('latin-1')!r}; skipped")
                continue
            if not started:
                out.meta("File:FileType", "CSV")
                out.meta("Reposts:Format", "cascade-edges")
                started = True
            child, parent, tree, gen = (int(x) for x in m.groups())
            nodes = trees.setdefault(tree, {})
            if child in nodes:
                dup_child += 1
                out.warn(loc, f"tree {tree}: node {child} already has a row (line "
                              f"{nodes[child][2]}); kept")
            else:
                nodes[child] = (parent, gen, n)
            if child == 1:
                out.warn(loc, f"tree {tree}: node 1 is the seed and should have no row")
            if child == parent:
                out.warn(loc, f"tree {tree}: node {child} is its own parent")
            rows.append(RepostDetail(out.origin, loc, post_id=str(tree), account_id=str(child),
                                     parent_account_id=str(parent), parent_source="explicit",
                                     row=n, generation=gen))
        if not started:
            raise WrongFormat("not a cascade edge list: no data lines")
        not_seen = inconsistent = 0
        sizes: list[int] = []
        depths: list[int] = []
        for tree, nodes in trees.items():
            sizes.append(len(nodes) + 1)
            depths.append(max(g for _, g, _ in nodes.values()))
            for child, (parent, gen, row) in nodes.items():
                if parent != 1 and parent not in nodes:
                    not_seen += 1
                    out.warn(f"line {row}", f"tree {tree}: parent {parent} of node {child} has "
                                            f"no row")
                    continue
                pgen = 0 if parent == 1 else nodes[parent][1]
                if gen != pgen + 1:
                    inconsistent += 1
                    out.warn(f"line {row}", f"tree {tree}: node {child} has generation {gen}, "
                                            f"its parent {parent} has {pgen}")
        sizes.sort()
        half = len(sizes) // 2
        median = (sizes[half] if len(sizes) % 2 else (sizes[half - 1] + sizes[half]) / 2) \
            if sizes else 0
        out.meta("Reposts:Rows", len(rows))
        out.meta("Reposts:BadLines", bad)
        out.meta("Reposts:Trees", len(trees))
        out.meta("Reposts:Nodes", len(rows) + len(trees) - dup_child)
        out.meta("Reposts:TreeSizeMean", round(sum(sizes) / len(sizes), 3) if sizes else 0)
        out.meta("Reposts:TreeSizeMedian", float(median))
        out.meta("Reposts:TreeSizeMax", sizes[-1] if sizes else 0)
        out.meta("Reposts:TreeSizeMin", sizes[0] if sizes else 0)
        out.meta("Reposts:MaxGeneration", max(depths) if depths else 0)
        out.meta("Reposts:MeanMaxGeneration",
                 round(sum(depths) / len(depths), 3) if depths else 0)
        out.meta("Reposts:StarTrees", sum(1 for d in depths if d == 1))
        out.meta("Reposts:MinTreeID", min(trees) if trees else 0)
        out.meta("Reposts:MaxTreeID", max(trees) if trees else 0)
        out.meta("Reposts:DuplicateChildIDs", dup_child)
        out.meta("Reposts:ParentNotSeen", not_seen)
        out.meta("Reposts:GenerationInconsistent", inconsistent)
        for r in rows:
            out.record(r)


PARSERS: tuple[type[Parser], ...] = (RepostCsvParser, RepostJsonParser, CedRepostsParser,
                                     CedPostParser, CascadeEdgesParser)
