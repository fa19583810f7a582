"""The appendix as one self-contained HTML file: sections, exhibits, determinism, hostile content.

The cases are made on the fly (a generated grey PNG, a chat in the package's generic CSV form, a
repost list); the hostile strings are the classic XSS probes plus a right-to-left override and a
zero-width space in a file name.  The Chromium test opens the file in Debian's chromium with the
network namespace cut off (``unshare -n``) and reads the DOM after the page settled.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.appendix import made_from_head
from forensics.appendix_html import CSP, SECTIONS, render_html, write_html
from forensics.appendix_model import Mark, Say, Table
from forensics.demo import _png
from forensics.errors import InputError
from forensics.intake import IntakeFacts

HOSTILE_PUBLISHER = "<script>alert(1)</script>"
HOSTILE_CHAT = (
    "time,sender_id,sender_name,text\n"
    "2026-11-20T14:35:02+08:00,u1,李四,<img src=x onerror=alert(1)>\n"
    "2026-11-20T14:35:40+08:00,u2,王五,<script>document.title='PWNED'</script>\n"
    "2026-11-20T14:36:15+08:00,u3,<svg onload=alert(2)>,"
    "\"<img src=x onerror=\"\"document.body.setAttribute('data-pwned','1')\"\">\"\n"
)
REPOSTS = (
    "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id\n"
    "P1,100,发布者,,2026-11-20T14:02:00+08:00,原帖内容,300,R0,\n"
    "P1,200,转发者甲,100,2026-11-20T14:10:00+08:00,转发微博,20,R1,R0\n"
)
ZH_HEADINGS = ("封面", "证据目录", "证据展示", "哈希值表", "完整性声明", "时间线", "传播分析",
               "方法与局限", "可重现性")


@pytest.fixture
def png() -> bytes:
    return _png(16, 24)


@pytest.fixture
def small(case, tmp_path, png):
    """A screenshot, a chat and a repost list, with intake facts."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "shot.png").write_bytes(png)
    (src / "reposts.csv").write_text(REPOSTS, encoding="utf-8")
    case.add([src / "shot.png"], facts=IntakeFacts(
        category="post", platform="微博", publisher="某某", captured_by="张三",
        captured_at="2026-11-21T09:15:00+08:00", carrier="iPhone 13", purpose="证明内容"),
        progress=False)
    case.add([src / "reposts.csv"], facts=IntakeFacts(category="record/log", carrier="none",
                                                      captured_by="平台"), progress=False)
    return case


@pytest.fixture
def hostile(case, tmp_path, png):
    """Attacker-written names and texts everywhere a capture puts them."""
    src = tmp_path / "src"
    src.mkdir()
    name = "shot\u202egnp.\u200bexe.png"
    (src / name).write_bytes(png)
    (src / "chat.csv").write_text(HOSTILE_CHAT, encoding="utf-8")
    case.add([src / name], facts=IntakeFacts(
        category="post", publisher=HOSTILE_PUBLISHER, url="javascript:alert(1)",
        note="<style>body{display:none}</style>", carrier="none"), progress=False)
    case.add([src / "chat.csv"], facts=IntakeFacts(category="message", platform="微信"),
             progress=False)
    return case


def test_all_sections_and_headings_and_every_digest(small):
    html = render_html(small, progress=False).decode("utf-8")
    for sid, zh, en in SECTIONS:
        assert f'<section id="{sid}">' in html
        assert f'href="#{sid}"' in html  # the table of contents names it
        assert zh in html and en in html
    for zh in ZH_HEADINGS:
        assert zh in html
    for it in small.items:
        assert it.digests.sha256 in html
    assert "不是司法鉴定意见" in html and "not a judicial appraisal" in html
    assert "not a legal conclusion" in html
    # the cover's date is the custody head's, never the time of rendering (the head of what
    # the appendix states: not the entries of data kept on the way, such as the tables)
    head = made_from_head(small)
    assert small.head.action == "derived" and head.action != "derived"
    assert f"entry_sha256 <code class=\"hash\">{head.entry_sha256}</code>" in html
    # zh before en
    assert html.index("证据目录") < html.index("Evidence list")


def test_png_exhibit_is_the_original_bytes(small, png):
    html = render_html(small, progress=False).decode("utf-8")
    assert f"data:image/png;base64,{base64.b64encode(png).decode()}" in html


def test_two_renders_are_byte_identical_and_write_is_atomic(small, tmp_path):
    a = render_html(small, progress=False)
    b = render_html(small, progress=False)
    assert a == b
    (tmp_path / "out").mkdir()
    out = write_html(small, tmp_path / "out" / "appendix.html", progress=False)
    assert out.read_bytes() == a


def test_languages(small):
    zh = render_html(small, lang="zh", progress=False).decode()
    en = render_html(small, lang="en", progress=False).decode()
    assert "证据展示" in zh and "Exhibits" not in zh
    assert "Exhibits" in en and "证据展示" not in en
    with pytest.raises(InputError, match="lang"):
        render_html(small, lang="fr")


