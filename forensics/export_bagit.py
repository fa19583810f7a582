"""The evidence as a BagIt bag (RFC 8493), and the verify kit: the bag plus a checking script.

A bag written by :func:`write_bagit` holds::

    bagit.txt                 BagIt-Version 1.0, UTF-8
    bag-info.txt              the case (examiner, number, title), Payload-Oxum, the custody head
    data/E0001/<name>         every item's original, copied byte for byte from the store
    manifest-sha256.txt       payload manifests (RFC 8493 section 2.1.3) ...
    manifest-sha512.txt
    manifest-sm3.txt          ... and SM3 (GB/T 32905-2016), the digest Chinese courts expect
    custody/custody.jsonl     the custody log through its head, byte for byte
    custody/case.toml         the case metadata the log records the digest of
    custody/anchors/*         the anchors (heads recorded outside the log, RFC 3161 requests)
    evidence-list.csv         one row per item: number, file in data/, digests, intake facts
    tagmanifest-sha256.txt    every tag file above, with its digest
    tagmanifest-sha512.txt

:func:`write_verify_kit` writes the same bag plus ``verify.py`` (:data:`VERIFY_SCRIPT`: Python's
standard library only, 3.8 or later) and ``README-核验说明.txt`` (Chinese first, then English)
telling a court clerk how to run it and what its answer does and does not prove.  Both are
tag files, listed in the tag manifests.

What is written by hand, and why.  The Library of Congress ``bagit`` package (bagit-python) is
the reference the tests validate every bag with (``bagit.Bag(dest).validate()`` and the
``bagit.py --validate`` command), and :func:`write_bagit` runs its completeness check on the
bag it has written.  It does not write the bag: ``make_bag`` turns a folder into a bag *in
place* (moving its files into ``data/``, under a process-wide ``os.chdir``), hashes with
:mod:`hashlib` only (it skips SM3 with a warning where OpenSSL has none), and reads every payload
byte once more after the copy.  Here the originals are read once, read-only, from the store;
SHA-256, SHA-512, SM3 (and MD5, checked against the log) are computed from the same blocks that
are written into ``data/``, and the copy is checked against the digests the custody log recorded
at intake before anything else is written.  A mismatch, a missing or unreadable original, a
broken custody chain or a changed ``case.toml`` stops the export with
:class:`~forensics.errors.IntegrityError` listing every problem; what was written is removed and
``DEST`` is left empty: a damaged item never leaves in a bag that looks complete.

File names.  An item is named ``data/<evidence number>/<its original file name>``.  A name that
would not survive as a BagIt path on every system gets a safe form (:func:`safe_name`): empty,
``.`` or ``..``; a path separator, NUL or another control character (CR and LF would split a
manifest line); text that was not valid UTF-8; characters Windows refuses (``<>:"|?*``) or a
device name (``CON``, ``NUL``, ...); a trailing space or dot; ``%`` (RFC 8493 percent-encodes it
in manifests, which bagit-python 1.9 does not decode); more than :data:`MAX_NAME_BYTES` bytes.
Each change is said in the export's notes, in ``bag-info.txt`` (``Forensics-Renamed``) and in
``evidence-list.csv`` (``original_name``).

Examples
--------
>>> import tempfile, pathlib, bagit
>>> from forensics.case import Case
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "聊天记录.txt").write_text("2026-11-20 14:32 张三: ...", encoding="utf-8")
>>> case = Case.init(tmp / "case", case_number="(2026)测1号", examiner="王鉴定")
>>> _ = case.add([tmp / "聊天记录.txt"])
>>> (tmp / "bag").mkdir()
>>> written = write_bagit(case, tmp / "bag", progress=False)
>>> (tmp / "bag" / "manifest-sm3.txt").read_text(encoding="utf-8").split("  ")[1]
'data/E0001/聊天记录.txt\\n'
>>> bagit.Bag(str(tmp / "bag")).is_valid()
True
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
import os
import re
import stat
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forensics import __version__
from forensics._progress import progress_bar
from forensics.custody import Head, check_chain, split_line
from forensics.digests import HASH_BLOCK_SIZE, DigestSet, MultiHasher
from forensics.durable import open_readonly, sync_files
from forensics.errors import InputError, IntegrityError, StorageError
from forensics.export import Written
from forensics.problems import (
    ChangedItem,
    MetadataChanged,
    MissingItem,
    Problem,
    TornTail,
    UnreadableItem,
)

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case, Item

__all__ = [
    "BAGIT_VERSION",
    "MAX_NAME_BYTES",
    "PAYLOAD_ALGORITHMS",
    "README_NAME",
    "TAG_ALGORITHMS",
    "VERIFY_SCRIPT",
    "SafeName",
    "safe_name",
    "write_bagit",
    "write_verify_kit",
]

#: The BagIt version written into ``bagit.txt``.
BAGIT_VERSION = "1.0"
#: Payload manifests, in the order written; SM3 is computed by :mod:`forensics.digests`.
PAYLOAD_ALGORITHMS: tuple[str, ...] = ("sha256", "sha512", "sm3")
#: Tag manifests (bagit-python's defaults, both in :data:`hashlib.algorithms_guaranteed`).
TAG_ALGORITHMS: tuple[str, ...] = ("sha256", "sha512")
#: A file name longer than this (UTF-8 bytes) is shortened; most file systems allow 255.
MAX_NAME_BYTES = 200
#: The custom ``bag-info.txt`` label naming the custody head the bag was made from.
HEAD_LABEL = "Forensics-Custody-Head"
#: The verify kit's script and README (tag files at the bag's top).
SCRIPT_NAME = "verify.py"
README_NAME = "README-核验说明.txt"
EVIDENCE_LIST = "evidence-list.csv"
CUSTODY_DIR = "custody"

_WINDOWS_FORBIDDEN = frozenset('<>:"|?*')
_WINDOWS_DEVICES = frozenset({"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(1, 10)),
                              *(f"LPT{i}" for i in range(1, 10))})
#: A spreadsheet takes a cell that starts with one of these for a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_EVIDENCE_ID = re.compile(r"E[0-9]{4,}")


@dataclass(frozen=True, slots=True)
class SafeName:
    """A file name as written into the bag, the name the item has, and why they differ."""

    name: str
    original: str
    reasons: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        return bool(self.reasons)


def _is_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc"


def safe_name(name: str, *, max_bytes: int = MAX_NAME_BYTES) -> SafeName:
    """The form of a file name that is safe as a BagIt payload path on every system.

    A name that is safe is kept as it is (no Unicode normalization: an NFD name stays NFD).
    Otherwise each unsafe character becomes ``_`` and :attr:`SafeName.reasons` says why.

    Parameters
    ----------
    name : str
        The name the item had (:attr:`forensics.case.Item.name`).
    max_bytes : int
        The longest name kept whole, in UTF-8 bytes; a longer one is cut, its extension kept.

    Returns
    -------
    SafeName

    Examples
    --------
    >>> safe_name("聊天记录.txt")
    SafeName(name='聊天记录.txt', original='聊天记录.txt', reasons=())
    >>> safe_name("..").name, safe_name("..").reasons
    ('unnamed', ('empty, "." or ".."',))
    >>> safe_name("a\\nb%.txt").name
    'a_b_.txt'
    >>> safe_name("caf\\ufffd.png").reasons
    ('not valid UTF-8 (bytes replaced when recorded)',)
    >>> safe_name("CON.txt").name, safe_name("x" * 300 + ".png").name[-8:]
    ('_CON.txt', 'xxxx.png')
    """
    reasons: list[str] = []
    out: list[str] = []
    flags = dict.fromkeys(("utf8", "replaced", "sep", "nul", "control", "windows", "percent"),
                          False)
    for ch in name:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            flags["utf8"] = True
        elif ch == "\ufffd":
            flags["replaced"] = True
        elif ch in "/\\":
            flags["sep"] = True
        elif ch == "\x00":
            flags["nul"] = True
        elif _is_control(ch):
            flags["control"] = True
        elif ch in _WINDOWS_FORBIDDEN:
            flags["windows"] = True
        elif ch == "%":
            flags["percent"] = True
        else:
            out.append(ch)
            continue
        out.append("_")
    text = "".join(out)
    for key, why in (("utf8", "not valid UTF-8"),
                     ("replaced", "not valid UTF-8 (bytes replaced when recorded)"),
                     ("sep", "holds a path separator (/ or \\)"), ("nul", "holds NUL"),
                     ("control", "holds control characters (line breaks, tabs, ...)"),
                     ("windows", 'holds characters Windows forbids (<>:"|?*)'),
                     ("percent", "holds % (percent-encoded in BagIt manifests)")):
        if flags[key]:
            reasons.append(why)
    if name in ("", ".", ".."):
        return SafeName("unnamed", name, ('empty, "." or ".."',))
    trimmed = text.rstrip(" .\t\u3000").rstrip()
    if trimmed != text:
        reasons.append("ends in a space or a dot")
        text = trimmed
    if not text or set(text) <= {"."}:
        return SafeName("unnamed", name, (*reasons, "nothing left of the name"))
    if text.split(".", 1)[0].rstrip(" ").upper() in _WINDOWS_DEVICES:
        text = "_" + text
        reasons.append("a device name Windows reserves (CON, NUL, COM1, ...)")
    if len(text.encode("utf-8")) > max_bytes:
        stem, dot, ext = text.rpartition(".")
        if not dot or not stem or len(ext) > 16:
            stem, ext = text, ""
        keep = max_bytes - (len(ext.encode("utf-8")) + 1 if ext else 0)
        cut = stem.encode("utf-8")[:keep].decode("utf-8", "ignore")
        text = cut.rstrip(" .\t\u3000").rstrip() + ("." + ext if ext else "")
        reasons.append(f"longer than {max_bytes} bytes")
        if not text.rstrip("."):
            return SafeName("unnamed", name, tuple(reasons))
    return SafeName(text, name, tuple(reasons))


def _shown(text: str) -> str:
    """A name on one line, quoted, with its control characters escaped (for notes, bag-info)."""
    try:
        text.encode("utf-8")
        return json.dumps(text, ensure_ascii=False)
    except UnicodeEncodeError:
        return json.dumps(text)


@dataclass(frozen=True, slots=True)
class _Payload:
    """One item on its way into ``data/``."""

    item: Item
    rel: str
    name: SafeName


@dataclass(frozen=True, slots=True)
class _Copied:
    """The digests of what was read from the store and written into the bag."""

    digests: DigestSet
    sha512: str


class _Unreadable(Exception):
    """The stored original could not be opened or read (a finding, not a storage error)."""

    def __init__(self, reason: str, missing: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.missing = missing


def _read(fin: Any) -> bytes:
    try:
        return fin.read(HASH_BLOCK_SIZE)
    except OSError as exc:
        raise _Unreadable(f"read failed: {exc.strerror or exc}") from None


def _copy_item(src: Path, dst: Path, bar: Any) -> _Copied:
    """Copy ``src`` (opened read-only) to the new file ``dst``, hashing every block once.

    Raises :class:`_Unreadable` for the source's faults, :class:`OSError` for the
    destination's (a full disk).
    """
    try:
        fd = open_readonly(src)
    except FileNotFoundError:
        raise _Unreadable("no such file", missing=True) from None
    except OSError as exc:
        raise _Unreadable(exc.strerror or str(exc)) from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise _Unreadable("not a regular file")
        fin = os.fdopen(fd, "rb", buffering=0)
    except BaseException:
        os.close(fd)
        raise
    sha512 = hashlib.sha512()
    with fin, open(dst, "xb") as fout, MultiHasher() as hasher:
        while block := _read(fin):
            hasher.update(block)
            sha512.update(block)
            fout.write(block)
            bar.update(len(block))
        return _Copied(hasher.finish(), sha512.hexdigest())


def _compare(item: Item, got: _Copied) -> list[Problem]:
    """Every digest (and the size) of the copy that differs from what the log recorded."""
    want, have = item.digests, got.digests
    out: list[Problem] = []
    for algorithm in ("sha256", "sm3", "md5"):
        if getattr(want, algorithm) != getattr(have, algorithm):
            out.append(ChangedItem(item.evidence_id, algorithm, getattr(want, algorithm),
                                   getattr(have, algorithm)))
    if want.size != have.size:
        out.append(ChangedItem(item.evidence_id, "size", str(want.size), str(have.size)))
    return out


def _check_dest(dest: Path) -> None:
    if not dest.is_dir():
        raise InputError(f"{dest}: not a folder; export into a new, empty one")
    if any(dest.iterdir()):
        raise InputError(f"{dest}: not empty; a bag is written into an empty folder")


def _log_through(path: Path, end: int, head: Head) -> bytes:
    """The log's first ``end`` bytes, checked to end with the head entry."""
    with open(path, "rb") as fh:
        data = fh.read(end)
    last = data[:-1].rsplit(b"\n", 1)[-1]
    parts = split_line(last)
    if len(data) != end or not data.endswith(b"\n") or parts is None or \
            parts[1].decode("ascii", "replace") != head.entry_sha256:
        raise InputError(f"{path}: changed while the export read it; export again")
    return data


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _evidence_list(plan: list[_Payload]) -> bytes:
    """``evidence-list.csv``: UTF-8 with a byte-order mark (for Excel), LF line ends."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["evidence_id", "file", "original_name", "size", "sha256", "sm3", "md5",
                "acquired_at", "category", "purpose", "extracted_from"])
    for p in plan:
        it, d = p.item, p.item.digests
        w.writerow([_csv_cell(v) for v in (
            it.evidence_id, p.rel, p.name.original if p.name.changed else p.name.name,
            d.size, d.sha256, d.sm3, d.md5,
            it.acquired_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            it.facts.category, it.facts.purpose, it.extracted_from)])
    return buf.getvalue().encode("utf-8-sig", "backslashreplace")


def _one_line(value: str) -> str:
    return " ".join(str(value).split())


def _bag_info(case: Case, head: Head, plan: list[_Payload], total: int,
              renamed: list[str]) -> bytes:
    meta = case.metadata
    contact = _one_line(case.log.actor or meta.examiner)
    labels: list[tuple[str, str]] = [
        ("Source-Organization", _one_line(meta.examiner)),
        ("Contact-Name", contact),
        ("External-Identifier", _one_line(meta.case_number)),
        ("External-Description", _one_line(meta.title)),
        ("Bagging-Date", datetime.now(UTC).strftime("%Y-%m-%d")),
        ("Payload-Oxum", f"{total}.{len(plan)}"),
        ("Bag-Software-Agent", f"forensics {__version__}"),
        (HEAD_LABEL, f"{head.seq}:{head.entry_sha256}"),
        ("Forensics-Items", str(len(plan))),
        ("Forensics-Manifests", "sha256 sha512 sm3 (manifest-sm3.txt: SM3, GB/T 32905-2016)"),
    ]
    labels += [("Forensics-Renamed", r) for r in renamed]
    text = "".join(f"{k}: {v}\n" for k, v in labels if v)
    return text.encode("utf-8")


def _manifest(lines: list[tuple[str, str]]) -> bytes:
    """``<digest>  <path>`` lines (two spaces: ``sha256sum -c`` reads them too)."""
    return "".join(f"{d}  {p}\n" for p, d in lines).encode("utf-8")


def _file_digests(path: Path, algorithms: tuple[str, ...]) -> dict[str, str]:
    hashers = {a: hashlib.new(a) for a in algorithms}
    with open(path, "rb") as fh:
        while block := fh.read(HASH_BLOCK_SIZE):
            for h in hashers.values():
                h.update(block)
    return {a: h.hexdigest() for a, h in hashers.items()}


def _remove_written(dest: Path, made: list[Path]) -> None:
    """Undo a bag that could not be finished: its files, then its folders (``dest`` stays)."""
    for p in reversed(made):
        with contextlib.suppress(OSError):
            if p.is_dir() and not p.is_symlink():
                p.rmdir()
            else:
                os.chmod(p, 0o644)
                p.unlink()
    for p in sorted((q for q in dest.rglob("*") if q.is_dir()), reverse=True):
        with contextlib.suppress(OSError):
            p.rmdir()


def _write_bag(case: Case, dest: Path, progress: bool | None,
               extra: Callable[[Case, Head], Mapping[str, bytes]] | None = None) -> Written:
    from forensics.case import ANCHORS_DIR, CASE_FILE
    from forensics.integrity import VerificationReport

    dest = Path(dest)
    _check_dest(dest)
    case.refresh()
    state = case._state  # one snapshot: the head, the items and the log's length belong together
    entry, log_end = state.head, state.offset
    items = tuple(state.items.values())
    if entry is None:
        raise InputError(f"{case.root}: the custody log is empty; nothing to export")
    head = Head(entry.seq, entry.entry_sha256)

    def fail(problems: list[Problem], checked: int) -> IntegrityError:
        return IntegrityError(VerificationReport(
            str(case.root), "failed", tuple(problems), checked, head.seq, head, 0,
            datetime.now(UTC), ("export stopped: the bag was not finished and what was "
                                f"written into {dest} was removed",)))

    chain = check_chain(case.log.path)
    problems: list[Problem] = [p for p in chain.problems if not isinstance(p, TornTail)]
    toml = (case.root / CASE_FILE).read_bytes()
    found = hashlib.sha256(toml).hexdigest()
    if state.metadata_sha256 is not None and found != state.metadata_sha256:
        problems.append(MetadataChanged(CASE_FILE, state.metadata_sha256, found))
    if problems:
        raise fail(problems, 0)

    plan = []
    for it in items:
        folder = it.evidence_id if _EVIDENCE_ID.fullmatch(it.evidence_id) else \
            safe_name(it.evidence_id).name
        name = safe_name(it.name)
        plan.append(_Payload(it, f"data/{folder}/{name.name}", name))
    renamed = [f"{p.item.evidence_id}: {p.rel} (was {_shown(p.name.original)}: "
               f"{'; '.join(p.name.reasons)})" for p in plan if p.name.changed]
    made: list[Path] = []
    try:
        (dest / "data").mkdir()  # also for a case without items: a bag always has data/
        made.append(dest / "data")
        copied: dict[str, _Copied] = {}
        total = sum(p.item.digests.size for p in plan)
        with progress_bar(total=total, desc="bag: copying the originals", unit="B",
                          enabled=progress) as bar:
            for p in plan:
                src = case.root / p.item.stored_as
                dst = dest / p.rel
                if not dst.parent.exists():
                    dst.parent.mkdir(parents=True)
                    made.append(dst.parent)
                made.append(dst)
                try:
                    copied[p.rel] = got = _copy_item(src, dst, bar)
                except _Unreadable as exc:
                    problems.append(MissingItem(p.item.evidence_id, p.item.stored_as)
                                    if exc.missing else
                                    UnreadableItem(p.item.evidence_id, p.item.stored_as,
                                                   exc.reason))
                    continue
                problems += _compare(p.item, got)
                os.chmod(dst, 0o444)
        if problems:
            raise fail(problems, len(plan))

        def put(rel: str, data: bytes) -> Path:
            path = dest / rel
            if not path.parent.exists():
                path.parent.mkdir(parents=True)
                made.append(path.parent)
            made.append(path)
            with open(path, "xb") as fh:
                fh.write(data)
            return path

        put("bagit.txt", f"BagIt-Version: {BAGIT_VERSION}\nTag-File-Character-Encoding: UTF-8\n"
            .encode("ascii"))
        for algorithm in PAYLOAD_ALGORITHMS:
            lines = []
            for p in plan:
                c = copied[p.rel]
                digest = {"sha256": c.digests.sha256, "sm3": c.digests.sm3,
                          "sha512": c.sha512}[algorithm]
                lines.append((p.rel, digest))
            put(f"manifest-{algorithm}.txt", _manifest(lines))
        notes = [f"{p.item.evidence_id}: written as {p.rel} (its name {_shown(p.name.original)} "
                 f"{'; '.join(p.name.reasons)})" for p in plan if p.name.changed]
        put("bag-info.txt", _bag_info(case, head, plan, total, renamed))
        put(f"{CUSTODY_DIR}/custody.jsonl", _log_through(case.log.path, log_end, head))
        put(f"{CUSTODY_DIR}/{CASE_FILE}", toml)
        anchors = case.root / ANCHORS_DIR
        for f in sorted(anchors.iterdir()) if anchors.is_dir() else ():
            if not f.is_file() or f.is_symlink():
                notes.append(f"{ANCHORS_DIR}/{f.name}: not a regular file, not copied")
                continue
            name = safe_name(f.name)
            if name.changed:
                notes.append(f"{ANCHORS_DIR}/{_shown(f.name)} copied as {name.name}")
            put(f"{CUSTODY_DIR}/{ANCHORS_DIR}/{name.name}", f.read_bytes())
        put(EVIDENCE_LIST, _evidence_list(plan))
        for rel, data in (extra(case, head) if extra is not None else {}).items():
            put(rel, data)
        tags = sorted(p.relative_to(dest).as_posix() for p in made
                      if p.is_file() and p.relative_to(dest).parts[0] != "data")
        digests = {rel: _file_digests(dest / rel, TAG_ALGORITHMS) for rel in tags}
        for algorithm in TAG_ALGORITHMS:
            put(f"tagmanifest-{algorithm}.txt",
                _manifest([(rel, digests[rel][algorithm]) for rel in tags]))
        files = tuple(p for p in made if p.is_file())
        sync_files(files, dest)
        _bagit_completeness(dest)
    except OSError as exc:
        _remove_written(dest, made)
        raise StorageError(dest, exc.strerror or str(exc)) from None
    except BaseException:
        _remove_written(dest, made)
        raise
    return Written(tuple(sorted(files)), tuple(notes))


def _bagit_completeness(dest: Path) -> None:
    """bagit-python's structure, Payload-Oxum and completeness checks (no re-hashing)."""
    import logging

    import bagit

    quiet = logging.getLogger("bagit")
    level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        bagit.Bag(str(dest)).validate(completeness_only=True)
    except bagit.BagError as exc:
        raise InputError(f"{dest}: the bag written does not pass bagit's completeness check "
                         f"({exc}); the folder's file system may rename or refuse names") from None
    finally:
        quiet.setLevel(level)


