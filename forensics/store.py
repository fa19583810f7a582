"""The content-addressed, read-only evidence store and its staging area.

A stored item lives at ``store/sha256/<first two hex digits>/<64 hex digits>``, mode 0444: its name
is its SHA-256, so no outside name ever reaches the store and the same content is stored once.

Bringing a file in is crash-safe in three steps (see :mod:`forensics.ingest`): the copy is made
*outside the store proper*, in a staging folder of its own (``staging/<session>/``) that its writer
holds a lock on; the custody entry is appended and made durable; only then is the copy renamed into
the store.  A session whose writer died leaves its staging folder unlocked, and the next writer
recovers it (:meth:`EvidenceStore.recover`): a staged copy the log accounts for is moved into place,
one it does not (never acknowledged) is discarded, and each step is recorded in the custody log.

Examples
--------
>>> EvidenceStore.relative_path("ab" * 32)
'store/sha256/ab/abababababababababababababababababababababababababababababababab'
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
import stat
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import filelock

from forensics.custody import Action, EntryDraft
from forensics.digests import DigestSet, copy_and_hash, hash_file
from forensics.durable import fsync_dir, open_readonly, sync_files

__all__ = [
    "STAGING_DIR",
    "STORE_DIR",
    "EvidenceStore",
    "StagedCopy",
    "StagingSession",
    "is_session_folder",
]

_SESSION_NAME = re.compile(r"[0-9a-f]{32}")


def is_session_folder(p: Path) -> bool:
    """True for a staging session folder this tool makes (``staging/<32 hex>``, a real folder)."""
    return bool(_SESSION_NAME.fullmatch(p.name)) and p.is_dir() and not p.is_symlink()


def is_session_lock(p: Path) -> bool:
    """True for a session's lock file (``staging/<32 hex>.lock``)."""
    return (p.suffix == ".lock" and bool(_SESSION_NAME.fullmatch(p.stem)) and p.is_file()
            and not p.is_symlink())

STORE_DIR = "store"
STAGING_DIR = "staging"
_ALGO_DIR = "sha256"
_READ_ONLY = 0o444


@dataclass(frozen=True, slots=True)
class StagedCopy:
    """A copy in a staging folder, with the digests of the bytes read from the source."""

    path: Path
    digests: DigestSet


