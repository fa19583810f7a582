"""Who reposted what: the repost cascade of each post, its measures and the reference marks.

The 2013 interpretation of the Supreme People's Court and Procuratorate on online defamation
(《关于办理利用信息网络实施诽谤等刑事案件适用法律若干问题的解释》) names, in art. 2, 5,000 actual
views or 500 reposts of the same defamatory information as one mark of "情节严重"; art. 4 counts
repeated acts within one year together.  This module reports **counts and times against those
marks**, each with the rule it was counted by; it never states a legal conclusion.

Input is a *repost table* (:data:`TABLE_COLUMNS`): one row per row of a platform's repost list,
built from a case's parsed repost lists (:func:`repost_table`) or read directly and fast from a
file of the documented form (:func:`read_repost_list`).  :func:`analyze` turns it into a
:class:`SpreadAnalysis`:

* the **cascade forest**: every repost row is a node hanging under the row it was reposted
  from.  Which row that is follows :func:`forensics.parsers.reposts.resolve_parent_reposts`
  (``parent_repost_id``; else the parent account's only row; else its latest row at or before
  the child's time), computed here on arrays.  Each link says how it is known: ``explicit``
  (the platform's parent field), ``chain`` (read from a ``//@name:`` chain) or ``inferred``
  (from time order alone: a row naming no parent; a parent that is not in the list, hung under
  the original; a broken cycle);
* per post: originators, repost rows / unique reposts / distinct accounts, depth, breadth,
  structural virality (Goel, Anderson, Hofman and Watts, "The structural virality of online
  diffusion", Management Science 62(1), 2016: the mean distance between all pairs of nodes),
  and the time each reference mark was first reached under each counting rule;
* per account: direct reposts, downstream reach, first repost, role;
* changed-text variants (reposts that restate the original with different wording), with the
  difference shown;
* a one-year combined view over the posts of the same originator (art. 4);
* data-quality counts: exact duplicate rows, accounts with several parents, self-loops, cycles,
  children timed before their parents, parents missing from the list.  Nothing is dropped.

The measures are computed with numpy on integer arrays (a million reposts in seconds);
:meth:`SpreadAnalysis.graph` builds a :mod:`networkx` graph only when asked.

Examples
--------
>>> import pandas as pd
>>> table = make_table([
...     dict(post_id="P1", account_id="A", account_name="张三", time_shown="2026-11-20T10:00:00+08:00",
...          text="某公司老板卷款跑路了", views=12000),
...     dict(post_id="P1", account_id="B", parent_account_id="A", time_shown="2026-11-20T10:05:00+08:00",
...          text="转发微博"),
...     dict(post_id="P1", account_id="C", parent_account_id="B", time_shown="2026-11-20T10:09:00+08:00",
...          text="真的吗//@B:转发微博"),
... ])
>>> sa = analyze(table)
>>> row = sa.to_json()[0]
>>> row["originators"], row["repost_rows"], row["distinct_accounts"], row["max_depth"]
(['A'], 2, 3, 2)
>>> round(row["structural_virality"], 3)
1.333
"""

from __future__ import annotations

import difflib
import io
import json
import math
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from forensics.errors import InputError, WrongFormat

if TYPE_CHECKING:  # pragma: no cover
    import networkx as nx
    import numpy as np
    import pandas as pd
    import pyarrow as pa

__all__ = [
    "COUNTING_RULES",
    "MARK_REPOSTS",
    "MARK_VIEWS",
    "QUALITY_KEYS",
    "TABLE_COLUMNS",
    "DisplayedCount",
    "SeenPost",
    "SpreadAnalysis",
    "SpreadParams",
    "analyze",
    "captured_posts",
    "displayed_counts",
    "make_table",
    "read_repost_list",
    "repost_table",
    "seen_posts",
]

#: The reference marks of the 2013 interpretation, art. 2 (reported against, never concluded on).
MARK_REPOSTS = 500
MARK_VIEWS = 5000

#: The columns of a repost table, in order.
TABLE_COLUMNS = (
    "post_id", "account_id", "account_name", "parent_account_id", "parent_name", "repost_id",
    "parent_repost_id", "parent_source", "time_shown", "earliest", "latest", "zone", "text",
    "views", "views_shown", "views_kind", "reposts", "reposts_shown", "reposts_kind",
    "evidence_id", "sha256", "row", "captured_at",
)
_STR_COLUMNS = ("post_id", "account_id", "account_name", "parent_account_id", "parent_name",
                "repost_id", "parent_repost_id", "parent_source", "time_shown", "zone", "text",
                "views_shown", "views_kind", "reposts_shown", "reposts_kind", "evidence_id",
                "sha256")
#: The columns two rows must share to be exact duplicates: every column of the form but the
#: displayed counts, which change between captures (the evidence file and row may differ too:
#: the same row in two captures of one list is one repost).
_DUP_COLUMNS = ("post_id", "account_id", "account_name", "parent_account_id", "parent_name",
                "repost_id", "parent_repost_id", "time_shown", "text")

#: How the reposts and the views were counted, for the reference marks.
COUNTING_RULES: Mapping[str, str] = {
    "rows": "every repost row in the lists, exact duplicates included, in time order",
    "unique": "repost rows after removing exact duplicate rows, in time order",
    "accounts": "distinct reposting accounts, each counted at its first repost (the "
                "originator not counted)",
    "displayed": "the repost count the platform showed for the original post, reached at the "
                 "latest by the capture time of the evidence that shows it",
    "original_displayed": "the views the platform showed for the original post, reached at the "
                          "latest by the capture time of the evidence that shows it",
    "all_rows_displayed": "the views shown for all unique rows of one evidence file together, "
                          "reached at the latest by that file's capture time",
}
_REPOST_RULES = ("rows", "unique", "accounts", "displayed")
_VIEW_RULES = ("original_displayed", "all_rows_displayed")

#: The data-quality counts every post reports (integers), then the extra ones.
QUALITY_KEYS = ("duplicate_rows", "multi_parent", "self_loops", "cycles", "negative_delays",
                "missing_parents")
_EXTRA_QUALITY = ("missing_root", "inferred_links", "unresolved_parents", "untimed_rows",
                  "approximate_counts")
_QUALITY_TEXT = {
    "duplicate_rows": "rows identical to an earlier row in every column of the form except the "
                      "displayed counts (views, reposts, comments, likes), which change "
                      "between captures; also across files (two captures of one list); kept, "
                      "counted once by the 'unique' and 'accounts' rules",
    "multi_parent": "accounts that reposted the post from more than one parent account",
    "self_loops": "rows whose parent is the same account (or the same repost id)",
    "cycles": "cycles of parent links (A from B, B from A); each was cut at its earliest row, "
              "which was hung under the original as an inferred link",
    "negative_delays": "rows whose time is certainly before the time of the row they hang under",
    "missing_parents": "rows whose parent (account, name or repost id) has no row in the list "
                       "(a deleted or unlisted post); the parent is kept as a placeholder node "
                       "hung under the original (inferred)",
    "missing_root": "1 when the post's original has no row: its author is taken from a capture "
                    "of the post, or else from the parent that the earliest rows name (none "
                    "when the rows form only a cycle: the originator is then not known)",
    "inferred_links": "links known from time order alone (a row naming no parent, a missing "
                      "parent, a broken cycle)",
    "unresolved_parents": "rows whose parent account has several rows and the rule could not "
                          "choose (no time, or a tie); hung under that account's earliest row",
    "untimed_rows": "repost rows without a usable time (not in the time-ordered counts)",
    "approximate_counts": "displayed counts that were rounded (1.2万) or lower bounds (10万+)",
}
_CHAIN_SPLIT = re.compile(r"\s*[/／]{2}\s*[@＠]")
#: ISO 8601 with an offset, to at most microseconds: read by arrow in one pass; every other
#: form goes through the package's displayed-time reader once per distinct string.
_ISO_OFFSET = r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:?\d{2})"
_NS_PER_DAY = 86_400_000_000_000


# -- parameters and records ----------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class SpreadParams:
    """The settings of an analysis, reported with it.

    ``amplifier_min_reach``: a reposting account is an *amplifier* when at least this many
    reposts descend from its reposts.  ``variant_min_similarity``: a repost's own text is a
    *changed-text variant* when its similarity to the original's wording (difflib ratio, 0..1)
    is at least this and it is not identical.
    """

    mark_reposts: int = MARK_REPOSTS
    mark_views: int = MARK_VIEWS
    amplifier_min_reach: int = 10
    variant_min_similarity: float = 0.6
    combine_years: int = 1

    def __post_init__(self) -> None:
        if self.mark_reposts < 1 or self.mark_views < 1:
            raise InputError("the reference marks must be positive counts")
        if self.amplifier_min_reach < 1:
            raise InputError("amplifier_min_reach must be at least 1")
        if not 0 < self.variant_min_similarity <= 1:
            raise InputError("variant_min_similarity must be above 0 and at most 1")
        if self.combine_years < 1:
            raise InputError("combine_years must be at least 1")


@dataclass(frozen=True, slots=True)
class DisplayedCount:
    """A count a platform showed for a post at a capture time (a capture of the post page, a
    dataset's post record, or later the text read from a screenshot).

    ``what`` is ``views``, ``reposts``, ``comments`` or ``likes``; ``kind`` ``exact``,
    ``approximate`` (rounded: "1.2万") or ``at least`` ("10万+").  ``observed_at`` is the capture
    time (aware, UTC), or None when the capture time is not known.
    """

    post_id: str
    what: str
    value: int
    kind: str
    shown: str
    observed_at: datetime | None
    evidence_id: str
    sha256: str
    source: str


@dataclass(frozen=True, slots=True)
class SeenPost:
    """A post as a capture of it or a dataset's post record shows it: who published it and
    when.  Used when a repost list has no row for the original (its author then comes from
    here rather than from the parents the reposts name)."""

    post_id: str
    account_id: str
    account_name: str
    earliest: datetime | None
    latest: datetime | None
    text: str
    evidence_id: str
    sha256: str
    source: str


# -- building the table ------------------------------------------------------------------------------
def _empty_table() -> pd.DataFrame:
    import pandas as pd

    df = pd.DataFrame({c: pd.Series([], dtype=object) for c in TABLE_COLUMNS})
    return _typed(df)


def _typed(df: pd.DataFrame) -> pd.DataFrame:
    """The table with its column types (strings as object, Int64 counts, UTC times)."""
    import pandas as pd

    for c in TABLE_COLUMNS:
        if c not in df.columns:
            df[c] = None
    df = df[list(TABLE_COLUMNS)].copy()
    for c in _STR_COLUMNS:
        df[c] = df[c].astype(object).where(df[c].notna(), "").astype(str)
    for c in ("views", "reposts"):
        df[c] = pd.to_numeric(df[c], errors="coerce").astype("Int64")
    df["row"] = pd.to_numeric(df["row"], errors="coerce").fillna(0).astype("int64")
    for c in ("earliest", "latest", "captured_at"):
        df[c] = _utc_times(df[c])
    return df.reset_index(drop=True)


def _utc_times(values: pd.Series) -> pd.Series:
    """Times (ISO 8601 text, datetimes or timestamps) as UTC nanoseconds; a value that cannot
    be read, or lies outside 1677-2262 (what nanoseconds hold), becomes NaT (the row keeps
    ``time_shown``, and counts as a row without a time)."""
    import pandas as pd

    def one(v: object) -> pd.Timestamp:
        try:
            ts = pd.Timestamp(v)
            if ts is pd.NaT:
                return pd.NaT
            ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
            return ts.as_unit("ns")
        except (ValueError, OverflowError, TypeError):
            return pd.NaT

    try:
        out = pd.to_datetime(values, utc=True, errors="coerce", format="ISO8601")
        return out.astype("datetime64[ns, UTC]")
    except (ValueError, OverflowError, TypeError):  # out of the nanosecond range: one by one
        return pd.Series([one(v) for v in values], index=values.index,
                         dtype="datetime64[ns, UTC]")


def make_table(rows: Iterable[Mapping[str, object]], *, zone: str = "Asia/Shanghai",
               captured_at: datetime | str | None = None) -> pd.DataFrame:
    """A repost table from plain rows (tests, notebooks, data typed in by hand).

    Each row gives columns of :data:`TABLE_COLUMNS`; ``time_shown`` is read with the package's
    displayed-time reader (in ``zone``, relative forms against ``captured_at``) unless
    ``earliest``/``latest`` are given; ``parent_source`` defaults to ``explicit`` when a parent
    is given.

    >>> t = make_table([dict(post_id="P", account_id="A", time_shown="2026-11-20 10:00")])
    >>> str(t.loc[0, "earliest"]), t.loc[0, "zone"]
    ('2026-11-20 02:00:00+00:00', 'assumed')
    """
    import pandas as pd

    from forensics.parsers.reposts import parse_displayed_time

    cap = _aware(captured_at, zone)
    out = []
    for i, r in enumerate(rows, start=1):
        d = dict(r)
        d.setdefault("row", i)
        d.setdefault("parent_source", "explicit" if d.get("parent_account_id")
                     or d.get("parent_repost_id") or d.get("parent_name") else "")
        if d.get("parent_name") and d["parent_source"] == "explicit" \
                and not d.get("parent_account_id"):
            d["parent_source"] = "chain"
        if "earliest" not in d and d.get("time_shown"):
            tv = parse_displayed_time(str(d["time_shown"]), "repost:time", captured_at=cap,
                                      default_zone=zone)
            if tv is not None:
                d["earliest"], d["latest"], d["zone"] = tv.earliest, tv.latest, tv.zone.value
        if d.get("views") is not None and not d.get("views_kind"):
            d["views_kind"] = "exact"
        if cap is not None:
            d.setdefault("captured_at", cap)
        out.append(d)
    return _typed(pd.DataFrame(out)) if out else _empty_table()


def _aware(value: datetime | str | None, zone: str) -> datetime | None:
    from forensics.timestamps import zone_for

    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise InputError(f"capture time {value!r} is not ISO 8601") from None
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=zone_for(zone))
    return value


def repost_table(records: pd.DataFrame, events: pd.DataFrame | None = None,
                 captured: Mapping[str, str | None] | None = None) -> pd.DataFrame:
    """The repost table of a case: ``case.records("social:repost")`` (and its events, for the
    zone of each time), with each evidence file's capture time (``captured``: evidence number
    to ISO 8601 UTC).

    The records' ``time`` column holds an instant (ISO 8601) or an interval
    (``earliest/latest``); ``chain`` holds the ``//@`` names one per line.
    """
    import numpy as np
    import pandas as pd

    if records is None or records.empty:
        return _empty_table()
    df = records.reset_index(drop=True)
    get = lambda c: df[c] if c in df.columns else pd.Series([None] * len(df))  # noqa: E731
    # (whole-column text operations: a repost list has tens of thousands of rows)
    time = get("time").astype(object).where(get("time").notna(), "").astype(str)
    first = time.str.replace(r"(?s)/.*", "", regex=True)  # before the first "/"
    second = time.str.replace(r"^[^/]*/", "", regex=True)  # after it
    earliest = first.where(first != "", None)
    latest = second.where(time.str.contains("/", regex=False), earliest)
    chain = get("chain").astype(object).where(get("chain").notna(), "").astype(str)
    source = get("parent_source").astype(object).where(get("parent_source").notna(), "")
    pacc = get("parent_account_id").astype(object).where(get("parent_account_id").notna(), "")
    pname = chain.str.replace(r"(?s)\n.*", "", regex=True).where(
        (source == "chain") & (pacc == ""), "")
    approx = get("approximate").astype(object).where(get("approximate").notna(), "").astype(str)

    def kind(col: str) -> pd.Series:
        shown = get(f"{col}_shown").astype(object).where(get(f"{col}_shown").notna(), "")
        has = get(col).notna().to_numpy(dtype=bool)
        lower = shown.astype(str).str.strip().str.endswith(("+", "＋")).to_numpy(dtype=bool)
        # ``approximate`` names the approximate columns, one a line
        here = approx.str.contains(f"(?:^|\n){re.escape(col)}(?:\n|$)",
                                   regex=True).to_numpy(dtype=bool)
        return pd.Series(np.select([has & lower, has & here, has],
                                   ["at least", "approximate", "exact"], "").tolist())

    zone = pd.Series([""] * len(df))
    if events is not None and not events.empty and "location" in df.columns:
        ev = events[events["data_type"] == "social:repost"][["evidence_id", "location", "zone"]]
        ev = ev.drop_duplicates(["evidence_id", "location"])
        zone = df[["evidence_id", "location"]].merge(ev, how="left", on=["evidence_id",
                                                                         "location"])["zone"]
    cap = get("evidence_id").map(dict(captured or {}))
    out = pd.DataFrame({
        "post_id": get("post_id"), "account_id": get("account_id"),
        "account_name": get("account_name"), "parent_account_id": pacc, "parent_name": pname,
        "repost_id": get("repost_id"), "parent_repost_id": get("parent_repost_id"),
        "parent_source": source, "time_shown": get("time_shown"), "earliest": earliest,
        "latest": latest, "zone": zone.where(zone.notna(), "") if len(zone) else zone,
        "text": get("text"), "views": get("views"), "views_shown": get("views_shown"),
        "views_kind": kind("views"), "reposts": get("reposts"),
        "reposts_shown": get("reposts_shown"), "reposts_kind": kind("reposts"),
        "evidence_id": get("evidence_id"), "sha256": get("sha256"), "row": get("row"),
        "captured_at": cap,
    })
    return _typed(out)