def write_bagit(case: Case, dest: Path, *, progress: bool | None = None) -> Written:
    """Write ``case`` as a BagIt 1.0 bag (RFC 8493) into the empty folder ``dest``.

    The layout, the names and what is checked are in the module docstring.  Use
    :func:`forensics.export.export` (``forensics export CASE --format bagit DEST``) to make
    ``DEST`` and record the export in the custody log.

    Parameters
    ----------
    case : Case
    dest : Path
        An existing, empty folder.
    progress : bool, optional
        A progress bar over the bytes copied (default: in a terminal or a notebook).

    Returns
    -------
    Written
        Every file written (payload and tag files) and notes (names given a safe form).

    Raises
    ------
    IntegrityError
        An original differs from the digests the log recorded, is missing or unreadable, the
        custody chain is broken, or ``case.toml`` changed outside the tool: every problem is
        listed (``exc.report.problems``, naming the item) and nothing is left in ``dest``.
    InputError
        ``dest`` is not an empty folder; :class:`~forensics.errors.StorageError` when it cannot
        be written.
    """
    return _write_bag(case, Path(dest), progress)


def write_verify_kit(case: Case, dest: Path, *, progress: bool | None = None) -> Written:
    """The bag of :func:`write_bagit` plus ``verify.py`` and ``README-核验说明.txt``.

    ``verify.py`` (:data:`VERIFY_SCRIPT`, the same bytes in every kit of this version) needs
    only Python 3.8+; it re-checks the payload and tag manifests, the custody chain (RFC 8785
    canonical form, as :mod:`forensics.custody` writes it), the head named in ``bag-info.txt``,
    each item's digests in the log against the manifests, the anchors, and RFC 3161 tokens in
    ``custody/anchors`` with ``openssl ts -verify`` where OpenSSL is installed.  It exits 0 (no
    problem), 1 (problems, each printed in Chinese and English) or 2 (cannot run).

    Parameters and errors as :func:`write_bagit`.

    Examples
    --------
    >>> import tempfile, pathlib, subprocess, sys
    >>> from forensics.case import Case
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "post.png").write_bytes(b"\\x89PNG fake")
    >>> case = Case.init(tmp / "case", case_number="(2026)测1号")
    >>> _ = case.add([tmp / "post.png"])
    >>> (tmp / "kit").mkdir()
    >>> _ = write_verify_kit(case, tmp / "kit", progress=False)
    >>> subprocess.run([sys.executable, "-I", str(tmp / "kit" / "verify.py")],
    ...                capture_output=True).returncode
    0
    """
    return _write_bag(case, Path(dest), progress, _kit_files)


