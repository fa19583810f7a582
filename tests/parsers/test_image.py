"""Tests of the image parser (forensics.parsers.image).

Fixtures are built in code below (provenance: written for these tests from the format
specifications: TIFF 6.0 / EXIF 2.32 IFDs, JPEG markers (T.81), PNG chunks with CRC-32 (PNG 3rd
ed.), the WebP RIFF container, HEIF items on ISO BMFF).  The corpus tests compare with ExifTool
12.57 (``expected-exif.json`` and ``expected-screenshots.json`` of the shared corpus).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re
import struct
import zlib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import default_registry, parse_path
from forensics.parsers.base import Builder, ParseContext
from forensics.parsers.image import (
    MAX_IMAGE_SIDE,
    ImageExif,
    ImageFileName,
    ImageParser,
    ImageXmp,
    PngText,
    capture_time_from_name,
    check_tiff,
    editing_software,
    xmp_date,
)
from tests.parsers.conftest import parse_bytes

IMAGE_TYPES = set(ImageParser.media_types)

# -- fixture writers ------------------------------------------------------------------------------


def ascii_(s: str) -> tuple[int, int, bytes]:
    b = s.encode() + b"\0"
    return 2, len(b), b


def short(v: int, bo: str = ">") -> tuple[int, int, bytes]:
    return 3, 1, struct.pack(bo + "H", v) + b"\0\0"


def rationals(vals: list[tuple[int, int]], bo: str = ">") -> tuple[int, int, bytes]:
    return 5, len(vals), b"".join(struct.pack(bo + "II", n, d) for n, d in vals)


def tiff_block(ifd0: dict[int, tuple[int, int, bytes]], exif: dict | None = None,
               gps: dict | None = None, bo: str = ">") -> bytes:
    """A TIFF structure: IFD0 (+ EXIF and GPS sub-IFDs), values after each IFD."""

    def size(entries: dict) -> int:
        extra = sum(len(d) + (len(d) & 1) for _, _, d in entries.values() if len(d) > 4)
        return 2 + 12 * len(entries) + 4 + extra

    ifd0 = dict(ifd0)
    if exif is not None:
        ifd0[0x8769] = (4, 1, b"\0" * 4)
    if gps is not None:
        ifd0[0x8825] = (4, 1, b"\0" * 4)
    pos0 = 8
    pos_exif = pos0 + size(ifd0)
    pos_gps = pos_exif + (size(exif) if exif is not None else 0)
    if exif is not None:
        ifd0[0x8769] = (4, 1, struct.pack(bo + "I", pos_exif))
    if gps is not None:
        ifd0[0x8825] = (4, 1, struct.pack(bo + "I", pos_gps))

    def ifd(entries: dict, start: int) -> bytes:
        head = struct.pack(bo + "H", len(entries))
        data = b""
        data_at = start + 2 + 12 * len(entries) + 4
        for tag in sorted(entries):
            typ, count, value = entries[tag]
            if len(value) > 4:
                head += struct.pack(bo + "HHII", tag, typ, count, data_at + len(data))
                data += value + (b"\0" if len(value) & 1 else b"")
            else:
                head += struct.pack(bo + "HHI", tag, typ, count) + value.ljust(4, b"\0")
        return head + b"\0\0\0\0" + data

    magic = b"MM\x00*" if bo == ">" else b"II*\x00"
    out = magic + struct.pack(bo + "I", 8) + ifd(ifd0, pos0)
    if exif is not None:
        out += ifd(exif, pos_exif)
    if gps is not None:
        out += ifd(gps, pos_gps)
    return out


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + struct.pack(">H", len(payload) + 2) + payload


def jpeg(*segments: bytes, size: tuple[int, int] = (64, 48)) -> bytes:
    sof = segment(0xC0, struct.pack(">BHHB", 8, size[1], size[0], 3) + b"\x01\x22\x00" * 3)
    sos = segment(0xDA, b"\x03\x01\x00\x02\x11\x03\x11\x00\x3f\x00")
    return b"\xff\xd8" + b"".join(segments) + sof + sos + b"\x12\x34\x56" + b"\xff\xd9"


def app1_exif(block: bytes) -> bytes:
    return segment(0xE1, b"Exif\0\0" + block)


def app1_xmp(xml: str) -> bytes:
    return segment(0xE1, b"http://ns.adobe.com/xap/1.0/\0" + xml.encode())


def xmp_packet(**props: str) -> str:
    attrs = " ".join(f'{k.replace("_", ":")}="{v}"' for k, v in props.items())
    return ('<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>'
            '<x:xmpmeta xmlns:x="adobe:ns:meta/" x:xmptk="test toolkit">'
            '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
            '<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
            'xmlns:exif="http://ns.adobe.com/exif/1.0/" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" '
            'xmlns:photoshop="http://ns.adobe.com/photoshop/1.0/" '
            f'{attrs}/></rdf:RDF></x:xmpmeta><?xpacket end="w"?>')


def png_chunk(ctype: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + ctype + data + struct.pack(
        ">I", zlib.crc32(ctype + data) & 0xFFFFFFFF)


def png(*chunks: bytes, size: tuple[int, int] = (16, 9), after_idat: tuple[bytes, ...] = ()
        ) -> bytes:
    ihdr = png_chunk(b"IHDR", struct.pack(">IIBBBBB", size[0], size[1], 8, 2, 0, 0, 0))
    idat = png_chunk(b"IDAT", zlib.compress(b"\0" * 8))
    return (b"\x89PNG\r\n\x1a\n" + ihdr + b"".join(chunks) + idat + b"".join(after_idat)
            + png_chunk(b"IEND", b""))


def webp(*chunks: tuple[bytes, bytes], size: tuple[int, int] = (365, 547)) -> bytes:
    def chunk(fourcc: bytes, payload: bytes) -> bytes:
        return fourcc + struct.pack("<I", len(payload)) + payload + (b"\0" if len(payload) & 1
                                                                     else b"")
    flags = 0x08 if any(c[0] == b"EXIF" for c in chunks) else 0
    flags |= 0x04 if any(c[0] == b"XMP " for c in chunks) else 0
    body = chunk(b"VP8X", bytes([flags, 0, 0, 0]) + (size[0] - 1).to_bytes(3, "little")
                 + (size[1] - 1).to_bytes(3, "little"))
    bits = (size[0] - 1) | ((size[1] - 1) << 14)
    body += chunk(b"VP8L", b"\x2f" + struct.pack("<I", bits) + b"\0" * 8)
    for fourcc, payload in chunks:
        body += chunk(fourcc, payload)
    return b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WEBP" + body


def box(t: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", 8 + len(payload)) + t + payload


def fullbox(t: bytes, version: int, payload: bytes, flags: int = 0) -> bytes:
    return box(t, bytes([version]) + flags.to_bytes(3, "big") + payload)


def heif(exif_block: bytes, xmp: str, size: tuple[int, int] = (2566, 3313)) -> bytes:
    """ftyp + meta (pitm, iinf, iloc v0, iprp with ispe) + mdat with the Exif and XMP items."""
    exif_item = struct.pack(">I", 6) + b"Exif\0\0" + exif_block
    xmp_item = xmp.encode()
    ftyp = box(b"ftyp", b"heic\0\0\0\0mif1heic")
    infes = (fullbox(b"infe", 2, struct.pack(">HH", 1, 0) + b"hvc1" + b"\0")
             + fullbox(b"infe", 2, struct.pack(">HH", 2, 0) + b"Exif" + b"\0")
             + fullbox(b"infe", 2, struct.pack(">HH", 3, 0) + b"mime" + b"\0"
                       + b"application/rdf+xml\0"))

    def meta(offsets: tuple[int, int]) -> bytes:
        iloc = fullbox(b"iloc", 0, bytes([0x44, 0x00]) + struct.pack(">H", 2)
                       + struct.pack(">HHHII", 2, 0, 1, offsets[0], len(exif_item))
                       + struct.pack(">HHHII", 3, 0, 1, offsets[1], len(xmp_item)))
        ipco = box(b"ipco", fullbox(b"ispe", 0, struct.pack(">II", *size)))
        ipma = fullbox(b"ipma", 0, struct.pack(">IHB", 1, 1, 1) + bytes([0x81]))
        return fullbox(b"meta", 0, fullbox(b"hdlr", 0, b"\0" * 4 + b"pict" + b"\0" * 13)
                       + fullbox(b"pitm", 0, struct.pack(">H", 1))
                       + fullbox(b"iinf", 0, struct.pack(">H", 3) + infes)
                       + iloc + box(b"iprp", ipco + ipma))

    start = len(ftyp) + len(meta((0, 0))) + 8
    return ftyp + meta((start, start + len(exif_item))) + box(b"mdat", exif_item + xmp_item)


#: A phone-like EXIF block: Apple iPhone, -05:00 offsets, sub-seconds, GPS (39°3'4.84"N 94°17'19.58"W).
PHONE_EXIF = tiff_block(
    {0x010F: ascii_("Apple"), 0x0110: ascii_("iPhone 11 Pro Max"), 0x0112: short(1),
     0x0131: ascii_("14.4.2"), 0x0132: ascii_("2021:04:11 15:47:53")},
    exif={0x9003: ascii_("2021:04:11 15:47:53"), 0x9004: ascii_("2021:04:11 15:47:53"),
          0x9010: ascii_("-05:00"), 0x9011: ascii_("-05:00"), 0x9012: ascii_("-05:00"),
          0x9291: ascii_("054")},
    gps={0x0001: (2, 2, b"N\0\0\0"), 0x0002: rationals([(39, 1), (3, 1), (484, 100)]),
         0x0003: (2, 2, b"W\0\0\0"), 0x0004: rationals([(94, 1), (17, 1), (1958, 100)]),
         0x0005: (1, 1, b"\0\0\0\0"), 0x0006: rationals([(2605606383, 10000000)])})


def parse_direct(data: bytes, name: str = "sample") -> None:
    """Call the parser itself (not the registry's net): only WrongFormat may escape."""
    ctx = ParseContext(evidence_id="E1", sha256=hashlib.sha256(data).hexdigest(), name=name,
                       size=len(data))
    p = ImageParser()
    with contextlib.suppress(WrongFormat):
        p.parse(io.BytesIO(data), ctx, Builder(p, ctx))


def warnings_of(a) -> list[str]:
    return [f"{w.location}: {w.message}" for w in a.warnings]


# -- JPEG ---------------------------------------------------------------------------------------


def test_jpeg_exif_values_events_and_record():
    a = parse_bytes(jpeg(app1_exif(PHONE_EXIF)), name="IMG_5195.jpg")
    m = a.metadata
    assert a.parsed and warnings_of(a) == []
    assert m["File:FileType"] == "JPEG" and m["File:ExifByteOrder"] == "MM"
    assert (m["File:ImageWidth"], m["File:ImageHeight"], m["Composite:ImageSize"]) == (64, 48,
                                                                                         "64 48")
    assert m["EXIF:Make"] == "Apple" and m["EXIF:Orientation"] == 1
    assert m["EXIF:OffsetTimeOriginal"] == "-05:00" and m["EXIF:SubSecTimeOriginal"] == "054"
    assert m["EXIF:GPSLatitude"] == pytest.approx(39.0513444444444, abs=1e-9)
    assert m["Composite:GPSLongitude"] == pytest.approx(-94.2887722222222, abs=1e-9)
    assert m["Composite:GPSAltitude"] == 260.5606383
    created = next(e for e in a.events if e.description == "Content Created")
    assert created.data_type == "image:exif"
    assert created.time.to_json()["utc"] == "2021-04-11T20:47:53.054000Z"
    assert created.time.source == "exif:DateTimeOriginal" and created.time.zone.value == "explicit"
    assert sorted(e.description for e in a.events) == ["Content Created", "Content Modified",
                                                         "Digitized"]
    (rec,) = [r for r in a.records if isinstance(r, ImageExif)]
    assert (rec.make, rec.width, rec.height, rec.orientation) == ("Apple", 64, 48, 1)
    assert rec.gps_latitude == pytest.approx(39.0513444, abs=1e-6)
    assert rec.location == "APP1 segment at byte 2"
    assert a.flags == ()


def test_exif_after_an_xmp_app1_is_read():
    """Like corpus no_exif.jpg: XMP APP1 first, the real EXIF APP1 second."""
    block = tiff_block({0x0131: ascii_("Adobe Photoshop CC (Macintosh)"),
                        0x0132: ascii_("2014:09:22 10:56:35"), 0x013B: ascii_("CREDIT")})
    a = parse_bytes(jpeg(app1_xmp(xmp_packet(xmp_CreatorTool="Adobe Photoshop CS5.1 Macintosh")),
                         app1_exif(block)))
    assert a.metadata["EXIF:Software"] == "Adobe Photoshop CC (Macintosh)"
    assert a.metadata["EXIF:ModifyDate"] == "2014:09:22 10:56:35"
    assert a.metadata["XMP:CreatorTool"] == "Adobe Photoshop CS5.1 Macintosh"
    assert a.flags == ("edited: Adobe Photoshop CC (Macintosh)",
                       "edited: Adobe Photoshop CS5.1 Macintosh")
    assert warnings_of(a) == []


def test_xmp_offset_is_lent_to_an_exif_date_without_one():
    """Like corpus Nikon_D70.jpg: EXIF DateTimeOriginal without offset, XMP with -04:00."""
    block = tiff_block({0x010F: ascii_("NIKON CORPORATION")},
                       exif={0x9003: ascii_("2008:03:15 09:52:01")})
    a = parse_bytes(jpeg(app1_exif(block),
                         app1_xmp(xmp_packet(exif_DateTimeOriginal="2008-03-15T09:52:01-04:00",
                                             xmp_ModifyDate="2008-03-15T15:18:33-04:00"))))
    ev = {(e.data_type, e.time.source): e for e in a.events}
    exif = ev[("image:exif", "exif:DateTimeOriginal+xmp:offset")]
    # an offset lent by another tag is an inference: assumed, saying where it came from
    assert exif.time.zone.value == "assumed" and exif.time.zone_name == "-04:00 (from xmp:offset)"
    assert exif.time.to_json()["utc"] == "2008-03-15T13:52:01Z"
    assert exif.time.original == "2008:03:15 09:52:01"
    assert a.metadata["XMP:DateTimeOriginal"] == "2008:03:15 09:52:01-04:00"
    assert ev[("image:xmp", "xmp:ModifyDate")].description == "Content Modified"
    assert a.metadata["XMP:XMPToolkit"] == "test toolkit"
    assert [r.data_type for r in a.records] == ["image:exif", "image:xmp"]


def test_date_without_any_offset_is_in_the_assumed_zone():
    block = tiff_block({}, exif={0x9003: ascii_("2008:05:30 15:56:01")})
    a = parse_bytes(jpeg(app1_exif(block)), default_zone="Asia/Shanghai")
    (e,) = a.events
    assert (e.time.zone.value, e.time.zone_name) == ("assumed", "Asia/Shanghai")
    assert e.time.to_json()["utc"] == "2008-05-30T07:56:01Z"


def test_bad_exif_ifd_count_is_clamped_with_one_warning():
    good = bytearray(tiff_block({0x010F: ascii_("Canon"), 0x0112: short(6)}))
    good[8:10] = struct.pack(">H", 5000)  # IFD0 declares 5000 entries in a ~60-byte block
    a = parse_bytes(jpeg(app1_exif(bytes(good))))
    assert len(a.warnings) == 1
    assert re.fullmatch(r"APP1 segment at byte 2: EXIF: IFD0 at offset 8 declares 5000 entries "
                        r"but only \d+ fit in the \d+-byte block; \d+ read", warnings_of(a)[0])
    assert a.parsed and a.metadata["File:ImageWidth"] == 64


def test_exif_ifd_loop_is_cut():
    block = bytearray(tiff_block({0x010F: ascii_("Canon")}))
    n = struct.unpack_from(">H", block, 8)[0]
    struct.pack_into(">I", block, 8 + 2 + 12 * n, 8)  # IFD0's next-IFD pointer -> IFD0
    a = parse_bytes(jpeg(app1_exif(bytes(block))))
    assert warnings_of(a) == ["APP1 segment at byte 2: EXIF: IFD1 points back to offset 8 (IFD "
                              "loop); not read"]
    assert a.metadata["EXIF:Make"] == "Canon"


def test_long_ifd_chain_is_cut_at_the_limit():
    """40 empty IFDs chained one after another: only 16 are walked, quickly."""
    block = b"MM\x00*" + struct.pack(">I", 8) + b"".join(
        struct.pack(">HI", 0, 8 + 6 * (k + 1) if k < 39 else 0) for k in range(40))
    a = parse_bytes(jpeg(app1_exif(block)))
    assert warnings_of(a) == [
        "APP1 segment at byte 2: EXIF: IFD16 is past the limit of 16 IFDs; not read"]


def test_check_tiff_refuses_a_block_without_header():
    chk = check_tiff(bytearray(b"garbage!"))
    assert not chk.usable and chk.problems == ["no TIFF header (found 67617262)"]


def test_exif_payload_without_tiff_header_warns():
    a = parse_bytes(jpeg(segment(0xE1, b"Exif\0\0" + b"XX" * 10)))
    assert warnings_of(a) == ["APP1 segment at byte 2: EXIF: no TIFF header (found 58585858)"]


def test_truncated_jpeg_warns_and_keeps_what_was_read():
    data = jpeg(app1_exif(PHONE_EXIF), app1_xmp(xmp_packet(xmp_CreateDate="2020-01-01")))
    cut = data[: len(data) - 300]
    a = parse_bytes(cut)
    assert a.parsed and a.metadata["EXIF:Make"] == "Apple"
    assert len(a.warnings) == 2  # the cut XMP segment, and its packet not being XML
    assert any("truncated" in w for w in warnings_of(a))


def test_huge_declared_dimensions_are_refused():
    a = parse_bytes(jpeg(size=(65535, 65535)))  # 4.3 gigapixels
    assert warnings_of(a) == ["SOF0 segment at byte 2: dimensions 65535x65535 refused: over "
                              f"{MAX_IMAGE_SIDE} pixels a side or 1000000000 pixels in all"]
    assert "File:ImageWidth" not in a.metadata and "Composite:ImageSize" not in a.metadata
    b = parse_bytes(png(size=(MAX_IMAGE_SIDE + 1, 1)))
    assert warnings_of(b) == [f"PNG IHDR chunk at byte 8: dimensions {MAX_IMAGE_SIDE + 1}x1 "
                              f"refused: over {MAX_IMAGE_SIDE} pixels a side or 1000000000 "
                              f"pixels in all"]
    assert "PNG:ImageWidth" not in b.metadata and b.metadata["PNG:BitDepth"] == 8


def test_xmp_with_an_unknown_encoding_warns():
    a = parse_bytes(jpeg(app1_xmp('<?xml version="1.0" encoding="x-nope"?><x:xmpmeta/>')))
    assert warnings_of(a) == ["APP1 segment at byte 2: XMP packet is not well-formed XML: unknown "
                              "encoding: x-nope"]


def test_xmp_with_doctype_is_refused():
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 '
            '"&lol;&lol;&lol;">]><x:xmpmeta xmlns:x="adobe:ns:meta/">&lol2;</x:xmpmeta>')
    a = parse_bytes(jpeg(app1_xmp(bomb)))
    assert warnings_of(a) == ["APP1 segment at byte 2: XMP packet declares a DOCTYPE or ENTITY; "
                              "refused (entity expansion)"]
    assert not any(k.startswith("XMP:") for k in a.metadata)


