"""Adversarial review of forensics.notice: each test names the defect it caught (BUG: ...).

Fixtures: a small case made here (PNG screenshots drawn with Pillow, with their intake URL) and,
for the screen recording, a copy of the sample case (forensics.notebooks.copy_sample_case;
E0009 is its screen recording).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
import warnings
from pathlib import Path

import docx
import pytest
from PIL import Image

from forensics.case import Case
from forensics.errors import NoticeError, SourceError
from forensics.intake import IntakeFacts
from forensics.notebooks import copy_sample_case
from forensics.notice import normalize_url, notice_reply, notice_sent, read_identity, write_notice
from tests.test_notice import _docx_text, _pdf_text

POST = "https://weibo.com/7301122334/5091873346521078"
OTHER = "https://weibo.com/7301122334/5012264409187733"
ID_NUMBER = "110101199001011234"
IDENTITY = f"""name = "陈某明"
id_type = "居民身份证"
id_number = "{ID_NUMBER}"
phone = "13800000000"
address = "北京市东城区示例路1号"
"""


def _png(color: str = "red", size: tuple[int, int] = (100, 200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "PNG")
    return buf.getvalue()




@pytest.fixture
def ident(tmp_path: Path) -> Path:
    p = tmp_path / "id.toml"
    p.write_text(IDENTITY, encoding="utf-8")
    return p


@pytest.fixture
def small(tmp_path: Path) -> Case:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.png").write_bytes(_png("red"))
    (src / "b.png").write_bytes(_png("blue"))
    case = Case.init(tmp_path / "case")
    case.add([src / "a.png"], facts=IntakeFacts(url=POST, captured_at="2026-11-21 09:15"))
    case.add([src / "b.png"], facts=IntakeFacts(url=OTHER,
                                                captured_at="2026-11-21T09:20:00+08:00"))
    return case


def _write(case: Case, ident: Path, out: Path, **kw):
    args = {"platform": "新浪微博", "urls": [POST], "identity": ident, "out": out,
            "date": "2026-11-25", **kw}
    return write_notice(case, **args)


# --- URLs ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("same", [
    POST + "?refer_flag=1001030103_&utm_source=wechat",  # tracking parameters only
    POST + "#comment",                                  # a fragment never reaches the server
    "http://weibo.com/7301122334/5091873346521078",     # the same page over http
    "https://weibo.com:443/7301122334/5091873346521078",  # the default port written out
    "https://WEIBO.com./7301122334/5091873346521078",    # the root dot of the host
])
def test_same_page_written_differently_matches(same: str):
    """BUG: the same page written with tracking parameters, a fragment, http, the default port
    or the root dot was "a URL without evidence": the notice warned about its own evidence."""
    assert normalize_url(same) == normalize_url(POST)


def test_percent_encoding_and_idn_hosts_are_one_form():
    """BUG: ``%e8%b0%a3`` and ``谣`` (and a Unicode host and its punycode) were different URLs."""
    assert normalize_url("https://x.com/%e8%b0%a3") == normalize_url("https://x.com/谣")
    assert normalize_url("https://x.com/%E8%B0%A3") == normalize_url("https://x.com/谣")
    assert normalize_url("https://例子.cn/a") == normalize_url("https://xn--fsqu00a.cn/a")


@pytest.mark.parametrize(("a", "b"), [
    ("https://weibo.com/1/Abc", "https://weibo.com/1/abc"),      # paths are case-sensitive
    ("https://m.weibo.cn/detail/1", "https://weibo.com/detail/1"),  # other host
    ("https://www.weibo.com/1", "https://weibo.com/1"),          # other host
    ("https://mp.weixin.qq.com/s?__biz=1&mid=2", "https://mp.weixin.qq.com/s?__biz=1&mid=3"),
    ("https://x.com/a%2Fb", "https://x.com/a/b"),                # an escaped slash is not one
    ("https://x.com/#/post/1", "https://x.com/#/post/2"),         # hash routes name the page
    ("https://weibo.com:8080/1", "https://weibo.com/1"),         # another port
])
def test_different_pages_stay_apart(a: str, b: str):
    """(Guard for the fixes above: nothing that names another page is merged.)"""
    assert normalize_url(a) != normalize_url(b)


def test_matching_url_with_tracking_parameters_has_evidence(small: Case, ident: Path,
                                                             tmp_path: Path):
    """BUG: a URL copied from the share button (with ``refer_flag``) found no evidence, and the
    notice was refused for content the case does hold."""
    report = _write(small, ident, tmp_path / "out", urls=[POST + "?refer_flag=1001030103_"])
    assert report.ok and report.evidence_ids == ("E0001",)


# --- content ------------------------------------------------------------------------------------

def test_capture_time_shows_its_zone_status(small: Case, ident: Path, tmp_path: Path):
    """BUG: a capture time stated without an offset was printed bare, as if its zone were
    known: the platform's lawyer cannot tell 09:15 Beijing from 09:15 UTC."""
    report = _write(small, ident, tmp_path / "out", urls=[POST, OTHER])
    text = _docx_text(report.files["notice.docx"])
    zone = small.metadata.timezone
    assert "2026-11-21 09:15" in text
    assert f"未写时区，按 {zone} 推定" in text and f"no offset written; {zone} assumed" in text
    assert "含时区" in text  # the explicit one says so too
    flat = "".join(_pdf_text(report.files["notice.pdf"]).split())
    assert "未写时区" in flat