def _kit_files(case: Case, head: Head) -> dict[str, bytes]:
    script = VERIFY_SCRIPT.encode("utf-8")
    return {SCRIPT_NAME: script, README_NAME: _readme(case, head,
                                                      hashlib.sha256(script).hexdigest())}


def _readme(case: Case, head: Head, script_sha256: str) -> bytes:
    """The kit's README: Chinese, then English; CRLF and a byte-order mark for old Notepad."""
    meta = case.metadata
    text = README_TEMPLATE.format(
        case_number=_one_line(meta.case_number) or "—", title=_one_line(meta.title) or "—",
        examiner=_one_line(meta.examiner) or "—", version=__version__,
        head=f"{head.seq}:{head.entry_sha256}", script_sha256=script_sha256)
    return "\ufeff".encode() + text.replace("\n", "\r\n").encode("utf-8")


#: The kit's README (``str.format`` fields: case_number, title, examiner, version, head,
#: script_sha256).
README_TEMPLATE = """\
电子证据核验工具包 — 使用说明
================================

案号：{case_number}
案件：{title}
鉴定人/取证人：{examiner}
监管记录最后一条（Forensics-Custody-Head）：{head}
制作工具：forensics {version}
verify.py 的 SHA-256：{script_sha256}
（同一版本工具制作的每个工具包中，verify.py 完全相同，此值也相同。）

一、这是什么
本文件夹是一个 BagIt 包（国际标准 RFC 8493，美国国会图书馆等档案机构通用）：
  data/                  证据原件，按证据编号分文件夹，逐字节复制自取证工具的证据库
  manifest-sha256.txt    每个原件的 SHA-256 值（另有 SHA-512 与 SM3 清单）
  custody/custody.jsonl  证据监管记录（保管链）：每条记录都含前一条的哈希值，环环相扣
  custody/anchors/       在记录之外留存的“锚定”及可信时间戳（如有）
  evidence-list.csv      证据目录（可用 Excel 打开）
  bag-info.txt           案号、案件名称、最后一条监管记录等
  verify.py              核验程序（只用 Python 自带功能，不联网，不修改任何文件）

二、如何运行（约需几分钟，取决于文件大小）
先安装 Python 3.8 或更新版本（https://www.python.org ；
Windows 安装时勾选“Add python.exe to PATH”）。
  Windows：打开本文件夹，在地址栏输入 cmd 后回车，在黑色窗口中输入
           py verify.py      （或 python verify.py）后回车。
  macOS：  打开“终端”，输入 cd 和一个空格，把本文件夹拖进窗口，回车；再输入
           python3 verify.py 后回车。
  Linux：  在本文件夹中打开终端，输入 python3 verify.py 后回车。
如工具包中有可信时间戳（custody/anchors/*.tsr），请向时间戳机构索取其根证书，
并运行 python verify.py --ca 根证书.pem；需要本机装有 openssl，否则显示“未检查”。
  此处的时间戳核验由 openssl 完成；在少数情形下其结论与 forensics timestamp verify 不同
  （例如时间戳证书的有效期按 genTime 判断、未处理的关键扩展），详见 docs/timestamps.md。

三、结果的含义
  “核验结果：通过”（退出码 0）：data/ 中每个文件与清单中的 SHA-256、SHA-512（及 SM3）
     完全一致；监管记录的哈希链完整，止于上面所列的最后一条；每件证据在监管记录中的
     哈希值与清单一致。标为“未检查”的项目没有核验（例如本机 Python 不支持 SM3）。
  “发现 N 个问题”（退出码 1）：逐条列出哪个文件、哪条记录、应为何值、实为何值。
     任何一个问题都说明工具包在制作后被改动或损坏，请向提交方核实。
  “无法核验”（退出码 2）：所给文件夹不是工具包，或文件无法读取。
  “忽略”：操作系统在浏览或复制文件夹时自动生成的文件（.DS_Store、._开头的文件、
     Thumbs.db、desktop.ini），不属于工具包，不影响结果；其他任何多出的文件都是问题。

四、它不能证明什么
  * 它只证明本工具包自制作以来未被改动、内部一致；不能证明证据内容真实，也不能证明
    取证过程合法或记录的时间真实。
  * 若有人重新制作整个工具包，它也会“通过”。请把上面的“监管记录最后一条”与鉴定意见书、
    公证书、可信时间戳或提交方另行提供的值核对；只有从工具包以外得到的值才是独立的。
  * verify.py 本身也可能被替换：可把它的 SHA-256（Windows：certutil -hashfile verify.py SHA256；
    macOS/Linux：shasum -a 256 verify.py）与上面所列及提交方另行提供的值核对；也可以用
    任何 BagIt 工具（如 bagit.py --validate）或 sha256sum -c manifest-sha256.txt 独立复核。

------------------------------------------------------------------------------------------

Electronic evidence verification kit — read me
==============================================

Case number: {case_number}
Case: {title}
Examiner: {examiner}
Last custody entry (Forensics-Custody-Head): {head}
Made by: forensics {version}
SHA-256 of verify.py: {script_sha256}
(verify.py is the same in every kit made by this version, so is this value.)

1. What this is
This folder is a BagIt bag (RFC 8493, the packaging standard of the Library of Congress and
other archives):
  data/                  the original evidence files, one folder per evidence number, copied
                         byte for byte from the examiner's evidence store
  manifest-sha256.txt    the SHA-256 of every original (also SHA-512 and SM3 manifests)
  custody/custody.jsonl  the chain-of-custody log: every entry holds the digest of the one
                         before, so no entry can be changed, removed or inserted unseen
  custody/anchors/       heads of the log recorded outside it, and trusted timestamps if any
  evidence-list.csv      the list of evidence (opens in Excel)
  bag-info.txt           case number, title, the last custody entry, ...
  verify.py              the checking script (Python's standard library only; it does not go
                         online and changes no file)

2. How to run it (a few minutes, depending on the size of the files)
Install Python 3.8 or later (https://www.python.org; on Windows tick "Add python.exe to PATH").
  Windows: open this folder, type cmd in the address bar and press Enter, then type
           py verify.py   (or python verify.py) and press Enter.
  macOS:   open Terminal, type cd and a space, drag this folder onto the window, press Enter,
           then type python3 verify.py and press Enter.
  Linux:   open a terminal in this folder and run python3 verify.py
If the kit holds trusted timestamps (custody/anchors/*.tsr), ask the timestamp authority for its
root certificate and run python verify.py --ca root.pem; this needs openssl, otherwise those
tokens are reported as "not checked". The tokens are checked by openssl here; in a few cases its
verdict differs from `forensics timestamp verify` (validity judged as of genTime, unprocessed
critical extensions...): see docs/timestamps.md of the forensics package.

3. What the result means
  "RESULT: PASSED" (exit status 0): every file in data/ matches its SHA-256, SHA-512 (and SM3)
     in the manifests; the custody log's hash chain is unbroken and ends at the entry named
     above; each item's digests in the log equal the manifests.  Lines marked "NOT CHECKED"
     were not checked (for instance SM3 where this Python has none).
  "N PROBLEM(S) FOUND" (exit status 1): each problem is listed with the file or entry, the
     expected and the found value.  Any problem means the kit was changed or damaged after it
     was made: ask whoever submitted it.
  "CANNOT RUN" (exit status 2): the folder given is not a kit, or its files cannot be read.
  "IGNORED": files the operating system writes into a folder it shows or copies (.DS_Store,
     files starting with ._, Thumbs.db, desktop.ini) are not part of the kit and do not change
     the result; any other file added to the kit is a problem.

4. What it does not prove
  * Only that the kit is unchanged since it was made and consistent in itself: not that the
    content of the evidence is true, nor that it was collected lawfully, nor that the times in
    the log are true.
  * A kit made again from scratch also passes.  Compare the last custody entry above with the
    expert report, a notarial certificate, a trusted timestamp or a value the submitter gives
    separately: only a value obtained outside the kit is independent.
  * verify.py itself could be replaced: compare its SHA-256 (Windows: certutil -hashfile
    verify.py SHA256; macOS/Linux: shasum -a 256 verify.py) with the value above and one given
    separately, or re-check with any BagIt tool (bagit.py --validate) or with
    sha256sum -c manifest-sha256.txt.
"""