def test_wrong_format_is_unparsed_without_records():
    a = parse_bytes(b"hello, this is not an image", media_type="image/jpeg")
    assert a.unparsed_reason is not None and a.unparsed_reason.startswith("not a JPEG, PNG")
    assert a.records == () and a.events == ()
    mp4 = box(b"ftyp", b"isom\0\0\2\0isomiso2mp41") + box(b"mdat", b"\0" * 8)
    b = parse_bytes(mp4, media_type="image/heic")  # an MP4 is not a HEIF image
    assert b.unparsed_reason is not None and b.records == () and b.events == ()


# -- TIFF, PNG, WebP, HEIF ----------------------------------------------------------------------


def test_tiff_file():
    data = tiff_block({0x0100: short(199), 0x0101: short(47), 0x0131: ascii_("Mac OS X"),
                       0x013B: ascii_("Jean Cornillon  ")})
    a = parse_bytes(data)
    m = a.metadata
    assert (m["File:FileType"], m["EXIF:ImageWidth"], m["EXIF:ImageHeight"]) == ("TIFF", 199, 47)
    assert m["EXIF:Artist"] == "Jean Cornillon"  # trailing blanks trimmed, as ExifTool does
    assert m["Composite:ImageSize"] == "199 47" and warnings_of(a) == []


