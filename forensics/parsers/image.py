"""Still images: EXIF, XMP and header facts of JPEG, TIFF, PNG, WebP and HEIF (HEIC/AVIF).

What is read, per format (headers and metadata segments only; pixels are never decoded):

* **JPEG** (ITU-T T.81): the markers up to the first SOS; APP1 ``Exif\\0\\0`` (every one, not
  only the first: a file may carry an XMP APP1 *before* the EXIF one), APP1 XMP, and the SOF
  frame size.
* **TIFF** 6.0: IFD0 (and the EXIF/GPS sub-IFDs) of the file itself, the XMP of tag 700.
* **PNG** (https://www.w3.org/TR/png-3/): IHDR, pHYs, iCCP (profile name), bKGD, tIME,
  tEXt/zTXt/iTXt (XMP in ``XML:com.adobe.xmp``, ImageMagick raw profiles) and eXIf.
* **WebP** (https://developers.google.com/speed/webp/docs/riff_container): VP8X/VP8/VP8L sizes,
  the ``EXIF`` and ``XMP `` chunks.
* **HEIF** (ISO/IEC 23008-12 on ISO BMFF, ISO/IEC 14496-12): the ``meta`` box (``pitm``,
  ``iinf``, ``iloc``, ``ipco``/``ipma``), the ``Exif`` item, the XMP ``mime`` item and the
  primary item's ``ispe`` size.

EXIF (CIPA DC-008, https://www.cipa.jp/std/documents/e/DC-X008-Translation-2019-E.pdf) is
decoded by exifread (its ``ExifHeader``, reading from memory and decoding only the tags used
here) from each TIFF structure found, after a bounded check of its IFD layout
(:func:`check_tiff`).  XMP (ISO 16684-1) is parsed with the standard library's expat after
refusing any DOCTYPE or ENTITY declaration.

Metadata keys and value forms are ExifTool's ``-json -G -n``: ``EXIF:DateTimeOriginal`` =
``2008:05:30 15:56:01``, ``Composite:GPSLatitude`` signed decimal degrees, ``XMP:CreateDate`` =
``2008:03:15 09:52:01-04:00``, ``PNG:ModifyDate``, ``File:ImageWidth`` (JPEG, HEIF),
``PNG:ImageWidth``, ``RIFF:ImageWidth``, ``EXIF:ImageWidth`` (TIFF), ``Composite:ImageSize``.

Examples
--------
>>> capture_time_from_name("Screenshot_20191231-235959.png")[1].to_json()["utc"]
'2019-12-31T15:59:59Z'
>>> xmp_date("2008-03-15T09:52:01-04:00")
'2008:03:15 09:52:01-04:00'
"""

from __future__ import annotations

import dataclasses
import io
import logging
import re
import struct
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.records import Record, Scalar
from forensics.timestamps import (
    DEFAULT_ZONE,
    Precision,
    TimeValue,
    Zone,
    from_unix,
    parse_exif,
    parse_wall,
)

__all__ = [
    "EDITING_SOFTWARE",
    "MAX_IFDS",
    "MAX_IMAGE_PIXELS",
    "MAX_IMAGE_SIDE",
    "MAX_INFLATED_TEXT",
    "MAX_XMP_BYTES",
    "PARSERS",
    "SCREENSHOT_NAMES",
    "ImageExif",
    "ImageFileName",
    "ImageParser",
    "ImageXmp",
    "PngText",
    "TiffCheck",
    "capture_time_from_name",
    "check_tiff",
    "editing_software",
    "xmp_date",
]

# -- policy -------------------------------------------------------------------------------------

#: A side longer than this (pixels) is refused as a size (a warning says so).
MAX_IMAGE_SIDE = 100_000
#: More pixels than this is refused as a size (a warning says so).
MAX_IMAGE_PIXELS = 1_000_000_000
#: An XMP packet larger than this is not parsed.
MAX_XMP_BYTES = 8 * 1024 * 1024
#: zTXt/iTXt text is inflated up to this many bytes; more is refused as a decompression bomb.
MAX_INFLATED_TEXT = 8 * 1024 * 1024
#: A PNG metadata chunk (text, eXIf, iCCP name...) larger than this is not read.
MAX_PNG_CHUNK = 16 * 1024 * 1024
#: EXIF or XMP item of a HEIF file, or an EXIF chunk of a WebP: larger is not read.
MAX_ITEM_BYTES = 16 * 1024 * 1024
#: The HEIF ``meta`` box is read whole up to this size.
MAX_META_BYTES = 16 * 1024 * 1024
#: A TIFF file is read up to this many bytes for its IFDs (IFDs past it are reported missing).
MAX_TIFF_BYTES = 64 * 1024 * 1024
#: JPEG markers read before giving up (a real file has a few dozen before SOS).
MAX_JPEG_SEGMENTS = 4096
#: Boxes looked at, at one level of a HEIF file.
MAX_BOXES = 4096
#: IFDs (IFD0, IFD1..., EXIF, GPS, Interop) checked and handed to exifread per EXIF block.
MAX_IFDS = 16

#: Editing software, matched case-insensitively against EXIF Software, XMP CreatorTool, the XMP
#: history's softwareAgent and PNG Software: (regular expression, editor).  A match sets the flag
#: ``edited: <value as written>``.  Camera firmware and plain viewers are not listed.
EDITING_SOFTWARE: tuple[tuple[str, str], ...] = (
    (r"photoshop", "Adobe Photoshop"),
    (r"lightroom", "Adobe Lightroom"),
    (r"\bfireworks\b", "Adobe Fireworks"),
    (r"\bgimp\b", "GIMP"),
    (r"snapseed", "Snapseed"),
    (r"pixelmator", "Pixelmator"),
    (r"affinity", "Affinity Photo"),
    (r"picsart", "PicsArt"),
    (r"美图|meitu|\bmtxx\b|beautycam", "Meitu (美图秀秀 / 美颜相机)"),
    (r"醒图|\bhypic\b", "醒图 (Hypic)"),
    (r"picasa", "Picasa"),
    (r"paint\.net", "Paint.NET"),
    (r"\bcanva\b", "Canva"),
    (r"\bfotor\b", "Fotor"),
    (r"\bvsco\b", "VSCO"),
    (r"photoscape", "PhotoScape"),
    (r"facetune", "Facetune"),
    (r"\bpolarr\b", "Polarr"),
    (r"\bluminar\b", "Luminar"),
    (r"darktable", "darktable"),
    (r"rawtherapee", "RawTherapee"),
    (r"capture one", "Capture One"),
    (r"paintshop|paint shop pro", "Corel PaintShop Pro"),
    (r"\bacdsee\b", "ACDSee"),
    (r"\bfaceu\b|\b轻颜\b", "FaceU / 轻颜相机"),
)
_EDITING_RE = tuple((re.compile(p, re.IGNORECASE), label) for p, label in EDITING_SOFTWARE)

#: Capture-time patterns of file names written by screenshot tools, phones and chat apps
#: (matched at the start of the name): (what wrote it, regular expression).  Groups: y, mo, d,
#: h, mi, s, optional ms, ampm; or ``epoch_ms`` for Unix milliseconds.
SCREENSHOT_NAMES: tuple[tuple[str, str], ...] = (
    ("macOS screenshot", r"(?:Screenshot|Screen Shot) (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) "
     r"at (?P<h>\d{1,2})\.(?P<mi>\d{2})\.(?P<s>\d{2})(?:\s?(?P<ampm>AM|PM|am|pm))?"),
    ("macOS screenshot (Chinese)", r"(?:截屏|屏幕快照)\s?(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})\s?"
     r"(?P<ampm>上午|下午)?\s?(?P<h>\d{1,2})\.(?P<mi>\d{2})\.(?P<s>\d{2})"),
    ("Android screenshot", r"Screenshot_(?P<y>\d{4})-?(?P<mo>\d{2})-?(?P<d>\d{2})[-_]"
     r"(?P<h>\d{2})-?(?P<mi>\d{2})-?(?P<s>\d{2})(?:-(?P<ms>\d{3}))?"),
    ("Windows screenshot", r"(?:Screenshot|屏幕截图) (?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2}) "
     r"(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})"),
    ("IMG_YYYYMMDD_HHMMSS (Android camera, WeChat)", r"(?:IMG|VID|PANO|MVIMG)_(?P<y>\d{4})"
     r"(?P<mo>\d{2})(?P<d>\d{2})_(?P<h>\d{2})(?P<mi>\d{2})(?P<s>\d{2})"),
    ("WeChat image", r"微信(?:图片|截图)_(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})(?P<h>\d{2})"
     r"(?P<mi>\d{2})(?P<s>\d{2})"),
    ("QQ image", r"QQ(?:图片|截图)(?P<y>\d{4})(?P<mo>\d{2})(?P<d>\d{2})(?P<h>\d{2})(?P<mi>\d{2})"
     r"(?P<s>\d{2})"),
    ("VRChat", r"VRChat_(?:\d+x\d+_)?(?P<y>\d{4})-(?P<mo>\d{2})-(?P<d>\d{2})_(?P<h>\d{2})-"
     r"(?P<mi>\d{2})-(?P<s>\d{2})(?:\.(?P<ms>\d{3}))?"),
    ("WeChat export (Unix milliseconds)", r"(?:mmexport|wx_camera_)(?P<epoch_ms>1\d{12})(?!\d)"),
)
_NAME_RES = tuple((label, re.compile(p)) for label, p in SCREENSHOT_NAMES)

