"""QuickTime and ISO base media files (MOV, MP4, 3GP, 3G2, M4V): container metadata and times.

Format: ISO/IEC 14496-12 (ISO base media file format; ``ftyp``, ``moov``, ``mvhd``, ``tkhd``,
``mdhd``, ``hdlr``, ``stsd``, ``stts``, ``meta``), Apple's QuickTime File Format
(https://developer.apple.com/documentation/quicktime-file-format: 1904 epoch, ``udta`` ``©xxx``
items, the ``keys``/``ilst`` metadata of iPhones and macOS), 3GPP TS 26.244 (``loci`` and the
other ``udta`` strings of Android/3GP files) and ISO 6709 (``+39.0513-094.2887+250.202/``).

Why a hand-written atom walker rather than a library: hachoir is large and stops on the broken
sizes evidence files have; pymediainfo needs the MediaInfo C library; neither reports the raw
1904-epoch seconds, so neither can give *both* readings of ``mvhd`` CreateDate (UTC as the spec
says, local wall time as many cameras write).  The walker here is bounded: atom sizes 0 (to the
end) and 1 (64-bit) are honoured, sizes past the end are clamped and reported (ExifTool's
"Truncated 'xxxx' data"), nesting stops at :data:`MAX_DEPTH`, at most :data:`MAX_ATOMS` atoms are
visited and :data:`MAX_METADATA_BYTES` bytes read, and ``mdat`` (and ``moof`` fragments) are
skipped without reading.

Metadata keys use ExifTool's ``-G -n`` names and forms, including its "later tag wins" rule
(track-header tags: the first track wins, as ExifTool's ``Priority 0``).  ``QuickTime:CreateDate``
is ``"0000:00:00 00:00:00"`` when the field is 0, and out-of-range years are still written in
ExifTool's form (``42603:05:04 04:12:48``), computed here on the proleptic Gregorian calendar.

Events (data type ``video:quicktime``): ``Container Created``/``Container Modified`` from
``mvhd``, each twice: the UTC reading (source ``quicktime:mvhd.CreateDate``, zone explicit by
spec) and the wall-time reading in the case zone (source ``quicktime:mvhd.CreateDate(local)``,
zone assumed), for the timeline to compare with other clocks.  0 means "not set" (no event).
``Track Created`` for track dates that differ from the movie's, ``Device Creation Date`` from
Apple's ``com.apple.quicktime.creationdate`` (with its written offset), ``Content Created``
from ``©day`` and from XMP.

Examples
--------
>>> exiftool_qt_date(3501794363)
'2014:12:19 00:39:23'
>>> exiftool_qt_date(0), exiftool_qt_date(0x12b090d1740)
('0000:00:00 00:00:00', '42603:05:04 04:12:48')
>>> iso6709("+39.0513-094.2887+250.202/")
(39.0513, -94.2887, 250.202)
"""

from __future__ import annotations

import io
import math
import re
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, BinaryIO, ClassVar

from forensics.errors import WrongFormat
from forensics.parsers.base import Builder, ParseContext, Parser
from forensics.parsers.pdf import exiftool_xmp_date, json_value, read_xmp
from forensics.records import Record, Scalar
from forensics.timestamps import (
    QUICKTIME_EPOCH_OFFSET,
    Precision,
    TimeValue,
    from_quicktime,
    parse_iso8601,
    parse_pdf_date,
    parse_wall,
)

__all__ = [
    "MAX_ATOMS",
    "MAX_DEPTH",
    "MAX_LEAF_BYTES",
    "MAX_METADATA_BYTES",
    "PARSERS",
    "QuickTimeParser",
    "VideoContainer",
    "exiftool_qt_date",
    "iso6709",
]

#: Deepest nesting of atoms followed.
MAX_DEPTH = 32
#: Atoms visited at most in one file (a fragmented recording has a few per second).
MAX_ATOMS = 100_000
#: Bytes of metadata atoms read at most in one file (``mdat`` is never read).
MAX_METADATA_BYTES = 8 * 1024 * 1024
#: Largest single metadata atom read (a larger one is skipped with a warning).
MAX_LEAF_BYTES = 2 * 1024 * 1024
#: Latest year a QuickTime date may decode to and still be a time (``datetime`` stops at 9999).
MAX_YEAR = 9999

_DATA_TYPE = "video:quicktime"
#: Atom types a QuickTime/MP4 file may start with (older cameras have no 'ftyp').
_FIRST_ATOMS = {b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot", b"uuid", b"junk",
                b"meta", b"moof", b"styp", b"sidx", b"PICT"}
_XMP_UUID = bytes.fromhex("be7acfcb97a942e89c71999491e3afac")
_BINARY = "(Binary data {} bytes, use -b option to extract)"

#: ExifTool's file type from the major brand (its ``%ftypLookup`` extensions).
_FILE_TYPES = {
    b"qt  ": "MOV", b"M4V ": "M4V", b"M4VH": "M4V", b"M4VP": "M4V", b"M4A ": "M4A",
    b"M4B ": "M4B", b"M4P ": "M4P", b"F4V ": "F4V", b"f4v ": "F4V", b"crx ": "CRX",
    b"isom": "MP4", b"iso2": "MP4", b"iso3": "MP4", b"iso4": "MP4", b"iso5": "MP4",
    b"iso6": "MP4", b"mp41": "MP4", b"mp42": "MP4", b"avc1": "MP4", b"mp71": "MP4",
    b"dash": "MP4", b"MSNV": "MP4", b"NDAS": "MP4", b"NDSC": "MP4", b"NDSH": "MP4",
    b"NDSM": "MP4", b"NDSP": "MP4", b"NDSS": "MP4", b"NDXC": "MP4", b"NDXH": "MP4",
    b"NDXM": "MP4", b"NDXP": "MP4", b"NDXS": "MP4", b"XAVC": "MP4",
}

