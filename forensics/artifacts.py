"""The artifacts of a case: every item parsed into metadata, records and time events.

When files are added (``forensics add``), each new item is recognised by its content and parsed
by the registry (:mod:`forensics.parsers`); files found inside an item (e-mail attachments)
become items of their own, linked to it.  What a parser read is kept as derived data, never as
a change to the evidence:

* ``derived/parsed/<sha256>.json``: one file per content, named by the SHA-256 of the stored
  file it came from, holding the artifact summary (media type, parser and version, metadata,
  warnings, unparsed reason), its events and its records;
* ``derived/artifacts.parquet``, ``events.parquet``, ``records.parquet``, ``warnings.parquet``:
  the same as tables, with the custody head and the source digests in their schema metadata.

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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from forensics import __version__
from forensics._progress import progress_bar
from forensics.custody import Action, EntryDraft, JSONValue
from forensics.errors import SourceError
from forensics.records import Artifact

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
FORMAT_VERSION = 1
#: Attachments of attachments are extracted down to this depth (a message forwarded as an
#: attachment of a message ...); deeper ones stay inside their parent, with a warning.
MAX_EXTRACTION_DEPTH = 5
#: Items per ``parse`` custody entry.
ENTRY_BATCH = 500

_TABLES = ("artifacts", "events", "records", "warnings")


@dataclass(frozen=True, slots=True)
class ParsedItem:
    """What was parsed from one item, as kept in ``derived/parsed/<sha256>.json``."""

    evidence_id: str
    sha256: str
    summary: dict[str, object]
    events: tuple[dict[str, object], ...]
    records: tuple[dict[str, object], ...]
    derived_path: str
    derived_sha256: str

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


def parse_item(case: Case, item: Item) -> Artifact:
    """Parse the stored copy of one item (read-only) with the built-in parsers."""
    from forensics.durable import open_readonly
    from forensics.parsers import ParseContext, parse

    path = case.root / item.stored_as
    try:
        fd = open_readonly(path)
    except OSError as exc:
        raise SourceError(path, f"stored copy of {item.evidence_id} cannot be opened: "
                                f"{exc.strerror}; run `forensics verify`") from None
    with os.fdopen(fd, "rb") as fh:
        ctx = ParseContext(evidence_id=item.evidence_id, sha256=item.digests.sha256,
                           name=item.name, size=item.digests.size,
                           default_zone=case.metadata.timezone, captured_at=_captured_at(item))
        return parse(fh, ctx)


def _to_parsed(item: Item, art: Artifact, extracted: Sequence[str] = ()
               ) -> tuple[ParsedItem, bytes]:
    summary = art.to_json()
    summary["extracted_items"] = list(extracted)
    doc = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "package_version": __version__,
        "source": {"evidence_id": item.evidence_id, "sha256": item.digests.sha256,
                   "stored_as": item.stored_as},
        "artifact": summary,
        "events": [e.to_row() for e in art.events],
        "records": [r.to_row() for r in art.records],
    }
    data = (json.dumps(doc, ensure_ascii=False, sort_keys=True, default=str) + "\n").encode()
    rel = f"{PARSED_DIR}/{item.digests.sha256}.json"
    return ParsedItem(item.evidence_id, item.digests.sha256, summary,
                      tuple(doc["events"]), tuple(doc["records"]),  # type: ignore[arg-type]
                      rel, hashlib.sha256(data).hexdigest()), data


def parse_items(case: Case, items: Iterable[Item], *, progress: bool | None = None,
                reason: str = "add", _depth: int = 0) -> ParseReport:
    """Parse ``items``, keep the results as derived data, extract attachments, log it all.

    Never raises for bad content: an item no parser reads is listed with the reason.
    """
    from forensics.ingest import add_extracted

    items = list(items)
    if not items:
        return ParseReport()
    out: list[ParsedItem] = []
    extracted: list[str] = []
    children_of: dict[str, list[str]] = {}
    folder = _parsed_dir(case)
    folder.mkdir(parents=True, exist_ok=True)
    with progress_bar(total=len(items), desc="parse", unit="item", enabled=progress) as bar:
        for item in items:
            art = parse_item(case, item)
            ids: list[str] = []
            if art.children:
                if _depth < MAX_EXTRACTION_DEPTH:
                    added = add_extracted(case, item, art.children)
                    ids = [a.evidence_id for a in added]
                    children_of[item.evidence_id] = ids
                    extracted.extend(a.evidence_id for a in added if a.status == "new")
                else:
                    from dataclasses import replace

                    from forensics.records import ParseWarning

                    w = ParseWarning(_origin(art), "-", f"{len(art.children)} embedded files not "
                                     f"extracted: nesting deeper than {MAX_EXTRACTION_DEPTH}")
                    art = replace(art, warnings=(*art.warnings, w))
            parsed, data = _to_parsed(item, art, ids)
            _write_derived(case.root / "derived" / parsed.derived_path, data)
            out.append(parsed)
            bar.update(1)
    for start in range(0, len(out), ENTRY_BATCH):
        chunk = out[start:start + ENTRY_BATCH]
        results: list[JSONValue] = [
            {"id": p.evidence_id, "media_type": p.media_type, "parser": p.parser or None,
             "parser_version": p.parser_version or None,
             "warnings": len(p.summary.get("warnings") or ()),  # type: ignore[arg-type]
             "unparsed_reason": p.summary.get("unparsed_reason"),  # type: ignore[dict-item]
             "extracted": children_of.get(p.evidence_id, []),  # type: ignore[dict-item]
             "derived": {"path": f"derived/{p.derived_path}", "sha256": p.derived_sha256}}
            for p in chunk
        ]
        refs = tuple(case.item(p.evidence_id).ref for p in chunk)
        case.record([EntryDraft(Action.PARSE, refs, {"reason": reason, "results": results,
                                                     "package_version": __version__})])
    report = ParseReport(tuple(out), tuple(extracted))
    if extracted:
        nested = parse_items(case, [case.item(e) for e in extracted], progress=progress,
                             reason=reason, _depth=_depth + 1)
        report = ParseReport((*report.parsed, *nested.parsed),
                             (*report.extracted, *nested.extracted))
    return report


def _origin(art: Artifact):
    from forensics.records import Origin

    return Origin(art.evidence_id, art.sha256, art.parser, art.parser_version)


def load_parsed(case: Case, item: Item) -> ParsedItem | None:
    """The derived parse of ``item`` if it exists, is well formed and is current."""
    from forensics.parsers import default_registry

    rel = f"{PARSED_DIR}/{item.digests.sha256}.json"
    path = case.root / "derived" / rel
    try:
        data = path.read_bytes()
        doc = json.loads(data)
    except (OSError, ValueError):
        return None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        return None
    summary = doc.get("artifact")
    if not isinstance(summary, dict) or summary.get("sha256") != item.digests.sha256:
        return None
    parser = default_registry().get(str(summary.get("media_type")))
    if parser is not None and (summary.get("parser") != parser.name
                               or summary.get("parser_version") != parser.version):
        return None  # made by another parser or an older version: parse again
    if parser is None and summary.get("parser"):
        return None
    summary["evidence_id"] = item.evidence_id
    return ParsedItem(item.evidence_id, item.digests.sha256, summary,
                      tuple(doc.get("events") or ()), tuple(doc.get("records") or ()),
                      rel, hashlib.sha256(data).hexdigest())


def ensure_parsed(case: Case, *, progress: bool | None = None) -> list[ParsedItem]:
    """Every item's current parse, parsing again (and logging it) where one is missing or stale."""
    case.refresh()
    have: list[ParsedItem] = []
    missing: list[Item] = []
    for item in case.items:
        p = load_parsed(case, item)
        if p is None:
            missing.append(item)
        else:
            have.append(p)
    if missing:
        report = parse_items(case, missing, progress=progress, reason="rebuild")
        have.extend(report.parsed)
        case.refresh()
    order = {it.evidence_id: n for n, it in enumerate(case.items)}
    have.sort(key=lambda p: order.get(p.evidence_id, len(order)))
    # An item may have been parsed twice above (nested extraction): keep one per number.
    seen: set[str] = set()
    unique = []
    for p in have:
        if p.evidence_id not in seen:
            seen.add(p.evidence_id)
            unique.append(p)
    return unique