def test_png_text_time_xmp_and_late_chunk():
    ztxt = png_chunk(b"zTXt", b"Software\0\0" + zlib.compress(b"GIMP 2.10.30"))
    itxt = png_chunk(b"iTXt", b"XML:com.adobe.xmp\0\0\0\0\0" + xmp_packet(
        xmp_CreateDate="2020-01-27T14:08:33+01:00").encode())
    itxt_fr = png_chunk(b"iTXt", b"Comment\0\1\0fr\0Kommentar\0" + zlib.compress(
        "été".encode()))
    time = png_chunk(b"tIME", struct.pack(">HBBBBB", 2020, 1, 27, 13, 19, 15))
    late = png_chunk(b"tEXt", b"Comment\0test comment")
    data = png(ztxt, itxt, itxt_fr, time, after_idat=(late,))
    late_at = data.index(late)
    a = parse_bytes(data)
    m = a.metadata
    assert (m["PNG:ImageWidth"], m["PNG:ImageHeight"], m["PNG:BitDepth"]) == (16, 9, 8)
    assert m["PNG:Software"] == "GIMP 2.10.30" and m["PNG:Comment-fr"] == "été"
    assert m["PNG:Comment"] == "test comment" and m["PNG:ModifyDate"] == "2020:01:27 13:19:15"
    assert m["XMP:CreateDate"] == "2020:01:27 14:08:33+01:00"
    assert warnings_of(a) == [
        f"PNG tEXt chunk at byte {late_at}: text/EXIF chunk after the image data (IDAT); some readers "
        "ignore it (ExifTool: [minor] Text/EXIF chunk(s) found after PNG IDAT)"]
    tev = next(e for e in a.events if e.time.source == "png:tIME")
    assert (tev.description, tev.data_type, tev.time.to_json()["utc"]) == (
        "Content Modified", "image:png", "2020-01-27T13:19:15Z")
    texts = [r for r in a.records if isinstance(r, PngText)]
    assert [(t.keyword, t.after_idat, t.compressed) for t in texts] == [
        ("Software", False, True), ("Comment", False, True), ("Comment", True, False)]
    assert a.flags == ("edited: GIMP 2.10.30",)


