"""The artifacts of a case: every item parsed into metadata, records and time events.

When files are added (``forensics add``), each new item is recognised by its content and parsed
by the registry (:mod:`forensics.parsers`); files found inside an item (e-mail attachments)
become items of their own, linked to it.  What a parser read is kept as derived data, never as
a change to the evidence:

* ``derived/parsed/<sha256>.json``: one file per content, named by the SHA-256 of the stored
  file it came from, holding the artifact summary (media type, parser and version, metadata,
  warnings, unparsed reason), its events and its records;
* ``derived/artifacts.parquet``, ``events.parquet``, ``records.parquet``, ``warnings.parquet``:
  the same as tables, with the custody head and the source digests in their schema metadata,
  kept by the first analysis after a parse and logged (action ``derived``, with each file's
  SHA-256 and the key of the parses they were made from); read back instead of every parse while
  the log names them with the digest they still have and the parses are the same.

All of it is rebuilt from the store on demand (missing, or made by an older parser version).
Each parsing run is recorded in the custody log (action ``parse``) with, per item, the parser,
its version, the number of warnings and the digest of the derived file.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "note.txt").write_text("nothing to parse here")
>>> case = Case.init(tmp / "case")
>>> _ = case.add([tmp / "note.txt"])
>>> df = case.artifacts()
>>> df.loc[0, ["evidence_id", "media_type", "unparsed_reason"]].tolist()
['E0001', 'text/plain', 'no parser reads text/plain (recognised from the content)']
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from forensics import __version__
from forensics._progress import progress_bar
from forensics.custody import Action, EntryDraft, JSONValue
from forensics.errors import SourceError
from forensics.records import Artifact, ParseWarning

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case, Item

__all__ = [
    "MAX_EXTRACTION_DEPTH",
    "PARSED_DIR",
    "ParseReport",
    "ParsedItem",
    "artifacts_frame",
    "ensure_parsed",
    "events_frame",
    "inspect",
    "load_parsed",
    "parse_items",
    "records_frame",
    "warnings_frame",
]

PARSED_DIR = "parsed"
FORMAT = "forensics-parsed"
FORMAT_VERSION = 2
#: Attachments of attachments are extracted down to this depth (a message forwarded as an
#: attachment of a message ...); deeper ones stay inside their parent, with a warning.
MAX_EXTRACTION_DEPTH = 5
#: Items per ``parse`` custody entry: each batch is logged as soon as it is parsed, so a crash
#: leaves at most one batch of derived files that no entry names (they are parsed again).
ENTRY_BATCH = 100

_TABLES = ("artifacts", "events", "records", "warnings")


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """What was parsed from one item.

    ``summary`` is the object ``forensics artifacts --json`` prints; ``events`` and ``records``
    are loaded only when asked for.  ``derived_path`` is empty for a result kept in the custody
    entry itself (a small summary, no events or records: ``derived_sha256`` is then the digest
    of that summary) and for a result that was not kept at all (``record=False``, or a stored
    copy that is missing or does not match its digest; ``derived_sha256`` is then empty).
    """

    evidence_id: str
    sha256: str
    summary: dict[str, object]
    events: tuple[dict[str, object], ...]
    records: tuple[dict[str, object], ...]
    derived_path: str
    derived_sha256: str
    rows_sha256: str = ""

    @property
    def parser(self) -> str:
        return str(self.summary.get("parser") or "")

    @property
    def parser_version(self) -> str:
        return str(self.summary.get("parser_version") or "")

    @property
    def media_type(self) -> str:
        return str(self.summary.get("media_type") or "")


@dataclass(frozen=True, slots=True)
class ParseReport:
    """What one parsing run did."""

    parsed: tuple[ParsedItem, ...] = ()
    extracted: tuple[str, ...] = ()  # evidence numbers of items extracted from others

    @property
    def unparsed(self) -> tuple[ParsedItem, ...]:
        return tuple(p for p in self.parsed if p.summary.get("unparsed_reason"))

    @property
    def warning_count(self) -> int:
        return sum(len(p.summary.get("warnings") or ()) for p in self.parsed)  # type: ignore[arg-type]

    def to_json(self) -> list[dict[str, object]]:
        return [p.summary for p in self.parsed]

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(p.evidence_id)}</td><td>{escape(p.media_type)}</td>"
            f"<td>{escape(p.parser)}</td><td>{len(p.summary.get('warnings') or ())}</td>"  # type: ignore[arg-type]
            f"<td>{escape(str(p.summary.get('unparsed_reason') or ''))}</td></tr>"
            for p in self.parsed)
        return (f"<p>{len(self.parsed)} parsed, {len(self.unparsed)} unparsed, "
                f"{self.warning_count} warnings, {len(self.extracted)} extracted</p>"
                f"<table><tr><th>No.</th><th>media type</th><th>parser</th><th>warnings</th>"
                f"<th>unparsed because</th></tr>{rows}</table>")


def _parsed_dir(case: Case) -> Path:
    from forensics.case import DERIVED_DIR

    return case.root / DERIVED_DIR / PARSED_DIR


def _write_derived(path: Path, data: bytes) -> None:
    """Derived data is rebuildable: written atomically (rename) but without fsync."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _captured_at(item: Item):
    from datetime import datetime

    text = item.facts.captured_at_utc
    if not text:
        return None
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def _context(case: Case, item: Item) -> dict[str, str | None]:
    """What a parse depends on besides the bytes and the parsers: recorded with it."""
    return {"default_zone": case.metadata.timezone, "captured_at": item.facts.captured_at}


