"""Adversarial review of the PDF appendix renderer (forensics.appendix_pdf).

Every model here is built by hand (no case), except the ``write_appendix`` tests, which make a
one-screenshot case with :func:`forensics.demo._png`.  Pictures are generated with Pillow.  The
PDF is read back with ``pdftotext`` (poppler-utils, installed by .ci/run; fail, never skip,
without it).  Tests that fail here are bugs reported by the review; each names the code at fault.
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from PIL import Image

from forensics.appendix_model import (
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
    Section,
    Table,
)
from forensics.appendix_pdf import FRAME_W, draw_pdf, pdf_fonts
from forensics.errors import ForensicsError, InputError

#: Lines enough to make a cell or a header taller than an A4 frame (about 81 lines at 7.5 pt).
TALL = "\n".join(f"line{i}" for i in range(300))


def appendix(*blocks: object, sections: tuple[Section, ...] | None = None,
             lang: str = "both") -> Appendix:
    """An appendix of one section holding ``blocks`` (or of ``sections``)."""
    secs = sections if sections is not None else (
        Section("s", 1, Say("节", "Sec"), tuple(blocks)),)  # type: ignore[arg-type]
    return Appendix(lang=lang, title="T", case_number="(2026)1号", heading=Say("附录", "App"),
                    notice=Say("非鉴定意见", "not an appraisal"), sections=secs, flags=(),
                    head=None)


def pdftotext(pdf: bytes, tmp_path: Path, *args: str) -> str:
    """The PDF's text as poppler reads it."""
    exe = shutil.which("pdftotext")
    assert exe is not None, "pdftotext (poppler-utils) is not installed; apt install poppler-utils"
    path = tmp_path / "review.pdf"
    path.write_bytes(pdf)
    done = subprocess.run([exe, *args, str(path), "-"], capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def image(mode: str, size: tuple[int, int], fmt: str, **kw: object) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, 3 if mode in ("P", "1", "L") else None).save(buf, fmt, **kw)
    return buf.getvalue()


# --- robustness confirmed ------------------------------------------------------------------------

EMPTY_THINGS = {
    "no sections": appendix(sections=()),
    "section without blocks": appendix(),
    "table without rows": appendix(Table((("a",), ("b",)), ())),
    "plain table without header": appendix(Table((), ((("x",), ("y",)),))),
    "table without header or rows": appendix(Table((), ())),
    "kv table without rows": appendix(Table((), (), kind="kv")),
    "row shorter than header": appendix(Table((("a",), ("b",), ("c",)), ((("x",),),))),
    "empty strings": appendix(Para(("",)), Pre(""), Heading(Say("", "")),
                              Table((("",),), ((("",),),)), Items((("",),))),
    "empty spans": appendix(Para(()), Items(((),)), Table(((),), (((),),))),
    "items without entries": appendix(Items(())),
    "empty exhibit and box": appendix(Exhibit("ex-1", (), (), ()), Box(Say("甲", "A"), ())),
    "only spaces and newlines": appendix(Para((" " * 50,)), Pre("\n\n\n"), Para(("\n\n\n",))),
}


@pytest.mark.parametrize("name", list(EMPTY_THINGS))
def test_empty_things_draw(name):
    assert draw_pdf(EMPTY_THINGS[name], progress=False)[:5] == b"%PDF-"


def test_pdf_special_characters_survive(tmp_path):
    probe = r"( ) \ % (unbalanced \( x) ]>> endstream"
    pdf = draw_pdf(appendix(Para((probe,)), Pre(probe), Table((("h",),), (((probe,),),)),
                            Para((Mark(probe, "code"),))), progress=False)
    assert pdftotext(pdf, tmp_path, "-raw").count(probe) == 4


