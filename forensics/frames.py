"""Frames of a recording at fixed intervals, for the appendix's view of a screen recording.

A frame is *derived* data: it is decoded from the stored original, opened read-only and never
changed, and every :class:`Frame` names the SHA-256 of the recording it came from.  The same
recording, the same parameters and the same versions of the decoder and encoder
(:func:`decoder_versions`) give byte-identical PNGs, so an appendix that shows them can be
rebuilt byte for byte.

What is sampled (:func:`sample_frames`):

* the times ``0, every, 2·every, ...`` below the duration of the video stream, at most ``limit``
  of them; when ``duration / every > limit`` the interval is widened to ``duration / limit`` so
  that the frames cover the whole recording (the returned ``seconds`` show the interval used);
* at each time ``t`` the first intact frame whose presentation time is at or after ``t``, found
  by seeking to the keyframe before ``t`` and decoding forward, which gives the same frame as
  decoding from the start.  A frame already taken for an earlier time is not repeated (a screen
  recording that only writes a frame when the screen changes can map several times to one
  frame);
* times are seconds from the start of the video stream, exact (rational) until they are
  reported as ``float``.

Decoding is done by FFmpeg through PyAV (https://pyav.basswood-io.com/); scaling and PNG
encoding by Pillow with fixed options and no metadata chunks (no ``tIME``, no ``tEXt``).

Examples
--------
>>> import fractions, pathlib, tempfile
>>> import av, numpy as np
>>> path = pathlib.Path(tempfile.mkdtemp()) / "clip.mp4"
>>> with av.open(str(path), "w") as out:
...     stream = out.add_stream("mpeg4", rate=2)
...     stream.width, stream.height, stream.pix_fmt = 64, 48, "yuv420p"
...     for i in range(8):  # four seconds, two frames a second
...         image = np.full((48, 64, 3), 30 * i, np.uint8)
...         frame = av.VideoFrame.from_ndarray(image, format="rgb24")
...         frame.pts, frame.time_base = i, fractions.Fraction(1, 2)
...         out.mux(stream.encode(frame))
...     out.mux(stream.encode())
>>> frames = sample_frames(path, every=1.5)
>>> [(f.seconds, f.width, f.height) for f in frames]
[(0.0, 64, 48), (1.5, 64, 48), (3.0, 64, 48)]
>>> frames[0].png[:8] == b"\\x89PNG\\r\\n\\x1a\\n"
True
>>> is_recording("录屏.MP4", "")
True
"""

from __future__ import annotations

import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from fractions import Fraction
from math import floor
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

import av
import av.error
import PIL
from PIL import Image

from forensics.digests import HASH_BLOCK_SIZE
from forensics.durable import open_readonly
from forensics.errors import InputError, IntegrityError, SourceError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case, Item

__all__ = [
    "DEFAULT_EVERY",
    "DEFAULT_LIMIT",
    "DEFAULT_MAX_SIDE",
    "PNG_COMPRESS_LEVEL",
    "RECORDING_EXTENSIONS",
    "Frame",
    "decoder_versions",
    "frames_for",
    "is_recording",
    "sample_frames",
]

#: Seconds between sampled frames, unless the recording is too long for ``limit`` frames.
DEFAULT_EVERY: float = 5.0
#: At most this many frames per recording.
DEFAULT_LIMIT: int = 12
#: The longer side of a frame is scaled down (never up) to at most this many pixels.
DEFAULT_MAX_SIDE: int = 960
#: zlib level of the PNG encoder (fixed: a different level gives different bytes).
PNG_COMPRESS_LEVEL: int = 6
#: File name endings taken as video recordings when the media type does not say.
RECORDING_EXTENSIONS: tuple[str, ...] = (
    ".mp4", ".mov", ".m4v", ".3gp", ".avi", ".mkv", ".webm", ".wmv",
)

#: Frames may end this long before the stated duration without being called truncated
#: (at least; two nominal frame intervals when those are longer).
_END_TOLERANCE = Fraction(1)
#: Tolerance when the stream states no frame rate.
_FALLBACK_INTERVAL = Fraction(1, 10)