def _registry_fingerprint() -> str:
    from forensics.parsers import default_registry

    return default_registry().fingerprint()


def _unparsed(item: Item, reason: str) -> Artifact:
    d = item.digests
    return Artifact(item.evidence_id, item.name, d.sha256, d.size, "", "", "",
                    unparsed_reason=reason)


def parse_item(case: Case, item: Item, *, check_copy: bool = True) -> tuple[Artifact, bool]:
    """Parse the stored copy of one item (read-only) with the built-in parsers.

    Returns the artifact and whether it may be kept: the stored copy is hashed first (unless
    ``check_copy=False``, for copies this run has just stored and hashed), and a copy that is
    missing or no longer matches its recorded SHA-256 is not parsed (the result says so, and
    nothing derived from it is kept or logged).
    """
    from forensics.durable import open_readonly
    from forensics.parsers import ParseContext, parse

    path = case.root / item.stored_as
    try:
        fd = open_readonly(path)
    except OSError as exc:
        return _unparsed(item, f"stored copy cannot be opened ({exc.strerror}); "
                               f"run `forensics verify {case.root}`"), False
    with os.fdopen(fd, "rb") as fh:
        h = hashlib.sha256()
        while check_copy and (chunk := fh.read(1 << 20)):
            h.update(chunk)
        if check_copy and h.hexdigest() != item.digests.sha256:
            return _unparsed(item, f"stored copy does not match its recorded SHA-256 (found "
                                   f"{h.hexdigest()}); run `forensics verify {case.root}`"), False
        fh.seek(0)
        ctx = ParseContext(evidence_id=item.evidence_id, sha256=item.digests.sha256,
                           name=item.name, size=item.digests.size,
                           default_zone=case.metadata.timezone, captured_at=_captured_at(item))
        return parse(fh, ctx), True


def _dumps(obj: object) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode()


def _to_parsed(case: Case, item: Item, art: Artifact, extracted: Sequence[str] = (), *,
               registry: str) -> tuple[ParsedItem, bytes, bytes]:
    summary = art.to_json()
    summary["extracted_items"] = list(extracted)
    context = _context(case, item)
    source = {"evidence_id": item.evidence_id, "sha256": item.digests.sha256,
              "stored_as": item.stored_as}
    head = {"format": FORMAT, "format_version": FORMAT_VERSION, "package_version": __version__,
            "registry": registry, "context": context, "source": source}
    events = [e.to_row() for e in art.events]
    records = [r.to_row() for r in art.records]
    data = _dumps({**head, "artifact": summary})
    rows = _dumps({**head, "events": events, "records": records})
    rel = f"{PARSED_DIR}/{item.digests.sha256}.json"
    return ParsedItem(item.evidence_id, item.digests.sha256, summary, tuple(events),
                      tuple(records), rel, hashlib.sha256(data).hexdigest(),
                      hashlib.sha256(rows).hexdigest()), data, rows


def _depth(case: Case, item: Item) -> int:
    depth, seen = 0, {item.evidence_id}
    parent = item.extracted_from
    while parent and parent not in seen and depth <= MAX_EXTRACTION_DEPTH:
        seen.add(parent)
        depth += 1
        try:
            parent = case.item(parent).extracted_from
        except Exception:  # an unknown parent ends the chain
            break
    return depth