@pytest.mark.parametrize("text, shown", [
    ("a\x00b\x07c", "a⟦U+0000⟧b⟦U+0007⟧c"),
    ("ab\rcd", "ab⟦U+000D⟧cd"),
    ("a\tb", "a⟦U+0009⟧b"),
    ("a\ud800b", "a⟦U+D800⟧b"),
    ("𠀀", "⟦U+20000⟧"),
    ("\U0001d11e", "⟦U+1D11E⟧"),
    ("\ue000", "⟦U+E000⟧"),
    ("\ufffd", "\ufffd"),
    ("a\r\nb", "a\nb"),
])
def test_controls_and_characters_in_no_face_are_visible_markers(tmp_path, text, shown):
    pdf = draw_pdf(appendix(Para(("<<", text, ">>"))), progress=False)
    assert f"<<{shown}>>" in pdftotext(pdf, tmp_path, "-raw")


@pytest.mark.parametrize("data", [
    image("RGBA", (40, 30), "PNG"),
    image("P", (40, 30), "PNG", transparency=3),
    image("L", (40, 30), "PNG"),
    image("1", (40, 30), "PNG"),
    image("CMYK", (40, 30), "JPEG"),
    image("RGB", (40, 30), "JPEG", progressive=True),
    image("RGB", (1, 1), "PNG"),
    image("RGB", (20000, 50), "PNG"),
    image("P", (40, 30), "GIF"),
    image("RGB", (40, 30), "WEBP"),
], ids=["rgba", "palette+trns", "grey", "1-bit", "cmyk-jpeg", "progressive-jpeg", "1x1",
        "20000x50", "gif", "webp"])
def test_picture_formats_draw(tmp_path, data):
    pdf = draw_pdf(appendix(Picture(data, "image/png", "alt", (("CAPTION",),), "original")),
                   progress=False)
    text = pdftotext(pdf, tmp_path)
    assert "CAPTION" in text and "cannot be drawn" not in text


def test_a_corrupt_body_behind_png_magic_is_named_not_drawn(tmp_path):
    bad = b"\x89PNG\r\n\x1a\n" + bytes(200)
    pdf = draw_pdf(appendix(Picture(bad, "image/png", "shot.png", (), "original")),
                   progress=False)
    assert "the image cannot be drawn" in pdftotext(pdf, tmp_path)


def test_same_bytes_twice_after_another_model_and_from_threads():
    a = appendix(Para(("张三 abc \u202e x",)),
                 Table((("a",), ("b",)), tuple(((f"{i}",), (Mark("ab" * 32, "hash"),))
                                             for i in range(150))))
    b = appendix(Pre("\n".join(f"其他 {i}" for i in range(600))), lang="en")
    first_a, first_b = draw_pdf(a, progress=False), draw_pdf(b, progress=False)
    assert draw_pdf(a, progress=False) == first_a
    with ThreadPoolExecutor(4) as ex:
        outs = list(ex.map(lambda m: draw_pdf(m, progress=False), [a, b, a, b]))
    assert outs == [first_a, first_b, first_a, first_b]


def _grid(table: Table):
    """The laid-out table (private API: the column widths and lines the review checks)."""
    from forensics.appendix_pdf import _flowables, _lay_grid, _Metrics, _Writer

    writer = _Writer("both", _Metrics(pdf_fonts()), {})
    return _lay_grid(table, writer, _flowables(False).Grid, FRAME_W)


def thirty_columns() -> Table:
    return Table(tuple((f"col{j}",) for j in range(30)),
                 (tuple((Mark("ab" * 32, "hash"),) if j % 2 else ("word " * 5,)
                        for j in range(30)),))


def test_thirty_columns_stay_inside_the_frame_and_their_cells():
    """The 9 mm floor is scaled down to 8.4 pt columns; a "w" (5.6 pt) then overhangs the
    5.2 pt of room by 0.4 pt, inside the 1.6 pt padding: no line crosses its cell's rule."""
    grid = _grid(thirty_columns())
    assert sum(grid.widths) == pytest.approx(FRAME_W)
    assert min(grid.widths) > 8
    over = [(j, ln.width, w) for row in (grid.header, *grid.rows)
            for j, (cell, w) in enumerate(zip(row, grid.widths, strict=True)) for ln in cell
            if ln.width > w - grid.pad]
    assert not over, f"{len(over)} lines cross their cell's rule, e.g. {over[:3]}"