# -- records ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImageExif(Record):
    """The main EXIF facts of an image (merged over its EXIF blocks; the first value wins)."""

    data_type: ClassVar[str] = "image:exif"
    file_type: str = ""
    byte_order: str = ""
    make: str = ""
    model: str = ""
    software: str = ""
    artist: str = ""
    description: str = ""
    orientation: int | None = None
    #: Size of the image from its own header (SOF, IHDR, VP8X, ispe, TIFF IFD0).
    width: int | None = None
    height: int | None = None
    date_time_original: str = ""
    create_date: str = ""
    modify_date: str = ""
    offset_time_original: str = ""
    offset_time_digitized: str = ""
    offset_time: str = ""
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    gps_altitude: float | None = None
    gps_date_time: str = ""


@dataclass(frozen=True, slots=True)
class ImageXmp(Record):
    """The time and tool facts of the file's XMP (merged over its packets; first value wins)."""

    data_type: ClassVar[str] = "image:xmp"
    creator_tool: str = ""
    create_date: str = ""
    modify_date: str = ""
    metadata_date: str = ""
    date_time_original: str = ""
    make: str = ""
    model: str = ""
    #: ``stEvt:softwareAgent`` values of ``xmpMM:History``, distinct, in order.
    history_agents: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PngText(Record):
    """One PNG tEXt, zTXt or iTXt chunk (other than XMP and raw profiles)."""

    data_type: ClassVar[str] = "image:png"
    chunk: str = ""
    keyword: str = ""
    text: str = ""
    language: str = ""
    translated_keyword: str = ""
    compressed: bool = False
    #: The chunk comes after the image data (IDAT); some readers ignore such chunks.
    after_idat: bool = False


@dataclass(frozen=True, slots=True)
class ImageFileName(Record):
    """A capture time stated by the file name (screenshot tools, phones, chat apps)."""

    data_type: ClassVar[str] = "image:filename"
    name: str = ""
    pattern: str = ""
    time: TimeValue | None = None


# -- small public helpers -----------------------------------------------------------------------


def xmp_date(value: str) -> str:
    """An XMP date in ExifTool's form (``YYYY:MM:DD HH:MM:SS`` + whatever zone was written).

    >>> xmp_date("2012-08-27T15:37:28Z"), xmp_date("2021-04-11T15:47:53"), xmp_date("2008-03")
    ('2012:08:27 15:37:28Z', '2021:04:11 15:47:53', '2008:03')
    """
    v = value.strip()
    m = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}:\d{2})(:\d{2})?(\S*)", v)
    if m:
        return f"{m[1]}:{m[2]}:{m[3]} {m[4]}{m[5] or ''}{m[6]}"
    if re.match(r"\d{4}(-\d{2}){0,2}", v):
        return v.replace("-", ":")
    return v


def editing_software(value: str) -> str | None:
    """The editor a software string names, from :data:`EDITING_SOFTWARE`, or None.

    >>> editing_software("Adobe Photoshop CC (Macintosh)"), editing_software("14.4.2")
    ('Adobe Photoshop', None)
    """
    for rx, label in _EDITING_RE:
        if rx.search(value):
            return label
    return None


def capture_time_from_name(name: str, *, default_zone: str | None = DEFAULT_ZONE
                           ) -> tuple[str, TimeValue] | None:
    """The capture time a file name states, as ``(pattern, time)``, or None if no pattern fits.

    Names carry local wall time without a zone: the time is read in ``default_zone`` (marked
    *assumed*); WeChat's ``mmexport<ms>`` names carry Unix milliseconds (UTC, explicit).
    Raises ``ValueError`` when a name fits a pattern but its date is impossible.

    >>> p, t = capture_time_from_name("Screenshot 2019-05-21 at 10.45.52.png")
    >>> p, t.original, t.zone.value, t.zone_name
    ('macOS screenshot', '2019-05-21 10:45:52', 'assumed', 'Asia/Shanghai')
    >>> capture_time_from_name("微信图片_20200101120000.jpg")[1].to_json()["utc"]
    '2020-01-01T04:00:00Z'
    >>> capture_time_from_name("holiday.jpg") is None
    True
    """
    base = re.split(r"[/\\]", name)[-1]
    for label, rx in _NAME_RES:
        m = rx.match(base)
        if not m:
            continue
        g = m.groupdict()
        if g.get("epoch_ms"):
            return label, from_unix(int(g["epoch_ms"]), "file:name", original=g["epoch_ms"],
                                    milliseconds=True)
        hour = int(g["h"])
        ampm = (g.get("ampm") or "").lower()
        if ampm in ("pm", "下午") and hour < 12:
            hour += 12
        elif ampm in ("am", "上午") and hour == 12:
            hour = 0
        ms = g.get("ms")
        try:
            wall = datetime(int(g["y"]), int(g["mo"]), int(g["d"]), hour, int(g["mi"]),
                            int(g["s"]), int(ms) * 1000 if ms else 0)
        except ValueError as exc:
            raise ValueError(f"file name {base!r} looks like a {label} name but its date is "
                             f"impossible: {exc}") from None
        shown = f"{g['y']}-{g['mo']}-{g['d']} {hour:02d}:{g['mi']}:{g['s']}" + (f".{ms}" if ms else "")
        precision = Precision.MILLISECOND if ms else Precision.SECOND
        return label, parse_wall(wall, shown, "file:name", precision, default_zone=default_zone)
    return None


# -- EXIF (TIFF structure) ----------------------------------------------------------------------

_TYPE_SIZES = {1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8, 13: 4}
_SUB_IFDS = {0x8769: "EXIF IFD", 0x8825: "GPS IFD", 0xA005: "Interop IFD"}


@dataclass
class TiffCheck:
    """What :func:`check_tiff` found: byte order, problems, and where tag 700 (XMP) is."""

    byte_order: str = ""
    problems: list[str] = field(default_factory=list)
    xmp: tuple[int, int] | None = None
    usable: bool = True