#: A parse with no events, records or attachments and a summary this small is kept in the
#: custody log entry itself (typical of files no parser reads) instead of two derived files.
INLINE_SUMMARY_BYTES = 2048


def parse_items(case: Case, items: Iterable[Item], *, progress: bool | None = None,
                reason: str = "add", record: bool = True, check_copies: bool = True
                ) -> ParseReport:
    """Parse ``items``; keep the results as derived data, extract attachments, log it all.

    With ``record=False`` nothing is written or logged (read-only media, a backup copy): the
    results live in memory only, and attachments are not extracted.  Never raises for bad
    content: an item no parser reads is listed with the reason.
    """
    from forensics.ingest import add_extracted

    queue = list(items)
    out: list[ParsedItem] = []
    extracted: list[str] = []
    if not queue:
        return ParseReport()
    if record:
        _parsed_dir(case).mkdir(parents=True, exist_ok=True)
    registry = _registry_fingerprint()
    with progress_bar(total=len(queue), desc="parse", unit="item", enabled=progress) as bar:
        while queue:
            batch, queue = queue[:ENTRY_BATCH], queue[ENTRY_BATCH:]
            logged: list[tuple[ParsedItem, list[str], Item]] = []
            for item in batch:
                art, keep = parse_item(case, item, check_copy=check_copies)
                ids: list[str] = []
                if art.children and keep and record:
                    if _depth(case, item) < MAX_EXTRACTION_DEPTH:
                        added = add_extracted(case, item, art.children)
                        ids = [a.evidence_id for a in added]
                        new = [a.evidence_id for a in added if a.status == "new"]
                        extracted.extend(new)
                        queue.extend(case.item(e) for e in new)
                        if new:
                            bar.total = (bar.total or 0) + len(new)
                            bar.refresh()
                    else:
                        w = ParseWarning(_origin(art), "-", f"{len(art.children)} embedded files "
                                         f"not extracted: nesting deeper than "
                                         f"{MAX_EXTRACTION_DEPTH}")
                        art = replace(art, warnings=(*art.warnings, w))
                parsed, data, rows = _to_parsed(case, item, art, ids, registry=registry)
                if keep and record:
                    if art.events or art.records or ids or len(data) > INLINE_SUMMARY_BYTES:
                        base = case.root / "derived" / parsed.derived_path
                        _write_derived(base, data)
                        _write_derived(base.with_suffix(".rows.json"), rows)
                    else:
                        parsed = replace(parsed, derived_path="", rows_sha256="",
                                         derived_sha256=hashlib.sha256(
                                             _dumps(parsed.summary)).hexdigest())
                    logged.append((parsed, ids, item))
                else:
                    parsed = replace(parsed, derived_path="", derived_sha256="", rows_sha256="")
                out.append(parsed)
                bar.update(1)
            if logged:
                results: list[JSONValue] = [
                    {"id": p.evidence_id, "media_type": p.media_type,
                     "parser": p.parser or None, "parser_version": p.parser_version or None,
                     "warnings": len(p.summary.get("warnings") or ()),  # type: ignore[arg-type]
                     "unparsed_reason": p.summary.get("unparsed_reason"),  # type: ignore[dict-item]
                     "extracted": ids,  # type: ignore[dict-item]
                     "registry": registry, "context": _context(case, it),  # type: ignore[dict-item]
                     **_where_kept(p)}
                    for p, ids, it in logged
                ]
                refs = tuple(it.ref for _, _, it in logged)
                case.record([EntryDraft(Action.PARSE, refs, {
                    "reason": reason, "results": results, "package_version": __version__})])
    return ParseReport(tuple(out), tuple(extracted))


def _where_kept(p: ParsedItem) -> dict[str, JSONValue]:
    if not p.derived_path:
        return {"summary": p.summary}  # type: ignore[dict-item]
    return {"derived": {"path": f"derived/{p.derived_path}", "sha256": p.derived_sha256},
            "rows": {"path": f"derived/{p.derived_path[:-5]}.rows.json", "sha256": p.rows_sha256}}


