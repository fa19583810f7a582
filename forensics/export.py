"""Export a case in open formats other tools and institutions verify without us.

``forensics export CASE --format FORMAT DEST`` (:func:`export`) writes into a new folder
``DEST`` and records every file written, with its SHA-256 and the custody head it was made from,
in one ``export`` entry of the custody log.  The formats (:data:`FORMATS`):

``bagit``
    The evidence as a BagIt bag (RFC 8493) with SHA-256 and SHA-512 payload manifests, SM3 as an
    additional manifest, ``bag-info.txt`` naming the case, and the custody log and anchors as
    tag files (:mod:`forensics.export_bagit`).
``verify-kit``
    The bag plus a stand-alone verification script that needs only Python's standard library
    (and OpenSSL for timestamp tokens), with a README in Chinese and English for a court clerk.
``case-uco``
    The case as CASE/UCO JSON-LD: files, hashes, provenance records, the custody actions as
    investigative actions (:mod:`forensics.export_uco`).
``timesketch``
    The timeline in Timesketch's import form (:mod:`forensics.export_timesketch`).

The writers never change the case: the stored originals are read (read-only) and copied.
"""

from __future__ import annotations

import hashlib
import importlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from forensics.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case

__all__ = ["FORMATS", "ExportReport", "Written", "export"]

#: Format name -> (module, function, one line saying what it writes).
FORMATS: Mapping[str, tuple[str, str, str]] = {
    "bagit": ("forensics.export_bagit", "write_bagit",
              "BagIt bag (RFC 8493): the originals, SHA-256/SHA-512/SM3 manifests, custody log"),
    "verify-kit": ("forensics.export_bagit", "write_verify_kit",
                   "the bag plus a standard-library verification script and a README (zh/en)"),
    "case-uco": ("forensics.export_uco", "write_case_uco",
                 "CASE/UCO JSON-LD: files, hashes, provenance, custody actions"),
    "timesketch": ("forensics.export_timesketch", "write_timesketch",
                   "the timeline in Timesketch's import form (JSONL)"),
}


@dataclass(frozen=True, slots=True)
class Written:
    """What a format's writer returns: every file it wrote (under ``DEST``) and notes."""

    files: tuple[Path, ...]
    notes: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ExportReport:
    """An export: the format, the folder, each file with its SHA-256, the custody entry."""

    format: str
    dest: Path
    files: tuple[tuple[str, str], ...]
    recorded_seq: int | None
    made_from_seq: int | None
    notes: tuple[str, ...] = ()

    def to_json(self) -> dict[str, object]:
        return {"format": self.format, "dest": str(self.dest),
                "files": [{"path": p, "sha256": d} for p, d in self.files],
                "recorded_seq": self.recorded_seq, "made_from_seq": self.made_from_seq,
                "notes": list(self.notes)}

    def __str__(self) -> str:
        logged = (f"custody entry {self.recorded_seq}" if self.recorded_seq is not None
                  else "not recorded")
        lines = [f"{self.format}: {len(self.files)} files in {self.dest} (made from custody "
                 f"entry {self.made_from_seq}; {logged})"]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(f"<tr><td>{escape(p)}</td><td><code>{d}</code></td></tr>"
                       for p, d in self.files)
        return (f"<div><p><b>{escape(self.format)}</b> → {escape(str(self.dest))} · custody "
                f"entry {self.recorded_seq}</p><table><tr><th>file</th><th>SHA-256</th></tr>"
                f"{rows}</table></div>")


def _writer(fmt: str) -> Callable[..., Written]:
    if fmt not in FORMATS:
        raise InputError(f"unknown export format {fmt!r}; one of {', '.join(FORMATS)}")
    module, name, _ = FORMATS[fmt]
    return getattr(importlib.import_module(module), name)


def _file_sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _dest_folder(case: Case, dest: Path) -> Path:
    """A new (or empty) folder outside the case: an export never lands among the evidence."""
    dest = Path(dest)
    resolved = dest.resolve()
    root = case.root.resolve()
    if resolved == root or root in resolved.parents:
        raise InputError(f"{dest}: inside the case folder {case.root}; export to a folder "
                         "outside it")
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(f"{dest}: already exists and is not an empty folder; an export goes "
                         "into a new one")
    try:
        dest.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{dest}: cannot be made ({exc.strerror or exc}); choose another "
                         "folder") from None
    return dest


def export(case: Case, fmt: str, dest: Path | str, *, progress: bool | None = None,
           record: bool = True) -> ExportReport:
    """Write ``case`` in the open format ``fmt`` (:data:`FORMATS`) into the new folder ``dest``.

    Parameters
    ----------
    case : Case
    fmt : str
        One of :data:`FORMATS`.
    dest : path
        A folder that does not exist yet (or is empty), outside the case.
    progress : bool, optional
        Progress bars (default: in a terminal or a notebook).
    record : bool
        Log the export (every file's SHA-256, the custody head it was made from) in one
        ``export`` entry; False writes nothing into the case (a case on read-only media).

    Raises
    ------
    InputError
        An unknown format, ``dest`` inside the case or not empty, or what the writer refuses.
    """
    writer = _writer(fmt)
    folder = _dest_folder(case, Path(dest))
    case.refresh()
    head = case.head
    written = writer(case, folder, progress=progress)
    files = tuple(sorted((p.relative_to(folder).as_posix(), _file_sha256(p))
                         for p in written.files))
    seq = None
    if record:
        entry = case.log_export(f"export {fmt}", {rel: folder / rel for rel, _ in files},
                                head=head, params={"format": fmt},
                                evidence_ids=[it.evidence_id for it in case.items])
        seq = entry.seq
    return ExportReport(fmt, folder, files, seq, head.seq if head else None, written.notes)


def _walk(folder: Path) -> list[Path]:
    """Every file under ``folder``, sorted (for writers that write whole trees)."""
    out = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        out.extend(Path(root) / n for n in sorted(names))
    return out