def test_pdf_dates_are_the_notice_date(small: Case, ident: Path, tmp_path: Path):
    """BUG: the PDF said it was created on 1 January 2000 (reportlab's invariant mode): a made-up
    date in a legal document."""
    report = _write(small, ident, tmp_path / "out")
    info = subprocess.run(["pdfinfo", str(report.files["notice.pdf"])], capture_output=True,
                          check=True, text=True).stdout
    dates = [ln for ln in info.splitlines() if ln.startswith(("CreationDate", "ModDate"))]
    assert len(dates) == 2 and all("2026" in ln and "2000" not in ln for ln in dates), dates
    raw = report.files["notice.pdf"].read_bytes()
    assert b"D:20261125" in raw and b"D:2000" not in raw


def test_person_repr_hides_contact_details(ident: Path):
    """BUG: ``repr(Person)`` printed the phone number and address, which the docs promise stay
    out of reprs (personal information, 个人信息保护法)."""
    text = repr(read_identity(ident))
    assert "13800000000" not in text and "示例路" not in text and ID_NUMBER not in text
    assert "陈某明" in text


def test_url_names_only_evidence_attached(small: Case, ident: Path, tmp_path: Path):
    """BUG: with ``--evidence E0002`` the URL line still said "preliminary evidence: E0001", an
    item the notice does not carry: the platform is told of evidence it never received."""
    report = _write(small, ident, tmp_path / "out", evidence_ids=["E0002"])
    text = _docx_text(report.files["notice.docx"])
    assert "初步证据：E0001" not in text and "E0001" not in text
    assert report.evidence_ids == ("E0002",)
    assert any("E0001" in w and "not attached" in w for w in report.warnings), report.warnings


def test_missing_glyphs_are_explained_in_the_pdf(small: Case, tmp_path: Path):
    """BUG: a 生僻字 in the right holder's name (or an emoji in a publisher's) was printed as
    ``⟦U+20BB7⟧`` in the PDF with no word of what that is: the name on a notice that must carry
    the true identity looked wrong.  The DOCX keeps the characters themselves."""
    p = tmp_path / "id.toml"
    p.write_text(IDENTITY.replace("陈某明", "陈𠮷明"), encoding="utf-8")
    report = _write(small, p, tmp_path / "out")
    assert "陈𠮷明" in _docx_text(report.files["notice.docx"])
    flat = "".join(_pdf_text(report.files["notice.pdf"]).split())
    assert "陈⟦U+20BB7⟧明" in flat
    note = flat.split("本PDF所用字体缺少")[-1]
    assert "本PDF所用字体缺少" in flat and "U+20BB7" in note and "DOCX" in note


# --- hostile input and the evidence store -----------------------------------------------------

def test_huge_image_is_not_drawn_and_warns_nothing(small: Case, ident: Path, tmp_path: Path,
                                                   monkeypatch):
    """BUG: an image between Pillow's pixel limit and twice it was decoded in full (a
    DecompressionBombWarning, then the whole bitmap in memory) to make a 240-pixel thumbnail."""
    monkeypatch.setattr(Image, "MAX_IMAGE_PIXELS", 15_000)  # the 100x200 PNG: 20,000 pixels
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        report = _write(small, ident, tmp_path / "out")
    assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)]
    text = _docx_text(report.files["notice.docx"])
    assert "无（图像无法绘制）" in text
    assert not docx.Document(str(report.files["notice.docx"])).inline_shapes


def test_recording_whose_store_copy_is_missing_is_refused(tmp_path: Path, ident: Path):
    """BUG: a screen recording whose stored copy was gone got "no frame could be taken" and the
    notice was written and logged, its SHA-256 vouching for a file the case no longer holds."""
    case = copy_sample_case(tmp_path / "sample")
    it = case.item("E0009")
    stored = case.root / it.stored_as
    stored.chmod(0o644)
    stored.unlink()
    seq = case.head.seq
    with pytest.raises(SourceError, match="E0009"):
        _write(case, ident, tmp_path / "out", evidence_ids=["E0009"])
    assert case.head.seq == seq and not (tmp_path / "out").exists()


