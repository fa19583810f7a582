"""forensics.notice: the platform notice (民法典 art. 1195), its sending and the answers.

Fixtures: a small case made here (a PNG screenshot drawn with Pillow and an HTML page, each with
its intake URL) and a copy of the sample case (forensics.notebooks.copy_sample_case: screenshots,
a screen recording, repost lists, all at https://weibo.com/7301122334/...).
"""

from __future__ import annotations

import hashlib
import io
import subprocess
from pathlib import Path

import docx
import pytest
from PIL import Image

from forensics.case import Case
from forensics.errors import IntegrityError, NoticeError
from forensics.intake import IntakeFacts
from forensics.notebooks import copy_sample_case
from forensics.notice import (
    ARTICLES,
    normalize_url,
    notice_reply,
    notice_sent,
    read_identity,
    write_notice,
)

POST = "https://weibo.com/7301122334/5091873346521078"
OTHER = "https://weibo.com/7301122334/5012264409187733"
ID_NUMBER = "110101199001011234"
IDENTITY = f"""# 权利人身份信息
name = "陈某明"
id_type = "居民身份证"
id_number = "{ID_NUMBER}"
phone = "13800000000"
address = "北京市东城区示例路1号"
"""
AGENT = """
[agent]
name = "王律师"
id_type = "律师执业证"
id_number = "11101201010000000"
email = "wang@example.org"
address = "北京市示例律师事务所"
authorization = "授权委托书（特别授权）"
"""


def _png(color: str = "red") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (400, 800), color).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def identity(tmp_path: Path) -> Path:
    p = tmp_path / "identity.toml"
    p.write_text(IDENTITY + AGENT, encoding="utf-8")
    return p


@pytest.fixture
def small(tmp_path: Path) -> Case:
    src = tmp_path / "src"
    src.mkdir()
    (src / "shot.png").write_bytes(_png())
    (src / "page.html").write_text("<p>谣言</p>", encoding="utf-8")
    case = Case.init(tmp_path / "case", title="示例")
    case.add([src / "shot.png"], facts=IntakeFacts(url=POST, platform="微博",
                                                  captured_at="2026-11-21T09:15:40+08:00",
                                                  publisher="城南吃瓜君",
                                                  publisher_id="7301122334"))
    case.add([src / "page.html"], facts=IntakeFacts(url=OTHER + "/"), parse=False)
    return case


def _docx_text(path: Path) -> str:
    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def _pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-raw", str(path), "-"], capture_output=True, check=True,
                          text=True).stdout


def _store_digests(case: Case) -> dict[str, str]:
    return {it.evidence_id: hashlib.sha256((case.root / it.stored_as).read_bytes()).hexdigest()
            for it in case.items}


# --- the identity file ---------------------------------------------------------------------------

def test_identity_reads_holder_and_agent(identity: Path):
    ident = read_identity(identity)
    assert ident.holder.name == "陈某明" and ident.holder.id_number == ID_NUMBER
    assert ident.agent is not None and ident.agent.authorization == "授权委托书（特别授权）"
    assert ident.sha256 == hashlib.sha256(identity.read_bytes()).hexdigest()
    assert ID_NUMBER not in repr(ident)  # personal information stays out of reprs


@pytest.mark.parametrize(("text", "key", "says"), [
    (IDENTITY + 'nmae = "x"\n', "nmae", "unknown key"),
    (IDENTITY.replace('id_number = "110101199001011234"\n', ""), "id_number", "required"),
    (IDENTITY.replace('phone = "13800000000"\n', ""), "phone", "contact"),
    (IDENTITY.replace('"13800000000"', "13800000000"), "phone", "text in quotes"),
    (IDENTITY + AGENT.replace('authorization = "授权委托书（特别授权）"\n', ""),
     "agent.authorization", "required"),
    (IDENTITY + AGENT + 'seal = "x"\n', "agent.seal", "unknown key"),
])
def test_identity_refuses_naming_the_key(tmp_path: Path, text: str, key: str, says: str):
    p = tmp_path / "id.toml"
    p.write_text(text, encoding="utf-8")
    with pytest.raises(NoticeError) as err:
        read_identity(p)
    assert err.value.key == key and says in str(err.value) and str(p) in str(err.value)


