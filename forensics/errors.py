"""Every error the package raises on purpose.

Two families matter to callers and to the command line:

* :class:`InputError` and its leaves: bad usage or bad input (a missing path, a folder that is not
  a case, an unsafe name, a malformed intake sheet, a full disk).  The command exits with 2 and
  nothing is half-written.
* :class:`IntegrityError` and :class:`CustodyLogDamaged`: something inside a real case does not
  check out.  That is a *finding*, reported with exit 1, never an input error.

Every class has typed attributes so that a notebook or a test can inspect what went wrong without
parsing the message.  Input is never validated with ``assert``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from forensics.integrity import VerificationReport

__all__ = [
    "AttestationError",
    "CaseExistsError",
    "CustodyLogDamaged",
    "ForensicsError",
    "InputError",
    "IntakeSheetError",
    "IntegrityError",
    "NotACaseError",
    "NotebookError",
    "NoticeError",
    "OcrError",
    "RegistryError",
    "SourceError",
    "StorageError",
    "TimestampTokenError",
    "UnsafePathError",
    "WrongFormat",
]


class ForensicsError(Exception):
    """Base class of every error raised by :mod:`forensics` on purpose."""

    exit_code: int = 2


class InputError(ForensicsError):
    """Bad usage or bad input: the command exits with 2 and the case is left as it was."""

    exit_code = 2


class NotebookError(ForensicsError):
    """A notebook could not run to its end for a reason other than a cell's own error (the
    kernel died or hung): the command exits with 1 (a problem found, the run incomplete)."""

    exit_code = 1


class NotACaseError(InputError):
    """A folder that is not a forensics case (no ``case.toml`` or no ``custody.jsonl``)."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"{self.path}: not a forensics case ({reason}). "
            f"Create one with `forensics init {self.path}` or check the path."
        )


class CaseExistsError(InputError):
    """``init`` refused: the target folder already exists and is not empty."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        super().__init__(
            f"{self.path}: already exists and is not empty; choose a new folder for the case."
        )


class SourceError(InputError):
    """A file or folder to bring into a case is missing, unreadable or not a regular file."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"{self.path}: {reason}")


class UnsafePathError(InputError):
    """A name that could escape the case folder or collide inside it (``..``, NUL, ...)."""

    def __init__(self, name: str, reason: str) -> None:
        self.name = name
        self.reason = reason
        super().__init__(f"unsafe path {name!r}: {reason}")


class IntakeSheetError(InputError):
    """An intake sheet (CSV) or an intake option that cannot be used as written."""

    def __init__(
        self, path: Path | str | None, message: str, *, row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.row = row
        self.column = column
        self.message = message
        where = str(self.path) if self.path is not None else "intake"
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


class AttestationError(InputError):
    """An outside hash list or certificate (``forensics attest import``) that cannot be read as
    written: the file, the line (or key) and what is wrong."""

    def __init__(self, path: Path | str, message: str, *, line: int | None = None) -> None:
        self.path = Path(path)
        self.line = line
        self.message = message
        where = f"{self.path}, line {line}" if line is not None else str(self.path)
        super().__init__(f"{where}: {message}")


class StorageError(InputError):
    """The case folder could not be written (disk full, permissions); nothing was acknowledged."""

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"{self.path}: cannot write ({reason}); nothing was recorded. "
            "Free space or fix permissions, then run the command again."
        )


class CustodyLogDamaged(ForensicsError):
    """The custody log cannot be appended to safely; run ``forensics verify`` to see why."""

    exit_code = 1

    def __init__(self, path: Path | str, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(
            f"{self.path}: custody log damaged ({reason}); nothing was written. "
            f"Run `forensics verify {self.path.parent}` for the full list of problems."
        )


class IntegrityError(ForensicsError):
    """Verification found problems; ``report`` holds every one of them."""

    exit_code = 1

    def __init__(self, report: VerificationReport) -> None:
        self.report = report
        lines = [str(p) for p in report.problems]
        super().__init__(
            f"{len(lines)} integrity problem(s) found:\n" + "\n".join(f"  {x}" for x in lines)
        )


class WrongFormat(ForensicsError):
    """A parser refuses a file before its first record: the file is not in its format.

    Raised by parsers; the registry turns it into an unparsed artifact with the reason (the file
    stays stored, hashed and logged).
    """

    exit_code = 2

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


class RegistryError(ForensicsError):
    """A media type registered twice, or a parser that is not a parser (a programming error)."""

    exit_code = 2


class TimestampTokenError(InputError):
    """An RFC 3161 timestamp token, or a certificate file to check one with, that cannot be
    used as given (not DER, truncated, not a SignedData holding a TSTInfo, covering nothing in
    the case): the file and what is wrong.  Exit 2."""

    def __init__(self, path: Path | str | None, message: str) -> None:
        self.path = Path(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)


class NoticeError(InputError):
    """A platform notice (``forensics notice``) that cannot be written or logged as asked: an
    identity file that cannot be read (the file, the key and what is wrong), a notice without
    evidence in the case, a time that cannot be read.  Exit 2."""

    def __init__(self, path: Path | str | None, message: str, *, key: str | None = None) -> None:
        self.path = Path(path) if path is not None else None
        self.key = key
        self.message = message
        where = str(self.path) if self.path is not None else "notice"
        if key is not None:
            where += f", key {key!r}"
        super().__init__(f"{where}: {message}")


class OcrError(InputError):
    """A screenshot or recording whose pixels cannot be read (``forensics screens``): a file
    that cannot be opened or decoded, one too large to decode, a recording without video, or a
    key-phrase file that cannot be read.  ``path`` names the file, ``message`` what is wrong.
    In a run over a whole case such a capture is reported (calls ``unsure``) and the run goes
    on; a single-file call raises it (exit 2)."""

    def __init__(self, path: Path | str | None, message: str) -> None:
        self.path = Path(path) if path is not None else None
        self.message = message
        super().__init__(f"{self.path}: {message}" if self.path is not None else message)