#: ``udta`` ``©xxx`` items (ExifTool's UserData table, the usual ones).
_UDTA_NAMES = {
    b"\xa9ART": "Artist", b"\xa9alb": "Album", b"\xa9cmt": "Comment", b"\xa9com": "Composer",
    b"\xa9cpy": "Copyright", b"\xa9day": "ContentCreateDate", b"\xa9des": "Description",
    b"\xa9dir": "Director", b"\xa9enc": "EncoderID", b"\xa9fmt": "Format", b"\xa9gen": "Genre",
    b"\xa9grp": "Grouping", b"\xa9inf": "Information", b"\xa9lyr": "Lyrics", b"\xa9mak": "Make",
    b"\xa9mod": "Model", b"\xa9nam": "Title", b"\xa9prd": "Producer", b"\xa9req": "Requirements",
    b"\xa9src": "SourceCredits", b"\xa9swr": "SoftwareVersion", b"\xa9too": "Encoder",
    b"\xa9trk": "Track", b"\xa9wrt": "Composer", b"\xa9xyz": "GPSCoordinates",
    b"\xa9mdl": "Model",
}
#: 3GPP ``udta`` strings (flags, 2-byte language, text).
_3GP_NAMES = {
    b"titl": "Title", b"auth": "Author", b"dscp": "Description", b"cprt": "Copyright",
    b"perf": "Performer", b"gnre": "Genre", b"albm": "Album", b"coll": "CollectionName",
}
#: ``ilst`` items of iTunes-style metadata (ExifTool's ItemList table, the usual ones).
_ILST_NAMES = {
    b"\xa9nam": "Title", b"\xa9ART": "Artist", b"aART": "AlbumArtist", b"\xa9alb": "Album",
    b"\xa9cmt": "Comment", b"\xa9day": "ContentCreateDate", b"\xa9gen": "Genre",
    b"\xa9grp": "Grouping", b"\xa9lyr": "Lyrics", b"\xa9too": "Encoder", b"\xa9wrt": "Composer",
    b"\xa9enc": "EncodedBy", b"\xa9mak": "Make", b"\xa9mod": "Model", b"\xa9swr": "SoftwareVersion",
    b"\xa9xyz": "GPSCoordinates", b"\xa9des": "Description", b"cprt": "Copyright",
    b"desc": "Description", b"ldes": "LongDescription", b"trkn": "TrackNumber",
    b"disk": "DiskNumber", b"tmpo": "BeatsPerMinute", b"covr": "CoverArt", b"cpil": "Compilation",
    b"keyw": "Keyword", b"catg": "Category", b"tvsh": "TVShow", b"purl": "PodcastURL",
}
#: Apple ``keys`` (``mdta``) names (ExifTool's Keys table, the usual ones).
_KEY_NAMES = {
    "com.apple.quicktime.make": "Make", "com.apple.quicktime.model": "Model",
    "com.apple.quicktime.software": "Software",
    "com.apple.quicktime.creationdate": "CreationDate",
    "com.apple.quicktime.location.ISO6709": "GPSCoordinates",
    "com.apple.quicktime.location.name": "LocationName",
    "com.apple.quicktime.location.body": "LocationBody",
    "com.apple.quicktime.location.note": "LocationNote",
    "com.apple.quicktime.location.role": "LocationRole",
    "com.apple.quicktime.location.date": "LocationDate",
    "com.apple.quicktime.location.accuracy.horizontal": "LocationAccuracyHorizontal",
    "com.apple.quicktime.content.identifier": "ContentIdentifier",
    "com.apple.quicktime.displayname": "DisplayName",
    "com.apple.quicktime.camera.identifier": "CameraIdentifier",
    "com.apple.quicktime.camera.lens_model": "LensModel",
    "com.apple.quicktime.live-photo.auto": "LivePhotoAuto",
    "com.android.version": "AndroidVersion", "com.android.capture.fps": "AndroidCaptureFPS",
    "com.android.manufacturer": "AndroidMake", "com.android.model": "AndroidModel",
}
#: Tags whose values are ISO 8601 dates that ExifTool rewrites to its colon form.
_ISO_DATE_TAGS = {"CreationDate", "ContentCreateDate", "LocationDate", "DateTimeOriginal"}
#: ISO 639-2 codes ExifTool treats as the default language (no suffix on the tag name).
_DEFAULT_LANGS = {"eng", "und"}
#: Macintosh language codes (the common ones) used in ``udta``/``ilst`` locale fields.
_MAC_LANGS = {1: "fr", 2: "de", 3: "it", 4: "nl", 5: "sv", 6: "es", 7: "da", 8: "pt", 9: "no",
              10: "he", 11: "ja", 12: "ar", 13: "fi", 14: "el", 17: "tr", 19: "zh-TW",
              23: "ko", 25: "ru", 33: "zh-CN"}


@dataclass(frozen=True, slots=True)
class VideoContainer(Record):
    """One QuickTime/MP4 file: brand, movie header times, tracks, device and place."""

    data_type: ClassVar[str] = _DATA_TYPE
    file_type: str = ""
    major_brand: str = ""
    compatible_brands: tuple[str, ...] = ()
    movie_header_version: int | None = None
    create_date_raw: int | None = None  # seconds since 1904-01-01 as stored; 0 = not set
    modify_date_raw: int | None = None
    create_date: str = ""  # ExifTool form, UTC by spec
    modify_date: str = ""
    duration: float | None = None  # seconds
    track_handlers: tuple[str, ...] = ()  # "vide", "soun", ... in file order
    image_width: int | None = None
    image_height: int | None = None
    compressor_id: str = ""
    compressor_name: str = ""
    audio_format: str = ""
    make: str = ""
    model: str = ""
    software: str = ""
    encoder: str = ""
    device_creation_date: TimeValue | None = None
    gps_latitude: float | None = None
    gps_longitude: float | None = None
    gps_altitude: float | None = None
    media_data_size: int | None = None
    fragmented: bool = False
    truncated: bool = False


# -- value forms --------------------------------------------------------------------------------

def _civil(days: int) -> tuple[int, int, int]:
    """Proleptic Gregorian (year, month, day) of a day count from 1970-01-01 (any year)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if m <= 2 else 0), m, d


def _unix_string(unix: int) -> str:
    days, secs = divmod(unix, 86400)
    y, m, d = _civil(days)
    return f"{y:04d}:{m:02d}:{d:02d} {secs // 3600:02d}:{secs % 3600 // 60:02d}:{secs % 60:02d}"


def exiftool_qt_date(seconds: int) -> str:
    """A QuickTime date (seconds since 1904) as ExifTool prints it with ``-n``.

    0 gives ``0000:00:00 00:00:00``; a value below the 1904->1970 offset is read as Unix time,
    as ExifTool does ("Patched incorrect time zero"); any year is written, even past 9999.

    >>> exiftool_qt_date(1000)
    '1970:01:01 00:16:40'
    """
    if seconds == 0:
        return "0000:00:00 00:00:00"
    unix = seconds - QUICKTIME_EPOCH_OFFSET if seconds >= QUICKTIME_EPOCH_OFFSET else seconds
    return _unix_string(unix)


def _year(seconds: int) -> int:
    return _civil((seconds - QUICKTIME_EPOCH_OFFSET) // 86400)[0]


def _perl(x: float) -> str:
    """A number as Perl prints it (15 significant digits, no trailing ``.0``)."""
    if x == int(x) and abs(x) < 1e15:
        return str(int(x))
    return format(x, ".15g")


def _number(x: float) -> int | float:
    """Integral floats as ints, as ``exiftool -json`` prints them."""
    return int(x) if x == int(x) and abs(x) < 1e15 else x


def iso6709(text: str) -> tuple[float, float, float | None] | None:
    """Latitude, longitude (signed degrees) and altitude from an ISO 6709 string, or None.

    >>> iso6709("+3723.2567-12204.9917/")
    (37.387611666666665, -122.083195, None)
    """
    m = re.match(r"([-+]\d{1,2}(?:\.\d*)?)([-+]\d{1,3}(?:\.\d*)?)([-+]\d+(?:\.\d*)?)?(?=/|$)", text)
    if m:
        lat, lon = float(m[1]), float(m[2])
        alt = float(m[3]) if m[3] else None
    else:
        m = re.match(r"([-+])(\d{2})(\d{2}(?:\.\d*)?)([-+])(\d{3})(\d{2}(?:\.\d*)?)"
                     r"([-+]\d+(?:\.\d*)?)?", text)
        if m:
            lat = int(m[2]) + float(m[3]) / 60
            lon = int(m[5]) + float(m[6]) / 60
        else:
            m = re.match(r"([-+])(\d{2})(\d{2})(\d{2}(?:\.\d*)?)([-+])(\d{3})(\d{2})"
                         r"(\d{2}(?:\.\d*)?)([-+]\d+(?:\.\d*)?)?", text)
            if not m:
                return None
            lat = int(m[2]) + int(m[3]) / 60 + float(m[4]) / 3600
            lon = int(m[6]) + int(m[7]) / 60 + float(m[8]) / 3600
            lat, lon = (-lat if m[1] == "-" else lat), (-lon if m[5] == "-" else lon)
            alt = float(m[9]) if m[9] else None
            return _gps_checked(lat, lon, alt)
        lat, lon = (-lat if m[1] == "-" else lat), (-lon if m[4] == "-" else lon)
        alt = float(m[7]) if m[7] else None
    return _gps_checked(lat, lon, alt)


def _gps_checked(lat: float, lon: float, alt: float | None) -> tuple[float, float, float | None] | None:
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon, alt


def _iso_date(text: str) -> str:
    """ExifTool's ``%iso8601Date`` conversion (``2014-12-19T07:39:06+0700`` -> ``...+07:00``)."""
    val = exiftool_xmp_date(text)
    return re.sub(r"([-+]\d{2})(\d{2})$", r"\1:\2", val)