def displayed_counts(records: pd.DataFrame,
                     captured: Mapping[str, str | None] | None = None) -> list[DisplayedCount]:
    """The counts shown for whole posts by ``social:post`` records (a capture of the post, a
    dataset's original-microblog file), each with its evidence file's capture time."""
    import pandas as pd

    out: list[DisplayedCount] = []
    if records is None or records.empty:
        return out
    cap = dict(captured or {})
    for r in records.itertuples(index=False):
        post = str(getattr(r, "post_id", "") or "")
        if not post:
            continue
        ev = str(getattr(r, "evidence_id", "") or "")
        at = cap.get(ev)
        when = pd.Timestamp(at).to_pydatetime() if at else None
        for what in ("reposts", "comments", "likes", "views"):
            v = getattr(r, what, None)
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
                continue
            out.append(DisplayedCount(post, what, int(v), "exact", str(int(v)), when, ev,
                                      str(getattr(r, "sha256", "") or ""), "social:post"))
    return out


def seen_posts(records: pd.DataFrame) -> list[SeenPost]:
    """The posts that ``social:post`` records show (author, time, text), one per record."""
    import pandas as pd

    out: list[SeenPost] = []
    if records is None or records.empty:
        return out
    for r in records.itertuples(index=False):
        post = str(getattr(r, "post_id", "") or "")
        if not post:
            continue
        tm = str(getattr(r, "time", "") or "")
        lo, _, hi = tm.partition("/")
        e = pd.Timestamp(lo).to_pydatetime() if lo else None
        la = pd.Timestamp(hi).to_pydatetime() if hi else e
        out.append(SeenPost(post, str(getattr(r, "account_id", "") or ""),
                            str(getattr(r, "account_name", "") or ""), e, la,
                            str(getattr(r, "text", "") or ""),
                            str(getattr(r, "evidence_id", "") or ""),
                            str(getattr(r, "sha256", "") or ""), "social:post"))
    return out


def captured_posts(post_ids: Iterable[str], items: Iterable[Any], *,
                   zone: str = "Asia/Shanghai") -> list[SeenPost]:
    """The posts that captured items show, by their intake facts: an item whose ``url`` names a
    post of the repost lists (the post id as a whole part of the address, e.g.
    ``https://weibo.com/1645311413/4882123456789012``) and that states the ``publisher_id`` or
    ``publisher``; the time is its ``displayed_time`` read against its ``captured_at`` in
    ``zone`` (left empty when it cannot be read).

    ``items`` are case items (``case.items``): anything with ``evidence_id``, ``digests.sha256``
    and ``facts``.

    >>> from types import SimpleNamespace as NS
    >>> from forensics.intake import IntakeFacts
    >>> item = NS(evidence_id="E0001", digests=NS(sha256="ab" * 32), facts=IntakeFacts(
    ...     url="https://weibo.com/100/P4882", publisher_id="100", publisher="张三",
    ...     displayed_time="2026-11-20 14:32", captured_at="2026-11-21T09:00:00+08:00"))
    >>> sp = captured_posts(["P4882", "P48"], [item])[0]
    >>> sp.post_id, sp.account_id, sp.earliest.isoformat()
    ('P4882', '100', '2026-11-20T06:32:00+00:00')
    """
    from forensics.parsers.reposts import parse_displayed_time

    ids = sorted({p for p in post_ids if p}, key=len, reverse=True)
    out: list[SeenPost] = []
    for it in items:
        f = it.facts
        if not f.url or not (f.publisher_id or f.publisher):
            continue
        hit = next((p for p in ids if re.search(rf"(?<![0-9A-Za-z]){re.escape(p)}"
                                                rf"(?![0-9A-Za-z])", f.url)), None)
        if hit is None:
            continue
        e = la = None
        if f.displayed_time:
            try:
                tv = parse_displayed_time(f.displayed_time, "intake:displayed_time",
                                          captured_at=_aware(f.captured_at, zone)
                                          if f.captured_at else None, default_zone=zone)
            except (ValueError, OverflowError, InputError):
                tv = None
            if tv is not None:
                e, la = tv.earliest, tv.latest
        out.append(SeenPost(hit, f.publisher_id or "", f.publisher or "", e, la, "",
                            it.evidence_id, it.digests.sha256, f"intake facts ({f.url})"))
    return out


def read_repost_list(path: str | os.PathLike[str], *, zone: str = "Asia/Shanghai",
                     captured_at: datetime | str | None = None, evidence_id: str = "",
                     sha256: str | None = None) -> pd.DataFrame:
    """Read a repost list of the documented CSV form (docs/formats/reposts.md) into a table, fast.

    The same reading as the parser (:class:`forensics.parsers.reposts.RepostCsvParser`), on
    columns instead of row records: values stripped; ISO 8601 times with an offset read in one
    pass and every other form by the package's displayed-time reader once per distinct string
    (relative forms need ``captured_at``); counts by
    :func:`~forensics.parsers.reposts.parse_displayed_count`; a row naming no parent gets the
    first name of its ``//@`` chain (its account id when exactly one account carries that
    name) unless it is the post's original.  Values that cannot be read are kept as shown, with
    the time or count empty, and listed in ``table.attrs["warnings"]``; the parser's other
    checks (duplicates, self-reposts...) are the analysis' data-quality counts.

    The file is opened read-only and never changed.  Raises :class:`~forensics.errors.InputError`
    naming the file when it is not of the form (missing columns, a row with the wrong number of
    fields, bytes that are neither UTF-8 nor GB18030: read such a file through
    ``forensics add``, whose parser reports each bad row).
    """
    import numpy as np
    import pandas as pd

    from forensics.durable import open_readonly
    from forensics.parsers.reposts import (
        REQUIRED_COLUMNS,
        _choose_encoding,
        parse_chain,
        parse_displayed_count,
        parse_displayed_time,
    )

    path = Path(path)
    cap = _aware(captured_at, zone)
    try:
        fd = open_readonly(path)
    except OSError as exc:
        raise InputError(f"{path}: cannot open ({exc.strerror or exc})") from None
    with os.fdopen(fd, "rb") as fh:
        # arrow reads the file in blocks (the whole file is never in memory as well as the
        # table), on both cores; then the digest is streamed in a thread (its own reads at
        # explicit offsets, on a duplicate of the descriptor) while the columns are read
        try:
            table = _csv_table(fh)
        except UnicodeError:
            fh.seek(0)
            data = fh.read()
        except ValueError:  # not a regular file of the form: the parser reads it row by row
            return _read_with_parser(path, zone, cap, evidence_id,
                                     _Sha256(fh.fileno(), path=path, known=sha256).hexdigest())
        else:
            data = b""
        hashing = _Sha256(fh.fileno(), path=path, known=sha256)
    if data:  # not UTF-8: GB18030 (GBK), or bytes of no encoding
        with io.BytesIO(data) as fh2:
            try:
                codec, _label, bad = _choose_encoding(fh2)
            except WrongFormat:
                bad = 0
        if bad is not None:  # the parser reads such text with U+FFFD and says where
            return _read_with_parser(path, zone, cap, evidence_id, hashing.hexdigest())
        try:
            table = _csv_table(io.BytesIO(data.decode(codec).encode("utf-8")))
        except (ValueError, UnicodeError):
            return _read_with_parser(path, zone, cap, evidence_id, hashing.hexdigest())
    del data
    if _irregular_rows(table):  # blank rows, fields over the parser's limit
        return _read_with_parser(path, zone, cap, evidence_id, hashing.hexdigest())
    df = table.to_pandas()  # the reader's chunks, not copied (the helpers take them as they are)
    del table
    df.columns = [str(c).strip().lower() for c in df.columns]
    missing = [c for c in REQUIRED_COLUMNS if c not in df.columns]
    if missing:
        raise InputError(f"{path}: the header lacks the column(s) {', '.join(missing)} of the "
                         f"repost-list form (docs/formats/reposts.md)")
    n = len(df)
    col = lambda c: (_stripped(df[c]) if c in df.columns  # noqa: E731
                     else pd.Series("", index=pd.RangeIndex(n), dtype=str))
    post, acc, name, pacc = col("post_id"), col("account_id"), col("account_name"), \
        col("parent_account_id")
    rid, prid, shown = col("repost_id"), col("parent_repost_id"), col("time")
    body = df["text"] if "text" in df.columns else pd.Series([""] * n, dtype=object)
    warnings: list[str] = []

    # Times: one pass for ISO 8601 with an offset, the reader once per other distinct string.
    import pyarrow as pa
    import pyarrow.compute as pc

    enc = _dictionary(_arrow_strings(shown))
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    uniq = enc.dictionary
    e_u = np.full(len(uniq), np.iinfo(np.int64).min, dtype=np.int64)
    l_u = e_u.copy()
    zones = ["", "explicit", "assumed", "unknown"]
    z_u = np.zeros(len(uniq), dtype=np.int8)
    iso = np.asarray(pc.match_substring_regex(uniq, f"^(?:{_ISO_OFFSET})$").fill_null(False)
                     .to_numpy(zero_copy_only=False), dtype=bool)
    if iso.any():
        where = np.flatnonzero(iso)
        picked = uniq.filter(pa.array(iso))
        try:  # arrow reads ISO 8601 with an offset in C; one bad date fails the whole cast
            vals = pc.cast(picked, pa.timestamp("ns", tz="UTC")).to_numpy(
                zero_copy_only=False).view(np.int64)
            ok = np.ones(len(where), dtype=bool)
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
            # an impossible date or one outside 1677-2262 among them: each through the reader
            vals = np.zeros(len(where), dtype=np.int64)
            ok = np.zeros(len(where), dtype=bool)
        e_u[where[ok]] = vals[ok]
        l_u[where[ok]] = vals[ok]
        z_u[where[ok]] = 1
        iso[where[~ok]] = False  # read one by one below, which says what is wrong
    rest = uniq.filter(pa.array(~iso)).to_pylist() if (~iso).any() else []
    rest_at = np.flatnonzero(~iso)
    waiting = 0
    for i, s in zip(rest_at, rest, strict=True):
        if not s:
            continue
        try:
            tv = parse_displayed_time(s, "repost:time", captured_at=cap, default_zone=zone)
        except (ValueError, OverflowError) as exc:
            warnings.append(f"time {s!r}: {exc}")
            continue
        if tv is None:
            waiting += 1
            continue
        try:
            e_u[i], l_u[i] = _ns(tv.earliest), _ns(tv.latest)
        except (OverflowError, ValueError):  # pandas' OutOfBoundsDatetime is a ValueError
            e_u[i] = l_u[i] = np.iinfo(np.int64).min
            warnings.append(f"time {s!r} is outside 1677-2262, the range the analysis holds; "
                            f"kept as shown, without a time")
            continue
        z_u[i] = zones.index(tv.zone.value)
    if waiting:
        warnings.append(f"{waiting} distinct times are relative to the capture time; give "
                        f"captured_at to read them")
    nat = np.iinfo(np.int64).min
    earliest = e_u[codes] if len(uniq) else np.full(n, nat, dtype=np.int64)
    latest = l_u[codes] if len(uniq) else earliest
    zone_col = z_u[codes] if len(uniq) else np.zeros(n, dtype=np.int8)
    if (codes < 0).any():  # pragma: no cover - factorize of strings has no missing values
        earliest[codes < 0] = nat

    def counts(c: str) -> tuple[pd.api.extensions.ExtensionArray, pd.Series, pd.Categorical]:
        shown_c = col(c)
        values = np.zeros(n, dtype=np.int64)
        unknown = np.ones(n, dtype=bool)
        kinds = np.zeros(n, dtype=np.int8)  # "", exact, approximate, at least
        digits = _plain_numbers(shown_c, 15)
        if digits.any():
            values = _ints_where(_arrow_strings(shown_c), digits, 0)
            unknown[digits] = False
            kinds[digits] = 1
        rest = (~digits) & (shown_c != "").to_numpy()
        if rest.any():
            cache: dict[str, tuple[int, str] | None] = {}
            for i in np.flatnonzero(rest):
                s = shown_c.iat[i]
                if s not in cache:
                    try:
                        cache[s] = parse_displayed_count(s)
                    except ValueError as exc:
                        cache[s] = None
                        warnings.append(f"{c} {s!r}: {exc}")
                got = cache[s]
                if got is not None:
                    values[i] = got[0]
                    unknown[i] = False
                    kinds[i] = ("", "exact", "approximate", "at least").index(got[1])
        return (pd.arrays.IntegerArray(values, unknown), shown_c,
                pd.Categorical.from_codes(kinds, ["", "exact", "approximate", "at least"]))

    views, views_shown, views_kind = counts("views")
    reposts, reposts_shown, reposts_kind = counts("reposts")

    # Parents: explicit fields; else the //@ chain, except for the post's original.
    sources = ("", "chain", "explicit")
    source = np.where(((pacc != "") | (prid != "")).to_numpy(), 2, 0).astype(np.int8)
    pname = np.full(n, "", dtype=object)
    chain_names = False  # a parent known only by its //@ name
    pacc_out = pacc.copy()
    parentless = np.flatnonzero(source == 0)
    if len(parentless):
        rows_p = parentless.tolist()
        chains = {i: parse_chain(str(x))
                  for i, x in zip(rows_p, _pick(body, parentless).tolist(), strict=True)}
        chains = {i: c for i, c in chains.items() if c}
        by_post: dict[str, list[int]] = {}
        for i, p in zip(rows_p, _pick(post, parentless).tolist(), strict=True):
            by_post.setdefault(str(p), []).append(i)
        chain_rows: list[int] = []
        for idx in by_post.values():
            plain = [i for i in idx if not chains.get(i)]
            if plain:
                chain_rows += [i for i in idx if chains.get(i)]
            else:
                first = min(idx, key=lambda i: (earliest[i] == nat, int(earliest[i]), i))
                chain_rows += [i for i in idx if i != first]
        wanted = {chains[i][0] for i in chain_rows}
        ids_by_name: dict[str, set[str]] = {}
        if wanted:
            hit = name.isin(wanted) & (acc != "")
            for nm, a in zip(name[hit], acc[hit], strict=True):
                ids_by_name.setdefault(nm, set()).add(a)
        resolved: dict[int, str] = {}  # set at once below (one by one is slow on arrow)
        for i in chain_rows:
            nm = chains[i][0]
            ids = ids_by_name.get(nm, set())
            source[i] = 1
            if len(ids) == 1:
                resolved[i] = next(iter(ids))
            else:
                pname[i] = nm
                chain_names = True
        if resolved:
            values = pacc_out.to_numpy(dtype=object)
            values[list(resolved)] = list(resolved.values())
            pacc_out = pd.Series(values, index=pacc_out.index, dtype=pacc_out.dtype)
    row_no = np.arange(1, n + 1, dtype=np.int64)
    # the categories a categorical of the strings would have: those present, sorted
    present = np.flatnonzero(np.bincount(source, minlength=len(sources)))
    source_dtype = pd.Categorical(np.asarray([sources[i] for i in present], dtype=object)).dtype
    remap = np.zeros(len(sources), np.int8)
    remap[present] = np.arange(len(present))
    digest = hashing.hexdigest()
    out = pd.DataFrame({
        "post_id": pd.Categorical(post), "account_id": acc, "account_name": name,
        "parent_account_id": pacc_out,
        "parent_name": _empty_strings(n, post.dtype) if not chain_names
        else pd.Series(pname, dtype=object).astype(post.dtype), "repost_id": rid,
        "parent_repost_id": prid,
        "parent_source": pd.Categorical.from_codes(remap[source], dtype=source_dtype),
        "time_shown": shown,
        "earliest": pd.to_datetime(earliest.view("datetime64[ns]"), utc=True),  # min: NaT
        "latest": pd.to_datetime(latest.view("datetime64[ns]"), utc=True),
        "zone": pd.Categorical.from_codes(zone_col, zones), "text": body, "views": views,
        "views_shown": views_shown,
        "views_kind": views_kind, "reposts": reposts, "reposts_shown": reposts_shown,
        "reposts_kind": reposts_kind,
        "evidence_id": pd.Categorical.from_codes(np.zeros(n, np.int8), [evidence_id]),
        "sha256": pd.Categorical.from_codes(np.zeros(n, np.int8), [digest]),
        "row": row_no,
        "captured_at": pd.Series([cap] * n, dtype="datetime64[ns, UTC]") if cap is not None
        else pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]"),
    })
    out.attrs["warnings"] = warnings
    out.attrs["source"] = {"path": str(path), "sha256": digest}
    _release_arrow_memory()  # the reader's buffers
    return out


def _arrow_strings(values: pd.Series) -> pa.Array | pa.ChunkedArray:
    """The column as arrow strings: pandas' arrow-backed strings as they are (no copy; chunked
    when the reader made them so)."""
    import pyarrow as pa

    return pa.array(values.astype(object) if values.dtype == object else values)


def _chunks(arr: pa.Array | pa.ChunkedArray) -> list[pa.Array]:
    """The arrays of a chunked array (an array alone as it is)."""
    import pyarrow as pa

    return list(arr.chunks) if isinstance(arr, pa.ChunkedArray) else [arr]


