"""The parser registry: one parser per format, keyed by media type.

:func:`detect` recognises a file by its content (:mod:`forensics.parsers.sniff` for binary
signatures, then each text parser's ``sniff``), :func:`parse` runs the parser registered for that
media type and always returns an :class:`~forensics.records.Artifact`: parsed, partly parsed
with warnings, or unparsed with the reason.  Registering a media type twice is an error.

The registry imports each format module explicitly (:data:`MODULES`); the modules import their
heavy libraries (exifread, warcio, lxml, pypdf, extract-msg) only when they parse.

Examples
--------
>>> reg = Registry()
>>> from forensics.parsers.base import Parser
>>> class A(Parser):
...     name, version, media_types = "a", "1", ("text/x-a",)
>>> reg.register(A)
>>> class B(Parser):
...     name, version, media_types = "b", "1", ("text/x-a",)
>>> reg.register(B)
Traceback (most recent call last):
...
forensics.errors.RegistryError: text/x-a is already registered to parser 'a'; cannot register 'b'
"""

from __future__ import annotations

import hashlib
import importlib
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from forensics.errors import RegistryError, SourceError, WrongFormat
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.parsers.sniff import (
    HEAD_BYTES,
    OCTET_STREAM,
    binary_type,
    decode_text_head,
    is_probably_text,
)
from forensics.records import Artifact
from forensics.timestamps import DEFAULT_ZONE

__all__ = [
    "MODULES",
    "Builder",
    "ParseContext",
    "Parser",
    "Registry",
    "default_registry",
    "detect",
    "parse",
    "parse_path",
]

#: The format modules, each exposing ``PARSERS`` (a tuple of Parser classes).
MODULES = (
    "forensics.parsers.image",
    "forensics.parsers.quicktime",
    "forensics.parsers.pdf",
    "forensics.parsers.warc",
    "forensics.parsers.mhtml",
    "forensics.parsers.html",
    "forensics.parsers.email",
    "forensics.parsers.chat_whatsapp",
    "forensics.parsers.chat_qq",
    "forensics.parsers.chat_wechat",
    "forensics.parsers.chat_telegram",
    "forensics.parsers.chat_generic",
    "forensics.parsers.reposts",
)


class Registry:
    """Media type -> parser.  ``register`` refuses a media type that is already taken."""

    def __init__(self) -> None:
        self._by_type: dict[str, Parser] = {}
        self._sniffers: list[Parser] = []

    def register(self, parser_cls: type[Parser]) -> None:
        if not (isinstance(parser_cls, type) and issubclass(parser_cls, Parser)):
            raise RegistryError(f"{parser_cls!r} is not a Parser subclass")
        if not parser_cls.name or not parser_cls.version or not parser_cls.media_types:
            raise RegistryError(f"{parser_cls.__name__} must set name, version and media_types")
        parser = parser_cls()
        for mt in parser_cls.media_types:
            if mt in self._by_type:
                raise RegistryError(f"{mt} is already registered to parser "
                                    f"{self._by_type[mt].name!r}; cannot register "
                                    f"{parser_cls.name!r}")
        for mt in parser_cls.media_types:
            self._by_type[mt] = parser
        if callable(getattr(parser_cls, "sniff", None)):
            self._sniffers.append(parser)
            self._sniffers.sort(key=lambda p: -int(getattr(p, "sniff_priority", 50)))

    def get(self, media_type: str) -> Parser | None:
        return self._by_type.get(media_type)

    def fingerprint(self) -> str:
        """A short digest of which parser (and version) reads which media type.

        Stored with every parse: when a parser is added, removed or changes version, items parsed
        under another fingerprint are parsed again (an item once unparsed may now be readable).
        """
        text = "\n".join(f"{mt}={p.name}/{p.version}" for mt, p in sorted(self._by_type.items()))
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def media_types(self) -> tuple[str, ...]:
        return tuple(sorted(self._by_type))

    def parsers(self) -> Iterator[Parser]:
        """Each registered parser once (a parser may read several media types)."""
        seen: set[int] = set()
        for p in self._by_type.values():
            if id(p) not in seen:
                seen.add(id(p))
                yield p

    def detect(self, head: bytes) -> str:
        """The media type of a file from its first bytes (:data:`~sniff.HEAD_BYTES`)."""
        found = binary_type(head)
        if found:
            return found
        if not is_probably_text(head):
            return OCTET_STREAM
        text = decode_text_head(head)
        for p in self._sniffers:
            mt = p.sniff(text, head)  # type: ignore[attr-defined]
            if mt:
                return str(mt)
        return "text/plain" if text.strip() else OCTET_STREAM

    def parse(self, fh: BinaryIO, ctx: ParseContext, *, media_type: str | None = None) -> Artifact:
        """Parse one file; never raises for bad content (see the module docstring)."""
        fh.seek(0)
        head = fh.read(HEAD_BYTES)
        fh.seek(0)
        mt = media_type or self.detect(head)
        parser = self.get(mt)
        if parser is None:
            reason = (f"no parser reads {mt} (recognised from the content)" if mt != OCTET_STREAM
                      else "content not recognised as any format the parsers read")
            if ctx.size == 0:
                reason = "empty file"
            return Artifact(ctx.evidence_id, ctx.name, ctx.sha256, ctx.size, mt, "", "",
                            {"File:MIMEType": mt, "File:FileSize": ctx.size},
                            unparsed_reason=reason)
        out = Builder(parser, ctx)
        out.meta("File:FileSize", ctx.size)
        out.meta("File:MIMEType", mt)
        try:
            parser.parse(fh, ctx, out)
        except WrongFormat as exc:
            if out.started:  # something was read already: keep it, say why reading stopped
                out.warn("-", f"stopped reading: {exc.reason}")
                return out.build(mt)
            return out.build(mt, unparsed_reason=exc.reason)
        except (MemoryError, RecursionError) as exc:
            return out.build(mt, unparsed_reason=f"{parser.name}: input too large or too deeply "
                                                 f"nested to parse ({type(exc).__name__})")
        except Exception as exc:  # the last net: a parser bug must not lose the item
            out.warn("-", f"{parser.name} parser stopped: {type(exc).__name__}: {exc}")
            reason = None if out.started else (
                f"{parser.name} parser failed: {type(exc).__name__}: {exc}")
            return out.build(mt, unparsed_reason=reason)
        return out.build(mt)


