"""The litigation appendix as a PDF (issue 7): A4, page numbers, running header, contents.

:func:`draw_pdf` draws an :class:`~forensics.appendix_model.Appendix` (the same content model
the HTML is drawn from) with reportlab's page layout (platypus), and :func:`write_pdf` writes it
for a case.  The PDF has:

- A4 pages with a running header (case number and title; "诉讼附录 / Litigation appendix") and
  "第 N 页 共 M 页 / page N of M" at the foot;
- a table of contents with page numbers, PDF bookmarks for every section and exhibit, and the
  evidence list's 页码 column holding the page each exhibit begins on (a link to it);
- tables that break across pages with their header repeated, rows taller than a page cut
  between lines and continued;
- every font embedded (subset): the Chinese TrueType face :func:`forensics.figures.cjk_font`
  finds (a ``.ttc`` collection's fixed-width face, when it has one, for digests), and DejaVu Sans
  from matplotlib's own files for the symbols the Chinese face lacks.  A character no embedded
  face has is drawn as a visible ``⟦U+XXXX⟧`` marker, like the invisible and direction-changing
  characters, never as an empty box.

The same appendix, fonts and package version give the same bytes: reportlab's invariant mode
fixes the document dates and ID, the layout has no randomness, and it is laid out until the page
numbers it prints no longer change: a page number is laid out as a fixed four-digit slot, so
one pass finds every page and the second draws them (and is checked against the first).

Why a table engine of our own rather than reportlab's ``Table``: the timeline of a large case
has 100,000 rows; reportlab lays such a table out in quadratic time and its ``Paragraph`` cells
(needed for wrapping Chinese) cost about 1 ms each (100 s for the timeline alone, measured).
:class:`_Grid` wraps each cell once, keeps row heights in an array and splits by index, so a
page costs the same at row 100 and at row 100,000.

Examples
--------
>>> from forensics.appendix_model import Appendix, Para, Say, Section, Table
>>> ap = Appendix(lang="both", title="示例", case_number="(2026)1号", heading=Say("诉讼附录",
...     "Litigation appendix"), notice=Say("非鉴定意见", "not an appraisal"), sections=(
...     Section("cover", 1, Say("封面", "Cover"), (Para(("张三\\u202e",)),
...         Table(((Say("序号", "No."),), ("SHA-256",)), ((("1",), ("ab" * 32,)),)))),),
...     flags=(("U+202E", 1),), head=None)
>>> pdf = draw_pdf(ap)
>>> pdf[:5], pdf == draw_pdf(ap)
(b'%PDF-', True)
"""

from __future__ import annotations

import bisect
import functools
import io
import itertools
import os
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forensics.appendix_model import (
    _INVISIBLE,
    Appendix,
    Box,
    Exhibit,
    Heading,
    Items,
    Mark,
    Para,
    Picture,
    Pre,
    Say,
    Table,
    say_text,
)
from forensics.errors import ForensicsError, InputError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case

__all__ = ["PdfFonts", "draw_pdf", "pdf_fonts", "write_pdf"]

_MM = 72 / 25.4
PAGE_W, PAGE_H = 210 * _MM, 297 * _MM
MARGIN_L, MARGIN_R, MARGIN_T, MARGIN_B = 18 * _MM, 15 * _MM, 20 * _MM, 16 * _MM
FRAME_W = PAGE_W - MARGIN_L - MARGIN_R
FRAME_H = PAGE_H - MARGIN_T - MARGIN_B
#: At most this many layout passes while the page numbers printed settle.
MAX_PASSES = 4


# colours (r, g, b) in 0..1
_BLACK = (0.07, 0.07, 0.07)
_GREY = (0.33, 0.33, 0.33)
_RED = (0.67, 0.0, 0.0)
_PURPLE = (0.42, 0.11, 0.6)
_MARKER_BG = (1.0, 0.84, 0.31)
_HEAD_BG = (0.93, 0.93, 0.93)
_INFER_BG = (0.97, 0.94, 0.98)
_RULE = (0.6, 0.6, 0.6)


# --- fonts ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class PdfFonts:
    """The faces the PDF embeds, by the names reportlab knows them by, with their files.

    ``sans`` and ``mono`` draw Chinese (``mono`` is the fixed-width face of the same collection
    when it has one, else the same face as ``sans``); ``symbols`` and ``symbols_mono`` (DejaVu
    Sans and DejaVu Sans Mono, shipped with matplotlib) draw what those lack.
    """

    sans: str
    mono: str
    symbols: str
    symbols_mono: str
    files: tuple[tuple[str, str, int], ...]  # (name, path, face index)


_FONT_HINT = ("install the TrueType font WenQuanYi Micro Hei (Debian/Ubuntu: apt install "
              "fonts-wqy-microhei) or point FORENSICS_CJK_FONT at a TrueType (.ttf/.ttc with glyf "
              "outlines) Chinese font; PostScript-outline fonts such as Noto Sans CJK .otf cannot "
              "be embedded in the PDF")


@functools.lru_cache(maxsize=4)
def _register(path: str, index: int, mono_index: int | None) -> PdfFonts:
    import matplotlib
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    tag = re.sub(r"[^A-Za-z0-9]", "", Path(path).stem)[:20] or "CJK"
    sans, mono = f"{tag}-{index}", f"{tag}-{mono_index if mono_index is not None else index}"
    dv = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    files = [(sans, path, index), (mono, path, mono_index if mono_index is not None else index),
             ("DejaVuSans", str(dv / "DejaVuSans.ttf"), 0),
             ("DejaVuSansMono", str(dv / "DejaVuSansMono.ttf"), 0)]
    for name, p, i in files:
        if name in pdfmetrics.getRegisteredFontNames():
            continue
        try:
            pdfmetrics.registerFont(TTFont(name, p, subfontIndex=i))
        except (TTFError, OSError) as exc:
            raise InputError(f"font {p} (face {i}) cannot be embedded in a PDF: {exc}; "
                             f"{_FONT_HINT}") from None
    return PdfFonts(sans=sans, mono=mono, symbols="DejaVuSans", symbols_mono="DejaVuSansMono",
                    files=tuple(files))