@dataclass(frozen=True, slots=True)
class Frame:
    """One frame of a recording, as a PNG made from the stored original.

    Parameters
    ----------
    seconds : float
        Presentation time of the frame shown, in seconds from the start of the video stream.
    png : bytes
        The frame, encoded as PNG without metadata chunks.
    width, height : int
        Size of the PNG in pixels (upright, square pixels, scaled down to the size limit).
    source_sha256 : str
        SHA-256 (lowercase hex) of the recording the frame was decoded from.

    Examples
    --------
    >>> f = Frame(1.5, b"not really a png", 2, 1, "ab" * 32)
    >>> f.sha256[:16]
    'e90137d39de304ee'
    >>> f
    Frame(seconds=1.5, width=2, height=1, source_sha256='abab...abab', sha256='e90137d39de3...')
    """

    seconds: float
    png: bytes = field(repr=False)
    width: int
    height: int
    source_sha256: str

    @property
    def sha256(self) -> str:
        """SHA-256 (lowercase hex) of :attr:`png`: what an appendix caption names."""
        return hashlib.sha256(self.png).hexdigest()

    def __repr__(self) -> str:
        src = self.source_sha256
        short = f"{src[:4]}...{src[-4:]}" if len(src) > 8 else src
        return (f"Frame(seconds={self.seconds!r}, width={self.width}, height={self.height}, "
                f"source_sha256={short!r}, sha256='{self.sha256[:12]}...')")

    def _repr_png_(self) -> bytes:
        return self.png


def decoder_versions() -> str:
    """The versions the PNG bytes depend on, for the provenance of an appendix.

    Examples
    --------
    >>> decoder_versions().startswith("PyAV ")
    True
    """
    return f"PyAV {av.__version__} (FFmpeg {av.ffmpeg_version_info}), Pillow {PIL.__version__}"


def is_recording(item_name: str, media_type: str | None) -> bool:
    """True when an item is a video recording (audio has no frames).

    The media type decides when it names ``video/`` or ``audio/``; otherwise the file name's
    ending does (:data:`RECORDING_EXTENSIONS`).

    Examples
    --------
    >>> is_recording("screen.bin", "video/mp4")
    True
    >>> is_recording("voice.mp4", "audio/mp4")
    False
    >>> is_recording("录屏.MOV", "application/octet-stream"), is_recording("a.mp3", None)
    (True, False)
    """
    mt = (media_type or "").strip().lower()
    if mt.startswith("video/"):
        return True
    if mt.startswith("audio/"):
        return False
    return item_name.lower().endswith(RECORDING_EXTENSIONS)


def sample_frames(
    path: Path | str,
    *,
    every: float = DEFAULT_EVERY,
    limit: int = DEFAULT_LIMIT,
    max_side: int = DEFAULT_MAX_SIDE,
    source_sha256: str | None = None,
) -> tuple[Frame, ...]:
    """Frames of the recording at ``path``, one every ``every`` seconds.

    Parameters
    ----------
    path : path-like
        The recording; opened read-only (never through a link) and read in blocks, never whole.
    every : float, optional
        Seconds between frames.  When ``duration / every > limit`` the interval is widened to
        ``duration / limit`` so that the frames cover the whole recording.  A recording shorter
        than ``every`` gives one frame, at 0.
    limit : int, optional
        At most this many frames.
    max_side : int, optional
        The longer side of each PNG is at most this many pixels (scaled down with Lanczos,
        never up).
    source_sha256 : str, optional
        The recording's SHA-256, if already known; otherwise it is computed from the file.

    Returns
    -------
    tuple of Frame
        In time order; empty when the file has no video stream (audio only).

    Raises
    ------
    forensics.errors.SourceError
        The file cannot be opened, is not a recording FFmpeg can read, or is truncated or
        damaged (no decodable frame, a decoding error, or frames that stop well before the
        duration its header states).
    forensics.errors.InputError
        ``every``, ``limit`` or ``max_side`` is not positive.

    Notes
    -----
    The frame taken for time ``t`` is the first intact frame whose presentation time is at or
    after ``t`` (its ``seconds`` say which); frames the decoder marks corrupt are passed over.
    Frames are shown upright (the display rotation is applied) and with square pixels (a
    non-square pixel aspect is corrected by shrinking one side).  When the duration is unknown
    the file is decoded from the start and the frames cover the first ``limit × every``
    seconds.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> bad = pathlib.Path(tempfile.mkdtemp()) / "bad.mp4"
    >>> _ = bad.write_bytes(b"no video here" * 10)
    >>> sample_frames(bad)
    Traceback (most recent call last):
    ...
    forensics.errors.SourceError: ...bad.mp4: not a recording that can be read: ...
    """
    path = Path(path)
    _check_parameters(every, limit, max_side)
    with _open_original(path, "") as fh:
        if source_sha256 is None:
            source_sha256 = _sha256_of(fh, path, "")
            fh.seek(0)
        return _sample(fh, path, "", every, limit, max_side, source_sha256)