def _thaw(v: object) -> object:
    """Plain dicts and lists from a custody entry's frozen details."""
    if isinstance(v, Mapping):
        return {str(k): _thaw(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_thaw(x) for x in v]
    return v


def _origin(art: Artifact):
    from forensics.records import Origin

    return Origin(art.evidence_id, art.sha256, art.parser, art.parser_version)


def _logged(case: Case, item: Item, registry: str) -> Mapping[str, object] | None:
    """The latest logged parse of ``item`` if it is still current (same parsers, same context)."""
    entry = case._state.parses.get(item.evidence_id)
    if entry is None or entry.get("registry") != registry:
        return None
    context = entry.get("context")
    if not isinstance(context, Mapping) or dict(context) != _context(case, item):
        return None
    return entry


def _read_checked(path: Path, sha256: object) -> dict | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not isinstance(sha256, str) or hashlib.sha256(data).hexdigest() != sha256:
        return None  # edited, or written by a run that was never logged: parse again
    try:
        doc = json.loads(data)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) and doc.get("format") == FORMAT else None


def load_parsed(case: Case, item: Item, *, rows: bool = False,
                registry: str | None = None) -> ParsedItem | None:
    """The derived parse of ``item``, only if the custody log names it and it is current.

    A derived file is trusted only when its SHA-256 equals the one logged by the latest
    ``parse`` entry for the item, and that parse was made by the same parsers (registry
    fingerprint, computed here unless given) with the same context (case zone, capture time).
    """
    entry = _logged(case, item, registry or _registry_fingerprint())
    if entry is None:
        return None
    inline = entry.get("summary")
    if isinstance(inline, Mapping):  # kept in the log entry itself: nothing else to check
        summary = _thaw(inline)
        if not isinstance(summary, dict) or summary.get("sha256") != item.digests.sha256:
            return None
        digest = hashlib.sha256(_dumps(summary)).hexdigest()
        return ParsedItem(item.evidence_id, item.digests.sha256, summary, (), (), "", digest,
                          "")
    derived = entry.get("derived")
    rows_ref = entry.get("rows")
    if not isinstance(derived, Mapping) or not isinstance(rows_ref, Mapping):
        return None
    doc = _read_checked(case.root / str(derived.get("path")), derived.get("sha256"))
    if doc is None:
        return None
    summary = doc.get("artifact")
    if not isinstance(summary, dict) or summary.get("sha256") != item.digests.sha256:
        return None
    events: tuple = ()
    records: tuple = ()
    if rows:
        rdoc = _read_checked(case.root / str(rows_ref.get("path")), rows_ref.get("sha256"))
        if rdoc is None:
            return None
        events = tuple(rdoc.get("events") or ())
        records = tuple(rdoc.get("records") or ())
    rel = str(derived.get("path")).removeprefix("derived/")
    return ParsedItem(item.evidence_id, item.digests.sha256, summary, events, records, rel,
                      str(derived.get("sha256")), str(rows_ref.get("sha256")))


def _writable(case: Case) -> bool:
    """A case we may write derived data and log entries into: writable, and not a backup."""
    from forensics.integrity import BACKUP_MARKER

    return (os.access(case.root, os.W_OK) and os.access(case.root / "custody.jsonl", os.W_OK)
            and not (case.root / BACKUP_MARKER).exists())


def ensure_parsed(case: Case, *, progress: bool | None = None, rows: bool = False,
                  record: bool | None = None, evidence_ids: Sequence[str] | None = None
                  ) -> list[ParsedItem]:
    """Every item's current parse, parsing again where one is missing, stale or not logged.

    Parameters
    ----------
    rows : bool
        Also load events and records (``case.events()``); the summary alone is enough for
        ``forensics artifacts``.
    record : bool, optional
        Keep and log what is parsed again.  Default: when the case folder is writable and is
        not a backup.  With ``False`` (a backup, read-only media) results are made in memory
        and nothing is written.
    evidence_ids : sequence of str, optional
        Only these items.
    """
    case.refresh()
    if record is None:
        record = _writable(case)
    registry = _registry_fingerprint()  # once, not once per item
    head = case.head
    key = (head.seq, head.entry_sha256, registry) if head is not None else None
    memo = getattr(case, "_parsed_memo", None)
    # The same open case at the same custody head: the parses read and checked a moment ago
    # are still the current ones (a new parse or item moves the head).
    if key is not None and memo is not None and memo[0] == key and (memo[1] or not rows):
        parsed = memo[2]
        if evidence_ids is not None:
            wanted = set(evidence_ids)
            return [p for p in parsed if p.evidence_id in wanted]
        return list(parsed)
    items = list(case.items)
    if evidence_ids is not None:
        wanted = set(evidence_ids)
        items = [it for it in items if it.evidence_id in wanted]
    have: dict[str, ParsedItem] = {}
    missing: list[Item] = []
    for item in items:
        p = load_parsed(case, item, rows=rows, registry=registry)
        if p is None:
            missing.append(item)
        else:
            have[item.evidence_id] = p
    if missing:
        report = parse_items(case, missing, progress=progress, reason="rebuild", record=record)
        for p in report.parsed:
            have.setdefault(p.evidence_id, p)
        case.refresh()
        if evidence_ids is None:
            items = list(case.items)
    out = [have[it.evidence_id] for it in items if it.evidence_id in have]
    if evidence_ids is None and not missing and key is not None:
        case._parsed_memo = (key, rows, tuple(out))  # type: ignore[attr-defined]
    return out