def test_never_verified_is_said_plainly_then_the_verification_is_shown(small):
    html = render_html(small, progress=False).decode()
    integrity = html[html.index('<section id="integrity">'):html.index('<section id="timeline">')]
    assert "never been verified" in integrity and "passed" not in integrity.replace(
        "does not say that it passed", "")
    small.verify()
    html = render_html(small, progress=False).decode()
    integrity = html[html.index('<section id="integrity">'):html.index('<section id="timeline">')]
    assert "<b>通过 / passed</b>" in integrity
    assert "items re-hashed" in integrity


def test_text_exhibits_are_capped_with_a_note(case, tmp_path):
    rows = "".join(f"2026-11-20T14:{i // 60:02d}:{i % 60:02d}+08:00,u{i},甲,{'长' * 50}\n"
                   for i in range(200))
    (tmp_path / "chat.csv").write_text("time,sender_id,sender_name,text\n" + rows, encoding="utf-8")
    case.add([tmp_path / "chat.csv"], progress=False)
    html = render_html(case, progress=False).decode()
    assert re.search(r"\d+ more characters not shown \(of \d+ in 200 entries\)", html)


def test_hostile_content_is_escaped_and_flagged(hostile):
    html = render_html(hostile, progress=False).decode("utf-8")
    assert "<script" not in html.lower()
    assert "<style>body" not in html and html.count("<style>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<img src=x" not in html and "<svg" not in html
    assert "&lt;svg onload=alert(2)&gt;" in html  # every probe reached the page, as text
    assert "&lt;img src=x onerror=&quot;document.body.setAttribute(" in html
    # no live links or remote sources: only fragments and data: URIs
    for attr, value in re.findall(r'\b(href|src)\s*=\s*"([^"]*)"', html):
        assert value.startswith("#") if attr == "href" else value.startswith("data:image/")
    assert not re.search(r"(src|href)\s*=\s*[\"']?\s*(https?:|javascript:|//)", html, re.I)
    assert "javascript:alert(1)" in html  # shown as text
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in html
    # the invisible and direction characters are shown, flagged, and counted
    assert "\u202e" not in html and "\u200b" not in html
    assert '<span class="inv">⟦U+202E⟧</span>' in html
    assert '<span class="inv">⟦U+200B⟧</span>' in html
    note = re.search(r'<p class="flagnote">(.*?)</p>', html).group(1)
    assert "U+202E" in note and "U+200B" in note


def _chromium() -> str | None:
    return shutil.which("chromium")


def test_hostile_content_does_not_run_in_chromium(hostile, tmp_path):
    # a core test: it fails, never skips, without the browser (.ci/run installs it)
    assert _chromium() is not None, "chromium is not installed: apt install chromium"
    path = write_html(hostile, tmp_path / "appendix.html", progress=False)
    cmd = ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
           f"--user-data-dir={tmp_path / 'profile'}", "--virtual-time-budget=2000",
           "--dump-dom", path.resolve().as_uri()]
    if os.geteuid() == 0 and shutil.which("unshare"):
        cmd = ["unshare", "-n", *cmd]  # no network at all while the page is open
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)
    dom = done.stdout
    assert done.returncode == 0, done.stderr[-2000:]
    assert "<title>" in dom and "PWNED" not in dom.split("</title>")[0]
    assert 'data-pwned="' not in dom  # the onerror handler never set it
    assert "<script" not in dom.lower()
    # the escaped probes are there as text, and the images are there as data: URIs
    assert "&lt;img src=x onerror=alert(1)&gt;" in dom
    assert len(re.findall(r'<img src="data:image/png;base64,', dom)) >= 1
    assert '<span class="inv">⟦U+202E⟧</span>' in dom


# --- many cells escaped together ------------------------------------------------------------------

_CELL_TEXT = st.text(alphabet=st.sampled_from(
    [*"ab张三<>&\"' \n\r", "\u202e", "\u200b", "\ue000", "\x00", "\x1f", "⟦"]),
    max_size=8)
_CELL = st.one_of(
    _CELL_TEXT.map(lambda t: (t,)),
    st.lists(_CELL_TEXT, max_size=3).map(tuple),
    st.lists(st.one_of(_CELL_TEXT, _CELL_TEXT.map(lambda t: Mark(t, "code")),
                       st.sampled_from([Mark("F1", "ref", target="F1"), Say("是", "yes")])),
             max_size=3).map(tuple))


@settings(max_examples=300, deadline=None)
@given(st.lists(_CELL, max_size=40), st.sampled_from(["zh", "en", "both"]))
def test_cells_drawn_together_are_drawn_as_one_by_one(cells, lang):
    from forensics.appendix_html import _Draw

    d = _Draw(lang)
    assert d.cells(cells) == [d.span(c) for c in cells]


def test_a_table_of_many_rows_is_laid_out_row_by_row():
    from forensics.appendix_html import _Draw

    rows = tuple(((f"r{i}<",), (Mark("F1", "ref", target="F1"),), ("\ue000x",)) for i in range(3))
    html = _Draw("en").table(Table(header=((Say("a", "a"),), (Say("b", "b"),), (Say("c", "c"),)),
                                   rows=rows, kind="timeline"))
    body = html.split("<tbody>")[1]
    assert body.count("<tr>") == 3 and body.count("<td>") == 9
    assert '<tr><td>r0&lt;</td><td><a class="ref" href="#F1">F1</a></td><td>\ue000x</td></tr>' in body