def test_png_ztxt_bomb_is_refused():
    bomb = png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"\0" * (9 * 1024 * 1024)))
    a = parse_bytes(png(bomb))
    assert len(a.warnings) == 1 and "possible decompression bomb" in a.warnings[0].message
    assert "PNG:Comment" not in a.metadata


def test_png_truncated_chunk_warns():
    data = png(png_chunk(b"tEXt", b"Comment\0hello"))
    a = parse_bytes(data[:50])  # inside the tEXt chunk (bytes 33..57)
    assert warnings_of(a) == ["PNG tEXt chunk at byte 33: chunk declares 13 bytes, past the end "
                              "of the file (50 bytes): truncated"]
    assert a.metadata["PNG:ImageWidth"] == 16


def test_png_exif_chunk_and_creation_time():
    exif = png_chunk(b"eXIf", tiff_block({0x010F: ascii_("Google")}))
    ctime = png_chunk(b"tEXt", b"Creation Time\0Mon, 1 Jan 2018 12:10:22 EST")
    a = parse_bytes(png(exif, ctime))
    assert a.metadata["EXIF:Make"] == "Google"
    assert a.metadata["PNG:CreationTime"] == "2018:01:01 12:10:22-05:00"
    ev = next(e for e in a.events if e.time.source == "png:Creation Time")
    assert ev.time.to_json()["utc"] == "2018-01-01T17:10:22Z"