def _tables_key(registry: str, parsed: Sequence[ParsedItem]) -> str:
    """What the tables are made from, as one SHA-256: the parsers, the package version, the
    source of this module (which makes them), the pandas and pyarrow versions and, per item,
    the digests of its derived files as the custody log names them (so it is known without
    reading the files)."""
    import pandas as pd
    import pyarrow as pa

    from forensics.figures import source_sha256

    doc = {"format": f"{FORMAT}/{FORMAT_VERSION}", "version": __version__, "registry": registry,
           "code": source_sha256("forensics.artifacts"),
           "pandas": pd.__version__, "pyarrow": pa.__version__,  # how frames are made and read
           "parses": [[p.evidence_id, p.sha256, p.derived_sha256, p.rows_sha256]
                      for p in parsed]}
    return hashlib.sha256(_dumps(doc)).hexdigest()


def _frames(case: Case, progress: bool | None = None, record: bool | None = None,
            name: str = "events") -> pd.DataFrame:
    """A copy of one of the four tables (``name``), made once per set of parses."""
    parsed = ensure_parsed(case, progress=progress, rows=False, record=record)
    registry = _registry_fingerprint()
    key = _tables_key(registry, parsed)
    memo = getattr(case, "_frames_memo", None)
    if memo is not None and memo[0] == key:
        return memo[1][name].copy()
    frames = _read_tables(case, key)
    if frames is None:
        parsed = ensure_parsed(case, progress=progress, rows=True, record=record)
        key = _tables_key(registry, parsed)  # a parse made on the way moves it
        frames = _build_frames(case, parsed)
        # kept in the case (and logged) only where parses may be (``record``), and once: not
        # again when kept already for these parses (a table that does not read back exactly)
        if all(p.derived_sha256 for p in parsed) and (
                _writable(case) if record is None else record) and _kept_tables(
                    case, key) is None:
            _keep_tables(case, frames, key, [(p.evidence_id, p.sha256) for p in parsed])
    case._frames_memo = (key, frames)  # type: ignore[attr-defined]
    return frames[name].copy()


