"""Intake facts: what the person handing over a capture says about it.

Each evidence item records (LEGAL.md, "What our outputs must do", 1): its category under
证据规定 art. 14 (post, message, record/log, file/media, other), URL, platform, publisher name and
id, the publish time as displayed, the capture time, who captured it, with what tool and how, and
its original carrier (device make, model, serial) or "none" (art. 15: a copy without its carrier
cannot stand alone, art. 90).  The facts come from ``forensics add`` options or from an intake
sheet: a CSV file with one row per file and a ``file`` column (path relative to the sheet).

Examples
--------
>>> f = IntakeFacts.from_mapping({"category": "帖子", "url": "https://weibo.com/123/abc"})
>>> f.category, f.has_original_carrier
('post', None)
>>> IntakeFacts(carrier="none").has_original_carrier
False
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import UTC, datetime
from pathlib import Path

from forensics.errors import IntakeSheetError, UnsafePathError
from forensics.paths import resolve_inside

__all__ = [
    "CATEGORIES",
    "FACT_NAMES",
    "IntakeFacts",
    "IntakeSheet",
    "normalize_category",
    "read_sheet",
]

#: The five kinds of electronic data of 证据规定 art. 14, as recorded.
CATEGORIES = ("post", "message", "record/log", "file/media", "other")

_CATEGORY_ALIASES = {
    "post": "post", "posts": "post", "帖子": "post", "网页": "post", "微博": "post",
    "发布信息": "post", "网络平台发布的信息": "post",
    "message": "message", "messages": "message", "chat": "message", "email": "message",
    "e-mail": "message", "消息": "message", "聊天记录": "message", "邮件": "message",
    "通信信息": "message", "网络应用服务的通信信息": "message",
    "record/log": "record/log", "record": "record/log", "log": "record/log", "logs": "record/log",
    "记录": "record/log", "日志": "record/log", "登录日志": "record/log",
    "file/media": "file/media", "file": "file/media", "media": "file/media",
    "文件": "file/media", "电子文件": "file/media", "图片": "file/media", "视频": "file/media",
    "other": "other", "其他": "other",
}


def normalize_category(value: str) -> str:
    """Map a category as people write it (English or Chinese) to one of :data:`CATEGORIES`.

    >>> normalize_category("日志"), normalize_category("File")
    ('record/log', 'file/media')
    """
    key = value.strip().lower()
    try:
        return _CATEGORY_ALIASES[key]
    except KeyError:
        raise ValueError(
            f"unknown category {value!r}; use one of: {', '.join(CATEGORIES)}"
        ) from None


@dataclass(frozen=True, slots=True)
class IntakeFacts:
    """Facts about one captured item, each ``None`` when not given.

    ``captured_at`` keeps the string as given; :attr:`captured_at_utc` reads it when it is ISO 8601
    (the time readers of :mod:`forensics.timestamps` handle other forms).
    """

    category: str | None = None
    url: str | None = None
    platform: str | None = None
    publisher: str | None = None
    publisher_id: str | None = None
    displayed_time: str | None = None
    captured_at: str | None = None
    captured_by: str | None = None
    tool: str | None = None
    method: str | None = None
    carrier: str | None = None
    purpose: str | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        for f in fields(self):
            v = getattr(self, f.name)
            if v is not None and not isinstance(v, str):
                raise TypeError(f"intake fact {f.name!r} must be a string, not {type(v).__name__}")
            if v is not None and "\x00" in v:
                raise ValueError(f"intake fact {f.name!r} contains a NUL character")
            if v is not None and any(0xD800 <= ord(c) <= 0xDFFF for c in v):
                raise ValueError(f"intake fact {f.name!r} is not valid UTF-8 text")
            if v is not None and v.strip() == "":
                object.__setattr__(self, f.name, None)
        if self.category is not None:
            object.__setattr__(self, "category", normalize_category(self.category))
        if self.captured_at is not None:
            _check_time(self.captured_at)

    @property
    def has_original_carrier(self) -> bool | None:
        """True when a carrier is named, False for "none" (a copy), None when not stated."""
        if self.carrier is None:
            return None
        return self.carrier.strip().lower() not in NO_CARRIER


    @property
    def captured_at_utc(self) -> str | None:
        """The capture time in UTC when it was given as ISO 8601 with an offset."""
        if self.captured_at is None:
            return None
        try:
            t = datetime.fromisoformat(self.captured_at.strip())
            if t.tzinfo is None:
                return None
            return t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        except (ValueError, OverflowError):
            return None  # another form ("昨天 14:02"): the time readers handle it

    def to_json(self) -> dict[str, str]:
        """The facts that are set, by name (``None`` left out)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}

    @classmethod
    def from_mapping(cls, values: Mapping[str, str | None]) -> IntakeFacts:
        """Build from names as options or sheet columns spell them (``publisher-id`` too)."""
        kwargs: dict[str, str | None] = {}
        for key, value in values.items():
            name = key.strip().replace("-", "_").lower()
            if name not in FACT_NAMES:
                raise ValueError(f"unknown intake fact {key!r}; known: {', '.join(FACT_NAMES)}")
            kwargs[name] = value
        return cls(**kwargs)

    def merged(self, other: IntakeFacts) -> IntakeFacts:
        """These facts with every fact that ``other`` sets taken from ``other``."""
        return replace(self, **other.to_json())

    def updated(self, changes: Mapping[str, object]) -> IntakeFacts:
        """These facts with ``changes`` applied (name to new value; None or ``""`` clears it),
        checked as intake checks them.  Unknown names are ignored (a log written by a later
        version may name facts this one does not know).

        >>> IntakeFacts(purpose="a", platform="微博").updated({"purpose": "b", "platform": None})
        IntakeFacts(category=None, url=None, platform=None, publisher=None, publisher_id=None, \
displayed_time=None, captured_at=None, captured_by=None, tool=None, method=None, carrier=None, \
purpose='b', note=None)
        """
        known = {k: (None if v in (None, "") else str(v)) for k, v in changes.items()
                 if k in FACT_NAMES}
        return replace(self, **known)