def check_tiff(buf: bytearray) -> TiffCheck:
    """Check the IFD layout of a TIFF structure and make it safe for exifread, in place.

    exifread loops over every entry an IFD declares and follows the IFD chain; a corrupt or
    hostile block can make that take minutes.  This walk (bounded by :data:`MAX_IFDS` and the
    block size) lists every problem and, in the private copy ``buf`` only, clamps an entry count
    to what fits and ends the IFD chain at a loop or past the limit.

    >>> b = bytearray(b"II*\\x00\\x08\\x00\\x00\\x00\\xff\\x00")
    >>> check_tiff(b).problems
    ['IFD0 at offset 8 declares 255 entries but only 0 fit in the 10-byte block; 0 read']
    """
    res = TiffCheck()
    n = len(buf)
    if n < 8 or bytes(buf[:4]) not in (b"II*\x00", b"MM\x00*"):
        res.usable = False
        res.problems.append(f"no TIFF header (found {bytes(buf[:4]).hex() or 'nothing'})")
        return res
    res.byte_order = "II" if buf[0] == 0x49 else "MM"
    e = "<" if buf[0] == 0x49 else ">"
    u16, u32, ent = struct.Struct(e + "H"), struct.Struct(e + "I"), struct.Struct(e + "HHII")
    seen: set[int] = set()
    # (name, offset, position of the pointer to it, part of the IFD0 -> IFD1 chain?)
    todo: list[tuple[str, int, int, bool]] = [("IFD0", u32.unpack_from(buf, 4)[0], 4, True)]
    chain_no = 0
    while todo:
        name, off, ptr, chain = todo.pop(0)
        if chain and (off in seen or len(seen) >= MAX_IFDS):
            why = (f"points back to offset {off} (IFD loop)" if off in seen
                   else f"is past the limit of {MAX_IFDS} IFDs")
            res.problems.append(f"{name} {why}; not read")
            u32.pack_into(buf, ptr, 0)
            continue
        if off in seen or len(seen) >= MAX_IFDS:
            continue
        if off + 2 > n:
            res.problems.append(f"{name} offset {off} is past the end of the {n}-byte block")
            if chain:
                u32.pack_into(buf, ptr, 0)
            continue
        seen.add(off)
        count = u16.unpack_from(buf, off)[0]
        fit = max(0, (n - off - 6) // 12)
        clamped = count > fit
        if clamped:
            res.problems.append(f"{name} at offset {off} declares {count} entries but only {fit} "
                                f"fit in the {n}-byte block; {fit} read")
            u16.pack_into(buf, off, fit)
            count = fit
        for i, (tag, typ, cnt, value) in enumerate(
                ent.iter_unpack(memoryview(buf)[off + 2:off + 2 + 12 * count])):
            p = off + 2 + 12 * i
            if tag in _SUB_IFDS and cnt >= 1:
                todo.append((_SUB_IFDS[tag], value, p + 8, False))
            elif tag == 0x02BC and name == "IFD0":
                size = _TYPE_SIZES.get(typ, 0) * cnt
                where = p + 8 if size <= 4 else value
                if size and where + size <= n:
                    res.xmp = (where, size)
                else:
                    res.problems.append("IFD0 XMP tag (700) points past the end of the block")
        if chain:
            nxt_pos = off + 2 + 12 * count
            if nxt_pos + 4 <= n:
                if clamped:
                    u32.pack_into(buf, nxt_pos, 0)
                else:
                    nxt = u32.unpack_from(buf, nxt_pos)[0]
                    if nxt:
                        chain_no += 1
                        todo.append((f"IFD{chain_no}", nxt, nxt_pos, True))
    return res


def _exif_text(v: object) -> str | None:
    if isinstance(v, str):
        return v
    if isinstance(v, bytes | bytearray):
        raw = bytes(v)
    elif isinstance(v, list) and v and all(isinstance(x, int) for x in v):
        raw = bytes(x & 0xFF for x in v)
    else:
        return None
    raw = raw.split(b"\x00", 1)[0]
    for enc in ("utf-8", "gb18030"):
        try:
            return raw.decode(enc)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _exif_int(v: object) -> int | None:
    if isinstance(v, list) and v and isinstance(v[0], int) and not isinstance(v[0], bool):
        return v[0]
    return None


def _ratio(r: object) -> float | None:
    try:
        x = float(r)  # type: ignore[arg-type]
    except (ZeroDivisionError, TypeError, ValueError, OverflowError):
        return None
    return x if x == x and abs(x) != float("inf") else None


def _g15(x: float) -> float:
    """ExifTool prints numbers with 15 significant digits."""
    return float(f"{x:.15g}")


def _degrees(v: object) -> float | None:
    if not isinstance(v, list) or not v:
        return None
    parts = [_ratio(x) for x in v[:3]]
    if any(p is None for p in parts):
        return None
    d, m, s = ([*parts, 0.0, 0.0])[:3]
    return _g15(d + (m + s / 60) / 60)  # type: ignore[operator]


def _gps_time(v: object) -> str | None:
    """ExifTool's GPSTimeStamp form (``14:27:07.24``)."""
    if not isinstance(v, list) or not v:
        return None
    parts = [_ratio(x) for x in v[:3]]
    if any(p is None for p in parts):
        return None
    h, m, s = ([*parts, 0.0, 0.0])[:3]
    f = (h * 60 + m) * 60 + s  # type: ignore[operator]
    if not 0 <= f < 10 * 86400:
        return None
    hh = int(f // 3600)
    f -= hh * 3600
    mm = int(f // 60)
    f -= mm * 60
    ss = f"{f:012.9f}"
    if float(ss) >= 60:
        ss = "00"
        mm += 1
        if mm >= 60:
            mm -= 60
            hh += 1
    else:
        ss = re.sub(r"\.?0+$", "", ss)
    return f"{hh:02d}:{mm:02d}:{ss}"


#: exifread "IFD Name" -> ExifTool tag name, for the text tags read.
_TEXT_TAGS = (
    ("Image ImageDescription", "ImageDescription"), ("Image Make", "Make"),
    ("Image Model", "Model"), ("Image Software", "Software"), ("Image DateTime", "ModifyDate"),
    ("Image Artist", "Artist"), ("EXIF DateTimeOriginal", "DateTimeOriginal"),
    ("EXIF DateTimeDigitized", "CreateDate"), ("EXIF OffsetTime", "OffsetTime"),
    ("EXIF OffsetTimeOriginal", "OffsetTimeOriginal"),
    ("EXIF OffsetTimeDigitized", "OffsetTimeDigitized"), ("EXIF SubSecTime", "SubSecTime"),
    ("EXIF SubSecTimeOriginal", "SubSecTimeOriginal"),
    ("EXIF SubSecTimeDigitized", "SubSecTimeDigitized"),
    ("GPS GPSLatitudeRef", "GPSLatitudeRef"), ("GPS GPSLongitudeRef", "GPSLongitudeRef"),
    ("GPS GPSDate", "GPSDateStamp"),
)
#: ExifTool trims trailing blanks of these ("unknown" is written as spaces by the EXIF spec).
_TRIMMED = frozenset(("Make", "Model", "Software", "Artist"))
_INT_TAGS = (
    ("Image Orientation", "Orientation"), ("Image ImageWidth", "ImageWidth"),
    ("Image ImageLength", "ImageHeight"), ("EXIF ExifImageWidth", "ExifImageWidth"),
    ("EXIF ExifImageLength", "ExifImageHeight"), ("GPS GPSAltitudeRef", "GPSAltitudeRef"),
)


def _exif_values(tags: dict[str, Any]) -> dict[str, Scalar]:
    """ExifTool-named values from exifread's tags (IFD0 first, IFD1 only where IFD0 lacks it)."""
    vals: dict[str, Scalar] = {}

    def get(key: str) -> Any:
        t = tags.get(key)
        if t is None and key.startswith("Image "):
            t = tags.get("Thumbnail " + key[6:])
        return getattr(t, "values", None)

    for key, name in _TEXT_TAGS:
        s = _exif_text(get(key))
        if s is not None and name in _TRIMMED:
            s = s.rstrip()
        if s is not None and s != "":
            vals[name] = s
    for key, name in _INT_TAGS:
        i = _exif_int(get(key))
        if i is not None:
            vals[name] = i
    lat, lon = _degrees(get("GPS GPSLatitude")), _degrees(get("GPS GPSLongitude"))
    if lat is not None:
        vals["GPSLatitude"] = lat
    if lon is not None:
        vals["GPSLongitude"] = lon
    alt = get("GPS GPSAltitude")
    if isinstance(alt, list) and alt:
        a = _ratio(alt[0])
        if a is not None:
            vals["GPSAltitude"] = float(f"{a:.10g}")  # ExifTool rounds rationals to 10 digits
    ts = _gps_time(get("GPS GPSTimeStamp"))
    if ts:
        vals["GPSTimeStamp"] = ts
    return vals


#: Tag ids decoded per exifread IFD name (everything else is skipped unread: faster, and a
#: hostile block cannot make exifread decode thousands of large entries).
_WANTED_TAGS = {
    "Image": frozenset((0x0100, 0x0101, 0x010E, 0x010F, 0x0110, 0x0112, 0x0131, 0x0132, 0x013B,
                        0x8769, 0x8825)),
    "EXIF": frozenset((0x9003, 0x9004, 0x9010, 0x9011, 0x9012, 0x9290, 0x9291, 0x9292, 0xA002,
                       0xA003, 0x8825)),
    "GPS": frozenset((0x0001, 0x0002, 0x0003, 0x0004, 0x0005, 0x0006, 0x0007, 0x001D)),
}
_WANTED_TAGS["Thumbnail"] = _WANTED_TAGS["Image"] - {0x8769, 0x8825}
_UNPACK = {(e, n, signed): struct.Struct(("<" if e == "I" else ">") + c)
           for e in "IM" for (n, signed), c in {
               (1, False): "B", (1, True): "b", (2, False): "H", (2, True): "h",
               (4, False): "I", (4, True): "i", (8, False): "Q", (8, True): "q"}.items()}
_HEADER_CLASS: type | None = None


def _header_class() -> type:
    """exifread's ``ExifHeader`` reading from memory and decoding only :data:`_WANTED_TAGS`."""
    global _HEADER_CLASS  # built once, on first use (exifread is imported lazily)
    if _HEADER_CLASS is not None:
        return _HEADER_CLASS
    from exifread.core.exif_header import ExifHeader
    from exifread.tags.exif import EXIF_TAGS

    class BlockHeader(ExifHeader):  # type: ignore[misc]
        def __init__(self, block: bytes) -> None:
            super().__init__(io.BytesIO(block), "I" if block[:1] == b"I" else "M", 0, 0,
                             False, False, False, True)
            self.block = block

        def s2n(self, offset: int, length: int, signed: bool = False) -> int:
            fmt = _UNPACK.get((self.endian, length, signed))
            if fmt is None:
                raise ValueError(f"unexpected unpacking length: {length}")
            pos = self.offset + offset
            if pos < 0 or pos + length > len(self.block):
                return 0  # as exifread does for a read past the end
            return int(fmt.unpack_from(self.block, pos)[0])

        def dump_ifd(self, ifd: int, ifd_name: str, tag_dict: dict | None = None,
                     relative: int = 0, stop_tag: str = "UNDEF") -> None:
            wanted = _WANTED_TAGS.get(ifd_name, frozenset())
            tag_dict = EXIF_TAGS if tag_dict is None else tag_dict
            u16 = _UNPACK[(self.endian, 2, False)]
            done: set[int] = set()
            for i in range(self.s2n(ifd, 2)):
                entry = ifd + 2 + 12 * i
                at = self.offset + entry
                if at + 2 > len(self.block):
                    break
                tag = u16.unpack_from(self.block, at)[0]
                if tag not in wanted or tag in done:
                    continue
                done.add(tag)
                tag_entry = tag_dict.get(tag)
                name = tag_entry[0] if tag_entry else f"Tag 0x{tag:04X}"
                self._process_tag(ifd, ifd_name, tag_entry, entry, tag, name, relative, stop_tag)

    _HEADER_CLASS = BlockHeader
    return BlockHeader


def _read_exif(block: bytes) -> dict[str, Any]:
    """exifread's tags ("IFD Name" -> IfdTag) of IFD0, IFD1, the EXIF and GPS IFDs of a block.

    The block has passed :func:`check_tiff`.  This follows ``exifread.process_file`` without its
    MakerNote, thumbnail and XMP steps.
    """
    hdr = _header_class()(block)
    for i, ifd in enumerate(hdr.list_ifd()[:2]):
        hdr.dump_ifd(ifd, "Image" if i == 0 else "Thumbnail")
    exif_ifd = hdr.tags.get("Image ExifOffset")
    if exif_ifd is not None and exif_ifd.values:
        hdr.dump_ifd(exif_ifd.values[0], "EXIF")
    return hdr.tags


# -- XMP ------------------------------------------------------------------------------------------

_RDF = "{http://www.w3.org/1999/02/22-rdf-syntax-ns#}"
_XMP_PROPS = {
    "{http://ns.adobe.com/xap/1.0/}CreateDate": "CreateDate",
    "{http://ns.adobe.com/xap/1.0/}ModifyDate": "ModifyDate",
    "{http://ns.adobe.com/xap/1.0/}MetadataDate": "MetadataDate",
    "{http://ns.adobe.com/xap/1.0/}CreatorTool": "CreatorTool",
    "{http://ns.adobe.com/exif/1.0/}DateTimeOriginal": "DateTimeOriginal",
    "{http://ns.adobe.com/exif/1.0/}DateTimeDigitized": "DateTimeDigitized",
    "{http://ns.adobe.com/photoshop/1.0/}DateCreated": "DateCreated",
    "{http://ns.adobe.com/tiff/1.0/}Make": "Make",
    "{http://ns.adobe.com/tiff/1.0/}Model": "Model",
}
#: tiff:DateTime is ExifTool's XMP-tiff:ModifyDate; used only when xmp:ModifyDate is absent.
_XMP_TIFF_DATETIME = "{http://ns.adobe.com/tiff/1.0/}DateTime"
_XMP_DATES = ("DateTimeOriginal", "DateCreated", "CreateDate", "DateTimeDigitized",
              "ModifyDate", "MetadataDate")
_STEVT_AGENT = "{http://ns.adobe.com/xap/1.0/sType/ResourceEvent#}softwareAgent"
_XMPMM_HISTORY = "{http://ns.adobe.com/xap/1.0/mm/}History"
_XMP_APP1 = b"http://ns.adobe.com/xap/1.0/\x00"


class _XmpError(ValueError):
    """An XMP packet that is not well-formed or not safe to parse (DOCTYPE, entities)."""


def _parse_xmp(data: bytes) -> tuple[dict[str, str], list[str]]:
    """Top-level XMP properties we read (ExifTool names, ExifTool date form) and history agents.

    Raises ``_XmpError`` for a packet that is refused or not well-formed.
    """
    from xml.etree import ElementTree as ET

    if len(data) > MAX_XMP_BYTES:
        raise _XmpError(f"XMP packet of {len(data)} bytes is over the {MAX_XMP_BYTES}-byte limit")
    probe = data.replace(b"\x00", b"") if b"\x00" in data else data  # UTF-16 packets too
    if re.search(rb"<!\s*(?:DOCTYPE|ENTITY)", probe, re.IGNORECASE):
        raise _XmpError("XMP packet declares a DOCTYPE or ENTITY; refused (entity expansion)")

    def xml(text: bytes) -> Any:
        # DOCTYPE/ENTITY are refused above, so nothing is expanded; expat fetches nothing.
        return ET.fromstring(text)  # noqa: S314

    body = data.strip(b"\x00 \t\r\n")
    try:
        root = xml(body)
    except (ET.ParseError, LookupError, ValueError) as first:
        # Some writers leave junk around the packet: retry on x:xmpmeta or rdf:RDF alone.
        start = body.find(b"<x:xmpmeta")
        if start < 0:
            start = body.find(b"<rdf:RDF")
        end_tag = b"</x:xmpmeta>" if body[start:start + 10] == b"<x:xmpmeta" else b"</rdf:RDF>"
        end = body.find(end_tag)
        if start < 0 or end < 0:
            raise _XmpError(f"XMP packet is not well-formed XML: {first}") from None
        try:
            root = xml(body[start:end + len(end_tag)])
        except (ET.ParseError, LookupError, ValueError) as exc:
            raise _XmpError(f"XMP packet is not well-formed XML: {exc}") from None
    rdf = root if root.tag == _RDF + "RDF" else root.find(_RDF + "RDF")
    if rdf is None:
        rdf = next((el for el in root.iter(_RDF + "RDF")), None)
    props: dict[str, str] = {}
    toolkit = root.attrib.get("{adobe:ns:meta/}xmptk", "")
    if toolkit.strip():
        props["XMPToolkit"] = toolkit
    tiff_dt = ""
    agents: list[str] = []
    if rdf is None:
        return props, agents
    for desc in rdf.findall(_RDF + "Description"):
        pairs = list(desc.attrib.items()) + [(c.tag, c.text or "") for c in desc]
        for key, value in pairs:
            name = _XMP_PROPS.get(key)
            if name and value.strip() and name not in props:
                props[name] = xmp_date(value) if name in _XMP_DATES else value
            elif key == _XMP_TIFF_DATETIME and value and not tiff_dt:
                tiff_dt = xmp_date(value)
    if tiff_dt and "ModifyDate" not in props:
        props["ModifyDate"] = tiff_dt
    for history in rdf.iter(_XMPMM_HISTORY):
        found = [el.text or "" for el in history.iter(_STEVT_AGENT)]
        found += [li.get(_STEVT_AGENT, "") for li in history.iter(_RDF + "li")]
        for agent in found:
            if agent.strip() and agent.strip() not in agents:
                agents.append(agent.strip())
    return props, agents


# -- PNG text -------------------------------------------------------------------------------------

_PNG_NAMES = {"Creation Time": "CreationTime", "create-date": "CreateDate",
              "modify-date": "ModDate", "Warning": "PNGWarning"}
_MONTHS = {m: i for i, m in enumerate(
    ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"), 1)}
_TZ = {"UT": "+00:00", "GMT": "+00:00", "UTC": "+00:00", "Z": "+00:00", "EST": "-05:00",
       "EDT": "-04:00", "CST": "-06:00", "CDT": "-05:00", "MST": "-07:00", "MDT": "-06:00",
       "PST": "-08:00", "PDT": "-07:00"}


def _png_tag(keyword: str, lang: str) -> str:
    name = _PNG_NAMES.get(keyword) or _PNG_NAMES.get(keyword[:1].upper() + keyword[1:])
    if not name:
        name = re.sub(r"\s+(.)", lambda m: m[1].upper(), keyword)
        name = re.sub(r"[^-_A-Za-z0-9]", "", name)
        name = (name[:1].upper() + name[1:]) or "Unknown"
    if lang:
        m = re.match(r"([a-z]{2,3}|[xi])(-[a-z]{2})\b(.*)", lang, re.IGNORECASE)
        lang = (m[1].lower() + m[2].upper() + m[3].lower()) if m else lang.lower()
        name = f"{name}-{lang}"
    return name


def _png_date(value: str) -> str:
    """ExifTool's conversion of a PNG ``Creation Time`` (RFC 1123) to EXIF form."""
    m = re.search(r"(\d+)\s*(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\s*(\d+)\s+(\d+):"
                  r"(\d{2})(:\d{2})?\s*(\S*)", value, re.IGNORECASE)
    if not m:
        return value
    day, mon, yr, hr, mi, sec, tz = m.groups()
    y = int(yr)
    if y < 100:
        y += 1900 if y > 70 else 2000
    if tz:
        if tz.upper() in _TZ:
            tz = _TZ[tz.upper()]
        elif mt := re.match(r"([-+]\d+):?(\d{2})", tz):
            tz = f"{mt[1]}:{mt[2]}"
        else:
            return value
    return (f"{y:04d}:{_MONTHS[mon.lower()]:02d}:{int(day):02d} {int(hr):02d}:{mi}"
            f"{sec or ':00'}{tz or ''}")


def _raw_profile(text: str) -> bytes | None:
    """The bytes of an ImageMagick ``Raw profile type ...`` text (hex after a length line)."""
    m = re.match(r"\n(.*?)\n\s*(\d+)\n(.*)", text, re.DOTALL)
    if not m:
        return None
    try:
        return bytes.fromhex("".join(m[3].split()))
    except ValueError:
        return None


# -- the parser -------------------------------------------------------------------------------------

_HEIF_TYPES = {b"heic": "HEIC", b"heix": "HEIF", b"heim": "HEIC", b"heis": "HEIC",
               b"hevc": "HEICS", b"hevx": "HEICS", b"mif1": "HEIF", b"mif2": "HEIF",
               b"msf1": "HEIFS", b"avif": "AVIF", b"avis": "AVIF"}
_SOF = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_PNG_WANTED = frozenset((b"IHDR", b"pHYs", b"iCCP", b"bKGD", b"tIME", b"tEXt", b"zTXt",
                         b"iTXt", b"eXIf"))
_DATE_EVENTS = {  # (group, tag) -> (description, data_type)
    ("exif", "DateTimeOriginal"): ("Content Created", "image:exif"),
    ("exif", "CreateDate"): ("Digitized", "image:exif"),
    ("exif", "ModifyDate"): ("Content Modified", "image:exif"),
    ("xmp", "DateTimeOriginal"): ("Content Created", "image:xmp"),
    ("xmp", "DateCreated"): ("Content Created", "image:xmp"),
    ("xmp", "CreateDate"): ("Content Created", "image:xmp"),
    ("xmp", "DateTimeDigitized"): ("Digitized", "image:xmp"),
    ("xmp", "ModifyDate"): ("Content Modified", "image:xmp"),
    ("xmp", "MetadataDate"): ("Metadata Modified", "image:xmp"),
}
_EXIF_OFFSET_TAG = {"DateTimeOriginal": "OffsetTimeOriginal", "CreateDate": "OffsetTimeDigitized",
                    "ModifyDate": "OffsetTime"}
_EXIF_SUBSEC_TAG = {"DateTimeOriginal": "SubSecTimeOriginal", "CreateDate": "SubSecTimeDigitized",
                    "ModifyDate": "SubSecTime"}
#: Which date of the other group is "the same" date, tried first when lending an offset.
_PARTNERS = {"DateTimeOriginal": ("DateTimeOriginal", "DateCreated"),
             "DateCreated": ("DateTimeOriginal",),
             "CreateDate": ("CreateDate", "DateTimeDigitized"),
             "DateTimeDigitized": ("CreateDate",),
             "ModifyDate": ("ModifyDate",), "MetadataDate": ("ModifyDate",)}
_WALL_RE = re.compile(r"\s*(\d{4}:\d{2}:\d{2} \d{2}:\d{2}:\d{2})(\.\d+)?\s*(Z|[+-]\d{2}:?\d{2})?\s*")


class _Found:
    """What one file yielded, gathered before events are made (private)."""

    def __init__(self) -> None:
        self.file_type = ""
        self.byte_order = ""
        self.exif: dict[str, Scalar] = {}
        self.exif_location = ""
        self.xmp: dict[str, str] = {}
        self.xmp_location = ""
        self.agents: list[str] = []
        self.size: tuple[int, int] | None = None
        self.software: list[str] = []


class ImageParser(Parser):
    """EXIF, XMP, PNG text and header facts of still images (see the module docstring).

    Examples
    --------
    >>> import io
    >>> from forensics.parsers.base import Builder, ParseContext
    >>> png = (b"\\x89PNG\\r\\n\\x1a\\n" + struct.pack(">I", 13) + b"IHDR"
    ...        + struct.pack(">IIBBBBB", 16, 9, 8, 2, 0, 0, 0) + b"\\0" * 4
    ...        + struct.pack(">I", 0) + b"IEND" + b"\\0" * 4)
    >>> ctx = ParseContext(None, "00" * 32, "Screenshot_20191231-235959.png", len(png))
    >>> b = Builder(ImageParser(), ctx)
    >>> ImageParser().parse(io.BytesIO(png), ctx, b)
    >>> a = b.build("image/png")
    >>> a.metadata["File:FileType"], a.metadata["Composite:ImageSize"]
    ('PNG', '16 9')
    >>> [(e.description, e.time.source) for e in a.events]
    [('Capture Time (file name)', 'file:name')]
    """

    name: ClassVar[str] = "image"
    version: ClassVar[str] = "2"
    media_types: ClassVar[tuple[str, ...]] = (
        "image/jpeg", "image/tiff", "image/png", "image/heic", "image/heif", "image/avif",
        "image/webp")

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        quiet = logging.getLogger("exifread")
        if quiet.level != logging.CRITICAL:  # setLevel clears every logger's cache: only once
            quiet.setLevel(logging.CRITICAL)
        fh.seek(0)
        head = fh.read(64)
        fh.seek(0)
        st = _Found()
        if head.startswith(b"\xff\xd8\xff"):
            st.file_type = "JPEG"
            reader = self._jpeg
        elif head.startswith(b"\x89PNG\r\n\x1a\n"):
            st.file_type = "PNG"
            reader = self._png
        elif head[:4] in (b"II*\x00", b"MM\x00*"):
            st.file_type = "TIFF"
            reader = self._tiff
        elif head[:4] == b"RIFF" and head[8:12] == b"WEBP":
            st.file_type = "Extended WEBP" if head[12:16] == b"VP8X" else "WEBP"
            reader = self._webp
        elif head[4:8] == b"ftyp" and _heif_brand(head):
            st.file_type = _HEIF_TYPES.get(head[8:12], "HEIF")
            reader = self._heif
        else:
            raise WrongFormat(f"not a JPEG, PNG, TIFF, WebP or HEIF image: starts with "
                              f"{head[:12].hex() or 'nothing'}")
        out.meta("File:FileType", st.file_type)
        reader(fh, ctx, out, st)
        self._finish(ctx, out, st)

    # -- shared pieces ----------------------------------------------------------------------
    def _size(self, group: str, w: int, h: int, location: str, out: Builder, st: _Found) -> None:
        if w > MAX_IMAGE_SIDE or h > MAX_IMAGE_SIDE or w * h > MAX_IMAGE_PIXELS:
            out.warn(location, f"dimensions {w}x{h} refused: over {MAX_IMAGE_SIDE} pixels a side "
                               f"or {MAX_IMAGE_PIXELS} pixels in all")
            return
        out.meta(f"{group}:ImageWidth", w)
        out.meta(f"{group}:ImageHeight", h)
        if st.size is None:
            st.size = (w, h)

    def _exif(self, buf: bytearray, location: str, out: Builder, st: _Found) -> TiffCheck:
        """Check one TIFF structure, decode it with exifread, keep the ExifTool-named values."""
        chk = check_tiff(buf)
        for problem in chk.problems:
            out.warn(location, f"EXIF: {problem}")
        if not chk.usable:
            return chk
        if not st.byte_order:
            st.byte_order = chk.byte_order
            out.meta("File:ExifByteOrder", chk.byte_order)
        try:
            tags = _read_exif(bytes(buf))
        except Exception as exc:  # exifread raises many kinds on bad data
            out.warn(location, f"EXIF not readable (exifread: {type(exc).__name__}: {exc})")
            return chk
        try:
            vals = _exif_values(tags)
        except Exception as exc:  # odd value types from a corrupt block
            out.warn(location, f"EXIF values not readable: {type(exc).__name__}: {exc}")
            return chk
        if vals and not st.exif_location:
            st.exif_location = location
        for k, v in vals.items():
            st.exif.setdefault(k, v)
        return chk

    def _xmp(self, data: bytes, location: str, out: Builder, st: _Found) -> None:
        try:
            props, agents = _parse_xmp(data)
        except _XmpError as exc:
            out.warn(location, str(exc))
            return
        if not st.xmp_location and (props or agents):
            st.xmp_location = location
        for k, v in props.items():
            st.xmp.setdefault(k, v)
        for a in agents:
            if a not in st.agents:
                st.agents.append(a)

    # -- JPEG -------------------------------------------------------------------------------
    def _jpeg(self, fh: BinaryIO, ctx: ParseContext, out: Builder, st: _Found) -> None:
        size = ctx.size
        pos = 2
        fh.seek(pos)
        for _ in range(MAX_JPEG_SEGMENTS):
            head = fh.read(4)
            if len(head) < 2:
                out.warn(f"byte {pos}", "file ends before the image data (no SOS marker): "
                                        "truncated?")
                return
            if head[0] != 0xFF:
                out.warn(f"byte {pos}", f"expected a JPEG marker, found 0x{head[0]:02X}; the "
                                        f"segments after this were not read")
                return
            marker = head[1]
            if marker == 0xFF:  # fill byte
                pos += 1
                fh.seek(pos)
                continue
            if marker in (0x01, 0xD8) or 0xD0 <= marker <= 0xD7:
                pos += 2
                fh.seek(pos)
                continue
            if marker == 0xD9:
                out.warn(f"EOI marker at byte {pos}", "image ends before any image data (SOS)")
                return
            if len(head) < 4:
                out.warn(f"byte {pos}", "file ends inside a segment header: truncated?")
                return
            if marker == 0xDA:
                return
            length = (head[2] << 8) | head[3]
            end = pos + 2 + length
            if length < 2:
                out.warn(_segment(marker, pos), f"segment length {length} is impossible; the "
                                                f"rest was not read")
                return
            if marker == 0xE1 or marker in _SOF:
                loc = _segment(marker, pos)
                payload = fh.read(length - 2)
                if marker in _SOF:
                    if len(payload) >= 6:
                        h, w = struct.unpack_from(">HH", payload, 1)
                        if st.size is None:
                            out.meta("File:EncodingProcess", marker - 0xC0)
                            out.meta("File:BitsPerSample", payload[0])
                            out.meta("File:ColorComponents", payload[5])
                            self._size("File", w, h, loc, out, st)
                    else:
                        out.warn(loc, "frame header too short for the image size")
                elif payload.startswith(b"Exif\x00"):
                    self._exif(bytearray(payload[6:]), loc, out, st)
                elif payload.startswith(_XMP_APP1):
                    self._xmp(payload[len(_XMP_APP1):], loc, out, st)
                if len(payload) < length - 2:
                    out.warn(loc, f"segment declares {length - 2} bytes but the file ends after "
                                  f"{len(payload)}: truncated")
                    return
            elif end > size:
                out.warn(_segment(marker, pos), f"segment declares {length - 2} bytes but the "
                                                f"file ends at byte {size}: truncated")
                return
            pos = end
            fh.seek(pos)
        out.warn(f"byte {pos}", f"more than {MAX_JPEG_SEGMENTS} segments before the image data; "
                                f"the rest was not read")

    # -- TIFF -------------------------------------------------------------------------------
    def _tiff(self, fh: BinaryIO, ctx: ParseContext, out: Builder, st: _Found) -> None:
        buf = bytearray(fh.read(MAX_TIFF_BYTES))
        if ctx.size > MAX_TIFF_BYTES:
            out.warn("TIFF", f"file is {ctx.size} bytes; only the first {MAX_TIFF_BYTES} were "
                             f"read for metadata")
        chk = self._exif(buf, "TIFF IFD0", out, st)
        w, h = st.exif.get("ImageWidth"), st.exif.get("ImageHeight")
        if isinstance(w, int) and isinstance(h, int):
            if w > MAX_IMAGE_SIDE or h > MAX_IMAGE_SIDE or w * h > MAX_IMAGE_PIXELS:
                out.warn("TIFF IFD0", f"dimensions {w}x{h} refused: over {MAX_IMAGE_SIDE} pixels "
                                      f"a side or {MAX_IMAGE_PIXELS} pixels in all")
                st.exif.pop("ImageWidth")
                st.exif.pop("ImageHeight")
            else:
                st.size = (w, h)
        if chk.xmp:
            off, n = chk.xmp
            self._xmp(bytes(buf[off:off + n]), f"TIFF tag 700 (XMP) at byte {off}", out, st)

    # -- PNG --------------------------------------------------------------------------------
    def _png(self, fh: BinaryIO, ctx: ParseContext, out: Builder, st: _Found) -> None:
        size = ctx.size
        pos = 8
        fh.seek(pos)
        first = True
        seen_idat = noted_late = False
        while True:
            hdr = fh.read(8)
            if len(hdr) < 8:
                out.warn(f"byte {pos}", "file ends before the IEND chunk: truncated?")
                return
            length, ctype = struct.unpack(">I4s", hdr)
            if not ctype.isalpha():
                out.warn(f"byte {pos}", f"not a PNG chunk (type bytes {ctype.hex()}); the rest "
                                        f"was not read")
                return
            cname = ctype.decode("ascii")
            loc = f"PNG {cname} chunk at byte {pos}"
            if first and ctype != b"IHDR":
                out.warn(loc, "first chunk is not IHDR")
            first = False
            end = pos + 12 + length
            if length > 0x7FFFFFFF or end > size:
                out.warn(loc, f"chunk declares {length} bytes, past the end of the file "
                              f"({size} bytes): truncated")
                return
            if ctype == b"IEND":
                if end < size:
                    out.warn(loc, f"{size - end} bytes of trailing data after IEND")
                return
            if ctype == b"IDAT":
                seen_idat = True
            elif ctype in _PNG_WANTED:
                if seen_idat and ctype in (b"tEXt", b"zTXt", b"iTXt", b"eXIf") and not noted_late:
                    noted_late = True
                    out.warn(loc, "text/EXIF chunk after the image data (IDAT); some readers "
                                  "ignore it (ExifTool: [minor] Text/EXIF chunk(s) found after "
                                  "PNG IDAT)")
                if length > MAX_PNG_CHUNK:
                    out.warn(loc, f"chunk of {length} bytes is over the {MAX_PNG_CHUNK}-byte "
                                  f"limit; not read")
                else:
                    data = fh.read(min(length, 80) if ctype == b"iCCP" else length)
                    self._png_chunk(ctype, data, loc, seen_idat, ctx, out, st)
            pos = end
            fh.seek(pos)

    def _png_chunk(self, ctype: bytes, data: bytes, loc: str, late: bool, ctx: ParseContext,
                   out: Builder, st: _Found) -> None:
        if ctype == b"IHDR":
            if len(data) < 13:
                out.warn(loc, "IHDR shorter than 13 bytes")
                return
            w, h, depth, color, comp, filt, inter = struct.unpack(">IIBBBBB", data[:13])
            self._size("PNG", w, h, loc, out, st)
            for k, v in (("BitDepth", depth), ("ColorType", color), ("Compression", comp),
                         ("Filter", filt), ("Interlace", inter)):
                out.meta(f"PNG:{k}", v)
        elif ctype == b"pHYs" and len(data) >= 9:
            x, y, unit = struct.unpack(">IIB", data[:9])
            out.meta("PNG:PixelsPerUnitX", x)
            out.meta("PNG:PixelsPerUnitY", y)
            out.meta("PNG:PixelUnits", unit)
        elif ctype == b"iCCP":
            out.meta("PNG:ProfileName", data.split(b"\x00", 1)[0].decode("latin-1"))
        elif ctype == b"bKGD" and data:
            vals = [data[0]] if len(data) < 2 else [
                v for (v,) in struct.iter_unpack(">H", data[: len(data) // 2 * 2])]
            out.meta("PNG:BackgroundColor", vals[0] if len(vals) == 1 else
                     " ".join(str(v) for v in vals))
        elif ctype == b"tIME":
            if len(data) < 7:
                out.warn(loc, "tIME shorter than 7 bytes")
                return
            y, mo, d, h, mi, s = struct.unpack(">HBBBBB", data[:7])
            text = f"{y:04d}:{mo:02d}:{d:02d} {h:02d}:{mi:02d}:{s:02d}"
            out.meta("PNG:ModifyDate", text)
            # The PNG specification says tIME is UTC.
            t = out.time(parse_exif, text, "png:tIME", loc, offset="+00:00")
            out.event("image:png", "Content Modified", t, location=loc)
        elif ctype == b"eXIf":
            tiff = data[6:] if data.startswith(b"Exif\x00") else data
            self._exif(bytearray(tiff), loc, out, st)
        else:
            self._png_text(ctype, data, loc, late, ctx, out, st)

    def _png_text(self, ctype: bytes, data: bytes, loc: str, late: bool, ctx: ParseContext,
                  out: Builder, st: _Found) -> None:
        keyword_b, sep, rest = data.partition(b"\x00")
        if not sep:
            out.warn(loc, "text chunk without the NUL after its keyword")
            return
        keyword = keyword_b.decode("latin-1")
        lang = trans = ""
        compressed, method = False, 0
        if ctype == b"tEXt":
            raw, enc = rest, "latin-1"
        elif ctype == b"zTXt":
            if not rest:
                out.warn(loc, "zTXt chunk without a compression method")
                return
            raw, enc, compressed, method = rest[1:], "latin-1", True, rest[0]
        else:  # iTXt
            if len(rest) < 2:
                out.warn(loc, "iTXt chunk too short")
                return
            compressed, method = rest[0] != 0, rest[1]
            parts = rest[2:].split(b"\x00", 2)
            if len(parts) < 3:
                out.warn(loc, "iTXt chunk without its language and translated-keyword fields")
                return
            lang = parts[0].decode("latin-1")
            trans = parts[1].decode("utf-8", errors="replace")
            raw, enc = parts[2], "utf-8"
        if compressed and method != 0:
            out.warn(loc, f"unknown compression method {method}; text not read")
            return
        if compressed:
            inflated = self._inflate(raw, loc, out)
            if inflated is None:
                return
            raw = inflated
        text = raw.decode(enc, errors="replace")
        if keyword == "XML:com.adobe.xmp":
            self._xmp(raw, loc, out, st)
            return
        if keyword.startswith("Raw profile type "):
            blob = _raw_profile(text)
            if blob is None:
                out.warn(loc, f"{keyword!r}: not the hex form ImageMagick writes")
            elif blob.startswith(b"Exif\x00") or blob[:4] in (b"II*\x00", b"MM\x00*"):
                self._exif(bytearray(blob[6:] if blob.startswith(b"Exif") else blob), loc,
                           out, st)
            elif blob.startswith(_XMP_APP1) or keyword.endswith(" xmp"):
                self._xmp(blob.removeprefix(_XMP_APP1), loc, out, st)
            return
        tag = _png_tag(keyword, lang)
        value = _png_date(text) if tag == "CreationTime" else (
            xmp_date(text) if tag in ("CreateDate", "ModDate") else text)
        out.meta(f"PNG:{tag}", value)
        out.record(PngText(out.origin, loc, chunk=ctype.decode("ascii"), keyword=keyword,
                           text=text, language=lang, translated_keyword=trans,
                           compressed=compressed, after_idat=late))
        if tag == "Software":
            st.software.append(text)
        if tag in ("CreationTime", "CreateDate") and re.match(r"\d{4}:\d{2}:\d{2}", value):
            t = out.time(parse_exif, value, f"png:{keyword}", loc, default_zone=ctx.default_zone)
            out.event("image:png", "Content Created", t, location=loc)

    @staticmethod
    def _inflate(raw: bytes, loc: str, out: Builder) -> bytes | None:
        d = zlib.decompressobj()
        try:
            data = d.decompress(raw, MAX_INFLATED_TEXT + 1)
        except zlib.error as exc:
            out.warn(loc, f"compressed text not readable: {exc}")
            return None
        if len(data) > MAX_INFLATED_TEXT:
            out.warn(loc, f"compressed text inflates past {MAX_INFLATED_TEXT} bytes; refused "
                          f"(possible decompression bomb)")
            return None
        if not d.eof:
            out.warn(loc, "compressed text ends early (truncated zlib stream); partial text kept")
        return data

    # -- WebP -------------------------------------------------------------------------------
    def _webp(self, fh: BinaryIO, ctx: ParseContext, out: Builder, st: _Found) -> None:
        fh.seek(4)
        riff_size = struct.unpack("<I", fh.read(4))[0]
        end = 8 + riff_size
        if end > ctx.size:
            out.warn("RIFF header", f"RIFF size {riff_size} runs past the end of the file "
                                    f"({ctx.size} bytes): truncated")
            end = ctx.size
        pos = 12
        for _ in range(MAX_BOXES):
            if pos + 8 > end:
                return
            fh.seek(pos)
            fourcc, length = struct.unpack("<4sI", fh.read(8))
            name = fourcc.decode("latin-1")
            loc = f"WebP {name.strip() or repr(name)} chunk at byte {pos}"
            stop = pos + 8 + length
            if stop > end:
                out.warn(loc, f"chunk declares {length} bytes, past the end of the RIFF data")
                return
            if fourcc in (b"VP8X", b"VP8 ", b"VP8L"):
                data = fh.read(min(length, 32))
                self._webp_size(fourcc, data, loc, out, st)
            elif fourcc in (b"EXIF", b"XMP "):
                if length > MAX_ITEM_BYTES:
                    out.warn(loc, f"{length} bytes is over the {MAX_ITEM_BYTES}-byte limit; "
                                  f"not read")
                elif fourcc == b"EXIF":
                    data = fh.read(length)
                    self._exif(bytearray(data[6:] if data.startswith(b"Exif\x00") else data),
                               loc, out, st)
                else:
                    self._xmp(fh.read(length), loc, out, st)
            pos = stop + (length & 1)
        out.warn(f"byte {pos}", f"more than {MAX_BOXES} chunks; the rest was not read")

    def _webp_size(self, fourcc: bytes, data: bytes, loc: str, out: Builder, st: _Found) -> None:
        if fourcc == b"VP8X" and len(data) >= 10:
            out.meta("RIFF:WebP_Flags", data[0])
            w = int.from_bytes(data[4:7], "little") + 1
            h = int.from_bytes(data[7:10], "little") + 1
        elif fourcc == b"VP8 " and len(data) >= 10 and data[3:6] == b"\x9d\x01\x2a":
            w = struct.unpack_from("<H", data, 6)[0] & 0x3FFF
            h = struct.unpack_from("<H", data, 8)[0] & 0x3FFF
        elif fourcc == b"VP8L" and len(data) >= 5 and data[0] == 0x2F:
            bits = struct.unpack_from("<I", data, 1)[0]
            w, h = (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        else:
            out.warn(loc, "image header not recognised; no size read")
            return
        self._size("RIFF", w, h, loc, out, st)

    # -- HEIF -------------------------------------------------------------------------------
    def _heif(self, fh: BinaryIO, ctx: ParseContext, out: Builder, st: _Found) -> None:
        size = ctx.size
        pos = 0
        meta: bytes | None = None
        meta_at = 0
        for _ in range(MAX_BOXES):
            if pos + 8 > size:
                break
            fh.seek(pos)
            hdr = fh.read(16)
            if len(hdr) < 8:
                break
            bsize, btype = struct.unpack(">I4s", hdr[:8])
            hlen = 8
            if bsize == 1:
                if len(hdr) < 16:
                    break
                bsize, hlen = struct.unpack(">Q", hdr[8:16])[0], 16
            elif bsize == 0:
                bsize = size - pos
            loc = f"box '{btype.decode('latin-1')}' at byte {pos}"
            if bsize < hlen:
                out.warn(loc, f"box size {bsize} is impossible; the rest was not read")
                return
            if btype == b"meta":
                if bsize - hlen > MAX_META_BYTES:
                    out.warn(loc, f"meta box of {bsize} bytes is over the {MAX_META_BYTES}-byte "
                                  f"limit; not read")
                    return
                fh.seek(pos + hlen)
                meta = fh.read(bsize - hlen)
                meta_at = pos + hlen
                if len(meta) < bsize - hlen:
                    out.warn(loc, "meta box runs past the end of the file: truncated")
                break
            pos += bsize
        if meta is None:
            out.warn("HEIF", "no meta box found: no item (EXIF, XMP, size) could be read")
            return
        _Heif(meta, meta_at, fh, size, out, self, st).read()

    # -- after every part is read --------------------------------------------------------
    def _finish(self, ctx: ParseContext, out: Builder, st: _Found) -> None:
        ex, xm = st.exif, st.xmp
        for k, v in ex.items():
            if k in ("GPSTimeStamp", "GPSDateStamp") or not k:
                continue
            out.meta(f"EXIF:{k}", v)
        if "GPSTimeStamp" in ex:
            out.meta("EXIF:GPSTimeStamp", ex["GPSTimeStamp"])
        if "GPSDateStamp" in ex:
            out.meta("EXIF:GPSDateStamp", ex["GPSDateStamp"])
        for k, v in xm.items():
            out.meta(f"XMP:{k}", v)
        if st.size:
            out.meta("Composite:ImageSize", f"{st.size[0]} {st.size[1]}")
        # ExifTool's GPS composites: the sign from the reference; GPSPosition = "lat lon".
        gps_dt = ""
        if isinstance(ex.get("GPSDateStamp"), str) and "GPSTimeStamp" in ex:
            gps_dt = f"{ex['GPSDateStamp']} {ex['GPSTimeStamp']}Z"
            out.meta("Composite:GPSDateTime", gps_dt)
        lat = _signed(ex.get("GPSLatitude"), ex.get("GPSLatitudeRef"), "S")
        lon = _signed(ex.get("GPSLongitude"), ex.get("GPSLongitudeRef"), "W")
        alt = ex.get("GPSAltitude")
        if isinstance(alt, float) and ex.get("GPSAltitudeRef"):
            alt = -alt  # reference 1: below sea level
        out.meta("Composite:GPSLatitude", lat)
        out.meta("Composite:GPSLongitude", lon)
        out.meta("Composite:GPSAltitude", alt if isinstance(alt, float) else None)
        if lat is not None and lon is not None:
            out.meta("Composite:GPSPosition", f"{lat:.15g} {lon:.15g}")
        if ex:
            def text(k: str) -> str:
                v = ex.get(k)
                return v if isinstance(v, str) else ""

            o = ex.get("Orientation")
            out.record(ImageExif(
                out.origin, st.exif_location, file_type=st.file_type, byte_order=st.byte_order,
                make=text("Make"), model=text("Model"), software=text("Software"),
                artist=text("Artist"), description=text("ImageDescription"),
                orientation=o if isinstance(o, int) else None,
                width=st.size[0] if st.size else None, height=st.size[1] if st.size else None,
                date_time_original=text("DateTimeOriginal"), create_date=text("CreateDate"),
                modify_date=text("ModifyDate"), offset_time_original=text("OffsetTimeOriginal"),
                offset_time_digitized=text("OffsetTimeDigitized"),
                offset_time=text("OffsetTime"), gps_latitude=lat, gps_longitude=lon,
                gps_altitude=alt if isinstance(alt, float) else None, gps_date_time=gps_dt))
        if xm or st.agents:
            out.record(ImageXmp(
                out.origin, st.xmp_location, creator_tool=xm.get("CreatorTool", ""),
                create_date=xm.get("CreateDate", ""), modify_date=xm.get("ModifyDate", ""),
                metadata_date=xm.get("MetadataDate", ""),
                date_time_original=xm.get("DateTimeOriginal", ""), make=xm.get("Make", ""),
                model=xm.get("Model", ""), history_agents=tuple(st.agents)))
        self._date_events(ctx, out, st)
        self._edit_flags(out, st)
        self._name_event(ctx, out)

    def _date_events(self, ctx: ParseContext, out: Builder, st: _Found) -> None:
        # (group, tag, text as written, offset written for it, sub-seconds, location)
        dates: list[tuple[str, str, str, str, str, str]] = []
        for tag in ("DateTimeOriginal", "CreateDate", "ModifyDate"):
            v = st.exif.get(tag)
            if isinstance(v, str):
                off = st.exif.get(_EXIF_OFFSET_TAG[tag])
                sub = st.exif.get(_EXIF_SUBSEC_TAG[tag])
                dates.append(("exif", tag, v, off if isinstance(off, str) else "",
                              sub if isinstance(sub, str) else "", st.exif_location))
        for tag in _XMP_DATES:
            v = st.xmp.get(tag)
            if v:
                m = _WALL_RE.fullmatch(v)
                dates.append(("xmp", tag, v, (m[3] or "") if m else "", "", st.xmp_location))
        walls = {}
        for d in dates:
            m = _WALL_RE.fullmatch(d[2])
            walls[d[:2]] = m[1] if m else None
        for group, tag, text, off, sub, loc in dates:
            desc, dtype = _DATE_EVENTS[(group, tag)]
            source = f"{group}:{tag}"
            offset = off.strip() or None
            if offset is None and walls[(group, tag)]:
                lend = self._lend_offset(group, tag, walls[(group, tag)], dates, walls)
                if lend:
                    offset, by = lend
                    source = f"{source}+{by}"
            if not re.match(r"\s*\d{4}:\d{2}:\d{2}", text):
                continue  # year-only or year-month XMP dates: kept as metadata, not an instant
            if group == "xmp" and offset and not off:
                text_for = f"{text}{offset}"  # zone lent from EXIF
                t = out.time(parse_exif, text_for, source, loc, default_zone=ctx.default_zone)
                if t is not None:
                    t = TimeValue(t.earliest, t.latest, text, t.source, t.precision, t.zone,
                                  t.zone_name)
            else:
                t = out.time(parse_exif, text, source, loc, offset=offset, subsec=sub or None,
                             default_zone=ctx.default_zone)
            if t is not None and "+" in source and not off.strip():
                # The offset was written for this clock reading by another tag, not by this
                # one: an inference, so the zone is assumed, and the name says from where.
                t = dataclasses.replace(t, zone=Zone.ASSUMED,
                                        zone_name=f"{offset} (from {source.split('+', 1)[1]})")
            out.event(dtype, desc, t, location=loc)

    @staticmethod
    def _lend_offset(group: str, tag: str, wall: str, dates: list, walls: dict
                     ) -> tuple[str, str] | None:
        """An offset written for the same wall-clock time elsewhere in the file, and by whom."""
        candidates = sorted(
            (d for d in dates if d[3] and walls.get(d[:2]) == wall and d[:2] != (group, tag)),
            key=lambda d: (d[0] == group, d[1] not in _PARTNERS.get(tag, ())))
        if not candidates:
            return None
        g, t, _text, off, _sub, _loc = candidates[0]
        by = "xmp:offset" if g == "xmp" else f"exif:{_EXIF_OFFSET_TAG.get(t, 'OffsetTime')}"
        return off.strip(), by

    @staticmethod
    def _edit_flags(out: Builder, st: _Found) -> None:
        values = []
        for v in (st.exif.get("Software"), st.xmp.get("CreatorTool"), *st.agents, *st.software):
            if isinstance(v, str) and v.strip() and v.strip() not in values:
                values.append(v.strip())
        for v in values:
            if editing_software(v):
                out.flag(f"edited: {v[:120]}")

    @staticmethod
    def _name_event(ctx: ParseContext, out: Builder) -> None:
        try:
            found = capture_time_from_name(ctx.name, default_zone=ctx.default_zone)
        except ValueError as exc:
            out.warn("file name", str(exc))
            return
        if found is None:
            return
        pattern, t = found
        out.record(ImageFileName(out.origin, "file name", name=ctx.name, pattern=pattern, time=t))
        out.event("image:filename", "Capture Time (file name)", t, location="file name",
                  text=pattern)


def _heif_brand(head: bytes) -> bytes | None:
    """The first HEIF/AVIF brand among an ``ftyp`` box's major and compatible brands."""
    end = min(struct.unpack(">I", head[:4])[0], len(head))
    brands = [head[8:12], *(head[i:i + 4] for i in range(16, end - 3, 4))]
    return next((b for b in brands if b in _HEIF_TYPES), None)


def _signed(value: Scalar, ref: Scalar, negative: str) -> float | None:
    """ExifTool's Composite:GPSLatitude/GPSLongitude: needs the reference; S or W is negative."""
    if not isinstance(value, float) or not isinstance(ref, str) or not ref:
        return None
    return -value if ref.upper().startswith(negative) else value


def _segment(marker: int, pos: int) -> str:
    """The location of a JPEG segment: ``APP1 segment at byte 2``."""
    return f"{_marker_name(marker)} segment at byte {pos}"


def _marker_name(marker: int) -> str:
    if 0xE0 <= marker <= 0xEF:
        return f"APP{marker - 0xE0}"
    if marker in _SOF:
        return f"SOF{marker - 0xC0}"
    return {0xDB: "DQT", 0xC4: "DHT", 0xDD: "DRI", 0xFE: "COM", 0xDA: "SOS"}.get(
        marker, f"marker 0x{marker:02X}")


class _Cursor:
    """Big-endian numbers read in order from ``b[q:end]``; past the end raises struct.error."""

    def __init__(self, b: bytes, q: int, end: int) -> None:
        self.b, self.q, self.end = b, q, end

    def u(self, width: int) -> int:
        if self.q + width > self.end:
            raise struct.error(f"field at byte {self.q} runs past the end of the box")
        v = int.from_bytes(self.b[self.q:self.q + width], "big")
        self.q += width
        return v


class _Heif:
    """The items of a HEIF ``meta`` box: where the Exif and XMP items are, the primary size."""

    def __init__(self, meta: bytes, meta_at: int, fh: BinaryIO, size: int, out: Builder,
                 parser: ImageParser, st: _Found) -> None:
        self.b, self.at, self.fh, self.size = meta, meta_at, fh, size
        self.out, self.parser, self.st = out, parser, st
        self.items: dict[int, tuple[bytes, str]] = {}  # id -> (type, content type)
        self.locs: dict[int, tuple[int, list[tuple[int, int]]]] = {}  # id -> (method, extents)
        self.props: list[tuple[bytes, int, int]] = []
        self.assoc: dict[int, list[int]] = {}
        self.primary: int | None = None
        self.idat: tuple[int, int] | None = None

    def _boxes(self, start: int, end: int) -> list[tuple[bytes, int, int, int]]:
        """(type, payload start, payload end, box start) of the boxes in ``b[start:end]``."""
        found = []
        p = start
        while p + 8 <= end and len(found) < MAX_BOXES:
            sz, typ = struct.unpack_from(">I4s", self.b, p)
            h = 8
            if sz == 1:
                if p + 16 > end:
                    break
                sz, h = struct.unpack_from(">Q", self.b, p + 8)[0], 16
            elif sz == 0:
                sz = end - p
            if sz < h or p + sz > end:
                self.out.warn(f"box '{typ.decode('latin-1')}' at byte {self.at + p}",
                              f"box size {sz} does not fit its parent; the rest was not read")
                break
            found.append((typ, p + h, p + sz, p))
            p += sz
        return found

    def read(self) -> None:
        b = self.b
        for typ, s, e, start in self._boxes(4, len(b)):
            try:
                if typ == b"pitm":
                    cur = _Cursor(b, s, e)
                    version = cur.u(4) >> 24
                    self.primary = cur.u(2 if version == 0 else 4)
                elif typ == b"iinf":
                    self._iinf(s, e)
                elif typ == b"iloc":
                    self._iloc(s, e)
                elif typ == b"iprp":
                    self._iprp(s, e)
                elif typ == b"idat":
                    self.idat = (s, e)
            except (struct.error, IndexError) as exc:
                self.out.warn(f"box '{typ.decode('latin-1')}' at byte {self.at + start}",
                              f"box not readable ({exc}); skipped")
        self._size()
        for item_id, (itype, ctype) in sorted(self.items.items()):
            loc = f"HEIF item {item_id} ({itype.decode('latin-1').strip() or '?'})"
            if itype == b"Exif":
                data = self._data(item_id, loc)
                if data is None:
                    continue
                if len(data) < 4:
                    self.out.warn(loc, "Exif item shorter than its 4-byte header offset")
                    continue
                skip = struct.unpack_from(">I", data, 0)[0]
                tiff = data[4 + skip:] if 4 + skip < len(data) else b""
                if tiff[:4] not in (b"II*\x00", b"MM\x00*"):
                    found = max(data.find(b"II*\x00", 0, 64), data.find(b"MM\x00*", 0, 64))
                    tiff = data[found:] if found >= 0 else tiff
                self.parser._exif(bytearray(tiff), loc, self.out, self.st)
            elif itype == b"mime" and "rdf+xml" in ctype:
                data = self._data(item_id, loc)
                if data is not None:
                    self.parser._xmp(data, loc, self.out, self.st)

    def _iinf(self, s: int, e: int) -> None:
        b = self.b
        start = s + (6 if b[s] == 0 else 8)
        for typ, ps, pe, _p in self._boxes(start, e):
            if typ != b"infe" or pe - ps < 8:
                continue
            version = b[ps]
            if version >= 2:
                if version == 2:  # id u16, protection index u16, type
                    item_id = struct.unpack_from(">H", b, ps + 4)[0]
                    q = ps + 12
                else:  # id u32, protection index u16, type
                    item_id = struct.unpack_from(">I", b, ps + 4)[0]
                    q = ps + 14
                itype = bytes(b[q - 4:q])
                name_end = b.find(b"\x00", q, pe)
                ctype = ""
                if itype == b"mime" and name_end >= 0:
                    ct_end = b.find(b"\x00", name_end + 1, pe)
                    ctype = bytes(b[name_end + 1:ct_end if ct_end >= 0 else pe]).decode(
                        "latin-1").lower()
                self.items[item_id] = (itype, ctype)
            else:
                item_id = struct.unpack_from(">H", b, ps + 4)[0]
                name_end = b.find(b"\x00", ps + 8, pe)
                ct_end = b.find(b"\x00", name_end + 1, pe) if name_end >= 0 else -1
                ctype = bytes(b[name_end + 1:ct_end if ct_end >= 0 else pe]).decode(
                    "latin-1").lower() if name_end >= 0 else ""
                self.items[item_id] = (b"mime", ctype)

    def _iloc(self, s: int, e: int) -> None:
        cur = _Cursor(self.b, s, e)
        version = cur.u(1)
        cur.u(3)  # flags
        sizes = cur.u(2)
        off_size, len_size, base_size = sizes >> 12, (sizes >> 8) & 0xF, (sizes >> 4) & 0xF
        idx_size = sizes & 0xF if version in (1, 2) else 0
        for width in (off_size, len_size, base_size, idx_size):
            if width not in (0, 4, 8):
                raise struct.error(f"iloc field width {width} is not 0, 4 or 8")
        budget = MAX_BOXES  # extents in all (zero-width fields would cost no bytes)
        for _ in range(min(cur.u(2 if version < 2 else 4), MAX_BOXES)):
            item_id = cur.u(4 if version == 2 else 2)
            method = cur.u(2) & 0xF if version in (1, 2) else 0
            cur.u(2)  # data reference index
            base = cur.u(base_size)
            extents = []
            n_ext = cur.u(2)
            budget -= n_ext
            if budget < 0:
                raise struct.error(f"more than {MAX_BOXES} extents")
            for _ in range(n_ext):
                cur.u(idx_size)
                extents.append((base + cur.u(off_size), cur.u(len_size)))
            self.locs[item_id] = (method, extents)

    def _iprp(self, s: int, e: int) -> None:
        b = self.b
        for typ, ps, pe, _p in self._boxes(s, e):
            if typ == b"ipco":
                self.props = [(t, a, z) for t, a, z, _ in self._boxes(ps, pe)]
            elif typ == b"ipma":
                cur = _Cursor(b, ps, pe)
                version, flags = cur.u(1), cur.u(3)
                for _ in range(min(cur.u(4), MAX_BOXES)):
                    item_id = cur.u(2 if version < 1 else 4)
                    if flags & 1:
                        self.assoc[item_id] = [cur.u(2) & 0x7FFF for _ in range(cur.u(1))]
                    else:
                        self.assoc[item_id] = [cur.u(1) & 0x7F for _ in range(cur.u(1))]

    def _size(self) -> None:
        b = self.b
        indices = self.assoc.get(self.primary, []) if self.primary is not None else []
        for i in indices:
            if 1 <= i <= len(self.props):
                typ, ps, pe = self.props[i - 1]
                if typ == b"ispe" and pe - ps >= 12:
                    w, h = struct.unpack_from(">II", b, ps + 4)
                    self.parser._size("File", w, h, f"HEIF ispe property {i}",
                                      self.out, self.st)
                    return
        if self.primary is not None and self.props:
            self.out.warn("HEIF", f"no image size (ispe) associated with primary item "
                                  f"{self.primary}")

    def _data(self, item_id: int, loc: str) -> bytes | None:
        if item_id not in self.locs:
            self.out.warn(loc, "item has no location (iloc entry)")
            return None
        method, extents = self.locs[item_id]
        total = sum(n for _, n in extents)
        if total > MAX_ITEM_BYTES:
            self.out.warn(loc, f"item of {total} bytes is over the {MAX_ITEM_BYTES}-byte limit; "
                               f"not read")
            return None
        parts = []
        for off, n in extents:
            if method == 0:
                if off + n > self.size or (n == 0 and off > self.size):
                    self.out.warn(loc, f"extent at byte {off} ({n} bytes) runs past the end of "
                                       f"the file")
                    return None
                self.fh.seek(off)
                parts.append(self.fh.read(n if n else min(self.size - off, MAX_ITEM_BYTES)))
            elif method == 1 and self.idat:
                s, e = self.idat
                if s + off + n > e:
                    self.out.warn(loc, "extent runs past the end of the idat box")
                    return None
                parts.append(bytes(self.b[s + off:s + off + n]))
            else:
                self.out.warn(loc, f"item construction method {method} is not read")
                return None
        return b"".join(parts)


PARSERS: tuple[type[Parser], ...] = (ImageParser,)
