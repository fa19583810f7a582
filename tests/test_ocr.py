"""forensics.ocr: text read by the real OCR engine from images and recordings, and the readings
kept for a case (derived files, one custody entry, reuse, no writes when not recording).

Fixtures, all made here: small images with known text drawn by Pillow in the package's CJK font
(forensics.figures.cjk_font), a tall 300x2000 image with lines across the tile borders, a JPEG
stored sideways with EXIF orientation 6, a PNG header claiming 15000x15000 pixels, broken PNG
and JPEG files, and 4 s MPEG-4 recordings (PyAV, 320x180 at 5 fps, "+faststart" so that a
truncated copy still opens) whose text changes at 2 s; an audio-only MP4.  Real files from the
shared corpus (../shared/corpus; skipped with a reason when it is absent): a PhotoPrism
screenshot whose text is known, and an iPhone HEIC photo.

The engine is slow (about a second per small image), so it runs on a few images, each read once
by a module fixture; the tests of the case bookkeeping use a stand-in engine that returns set
lines and counts its calls.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import struct
import zlib
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from forensics import ocr
from forensics.case import Case
from forensics.custody import Action
from forensics.errors import InputError, OcrError
from forensics.figures import cjk_font
from forensics.intake import IntakeFacts
from forensics.ocr import (
    MAX_PIXELS,
    OcrFrame,
    OcrLine,
    OcrReading,
    capture_kind,
    load_reading,
    read_captures,
    read_image,
    read_image_file,
    read_recording,
)
from tests.conftest import CORPUS, snapshot
from tests.ocr_fixtures import FakeEngine

URL = "https://weibo.com/7301122334/5091873346521078"


def _font(size: int) -> ImageFont.FreeTypeFont:
    f = cjk_font()
    return ImageFont.truetype(f.path, size, index=f.face_index)


def _flat(text: str) -> str:
    return text.replace(" ", "")


def _draw(size: tuple[int, int], lines: list[tuple[str, tuple[int, int]]],
          font_size: int = 28) -> Image.Image:
    im = Image.new("RGB", size, "white")
    d = ImageDraw.Draw(im)
    font = _font(font_size)
    for text, xy in lines:
        d.text(xy, text, font=font, fill="black")
    return im


def _bytes(im: Image.Image, fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    im.save(buf, fmt, **kw)
    return buf.getvalue()


# -- images --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_lines() -> tuple[Image.Image, OcrFrame]:
    im = _draw((600, 160), [("城南吃瓜君", (40, 20)), ("转发 1843", (300, 100))])
    return im, read_image(im)


def test_text_and_boxes_are_read(two_lines: tuple[Image.Image, OcrFrame]) -> None:
    _, got = two_lines
    assert (got.width, got.height, got.at) == (600, 160, None)
    assert [_flat(x.text) for x in got.lines] == ["城南吃瓜君", "转发1843"]
    name, count = got.lines
    # boxes in the pixels of the image (text drawn at (40, 20) and (300, 100), 28 px high)
    assert abs(name.box[0] - 40) <= 8 and abs(name.box[1] - 22) <= 10
    assert abs(count.box[0] - 300) <= 8 and abs(count.box[1] - 102) <= 10
    assert all(0.9 <= x.score <= 1 for x in got.lines)
    assert got.text.replace(" ", "") == "城南吃瓜君\n转发1843"


@pytest.fixture(scope="module")
def tall() -> tuple[list[tuple[str, int]], OcrFrame]:
    # 300 px wide: read enlarged to 720 (x2.4), in tiles of 1440 px overlapping by 86 px; in the
    # image's pixels the tiles start at 0, 564, 1128, 1692 and end at 600, 1164, 1728, 2000
    rows = [("转发 101", 40), ("评论 202", 552), ("点赞 303", 585), ("阅读 404", 1105),
            ("分享 505", 1150), ("收藏 606", 1700), ("播放 707", 1950)]
    im = _draw((300, 2000), [(t, (30, y)) for t, y in rows], font_size=24)
    return rows, read_image(im)


def test_a_tall_image_is_read_in_tiles_each_line_once(
        tall: tuple[list[tuple[str, int]], OcrFrame]) -> None:
    rows, got = tall
    assert (got.width, got.height) == (300, 2000)
    assert [_flat(x.text) for x in got.lines] == [_flat(t) for t, _ in rows]
    for line, (_, y) in zip(got.lines, rows, strict=True):
        # boxes in the original pixels, not the enlarged tile's
        assert abs(line.box[1] - y) <= 8, line
        assert 20 <= line.box[0] <= 40 and line.box[2] <= 300


def test_exif_orientation_is_applied(tmp_path: Path) -> None:
    upright = _draw((480, 120), [("转发 1843", (30, 40))], font_size=36)
    exif = Image.Exif()
    exif[0x0112] = 6  # stored turned: rotate 90 degrees clockwise to show it
    path = tmp_path / "sideways.jpg"
    path.write_bytes(_bytes(upright.rotate(90, expand=True), "JPEG", exif=exif, quality=95))
    got = read_image_file(path)
    assert (got.width, got.height) == (480, 120)
    assert [_flat(x.text) for x in got.lines] == ["转发1843"]


@pytest.mark.parametrize(("size", "parts"), [
    ((1290, 2796), [(1290, 2000), (1290, 950)]),   # a tall phone capture: two tiles
    ((300, 2000), [(720, 1728)] * 2 + [(720, 1516)]),  # enlarged to 720 wide first
    ((540, 1170), [(720, 1560)]),  # an ordinary phone screenshot: one tile, one engine call
    ((1200, 800), [(1200, 800)]),
])
def test_tiles_are_never_taller_than_the_engine_reads_whole(
        monkeypatch: pytest.MonkeyPatch, size: tuple[int, int],
        parts: list[tuple[int, int]]) -> None:
    seen: list[tuple[int, int]] = []

    def spy(bgr: np.ndarray, scale: float) -> list[OcrLine]:
        seen.append((bgr.shape[1], bgr.shape[0]))
        return []

    monkeypatch.setattr(ocr, "_read_bgr", spy)
    read_image(Image.new("RGB", size, "white"))
    assert seen == parts
    assert all(max(p) <= ocr.MAX_SIDE for p in seen)
    assert ocr._engine().max_side_len == ocr.MAX_SIDE


def test_a_narrow_strip_is_not_enlarged_past_the_memory_limit(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # 36x20000 (720,000 pixels): enlarged to 720 wide it would be 288 million pixels (864 MB)
    seen: list[tuple[int, int]] = []

    def spy(bgr: np.ndarray, scale: float) -> list[OcrLine]:
        seen.append((bgr.shape[1], bgr.shape[0]))
        return [OcrLine("x", 0.9, (0, 0, 10, 10))] if len(seen) == 1 else []

    monkeypatch.setattr(ocr, "_read_bgr", spy)
    got = read_image(Image.new("RGB", (36, 20000), "white"))
    assert (got.width, got.height) == (36, 20000)
    width = seen[0][0]
    assert width * 20000 * width / 36 <= ocr.MAX_READ_PIXELS
    assert width >= 36 and all(w == width for w, _ in seen)


def _png_header(width: int, height: int) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2,
                                                               0, 0, 0))
            + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b""))


@pytest.mark.parametrize("side", [15_000, 30_000])
def test_an_image_over_max_pixels_is_refused(tmp_path: Path, side: int) -> None:
    assert side * side > MAX_PIXELS
    path = tmp_path / "bomb.png"
    path.write_bytes(_png_header(side, side))
    with pytest.raises(OcrError, match=f"more than {MAX_PIXELS:,} pixels") as exc:
        read_image_file(path)
    assert exc.value.path == path


def test_a_corrupt_png_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20)
    with pytest.raises(OcrError, match="cannot be decoded as an image") as exc:
        read_image_file(path)
    assert exc.value.path == path and str(path) in str(exc.value)


def test_a_truncated_jpeg_names_the_file(tmp_path: Path) -> None:
    data = _bytes(_draw((400, 300), [("转发 1843", (30, 40))]), "JPEG")
    path = tmp_path / "cut.jpg"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(OcrError, match="cannot be decoded as an image") as exc:
        read_image_file(path)
    assert exc.value.path == path


def test_a_missing_file_and_a_symlink_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OcrError, match="cannot be opened"):
        read_image_file(tmp_path / "nope.png")
    real = tmp_path / "real.png"
    real.write_bytes(_bytes(Image.new("RGB", (10, 10)), "PNG"))
    link = tmp_path / "link.png"
    link.symlink_to(real)
    with pytest.raises(OcrError, match="cannot be opened") as exc:
        read_image_file(link)  # evidence is never read through a link
    assert exc.value.path == link


def test_a_heic_photo_decodes(monkeypatch: pytest.MonkeyPatch) -> None:
    heic = CORPUS / "images" / "IMG_5195.HEIC"
    if not heic.is_file():
        pytest.skip(f"shared corpus file not found: {heic} (a user's clone has none)")
    seen: list[tuple[int, int]] = []

    def sizes(im: Image.Image) -> OcrFrame:  # decoding only: OCR of a 12 MP photo is slow
        seen.append(im.size)
        return OcrFrame(im.width, im.height, ())

    monkeypatch.setattr(ocr, "read_image", sizes)
    got = read_image_file(heic)
    assert seen and min(seen[0]) >= 1000
    assert (got.width, got.height) == seen[0]


@pytest.mark.corpus
def test_a_real_screenshot_with_known_text() -> None:
    shot = CORPUS / "screenshots" / "Screenshot 2019-05-21 at 10.45.52.png"
    if not shot.is_file():
        pytest.skip(f"shared corpus file not found: {shot} (a user's clone has none)")
    got = read_image_file(shot)
    texts = [x.text for x in got.lines]
    for want in ("Photos", "All Countries", "Newest first"):
        assert want in texts
    dates = [t for t in texts if re.fullmatch(r"14/05/2019 0[23]:\d\d:\d\d", t)]
    assert len(dates) >= 9


@pytest.mark.corpus
def test_a_real_web_banner_with_known_text() -> None:
    """exif-samples' image01088 (a German ISP's award banner, 425x120, JPEG without EXIF): its
    large words, read by eye, are read; its small print (Heft 6/2012, Ausgabe 2/2012) is too
    small at this size and is not asserted."""
    banner = CORPUS / "images" / "image01088_invalid.jpg"
    if not banner.is_file():
        pytest.skip(f"shared corpus file not found: {banner} (a user's clone has none)")
    got = read_image_file(banner)
    flat = [re.sub(r"\s", "", x.text) for x in got.lines]
    assert flat.count("connect") == 2
    for want in ("TESTSIEGER", "Computer", "Test-Sieger", "Platz", "desJahres2012"):
        assert want in flat, (want, flat)
    assert any(t.startswith("Telefonie-An") for t in flat)


# -- recordings ----------------------------------------------------------------------------------


def _recording(path: Path, *, seconds: int = 4, fps: int = 5, turned: bool = False) -> Path:
    """An MPEG-4 recording, 320x180 at ``fps``, showing "转发 1843" then, from 2 s, "评论 611";
    ``turned``: stored 180x320, to be shown turned clockwise (as phones store portrait video)."""
    font = _font(28)
    with av.open(str(path), "w", format="mp4", options={"movflags": "+faststart"}) as c:
        s = c.add_stream("mpeg4", rate=fps)
        s.width, s.height = (180, 320) if turned else (320, 180)
        s.pix_fmt = "yuv420p"
        s.bit_rate = 2_000_000
        s.codec_context.gop_size = fps
        if turned:
            s.set_display_rotation(-90)
        for i in range(seconds * fps):
            im = Image.new("RGB", (320, 180), "white")
            ImageDraw.Draw(im).text((20, 70), "转发 1843" if i < 2 * fps else "评论 611",
                                    font=font, fill="black")
            if turned:
                im = im.rotate(90, expand=True)
            vf = av.VideoFrame.from_ndarray(np.asarray(im), format="rgb24")
            vf.pts = i
            for p in s.encode(vf):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


def _truncated_at(src: Path, dest: Path, seconds: float) -> Path:
    """``src`` cut at the first byte of its packet at ``seconds``."""
    with av.open(str(src)) as c:
        stream = c.streams.video[0]
        pos = next(p.pos for p in c.demux(stream)
                   if p.pts is not None and p.pts * stream.time_base >= seconds)
    dest.write_bytes(src.read_bytes()[:pos])
    return dest


def _audio_only(path: Path) -> Path:
    with av.open(str(path), "w", format="mp4") as c:
        s = c.add_stream("aac", rate=8000)
        s.layout = "mono"
        for i in range(4):
            f = av.AudioFrame.from_ndarray(np.zeros((1, 1024), dtype=np.float32), format="fltp",
                                           layout="mono")
            f.sample_rate = 8000
            f.pts = i * 1024
            for p in s.encode(f):
                c.mux(p)
        for p in s.encode():
            c.mux(p)
    return path


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("recordings")
    rec = _recording(d / "rec.mp4")
    return {"rec": rec, "cut": _truncated_at(rec, d / "cut.mp4", 2.0),
            "turned": _recording(d / "turned.mp4", seconds=1, turned=True),
            "audio": _audio_only(d / "audio.mp4")}


def test_a_recording_is_sampled_every_second_and_unchanged_frames_are_skipped(
        recordings: dict[str, Path]) -> None:
    frames, sampled, duration, warnings = read_recording(recordings["rec"], progress=False)
    assert sampled == 4 and duration == pytest.approx(4.0)
    assert warnings == ()
    # 0 s and 2 s read; 1 s and 3 s look the same as the frame before them
    assert [(f.at, [_flat(x.text) for x in f.lines]) for f in frames] == [
        (0.0, ["转发1843"]), (2.0, ["评论611"])]
    assert (frames[0].width, frames[0].height) == (320, 180)


def test_a_recording_stored_turned_is_read_upright(recordings: dict[str, Path]) -> None:
    frames, sampled, _, warnings = read_recording(recordings["turned"], progress=False)
    assert (sampled, warnings) == (1, ())
    assert [(f.width, f.height, [_flat(x.text) for x in f.lines]) for f in frames] == [
        (320, 180, ["转发1843"])]


def test_a_truncated_recording_keeps_the_frames_before_the_cut(
        recordings: dict[str, Path]) -> None:
    frames, sampled, duration, warnings = read_recording(recordings["cut"], progress=False)
    assert [(f.at, [_flat(x.text) for x in f.lines]) for f in frames] == [(0.0, ["转发1843"])]
    assert sampled == 2 and duration == pytest.approx(4.0)
    (w,) = warnings
    assert "ended at 1.8 s of 4.0 s" in w


def test_a_file_without_video_is_refused(recordings: dict[str, Path], tmp_path: Path) -> None:
    with pytest.raises(OcrError, match="no video stream") as exc:
        read_recording(recordings["audio"])
    assert exc.value.path == recordings["audio"]
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 100)
    with pytest.raises(OcrError, match="cannot be opened as a recording"):
        read_recording(junk)
    with pytest.raises(OcrError, match="must be positive"):
        read_recording(recordings["rec"], every=0)


# -- records -------------------------------------------------------------------------------------


def test_records_round_trip_through_json() -> None:
    line = OcrLine("转发 1843", 0.998, (12, 30, 140, 58))
    frame = OcrFrame(540, 1170, (line,), 2.0)
    reading = OcrReading("E0001", "a.mp4", "a" * 64, "recording", (frame,), sampled=3,
                         duration=4.0, warnings=("w",), engine={"engine": "x"})
    assert OcrReading.from_json(json.loads(json.dumps(reading.to_json()))) == reading
    with pytest.raises(ValueError, match="four numbers"):
        OcrLine.from_json({"text": "x", "score": 1, "box": [1, 2, 3]})
    assert capture_kind("image/png") == "image" and capture_kind("application/pdf") is None


def test_reading_html_escapes_hostile_text() -> None:
    frame = OcrFrame(10, 10, (OcrLine("<img src=x onerror=alert(1)>\u202egnp.exe\u200b", 0.9,
                                      (0, 0, 1, 1)),))
    page = OcrReading("E0001", "<b>x</b>.png", "a" * 64, "image", (frame,),
                      error="<script>")._repr_html_()
    assert "<img" not in page and "<script>" not in page and "<b>x" not in page
    assert "\u202e" not in page and "⟦U+202E⟧" in page and "⟦U+200B⟧" in page


# -- captures of a case (a stand-in engine) ------------------------------------------------------




LINES = [("城南吃瓜君", (112, 189, 242, 218)), ("转发 1843", (39, 723, 141, 748))]


@pytest.fixture
def engine(monkeypatch: pytest.MonkeyPatch) -> FakeEngine:
    fake = FakeEngine(LINES)
    monkeypatch.setattr(ocr, "_engine", lambda: fake)
    return fake


def _facts(captured: str = "2026-11-21T09:15:40+08:00") -> IntakeFacts:
    return IntakeFacts(category="post", url=URL, publisher="城南吃瓜君", captured_at=captured)


@pytest.fixture
def captures_case(tmp_path: Path, recordings: dict[str, Path]) -> Case:
    """good.png, corrupt.png, cut.jpg, rec.mp4 and a note that is no capture (E0001-E0005)."""
    src = tmp_path / "src"
    src.mkdir()
    jpeg = _bytes(_draw((720, 400), [("转发 1843", (30, 40))]), "JPEG")
    files = {
        "good.png": _bytes(Image.new("RGB", (720, 1200), "white"), "PNG"),
        "corrupt.png": b"\x89PNG\r\n\x1a\n" + b"\x00garbage" * 20,
        "cut.jpg": jpeg[: len(jpeg) // 2],
        "rec.mp4": recordings["rec"].read_bytes(),
        "note.txt": "截图说明：见附件".encode(),
    }
    case = Case.init(tmp_path / "case")
    for name, data in files.items():
        (src / name).write_bytes(data)
        case.add([src / name], facts=_facts(), progress=False)
    return case


def _entries(case: Case, action: str) -> list[dict]:
    lines = (case.root / "custody.jsonl").read_text(encoding="utf-8").splitlines()
    return [e for e in map(json.loads, lines) if e["action"] == action]


def test_read_captures_logs_one_entry_and_keeps_derived_files(
        captures_case: Case, engine: FakeEngine) -> None:
    case = captures_case
    store = snapshot(case.root / "store")
    readings = read_captures(case, progress=False)
    assert [(r.evidence_id, r.kind) for r in readings] == [
        ("E0001", "image"), ("E0002", "image"), ("E0003", "image"), ("E0004", "recording")]
    good, corrupt, cut, rec = readings
    assert [_flat(x.text) for x in good.frames[0].lines] == ["城南吃瓜君", "转发1843"]
    assert corrupt.frames == () and "cannot be decoded as an image" in corrupt.error
    assert cut.frames == () and "cannot be decoded as an image" in cut.error
    # the recording: every changed frame read (the stand-in engine sees 2 of 4 samples)
    assert rec.sampled == 4 and [f.at for f in rec.frames] == [0.0, 2.0]
    (entry,) = _entries(case, Action.OCR)
    assert [e["id"] for e in entry["evidence"]] == ["E0001", "E0002", "E0003", "E0004"]
    for r, res in zip(readings, entry["details"]["results"], strict=True):
        path = case.root / r.derived_path
        assert r.derived_path == f"derived/ocr/{r.sha256}.json"
        assert res["derived"] == {"path": r.derived_path, "sha256": r.derived_sha256}
        assert hashlib.sha256(path.read_bytes()).hexdigest() == r.derived_sha256
        assert res["error"] == (r.error or None)
    assert entry["details"]["engine"]["engine"] == "rapidocr-onnxruntime"
    # the evidence is untouched and the log verifies
    assert snapshot(case.root / "store") == store
    assert case.verify(record=False, progress=False).ok


def test_kept_readings_are_reused_and_a_tampered_one_is_read_again(
        captures_case: Case, engine: FakeEngine) -> None:
    case = captures_case
    first = read_captures(case, progress=False)
    calls = engine.calls
    again = read_captures(case, progress=False)
    assert engine.calls == calls
    assert again == first
    assert len(_entries(case, Action.OCR)) == 1
    # one derived file edited: that capture alone is read again, in a new entry
    path = case.root / first[0].derived_path
    path.write_bytes(path.read_bytes().replace("转发".encode(), "评论".encode()))
    assert load_reading(case, case.item("E0001")) is None
    third = read_captures(case, progress=False)
    assert engine.calls == calls + 1
    assert third[0].derived_sha256 == first[0].derived_sha256
    entries = _entries(case, Action.OCR)
    assert len(entries) == 2 and [e["id"] for e in entries[1]["evidence"]] == ["E0001"]


def test_a_derived_path_outside_the_ocr_folder_is_not_followed(
        captures_case: Case, engine: FakeEngine) -> None:
    case = captures_case
    (first,) = read_captures(case, ["E0001"], progress=False)
    kept = case.root / first.derived_path
    moved = case.root / "derived" / "elsewhere.json"
    kept.rename(moved)
    kept.symlink_to(moved)  # the same bytes, reached through a link
    assert load_reading(case, case.item("E0001")) is None
    kept.unlink()
    os.mkfifo(kept)  # a reader must not wait on a pipe planted in the case
    assert load_reading(case, case.item("E0001")) is None


def test_record_false_writes_and_logs_nothing(captures_case: Case, engine: FakeEngine) -> None:
    case = captures_case
    read_captures(case, progress=False, record=False)  # parses too: compare after the first
    before = snapshot(case.root)
    readings = read_captures(case, progress=False, record=False)
    assert snapshot(case.root) == before
    assert readings[0].derived_path == "" and readings[0].frames
    assert not (case.root / "derived" / "ocr").exists()


def test_a_backup_is_read_but_not_written(captures_case: Case, engine: FakeEngine,
                                          tmp_path: Path) -> None:
    captures_case.backup(tmp_path / "backup")
    backup = Case.open(tmp_path / "backup")
    before = snapshot(backup.root)
    readings = read_captures(backup, ["E0001"], progress=False)
    assert readings[0].frames and readings[0].derived_path == ""
    assert snapshot(backup.root) == before


def test_unknown_or_non_capture_evidence_ids_are_refused(captures_case: Case,
                                                         engine: FakeEngine) -> None:
    with pytest.raises(InputError, match="E0099"):
        read_captures(captures_case, ["E0099"], progress=False)
    with pytest.raises(InputError, match="E0005 is not a screenshot, photo or recording"):
        read_captures(captures_case, ["E0005"], progress=False)
    assert engine.calls == 0


def test_a_symlinked_store_file_is_an_error_not_a_crash(captures_case: Case,
                                                        engine: FakeEngine) -> None:
    case = captures_case
    read_captures(case, ["E0002"], progress=False)  # parse first, as a run does
    stored = case.root / case.item("E0001").stored_as
    copy = stored.with_name("copy")
    copy.write_bytes(stored.read_bytes())
    os.chmod(stored.parent, 0o755)
    stored.unlink()
    stored.symlink_to(copy)
    (r,) = read_captures(case, ["E0001"], progress=False, record=False)
    assert r.frames == () and "cannot be opened" in r.error


def test_the_stored_copy_is_checked_against_its_digest(captures_case: Case,
                                                       engine: FakeEngine) -> None:
    case = captures_case
    read_captures(case, ["E0002"], progress=False)
    stored = case.root / case.item("E0001").stored_as
    os.chmod(stored, 0o644)
    stored.write_bytes(_bytes(Image.new("RGB", (720, 1200), "black"), "PNG"))
    (r,) = read_captures(case, ["E0001"], progress=False, record=False)
    assert "does not match its recorded SHA-256" in r.error and engine.calls == 0


def test_readings_are_kept_in_batches_so_an_interrupted_run_keeps_the_batches_done(
        captures_case: Case, engine: FakeEngine, monkeypatch: pytest.MonkeyPatch) -> None:
    case = captures_case
    monkeypatch.setattr(ocr, "ENTRY_BATCH", 2)
    real = ocr.read_item

    def interrupted(case: Case, item, kind: str, **kw):
        if item.evidence_id == "E0004":  # Ctrl-C while the third capture is read
            raise KeyboardInterrupt
        return real(case, item, kind, **kw)

    monkeypatch.setattr(ocr, "read_item", interrupted)
    with pytest.raises(KeyboardInterrupt):
        read_captures(case, progress=False)
    (entry,) = _entries(case, Action.OCR)  # the first batch (E0001, E0002) was kept
    assert [e["id"] for e in entry["evidence"]] == ["E0001", "E0002"]
    assert load_reading(case, case.item("E0001")) is not None
    monkeypatch.setattr(ocr, "read_item", real)
    calls = engine.calls
    readings = read_captures(case, progress=False)  # the rest is read, the batch done is not
    assert [r.evidence_id for r in readings] == ["E0001", "E0002", "E0003", "E0004"]
    entries = _entries(case, Action.OCR)
    assert [[e["id"] for e in x["evidence"]] for x in entries] == [
        ["E0001", "E0002"], ["E0003", "E0004"]]
    assert engine.calls > calls
    assert case.verify(record=False, progress=False).ok


def test_a_heif_image_without_pillow_heif_names_what_to_install(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_heif_opener", lambda: "pillow-heif is not installed (test)")
    heif = b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64
    with pytest.raises(OcrError, match=r"x\.heic: a HEIF image \(brand heic\).*pillow-heif"):
        ocr._decode_image(heif, "x.heic")