def pdf_fonts() -> PdfFonts:
    """The fonts of the PDF: the Chinese face of :func:`forensics.figures.cjk_font` (which must
    have TrueType outlines) and DejaVu Sans for symbols.

    Raises
    ------
    InputError
        No Chinese font is installed, or the one found has PostScript (CFF) outlines, which
        reportlab cannot embed; the message names the font to install.

    Examples
    --------
    >>> f = pdf_fonts()
    >>> f.symbols
    'DejaVuSans'
    """
    from forensics.figures import cjk_font

    font = cjk_font()
    if not font.truetype:
        raise InputError(f"the Chinese font found, {font.family} ({font.path}), has PostScript "
                         f"outlines; {_FONT_HINT}")
    return _register(font.path, font.face_index, _mono_face(font.path, font.face_index))


@functools.lru_cache(maxsize=8)
def _mono_face(path: str, index: int) -> int | None:
    """The fixed-width face of the same collection (WenQuanYi Micro Hei Mono), if any."""
    from fontTools.ttLib import TTCollection, TTLibError

    if not path.lower().endswith(".ttc"):
        return None
    try:
        coll = TTCollection(path, lazy=True)
        for i, face in enumerate(coll.fonts):
            if i == index:
                continue
            cmap, hmtx = face.getBestCmap(), face["hmtx"]
            if all(ord(c) in cmap for c in "iM0") and len(
                    {hmtx[cmap[ord(c)]][0] for c in "iM0"}) == 1:  # post.isFixedPitch is unset
                return i
    except (OSError, TTLibError, KeyError):
        return None
    return None


class _CharMap(dict):  # type: ignore[type-arg]
    """A dict that computes a missing character's value once (``map(d.__getitem__, text)``
    then runs at C speed for every character seen before)."""

    def __init__(self, compute: Any) -> None:
        super().__init__()
        self._compute = compute

    def __missing__(self, ch: str) -> Any:
        v = self[ch] = self._compute(ch)
        return v


class _Metrics:
    """Which embedded face draws each character, and how wide it is (per 1 pt of size)."""

    def __init__(self, fonts: PdfFonts) -> None:
        from reportlab.pdfbase import pdfmetrics

        self.fonts = fonts
        self._face = {n: pdfmetrics.getFont(n).face for n in (fonts.sans, fonts.mono,
                                                              fonts.symbols, fonts.symbols_mono)}
        self._cache: dict[tuple[str, bool], tuple[str, float] | None] = {}
        self._widths: dict[tuple[bool, float], dict[str, float]] = {}
        self._faces: dict[bool, dict[str, str]] = {}
        self._good: dict[bool, set[str]] = {False: {"\n"}, True: {"\n"}}

    def widths(self, lk: _Look) -> dict[str, float]:
        """Character to width at ``lk``'s size (a dict filled on first use of a character)."""
        key = (lk.mono, lk.size)
        d = self._widths.get(key)
        if d is None:
            d = self._widths[key] = _CharMap(lambda c: self._glyph_or_box(c, lk.mono)[1] * lk.size)
        return d

    def faces(self, lk: _Look) -> dict[str, str]:
        """Character to the face that draws it (filled on first use)."""
        d = self._faces.get(lk.mono)
        if d is None:
            d = self._faces[lk.mono] = _CharMap(lambda c: self._glyph_or_box(c, lk.mono)[0])
        return d

    def drawable(self, text: str, mono: bool) -> bool:
        """Whether some embedded face has every character of ``text`` (newlines aside)."""
        good = self._good[mono]
        chars = set(text)
        if chars <= good:
            return True
        for c in chars - good:
            if c != "\n" and self.glyph(c, mono) is None:
                return False
            good.add(c)
        return True

    def _glyph_or_box(self, ch: str, mono: bool) -> tuple[str, float]:
        g = self.glyph(ch, mono)
        return g if g is not None else (self.fonts.symbols, 0.6)

    def glyph(self, ch: str, mono: bool) -> tuple[str, float] | None:
        """(face name, width at 1 pt) of ``ch``, or None when no embedded face has it."""
        key = (ch, mono)
        hit = self._cache.get(key, False)
        if hit is not False:
            return hit  # type: ignore[return-value]
        order = ((self.fonts.mono, self.fonts.symbols_mono, self.fonts.sans, self.fonts.symbols)
                 if mono else (self.fonts.sans, self.fonts.symbols))
        out = None
        for name in order:
            face = self._face[name]
            # beyond U+FFFF reportlab writes a broken ToUnicode entry: the character would be
            # drawn but lost to copying and searching, so it is shown as a marker instead
            if ord(ch) <= 0xFFFF and ord(ch) in face.charToGlyph:
                out = (name, face.charWidths.get(ord(ch), face.defaultWidth) / 1000.0)
                break
        self._cache[key] = out
        return out


# --- rich text: segments, lines ------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Look:
    """How a run of text is drawn."""

    size: float = 8.5
    mono: bool = False
    bold: bool = False
    color: tuple[float, float, float] = _BLACK
    bg: tuple[float, float, float] | None = None
    link: str = ""  # a destination name: the run is a link to it
    #: the run is the page number of this destination: laid out as ``PAGE_SLOT`` and drawn as
    #: the number, so the layout never depends on the numbers it prints
    pageref: str = ""


@dataclass(slots=True)
class _Line:
    """One laid-out line: runs of (x, text, face, look), its width and height."""

    runs: list[tuple[float, str, str, _Look]]
    width: float
    height: float


#: What a page number occupies while laying out: four digits, whatever the number.
PAGE_SLOT = "0000"
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc]")

_MARK_LOOK = {"bold": {"bold": True}, "missing": {"color": _RED}, "unreached": {"color": _GREY},
              "ref": {"color": _PURPLE, "bold": True}, "anchor": {"color": _PURPLE, "bold": True},
              "code": {"mono": True}, "hash": {"mono": True}, "pageref": {"color": _PURPLE}}


