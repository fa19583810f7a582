"""Verify a case, back it up, and compare it with a backup.

:func:`verify_case` re-hashes every stored item (SHA-256, SM3 and MD5 in one pass), walks the custody
chain (:func:`forensics.custody.check_chain`), checks it against every anchor, looks for files in the
store that no entry accounts for, and checks ``case.toml`` against the digest the log recorded.  The
result is a :class:`VerificationReport`: a tri-state status (``passed`` / ``failed`` /
``unchecked``), a tuple of typed problems (:mod:`forensics.problems`), and an HTML view for
notebooks.  ``report.raise_for_problems()`` raises :class:`~forensics.errors.IntegrityError`;
``report.ok`` is the bool.  The verification itself is recorded in the custody log.

:func:`backup` copies a case (or brings an earlier backup of the same case up to date), re-hashes
the copy and logs what it found; :func:`compare` checks a backup against its case.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "chat.txt").write_text("2026-11-20 14:32 张三: ...", encoding="utf-8")
>>> case = Case.init(tmp / "case")
>>> _ = case.add([tmp / "chat.txt"])
>>> report = verify_case(case)
>>> report.status, report.problems
('passed', ())
>>> item = case.root / case.item("E0001").stored_as
>>> item.chmod(0o644); _ = item.write_bytes(b"edited")
>>> [p.kind for p in verify_case(case).problems]
['changed-item', 'changed-item', 'changed-item', 'changed-item']
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from forensics._progress import progress_bar
from forensics.custody import (
    LOG_FILE,
    Action,
    ChainCheck,
    EntryDraft,
    Head,
    _prev_and_seq,
    check_chain,
    split_line,
)
from forensics.digests import hash_file
from forensics.durable import atomic_write, fsync_dir, sync_files
from forensics.errors import (
    CustodyLogDamaged,
    InputError,
    IntegrityError,
    NotACaseError,
    SourceError,
    StorageError,
)
from forensics.problems import (
    AnchorMismatch,
    BackupBehind,
    BackupDiverged,
    ChangedItem,
    MetadataChanged,
    MissingAnchorFile,
    MissingItem,
    Problem,
    PseudonymsChanged,
    TruncatedLog,
    UnexpectedFile,
    UnparseableLine,
    UnreadableItem,
)
from forensics.store import STAGING_DIR, is_session_folder, is_session_lock

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case, Item

__all__ = [
    "BACKUP_MARKER",
    "AnchorRecord",
    "BackupReport",
    "VerificationReport",
    "backup",
    "compare",
    "items_manifest_digest",
    "load_anchor",
    "verify_case",
]

#: Actions that do not change what a backup must hold.
_BOOKKEEPING = frozenset({Action.VERIFY, Action.BACKUP})
#: Written into a backup folder: reading a backup (``forensics artifacts``) never logs into it,
#: which would make it diverge from the case it copies.
BACKUP_MARKER = "backup-of.json"


@dataclass(frozen=True, slots=True)
class AnchorRecord:
    """A head recorded outside the log: which entry and its digest, and where it came from."""

    seq: int
    entry_sha256: str
    source: str

    def __str__(self) -> str:
        return f"entry {self.seq} sha256:{self.entry_sha256} ({self.source})"


def load_anchor(text_or_path: str) -> AnchorRecord:
    """Read an anchor: an anchor JSON file, or ``SEQ:SHA256HEX`` as printed by ``anchor``.

    >>> load_anchor("12:" + "ab" * 32).seq
    12
    """
    p = Path(text_or_path)
    if p.is_file():
        try:
            obj = json.loads(p.read_text(encoding="utf-8"))
            seq, digest = obj["seq"], obj["entry_sha256"]
            if not isinstance(seq, int) or isinstance(seq, bool) or seq < 1:
                raise ValueError("seq is not a positive integer")
            if not isinstance(digest, str) or len(digest) != 64 or not all(
                    c in "0123456789abcdef" for c in digest):
                raise ValueError("entry_sha256 is not 64 lowercase hex digits")
            return AnchorRecord(seq, digest, str(p))
        except OSError as exc:
            raise InputError(f"{p}: cannot read the anchor file: {exc.strerror}") from None
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise InputError(f"{p}: not an anchor file ({exc})") from None
    seq, _, digest = text_or_path.partition(":")
    digest = digest.removeprefix("sha256:")
    if not seq.isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise InputError(
            f"{text_or_path!r}: not an anchor; give an anchor file or SEQ:SHA256 "
            "(as `forensics anchor` prints it)"
        )
    return AnchorRecord(int(seq), digest, "given")


@dataclass(frozen=True, slots=True)
class VerificationReport:
    """The result of verifying a case."""

    case: str
    status: str  # "passed", "failed" or "unchecked"
    problems: tuple[Problem, ...]
    items_checked: int
    entries_checked: int
    head: Head | None
    anchors_checked: int
    checked_at: datetime
    notes: tuple[str, ...] = field(default=())
    recorded_seq: int | None = None

    @property
    def ok(self) -> bool:
        """True only when the check ran and found nothing ("unchecked" is not ok)."""
        return self.status == "passed"

    def raise_for_problems(self) -> None:
        """Raise :class:`IntegrityError` unless the case passed."""
        if not self.ok:
            raise IntegrityError(self)

    def to_json(self) -> dict[str, object]:
        return {
            "case": self.case,
            "status": self.status,
            "items_checked": self.items_checked,
            "entries_checked": self.entries_checked,
            "anchors_checked": self.anchors_checked,
            "head": {"seq": self.head.seq, "entry_sha256": self.head.entry_sha256}
            if self.head else None,
            "checked_at": self.checked_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "recorded_seq": self.recorded_seq,
            "problems": [p.to_dict() for p in self.problems],
            "notes": list(self.notes),
        }

    def __str__(self) -> str:
        lines = [
            f"{self.case}: {self.status.upper()} — {self.items_checked} items re-hashed, "
            f"{self.entries_checked} custody entries checked, {self.anchors_checked} anchors",
        ]
        if self.head:
            lines.append(f"custody head: {self.head}")
        lines += [f"  PROBLEM {p}" for p in self.problems]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "failed": "#cf222e"}.get(self.status, "#9a6700")
        label = {"passed": "通过 passed", "failed": "未通过 failed"}.get(self.status, "未检查 unchecked")
        rows = "".join(
            f"<tr><td>{escape(p.kind)}</td><td>{escape(p.where)}</td><td>{escape(p.message)}</td></tr>"
            for p in self.problems
        )
        table = (
            f"<table><tr><th>kind</th><th>where</th><th>what</th></tr>{rows}</table>"
            if rows else ""
        )
        notes = "".join(f"<li>{escape(n)}</li>" for n in self.notes)
        return (
            # the case by its folder's name: a page shown to others names no local path
            f"<div><p><b style='color:{colour}'>{label}</b> · {escape(Path(self.case).name)} · "
            f"{self.items_checked} items, {self.entries_checked} entries, "
            f"{self.anchors_checked} anchors · head: {escape(str(self.head) if self.head else '—')}"
            f"</p>{table}{'<ul>' + notes + '</ul>' if notes else ''}</div>"
        )


def _anchors_in_case(case: Case) -> tuple[list[AnchorRecord], list[Problem]]:
    from forensics.case import ANCHORS_DIR

    out: list[AnchorRecord] = []
    problems: list[Problem] = []
    folder = case.root / ANCHORS_DIR
    if folder.exists():
        for p in sorted(folder.glob("*.json")):
            try:
                out.append(load_anchor(str(p)))
            except InputError as exc:
                problems.append(UnexpectedFile(f"{ANCHORS_DIR}/{p.name}", str(exc)))
    try:
        entries = case.log.entries()
    except CustodyLogDamaged:
        entries = ()
    for e in entries:
        if e.action == Action.ANCHOR:
            name = e.details.get("anchor_file")
            if isinstance(name, str) and not (case.root / name).exists():
                problems.append(MissingAnchorFile(e.seq, name))
            seq, digest = e.details.get("anchored_seq"), e.details.get("anchored_sha256")
            if isinstance(seq, int) and isinstance(digest, str):
                out.append(AnchorRecord(seq, digest, f"log entry {e.seq}"))
    return out, problems


def _check_anchors(chain: ChainCheck, log_path: Path, anchors: list[AnchorRecord]) -> list[Problem]:
    problems: list[Problem] = []
    if not anchors:
        return problems
    wanted = {a.seq for a in anchors}
    found: dict[int, str] = {}
    with open(log_path, "rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            ps = _prev_and_seq(raw[:-1])
            parts = split_line(raw[:-1])
            if ps and parts and ps[1] in wanted and ps[1] not in found:
                found[ps[1]] = parts[1].decode("ascii", "replace")
    last = chain.head.seq if chain.head else 0
    for a in sorted(set(anchors), key=lambda a: (a.seq, a.source)):
        if a.seq not in found:
            if a.seq > last:
                problems.append(TruncatedLog(a.seq, last, a.source))
            continue
        if found[a.seq] != a.entry_sha256:
            problems.append(AnchorMismatch(a.seq, a.source, a.entry_sha256, found[a.seq]))
    return problems


def verify_case(
    case: Case, *, record: bool = True, anchors: tuple[AnchorRecord, ...] = (),
    progress: bool | None = None,
) -> VerificationReport:
    """Verify everything in ``case``; record the verification in its custody log.

    Parameters
    ----------
    case : Case
    record : bool
        Append a ``verify`` entry with the result (default).  ``False`` only reads (for a backup,
        or a case on read-only media); interrupted work is then reported, not recovered.
    anchors : tuple of AnchorRecord
        Heads kept outside the case (``--anchor``), checked like the ones in ``anchors/``.
    """
    notes: list[str] = []
    problems: list[Problem] = []
    if record:
        try:
            recovered = case.recover()
        except CustodyLogDamaged as exc:
            recovered = ()
            notes.append(f"interrupted work not recovered: {exc.reason}")
        notes += [f"recovered before checking: entry {e.seq}: {e.details.get('what')}"
                  for e in recovered]
    log_path = case.root / LOG_FILE
    # One consistent snapshot: the log, what it accounts for, and the store's listing are taken
    # under the lock, so that an add running meanwhile is seen whole or not at all.
    bad: list[tuple[int, str]] = []
    with case.log.lock if record else contextlib.nullcontext():
        try:
            chain = check_chain(log_path)
        except OSError as exc:
            raise SourceError(log_path, f"cannot read the custody log: {exc.strerror}") from None
        # Replaying reads every entry as JSON: a line whose bytes the chain vouches for but
        # which is not an entry (a forged head, say) is named here.
        state = case.replay(strict=False, bad=bad)
        store_files = sorted(case.store.files())
    problems += chain.problems
    named = {getattr(p, "line", None) for p in chain.problems}
    problems += [UnparseableLine(n, why) for n, why in bad if n not in named]
    items = {i.digests.sha256: i for i in state.items.values()}
    known_anchors, anchor_problems = _anchors_in_case(case)
    problems += anchor_problems
    all_anchors = list({(a.seq, a.entry_sha256): a for a in [*known_anchors, *anchors]}.values())
    problems += _check_anchors(chain, log_path, all_anchors)

    # case.toml against the recorded digest
    import hashlib

    from forensics.case import CASE_FILE

    meta_now = hashlib.sha256((case.root / CASE_FILE).read_bytes()).hexdigest()
    recorded_meta = state.metadata_sha256
    if recorded_meta is not None and recorded_meta != meta_now:
        problems.append(MetadataChanged(CASE_FILE, recorded_meta, meta_now))
    problems += _check_pseudonyms(case)

    # The store: every accounted item present and unchanged; nothing else in it.
    total = sum(i.digests.size for i in items.values())
    seen: set[str] = set()
    with progress_bar(total=total, desc="verify", unit="B", enabled=progress) as bar:
        for path in store_files:
            rel = os.fsencode(path.relative_to(case.root)).decode("utf-8", "backslashreplace")
            claimed = case.store.sha256_of_path(path)
            if claimed is None or claimed not in items:
                problems.append(UnexpectedFile(
                    rel, "not a store name" if claimed is None
                    else "no custody entry accounts for this content"))
                continue
            item = items[claimed]
            seen.add(claimed)
            if path.is_symlink() or not path.is_file():
                problems.append(UnexpectedFile(rel, "not a regular file"))
                continue
            try:
                found = hash_file(path)
            except (OSError, SourceError) as exc:
                reason = exc.reason if isinstance(exc, SourceError) else exc.strerror or str(exc)
                problems.append(UnreadableItem(item.evidence_id, rel, reason))
                continue
            bar.update(item.digests.size)
            for algorithm, expected, got in item.digests.mismatches(found):
                problems.append(ChangedItem(item.evidence_id, algorithm, expected, got))
    for sha, item in items.items():
        if sha not in seen:
            problems.append(MissingItem(item.evidence_id, item.stored_as))
    problems += _staging_problems(case)
    staging = case.root / STAGING_DIR
    if not record and staging.is_dir() and not staging.is_symlink():
        left = [f for d in staging.iterdir() if is_session_folder(d) for f in d.iterdir()]
        if left:
            notes.append(f"{len(left)} staged file(s) from an interrupted add await recovery "
                         "(the next command that writes to the case handles them)")

    status = "failed" if problems else "passed"
    report = VerificationReport(
        case=str(case.root), status=status, problems=tuple(problems),
        items_checked=len(items), entries_checked=chain.entries, head=chain.head,
        anchors_checked=len(all_anchors), checked_at=datetime.now(UTC), notes=tuple(notes),
    )
    if record:
        report = _record_verification(case, report)
    return report


def _staging_problems(case: Case) -> list[Problem]:
    """Anything in ``staging/`` that is not a session of this tool: nothing would recover it."""
    staging = case.root / STAGING_DIR
    if not staging.exists() and not staging.is_symlink():
        return []
    if staging.is_symlink() or not staging.is_dir():
        return [UnexpectedFile(STAGING_DIR, "not a folder: intake cannot stage copies")]
    out: list[Problem] = []
    for p in sorted(staging.iterdir()):
        if not (is_session_folder(p) or is_session_lock(p)):
            name = os.fsencode(p.name).decode("utf-8", "backslashreplace")
            out.append(UnexpectedFile(f"{STAGING_DIR}/{name}",
                                      "not a staging session of this tool; nothing recovers it"))
    return out


def _record_verification(case: Case, report: VerificationReport) -> VerificationReport:
    from dataclasses import replace

    details = {
        "what": "verification of the store and the custody chain",
        "status": report.status,
        "items_checked": report.items_checked,
        "entries_checked": report.entries_checked,
        "anchors_checked": report.anchors_checked,
        "checked_head": {"seq": report.head.seq, "entry_sha256": report.head.entry_sha256}
        if report.head else None,
        "problems": [str(p) for p in report.problems[:200]],
        "problem_count": len(report.problems),
    }
    try:
        (entry,) = case.record([EntryDraft(Action.VERIFY, details=details)])
    except CustodyLogDamaged as exc:
        return replace(report, notes=(*report.notes,
                                      f"this verification was not logged: {exc.reason}"))
    return replace(report, recorded_seq=entry.seq)


# --- backups -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BackupReport:
    """The result of a backup: what was copied and how the copy checked out."""

    source: str
    dest: str
    items_copied: int
    items_present: int
    bytes_copied: int
    check: VerificationReport
    comparison: tuple[Problem, ...]
    recorded_seq: int | None

    @property
    def ok(self) -> bool:
        return self.check.ok and not self.comparison

    def to_json(self) -> dict[str, object]:
        return {
            "source": self.source, "dest": self.dest, "items_copied": self.items_copied,
            "items_present": self.items_present, "bytes_copied": self.bytes_copied,
            "status": "passed" if self.ok else "failed",
            "problems": [p.to_dict() for p in (*self.check.problems, *self.comparison)],
            "recorded_seq": self.recorded_seq,
        }

    def __str__(self) -> str:
        verdict = "PASSED" if self.ok else "FAILED"
        out = [f"backup {self.source} -> {self.dest}: {verdict} — {self.items_copied} items "
               f"copied, {self.items_present} already there, {self.bytes_copied} bytes; copy "
               f"re-hashed: {self.check.status}"]
        out += [f"  PROBLEM {p}" for p in (*self.check.problems, *self.comparison)]
        return "\n".join(out)

    def _repr_html_(self) -> str:
        return f"<pre>{escape(str(self))}</pre>"


def _same_case(case: Case, other_log: Path) -> bool:
    first_here = case.log.entries()[:1]
    try:
        with open(other_log, "rb") as fh:
            first_there = fh.readline().rstrip(b"\n")
    except OSError:
        return False
    return bool(first_here) and first_here[0].line() == first_there


def _check_pseudonyms(case: Case) -> list[Problem]:
    """``pseudonyms.json`` against the digest of the last ``pseudonyms`` entry
    (:mod:`forensics.pseudonyms`): the mapping stays out of reports, but not out of custody."""
    import hashlib

    from forensics.custody import Action
    from forensics.pseudonyms import MAPPING_FILE

    try:
        entries = case.log.entries()
    except CustodyLogDamaged:  # reported by the chain check
        return []
    logged = [e for e in entries if e.action == Action.PSEUDONYMS]
    if not logged:
        return []
    expected = str(logged[-1].details.get("sha256", ""))
    try:
        found = hashlib.sha256((case.root / MAPPING_FILE).read_bytes()).hexdigest()
    except FileNotFoundError:
        found = "missing"
    except OSError as exc:
        found = f"unreadable ({exc.strerror or exc})"
    return [] if found == expected else [PseudonymsChanged(MAPPING_FILE, expected, found)]


def backup(case: Case, dest: Path) -> BackupReport:
    """Copy ``case`` to ``dest`` (new, or an earlier backup of the same case), then check it.

    Store items are copied only where missing; the custody log must be a prefix of the case's
    (otherwise the backup has diverged and nothing is written).  The copy is re-hashed in full,
    and the backup and its result are recorded in the case's log, then that entry is copied too.
    """
    from forensics.case import ANCHORS_DIR, CASE_FILE, Case

    dest = Path(dest)
    if dest.resolve() == case.root.resolve() or case.root.resolve() in dest.resolve().parents:
        raise InputError(f"{dest}: a backup must be outside the case folder")
    foreign = not (dest / LOG_FILE).is_file() or not _same_case(case, dest / LOG_FILE)
    if dest.exists() and any(dest.iterdir()) and foreign:
        raise InputError(f"{dest}: exists and is not a backup of this case; choose an empty "
                         "or new folder")
    with case.log.lock:  # a snapshot: these items and the log up to here belong together
        case._recover_locked()
        items = case.items
        snap_seq = case.head.seq if case.head else 0
        log_end = case._state.offset
    counts = [0, 0, 0]  # copied, present, bytes
    written: list[Path] = []

    def copy_items(these: tuple[Item, ...] | list[Item]) -> None:
        for item in these:
            src = case.root / item.stored_as
            dst = dest / item.stored_as
            if dst.exists():
                counts[1] += 1
                continue
            dst.parent.mkdir(parents=True, exist_ok=True)
            tmp = dst.with_name(dst.name + ".part")
            with contextlib.suppress(FileNotFoundError):
                os.chmod(tmp, 0o644)  # a .part left by an interrupted backup
                os.unlink(tmp)
            shutil.copyfile(src, tmp)
            os.chmod(tmp, 0o444)
            os.rename(tmp, dst)
            written.append(dst)
            counts[0] += 1
            counts[2] += item.digests.size

    try:
        for sub in ("store/sha256", "staging", ANCHORS_DIR, "derived", "reports"):
            (dest / sub).mkdir(parents=True, exist_ok=True)
        if (dest / LOG_FILE).exists() and not _is_byte_prefix(dest / LOG_FILE,
                                                              case.root / LOG_FILE):
            diverged = _log_prefix_problems(case.root / LOG_FILE, dest / LOG_FILE, str(dest))
            why = str(diverged[0]) if diverged else "its log is not a copy of this case's log"
            raise InputError(f"{dest}: {why}; refusing to overwrite a backup that differs "
                             "from the case")
        copy_items(items)
        for f in sorted((case.root / ANCHORS_DIR).glob("*")):
            if f.is_file() and not (dest / ANCHORS_DIR / f.name).exists():
                shutil.copyfile(f, dest / ANCHORS_DIR / f.name)
                written.append(dest / ANCHORS_DIR / f.name)
        parsed = case.root / "derived" / "parsed"
        if parsed.is_dir():  # derived data the log names: a backup reads without parsing again
            (dest / "derived" / "parsed").mkdir(parents=True, exist_ok=True)
            for f in parsed.glob("*.json"):
                if not (dest / "derived" / "parsed" / f.name).exists():
                    shutil.copyfile(f, dest / "derived" / "parsed" / f.name)
        marker = dest / BACKUP_MARKER
        if not marker.exists():
            atomic_write(marker, (json.dumps({"backup_of": str(case.root.resolve())},
                                             ensure_ascii=False) + "\n").encode())
        recovered = case.root / "recovered"
        if recovered.exists():
            (dest / "recovered").mkdir(exist_ok=True)
            for f in recovered.iterdir():
                if not (dest / "recovered" / f.name).exists():
                    shutil.copyfile(f, dest / "recovered" / f.name)
        atomic_write(dest / CASE_FILE, (case.root / CASE_FILE).read_bytes())
        kept = []
        pseudonyms = case.root / "pseudonyms.json"  # forensics.pseudonyms: logged by digest
        if pseudonyms.exists():
            atomic_write(dest / pseudonyms.name, pseudonyms.read_bytes())
            kept.append(dest / pseudonyms.name)
        _copy_log(case.root / LOG_FILE, dest / LOG_FILE, log_end)
        sync_files([*written, *kept, dest / LOG_FILE, dest / CASE_FILE], dest)
        fsync_dir(dest)
    except OSError as exc:
        raise StorageError(dest, exc.strerror or str(exc)) from None

    copy = Case.open(dest)
    check = verify_case(copy, record=False)
    comparison = tuple(p for p in compare(case, dest, check=False)
                       if not isinstance(p, BackupBehind))  # it is brought up to date below
    details = {
        "what": "backup copied and re-hashed",
        "dest": str(dest.resolve()),
        "items_copied": counts[0],
        "items_already_present": counts[1],
        "bytes_copied": counts[2],
        "copy_status": check.status,
        "copy_problems": [str(p) for p in check.problems[:200]],
        "comparison_problems": [str(p) for p in comparison[:200]],
        "log_copied_through": check.head.seq if check.head else 0,
        "items": len(items),
        "items_manifest_sha256": items_manifest_digest(items),
    }
    try:
        with case.log.lock:
            (entry,) = case.record([EntryDraft(Action.BACKUP, details=details)])
            # Items acquired by others since the snapshot come along, so that the backup's log
            # (copied through this entry) accounts only for items the backup holds.
            copy_items([i for i in case.items if snap_seq < i.acquired_seq < entry.seq])
            _copy_log(case.root / LOG_FILE, dest / LOG_FILE, case.log.last_write[1])
            sync_files(written, dest)
    except OSError as exc:
        raise StorageError(dest, exc.strerror or str(exc)) from None
    return BackupReport(str(case.root), str(dest), counts[0], counts[1], counts[2], check,
                        comparison, entry.seq)


def _is_byte_prefix(short: Path, long: Path) -> bool:
    """Whether the file ``short`` holds exactly the first bytes of ``long`` (a torn copy too)."""
    with open(short, "rb") as a, open(long, "rb") as b:
        while chunk := a.read(1 << 20):
            if b.read(len(chunk)) != chunk:
                return False
    return True


def items_manifest_digest(items: Case | tuple[Item, ...]) -> str:
    """SHA-256 over one ``<evidence id> <sha256>\n`` line per item, in number order.

    Names every item of a backup in one value instead of listing thousands in one entry.
    """
    import hashlib

    if not isinstance(items, tuple):
        items = items.items
    lines = "".join(f"{i.evidence_id} {i.digests.sha256}\n" for i in items)
    return hashlib.sha256(lines.encode("ascii")).hexdigest()


def _copy_log(src: Path, dst: Path, upto: int) -> None:
    """Copy the log through byte ``upto`` by appending what the backup lacks (a prefix)."""
    have = dst.stat().st_size if dst.exists() else 0
    if have >= upto:
        return
    with open(src, "rb") as fin:
        fin.seek(have)
        extra = fin.read(upto - have)
    with open(dst, "ab") as fout:
        fout.write(extra)
        fout.flush()
        os.fsync(fout.fileno())


def _log_prefix_problems(case_log: Path, backup_log: Path, label: str) -> list[Problem]:
    ours = case_log.read_bytes().split(b"\n")
    theirs = backup_log.read_bytes().split(b"\n")
    problems: list[Problem] = []
    for n, line in enumerate(theirs[:-1], start=1):
        if n > len(ours) - 1 or ours[n - 1] != line:
            mine = split_line(ours[n - 1]) if n <= len(ours) - 1 else None
            exp = mine[1].decode("ascii", "replace") if mine else "no such entry"
            got = split_line(line)
            found = got[1].decode("ascii", "replace") if got else "unparseable"
            problems.append(BackupDiverged(label, n, exp, found))
            break
    if theirs[-1]:
        problems.append(BackupDiverged(label, len(theirs), "complete last line", "torn last line"))
    return problems


def compare(case: Case, dest: Path | str, *, check: bool = True) -> tuple[Problem, ...]:
    """Compare a backup with its case: log prefix, items present and identical, freshness.

    With ``check`` the backup is also verified on its own (read-only) and its problems included.
    """
    from forensics.case import Case

    dest = Path(dest)
    try:
        copy = Case.open(dest)
    except NotACaseError as exc:
        raise InputError(f"{dest}: not a backup of a case ({exc.reason})") from None
    label = str(dest)
    problems: list[Problem] = []
    if not _same_case(case, dest / LOG_FILE):
        return (BackupDiverged(label, 1, "same first entry as the case", "another case"),)
    problems += _log_prefix_problems(case.root / LOG_FILE, dest / LOG_FILE, label)
    if check:
        problems += verify_case(copy, record=False).problems
    ours = {i.evidence_id: i for i in case.items}
    theirs = {i.evidence_id: i for i in copy.items} if not problems else {}
    if not problems:
        for eid, it in theirs.items():
            mine = ours.get(eid)
            if mine is None or mine.digests != it.digests:
                expected = mine.digests.sha256 if mine else "no such item in the case"
                problems.append(BackupDiverged(label, it.acquired_seq, expected, it.digests.sha256))
        missing = tuple(sorted(set(ours) - set(theirs)))
        case_head = case.head
        copy_head = copy.head
        later = [e for e in case.log.read(copy.log.path.stat().st_size)[0]
                 if e.action not in _BOOKKEEPING] if copy_head else []
        if missing or later:
            problems.append(BackupBehind(label, copy_head.seq if copy_head else 0,
                                         case_head.seq if case_head else 0, missing))
    return tuple(problems)