_DEFAULT: Registry | None = None


def default_registry() -> Registry:
    """The registry of every built-in parser (its modules imported on first use)."""
    global _DEFAULT
    if _DEFAULT is None:
        reg = Registry()
        for name in MODULES:
            module = importlib.import_module(name)
            for cls in module.PARSERS:
                reg.register(cls)
        _DEFAULT = reg
    return _DEFAULT


def detect(head: bytes) -> str:
    """The media type of content, with the built-in parsers' sniffers."""
    return default_registry().detect(head)


def parse(fh: BinaryIO, ctx: ParseContext, *, media_type: str | None = None) -> Artifact:
    """Parse one open file with the built-in parsers."""
    return default_registry().parse(fh, ctx, media_type=media_type)


def parse_path(path: Path | str, *, evidence_id: str | None = None,
               default_zone: str | None = DEFAULT_ZONE, name: str | None = None,
               digest: bool = True) -> Artifact:
    """Open a file read-only, hash it (unless ``digest=False``) and parse it.

    ``forensics inspect`` uses ``digest=False`` by default: a quick look reads only the parts a
    parser needs, as ExifTool does; the artifact's ``sha256`` is then empty.

    Raises :class:`~forensics.errors.SourceError` when the file cannot be opened.
    """
    import stat as stat_

    from forensics.durable import open_readonly

    p = Path(path)
    try:
        st0 = os.stat(p, follow_symlinks=False)
    except FileNotFoundError:
        raise SourceError(p, "no such file") from None
    except OSError as exc:
        raise SourceError(p, exc.strerror or str(exc)) from None
    if stat_.S_ISLNK(st0.st_mode):
        raise SourceError(p, "is a symbolic link (not followed); name its target")
    if not stat_.S_ISREG(st0.st_mode):
        raise SourceError(p, "not a regular file (a FIFO, device or socket is not read)")
    try:
        fd = open_readonly(p)
    except FileNotFoundError:
        raise SourceError(p, "no such file") from None
    except OSError as exc:
        raise SourceError(p, exc.strerror or str(exc)) from None
    with os.fdopen(fd, "rb") as raw:
        st = os.fstat(raw.fileno())
        sha256 = ""
        if digest:
            h = hashlib.sha256()
            while chunk := raw.read(1 << 20):
                h.update(chunk)
            raw.seek(0)
            sha256 = h.hexdigest()
        fh = io.BufferedReader(raw, 1 << 16) if not isinstance(raw, io.BufferedReader) else raw
        ctx = ParseContext(evidence_id=evidence_id, sha256=sha256, name=name or p.name,
                           size=st.st_size, default_zone=default_zone)
        return parse(fh, ctx)
