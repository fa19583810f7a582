"""The registry: media types, content detection, the two levels of bad input, the last net."""

from __future__ import annotations

import io
import sys

import pytest

from forensics.errors import RegistryError, WrongFormat
from forensics.parsers import MODULES, ParseContext, Parser, Registry, default_registry
from forensics.parsers.sniff import binary_type

CTX = ParseContext(evidence_id="E0007", sha256="ab" * 32, name="x.bin", size=10)


class Lines(Parser):
    name, version, media_types = "lines", "2", ("text/x-lines",)

    @classmethod
    def sniff(cls, text, head):
        return "text/x-lines" if text.startswith("LINES") else None

    def parse(self, fh, ctx, out):
        data = fh.read()
        if not data.startswith(b"LINES"):
            raise WrongFormat("no LINES header")
        for n, line in enumerate(data.splitlines()[1:], 2):
            if line == b"bad":
                out.warn(f"line {n}", "corrupt line")
                continue
            if line == b"boom":
                raise KeyError("bug")
            out.meta(f"Lines:Line{n}", line.decode())


def _reg():
    r = Registry()
    r.register(Lines)
    return r


def test_register_twice_is_an_error():
    r = _reg()
    with pytest.raises(RegistryError, match="already registered"):
        r.register(Lines)
    with pytest.raises(RegistryError, match="not a Parser"):
        r.register(dict)  # type: ignore[arg-type]

    class Nameless(Parser):
        media_types = ("x/y",)

    with pytest.raises(RegistryError, match="must set"):
        r.register(Nameless)


def test_default_registry_has_no_duplicates_and_every_parser_is_named():
    reg = default_registry()
    assert len(MODULES) == len(set(MODULES))
    for p in reg.parsers():
        assert p.name and p.version and p.media_types
        for mt in p.media_types:
            assert reg.get(mt) is p


def test_corrupt_part_is_a_warning_and_parsing_goes_on():
    art = _reg().parse(io.BytesIO(b"LINES\none\nbad\nthree"), CTX)
    assert art.parsed and art.parser == "lines" and art.parser_version == "2"
    assert dict(art.metadata)["Lines:Line4"] == "three"
    (w,) = art.warnings
    assert (w.origin.evidence_id, w.origin.parser, w.location, w.message) == (
        "E0007", "lines", "line 3", "corrupt line")


def test_wrong_format_is_refused_before_the_first_record():
    art = _reg().parse(io.BytesIO(b"NOPE"), CTX, media_type="text/x-lines")
    assert art.unparsed_reason == "no LINES header" and not art.records and not art.warnings


def test_no_parser_is_unparsed_with_the_reason():
    art = _reg().parse(io.BytesIO(b"\x00\x01\x02garbage"), CTX)
    assert art.media_type == "application/octet-stream" and art.parser == ""
    assert "not recognised" in art.unparsed_reason
    art = _reg().parse(io.BytesIO(b""), ParseContext("E1", "0" * 64, "empty", 0))
    assert art.unparsed_reason == "empty file"


def test_a_parser_bug_never_loses_the_item():
    art = _reg().parse(io.BytesIO(b"LINES\none\nboom"), CTX)
    assert art.parsed and dict(art.metadata)["Lines:Line2"] == "one"
    assert "KeyError" in art.warnings[-1].message
    art = _reg().parse(io.BytesIO(b"LINES\nboom"), CTX)
    assert art.unparsed_reason.startswith("lines parser failed: KeyError")


def test_detection_is_by_content_not_name():
    heif_named_jpg = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + bytes(64)
    ctx = ParseContext("E1", "0" * 64, "photo.jpg", len(heif_named_jpg))
    art = default_registry().parse(io.BytesIO(heif_named_jpg), ctx)
    assert art.media_type == "image/heic"