# --- bugs found ----------------------------------------------------------------------------------

def test_a_kv_row_of_three_cells_is_drawn_or_refused_by_type(tmp_path):
    """_col_widths returns two widths for kv; _lay_grid's lay() indexes widths[j] for every
    cell up to ncols (3 here): IndexError."""
    model = appendix(Table((), ((("k",), ("v",), ("THIRD",)),), kind="kv"))
    try:
        pdf = draw_pdf(model, progress=False)
    except ForensicsError:
        return
    assert "THIRD" in pdftotext(pdf, tmp_path)


def test_a_row_longer_than_the_first_row_loses_no_cell(tmp_path):
    """_lay_grid counts columns from the header and rows[:1] only, and lay() cuts every row to
    that count: the later row's second and third cells vanish without a word."""
    pdf = draw_pdf(appendix(Table((), ((("xx1",),), (("xx1",), ("yy2",), ("zz3",))))),
                   progress=False)
    text = pdftotext(pdf, tmp_path)
    assert "yy2" in text and "zz3" in text


def test_a_pageref_to_an_unknown_anchor_is_not_a_reportlab_crash(tmp_path):
    """A pageref Mark whose target no Exhibit/anchor defines becomes a link to an undefined
    destination; reportlab raises ValueError("format not resolved ...") at save time."""
    model = appendix(Para(("see ", Mark("E9", "pageref", "ex-nowhere"))))
    try:
        pdf = draw_pdf(model, progress=False)
    except ForensicsError:
        return
    assert "see" in pdftotext(pdf, tmp_path)


def test_a_headerless_row_taller_than_a_page_after_a_section_heading(tmp_path):
    """Grid._cut_row forces one line per cell even when ``room`` (3.6 pt left under the
    kept-with-next section heading) holds none: the first part is taller than the space and
    reportlab raises LayoutError("Splitting error(n==2)")."""
    pdf = draw_pdf(appendix(Table((), ((("k",), (TALL,)),), kind="kv")), progress=False)
    text = pdftotext(pdf, tmp_path)
    assert "line0" in text and "line299" in text


@pytest.mark.parametrize("lines", [95, 300])
def test_a_header_taller_than_a_page_neither_loops_nor_raises(tmp_path, lines):
    """Grid.split returns [] when ``ah - head_h <= 0``, whatever the page: a header taller
    than the frame (or header plus first row) can never be placed: LayoutError."""
    head = "\n".join(f"head{i}" for i in range(lines))
    pdf = draw_pdf(appendix(Table(((head,), ("b",)), ((("ROW0",), ("y",)),))), progress=False)
    assert "ROW0" in pdftotext(pdf, tmp_path)


def test_a_png_truncated_after_its_header_is_named_not_a_crash(tmp_path):
    """_picture only calls ImageReader.getSize(), which reads the IHDR; the pixels are decoded
    when reportlab draws the image, outside the try: OSError("image file is truncated")
    aborts the whole appendix for one damaged original."""
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (9, 9, 9)).save(buf, "PNG")
    pdf = draw_pdf(appendix(Picture(buf.getvalue()[:100], "image/png", "shot.png", (),
                                    "original")), progress=False)
    assert "the image cannot be drawn" in pdftotext(pdf, tmp_path)


def test_right_to_left_text_is_not_drawn_backwards(tmp_path):
    """_Writer draws characters in logical order left to right: Hebrew and Arabic read
    backwards on the page (and Arabic is unshaped); poppler reads the word reversed."""
    pdf = draw_pdf(appendix(Para(("<<שלום>>",))), progress=False)
    assert "שלום" in pdftotext(pdf, tmp_path, "-raw")