def _dictionary(arr: pa.Array | pa.ChunkedArray) -> pa.DictionaryArray:
    """Arrow's dictionary encoding as one array (a chunked array's chunks share one
    dictionary; only their indices are put together)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(arr)
    if isinstance(enc, pa.ChunkedArray):
        enc = enc.combine_chunks() if enc.num_chunks else pa.DictionaryArray.from_arrays(
            pa.array([], pa.int32()), pa.array([], arr.type))
    return enc


def _fullmatch(values: pd.Series, pattern: str) -> np.ndarray:
    """Which strings match ``pattern`` entirely (pyarrow's RE2, no Python loop)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(values.astype(object).tolist(), type=pa.string()) \
        if not len(values) or values.dtype == object else _arrow_strings(values)
    got = pc.match_substring_regex(arr, f"^(?:{pattern})$")
    return np.asarray(got.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _empty_strings(n: int, dtype: Any) -> pd.Series:
    """``n`` empty strings of ``dtype`` (arrow-backed strings built on their buffers: no
    Python objects)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        offsets = pa.py_buffer(np.zeros(n + 1, dtype=np.int64))
        return pd.Series(pa.LargeStringArray.from_buffers(n, offsets, pa.py_buffer(b"")),
                         dtype=dtype)
    return pd.Series(np.full(n, "", dtype=object), dtype=object).astype(dtype)


def _plain_numbers(values: pd.Series, most: int) -> np.ndarray:
    """Which strings are 1 to ``most`` ASCII digits and nothing else (as the pattern
    ``\\d{1,most}`` matched entirely by RE2), read on the arrow buffers: one pass over the
    bytes, no regex."""
    import numpy as np

    if not len(values) or values.dtype == object:
        return _fullmatch(values, rf"\d{{1,{most}}}")
    parts = []
    for chunk in _chunks(_arrow_strings(values)):
        got = _string_buffers(chunk)
        if got is None:  # nulls: the regex says (never for a column the reader made)
            return _fullmatch(values, rf"\d{{1,{most}}}")
        offsets, data = got
        lens = np.diff(offsets)
        ok = (lens > 0) & (lens <= most)
        if ok.any():
            seg = data[offsets[0]:offsets[-1]]
            other = np.subtract(seg, 0x30, dtype=np.uint8) > 9  # a byte that is not 0-9
            full = lens > 0  # the non-empty values follow one another: each its own bytes
            other_in = np.zeros(len(lens), bool)  # per value: any such byte
            other_in[full] = np.logical_or.reduceat(other, offsets[:-1][full] - offsets[0])
            ok &= ~other_in
        parts.append(ok)
    return np.concatenate(parts) if parts else np.zeros(0, bool)


def _csv_table(fh: BinaryIO) -> pa.Table:
    """Every column of a UTF-8 CSV with a header (a UTF-8 BOM allowed), as text: pyarrow's
    reader, in 4 MiB blocks (a lower peak than larger ones at a million rows), multi-threaded,
    into the large strings pandas keeps without a copy (one chunk per block, kept as such).

    Raises UnicodeError for bytes that are not UTF-8 and ValueError for anything else wrong
    (a row with another number of fields than the header, a duplicate column name).
    """
    import csv

    import pyarrow as pa
    import pyarrow.csv as pacsv

    fh.seek(0)
    first = fh.readline(1 << 20)
    head = first.removeprefix(b"\xef\xbb\xbf").decode("utf-8").rstrip("\r\n")
    try:
        names = [c.strip().lower() for c in next(csv.reader([head]), [])]
    except csv.Error as exc:
        raise ValueError(f"the header line cannot be read: {exc}") from None
    if not names or not any(names):
        raise ValueError("no header row")
    if len(set(names)) != len(names):
        raise ValueError(f"the header names a column twice: {', '.join(names)}")
    fh.seek(0)
    try:
        return pacsv.read_csv(
            fh,
            read_options=pacsv.ReadOptions(column_names=names, skip_rows=1,
                                           block_size=4 << 20),
            parse_options=pacsv.ParseOptions(newlines_in_values=True, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.large_string() for c in names}, strings_can_be_null=False,
                quoted_strings_can_be_null=False),
            memory_pool=_reader_pool())
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise UnicodeError(str(exc)) from None
        raise ValueError(str(exc).split("\n")[0]) from None


#: The parser's csv module refuses a field longer than this (characters): the row is skipped.
_FIELD_LIMIT = 131072


def _irregular_rows(table: pa.Table) -> bool:
    """Rows the fast reading would take differently from the parser: a row with every field
    empty (the parser skips it as blank) or a field over :data:`_FIELD_LIMIT` characters."""
    import numpy as np
    import pyarrow.compute as pc

    if not table.num_rows:
        return False
    blank = np.ones(table.num_rows, dtype=bool)
    for col in table.columns:
        lens = pc.binary_length(col).to_numpy(zero_copy_only=False)
        blank &= lens == 0
        if lens.max() > _FIELD_LIMIT and \
                (pc.utf8_length(col).to_numpy(zero_copy_only=False) > _FIELD_LIMIT).any():
            return True
    return bool(blank.any())


def _read_with_parser(path: Path, zone: str, captured_at: datetime | None, evidence_id: str,
                      digest: str) -> pd.DataFrame:
    """The repost table as the parser reads the file (row by row, each bad row reported in
    ``attrs["warnings"]``): for files the fast reading does not take exactly as the parser does
    (wrong field counts, blank rows, over-long fields, a duplicate column, bytes of no known
    encoding)."""
    import pandas as pd

    from forensics.durable import open_readonly
    from forensics.parsers import parse
    from forensics.parsers.base import ParseContext
    from forensics.parsers.reposts import CSV_MEDIA_TYPE

    fd = open_readonly(path)
    with os.fdopen(fd, "rb") as raw:
        ctx = ParseContext(evidence_id=evidence_id or None, sha256=digest, name=path.name,
                           size=os.fstat(raw.fileno()).st_size, default_zone=zone,
                           captured_at=captured_at)
        art = parse(io.BufferedReader(raw, 1 << 16), ctx, media_type=CSV_MEDIA_TYPE)
    if art.unparsed_reason:
        raise InputError(f"{path}: {art.unparsed_reason}")
    records = pd.DataFrame([r.to_row() for r in art.records])
    events = pd.DataFrame([e.to_row() for e in art.events])
    for df in (records, events):
        if not df.empty:
            df["evidence_id"] = evidence_id
    captured = {evidence_id: _iso(captured_at) if captured_at is not None else None}
    out = repost_table(records, events if not events.empty else None, captured)
    out.attrs["warnings"] = [f"{w.location}: {w.message}" for w in art.warnings]
    out.attrs["source"] = {"path": str(path), "sha256": digest, "read_by": "parser"}
    return out


#: Bytes per read of the digest thread.
_HASH_BLOCK = 1 << 20


class _Sha256:
    """The SHA-256 of an open file, streamed in a thread while the caller parses the same file.

    The thread reads a duplicate of the descriptor at explicit offsets (``preadv``), so the
    caller's file offset never moves; :meth:`hexdigest` waits for it.  Where the system has no
    ``pread`` the digest is made at once, from the start of the file (the shared offset then
    moves: the caller reads no more through it).  ``known``: a digest the caller was given;
    then nothing is read.
    """

    def __init__(self, fd: int, *, path: Path, known: str | None = None) -> None:
        self._path = path
        self._digest = known
        self._error: OSError | None = None
        self._thread: Any = None
        if known is not None:
            return
        dup = os.dup(fd)
        if not hasattr(os, "pread"):  # pragma: no cover - Windows: read now, from the start
            os.lseek(dup, 0, os.SEEK_SET)
            self._run(dup)
            return
        import threading

        self._thread = threading.Thread(target=self._run, args=(dup,), daemon=True,
                                        name="spread-sha256")
        self._thread.start()

    def _run(self, fd: int) -> None:
        import hashlib

        h = hashlib.sha256()
        buf = bytearray(_HASH_BLOCK)
        view = memoryview(buf)
        offset = 0
        try:
            while True:
                if hasattr(os, "preadv"):
                    got = os.preadv(fd, [buf], offset)
                elif hasattr(os, "pread"):  # pragma: no cover - macOS before 11
                    chunk = os.pread(fd, _HASH_BLOCK, offset)
                    got = len(chunk)
                    view[:got] = chunk
                else:  # pragma: no cover - Windows: the dup shares the caller's offset
                    chunk = os.read(fd, _HASH_BLOCK)
                    got = len(chunk)
                    view[:got] = chunk
                if not got:
                    break
                h.update(view[:got])  # hashlib lets other threads run for large updates
                offset += got
            self._digest = h.hexdigest()
        except OSError as exc:
            self._error = exc
        finally:
            os.close(fd)

    def hexdigest(self) -> str:
        """The digest (waits for the thread). Raises InputError when the file could not be
        read."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise InputError(f"{self._path}: cannot read "
                             f"({self._error.strerror or self._error})") from None
        assert self._digest is not None
        return self._digest


def _reader_pool() -> pa.MemoryPool:
    """jemalloc where pyarrow has it: it gives the CSV reader's freed blocks back to the system
    sooner than the default pool (a lower peak at a million rows); else the default."""
    import pyarrow as pa

    try:
        return pa.jemalloc_memory_pool()
    except (NotImplementedError, pa.ArrowNotImplementedError):  # pragma: no cover - per build
        return pa.default_memory_pool()


def _string_buffers(arr: pa.Array) -> tuple[np.ndarray, np.ndarray] | None:
    """The offsets and bytes of an arrow string array as numpy views (no copy), or None for an
    array with nulls."""
    import numpy as np
    import pyarrow as pa

    if arr.null_count:
        return None
    bufs = arr.buffers()
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(bufs[1], dtype=width)[arr.offset:arr.offset + len(arr) + 1]
    data = np.frombuffer(bufs[2], dtype=np.uint8) if bufs[2] is not None else \
        np.zeros(0, np.uint8)
    return offsets.astype(np.int64, copy=False), data


#: First and last UTF-8 bytes of the characters Python's ``str.strip`` removes (``isspace``):
#: ASCII white space and \x1c-\x1f; U+0085, U+00A0 (C2 ..), U+1680 (E1 ..), U+2000-U+200A,
#: U+2028, U+2029, U+202F, U+205F (E2 ..), U+3000 (E3 ..).
_WS_FIRST = bytes([9, 10, 11, 12, 13, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0xC2, 0xE1, 0xE2, 0xE3])
_WS_LAST = bytes([9, 10, 11, 12, 13, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, *range(0x80, 0x8B), 0x9F,
                  0xA0, 0xA8, 0xA9, 0xAF])


def _stripped(values: pd.Series) -> pd.Series:
    """The values with surrounding white space removed, as Python's ``str.strip`` does (the
    parser's rule); the column is copied only when some value has any.  The first and last
    byte of every value are looked at on the arrow buffers; only values that may start or end
    with white space are checked in Python."""
    import numpy as np
    import pandas as pd

    ws_first = np.zeros(256, bool)
    ws_first[list(_WS_FIRST)] = True
    ws_last = np.zeros(256, bool)
    ws_last[list(_WS_LAST)] = True
    parts, at = [], 0
    for chunk in _chunks(_arrow_strings(values)):
        got = _string_buffers(chunk)
        if got is None:
            parts.append(at + np.arange(len(chunk)))
        elif len(got[1]):
            offsets, data = got
            starts, ends = offsets[:-1], offsets[1:]
            # an empty value reads a neighbour's byte here, but is left out by ends > starts
            first = data[np.minimum(starts, len(data) - 1)]
            last = data[np.maximum(ends - 1, 0)]
            parts.append(at + np.flatnonzero((ws_first[first] | ws_last[last]) & (ends > starts)))
        at += len(chunk)
    maybe = np.concatenate(parts) if parts else np.zeros(0, np.int64)
    if not any((x := str(values.iat[i])) != x.strip() for i in maybe):
        return values
    return pd.Series([str(x).strip() for x in values], index=values.index, dtype=values.dtype)


def _ns(t: datetime) -> int:
    import pandas as pd

    return int(pd.Timestamp(t).as_unit("ns").value)


# -- the analysis ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class SpreadAnalysis:
    """The spread of every post in a repost table.

    Attributes
    ----------
    nodes : DataFrame
        One row per node of the cascade forest (see the module docstring): ``node``,
        ``post_id``, ``kind`` (``original``, ``repost``, ``implied root``, ``missing parent``),
        ``account_id``, ``account_name``, ``parent_node`` (-1 for a root), ``depth``,
        ``earliest``, ``latest``, ``known`` (``explicit``, ``chain``, ``inferred``; empty for a
        root), ``rule``, ``reach`` (descendants), ``children``, ``evidence_id``, ``sha256``,
        ``row``, ``time_shown``, ``text``, ``changed_text``, ``duplicate``.
    posts : DataFrame
        One row per post: the keys of :meth:`to_json` (marks and data quality as columns).
    accounts : DataFrame
        One row per (post, account): ``direct_reposts``, ``downstream_reach``, ``first_repost``,
        ``role``, ``roles``.
    marks : DataFrame
        One row per (post, mark, rule): ``reached_at`` (the time by which the mark had certainly
        been reached, or NaT), ``reached_earliest`` (the earliest it may have been), ``count``
        and ``explanation``.
    variants : DataFrame
        Changed-text variants: ``node``, ``post_id``, ``account_id``, ``account_name``,
        ``evidence_id``, ``row``, ``text``, ``original_text``, ``similarity``, ``diff``.
    combined : DataFrame
        Art. 4 view: for each post, the posts of the same originator within the window
        (default one year) before it, counted together.
    quality : DataFrame
        One row per (post, kind) with a count above zero: ``count``, ``explanation``, ``rows``.
    params : SpreadParams
    """

    nodes: pd.DataFrame
    posts: pd.DataFrame
    accounts: pd.DataFrame
    marks: pd.DataFrame
    variants: pd.DataFrame
    combined: pd.DataFrame
    quality: pd.DataFrame
    params: SpreadParams = field(default_factory=SpreadParams)
    displayed: tuple[DisplayedCount, ...] = ()

    # -- JSON ------------------------------------------------------------------------------
    def to_json(self) -> list[dict[str, object]]:
        """One object per post: what ``forensics spread CASE --json`` prints."""
        import pandas as pd

        out = []
        marks = self.marks
        variants, combined = self._json_variants(), self._json_combined()
        for p in self.posts.itertuples(index=False):
            m = marks[marks["post_id"] == p.post_id]

            def reached(mark: str, m: pd.DataFrame = m) -> dict[str, str | None]:
                sub = m[m["mark"] == mark]
                return {r.rule: _iso(r.reached_at) for r in sub.itertuples(index=False)}

            q = {k: int(getattr(p, k)) for k in QUALITY_KEYS + _EXTRA_QUALITY}
            out.append({
                "post_id": p.post_id,
                "originators": list(p.originators),
                "repost_rows": int(p.repost_rows),
                "distinct_accounts": int(p.distinct_accounts),
                "unique_reposts": int(p.unique_reposts),
                "max_depth": int(p.max_depth),
                "max_breadth": int(p.max_breadth),
                "structural_virality": float(p.structural_virality),
                "reached_500_reposts_at": reached(f"{self.params.mark_reposts} reposts"),
                "reached_5000_views_at": reached(f"{self.params.mark_views} views"),
                "data_quality": q,
                "data_quality_notes": {k: _QUALITY_TEXT[k] for k, v in q.items() if v},
                "counting_rules": dict(COUNTING_RULES),
                "nodes": int(p.nodes),
                "original_time": _iso(p.original_time),
                "first_repost_time": _iso(p.first_repost_time),
                "last_repost_time": _iso(p.last_repost_time),
                "views_original": None if pd.isna(p.views_original) else int(p.views_original),
                "views_original_kind": p.views_original_kind,
                "views_shown_total": int(p.views_shown_total),
                "changed_text_variants": int(p.changed_text_variants),
                "link_kinds": {"explicit": int(p.links_explicit), "chain": int(p.links_chain),
                               "inferred": int(p.links_inferred)},
                "evidence": list(p.evidence),
                "reference_marks": {"reposts": self.params.mark_reposts,
                                    "views": self.params.mark_views,
                                    "note": "2013 interpretation art. 2 reference marks; counts "
                                            "and times only, not a legal conclusion"},
                "variants": variants.get(p.post_id, []),
                "combined_one_year": combined.get(p.post_id, []),
            })
        return out

    def _json_variants(self, limit: int = 100) -> dict[str, list[dict[str, object]]]:
        """The changed-text variants of each post (at most ``limit``; all are in
        :attr:`variants` and ``variants.csv``)."""
        out: dict[str, list[dict[str, object]]] = {}
        for v in self.variants.itertuples(index=False):
            lst = out.setdefault(str(v.post_id), [])
            if len(lst) < limit:
                lst.append({"evidence_id": v.evidence_id, "row": int(v.row),
                            "account_id": v.account_id, "account_name": v.account_name,
                            "similarity": float(v.similarity), "diff": v.diff})
        return out

    def _json_combined(self) -> dict[str, list[dict[str, object]]]:
        """The art. 4 combined view of each post, one object per originator."""
        out: dict[str, list[dict[str, object]]] = {}
        for c in self.combined.itertuples(index=False):
            out.setdefault(str(c.post_id), []).append({
                "originator": c.originator, "window_start": _iso(c.window_start),
                "window_end": _iso(c.window_end), "posts": c.posts.split("; "),
                "repost_rows": int(c.repost_rows), "unique_reposts": int(c.unique_reposts),
                "distinct_reposting_accounts": int(c.distinct_reposting_accounts),
                "reached_500_reposts_at": _iso(c.reached_500_reposts_at), "note": c.note})
        return out

    # -- curves --------------------------------------------------------------------------------
    def cumulative(self, post_id: str | None = None) -> pd.DataFrame:
        """Cumulative counts over time for one post (the only one when not named).

        Columns: ``time`` (UTC, one row per distinct time, sorted), ``rows``, ``unique``,
        ``accounts`` (the counting rules of :data:`COUNTING_RULES`; the originator is not a
        reposting account) and ``views``: the views that the original and the reposts
        published so far **showed at capture** (not views reached by that time; a repost seen
        in several captures counts with its first copy).  Times are the latest bound of each
        time.
        """
        import pandas as pd

        post_id = self._one_post(post_id)
        nd = self.nodes
        sub = nd[(nd["post_id"] == post_id) & (nd["kind"] == "repost") & nd["latest"].notna()]
        if sub.empty:
            return pd.DataFrame({"time": pd.Series([], dtype="datetime64[ns, UTC]"),
                                 "rows": pd.Series([], dtype="int64"),
                                 "unique": pd.Series([], dtype="int64"),
                                 "accounts": pd.Series([], dtype="int64"),
                                 "views": pd.Series([], dtype="int64")})
        sub = sub.sort_values(["latest", "node"], kind="stable")
        roots = nd[(nd["post_id"] == post_id) & (nd["parent_node"] < 0) & ~nd["duplicate"]]
        live = sub[~sub["duplicate"] & (sub["account_key"] != "")
                   & ~sub["account_key"].isin(self._originator_keys(post_id))]
        first_acc = ~live.duplicated("account_key")
        frame = pd.DataFrame({
            "time": sub["latest"],
            "rows": 1,
            "unique": (~sub["duplicate"]).astype("int64"),
            "accounts": first_acc.reindex(sub.index, fill_value=False).astype("int64"),
            "views": sub["views"].where(~sub["duplicate"], 0).fillna(0).astype("int64"),
        })
        shown = roots[roots["latest"].notna() & roots["views"].notna()]
        if not shown.empty:  # the original's own views, from its time
            frame = pd.concat([pd.DataFrame({
                "time": shown["latest"], "rows": 0, "unique": 0, "accounts": 0,
                "views": shown["views"].astype("int64")}), frame], ignore_index=True)
        g = frame.groupby("time", sort=True).sum().cumsum().reset_index()
        return g[["time", "rows", "unique", "accounts", "views"]]

    def over_time(self, post_id: str | None = None, freq: str = "1h") -> pd.DataFrame:
        """Reposts per time bin (``freq``, a pandas frequency) under each counting rule, with
        the cumulative totals; times in UTC."""
        import pandas as pd

        post_id = self._one_post(post_id)
        nd = self.nodes
        sub = nd[(nd["post_id"] == post_id) & (nd["kind"] == "repost") & nd["latest"].notna()]
        if sub.empty:
            return pd.DataFrame(columns=["bin", "rows", "unique", "accounts",
                                         "rows_total", "unique_total", "accounts_total"])
        sub = sub.sort_values(["latest", "node"], kind="stable")
        live = sub[~sub["duplicate"] & (sub["account_key"] != "")
                   & ~sub["account_key"].isin(self._originator_keys(post_id))]
        first_acc = ~live.duplicated("account_key")
        f = pd.DataFrame({"bin": sub["latest"].dt.floor(freq), "rows": 1,
                          "unique": (~sub["duplicate"]).astype("int64"),
                          "accounts": first_acc.reindex(sub.index, fill_value=False)
                          .astype("int64")})
        g = f.groupby("bin").sum()
        full = pd.date_range(g.index.min(), g.index.max(), freq=freq)
        g = g.reindex(full, fill_value=0).rename_axis("bin")
        for c in ("rows", "unique", "accounts"):
            g[f"{c}_total"] = g[c].cumsum()
        return g.reset_index()

    def _originator_keys(self, post_id: str) -> set[str]:
        """The account keys of the post's root (not reposting accounts under any rule)."""
        nd = self.nodes
        roots = nd[(nd["post_id"] == post_id) & (nd["parent_node"] < 0) & ~nd["duplicate"]
                   & nd["kind"].isin(("original", "implied root"))]
        return set(roots["account_key"]) - {""}

    def _one_post(self, post_id: str | None) -> str:
        posts = list(self.posts["post_id"])
        if post_id is None:
            if len(posts) != 1:
                raise InputError(f"the analysis has {len(posts)} posts; name one "
                                 f"(post_id=...): {', '.join(posts[:10])}")
            return posts[0]
        if post_id not in posts:
            raise InputError(f"post {post_id!r} is not in the analysis; posts: "
                             f"{', '.join(posts[:10])}")
        return post_id

    # -- graphs and exports --------------------------------------------------------------------
    def graph(self, *, level: str = "account", post_id: str | None = None) -> nx.MultiDiGraph:
        """The repost graph as networkx, built now (not kept).

        ``level="account"`` (default): a :class:`networkx.MultiDiGraph` with a node per post
        (``post:<id>``) and per account (``account:<id>``, or ``name:<name>`` for a parent known
        only by a ``//@`` name); a ``posted`` edge from each post to its originator and a
        ``reposted_from`` edge from the parent account to the reposting account for every
        repost row, with its time, text, evidence number, SHA-256, row and how it is known.
        ``level="repost"``: a :class:`networkx.DiGraph` of the cascade forest, one node per
        repost row (``n<node>``, exact duplicates left out, as the measures leave them out)
        with the columns of :attr:`nodes`.  A parent known only by a repost id that has no row
        is the node ``repost:<id>`` in the account-level graph.
        """
        import networkx as nx
        import numpy as np

        nd = self.nodes if post_id is None else self.nodes[self.nodes["post_id"] == post_id]
        if level == "repost":
            nd = nd[~nd["duplicate"]]  # the cascade tree: a duplicate row is not a node of it
            g = nx.DiGraph(kind="repost cascade")
            cols = _columns(nd, _NODE_ATTRS)
            names = [f"n{x}" for x in nd["node"].tolist()]
            g.add_nodes_from((names[i], {k: v[i] for k, v in cols.items()})
                             for i in range(len(names)))
            linked = nd[nd["parent_node"] >= 0]
            g.add_edges_from((f"n{p}", f"n{c}", {"known": k, "rule": r}) for p, c, k, r in zip(
                linked["parent_node"].tolist(), linked["node"].tolist(),
                linked["known"].astype(str).tolist(), linked["rule"].astype(str).tolist(),
                strict=True))
            return g
        if level != "account":
            raise InputError(f"level {level!r}: use 'account' or 'repost'")
        g = nx.MultiDiGraph(kind="repost graph")
        acc = self.accounts if post_id is None else self.accounts[
            self.accounts["post_id"] == post_id]
        roles: dict[str, set[str]] = {}
        for key, rs in zip(acc["account_key"].tolist(), acc["roles"].astype(str).tolist(),
                           strict=True):
            roles.setdefault(key, set()).update(rs.split("; "))
        keys = nd["account_key"].astype(object).tolist()
        first_name: dict[str, str] = {}
        for key, name in zip(keys, nd["account_name"].astype(object).tolist(), strict=True):
            if key and name and key not in first_name:
                first_name[key] = name
        kinds = {"account": "account", "name": "account known by name",
                 "repost": "missing repost"}
        g.add_nodes_from(
            (key, {"kind": kinds[key.split(":", 1)[0]],
                   "account_id": key.split(":", 1)[1] if key.startswith("account:") else "",
                   "account_name": first_name.get(key, ""),
                   "roles": "; ".join(sorted(roles.get(key, ())))})
            for key in dict.fromkeys(keys) if key)
        cols = _columns(nd, _EDGE_ATTRS)
        node_ids = nd["node"].to_numpy()
        parent = nd["parent_node"].to_numpy()
        where = np.full(int(node_ids.max(initial=-1)) + 1, -1, dtype=np.int64)
        where[node_ids] = np.arange(len(node_ids))
        at = np.where((parent >= 0) & (parent < len(where)), where[np.clip(parent, 0, None)], -1)
        is_root = nd["kind"].isin(("original", "implied root")).to_numpy()
        for i in np.flatnonzero(is_root):
            pid = f"post:{cols['post_id'][i]}"
            if pid not in g:
                g.add_node(pid, kind="post", post_id=cols["post_id"][i])
        names = list(cols)
        post_ids = cols["post_id"]
        at_list, root_list, node_list = at.tolist(), is_root.tolist(), node_ids.tolist()
        edges = []
        for i, values in enumerate(zip(*(cols[k] for k in names), strict=True)):
            dst = keys[i]
            if not dst:
                continue
            if root_list[i]:
                src, kind = f"post:{post_ids[i]}", "posted"
            elif at_list[i] >= 0 and keys[at_list[i]]:
                src, kind = keys[at_list[i]], "reposted_from"
            else:
                continue
            attrs = dict(zip(names, values, strict=True))
            attrs["kind"] = kind
            edges.append((src, dst, f"n{node_list[i]}", attrs))
        g.add_edges_from(edges)
        return g

    def write(self, out: str | os.PathLike[str], *, post_id: str | None = None,
              ) -> dict[str, Path]:
        """Write the exports into the folder ``out``: ``spread.json`` (as ``--json``),
        ``posts.csv``, ``accounts.csv``, ``nodes.csv``, ``variants.csv``, ``marks.csv``,
        ``repost-graph.graphml`` (account level), ``repost-graph.gexf`` (with start times, so
        Gephi can play the spread) and ``repost-graph.json`` (networkx node-link).  Returns the
        paths by name.  Files are written atomically; UTF-8 (CSV with a BOM, for Excel)."""
        from forensics.durable import atomic_write

        folder = Path(out)
        folder.mkdir(parents=True, exist_ok=True)
        written: dict[str, Path] = {}

        def put(name: str, data: bytes) -> None:
            atomic_write(folder / name, data)
            written[name] = folder / name

        posts = [p for p in self.to_json() if post_id is None or p["post_id"] == post_id]
        put("spread.json", json.dumps(posts, ensure_ascii=False, indent=2).encode() + b"\n")
        for name, df in (("posts.csv", self.flat_posts()), ("accounts.csv", self.accounts),
                         ("nodes.csv", self.nodes), ("variants.csv", self.variants),
                         ("marks.csv", self.marks), ("quality.csv", self.quality),
                         ("combined.csv", self.combined)):
            if post_id is not None and "post_id" in df.columns:
                df = df[df["post_id"] == post_id]
            put(name, _csv_bytes(df))
        g = _plain_graph(self.graph(post_id=post_id))
        import networkx as nx

        buf = io.BytesIO()
        nx.write_graphml(g, buf, encoding="utf-8", prettyprint=True)
        put("repost-graph.graphml", buf.getvalue())
        put("repost-graph.gexf", _gexf_bytes(g))
        data = nx.node_link_data(g, edges="edges")
        put("repost-graph.json", json.dumps(data, ensure_ascii=False, indent=1,
                                            default=str).encode() + b"\n")
        return written

    def flat_posts(self) -> pd.DataFrame:
        """:attr:`posts` with the list columns (originators, evidence) joined by "; " (for CSV)."""
        df = self.posts.copy()
        for c in ("originators", "evidence"):
            df[c] = df[c].map(lambda v: "; ".join(v))
        return df

    def _repr_html_(self) -> str:
        rows = []
        for p in self.to_json():
            r500 = ", ".join(f"{k}: {v or '—'}" for k, v in p["reached_500_reposts_at"].items())
            r5000 = ", ".join(f"{k}: {v or '—'}" for k, v in p["reached_5000_views_at"].items())
            dq = ", ".join(f"{k} {v}" for k, v in p["data_quality"].items() if v) or "—"
            rows.append(
                "<tr>" + "".join(f"<td>{escape(str(x))}</td>" for x in (
                    p["post_id"], ", ".join(p["originators"]), p["repost_rows"],
                    p["unique_reposts"], p["distinct_accounts"], p["max_depth"],
                    p["max_breadth"], f"{p['structural_virality']:.3f}", r500, r5000, dq)) +
                "</tr>")
        head = "".join(f"<th>{h}</th>" for h in (
            "帖子 post", "发布者 originators", "转发行 rows", "去重转发 unique",
            "参与账号 accounts", "深度 depth", "宽度 breadth", "结构传播度 virality",
            "转发500次参考标准 500-repost mark", "浏览5000次参考标准 5,000-view mark",
            "数据质量 data quality"))
        return ("<div><strong>传播分析 Spread analysis</strong> · "
                f"{len(self.posts)} posts · {int((self.nodes['kind'] == 'repost').sum())} "
                "repost rows<br><small>参考标准仅供对照，不构成法律结论 / reference marks are "
                "reported against, not concluded on</small>"
                f"<table><tr>{head}</tr>{''.join(rows)}</table></div>")


_NODE_ATTRS = ("post_id", "kind", "account_id", "account_name", "depth", "earliest", "latest",
               "known", "rule", "reach", "children", "evidence_id", "sha256", "row",
               "time_shown", "text", "changed_text", "duplicate")
_EDGE_ATTRS = ("post_id", "earliest", "latest", "time_shown", "text", "evidence_id", "sha256",
               "row", "known", "rule", "duplicate", "changed_text")


def _columns(nd: pd.DataFrame, names: Sequence[str]) -> dict[str, list[object]]:
    """Columns of the nodes frame as lists of plain Python values (times as ISO 8601 UTC text,
    a missing value as None), for building graphs a row at a time without pandas per row."""
    import numpy as np
    import pandas as pd

    out: dict[str, list[object]] = {}
    for n in names:
        s = nd[n]
        if isinstance(s.dtype, pd.DatetimeTZDtype):
            v = s.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy("datetime64[ns]")
            out[n] = [None if x == "NaT" else f"{x}Z"
                      for x in np.datetime_as_string(v, unit="auto")]
        elif isinstance(s.dtype, pd.CategoricalDtype) or s.dtype == object or \
                pd.api.types.is_string_dtype(s.dtype):
            out[n] = [None if x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))
                      else str(x) for x in s.astype(object).tolist()]
        else:
            out[n] = [None if x is pd.NA else x for x in s.astype(object).tolist()]
    return out


