"""Path safety: names that come from outside never escape or collide inside a case.

The evidence store is content-addressed (a stored item's name is its SHA-256), so no outside name
ever becomes a store path.  Outside names still matter where they are *resolved* (an intake sheet's
``file`` column, a relative name recorded for a file found in a folder): this module refuses
absolute paths, ``..``, NUL and other control characters, over-long names, and compares names in
Unicode NFC so that the NFC and NFD spellings of one Chinese name are the same name.

Examples
--------
>>> import pathlib
>>> resolve_inside(pathlib.Path("/case"), "截图/微博.png").as_posix()
'/case/截图/微博.png'
>>> resolve_inside(pathlib.Path("/case"), "../etc/passwd")
Traceback (most recent call last):
...
forensics.errors.UnsafePathError: unsafe path '../etc/passwd': '..' leaves the folder
"""

from __future__ import annotations

import os
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path, PurePosixPath

from forensics.errors import UnsafePathError

__all__ = [
    "MAX_COMPONENT_BYTES",
    "MAX_PATH_BYTES",
    "check_relative_name",
    "iter_files",
    "recordable_name",
    "resolve_inside",
]

#: Longest file-name component accepted (bytes of UTF-8), as on ext4, NTFS and APFS.
MAX_COMPONENT_BYTES = 255
#: Longest relative path accepted (bytes of UTF-8), PATH_MAX on Linux.
MAX_PATH_BYTES = 4096
#: Embedding and override controls (U+202A-U+202E, U+2066-U+2069) and marks that reorder text.
_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")


def check_relative_name(name: str) -> str:
    """Return ``name`` in NFC with ``/`` separators, or raise :class:`UnsafePathError`.

    >>> check_relative_name("a\\u0301.png") == "\\u00e1.png"
    True
    """
    if not isinstance(name, str) or not name:
        raise UnsafePathError(str(name), "empty name")
    if "\x00" in name:
        raise UnsafePathError(name, "contains NUL")
    if any(unicodedata.category(c) == "Cc" for c in name):
        raise UnsafePathError(name, "contains control characters")
    if any(c in _BIDI_CONTROLS for c in name):
        raise UnsafePathError(name, "contains bidirectional controls (they disguise names)")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in name):
        raise UnsafePathError(name, "not valid Unicode (undecodable bytes)")
    text = unicodedata.normalize("NFC", name.replace("\\", "/"))
    if text.startswith("/") or (len(text) > 1 and text[1] == ":" and text[0].isascii()
                                and text[0].isalpha()):
        raise UnsafePathError(name, "absolute path")
    parts = PurePosixPath(text).parts
    if any(p == ".." for p in parts):
        raise UnsafePathError(name, "'..' leaves the folder")
    parts = tuple(p for p in parts if p != ".")
    if not parts:
        raise UnsafePathError(name, "names no file")
    for p in parts:
        if len(p.encode("utf-8")) > MAX_COMPONENT_BYTES:
            raise UnsafePathError(name, f"a name component is longer than {MAX_COMPONENT_BYTES} bytes")
    joined = "/".join(parts)
    if len(joined.encode("utf-8")) > MAX_PATH_BYTES:
        raise UnsafePathError(name, f"longer than {MAX_PATH_BYTES} bytes")
    return joined


def resolve_inside(base: Path, name: str) -> Path:
    """Join ``name`` to ``base`` after :func:`check_relative_name`, refusing symlink escapes."""
    rel = check_relative_name(name)
    target = base / rel
    real_base = os.path.realpath(base)
    real = os.path.realpath(target)
    if os.path.commonpath([real_base, real]) != real_base:
        raise UnsafePathError(name, "resolves outside the folder (through a symbolic link)")
    return target


def recordable_name(raw: str | bytes) -> tuple[str, str | None]:
    """A file name as text for the log, exactly as on disk, plus its bytes in hex if not UTF-8.

    The text is not normalized: an NFD name stays NFD, as the file system holds it.

    >>> recordable_name(b"caf\\xe9.png")
    ('caf\\ufffd.png', '636166e92e706e67')
    """
    data = os.fsencode(raw)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace"), data.hex()
    return text, None


def iter_files(paths: Iterable[Path | str]) -> Iterator[Path]:
    """Files named, and the files below folders named (recursively, in name order).

    A folder reached through a symbolic link is not entered; a symbolic link or any other
    entry is yielded as it is, for the caller to refuse by name (``parse_path`` says why).

    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> (d / "b").mkdir(); _ = (d / "b" / "2.txt").write_text("x"); _ = (d / "1.txt").write_text("x")
    >>> [p.relative_to(d).as_posix() for p in iter_files([d])]
    ['1.txt', 'b/2.txt']
    """
    for raw in paths:
        p = Path(raw)
        if p.is_dir() and not p.is_symlink():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    yield Path(root) / f
        else:
            yield p