def test_webp_extended_with_exif_and_xmp():
    block = tiff_block({0x010F: ascii_("logilabo"), 0x0110: ascii_("VirtualLens2")},
                       exif={0x9003: ascii_("2023:02:19 00:04:01")})
    a = parse_bytes(webp((b"EXIF", block), (b"XMP ", xmp_packet(xmp_CreatorTool="x").encode())),
                    name="VRChat_2023-02-19_00-04-01.274_2160x3840.webp")
    m = a.metadata
    assert m["File:FileType"] == "Extended WEBP" and m["RIFF:WebP_Flags"] == 12
    assert (m["RIFF:ImageWidth"], m["RIFF:ImageHeight"]) == (365, 547)
    assert m["EXIF:Model"] == "VirtualLens2" and m["XMP:CreatorTool"] == "x"
    name_ev = next(e for e in a.events if e.description == "Capture Time (file name)")
    assert name_ev.time.to_json()["utc"] == "2023-02-18T16:04:01.274000Z"
    assert name_ev.time.source == "file:name" and name_ev.time.zone.value == "assumed"
    assert any(isinstance(r, ImageFileName) and r.pattern == "VRChat" for r in a.records)
    assert warnings_of(a) == []


def test_webp_chunk_past_the_end_warns():
    data = webp((b"EXIF", tiff_block({0x010F: ascii_("x")})))
    bad = data[:-10]
    a = parse_bytes(bad)
    assert len(a.warnings) == 2  # RIFF size past the end, then the EXIF chunk past the end
    assert a.metadata["RIFF:ImageWidth"] == 365


