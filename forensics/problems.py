"""The vocabulary of verification findings.

Each kind of problem a verifier can find is a frozen record with typed attributes and a message
that names the place and both values (``entry 12: prev mismatch: expected=... found=...``), in the
manner of bagit-python's ``ChecksumMismatch``.  The custody-log walk (:mod:`forensics.custody`),
the store check and the backup comparison (:mod:`forensics.integrity`) all report these.

Examples
--------
>>> p = ChangedItem("E0003", "sha256", "aa" * 32, "bb" * 32)
>>> str(p)[:38]
'E0003: content changed: sha256 expecte'
>>> p.kind
'changed-item'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

__all__ = [
    "AnchorMismatch",
    "BackupBehind",
    "BackupDiverged",
    "ChangedItem",
    "DamagedTail",
    "DeletedEntries",
    "EditedEntry",
    "InsertedEntry",
    "MetadataChanged",
    "MissingAnchorFile",
    "MissingItem",
    "PrevMismatch",
    "Problem",
    "PseudonymsChanged",
    "ReorderedEntries",
    "TornTail",
    "TruncatedLog",
    "UnexpectedFile",
    "UnparseableLine",
    "UnreadableItem",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """Base of every finding; ``kind`` is a stable machine-readable name."""

    kind: ClassVar[str] = "problem"

    @property
    def where(self) -> str:
        """The place the problem is at (an evidence number, an entry, a line, a path)."""
        return ""

    @property
    def message(self) -> str:
        """What is wrong, with expected and found values where there are any."""
        return self.kind

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message

    def to_dict(self) -> dict[str, object]:
        """A JSON-ready form: ``kind``, ``where``, ``message`` and the typed attributes."""
        out: dict[str, object] = {"kind": self.kind, "where": self.where, "message": self.message}
        for name in self.__dataclass_fields__:
            out[name] = getattr(self, name)
        return out


# --- the custody log -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UnparseableLine(Problem):
    """A log line that is not a custody entry (bad JSON, bad UTF-8, missing fields)."""

    kind: ClassVar[str] = "unparseable-line"
    line: int
    reason: str

    @property
    def where(self) -> str:
        return f"line {self.line}"

    @property
    def message(self) -> str:
        return f"does not parse as a custody entry: {self.reason}"


@dataclass(frozen=True, slots=True)
class EditedEntry(Problem):
    """An entry whose content no longer matches its own recorded digest."""

    kind: ClassVar[str] = "edited-entry"
    seq: int
    line: int
    expected: str
    found: str

    @property
    def where(self) -> str:
        return f"entry {self.seq} (line {self.line})"

    @property
    def message(self) -> str:
        return f"entry edited: entry_sha256 expected={self.expected} found={self.found}"


@dataclass(frozen=True, slots=True)
class PrevMismatch(Problem):
    """An entry whose link to its predecessor does not match the predecessor's digest."""

    kind: ClassVar[str] = "prev-mismatch"
    seq: int
    line: int
    expected: str
    found: str

    @property
    def where(self) -> str:
        return f"entry {self.seq} (line {self.line})"

    @property
    def message(self) -> str:
        return (
            f"prev mismatch: expected={self.expected} found={self.found} "
            "(the entry before it was replaced, or this entry was forged)"
        )


@dataclass(frozen=True, slots=True)
class DeletedEntries(Problem):
    """Entries missing from the middle of the chain."""

    kind: ClassVar[str] = "deleted-entries"
    first: int
    last: int
    line: int

    @property
    def where(self) -> str:
        if self.first == self.last:
            return f"entry {self.first}"
        return f"entries {self.first}-{self.last}"

    @property
    def message(self) -> str:
        return f"deleted: expected entry {self.first} before line {self.line}, found none"


@dataclass(frozen=True, slots=True)
class InsertedEntry(Problem):
    """An entry that does not belong to the chain (no predecessor has its ``prev`` digest)."""

    kind: ClassVar[str] = "inserted-entry"
    seq: int
    line: int
    detail: str

    @property
    def where(self) -> str:
        return f"entry {self.seq} (line {self.line})"

    @property
    def message(self) -> str:
        return f"inserted entry: {self.detail}"


@dataclass(frozen=True, slots=True)
class ReorderedEntries(Problem):
    """Entries of the chain stored out of sequence order."""

    kind: ClassVar[str] = "reordered-entries"
    seq: int
    line: int
    expected_line: int

    @property
    def where(self) -> str:
        return f"entry {self.seq} (line {self.line})"

    @property
    def message(self) -> str:
        return f"reordered: expected at line {self.expected_line} found at line {self.line}"


@dataclass(frozen=True, slots=True)
class TruncatedLog(Problem):
    """The log ends before an anchored head: entries were cut off the end."""

    kind: ClassVar[str] = "truncated-log"
    anchored_seq: int
    found_seq: int
    anchor: str

    @property
    def where(self) -> str:
        return f"anchor {self.anchor}"

    @property
    def message(self) -> str:
        return (
            f"tail cut off: anchored head expected=entry {self.anchored_seq} "
            f"found=last entry {self.found_seq}"
        )