def test_an_astral_character_a_face_has_survives_text_extraction(tmp_path):
    """DejaVu Sans has U+1F600, so it is drawn, but reportlab writes its ToUnicode entry as
    ``<01> <1F600>`` (five hex digits, not UTF-16): poppler reads U+1F60, pypdf drops it."""
    pdf = draw_pdf(appendix(Para(("<<x😀y>>",))), progress=False)
    text = pdftotext(pdf, tmp_path, "-raw")
    assert "<<x😀y>>" in text or "<<x⟦U+1F600⟧y>>" in text


def _oscillating() -> Appendix:
    """A pageref to exhibit ``ex-b`` in a one-cell row about a page high, on page 9 or 10.

    The renderer once laid page numbers out as the digits themselves, so a row whose height
    crossed the frame height when the number went from 1 to 2 digits (which moves the exhibit
    the other way) made the passes flip between two answers; page numbers are now laid out in
    a fixed slot, so the layout cannot depend on them.  The row is built so that it would have
    flipped: every length of the leading text from 50 to 400 characters is tried."""
    from forensics.appendix_pdf import FRAME_H

    rest = int((FRAME_H - 3.2) // (7.5 * 1.22)) - 1
    secs = tuple(Section(f"s{i}", i, Say(f"节{i}", f"S{i}"), (Para(("pad",)),))
                 for i in range(1, 7))
    cells = (("x" * k + " ", Mark("ref", "pageref", "ex-b"), "\n" + "\n".join(["y"] * rest))
             for k in range(50, 400, 35))
    rows = tuple((cell,) for cell in cells)  # one cell per row
    secs += (Section("s7", 7, Say("节7", "S7"), (
        Para(("\n".join(["f"] * 40),)), Table((), rows),
        Exhibit("ex-b", ("EXHIBIT-B",), (Para(("body",)),), ()))),)
    return appendix(sections=secs, lang="en")


def test_printed_page_reference_is_the_page_the_exhibit_is_on(tmp_path):
    """Every printed reference is the page the exhibit is on (the drawing pass is checked
    against the layout it printed)."""
    pdf = draw_pdf(_oscillating(), progress=False)
    pages = pdftotext(pdf, tmp_path, "-raw").split("\f")
    on = [i + 1 for i, page in enumerate(pages) if "EXHIBIT-B" in page]
    printed = [n for page in pages for n in re.findall(r"(?<![a-z])p\.\s*(\d+)", page)]
    assert len(printed) == 10 and set(printed) == {str(on[0])}, (on, printed)


# --- write_appendix ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def small_case(tmp_path_factory):
    from forensics.case import Case
    from forensics.demo import _png
    from forensics.intake import IntakeFacts

    root = tmp_path_factory.mktemp("review")
    (root / "shot.png").write_bytes(_png(16, 24))
    case = Case.init(root / "case", title="t", case_number="n")
    case.add([root / "shot.png"], facts=IntakeFacts(category="post"), progress=False)
    return case


def test_out_folder_that_is_a_file_is_a_typed_error_and_not_logged(small_case, tmp_path):
    """_write_all calls ``folder.mkdir(exist_ok=True)``: a file there raises a bare
    FileExistsError (after the whole appendix was drawn), not an InputError naming it."""
    from forensics.appendix import write_appendix

    out = tmp_path / "afile"
    out.write_text("x")
    before = len(small_case.log.entries())
    with pytest.raises(InputError, match="afile"):
        write_appendix(small_case, out, progress=False)
    assert len(small_case.log.entries()) == before
    assert out.read_text() == "x"


def test_out_folder_inside_the_evidence_store_is_refused(small_case):
    """Nothing stops ``out`` from being the case's own store: the appendix files land beside
    the originals and the next verification fails (UnexpectedFile: not a store name)."""
    from forensics.appendix import write_appendix

    store = small_case.root / "store"
    with pytest.raises(InputError):
        write_appendix(small_case, store, progress=False)
    assert not (store / "appendix.pdf").exists()
