"""Bring captured files into a case without changing a byte of them.

For each file: open it read-only (no symlink following, no access-time update), copy it into a
private staging folder while computing SHA-256, SM3 and MD5 in the same pass, and check that the
source did not change while it was read.  Then, per batch: make the copies durable (one
``syncfs``), take the custody lock, number new content (E0001, E0002, ...) or recognise content
the case already holds ("seen again", logged with the new source path), append the entries and
``fsync`` them, and only then move the copies into the content-addressed store.  A crash at any
point leaves a case that verifies once reopened (see :mod:`forensics.store`).

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "shot.png").write_bytes(b"\\x89PNG fake screenshot")
>>> case = Case.init(tmp / "case")
>>> report = case.add([tmp / "shot.png"], facts=IntakeFacts(category="post"))
>>> [(a.evidence_id, a.status) for a in report.added]
[('E0001', 'new')]
>>> report = case.add([tmp / "shot.png"])
>>> [(a.evidence_id, a.status) for a in report.added]
[('E0001', 'seen-again')]
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from forensics._progress import progress_bar
from forensics.case import format_evidence_id
from forensics.custody import Action, EntryDraft, EvidenceRef, JSONValue
from forensics.durable import is_disk_full, open_readonly, sync_files
from forensics.errors import IntakeSheetError, SourceError, StorageError
from forensics.intake import IntakeFacts, IntakeSheet, read_sheet
from forensics.paths import recordable_name
from forensics.store import StagedCopy, StagingSession

if TYPE_CHECKING:  # pragma: no cover
    from forensics.artifacts import ParseReport
    from forensics.case import Case, Item
    from forensics.records import Child

__all__ = [
    "BATCH_BYTES", "BATCH_FILES", "AddReport", "Added", "Skipped", "add", "add_extracted",
    "collect_files",
]

#: A batch is committed (made durable and logged) after this many files ...
BATCH_FILES = 1000
#: ... or this many bytes, whichever comes first.
BATCH_BYTES = 512 << 20


@dataclass(frozen=True, slots=True)
class Added:
    """One file brought in."""

    evidence_id: str
    status: str  # "new" or "seen-again"
    source_path: str
    size: int
    sha256: str
    seq: int
    store_copy: str  # "new", "already-present" or "restored"


@dataclass(frozen=True, slots=True)
class Skipped:
    """A path found in a folder that was not brought in, and why (never silently)."""

    path: str
    reason: str


@dataclass(frozen=True, slots=True)
class AddReport:
    """What ``add`` did."""

    added: tuple[Added, ...] = ()
    skipped: tuple[Skipped, ...] = ()
    failed: tuple[Skipped, ...] = field(default=())
    #: What parsing the new items found (None when parsing was turned off).
    parsed: ParseReport | None = None

    @property
    def new(self) -> tuple[Added, ...]:
        return tuple(a for a in self.added if a.status == "new")

    @property
    def seen_again(self) -> tuple[Added, ...]:
        return tuple(a for a in self.added if a.status == "seen-again")

    def to_json(self) -> dict[str, object]:
        return {
            "added": [
                {"evidence_id": a.evidence_id, "status": a.status, "path": a.source_path,
                 "size": a.size, "sha256": a.sha256, "seq": a.seq, "store_copy": a.store_copy}
                for a in self.added
            ],
            "skipped": [{"path": s.path, "reason": s.reason} for s in self.skipped],
            "failed": [{"path": s.path, "reason": s.reason} for s in self.failed],
            "parsed": [
                {"evidence_id": p.evidence_id, "media_type": p.media_type,
                 "parser": p.parser or None, "warnings": len(p.summary.get("warnings") or ()),
                 "unparsed_reason": p.summary.get("unparsed_reason"),
                 "extracted_items": p.summary.get("extracted_items") or []}
                for p in (self.parsed.parsed if self.parsed else ())
            ],
        }

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{a.evidence_id}</td><td>{a.status}</td><td>{escape(a.source_path)}</td>"
            f"<td>{a.size}</td><td><code>{a.sha256[:16]}…</code></td></tr>"
            for a in self.added
        )
        extra = "".join(
            f"<li>{escape(s.path)}: {escape(s.reason)}</li>" for s in (*self.skipped, *self.failed)
        )
        return (
            f"<p>{len(self.new)} new, {len(self.seen_again)} seen again, "
            f"{len(self.skipped)} skipped, {len(self.failed)} failed</p>"
            f"<table><tr><th>No.</th><th>status</th><th>source</th><th>bytes</th>"
            f"<th>SHA-256</th></tr>{rows}</table>" + (f"<ul>{extra}</ul>" if extra else "")
        )


@dataclass(frozen=True, slots=True)
class _Source:
    path: Path
    relative: str | None
    facts: IntakeFacts
    sheet_row: int | None


def collect_files(paths: Iterable[Path | str]) -> tuple[list[tuple[Path, str | None]], list[Skipped]]:
    """Expand files and folders (recursively, in sorted order) into regular files.

    Raises :class:`SourceError` for a missing, unreadable or special path named directly.
    Inside folders, symbolic links and special files are listed as skipped with the reason, and
    so is a second name of a file already listed (named twice, or a hard link).
    """
    files: list[tuple[Path, str | None]] = []
    skipped: list[Skipped] = []
    seen: dict[tuple[int, int], Path] = {}

    def take(f: Path, st: os.stat_result, rel: str | None) -> None:
        key = (st.st_dev, st.st_ino)
        if key in seen:
            if seen[key] != f:
                skipped.append(Skipped(str(f), f"same file as {seen[key]} (named twice or a hard "
                                                "link): brought in once"))
            return
        _check_readable(f)
        seen[key] = f
        files.append((f, rel))

    def walk(folder: Path, top: Path) -> None:
        try:
            with os.scandir(folder) as it:
                entries = sorted(it, key=lambda e: e.name)
        except OSError as exc:
            raise SourceError(folder, exc.strerror or str(exc)) from None
        for e in entries:
            f = Path(e.path)
            st = e.stat(follow_symlinks=False)
            if stat.S_ISLNK(st.st_mode):
                kind = "folder" if f.is_dir() else "file"
                skipped.append(Skipped(str(f), f"symbolic link to a {kind} (to {os.readlink(f)}): "
                                               "not followed"))
            elif stat.S_ISDIR(st.st_mode):
                walk(f, top)
            elif stat.S_ISREG(st.st_mode):
                take(f, st, f.relative_to(top).as_posix())
            else:
                skipped.append(Skipped(str(f), "not a regular file (device, socket or pipe)"))

    for given in paths:
        p = Path(given)
        try:
            st = os.lstat(p)
        except FileNotFoundError:
            raise SourceError(p, "no such file or folder") from None
        except OSError as exc:
            raise SourceError(p, exc.strerror or str(exc)) from None
        if stat.S_ISLNK(st.st_mode):
            raise SourceError(
                p, f"a symbolic link (to {os.readlink(p)}); name the file itself so that what is "
                "copied is unambiguous"
            )
        if stat.S_ISDIR(st.st_mode):
            walk(p, p)
        elif stat.S_ISREG(st.st_mode):
            take(p, st, None)
        else:
            raise SourceError(p, "not a regular file or folder (device, socket or pipe)")
    return files, skipped


def _check_readable(p: Path) -> None:
    if not os.access(p, os.R_OK):
        raise SourceError(p, "not readable (permission denied)")


def add(
    case: Case,
    paths: Iterable[Path | str] = (),
    *,
    facts: IntakeFacts | None = None,
    sheet: Path | str | IntakeSheet | None = None,
    progress: bool | None = None,
    parse: bool = True,
) -> AddReport:
    """Bring ``paths`` (files and folders) into ``case``; return what was added.

    Parameters
    ----------
    case : Case
        An open case.
    paths : iterable of path-like
        Files and folders (walked recursively).  May be empty when ``sheet`` lists the files.
    facts : IntakeFacts, optional
        Facts that apply to every file (``forensics add --category ...``).
    sheet : path-like or IntakeSheet, optional
        An intake sheet; its rows' facts override ``facts`` for the files they name.  With no
        ``paths``, the files are those the sheet lists.
    progress : bool, optional
        Show a progress bar; default: only in a terminal or a notebook.
    parse : bool, default True
        Recognise and parse each new item (:mod:`forensics.artifacts`): metadata, records and
        time events kept as derived data, attachments extracted as items of their own.

    Raises
    ------
    SourceError, IntakeSheetError, UnsafePathError
        Before anything is written, for a missing or unreadable path or a bad sheet.
    StorageError
        The case could not be written (disk full); what was acknowledged before stays valid.
    """
    base = facts or IntakeFacts()
    if sheet is not None and not isinstance(sheet, IntakeSheet):
        sheet = read_sheet(sheet)
    paths = list(paths)
    if not paths and sheet is None:
        raise SourceError(".", "nothing to add: name files or folders, or give --sheet")
    if not paths and sheet is not None:
        paths = list(sheet.files)
        for p, _, row in sheet.rows:
            if not p.exists():
                raise IntakeSheetError(sheet.path, f"file {p} does not exist", row=row, column="file")
    found, skipped = collect_files(paths)
    sheet_details: dict[str, JSONValue] | None = None
    rows: dict[Path, tuple[IntakeFacts, int]] = {}
    if sheet is not None:
        rows = {p: (f, n) for p, f, n in sheet.rows}
        resolved = {f.resolve(): f for f, _ in found}
        for p, _, n in sheet.rows:
            if p not in resolved:
                raise IntakeSheetError(
                    sheet.path, f"file {p} is not among the files being added", row=n,
                    column="file",
                )
        sheet_details = {
            "path": str(sheet.path.resolve()),
            "sha256": hashlib.sha256(sheet.path.read_bytes()).hexdigest(),
            "encoding": sheet.encoding,
        }
    sources = []
    by_path = {v: k for k, v in resolved.items()} if sheet is not None else {}
    for f, rel in found:
        row = rows.get(by_path[f]) if rows else None
        sources.append(_Source(f, rel, base.merged(row[0]) if row else base,
                               row[1] if row else None))
    if parse:  # load the parsers first: a broken installation fails before anything is logged
        from forensics.parsers import default_registry

        default_registry()
    report = _ingest(case, sources, skipped, sheet_details, progress)
    if parse and report.new:
        from forensics.artifacts import parse_items

        # The copies were hashed while they were stored, moments ago: not read twice.
        parsed = parse_items(case, [case.item(a.evidence_id) for a in report.new],
                             progress=progress, check_copies=False)
        report = replace(report, parsed=parsed)
    return report


def _ingest(
    case: Case, sources: list[_Source], skipped: list[Skipped],
    sheet_details: dict[str, JSONValue] | None, progress: bool | None,
) -> AddReport:
    added: list[Added] = []
    failed: list[Skipped] = []
    total = 0
    for s in sources:
        with contextlib.suppress(OSError):  # a vanished file is reported when it is read
            total += s.path.stat().st_size
    try:
        with progress_bar(total=total, desc="add", unit="B", enabled=progress) as bar:
            # A fresh staging folder per batch: creating files in a folder whose earlier
            # entries were just renamed away is ten times slower on ext4 (measured: 5.2 s
            # against 0.42 s for 10 batches of 1,000 files of 10 KB).
            session = StagingSession(case.root)
            try:
                batch: list[tuple[_Source, StagedCopy, dict[str, JSONValue]]] = []
                batch_bytes = 0
                for src in sources:
                    try:
                        staged, source_info = _stage_one(session, src)
                    except SourceError as exc:
                        failed.append(Skipped(str(src.path), exc.reason))
                        continue
                    bar.update(staged.digests.size)
                    batch.append((src, staged, source_info))
                    batch_bytes += staged.digests.size
                    if len(batch) >= BATCH_FILES or batch_bytes >= BATCH_BYTES:
                        added.extend(_commit(case, batch, sheet_details))
                        batch, batch_bytes = [], 0
                        session.close()
                        session = StagingSession(case.root)
                if batch:
                    added.extend(_commit(case, batch, sheet_details))
            finally:
                session.close()
    except OSError as exc:
        if is_disk_full(exc):
            raise StorageError(case.root, exc.strerror or "disk full") from None
        raise StorageError(case.root, exc.strerror or str(exc)) from None
    return AddReport(tuple(added), tuple(skipped), tuple(failed))


def _stage_one(session: StagingSession, src: _Source) -> tuple[StagedCopy, dict[str, JSONValue]]:
    try:
        fd = open_readonly(src.path)
    except OSError as exc:
        raise SourceError(src.path, f"cannot open read-only: {exc.strerror}") from None
    try:
        before = os.fstat(fd)
        if not stat.S_ISREG(before.st_mode):
            raise SourceError(src.path, "not a regular file")
        try:
            staged = session.stage(fd)
        except OSError as exc:
            if exc.filename is None and not is_disk_full(exc):
                raise SourceError(src.path, f"read error: {exc.strerror}") from None
            raise
        after = os.fstat(fd)
    finally:
        os.close(fd)
    if (
        after.st_size != before.st_size
        or after.st_mtime_ns != before.st_mtime_ns
        or staged.digests.size != before.st_size
    ):
        staged.path.unlink()
        raise SourceError(
            src.path, "changed while it was being read; add it again once nothing writes to it"
        )
    name, raw_hex = recordable_name(os.fsencode(src.path.absolute()))
    info: dict[str, JSONValue] = {
        "path": name,
        "size": before.st_size,
        "mtime": datetime.fromtimestamp(before.st_mtime_ns / 1e9, UTC).strftime(
            "%Y-%m-%dT%H:%M:%S.%fZ"
        ),
        "mtime_ns": str(before.st_mtime_ns),  # past 2**53: kept as text (RFC 8785 numbers)
    }
    if src.relative is not None:
        info["relative"] = recordable_name(os.fsencode(src.relative))[0]
    if raw_hex is not None:
        info["path_bytes_hex"] = raw_hex
    return staged, info


def _commit(
    case: Case, batch: list[tuple[_Source, StagedCopy, dict[str, JSONValue]]],
    sheet_details: dict[str, JSONValue] | None,
) -> list[Added]:
    sync_files([s.path for _, s, _ in batch], case.root)
    out: list[Added] = []
    with case.log.lock:
        case._recover_locked()
        state = case._state
        next_n = state.next_number
        assigned: dict[str, str] = {}
        drafts: list[EntryDraft] = []
        plan: list[tuple[StagedCopy, str, str, str]] = []
        for src, staged, info in batch:
            d = staged.digests
            known = state.by_sha256.get(d.sha256) or assigned.get(d.sha256)
            if known is None:
                eid = format_evidence_id(next_n)
                next_n += 1
                assigned[d.sha256] = eid
                action, status, copy = Action.ACQUIRE, "new", "new"
            else:
                eid = known
                action, status = Action.SEEN_AGAIN, "seen-again"
                placed_now = any(p[0].digests.sha256 == d.sha256 and p[3] != "already-present"
                                 for p in plan)
                copy = "already-present" if placed_now or case.store.has(d.sha256) else "restored"
            details: dict[str, JSONValue] = {
                "source": info,
                "intake": src.facts.to_json(),  # type: ignore[dict-item]
                "stored_as": case.store.relative_path(d.sha256),
                "store_copy": copy,
            }
            if sheet_details is not None and src.sheet_row is not None:
                details["intake_sheet"] = {**sheet_details, "row": src.sheet_row}
            if status == "seen-again":
                details["first_acquired_as"] = eid
            if isinstance(info.get("extracted_from"), dict):
                details["source"] = {k: v for k, v in info.items() if k != "extracted_from"}
                details["extracted_from"] = info["extracted_from"]
            drafts.append(EntryDraft(
                action, (EvidenceRef(eid, d.size, d.sha256, d.sm3, d.md5),), details
            ))
            plan.append((staged, eid, status, copy))
        entries = case.log.append(drafts)
        case._absorb(entries)
        # Still under the lock: whoever takes it next (a verify, a backup) sees the entries and
        # the stored copies together.
        placed: set[str] = set()
        for (staged, eid, status, copy), entry, (_, _, info) in zip(plan, entries, batch,
                                                                    strict=True):
            if copy in ("new", "restored"):
                case.store.place(staged)
                placed.add(staged.digests.sha256)
            else:
                staged.path.unlink()
            out.append(Added(eid, status, str(info["path"]), staged.digests.size,
                             staged.digests.sha256, entry.seq, copy))
        case.store.sync_names(placed)
    return out


def add_extracted(case: Case, parent: Item, children: Sequence[Child]) -> list[Added]:
    """Bring files found inside ``parent`` (e-mail attachments) into the case as items.

    Each is stored, hashed and logged like any other item; its ``acquire`` (or ``seen-again``)
    entry names the item it came from (``extracted_from``: number, SHA-256, location inside it),
    and it inherits the parent's intake facts except ``purpose`` and ``note``.
    """
    if not children:
        return []
    facts = replace(parent.facts, purpose=None, note=f"extracted from {parent.evidence_id}")
    batch: list[tuple[_Source, StagedCopy, dict[str, JSONValue]]] = []
    try:
        with StagingSession(case.root) as session:
            for child in children:
                name = recordable_name(os.fsencode(child.name or "unnamed"))[0]
                staged = session.stage_bytes(child.data)
                info: dict[str, JSONValue] = {
                    "path": f"{parent.evidence_id}/{name}",
                    "size": len(child.data),
                    "extracted_from": {
                        "id": parent.evidence_id, "sha256": parent.digests.sha256,
                        "location": child.location, "name": name,
                        "declared_type": child.declared_type,
                    },
                }
                batch.append((_Source(Path(name), None, facts, None), staged, info))
            return _commit(case, batch, None)
    except OSError as exc:
        raise StorageError(case.root, exc.strerror or str(exc)) from None