class _Writer:
    """Turns model text into segments and lines, for one language and one set of fonts."""

    def __init__(self, lang: str, metrics: _Metrics, pages: dict[str, int],
                 cache: dict[int, Any] | None = None) -> None:
        self.lang = lang
        self.m = metrics
        self.pages = pages  # anchor -> page, from the previous pass
        #: laid-out tables that print no page number, by id of the model table: kept between
        #: passes (the model is immutable and alive for the whole drawing)
        self.cache: dict[int, Any] = {} if cache is None else cache

    # segments: (text, look, is_data)
    def segs(self, span: Iterable[object], look: _Look) -> list[tuple[str, _Look]]:
        out: list[tuple[str, _Look]] = []
        for piece in span:
            if isinstance(piece, Mark):
                lk = _replace(look, **_MARK_LOOK.get(piece.style, {}))
                if piece.style == "pageref":
                    num = _replace(lk, link=piece.target, pageref=piece.target)
                    if self.lang != "en":
                        out += [("第 ", lk), (PAGE_SLOT, num), (" 页", lk)]
                    if self.lang == "both":
                        out.append((" / ", lk))
                    if self.lang != "zh":
                        out += [("p. ", lk), (PAGE_SLOT, num)]
                    continue
                inner = piece.text
                if isinstance(inner, Say):
                    out.append((say_text(inner, self.lang), lk))
                else:
                    out += self._data(inner, lk)
            elif isinstance(piece, Say):
                out.append((say_text(piece, self.lang), look))
            else:
                out += self._data(str(piece), look)
        return out

    def _data(self, text: str, look: _Look) -> list[tuple[str, _Look]]:
        """Data text: invisible characters and characters no face has become markers."""
        text = text.replace("\r\n", "\n")
        m = self.m
        if _INVISIBLE.search(text) is None and m.drawable(text, look.mono):
            return [(text, look)]
        out: list[tuple[str, _Look]] = []
        buf: list[str] = []
        marker = _replace(look, bg=_MARKER_BG, color=_BLACK, mono=False, size=look.size * 0.85)
        for c in text:
            if c != "\n" and (_INVISIBLE.match(c) or m.glyph(c, look.mono) is None):
                if buf:
                    out.append(("".join(buf), look))
                    buf = []
                out.append((f"⟦U+{ord(c):04X}⟧", marker))
            else:
                buf.append(c)
        if buf:
            out.append(("".join(buf), look))
        return out

    def lines(self, segs: Sequence[tuple[str, _Look]], width: float,
              leading: float = 1.25) -> list[_Line]:
        """Greedy line breaking: after spaces and around CJK characters; anywhere inside a run
        that cannot otherwise fit (digests, URLs)."""
        if len(segs) == 1:  # one look: break on cumulative widths (the common case)
            return self._lines_one(*segs[0], width, leading)
        m = self.m
        chars: list[str] = []
        widths: list[float] = []
        looks: list[int] = []
        faces_: list[str] = []
        for i, (text, lk) in enumerate(segs):
            for c in text:
                if c == "\n":
                    chars.append(c)
                    widths.append(0.0)
                    faces_.append("")
                else:
                    g = m.glyph(c, lk.mono)
                    face, w = g if g is not None else (m.fonts.symbols, 0.6)
                    chars.append(c)
                    widths.append(w * lk.size)
                    faces_.append(face)
                looks.append(i)
        out: list[_Line] = []
        n = len(chars)
        start = 0
        while start < n or not out:
            x = 0.0
            end = start
            brk = -1  # last index after which a break is allowed
            while end < n:
                c = chars[end]
                if c == "\n":
                    break
                if x + widths[end] > width and end > start:
                    break
                x += widths[end]
                if c == " " or c == "/" or c == "-" or ord(c) >= 0x2E80 or (
                        end + 1 < n and ord(chars[end + 1]) >= 0x2E80):
                    brk = end
                end += 1
            hard = end < n and chars[end] == "\n"
            if end < n and not hard and brk >= start and brk + 1 < end:
                end = brk + 1
            out.append(self._line(chars, widths, looks, faces_, segs, start, end, leading))
            start = end + 1 if hard else end
            if not hard:
                while start < n and chars[start] == " " and start > 0:
                    start += 1
            if start >= n and not hard:
                break
        return out

    def _lines_one(self, text: str, lk: _Look, width: float, leading: float) -> list[_Line]:
        """:meth:`lines` for text of one look: widths summed by ``accumulate`` and line ends
        found by ``bisect``, so the cost per line does not grow with a Python loop per
        character; a line is cut into runs only when it needs more than one face."""
        widths = self.m.widths(lk)
        face_of = self.m.faces(lk)
        height = lk.size * leading
        out: list[_Line] = []
        for piece in text.split("\n"):
            if not piece:
                out.append(_Line([], 0.0, height))
                continue
            cum = list(itertools.accumulate(map(widths.__getitem__, piece), initial=0.0))
            faces = set(map(face_of.__getitem__, set(piece)))
            single = faces.pop() if len(faces) == 1 else None
            n, a = len(piece), 0
            while a < n:
                b = bisect.bisect_right(cum, cum[a] + width + 1e-6) - 1
                b = max(b, a + 1)
                if b < n:
                    b = _break_at(piece, a, b)
                part = piece[a:b]
                if _RTL.search(part) is not None:
                    part = _visual(part)
                    runs = _runs(part, face_of, lk)
                else:
                    runs = ([(0.0, part, single, lk)] if single is not None
                            else _runs(part, face_of, lk))
                out.append(_Line(runs, cum[b] - cum[a], height))
                a = b
                while a < n and piece[a] == " ":
                    a += 1
        return out

    @staticmethod
    def _line(chars: list[str], widths: list[float], looks: list[int], faces: list[str],
              segs: Sequence[tuple[str, _Look]], a: int, b: int, leading: float) -> _Line:
        runs: list[tuple[float, str, str, _Look]] = []
        x = 0.0
        i = a
        height = max((segs[looks[j]][1].size for j in range(a, b)), default=segs[0][1].size
                     if segs else 8.5) * leading
        while i < b:
            j = i
            while j < b and looks[j] == looks[i] and faces[j] == faces[i]:
                j += 1
            text = "".join(chars[i:j])
            if _RTL.search(text) is not None:
                text = _visual(text)
            runs.append((x, text, faces[i], segs[looks[i]][1]))
            x += sum(widths[i:j])
            i = j
        return _Line(runs, x, height)


def _visual(text: str) -> str:
    """A line holding right-to-left script in the order it is seen: Arabic letters joined
    (arabic-reshaper), then the Unicode bidirectional algorithm (python-bidi), the line's base
    direction left to right.  Without it Hebrew and Arabic would read backwards."""
    import arabic_reshaper
    from bidi import get_display

    return get_display(arabic_reshaper.reshape(text), base_dir="L")


