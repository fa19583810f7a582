"""Frozen records shared by the parsers and the analyses.

What a parser reads from one evidence file is an :class:`Artifact`: its flat metadata (ExifTool's
``Group:Tag`` names where ExifTool has one), typed records (each with a ``data_type`` such as
``image:exif``, ``web:warc:response``, ``email:rfc822``, ``chat:message``, ``social:repost``),
time :class:`Event` s, :class:`ParseWarning` s for corrupt parts, and :class:`Child` files found
inside it (e-mail attachments) that become evidence items of their own.

Every record carries its :class:`Origin`: the evidence number, the SHA-256 of the stored file, and
the parser's name and version (plaso's rule: each record remembers which parser made it and the
digest of its source).

Examples
--------
>>> o = Origin("E0001", "ab" * 32, "image", "1")
>>> w = ParseWarning(o, "APP1 segment at byte 2", "EXIF IFD offset past end of segment")
>>> w.to_json()["location"]
'APP1 segment at byte 2'
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from html import escape
from types import MappingProxyType
from typing import ClassVar

from forensics.timestamps import TimeValue, format_utc

__all__ = [
    "Artifact",
    "ChatMessage",
    "Child",
    "Event",
    "Origin",
    "ParseWarning",
    "Record",
    "Repost",
    "Scalar",
    "clean_text",
]

#: A metadata value: what ExifTool's ``-json`` output holds for one tag.
Scalar = str | int | float | bool | None


@dataclass(frozen=True, slots=True)
class Origin:
    """Which evidence item, which stored content, which parser (and version) made a record."""

    evidence_id: str | None  # None when inspecting a file outside a case
    sha256: str
    parser: str
    parser_version: str

    def to_json(self) -> dict[str, str | None]:
        return {"evidence_id": self.evidence_id, "sha256": self.sha256, "parser": self.parser,
                "parser_version": self.parser_version}


@dataclass(frozen=True, slots=True)
class ParseWarning:
    """A corrupt part inside a file that was otherwise read: where, and what is wrong."""

    origin: Origin
    location: str
    message: str

    def to_json(self) -> dict[str, str | None]:
        return {"evidence_id": self.origin.evidence_id, "parser": self.origin.parser,
                "location": self.location, "message": self.message}

    def __str__(self) -> str:
        who = self.origin.evidence_id or self.origin.sha256[:12]
        return f"{who} [{self.origin.parser}] {self.location}: {self.message}"


@dataclass(frozen=True, slots=True)
class Record:
    """Base of every parsed record.  Subclasses add typed fields and set ``data_type``."""

    data_type: ClassVar[str] = "record"
    origin: Origin
    location: str

    def to_row(self) -> dict[str, Scalar]:
        """A flat row for a DataFrame: origin columns, then the record's own fields."""
        row: dict[str, Scalar] = {"data_type": self.data_type, **self.origin.to_json(),
                                  "location": self.location}
        for name in _own_fields(type(self)):
            v = _scalar(getattr(self, name))
            if type(v) is str and not v.isascii():
                v = clean_text(v)[0]  # text made from nested values (Builder cleans the rest)
            row[name] = v
        return row


@functools.cache
def _own_fields(cls: type) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(cls) if f.name not in ("origin", "location"))


def clean_text(value: str) -> tuple[str, bool]:
    """``value`` with lone surrogates (undecodable input smuggled through ``surrogateescape``
    or a JSON ``\\ud800`` escape) replaced by U+FFFD, and whether any were.

    >>> clean_text("ok"), clean_text("a\\ud800b")
    (('ok', False), ('a�b', True))
    """
    if value.isascii():
        return value, False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in value), True
    return value, False


def _scalar(v: object) -> Scalar:
    if v is None or isinstance(v, str | int | float | bool):
        return v  # type: ignore[return-value]
    if isinstance(v, TimeValue):
        return format_utc(v.utc) if v.utc else f"{format_utc(v.earliest)}/{format_utc(v.latest)}"
    if isinstance(v, datetime):
        return format_utc(v)
    if isinstance(v, tuple | list):
        return "\n".join(str(_scalar(x)) for x in v)
    return str(v)