def test_heif_items_exif_xmp_and_size():
    xmp = xmp_packet(xmp_CreateDate="2021-04-11T15:47:53")
    a = parse_bytes(heif(PHONE_EXIF, xmp))
    m = a.metadata
    assert (m["File:FileType"], m["File:ImageWidth"], m["File:ImageHeight"]) == ("HEIC", 2566,
                                                                               3313)
    assert m["EXIF:Model"] == "iPhone 11 Pro Max" and m["XMP:CreateDate"] == "2021:04:11 15:47:53"
    xev = next(e for e in a.events if e.data_type == "image:xmp")
    assert xev.time.source == "xmp:CreateDate+exif:OffsetTimeDigitized"
    assert xev.time.to_json()["utc"] == "2021-04-11T20:47:53Z"
    assert warnings_of(a) == []
    assert isinstance(a.records[1], ImageXmp) and a.records[1].location == "HEIF item 3 (mime)"


def test_heif_hostile_iloc_is_refused_quickly():
    """An iloc with zero-width fields and 65535 items of 65535 extents costs no bytes each."""
    data = bytearray(heif(PHONE_EXIF, xmp_packet()))
    at = data.index(b"iloc") + 4
    data[at + 4:at + 8] = b"\x00\x00\xff\xff"  # field sizes 0/0/0/0, item count 65535
    data[at + 12:at + 14] = b"\xff\xff"  # first item: 65535 extents of 0 bytes each
    a = parse_bytes(bytes(data))
    assert warnings_of(a)[0] == (f"box 'iloc' at byte {at - 8}: box not readable (more than 4096 "
                                 f"extents); skipped")
    assert a.metadata["File:ImageWidth"] == 2566


def test_heif_item_past_the_end_warns():
    data = heif(PHONE_EXIF, xmp_packet())
    a = parse_bytes(data[:-200])
    assert len(a.warnings) == 1 and "runs past the end of the file" in a.warnings[0].message


# -- names, editors, helpers ----------------------------------------------------------------------


@pytest.mark.parametrize(("name", "pattern", "original", "utc"), [
    ("Screenshot 2019-05-21 at 10.45.52.png", "macOS screenshot", "2019-05-21 10:45:52",
     "2019-05-21T02:45:52Z"),
    ("Screen Shot 2019-05-21 at 1.45.52 PM.png", "macOS screenshot", "2019-05-21 13:45:52",
     "2019-05-21T05:45:52Z"),
    ("截屏2021-03-04 下午3.05.06.png", "macOS screenshot (Chinese)", "2021-03-04 15:05:06",
     "2021-03-04T07:05:06Z"),
    ("Screenshot_20191231-235959.png", "Android screenshot", "2019-12-31 23:59:59",
     "2019-12-31T15:59:59Z"),
    ("Screenshot_2019-12-31-23-59-59-123_com.tencent.mm.jpg", "Android screenshot",
     "2019-12-31 23:59:59.123", "2019-12-31T15:59:59.123000Z"),
    ("IMG_20200101_120000.jpg", "IMG_YYYYMMDD_HHMMSS (Android camera, WeChat)",
     "2020-01-01 12:00:00", "2020-01-01T04:00:00Z"),
    ("微信图片_20200101120000.jpg", "WeChat image", "2020-01-01 12:00:00", "2020-01-01T04:00:00Z"),
    ("VRChat_2023-02-19_00-04-01.274_2160x3840.webp", "VRChat", "2023-02-19 00:04:01.274",
     "2023-02-18T16:04:01.274000Z"),
    ("mmexport1577851200000.jpg", "WeChat export (Unix milliseconds)", "1577851200000",
     "2020-01-01T04:00:00Z"),
])
def test_capture_time_from_name(name, pattern, original, utc):
    found = capture_time_from_name(name, default_zone="Asia/Shanghai")
    assert found is not None
    p, t = found
    assert (p, t.original, t.to_json()["utc"], t.source) == (pattern, original, utc, "file:name")