def _break_at(text: str, a: int, b: int) -> int:
    """Where to end a line that may hold ``text[a:b]``: after the last space, slash or hyphen,
    or between CJK characters; ``b`` itself when there is none (a digest, a long URL)."""
    if ord(text[b - 1]) >= 0x2E80 or ord(text[b]) >= 0x2E80:
        return b
    for i in range(b - 1, a, -1):
        c = text[i]
        if c in " /-" or ord(c) >= 0x2E80:
            return i + 1
        if b - i > 40:  # a long unbroken run: cut it where it is
            break
    return b


def _runs(text: str, face_of: Any, lk: _Look) -> list[tuple[float, str, str, _Look]]:
    """``text`` (one look) as runs of one face each, with their x offsets."""
    faces = {face_of[c] for c in set(text)}
    if len(faces) == 1:
        return [(0.0, text, faces.pop(), lk)]
    out: list[tuple[float, str, str, _Look]] = []
    x = 0.0
    for face, group in itertools.groupby(text, key=face_of.__getitem__):
        run = "".join(group)
        out.append((x, run, face, lk))
        x += _string_width(run, face, lk.size)
    return out


def _replace(look: _Look, **kw: Any) -> _Look:
    if not kw:
        return look
    d = {f: getattr(look, f) for f in _Look.__dataclass_fields__}
    d.update(kw)
    return _Look(**d)


