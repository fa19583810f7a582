"""PDF parser: hand-built PDF fixtures, the shared corpus, and property tests.

The fixtures are assembled here object by object with a correct cross-reference table (layout
from ISO 32000-1 7.5); the encrypted ones are written by pypdf's ``PdfWriter`` at test time.
Their values imitate a notarial certificate (公证书) produced with WPS Office.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from forensics.errors import WrongFormat
from forensics.parsers import default_registry
from forensics.parsers.base import Builder, ParseContext
from forensics.parsers.pdf import (
    PdfDocument,
    PdfParser,
    exiftool_pdf_date,
    exiftool_xmp_date,
    read_xmp,
)
from tests.parsers.conftest import parse_bytes, parse_file

XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?>'
       b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF '
       b'xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
       b'<rdf:Description rdf:about="" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
       b'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" '
       b'xmlns:dc="http://purl.org/dc/elements/1.1/">'
       b"<xmp:CreateDate>{create}</xmp:CreateDate>"
       b"<xmp:ModifyDate>2026-11-21T09:00:00+08:00</xmp:ModifyDate>"
       b"<xmp:MetadataDate>2026-11-21T09:00:00+08:00</xmp:MetadataDate>"
       b"<xmp:CreatorTool>WPS Office</xmp:CreatorTool><pdf:Producer>WPS PDF</pdf:Producer>"
       b"<xmpMM:DocumentID>uuid:1111</xmpMM:DocumentID>"
       b"<xmpMM:InstanceID>uuid:2222</xmpMM:InstanceID>"
       b"<dc:subject><rdf:Bag><rdf:li>notary</rdf:li><rdf:li>certificate</rdf:li></rdf:Bag>"
       b"</dc:subject></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end=\"w\"?>")

# "公证书" as a UTF-16BE PDF text string with its byte-order mark.
TITLE = b"<FEFF516C8BC14E66>"
INFO = (b"<< /Title " + TITLE + b" /Author (Zhang San) /Producer (WPS PDF) /Creator (WPS Office)"
        b" /CreationDate (D:20261120143205+08'00') /ModDate (D:20261121090000+08'00')"
        b" /Keywords (notary, certificate) >>")


def make_pdf(objects: list[bytes], trailer_extra: bytes = b" /Info 5 0 R",
             version: bytes = b"1.4") -> bytes:
    """A one-revision PDF with a correct xref table; objects are numbered from 1."""
    out = b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += (b"trailer\n<< /Size %d /Root 1 0 R%s >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, trailer_extra, xref))
    return out


def update(base: bytes, number: int, body: bytes, size: int, trailer_extra: bytes) -> bytes:
    """Append an incremental update replacing object ``number``."""
    prev = int(re.findall(rb"startxref\s+(\d+)", base)[-1])
    at = len(base)
    out = base + b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n%d 1\n%010d 00000 n \n" % (number, at)
    out += (b"trailer\n<< /Size %d /Root 1 0 R /Prev %d%s >>\nstartxref\n%d\n%%%%EOF\n"
            % (size, prev, trailer_extra, xref))
    return out


def objects(create: bytes = b"2026-11-20T14:32:05+08:00", info: bytes = INFO) -> list[bytes]:
    xmp = XMP.replace(b"{create}", create)
    return [
        b"<< /Type /Catalog /Pages 2 0 R /Metadata 4 0 R /Lang (zh-CN) >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(xmp) + xmp
        + b"\nendstream",
        info,
    ]


GOOD = make_pdf(objects())


def run(data: bytes, zone: str | None = "Asia/Shanghai"):
    """Call the parser directly (no registry net); return the artifact."""
    ctx = ParseContext(evidence_id="E1", sha256=hashlib.sha256(data).hexdigest(), name="t.pdf",
                       size=len(data), default_zone=zone)
    p = PdfParser()
    out = Builder(p, ctx)
    p.parse(io.BytesIO(data), ctx, out)
    return out.build("application/pdf")


def messages(a) -> list[str]:
    return [w.message for w in a.warnings]


# -- value forms --------------------------------------------------------------------------------

def test_date_forms():
    assert exiftool_pdf_date("D:20050718143045-04'00'") == "2005:07:18 14:30:45-04:00"
    assert exiftool_pdf_date("D:20000629102108+11'00'") == "2000:06:29 10:21:08+11:00"
    assert exiftool_pdf_date("D:20220415093243Z") == "2022:04:15 09:32:43Z"
    assert exiftool_pdf_date("D:2022") == "2022:01:01 00:00:00"
    assert exiftool_pdf_date("garbage") == "garbage"
    assert exiftool_xmp_date("2013-10-28T15:24:13-04:00") == "2013:10:28 15:24:13-04:00"
    assert exiftool_xmp_date("2013-10-28T15:24-04:00") == "2013:10:28 15:24-04:00"
    assert exiftool_xmp_date("2004-02") == "2004:02"


def test_xmp_structures_lists_and_refusals():
    x = read_xmp(XMP.replace(b"{create}", b"2026-11-20T14:32:05+08:00"))
    tags = dict(x.tags)
    assert tags["Subject"] == "notary, certificate"
    assert tags["DocumentID"] == "uuid:1111"
    assert x.raw["CreateDate"] == "2026-11-20T14:32:05+08:00"
    bomb = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
            b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            b"&b;</x:xmpmeta>")
    assert read_xmp(bomb).problems == (
        "XMP packet declares a DOCTYPE or entities; not read (entity expansion refused)",)
    assert read_xmp(b"<x:xmpmeta").problems[0].startswith("XMP packet is not well-formed XML")


# -- the good fixture ---------------------------------------------------------------------------

def test_good_pdf_metadata():
    a = parse_bytes(GOOD, name="cert.pdf")
    assert a.unparsed_reason is None and a.parser == "pdf"
    m = a.metadata
    assert m["File:FileType"] == "PDF"
    assert m["PDF:PDFVersion"] == 1.4
    assert m["PDF:Linearized"] is False
    assert m["PDF:PageCount"] == 1
    assert m["PDF:Title"] == "公证书"
    assert m["PDF:Author"] == "Zhang San"
    assert m["PDF:Producer"] == "WPS PDF" and m["PDF:Creator"] == "WPS Office"
    assert m["PDF:Keywords"] == "notary, certificate"
    assert m["PDF:CreateDate"] == "2026:11:20 14:32:05+08:00"
    assert m["PDF:ModifyDate"] == "2026:11:21 09:00:00+08:00"
    assert m["PDF:Language"] == "zh-CN"
    assert m["PDF:Revisions"] == 1
    assert m["XMP:CreateDate"] == "2026:11:20 14:32:05+08:00"
    assert m["XMP:ModifyDate"] == "2026:11:21 09:00:00+08:00"
    assert m["XMP:MetadataDate"] == "2026:11:21 09:00:00+08:00"
    assert m["XMP:CreatorTool"] == "WPS Office" and m["XMP:Producer"] == "WPS PDF"
    assert (m["XMP:DocumentID"], m["XMP:InstanceID"]) == ("uuid:1111", "uuid:2222")
    assert a.warnings == () and a.flags == ()


def test_good_pdf_events_and_record():
    a = parse_bytes(GOOD, name="cert.pdf")
    rows = [(e.description, e.time.source, e.time.to_json()["utc"]) for e in a.events]
    assert rows == [
        ("Content Created", "pdf:CreationDate", "2026-11-20T06:32:05Z"),
        ("Content Modified", "pdf:ModDate", "2026-11-21T01:00:00Z"),
        ("Content Created", "xmp:CreateDate", "2026-11-20T06:32:05Z"),
        ("Content Modified", "xmp:ModifyDate", "2026-11-21T01:00:00Z"),
        ("Metadata Modified", "xmp:MetadataDate", "2026-11-21T01:00:00Z"),
    ]
    assert all(e.data_type == "pdf:document" for e in a.events)
    (rec,) = a.records
    assert isinstance(rec, PdfDocument) and rec.data_type == "pdf:document"
    assert rec.version == "1.4" and rec.page_count == 1 and rec.revisions == 1
    assert rec.title == "公证书" and rec.producer == "WPS PDF"
    assert rec.create_date.zone_name == "+08:00"
    assert rec.document_id == "uuid:1111" and rec.encrypted is False and rec.decrypted is None


# -- bad fixtures -------------------------------------------------------------------------------

def test_info_and_xmp_dates_that_disagree_are_flagged():
    a = run(make_pdf(objects(create=b"2026-11-25T10:00:00+08:00")))
    assert a.flags == ("info/xmp dates disagree: CreateDate Info D:20261120143205+08'00' vs "
                       "XMP 2026-11-25T10:00:00+08:00",)
    assert a.warnings == ()


def test_incremental_update_is_counted_and_flagged():
    later = INFO.replace(b"D:20261121090000+08'00'", b"D:20261201120000+08'00'")
    a = run(update(GOOD, 5, later, 6, b" /Info 5 0 R"))
    assert a.metadata["PDF:Revisions"] == 2
    assert a.metadata["PDF:ModifyDate"] == "2026:12:01 12:00:00+08:00"  # the latest save
    assert a.flags == (
        "incremental updates: saved 2 times (the later saves changed or added objects after "
        "the first)",
        "info/xmp dates disagree: ModifyDate Info D:20261201120000+08'00' vs XMP "
        "2026-11-21T09:00:00+08:00",
    )
    assert a.warnings == ()


def test_content_appended_after_signature_is_flagged():
    sig = b"<< /Type /Sig /ByteRange [0 0000000000 0000000000 0000000000] /Contents <00> >>"
    first = make_pdf([*objects(), sig])
    gap = first.index(b"/Contents")
    ranged = b"[0 %010d %010d %010d]" % (gap, gap + 12, len(first) - gap - 12)
    first = first.replace(b"[0 0000000000 0000000000 0000000000]", ranged)
    signed_only = run(first)
    assert signed_only.flags == () and signed_only.metadata["PDF:Signatures"] == 1
    later = update(first, 5, INFO.replace(b"Zhang San", b"Li Si"), 7, b" /Info 5 0 R")
    a = run(later)
    assert a.metadata["PDF:Author"] == "Li Si"
    assert a.flags == (
        "incremental updates: saved 2 times (the later saves changed or added objects after "
        "the first)",
        f"changed after signing: the last signature covers bytes 0-{len(first)} of "
        f"{len(later)}; 1 later save(s) follow",
    )
    assert a.records[0].signed_bytes == len(first)


def test_truncated_pdf_is_read_by_raw_scan():
    cut = GOOD[:GOOD.index(b"xref")]
    a = run(cut)
    assert messages(a) == [
        "pypdf could not read the file: PdfStreamError: Stream has ended unexpectedly",
        "read by a raw scan of the bytes instead: 7 Info entries and an XMP packet",
        "EOF marker not found",
        "no %%EOF marker: the file is truncated or damaged",
    ]
    assert a.metadata["PDF:Title"] == "公证书"
    assert a.metadata["PDF:CreateDate"] == "2026:11:20 14:32:05+08:00"
    assert a.metadata["XMP:DocumentID"] == "uuid:1111"
    assert [e.time.source for e in a.events][:2] == ["pdf:CreationDate", "pdf:ModDate"]


def test_header_only_and_garbage_after_header():
    a = run(b"%PDF-1.7\n" + b"\x00garbage" * 20)
    assert messages(a) == [
        "pypdf could not read the file: PdfStreamError: Stream has ended unexpectedly",
        "EOF marker not found",
        "no %%EOF marker: the file is truncated or damaged",
    ]
    assert a.metadata["PDF:PDFVersion"] == 1.7 and a.events == ()


def _encrypted(user: str, algorithm: str) -> bytes:
    import pypdf

    w = pypdf.PdfWriter()
    w.add_blank_page(100, 100)
    w.add_metadata({"/Producer": "Notary Office", "/CreationDate": "D:20261120143205+08'00'"})
    w.encrypt(user_password=user, owner_password="owner", algorithm=algorithm)
    buf = io.BytesIO()
    w.write(buf)
    return buf.getvalue()


def test_password_protected_pdf():
    a = run(_encrypted("secret", "RC4-128"))
    assert a.metadata["PDF:Encryption"] == "Standard V2.3 (128-bit)"
    assert messages(a) == ["encrypted with a user password: Info strings, XMP and page count "
                           "cannot be read without it"]
    assert "PDF:Producer" not in a.metadata and a.events == ()
    assert a.records[0].encrypted is True and a.records[0].decrypted is False


def test_encrypted_with_empty_user_password_is_read():
    a = run(_encrypted("", "AES-256"))
    assert a.metadata["PDF:Encryption"] == "Standard V5.6 (256-bit)"
    assert a.metadata["PDF:Producer"] == "Notary Office"
    assert a.metadata["PDF:PageCount"] == 1
    assert messages(a) == ["encrypted, opened with the empty user password (no password "
                           "needed to read it)"]
    assert a.records[0].decrypted is True


def test_xmp_with_entities_is_refused():
    bad = objects()
    evil = b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd">]><r>&e;</r>'
    bad[3] = b"<< /Type /Metadata /Subtype /XML /Length %d >>\nstream\n" % len(evil) + evil \
        + b"\nendstream"
    a = run(make_pdf(bad))
    assert messages(a) == ["XMP packet declares a DOCTYPE or entities; not read "
                           "(entity expansion refused)"]
    assert not any(k.startswith("XMP:") for k in a.metadata)


def test_compressed_xmp_bomb_is_refused():
    import zlib

    bomb = zlib.compress(b"\x00" * 100_000_000, 9)  # about 100 KB that inflates to 100 MB
    bad = objects()
    bad[3] = (b"<< /Type /Metadata /Subtype /XML /Filter /FlateDecode /Length %d >>\nstream\n"
              % len(bomb) + bomb + b"\nendstream")
    a = run(make_pdf(bad))
    assert [w.location for w in a.warnings] == ["XMP metadata stream"]
    assert messages(a)[0].startswith("cannot decode: LimitReachedError")
    assert a.metadata["PDF:Title"] == "公证书"


def test_wrong_format_is_refused_before_output():
    a = parse_bytes(b"GIF89a not a pdf at all", media_type="application/pdf")
    assert a.unparsed_reason == ("not a PDF: no %PDF- header in the first 1024 bytes "
                                 "(starts with 'GIF89a not a pdf')")
    assert a.records == () and a.events == ()
    with pytest.raises(WrongFormat):
        run(b"")


def test_detect_claims_pdfs_only():
    reg = default_registry()
    assert reg.detect(GOOD) == "application/pdf"
    assert reg.detect(b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ") == "video/quicktime"
    assert reg.detect(b"\x89PNG\r\n\x1a\n" + bytes(20)) == "image/png"
    assert reg.detect(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n\r\n") == "application/warc"


# -- corpus -------------------------------------------------------------------------------------

def _same(expected, got) -> bool:
    if isinstance(expected, list):
        return got == ", ".join(expected)
    return got == expected and type(got) is type(expected)


@pytest.mark.corpus
def test_corpus_matches_exiftool(corpus):
    expected = json.loads((corpus / "expected-pdf.json").read_text(encoding="utf-8"))
    compared = matched = 0
    problems = []
    for e in expected:
        a = parse_file(corpus / e["SourceFile"])
        assert a.unparsed_reason is None and a.warnings == (), e["SourceFile"]
        for key, value in e.items():
            if not (key.startswith(("PDF:", "XMP:")) or key == "File:FileType"):
                continue
            compared += 1
            got = a.metadata.get(key, "<missing>")
            if _same(value, got):
                matched += 1
            else:
                problems.append(f"{e['SourceFile']} {key}: expected={value!r} found={got!r}")
    assert problems == []
    assert (matched, compared) == (95, 95)


@pytest.mark.corpus
def test_corpus_times_revisions_and_detection(corpus):
    reg = default_registry()
    for path in sorted((corpus / "pdf").iterdir()):
        assert reg.detect(path.read_bytes()[:65536]) == "application/pdf"
        a = parse_file(path)
        assert a.metadata["PDF:Revisions"] == 1, path.name  # linearized: 2 %%EOF, one save
        assert a.flags == (), path.name  # Info and XMP agree in every corpus file
    fixture = parse_file(corpus / "pdf" / "filetype_fixture.pdf")
    assert fixture.metadata["PDF:Linearized"] is True
    rows = [(e.description, e.time.source, e.time.to_json()["utc"]) for e in fixture.events]
    assert rows == [
        ("Content Created", "pdf:CreationDate", "2000-06-28T23:21:08Z"),
        ("Content Modified", "pdf:ModDate", "2013-10-28T19:24:13Z"),
        ("Content Created", "xmp:CreateDate", "2000-06-28T23:21:08Z"),
        ("Content Modified", "xmp:ModifyDate", "2013-10-28T19:24:13Z"),
        ("Metadata Modified", "xmp:MetadataDate", "2013-10-28T19:24:13Z"),
    ]
    minimal = parse_file(corpus / "pdf" / "filetype_fixture-minimal.pdf")
    assert minimal.events == ()
    for other in ("video/filetype_fixture.mov", "images/Canon_40D.jpg", "email/mail_test_3.eml"):
        assert reg.detect((corpus / other).read_bytes()[:65536]) != "application/pdf"


# -- properties ---------------------------------------------------------------------------------

def _no_escape(data: bytes) -> None:
    with contextlib.suppress(WrongFormat):  # the only exception a parser may raise
        run(data)


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=1024))
def test_arbitrary_bytes_after_header_never_raise(data):
    _no_escape(b"%PDF-1.4\n" + data)
    _no_escape(data)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, len(GOOD) - 1), st.integers(0, 255)), max_size=12),
       st.integers(1, len(GOOD)))
def test_mutated_good_pdf_never_raises(edits, cut):
    data = bytearray(GOOD)
    for pos, value in edits:
        data[pos] = value
    _no_escape(bytes(data[:cut]))


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_xmp_reader_never_raises(text):
    read_xmp(text.encode("utf-8"))
    read_xmp(XMP.replace(b"{create}", text.encode("utf-8")))