def _build_frames(case: Case, parsed: Sequence[ParsedItem]) -> dict[str, pd.DataFrame]:
    """The four tables from the parses' summaries, events and records."""
    import pandas as pd

    art_rows, warn_rows, event_rows, record_rows = [], [], [], []
    columns_by_type: dict[str, dict[str, None]] = {}
    for p in parsed:
        s = p.summary
        art_rows.append({
            "evidence_id": p.evidence_id, "name": s.get("name"), "sha256": p.sha256,
            "size": s.get("size"), "media_type": s.get("media_type"), "parser": s.get("parser"),
            "parser_version": s.get("parser_version"),
            "warnings": len(s.get("warnings") or ()),  # type: ignore[arg-type]
            "unparsed_reason": s.get("unparsed_reason"), "flags": "; ".join(s.get("flags") or ()),  # type: ignore[arg-type]
            "records": s.get("records"), "events": s.get("events"),
            "extracted_from": case.item(p.evidence_id).extracted_from,
            "metadata": json.dumps(s.get("metadata") or {}, ensure_ascii=False, sort_keys=True),
            "derived": f"derived/{p.derived_path}" if p.derived_path else None,
            "derived_sha256": p.derived_sha256 or None,
        })
        for w in s.get("warnings") or ():  # type: ignore[union-attr]
            warn_rows.append({"evidence_id": p.evidence_id, "sha256": p.sha256, **w})
        for e in p.events:
            event_rows.append({**e, "evidence_id": p.evidence_id})
        for r in p.records:
            record_rows.append({**r, "evidence_id": p.evidence_id})
            cols = columns_by_type.setdefault(str(r.get("data_type")), {})
            cols.update(dict.fromkeys(r))
    frames = {
        "artifacts": pd.DataFrame(art_rows, columns=list(art_rows[0]) if art_rows else
                                  ["evidence_id", "name", "sha256", "media_type", "parser",
                                   "parser_version", "warnings", "unparsed_reason"]),
        "events": pd.DataFrame(event_rows, columns=_EVENT_COLUMNS),
        "records": pd.DataFrame(record_rows),
        "warnings": pd.DataFrame(warn_rows, columns=["evidence_id", "sha256", "parser",
                                                     "location", "message"]
                                 if not warn_rows else None),
    }
    # a value a record lacks is None in a column of Python objects (flags true, false or
    # absent), never NaN beside None: one "missing", as Parquet keeps it
    for df in frames.values():
        for c in df.columns:
            if df[c].dtype == object:
                nan = df[c].map(lambda v: isinstance(v, float) and v != v).to_numpy(dtype=bool)
                if nan.any():
                    df[c] = df[c].where(~nan, None)
    frames["records"].attrs["columns_by_type"] = {
        t: [*cols, "evidence_id"] for t, cols in columns_by_type.items()}
    if not frames["events"].empty:
        frames["events"] = frames["events"].sort_values(
            ["earliest", "evidence_id"], kind="stable").reset_index(drop=True)
    return frames


_EVENT_COLUMNS = ["evidence_id", "sha256", "parser", "parser_version", "data_type",
                  "description", "location", "utc", "earliest", "latest", "original",
                  "time_source", "precision", "zone", "zone_name", "actor", "text", "url"]
_META_KEY = b"forensics:tables_key"
_META_COLUMNS = b"forensics:columns_by_type"