def frames_for(case: Case, item: Item | str, **kw: object) -> tuple[Frame, ...]:
    """Frames of an evidence item's stored copy, after checking it is the content acquired.

    Parameters
    ----------
    case : Case
        The case that holds the item.
    item : Item or str
        The item, or its evidence number (``"E0003"``).
    **kw
        ``every``, ``limit``, ``max_side``: as for :func:`sample_frames`.

    Returns
    -------
    tuple of Frame
        Each names the item's SHA-256; empty for an item without a video stream.

    Raises
    ------
    forensics.errors.IntegrityError
        The stored copy's SHA-256 is not the one recorded when it was acquired (a
        ``changed-item`` problem naming the item); nothing is decoded.
    forensics.errors.SourceError
        The stored copy cannot be read or decoded; the message names the evidence number, the
        file name and what is wrong.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> from forensics.case import Case
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "录屏.mp4").write_bytes(b"not a video")
    >>> case = Case.init(tmp / "case")
    >>> _ = case.add([tmp / "录屏.mp4"])
    >>> frames_for(case, "E0001")
    Traceback (most recent call last):
    ...
    forensics.errors.SourceError: ...: evidence E0001 (录屏.mp4): not a recording that can be read: ...
    """
    unknown = set(kw) - {"every", "limit", "max_side"}
    if unknown:
        raise InputError(f"frames_for: unknown parameter(s) {', '.join(sorted(unknown))}")
    every = kw.get("every", DEFAULT_EVERY)
    limit = kw.get("limit", DEFAULT_LIMIT)
    max_side = kw.get("max_side", DEFAULT_MAX_SIDE)
    _check_parameters(every, limit, max_side)
    if isinstance(item, str):
        item = case.item(item)
    path = case.root / item.stored_as
    label = f"evidence {item.evidence_id} ({item.name}): "
    expected = item.digests.sha256
    with _open_original(path, label) as fh:
        found = _sha256_of(fh, path, label)
        if found != expected:
            _raise_changed(case, item, expected, found)
        fh.seek(0)
        return _sample(fh, path, label, every, limit, max_side, expected)  # type: ignore[arg-type]


# --- checking and reading the original -----------------------------------------------------------