def test_names_without_a_pattern_and_impossible_dates():
    assert capture_time_from_name("IMG_5195.HEIC") is None
    assert capture_time_from_name("photo Screenshot_20191231-235959.png") is None
    with pytest.raises(ValueError, match="impossible"):
        capture_time_from_name("Screenshot_20191399-235959.png")
    a = parse_bytes(png(), name="Screenshot_20191399-235959.png")
    assert warnings_of(a)[0].startswith("file name: file name 'Screenshot_20191399-235959.png'")


@pytest.mark.parametrize(("value", "editor"), [
    ("Adobe Photoshop CS5 Macintosh", "Adobe Photoshop"), ("GIMP 2.4.5", "GIMP"),
    ("Snapseed 2.0", "Snapseed"), ("美图秀秀", "Meitu (美图秀秀 / 美颜相机)"), ("醒图", "醒图 (Hypic)"),
    ("Canva", "Canva"), ("14.4.2", None), ("Nikon Transfer 1.1 W", None), ("HTML5 Canvas", None),
])
def test_editing_software(value, editor):
    assert editing_software(value) == editor


def test_xmp_date_forms():
    assert xmp_date("2020-01-27T14:08:33.12+01:00") == "2020:01:27 14:08:33.12+01:00"
    assert xmp_date("2008-03-15") == "2008:03:15"


# -- detection ------------------------------------------------------------------------------------


def test_detect_fixtures():
    reg = default_registry()
    assert reg.detect(jpeg()) == "image/jpeg"
    assert reg.detect(png()) == "image/png"
    assert reg.detect(webp()) == "image/webp"
    assert reg.detect(heif(PHONE_EXIF, "")) == "image/heic"
    assert reg.detect(tiff_block({})) == "image/tiff"


# -- corpus ---------------------------------------------------------------------------------------

#: ExifTool keys compared (every one ExifTool reports for a corpus file must equal ours, and we
#: must not report one of them that ExifTool does not).
COMPARED = re.compile(
    r"(EXIF:(DateTimeOriginal|CreateDate|ModifyDate|OffsetTime|OffsetTimeOriginal|"
    r"OffsetTimeDigitized|SubSecTime|SubSecTimeOriginal|SubSecTimeDigitized|Make|Model|Software|"
    r"Orientation|Artist|ImageDescription|GPSLatitude|GPSLongitude|GPSLatitudeRef|"
    r"GPSLongitudeRef|GPSAltitude|GPSAltitudeRef|GPSTimeStamp|GPSDateStamp|ImageWidth|ImageHeight|"
    r"ExifImageWidth|ExifImageHeight)"
    r"|Composite:(GPSLatitude|GPSLongitude|GPSAltitude|GPSPosition|GPSDateTime|ImageSize)"
    r"|File:(FileType|ExifByteOrder|ImageWidth|ImageHeight|EncodingProcess|BitsPerSample|"
    r"ColorComponents)"
    r"|XMP:(DateTimeOriginal|CreateDate|ModifyDate|MetadataDate|CreatorTool|Make|Model|DateCreated|"
    r"DateTimeDigitized|XMPToolkit)"
    r"|PNG:.*|RIFF:(ImageWidth|ImageHeight|WebP_Flags))")


def _same(ours, ref) -> bool:
    if isinstance(ref, int | float) and not isinstance(ref, bool):
        try:
            return abs(float(ours) - float(ref)) <= 1e-6
        except (TypeError, ValueError):
            return False
    if isinstance(ref, str) and isinstance(ours, str) and " " in ref and re.fullmatch(
            r"-?[\d.]+ -?[\d.]+", ref):  # "lat lon" positions
        return all(abs(float(a) - float(b)) <= 1e-6 for a, b in zip(ours.split(), ref.split(),
                                                                    strict=True))
    return ours == ref


def _reference(corpus: Path) -> list[dict]:
    refs = []
    for name in ("expected-exif.json", "expected-screenshots.json"):
        refs += json.loads((corpus / name).read_text(encoding="utf-8"))
    return refs


