"""The case folder: create, open, its layout and the items it holds.

A case folder holds::

    case.toml        case metadata (title, number, examiner, default time zone)
    custody.jsonl    the hash-chained custody log (forensics.custody): the source of truth
    store/           the content-addressed, read-only evidence store (forensics.store)
    staging/         copies on their way into the store (crash-safe intake)
    anchors/         heads of the log recorded outside it, with RFC 3161 requests (.tsq)
    recovered/       torn log lines moved aside by recovery
    derived/         data derived from the store, always rebuildable
    pseudonyms.json  the pseudonyms of third parties (forensics.pseudonyms), kept out of reports
    reports/         rendered reports

What the case *holds* (its evidence items, their numbers E0001, E0002, ...) is never stored
anywhere else: it is replayed from the custody log, so it cannot disagree with it.

Examples
--------
>>> import tempfile, pathlib
>>> root = pathlib.Path(tempfile.mkdtemp()) / "case"
>>> case = Case.init(root, title="张三诉李四名誉权纠纷", case_number="(2026)京0491民初1号")
>>> case.metadata.timezone
'Asia/Shanghai'
>>> [e.action for e in case.log.entries()]
['init']
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import tomli_w

from forensics.custody import (
    EVENT_ACTIONS,
    LOG_FILE,
    Action,
    CustodyLog,
    Entry,
    EntryDraft,
    EvidenceRef,
    JSONValue,
    split_line,
)
from forensics.digests import DigestSet
from forensics.durable import atomic_write, fsync_dir
from forensics.errors import CaseExistsError, InputError, NotACaseError, StorageError
from forensics.intake import FACT_NAMES, IntakeFacts
from forensics.store import STAGING_DIR, STORE_DIR, EvidenceStore

if TYPE_CHECKING:  # pragma: no cover
    from forensics.ingest import AddReport
    from forensics.integrity import BackupReport, VerificationReport

__all__ = [
    "ANCHORS_DIR",
    "CASE_FILE",
    "DEFAULT_TIMEZONE",
    "DERIVED_DIR",
    "REPORTS_DIR",
    "Case",
    "CaseMetadata",
    "Item",
    "Sighting",
]

CASE_FILE = "case.toml"
ANCHORS_DIR = "anchors"
DERIVED_DIR = "derived"
REPORTS_DIR = "reports"
DEFAULT_TIMEZONE = "Asia/Shanghai"
FORMAT_VERSION = 1
_FOLDERS = (STORE_DIR, STAGING_DIR, ANCHORS_DIR, DERIVED_DIR, REPORTS_DIR)


@dataclass(frozen=True, slots=True)
class CaseMetadata:
    """What ``case.toml`` says about the case."""

    title: str = ""
    case_number: str = ""
    examiner: str = ""
    timezone: str = DEFAULT_TIMEZONE
    created_at: str = ""
    format_version: int = FORMAT_VERSION

    def __post_init__(self) -> None:
        for name in ("title", "case_number", "examiner", "timezone"):
            try:
                getattr(self, name).encode("utf-8")
            except UnicodeEncodeError:
                raise InputError(f"{name} is not valid UTF-8 text: {getattr(self, name)!r}"
                                 ) from None
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise InputError(
                f"unknown time zone {self.timezone!r}; use an IANA name such as Asia/Shanghai"
            ) from None

    def to_toml(self) -> bytes:
        doc = {
            "case": {
                "title": self.title, "case_number": self.case_number, "examiner": self.examiner,
                "timezone": self.timezone, "created_at": self.created_at,
                "format_version": self.format_version,
            }
        }
        header = "# Case metadata. Change it with the forensics tool, not by hand: the custody\n" \
                 "# log records its digest and `forensics verify` reports any other change.\n"
        return header.encode() + tomli_w.dumps(doc).encode()

    @classmethod
    def from_toml(cls, data: bytes, path: Path) -> CaseMetadata:
        try:
            doc = tomllib.loads(data.decode("utf-8"))
            c = doc["case"]
            if not isinstance(c, dict):
                raise TypeError("[case] is not a table")
            for key in ("title", "case_number", "examiner", "timezone", "created_at"):
                if not isinstance(c.get(key, ""), str):
                    raise TypeError(f"{key} is not a string")
            if not isinstance(c.get("format_version", FORMAT_VERSION), int):
                raise TypeError("format_version is not an integer")
            return cls(
                title=str(c.get("title", "")), case_number=str(c.get("case_number", "")),
                examiner=str(c.get("examiner", "")),
                timezone=str(c.get("timezone", DEFAULT_TIMEZONE)),
                created_at=str(c.get("created_at", "")),
                format_version=int(c.get("format_version", FORMAT_VERSION)),
            )
        except InputError as exc:  # e.g. an unknown time zone
            raise NotACaseError(path.parent, f"{CASE_FILE}: {exc}") from None
        except (UnicodeDecodeError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError,
                RecursionError) as exc:
            reason = exc if not isinstance(exc, KeyError) else f"no {exc} table"
            raise NotACaseError(path.parent, f"{CASE_FILE} unreadable: {reason}") from None


@dataclass(frozen=True, slots=True)
class Sighting:
    """One time a file with this content was brought in (the first, or "seen again")."""

    seq: int
    time: datetime
    action: str
    source_path: str
    facts: IntakeFacts


@dataclass(frozen=True, slots=True)
class Item:
    """An evidence item: one distinct content in the store, with its stable number."""

    evidence_id: str
    digests: DigestSet
    stored_as: str
    acquired_seq: int
    acquired_at: datetime
    source_path: str
    facts: IntakeFacts
    sightings: tuple[Sighting, ...] = field(default=())
    #: For a file extracted from another item (an e-mail attachment): that item's number.
    extracted_from: str | None = None

    @property
    def ref(self) -> EvidenceRef:
        d = self.digests
        return EvidenceRef(self.evidence_id, d.size, d.sha256, d.sm3, d.md5)

    @property
    def name(self) -> str:
        """The file name it had when first brought in."""
        return self.source_path.replace("\\", "/").rsplit("/", 1)[-1]

    def _repr_html_(self) -> str:
        f = self.facts.to_json()
        facts = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in f.items())
        return (
            f"<table><caption>{escape(self.evidence_id)} {escape(self.name)}</caption>"
            f"<tr><th>size</th><td>{self.digests.size}</td></tr>"
            f"<tr><th>SHA-256</th><td><code>{self.digests.sha256}</code></td></tr>"
            f"<tr><th>SM3</th><td><code>{self.digests.sm3}</code></td></tr>"
            f"<tr><th>MD5</th><td><code>{self.digests.md5}</code></td></tr>"
            f"<tr><th>acquired (UTC)</th><td>{self.acquired_at:%Y-%m-%d %H:%M:%S}</td></tr>"
            f"<tr><th>times brought in</th><td>{len(self.sightings)}</td></tr>{facts}</table>"
        )


class _State:
    """Items replayed from the log, kept up to date incrementally."""

    def __init__(self) -> None:
        self.offset = 0
        self.items: dict[str, Item] = {}
        self.by_sha256: dict[str, str] = {}
        self.head: Entry | None = None
        self.metadata_sha256: str | None = None
        self.anchors: list[Entry] = []
        #: Evidence number -> the result of its latest logged parse (forensics.artifacts).
        self.parses: dict[str, Mapping[str, object]] = {}
        #: ``facts`` entries whose values this version cannot apply (kept in the log, skipped).
        self.unapplied: list[int] = []
        #: ``attest`` entries (forensics.attest), in log order.
        self.attestations: list[Entry] = []
        #: Time events stated by entries of :data:`~forensics.custody.EVENT_ACTIONS`, with the
        #: sequence number of the entry (``details["events"]``).
        self.logged_events: list[tuple[int, Mapping[str, object]]] = []
        #: Evidence number -> the result of its latest logged OCR reading (forensics.ocr).
        self.ocr: dict[str, Mapping[str, object]] = {}
        #: The latest ``screens`` entry (forensics.screens): the key phrases and the calls.
        self.screens: Entry | None = None
        #: The latest ``derived`` entry of the parsed tables (``derived/*.parquet``), which
        #: :func:`forensics.artifacts.events_frame` reads back while it is current.
        self.tables: Entry | None = None
        #: File name -> SHA-256 of every kept figure (``derived/figures``), as logged.
        self.figures: dict[str, str] = {}

    def apply(self, e: Entry) -> None:
        self.head = e
        if e.action in (Action.ACQUIRE, Action.SEEN_AGAIN):
            ref = e.evidence[0]
            src = e.details.get("source")
            path = str(src.get("path", "")) if isinstance(src, Mapping) else ""
            raw_facts = e.details.get("intake") or {}
            facts = IntakeFacts(**{k: str(v) for k, v in dict(raw_facts).items()  # type: ignore[arg-type]
                                   if k in FACT_NAMES})
            sighting = Sighting(e.seq, e.time, e.action, path, facts)
            parent = e.details.get("extracted_from")
            parent_id = str(parent.get("id")) if isinstance(parent, Mapping) else None
            if e.action == Action.ACQUIRE and ref.evidence_id not in self.items:
                self.items[ref.evidence_id] = Item(
                    evidence_id=ref.evidence_id,
                    digests=DigestSet(size=ref.size, sha256=ref.sha256, sm3=ref.sm3, md5=ref.md5),
                    stored_as=str(e.details.get("stored_as", EvidenceStore.relative_path(ref.sha256))),
                    acquired_seq=e.seq, acquired_at=e.time, source_path=path, facts=facts,
                    sightings=(sighting,), extracted_from=parent_id,
                )
                self.by_sha256[ref.sha256] = ref.evidence_id
            elif ref.evidence_id in self.items:
                it = self.items[ref.evidence_id]
                self.items[ref.evidence_id] = Item(
                    it.evidence_id, it.digests, it.stored_as, it.acquired_seq, it.acquired_at,
                    it.source_path, it.facts, (*it.sightings, sighting), it.extracted_from,
                )
        if e.action == Action.FACTS:
            changed = e.details.get("facts")
            for ref in e.evidence:
                it = self.items.get(ref.evidence_id)
                if it is not None and isinstance(changed, Mapping):
                    try:
                        facts = it.facts.updated(changed)
                    except (ValueError, TypeError):  # a value this version refuses (a later
                        self.unapplied.append(e.seq)  # version's category): left as it was
                        continue
                    self.items[ref.evidence_id] = dataclasses.replace(it, facts=facts)
        meta = e.details.get("metadata_sha256")
        if e.action in (Action.INIT, Action.METADATA) and isinstance(meta, str):
            self.metadata_sha256 = meta
        if e.action == Action.ANCHOR:
            self.anchors.append(e)
        if e.action == Action.ATTEST:
            self.attestations.append(e)
        if e.action == Action.SCREENS:
            self.screens = e
        if e.action == Action.DERIVED:
            what = e.details.get("what")
            if what == "tables":
                self.tables = e
            files = e.details.get("files")
            if what == "figures" and isinstance(files, Mapping):
                self.figures.update({str(k): str(v) for k, v in files.items()})
        if e.action in EVENT_ACTIONS:
            events = e.details.get("events")
            if isinstance(events, list | tuple):
                self.logged_events.extend((e.seq, ev) for ev in events if isinstance(ev, Mapping))
        if e.action in (Action.PARSE, Action.OCR):
            kept = self.parses if e.action == Action.PARSE else self.ocr
            results = e.details.get("results")
            if isinstance(results, list | tuple):
                for r in results:
                    if isinstance(r, Mapping) and isinstance(r.get("id"), str):
                        kept[str(r["id"])] = r

    @property
    def next_number(self) -> int:
        """One more than the highest number in use (never reuses a number, even after gaps)."""
        highest = 0
        for eid in self.items:
            if eid[1:].isdigit():
                highest = max(highest, int(eid[1:]))
        return highest + 1


def format_evidence_id(n: int) -> str:
    """``E0001`` style numbers (more digits past 9999).

    >>> format_evidence_id(7), format_evidence_id(12345)
    ('E0007', 'E12345')
    """
    return f"E{n:04d}"


class Case:
    """A case folder.  Create one with :meth:`init`, open an existing one with :meth:`open`."""

    def __init__(self, root: Path, metadata: CaseMetadata, *, actor: str | None = None) -> None:
        self.root = root
        self.metadata = metadata
        self.log = CustodyLog(root / LOG_FILE, actor=actor)
        self.store = EvidenceStore(root)
        self._state = _State()

    # --- creating and opening -------------------------------------------------------------

    @classmethod
    def init(
        cls, root: Path | str, *, title: str = "", case_number: str = "", examiner: str = "",
        timezone: str = DEFAULT_TIMEZONE, actor: str | None = None,
    ) -> Case:
        """Create a case folder at ``root`` (which must not exist or be empty)."""
        root = Path(root)
        if root.exists() and (not root.is_dir() or any(root.iterdir())):
            raise CaseExistsError(root)
        meta = CaseMetadata(
            title=title, case_number=case_number, examiner=examiner, timezone=timezone,
            created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        )
        try:
            root.mkdir(parents=True, exist_ok=True)
            for folder in _FOLDERS:
                (root / folder).mkdir(exist_ok=True)
            data = meta.to_toml()
            atomic_write(root / CASE_FILE, data)
            fsync_dir(root)
            case = cls(root, meta, actor=actor or os.environ.get("FORENSICS_ACTOR") or examiner
                       or None)
            case.log.append([EntryDraft(Action.INIT, details={
                "metadata": {
                    "title": title, "case_number": case_number, "examiner": examiner,
                    "timezone": timezone, "format_version": FORMAT_VERSION,
                },
                "metadata_sha256": hashlib.sha256(data).hexdigest(),
                "layout": list(_FOLDERS),
            })])
        except OSError as exc:
            raise StorageError(root, exc.strerror or str(exc)) from None
        case.refresh()
        return case

    @classmethod
    def open(cls, root: Path | str, *, actor: str | None = None) -> Case:
        """Open an existing case; raises :class:`NotACaseError` for anything else."""
        root = Path(root)
        if not root.exists():
            raise NotACaseError(root, "no such folder")
        if not root.is_dir():
            raise NotACaseError(root, "not a folder")
        meta_path = root / CASE_FILE
        if not meta_path.is_file():
            raise NotACaseError(root, f"no {CASE_FILE}")
        if not (root / LOG_FILE).is_file():
            raise NotACaseError(root, f"no {LOG_FILE}")
        try:
            data = meta_path.read_bytes()
        except OSError as exc:
            raise NotACaseError(root, f"cannot read {CASE_FILE}: {exc.strerror}") from None
        meta = CaseMetadata.from_toml(data, meta_path)
        case = cls(root, meta, actor=actor or os.environ.get("FORENSICS_ACTOR") or meta.examiner
                   or None)
        return case

    # --- state replayed from the log ------------------------------------------------------

    def refresh(self) -> None:
        """Read log entries appended since the last look (by this or another process)."""
        try:  # the log only grows: no more bytes, nothing new (a stat, not an open and read)
            if os.stat(self.log.path).st_size <= self._state.offset:
                return
        except OSError:
            pass  # read as before: a missing log reads as no entries, a broken one is said
        entries, offset = self.log.read(self._state.offset)
        for e in entries:
            self._state.apply(e)
        self._state.offset = offset

    def replay(self, *, strict: bool = True, bad: list[tuple[int, str]] | None = None) -> _State:
        """A fresh replay of the whole log.

        ``strict=False`` passes over unreadable lines, listing them in ``bad`` (line, reason).
        """
        state = _State()
        for e in self.log.iter_entries(0, strict=strict, bad=bad):
            state.apply(e)
        state.offset = self.log._iter_end
        return state

    def _absorb(self, entries: Sequence[Entry]) -> None:
        """Take entries this process just appended, without reading them back when possible."""
        start, end, count = self.log.last_write
        if entries and self._state.offset == start and count == len(entries):
            for e in entries:
                self._state.apply(e)
            self._state.offset = end
        else:
            self.refresh()

    @property
    def items(self) -> tuple[Item, ...]:
        """The evidence items in number order."""
        self.refresh()
        return tuple(self._state.items.values())

    @property
    def attestations(self) -> tuple[Entry, ...]:
        """The ``attest`` entries: outside hash lists and certificates read into the case
        (:meth:`attest`), in log order."""
        self.refresh()
        return tuple(self._state.attestations)

    def attest(self, path: Path | str, **kwargs: object):  # -> forensics.attest.AttestReport
        """Read an outside hash list or certificate and match it against the case: see
        :func:`forensics.attest.import_attestation`."""
        from forensics.attest import import_attestation

        return import_attestation(self, path, **kwargs)  # type: ignore[arg-type]

    @property
    def logged_events(self) -> tuple[tuple[int, Mapping[str, object]], ...]:
        """Time events the custody log states itself (``details["events"]`` of ``attest`` and
        ``timestamp`` entries), each with the sequence number of its entry, in log order."""
        self.refresh()
        return tuple(self._state.logged_events)

    def item(self, evidence_id: str) -> Item:
        """One item by its number (``E0003``)."""
        self.refresh()
        try:
            return self._state.items[evidence_id]
        except KeyError:
            raise InputError(
                f"{self.root}: no evidence item {evidence_id!r}; "
                f"`forensics log {self.root}` lists what the case holds"
            ) from None

    def item_by_sha256(self, sha256: str) -> Item | None:
        self.refresh()
        eid = self._state.by_sha256.get(sha256)
        return self._state.items[eid] if eid else None

    @property
    def head(self) -> Entry | None:
        self.refresh()
        return self._state.head

    # --- writing --------------------------------------------------------------------------

    def record(self, drafts: Sequence[EntryDraft]) -> tuple[Entry, ...]:
        """Append entries under the lock after recovering interrupted work; refresh state."""
        with self.log.lock:
            self._recover_locked()
            entries = self.log.append(drafts)
            self._absorb(entries)
        return entries

    def recover(self) -> tuple[Entry, ...]:
        """Finish or discard what interrupted writers left behind; return the entries logged."""
        with self.log.lock:
            torn = self.log.recover()
            entries = self._recover_locked()
        return (*torn, *entries)

    def _recover_locked(self) -> tuple[Entry, ...]:
        """Under the lock: bring the state up to date and recover dead sessions (logged)."""
        self._resync_locked()
        done: list[Entry] = []

        def record(drafts: list[EntryDraft]) -> None:
            entries = self.log.append(drafts)
            self._absorb(entries)
            done.extend(entries)

        self.store.recover(lambda sha: sha in self._state.by_sha256, record)
        return tuple(done)

    def _resync_locked(self) -> None:
        """Replay from the start if what this object read was since cut from the log.

        A reader without the lock may have read lines of a write that then failed and was cut
        back; under the lock, the state must end exactly at its head line.
        """
        st = self._state
        if st.head is not None:
            try:
                size = self.log.path.stat().st_size
                with open(self.log.path, "rb") as fh:
                    start = max(0, st.offset - (1 << 20))
                    fh.seek(start)
                    window = fh.read(st.offset - start)
            except OSError:
                size, window = -1, b""
            line = window[window.rfind(b"\n", 0, len(window) - 1) + 1 : -1]
            parts = split_line(line) if st.offset <= size and window.endswith(b"\n") else None
            if parts is None or parts[1].decode("ascii", "replace") != st.head.entry_sha256:
                self._state = _State()
        self.refresh()

    def add(self, paths: Iterable[Path | str] = (), **kwargs: object) -> AddReport:
        """Bring files into the case: see :func:`forensics.ingest.add`."""
        from forensics.ingest import add

        return add(self, paths, **kwargs)  # type: ignore[arg-type]

    def verify(self, *, record: bool = True, **kwargs: object) -> VerificationReport:
        """Re-hash every item and walk the chain: see :func:`forensics.integrity.verify_case`."""
        from forensics.integrity import verify_case

        return verify_case(self, record=record, **kwargs)  # type: ignore[arg-type]

    def backup(self, dest: Path | str) -> BackupReport:
        """Copy the case elsewhere and check the copy: see :func:`forensics.integrity.backup`."""
        from forensics.integrity import backup

        return backup(self, Path(dest))

    def anchor(self):  # -> forensics.anchor.Anchor
        """Record the head outside the log: see :func:`forensics.anchor.anchor`."""
        from forensics.anchor import anchor

        return anchor(self)

    def artifacts(self, *, progress: bool | None = None, record: bool | None = None):  # -> pandas.DataFrame
        """One row per item as parsed: see :func:`forensics.artifacts.artifacts_frame`."""
        from forensics.artifacts import artifacts_frame

        return artifacts_frame(self, progress=progress, record=record)

    def events(self, *, progress: bool | None = None, record: bool | None = None):  # -> pandas.DataFrame
        """Every time event the items state: see :func:`forensics.artifacts.events_frame`."""
        from forensics.artifacts import events_frame

        return events_frame(self, progress=progress, record=record)

    def records(self, data_type: str | None = None, *, progress: bool | None = None,
                record: bool | None = None):
        """Parsed records, e.g. ``case.records("social:repost")``."""
        from forensics.artifacts import records_frame

        return records_frame(self, data_type, progress=progress, record=record)

    def parse_warnings(self, *, progress: bool | None = None, record: bool | None = None):
        """Every warning the parsers gave (corrupt parts of otherwise readable files)."""
        from forensics.artifacts import warnings_frame

        return warnings_frame(self, progress=progress, record=record)

    def timeline(self, *, progress: bool | None = None,
                 record: bool | None = None):  # -> pandas.DataFrame
        """The case timeline: see :func:`forensics.timeline.build_timeline` (``record``: keep
        and log parses made on the way, as :meth:`events`)."""
        from forensics.timeline import build_timeline

        return build_timeline(self, events=self.events(progress=progress, record=record))

    def timeline_figure(self, *, findings: bool = True, progress: bool | None = None,
                        record: bool | None = None,
                        **kwargs: object):  # -> matplotlib.figure.Figure
        """The timeline drawn by lane, with the findings marked: see
        :func:`forensics.figures.timeline_figure` (``lang=...``, ``title=...``)."""
        from forensics.figures import timeline_figure

        marked = self.findings(progress=progress, record=record) if findings else None
        return timeline_figure(self.timeline(progress=progress, record=record), findings=marked,
                               title=kwargs.pop("title", None) or self.metadata.title or None,
                               **kwargs)  # type: ignore[arg-type]

    def evidence_list(self, *, groups: Mapping[str, str] | None = None):  # -> pandas.DataFrame
        """The evidence list (证据目录): see :func:`forensics.appendix.evidence_list`."""
        from forensics.appendix import evidence_list

        return evidence_list(self, groups=groups)

    def hash_table(self):  # -> pandas.DataFrame
        """The hash table keyed to the evidence numbers: see
        :func:`forensics.appendix.hash_table`."""
        from forensics.appendix import hash_table

        return hash_table(self)

    def attestation_table(self):  # -> pandas.DataFrame
        """Every digest the outside statements read into the case list (``forensics attest
        import``), one row each, in log order: the custody entry, who states it, the form, the
        certificate number and the time stated, the listed name, algorithm and digest, and how
        it compared with the files in hand (``status``, ``evidence_id``, ``held``).

        >>> import tempfile, pathlib
        >>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "case")
        >>> list(case.attestation_table().columns)[:4], len(case.attestation_table())
        (['entry', 'issuer', 'kind', 'certificate_number'], 0)
        """
        import pandas as pd

        from forensics.attest import attestation_results

        columns = ["entry", "issuer", "kind", "certificate_number", "issued_at", "line", "name",
                   "algorithm", "digest", "status", "evidence_id", "held"]
        rows = [{"entry": seq, "issuer": att.get("issuer") or "", "kind": att.get("kind") or "",
                 "certificate_number": att.get("certificate_number") or "",
                 "issued_at": att.get("issued_at") or "", "line": r.get("line"),
                 "name": r.get("name") or "", "algorithm": r.get("algorithm"),
                 "digest": r.get("digest"), "status": r.get("status"),
                 "evidence_id": r.get("evidence_id"), "held": r.get("held")}
                for seq, _docs, att, r in attestation_results(self)]
        return pd.DataFrame(rows, columns=columns)

    def write_appendix(self, out: str | os.PathLike[str], **kwargs: object) -> dict[str, Path]:
        """Write the litigation appendix (HTML, PDF and its tables) into the folder ``out`` and
        log it: see :func:`forensics.appendix.write_appendix` (``lang=``, ``groups=``,
        ``pseudonymize=``, ``keep=``, ``frames=``)."""
        from forensics.appendix import write_appendix

        return write_appendix(self, out, **kwargs)  # type: ignore[arg-type]

    def set_facts(self, evidence_ids: Sequence[str], **facts: str | None) -> tuple[Entry, ...]:
        """Set or correct intake facts of items already in the case (for example the
        ``purpose`` an item is offered for, decided after intake), one custody entry per item.

        A fact given as ``""`` or None is cleared.  The entry records the new values and the
        values they replace; the item's original bytes and its acquisition entry are untouched.
        An item whose facts already have these values gets no entry (the result may be empty).
        Changing ``captured_at`` makes the next analysis read the item again (the parse depends
        on the capture time).

        Raises :class:`~forensics.errors.InputError` for an unknown item or fact, or a value the
        intake rules refuse (the same checks as the intake sheet).
        """
        from forensics.artifacts import _writable
        from forensics.custody import Action, EntryDraft

        if not facts:
            raise InputError("name at least one fact to set (e.g. --purpose)")
        if not _writable(self):
            raise InputError(f"{self.root} is a backup or read-only: set facts in the case "
                             f"itself, then back it up again")
        unknown = sorted(set(facts) - set(FACT_NAMES))
        if unknown:
            raise InputError(f"unknown intake fact(s): {', '.join(unknown)}; known: "
                             f"{', '.join(FACT_NAMES)}")
        changes = {k: (v if v not in (None, "") else None) for k, v in facts.items()}
        # what an attachment took from its mail at extraction follows a correction of the mail
        inherited = {k: v for k, v in changes.items() if k not in ("purpose", "note")}
        with self.log.lock:  # the values replaced are read under the lock that appends
            self.refresh()
            known = {it.evidence_id: it for it in self.items}
            targets: dict[str, tuple[dict[str, str | None], str | None]] = {}
            for eid in dict.fromkeys(evidence_ids):
                if eid not in known:
                    raise InputError(f"no item {eid!r} in this case; see "
                                     f"`forensics log {self.root}`")
                targets[eid] = (changes, None)
            if inherited:
                for it in known.values():
                    top = it.extracted_from
                    while top is not None and top not in evidence_ids and top in known:
                        top = known[top].extracted_from
                    if top in evidence_ids and it.evidence_id not in targets:
                        targets[it.evidence_id] = (inherited, top)
            drafts = []
            for eid, (change, source) in targets.items():
                it = known[eid]
                try:
                    it.facts.updated(change)
                except (ValueError, TypeError) as exc:
                    raise InputError(f"{eid}: {exc}") from None
                before = it.facts.to_json()
                if all(before.get(k) == v for k, v in change.items()):
                    continue  # already so: nothing to record
                details: dict[str, object] = {"facts": change,
                                              "replaced": {k: before.get(k) for k in change}}
                if source is not None:
                    details["inherited_from"] = source
                drafts.append(EntryDraft(Action.FACTS, evidence=(it.ref,), details=details))
            if not targets:
                raise InputError("name at least one evidence number (E0001, ...)")
            return self.record(drafts) if drafts else ()

    def screens(self, *, phrases: Sequence[str] | Path | str | None = None,
                evidence_ids: Sequence[str] | None = None, progress: bool | None = None,
                record: bool | None = None, run: bool = True):  # -> forensics.screens.ScreenReport
        """Which of content, publisher, publish time and URL each screenshot and recording
        shows, read by OCR: see :func:`forensics.screens.check_screens`."""
        from forensics.artifacts import _writable
        from forensics.screens import ASPECTS, check_screens

        if phrases is not None and not isinstance(phrases, str | Path):
            phrases = tuple(phrases)  # a generator is read once
        if not phrases:  # none given: those of the last run logged
            phrases = self.key_phrases
        if record is None:
            record = _writable(self)
        report = check_screens(self, phrases=phrases, evidence_ids=evidence_ids,
                               progress=progress, record=record, run=run)
        if record and run and report.checks:
            checks: list[JSONValue] = [
                {"id": c.evidence_id, **{a: getattr(c, a).call.value for a in ASPECTS},
                 "status_bar": c.status_bar or None,
                 "status_bar_check": c.status_bar_check or None,
                 "error": c.error or None, "ocr_sha256": c.ocr_sha256 or None}
                for c in report.checks]
            self.record([EntryDraft(Action.SCREENS,
                                    tuple(self.item(c.evidence_id).ref for c in report.checks),
                                    {"phrases": list(report.phrases), "checks": checks,
                                     "problems": report.problems})])
        return report

    @property
    def key_phrases(self) -> tuple[str, ...]:
        """The key phrases (defamatory statements) of the latest ``screens`` run logged: what
        :meth:`screens` looks for when given none."""
        self.refresh()
        e = self._state.screens
        got = e.details.get("phrases") if e is not None else None
        return tuple(str(p) for p in got) if isinstance(got, list | tuple) else ()

    def spread(self, *, progress: bool | None = None, record: bool | None = None,
               **params: object):  # -> forensics.spread.SpreadAnalysis
        """Who reposted what, from the case's repost lists and the posts its captures show:
        see :func:`forensics.spread.analyze` (``params``: ``amplifier_min_reach=...``)."""
        from forensics.spread import (
            analyze,
            captured_posts,
            displayed_counts,
            repost_table,
            seen_posts,
        )

        reposts = self.records("social:repost", progress=progress, record=record)
        posts = self.records("social:post", progress=progress, record=record)
        events = self.events(progress=progress, record=record)
        captured = {it.evidence_id: it.facts.captured_at_utc for it in self.items}
        table = repost_table(reposts, events, captured)
        seen = seen_posts(posts) + captured_posts(
            table["post_id"].unique(), self.items, zone=self.metadata.timezone)
        # counts read from screenshots by `forensics screens` (kept readings only: the spread
        # analysis never starts the OCR engine)
        from forensics.screens import screen_counts

        shown = displayed_counts(posts, captured) + screen_counts(self, table["post_id"].unique())
        return analyze(table, seen=seen, displayed=shown, progress=progress,
                       **params)  # type: ignore[arg-type]

    def repost_graph(self, *, level: str = "account", post_id: str | None = None,
                     progress: bool | None = None, **params: object):  # -> networkx graph
        """The repost graph as a networkx graph: see
        :meth:`forensics.spread.SpreadAnalysis.graph`."""
        return self.spread(progress=progress, **params).graph(level=level, post_id=post_id)

    def write_spread(self, out: Path | str, *, post_id: str | None = None,
                     progress: bool | None = None, analysis: object = None,
                     head: Entry | None = None, **params: object) -> dict[str, Path]:
        """Write the spread exports into ``out`` (:meth:`forensics.spread.SpreadAnalysis.write`)
        and record in the custody log which files were written, their SHA-256, and the items
        and custody head they were made from.  ``analysis``: one already made by
        :meth:`spread` from this case (else it is made now), and ``head``, the custody head it
        was made from (else the head now)."""
        if analysis is None:
            analysis = self.spread(progress=progress, **params)
            head = None
        head = head if head is not None else self.head
        written = analysis.write(out, post_id=post_id)  # type: ignore[attr-defined]
        self.log_export("spread", written, analysis=analysis, post_id=post_id, head=head,
                        params=params)
        return written

    def log_export(self, what: str, files: Mapping[str, Path], *, analysis: object = None,
                   post_id: str | None = None, head: Entry | None = None,
                   params: Mapping[str, object] | None = None,
                   evidence_ids: Iterable[str] | None = None) -> Entry:
        """Record in the custody log that derived files were written from this case: their
        SHA-256, the items they were made from (``evidence_ids``, else the evidence numbers an
        analysis names) and the custody head they were made from."""
        from forensics.custody import Action, EntryDraft

        head = head if head is not None else self.head
        used: set[str] = set(evidence_ids or ())
        nodes = getattr(analysis, "nodes", None)
        if evidence_ids is None and nodes is not None:
            used = {str(e) for e in nodes["evidence_id"].unique() if e}
        known = {it.evidence_id: it for it in self.items}
        refs = tuple(known[e].ref for e in sorted(used) if e in known)
        digests = {}
        for name, p in sorted(files.items()):  # streamed: an export may copy large originals
            with open(p, "rb") as fh:
                digests[name] = hashlib.file_digest(fh, "sha256").hexdigest()
        (entry,) = self.record([EntryDraft(Action.EXPORT, evidence=refs, details={
            "what": what, "out": os.path.commonpath([str(Path(p).resolve().parent)
                                                     for p in files.values()])
            if files else None, "files": digests, "post_id": post_id,
            "made_from_head": {"seq": head.seq, "entry_sha256": head.entry_sha256} if head
            else None,
            "params": {k: v for k, v in sorted((params or {}).items())
                       if isinstance(v, int | float | str)},
        })])
        return entry

    def log_derived(self, what: str, files: Mapping[str, str], *,
                    params: Mapping[str, object] | None = None) -> Entry:
        """Record in the custody log that derived data was kept inside the case for reuse
        (action ``derived``): ``what`` it is, each file (its path in the case, ``/``-separated)
        with the SHA-256 of the bytes written (computed by the writer from those bytes, never
        read back from the folder, where they could have been swapped since), the parameters
        it was made with and the custody head it was made at."""
        from forensics.custody import Action, EntryDraft

        head = self.head
        (entry,) = self.record([EntryDraft(Action.DERIVED, details={
            "what": what, "files": {str(k): str(v) for k, v in sorted(files.items())},
            "made_at_head": {"seq": head.seq, "entry_sha256": head.entry_sha256} if head
            else None,
            "params": {k: v for k, v in sorted((params or {}).items())
                       if isinstance(v, int | float | str)},
        })])
        return entry

    def findings(self, *, progress: bool | None = None, **kwargs: object):
        """Cross-checks of the times: see :func:`forensics.findings.find`."""
        from forensics.findings import find

        return find(self, progress=progress, **kwargs)  # type: ignore[arg-type]

    def entries_frame(self):  # -> pandas.DataFrame
        """The custody log as a table (needs pandas)."""
        import pandas as pd

        rows = [_entry_row(e) for e in self.log.entries()]
        return pd.DataFrame(rows)

    # --- display --------------------------------------------------------------------------

    def __repr__(self) -> str:
        return f"Case({str(self.root)!r}, items={len(self.items)})"

    def _repr_html_(self) -> str:
        m = self.metadata
        head = self.head
        rows = "".join(
            f"<tr><td>{escape(i.evidence_id)}</td><td>{escape(i.name)}</td>"
            f"<td>{i.digests.size}</td><td><code>{i.digests.sha256[:16]}…</code></td>"
            f"<td>{escape(i.facts.category or '')}</td></tr>"
            for i in self.items
        )
        return (
            f"<div><h4>{escape(m.title or str(self.root))} {escape(m.case_number)}</h4>"
            f"<p>examiner: {escape(m.examiner)} · zone: {escape(m.timezone)} · custody head: "
            f"{'entry ' + str(head.seq) + ' sha256:' + head.entry_sha256[:16] + '…' if head else '—'}"
            f"</p><table><tr><th>证据编号 No.</th><th>name</th><th>bytes</th><th>SHA-256</th>"
            f"<th>category</th></tr>{rows}</table></div>"
        )


def _entry_row(e: Entry) -> dict[str, object]:
    return {
        "seq": e.seq,
        "time_utc": e.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
        "actor": e.actor,
        "host": e.host,
        "action": e.action,
        "evidence": " ".join(e.evidence_ids),
        "summary": summarize(e),
        "entry_sha256": e.entry_sha256,
    }


def summarize(e: Entry) -> str:
    """A one-line description of an entry for tables."""
    d = e.details
    if e.action in (Action.ACQUIRE, Action.SEEN_AGAIN):
        src = d.get("source")
        return str(src.get("path", "")) if isinstance(src, Mapping) else ""
    if e.action == Action.PARSE and isinstance(d.get("results"), list | tuple):
        results = [r for r in d["results"] if isinstance(r, Mapping)]  # type: ignore[union-attr]
        unparsed = sum(1 for r in results if r.get("unparsed_reason"))
        warnings = sum(int(r.get("warnings") or 0) for r in results  # type: ignore[call-overload]
                       if isinstance(r.get("warnings"), int))
        extracted = sum(len(r.get("extracted") or ()) for r in results)  # type: ignore[arg-type]
        return (f"parsed {len(results) - unparsed}, not parsed {unparsed}, {warnings} warnings"
                + (f", {extracted} extracted" if extracted else "") + f" ({d.get('reason', '')})")
    if e.action == Action.FACTS and isinstance(d.get("facts"), Mapping):
        return "; ".join(f"{k} cleared" if v is None else f"{k}={v}"
                         for k, v in d["facts"].items())  # type: ignore[union-attr]
    for key in ("what", "result", "text", "status"):
        v = d.get(key)
        if isinstance(v, str):
            return v
    return ""