def _check_parameters(every: object, limit: object, max_side: object) -> None:
    if isinstance(every, bool) or not isinstance(every, int | float | Fraction) or not (
            0 < every < float("inf")):
        raise InputError(f"every must be a positive number of seconds, got {every!r}")
    for name, value in (("limit", limit), ("max_side", max_side)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InputError(f"{name} must be a positive whole number, got {value!r}")


def _open_original(path: Path, label: str) -> BinaryIO:
    try:
        return os.fdopen(open_readonly(path), "rb")
    except OSError as exc:
        raise SourceError(path, f"{label}cannot be opened read-only: "
                                f"{exc.strerror or exc}") from None


def _sha256_of(fh: BinaryIO, path: Path, label: str) -> str:
    h = hashlib.sha256()
    try:
        while block := fh.read(HASH_BLOCK_SIZE):
            h.update(block)
    except OSError as exc:
        raise SourceError(path, f"{label}read failed: {exc.strerror or exc}") from None
    return h.hexdigest()


def _raise_changed(case: Case, item: Item, expected: str, found: str) -> None:
    from forensics.integrity import VerificationReport
    from forensics.problems import ChangedItem

    report = VerificationReport(
        case=str(case.root), status="failed",
        problems=(ChangedItem(item.evidence_id, "sha256", expected, found),),
        items_checked=1, entries_checked=0, head=None, anchors_checked=0,
        checked_at=datetime.now(UTC),
        notes=(f"checked before sampling frames of {item.stored_as}; nothing was decoded",),
    )
    raise IntegrityError(report)


# --- decoding ------------------------------------------------------------------------------------

class _SeekFailed(Exception):
    """The container cannot seek: decode from the start instead."""


@dataclass(slots=True)
class _Walk:
    """Where decoding has got to: the end (seconds) of the latest frame seen."""

    seen_end: Fraction = Fraction(0)


@dataclass(frozen=True, slots=True)
class _Video:
    """The chosen video stream and the numbers sampling needs, exact."""

    stream: av.video.stream.VideoStream
    origin: int  # pts of the stream's start, in time_base units
    time_base: Fraction
    duration: Fraction | None
    interval: Fraction  # nominal time between frames
    aspect: Fraction  # sample (pixel) aspect ratio, 1 when unknown


def _sample(fh: BinaryIO, path: Path, label: str, every: float, limit: int, max_side: int,
            sha256: str) -> tuple[Frame, ...]:
    try:
        try:
            return _sample_open(fh, path, label, every, limit, max_side, sha256, seek=True)
        except _SeekFailed:
            fh.seek(0)
            return _sample_open(fh, path, label, every, limit, max_side, sha256, seek=False)
    except av.error.FFmpegError as exc:
        raise SourceError(path, f"{label}cannot be decoded: {_reason(exc)}") from None


def _reason(exc: av.error.FFmpegError) -> str:
    return str(getattr(exc, "strerror", "") or exc)


def _sample_open(fh: BinaryIO, path: Path, label: str, every: float, limit: int,
                 max_side: int, sha256: str, *, seek: bool) -> tuple[Frame, ...]:
    try:
        container = av.open(fh, mode="r", metadata_errors="replace")
    except av.error.FFmpegError as exc:
        raise SourceError(path, f"{label}not a recording that can be read: "
                                f"{_reason(exc)}") from None
    with container:
        video = _video_stream(container)
        if video is None:
            return ()
        step = Fraction(every)
        if video.duration is not None and video.duration / step > limit:
            step = video.duration / limit
        targets = [k * step for k in range(limit)
                   if video.duration is None or k * step < video.duration]
        if not targets:  # a zero-length stream still shows its first frame
            targets = [Fraction(0)]
        walk = _Walk()
        pick = _pick_seeking if seek and video.duration is not None else _pick_sequential
        picked, ran_out = pick(container, video, targets, walk)
        if not picked:
            raise SourceError(path, f"{label}no frame of the video stream could be decoded "
                                    "(the file is truncated or damaged)")
        if ran_out and video.duration is not None:
            slack = max(_END_TOLERANCE, 2 * video.interval)
            if walk.seen_end < video.duration - slack:
                raise SourceError(
                    path, f"{label}frames stop at {float(walk.seen_end):.3f} s but the file "
                          f"states a duration of {float(video.duration):.3f} s "
                          "(the file is truncated or damaged)")
        return tuple(_render(frame, t, video, max_side, sha256) for t, frame in picked)


def _video_stream(container: av.container.InputContainer) -> _Video | None:
    """The recording's video stream (a default one first; cover pictures are not video)."""
    pic = av.stream.Disposition.attached_pic
    videos = [s for s in container.streams.video if not (s.disposition & pic)]
    if not videos:
        return None
    default = av.stream.Disposition.default
    stream = next((s for s in videos if s.disposition & default), videos[0])
    tb = Fraction(stream.time_base) if stream.time_base else Fraction(1, av.time_base)
    duration: Fraction | None = None
    if stream.duration:
        duration = stream.duration * tb
    elif container.duration:
        duration = Fraction(container.duration, av.time_base)
    rate = stream.average_rate or stream.guessed_rate
    interval = 1 / Fraction(rate) if rate else _FALLBACK_INTERVAL
    sar = stream.sample_aspect_ratio or stream.codec_context.sample_aspect_ratio
    aspect = Fraction(sar) if sar and sar > 0 else Fraction(1)
    stream.codec_context.thread_type = "AUTO"
    return _Video(stream, stream.start_time or 0, tb, duration if duration else None,
                  interval, aspect)


def _frames(container: av.container.InputContainer, video: _Video,
            walk: _Walk) -> Iterator[tuple[Fraction, av.VideoFrame]]:
    """Intact decoded frames with their time, from where the container is now."""
    for packet in container.demux(video.stream):
        for frame in packet.decode():
            pts = frame.pts if frame.pts is not None else frame.dts
            if pts is None:
                continue
            t = (pts - video.origin) * video.time_base
            length = frame.duration * video.time_base if frame.duration else video.interval
            walk.seen_end = max(walk.seen_end, t + length)
            if not frame.is_corrupt:
                yield t, frame


_Picked = list[tuple[Fraction, av.VideoFrame]]


def _pick_seeking(container: av.container.InputContainer, video: _Video,
                  targets: list[Fraction], walk: _Walk) -> tuple[_Picked, bool]:
    """The frame for each target, seeking to the keyframe before it; True when frames ran out
    before the last target."""
    picked: _Picked = []
    for target in targets:
        if picked and picked[-1][0] >= target:
            continue  # the frame shown from an earlier target onwards: not repeated
        offset = video.origin + floor(target / video.time_base)
        try:
            container.seek(offset, stream=video.stream, backward=True, any_frame=False)
        except av.error.FFmpegError:
            raise _SeekFailed from None
        found = next(((t, f) for t, f in _frames(container, video, walk) if t >= target), None)
        if found is None:
            return picked, True
        picked.append(found)
    return picked, False


def _pick_sequential(container: av.container.InputContainer, video: _Video,
                     targets: list[Fraction], walk: _Walk) -> tuple[_Picked, bool]:
    """As :func:`_pick_seeking`, decoding from the start."""
    picked: _Picked = []
    pending = iter(targets)
    target = next(pending)
    for t, frame in _frames(container, video, walk):
        if t < target:
            continue
        picked.append((t, frame))
        target = next((x for x in pending if x > t), None)
        if target is None:
            return picked, False
    return picked, True


# --- drawing -------------------------------------------------------------------------------------

_TRANSPOSE = {90: Image.Transpose.ROTATE_90, 180: Image.Transpose.ROTATE_180,
              270: Image.Transpose.ROTATE_270}


def _render(frame: av.VideoFrame, t: Fraction, video: _Video, max_side: int,
            sha256: str) -> Frame:
    image = frame.to_image()
    width, height = Fraction(image.width), Fraction(image.height)
    if video.aspect > 1:  # wide pixels: shrink the height rather than stretch the width
        height /= video.aspect
    else:
        width *= video.aspect
    turn = round(frame.rotation or 0) % 360
    if turn in _TRANSPOSE:
        image = image.transpose(_TRANSPOSE[turn])
        if turn != 180:
            width, height = height, width
    elif turn:
        image = image.rotate(turn, resample=Image.Resampling.BICUBIC, expand=True)
        width, height = Fraction(image.width), Fraction(image.height)
    scale = min(Fraction(1), Fraction(max_side) / max(width, height))
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if size != image.size:
        image = image.resize(size, Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=False, compress_level=PNG_COMPRESS_LEVEL)
    return Frame(float(t), out.getvalue(), image.width, image.height, sha256)
