"""The litigation appendix as PDF (forensics.appendix_pdf), read back with poppler-utils.

One small case is made on the fly and written once for the whole module: two generated grey
PNG screenshots (300x450 px, so each exhibit takes most of a page and the exhibits fall on
different pages), a chat in the package's generic CSV form whose first line carries hostile
content (a right-to-left override, a zero-width space, a ``<script>`` probe and U+1D11E MUSICAL
SYMBOL G CLEF, which neither WenQuanYi Micro Hei nor DejaVu has), a one-message e-mail and a
repost list in the documented form.  The PDF is read with ``pdftotext``, ``pdffonts`` and
``pdfinfo`` (poppler-utils, installed by .ci/run: these are core tests and fail without them).
The long-table tests draw an :class:`~forensics.appendix_model.Appendix` built by hand.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import pytest

from forensics.appendix_model import Appendix, Pre, Say, Section, Table
from forensics.appendix_pdf import draw_pdf, pdf_fonts
from forensics.case import Case
from forensics.demo import _png
from forensics.intake import IntakeFacts

CASE_NUMBER = "(2026)测0001号"
#: U+1D11E: a character no embedded face has (checked in the test that relies on it).
RARE = "\U0001d11e"
HOSTILE_LINE = f"那条微博你看到了吗 \u202e反转\u200b <script>alert(1)</script> 音符{RARE}完"
CHAT = ("time,sender_id,sender_name,text\n"
        f"2026-11-20T14:35:02+08:00,wxid_li,李四,{HOSTILE_LINE}\n"
        "2026-11-20T14:36:10+08:00,wxid_wang,王五,看到了\n")
REPOSTS = (
    "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id\n"
    "P1,1001,某某大V,,2026-11-20T14:02:00+08:00,原文,10,R0,\n"
    "P1,2001,路人甲,1001,2026-11-20T14:10:00+08:00,转发微博,3,R1,R0\n"
)
EML = ("From: Alice Wang <alice@example.com>\r\nTo: bob@example.com\r\nSubject: 截图\r\n"
       "Date: Fri, 20 Nov 2026 15:02:11 +0800\r\nMessage-ID: <m1@example.com>\r\n\r\nsee\r\n")
EVIDENCE_LIST_HEADERS = ("序号", "证据名称", "证据来源", "证明对象/目的", "页码", "原件/复印件", "备注")
SECTION_LINES = ("1. 封面 / Cover", "2. 证据目录 / Evidence list", "3. 证据展示 / Exhibits",
                 "4. 哈希值表 / Hash table", "5. 完整性声明 / Integrity statement",
                 "6. 时间线 / Timeline", "7. 传播分析 / Spread", "8. 方法与局限 / Method and limits",
                 "9. 可重现性 / Reproducibility")
BASE14 = ("Helvetica", "Times", "Courier", "Symbol", "ZapfDingbats")


def poppler(tool: str, *args: str) -> str:
    """Run a poppler-utils tool and return its standard output (fail, never skip, without it)."""
    exe = shutil.which(tool)
    assert exe is not None, f"{tool} (poppler-utils) is not installed; apt install poppler-utils"
    done = subprocess.run([exe, *args], capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, f"{tool} {args}: {done.stderr}"
    return done.stdout


def page_text(pdf: Path, n: int, *mode: str) -> str:
    return poppler("pdftotext", *mode, "-f", str(n), "-l", str(n), str(pdf), "-")


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)$", poppler("pdfinfo", str(pdf)), re.M).group(1))


@dataclass(frozen=True)
class Written:
    case: Case
    pdf: Path
    pages: tuple[str, ...]  # pdftotext of each page, in reading order
    raw: tuple[str, ...]  # pdftotext -raw of each page: text in the order it is drawn


@pytest.fixture(scope="module")
def written(tmp_path_factory) -> Written:
    tmp = tmp_path_factory.mktemp("pdf")
    src = tmp / "src"
    src.mkdir()
    (src / "shot.png").write_bytes(_png(300, 450))
    (src / "shot2.png").write_bytes(_png(300, 451))
    (src / "chat.csv").write_text(CHAT, encoding="utf-8")
    (src / "mail.eml").write_text(EML, encoding="utf-8")
    (src / "reposts.csv").write_text(REPOSTS, encoding="utf-8")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORENSICS_ACTOR", "test-examiner")
        case = Case.init(tmp / "case", title="测试案件", case_number=CASE_NUMBER,
                         examiner="王鉴定")
        case.add([src / "shot.png"], facts=IntakeFacts(
            category="post", platform="微博", publisher="某某大V", captured_by="张三",
            carrier="iPhone 13", purpose="证明内容"), progress=False)
        case.add([src / "shot2.png"], facts=IntakeFacts(category="post", carrier="none"),
                 progress=False)
        case.add([src / "chat.csv"], facts=IntakeFacts(category="message", platform="微信"),
                 progress=False)
        case.add([src / "mail.eml"], facts=IntakeFacts(category="message"), progress=False)
        case.add([src / "reposts.csv"], facts=IntakeFacts(publisher_id="1001", platform="微博"),
                 progress=False)
        files = case.write_appendix(tmp / "out", progress=False)
    pdf = files["appendix.pdf"]
    numbers = range(1, page_count(pdf) + 1)
    return Written(case=case, pdf=pdf, pages=tuple(page_text(pdf, n) for n in numbers),
                   raw=tuple(page_text(pdf, n, "-raw") for n in numbers))


def _listing_page(written: Written) -> int:
    """The page the evidence list section begins on (page 1 is the contents)."""
    return next(n for n, p in enumerate(written.pages, 1)
                if n > 1 and "2. 证据目录 / Evidence list" in p)


# --- 1. evidence list and digests ----------------------------------------------------------------

def test_evidence_list_headers_and_every_sha256_unbroken(written):
    text = "\f".join(written.pages)
    listing = written.raw[_listing_page(written) - 1]
    squeezed = re.sub(r"\s+", "", listing)  # a header may wrap inside its narrow column
    for header in EVIDENCE_LIST_HEADERS:
        assert header in squeezed, header
    assert len(written.case.items) == 5
    for it in written.case.items:
        # the exhibit caption holds the digest whole, on one line
        assert re.search(rf"{it.evidence_id} · SHA-256 {it.digests.sha256}$", text, re.M), \
            it.evidence_id


# --- 2. fonts ------------------------------------------------------------------------------------

def test_every_font_is_embedded_and_none_is_type3_or_base14(written):
    out = poppler("pdffonts", str(written.pdf)).splitlines()
    rule = next(i for i, line in enumerate(out) if line.startswith("---"))
    cols = [(m.start(), m.end()) for m in re.finditer(r"-+", out[rule])]
    names = [out[rule - 1][a:b].strip() for a, b in cols]
    rows = [{n: line[a:b + 1].strip() for n, (a, b) in zip(names, cols, strict=True)}
            for line in out[rule + 1:] if line.strip()]
    assert len(rows) >= 3  # the Chinese face, its Mono face, DejaVu
    for row in rows:
        assert row["emb"] == "yes", row
        assert row["type"] in ("TrueType", "CID TrueType"), row
        base = row["name"].split("+", 1)[-1]
        assert not base.startswith(BASE14), row
    faces = {row["name"].split("+", 1)[-1] for row in rows}
    assert any(f.startswith("DejaVuSans") for f in faces)
    assert any("WenQuanYi" in f for f in faces)


# --- 4. page numbers -----------------------------------------------------------------------------

def test_evidence_list_page_numbers_are_the_pages_of_the_exhibits(written):
    raw = written.raw[_listing_page(written) - 1]  # a row's cells in the order they are drawn
    # the 页码 cell ("第 4 页 / p. 4"), then the row's 证据编号 (the footer has "第 N 页 共")
    rows = re.findall(r"第 (\d+) 页 /\s*p\. \1\b.*?\b(E\d{4})\b", raw, re.S)
    assert sorted(e for _, e in rows) == [it.evidence_id for it in written.case.items]
    total = len(written.pages)
    seen = set()
    for number, eid in rows:
        n = int(number)
        assert 1 <= n <= total
        # the exhibit's title ("序号 / No. 1 · E0001 · shot.png") is on that page, not before
        assert f"· {eid} ·" in page_text(written.pdf, n), (eid, n)
        assert all(f"· {eid} ·" not in written.pages[k] for k in range(n - 1)), (eid, n)
        seen.add(n)
    assert len(seen) >= 3  # the large screenshots push the exhibits onto different pages


# --- 5. header, footer, size, contents -----------------------------------------------------------

def test_header_footer_page_count_a4_and_contents(written):
    total = len(written.pages)
    info = poppler("pdfinfo", str(written.pdf))
    assert page_count(written.pdf) == total >= 9
    assert re.search(r"^Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)$", info, re.M)
    for n, (text, raw) in enumerate(zip(written.pages, written.raw, strict=True), 1):
        assert raw.startswith(f"{CASE_NUMBER} 测试案件 诉讼附录 / Litigation appendix\n"), n
        assert f"第 {n} 页 共 {total} 页" in text, n
    first = written.pages[0]
    lines = [line.strip() for line in poppler("pdftotext", "-layout", "-f", "1", "-l", "1",
                                              str(written.pdf), "-").splitlines()]
    for sec in SECTION_LINES:
        entry = next((ln for ln in lines if ln.startswith(sec)), None)
        assert entry is not None, sec
        # the contents give the page the section starts on, and the section is there
        page = int(entry.rsplit(None, 1)[1])
        assert sec in written.pages[page - 1] and sec in first


def test_pdf_outline_holds_the_sections_and_exhibits(written):
    from pypdf import PdfReader

    reader = PdfReader(written.pdf)
    top = [o for o in reader.outline if not isinstance(o, list)]
    assert [o.title for o in top] == list(SECTION_LINES)
    for o in top:
        page = reader.get_destination_page_number(o) + 1
        assert o.title in written.pages[page - 1]
    nested = [o.title for sub in reader.outline if isinstance(sub, list) for o in sub]
    for it in written.case.items:
        assert any(f"· {it.evidence_id} ·" in t for t in nested), it.evidence_id


# --- 7. hostile content --------------------------------------------------------------------------

def test_no_embedded_face_has_the_rare_character():
    from fontTools.ttLib import TTFont

    files = pdf_fonts().files
    assert len(files) == 4
    for _name, path, index in files:
        with TTFont(path, fontNumber=index, lazy=True) as font:
            assert ord(RARE) not in font.getBestCmap(), (path, index)


def test_hostile_characters_are_drawn_as_markers_and_the_text_is_intact(written):
    text = "\f".join(written.pages)
    for ch in ("\u202e", "\u200b", RARE):
        assert ch not in text
    line = ("那条微博你看到了吗 ⟦U+202E⟧反转⟦U+200B⟧ <script>alert(1)</script> 音符⟦U+1D11E⟧完")
    assert line in text
    # the front page's note counts the invisible characters (in the exhibit and the timeline)
    assert re.search(r"U\+200B ×\d+, U\+202E ×\d+", re.sub(r"\s+", " ", written.pages[0]))


# --- 6. long tables and long text ----------------------------------------------------------------

def _appendix(*blocks) -> Appendix:
    return Appendix(lang="both", title="长表", case_number="(2026)长1号",
                    heading=Say("诉讼附录", "Litigation appendix"),
                    notice=Say("非鉴定意见", "not an appraisal"),
                    sections=(Section("timeline", 1, Say("时间线", "Timeline"), tuple(blocks)),),
                    flags=(), head=None)


def _draw(tmp_path: Path, *blocks) -> list[str]:
    """The text of each page of a PDF drawn from ``blocks`` (no LayoutError on the way)."""
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(draw_pdf(_appendix(*blocks)))
    return [page_text(pdf, n) for n in range(1, page_count(pdf) + 1)]


def test_a_400_row_table_repeats_its_header_on_every_page(tmp_path):
    header = ((Say("行号", "row"),), ("列甲HEADA",), (Say("说明", "note"),))
    rows = tuple(((f"{i:03d}",), (f"值{i:03d}",), (f"cell-{i:03d}-end",)) for i in range(400))
    pages = _draw(tmp_path, Table(header, rows, kind="plain"))
    with_rows = [p for p in pages if re.search(r"cell-\d{3}-end", p)]
    assert len(with_rows) >= 4
    for p in with_rows:
        assert "列甲HEADA" in p and "行号 / row" in p
    text = "\n".join(pages)
    assert all(f"cell-{i:03d}-end" in text for i in range(400))
    assert text.count("列甲HEADA") == len(with_rows)


def test_a_cell_and_a_pre_taller_than_a_page_are_cut_and_continued(tmp_path):
    tall = "\n".join(f"第{i:03d}行 cell line {i:03d}" for i in range(180))
    pre = "\n".join(f"pre line {i:03d} 原文" for i in range(180))
    table = Table(((Say("内容", "content"),), ("HEADB",)),
                  ((("tall",), (tall,)), (("after",), ("the next row",))))
    pages = _draw(tmp_path, table, Pre(pre))
    text = "\n".join(pages)
    for i in range(180):
        assert f"第{i:03d}行 cell line {i:03d}" in text, i
        assert f"pre line {i:03d} 原文" in text, i
    assert "the next row" in text
    cell_pages = [n for n, p in enumerate(pages) if "cell line" in p]
    pre_pages = [n for n, p in enumerate(pages) if "pre line" in p]
    assert len(cell_pages) >= 2 and len(pre_pages) >= 2
    assert all("HEADB" in pages[n] for n in cell_pages)  # the header goes with the cut cell
