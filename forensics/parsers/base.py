"""What every format parser is: a class with a name, a version, the media types it reads, and a
``parse`` method that fills a :class:`Builder`.

The two levels of bad input (plaso's rule):

* the wrong format is refused *before the first record* by raising
  :class:`~forensics.errors.WrongFormat` (the file is then listed as unparsed, with the reason);
* a corrupt part inside a good file becomes a warning (``out.warn(location, message)``) and the
  parser goes on with the next part.

Parsers read the stored file through a read-only handle and never write; they import their
heavy libraries inside ``parse`` so that ``forensics inspect`` starts fast.

Examples
--------
>>> import io
>>> class Lines(Parser):
...     name, version, media_types = "lines", "1", ("text/x-lines",)
...     def parse(self, fh, ctx, out):
...         for i, line in enumerate(fh.read().splitlines(), 1):
...             if not line.strip():
...                 out.warn(f"line {i}", "empty line")
...                 continue
...             out.meta("Lines:Last", line.decode(), overwrite=True)
>>> ctx = ParseContext(evidence_id="E0001", sha256="00" * 32, name="a.txt", size=9)
>>> b = Builder(Lines(), ctx)
>>> Lines().parse(io.BytesIO(b"one\\n\\ntwo"), ctx, b)
>>> a = b.build("text/x-lines")
>>> a.metadata["Lines:Last"], [w.location for w in a.warnings]
('two', ['line 2'])
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import BinaryIO, ClassVar

from forensics.records import (
    Artifact,
    Child,
    Event,
    Origin,
    ParseWarning,
    Record,
    Scalar,
    clean_text,
)
from forensics.timestamps import DEFAULT_ZONE, TimeValue

__all__ = [
    "MAX_CHILD_BYTES",
    "MAX_TEXT_BYTES",
    "MAX_WARNINGS",
    "Builder",
    "ParseContext",
    "Parser",
]

#: Text formats (e-mail, HTML, chat exports, repost lists) are read whole up to this size; a
#: larger file is listed as unparsed with the reason rather than exhausting memory.
MAX_TEXT_BYTES = 512 * 1024 * 1024
#: A single attachment larger than this is not extracted (a warning says so).
MAX_CHILD_BYTES = 1024 * 1024 * 1024
#: After this many warnings for one file the rest are counted, not kept.
MAX_WARNINGS = 1000


@functools.cache
def _text_fields(cls: type) -> tuple[str, ...]:
    """The fields of a record class that may hold text or numbers to clean."""
    return tuple(f.name for f in dataclasses.fields(cls) if f.name != "origin")


@dataclass(frozen=True, slots=True)
class ParseContext:
    """What a parser knows about the file besides its bytes."""

    evidence_id: str | None
    sha256: str
    name: str
    size: int
    #: Zone assumed for times written without one (the case's zone), or None to mark them unknown.
    default_zone: str | None = DEFAULT_ZONE
    #: When the file was captured, if known (for times shown relative to it).
    captured_at: datetime | None = None


class Parser:
    """Base class of format parsers.  Subclasses set the three class attributes."""

    name: ClassVar[str] = ""
    version: ClassVar[str] = ""
    media_types: ClassVar[tuple[str, ...]] = ()

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:  # pragma: no cover
        raise NotImplementedError


_INT64 = (-(2**63), 2**63 - 1)


def _clean_value(v: object) -> tuple[object, bool]:
    if isinstance(v, str):
        return clean_text(v)
    if isinstance(v, bool):
        return v, False
    if isinstance(v, int) and not _INT64[0] <= v <= _INT64[1]:
        return str(v), False  # kept exactly, as text (tables hold 64-bit integers)
    if isinstance(v, tuple):
        items = [_clean_value(x) for x in v]
        return tuple(x for x, _ in items), any(c for _, c in items)
    return v, False


class Builder:
    """Collects what a parser finds in one file; :meth:`build` makes the frozen Artifact.

    Text is made safe to write: lone surrogates become U+FFFD (counted in one warning), and
    integers beyond 64 bits are kept as text.
    """

    def __init__(self, parser: Parser, ctx: ParseContext) -> None:
        self.ctx = ctx
        self.origin = Origin(ctx.evidence_id, ctx.sha256, parser.name, parser.version)
        self._parser = parser
        self._meta: dict[str, Scalar] = {}
        self._records: list[Record] = []
        self._events: list[Event] = []
        self._warnings: list[ParseWarning] = []
        self._dropped_warnings = 0
        self._children: list[Child] = []
        self._flags: list[str] = []
        self._replaced = 0

    # -- what parsers call ----------------------------------------------------------------
    @property
    def started(self) -> bool:
        """True once a record, event or metadata value (beyond the ``File:`` facts) was produced."""
        return bool(self._records or self._events
                    or any(not k.startswith("File:") for k in self._meta))

    def meta(self, key: str, value: Scalar, *, overwrite: bool = False) -> None:
        """Set a metadata value (``Group:Tag``); the first value of a tag wins, as in ExifTool."""
        if value is None or (isinstance(value, str) and value == ""):
            return
        key, bad_key = clean_text(key)
        value, bad = _clean_value(value)  # type: ignore[assignment]
        self._replaced += bad + bad_key
        if overwrite or key not in self._meta:
            self._meta[key] = value

    def record(self, rec: Record) -> None:
        changes: dict[str, object] = {}
        for name in _text_fields(type(rec)):
            v = getattr(rec, name)
            t = type(v)
            if t is str:
                if v.isascii():
                    continue
                cleaned, bad = clean_text(v)
            elif t is int or t is tuple:
                cleaned, bad = _clean_value(v)
                if cleaned == v and type(cleaned) is t:
                    continue
            else:
                continue
            if bad or cleaned is not v:
                changes[name] = cleaned
                self._replaced += bad
        self._records.append(dataclasses.replace(rec, **changes) if changes else rec)

    def event(self, data_type: str, description: str, time: TimeValue | None, *,
              location: str = "", actor: str = "", text: str = "", url: str = "") -> None:
        """Add a time event (skipped when ``time`` is None, i.e. "not set")."""
        if time is not None:
            fields = [clean_text(x) for x in (description, location, actor, text, url)]
            self._replaced += sum(b for _, b in fields)
            description, location, actor, text, url = (x for x, _ in fields)
            if not time.original.isascii():
                original, bad = clean_text(time.original)
                if bad:
                    self._replaced += 1
                    time = dataclasses.replace(time, original=original)
            self._events.append(Event(self.origin, data_type, description, time, location,
                                      actor, text, url))

    def warn(self, location: str, message: str) -> None:
        location, message = clean_text(location)[0], clean_text(message)[0]
        if len(self._warnings) < MAX_WARNINGS:
            self._warnings.append(ParseWarning(self.origin, location, message))
        else:
            self._dropped_warnings += 1

    def child(self, name: str, data: bytes, location: str, declared_type: str = "") -> None:
        if len(data) > MAX_CHILD_BYTES:
            self.warn(location, f"attachment {name!r} is {len(data)} bytes, over the "
                                f"{MAX_CHILD_BYTES}-byte limit; not extracted")
            return
        self._children.append(Child(clean_text(name)[0], data, clean_text(location)[0],
                                    clean_text(declared_type)[0]))

    def flag(self, text: str) -> None:
        text = clean_text(text)[0]
        if text not in self._flags:
            self._flags.append(text)

    def time(self, reader: Callable[..., TimeValue | None], text: str, source: str,
             location: str, **kwargs: object) -> TimeValue | None:
        """Read a time with ``reader``; a bad value becomes a warning and None."""
        try:
            return reader(text, source, **kwargs)
        except (ValueError, OverflowError) as exc:
            self.warn(location, f"{source}: {exc}")
            return None

    # -- what the registry calls ----------------------------------------------------------
    def build(self, media_type: str, unparsed_reason: str | None = None) -> Artifact:
        warnings = list(self._warnings)
        if self._replaced:
            warnings.append(ParseWarning(self.origin, "-", f"{self._replaced} values held "
                                         f"characters that are not text (lone surrogates); "
                                         f"shown as U+FFFD"))
        if self._dropped_warnings:
            warnings.append(ParseWarning(self.origin, "-", f"{self._dropped_warnings} more "
                                         f"warnings not kept (limit {MAX_WARNINGS})"))
        ctx = self.ctx
        return Artifact(
            evidence_id=ctx.evidence_id, name=ctx.name, sha256=ctx.sha256, size=ctx.size,
            media_type=media_type, parser=self._parser.name,
            parser_version=self._parser.version, metadata=self._meta,
            records=tuple(self._records), events=tuple(self._events),
            warnings=tuple(warnings), children=tuple(self._children), flags=tuple(self._flags),
            unparsed_reason=unparsed_reason,
        )