#: ``verify.py`` of the verify kit: a stand-alone script, Python 3.8+ standard library only.
VERIFY_SCRIPT = r'''#!/usr/bin/env python3
"""核验工具 / Verification script of a forensics verify kit (a BagIt bag, RFC 8493).

Needs Python 3.8 or later and nothing but its standard library; OpenSSL, where installed, is
used for RFC 3161 timestamp tokens.  Run it from the kit folder:

    python verify.py                 (Windows: py verify.py; macOS/Linux: python3 verify.py)
    python verify.py KIT_FOLDER --ca TSA-ROOT.pem

It re-computes every digest of the payload (data/) listed in manifest-sha256.txt,
manifest-sha512.txt and, where this Python's hashlib has SM3, manifest-sm3.txt; checks the tag
manifests; walks the hash chain of the custody log (custody/custody.jsonl: each line is the
RFC 8785 canonical JSON of one entry, entry_sha256 is the SHA-256 of that form without
entry_sha256, prev_sha256 links each entry to the one before, 64 zeros for the first); checks that
the log's last entry is the Forensics-Custody-Head of bag-info.txt and that each item's digests in
the log equal the manifests; and checks the timestamp tokens (*.tsr) in custody/anchors with
`openssl ts -verify` when it can.  A file that no manifest lists is a problem (added after the
kit was made), except those the operating system writes into a folder it shows or copies
(.DS_Store, ._*, Thumbs.db, desktop.ini): these are named as ignored.

Exit status: 0 no problem found; 1 problems found (each is printed); 2 the check could not run.
"""

from __future__ import annotations

import argparse
import calendar
import contextlib
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
import unicodedata

GENESIS = "0" * 64
SAFE_INT = 2**53 - 1
BLOCK = 1 << 20
PAYLOAD_ALGORITHMS = ("sha256", "sha512", "sm3")
TAG_ALGORITHMS = ("sha256", "sha512")
HEX_LENGTH = {"sha256": 64, "sha512": 128, "sm3": 64, "md5": 32}
HEAD_LABEL = "Forensics-Custody-Head"
LOG = "custody/custody.jsonl"
ANCHORS = "custody/anchors"
CASE_TOML = "custody/case.toml"
ENTRY_MEMBERS = ("seq", "time", "actor", "host", "tool", "tool_version", "action", "evidence",
                 "details", "prev_sha256", "entry_sha256")
_MANIFEST_LINE = re.compile(r"([0-9A-Fa-f]+)[ \t]+\*?(.*)\Z")
_HEX64 = re.compile(r"[0-9a-f]{64}\Z")
_HEX32 = re.compile(r"[0-9a-f]{32}\Z")


class CannotRun(Exception):
    """The check cannot run at all (not a kit folder, unreadable)."""


class Report:
    """What was checked: the problems, what could not be checked, what passed."""

    def __init__(self):
        self.problems = []
        self.unchecked = []
        self.skipped = []
        self.passed = 0

    def ok(self, zh, en):
        self.passed += 1
        _say("[通过 OK] " + zh + " / " + en)

    def problem(self, zh, en):
        self.problems.append(en)
        _say("[问题 PROBLEM] " + zh + " / " + en)

    def not_checked(self, zh, en):
        self.unchecked.append(en)
        _say("[未检查 NOT CHECKED] " + zh + " / " + en)

    def ignored(self, rel):
        self.skipped.append(rel)
        _say("[忽略 IGNORED] {}: 操作系统生成的文件，不属于工具包 / {}: ignored (made by the "
             "operating system, not part of the kit)".format(rel, rel))


def os_made(rel):
    """A file Finder or Windows Explorer writes into a folder it shows or copies (.DS_Store,
    ._name beside each file copied to a USB stick, Thumbs.db, desktop.ini)."""
    name = rel.rsplit("/", 1)[-1]
    return (name == ".DS_Store" or name.startswith("._")
            or name.lower() in ("thumbs.db", "desktop.ini"))


def read_text(path, name, report):
    """A tag file's text; bytes that are not UTF-8 are a problem (and read as U+FFFD)."""
    with open(path, "rb") as fh:
        data = fh.read()
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        report.problem("{} 不是 UTF-8 文本（已被改动或损坏）".format(name),
                       "{}: not UTF-8 text".format(name))
        return data.decode("utf-8", "replace")


def _say(text):
    print(text, flush=True)


# --- RFC 8785 (JSON Canonicalization Scheme), the subset a custody log uses -----------------


def jcs(value):
    """The RFC 8785 form of a JSON value (str); ValueError for what JCS cannot write."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        if not -SAFE_INT <= value <= SAFE_INT:
            raise ValueError("integer outside the I-JSON range (2**53-1)")
        return str(value)
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, str):
        return _string(value)
    if isinstance(value, list):
        return "[" + ",".join(jcs(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass"))
        return "{" + ",".join(_string(k) + ":" + jcs(value[k]) for k in keys) + "}"
    raise ValueError("not a JSON value: " + type(value).__name__)


def _string(text):
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("a string holds a lone surrogate (\\ud800-\\udfff)") from None
    return json.dumps(text, ensure_ascii=False)


def _number(x):
    """A float as ECMAScript's Number.prototype.toString writes it (RFC 8785, 3.2.2.3)."""
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("NaN or infinity")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    mantissa, _, exponent = repr(abs(x)).partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = whole + fraction
    n = len(whole) + (int(exponent) if exponent else 0)
    stripped = digits.lstrip("0")
    n -= len(digits) - len(stripped)
    digits = stripped.rstrip("0")
    k = len(digits)
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        e = n - 1
        text = (digits[0] + ("." + digits[1:] if k > 1 else "") + "e"
                + ("+" if e >= 0 else "-") + str(abs(e)))
    return sign + text


# --- reading the kit ----------------------------------------------------------------------


def read_tags(kit, name, report):
    """The labels of a tag file (bagit.txt, bag-info.txt): label -> list of values."""
    tags = {}
    label = None
    text = read_text(os.path.join(kit, name), name, report)
    for number, line in enumerate(text.split("\n"), 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        if line[0] in " \t" and label is not None:
            tags[label][-1] += " " + line.strip()
            continue
        if ":" not in line:
            report.problem("{} 第{}行不是“标签: 值”".format(name, number),
                           "{}, line {}: not a 'Label: value' line".format(name, number))
            continue
        label, value = line.split(":", 1)
        label = label.strip()
        tags.setdefault(label, []).append(value.strip())
    return tags


def _unsafe(rel):
    parts = rel.split("/")
    return (rel.startswith("/") or "\\" in rel or "\x00" in rel or re.match(r"[A-Za-z]:", rel)
            or any(p in ("", ".", "..") for p in parts))


def read_manifest(kit, name, report, payload):
    """path -> digest of one manifest; None when the file is missing."""
    path = os.path.join(kit, name)
    if not os.path.isfile(path):
        return None
    out = {}
    lines = read_text(path, name, report).split("\n")
    for number, line in enumerate(lines, 1):
        line = line.rstrip("\r")
        if not line.strip():
            continue
        m = _MANIFEST_LINE.match(line)
        if m is None:
            report.problem("{} 第{}行格式不对".format(name, number),
                           "{}, line {}: not 'DIGEST  PATH'".format(name, number))
            continue
        digest = m.group(1).lower()
        rel = re.sub("%0[Aa]", "\n", re.sub("%0[Dd]", "\r", m.group(2))).replace("%25", "%")
        if _unsafe(rel) or rel.startswith("data/") != payload:
            report.problem("{} 第{}行的路径不安全或不在应在的位置: {!r}".format(name, number, rel),
                           "{}, line {}: unsafe or misplaced path {!r}".format(name, number, rel))
            continue
        out[rel] = digest
    return out


def new_hash(algorithm):
    try:
        return hashlib.new(algorithm)
    except ValueError:
        return None


def file_digests(path, algorithms):
    hashers = {a: new_hash(a) for a in algorithms}
    size = 0
    with open(path, "rb") as fh:
        while True:
            block = fh.read(BLOCK)
            if not block:
                break
            size += len(block)
            for h in hashers.values():
                h.update(block)
    return size, {a: h.hexdigest() for a, h in hashers.items()}


def _nfc(text):
    return unicodedata.normalize("NFC", text)


# --- the checks ---------------------------------------------------------------------------


def check_payload(kit, info, report):
    """Every payload digest, completeness and Payload-Oxum; returns {algorithm: manifest}."""
    manifests = {}
    for algorithm in PAYLOAD_ALGORITHMS:
        m = read_manifest(kit, "manifest-{}.txt".format(algorithm), report, payload=True)
        if m is not None:
            manifests[algorithm] = m
    for required in ("sha256", "sha512"):
        if required not in manifests:
            report.problem("缺少 manifest-{}.txt".format(required),
                           "manifest-{}.txt is missing".format(required))
    usable = []
    for algorithm in manifests:
        if new_hash(algorithm) is None:
            report.not_checked(
                "本机 Python 的 hashlib 不支持 {}，manifest-{}.txt 未核验".format(
                    algorithm.upper(), algorithm),
                "this Python's hashlib has no {}: manifest-{}.txt not checked".format(
                    algorithm.upper(), algorithm))
        else:
            usable.append(algorithm)
    listed = {}
    for m in manifests.values():
        for rel in m:
            listed.setdefault(_nfc(rel), rel)
    on_disk = {}
    data = os.path.join(kit, "data")
    if not os.path.isdir(data):
        report.problem("缺少 data 文件夹", "the data/ folder is missing")
    for root, dirs, files in os.walk(data):
        dirs.sort()
        for f in sorted(files + [d for d in dirs if os.path.islink(os.path.join(root, d))]):
            full = os.path.join(root, f)
            rel = os.path.relpath(full, kit).replace(os.sep, "/")
            if os.path.islink(full):
                report.problem("{} 是符号链接".format(rel), "{}: is a symbolic link".format(rel))
                continue
            on_disk[_nfc(rel)] = rel
    for key in sorted(set(listed) - set(on_disk)):
        report.problem("清单列出但文件不存在: {}".format(listed[key]),
                       "{}: listed in the manifests, missing from data/".format(listed[key]))
    for key in sorted(set(on_disk) - set(listed)):
        if os_made(on_disk[key]):
            report.ignored(on_disk.pop(key))
            continue
        report.problem("文件不在清单中: {}".format(on_disk[key]),
                       "{}: in data/ but in no manifest".format(on_disk[key]))
    for algorithm, m in manifests.items():
        for key in sorted(set(listed) - {_nfc(r) for r in m}):
            report.problem("{} 未列入 manifest-{}.txt".format(listed[key], algorithm),
                           "{}: not in manifest-{}.txt".format(listed[key], algorithm))
    total, count, bad = 0, 0, 0
    expected_of = {a: {_nfc(r): d for r, d in m.items()} for a, m in manifests.items()}
    for key in sorted(set(listed) & set(on_disk)):
        rel = on_disk[key]
        try:
            found = file_digests(os.path.join(kit, rel), usable)[1]
        except OSError as exc:
            report.problem("{} 无法读取: {}".format(rel, exc),
                           "{}: cannot be read: {}".format(rel, exc))
            bad += 1
            continue
        for algorithm in usable:
            expected = expected_of[algorithm].get(key)
            if expected is not None and expected != found[algorithm]:
                bad += 1
                report.problem(
                    "{} 的 {} 值不符: 清单={} 实际={}".format(rel, algorithm.upper(), expected,
                                                        found[algorithm]),
                    "{}: {} mismatch: expected={} found={}".format(rel, algorithm, expected,
                                                              found[algorithm]))
    for rel in on_disk.values():
        total += os.path.getsize(os.path.join(kit, rel))
        count += 1
    oxum = (info.get("Payload-Oxum") or [None])[0]
    if oxum is None:
        report.problem("bag-info.txt 缺少 Payload-Oxum", "bag-info.txt has no Payload-Oxum")
    elif oxum != "{}.{}".format(total, count):
        report.problem("Payload-Oxum 不符: 记载={} 实际={}.{}".format(oxum, total, count),
                       "Payload-Oxum mismatch: expected={} found={}.{}".format(oxum, total, count))
    if not bad and listed:
        report.ok("{} 个证据文件（{} 字节）的 {} 值全部相符".format(
                      count, total, "、".join(a.upper() for a in usable)),
                  "all {} evidence files ({} bytes) match their {} digests".format(
                      count, total, ", ".join(a.upper() for a in usable)))
    return manifests


def check_tag_manifests(kit, report):
    found_any = False
    listed = set()
    for algorithm in TAG_ALGORITHMS:
        name = "tagmanifest-{}.txt".format(algorithm)
        m = read_manifest(kit, name, report, payload=False)
        if m is None:
            report.problem("缺少 {}".format(name), "{} is missing".format(name))
            continue
        found_any = True
        listed.update(_nfc(rel) for rel in m)
        bad = 0
        for rel, expected in sorted(m.items()):
            path = os.path.join(kit, *rel.split("/"))
            if not os.path.isfile(path):
                bad += 1
                report.problem("{} 列出的 {} 不存在".format(name, rel),
                               "{}: {} is missing".format(name, rel))
                continue
            found = file_digests(path, [algorithm])[1][algorithm]
            if found != expected:
                bad += 1
                report.problem("{} 已被改动 ({} 清单={} 实际={})".format(rel, algorithm.upper(),
                                                                   expected, found),
                               "{}: changed: {} expected={} found={}".format(rel, algorithm,
                                                                          expected, found))
        for required in ("bagit.txt", "bag-info.txt", LOG, "manifest-sha256.txt"):
            if required not in m:
                bad += 1
                report.problem("{} 未列出 {}".format(name, required),
                               "{} does not list {}".format(name, required))
        if not bad:
            report.ok("{} 所列 {} 个文件相符".format(name, len(m)),
                      "{}: all {} tag files match".format(name, len(m)))
    if found_any:
        check_unlisted_tags(kit, listed, report)
    return found_any


def check_unlisted_tags(kit, listed, report):
    """Files outside data/ that no tag manifest lists: added after the kit was made."""
    for root, dirs, files in os.walk(kit):
        if os.path.abspath(root) == os.path.abspath(kit):
            dirs[:] = [d for d in dirs if d != "data"]
        dirs.sort()
        for f in sorted(files):
            rel = os.path.relpath(os.path.join(root, f), kit).replace(os.sep, "/")
            if _nfc(rel) in listed or re.match(r"tagmanifest-[a-z0-9]+\.txt\Z", rel):
                continue
            if os_made(rel):
                report.ignored(rel)
                continue
            report.problem("{} 不在任何标签清单中（工具包制作后被加入？）".format(rel),
                           "{}: in no tag manifest (added after the kit was made?)".format(rel))


def _entry_shape(obj):
    """What is wrong with the members of a parsed entry, or None."""
    if not isinstance(obj, dict):
        return "not a JSON object"
    missing = [k for k in ENTRY_MEMBERS if k not in obj]
    if missing:
        return "members missing: " + ", ".join(missing)
    extra = sorted(set(obj) - set(ENTRY_MEMBERS))
    if extra:
        return "unknown members: " + ", ".join(extra)
    if type(obj["seq"]) is not int or not 0 <= obj["seq"] <= SAFE_INT:
        return "'seq' is not an integer"
    for k in ("time", "actor", "host", "tool", "tool_version", "action"):
        if not isinstance(obj[k], str):
            return "{!r} is not a string".format(k)
    for k in ("prev_sha256", "entry_sha256"):
        if not isinstance(obj[k], str) or not _HEX64.match(obj[k]):
            return "{!r} is not 64 lowercase hex digits".format(k)
    if not isinstance(obj["details"], dict):
        return "'details' is not an object"
    if not isinstance(obj["evidence"], list):
        return "'evidence' is not a list"
    for ev in obj["evidence"]:
        if not isinstance(ev, dict) or not isinstance(ev.get("id"), str):
            return "an 'evidence' element has no id"
        if type(ev.get("size")) is not int or ev["size"] < 0:
            return "evidence {}: 'size' is not an integer".format(ev.get("id"))
        for k, pattern in (("sha256", _HEX64), ("sm3", _HEX64), ("md5", _HEX32)):
            if not isinstance(ev.get(k), str) or not pattern.match(ev[k]):
                return "evidence {}: {!r} is not lowercase hex".format(ev.get("id"), k)
    return None


def check_chain(kit, report):
    """Walk the custody log; returns the parsed entries (those that could be read)."""
    path = os.path.join(kit, *LOG.split("/"))
    if not os.path.isfile(path):
        report.problem("缺少监管记录 " + LOG, LOG + " is missing")
        return []
    with open(path, "rb") as fh:
        data = fh.read()
    lines = data.split(b"\n")
    if lines[-1] == b"":
        lines.pop()
    elif data:
        report.problem("监管记录最后一行不完整（第{}行没有换行）".format(len(lines)),
                       "custody log line {}: torn last line (no newline)".format(len(lines)))
    entries = []
    before = len(report.problems)
    prev_hash, prev_seq = GENESIS, 0
    for number, line in enumerate(lines, 1):
        where_zh, where_en = "监管记录第{}行".format(number), "custody log line {}".format(number)
        try:
            obj = json.loads(line.decode("utf-8"))
            shape = _entry_shape(obj)
        except UnicodeDecodeError as exc:
            shape = "not UTF-8 ({})".format(exc.reason)
        except (ValueError, RecursionError) as exc:
            shape = "not JSON ({})".format(str(exc)[:80])
        if shape is not None:
            report.problem(where_zh + "无法读取: " + shape, where_en + ": unreadable: " + shape)
            prev_hash, prev_seq = None, prev_seq + 1
            continue
        seq = obj["seq"]
        where_zh = "第{}条记录（第{}行）".format(seq, number)
        where_en = "entry {} (line {})".format(seq, number)
        body = dict(obj)
        recorded = body.pop("entry_sha256")
        try:
            canonical = jcs(obj).encode("utf-8")
            computed = hashlib.sha256(jcs(body).encode("utf-8")).hexdigest()
        except (ValueError, RecursionError) as exc:
            report.problem(where_zh + "无法按 RFC 8785 规范化: " + str(exc),
                           where_en + ": not writable as RFC 8785: " + str(exc))
            prev_hash, prev_seq = recorded, seq
            continue
        if computed != recorded:
            report.problem(
                where_zh + "内容被改动: entry_sha256 记载={} 计算={}".format(recorded, computed),
                where_en + ": edited: entry_sha256 expected={} found={}".format(recorded, computed))
        elif canonical != line:
            report.problem(where_zh + "不是 RFC 8785 规范形式", where_en + ": not in RFC 8785 form")
        if seq > prev_seq + 1:
            report.problem(
                "第{}至{}条记录缺失（被删除？）".format(prev_seq + 1, seq - 1),
                "entries {} to {} missing (deleted?) before line {}".format(prev_seq + 1, seq - 1,
                                                                         number))
        elif seq <= prev_seq:
            report.problem(where_zh + "序号重复或顺序颠倒（前一条为{}）".format(prev_seq),
                           where_en + ": repeated or out of order (previous: {})".format(prev_seq))
        if prev_hash is not None and obj["prev_sha256"] != prev_hash:
            report.problem(
                where_zh + "与前一条记录的链接不符: prev_sha256 应为={} 实为={}".format(
                    prev_hash, obj["prev_sha256"]),
                where_en + ": prev mismatch: expected={} found={}".format(prev_hash,
                                                                          obj["prev_sha256"]))
        prev_hash, prev_seq = recorded, seq
        entries.append(obj)
    if len(report.problems) == before and entries:
        report.ok("监管记录哈希链完整，共 {} 条".format(len(entries)),
                  "custody log hash chain intact: {} entries".format(len(entries)))
    elif not entries and len(report.problems) == before:
        report.problem("监管记录为空", "the custody log is empty")
    return entries


def check_head(entries, info, report):
    stated = (info.get(HEAD_LABEL) or [None])[0]
    if stated is None:
        report.problem("bag-info.txt 缺少 " + HEAD_LABEL, "bag-info.txt has no " + HEAD_LABEL)
        return
    if not entries:
        return
    last = "{}:{}".format(entries[-1]["seq"], entries[-1]["entry_sha256"])
    if stated != last:
        report.problem("监管记录的最后一条与 bag-info.txt 记载的不符: 记载={} 实际={}".format(
                           stated, last),
                       "custody head mismatch: bag-info.txt {}={} but the log ends at {}".format(
                           HEAD_LABEL, stated, last))
    else:
        report.ok("监管记录止于 bag-info.txt 所记载的最后一条 " + last,
                  "the custody log ends at the head bag-info.txt names: " + last)


def check_items(kit, entries, manifests, report):
    """Each item's digests in the log against the manifests (data/<evidence id>/<name>)."""
    items = {}
    for e in entries:
        if e["action"] == "acquire" and e["evidence"] and e["evidence"][0]["id"] not in items:
            items[e["evidence"][0]["id"]] = e["evidence"][0]
    by_id = {}
    for rel in (manifests.get("sha256") or {}):
        parts = rel.split("/")
        by_id.setdefault(parts[1] if len(parts) == 3 else "", []).append(rel)
    bad = 0
    for eid, files in sorted(by_id.items()):
        if eid not in items:
            bad += 1
            report.problem("{} 不是监管记录中的证据".format(", ".join(files)),
                           "{}: no such item in the custody log".format(", ".join(files)))
    for eid, ev in items.items():
        files = by_id.get(eid, [])
        if len(files) != 1:
            bad += 1
            report.problem(
                "{}: data/{}/ 中应恰有一个文件，实有 {} 个".format(eid, eid, len(files)),
                "{}: data/{}/ should hold one file, holds {}".format(eid, eid, len(files)))
            continue
        rel = files[0]
        for algorithm in ("sha256", "sm3"):
            listed = (manifests.get(algorithm) or {}).get(rel)
            if listed is not None and listed != ev[algorithm]:
                bad += 1
                report.problem(
                    "{}: 清单中的 {} 与监管记录不符: 记录={} 清单={}".format(
                        eid, algorithm.upper(), ev[algorithm], listed),
                    "{}: {} in manifest-{}.txt differs from the custody log: expected={} "
                    "found={}".format(eid, algorithm, algorithm, ev[algorithm], listed))
        path = os.path.join(kit, *rel.split("/"))
        if os.path.isfile(path) and os.path.getsize(path) != ev["size"]:
            bad += 1
            report.problem("{}: 大小与监管记录不符: 记录={} 实际={}".format(
                               eid, ev["size"], os.path.getsize(path)),
                           "{}: size differs from the custody log: expected={} found={}".format(
                               eid, ev["size"], os.path.getsize(path)))
    if not bad and items:
        report.ok("{} 件证据的 SHA-256/SM3 与监管记录一致".format(len(items)),
                  "the digests of all {} items equal those in the custody log".format(len(items)))
    return items


def check_metadata(kit, entries, report):
    recorded = None
    for e in entries:
        value = e["details"].get("metadata_sha256")
        if e["action"] in ("init", "metadata") and isinstance(value, str):
            recorded = value
    path = os.path.join(kit, *CASE_TOML.split("/"))
    if recorded is None or not os.path.isfile(path):
        report.not_checked("案件信息文件 case.toml 未核验（缺少文件或记录）",
                           "case.toml not checked (file or recorded digest missing)")
        return
    found = file_digests(path, ["sha256"])[1]["sha256"]
    if found != recorded:
        report.problem("case.toml 与监管记录不符: 记录={} 实际={}".format(recorded, found),
                       "custody/case.toml: sha256 expected={} found={}".format(recorded, found))
    else:
        report.ok("案件信息 case.toml 与监管记录一致", "case.toml matches the custody log")


def check_anchors(kit, entries, report):
    folder = os.path.join(kit, *ANCHORS.split("/"))
    if not os.path.isdir(folder):
        return
    by_seq = {e["seq"]: e["entry_sha256"] for e in entries}
    last = max(by_seq) if by_seq else 0
    for name in sorted(os.listdir(folder)):
        if not name.endswith(".json"):
            continue
        try:
            with open(os.path.join(folder, name), encoding="utf-8") as fh:
                doc = json.load(fh)
            seq, digest = int(doc["seq"]), str(doc["entry_sha256"])
        except (OSError, ValueError, KeyError, TypeError):
            report.problem("锚定文件 {} 无法读取".format(name),
                           "anchor {}: unreadable".format(name))
            continue
        if seq > last:
            report.problem("锚定文件 {} 指向第{}条，但记录只到第{}条（记录被截短？）".format(
                               name, seq, last),
                           "anchor {}: names entry {} but the log ends at {} (cut off?)".format(
                               name, seq, last))
        elif by_seq.get(seq) != digest:
            report.problem("锚定文件 {} 与第{}条记录不符: 锚定={} 记录={}".format(
                               name, seq, digest, by_seq.get(seq)),
                           "anchor {}: entry {}: expected={} found={}".format(
                               name, seq, digest, by_seq.get(seq)))
        else:
            report.ok("锚定文件 {} 与第{}条记录一致".format(name, seq),
                      "anchor {} matches entry {}".format(name, seq))


def _openssl(args):
    try:
        done = subprocess.run(args, capture_output=True, timeout=60, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return 127, "", str(exc)
    return (done.returncode, done.stdout.decode("utf-8", "replace"),
            done.stderr.decode("utf-8", "replace"))


def _token_facts(text):
    """(imprint hex, hash algorithm, genTime as seconds since 1970 or None) from -text output."""
    algorithm = re.search(r"Hash Algorithm: (\S+)", text)
    block = re.search(r"Message data:\n((?:\s+[0-9a-f]{4} - .*\n)+)", text)
    imprint = ""
    if block:
        for row in block.group(1).splitlines():
            hexpart = row.split(" - ", 1)[1][:48]
            imprint += re.sub(r"[^0-9a-f]", "", hexpart)
    when = re.search(r"Time stamp: (\w{3}) +(\d+) (\d+):(\d+):(\d+)(?:\.\d+)? (\d{4}) GMT", text)
    gen = None
    if when:
        month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                 "Dec"].index(when.group(1)) + 1
        gen = calendar.timegm((int(when.group(6)), month, int(when.group(2)), int(when.group(3)),
                               int(when.group(4)), int(when.group(5)), 0, 0, 0))
    return imprint, (algorithm.group(1) if algorithm else ""), gen


def check_tokens(kit, entries, items, ca, report):
    folder = os.path.join(kit, *ANCHORS.split("/"))
    tokens = sorted(n for n in os.listdir(folder) if n.endswith(".tsr")) if os.path.isdir(
        folder) else []
    if not tokens:
        return
    openssl = shutil.which("openssl")
    if openssl is None:
        for name in tokens:
            report.not_checked("时间戳 {}: 本机没有 openssl，未核验".format(name),
                               "timestamp token {}: not checked (openssl not found)".format(name))
        return
    pems = sorted(os.path.join(folder, n) for n in os.listdir(folder) if n.endswith(".pem"))
    entry_of = {e["entry_sha256"]: e["seq"] for e in entries}
    item_of = {ev["sha256"]: eid for eid, ev in items.items()}
    for name in tokens:
        tsr = os.path.join(folder, name)
        rc, out, err = _openssl([openssl, "ts", "-reply", "-in", tsr, "-text"])
        if rc != 0:
            report.problem("时间戳 {} 无法读取".format(name),
                           "timestamp token {}: unreadable: {}".format(name, err.strip()[-200:]))
            continue
        imprint, algorithm, gen = _token_facts(out)
        if algorithm == "sha256" and imprint in entry_of:
            covers = ("第{}条监管记录".format(entry_of[imprint]),
                      "custody entry {}".format(entry_of[imprint]))
        elif algorithm == "sha256" and imprint in item_of:
            covers = ("证据 " + item_of[imprint], "item " + item_of[imprint])
        else:
            report.problem("时间戳 {} 所盖的值 ({}:{}) 既不是本记录的某一条，也不是某件证据".format(
                               name, algorithm, imprint),
                           "timestamp token {}: stamps {}:{}, neither an entry of this log nor "
                           "an item".format(name, algorithm, imprint))
            continue
        stem_pem = os.path.join(folder, name[:-4] + ".pem")
        kit_pem = stem_pem if os.path.isfile(stem_pem) else (pems[0] if len(pems) == 1 else None)
        cafile = ca or kit_pem
        if cafile is None:
            report.not_checked(
                "时间戳 {}（{}）: 没有时间戳机构的根证书，签名未核验；请用 --ca 指定".format(
                    name, covers[0]),
                "timestamp token {} ({}): signature not checked: no TSA CA certificate; "
                "give one with --ca".format(name, covers[1]))
            continue
        args = [openssl, "ts", "-verify", "-digest", imprint, "-in", tsr, "-CAfile", cafile]
        if ca and kit_pem:
            args += ["-untrusted", kit_pem]
        rc, out, err = _openssl(args + (["-attime", str(gen)] if gen is not None else []))
        if rc != 0 and "attime" in err:
            rc, out, err = _openssl(args)
        own = "" if ca else "（所用证书来自本工具包，并非独立的信任来源）"
        own_en = "" if ca else (" (with certificates shipped in the kit: not an independent "
                                "trust anchor)")
        stamped = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(gen)) if gen else "?"
        if rc == 0 and "Verification: OK" in out:
            report.ok("时间戳 {} 有效: {} 于 {} 已存在{}".format(name, covers[0], stamped, own),
                      "timestamp token {} valid: {} existed at {}{}".format(name, covers[1],
                                                                            stamped, own_en))
        else:
            reason = (err.strip().splitlines() or ["verification failed"])[-1][-200:]
            report.problem("时间戳 {} 核验未通过: {}".format(name, reason),
                           "timestamp token {}: verification failed: {}".format(name, reason))


def main(argv=None):
    parser = argparse.ArgumentParser(
        description="核验取证工具包 / Check a forensics verify kit (BagIt bag).")
    parser.add_argument("kit", nargs="?", default=os.path.dirname(os.path.abspath(__file__)),
                        help="the kit folder (default: the folder of this script)")
    parser.add_argument("--ca", help="the timestamp authority's CA certificate (PEM) for "
                                     "RFC 3161 tokens in custody/anchors")
    args = parser.parse_args(argv)
    with contextlib.suppress(AttributeError, ValueError):  # a console that cannot show 中文
        sys.stdout.reconfigure(errors="replace")
    kit = os.path.abspath(args.kit)
    try:
        if not os.path.isfile(os.path.join(kit, "bagit.txt")):
            raise CannotRun("{}: no bagit.txt here; give the kit folder".format(kit))
        if args.ca and not os.path.isfile(args.ca):
            raise CannotRun("--ca {}: no such file".format(args.ca))
    except CannotRun as exc:
        _say("[无法核验 CANNOT RUN] {}".format(exc))
        return 2
    report = Report()
    _say("核验 / Checking: " + kit)
    try:
        bagit = read_tags(kit, "bagit.txt", report)
        info = (read_tags(kit, "bag-info.txt", report)
                if os.path.isfile(os.path.join(kit, "bag-info.txt")) else {})
    except OSError as exc:
        _say("[无法核验 CANNOT RUN] cannot read the tag files: {}".format(exc))
        return 2
    for label in ("External-Identifier", "External-Description", "Source-Organization",
                  "Bagging-Date", HEAD_LABEL):
        if info.get(label):
            _say("  {}: {}".format(label, info[label][0]))
    if (bagit.get("BagIt-Version") or [""])[0] not in ("1.0", "0.97"):
        report.problem("bagit.txt 的版本不对", "bagit.txt: unexpected BagIt-Version")
    if not info:
        report.problem("缺少 bag-info.txt", "bag-info.txt is missing")
    try:
        manifests = check_payload(kit, info, report)
        check_tag_manifests(kit, report)
        entries = check_chain(kit, report)
        check_head(entries, info, report)
        items = check_items(kit, entries, manifests, report)
        check_metadata(kit, entries, report)
        check_anchors(kit, entries, report)
        check_tokens(kit, entries, items, args.ca, report)
    except (OSError, MemoryError) as exc:
        _say("[无法核验 CANNOT RUN] {}".format(exc))
        return 2
    _say("")
    if report.problems:
        _say("核验结果：发现 {} 个问题（见上文“问题”各行）/ RESULT: {} PROBLEM(S) FOUND".format(
            len(report.problems), len(report.problems)))
        return 1
    note = ("；{} 项未核验（见上文）".format(len(report.unchecked)) if report.unchecked else "")
    note_en = ("; {} thing(s) not checked (see above)".format(len(report.unchecked))
               if report.unchecked else "")
    if report.skipped:
        note += "；{} 个操作系统生成的文件已忽略".format(len(report.skipped))
        note_en += "; {} file(s) made by the operating system ignored".format(
            len(report.skipped))
    _say("核验结果：通过{} / RESULT: PASSED{}".format(note, note_en))
    return 0


if __name__ == "__main__":
    sys.exit(main())
'''