def _plain_graph(g: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose attributes GraphML and GEXF can hold (no None; times as text), with
    ``start`` (seconds since 1970, UTC) on timed edges and nodes for GEXF."""
    import networkx as nx

    h = nx.MultiDiGraph(**{k: v for k, v in g.graph.items() if v is not None})
    starts: dict[str, float] = {}
    for u0, v0, k0, d in g.edges(keys=True, data=True):
        u, v, k = _xml_text(u0), _xml_text(v0), _xml_text(k0)
        clean = {a: ("" if x is None else _xml_text(x)) for a, x in d.items()}
        t = d.get("latest") or d.get("earliest")
        if t:
            s = _epoch(t)
            clean["start"] = s
            starts[v] = min(starts.get(v, s), s)
            starts.setdefault(u, s)
            starts[u] = min(starts[u], s)
        h.add_edge(u, v, key=k, **clean)
    for n0, d in g.nodes(data=True):
        n = _xml_text(n0)
        clean = {a: ("" if x is None else _xml_text(x)) for a, x in d.items()}
        if n in starts:
            clean["start"] = starts[n]
        h.add_node(n, **clean)
    return h


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(value: object) -> object:
    r"""Text XML 1.0 can hold: a character it cannot (C0 controls but tab and line ends, lone
    surrogates, U+FFFE/U+FFFF) is written as its escape ``\x0b`` (the CSV exports keep the
    text exactly).  Other values are returned as they are.

    >>> _xml_text("bad\x0bvt"), _xml_text(3)
    ('bad\\x0bvt', 3)
    """
    if not isinstance(value, str) or not _XML_BAD.search(value):
        return value
    return _XML_BAD.sub(lambda m: f"\\x{ord(m.group()):02x}" if ord(m.group()) < 0x100
                        else f"\\u{ord(m.group()):04x}", value)


def _epoch(iso: str) -> float:
    import pandas as pd

    return float(pd.Timestamp(iso).value // 1_000_000_000)


def _gexf_bytes(g: nx.MultiDiGraph) -> bytes:
    import networkx as nx

    timed = any("start" in d for _, _, d in g.edges(data=True))
    h = g.copy()
    if timed:
        h.graph["mode"] = "dynamic"
        # GEXF needs a start on every element of a dynamic graph: untimed ones from the start.
        first = min(d["start"] for _, _, d in h.edges(data=True) if "start" in d)
        for _, d in h.nodes(data=True):
            d.setdefault("start", first)
        for _, _, d in h.edges(data=True):
            d.setdefault("start", first)
    buf = io.BytesIO()
    nx.write_gexf(h, buf, encoding="utf-8", prettyprint=True)
    # networkx stamps the day of writing; the same analysis must give the same bytes
    return re.sub(rb' lastmodifieddate="[0-9-]*"', b"", buf.getvalue(), count=1)


def _csv_bytes(df: pd.DataFrame) -> bytes:
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            out[c] = out[c].map(_iso)
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def _iso(t: object) -> str | None:
    import pandas as pd

    if t is None or t is pd.NaT or (isinstance(t, float) and math.isnan(t)):
        return None
    ts = pd.Timestamp(t)
    if ts is pd.NaT:
        return None
    ts = ts.tz_convert("UTC") if ts.tzinfo else ts.tz_localize("UTC")
    s = ts.isoformat().replace("+00:00", "Z")
    return s


#: The codes of ``nodes.known`` and ``nodes.rule`` (stored as categoricals).
_KNOWN = ("", "explicit", "chain", "inferred")
_RULES = ("", "repost-id", "only", "latest-before", "not-in-list", "unresolved",
          "no parent named (time order)", "parent not in the list", "cycle cut here",
          "root chosen in a cycle (earliest row)", "exact duplicate")
_R = {r: i for i, r in enumerate(_RULES)}
_K = {k: i for i, k in enumerate(_KNOWN)}
_KINDS = ("original", "repost", "implied root", "missing parent")


def analyze(table: pd.DataFrame, *, displayed: Sequence[DisplayedCount] = (),
            seen: Sequence[SeenPost] = (), params: SpreadParams | None = None,
            progress: bool | None = None, **kwargs: Any) -> SpreadAnalysis:
    """The spread of every post in ``table`` (a repost table, :data:`TABLE_COLUMNS`).

    Parameters
    ----------
    table : DataFrame
        From :func:`repost_table`, :func:`read_repost_list` or :func:`make_table`.
    displayed : sequence of DisplayedCount
        Counts shown for whole posts at capture times (e.g. :func:`displayed_counts`).
    seen : sequence of SeenPost
        Posts as captures show them (e.g. :func:`seen_posts`): for a post whose list has no
        row for the original, the author and time of the original come from here.
    params : SpreadParams, optional
        Or its fields as keyword arguments (``amplifier_min_reach=20``...).
    progress : bool, optional
        A progress bar over the steps (default: in terminals and notebooks).

    Examples
    --------
    >>> t = make_table([
    ...     dict(post_id="P", account_id="A", time_shown="2026-11-20T10:00:00+08:00", text="原文"),
    ...     dict(post_id="P", account_id="B", parent_account_id="A",
    ...          time_shown="2026-11-20T09:00:00+08:00", text="转发"),
    ...     dict(post_id="P", account_id="B", parent_account_id="A",
    ...          time_shown="2026-11-20T09:00:00+08:00", text="转发"),
    ... ])
    >>> q = analyze(t).to_json()[0]["data_quality"]
    >>> q["duplicate_rows"], q["negative_delays"]
    (1, 1)
    """

    from forensics._progress import progress_bar

    if params is None:
        params = SpreadParams(**kwargs)
    elif kwargs:
        raise InputError("give either params or keyword settings, not both")
    missing_cols = [c for c in TABLE_COLUMNS if c not in table.columns]
    if missing_cols:
        raise InputError(f"not a repost table: columns {', '.join(missing_cols)} are missing "
                         f"(build it with forensics.spread.repost_table or read_repost_list)")
    with progress_bar(total=6, desc="spread", unit="step", enabled=progress) as bar:
        return _analyze(table.reset_index(drop=True), displayed, seen, params,
                        lambda: bar.update(1))  # type: ignore[attr-defined]


def _analyze(t: pd.DataFrame, displayed: Sequence[DisplayedCount], seen: Sequence[SeenPost],
             params: SpreadParams, step: Any) -> SpreadAnalysis:
    import numpy as np
    import pandas as pd

    n = len(t)
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    post_codes, post_index = pd.factorize(t["post_id"], sort=True)
    post_codes = post_codes.astype(np.int64, copy=False)
    post_names = np.asarray(post_index, dtype=object)
    n_posts = len(post_names)
    earliest = _ns_array(t["earliest"])
    latest = _ns_array(t["latest"])
    latest = np.where((latest == nat) & (earliest != nat), earliest, latest)
    acc_codes = _codes(t["account_id"], t["parent_account_id"])
    (acc, pacc), n_acc = acc_codes.codes, acc_codes.count
    if (t["parent_repost_id"] != "").any():
        rid, prid = _codes(t["repost_id"], t["parent_repost_id"]).codes
    else:
        rid = prid = np.full(n, -1, dtype=np.int64)
    if (t["parent_name"] != "").any():
        name, pname = _codes(t["account_name"], t["parent_name"]).codes
    else:
        name = pname = np.full(n, -1, dtype=np.int64)
    dup, first_of = _duplicates(t, post_codes, acc, earliest)
    live = ~dup
    _release_arrow_memory()
    step()

    # -- parent rows --------------------------------------------------------------------------
    parent = np.full(n, -1, dtype=np.int64)
    rule = np.zeros(n, dtype=np.int8)
    has_prid = prid >= 0
    has_pacc = ~has_prid & (pacc >= 0)
    has_pname = ~has_prid & ~has_pacc & (pname >= 0)
    is_orig = ~(has_prid | has_pacc | has_pname)
    known = np.where(is_orig, _K[""], np.where((t["parent_source"] == "chain").to_numpy(),
                                                _K["chain"], _K["explicit"])).astype(np.int8)
    _link(parent, rule, np.flatnonzero(has_prid & live), post_codes, prid, rid, live,
          earliest, by_id=True)
    _link(parent, rule, np.flatnonzero(has_pacc & live), post_codes, pacc, acc, live,
          earliest, by_id=False)
    _link(parent, rule, np.flatnonzero(has_pname & live), post_codes, pname, name, live,
          earliest, by_id=False)
    self_loop = ((pacc >= 0) & (pacc == acc)) | (has_prid & (prid == rid))
    step()

    # -- placeholders for parents not in the list -------------------------------------------------
    miss = np.flatnonzero((rule == _R["not-in-list"]) & live)
    ph_kind = np.where(has_prid[miss], 0, np.where(has_pacc[miss], 1, 2))
    ph_val = np.where(ph_kind == 0, prid[miss], np.where(ph_kind == 1, pacc[miss], pname[miss]))
    ph_of, ph_first = _group_first(post_codes[miss], ph_kind, ph_val)
    m = len(ph_first)
    first_rows = miss[ph_first]
    ph_post = post_codes[first_rows]
    parent[miss] = n + ph_of
    total = n + m
    parent = np.concatenate([parent, np.full(m, -1, dtype=np.int64)])
    known = np.concatenate([known, np.zeros(m, np.int8)])
    rule = np.concatenate([rule, np.zeros(m, np.int8)])
    posts_all = np.concatenate([post_codes, ph_post])
    e_all = np.concatenate([earliest, np.full(m, nat, dtype=np.int64)])
    l_all = np.concatenate([latest, np.full(m, nat, dtype=np.int64)])
    kind = np.concatenate([np.where(is_orig, 0, 1), np.full(m, 3)]).astype(np.int8)
    dup_all = np.concatenate([dup, np.zeros(m, bool)])
    # the account of a placeholder: the parent account (by id), else the parent name
    ph_acc = np.where(has_pacc[first_rows] | (has_prid[first_rows] & (pacc[first_rows] >= 0)),
                      pacc[first_rows], -1)
    ph_name = np.where((ph_acc < 0) & (pname[first_rows] >= 0), pname[first_rows], -1)
    child_first = np.full(total, big, dtype=np.int64)
    child_count = np.zeros(total, dtype=np.int64)
    if m:
        np.minimum.at(child_first, parent[miss], np.where(earliest[miss] == nat, big,
                                                          earliest[miss]))
        child_count = np.bincount(parent[miss], minlength=total)

    # -- one root per post --------------------------------------------------------------------------
    root = np.full(n_posts, -1, dtype=np.int64)
    root_how = np.zeros(n_posts, dtype=np.int8)  # 1 original, 2 implied, 3 cycle
    order_key = np.where(e_all == nat, big, e_all)
    orig_idx = np.flatnonzero(is_orig & live)
    if len(orig_idx):
        o = orig_idx[np.lexsort((orig_idx, order_key[orig_idx], posts_all[orig_idx]))]
        firsts = o[np.r_[True, posts_all[o][1:] != posts_all[o][:-1]]]
        root[posts_all[firsts]] = firsts
        root_how[posts_all[firsts]] = 1
        others = np.setdiff1d(o, firsts, assume_unique=True)
        parent[others] = root[posts_all[others]]
        known[others] = _K["inferred"]
        rule[others] = _R["no parent named (time order)"]
        kind[others] = 1  # a repost whose parent is not named
    if m:
        ph = np.arange(n, total)
        ph = ph[np.lexsort((ph, -child_count[ph], child_first[ph], posts_all[ph]))]
        best = ph[np.r_[True, posts_all[ph][1:] != posts_all[ph][:-1]]]
        best = best[root[posts_all[best]] < 0]  # posts without an original row
        root[posts_all[best]] = best
        root_how[posts_all[best]] = 2
        kind[best] = 2
        rest = np.setdiff1d(ph, best)
        parent[rest] = root[posts_all[rest]]
        known[rest] = _K["inferred"]
        rule[rest] = _R["parent not in the list"]

    # -- posts seen in captures: the author and time of an original that has no row ---------------
    seen_over: dict[int, SeenPost] = {}
    extra_originators: dict[int, list[str]] = {}
    by_post = {str(x): i for i, x in enumerate(post_names)}
    for sp in seen:
        p = by_post.get(sp.post_id)
        if p is None or root[p] < 0 or root_how[p] != 2 or int(root[p]) in seen_over:
            continue
        r = int(root[p])
        seen_over[r] = sp
        if sp.earliest is not None:
            e_all[r] = _ns(sp.earliest)
            l_all[r] = _ns(sp.latest or sp.earliest)
        if sp.account_id:
            code = acc_codes.of(sp.account_id)
            if ph_acc[r - n] < 0 and ph_name[r - n] < 0:
                if code is None:
                    extra_originators.setdefault(p, []).append(sp.account_id)
                else:
                    ph_acc[r - n] = code
            elif code is None or code != ph_acc[r - n]:
                extra_originators.setdefault(p, []).append(sp.account_id)
    step()

    # -- depth (pointer doubling), cycles ----------------------------------------------------------
    depth, stuck = _depths(parent)
    cycles_per_post = np.zeros(n_posts, dtype=np.int64)
    cycle_rows = np.zeros(total, bool)
    if stuck.any():
        for cyc in _cycles(parent, np.flatnonzero(stuck)):
            members = np.asarray(cyc)
            cycle_rows[members] = True
            cut = int(members[np.lexsort((members, order_key[members]))][0])
            p = int(posts_all[cut])
            cycles_per_post[p] += 1
            if root[p] < 0 or root[p] in set(cyc):
                root[p] = cut
                root_how[p] = 3
                parent[cut] = -1
                known[cut] = _K[""]
                rule[cut] = _R["root chosen in a cycle (earliest row)"]
            else:
                parent[cut] = root[p]
                known[cut] = _K["inferred"]
                rule[cut] = _R["cycle cut here"]
        depth, stuck = _depths(parent)
    # duplicates share their first copy's parent and depth but are not tree nodes
    parent_out = parent.copy()
    if dup.any():
        d_idx = np.flatnonzero(dup)
        parent_out[d_idx] = parent[first_of[d_idx]]
        depth[d_idx] = depth[first_of[d_idx]]
        known[d_idx] = known[first_of[d_idx]]
        rule[d_idx] = _R["exact duplicate"]
    tree = ~dup_all
    tree_parent = np.where(tree, parent, -1)
    children = np.bincount(tree_parent[tree_parent >= 0], minlength=total).astype(np.int64)
    reach = _reach(tree_parent, depth, tree)
    step()

    # -- accounts: one integer key space for ids and (parent) names --------------------------------
    akey = np.concatenate([acc, np.where(ph_acc >= 0, ph_acc,
                                         np.where(ph_name >= 0, n_acc + ph_name, -1))])
    # -- per-post measures ----------------------------------------------------------------------------
    repost = kind == 1
    n_rows = np.bincount(posts_all[repost], minlength=n_posts)
    n_unique = np.bincount(posts_all[repost & tree], minlength=n_posts)
    nodes_per_post = np.bincount(posts_all[tree], minlength=n_posts)
    width = int(akey.max(initial=0)) + 2
    with_acc = tree & (akey >= 0)
    pair = posts_all[with_acc] * width + akey[with_acc]
    if _dense(n_posts * width, len(pair)):  # dense pairs: counted without hashing
        pair = np.flatnonzero(np.bincount(pair, minlength=n_posts * width))
    else:
        pair = pd.unique(pair)
    distinct_acc = np.bincount(pair // width, minlength=n_posts)
    max_depth = np.zeros(n_posts, dtype=np.int64)
    np.maximum.at(max_depth, posts_all[tree], depth[tree])
    dmax = int(depth.max(initial=0)) + 1
    lv_codes, levels = pd.factorize(posts_all[tree] * dmax + depth[tree])
    level_n = np.bincount(lv_codes, minlength=len(levels))
    max_breadth = np.zeros(n_posts, dtype=np.int64)
    np.maximum.at(max_breadth, np.asarray(levels, dtype=np.int64) // dmax, level_n)
    nonroot = tree & (tree_parent >= 0)
    s = (reach[nonroot] + 1).astype(np.float64)
    npp = nodes_per_post[posts_all[nonroot]].astype(np.float64)
    wiener = np.bincount(posts_all[nonroot], weights=s * (npp - s), minlength=n_posts)
    del pair, lv_codes, levels, level_n, with_acc, nonroot
    pairs = nodes_per_post.astype(np.float64) * (nodes_per_post - 1) / 2
    virality = np.where(pairs > 0, wiener / np.where(pairs > 0, pairs, 1), 0.0)

    # -- data quality ------------------------------------------------------------------------------------
    q: dict[str, np.ndarray] = {}
    q["duplicate_rows"] = np.bincount(post_codes[dup], minlength=n_posts)
    q["self_loops"] = np.bincount(post_codes[self_loop & live], minlength=n_posts)
    q["cycles"] = cycles_per_post
    pe = np.where(parent_out[:n] >= 0, e_all[np.maximum(parent_out[:n], 0)], nat)
    neg = (parent_out[:n] >= 0) & (latest != nat) & (pe != nat) & (latest < pe) & live
    q["negative_delays"] = np.bincount(post_codes[neg], minlength=n_posts)
    miss_rows = np.zeros(n, bool)
    miss_rows[miss] = True
    under_implied = miss_rows & (root_how[post_codes] == 2) & (parent[:n] == root[post_codes])
    q["missing_parents"] = np.bincount(post_codes[miss_rows & ~under_implied], minlength=n_posts)
    q["missing_root"] = np.isin(root_how, (2, 3)).astype(np.int64)  # implied, or cut from a cycle
    q["inferred_links"] = np.bincount(posts_all[(known == _K["inferred"]) & tree],
                                      minlength=n_posts)
    unresolved = (rule[:n] == _R["unresolved"]) & live
    q["unresolved_parents"] = np.bincount(post_codes[unresolved], minlength=n_posts)
    untimed = repost[:n] & (latest == nat)
    q["untimed_rows"] = np.bincount(post_codes[untimed], minlength=n_posts)
    vk = t["views_kind"].isin(("approximate", "at least")).to_numpy()
    rk = t["reposts_kind"].isin(("approximate", "at least")).to_numpy()
    q["approximate_counts"] = np.bincount(post_codes, weights=(vk.astype(np.int64) + rk) * live,
                                          minlength=n_posts).astype(np.int64)
    linked = live & ~is_orig & (acc >= 0) & ((pacc >= 0) | (pname >= 0))
    pkey = np.where(pacc >= 0, pacc, n_acc + np.maximum(pname, 0))
    q["multi_parent"] = np.zeros(n_posts, np.int64)
    multi_rows = np.zeros(n, bool)
    if linked.any():
        # (post, account) pairs; a pair has several parents when its least and greatest
        # parent keys differ
        rows_l = np.flatnonzero(linked)
        pc_codes = post_codes[rows_l] * (n_acc + 1) + acc[rows_l]
        pc_keys = np.arange(n_posts * (n_acc + 1), dtype=np.int64)
        if not _dense(len(pc_keys), len(rows_l)):  # sparse pairs: numbered densely first
            pc_codes, pc_keys = pd.factorize(pc_codes)
            pc_keys = np.asarray(pc_keys, dtype=np.int64)
        least = np.full(len(pc_keys), big, dtype=np.int64)
        np.minimum.at(least, pc_codes, pkey[rows_l])
        most = np.full(len(pc_keys), -1, dtype=np.int64)
        np.maximum.at(most, pc_codes, pkey[rows_l])
        several = most > least  # pairs without rows: least big, most -1
        q["multi_parent"] = np.bincount(pc_keys[several] // (n_acc + 1), minlength=n_posts)
        multi_rows[rows_l[several[pc_codes]]] = True
        del rows_l, pc_codes, pc_keys, least, most, several
    step()

    # -- the nodes frame ----------------------------------------------------------------------------
    del acc, pacc, rid, prid, name, pname, has_pacc, has_pname, pe, pkey, order_key, acc_codes
    del earliest, latest, child_first, child_count, tree_parent, s, npp, stuck
    _release_arrow_memory()
    nodes = _nodes_frame(t, n, m, posts_all, post_names, kind, akey, n_acc, parent_out, depth,
                         e_all, l_all, known, rule, reach, children, dup_all, first_of,
                         first_rows, ph_acc, ph_name, has_prid, seen_over)
    # the frame holds its own (smaller) copies from here on
    children = nodes["children"].to_numpy()
    reach = nodes["reach"].to_numpy()
    del parent_out, depth, parent
    _release_arrow_memory()
    variants = _variants(nodes, root, kind, posts_all, params)
    if not variants.empty:
        nodes.loc[variants["node"].to_numpy(), "changed_text"] = True
    _release_arrow_memory()
    accounts = _accounts(nodes, akey, posts_all, kind, tree, children, reach, l_all, params, n)
    _release_arrow_memory()
    marks = _marks(nodes, t, root, kind, posts_all, akey, e_all, l_all, dup_all, first_of,
                   post_names, params, displayed)
    quality = _quality(t, q, post_names, post_codes, {
        "duplicate_rows": dup, "self_loops": self_loop & live, "negative_delays": neg,
        "missing_parents": miss_rows & ~under_implied, "unresolved_parents": unresolved,
        "inferred_links": (known[:n] == _K["inferred"]) & live, "multi_parent": multi_rows,
        "cycles": cycle_rows[:n], "untimed_rows": untimed})
    step()

    # -- the posts frame ----------------------------------------------------------------------------
    orig_time = np.where(root >= 0, e_all[np.maximum(root, 0)], nat)
    first_rep = np.full(n_posts, big, dtype=np.int64)
    np.minimum.at(first_rep, posts_all[repost], np.where(l_all[repost] == nat, big,
                                                          l_all[repost]))
    first_rep = np.where(first_rep == big, nat, first_rep)
    last_rep = np.full(n_posts, nat, dtype=np.int64)
    np.maximum.at(last_rep, posts_all[repost], l_all[repost])
    views = t["views"].to_numpy(dtype="float64", na_value=np.nan)
    views_total = np.bincount(post_codes[live & ~np.isnan(views)],
                              weights=views[live & ~np.isnan(views)],
                              minlength=n_posts).astype(np.int64)
    ids = nodes["account_id"]
    names = nodes["account_name"]
    originators: list[tuple[str, ...]] = []
    views_orig: list[int | None] = []
    views_orig_kind: list[str] = []
    for p in range(n_posts):
        r = int(root[p])
        who: list[str] = []
        if r >= 0 and kind[r] in (0, 2) and (ids.iat[r] or names.iat[r]):
            who.append(str(ids.iat[r] or names.iat[r]))
        who += [x for x in extra_originators.get(p, ()) if x not in who]
        originators.append(tuple(who))
        if 0 <= r < n and not np.isnan(views[r]):
            views_orig.append(int(views[r]))
            views_orig_kind.append(str(t["views_kind"].iat[r]))
        else:
            views_orig.append(None)
            views_orig_kind.append("")
    ev_codes, ev_names = pd.factorize(t["evidence_id"])
    evidence = [[] for _ in range(n_posts)]
    if n:
        pe_pairs = np.sort(pd.unique(post_codes * (len(ev_names) + 1) + ev_codes))
        for x in pe_pairs:
            e_code = int(x % (len(ev_names) + 1))
            if e_code < len(ev_names) and ev_names[e_code]:
                evidence[int(x // (len(ev_names) + 1))].append(str(ev_names[e_code]))
    for r, sp in seen_over.items():
        if sp.evidence_id and sp.evidence_id not in evidence[int(posts_all[r])]:
            evidence[int(posts_all[r])].append(sp.evidence_id)
    lk = np.zeros((n_posts, len(_KNOWN)), dtype=np.int64)
    np.add.at(lk, (posts_all[tree], known[tree]), 1)
    var_n = (np.bincount(pd.Categorical(variants["post_id"], categories=post_names).codes,
                         minlength=n_posts) if not variants.empty
             else np.zeros(n_posts, np.int64))
    posts = pd.DataFrame({
        "post_id": post_names, "originators": originators, "repost_rows": n_rows,
        "distinct_accounts": distinct_acc, "unique_reposts": n_unique, "max_depth": max_depth,
        "max_breadth": max_breadth, "structural_virality": virality, "nodes": nodes_per_post,
        "original_time": _to_ts(orig_time), "first_repost_time": _to_ts(first_rep),
        "last_repost_time": _to_ts(last_rep),
        "views_original": pd.array(views_orig, dtype="Int64"),
        "views_original_kind": views_orig_kind,
        "views_shown_total": views_total,
        "changed_text_variants": var_n, "links_explicit": lk[:, _K["explicit"]],
        "links_chain": lk[:, _K["chain"]], "links_inferred": lk[:, _K["inferred"]],
        "evidence": [tuple(sorted(e)) for e in evidence],
        "root_how": [("", "original", "implied", "cycle")[h] for h in root_how],
        **{k: np.asarray(q[k], dtype=np.int64) for k in QUALITY_KEYS + _EXTRA_QUALITY},
    })
    for (mark, rule_name), g in marks.groupby(["mark", "rule"], sort=False):
        posts[f"{mark}:{rule_name}"] = g.set_index("post_id")["reached_at"].reindex(
            posts["post_id"]).to_numpy()
    combined = _combined(nodes, posts, posts_all, kind, l_all, dup_all, akey, params)
    step()
    return SpreadAnalysis(nodes, posts, accounts, marks, variants, combined, quality, params,
                          tuple(displayed))


# -- helpers of analyze ------------------------------------------------------------------------------
#: Integer keys below ``per * n + _DENSE_SLACK`` (n: how many) are counted on a table indexed by
#: the key (linear, no hashing); sparser ones are numbered by hashing first.  Either way gives
#: the same result (the tests run both).
_DENSE_SLACK = 1024
#: Up to this many posts, the k-th time of each is found by a partial sort per post.
_FEW_POSTS = 64


def _dense(span: int, n: int, per: int = 4) -> bool:
    """Whether keys in ``range(span)``, ``n`` of them, are dense enough for a table."""
    return span <= per * n + _DENSE_SLACK


@dataclass(frozen=True)
class _Codes:
    """Joint integer codes of string columns: ``codes[i]`` for column i (-1 for ``""``),
    ``count`` distinct strings, and :meth:`of` for one more string."""

    codes: tuple[np.ndarray, ...]
    count: int
    ints: np.ndarray | None = None       # the distinct values, when the ids are all numbers
    strings: pa.Array | None = None      # else the distinct strings

    def of(self, value: str) -> int | None:
        import numpy as np
        import pyarrow.compute as pc

        if self.ints is not None:
            if not re.fullmatch(r"0|[1-9][0-9]{0,17}", value):
                return None
            hit = np.flatnonzero(self.ints == int(value))
            return int(hit[0]) if len(hit) else None
        got = pc.index(self.strings, value).as_py() if self.strings is not None else -1
        return None if got < 0 else int(got)


def _numeric_ids(arr: pa.Array | pa.ChunkedArray) -> bool:
    """Whether every value is empty or a plain number of at most 18 digits without a leading
    zero (so text and int64 correspond one to one), checked on the arrow buffers."""
    import numpy as np

    for chunk in _chunks(arr):
        got = _string_buffers(chunk)
        if got is None:
            return False
        offsets, data = got
        seg = data[offsets[0]:offsets[-1]]
        if seg.size and (np.subtract(seg, 0x30, dtype=np.uint8) > 9).any():  # not 0-9
            return False
        lens = np.diff(offsets)
        if lens.size and lens.max() > 18:
            return False
        if (data[offsets[:-1][lens > 1]] == 0x30).any():
            return False
    return True


def _id_ints(arr: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Numeric ids as int64 (``""`` as -1), without copying the strings when none is empty."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    empty = pc.equal(arr, "")
    if not pc.any(empty).as_py():
        return pc.cast(arr, pa.int64()).to_numpy(zero_copy_only=False)
    return _ints_where(arr, np.asarray(pc.invert(empty).to_numpy(zero_copy_only=False),
                                       dtype=bool), -1)


def _ints_where(arr: pa.Array | pa.ChunkedArray, keep: np.ndarray, fill: int) -> np.ndarray:
    """The strings where ``keep`` is set read as int64 (arrow's cast: each must be a number),
    ``fill`` elsewhere.  The other values are marked null on the same buffers (no copy of the
    strings) where the layout allows, else left out by a filter."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    parts, at = [], 0
    for chunk in _chunks(arr):
        k = keep[at:at + len(chunk)]
        if chunk.offset or chunk.null_count or not pa.types.is_large_string(chunk.type):
            part = np.full(len(chunk), fill, dtype=np.int64)
            part[k] = pc.cast(chunk.filter(pa.array(k)), pa.int64()).to_numpy(
                zero_copy_only=False)
        else:
            bufs = chunk.buffers()
            masked = pa.LargeStringArray.from_buffers(len(chunk), bufs[1], bufs[2],
                                                      pa.array(k).buffers()[1])
            part = pc.cast(masked, pa.int64()).fill_null(fill).to_numpy(zero_copy_only=False)
        parts.append(part)
        at += len(chunk)
    if len(parts) == 1:
        return parts[0] if parts[0].flags.writeable else parts[0].copy()  # callers write to it
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _release_arrow_memory() -> None:
    """Give the memory arrow freed back to the system (its allocator keeps it otherwise, and
    numpy cannot use it)."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


def _codes(*cols: pd.Series) -> _Codes:
    """Joint integer codes of string columns (equal strings, equal codes; ``""`` is -1).

    Ids that are all plain numbers (no leading zero, at most 18 digits, so text and number
    correspond one to one) are compared as int64, which is several times faster; others are
    dictionary-encoded by arrow (no Python string objects, no copy of the columns).
    """
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    arrs = [_arrow_strings(c) for c in cols]
    if all(_numeric_ids(a) for a in arrs):
        ints = [_id_ints(a) for a in arrs]
        allv = np.concatenate(ints)
        codes, uniq = pd.factorize(allv)
        codes = codes.astype(np.int64, copy=False)
        codes[allv == -1] = -1
        out, at = [], 0
        for x in ints:
            out.append(codes[at:at + len(x)])
            at += len(x)
        return _Codes(tuple(out), len(uniq), ints=np.asarray(uniq, dtype=np.int64))
    arrs = [a.cast(pa.large_string()) if a.type != pa.large_string() else a for a in arrs]
    enc = _dictionary(arrs[0])
    out = [enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)]
    dictionary = enc.dictionary
    for arr in arrs[1:]:  # looked up in the first column's values; only what is new is encoded
        got = pc.index_in(arr, value_set=dictionary)
        new = got.is_null().to_numpy(zero_copy_only=False)
        codes = got.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64)
        if new.any():
            extra = _dictionary(arr.filter(pa.array(new)))
            codes[new] = extra.indices.to_numpy(zero_copy_only=False) + len(dictionary)
            dictionary = pa.concat_arrays([dictionary, extra.dictionary])
        out.append(codes)
    empty = pc.index(dictionary, "").as_py()
    if empty >= 0:
        for o in out:
            o[o == empty] = -1
    return _Codes(tuple(out), len(dictionary), strings=dictionary)


def _group_first(*keys: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Group rows by equal integer keys: each row's group number (in order of first
    appearance) and the first row of each group."""
    import numpy as np
    import pandas as pd

    if not len(keys[0]):
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    codes = np.zeros(len(keys[0]), dtype=np.int64)
    for k in keys:  # combine the keys one at a time, re-densified (no overflow)
        k = np.asarray(k, dtype=np.int64)
        width = int(k.max(initial=0)) - int(k.min(initial=0)) + 1
        codes, _ = pd.factorize(codes * width + (k - k.min(initial=0)))
        codes = codes.astype(np.int64, copy=False)
    ng = int(codes.max(initial=-1)) + 1
    first = np.full(ng, len(codes), dtype=np.int64)
    np.minimum.at(first, codes, np.arange(len(codes)))
    return codes, first  # factorize numbers groups in order of first appearance


def _duplicates(t: pd.DataFrame, post: np.ndarray, acc: np.ndarray,
                earliest: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Exact duplicate rows (all of :data:`_DUP_COLUMNS` equal to an earlier row's) and, for
    each row, the first row it repeats (itself if none).  Rows are compared in full only where
    a cheap key (post, account, time) repeats."""
    import numpy as np
    import pandas as pd

    n = len(t)
    first_of = np.arange(n, dtype=np.int64)
    dup = np.zeros(n, bool)
    if n < 2:
        return dup, first_of
    # rows whose (post, account) repeats (counted on a table when the pairs are dense)...
    pair = post.astype(np.int64) * (int(acc.max(initial=0)) + 2) + acc + 1
    dense = _dense(int(pair.max()) + 1, n)
    idx = np.flatnonzero(np.bincount(pair)[pair] > 1) if dense else np.arange(n)
    # ... then one int64 key of (post, account, time), mixed with wrap-around: rows with equal
    # keys are candidates (a collision only adds a row that the full comparison tells apart)
    key = pair[idx] * np.int64(-7046029254386353131) ^ earliest[idx]
    codes, uniq = pd.factorize(key)
    idx = idx[np.bincount(codes, minlength=len(uniq))[codes] > 1]
    if not len(idx):
        return dup, first_of
    sub = pd.DataFrame({c: _pick(t[c], idx) for c in _DUP_COLUMNS})
    group = sub.groupby(list(_DUP_COLUMNS), sort=False, dropna=False).ngroup().to_numpy()
    firsts = np.full(int(group.max()) + 1, -1, dtype=np.int64)
    for g, i in zip(group[::-1], idx[::-1], strict=True):  # idx ascending: last write = first
        firsts[g] = i
    first_of[idx] = firsts[group]
    dup = first_of != np.arange(n)
    return dup, first_of


def _pick(values: pd.Series, idx: np.ndarray) -> pd.Series:
    """``values.iloc[idx]`` for ascending ``idx``, with a fresh index: arrow-backed strings are
    filtered chunk by chunk (a take would first put all the chunks of a large column
    together)."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        mask = np.zeros(len(values), bool)
        mask[idx] = True
        return pd.Series(_arrow_strings(values).filter(pa.array(mask)), dtype=values.dtype)
    return values.iloc[idx].reset_index(drop=True)


def _prefixed(prefix: str, values: pd.Series) -> pd.Series:
    """``prefix + value``, or ``""`` for an empty value."""
    out = prefix + values
    empty = values == ""
    return out.where(~empty, "") if empty.any() else out


def _small(a: np.ndarray) -> np.ndarray:
    """int32 when the values fit (node numbers, depths, counts of a table below 2**31 rows):
    half the memory of a million-row frame's integer columns."""
    import numpy as np

    if len(a) and (a.max() >= 2**31 or a.min() < -(2**31)):
        return a
    return a.astype(np.int32)


def _sparse_text(n: int, extra: Sequence[str]) -> pd.Categorical:
    """``n`` empty strings followed by ``extra``, stored as codes (a categorical)."""
    import numpy as np
    import pandas as pd

    cats = list(dict.fromkeys(["", *extra]))
    where = {c: i for i, c in enumerate(cats)}
    codes = np.concatenate([np.zeros(n, np.int32), np.asarray([where[x] for x in extra],
                                                              dtype=np.int32)])
    return pd.Categorical.from_codes(codes, categories=cats)


def _nodes_frame(t: pd.DataFrame, n: int, m: int, posts_all: np.ndarray,
                 post_names: np.ndarray, kind: np.ndarray, akey: np.ndarray, n_acc: int,
                 parent: np.ndarray, depth: np.ndarray, e_all: np.ndarray, l_all: np.ndarray,
                 known: np.ndarray, rule: np.ndarray, reach: np.ndarray, children: np.ndarray,
                 dup_all: np.ndarray, first_of: np.ndarray, first_rows: np.ndarray,
                 ph_acc: np.ndarray, ph_name: np.ndarray, has_prid: np.ndarray,
                 seen_over: Mapping[int, SeenPost]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    def col(name: str, extra: Sequence[object]) -> pd.Series:
        s = t[name].reset_index(drop=True)
        if not m:
            return s
        if isinstance(s.dtype, pd.StringDtype) and s.dtype.storage == "pyarrow" \
                and s.dtype.na_value is not pd.NA and not s.isna().any():
            # arrow-backed text (as str): the placeholders' values appended as one more chunk
            arr = _arrow_strings(s)
            more = pa.array([str(x) for x in extra], type=arr.type)
            return pd.Series(pa.chunked_array([*_chunks(arr), more], type=arr.type),
                             dtype=s.dtype)
        return pd.concat([s.astype(object), pd.Series(list(extra), dtype=object)],
                         ignore_index=True).astype(str)

    acc_id = t["parent_account_id"].iloc[first_rows].to_numpy(dtype=object) if m else []
    ph_ids = [str(acc_id[j]) if ph_acc[j] >= 0 and acc_id[j] else "" for j in range(m)]
    pnames = t["parent_name"].iloc[first_rows].to_numpy(dtype=object) if m else []
    ph_names = [str(pnames[j]) if ph_name[j] >= 0 else "" for j in range(m)]
    notes = []
    for j in range(m):
        r = int(first_rows[j])
        label = (f"placeholder for repost {t['parent_repost_id'].iat[r]!r}" if has_prid[r]
                 else "placeholder for a parent with no row")
        sp = seen_over.get(n + j)
        if sp is not None:
            label += f"; author and time from {sp.evidence_id or 'a capture'} ({sp.source})"
            if sp.account_id and not ph_ids[j]:
                ph_ids[j] = sp.account_id
            if sp.account_name and not ph_names[j]:
                ph_names[j] = sp.account_name
        notes.append(label)
    account_id = col("account_id", ph_ids)
    account_name = col("account_name", ph_names)
    key = _prefixed("account:", account_id)
    if m:
        by_name = (akey[n:] >= n_acc)
        prids = t["parent_repost_id"].iloc[first_rows].to_numpy(dtype=object)
        ph_keys = [("name:" + ph_names[j]) if by_name[j] else
                   (f"account:{ph_ids[j]}" if ph_ids[j] else
                    f"repost:{prids[j]}" if has_prid[first_rows[j]] else "")
                   for j in range(m)]
        if isinstance(key.dtype, pd.StringDtype) and key.dtype.storage == "pyarrow" \
                and key.dtype == account_id.dtype and not key.isna().any():
            arr = _arrow_strings(key).slice(0, n)
            key = pd.Series(pa.concat_arrays([*_chunks(arr), pa.array(ph_keys, type=arr.type)]),
                            dtype=key.dtype)
        else:
            key = key.astype(object)
            key.iloc[n:] = ph_keys
            key = key.astype(account_id.dtype)
    dup_of = np.where(dup_all[:n], t["row"].to_numpy(np.int64)[first_of], 0)
    # the table's own time and count columns serve when no row was added or changed (no copy)
    share = (not m and not seen_over and t["views"].dtype == "Int64"
             and (e_all == _ns_array(t["earliest"])).all()
             and (l_all == _ns_array(t["latest"])).all())
    evidence = col("evidence_id", [""] * m)
    sha = col("sha256", [""] * m)
    text = col("text", [""] * m)
    if seen_over:
        evidence, sha, text = evidence.astype(object), sha.astype(object), text.astype(object)
        for r, sp in seen_over.items():
            evidence.iat[r], sha.iat[r], text.iat[r] = sp.evidence_id, sp.sha256, sp.text
    nodes = pd.DataFrame({
        "node": np.arange(n + m, dtype=np.int32 if n + m < 2**31 else np.int64),
        "post_id": pd.Categorical.from_codes(posts_all, categories=pd.Index(post_names,
                                                                           dtype=object)),
        "kind": pd.Categorical.from_codes(kind, categories=list(_KINDS)),
        "account_id": account_id,
        "account_name": account_name,
        "account_key": key,
        "parent_node": _small(parent),
        "depth": _small(depth),
        "earliest": t["earliest"].reset_index(drop=True) if share else _to_ts(e_all),
        "latest": t["latest"].reset_index(drop=True) if share else _to_ts(l_all),
        "known": pd.Categorical.from_codes(known, categories=list(_KNOWN)),
        "rule": pd.Categorical.from_codes(rule, categories=list(_RULES)),
        "reach": _small(reach),
        "children": _small(children),
        "evidence_id": evidence,
        "sha256": sha,
        "row": _small(np.concatenate([t["row"].to_numpy(np.int64), np.zeros(m, np.int64)])),
        "time_shown": col("time_shown", [""] * m),
        "text": text,
        "views": t["views"].reset_index(drop=True) if share else _views_column(t["views"], m),
        "changed_text": np.zeros(n + m, bool),
        "duplicate": dup_all,
        "duplicate_of_row": _small(np.concatenate([dup_of, np.zeros(m, np.int64)])),
        "note": _sparse_text(n, notes),
    }, copy=False)
    return nodes


def _views_column(views: pd.Series, m: int) -> pd.arrays.IntegerArray:
    """The table's views (Int64) and ``m`` empty values for the placeholders."""
    import numpy as np
    import pandas as pd

    arr = pd.array(views, dtype="Int64")
    values = arr.to_numpy(dtype=np.int64, na_value=0)
    unknown = np.asarray(arr.isna())
    return pd.arrays.IntegerArray(np.concatenate([values, np.zeros(m, np.int64)]),
                                  np.concatenate([unknown, np.ones(m, bool)]))


def _ns_array(s: pd.Series) -> np.ndarray:
    """UTC times as int64 nanoseconds, NaT as the int64 minimum."""
    import numpy as np
    import pandas as pd

    if isinstance(s.dtype, pd.DatetimeTZDtype) and s.dtype.unit == "ns" \
            and str(s.dtype.tz) == "UTC":  # the table's own columns: their integers
        return np.array(s.array.asi8, dtype=np.int64)
    v = pd.to_datetime(s, utc=True)
    return v.dt.tz_localize(None).to_numpy(dtype="datetime64[ns]").view(np.int64).copy()


def _to_ts(a: np.ndarray) -> pd.Series:
    import numpy as np
    import pandas as pd

    arr = np.asarray(a, dtype=np.int64).view("datetime64[ns]")
    return pd.Series(pd.DatetimeIndex(arr).tz_localize("UTC"))


def _link(parent: np.ndarray, rule: np.ndarray, child: np.ndarray, post: np.ndarray,
          want: np.ndarray, have: np.ndarray, live: np.ndarray, earliest: np.ndarray, *,
          by_id: bool) -> None:
    """Resolve the parent row of each ``child`` (row indexes): the rows of the same post whose
    ``have`` code equals the child's ``want`` code (a repost id, an account id or a name).

    The rule of :func:`forensics.parsers.reposts.resolve_parent_reposts`: one candidate other
    than the row itself: it (``repost-id`` / ``only``); none: ``not-in-list``; several: for
    repost ids ``unresolved``; for accounts the latest at or before the child's earliest time
    (``latest-before``), ``unresolved`` on a tie or without a time.  An unresolved row is hung
    under the parent's earliest row, so the tree stays whole; it is counted as unresolved.
    """
    import numpy as np
    import pandas as pd

    if not len(child):
        return
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    cand = np.flatnonzero(live & (have >= 0))
    width = int(max(have.max(initial=0), want.max(initial=0))) + 2
    ckey = post[cand] * width + have[cand]
    qkey = post[child] * width + want[child]
    span = (int(post.max(initial=0)) + 1) * width
    if not _dense(span, len(cand) + len(child)):  # sparse keys: made dense first
        inv, uk = pd.factorize(np.concatenate([ckey, qkey]))
        inv = inv.astype(np.int64, copy=False)
        ckey, qkey, span = inv[:len(cand)], inv[len(cand):], len(uk)
    count = np.bincount(ckey, minlength=span)
    cnt = count[qkey]
    # is the child itself among its candidates (a self-repost)?
    at_cand = np.full(len(live), -1, dtype=np.int64)
    at_cand[cand] = np.arange(len(cand))
    own = at_cand[child] >= 0
    own[own] = ckey[at_cand[child[own]]] == qkey[own]
    others = cnt - own
    if count.max(initial=0) <= 1:  # one candidate at most per key (repost ids): no sorting
        at_key = np.full(len(count), -1, dtype=np.int64)
        at_key[ckey] = cand
        pick = at_key[qkey]  # where there is one other candidate, it is this one
    else:
        # candidates sorted by (key, time, index); untimed last within a key
        ctime = np.where(earliest[cand] == nat, big, earliest[cand])
        order = np.lexsort((cand, ctime, ckey))
        s_key, s_time, s_idx = ckey[order], ctime[order], cand[order]
        # where each key's candidates begin in that order (keys are dense codes: no search)
        start = np.concatenate([[0], np.cumsum(count)])[qkey]
        last = max(len(s_idx) - 1, 0)
        first = s_idx[np.minimum(start, last)] if len(s_idx) else np.full(len(child), -1)
        second = s_idx[np.minimum(start + 1, last)] if len(s_idx) else first
        pick = np.where(first == child, second, first)  # the earliest that is not the child
    none = others <= 0
    parent[child[none]] = -1
    rule[child[none]] = _R["not-in-list"]
    one = others == 1
    parent[child[one]] = pick[one]
    rule[child[one]] = _R["repost-id"] if by_id else _R["only"]
    many = np.flatnonzero(others >= 2)
    if not len(many):
        return
    if by_id:
        parent[child[many]] = pick[many]
        rule[child[many]] = _R["unresolved"]
        return
    ch = child[many]
    ct = earliest[ch]
    untimed = ct == nat
    pos = _search_pairs(s_key, s_time, qkey[many], np.where(untimed, nat + 1, ct)) - 1
    at = np.maximum(pos, 0)
    pos = np.where((pos >= 0) & (s_key[at] == qkey[many]) & (s_idx[at] == ch), pos - 1, pos)
    at = np.maximum(pos, 0)
    valid = (pos >= 0) & (s_key[at] == qkey[many]) & (s_time[at] != big)
    prev = pos - 1
    prev = np.where((prev >= 0) & (s_idx[np.maximum(prev, 0)] == ch), prev - 1, prev)
    pa = np.maximum(prev, 0)
    tie = valid & (prev >= 0) & (s_key[pa] == qkey[many]) & (s_time[pa] == s_time[at])
    decided = valid & ~tie & ~untimed
    parent[ch[decided]] = s_idx[at[decided]]
    rule[ch[decided]] = _R["latest-before"]
    parent[ch[~decided]] = pick[many][~decided]
    rule[ch[~decided]] = _R["unresolved"]


def _search_pairs(keys: np.ndarray, times: np.ndarray, qk: np.ndarray,
                  qt: np.ndarray) -> np.ndarray:
    """``searchsorted(side="right")`` of (qk, qt) in the lexicographically sorted pairs."""
    import numpy as np

    lo = np.searchsorted(keys, qk, "left")
    hi = np.searchsorted(keys, qk, "right")
    out, size = lo.copy(), hi - lo
    while True:  # a binary search in every block at once
        active = size > 0
        if not active.any():
            return out
        half = size // 2
        mid = out + half
        right = active & (times[np.minimum(mid, len(times) - 1)] <= qt)
        out = np.where(right, mid + 1, out)
        size = np.where(right, size - half - 1, np.where(active, half, 0))


def _depths(parent: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Depth of every node by pointer doubling (O(n log depth)), and the nodes that never reach
    a root (in or under a cycle)."""
    import numpy as np

    depth = (parent >= 0).astype(np.int64)
    anc = parent.copy()
    active = np.flatnonzero(anc >= 0)
    for _ in range(len(parent).bit_length() + 2):
        if not len(active):
            break
        a = anc[active]
        depth[active] += depth[a]
        anc[active] = anc[a]
        active = active[anc[active] >= 0]
    stuck = anc >= 0
    depth[stuck] = 0
    return depth, stuck


def _cycles(parent: np.ndarray, stuck: np.ndarray) -> list[list[int]]:
    """The cycles among the nodes that never reach a root (each node has one parent, so the
    cycles are disjoint)."""
    state: dict[int, int] = {}
    out: list[list[int]] = []
    for s in stuck.tolist():
        if s in state:
            continue
        path: list[int] = []
        x = s
        while x >= 0 and x not in state:
            state[x] = s
            path.append(x)
            x = int(parent[x])
        if x >= 0 and state.get(x) == s:
            out.append(path[path.index(x):])
    return out


def _reach(parent: np.ndarray, depth: np.ndarray, tree: np.ndarray) -> np.ndarray:
    """Descendants of every node, adding each level into the one above (deepest first)."""
    import numpy as np

    reach = np.zeros(len(parent), dtype=np.int64)
    nodes = np.flatnonzero(tree & (parent >= 0))
    if not len(nodes):
        return reach
    d = depth[nodes]
    top = int(d.max())
    # deepest first, in node order within a level (small keys: numpy's radix sort)
    order = nodes[np.argsort((top - d).astype(np.int16) if top < 2**15 else -d, kind="stable")]
    cuts = np.flatnonzero(np.diff(depth[order])) + 1
    for level in np.split(order, cuts):  # a level's parents are all one level up
        np.add.at(reach, parent[level], reach[level] + 1)
    return reach


def _own_bytes(text: pd.Series) -> np.ndarray:
    """UTF-8 bytes of each text before its first ``//@`` (all of it when there is none)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text.astype(object) if text.dtype == object else text)
    cut = pc.find_substring(arr, "//@").fill_null(-1).to_numpy(zero_copy_only=False)
    full = pc.binary_length(arr).fill_null(0).to_numpy(zero_copy_only=False)
    return np.where(cut >= 0, cut, full).astype(np.int64)


def _own_texts(text: pd.Series, cand: np.ndarray,
               shortest: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """:func:`_own_text` of the texts at rows ``cand`` (ascending) whose own text may have at
    least ``shortest`` characters (one value per row of ``cand``): those rows, and for each
    its code into the distinct own texts.

    On arrow arrays (a filter, not a take, so the chunks of a large column are never put
    together): each text is cut at its first literal ``//@`` (no regex), which leaves the own
    text as it was (a chain separator that starts before that ``//@`` ends before it, but for
    the white space it begins with, which is stripped anyway); a row whose cut text has fewer
    than ``shortest - 1`` characters is left out (its own text is shorter still); the rest are
    cut by the separator pattern (RE2) and stripped; only the distinct own texts are made into
    Python strings.
    """
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    arr = pa.array(text.astype(object) if text.dtype == object else text)
    mask = np.zeros(len(text), bool)
    mask[cand] = True
    picked = arr.filter(pa.array(mask))  # chunk by chunk, as the column is
    head = pc.list_element(pc.split_pattern(picked, "//@", max_splits=1), 0)
    chars = pc.utf8_length(head).to_numpy(zero_copy_only=False)
    keep = chars >= shortest - 1  # a margin of one character against rounding in the bound
    head = head.filter(pa.array(keep))
    cut = pc.replace_substring_regex(head, r"(?s)\s*[/／]{2}\s*[@＠].*$", "",
                                     max_replacements=1)
    enc = _dictionary(pc.utf8_trim_whitespace(cut))  # one dictionary for all the chunks
    codes = enc.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    return cand[keep], codes, enc.dictionary.to_pylist()


def _own_text(text: str) -> str:
    return _CHAIN_SPLIT.split(text, maxsplit=1)[0].strip()


def _diff(a: str, b: str, limit: int = 240) -> str:
    """The changes from ``a`` (the original) to ``b``: ``[-removed-]`` and ``{+added+}``.

    >>> _diff("某公司老板卷款跑路了", "某公司老板携款跑路了")
    '某公司老板[-卷-]{+携+}款跑路了'
    """
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    parts = []
    for op, i1, i2, j1, j2 in sm.get_opcodes():
        if op == "equal":
            seg = a[i1:i2]
            parts.append(seg if len(seg) <= 12 else f"{seg[:5]}…{seg[-5:]}")
        if op in ("delete", "replace"):
            parts.append(f"[-{a[i1:i2]}-]")
        if op in ("insert", "replace"):
            parts.append(f"{{+{b[j1:j2]}+}}")
    s = "".join(parts)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _variants(nodes: pd.DataFrame, root: np.ndarray, kind: np.ndarray, posts_all: np.ndarray,
              params: SpreadParams) -> pd.DataFrame:
    """Reposts whose own text (before any ``//@`` chain) restates the original's wording with
    changes: difflib similarity at least ``variant_min_similarity``, not identical."""
    import numpy as np
    import pandas as pd

    cols = ["node", "post_id", "account_id", "account_name", "evidence_id", "row", "text",
            "original_text", "similarity", "diff"]
    threshold = params.variant_min_similarity
    orig = {}
    for p, r in enumerate(root):
        if r >= 0 and kind[r] in (0, 2):  # an original row, or a capture's text for it
            orig[p] = _own_text(str(nodes["text"].iat[int(r)]))
    orig = {p: o for p, o in orig.items() if o}
    if not orig:
        return pd.DataFrame(columns=cols)
    # similarity 2M/(la+lb) <= 2*min(la,lb)/(la+lb) reaches the threshold only when
    # la*thr/(2-thr) <= lb <= la*(2-thr)/thr; lb (the own text) is at most the text up to "//@"
    lo = np.full(len(root), np.iinfo(np.int64).max, dtype=np.int64)
    for p, o in orig.items():
        lo[p] = math.ceil(len(o) * threshold / (2 - threshold))
    text = nodes["text"]
    own_max = _own_bytes(text)  # bytes >= characters: an upper bound of the own text
    mask = (kind == 1) & ~nodes["duplicate"].to_numpy() & (own_max >= lo[posts_all])
    cand = np.flatnonzero(mask)
    rows: list[tuple] = []
    if not len(cand):
        return pd.DataFrame(rows, columns=cols)
    cand, own_codes, own_values = _own_texts(text, cand, lo[posts_all[cand]])
    width = len(own_values) + 1
    pair, pairs = pd.factorize(posts_all[cand] * width + own_codes)
    for j, key in enumerate(np.asarray(pairs, dtype=np.int64)):
        p, code = divmod(int(key), width)
        own_j = own_values[code]
        o = orig[p]
        if not own_j or own_j == o or \
                2 * min(len(o), len(own_j)) / (len(o) + len(own_j)) < threshold:
            continue
        sm = difflib.SequenceMatcher(None, o, own_j, autojunk=False)
        if sm.quick_ratio() < threshold or (ratio := sm.ratio()) < threshold:
            continue
        change = _diff(o, own_j)
        for i in cand[pair == j].tolist():
            rows.append((i, str(nodes["post_id"].iat[i]), nodes["account_id"].iat[i],
                         nodes["account_name"].iat[i], nodes["evidence_id"].iat[i],
                         int(nodes["row"].iat[i]), str(text.iat[i]), o, round(ratio, 4), change))
    rows.sort()
    return pd.DataFrame(rows, columns=cols)


def _accounts(nodes: pd.DataFrame, akey: np.ndarray, posts_all: np.ndarray, kind: np.ndarray,
              tree: np.ndarray, children: np.ndarray, reach: np.ndarray, l_all: np.ndarray,
              params: SpreadParams, n_rows: int) -> pd.DataFrame:
    """One row per (post, account), computed on arrays (nodes below ``n_rows`` are the
    table's rows, the rest placeholders)."""
    import numpy as np
    import pandas as pd

    cols = ["post_id", "account_key", "account_id", "account_name", "rows", "direct_reposts",
            "downstream_reach", "first_repost", "role", "roles", "evidence"]
    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    sel = np.flatnonzero(tree & (akey >= 0))
    if not len(sel):
        return pd.DataFrame(columns=cols)
    width = int(akey.max()) + 1
    g, g_keys = pd.factorize(posts_all[sel] * width + akey[sel])
    g = g.astype(np.int64, copy=False)
    g_keys = np.asarray(g_keys, dtype=np.int64)
    ng = len(g_keys)
    g_first = np.full(ng, len(g), dtype=np.int64)
    np.minimum.at(g_first, g, np.arange(len(g)))
    first_idx = sel[g_first]
    rows = np.bincount(g, minlength=ng)
    direct = np.bincount(g, weights=children[sel], minlength=ng).astype(np.int64)
    down = np.bincount(g, weights=reach[sel], minlength=ng).astype(np.int64)
    first = np.full(ng, big, dtype=np.int64)  # the latest bound, as first_repost_time
    rep = kind[sel] == 1
    np.minimum.at(first, g[rep], np.where(l_all[sel][rep] == nat, big, l_all[sel][rep]))
    first = np.where(first == big, nat, first)
    is_orig = np.zeros(ng, bool)
    is_orig[g[np.isin(kind[sel], (0, 2))]] = True
    missing = np.bincount(g[kind[sel] == 3], minlength=ng) == rows
    changed = np.zeros(ng, bool)
    changed[g[nodes["changed_text"].to_numpy()[sel]]] = True
    del rep
    # names: the first non-empty name of the account in the post
    is_named = (nodes["account_name"] != "").to_numpy()[sel]
    if is_named.all():  # every row named: the first row of each account
        name_at = first_idx.copy()
    else:
        named = sel[is_named]
        name_at = np.full(ng, big, dtype=np.int64)
        if len(named):
            np.minimum.at(name_at, g[np.searchsorted(sel, named)], named)  # the first named row
        name_at[name_at == big] = -1
    ev_codes, ev_names = pd.factorize(nodes["evidence_id"])
    ev_names = np.asarray(ev_names, dtype=object)
    ne = len(ev_names) + 1
    if _dense(ng * ne, len(sel), per=16):  # the distinct (group, file) pairs, in order
        seen = np.zeros((ng, ne), bool)
        seen[g, ev_codes[sel]] = True
        ev_pairs = np.stack(np.nonzero(seen), axis=1).astype(np.int64)
        del seen
    else:
        ev_flat = np.sort(pd.unique(g * ne + ev_codes[sel]))
        ev_pairs = np.stack([ev_flat // ne, ev_flat % ne], axis=1)
    ev_pairs = ev_pairs[ev_names[ev_pairs[:, 1]] != ""] if len(ev_names) else ev_pairs[:0]
    ev_n = np.bincount(ev_pairs[:, 0], minlength=ng)
    # evidence: the one file (most accounts), or the files joined
    ev_code = np.full(ng, -1, dtype=np.int64)
    one = ev_n == 1
    pick = one[ev_pairs[:, 0]]
    ev_code[ev_pairs[pick, 0]] = ev_pairs[pick, 1]
    labels = [str(x) for x in ev_names] + [""]
    for gi in np.flatnonzero(ev_n > 1):
        labels.append("; ".join(sorted(ev_names[ev_pairs[ev_pairs[:, 0] == gi, 1]])))
        ev_code[gi] = len(labels) - 1
    ev_code[ev_code < 0] = len(ev_names)
    if len(set(labels)) == len(labels):
        evidence = pd.Categorical.from_codes(ev_code, categories=pd.Index(labels).unique())
    else:  # as a categorical of the labels themselves: the labels present, sorted
        present = np.flatnonzero(np.bincount(ev_code, minlength=len(labels)))
        label_arr = np.asarray(labels)
        ev_dtype = pd.Categorical(label_arr[present]).dtype
        to_cat = np.full(len(labels), -1, dtype=np.int64)
        to_cat[present] = ev_dtype.categories.get_indexer(label_arr[present])
        evidence = pd.Categorical.from_codes(to_cat[ev_code], dtype=ev_dtype)
    role_names = ["originator", "missing (parent of listed reposts)", "amplifier", "reposter"]
    role = np.where(is_orig, 0, np.where(missing, 1, np.where(
        down >= params.amplifier_min_reach, 2, 3))).astype(np.int8)
    roles = pd.Categorical.from_codes(role + 4 * changed, categories=[
        *role_names, *(f"{r}; changed-text variant" for r in role_names)])
    order = np.lexsort((g_keys, -down, posts_all[first_idx]))  # by post, reach down
    pick = first_idx[order]
    ids = nodes["account_id"].take(pick).reset_index(drop=True)
    names = nodes["account_name"].take(np.maximum(name_at, 0)[order]).reset_index(drop=True)
    if (name_at < 0).any():
        names = names.where(name_at[order] >= 0, "")
    key_dtype = nodes["account_key"].dtype
    if (pick < n_rows).all() and key_dtype == ids.dtype and isinstance(key_dtype, pd.StringDtype):
        # a row's key is made from its account id (as in the nodes frame): made anew from the
        # picked ids rather than taken from the frame's key column (a take puts its chunks
        # together first)
        key = _prefixed("account:", ids)
    else:
        key = nodes["account_key"].take(pick).reset_index(drop=True)
    df = pd.DataFrame({
        "post_id": nodes["post_id"].take(pick).reset_index(drop=True),
        "account_key": key,
        "account_id": ids,
        "account_name": names,
        "rows": rows[order], "direct_reposts": direct[order], "downstream_reach": down[order],
        "first_repost": _to_ts(first[order]),
        "role": pd.Categorical.from_codes(role[order], categories=role_names),
        "roles": roles.take(order), "evidence": evidence.take(order),
    }, copy=False)
    return df[cols]


def _kth(post: np.ndarray, times: np.ndarray, k: int, n_posts: int) -> np.ndarray:
    """Per post, the k-th smallest time (1-based), or NaT (int64 min) when fewer are timed
    (``post`` is not looked at when there is one post)."""
    import numpy as np

    nat = np.iinfo(np.int64).min
    ok = times != nat
    out = np.full(n_posts, nat, dtype=np.int64)
    if n_posts == 1:  # one post: a partial sort of its times (linear)
        tt = times[ok]
        if len(tt) >= k:
            out[0] = np.partition(tt, k - 1)[k - 1]
        return out
    p, tt = post[ok], times[ok]
    if not len(p):
        return out
    if n_posts <= _FEW_POSTS:  # a few posts: a partial sort of each post's times
        by_post = np.argsort(p, kind="stable")
        bounds = np.searchsorted(p[by_post], np.arange(n_posts + 1))
        for q in range(n_posts):
            seg = tt[by_post[bounds[q]:bounds[q + 1]]]
            if len(seg) >= k:
                out[q] = np.partition(seg, k - 1)[k - 1]
        return out
    order = np.lexsort((tt, p))
    p, tt = p[order], tt[order]
    start = np.searchsorted(p, np.arange(n_posts), "left")
    end = np.searchsorted(p, np.arange(n_posts), "right")
    has = end - start >= k
    out[has] = tt[start[has] + k - 1]
    return out


def _distinct(values: np.ndarray) -> int:
    """How many distinct values (non-negative integers): counted on a table of them when
    they are dense, else hashed."""
    import numpy as np
    import pandas as pd

    if not len(values):
        return 0
    if _dense(int(values.max()) + 1, len(values)):
        return int(np.count_nonzero(np.bincount(values)))
    return len(pd.unique(values))


def _iso_ns(v: int) -> str:
    import numpy as np

    return _iso(np.datetime64(int(v), "ns")) or "?"


def _marks(nodes: pd.DataFrame, t: pd.DataFrame, root: np.ndarray, kind: np.ndarray,
           posts_all: np.ndarray, akey: np.ndarray, e_all: np.ndarray, l_all: np.ndarray,
           dup_all: np.ndarray, first_of: np.ndarray, post_names: np.ndarray,
           params: SpreadParams, displayed: Sequence[DisplayedCount]) -> pd.DataFrame:
    import numpy as np
    import pandas as pd

    nat, big = np.iinfo(np.int64).min, np.iinfo(np.int64).max
    n_posts = len(post_names)
    n = len(t)
    rep = kind == 1
    untimed = np.bincount(posts_all[rep & (l_all == nat)], minlength=n_posts)
    k = params.mark_reposts
    mark_r, mark_v = f"{params.mark_reposts} reposts", f"{params.mark_views} views"
    rows: list[tuple] = []
    first_acc = np.zeros(len(kind), bool)
    # the originator's own reposts are not counted (an original or implied root: a row made
    # root to cut a cycle is a repost whose author is not known to be the originator)
    root_key = np.where((root >= 0) & np.isin(kind[np.maximum(root, 0)], (0, 2)),
                        akey[np.maximum(root, 0)], -1)
    sel = np.flatnonzero(rep & ~dup_all & (akey >= 0) & (akey != root_key[posts_all]))
    if len(sel):  # each account's earliest repost (by the latest bound, then the row) per post
        lt = np.where(l_all[sel] == nat, big, l_all[sel])
        key = posts_all[sel] * (int(akey.max()) + 1) + akey[sel]
        span = n_posts * (int(akey.max()) + 1)
        if not _dense(span, len(sel)):  # sparse (post, account) pairs: numbered densely first
            key, uniq = pd.factorize(key)
            span = len(uniq)
        least = np.full(span, big, dtype=np.int64)
        np.minimum.at(least, key, lt)
        at_least = lt == least[key]
        first_row = np.full(span, big, dtype=np.int64)
        np.minimum.at(first_row, key[at_least], sel[at_least])
        first_acc[first_row[first_row != big]] = True
        del lt, key, least, at_least, first_row
    exact = bool(np.array_equal(e_all, l_all))  # every time exact: one bound serves as both
    for rule_name, mask in (("rows", rep), ("unique", rep & ~dup_all), ("accounts", first_acc)):
        pm = posts_all[mask] if n_posts > 1 else posts_all[:0]  # one post: not needed
        hi = _kth(pm, l_all[mask], k, n_posts)
        lo = hi.copy() if exact else _kth(pm, e_all[mask], k, n_posts)
        cnt = np.bincount(pm, minlength=n_posts) if n_posts > 1 else \
            np.array([np.count_nonzero(mask)], dtype=np.int64)
        for p in range(n_posts):
            why = (f"{COUNTING_RULES[rule_name]}; {int(cnt[p])} counted"
                   + (f"; the {k}th was made by {_iso_ns(hi[p])} (at the earliest "
                      f"{_iso_ns(lo[p])})" if hi[p] != nat else
                      f"; fewer than {k} timed" if cnt[p] >= k else f"; fewer than {k}")
                   + (f"; {int(untimed[p])} repost rows have no time and are not counted in "
                      f"time order" if untimed[p] else ""))
            rows.append((post_names[p], mark_r, rule_name, hi[p], lo[p], int(cnt[p]), why))
    # counts shown for the whole post: the original row's own counts, captures of the post
    cap = _ns_array(t["captured_at"])
    obs: dict[tuple[int, str], list[tuple]] = {}
    copies: dict[int, list[int]] = {}  # the original row and its copies in other captures
    for i in np.flatnonzero(dup_all[:n]):
        copies.setdefault(int(first_of[i]), []).append(int(i))
    for p, r in enumerate(root):
        if 0 <= r < n and kind[r] == 0:
            for i in (int(r), *copies.get(int(r), ())):
                for what in ("views", "reposts"):
                    v = t[what].iat[i]
                    if pd.notna(v):
                        obs.setdefault((p, what), []).append(
                            (p, what, int(v), int(cap[i]), str(t["evidence_id"].iat[i]),
                             str(t[f"{what}_kind"].iat[i]) or "exact"))
    index = {str(x): i for i, x in enumerate(post_names)}
    for d in displayed:
        p = index.get(d.post_id)
        if p is not None and d.what in ("views", "reposts"):
            at = _ns(d.observed_at) if d.observed_at is not None else nat
            obs.setdefault((p, d.what), []).append((p, d.what, d.value, at, d.evidence_id,
                                                    d.kind))
    # views of all unique rows of one evidence file together, shown at its capture time
    views = pd.array(t["views"], dtype="Int64")
    has = np.flatnonzero(~np.asarray(views.isna()))
    if len(has):
        ev_codes, ev_names = pd.factorize(t["evidence_id"])
        ev_codes = ev_codes.astype(np.int64, copy=False)
        # a repost once per file (the same repost in two captures: once in each)
        key = ev_codes[has] * (n + 1) + first_of[has]
        span = max(len(ev_names), 1) * (n + 1)
        if _dense(span, len(has)):  # each key's first position, in key order, unsorted
            at = np.full(span, len(has), dtype=np.int64)
            np.minimum.at(at, key, np.arange(len(has)))
            first = at[at < len(has)]
        else:
            _, first = np.unique(key, return_index=True)
        has = has[first]
        group, keys = pd.factorize(posts_all[has] * (len(ev_names) + 1) + ev_codes[has])
        total = np.bincount(group, weights=views.to_numpy(dtype=np.int64, na_value=0)[has])
        approx = t["views_kind"].isin(("approximate", "at least")).to_numpy()[has]
        any_approx = np.bincount(group, weights=approx) > 0
        first_row = np.full(len(keys), len(has), dtype=np.int64)
        np.minimum.at(first_row, group, np.arange(len(has)))
        for gi, key in enumerate(np.asarray(keys, dtype=np.int64)):
            p, e = divmod(int(key), len(ev_names) + 1)
            obs.setdefault((p, "all views"), []).append(
                (p, "views", int(total[gi]), int(cap[has[first_row[gi]]]), str(ev_names[e]),
                 "approximate" if any_approx[gi] else "exact"))
    for p in range(n_posts):
        rows.append((post_names[p], mark_r, "displayed",
                     *_first_over(obs.get((p, "reposts"), []), params.mark_reposts, "reposts")))
        rows.append((post_names[p], mark_v, "original_displayed",
                     *_first_over(obs.get((p, "views"), []), params.mark_views, "views")))
        rows.append((post_names[p], mark_v, "all_rows_displayed",
                     *_first_over(obs.get((p, "all views"), []), params.mark_views,
                                  "views of all rows")))
    marks = pd.DataFrame(rows, columns=["post_id", "mark", "rule", "reached_at",
                                        "reached_earliest", "count", "explanation"])
    marks["reached_at"] = _to_ts(marks["reached_at"].to_numpy(np.int64))
    marks["reached_earliest"] = _to_ts(marks["reached_earliest"].to_numpy(np.int64))
    return marks


def _first_over(obs: list[tuple], threshold: int, what: str) -> tuple[int, int, int, str]:
    """(reached_at, reached_earliest, count, explanation) from counts shown at capture times."""
    import numpy as np

    nat = np.iinfo(np.int64).min
    if not obs:
        return nat, nat, 0, f"no {what} count was shown for this post in the evidence"
    timed = sorted((o for o in obs if o[3] != nat), key=lambda o: o[3])
    over = [o for o in timed if o[2] >= threshold]
    best = max(o[2] for o in obs)
    if over:
        hit = over[0]
        below = [o for o in timed if o[3] < hit[3] and o[2] < threshold]
        lo = below[-1][3] if below else nat
        why = (f"{hit[2]} {what} shown ({hit[5]}) in {hit[4] or 'the list'}, captured "
               f"{_iso_ns(hit[3])}"
               + (f"; {below[-1][2]} shown at the earlier capture {_iso_ns(lo)}" if below
                  else "; no earlier capture shows fewer, so it may have been reached long "
                       "before"))
        return hit[3], lo, hit[2], why
    untimed_over = [o for o in obs if o[3] == nat and o[2] >= threshold]
    if untimed_over:
        o = untimed_over[0]
        return nat, nat, o[2], (f"{o[2]} {what} shown in {o[4] or 'the list'}, but its capture "
                                f"time is not known; set captured_at on the item")
    return nat, nat, best, f"at most {best} {what} shown; below {threshold}"


def _quality(t: pd.DataFrame, q: Mapping[str, np.ndarray], post_names: np.ndarray,
             post_codes: np.ndarray, listed: Mapping[str, np.ndarray]) -> pd.DataFrame:
    """One row per (post, kind) with a count above zero, naming up to 20 rows."""
    import numpy as np
    import pandas as pd

    ev = t["evidence_id"].to_numpy(dtype=object)
    rowno = t["row"].to_numpy(np.int64)
    at: dict[tuple[int, str], str] = {}
    for k, mask in listed.items():
        idx = np.flatnonzero(mask)
        if not len(idx):
            continue
        idx = idx[np.lexsort((idx, post_codes[idx]))]
        for p in np.unique(post_codes[idx]):
            sub = idx[post_codes[idx] == p]
            shown = [f"{ev[i] or 'row'} row {rowno[i]}" if ev[i] else f"row {rowno[i]}"
                     for i in sub[:20]]
            at[(int(p), k)] = ", ".join(shown) + (f" and {len(sub) - 20} more"
                                                  if len(sub) > 20 else "")
    rows = []
    for p in range(len(post_names)):
        for k in QUALITY_KEYS + _EXTRA_QUALITY:
            c = int(np.asarray(q[k])[p])
            if c:
                rows.append((post_names[p], k, c, _QUALITY_TEXT[k], at.get((p, k), "")))
    return pd.DataFrame(rows, columns=["post_id", "kind", "count", "explanation", "rows"])


def _combined(nodes: pd.DataFrame, posts: pd.DataFrame, posts_all: np.ndarray, kind: np.ndarray,
              l_all: np.ndarray, dup_all: np.ndarray, akey: np.ndarray,
              params: SpreadParams) -> pd.DataFrame:
    """Art. 4 view: for each post, the posts of the same originator whose original time falls in
    the ``combine_years`` before it (and at or before it), counted together."""
    import numpy as np
    import pandas as pd

    cols = ["post_id", "originator", "window_start", "window_end", "posts", "posts_combined",
            "repost_rows", "unique_reposts", "distinct_reposting_accounts",
            "reached_500_reposts_at", "note"]
    note = (f"combined view: posts of the same originator within {params.combine_years} "
            f"year(s) before this one (the 2013 interpretation art. 4 counts repeated acts "
            f"within one year together); a reference count, not a legal conclusion")
    nat = np.iinfo(np.int64).min
    rep = np.flatnonzero(kind == 1)
    order = rep[np.argsort(posts_all[rep], kind="stable")]
    bounds = np.searchsorted(posts_all[order], np.arange(len(posts) + 1))
    out = []
    timed = posts[posts["original_time"].notna()]
    who_of = timed[["post_id", "originators", "original_time"]].explode("originators")
    who_of = who_of.dropna(subset=["originators"])
    code = {p: i for i, p in enumerate(posts["post_id"])}
    k = params.mark_reposts
    for who, g in who_of.groupby("originators", sort=True):
        g = g.sort_values(["original_time", "post_id"], kind="stable")
        for end, pid in zip(g["original_time"], g["post_id"], strict=True):
            start = end - pd.DateOffset(years=params.combine_years)
            win = g[(g["original_time"] > start) & (g["original_time"] <= end)]["post_id"]
            parts = [order[bounds[code[w]]:bounds[code[w] + 1]] for w in win]
            pos = np.concatenate(parts) if parts else np.zeros(0, np.int64)
            lts = l_all[pos]
            lts = lts[lts != nat]
            uniq = pos[~dup_all[pos]]
            reached = np.partition(lts, k - 1)[k - 1] if len(lts) >= k else nat
            out.append((pid, who, start, end, "; ".join(win), len(win), len(pos), len(uniq),
                        _distinct(akey[uniq][akey[uniq] >= 0]), reached, note))
    df = pd.DataFrame(out, columns=cols)
    for c in ("window_start", "window_end"):
        df[c] = pd.to_datetime(df[c], utc=True)
    df["reached_500_reposts_at"] = _to_ts(df["reached_500_reposts_at"].to_numpy(np.int64)
                                          if len(df) else np.zeros(0, np.int64))
    del nodes
    return df.sort_values(["post_id", "originator"], kind="stable").reset_index(drop=True)