@dataclass(frozen=True, slots=True)
class Event:
    """Something that happened at a time, as one evidence file states it.

    ``description`` says which time it is (``Content Created``, ``Message Sent``,
    ``Archived (WARC-Date)``...), ``time.source`` where exactly it was read.
    """

    origin: Origin
    data_type: str
    description: str
    time: TimeValue
    location: str = ""
    actor: str = ""
    text: str = ""
    url: str = ""

    def to_row(self) -> dict[str, Scalar]:
        t = self.time
        return {
            **self.origin.to_json(), "data_type": self.data_type,
            "description": self.description, "location": self.location,
            "utc": format_utc(t.utc) if t.utc else None,
            "earliest": format_utc(t.earliest), "latest": format_utc(t.latest),
            "original": t.original, "time_source": t.source, "precision": t.precision.value,
            "zone": t.zone.value, "zone_name": t.zone_name,
            "actor": self.actor, "text": self.text, "url": self.url,
        }


@dataclass(frozen=True, slots=True)
class Child:
    """A file inside an evidence file (an e-mail attachment) that becomes an item of its own."""

    name: str
    data: bytes
    location: str
    declared_type: str = ""


@dataclass(frozen=True, slots=True)
class ChatMessage(Record):
    """One message of a chat export."""

    data_type: ClassVar[str] = "chat:message"
    chat: str = ""
    sender_id: str = ""
    sender_name: str = ""
    text: str = ""
    time: TimeValue | None = None
    time_shown: str = ""
    system: bool = False
    attachments: tuple[str, ...] = ()
    message_id: str = ""


@dataclass(frozen=True, slots=True)
class Repost(Record):
    """One row of a platform's repost list (the form is specified in docs/formats/reposts.md)."""

    data_type: ClassVar[str] = "social:repost"
    post_id: str = ""
    account_id: str = ""
    account_name: str = ""
    parent_account_id: str = ""
    time: TimeValue | None = None
    time_shown: str = ""
    text: str = ""
    views: int | None = None
    repost_id: str = ""
    parent_repost_id: str = ""
    #: Names stated by a ``//@name:`` chain in the text, nearest first.
    chain: tuple[str, ...] = ()
    #: How the parent is known: ``explicit`` (a parent field) or ``chain`` (read from the text).
    parent_source: str = ""
    row: int = 0


def _freeze(m: Mapping[str, Scalar]) -> Mapping[str, Scalar]:
    return MappingProxyType(dict(m))


@dataclass(frozen=True, slots=True)
class Artifact:
    """Everything parsed from one file (or the reason it could not be parsed)."""

    evidence_id: str | None
    name: str
    sha256: str
    size: int
    media_type: str
    parser: str
    parser_version: str
    metadata: Mapping[str, Scalar] = field(default_factory=lambda: _freeze({}))
    records: tuple[Record, ...] = ()
    events: tuple[Event, ...] = ()
    warnings: tuple[ParseWarning, ...] = ()
    children: tuple[Child, ...] = ()
    flags: tuple[str, ...] = ()
    unparsed_reason: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.metadata, MappingProxyType):
            object.__setattr__(self, "metadata", _freeze(self.metadata))

    @property
    def parsed(self) -> bool:
        return self.unparsed_reason is None

    def to_json(self) -> dict[str, object]:
        """The object ``forensics artifacts --json`` and ``forensics inspect --json`` print."""
        return {
            "evidence_id": self.evidence_id, "name": self.name, "sha256": self.sha256 or None,
            "size": self.size, "media_type": self.media_type, "parser": self.parser or None,
            "parser_version": self.parser_version or None,
            "warnings": [w.to_json() for w in self.warnings],
            "unparsed_reason": self.unparsed_reason, "flags": list(self.flags),
            "records": len(self.records), "events": len(self.events),
            "children": [{"name": c.name, "location": c.location, "size": len(c.data)}
                         for c in self.children],
            "metadata": dict(self.metadata),
        }

    def _repr_html_(self) -> str:
        head = escape(f"{self.evidence_id or ''} {self.name}".strip())
        status = (f"parsed by {escape(self.parser)} {escape(self.parser_version)}" if self.parsed
                  else f"not parsed: {escape(self.unparsed_reason or '')}")
        rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                       for k, v in self.metadata.items())
        warns = "".join(f"<li>{escape(w.location)}: {escape(w.message)}</li>"
                        for w in self.warnings)
        flags = ", ".join(escape(f) for f in self.flags)
        return (f"<div><strong>{head}</strong> <code>{self.media_type}</code> · {status}"
                f"{' · <em>' + flags + '</em>' if flags else ''}<br>"
                f"<small>SHA-256 <code>{self.sha256}</code> · {len(self.records)} records · "
                f"{len(self.events)} events · {len(self.warnings)} warnings</small>"
                f"{'<ul>' + warns + '</ul>' if warns else ''}"
                f"<table>{rows}</table></div>")