@dataclass(frozen=True, slots=True)
class AnchorMismatch(Problem):
    """The entry at an anchored sequence number is not the entry that was anchored."""

    kind: ClassVar[str] = "anchor-mismatch"
    seq: int
    anchor: str
    expected: str
    found: str

    @property
    def where(self) -> str:
        return f"entry {self.seq} (anchor {self.anchor})"

    @property
    def message(self) -> str:
        return f"anchored head differs: expected={self.expected} found={self.found}"


@dataclass(frozen=True, slots=True)
class MissingAnchorFile(Problem):
    """An anchor recorded in the log whose file is gone from ``anchors/``."""

    kind: ClassVar[str] = "missing-anchor-file"
    seq: int
    path: str

    @property
    def where(self) -> str:
        return self.path

    @property
    def message(self) -> str:
        return f"anchor file recorded by entry {self.seq} is missing"


@dataclass(frozen=True, slots=True)
class TornTail(Problem):
    """A last line without its newline (a writer was interrupted and nobody has recovered it)."""

    kind: ClassVar[str] = "torn-tail"
    line: int
    length: int

    @property
    def where(self) -> str:
        return f"line {self.line}"

    @property
    def message(self) -> str:
        return (
            f"torn last line ({self.length} bytes, no newline): an interrupted write; "
            "the next command that writes to the case moves it to recovered/ and logs that"
        )


@dataclass(frozen=True, slots=True)
class DamagedTail(Problem):
    """A last line without its newline that nevertheless holds a complete entry: damage."""

    kind: ClassVar[str] = "damaged-tail"
    line: int

    @property
    def where(self) -> str:
        return f"line {self.line}"

    @property
    def message(self) -> str:
        return "last line holds a complete entry but its newline is gone or replaced"


# --- the evidence store and the case -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChangedItem(Problem):
    """A stored item whose bytes no longer match the digests recorded when it was acquired."""

    kind: ClassVar[str] = "changed-item"
    evidence_id: str
    algorithm: str
    expected: str
    found: str

    @property
    def where(self) -> str:
        return self.evidence_id

    @property
    def message(self) -> str:
        return f"content changed: {self.algorithm} expected={self.expected} found={self.found}"


@dataclass(frozen=True, slots=True)
class MissingItem(Problem):
    """A stored item that the custody log accounts for but the store no longer holds."""

    kind: ClassVar[str] = "missing-item"
    evidence_id: str
    path: str

    @property
    def where(self) -> str:
        return self.evidence_id

    @property
    def message(self) -> str:
        return f"missing from the store: expected={self.path} found=nothing"


@dataclass(frozen=True, slots=True)
class UnreadableItem(Problem):
    """A stored item that could not be read, so its content was not checked."""

    kind: ClassVar[str] = "unreadable-item"
    evidence_id: str
    path: str
    reason: str

    @property
    def where(self) -> str:
        return self.evidence_id

    @property
    def message(self) -> str:
        return f"could not be read, so not checked: {self.path}: {self.reason}"


@dataclass(frozen=True, slots=True)
class UnexpectedFile(Problem):
    """A file in the store that no custody entry accounts for: what tampering looks like."""

    kind: ClassVar[str] = "unexpected-file"
    path: str
    detail: str

    @property
    def where(self) -> str:
        return self.path

    @property
    def message(self) -> str:
        return f"unexpected file in the store: {self.detail}"


@dataclass(frozen=True, slots=True)
class MetadataChanged(Problem):
    """``case.toml`` differs from the version the custody log last recorded."""

    kind: ClassVar[str] = "metadata-changed"
    path: str
    expected: str
    found: str

    @property
    def where(self) -> str:
        return self.path

    @property
    def message(self) -> str:
        return f"case metadata changed outside the tool: sha256 expected={self.expected} found={self.found}"


@dataclass(frozen=True, slots=True)
class PseudonymsChanged(Problem):
    """``pseudonyms.json`` differs from the mapping the custody log last recorded, or is gone."""

    kind: ClassVar[str] = "pseudonyms-changed"
    path: str
    expected: str
    found: str  # "missing" when the file is gone

    @property
    def where(self) -> str:
        return self.path

    @property
    def message(self) -> str:
        return (f"pseudonym mapping changed outside the tool: sha256 expected={self.expected} "
                f"found={self.found}")


@dataclass(frozen=True, slots=True)
class BackupBehind(Problem):
    """A backup that lacks entries or items the case has since gained."""

    kind: ClassVar[str] = "backup-behind"
    backup: str
    backup_seq: int
    case_seq: int
    missing_items: tuple[str, ...]

    @property
    def where(self) -> str:
        return self.backup

    @property
    def message(self) -> str:
        items = ", ".join(self.missing_items) if self.missing_items else "none"
        return (
            f"backup is behind: expected entries up to {self.case_seq} found up to "
            f"{self.backup_seq}; items not in the backup: {items}. "
            "Run `forensics backup` again to bring it up to date"
        )


@dataclass(frozen=True, slots=True)
class BackupDiverged(Problem):
    """A backup whose log is not a prefix of the case's log, or whose item differs."""

    kind: ClassVar[str] = "backup-diverged"
    backup: str
    seq: int
    expected: str
    found: str

    @property
    def where(self) -> str:
        return f"{self.backup} entry {self.seq}" if self.seq else self.backup

    @property
    def message(self) -> str:
        return f"backup differs from the case: expected={self.expected} found={self.found}"