def test_identity_not_toml(tmp_path: Path):
    p = tmp_path / "id.toml"
    p.write_text("name = 陈某明\n", encoding="utf-8")
    with pytest.raises(NoticeError, match="not valid TOML"):
        read_identity(p)


def test_normalize_url_keeps_hosts_apart():
    assert normalize_url("HTTPS://WEIBO.com/a/B/") == normalize_url("https://weibo.com/a/B")
    assert normalize_url("https://m.weibo.cn/a") != normalize_url("https://weibo.com/a")
    assert normalize_url("https://weibo.com/a?x=1") != normalize_url("https://weibo.com/a")


# --- writing ---------------------------------------------------------------------------------

def test_small_case_notice_holds_the_facts(small: Case, identity: Path, tmp_path: Path):
    before = _store_digests(small)
    report = write_notice(small, platform="新浪微博", urls=[POST.upper().replace("/7301", "/7301"),
                                                        OTHER], identity=identity,
                          measures=["delete", "disconnect", "preserve"], out=tmp_path / "out",
                          date="2026-11-25")
    assert report.evidence_ids == ("E0001", "E0002") and report.ok
    text = _docx_text(report.files["notice.docx"])
    for it in small.items:
        assert it.evidence_id in text and it.digests.sha256 in text
    for needle in (OTHER, "新浪微博", ID_NUMBER, "陈某明", "王律师", "2026年11月25日",
                   "删除上述信息", "断开指向上述信息的链接", "城南吃瓜君（7301122334）",
                   "2026-11-21T09:15:40+08:00", "注册信息", "登录日志"):
        assert needle in text, needle
    for _, number, zh, _en in ARTICLES:
        assert number in text and zh in text
    assert "屏蔽上述信息" not in text  # not asked for
    pdf = _pdf_text(report.files["notice.pdf"])
    flat = "".join(pdf.split())
    for needle in ("侵权通知书", "第一千一百九十五条",
                   "通知应当包括构成侵权的初步证据及权利人的真实身份信息",
                   "E0001", small.item("E0001").digests.sha256, "陈某明", "2026年11月25日"):
        assert needle in flat, needle
    # the logged entry: files and digests, never the ID number itself
    entry = small.head
    assert entry.action == "notice" and entry.seq == report.entry_seq
    d = entry.details
    assert d["files"] == {n: hashlib.sha256(p.read_bytes()).hexdigest()
                          for n, p in report.files.items()}
    assert d["identity_sha256"] == hashlib.sha256(identity.read_bytes()).hexdigest()
    assert list(d["evidence_ids"]) == ["E0001", "E0002"] and list(d["warnings"]) == []
    assert [e.evidence_id for e in entry.evidence] == ["E0001", "E0002"]
    assert ID_NUMBER not in (small.root / "custody.jsonl").read_text(encoding="utf-8")
    assert _store_digests(small) == before


def test_pdf_embeds_the_chinese_font(small: Case, identity: Path, tmp_path: Path):
    from forensics.appendix_pdf import pdf_fonts

    report = write_notice(small, platform="微博", urls=[POST], identity=identity,
                          out=tmp_path / "out", date="2026-11-25")
    fonts = [ln.split() for ln in subprocess.run(
        ["pdffonts", str(report.files["notice.pdf"])], capture_output=True, check=True,
        text=True).stdout.splitlines()[2:] if ln.strip()]
    assert fonts and all(f[-5:-2] == ["yes", "yes", "yes"] for f in fonts), fonts  # all embedded
    face = Path(pdf_fonts().files[0][1]).stem.split("-")[0].lower()  # e.g. wqy-microhei.ttc
    assert any("WenQuanYi" in f[0] or face in f[0].lower() for f in fonts), fonts
    assert "□" not in _pdf_text(report.files["notice.pdf"])