def test_out_inside_the_case_is_refused_but_reports_is_allowed(small: Case, ident: Path,
                                                              tmp_path: Path):
    """BUG: ``--out CASE/notice`` wrote the notice among the case's own folders (only the store
    was refused); the appendix's rule is: outside the case, or under its ``reports/``."""
    seq = small.head.seq
    with pytest.raises(NoticeError, match="inside the case folder"):
        _write(small, ident, small.root / "notice")
    assert small.head.seq == seq and not (small.root / "notice").exists()
    report = _write(small, ident, small.root / "reports" / "notice")
    assert report.files["notice.pdf"].is_file()


def test_a_different_notice_is_not_overwritten(small: Case, ident: Path, tmp_path: Path):
    """BUG: writing a second notice into the folder of the first replaced it silently: the
    notice already logged (perhaps sent) was gone, its logged SHA-256 naming nothing."""
    first = _write(small, ident, tmp_path / "out")
    pdf = (tmp_path / "out" / "notice.pdf").read_bytes()
    seq = small.head.seq
    with pytest.raises(NoticeError, match="already holds"):
        _write(small, ident, tmp_path / "out", date="2026-11-26")
    assert (tmp_path / "out" / "notice.pdf").read_bytes() == pdf
    assert small.head.seq == seq
    assert hashlib.sha256(pdf).hexdigest() == first.sha256["notice.pdf"]


def test_the_same_notice_twice_is_logged_once(small: Case, ident: Path, tmp_path: Path):
    """BUG: the same notice written twice into the same folder was logged twice, as two
    notices; it is one notice, and the second run now says so."""
    first = _write(small, ident, tmp_path / "out")
    seq = small.head.seq
    again = _write(small, ident, tmp_path / "out")
    assert small.head.seq == seq
    assert again.entry_seq == first.entry_seq and again.existing and not first.existing
    assert again.sha256 == first.sha256


# --- sending and answers ------------------------------------------------------------------------

def test_reply_before_the_sending_warns(small: Case, ident: Path, tmp_path: Path):
    """BUG: an answer dated before the notice was sent was logged without a word: a typo in
    ``--at`` would put "the platform knew" before the notice reached it."""
    _write(small, ident, tmp_path / "out")
    notice_sent(small, tmp_path / "out", channel="e-mail", at="2026-11-25 10:00")
    replied = notice_reply(small, at="2026-11-24 10:00", text="已删除", kind="action-taken")
    assert replied.warnings and "before" in replied.warnings[0]
    assert list(small.head.details["warnings"]) == list(replied.warnings)
    ok = notice_reply(small, at="2026-11-26 10:00", text="已删除", kind="action-taken")
    assert ok.warnings == ()


def test_sent_before_the_notice_date_warns(small: Case, ident: Path, tmp_path: Path):
    """BUG: a notice dated 25 November logged as sent on the 24th drew no warning."""
    _write(small, ident, tmp_path / "out")
    sent = notice_sent(small, tmp_path / "out", channel="e-mail", at="2026-11-24 10:00")
    assert any("dated 2026-11-25" in w for w in sent.warnings), sent.warnings


def test_counter_notice_after_sending_in_timeline(small: Case, ident: Path, tmp_path: Path):
    """(Guard: the art. 1196 flow with an assumed zone, and the warning list of a good reply is
    empty in the log.)"""
    _write(small, ident, tmp_path / "out")
    notice_sent(small, tmp_path / "out", channel="e-mail", at="2026-11-25 10:00")
    counter = notice_reply(small, at="2026-11-27 12:00", text="发布者声明不存在侵权",
                           kind="counter-notice")
    assert counter.zone == "assumed" and counter.warnings == ()
    assert list(small.head.details["warnings"]) == []
    tl = small.timeline(progress=False)
    rows = tl[tl["data_type"] == "notice:counter-notice"]
    assert list(rows["zone"]) == ["assumed"]


def test_notice_dated_before_its_evidence_or_in_the_future_warns(small: Case, ident: Path,
                                                                 tmp_path: Path):
    """BUG: a notice dated before its evidence was captured (it carries captures it could not
    have had), or dated after today, was written without a word: a wrong ``--date`` is a
    made-up date in a legal document."""
    early = _write(small, ident, tmp_path / "a", date="2026-11-20")
    assert any("before evidence E0001" in w for w in early.warnings), early.warnings
    future = _write(small, ident, tmp_path / "b", date="2100-01-01")
    assert any("after today" in w for w in future.warnings), future.warnings
    assert _write(small, ident, tmp_path / "c").ok


def test_a_date_a_docx_cannot_hold_is_refused_typed(small: Case, ident: Path, tmp_path: Path):
    """BUG: ``--date 2999-01-01`` crashed in zipfile with a bare ValueError (exit 1 with a
    traceback) instead of a typed error naming the date."""
    with pytest.raises(NoticeError, match="2999-01-01"):
        _write(small, ident, tmp_path / "out", date="2999-01-01")
    assert not (tmp_path / "out").exists()
