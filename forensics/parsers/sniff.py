"""Recognise a file by its content, never by its name.

Binary formats are recognised here by their signatures (the "magic" of file(1)): JPEG, PNG,
GIF, TIFF, WebP, the ISO base media family (HEIF/HEIC/AVIF images; MP4, QuickTime, 3GP video,
told apart by the ``ftyp`` brands), PDF, WARC (plain or gzip), Outlook .msg (OLE2).  Text
formats (e-mail, MHTML, HTML, chat exports, repost lists) are claimed by the ``sniff`` function
of their parser module, in :mod:`forensics.parsers`.

Why not a library: python-magic needs libmagic and reports HEIC as ``image/heic`` only on recent
databases; puremagic and filetype guess from a fixed prefix and cannot look inside a gzip member
or at the ``ftyp`` compatible brands.  The table below is small, documented and tested against
the corpus.

Examples
--------
>>> binary_type(b"\\xff\\xd8\\xff\\xe0" + bytes(20))
'image/jpeg'
>>> binary_type(b"\\x00\\x00\\x00\\x18ftypheic\\x00\\x00\\x00\\x00mif1heic")
'image/heic'
>>> binary_type(b"\\x00\\x00\\x00\\x14ftypqt  \\x00\\x00\\x02\\x00qt  ")
'video/quicktime'
>>> binary_type(b"hello") is None
True
"""

from __future__ import annotations

import struct
import zlib

__all__ = [
    "HEAD_BYTES", "OCTET_STREAM", "binary_type", "decode_text_head", "is_probably_text",
    "is_text_utf8",
]

#: How many leading bytes detection looks at.
HEAD_BYTES = 65536
OCTET_STREAM = "application/octet-stream"

_HEIF_BRANDS = {
    b"heic": "image/heic", b"heix": "image/heic", b"heim": "image/heic", b"heis": "image/heic",
    b"hevc": "image/heic", b"hevx": "image/heic",
    b"mif1": "image/heif", b"msf1": "image/heif", b"mif2": "image/heif",
    b"avif": "image/avif", b"avis": "image/avif",
}
_VIDEO_BRANDS = {
    b"qt  ": "video/quicktime",
    b"3gp4": "video/3gpp", b"3gp5": "video/3gpp", b"3gp6": "video/3gpp", b"3gp7": "video/3gpp",
    b"3ge6": "video/3gpp", b"3ge7": "video/3gpp", b"3gg6": "video/3gpp", b"3gs7": "video/3gpp",
    b"3g2a": "video/3gpp2", b"3g2b": "video/3gpp2", b"3g2c": "video/3gpp2",
    b"M4V ": "video/x-m4v", b"M4VH": "video/x-m4v", b"M4VP": "video/x-m4v",
}
#: Atoms a QuickTime file without ``ftyp`` (older cameras) may start with.
_QT_FIRST_ATOMS = (b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def _iso_bmff(head: bytes) -> str | None:
    if len(head) < 12:
        return None
    size = struct.unpack(">I", head[:4])[0]
    kind = head[4:8]
    if kind == b"ftyp":
        if size < 16 and size != 1:
            size = max(size, 16)
        major = head[8:12]
        compat = [head[i:i + 4] for i in range(16, min(size, len(head), 256), 4)]
        brands = [major, *compat]
        # A generic HEIF major brand with an HEVC-coded image brand among the compatible ones.
        if major in (b"mif1", b"msf1") and any(b in (b"heic", b"heix") for b in compat):
            return "image/heic"
        if major in _HEIF_BRANDS:
            return _HEIF_BRANDS[major]
        if major in _VIDEO_BRANDS:
            return _VIDEO_BRANDS[major]
        # An image brand among the compatible ones, and no video track brand as major.
        for b in brands:
            if b in _HEIF_BRANDS and major not in (b"isom", b"mp41", b"mp42", b"iso2"):
                return _HEIF_BRANDS[b]
        return "video/mp4"
    if kind in _QT_FIRST_ATOMS and (size >= 8 or size in (0, 1)) and not _looks_like_text(head):
        return "video/quicktime"
    return None


def _looks_like_text(head: bytes) -> bool:
    """Printable text in the first 64 bytes ("The free speech case..." is not a 'free' atom)."""
    sample = head[:64]
    return all(32 <= b < 127 or b in (9, 10, 13) for b in sample) or (
        sample[:4].isascii() and sample[:4].decode("ascii").isprintable()
        and b"\x00" not in sample[8:16] and is_text_utf8(sample))


def is_text_utf8(sample: bytes) -> bool:
    try:
        text = sample.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(sample) - 4:
            return False
        text = sample[: exc.start].decode("utf-8")
    return all(c.isprintable() or c in "\t\r\n" for c in text)


def _gzip_member_head(head: bytes) -> bytes:
    try:
        return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, 64)
    except zlib.error:
        return b""


def binary_type(head: bytes) -> str | None:
    """The media type of a binary format from the first bytes, or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return "image/tiff"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith((b"WARC/1.", b"WARC/0.")):
        return "application/warc"
    if head.startswith(b"\x1f\x8b"):
        inner = _gzip_member_head(head)
        if inner.startswith((b"WARC/1.", b"WARC/0.")):
            return "application/warc"
        return "application/gzip"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        # OLE2 compound file: Outlook .msg keeps its properties in "__substg1.0_" streams,
        # whose UTF-16 names appear in the directory sectors near the start.
        if "__substg1.0_".encode("utf-16-le") in head or b"__substg1.0_" in head:
            return "application/vnd.ms-outlook"
        return "application/x-ole-storage"
    iso = _iso_bmff(head)
    if iso:
        return iso
    if head.startswith(b"PK\x03\x04"):
        return "application/zip"
    return None


def is_probably_text(head: bytes) -> bool:
    """UTF-16 with a byte-order mark, or no NUL bytes in the head.

    >>> is_probably_text("消息记录".encode("utf-16")), is_probably_text(bytes([97, 0, 98]))
    (True, False)
    """
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return True
    return b"\x00" not in head[:8192]


def decode_text_head(head: bytes) -> str:
    """The head as text for sniffing: UTF-8 (BOM dropped), else GB18030, else Latin-1.

    >>> decode_text_head("\\ufeff消息记录".encode("utf-8"))
    '消息记录'
    """
    if head[:2] in (b"\xff\xfe", b"\xfe\xff"):
        enc = "utf-16-le" if head[:2] == b"\xff\xfe" else "utf-16-be"
        body = head[2:]
        return body[: len(body) // 2 * 2].decode(enc, errors="replace")
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    for enc in ("utf-8", "gb18030"):
        try:
            return head.decode(enc)
        except UnicodeDecodeError as exc:
            # A multi-byte character cut at the end of the head is not a decoding failure.
            if exc.start >= len(head) - 4:
                return head[: exc.start].decode(enc, errors="replace")
    return head.decode("latin-1")