class StagingSession:
    """A private staging folder, locked for as long as its writer lives."""

    def __init__(self, case_root: Path) -> None:
        self.root = case_root / STAGING_DIR
        self.root.mkdir(exist_ok=True)
        self.name = uuid.uuid4().hex
        self.folder = self.root / self.name
        self._lock = filelock.FileLock(str(self.folder) + ".lock", timeout=0)
        self._lock.acquire()
        self.folder.mkdir()
        self._n = 0

    def stage(self, src: int) -> StagedCopy:
        """Copy the open read-only file descriptor ``src`` into the session, hashing it."""
        self._n += 1
        path = self.folder / f"{self._n:08d}"
        # Created read-only: the descriptor opened here is the only one that ever writes it.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _READ_ONLY)
        with os.fdopen(os.dup(src), "rb", closefd=True) as fin, os.fdopen(fd, "wb") as fout:
            digests = copy_and_hash(fin, fout)
        return StagedCopy(path, digests)

    def stage_bytes(self, data: bytes) -> StagedCopy:
        """Stage content held in memory (a file extracted from evidence, e.g. an attachment)."""
        self._n += 1
        path = self.folder / f"{self._n:08d}"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _READ_ONLY)
        with os.fdopen(fd, "wb") as fout:
            digests = copy_and_hash(io.BytesIO(data), fout)
        return StagedCopy(path, digests)

    def close(self) -> None:
        """Release the session: remove its folder if empty, else leave it for recovery.

        Copies left behind (an add that failed part-way) may already be acknowledged by the log;
        only recovery, which reads the log, decides whether each is moved into place or
        discarded, and it records what it does.
        """
        try:
            self.folder.rmdir()
        except FileNotFoundError:
            emptied = True  # already gone
        except OSError:  # not empty: leave it, with its lock released, to recovery
            emptied = False
        else:
            emptied = True
        self._lock.release()
        if not emptied:
            return
        with contextlib.suppress(FileNotFoundError):
            os.unlink(str(self.folder) + ".lock")

    def __enter__(self) -> StagingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class EvidenceStore:
    """The store of one case (``CASE/store``)."""

    def __init__(self, case_root: Path) -> None:
        self.case_root = case_root
        self.root = case_root / STORE_DIR
        self._made: set[Path] = set()  # fan-out folders known to exist

    @staticmethod
    def relative_path(sha256: str) -> str:
        """The path of an item relative to the case folder."""
        return f"{STORE_DIR}/{_ALGO_DIR}/{sha256[:2]}/{sha256}"

    def path_for(self, sha256: str) -> Path:
        return self.case_root / self.relative_path(sha256)

    def has(self, sha256: str) -> bool:
        return self.path_for(sha256).is_file()

    def place(self, staged: StagedCopy) -> Path:
        """Move a staged copy into the store (its name is its SHA-256) and return the path."""
        target = self.path_for(staged.digests.sha256)
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        try:
            os.rename(staged.path, target)
        except FileNotFoundError:  # the folder went away since we made it
            target.parent.mkdir(parents=True, exist_ok=True)
            os.rename(staged.path, target)
        return target

    def sync_names(self, sha256s: set[str]) -> None:
        """Make the renames of a batch durable (one ``syncfs``, else each folder once)."""
        if not sha256s:
            return
        folders = [self.path_for(s).parent for s in sha256s]
        folders += [p for p in (self.root / _ALGO_DIR, self.root) if p.exists()]
        sync_files((), self.root, folders=folders)

    def files(self) -> Iterator[Path]:
        """Every entry below ``store/`` that is not a folder (files, links, devices, ...)."""
        if not self.root.exists():
            return
        for dirpath, dirnames, filenames in os.walk(self.root, followlinks=False):
            base = Path(dirpath)
            for d in dirnames:
                if (base / d).is_symlink():
                    yield base / d
            for f in filenames:
                yield base / f

    def sha256_of_path(self, path: Path) -> str | None:
        """The digest a store path claims by its place, or None if it is not a store name."""
        try:
            rel = path.relative_to(self.root).parts
        except ValueError:
            return None
        if len(rel) != 3 or rel[0] != _ALGO_DIR:
            return None
        name = rel[2]
        if len(name) != 64 or any(c not in "0123456789abcdef" for c in name) or rel[1] != name[:2]:
            return None
        return name

    def recover(
        self, is_logged: Callable[[str], bool], record: Callable[[list[EntryDraft]], object]
    ) -> int:
        """Finish or discard the work of dead staging sessions; return how many files it touched.

        Must be called with the custody lock held.  ``is_logged(sha256)`` says whether the log
        accounts for that content; ``record`` appends custody entries durably.  Each session's
        steps are *logged first and done after*: a crash in between leaves the same files for the
        next recovery, which logs and does the same steps again (repeating them is harmless).
        """
        staging = self.case_root / STAGING_DIR
        if staging.is_symlink() or not staging.is_dir():
            return 0  # not ours to touch; verification reports it
        touched = 0
        for folder in sorted(staging.iterdir()):
            if not is_session_folder(folder):
                continue  # never followed, never touched: verification reports it
            lock = filelock.FileLock(str(folder) + ".lock", timeout=0)
            try:
                lock.acquire()
            except filelock.Timeout:
                continue  # its writer is alive
            except OSError:
                continue  # its writer closed it while we looked: nothing to recover
            try:
                if not folder.is_dir():
                    continue  # closed by its writer between the listing and the lock
                plan = [self._plan_one(f, is_logged) for f in sorted(folder.iterdir())]
                if plan:
                    record([draft for draft, _ in plan])
                    for _, act in plan:
                        act()
                    touched += len(plan)
                shutil.rmtree(folder, ignore_errors=True)
                fsync_dir(staging)
            finally:
                lock.release()
                with contextlib.suppress(FileNotFoundError):
                    os.unlink(str(folder) + ".lock")
        self._remove_orphan_locks(staging)
        return touched

    @staticmethod
    def _remove_orphan_locks(staging: Path) -> None:
        """Lock files of sessions that died before making their folder (or after removing it)."""
        for p in sorted(staging.iterdir()):
            if not is_session_lock(p) or Path(str(p)[: -len(".lock")]).exists():
                continue
            lock = filelock.FileLock(str(p), timeout=0)
            try:
                lock.acquire()
            except (filelock.Timeout, OSError):
                continue  # its writer is alive, about to make its folder
            try:
                if not Path(str(p)[: -len(".lock")]).exists():
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(p)
            finally:
                lock.release()

    def _plan_one(
        self, f: Path, is_logged: Callable[[str], bool]
    ) -> tuple[EntryDraft, Callable[[], None]]:
        """What to do with one leftover staged file: the entry to log and the step to take."""
        name = os.fsencode(f.name).decode("utf-8", "backslashreplace")
        details: dict[str, object] = {"staged_file": f"{STAGING_DIR}/{f.parent.name}/{name}"}

        def remove() -> None:
            if f.is_dir() and not f.is_symlink():
                shutil.rmtree(f)
            else:
                with contextlib.suppress(FileNotFoundError):
                    f.unlink()

        if not stat.S_ISREG(os.lstat(f).st_mode):
            # Not something this tool writes (a link, a pipe, a folder): removed, not followed.
            details["what"] = "not a regular file in a dead staging folder: removed, not read"
            details["result"] = "removed-not-a-regular-file"
            return EntryDraft(Action.RECOVER, details=details), remove  # type: ignore[arg-type]
        fd = open_readonly(f)
        with os.fdopen(fd, "rb") as fh:
            digests = hash_file(fh)
        details["size"] = digests.size
        details["sha256"] = digests.sha256
        # A copy cut short by the crash has a digest no entry names, so it is discarded too.
        if not is_logged(digests.sha256):
            details["what"] = (
                "staged copy from an interrupted add discarded: no custody entry acknowledged it"
            )
            details["result"] = "discarded"
            act = remove
        elif self.has(digests.sha256):
            details["what"] = "staged copy discarded: the store already holds this content"
            details["result"] = "discarded-duplicate"
            act = remove
        else:
            details["what"] = (
                "staged copy from an interrupted add moved into the store: its acquisition "
                "had been logged"
            )
            details["result"] = "moved-into-store"
            details["stored_as"] = self.relative_path(digests.sha256)

            def act() -> None:
                self.place(StagedCopy(f, digests))
                self.sync_names({digests.sha256})

        return EntryDraft(Action.RECOVER, details=details), act  # type: ignore[arg-type]