@pytest.mark.parametrize(("head", "expected"), [
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"MM\x00*\x00\x00\x00\x08", "image/tiff"),
    (b"RIFF\x00\x00\x00\x00WEBPVP8 ", "image/webp"),
    (b"\x00\x00\x00\x1cftypmif1\x00\x00\x00\x00mif1heic", "image/heic"),
    (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1", "image/avif"),
    (b"\x00\x00\x00\x1cftypisom\x00\x00\x02\x00isomiso2mp41", "video/mp4"),
    (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00", "video/3gpp"),
    (b"\x00\x00\x00\x08wide\x00\x00\x00\x08mdat", "video/quicktime"),
    (b"%PDF-1.7\n", "application/pdf"),
    (b"WARC/1.0\r\n", "application/warc"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "__substg1.0_0037001F".encode("utf-16-le"),
     "application/vnd.ms-outlook"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(32), "application/x-ole-storage"),
])
def test_binary_signatures(head, expected):
    assert binary_type(head) == expected


def test_gzip_warc_is_recognised_inside_the_gzip_member():
    import gzip

    assert binary_type(gzip.compress(b"WARC/1.0\r\nWARC-Type: warcinfo\r\n")) == "application/warc"
    assert binary_type(gzip.compress(b"just text")) == "application/gzip"


def test_importing_the_registry_loads_no_heavy_library():
    import subprocess

    code = ("import sys, forensics.parsers as p; p.default_registry(); "
            "heavy = [m for m in ('exifread', 'warcio', 'lxml', 'pypdf', 'extract_msg', "
            "'pandas', 'pyarrow') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_utf16_text_exports_are_recognised():
    bar = "=" * 64
    text = ("消息记录（此消息记录为文本格式，不支持重新导入）\r\n\r\n" + bar + "\r\n消息分组:我的好友\r\n"
            + bar + "\r\n消息对象:张三\r\n" + bar + "\r\n\r\n2016-03-04 9:05:12 张三\r\n你好\r\n\r\n")
    for bom, enc in ((b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")):
        assert default_registry().detect(bom + text.encode(enc)) == "text/x-qq-chat"


FAMILIES = {
    "images": "image/", "screenshots": "image/", "video": "video/", "pdf": "application/pdf",
    "warc": "application/warc", "mhtml": "multipart/related", "email": ("message/rfc822",
                                                                           "application/mbox"),
    "chat": ("text/x-", "application/x-"), "propagation": ("application/x-weibo-ced",
                                                           "text/x-cascade-edges", "text/plain"),
}


@pytest.mark.corpus
def test_every_corpus_file_is_recognised_as_its_family(corpus):
    reg = default_registry()
    for f in sorted(p for p in corpus.rglob("*") if p.is_file()):
        rel = f.relative_to(corpus)
        mt = reg.detect(f.read_bytes()[:65536])
        if len(rel.parts) == 1:  # the corpus's own README, MANIFEST and expected-*.json
            assert mt == "text/plain", (rel, mt)
        elif rel.parts[0] in FAMILIES:
            want = FAMILIES[rel.parts[0]]
            assert mt.startswith(want if isinstance(want, tuple) else (want,)), (rel, mt)


def test_builder_makes_values_safe_to_write():
    import json

    from forensics.parsers.base import Builder
    from forensics.records import ChatMessage
    from forensics.timestamps import parse_iso8601

    b = Builder(Lines(), CTX)
    b.meta("X:Big", 2**70)
    b.meta("X:S", "a\ud800")
    b.record(ChatMessage(b.origin, "m1", sender_name="\udc80李", attachments=("ok", "\ud800")))
    b.event("chat:message", "Message Sent", parse_iso8601("2026-01-01T00:00:00Z", "x"),
            actor="\ud800")
    a = b.build("text/x-lines")
    assert dict(a.metadata)["X:Big"] == str(2**70) and dict(a.metadata)["X:S"] == "a\ufffd"
    assert a.records[0].sender_name == "\ufffd李" and a.records[0].attachments == ("ok", "\ufffd")
    assert a.events[0].actor == "\ufffd"
    assert [w.message for w in a.warnings] == [
        "4 values held characters that are not text (lone surrogates); shown as U+FFFD"]
    json.dumps([a.to_json(), [r.to_row() for r in a.records], [e.to_row() for e in a.events]],
               ensure_ascii=False).encode("utf-8")


@pytest.mark.parametrize("text", ["The free speech case was heard on Monday.\n",
                                  "For wide distribution: 转发五百次\n", "moov is a word\n"])
def test_text_starting_like_an_atom_is_not_quicktime(text):
    assert default_registry().detect(text.encode()) == "text/plain"