def test_thumbnails_made_without_touching_the_original(small: Case, identity: Path,
                                                       tmp_path: Path):
    before = _store_digests(small)
    report = write_notice(small, platform="微博", urls=[POST, OTHER], identity=identity,
                          out=tmp_path / "out", date="2026-11-25")
    d = docx.Document(str(report.files["notice.docx"]))
    assert len(d.inline_shapes) == 1  # the PNG; the HTML page gets "not an image"
    assert "无（非图像）" in _docx_text(report.files["notice.docx"])
    thumbs = small.head.details["thumbnails"]
    assert list(thumbs) == ["E0001"]
    assert thumbs["E0001"] != small.item("E0001").digests.sha256
    assert _store_digests(small) == before
    assert small.verify(record=False, progress=False).ok


def test_same_day_same_bytes(small: Case, identity: Path, tmp_path: Path):
    a = write_notice(small, platform="微博", urls=[POST], identity=identity,
                     out=tmp_path / "a", date="2026-11-25")
    b = write_notice(small, platform="微博", urls=[POST], identity=identity,
                     out=tmp_path / "b", date="2026-11-25")
    assert a.sha256 == b.sha256
    for name in ("notice.docx", "notice.pdf"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    c = write_notice(small, platform="微博", urls=[POST], identity=identity,
                     out=tmp_path / "c", date="2026-11-26")
    assert c.sha256["notice.pdf"] != a.sha256["notice.pdf"]


def test_url_without_evidence_warns(small: Case, identity: Path, tmp_path: Path):
    mobile = "https://m.weibo.cn/detail/5091873346521078"  # another host: not merged
    report = write_notice(small, platform="微博", urls=[POST, mobile], identity=identity,
                          out=tmp_path / "out", date="2026-11-25")
    assert len(report.warnings) == 1 and mobile in report.warnings[0]
    assert "liable" in report.warnings[0] and not report.ok
    assert list(small.head.details["warnings"]) == list(report.warnings)
    assert report.evidence_ids == ("E0001",)


def test_no_evidence_at_all_is_refused_unless_forced(small: Case, identity: Path,
                                                    tmp_path: Path):
    url = "https://www.douyin.com/video/1"
    seq = small.head.seq
    with pytest.raises(NoticeError, match="no URL of the notice has evidence"):
        write_notice(small, platform="抖音", urls=[url], identity=identity,
                     out=tmp_path / "out", date="2026-11-25")
    assert small.head.seq == seq and not (tmp_path / "out").exists()
    report = write_notice(small, platform="抖音", urls=[url], identity=identity,
                          out=tmp_path / "out", date="2026-11-25", force=True)
    assert report.forced and report.evidence_ids == ()
    assert small.head.details["forced"] is True
    assert "本通知未附本案证据" in _docx_text(report.files["notice.docx"])


@pytest.mark.parametrize(("kwargs", "says"), [
    ({"urls": ["weibo.com/1"]}, "not a web address"),
    ({"urls": []}, "at least one URL"),
    ({"measures": ["takedown"]}, "unknown measure"),
    ({"measures": []}, "at least one measure"),
    ({"platform": " "}, "name the platform"),
    ({"date": "25/11/2026"}, "YYYY-MM-DD"),
])
def test_bad_options_refused(small: Case, identity: Path, tmp_path: Path, kwargs, says):
    args = {"platform": "微博", "urls": [POST], "identity": identity, "out": tmp_path / "o",
            "date": "2026-11-25", **kwargs}
    with pytest.raises(NoticeError, match=says):
        write_notice(small, **args)


def test_out_inside_the_store_refused(small: Case, identity: Path):
    with pytest.raises(NoticeError, match="evidence store"):
        write_notice(small, platform="微博", urls=[POST], identity=identity,
                     out=small.root / "store" / "x", date="2026-11-25")


def test_given_evidence_ids(small: Case, identity: Path, tmp_path: Path):
    report = write_notice(small, platform="微博", urls=[POST], identity=identity,
                          out=tmp_path / "out", date="2026-11-25", evidence_ids=["E0002"])
    assert report.evidence_ids == ("E0002",)


def test_changed_original_refused(small: Case, identity: Path, tmp_path: Path):
    stored = small.root / small.item("E0001").stored_as
    stored.chmod(0o644)
    stored.write_bytes(_png("blue"))
    with pytest.raises(IntegrityError, match="E0001"):
        write_notice(small, platform="微博", urls=[POST], identity=identity,
                     out=tmp_path / "out", date="2026-11-25")


def test_hostile_text_does_not_break_the_documents(tmp_path: Path):
    src = tmp_path / "src"
    src.mkdir()
    evil = "evil\u202egnp.png"
    (src / evil).write_bytes(_png("green"))
    case = Case.init(tmp_path / "case")
    long_time = "截图时间：" + "很久以前" * 800
    case.add([src / evil], facts=IntakeFacts(url=POST, captured_at=long_time,
                                            publisher="\u202e" + "长" * 3000))
    ident = tmp_path / "id.toml"
    ident.write_text(IDENTITY.replace("陈某明", "陈\u202e某明\u200b"), encoding="utf-8")
    report = write_notice(case, platform="微博\u202e", urls=[POST], identity=ident,
                          out=tmp_path / "out", date="2026-11-25")
    text = _docx_text(report.files["notice.docx"])
    assert "\u202e" not in text and "⟦U+202E⟧" in text and "⟦U+200B⟧" in text
    assert "…(+" in text  # the long capture time is cut in the table, with the count left out
    pdf = _pdf_text(report.files["notice.pdf"])
    assert "\u202e" not in pdf and "U+202E" in pdf
    assert report.evidence_ids == ("E0001",)


# --- the sample case -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Case:
    return copy_sample_case(tmp_path_factory.mktemp("sample") / "case")


def test_sample_case_notice(sample: Case, tmp_path: Path):
    ident = tmp_path / "id.toml"
    ident.write_text(IDENTITY, encoding="utf-8")
    before = _store_digests(sample)
    report = write_notice(sample, platform="新浪微博", urls=[POST], identity=ident,
                          measures=["delete", "block"], out=tmp_path / "out", date="2026-11-25")
    expected = tuple(it.evidence_id for it in sample.items if it.facts.url == POST)
    assert report.evidence_ids == expected and "E0009" in expected
    thumbs = sample.head.details["thumbnails"]
    assert "E0009" in thumbs  # a frame of the screen recording
    assert {"E0010", "E0011", "E0013"} <= set(thumbs)  # screenshots
    text = _docx_text(report.files["notice.docx"])
    for eid in expected:
        assert eid in text and sample.item(eid).digests.sha256 in text
    assert "录屏第" in text
    assert _store_digests(sample) == before
    assert sample.verify(record=False, progress=False).ok


def test_sample_case_children_follow_their_parent(sample: Case, tmp_path: Path):
    ident = tmp_path / "id.toml"
    ident.write_text(IDENTITY, encoding="utf-8")
    report = write_notice(sample, platform="新浪微博", urls=[POST], identity=ident,
                          out=tmp_path / "out", date="2026-11-25", evidence_ids=["E0003"])
    assert report.evidence_ids == ("E0003",)
    from forensics.notice import _with_children

    assert [it.evidence_id for it in _with_children(sample, ["E0003"])] == ["E0003", "E0016"]


# --- sending and answers -------------------------------------------------------------------------

def test_sent_and_replies_in_the_timeline(small: Case, identity: Path, tmp_path: Path):
    report = write_notice(small, platform="新浪微博", urls=[POST, OTHER], identity=identity,
                          out=tmp_path / "out", date="2026-11-25")
    sent = notice_sent(small, tmp_path / "out", channel="微博侵权投诉页面", at="2026-11-25 10:00",
                       recipient="新浪微博法务部")
    assert sent.notice_seq == report.entry_seq and sent.events == 2
    assert sent.zone == "assumed" and sent.at_utc.startswith("2026-11-25T02:00:00")
    reply_file = tmp_path / "reply.eml"
    reply_file.write_bytes(b"From: legal@weibo.example\r\nSubject: re\r\n\r\nremoved\r\n")
    replied = notice_reply(small, at="2026-11-26T09:00:00+08:00", file=reply_file,
                           text="已删除", kind="action-taken")
    assert replied.evidence_ids == ("E0003",) and replied.zone == "explicit"
    counter = notice_reply(small, at="2026-11-27 12:00", text="发布者声明不存在侵权",
                           kind="counter-notice")
    assert counter.evidence_ids == ()
    tl = small.timeline(progress=False)
    rows = tl[tl["data_type"].str.startswith("notice:")]
    got = sorted(zip(rows["data_type"], rows["time_description"], rows["summary"].str.len() > 0,
                     strict=True))
    assert [g[0] for g in got] == ["notice:action-taken"] * 2 + ["notice:counter-notice"] * 2 + \
        ["notice:sent"] * 2
    sent_rows = rows[rows["data_type"] == "notice:sent"]
    assert set(sent_rows["time_description"]) == {"Notice sent to platform (民法典第1195条)"}
    assert set(sent_rows["sha256"]) == {report.sha256["notice.pdf"]}
    assert (rows[rows["data_type"] == "notice:action-taken"]["evidence_id"] == "E0003").all()
    entries = [e for e in small.log.entries() if e.action == "notice"]
    assert [e.details["kind"] for e in entries] == ["written", "sent", "action-taken",
                                                    "counter-notice"]
    assert small.verify(record=False, progress=False).ok


def test_sent_notice_changed_after_writing_is_brought_in(small: Case, identity: Path,
                                                         tmp_path: Path):
    write_notice(small, platform="微博", urls=[POST], identity=identity, out=tmp_path / "out",
                 date="2026-11-25")
    signed = tmp_path / "signed.pdf"
    signed.write_bytes((tmp_path / "out" / "notice.pdf").read_bytes() + b"%signed\n")
    sent = notice_sent(small, signed, channel="EMS 1234", at="2026-11-25 10:00")
    assert sent.evidence_ids == ("E0003",) and sent.notice_seq is None
    assert "not a notice written" in sent.warnings[0]
    assert small.item("E0003").digests.sha256 == hashlib.sha256(signed.read_bytes()).hexdigest()


def test_sent_and_reply_refusals(small: Case, identity: Path, tmp_path: Path):
    with pytest.raises(NoticeError, match="no notice was logged as sent"):
        notice_reply(small, at="2026-11-26 09:00", text="x")
    write_notice(small, platform="微博", urls=[POST], identity=identity, out=tmp_path / "out",
                 date="2026-11-25")
    with pytest.raises(NoticeError, match="cannot be read"):
        notice_sent(small, tmp_path / "out", channel="e-mail", at="next tuesday")
    with pytest.raises(NoticeError, match="--channel"):
        notice_sent(small, tmp_path / "out", channel=" ", at="2026-11-25 10:00")
    with pytest.raises(NoticeError, match="no such file"):
        notice_sent(small, tmp_path / "nope", channel="e-mail", at="2026-11-25 10:00")
    notice_sent(small, tmp_path / "out", channel="e-mail", at="2026-11-25 10:00")
    with pytest.raises(NoticeError, match="unknown kind"):
        notice_reply(small, at="2026-11-26 09:00", text="x", kind="ack")
    with pytest.raises(NoticeError, match="a text, a file"):
        notice_reply(small, at="2026-11-26 09:00")