def _table_bytes(df: pd.DataFrame, meta: Mapping[str, str]) -> tuple[bytes, bool]:
    """One table as Parquet, and whether it reads back as exactly the same frame (types
    included).  A table pyarrow cannot hold as it is (a column of mixed types) is written with
    every value as text or null, for other tools, and is not read back."""
    import io

    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    exact = True
    try:
        table = pa.Table.from_pandas(df, preserve_index=False)
    except (pa.ArrowException, TypeError, ValueError):
        exact = False
        clean = df.astype(object).where(df.notna(), None) if not df.empty else df
        clean = clean.map(lambda v: v if v is None else str(v)) if not df.empty else clean
        table = pa.Table.from_pandas(clean, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
    buf = io.BytesIO()
    pq.write_table(table, buf)
    data = buf.getvalue()
    if exact:
        back = pq.read_table(io.BytesIO(data)).to_pandas()
        try:
            pd.testing.assert_frame_equal(df, back, check_exact=True)
        except AssertionError:
            exact = False
        else:  # pandas takes None for NaN and 1 for 1.0 in a column of Python objects: not we
            exact = all(list(map(repr, df[c].tolist())) == list(map(repr, back[c].tolist()))
                        for c in df.columns if df[c].dtype == object)
    return data, exact


def _keep_tables(case: Case, frames: Mapping[str, pd.DataFrame], key: str,
                 sources: Sequence[tuple[str, str]]) -> None:
    """Write the tables as ``derived/<name>.parquet`` (for other tools, and read back by
    :func:`_read_tables` while ``key`` is current) and log them (action ``derived``, what
    ``tables``).  A failure to write is logged nowhere and leaves the analysis as it was."""
    head = case.head
    meta = {
        "forensics:package_version": __version__,
        "forensics:custody_head_seq": str(head.seq if head else 0),
        "forensics:sources": json.dumps(sources),
        _META_KEY.decode(): key,
        _META_COLUMNS.decode(): json.dumps(frames["records"].attrs.get("columns_by_type", {}),
                                           ensure_ascii=False),
    }
    derived = case.root / "derived"
    files: dict[str, str] = {}  # path in the case -> SHA-256 of the bytes written
    exact = True
    try:
        for name in _TABLES:
            data, ok = _table_bytes(frames[name], meta)
            exact = exact and ok
            path = derived / f"{name}.parquet"
            tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                tmp.write_bytes(data)
                os.replace(tmp, path)
            finally:
                with contextlib.suppress(OSError):
                    tmp.unlink()
            files[f"derived/{name}.parquet"] = hashlib.sha256(data).hexdigest()
        case.log_derived("tables", files, params={"key": key, "exact": int(exact)})
    except Exception:  # keeping them is optional: it never breaks the analysis
        return  # not logged: never trusted, made again next time


def _kept_tables(case: Case, key: str) -> tuple[dict[str, bytes], bool] | None:
    """The bytes of the tables kept for ``key`` and whether they read back exactly: only when
    the latest logged ``tables`` entry was made for ``key`` and every file still has the
    SHA-256 logged; else ``None``."""
    case.refresh()
    entry = case._state.tables
    if entry is None:
        return None
    params, files = entry.details.get("params"), entry.details.get("files")
    if not isinstance(params, Mapping) or params.get("key") != key or not isinstance(files,
                                                                                   Mapping):
        return None
    out = {}
    for name in _TABLES:
        try:
            data = (case.root / "derived" / f"{name}.parquet").read_bytes()
        except OSError:
            return None
        if hashlib.sha256(data).hexdigest() != files.get(f"derived/{name}.parquet"):
            return None  # changed since it was logged
        out[name] = data
    return out, params.get("exact") == 1


def _read_tables(case: Case, key: str) -> dict[str, pd.DataFrame] | None:
    """The tables kept by :func:`_keep_tables` for ``key``, when :func:`_kept_tables` has them
    and they read back exactly; else ``None`` (they are made again from the parses)."""
    import io

    import pyarrow as pa
    import pyarrow.parquet as pq

    kept = _kept_tables(case, key)
    if kept is None or not kept[1]:
        return None
    frames = {}
    for name, data in kept[0].items():
        try:
            table = pq.read_table(io.BytesIO(data))
        except (pa.ArrowException, OSError, ValueError):
            return None
        meta = table.schema.metadata or {}
        if meta.get(_META_KEY) != key.encode():
            return None
        frames[name] = table.to_pandas()
        if name == "records":
            frames[name].attrs["columns_by_type"] = json.loads(meta.get(_META_COLUMNS, b"{}"))
    return frames


def artifacts_frame(case: Case, *, progress: bool | None = None,
                    record: bool | None = None) -> pd.DataFrame:
    """One row per item: media type, parser, warnings, unparsed reason, metadata (JSON).

    Items whose parse is missing or stale are parsed from the store first; ``record`` as in
    :func:`ensure_parsed`.
    """
    return _frames(case, progress, record, "artifacts")


def events_frame(case: Case, *, progress: bool | None = None,
                 record: bool | None = None) -> pd.DataFrame:
    """One row per time event, earliest first, with the time's source, precision and zone."""
    return _frames(case, progress, record, "events")


def records_frame(case: Case, data_type: str | None = None, *, progress: bool | None = None,
                  record: bool | None = None) -> pd.DataFrame:
    """Parsed records (all, or those of one ``data_type`` such as ``social:repost``).

    With a ``data_type``, only the columns that type's records have are kept.
    """
    df = _frames(case, progress, record, "records")
    if data_type is not None and not df.empty:
        columns = df.attrs.get("columns_by_type", {}).get(data_type)
        df = df[df["data_type"] == data_type]
        if columns:
            df = df[[c for c in df.columns if c in columns]]
        df = df.reset_index(drop=True)
    return df


def warnings_frame(case: Case, *, progress: bool | None = None,
                   record: bool | None = None) -> pd.DataFrame:
    """Every parse warning: evidence number, parser, location, message."""
    return _frames(case, progress, record, "warnings")


def inspect(paths: Iterable[Path | str], *, default_zone: str | None = None) -> list[Artifact]:
    """Parse files outside any case (a quick look before intake); writes nothing.

    Folders are walked recursively in name order.  Times without a zone are marked *unknown*
    unless ``default_zone`` is given.  A file that cannot be read (a symbolic link, a FIFO, no
    permission) is listed as unparsed with the reason, as ``forensics inspect`` lists it.
    """
    from forensics.parsers import parse_path
    from forensics.paths import iter_files

    out = []
    for p in iter_files(paths):
        try:
            out.append(parse_path(p, default_zone=default_zone))
        except SourceError as exc:
            out.append(Artifact(None, p.name, "", 0, "", "", "", unparsed_reason=exc.reason))
    return out
