"""Opening evidence read-only and making writes durable.

The rules this module enforces:

* an original is opened with ``O_RDONLY`` (plus ``O_NOFOLLOW`` and, where the kernel lets us,
  ``O_NOATIME`` so that not even its access time moves) and never through a writable handle;
* a write is acknowledged only after it is on stable storage: file data is ``fsync``-ed, and so
  is the directory that holds a new name (POSIX leaves a rename volatile until then);
* many small files are made durable together with one ``syncfs(2)`` of their file system (Linux),
  which is what lets ``forensics add`` commit a batch of files at once instead of paying one
  ``fsync`` each.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(d / "a.txt", b"hello")
>>> (d / "a.txt").read_bytes()
b'hello'
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "atomic_write",
    "fsync_dir",
    "is_disk_full",
    "open_readonly",
    "sync_files",
    "write_all",
]

_O_NOATIME = getattr(os, "O_NOATIME", 0)
_O_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_O_CLOEXEC = getattr(os, "O_CLOEXEC", 0)


def open_readonly(path: Path | str) -> int:
    """Open ``path`` read-only for evidence reading and return the file descriptor.

    Symbolic links are not followed (``ELOOP`` is raised as :class:`OSError`).  ``O_NOATIME`` is
    used where permitted (the caller owns the file), so reading does not even move the access time.
    """
    flags = os.O_RDONLY | _O_NOFOLLOW | _O_CLOEXEC
    if _O_NOATIME:
        try:
            return os.open(path, flags | _O_NOATIME)
        except PermissionError:
            pass  # O_NOATIME needs ownership of the file; read without it
    return os.open(path, flags)


def write_all(fd: int, data: bytes) -> None:
    """Write every byte of ``data`` to ``fd`` (``os.write`` may write less than asked)."""
    view = memoryview(data)
    while view:
        n = os.write(fd, view)
        view = view[n:]


def fsync_dir(path: Path | str) -> None:
    """Make the names in directory ``path`` durable (after a create, rename or unlink)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | _O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _syncfs_function():
    name = ctypes.util.find_library("c")
    if not name or not hasattr(os, "O_DIRECTORY"):
        return None
    try:
        libc = ctypes.CDLL(name, use_errno=True)
        return libc.syncfs
    except (OSError, AttributeError):
        return None


_SYNCFS = _syncfs_function()


def sync_files(
    paths: Iterable[Path | str], anchor: Path | str, *, folders: Iterable[Path | str] = ()
) -> None:
    """Make the data of ``paths`` and the names in ``folders`` durable, together.

    On Linux one ``syncfs(2)`` of the file system that holds ``anchor`` flushes them all in one
    go; elsewhere (or if ``syncfs`` fails) each file and folder is ``fsync``-ed in turn.
    """
    if _SYNCFS is not None:
        fd = os.open(anchor, os.O_RDONLY | _O_CLOEXEC)
        try:
            if _SYNCFS(fd) == 0:
                return
        finally:
            os.close(fd)
    for folder in set(folders):
        fsync_dir(folder)
    for p in paths:
        fd = os.open(p, os.O_RDONLY | _O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def atomic_write(path: Path | str, data: bytes, *, mode: int = 0o644) -> None:
    """Write ``data`` to ``path`` so that readers see the old or the new file, never half.

    The data goes to a temporary file in the same folder, is ``fsync``-ed, renamed over ``path``
    and the folder is ``fsync``-ed.  On failure (e.g. ``ENOSPC``) the temporary file is removed and
    ``path`` is left as it was.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        write_all(fd, data)
        os.fchmod(fd, mode)
        os.fsync(fd)
        os.close(fd)
        fd = -1
        os.replace(tmp, path)
        fsync_dir(path.parent)
    except BaseException:
        if fd >= 0:
            os.close(fd)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise


def is_disk_full(exc: OSError) -> bool:
    """True for the errors a full disk or an exhausted quota raise."""
    return exc.errno in (errno.ENOSPC, errno.EDQUOT)