def _frames(case: Case, progress: bool | None = None) -> dict[str, pd.DataFrame]:
    import pandas as pd

    parsed = ensure_parsed(case, progress=progress)
    head = case.head
    fingerprint = hashlib.sha256("\n".join(
        f"{p.evidence_id} {p.sha256} {p.derived_sha256}" for p in parsed).encode()).hexdigest()
    derived = case.root / "derived"
    cached = _read_cached(derived, fingerprint)
    if cached is not None:
        return cached
    art_rows, warn_rows, event_rows, record_rows = [], [], [], []
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
            "derived": f"derived/{p.derived_path}", "derived_sha256": p.derived_sha256,
        })
        for w in s.get("warnings") or ():  # type: ignore[union-attr]
            warn_rows.append({"evidence_id": p.evidence_id, "sha256": p.sha256, **w})
        for e in p.events:
            event_rows.append({**e, "evidence_id": p.evidence_id})
        for r in p.records:
            record_rows.append({**r, "evidence_id": p.evidence_id})
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
    if not frames["events"].empty:
        frames["events"] = frames["events"].sort_values(
            ["earliest", "evidence_id"], kind="stable").reset_index(drop=True)
    _write_cached(derived, frames, fingerprint, head.seq if head else 0,
                  [(p.evidence_id, p.sha256) for p in parsed])
    return frames