def _fourcc(b: bytes) -> str:
    return b.decode("latin-1")


def _printable_type(kind: bytes) -> str:
    return "".join(chr(c) if 0x20 <= c < 0x7F or c == 0xA9 else f"\\x{c:02x}" for c in kind)


def _decode(raw: bytes, mac: bool = False) -> str:
    if mac:
        return raw.decode("mac_roman")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _lang(code: int) -> str | None:
    """A packed ISO 639-2 (or Macintosh) language code; None for the default language."""
    if code == 0 or code == 0x7FFF:
        return None
    if code < 0x400:
        return _MAC_LANGS.get(code)
    text = "".join(chr(((code >> s) & 0x1F) + 0x60) for s in (10, 5, 0))
    if not text.isalpha() or not text.islower() or text in _DEFAULT_LANGS:
        return None
    return text


# -- the walker ---------------------------------------------------------------------------------

@dataclass(slots=True)
class _Atom:
    kind: bytes
    start: int
    header: int
    size: int
    truncated: bool = False  # clamped to the end of its parent (reported once, at the top)

    @property
    def body(self) -> int:
        return self.start + self.header

    @property
    def end(self) -> int:
        return self.start + self.size

    @property
    def where(self) -> str:
        return f"'{_printable_type(self.kind)}' atom at byte {self.start}"


@dataclass(slots=True)
class _Track:
    index: int
    handler: str = ""
    media_timescale: int = 0
    matrix: tuple[float, ...] = ()
    create_raw: int = 0
    tkhd_at: int = 0


@dataclass(slots=True)
class _State:
    timescale: int = 0
    tracks: list[_Track] = field(default_factory=list)
    track: _Track | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    mdat_total: int = 0
    mdat_seen: bool = False
    moov_seen: bool = False
    atoms: int = 0
    read: int = 0
    over_budget: bool = False
    gps: tuple[float, float, float | None] | None = None


