"""Text read from the pixels of screenshots and screen recordings (offline OCR).

The engine is RapidOCR (``rapidocr-onnxruntime``): PaddleOCR's PP-OCRv4 Chinese/English detection
and recognition models run by ONNX Runtime.  The models ship inside the wheel, so nothing is
fetched at run time.  It was picked on the sample case: it read every line of the rendered
screenshots (scores 0.96-1.00), and ``benchmarks/bench_screens.py`` measures its speed and the
accuracy of the completeness calls made from its text (28 of 28 calls right, 4 abstentions on a
thumbnail).  The other engines installable from PyPI (``rapidocr`` 3.x, cnocr, EasyOCR)
download their models on first use; tesseract needs a system package.

What is read, and how:

* **Images** (PNG, JPEG, WebP, TIFF, GIF, BMP, HEIC/HEIF/AVIF through pillow-heif) are decoded
  from an in-memory copy of the stored file, opened read-only; the EXIF orientation is applied
  (a photo of a screen taken sideways).  A tall image (a scrolling screenshot) is read in
  overlapping tiles no taller than :data:`TILE_RATIO` times its width and :data:`MAX_SIDE`
  pixels, so the engine does not shrink its text; a line is kept from the tile whose own band
  holds its centre.  An image (or tile) wider than :data:`MAX_SIDE` is shrunk by the engine to
  that width: small text on a wide desktop capture may be misread.
* **Recordings** (MP4, MOV, anything PyAV/FFmpeg decodes) are sampled every
  :data:`FRAME_EVERY` seconds of presentation time, from the first frame; a sampled frame that
  differs from the last one read by less than :data:`SAME_FRAME` (mean absolute difference of
  grey levels, 0-255, on a 64-pixel-wide thumbnail) is not read again.  At most
  :data:`MAX_FRAMES` frames are read; more are named in a warning.  Frames are read as shown:
  the display rotation a phone stores with a portrait recording is applied.  A file that ends
  before the duration its header states (cut short) gets a warning; the frames before are kept.
* Frames and images narrower than :data:`MIN_WIDTH` pixels are enlarged (Lanczos) before reading,
  as the recogniser needs text at least about 20 pixels high, but to no more than
  :data:`MAX_READ_PIXELS`; boxes are given in the pixels of the original.  An image of more
  than :data:`MAX_PIXELS` is refused before it is decoded.

The result of each capture (:class:`OcrReading`: every line with its box and score, per frame) is
derived data, never a change to the evidence: it is kept as
``derived/ocr/<sha256>.json`` (the SHA-256 of the stored file it was read from) and every reading
run is recorded in the custody log (action ``ocr``) with the digest of each derived file, the
engine and its model digests.  A kept reading is used again only when the log names its digest
and the engine fingerprint (:func:`engine_fingerprint`: package version, model digests, the
settings above) is the same, so that a re-run, or the other side's expert, gets the same text.

Examples
--------
>>> line = OcrLine("转发 1843", 0.998, (12, 30, 140, 58))
>>> line.height, line.centre
(28, (76.0, 44.0))
>>> OcrLine.from_json(line.to_json()) == line
True
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import os
import stat
import warnings
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forensics import __version__
from forensics._progress import progress_bar
from forensics.custody import Action, EntryDraft, JSONValue
from forensics.errors import OcrError

if TYPE_CHECKING:  # pragma: no cover
    import av
    import numpy as np
    from PIL import Image

    from forensics.case import Case, Item

__all__ = [
    "ENGINE",
    "ENTRY_BATCH",
    "FRAME_EVERY",
    "MAX_FRAMES",
    "MAX_PIXELS",
    "MAX_READ_PIXELS",
    "MAX_SIDE",
    "MIN_WIDTH",
    "OCR_DIR",
    "SAME_FRAME",
    "TILE_RATIO",
    "OcrFrame",
    "OcrLine",
    "OcrReading",
    "capture_kind",
    "engine_fingerprint",
    "load_reading",
    "read_captures",
    "read_image",
    "read_image_file",
    "read_recording",
]

#: The OCR engine (a PyPI distribution name).
ENGINE = "rapidocr-onnxruntime"
#: Derived readings live in ``derived/ocr/``.
OCR_DIR = "ocr"
FORMAT = "forensics-ocr"
FORMAT_VERSION = 1
#: Seconds between the frames sampled from a recording.
FRAME_EVERY = 1.0
#: Frames read from one recording at most (15 minutes at one a second).
MAX_FRAMES = 900
#: Grey-level mean absolute difference below which a sampled frame counts as the same screen.
SAME_FRAME = 2.0
#: Images and frames narrower than this are enlarged before reading.
MIN_WIDTH = 720
#: Tiles of a tall image are at most this many widths high.  Phone screens are 2.17-2.22 widths
#: high: below this, so an ordinary screenshot is one engine call (2.0 made it two, 1.6x the
#: time; benchmarks/bench_screens.py).
TILE_RATIO = 2.4
#: The engine shrinks an image whose longer side is over this many pixels (RapidOCR's
#: ``max_side_len``, set explicitly): tiles are no taller.
MAX_SIDE = 2000
#: Rows shared by neighbouring tiles (a fraction of the width): a line cut by one tile's edge is
#: whole in the next.
TILE_OVERLAP = 0.12
#: Lines recognised with a lower score than this are dropped by the engine.
MIN_SCORE = 0.5
#: Captures per ``ocr`` custody entry: each batch is kept and logged as soon as it is read, so
#: an interrupted run (Ctrl-C after an hour of OCR) keeps all but the batch it was reading.
ENTRY_BATCH = 20
#: A stored file larger than this is not decoded as an image (bytes).
MAX_IMAGE_BYTES = 256 * 1024 * 1024
#: Pixels above which an image is refused as a decompression bomb.
MAX_PIXELS = 200_000_000
#: A narrow image is enlarged (:data:`MIN_WIDTH`) to at most this many pixels (a strip 36 px
#: wide and 20,000 high would otherwise become 288 million pixels).
MAX_READ_PIXELS = 50_000_000

#: Media types read as still images and as recordings.
IMAGE_TYPES = frozenset({"image/png", "image/jpeg", "image/webp", "image/tiff", "image/gif",
                         "image/bmp", "image/heic", "image/heif", "image/avif"})
VIDEO_PREFIXES = ("video/",)


# -- records -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OcrLine:
    """One line of text the engine read: the text, its score (0-1) and its box ``(x0, y0, x1,
    y1)`` in pixels of the original image or frame (top-left origin)."""

    text: str
    score: float
    box: tuple[int, int, int, int]

    @property
    def height(self) -> int:
        return self.box[3] - self.box[1]

    @property
    def centre(self) -> tuple[float, float]:
        return ((self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2)

    def to_json(self) -> dict[str, JSONValue]:
        return {"text": self.text, "score": self.score, "box": list(self.box)}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> OcrLine:
        box = tuple(int(v) for v in d["box"])
        if len(box) != 4:
            raise ValueError("a box has four numbers")
        return cls(str(d["text"]), float(d["score"]), box)  # type: ignore[arg-type]


@dataclass(frozen=True, slots=True)
class OcrFrame:
    """The lines read from one image, or one frame of a recording (``at``: seconds from the
    start of the recording; None for an image)."""

    width: int
    height: int
    lines: tuple[OcrLine, ...]
    at: float | None = None

    @property
    def text(self) -> str:
        """The lines in reading order (top to bottom, then left to right), one per line."""
        return "\n".join(ln.text for ln in self.lines)

    def to_json(self) -> dict[str, JSONValue]:
        return {"at": self.at, "width": self.width, "height": self.height,
                "lines": [ln.to_json() for ln in self.lines]}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> OcrFrame:
        at = d.get("at")
        return cls(int(d["width"]), int(d["height"]),
                   tuple(OcrLine.from_json(x) for x in d["lines"]),
                   None if at is None else float(at))


@dataclass(frozen=True, slots=True)
class OcrReading:
    """What was read from one capture: its frames (one for an image), the frames sampled and
    skipped as unchanged, and warnings (a recording cut short, frames over the limit).

    ``error`` is set, and ``frames`` empty, when the capture could not be decoded at all."""

    evidence_id: str
    name: str
    sha256: str
    kind: str  # "image" or "recording"
    frames: tuple[OcrFrame, ...]
    sampled: int = 0
    duration: float | None = None
    warnings: tuple[str, ...] = ()
    error: str = ""
    engine: Mapping[str, JSONValue] = field(default_factory=dict)
    derived_path: str = ""
    derived_sha256: str = ""

    @property
    def text(self) -> str:
        return "\n".join(f.text for f in self.frames)

    def to_json(self) -> dict[str, JSONValue]:
        return {"evidence_id": self.evidence_id, "name": self.name, "sha256": self.sha256,
                "kind": self.kind, "sampled": self.sampled, "duration": self.duration,
                "warnings": list(self.warnings), "error": self.error,
                "engine": dict(self.engine),  # type: ignore[dict-item]
                "frames": [f.to_json() for f in self.frames]}

    @classmethod
    def from_json(cls, d: Mapping[str, Any]) -> OcrReading:
        dur = d.get("duration")
        return cls(str(d["evidence_id"]), str(d["name"]), str(d["sha256"]), str(d["kind"]),
                   tuple(OcrFrame.from_json(f) for f in d["frames"]), int(d.get("sampled") or 0),
                   None if dur is None else float(dur), tuple(str(w) for w in d["warnings"]),
                   str(d.get("error") or ""), dict(d.get("engine") or {}))

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{'' if f.at is None else f'{f.at:.1f} s'}</td><td>{_visible(ln.text)}</td>"
            f"<td>{ln.score:.2f}</td><td>{', '.join(map(str, ln.box))}</td></tr>"
            for f in self.frames for ln in f.lines)
        err = f"<p><b>cannot be read:</b> {_visible(self.error)}</p>" if self.error else ""
        return (f"<p><b>{_visible(self.evidence_id)}</b> {_visible(self.name)} ({self.kind}, "
                f"{len(self.frames)} frames read)</p>{err}<table><tr><th>at</th><th>text</th>"
                f"<th>score</th><th>box</th></tr>{rows}</table>")


def _visible(text: str) -> str:
    r"""``text`` escaped for HTML, with invisible and direction-changing characters (zero-width
    spaces, a right-to-left override that shows ``evil\u202egnp.exe`` as "evilexe.png",
    control characters) drawn as markers such as ``⟦U+202E⟧``.

    >>> _visible("<b>城南\u202e吃瓜君</b>")
    '&lt;b&gt;城南⟦U+202E⟧吃瓜君&lt;/b&gt;'
    """
    import unicodedata

    return escape("".join(f"⟦U+{ord(ch):04X}⟧" if unicodedata.category(ch) in _HIDDEN else ch
                          for ch in text))


_HIDDEN = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs", "Co"})


# -- the engine ----------------------------------------------------------------------------------


def _engine_package() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("rapidocr_onnxruntime")
    if spec is None or not spec.submodule_search_locations:
        raise OcrError(None, f"the OCR engine is not installed: `pip install {ENGINE}` "
                             f"(a dependency of forensics)")
    return Path(next(iter(spec.submodule_search_locations)))


@functools.cache
def engine_fingerprint() -> dict[str, JSONValue]:
    """What a reading depends on besides the pixels: the engine, its version, the SHA-256 of
    each model file, and this module's settings.  Kept with every reading and in the log."""
    from importlib.metadata import version

    models = {}
    for p in sorted((_engine_package() / "models").glob("*.onnx")):
        models[p.name] = hashlib.sha256(p.read_bytes()).hexdigest()
    return {"engine": ENGINE, "version": version(ENGINE), "onnxruntime": version("onnxruntime"),
            "models": models,  # type: ignore[dict-item]
            "settings": {"frame_every": FRAME_EVERY, "max_frames": MAX_FRAMES,
                         "same_frame": SAME_FRAME, "min_width": MIN_WIDTH,
                         "tile_ratio": TILE_RATIO, "tile_overlap": TILE_OVERLAP,
                         "max_side": MAX_SIDE,
                         "max_read_pixels": MAX_READ_PIXELS, "min_score": MIN_SCORE,
                         "threads": 1}}