_EVENT_COLUMNS = ["evidence_id", "sha256", "parser", "parser_version", "data_type",
                  "description", "location", "utc", "earliest", "latest", "original",
                  "time_source", "precision", "zone", "zone_name", "actor", "text", "url"]


def _read_cached(derived: Path, fingerprint: str) -> dict[str, pd.DataFrame] | None:
    import pandas as pd

    try:
        import pyarrow.parquet as pq
    except ImportError:  # pragma: no cover - pyarrow is a dependency
        return None
    out = {}
    for name in _TABLES:
        path = derived / f"{name}.parquet"
        try:
            meta = pq.read_schema(path).metadata or {}
            if meta.get(b"forensics:fingerprint", b"").decode() != fingerprint:
                return None
            out[name] = pd.read_parquet(path)
        except (OSError, ValueError):
            return None
        except Exception:
            return None
    return out


def _write_cached(derived: Path, frames: dict[str, pd.DataFrame], fingerprint: str,
                  head_seq: int, sources: Sequence[tuple[str, str]]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    meta = {
        "forensics:fingerprint": fingerprint, "forensics:package_version": __version__,
        "forensics:custody_head_seq": str(head_seq),
        "forensics:sources": json.dumps(sources),
    }
    for name, df in frames.items():
        table = pa.Table.from_pandas(df.astype(object).where(df.notna(), None)
                                     if not df.empty else df, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **meta})
        path = derived / f"{name}.parquet"
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        with contextlib.suppress(OSError):
            pq.write_table(table, tmp)
            os.replace(tmp, path)


def artifacts_frame(case: Case, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per item: media type, parser, warnings, unparsed reason, metadata (JSON)."""
    return _frames(case, progress)["artifacts"]


def events_frame(case: Case, *, progress: bool | None = None) -> pd.DataFrame:
    """One row per time event, earliest first, with the time's source, precision and zone."""
    return _frames(case, progress)["events"]


def records_frame(case: Case, data_type: str | None = None, *,
                  progress: bool | None = None) -> pd.DataFrame:
    """Parsed records (all, or those of one ``data_type`` such as ``social:repost``)."""
    df = _frames(case, progress)["records"]
    if data_type is not None and not df.empty:
        df = df[df["data_type"] == data_type].dropna(axis=1, how="all").reset_index(drop=True)
    return df


def warnings_frame(case: Case, *, progress: bool | None = None) -> pd.DataFrame:
    """Every parse warning: evidence number, parser, location, message."""
    return _frames(case, progress)["warnings"]


def inspect(paths: Iterable[Path | str], *, default_zone: str | None = None) -> list[Artifact]:
    """Parse files outside any case (a quick look before intake); writes nothing.

    Folders are walked recursively in name order.  Times without a zone are marked *unknown*
    unless ``default_zone`` is given.
    """
    from forensics.parsers import parse_path

    out = []
    for p in _walk(paths):
        out.append(parse_path(p, default_zone=default_zone))
    return out


def _walk(paths: Iterable[Path | str]) -> Iterable[Path]:
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    yield Path(root) / f
        else:
            yield p
