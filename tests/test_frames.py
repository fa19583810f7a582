"""Frames of a recording at fixed intervals (forensics.frames).

Fixtures are tiny recordings made here with PyAV (64x48, two frames a second, frame ``i``
painted one solid colour, :func:`colour`), so what was encoded at each time is known exactly;
bad twins are the same files cut in half and bytes that are no recording at all.
"""

from __future__ import annotations

import hashlib
import io
import json
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from forensics.case import Case
from forensics.errors import InputError, IntegrityError, SourceError
from forensics.frames import (
    Frame,
    _sample_open,
    decoder_versions,
    frames_for,
    is_recording,
    sample_frames,
)
from tests.conftest import snapshot

W, H, FPS, SECONDS = 64, 48, 2, 10


def colour(i: int) -> tuple[int, int, int]:
    """The solid colour frame ``i`` is painted with (distinct for every frame used here)."""
    return ((i * 37 + 20) % 256, (i * 91 + 40) % 256, (i * 53 + 60) % 256)


def record(path: Path, *, seconds: int = SECONDS, fps: int = FPS, size: tuple[int, int] = (W, H),
           codec: str = "libx264", fmt: str | None = None, options: dict | None = None,
           rotation: int | None = None) -> Path:
    """Write a recording whose frame ``i`` (at ``i / fps`` s) is solid ``colour(i)``.

    Keyframes every 4 frames (and B-frames with libx264), so sampling has to seek and reorder.
    A red mark in the top-left corner shows the orientation.
    """
    w, h = size
    with av.open(str(path), "w", format=fmt, options=options or {}) as out:
        stream = out.add_stream(codec, rate=fps)
        stream.width, stream.height, stream.pix_fmt = w, h, "yuv420p"
        stream.codec_context.gop_size = 4
        if rotation is not None:
            stream.set_display_rotation(rotation)
        for i in range(seconds * fps):
            image = np.empty((h, w, 3), np.uint8)
            image[:, :] = colour(i)
            image[: h // 4, : w // 4] = (255, 0, 0)
            frame = av.VideoFrame.from_ndarray(image, format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            out.mux(stream.encode(frame))
        out.mux(stream.encode())
    return path


def frame_index(frame: Frame) -> int:
    """Which encoded frame a PNG shows: the colour nearest to the pixel at its centre."""
    image = Image.open(io.BytesIO(frame.png)).convert("RGB")
    got = np.array(image.getpixel((image.width * 3 // 4, image.height * 3 // 4)), float)
    distances = [np.abs(got - colour(i)).sum() for i in range(SECONDS * FPS)]
    return int(np.argmin(distances))


def png_chunks(data: bytes) -> list[bytes]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos:pos + 4])
        kinds.append(data[pos + 4:pos + 8])
        pos += 12 + length
    return kinds


@pytest.fixture(scope="module")
def clip(tmp_path_factory) -> Path:
    return record(tmp_path_factory.mktemp("rec") / "screen.mp4")


# --- which frames ---------------------------------------------------------------------------------

def test_every_two_seconds_gives_the_frame_encoded_at_each_time(clip: Path):
    frames = sample_frames(clip, every=2)
    assert [f.seconds for f in frames] == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert [frame_index(f) for f in frames] == [0, 4, 8, 12, 16]
    sha = hashlib.sha256(clip.read_bytes()).hexdigest()
    assert {f.source_sha256 for f in frames} == {sha}
    assert all((f.width, f.height) == (W, H) for f in frames)


def test_between_frames_the_next_frame_is_taken_and_the_end_is_not_an_error(clip: Path):
    frames = sample_frames(clip, every=0.75, limit=20)
    # targets 0, 0.75, ..., 9.75; the first frame at or after each; 9.75 is past the last frame
    assert [f.seconds for f in frames] == [0.0, 1.0, 1.5, 2.5, 3.0, 4.0, 4.5, 5.5, 6.0, 7.0,
                                           7.5, 8.5, 9.0]
    assert [frame_index(f) for f in frames] == [round(f.seconds * FPS) for f in frames]


def test_a_long_recording_widens_the_interval_to_cover_it(clip: Path):
    frames = sample_frames(clip, every=1, limit=4)
    assert [f.seconds for f in frames] == [0.0, 2.5, 5.0, 7.5]
    assert [frame_index(f) for f in frames] == [0, 5, 10, 15]
    assert len(sample_frames(clip, every=1, limit=12)) == 10  # 10 s / 1 s fits: not widened


def test_a_recording_shorter_than_the_interval_gives_one_frame_at_zero(clip: Path):
    frames = sample_frames(clip, every=30)
    assert [(f.seconds, frame_index(f)) for f in frames] == [(0.0, 0)]


def test_seeking_gives_the_same_frames_as_decoding_from_the_start(clip: Path):
    def run(seek: bool) -> tuple[Frame, ...]:
        with open(clip, "rb") as fh:
            return _sample_open(fh, clip, "", 0.75, 20, 960, "00" * 32, seek=seek)

    assert run(True) == run(False)


def test_mpeg4_and_matroska_work_too(tmp_path: Path):
    path = record(tmp_path / "rec.mkv", codec="mpeg4", fmt="matroska")
    frames = sample_frames(path, every=3)
    assert [f.seconds for f in frames] == [0.0, 3.0, 6.0, 9.0]
    assert [frame_index(f) for f in frames] == [0, 6, 12, 18]


# --- the PNGs -------------------------------------------------------------------------------------

def test_two_runs_give_byte_identical_pngs_without_metadata_chunks(clip: Path):
    first, second = sample_frames(clip, every=2), sample_frames(clip, every=2)
    assert [f.png for f in first] == [f.png for f in second]
    assert [f.sha256 for f in first] == [hashlib.sha256(f.png).hexdigest() for f in second]
    for f in first:
        assert png_chunks(f.png) == [b"IHDR", b"IDAT", b"IEND"]  # no tEXt, tIME, pHYs, ...
        assert Image.open(io.BytesIO(f.png)).size == (f.width, f.height)


def test_frames_are_scaled_down_never_up(tmp_path: Path, clip: Path):
    assert {(f.width, f.height) for f in sample_frames(clip, max_side=32)} == {(32, 24)}
    assert {(f.width, f.height) for f in sample_frames(clip, max_side=4000)} == {(W, H)}
    tall = record(tmp_path / "tall.mp4", seconds=1, size=(48, 96))
    assert {(f.width, f.height) for f in sample_frames(tall, max_side=64)} == {(32, 64)}


def test_a_rotated_recording_is_shown_upright(tmp_path: Path):
    # -90 is how phones store a portrait recording: shown after turning it clockwise
    path = record(tmp_path / "portrait.mp4", seconds=1, rotation=-90)
    frame = sample_frames(path)[0]
    assert (frame.width, frame.height) == (H, W)
    image = Image.open(io.BytesIO(frame.png)).convert("RGB")
    red = np.array([255, 0, 0])
    assert np.abs(np.array(image.getpixel((frame.width - 3, 2))) - red).sum() < 40  # top right
    assert np.abs(np.array(image.getpixel((2, 2))) - red).sum() > 200


def test_frame_repr_does_not_dump_the_png(clip: Path):
    frame = sample_frames(clip, limit=1)[0]
    assert "png" not in repr(frame) and frame.sha256[:12] in repr(frame)
    assert frame._repr_png_() == frame.png
    assert decoder_versions().startswith("PyAV ")


# --- what has no frames, and what is broken -------------------------------------------------------

def test_an_audio_only_file_has_no_frames(tmp_path: Path):
    path = tmp_path / "voice.wav"
    with av.open(str(path), "w") as out:
        stream = out.add_stream("pcm_s16le", rate=8000)
        frame = av.AudioFrame.from_ndarray(np.zeros((1, 8000), np.int16), format="s16",
                                           layout="mono")
        frame.sample_rate = 8000
        out.mux(stream.encode(frame))
        out.mux(stream.encode())
    assert sample_frames(path) == ()


def test_a_recording_cut_in_half_is_a_typed_error_naming_the_file(tmp_path: Path, clip: Path):
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(clip.read_bytes()[: clip.stat().st_size // 2])
    with pytest.raises(SourceError, match=r"cut\.mp4: not a recording that can be read") as e:
        sample_frames(cut)
    assert e.value.path == cut


@pytest.mark.parametrize(("name", "fmt", "options"), [
    ("fast.mp4", "mp4", {"movflags": "+faststart"}),  # index first: the data just stops
    ("rec.mkv", "matroska", {}),  # no index needed: FFmpeg reads the first half silently
])
def test_a_cut_file_whose_first_half_decodes_is_still_called_truncated(
        tmp_path: Path, name: str, fmt: str, options: dict):
    whole = record(tmp_path / name, fmt=fmt, options=options, size=(160, 120))
    cut = tmp_path / f"cut-{name}"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(SourceError, match=r"truncated or damaged") as e:
        sample_frames(cut, every=2)
    assert e.value.path == cut and f"cut-{name}" in str(e.value)
    assert len(sample_frames(whole, every=2)) == 5


def test_bytes_that_are_no_recording_are_a_typed_error(tmp_path: Path):
    junk = tmp_path / "录屏.mp4"
    junk.write_bytes(bytes(range(256)) * 40)
    with pytest.raises(SourceError, match=r"录屏\.mp4: not a recording that can be read"):
        sample_frames(junk)
    with pytest.raises(SourceError, match="cannot be opened read-only"):
        sample_frames(tmp_path / "missing.mp4")


@pytest.mark.parametrize("kw", [{"every": 0}, {"every": -1.0}, {"every": float("nan")},
                                {"every": True}, {"limit": 0}, {"limit": 2.5},
                                {"max_side": 0}])
def test_bad_parameters_are_refused(clip: Path, kw: dict):
    with pytest.raises(InputError, match=next(iter(kw))):
        sample_frames(clip, **kw)


@pytest.mark.parametrize(("name", "media_type", "expected"), [
    ("screen.mp4", "", True), ("SCREEN.MOV", None, True), ("a.webm", "", True),
    ("x.bin", "video/quicktime", True), ("voice.m4a", "audio/mp4", False),
    ("voice.mp4", "audio/mp4", False), ("a.mp3", "", False), ("post.png", "image/png", False),
    ("a.mkv", "application/octet-stream", True),
])
def test_is_recording(name: str, media_type: str | None, expected: bool):
    assert is_recording(name, media_type) is expected


# --- from a case ----------------------------------------------------------------------------------

def test_frames_for_reads_the_stored_copy_and_leaves_it_unchanged(case: Case, clip: Path):
    case.add([clip])
    item = case.item("E0001")
    stored = case.root / item.stored_as
    before = snapshot(stored.parent)
    frames = frames_for(case, item, every=2)
    assert [f.seconds for f in frames] == [0.0, 2.0, 4.0, 6.0, 8.0]
    assert {f.source_sha256 for f in frames} == {item.digests.sha256}
    assert [f.png for f in frames] == [f.png for f in sample_frames(clip, every=2)]
    assert frames_for(case, "E0001", every=2) == frames
    assert snapshot(stored.parent) == before
    assert hashlib.sha256(stored.read_bytes()).hexdigest() == item.digests.sha256


def test_frames_for_refuses_a_changed_stored_copy(case: Case, clip: Path):
    case.add([clip])
    item = case.item("E0001")
    stored = case.root / item.stored_as
    data = bytearray(stored.read_bytes())
    data[-1] ^= 1
    stored.chmod(0o644)
    stored.write_bytes(bytes(data))
    with pytest.raises(IntegrityError) as e:
        frames_for(case, item)
    (problem,) = e.value.report.problems
    assert (problem.kind, problem.evidence_id, problem.expected) == (
        "changed-item", "E0001", item.digests.sha256)
    assert "E0001" in str(e.value)


def test_frames_for_an_undecodable_item_names_the_evidence_number(case: Case, tmp_path: Path,
                                                                   clip: Path):
    broken = tmp_path / "录屏.mp4"
    broken.write_bytes(clip.read_bytes()[:500])
    case.add([broken])
    with pytest.raises(SourceError, match=r"evidence E0001 \(录屏\.mp4\): not a recording"):
        frames_for(case, "E0001")
    with pytest.raises(InputError, match="unknown parameter"):
        frames_for(case, "E0001", every_s=3)


# --- the shared corpus ----------------------------------------------------------------------------

def test_corpus_videos(corpus: Path):
    expected = {e["SourceFile"]: e for e in json.loads(
        (corpus / "expected-video.json").read_text(encoding="utf-8"))}

    # 3GP, 5.578 s (ExifTool), coded 352x288 shown as 504x288: two frames, square pixels
    e = expected["video/filetype_fixture.3gp"]
    frames = sample_frames(corpus / "video/filetype_fixture.3gp")
    assert [f.seconds for f in frames] == [0.0, 5.0]
    assert {f.width for f in frames} == {e["QuickTime:SourceImageWidth"]}
    display = e["QuickTime:ImageWidth"] / e["QuickTime:ImageHeight"]
    assert all(abs(f.width / f.height - display) < 0.01 for f in frames)
    widened = sample_frames(corpus / "video/filetype_fixture.3gp", every=0.1, limit=12)
    assert len(widened) == 12 and widened[-1].seconds > 5.0

    for name in ("video/photoprism_christmas.mp4", "video/filetype_fixture.mov"):
        e = expected[name]  # shorter than 5 s: one frame at 0, at the size ExifTool states
        frames = sample_frames(corpus / name)
        assert [(f.seconds, f.width, f.height) for f in frames] == [
            (0.0, e["QuickTime:ImageWidth"], e["QuickTime:ImageHeight"])]
        assert frames[0].source_sha256 == hashlib.sha256((corpus / name).read_bytes()).hexdigest()

    # no stream at all (ExifTool: "Truncated data", no image size): nothing to show
    assert sample_frames(corpus / "video/immich_future42603.mp4") == ()
    # ExifTool's test movie keeps the headers (149 frames of 320x240) but not the media data
    assert expected["video/exiftool_QuickTime.mov"]["QuickTime:ImageWidth"] == 320
    with pytest.raises(SourceError, match=r"exiftool_QuickTime\.mov: no frame .* decoded"):
        sample_frames(corpus / "video/exiftool_QuickTime.mov")