@functools.lru_cache(maxsize=4096)
def _string_width(text: str, face: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return stringWidth(text, face, size)


def _draw_line(canv: Any, line: _Line, x: float, y: float) -> None:
    """Draw ``line`` with its baseline at ``y``."""
    _draw_lines(canv, [(line, x, y)], {})


def _draw_lines(canv: Any, placed: Sequence[tuple[_Line, float, float]],
                pages: Mapping[str, int]) -> None:
    """Draw lines, each with the x of its start and the y of its baseline, as one PDF text
    object written directly (reportlab's ``drawString`` makes a text object per call, which
    costs more than the rest of the appendix together on a large timeline).  Backgrounds are
    drawn first, links after; a page number's slot is filled from ``pages`` ("?" for a place
    that does not exist, without a link)."""
    from reportlab.lib.rl_accel import fp_str
    from reportlab.pdfbase.pdfmetrics import getFont

    doc = canv._doc
    escape = canv._escape
    ops = ["BT"]
    font_now: tuple[str, float] | None = None
    color_now: tuple[float, float, float] | None = None
    mode_now = 0
    links = []
    for line, x0, y in placed:
        back = 0.0  # what the page numbers drawn so far on this line left of their slots
        for dx, text, face, lk in line.runs:
            if not text:
                continue
            x = x0 + dx - back
            if lk.pageref:
                page = pages.get(lk.pageref)
                slot = text
                text = str(page) if page is not None else "?"
                back += _string_width(slot, face, lk.size) - _string_width(text, face, lk.size)
            if lk.bg is not None:
                w = _string_width(text, face, lk.size)
                canv.setFillColorRGB(*lk.bg)
                canv.rect(x, y - lk.size * 0.22, w, lk.size * 1.1, stroke=0, fill=1)
            if lk.link and lk.link in pages:
                links.append((lk.link, x, y, x + _string_width(text, face, lk.size), lk.size))
            if lk.color != color_now:
                color_now = lk.color
                c = fp_str(*lk.color)
                ops.append(f"{c} rg {c} RG")
            mode = 2 if lk.bold else 0
            if mode != mode_now:
                ops.append(f"{mode} Tr" + (f" {fp_str(lk.size * 0.04)} w" if mode else ""))
                mode_now = mode
            ops.append(f"1 0 0 1 {x:.2f} {y:.2f} Tm")
            font = getFont(face)
            for subset, chunk in font.splitString(text, doc):
                key = (font.getSubsetInternalName(subset, doc), lk.size)
                if key != font_now:
                    ops.append(f"{key[0]} {fp_str(lk.size)} Tf")
                    font_now = key
                ops.append(f"({escape(chunk)}) Tj")
    if mode_now:
        ops.append("0 Tr")
    ops.append("ET")
    if len(ops) > 2:
        canv.addLiteral("\n".join(ops))
    for target, x1, y, x2, size in links:
        canv.linkRect("", target, (x1, y - 2, x2, y + size), relative=1, thickness=0)


# --- flowables -----------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Kit:
    """The flowable classes of one pass (see :func:`_flowables`)."""

    Text: Any
    Grid: Any
    Anchor: Any
    Pic: Any


def _flowables(drawing: bool = True, pages: Mapping[str, int] | None = None) -> Any:
    """The flowable classes (reportlab imported only when a PDF is drawn), made for one pass.

    With ``drawing=False`` the pass only finds where things fall (the page numbers to print):
    nothing of the tables and text is drawn, which halves the time of a large appendix.
    """
    from reportlab.lib.rl_accel import fp_str as fp
    from reportlab.platypus import Flowable

    class Text(Flowable):
        """Laid-out lines, split between lines by index (a 100,000-line text costs the same per
        page as a short one); optional background, border, anchor and contents entry."""

        def __init__(self, lines: list[_Line], *, indent: float = 0.0, space_before: float = 0.0,
                     space_after: float = 2.0, bg: tuple[float, float, float] | None = None,
                     border: tuple[float, float, float] | None = None, pad: float = 0.0,
                     anchor: str = "", toc: tuple[int, str] | None = None,
                     keep_next: bool = False, cum: list[float] | None = None, start: int = 0,
                     end: int | None = None) -> None:
            super().__init__()
            self.lines = lines
            self.indent, self.bg, self.border, self.pad = indent, bg, border, pad
            self.spaceBefore, self.spaceAfter = space_before, space_after
            self.anchor, self.toc = anchor, toc
            self.keepWithNext = keep_next
            self.cum = cum if cum is not None else list(
                itertools.accumulate((ln.height for ln in lines), initial=0.0))
            self.start, self.end = start, len(lines) if end is None else end

        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            self.width = aw
            self.height = self.cum[self.end] - self.cum[self.start] + 2 * self.pad
            return aw, self.height

        def split(self, aw: float, ah: float) -> list[Any]:
            limit = self.cum[self.start] + ah - 2 * self.pad
            k = bisect.bisect_right(self.cum, limit, self.start, self.end + 1) - 1
            if k <= self.start or k >= self.end:
                return []
            kw = dict(indent=self.indent, bg=self.bg, border=self.border, pad=self.pad,
                      cum=self.cum)
            return [Text(self.lines, space_before=self.spaceBefore, space_after=0,
                         anchor=self.anchor, toc=self.toc, start=self.start, end=k, **kw),
                    Text(self.lines, space_after=self.spaceAfter, start=k, end=self.end, **kw)]

        def draw(self) -> None:
            c = self.canv
            if self.anchor:
                c.bookmarkPage(self.anchor, fit="XYZ", top=self.height)
            if not drawing:
                return
            if self.bg is not None or self.border is not None:
                if self.bg is not None:
                    c.setFillColorRGB(*self.bg)
                if self.border is not None:
                    c.setStrokeColorRGB(*self.border)
                    c.setLineWidth(1.2)
                c.rect(0, 0, self.width, self.height, stroke=int(self.border is not None),
                       fill=int(self.bg is not None))
            y = self.height - self.pad
            placed = []
            for ln in self.lines[self.start:self.end]:
                size = max((r[3].size for r in ln.runs), default=8.5)
                y -= ln.height
                placed.append((ln, self.indent + self.pad, y + (ln.height - size) * 0.5 + size * 0.2))
            _draw_lines(c, placed, pages or {})

    class Picture_(Flowable):
        """An image of known size, decoded only when drawn (layout passes never decode it)."""

        def __init__(self, data: bytes, width: float, height: float) -> None:
            super().__init__()
            self.data, self.width, self.height = data, width, height
            self.hAlign = "LEFT"

        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            return self.width, self.height

        def draw(self) -> None:
            if not drawing:
                return
            from reportlab.lib.utils import ImageReader

            self.canv.drawImage(ImageReader(io.BytesIO(self.data)), 0, 0, self.width,
                                self.height)

    class Grid(Flowable):
        """A table: header repeated on every page, rows kept in arrays, split by index."""

        def __init__(self, header: list[list[_Line]] | None, rows: list[list[list[_Line]]],
                     widths: list[float], *, pad: float = 1.6, head_bg: tuple[float, float, float]
                     = _HEAD_BG, kv: bool = False, heights: list[float] | None = None,
                     start: int = 0, end: int | None = None) -> None:
            super().__init__()
            if header is not None and heights is None and self._row_h(header, pad) > FRAME_H / 3:
                rows, header = [header, *rows], None  # too tall to repeat on every page
            self.header, self.rows, self.widths = header, rows, widths
            self.pad, self.head_bg, self.kv = pad, head_bg, kv
            if heights is None:
                heights = [0.0]
                for r in rows:
                    heights.append(heights[-1] + self._row_h(r))
            self.cum = heights
            self.start, self.end = start, len(rows) if end is None else end
            self.head_h = self._row_h(header) if header else 0.0
            self.spaceBefore, self.spaceAfter = 2.0, 5.0

        def _row_h(self, row: list[list[_Line]], pad: float | None = None) -> float:
            pad = self.pad if pad is None else pad
            return max((sum(ln.height for ln in cell) for cell in row), default=0.0) + 2 * pad

        def _h(self, a: int, b: int) -> float:
            return self.cum[b] - self.cum[a]

        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            self.width = sum(self.widths)
            self.height = self.head_h + self._h(self.start, self.end)
            return self.width, self.height

        def split(self, aw: float, ah: float) -> list[Any]:
            room = ah - self.head_h
            if room <= 0:
                return []
            # the last row that fits, by binary search on the cumulative heights
            limit = self.cum[self.start] + room
            k = bisect.bisect_right(self.cum, limit, self.start, self.end + 1) - 1
            if k <= self.start:
                # not even one row: a row that fits a page goes to the next one; a taller one
                # is cut between lines here (or, when not one line fits, on the next page)
                if self._h(self.start, self.start + 1) + self.head_h <= FRAME_H:
                    return []
                return self._cut_row(room, top=ah >= FRAME_H - 1.0)
            if k >= self.end:
                return []
            return [self._part(self.start, k), self._part(k, self.end)]

        def _part(self, a: int, b: int) -> Any:
            return Grid(self.header, self.rows, self.widths, pad=self.pad, head_bg=self.head_bg,
                        kv=self.kv, heights=self.cum, start=a, end=b)

        def _cut_row(self, room: float, *, top: bool) -> list[Any]:
            """Cut the first row, taller than a page, between lines: each cell keeps the lines
            that fit and continues in the next part (at least one line, so it always ends)."""
            row = self.rows[self.start]
            cut = []
            for cell in row:
                used, k = 2 * self.pad, 0
                for ln in cell:
                    if used + ln.height > room:
                        break
                    used += ln.height
                    k += 1
                cut.append(k)
            if not any(cut):
                if not top:
                    return []  # the next page starts with it
                cut = [min(1, len(cell)) for cell in row]
            first = [cell[:k] for cell, k in zip(row, cut, strict=True)]
            rest = [cell[k:] for cell, k in zip(row, cut, strict=True)]
            kw = dict(pad=self.pad, head_bg=self.head_bg, kv=self.kv)
            return [Grid(self.header, [first], self.widths, **kw),
                    Grid(self.header, [rest, *self.rows[self.start + 1:self.end]], self.widths,
                         **kw)]

        def draw(self) -> None:
            if not drawing:
                return
            c = self.canv
            y = self.height
            placed: list[tuple[_Line, float, float]] = []
            filled: list[tuple[tuple[float, float, float], str]] = []
            boxes: list[str] = []
            if self.header:
                y = self._draw_row(self.header, y, self.head_h, self.head_bg, placed, filled,
                                   boxes)
            for i in range(self.start, self.end):
                h = self.cum[i + 1] - self.cum[i]
                y = self._draw_row(self.rows[i], y, h, None, placed, filled, boxes)
            ops = [f"{fp(*fill)} rg {rect} f" for fill, rect in filled]
            ops.append(f"0.4 w {fp(*_RULE)} RG")
            ops += [f"{rect} S" for rect in boxes]
            c.addLiteral("\n".join(ops))
            _draw_lines(c, placed, pages or {})

        def _draw_row(self, row: list[list[_Line]], top: float, h: float,
                      bg: tuple[float, float, float] | None,
                      placed: list[tuple[_Line, float, float]],
                      filled: list[tuple[tuple[float, float, float], str]],
                      boxes: list[str]) -> float:
            x = 0.0
            for j, (cell, w) in enumerate(zip(row, self.widths, strict=False)):
                fill = bg if bg is not None else (_HEAD_BG if self.kv and j == 0 else None)
                rect = f"{x:.2f} {top - h:.2f} {w:.2f} {h:.2f} re"
                if fill is not None:
                    filled.append((fill, rect))
                boxes.append(rect)
                y = top - self.pad
                for ln in cell:
                    size = ln.runs[0][3].size if len(ln.runs) == 1 else max(
                        (r[3].size for r in ln.runs), default=7.0)
                    y -= ln.height
                    placed.append((ln, x + self.pad, y + (ln.height - size) * 0.5 + size * 0.2))
                x += w
            return top - h

    class Anchor(Flowable):
        """A zero-height mark: the page and place a destination name points to."""

        def __init__(self, name: str, toc: tuple[int, str] | None = None) -> None:
            super().__init__()
            self.anchor, self.toc = name, toc
            self.width = self.height = 0

        def wrap(self, aw: float, ah: float) -> tuple[float, float]:
            return 0, 0

        def draw(self) -> None:
            self.canv.bookmarkPage(self.anchor, fit="XYZ", top=0)

    return _Kit(Text, Grid, Anchor, Picture_)


# --- the document --------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class _Layout:
    """What a pass learned: the page of every anchor, the contents entries, the page count."""

    pages: tuple[tuple[str, int], ...]
    toc: tuple[tuple[int, str, str, int], ...]  # (level, text, anchor, page)
    total: int


def draw_pdf(appendix: Appendix, *, fonts: PdfFonts | None = None,
             progress: bool | None = None) -> bytes:
    """The appendix as PDF bytes (A4), the same bytes for the same appendix and fonts.

    Parameters
    ----------
    appendix : forensics.appendix_model.Appendix
        What to draw (:func:`forensics.appendix_model.build_appendix`).
    fonts : PdfFonts, optional
        The faces to embed; :func:`pdf_fonts` by default.
    progress : bool, optional
        A bar counting pages for each pass (default: in terminals and notebooks).

    Returns
    -------
    bytes

    Raises
    ------
    InputError
        No TrueType Chinese font is installed (the message names the one to install).
    """
    with _DRAWING:  # reportlab's font subsets are shared state: one drawing at a time
        return _draw_pdf(appendix, fonts or pdf_fonts(), progress)


#: Held while a PDF is drawn (reportlab keeps each TrueType font's subsets in the font object,
#: shared by every document: two threads drawing at once corrupt them).
_DRAWING = threading.Lock()


def _draw_pdf(appendix: Appendix, fonts: PdfFonts, progress: bool | None) -> bytes:
    metrics = _Metrics(fonts)
    layout = _Layout(pages=(), toc=(), total=0)
    data = b""
    cache: dict[int, Any] = {}
    from forensics._progress import progress_bar

    # The layout never depends on the page numbers it prints (each is laid out as PAGE_SLOT),
    # so one pass finds where everything falls and the second draws it with the numbers; the
    # drawing pass is checked against the layout it printed, never trusted.
    with progress_bar(total=None, desc="appendix.pdf layout", unit="page",
                      enabled=progress) as bar:
        _, layout = _one_pass(appendix, metrics, layout, cache, bar, drawing=False)
    for _ in range(MAX_PASSES - 1):
        with progress_bar(total=layout.total or None, desc="appendix.pdf", unit="page",
                          enabled=progress) as bar:
            data, found = _one_pass(appendix, metrics, layout, cache, bar, drawing=True)
        if found == layout:
            return data
        layout = found
    raise ForensicsError("the appendix PDF's page numbers did not settle after "
                         f"{MAX_PASSES} passes; please report this with the case")


def _one_pass(appendix: Appendix, metrics: _Metrics, layout: _Layout,
              cache: dict[int, Any], bar: Any, *, drawing: bool) -> tuple[bytes, _Layout]:
    from reportlab.platypus import BaseDocTemplate, Frame, PageTemplate

    from forensics import __version__

    kit = _flowables(drawing, dict(layout.pages))
    w = _Writer(appendix.lang, metrics, dict(layout.pages), cache)
    story = _story(appendix, w, layout, kit)
    pages: dict[str, int] = {}
    toc: list[tuple[int, str, str, int]] = []
    header_left = " ".join(x for x in (appendix.case_number, appendix.title) if x)
    head_lines = w.lines(w.segs((header_left,), _Look(size=7.5, color=_GREY)), FRAME_W * 0.62)
    head_right = say_text(appendix.heading, appendix.lang)

    def decorate(canv: Any, doc: Any) -> None:
        canv.saveState()
        _draw_line(canv, head_lines[0], MARGIN_L, PAGE_H - 12 * _MM)
        canv.setFont(metrics.fonts.sans, 7.5)
        canv.setFillColorRGB(*_GREY)
        canv.drawRightString(PAGE_W - MARGIN_R, PAGE_H - 12 * _MM, head_right)
        canv.setStrokeColorRGB(*_RULE)
        canv.setLineWidth(0.4)
        canv.line(MARGIN_L, PAGE_H - 13.5 * _MM, PAGE_W - MARGIN_R, PAGE_H - 13.5 * _MM)
        n = doc.page
        total = layout.total or n
        foot = {"zh": f"第 {n} 页 共 {total} 页", "en": f"page {n} of {total}"}.get(
            appendix.lang, f"第 {n} 页 共 {total} 页 / page {n} of {total}")
        canv.drawCentredString(PAGE_W / 2, 9 * _MM, foot)
        canv.restoreState()
        bar.update(1)

    class Doc(BaseDocTemplate):
        def afterFlowable(self, f: Any) -> None:
            name = getattr(f, "anchor", "")
            if name and name not in pages:
                pages[name] = self.page
                entry = getattr(f, "toc", None)
                if entry is not None:
                    toc.append((entry[0], entry[1], name, self.page))
                    self.canv.addOutlineEntry(entry[1], name, level=entry[0], closed=entry[0] > 0)

    buf = io.BytesIO()
    title = " · ".join(x for x in (say_text(appendix.heading, appendix.lang), appendix.title) if x)
    doc = Doc(buf, pagesize=(PAGE_W, PAGE_H), leftMargin=MARGIN_L, rightMargin=MARGIN_R,
              topMargin=MARGIN_T, bottomMargin=MARGIN_B, invariant=1,
              initialFontName=metrics.fonts.sans, title=title, author="forensics",
              subject=appendix.case_number, creator=f"forensics {__version__}",
              producer=f"forensics {__version__} (reportlab)", lang="zh-CN")
    frame = Frame(MARGIN_L, MARGIN_B, FRAME_W, FRAME_H, leftPadding=0, rightPadding=0,
                  topPadding=0, bottomPadding=0, id="body")
    doc.addPageTemplates([PageTemplate("page", [frame], onPage=decorate)])
    doc.build(story)
    return buf.getvalue(), _Layout(pages=tuple(sorted(pages.items())), toc=tuple(toc),
                                   total=doc.page)


def _story(ap: Appendix, w: _Writer, layout: _Layout, kit: _Kit) -> list[Any]:
    Text = kit.Text
    from reportlab.platypus import PageBreak, Spacer

    from forensics.appendix_model import flag_note

    lang = ap.lang
    story: list[Any] = []
    title = say_text(ap.heading, lang, sep=" / ")
    story.append(Text(w.lines(w.segs((Mark(Say(title, title), "bold"), "：", ap.title),
                                      _Look(size=17)), FRAME_W), space_after=6))
    story.append(Text(w.lines(w.segs((ap.notice,), _Look(size=10, bold=True, color=_RED)),
                              FRAME_W - 12), pad=5, border=_RED, space_after=8))
    story.append(Text(w.lines(w.segs((Say("目录", "Contents"),), _Look(size=13, bold=True)),
                              FRAME_W), space_after=4))
    known = {a: p for (_, _, a, p) in layout.toc}
    for sec in ap.sections:
        text = f"{sec.number}. {say_text(sec.heading, lang)}"
        page = known.get(f"sec-{sec.id}")
        story.append(_toc_line(w, text, f"sec-{sec.id}", page, Text))
    story.append(Spacer(1, 6))
    story += _block(flag_note(ap.flags), w, kit, FRAME_W)
    for sec in ap.sections:
        story.append(PageBreak())
        text = f"{sec.number}. {say_text(sec.heading, lang)}"
        story.append(Text(w.lines(w.segs((Mark(Say(text, text), "bold"),), _Look(size=14)),
                                  FRAME_W), anchor=f"sec-{sec.id}", toc=(0, text),
                          space_after=6, keep_next=True))
        for block in sec.blocks:
            story += _block(block, w, kit, FRAME_W)
    return story


def _toc_line(w: _Writer, text: str, anchor: str, page: int | None, Text: Any) -> Any:
    lk = _Look(size=10)
    num = str(page) if page is not None else "000"
    left = w.lines(w.segs((Say(text, text),), _replace(lk, link=anchor)), FRAME_W - 40)
    line = left[0]
    face = w.m.fonts.sans
    nw = _string_width(num, face, lk.size)
    line.runs.append((FRAME_W - nw, num, face, _replace(lk, link=anchor)))
    return Text([line, *left[1:]], space_after=1)


def _block(b: object, w: _Writer, kit: _Kit, width: float) -> list[Any]:
    Text, Grid, Anchor = kit.Text, kit.Grid, kit.Anchor
    from reportlab.platypus import KeepTogether, Spacer

    if isinstance(b, Para):
        if b.style == "notice":
            return [Text(w.lines(w.segs(b.content, _Look(size=9.5, bold=True, color=_RED)),
                                 width - 10), pad=5, border=_RED, space_after=6)]
        if b.style == "flag":
            return [Text(w.lines(w.segs(b.content, _Look(size=8.5)), width - 6), pad=3,
                         border=_MARKER_BG)]
        color = _RED if b.style == "missing" else _BLACK
        return [Text(w.lines(w.segs(b.content, _Look(size=8.5, color=color)), width),
                     space_after=3)]
    if isinstance(b, Heading):
        return [Text(w.lines(w.segs((b.text,), _Look(size=10.5, bold=True)), width),
                     space_before=4, space_after=3, keep_next=True)]
    if isinstance(b, Pre):
        return [Text(w.lines(w.segs((b.text,), _Look(size=7.5)), width - 8, leading=1.3),
                     pad=3, bg=(0.98, 0.98, 0.98), space_after=3)]
    if isinstance(b, Items):
        out = []
        for i, e in enumerate(b.entries, 1):
            bullet = f"{i}. " if b.ordered else "• "
            out.append(Text(w.lines(w.segs((bullet, *e), _Look(size=8.5)), width - 8),
                            indent=8, space_after=1.5))
        return out
    if isinstance(b, Table):
        return [_grid(b, w, Grid, width)]
    if isinstance(b, Picture):
        return _picture(b, w, kit, width)
    if isinstance(b, Exhibit):
        title = Text(w.lines(w.segs(b.title, _Look(size=10, bold=True)), width),
                     anchor=b.anchor, toc=(1, _plain(b.title, w)), space_before=6, space_after=3,
                     keep_next=True)
        body: list[Any] = []
        for x in b.body:
            body += (_picture(x, w, kit, width, inner=True) if isinstance(x, Picture)
                     else _block(x, w, kit, width))
        caption = [Text(w.lines(w.segs(c, _Look(size=7.5, color=_GREY)), width), space_after=1)
                   for c in b.caption]
        # the title stays on the page of what it heads (a table may start below it and run on)
        if body and not isinstance(body[0], Grid):
            return [KeepTogether([title, body[0]]), *body[1:], *caption, Spacer(1, 4)]
        return [title, *body, *caption, Spacer(1, 4)]
    if isinstance(b, Box):
        out = []
        if b.anchor:
            out.append(Anchor(b.anchor))
        out.append(Text(w.lines(w.segs((b.title,), _Look(size=10.5, bold=True, color=_PURPLE)),
                                width - 8), pad=3, bg=_INFER_BG, keep_next=True, space_after=2))
        for x in b.body:
            for f in _block(x, w, kit, width):
                if isinstance(f, Grid):
                    f.head_bg = _INFER_BG
                out.append(f)
        return out
    raise TypeError(f"not a block of the appendix model: {type(b).__name__}")


def _plain(span: Sequence[object], w: _Writer) -> str:
    from forensics.appendix_model import plain_text

    return _INVISIBLE.sub(lambda m: f"⟦U+{ord(m.group()):04X}⟧", plain_text(span, w.lang))


def _picture(p: Picture, w: _Writer, kit: _Kit, width: float, inner: bool = False
             ) -> list[Any]:
    """An image at a readable size with its caption; an image that cannot be decoded is named
    with the reason instead (decoded here in full: a truncated file fails now, not mid-page)."""
    Text = kit.Text
    from PIL import Image as PILImage
    from reportlab.platypus import KeepTogether

    try:
        with PILImage.open(io.BytesIO(p.data)) as im:
            im.load()
            iw, ih = im.size
    except Exception as exc:  # PIL raises many kinds for a bad image
        return [Text(w.lines(w.segs((Say("图像无法绘制", "the image cannot be drawn"), "：",
                                     f"{p.alt} ({type(exc).__name__}: {exc})"),
                                    _Look(size=8.5, color=_RED)), width))]
    max_h = FRAME_H * (0.72 if p.source == "original" else 0.5)
    # a readable size: at most the frame, never enlarged beyond 1.5 pt per pixel
    scale = min(width / iw, max_h / ih, 2 * 72 / 96)
    img = kit.Pic(p.data, iw * scale, ih * scale)
    caption = [Text(w.lines(w.segs(c, _Look(size=7.5, color=_GREY)), width), space_after=1)
               for c in p.caption]
    return [img, *caption] if inner else [KeepTogether([img, *caption])]


def _grid(t: Table, w: _Writer, Grid: Any, width: float) -> Any:
    hit = w.cache.get(id(t))
    if hit is not None:
        header, rows, widths, cum, kv = hit
        return Grid(header, rows, widths, kv=kv, heights=cum)
    grid = _lay_grid(t, w, Grid, width)  # page numbers are slots: the layout holds for all passes
    w.cache[id(t)] = (grid.header, grid.rows, grid.widths, grid.cum, grid.kv)
    return grid


def _lay_grid(t: Table, w: _Writer, Grid: Any, width: float) -> Any:
    size = {"timeline": 6.3, "hashes": 6.0, "evidence-list": 6.8, "digests": 6.3,
            "spread": 6.5, "variants": 6.5, "findings": 6.8}.get(t.kind, 7.5)
    base = _Look(size=size)
    head_look = _replace(base, bold=True)
    header = [w.segs(h, head_look) for h in t.header] if t.kind != "kv" else None
    rows = [[w.segs(c, base) for c in r] for r in t.rows]
    # every cell of every row is drawn: the widest row sets the number of columns
    ncols = max([len(header or []), *map(len, rows), 1])
    kv = t.kind == "kv" and ncols == 2
    widths = _col_widths(w, header, rows, ncols, width, kv=kv)
    pad = 1.6

    def lay(cells: list[list[tuple[str, _Look]]]) -> list[list[_Line]]:
        out = [w.lines(c, widths[j] - 2 * pad, leading=1.22) if c else []
               for j, c in enumerate(cells[:ncols])]
        return out + [[] for _ in range(ncols - len(out))]

    return Grid(lay(header) if header else None, [lay(r) for r in rows], widths, pad=pad, kv=kv)


def _col_widths(w: _Writer, header: list[list[tuple[str, _Look]]] | None,
                rows: list[list[list[tuple[str, _Look]]]], n: int, width: float, *,
                kv: bool) -> list[float]:
    """Column widths like a browser's automatic table layout, from a sample of the rows: each
    column gets its minimum (its longest unbreakable word, within bounds) and the rest of the
    width in proportion to how much more its longest line would like."""
    if kv:
        return [width * 0.27, width * 0.73]
    sample = rows[:400] + rows[-100:] if len(rows) > 500 else rows
    if header:
        sample = [header, *sample]
    m = w.m
    want = [0.0] * n
    least = [0.0] * n
    for r in sample:
        for j, segs in enumerate(r[:n]):
            full = 0.0
            for text, lk in segs:
                for word in re.split(r"[\s/]+", text) if not lk.mono else (text,):
                    ww = _width(m, word, lk)
                    if not lk.mono and any(ord(c) >= 0x2E80 for c in word):
                        ww = _width(m, word[:2], lk)
                    least[j] = max(least[j], ww if not lk.mono else ww / 4)
                full += _width(m, text, lk)
            want[j] = max(want[j], full)
            if any(lk.pageref for _, lk in segs):  # a page reference is never broken
                least[j] = max(least[j], full)
    pad = 4.0
    floor = 9 * _MM
    least = [min(max(x + pad, floor), width * 0.3) for x in least]
    want = [max(min(x + pad, width * 0.6), least[j]) for j, x in enumerate(want)]
    if sum(least) >= width:
        return [width * x / sum(least) for x in least]
    if sum(want) <= width:
        extra = width - sum(want)
        return [x + extra * x / sum(want) for x in want]
    room = width - sum(least)
    more = [want[j] - least[j] for j in range(n)]
    total = sum(more) or 1.0
    return [least[j] + room * more[j] / total for j in range(n)]


def _width(m: _Metrics, text: str, lk: _Look) -> float:
    total = 0.0
    for c in text:
        g = m.glyph(c, lk.mono)
        total += (g[1] if g else 0.6) * lk.size
    return total


def write_pdf(case: Case, path: str | os.PathLike[str], **kw: Any) -> Path:
    """Write the PDF appendix of ``case`` to ``path`` atomically; return the path.

    ``kw`` are the options of :func:`forensics.appendix_model.build_appendix` (``lang``,
    ``groups``, ``pseudonymize``, ``frames``, ``progress``).  Like
    :func:`forensics.appendix_html.write_html` it does not log; :meth:`Case.write_appendix`
    writes every file of the appendix and logs them in one entry.
    """
    from forensics.appendix_model import build_appendix
    from forensics.durable import atomic_write

    target = Path(path)
    atomic_write(target, draw_pdf(build_appendix(case, **kw)))
    return target