FACT_NAMES = tuple(f.name for f in fields(IntakeFacts))
#: ``carrier`` values that say there is no original carrier (the item is a copy).
NO_CARRIER = frozenset({"none", "no", "n/a", "na", "-", "—", "无", "没有", "无原始载体", "不适用",
                        "无载体"})


def _check_time(value: str) -> None:
    """Refuse a capture time that is ISO 8601-shaped but impossible; keep other forms as text."""
    text = value.strip()
    if len(text) >= 10 and text[4] == "-" and text[:4].isdigit():
        try:
            datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(f"captured_at {value!r} is not a valid ISO 8601 time") from None


@dataclass(frozen=True, slots=True)
class IntakeSheet:
    """An intake sheet: facts per file, keyed by the resolved absolute path of the file."""

    path: Path
    encoding: str
    rows: tuple[tuple[Path, IntakeFacts, int], ...]

    @property
    def files(self) -> tuple[Path, ...]:
        return tuple(p for p, _, _ in self.rows)


def read_sheet(path: Path | str) -> IntakeSheet:
    """Read an intake sheet (CSV; UTF-8 with or without BOM, or GB18030 as Excel writes it).

    The ``file`` column names each file relative to the sheet's folder; the other columns are
    intake facts (:data:`FACT_NAMES`, ``publisher-id`` or ``publisher_id``).  Unknown columns,
    duplicate files, paths that leave the sheet's folder and bad values are errors that name the
    row and column: a typo must not silently drop a fact.
    """
    path = Path(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise IntakeSheetError(path, f"cannot read: {exc.strerror}") from None
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes every byte string
        raise IntakeSheetError(path, "neither UTF-8 nor GB18030 text")
    if "\x00" in text:
        raise IntakeSheetError(path, "contains NUL bytes: not a CSV text file")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        raise IntakeSheetError(path, f"malformed CSV header: {exc}") from None
    if not header:
        raise IntakeSheetError(path, "empty sheet: the first line must name the columns")
    columns = [c.strip() for c in header]
    if "file" not in columns:
        raise IntakeSheetError(path, "no 'file' column (path of each file, relative to the sheet)")
    for c in columns:
        if c != "file" and c.replace("-", "_").lower() not in FACT_NAMES:
            raise IntakeSheetError(
                path, f"unknown column; known: file, {', '.join(FACT_NAMES)}", column=c
            )
    rows: list[tuple[Path, IntakeFacts, int]] = []
    seen: dict[Path, int] = {}
    base = path.resolve().parent
    try:
        for n, row in enumerate(reader, start=2):
            if None in row:
                raise IntakeSheetError(path, "more cells than columns", row=n)
            values = {k.strip(): (v or "") for k, v in row.items()}
            name = values.pop("file").strip()
            if not name and not any(v.strip() for v in values.values()):
                continue  # blank line
            if not name:
                raise IntakeSheetError(path, "empty file name", row=n, column="file")
            try:
                target = resolve_inside(base, name).resolve()
            except UnsafePathError as exc:
                raise IntakeSheetError(path, exc.reason, row=n, column="file") from None
            if target in seen:
                raise IntakeSheetError(
                    path, f"file {name!r} already listed in row {seen[target]}", row=n,
                    column="file",
                )
            try:
                facts = IntakeFacts.from_mapping(values)
            except (ValueError, TypeError) as exc:
                col = "category" if "category" in str(exc) else None
                col = "captured_at" if "captured_at" in str(exc) else col
                raise IntakeSheetError(path, str(exc), row=n, column=col) from None
            seen[target] = n
            rows.append((target, facts, n))
    except csv.Error as exc:
        raise IntakeSheetError(path, f"malformed CSV: {exc}") from None
    return IntakeSheet(path, encoding, tuple(rows))