@functools.cache
def _engine():
    _engine_package()
    import logging

    from rapidocr_onnxruntime import RapidOCR

    # One thread: the same sums in the same order on every machine (and the engine's own
    # logger is told to keep quiet: it logs every call at INFO).
    eng = RapidOCR(intra_op_num_threads=1, inter_op_num_threads=1, text_score=MIN_SCORE,
                   max_side_len=MAX_SIDE, print_verbose=False)
    for name in ("RapidOCR", "rapidocr_onnxruntime"):
        logging.getLogger(name).setLevel(logging.WARNING)
    return eng


def _read_bgr(bgr: np.ndarray, scale: float) -> list[OcrLine]:
    result, _ = _engine()(bgr)
    out = []
    for box, text, score in result or ():
        xs = [float(p[0]) / scale for p in box]
        ys = [float(p[1]) / scale for p in box]
        text = str(text).strip()
        if text:
            out.append(OcrLine(text, round(float(score), 4),
                               (int(min(xs)), int(min(ys)), round(max(xs)), round(max(ys)))))
    return out


def _order(lines: Iterable[OcrLine]) -> tuple[OcrLine, ...]:
    """Reading order: by the line's vertical centre in bands of half a line, then left to right."""
    lines = list(lines)
    if not lines:
        return ()
    band = max(4, int(sorted(ln.height for ln in lines)[len(lines) // 2] / 2))
    return tuple(sorted(lines, key=lambda ln: (int(ln.centre[1] // band), ln.box[0], ln.box[1])))


def read_image(img: Image.Image) -> OcrFrame:
    """Read the text of a decoded image (any mode), tiling a tall one.

    Examples
    --------
    >>> from PIL import Image, ImageDraw
    >>> from forensics.figures import cjk_font
    >>> from PIL import ImageFont
    >>> im = Image.new("RGB", (400, 120), "white")
    >>> f = ImageFont.truetype(cjk_font().path, 40, index=cjk_font().face_index)
    >>> ImageDraw.Draw(im).text((20, 30), "转发 1843", font=f, fill="black")
    >>> [ln.text.replace(" ", "") for ln in read_image(im).lines]
    ['转发1843']
    """
    import numpy as np
    from PIL import Image

    rgb = img.convert("RGB")
    w, h = rgb.size
    scale = 1.0
    if w < MIN_WIDTH:
        scale = min(MIN_WIDTH / w, max(1.0, (MAX_READ_PIXELS / (w * h)) ** 0.5))
        rgb = rgb.resize((round(w * scale), max(1, round(h * scale))),
                         Image.Resampling.LANCZOS)
    sw, sh = rgb.size
    tile = min(int(sw * TILE_RATIO), MAX_SIDE)
    lines: list[OcrLine] = []
    if sh <= tile:
        lines = _read_bgr(np.ascontiguousarray(np.asarray(rgb)[:, :, ::-1]), scale)
    else:
        overlap = int(sw * TILE_OVERLAP)
        step = tile - overlap
        top = 0
        while True:
            bottom = min(sh, top + tile)
            part = np.ascontiguousarray(np.asarray(rgb.crop((0, top, sw, bottom)))[:, :, ::-1])
            own_top = top + (overlap // 2 if top else 0)
            own_bottom = bottom - (overlap // 2 if bottom < sh else 0)
            for ln in _read_bgr(part, 1.0):
                y0, y1 = ln.box[1] + top, ln.box[3] + top
                if own_top <= (y0 + y1) / 2 < own_bottom:
                    b = ln.box
                    lines.append(OcrLine(ln.text, ln.score,
                                         (int(b[0] / scale), int(y0 / scale),
                                          round(b[2] / scale), round(y1 / scale))))
            if bottom >= sh:
                break
            top += step
    return OcrFrame(w, h, _order(lines))


#: ISO BMFF brands of HEIF images (HEIC, AVIF...): decoded by pillow-heif, not by Pillow itself.
_HEIF_BRANDS = (b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1", b"avif",
                b"avis")


@functools.cache
def _heif_opener() -> str:
    """Register pillow-heif's opener with Pillow once; the reason it cannot be, or ""."""
    try:
        import pillow_heif
    except ImportError as exc:
        return f"pillow-heif is not installed ({exc}); `pip install pillow-heif`"
    pillow_heif.register_heif_opener()
    return ""


def _decode_image(data: bytes, name: str) -> Image.Image:
    from PIL import Image, ImageOps

    missing = _heif_opener()
    if missing and data[4:8] == b"ftyp" and data[8:12] in _HEIF_BRANDS:
        raise OcrError(name, f"a HEIF image (brand {data[8:12].decode()}) cannot be decoded "
                             f"here: {missing}")
    saved = Image.MAX_IMAGE_PIXELS
    # Pillow only warns between its limit and twice it: the limit is checked here, from the
    # header, before a pixel is decoded
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
        with im:
            if im.width * im.height > MAX_PIXELS:
                raise Image.DecompressionBombError(f"{im.width}x{im.height}")
            im.load()
            oriented = ImageOps.exif_transpose(im)
            return (oriented if oriented is not None else im).copy()
    except Image.DecompressionBombError:
        raise OcrError(name, f"the image has more than {MAX_PIXELS:,} pixels; it is not "
                             f"decoded (a decompression bomb, or a very large scan)") from None
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise OcrError(name, f"cannot be decoded as an image ({exc}); the stored file is kept "
                             f"as it is; `forensics artifacts` shows what its parser read")\
            from None
    finally:
        Image.MAX_IMAGE_PIXELS = saved


def read_image_file(path: Path | str) -> OcrFrame:
    """Read the text of an image file (opened read-only; never written).

    Raises
    ------
    OcrError
        The file cannot be opened, is too large, or is not a decodable image (naming the file).
    """
    data = _read_bytes(Path(path), MAX_IMAGE_BYTES)
    return read_image(_decode_image(data, str(path)))


def _read_bytes(path: Path, limit: int) -> bytes:
    from forensics.durable import open_readonly

    try:
        fd = open_readonly(path)
    except OSError as exc:
        raise OcrError(path, f"cannot be opened ({exc.strerror})") from None
    with os.fdopen(fd, "rb") as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise OcrError(path, f"larger than {limit:,} bytes: not decoded as an image")
    return data


def _thumb(rgb: np.ndarray) -> np.ndarray:
    import numpy as np

    step = max(1, rgb.shape[1] // 64)
    grey = rgb[::step, ::step].astype(np.float32).mean(axis=2)
    return grey


def _upright(frame: av.VideoFrame) -> np.ndarray:
    """The frame's pixels as shown: its display rotation applied (a phone stores a portrait
    recording turned, with the angle to show it at)."""
    import numpy as np
    from PIL import Image

    rgb = frame.to_ndarray(format="rgb24")
    turn = round(getattr(frame, "rotation", 0) or 0) % 360
    if turn in (90, 180, 270):  # counter-clockwise, as Pillow's ROTATE_90
        return np.ascontiguousarray(np.rot90(rgb, k=turn // 90))
    if turn:
        return np.asarray(Image.fromarray(rgb).rotate(turn, Image.Resampling.BICUBIC,
                                                      expand=True))
    return rgb


def read_recording(path: Path | str, *, every: float = FRAME_EVERY,
                   max_frames: int = MAX_FRAMES, progress: bool | None = None
                   ) -> tuple[tuple[OcrFrame, ...], int, float | None, tuple[str, ...]]:
    """Read the frames of a recording sampled every ``every`` seconds: (frames read, frames
    sampled, duration in seconds, warnings).  A frame that looks the same as the last one read
    is sampled but not read again.

    Raises
    ------
    OcrError
        The file is not a recording PyAV can open, or has no video stream.
    """
    import av
    import numpy as np
    from PIL import Image

    from forensics.durable import open_readonly

    path = Path(path)
    if not every > 0:
        raise OcrError(path, f"the frame interval must be positive, got {every}")
    try:
        fh = os.fdopen(open_readonly(path), "rb")
    except OSError as exc:
        raise OcrError(path, f"cannot be opened ({exc.strerror})") from None
    frames: list[OcrFrame] = []
    notes: list[str] = []
    sampled = 0
    duration: float | None = None
    with fh:
        try:
            container = av.open(fh, "r")
        except (av.FFmpegError, ValueError, OSError) as exc:
            raise OcrError(path, f"cannot be opened as a recording ({exc})") from None
        with container:
            streams = container.streams.video
            if not streams:
                raise OcrError(path, "has no video stream to read")
            stream = streams[0]
            if stream.duration is not None and stream.time_base is not None:
                duration = float(stream.duration * stream.time_base)
            elif container.duration is not None:
                duration = container.duration / 1_000_000
            total = None if duration is None else int(duration / every) + 1
            next_at = 0.0
            last: np.ndarray | None = None
            over = 0
            last_t: float | None = None
            stopped = False
            with progress_bar(total=total, desc=f"ocr {path.name}", unit="frame",
                              enabled=progress) as bar:
                try:
                    for frame in container.decode(stream):
                        t = frame.time
                        if t is None:
                            continue
                        last_t = t if last_t is None else max(last_t, t)
                        if t + 1e-6 < next_at:
                            continue
                        next_at = (int(t / every + 1e-6) + 1) * every
                        sampled += 1
                        bar.update(1)
                        rgb = _upright(frame)
                        th = _thumb(rgb)
                        if last is not None and th.shape == last.shape and \
                                float(np.abs(th - last).mean()) < SAME_FRAME:
                            continue
                        if len(frames) >= max_frames:
                            over += 1
                            continue
                        last = th
                        got = read_image(Image.fromarray(rgb))
                        frames.append(OcrFrame(got.width, got.height, got.lines,
                                               round(float(t), 3)))
                except (av.FFmpegError, ValueError, OSError) as exc:
                    stopped = True
                    notes.append(f"decoding stopped after {sampled} sampled frames: {exc}; "
                                 f"the frames before it were read")
            # the demuxer ends quietly at the end of a cut file: compare with the duration the
            # file's header states (more than two frames, or half a second, missing)
            rate = float(stream.average_rate) if stream.average_rate else 0.0
            gap = max(2 / rate, 0.5) if rate > 0 else 0.5
            if not stopped and last_t is not None and duration is not None \
                    and duration - last_t > gap:
                notes.append(f"decoding ended at {last_t:.1f} s of {duration:.1f} s (a truncated "
                             f"or damaged file); the frames before it were read")
            if over:
                notes.append(f"{over} changed frames after the first {max_frames} were not "
                             f"read (limit MAX_FRAMES)")
    if sampled == 0 and not notes:
        notes.append("no frame could be decoded")
    return tuple(frames), sampled, duration, tuple(notes)


# -- captures of a case --------------------------------------------------------------------------


def capture_kind(media_type: str) -> str | None:
    """``image``, ``recording`` or None (not a capture read by OCR), from a media type.

    >>> capture_kind("image/heic"), capture_kind("video/mp4"), capture_kind("text/html")
    ('image', 'recording', None)
    """
    if media_type in IMAGE_TYPES:
        return "image"
    if media_type.startswith(VIDEO_PREFIXES):
        return "recording"
    return None


def _ocr_dir(case: Case) -> Path:
    from forensics.case import DERIVED_DIR

    return case.root / DERIVED_DIR / OCR_DIR


def _dumps(obj: object) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, sort_keys=True) + "\n").encode()


def read_item(case: Case, item: Item, kind: str, *, every: float = FRAME_EVERY,
              progress: bool | None = None) -> OcrReading:
    """Read one item's stored copy (checked against its SHA-256 first).  Never raises for bad
    content: a capture that cannot be decoded gives a reading with ``error`` set."""
    path = case.root / item.stored_as
    common = {"evidence_id": item.evidence_id, "name": item.name,
              "sha256": item.digests.sha256, "kind": kind, "engine": engine_fingerprint()}
    h = hashlib.sha256()
    try:
        data = _read_bytes(path, MAX_IMAGE_BYTES) if kind == "image" else None
    except OcrError as exc:
        return OcrReading(frames=(), error=exc.message, **common)  # type: ignore[arg-type]
    if data is not None:
        h.update(data)
    else:
        from forensics.durable import open_readonly

        try:
            with os.fdopen(open_readonly(path), "rb") as fh:
                while chunk := fh.read(1 << 20):
                    h.update(chunk)
        except OSError as exc:
            return OcrReading(frames=(), error=f"cannot be opened ({exc.strerror})",
                              **common)  # type: ignore[arg-type]
    if h.hexdigest() != item.digests.sha256:
        return OcrReading(frames=(), error=f"the stored copy does not match its recorded SHA-256 "
                                           f"(found {h.hexdigest()}); run `forensics verify "
                                           f"{case.root}`", **common)  # type: ignore[arg-type]
    try:
        if data is not None:
            frame = read_image(_decode_image(data, item.name))
            return OcrReading(frames=(frame,), sampled=1, **common)  # type: ignore[arg-type]
        frames, sampled, duration, warns = read_recording(path, every=every, progress=progress)
        return OcrReading(frames=frames, sampled=sampled, duration=duration, warnings=warns,
                          **common)  # type: ignore[arg-type]
    except OcrError as exc:
        return OcrReading(frames=(), error=exc.message, **common)  # type: ignore[arg-type]


def load_reading(case: Case, item: Item) -> OcrReading | None:
    """The kept reading of ``item``, only if the custody log names its digest and it was made
    by the same engine, models and settings (:func:`engine_fingerprint`)."""
    case.refresh()
    entry = case._state.ocr.get(item.evidence_id)
    if entry is None or entry.get("sha256") != item.digests.sha256:
        return None
    derived = entry.get("derived")
    if not isinstance(derived, Mapping):
        return None
    # only the file this module writes: never a path elsewhere, a link or a pipe
    rel = f"derived/{OCR_DIR}/{item.digests.sha256}.json"
    if derived.get("path") != rel:
        return None
    path = case.root / rel
    try:
        if not stat.S_ISREG(os.lstat(path).st_mode):
            return None
        data = _read_bytes(path, MAX_IMAGE_BYTES)
    except (OSError, OcrError):
        return None
    if hashlib.sha256(data).hexdigest() != derived.get("sha256"):
        return None
    try:
        doc = json.loads(data)
        if doc.get("format") != FORMAT or doc.get("engine") != _plain(engine_fingerprint()):
            return None
        reading = OcrReading.from_json(doc["reading"])
    except (ValueError, KeyError, TypeError, AttributeError):
        return None
    if reading.sha256 != item.digests.sha256:
        return None
    return OcrReading(**{**{f: getattr(reading, f) for f in reading.__dataclass_fields__},
                         "evidence_id": item.evidence_id, "name": item.name,
                         "derived_path": str(derived.get("path")),
                         "derived_sha256": str(derived.get("sha256"))})


def _stamp(case: Case, reading: OcrReading) -> tuple[int, int, int]:
    """Inode, size and change time of a kept reading's file (zeros when it is gone)."""
    try:
        st = os.stat(case.root / reading.derived_path, follow_symlinks=False)
    except OSError:
        return (0, 0, 0)
    return (st.st_ino, st.st_size, st.st_ctime_ns)


def _plain(v: object) -> object:
    return json.loads(json.dumps(v))


def read_captures(case: Case, evidence_ids: Sequence[str] | None = None, *,
                  every: float = FRAME_EVERY, progress: bool | None = None,
                  record: bool | None = None, run: bool = True) -> list[OcrReading]:
    """The OCR reading of every screenshot, photo and recording of the case (or of
    ``evidence_ids``), reading those that have no current kept reading.

    Parameters
    ----------
    every : float
        Seconds between the frames sampled from a recording.
    record : bool, optional
        Keep the new readings in ``derived/ocr/`` and log them (action ``ocr``).  Default: when
        the case is writable and not a backup.  With ``False`` they live in memory only.
    run : bool
        Read captures that have no kept reading.  ``False`` returns the kept readings only
        (what the spread analysis and the appendix use, so that they never start the engine).

    Raises
    ------
    InputError
        An evidence number the case does not hold, or one that is not a capture.
    """
    from forensics.artifacts import _writable, ensure_parsed
    from forensics.errors import InputError

    case.refresh()
    if record is None:
        record = _writable(case)
    parsed = ensure_parsed(case, progress=progress, record=record)
    kinds = {p.evidence_id: capture_kind(p.media_type) for p in parsed}
    if evidence_ids is not None:
        for eid in evidence_ids:
            case.item(eid)  # an unknown number is an InputError naming the case
            if kinds.get(eid) is None:
                media = next((p.media_type for p in parsed if p.evidence_id == eid), "?")
                raise InputError(f"{eid} is not a screenshot, photo or recording "
                                 f"(media type {media}); `forensics screens {case.root}` reads "
                                 f"every capture")
        wanted = list(dict.fromkeys(evidence_ids))
    else:
        wanted = [eid for eid, k in kinds.items() if k is not None]
    out: dict[str, OcrReading] = {}
    todo: list[Item] = []
    fingerprint = engine_fingerprint() if wanted else {}
    # the kept readings of the same open case at the same custody head, checked a moment ago
    # (the appendix asks three times: the exhibits, the findings, the spread's counts)
    head = case.head
    key = (head.seq, head.entry_sha256) if head is not None else None
    memo: dict[str, tuple[tuple[int, int, int], OcrReading]] = {}
    cached = getattr(case, "_ocr_memo", None)
    if key is not None and cached is not None and cached[0] == key:
        memo = cached[1]
    for eid in wanted:
        item = case.item(eid)
        kept = None
        if every == FRAME_EVERY:
            hit = memo.get(eid)  # reused only while its file is the one read (no edit since)
            kept = hit[1] if hit is not None and _stamp(case, hit[1]) == hit[0] else None
            kept = kept or load_reading(case, item)
        if kept is not None:
            out[eid] = kept
        elif run:
            todo.append(item)
    if key is not None:
        fresh = {eid: (_stamp(case, r), r) for eid, r in out.items() if r.derived_path}
        case._ocr_memo = (key, {**memo, **fresh})  # type: ignore[attr-defined]
    if todo:
        keep = record and every == FRAME_EVERY
        with progress_bar(total=len(todo), desc="ocr", unit="capture", enabled=progress) as bar:
            for start in range(0, len(todo), ENTRY_BATCH):
                new: list[OcrReading] = []
                for item in todo[start:start + ENTRY_BATCH]:
                    new.append(read_item(case, item, kinds[item.evidence_id] or "image",
                                         every=every, progress=progress))
                    bar.update(1)
                if keep:  # each batch kept and logged as it is read: an interrupted run
                    new = _keep(case, new, fingerprint)  # loses at most one batch
                out.update((r.evidence_id, r) for r in new)
    return [out[eid] for eid in wanted if eid in out]


def _keep(case: Case, readings: list[OcrReading],
          fingerprint: Mapping[str, JSONValue]) -> list[OcrReading]:
    """Write the readings as derived files and log them in one ``ocr`` entry."""
    from dataclasses import replace

    from forensics.artifacts import _write_derived

    base = _ocr_dir(case)
    base.mkdir(parents=True, exist_ok=True)
    kept: list[OcrReading] = []
    results: list[JSONValue] = []
    refs = []
    for r in readings:
        item = case.item(r.evidence_id)
        doc = {"format": FORMAT, "format_version": FORMAT_VERSION,
               "package_version": __version__, "engine": _plain(fingerprint),
               "source": {"evidence_id": r.evidence_id, "sha256": r.sha256,
                          "stored_as": item.stored_as},
               "reading": r.to_json()}
        data = _dumps(doc)
        rel = f"derived/{OCR_DIR}/{r.sha256}.json"
        _write_derived(case.root / rel, data)
        digest = hashlib.sha256(data).hexdigest()
        kept.append(replace(r, derived_path=rel, derived_sha256=digest))
        refs.append(item.ref)
        results.append({"id": r.evidence_id, "sha256": r.sha256, "kind": r.kind,
                        "frames": len(r.frames), "sampled": r.sampled,
                        "lines": sum(len(f.lines) for f in r.frames),
                        "error": r.error or None,
                        "warnings": len(r.warnings),
                        "derived": {"path": rel, "sha256": digest}})
    case.record([EntryDraft(Action.OCR, tuple(refs), {
        "results": results, "engine": {k: v for k, v in fingerprint.items()},
        "package_version": __version__})])
    return kept