class _Walker:
    def __init__(self, fh: BinaryIO, size: int, ctx: ParseContext, out: Builder) -> None:
        self.fh, self.size, self.ctx, self.out = fh, size, ctx, out
        self.s = _State()
        #: parent atom type (None: the file) -> child atom type -> handler; others are skipped.
        self._table: dict[bytes | None, dict[bytes, Any]] = {
            None: {b"ftyp": self.ftyp, b"moov": self.moov, b"mdat": self.mdat, b"meta": self.meta,
                   b"uuid": self.uuid, b"moof": self.moof, b"udta": self.container},
            b"moov": {b"mvhd": self.mvhd, b"trak": self.trak, b"udta": self.container,
                      b"meta": self.meta, b"uuid": self.uuid, b"mvex": self.moof},
            b"trak": {b"tkhd": self.tkhd, b"mdia": self.container, b"udta": self.container,
                      b"meta": self.meta, b"tapt": self.container, b"uuid": self.uuid},
            b"mdia": {b"mdhd": self.mdhd, b"hdlr": self.hdlr, b"minf": self.container},
            b"minf": {b"vmhd": self.vmhd, b"smhd": self.smhd, b"hdlr": self.hdlr,
                      b"stbl": self.container},
            b"stbl": {b"stsd": self.stsd, b"stts": self.stts},
            b"tapt": {b"clef": self.aperture, b"prof": self.aperture, b"enof": self.aperture},
        }

    # -- reading ------------------------------------------------------------------------------
    def _peek(self, pos: int, n: int) -> bytes:
        self.fh.seek(pos)
        return self.fh.read(n)

    def _payload(self, atom: _Atom, limit: int = MAX_LEAF_BYTES) -> bytes | None:
        n = atom.size - atom.header
        if n > limit:
            self.out.warn(atom.where, f"{n} bytes, over the {limit}-byte limit for a metadata "
                                      f"atom; skipped")
            return None
        if self.s.read + n > MAX_METADATA_BYTES:
            if not self.s.over_budget:
                self.out.warn(atom.where, f"more than {MAX_METADATA_BYTES} bytes of metadata "
                                          f"atoms; the rest is not read")
                self.s.over_budget = True
            return None
        self.s.read += n
        data = self._peek(atom.body, n)
        if len(data) < n:
            self.out.warn(atom.where, f"only {len(data)} of {n} bytes could be read")
        return data

    def atoms(self, start: int, end: int, depth: int, parent: str,
              cut: bool = False) -> Iterator[_Atom]:
        """The atoms between ``start`` and ``end``, sizes checked against the space left.

        ``cut`` says the parent was itself cut short (already reported): its last child is
        clamped without a second warning.
        """
        pos = start
        while pos + 8 <= end:
            if self.s.atoms >= MAX_ATOMS:
                if self.s.atoms == MAX_ATOMS:
                    self.out.warn(f"byte {pos}", f"more than {MAX_ATOMS} atoms; the rest is "
                                                 f"not read")
                    self.s.atoms += 1
                return
            self.s.atoms += 1
            head = self._peek(pos, 16)
            if len(head) < 8:
                return
            size, kind = struct.unpack(">I4s", head[:8])
            header = 8
            if size == 1:
                if len(head) < 16:
                    self.out.warn(f"byte {pos}", f"atom '{_printable_type(kind)}' has a 64-bit "
                                                 f"size cut off by the end of the file")
                    self.s.fields["truncated"] = True
                    return
                size = struct.unpack(">Q", head[8:16])[0]
                header = 16
                if size < 16:
                    self.out.warn(f"byte {pos}", f"atom '{_printable_type(kind)}' has a 64-bit "
                                                 f"size of {size}, less than its header; rest of "
                                                 f"{parent} skipped")
                    return
            elif size == 0:
                size = end - pos
            elif size < 8:
                if kind == b"\x00\x00\x00\x00":
                    return  # zero padding at the end of a container
                self.out.warn(f"byte {pos}", f"atom '{_printable_type(kind)}' has a size of "
                                             f"{size}, less than its 8-byte header; rest of "
                                             f"{parent} skipped")
                return
            if pos + size > end:
                if not cut:
                    self.out.warn(f"byte {pos}", f"Truncated '{_printable_type(kind)}' data: the "
                                                 f"atom claims {size} bytes but only {end - pos} "
                                                 f"remain in {parent}")
                self.s.fields["truncated"] = True
                yield _Atom(kind, pos, header, end - pos, True)
                return
            yield _Atom(kind, pos, header, size)
            pos += size

    # -- tags ---------------------------------------------------------------------------------
    def tag(self, name: str, value: Scalar, *, first: bool = False, group: str = "QuickTime") -> None:
        """ExifTool's rule: a later tag of the same name wins, unless ``first`` (Priority 0)."""
        self.out.meta(f"{group}:{name}", value, overwrite=not first)

    # -- top level ----------------------------------------------------------------------------
    def walk(self) -> None:
        for atom in self.atoms(0, self.size, 0, "the file"):
            self.dispatch(atom, None, 0)

    def dispatch(self, atom: _Atom, parent: bytes | None, depth: int) -> None:
        if depth >= MAX_DEPTH:
            self.out.warn(atom.where, f"nested deeper than {MAX_DEPTH} atoms; not read")
            return
        k = atom.kind
        try:
            handler = self._handler(k, parent)
            if handler is not None:
                handler(atom, depth)
        except (struct.error, ValueError, IndexError, OverflowError, UnicodeError) as exc:
            self.out.warn(atom.where, f"cannot decode: {type(exc).__name__}: {exc}")

    def _handler(self, k: bytes, parent: bytes | None) -> Any:
        if parent == b"udta":
            return self.udta_item
        return self._table.get(parent, {}).get(k)

    def container(self, atom: _Atom, depth: int) -> None:
        for child in self.atoms(atom.body, atom.end, depth + 1, atom.where, atom.truncated):
            self.dispatch(child, atom.kind, depth + 1)

    def moov(self, atom: _Atom, depth: int) -> None:
        if self.s.moov_seen:
            self.out.warn(atom.where, "a second 'moov' atom (the first one's values are kept "
                                      "where ExifTool keeps them)")
        self.s.moov_seen = True
        self.container(atom, depth)

    def moof(self, atom: _Atom, depth: int) -> None:
        self.s.fields["fragmented"] = True

    def mdat(self, atom: _Atom, depth: int) -> None:
        n = atom.size - atom.header
        if not self.s.mdat_seen:
            self.tag("MediaDataSize", n, first=True)
            self.tag("MediaDataOffset", atom.body, first=True)
            self.s.fields["media_data_size"] = n
        self.s.mdat_seen = True
        self.s.mdat_total += n

    def ftyp(self, atom: _Atom, depth: int) -> None:
        data = self._payload(atom, 4096)
        if data is None or len(data) < 4:
            self.out.warn(atom.where, "too short for a major brand")
            return
        major = data[:4]
        self.s.fields["major_brand"] = _fourcc(major)
        self.tag("MajorBrand", _fourcc(major))
        if len(data) >= 8:
            n, c1, c2 = struct.unpack(">HBB", data[4:8])
            self.tag("MinorVersion", f"{n:x}.{c1:x}.{c2:x}")
        brands = [data[i:i + 4] for i in range(8, len(data) - 3, 4)][:64]
        brands = [b for b in brands if b != b"\x00\x00\x00\x00"]
        if brands:
            self.s.fields["compatible_brands"] = tuple(_fourcc(b) for b in brands)
            self.tag("CompatibleBrands", ", ".join(_fourcc(b) for b in brands))
        file_type = _FILE_TYPES.get(major)
        if file_type is None:
            if major[:3] in (b"3gp", b"3ge", b"3gg", b"3gr", b"3gs", b"3gt"):
                file_type = "3GP"
            elif major[:3] == b"3g2":
                file_type = "3G2"
            elif any(b in (b"mp41", b"mp42", b"avc1") for b in brands):
                file_type = "MP4"
            elif b"f4v " in brands:
                file_type = "F4V"
            elif b"qt  " in brands:
                file_type = "MOV"
            else:
                file_type = "MP4"
        self.s.fields.setdefault("file_type", file_type)

    # -- movie and track headers --------------------------------------------------------------
    def mvhd(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 4096)
        if p is None or len(p) < 20:
            self.out.warn(atom.where, "movie header too short to hold its dates")
            return
        v = p[0]
        self.tag("MovieHeaderVersion", v)
        self.s.fields["movie_header_version"] = v
        if v not in (0, 1):
            self.out.warn(atom.where, f"unknown mvhd version {v}; read with 64-bit fields as "
                                      f"ExifTool does")
        if v:
            if len(p) < 32:
                self.out.warn(atom.where, "version-1 movie header too short to hold its dates")
                return
            create, modify, scale, duration = struct.unpack(">QQIQ", p[4:32])
            rest = 32
        else:
            create, modify, scale, duration = struct.unpack(">IIII", p[4:20])
            rest = 20
        self.s.timescale = scale
        self._movie_date("CreateDate", create, atom, "Container Created")
        self._movie_date("ModifyDate", modify, atom, "Container Modified")
        self.tag("TimeScale", scale)
        self.tag("Duration", _number(duration / scale) if scale else duration)
        self.s.fields["duration"] = duration / scale if scale else None
        if len(p) < rest + 80:
            self.out.warn(atom.where, f"movie header is {len(p)} bytes, {rest + 80} expected; "
                                      f"later fields missing")
        if len(p) >= rest + 6:
            rate, volume = struct.unpack(">IH", p[rest:rest + 6])
            self.tag("PreferredRate", _number(rate / 0x10000))
            self.tag("PreferredVolume", _number(volume / 256))
        if len(p) >= rest + 52:
            self.tag("MatrixStructure", self._matrix(p[rest + 16:rest + 52]))
        if len(p) >= rest + 80:
            vals = struct.unpack(">7I", p[rest + 52:rest + 80])
            for name, val in zip(("PreviewTime", "PreviewDuration", "PosterTime", "SelectionTime",
                                  "SelectionDuration", "CurrentTime"), vals, strict=False):
                self.tag(name, _number(val / scale) if scale else val)
            self.tag("NextTrackID", vals[6])

    @staticmethod
    def _matrix_values(raw: bytes) -> tuple[float, ...]:
        m = struct.unpack(">9i", raw)
        return tuple(m[i] / (0x40000000 if i in (2, 5, 8) else 0x10000) for i in range(9))

    def _matrix(self, raw: bytes) -> str:
        return " ".join(_perl(x) for x in self._matrix_values(raw))

    def _movie_date(self, name: str, raw: int, atom: _Atom, description: str) -> None:
        self.tag(name, exiftool_qt_date(raw))
        key = "create" if name == "CreateDate" else "modify"
        self.s.fields[f"{key}_date_raw"] = raw
        self.s.fields[f"{key}_date"] = exiftool_qt_date(raw)
        for when, _source in self._readings(raw, f"mvhd {name}", f"quicktime:mvhd.{name}", atom):
            self.out.event(_DATA_TYPE, description, when, location=atom.where)

    def _readings(self, raw: int, label: str, source: str, atom: _Atom,
                  local: bool = True) -> list[tuple[TimeValue, str]]:
        """The UTC reading and the local wall-time reading of a 1904-epoch value."""
        if raw == 0:
            return []
        if raw < QUICKTIME_EPOCH_OFFSET:
            as_1904 = _unix_string(raw - QUICKTIME_EPOCH_OFFSET)[:4]
            self.out.warn(atom.where, f"{label} {raw} decodes to year {as_1904}, before 1970 "
                                      f"(ExifTool reads it as Unix time: {exiftool_qt_date(raw)}); "
                                      f"ignored")
            return []
        year = _year(raw)
        if year > MAX_YEAR:
            self.out.warn(atom.where, f"{label} decodes to year {year}: impossible, ignored")
            return []
        found: list[tuple[TimeValue, str]] = []
        try:
            utc = from_quicktime(raw, source)
            if utc is None:
                return []
            found.append((utc, source))
            if local:
                zone = self.ctx.default_zone
                lsource = f"{source}(local)"
                if zone:
                    lv = from_quicktime(raw, lsource, as_local=zone)
                else:
                    wall = datetime(1904, 1, 1) + timedelta(seconds=raw)
                    lv = parse_wall(wall, utc.original, lsource, Precision.SECOND,
                                    default_zone=None)
                if lv is not None:
                    found.append((lv, lsource))
        except (ValueError, OverflowError) as exc:
            self.out.warn(atom.where, f"{label}: {exc}")
        return found

    def trak(self, atom: _Atom, depth: int) -> None:
        track = _Track(len(self.s.tracks) + 1)
        self.s.tracks.append(track)
        self.s.track = track
        try:
            self.container(atom, depth)
        finally:
            self.s.track = None

    def tkhd(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 4096)
        if p is None or len(p) < 24:
            self.out.warn(atom.where, "track header too short")
            return
        v = p[0]
        if v:
            if len(p) < 36:
                self.out.warn(atom.where, "version-1 track header too short")
                return
            create, modify, track_id = struct.unpack(">QQI", p[4:24])
            duration = struct.unpack(">Q", p[28:36])[0]
            s = 12
        else:
            create, modify, track_id = struct.unpack(">III", p[4:16])
            duration = struct.unpack(">I", p[20:24])[0]
            s = 0
        self.tag("TrackHeaderVersion", v, first=True)
        self.tag("TrackCreateDate", exiftool_qt_date(create), first=True)
        self.tag("TrackModifyDate", exiftool_qt_date(modify), first=True)
        self.tag("TrackID", track_id, first=True)
        scale = self.s.timescale
        self.tag("TrackDuration", _number(duration / scale) if scale else duration, first=True)
        if len(p) >= 38 + s:
            layer, _alt, volume = struct.unpack(">HHH", p[32 + s:38 + s])
            self.tag("TrackLayer", layer, first=True)
            self.tag("TrackVolume", _number(volume / 256), first=True)
        track = self.s.track
        if len(p) >= 76 + s:
            raw = p[40 + s:76 + s]
            self.tag("MatrixStructure", self._matrix(raw))
            if track is not None:
                track.matrix = self._matrix_values(raw)
        if len(p) >= 84 + s:
            w, h = struct.unpack(">II", p[76 + s:84 + s])
            # ExifTool's FixWrongFormat: 16.16 fixed point unless the high bits are clear.
            w = w >> 16 if w & 0xFFF00000 else w
            h = h >> 16 if h & 0xFFF00000 else h
            self.tag("ImageWidth", w, first=True)
            self.tag("ImageHeight", h, first=True)
            self.s.fields.setdefault("image_width", w)
            self.s.fields.setdefault("image_height", h)
        if track is not None:
            track.create_raw = create
            track.tkhd_at = atom.start
        else:
            self.out.warn(atom.where, "track header outside a 'trak' atom")

    def mdhd(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 4096)
        if p is None or len(p) < 20:
            self.out.warn(atom.where, "media header too short")
            return
        v = p[0]
        if v:
            if len(p) < 34:
                self.out.warn(atom.where, "version-1 media header too short")
                return
            create, modify, scale, duration, lang = struct.unpack(">QQIQH", p[4:34])
        else:
            if len(p) < 22:
                self.out.warn(atom.where, "media header too short")
                return
            create, modify, scale, duration, lang = struct.unpack(">IIIIH", p[4:22])
        self.tag("MediaHeaderVersion", v)
        self.tag("MediaCreateDate", exiftool_qt_date(create))
        self.tag("MediaModifyDate", exiftool_qt_date(modify))
        self.tag("MediaTimeScale", scale)
        self.tag("MediaDuration", _number(duration / scale) if scale else duration)
        if lang:
            self.tag("MediaLanguageCode", lang if lang < 0x400 else
                     "".join(chr(((lang >> s) & 0x1F) + 0x60) for s in (10, 5, 0)))
        if self.s.track is not None:
            self.s.track.media_timescale = scale

    def hdlr(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 4096)
        if p is None or len(p) < 12:
            self.out.warn(atom.where, "handler too short")
            return
        if p[4:8] != b"\x00\x00\x00\x00":
            self.tag("HandlerClass", _fourcc(p[4:8]))
        kind = p[8:12]
        if kind != b"\x00\x00\x00\x00":
            self.tag("HandlerType", _fourcc(kind))
        if len(p) >= 16 and p[12:16] != b"\x00\x00\x00\x00":
            self.tag("HandlerVendorID", _fourcc(p[12:16]))
        if len(p) > 24:
            name = p[24:].split(b"\x00", 1)[0]
            if name and name[0] < 0x20 and name[0] < len(name):
                name = name[1:1 + name[0]]
            if name:
                self.tag("HandlerDescription", _decode(name))
        track = self.s.track
        if track is not None and kind not in (b"alis", b"url ", b"\x00\x00\x00\x00") \
                and not track.handler:
            track.handler = _fourcc(kind)

    def vmhd(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 256)
        if p is not None and len(p) >= 12:
            mode, r, g, b = struct.unpack(">4H", p[4:12])
            self.tag("GraphicsMode", mode)
            self.tag("OpColor", f"{r} {g} {b}")

    def smhd(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 256)
        if p is not None and len(p) >= 6:
            self.tag("Balance", _number(struct.unpack(">h", p[4:6])[0] / 256))

    def aperture(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 256)
        if p is None or len(p) < 12:
            return
        w, h = struct.unpack(">II", p[4:12])
        name = {b"clef": "CleanApertureDimensions", b"prof": "ProductionApertureDimensions",
                b"enof": "EncodedPixelsDimensions"}[atom.kind]
        self.tag(name, f"{_perl(w / 0x10000)} {_perl(h / 0x10000)}")

    # -- sample table -------------------------------------------------------------------------
    def stsd(self, atom: _Atom, depth: int) -> None:
        p = self._payload(atom, 65536)
        if p is None or len(p) < 16:
            return
        entry_size = struct.unpack(">I", p[8:12])[0]
        entry = p[8:8 + max(8, min(entry_size, len(p) - 8))]
        handler = self.s.track.handler if self.s.track is not None else ""
        fmt = entry[4:8]
        if handler == "vide" and len(entry) >= 86:
            self.tag("CompressorID", _fourcc(fmt))
            self.s.fields.setdefault("compressor_id", _fourcc(fmt))
            vendor = entry[20:24].rstrip(b"\x00")
            if vendor:
                self.tag("VendorID", _fourcc(vendor))
            w, h, xr, yr = struct.unpack(">HHII", entry[32:44])
            self.tag("SourceImageWidth", w)
            self.tag("SourceImageHeight", h)
            self.tag("XResolution", _number(xr / 0x10000))
            self.tag("YResolution", _number(yr / 0x10000))
            name = entry[50:82].split(b"\x00", 1)[0]
            if name and name[0] < 0x20 and name[0] < len(name):
                name = name[1:1 + name[0]]
            if name:
                self.tag("CompressorName", _decode(name))
                self.s.fields.setdefault("compressor_name", _decode(name))
            self.tag("BitDepth", struct.unpack(">H", entry[82:84])[0])
            self._entry_children(entry, 86, atom)
        elif handler == "soun" and len(entry) >= 36:
            if re.fullmatch(rb"[\w ]{4}", fmt):
                self.tag("AudioFormat", _fourcc(fmt))
                self.s.fields.setdefault("audio_format", _fourcc(fmt))
            if entry[20:24] != b"\x00\x00\x00\x00":
                self.tag("AudioVendorID", _fourcc(entry[20:24]))
            channels, bits = struct.unpack(">HH", entry[24:28])
            self.tag("AudioChannels", channels)
            self.tag("AudioBitsPerSample", bits)
            self.tag("AudioSampleRate", _number(struct.unpack(">I", entry[32:36])[0] / 0x10000))
            version = struct.unpack(">H", entry[16:18])[0]
            self._entry_children(entry, {1: 52, 2: 72}.get(version, 36), atom)
        elif handler == "hint":
            self.tag("HintFormat", _fourcc(fmt))
        elif handler and fmt.strip(b"\x00"):
            self.tag("OtherFormat", _fourcc(fmt))

    def _entry_children(self, entry: bytes, offset: int, atom: _Atom) -> None:
        pos, n = offset, 0
        while pos + 8 <= len(entry) and n < 64:
            n += 1
            size, kind = struct.unpack(">I4s", entry[pos:pos + 8])
            if size < 8 or pos + size > len(entry):
                return
            body = entry[pos + 8:pos + size]
            if kind == b"pasp" and len(body) >= 8:
                h, v = struct.unpack(">II", body[:8])
                self.tag("PixelAspectRatio", f"{h}:{v}")
            elif kind == b"fiel" and len(body) >= 2:
                self.tag("VideoFieldOrder", f"{body[0]} {body[1]}")
            elif kind == b"damr" and len(body) >= 5:
                self.tag("EncoderVendor", _fourcc(body[:4]))
                self.tag("EncoderVersion", body[4])
            pos += size

    def stts(self, atom: _Atom, depth: int) -> None:
        track = self.s.track
        if track is None or track.handler != "vide":
            return
        p = self._payload(atom)
        if p is None or len(p) < 8:
            return
        count = struct.unpack(">I", p[4:8])[0]
        n = min(count, (len(p) - 8) // 8)
        if n < count:
            self.out.warn(atom.where, f"time-to-sample table says {count} entries, holds {n}")
        samples = duration = 0
        for i in range(n):
            c, d = struct.unpack_from(">II", p, 8 + 8 * i)
            samples += c
            duration += c * d
        if samples and duration and track.media_timescale:
            self.tag("VideoFrameRate", _number(samples * track.media_timescale / duration))

    # -- user data, meta, keys, item lists ----------------------------------------------------
    def udta_item(self, atom: _Atom, depth: int) -> None:
        k = atom.kind
        if atom.truncated and k not in (b"meta", b"uuid"):
            self.out.warn(atom.where, "user data item cut short by the truncation; not read")
            return
        if k == b"meta":
            self.meta(atom, depth)
            return
        if k == b"XMP_":
            p = self._payload(atom)
            if p is not None:
                self._xmp(p, atom)
            return
        if k == b"uuid":
            self.uuid(atom, depth)
            return
        if k in _UDTA_NAMES:
            p = self._payload(atom, 65536)
            if p is None:
                return
            if len(p) >= 4:
                n, lang = struct.unpack(">HH", p[:4])
                if 4 + n <= len(p):
                    text = _decode(p[4:4 + n].split(b"\x00", 1)[0], mac=lang < 0x400)
                else:
                    text = _decode(p.split(b"\x00", 1)[0])
            else:
                text = _decode(p.split(b"\x00", 1)[0])
            self._text_tag(_UDTA_NAMES[k], text, atom, f"udta.{_fourcc(k)}")
            return
        if k in _3GP_NAMES or k == b"loci" or k == b"yrrc":
            p = self._payload(atom, 65536)
            if p is None or len(p) < 6:
                return
            if k == b"yrrc":
                self.tag("Year", struct.unpack(">H", p[4:6])[0])
            elif k == b"loci":
                self._loci(p[6:], atom)
            else:
                self._text_tag(_3GP_NAMES[k], self._lang_text(p[6:]), atom, f"udta.{_fourcc(k)}")

    @staticmethod
    def _lang_text(raw: bytes) -> str:
        if raw.startswith(b"\xfe\xff"):
            end = next((i for i in range(2, len(raw) - 1, 2) if raw[i:i + 2] == b"\x00\x00"),
                       len(raw))
            return raw[2:end].decode("utf-16-be", errors="replace")
        return _decode(raw.split(b"\x00", 1)[0])

    def _loci(self, raw: bytes, atom: _Atom) -> None:
        """3GPP location: name, role, fixed-point longitude/latitude/altitude, body, notes."""
        if raw.startswith(b"\xfe\xff"):
            end = next((i for i in range(2, len(raw) - 1, 2) if raw[i:i + 2] == b"\x00\x00"), None)
            if end is None:
                return
            name, rest = raw[2:end].decode("utf-16-be", errors="replace"), raw[end + 2:]
        else:
            cut = raw.find(b"\x00")
            if cut < 0:
                return
            name, rest = _decode(raw[:cut]), raw[cut + 1:]
        if len(rest) < 13:
            self.out.warn(atom.where, "location record too short for its coordinates")
            return
        role = rest[0]
        lon, lat, alt = (v / 0x10000 for v in struct.unpack(">iii", rest[1:13]))
        roles = {0: "shooting", 1: "real", 2: "fictional", 3: "reserved"}
        text = (f"{name or '(none)'} Role={roles.get(role, f'unknown({role})')} "
                f"Lat={lat:.5f} Lon={lon:.5f} Alt={alt:.2f}")
        tail = rest[13:]
        for label in ("Body", "Notes"):
            if not tail:
                break
            cut = tail.find(b"\x00")
            part, tail = (tail, b"") if cut < 0 else (tail[:cut], tail[cut + 1:])
            text += f" {label}={_decode(part)}"
        self.tag("LocationInformation", text)
        if self.s.gps is None and -90 <= lat <= 90 and -180 <= lon <= 180:
            self.s.gps = (lat, lon, alt)

    def _text_tag(self, name: str, text: str, atom: _Atom, source: str, suffix: str = "") -> None:
        """A text value under ExifTool's name, with the conversions its table applies."""
        value: Scalar = text
        if name in _ISO_DATE_TAGS:
            value = _iso_date(text)
        if name == "GPSCoordinates":
            gps = iso6709(text)
            if gps is None:
                self.out.warn(atom.where, f"{source}: not an ISO 6709 location: {text!r}")
                return
            value = " ".join(_perl(x) for x in gps if x is not None)
            if self.s.gps is None:
                self.s.gps = gps
                self.tag("GPSLatitude", gps[0], group="Composite")
                self.tag("GPSLongitude", gps[1], group="Composite")
        if isinstance(value, str):
            value = json_value(value)
        if suffix:
            self.tag(f"{name}-{suffix}", value)
        self.tag(name, value)
        simple = {"Make": "make", "Model": "model", "Software": "software",
                  "SoftwareVersion": "software", "Encoder": "encoder", "AndroidMake": "make",
                  "AndroidModel": "model"}
        if name in simple:
            self.s.fields.setdefault(simple[name], text)
        if name == "CreationDate" and "device_creation_date" not in self.s.fields:
            when = self.out.time(parse_iso8601, text.strip(), f"quicktime:{source}", atom.where,
                                 default_zone=self.ctx.default_zone)
            self.s.fields["device_creation_date"] = when
            self.out.event(_DATA_TYPE, "Device Creation Date", when, location=atom.where)
        if name == "ContentCreateDate" and re.match(r"\d{4}-\d{2}-\d{2}", text.strip()):
            when = self.out.time(parse_iso8601, text.strip(), f"quicktime:{source}", atom.where,
                                 default_zone=self.ctx.default_zone)
            self.out.event(_DATA_TYPE, "Content Created", when, location=atom.where)

    def meta(self, atom: _Atom, depth: int) -> None:
        start = atom.body
        # ISO 'meta' is a full box (4 bytes of version and flags); Apple's QuickTime 'meta' is not:
        # there the first child's type follows at once.
        probe = self._peek(start, 8)
        if len(probe) == 8 and not all(0x20 <= c < 0x7F or c == 0xA9 for c in probe[4:8]):
            start += 4
        children = list(self.atoms(start, atom.end, depth + 1, atom.where, atom.truncated))
        keys: list[str] = []
        for child in children:
            if child.kind == b"keys":
                keys = self._keys(child)
        for child in children:
            if child.kind == b"hdlr":
                self.hdlr(child, depth + 1)
            elif child.kind == b"ilst":
                self._ilst(child, keys, depth + 1)
            elif child.kind == b"uuid":
                self.uuid(child, depth + 1)

    def _keys(self, atom: _Atom) -> list[str]:
        p = self._payload(atom, 1 << 20)
        if p is None or len(p) < 8:
            return []
        count = struct.unpack(">I", p[4:8])[0]
        pos, names = 8, []
        while pos + 8 <= len(p) and len(names) < min(count, 10000):
            size = struct.unpack(">I", p[pos:pos + 4])[0]
            if size < 8 or pos + size > len(p):
                self.out.warn(atom.where, f"key {len(names) + 1} has a bad size ({size})")
                break
            names.append(_decode(p[pos + 8:pos + size]))
            pos += size
        if len(names) < count:
            self.out.warn(atom.where, f"keys atom says {count} keys, {len(names)} read")
        return names

    def _ilst(self, atom: _Atom, keys: list[str], depth: int) -> None:
        for item in self.atoms(atom.body, atom.end, depth + 1, atom.where, atom.truncated):
            if keys:
                index = struct.unpack(">I", item.kind)[0]
                if not 1 <= index <= len(keys):
                    self.out.warn(item.where, f"item refers to key {index}; only {len(keys)} keys")
                    continue
                key = keys[index - 1]
                name = _KEY_NAMES.get(key) or self._key_name(key)
                source = f"Keys.{key.removeprefix('com.apple.quicktime.')}"
            else:
                if item.kind not in _ILST_NAMES:
                    continue
                name = _ILST_NAMES[item.kind]
                source = f"ilst.{_fourcc(item.kind)}"
            for data in self.atoms(item.body, item.end, depth + 2, item.where, item.truncated):
                if data.kind != b"data":
                    continue
                self._ilst_data(name, data, source)
                break

    @staticmethod
    def _key_name(key: str) -> str:
        rest = key.removeprefix("com.apple.quicktime.")
        return "".join(_ucfirst(part) for part in re.split(r"[^0-9A-Za-z]+", rest) if part)

    def _ilst_data(self, name: str, data: _Atom, source: str) -> None:
        if data.truncated:
            self.out.warn(data.where, f"{name} value cut short by the truncation; not read")
            return
        head = self._peek(data.body, 8)
        if len(head) < 8:
            return
        kind = struct.unpack(">I", head[:4])[0] & 0x00FFFFFF
        country, lang = struct.unpack(">HH", head[4:8])
        length = data.size - data.header - 8
        if kind in (13, 14, 27) or name == "CoverArt" or kind not in (0, 1, 2, 21, 22, 23, 24):
            self.tag(name, _BINARY.format(length))
            return
        p = self._payload(data, 1 << 20)
        if p is None:
            return
        value = p[8:]
        if kind == 0 and name in ("TrackNumber", "DiskNumber") and len(value) >= 6:
            num, total = struct.unpack(">HH", value[2:6])
            self.tag(name, f"{num} of {total}" if total else num)
            return
        if kind in (21, 22) and len(value) in (1, 2, 3, 4, 8):
            signed = kind == 21
            num = int.from_bytes(value, "big", signed=signed)
            self.tag(name, num)
            return
        if kind in (23, 24) and len(value) in (4, 8):
            self.tag(name, _number(struct.unpack(">f" if len(value) == 4 else ">d", value)[0]))
            return
        if kind == 0:
            self.tag(name, _BINARY.format(length))
            return
        text = value.decode("utf-16-be", errors="replace") if kind == 2 else _decode(value)
        text = text.rstrip("\x00")
        suffix = ""
        lang_text = _lang(lang) if lang else None
        if country and all(0x41 <= c <= 0x5A or 0x61 <= c <= 0x7A for c in head[4:6]):
            suffix = f"{lang_text or 'und'}-{head[4:6].decode('ascii')}"
        elif lang_text:
            suffix = lang_text
        self._text_tag(name, text, data, source, suffix)

    def uuid(self, atom: _Atom, depth: int) -> None:
        head = self._peek(atom.body, 16)
        if head == _XMP_UUID:
            p = self._payload(atom)
            if p is not None:
                self._xmp(p[16:], atom)

    def _xmp(self, data: bytes, atom: _Atom) -> None:
        xmp = read_xmp(data)
        for problem in xmp.problems:
            self.out.warn(atom.where, problem)
        for name, value in xmp.tags:
            self.tag(name, value, group="XMP")
        for name, desc in (("CreateDate", "Content Created"), ("ModifyDate", "Content Modified"),
                           ("MetadataDate", "Metadata Modified"),
                           ("DateTimeOriginal", "Content Created")):
            raw = xmp.raw.get(name)
            if raw is None:
                continue
            text = raw.strip()
            if re.fullmatch(r"\d{4}(-\d{2})?", text):
                when = self.out.time(parse_pdf_date, text.replace("-", ""), f"xmp:{name}",
                                     atom.where, default_zone=self.ctx.default_zone)
            else:
                when = self.out.time(parse_iso8601, text, f"xmp:{name}", atom.where,
                                     default_zone=self.ctx.default_zone)
            self.out.event(_DATA_TYPE, desc, when, location=atom.where)

    # -- after the walk -----------------------------------------------------------------------
    def finish(self) -> VideoContainer:
        s, f = self.s, self.s.fields
        f.setdefault("file_type", "MOV")
        if not s.moov_seen:
            self.out.warn("-", "no 'moov' atom: no movie header (file cut short, or still being "
                               "recorded when copied)")
        mvhd_create = f.get("create_date_raw")
        seen: set[int] = set()
        for track in s.tracks:
            raw = track.create_raw
            if not raw or raw == mvhd_create or raw in seen:
                continue
            seen.add(raw)
            at = _Atom(b"tkhd", track.tkhd_at, 8, 0)
            for when, _source in self._readings(raw, f"track {track.index} TrackCreateDate",
                                                "quicktime:tkhd.CreateDate", at, local=False):
                self.out.event(_DATA_TYPE, "Track Created", when,
                               location=f"track {track.index} ({track.handler or '?'})")
        width, height = f.get("image_width"), f.get("image_height")
        if width is not None and height is not None and s.tracks:
            self.tag("ImageSize", f"{width} {height}", group="Composite")
            self.tag("Megapixels", _number(width * height / 1e6), group="Composite")
        duration = f.get("duration")
        if s.mdat_seen and duration:
            self.tag("AvgBitrate", int(s.mdat_total * 8 / duration + 0.5), group="Composite")
        video = next((t for t in s.tracks if t.handler == "vide"), None)
        if video is not None and len(video.matrix) == 9 and (video.matrix[0] or video.matrix[1]):
            angle = math.degrees(math.atan2(video.matrix[1], video.matrix[0]))
            angle += 360 if angle < 0 else 0
            self.tag("Rotation", _number(int(angle * 1000 + 0.5) / 1000), group="Composite")
        if s.gps is not None:
            f["gps_latitude"], f["gps_longitude"], f["gps_altitude"] = s.gps
        f["track_handlers"] = tuple(t.handler for t in s.tracks)
        self.tag("FileType", f["file_type"], first=True, group="File")
        fields = {k: v for k, v in f.items() if k in VideoContainer.__dataclass_fields__}
        return VideoContainer(origin=self.out.origin, location="movie", **fields)


def _ucfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _check_first_atom(head: bytes) -> None:
    """Refuse a file whose first bytes are not an atom header (before any output)."""
    if len(head) < 8:
        raise WrongFormat(f"not a QuickTime/MP4 file: {len(head)} bytes, too short for an atom")
    size, kind = struct.unpack(">I4s", head[:8])
    if kind not in _FIRST_ATOMS:
        raise WrongFormat(f"not a QuickTime/MP4 file: the first atom type is {kind!r}, not one "
                          f"a movie starts with (ftyp, moov, mdat, wide, free...)")
    if size == 1 and len(head) < 16:
        raise WrongFormat("not a QuickTime/MP4 file: 64-bit atom size cut off")
    if 1 < size < 8:
        raise WrongFormat(f"not a QuickTime/MP4 file: first atom size {size} is below its "
                          f"8-byte header")


class QuickTimeParser(Parser):
    """MOV/MP4/3GP/3G2/M4V container metadata with a bounded atom walker (no ffmpeg).

    Examples
    --------
    >>> import io, struct
    >>> mvhd = struct.pack(">4sB3xIIII", b"mvhd", 0, 3501794363, 3501794363, 600, 1200)
    >>> mvhd = struct.pack(">I", 8 + len(mvhd) - 4) + mvhd
    >>> moov = struct.pack(">I4s", 8 + len(mvhd), b"moov") + mvhd
    >>> ctx = ParseContext(evidence_id="E1", sha256="00" * 32, name="a.mov", size=len(moov))
    >>> out = Builder(QuickTimeParser(), ctx)
    >>> QuickTimeParser().parse(io.BytesIO(moov), ctx, out)
    >>> a = out.build("video/quicktime")
    >>> a.metadata["QuickTime:CreateDate"], a.metadata["QuickTime:Duration"]
    ('2014:12:19 00:39:23', 2)
    >>> [(e.description, e.time.source, e.time.to_json()["utc"]) for e in a.events][:2]
    [('Container Created', 'quicktime:mvhd.CreateDate', '2014-12-19T00:39:23Z'), \
('Container Created', 'quicktime:mvhd.CreateDate(local)', '2014-12-18T16:39:23Z')]
    """

    name: ClassVar[str] = "quicktime"
    version: ClassVar[str] = "1"
    media_types: ClassVar[tuple[str, ...]] = (
        "video/mp4", "video/quicktime", "video/3gpp", "video/3gpp2", "video/x-m4v",
    )

    def parse(self, fh: BinaryIO, ctx: ParseContext, out: Builder) -> None:
        fh.seek(0, io.SEEK_END)
        size = fh.tell()
        fh.seek(0)
        _check_first_atom(fh.read(16))
        walker = _Walker(fh, size, ctx, out)
        walker.walk()
        out.record(walker.finish())


PARSERS: tuple[type[Parser], ...] = (QuickTimeParser,)
