"""QuickTime/MP4 parser: hand-built atom fixtures, the shared corpus, and property tests.

Fixtures are built here byte by byte (layouts from ISO/IEC 14496-12 and Apple's QuickTime File
Format); their values are modelled on the corpus file ``video/filetype_fixture.mov`` (a macOS
screen recording) so that a reader can check them against a real file.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import struct

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import default_registry
from forensics.parsers.base import Builder, ParseContext
from forensics.parsers.quicktime import (
    QuickTimeParser,
    VideoContainer,
    exiftool_qt_date,
    iso6709,
)
from tests.parsers.conftest import parse_bytes, parse_file

# 2014-12-19 00:39:23 as seconds since 1904 (the corpus .mov's mvhd value).
T0 = 3501794363


def atom(kind: bytes, *payload: bytes) -> bytes:
    body = b"".join(payload)
    return struct.pack(">I", 8 + len(body)) + kind + body


def mvhd(create: int = T0, modify: int = T0, scale: int = 600, duration: int = 1200,
         version: int = 0) -> bytes:
    if version:
        head = struct.pack(">B3xQQIQ", 1, create, modify, scale, duration)
    else:
        head = struct.pack(">B3xIIII", 0, create, modify, scale, duration)
    identity = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    rest = struct.pack(">IH10x", 0x10000, 0x100) + identity + struct.pack(">7I", 0, 0, 0, 0, 0, 0, 2)
    return atom(b"mvhd", head, rest)


def tkhd(track_id: int = 1, create: int = T0, width: int = 320, height: int = 240) -> bytes:
    identity = struct.pack(">9i", 0x10000, 0, 0, 0, 0x10000, 0, 0, 0, 0x40000000)
    return atom(b"tkhd", struct.pack(">B3xIII4xI8xHHHH", 0, create, create, track_id, 1200,
                                     0, 0, 0, 0), identity,
                struct.pack(">II", width << 16, height << 16))


def mdhd(scale: int = 600, duration: int = 1200, lang: int = 0x55C4) -> bytes:
    return atom(b"mdhd", struct.pack(">B3xIIIIH2x", 0, T0, T0, scale, duration, lang))


def hdlr(kind: bytes, name: bytes = b"", cls: bytes = b"\x00\x00\x00\x00") -> bytes:
    return atom(b"hdlr", b"\x00\x00\x00\x00", cls, kind, b"\x00" * 12, name + b"\x00")


def stsd_video() -> bytes:
    entry = (b"avc1" + b"\x00" * 6 + struct.pack(">H", 1) + b"\x00" * 16
             + struct.pack(">HHIII", 320, 240, 72 << 16, 72 << 16, 0) + struct.pack(">H", 1)
             + bytes([5]) + b"H.264".ljust(31, b"\x00") + struct.pack(">Hh", 24, -1))
    entry = struct.pack(">I", 4 + len(entry)) + entry
    return atom(b"stsd", struct.pack(">II", 0, 1), entry)


def stts(count: int = 20, delta: int = 60) -> bytes:
    return atom(b"stts", struct.pack(">IIII", 0, 1, count, delta))


def keys_meta(items: list[tuple[str, bytes, bytes]]) -> bytes:
    """Apple 'meta' (no version word): hdlr mdta, keys, ilst; items are (key, locale, value)."""
    keys = b"".join(struct.pack(">I", 8 + len(k)) + b"mdta" + k.encode() for k, _, _ in items)
    ilst = b"".join(
        atom(struct.pack(">I", i), atom(b"data", struct.pack(">I", 1), locale, value))
        for i, (_, locale, value) in enumerate(items, 1))
    return atom(b"meta", hdlr(b"mdta"), atom(b"keys", struct.pack(">II", 0, len(items)), keys),
                atom(b"ilst", ilst))


def good_movie() -> bytes:
    """ftyp qt, an 8-byte mdat, a video track, Apple Keys and a udta ©swr item."""
    video = atom(b"trak", tkhd(),
                 atom(b"mdia", mdhd(), hdlr(b"vide", b"Core Media Video", b"mhlr"),
                      atom(b"minf", atom(b"vmhd", struct.pack(">I4H", 1, 0x40, 0x8000, 0x8000,
                                                              0x8000)),
                           atom(b"stbl", stsd_video(), stts()))))
    meta = keys_meta([
        ("com.apple.quicktime.make", b"\x00\x00\x00\x00", b"Apple"),
        ("com.apple.quicktime.model", b"\x00\x00\x00\x00", b"iPhone 12"),
        ("com.apple.quicktime.software", b"\x00\x00\x00\x00", b"14.4.2"),
        ("com.apple.quicktime.creationdate", b"\x00\x00\x00\x00", b"2014-12-19T08:39:06+0800"),
        ("com.apple.quicktime.location.ISO6709", b"\x00\x00\x00\x00", b"+39.9042+116.4074+043.500/"),
    ])
    udta = atom(b"udta", atom(b"\xa9swr", struct.pack(">HH", 6, 0x55C4), b"Lavf58"))
    return (atom(b"ftyp", b"qt  ", b"\x00\x00\x02\x00", b"qt  ")
            + atom(b"mdat", b"\x00" * 8)
            + atom(b"moov", mvhd(), video, meta, udta))


GOOD = good_movie()


def run(data: bytes, zone: str | None = "Asia/Shanghai"):
    """Call the parser directly (no registry net); return the artifact."""
    ctx = ParseContext(evidence_id="E1", sha256=hashlib.sha256(data).hexdigest(), name="t.mov",
                       size=len(data), default_zone=zone)
    p = QuickTimeParser()
    out = Builder(p, ctx)
    p.parse(io.BytesIO(data), ctx, out)
    return out.build("video/quicktime")


# -- value forms --------------------------------------------------------------------------------

def test_exiftool_date_forms():
    assert exiftool_qt_date(T0) == "2014:12:19 00:39:23"
    assert exiftool_qt_date(0) == "0000:00:00 00:00:00"
    assert exiftool_qt_date(0x12B090D1740) == "42603:05:04 04:12:48"
    assert exiftool_qt_date(1000) == "1970:01:01 00:16:40"  # ExifTool's "patched" Unix reading


def test_iso6709_forms():
    assert iso6709("+39.9042+116.4074+043.500/") == (39.9042, 116.4074, 43.5)
    assert iso6709("-33.8688+151.2093/") == (-33.8688, 151.2093, None)
    lat, lon, alt = iso6709("+395425.20+1162426.64/")
    assert math.isclose(lat, 39.9070) and math.isclose(lon, 116.40740, rel_tol=1e-6)
    assert alt is None
    assert iso6709("not a place") is None
    assert iso6709("+99.0+000.0/") is None  # latitude out of range


# -- the good fixture ---------------------------------------------------------------------------

def test_good_movie_metadata():
    a = parse_bytes(GOOD, name="good.mov")
    assert a.unparsed_reason is None
    assert a.parser == "quicktime" and a.media_type == "video/quicktime"
    m = a.metadata
    assert m["File:FileType"] == "MOV"
    assert m["QuickTime:MajorBrand"] == "qt  "
    assert m["QuickTime:MinorVersion"] == "0.2.0"
    assert m["QuickTime:CompatibleBrands"] == "qt  "
    assert m["QuickTime:CreateDate"] == "2014:12:19 00:39:23"
    assert m["QuickTime:ModifyDate"] == "2014:12:19 00:39:23"
    assert m["QuickTime:Duration"] == 2
    assert m["QuickTime:TrackCreateDate"] == "2014:12:19 00:39:23"
    assert m["QuickTime:MediaCreateDate"] == "2014:12:19 00:39:23"
    assert (m["QuickTime:ImageWidth"], m["QuickTime:ImageHeight"]) == (320, 240)
    assert m["QuickTime:HandlerType"] == "mdta"  # the later handler wins, as in ExifTool
    assert m["QuickTime:HandlerDescription"] == "Core Media Video"
    assert m["QuickTime:CompressorID"] == "avc1"
    assert m["QuickTime:CompressorName"] == "H.264"
    assert m["QuickTime:VideoFrameRate"] == 10
    assert m["QuickTime:MediaLanguageCode"] == "und"
    assert m["QuickTime:Make"] == "Apple"
    assert m["QuickTime:Model"] == "iPhone 12"
    assert m["QuickTime:Software"] == "14.4.2"
    assert m["QuickTime:SoftwareVersion"] == "Lavf58"
    assert m["QuickTime:CreationDate"] == "2014:12:19 08:39:06+08:00"
    assert m["QuickTime:GPSCoordinates"] == "39.9042 116.4074 43.5"
    assert m["Composite:GPSLatitude"] == 39.9042
    assert m["Composite:GPSLongitude"] == 116.4074
    assert m["QuickTime:MediaDataSize"] == 8 and m["QuickTime:MediaDataOffset"] == 28
    assert m["Composite:AvgBitrate"] == 32
    assert m["Composite:Rotation"] == 0
    assert a.warnings == ()


def test_good_movie_events_two_readings_of_mvhd():
    a = parse_bytes(GOOD, name="good.mov")
    rows = [(e.description, e.time.source, e.time.to_json()["utc"], e.time.zone.value)
            for e in a.events]
    assert rows == [
        ("Container Created", "quicktime:mvhd.CreateDate", "2014-12-19T00:39:23Z", "explicit"),
        ("Container Created", "quicktime:mvhd.CreateDate(local)", "2014-12-18T16:39:23Z",
         "assumed"),
        ("Container Modified", "quicktime:mvhd.ModifyDate", "2014-12-19T00:39:23Z", "explicit"),
        ("Container Modified", "quicktime:mvhd.ModifyDate(local)", "2014-12-18T16:39:23Z",
         "assumed"),
        ("Device Creation Date", "quicktime:Keys.creationdate", "2014-12-19T00:39:06Z",
         "explicit"),
    ]
    assert all(e.data_type == "video:quicktime" for e in a.events)
    assert a.events[1].time.zone_name == "Asia/Shanghai"
    assert a.events[4].time.zone_name == "+08:00"


def test_good_movie_record():
    a = parse_bytes(GOOD, name="good.mov")
    (rec,) = a.records
    assert isinstance(rec, VideoContainer) and rec.data_type == "video:quicktime"
    assert rec.file_type == "MOV" and rec.major_brand == "qt  "
    assert rec.create_date_raw == T0 and rec.create_date == "2014:12:19 00:39:23"
    assert rec.duration == 2.0 and rec.track_handlers == ("vide",)
    assert (rec.image_width, rec.image_height) == (320, 240)
    assert (rec.make, rec.model, rec.software) == ("Apple", "iPhone 12", "14.4.2")
    assert rec.device_creation_date.to_json()["utc"] == "2014-12-19T00:39:06Z"
    assert (rec.gps_latitude, rec.gps_longitude, rec.gps_altitude) == (39.9042, 116.4074, 43.5)
    assert rec.media_data_size == 8 and not rec.truncated and not rec.fragmented


def test_local_reading_without_case_zone_is_unknown():
    a = run(GOOD, zone=None)
    local = [e for e in a.events if e.time.source == "quicktime:mvhd.CreateDate(local)"]
    assert len(local) == 1
    assert local[0].time.zone.value == "unknown" and local[0].time.utc is None


# -- bad fixtures (each paired with the good one above) ----------------------------------------

def test_truncated_moov_is_reported_and_read_so_far():
    cut = GOOD[:-40]  # the udta item and part of the Keys 'meta' are lost
    a = run(cut)
    assert [w.message for w in a.warnings] == [
        f"Truncated 'moov' data: the atom claims {len(GOOD) - 36} bytes but only "
        f"{len(cut) - 36} remain in the file",
        "GPSCoordinates value cut short by the truncation; not read",
    ]  # the cut is reported once, at the outermost atom, and a value lost with it is named
    assert a.metadata["QuickTime:CreateDate"] == "2014:12:19 00:39:23"
    assert a.metadata["QuickTime:Make"] == "Apple"  # Keys read up to the cut
    assert "QuickTime:GPSCoordinates" not in a.metadata  # the last Keys item was cut
    assert a.records[0].truncated is True


def test_year_42603_is_refused_with_a_warning():
    bad = atom(b"moov", mvhd(create=0x12B090D1740, modify=0, scale=1000, duration=1000, version=1))
    a = run(bad)
    assert a.metadata["QuickTime:CreateDate"] == "42603:05:04 04:12:48"
    assert a.metadata["QuickTime:ModifyDate"] == "0000:00:00 00:00:00"
    assert a.metadata["QuickTime:MovieHeaderVersion"] == 1
    assert [w.message for w in a.warnings] == [
        "mvhd CreateDate decodes to year 42603: impossible, ignored"]
    assert a.events == ()


def test_last_second_of_9999_in_a_western_zone():
    raw = 2082844800 + 253402300800 - 3600  # 9999-12-31 23:00:00 (Unix 253402300800 = 10000-01-01)
    a = run(atom(b"moov", mvhd(create=raw, modify=0, version=1)), zone="America/New_York")
    assert a.metadata["QuickTime:CreateDate"] == "9999:12:31 23:00:00"
    assert [e.time.source for e in a.events] == ["quicktime:mvhd.CreateDate"]
    assert [w.message for w in a.warnings] == [
        "mvhd CreateDate: '9999:12:31 23:00:00' is out of range: too close to the ends of the "
        "calendar to convert to UTC"]


def test_zero_dates_are_not_set_not_1904():
    a = run(atom(b"moov", mvhd(create=0, modify=0)))
    assert a.metadata["QuickTime:CreateDate"] == "0000:00:00 00:00:00"
    assert a.events == () and a.warnings == ()


def test_pre_1970_value_is_read_as_exiftool_does_and_not_an_event():
    a = run(atom(b"moov", mvhd(create=1000, modify=0)))
    assert a.metadata["QuickTime:CreateDate"] == "1970:01:01 00:16:40"
    assert [w.message for w in a.warnings] == [
        "mvhd CreateDate 1000 decodes to year 1904, before 1970 (ExifTool reads it as Unix "
        "time: 1970:01:01 00:16:40); ignored"]
    assert a.events == ()


def test_atom_smaller_than_its_header():
    bad = atom(b"moov", mvhd(), struct.pack(">I4s", 3, b"junk"), b"\x00" * 8)
    a = run(bad)
    assert [w.message for w in a.warnings] == [
        "atom 'junk' has a size of 3, less than its 8-byte header; rest of 'moov' atom at "
        "byte 0 skipped"]
    assert a.metadata["QuickTime:Duration"] == 2


def test_largesize_and_size_zero_atoms():
    big_mdat = struct.pack(">I4sQ", 1, b"mdat", 16 + 4) + b"abcd"
    to_end = struct.pack(">I4s", 0, b"mdat") + b"\x00" * 100
    a = run(atom(b"ftyp", b"isom", b"\x00" * 4, b"isomiso2mp41") + big_mdat
            + atom(b"moov", mvhd()) + to_end)
    assert a.warnings == ()
    assert a.metadata["File:FileType"] == "MP4"
    assert a.metadata["QuickTime:CompatibleBrands"] == "isom, iso2, mp41"
    assert a.metadata["QuickTime:MediaDataSize"] == 4
    assert a.metadata["QuickTime:MediaDataOffset"] == 28 + 16


def test_fragmented_mp4():
    frag = (atom(b"ftyp", b"iso6", b"\x00" * 4, b"iso6dash") + atom(b"moov", mvhd(), atom(b"mvex"))
            + atom(b"moof", atom(b"mfhd", b"\x00" * 8)) + atom(b"mdat", b"x" * 10)
            + atom(b"moof", atom(b"mfhd", b"\x00" * 8)) + atom(b"mdat", b"y" * 10))
    a = run(frag)
    assert a.warnings == ()
    assert a.records[0].fragmented is True
    assert a.metadata["Composite:AvgBitrate"] == 80  # both fragments' data over 2 s


def test_nesting_and_atom_count_are_bounded():
    nested = b""
    for _ in range(300):
        nested = atom(b"moov", nested)
    a = run(nested)
    assert a.metadata["File:FileType"] == "MOV"
    many = b"".join(atom(b"free") for _ in range(100_050))
    a = run(many)
    assert a.warnings[0].message == "more than 100000 atoms; the rest is not read"


def test_no_moov_is_reported():
    a = run(atom(b"ftyp", b"mp42", b"\x00" * 4) + atom(b"mdat", b"\x00" * 4))
    assert [w.message for w in a.warnings] == [
        "no 'moov' atom: no movie header (file cut short, or still being recorded when copied)"]


def test_keys_with_country_code_keep_exiftool_suffix():
    meta = keys_meta([("com.apple.quicktime.make", b"NO\x15\xc7", b"Apple")])
    a = run(atom(b"moov", mvhd(), meta))
    assert a.metadata["QuickTime:Make-und-NO"] == "Apple"
    assert a.metadata["QuickTime:Make"] == "Apple"


def test_android_udta_location_and_3gpp_loci():
    loci = (struct.pack(">IH", 0, 0x15C7) + b"Office\x00" + bytes([0])
            + struct.pack(">iii", int(116.4074 * 65536), int(39.9042 * 65536), 0)
            + b"earth\x00" + b"\x00")
    udta = atom(b"udta", atom(b"\xa9xyz", struct.pack(">HH", 18, 0x15C7), b"+39.9042+116.4074/"),
                atom(b"loci", loci))
    a = run(atom(b"moov", mvhd(), udta))
    assert a.metadata["QuickTime:GPSCoordinates"] == "39.9042 116.4074"
    assert a.metadata["QuickTime:LocationInformation"] == (
        "Office Role=shooting Lat=39.90419 Lon=116.40739 Alt=0.00 Body=earth Notes=")
    assert a.warnings == ()


def test_xmp_in_udta_gives_tags_and_events():
    xmp = (b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
           b'22-rdf-syntax-ns#"><rdf:Description xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
           b'xmp:MetadataDate="2008-09-12T11:17:39-04:00"/></rdf:RDF></x:xmpmeta>')
    a = run(atom(b"moov", mvhd(create=0, modify=0), atom(b"udta", atom(b"XMP_", xmp))))
    assert a.metadata["XMP:MetadataDate"] == "2008:09:12 11:17:39-04:00"
    assert [(e.description, e.time.to_json()["utc"]) for e in a.events] == [
        ("Metadata Modified", "2008-09-12T15:17:39Z")]


def test_wrong_format_is_refused_before_output():
    a = parse_bytes(b"this is plainly not a movie file at all", media_type="video/mp4")
    assert a.unparsed_reason.startswith("not a QuickTime/MP4 file")
    assert a.records == () and a.events == ()
    with pytest.raises(WrongFormat):
        run(b"\x00\x00\x00\x05abcd")
    with pytest.raises(WrongFormat):
        run(b"abc")


def test_detect_claims_fixtures_and_nothing_else():
    reg = default_registry()
    assert reg.detect(GOOD) == "video/quicktime"
    assert reg.detect(atom(b"ftyp", b"3gp4", b"\x00" * 4, b"isom3gp4")) == "video/3gpp"
    assert reg.detect(atom(b"ftyp", b"isom", b"\x00" * 4, b"isom")) == "video/mp4"
    assert reg.detect(atom(b"ftyp", b"heic", b"\x00" * 4, b"mif1heic")) == "image/heic"
    assert reg.detect(b"%PDF-1.4\n%%EOF\n") == "application/pdf"
    assert reg.detect(b"\xff\xd8\xff\xe0" + bytes(20)) == "image/jpeg"


# -- corpus -------------------------------------------------------------------------------------

#: Tags ExifTool derives from Pentax maker notes (the 'TAGS' atom), which this parser does not read.
MAKERNOTE_COMPOSITES = {"Composite:Aperture", "Composite:ShutterSpeed",
                        "Composite:FocalLength35efl", "Composite:LightValue"}


def _same(expected, got) -> bool:
    if isinstance(expected, list):
        return got == ", ".join(expected)
    if isinstance(expected, float) and isinstance(got, int | float) and not isinstance(got, bool):
        return math.isclose(expected, got, rel_tol=1e-12)
    return got == expected and type(got) is type(expected)


@pytest.mark.corpus
def test_corpus_matches_exiftool(corpus):
    expected = json.loads((corpus / "expected-video.json").read_text(encoding="utf-8"))
    compared = matched = 0
    problems = []
    for e in expected:
        a = parse_file(corpus / e["SourceFile"])
        assert a.unparsed_reason is None, e["SourceFile"]
        for key, value in e.items():
            if not (key.startswith(("QuickTime:", "Composite:", "XMP:")) or key == "File:FileType"):
                continue
            if key in MAKERNOTE_COMPOSITES:
                continue
            compared += 1
            got = a.metadata.get(key, "<missing>")
            if _same(value, got):
                matched += 1
            else:
                problems.append(f"{e['SourceFile']} {key}: expected={value!r} found={got!r}")
    assert problems == []
    assert (matched, compared) == (276, 276)


@pytest.mark.corpus
def test_corpus_times_and_warnings(corpus):
    mov = parse_file(corpus / "video" / "filetype_fixture.mov")
    rows = [(e.description, e.time.source, e.time.to_json()["utc"]) for e in mov.events]
    assert ("Container Created", "quicktime:mvhd.CreateDate", "2014-12-19T00:39:23Z") in rows
    assert ("Device Creation Date", "quicktime:Keys.creationdate", "2014-12-19T00:39:06Z") in rows
    assert mov.records[0].device_creation_date.zone_name == "+07:00"

    future = parse_file(corpus / "video" / "immich_future42603.mp4")
    assert [w.message for w in future.warnings] == [
        "mvhd CreateDate decodes to year 42603: impossible, ignored",
        "Truncated '61.7' data: the atom claims 1281455718 bytes but only 12 remain in the file",
    ]
    assert future.events == ()
    for name in ("filetype_fixture.3gp", "photoprism_christmas.mp4"):
        a = parse_file(corpus / "video" / name)
        assert a.events == () and a.warnings == ()


@pytest.mark.corpus
def test_corpus_files_parse_and_are_detected(corpus):
    types = {".mov": "video/quicktime", ".mp4": "video/mp4", ".3gp": "video/3gpp"}
    reg = default_registry()
    for path in sorted((corpus / "video").iterdir()):
        head = path.read_bytes()[:65536]
        assert reg.detect(head) == types[path.suffix]
        a = parse_file(path)
        assert a.parser == "quicktime" and a.unparsed_reason is None
        assert not any("parser stopped" in w.message for w in a.warnings)
    for other in ("pdf/lychee_pdf.pdf", "images/IMG_5195.HEIC", "images/Canon_40D.jpg",
                  "warc/example.warc.gz"):
        assert not reg.detect((corpus / other).read_bytes()[:65536]).startswith("video/")


# -- properties ---------------------------------------------------------------------------------

def _no_escape(data: bytes) -> None:
    with contextlib.suppress(WrongFormat):  # the only exception a parser may raise
        run(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=2048))
def test_arbitrary_bytes_never_raise(data):
    _no_escape(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), max_size=12),
       st.integers(8, len(GOOD)))
def test_mutated_good_movie_never_raises(edits, cut):
    data = bytearray(GOOD)
    for pos, value in edits:
        data[pos] = value
    _no_escape(bytes(data[:cut]))


_KINDS = [b"moov", b"trak", b"mdia", b"minf", b"stbl", b"udta", b"meta", b"ilst", b"keys",
          b"mvhd", b"tkhd", b"mdhd", b"hdlr", b"stsd", b"stts", b"tapt", b"clef", b"vmhd",
          b"smhd", b"\xa9xyz", b"\xa9day", b"loci", b"XMP_", b"uuid", b"data", b"mdat",
          b"ftyp", b"\x00\x00\x00\x01"]

_trees = st.recursive(
    st.builds(lambda k, p: atom(k, p), st.sampled_from(_KINDS), st.binary(max_size=120)),
    lambda inner: st.builds(lambda k, kids: atom(k, *kids), st.sampled_from(_KINDS),
                            st.lists(inner, max_size=4)),
    max_leaves=20,
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_trees, min_size=1, max_size=4))
def test_random_atom_trees_never_raise(trees):
    _no_escape(atom(b"ftyp", b"qt  ", b"\x00" * 4) + b"".join(trees))