@pytest.mark.corpus
def test_corpus_values_equal_exiftool(corpus, capsys):
    refs = _reference(corpus)
    assert len(refs) == 16
    equal = total = 0
    problems = []
    for ref in refs:
        a = parse_path(corpus / ref["SourceFile"])
        assert a.parser == "image" and a.parsed, ref["SourceFile"]
        for key, value in ref.items():
            if not COMPARED.fullmatch(key):
                continue
            total += 1
            if key in a.metadata and _same(a.metadata[key], value):
                equal += 1
            else:
                problems.append(f"{ref['SourceFile']} {key}: ExifTool {value!r}, ours "
                                f"{a.metadata.get(key)!r}")
        for key in a.metadata:
            if COMPARED.fullmatch(key) and key not in ref:
                problems.append(f"{ref['SourceFile']} {key}: ours {a.metadata[key]!r}, not in "
                                f"ExifTool's output")
    with capsys.disabled():
        print(f"\nimage corpus: {equal}/{total} ExifTool values equal over {len(refs)} files")
    assert problems == []
    assert equal == total and total > 250


@pytest.mark.corpus
def test_corpus_key_cases(corpus):
    no_exif = parse_path(corpus / "images" / "no_exif.jpg")
    assert no_exif.metadata["EXIF:Software"] == "Adobe Photoshop CC (Macintosh)"
    heic = parse_path(corpus / "images" / "IMG_5195.HEIC")
    created = next(e for e in heic.events if e.time.source == "exif:DateTimeOriginal")
    assert created.time.to_json()["utc"].startswith("2021-04-11T20:47:53")
    nikon = parse_path(corpus / "images" / "Nikon_D70.jpg")
    assert any(e.time.source == "exif:DateTimeOriginal+xmp:offset" and e.time.zone.value == "assumed"
               and e.time.zone_name == "-04:00 (from xmp:offset)" for e in nikon.events)
    shot = parse_path(corpus / "screenshots" / "Screenshot 2019-05-21 at 10.45.52.png")
    assert [e.description for e in shot.events] == ["Capture Time (file name)"]
    late = parse_path(corpus / "screenshots" / "exiftool_PNG.png")
    assert len(late.warnings) == 1 and "after the image data" in late.warnings[0].message
    assert parse_path(corpus / "images" / "Canon_40D.jpg").flags == ("edited: GIMP 2.4.5",)
    for name in ("corrupted.jpg", "image01088_invalid.jpg"):
        a = parse_path(corpus / "images" / name)
        assert a.parsed and a.metadata["File:ImageWidth"] > 0


@pytest.mark.corpus
def test_corpus_files_parse_directly_and_are_detected(corpus):
    reg = default_registry()
    files = sorted((corpus / "images").iterdir()) + sorted((corpus / "screenshots").iterdir())
    for f in files:
        data = f.read_bytes()
        assert reg.detect(data[:65536]) in IMAGE_TYPES, f.name
        parse_direct(data, f.name)
        parse_direct(data[: len(data) // 2], f.name)  # truncated copies too
    others = [p for d in ("video", "pdf", "warc", "email", "mhtml", "chat") if (corpus / d).is_dir()
              for p in sorted((corpus / d).iterdir()) if p.is_file()]
    assert others
    for f in others:
        assert reg.detect(f.read_bytes()[:65536]) not in IMAGE_TYPES, f.name


# -- property tests -------------------------------------------------------------------------------

SEEDS = [
    jpeg(app1_exif(PHONE_EXIF), app1_xmp(xmp_packet(xmp_CreateDate="2020-01-01T00:00:00Z"))),
    png(png_chunk(b"zTXt", b"Comment\0\0" + zlib.compress(b"hi")),
        png_chunk(b"eXIf", PHONE_EXIF), png_chunk(b"tIME", b"\x07\xe4\x01\x01\x00\x00\x00")),
    webp((b"EXIF", PHONE_EXIF), (b"XMP ", xmp_packet().encode())),
    heif(PHONE_EXIF, xmp_packet(xmp_CreateDate="2021-04-11T15:47:53")),
    PHONE_EXIF,
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(prefix=st.sampled_from([b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"II*\x00", b"MM\x00*",
                               b"RIFF\x00\x01\x00\x00WEBPVP8X", b"\x00\x00\x00\x18ftypheic", b""]),
       body=st.binary(max_size=600))
def test_arbitrary_bytes_never_raise(prefix, body):
    parse_direct(prefix + body)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.sampled_from(SEEDS), data=st.data())
def test_mutated_inputs_never_raise(seed, data):
    buf = bytearray(seed)
    for _ in range(data.draw(st.integers(1, 8))):
        op = data.draw(st.sampled_from(["flip", "set", "cut", "insert"]))
        i = data.draw(st.integers(0, max(0, len(buf) - 1)))
        if op == "flip" and buf:
            buf[i] ^= 1 << data.draw(st.integers(0, 7))
        elif op == "set" and buf:
            buf[i] = data.draw(st.sampled_from([0, 0xFF, 0x7F, 0x80]))
        elif op == "cut":
            del buf[i:]
        else:
            buf[i:i] = data.draw(st.binary(min_size=1, max_size=16))
    parse_direct(bytes(buf))
