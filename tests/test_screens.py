"""forensics.screens: the four completeness calls (content, publisher, publish time, URL), the
displayed times, counts and status-bar clock read from OCR lines, and the sample case's captures.

Fixtures: most tests build :class:`~forensics.ocr.OcrFrame` / :class:`~forensics.ocr.OcrLine`
by hand (no OCR engine: fast and exact), laid out like the sample case's 540x1170 Weibo
screenshots (status bar at the top, the publisher at y=189, the post time under it, the text
from y=278, the counts at y=723).  The case-level tests use a copy of the sample case
(forensics.notebooks.copy_sample_case), read once by the real engine in a module fixture, and
tiny cases whose captures are read by a stand-in engine (``fake_engine``) that returns set lines.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from forensics import ocr
from forensics.case import Case
from forensics.errors import InputError, OcrError
from forensics.intake import IntakeFacts
from forensics.notebooks import copy_sample_case
from forensics.ocr import OcrFrame, OcrLine
from forensics.screens import (
    ASPECTS,
    MIN_TEXT_HEIGHT,
    Call,
    Element,
    LookFor,
    ScreenCheck,
    ScreenReport,
    check_frames,
    check_screens,
    read_phrases,
    screen_counts,
)

CST = timezone(timedelta(hours=8))
#: The capture time of the sample's IMG_4821.PNG: the post (2026-11-20 14:02) was "昨天".
CAP = datetime(2026, 11, 21, 9, 15, 40, tzinfo=CST)
POST_ID = "5091873346521078"
URL = f"https://weibo.com/7301122334/{POST_ID}"
PHRASE = "暖阳烘焙老板陈某明用过期面粉做蛋糕"
PHRASES = (PHRASE, "店里还偷偷改生产日期")


def ln(text: str, y: int, *, score: float = 0.99, x: int = 30, h: int = 24) -> OcrLine:
    """A line read at ``(x, y)``, 20 px per character wide and ``h`` px high."""
    return OcrLine(text, score, (x, y, x + 20 * len(text), y + h))


def frame(*lines: OcrLine, at: float | None = None, w: int = 540, h: int = 1170) -> OcrFrame:
    return OcrFrame(w, h, lines, at)


def look(**kw: object) -> LookFor:
    base: dict[str, object] = {"phrases": (PHRASE,), "publisher": ("城南吃瓜君",),
                               "displayed_time": "昨天 14:02", "url": URL}
    base.update(kw)
    return LookFor(**base)  # type: ignore[arg-type]


def calls(frames: OcrFrame | tuple[OcrFrame, ...], want: LookFor,
          cap: datetime | None = CAP) -> dict[str, object]:
    got = check_frames(frames if isinstance(frames, tuple) else (frames,), want,
                       captured_at=cap)
    return got


def call(got: dict[str, object], aspect: str) -> str:
    e = got[aspect]
    assert isinstance(e, Element)
    return e.call.value


STATUS = ln("09:15", 11, x=25)
PUBLISHER = ln("城南吃瓜君", 189, x=112)
POSTED = ln("昨天14:02来自iPhone15Pro", 226, x=111)


# -- content -------------------------------------------------------------------------------------


def test_phrase_found_across_a_line_break_is_shown() -> None:
    got = calls(frame(STATUS, PUBLISHER, POSTED, ln("暖阳烘焙老板陈某明用过", 278),
                      ln("期面粉做蛋糕，好几个小孩", 306)), look())
    assert call(got, "content") == "shown"
    assert got["content"].texts == ("暖阳烘焙老板陈某明用过 / 期面粉做蛋糕，好几个小孩",)
    (hit,) = got["phrases"]
    assert (hit.phrase, hit.call, hit.score) == (PHRASE, Call.SHOWN, 100.0)


def test_phrase_near_miss_is_unsure_and_absent_is_not_shown() -> None:
    near = calls(frame(PUBLISHER, ln("暖阳烘焙老板陈某明用过其面粉做蛋糕", 278)), look())
    assert call(near, "content") == "unsure"
    assert 80 <= near["phrases"][0].score < 100
    assert near["content"].texts == ("暖阳烘焙老板陈某明用过其面粉做蛋糕",)
    absent = calls(frame(PUBLISHER, ln("今天的蛋糕很好吃，推荐大家去", 278)), look())
    assert call(absent, "content") == "not shown"
    assert absent["content"].texts == ()


def test_phrase_on_a_low_score_line_is_unsure() -> None:
    got = calls(frame(PUBLISHER, ln(PHRASE, 278, score=0.6)), look())
    assert call(got, "content") == "unsure"


def test_without_phrases_the_content_is_unsure() -> None:
    got = calls(frame(PUBLISHER, ln(PHRASE, 278)), look(phrases=()))
    assert call(got, "content") == "unsure"
    assert "--phrases" in got["content"].why


def test_one_of_two_phrases_is_enough_and_each_phrase_is_reported() -> None:
    got = calls(frame(ln("大家千万别去了，店里还偷偷改生产日期！", 278)), look(phrases=PHRASES))
    assert call(got, "content") == "shown"
    assert [(h.phrase, h.call) for h in got["phrases"]] == [
        (PHRASE, Call.NOT_SHOWN), ("店里还偷偷改生产日期", Call.SHOWN)]


def test_phrase_of_only_punctuation_is_not_a_phrase() -> None:
    # nothing to look for: the content cannot be recognised (never "not shown")
    got = calls(frame(PUBLISHER, ln("今天天气不错", 278)), look(phrases=("！！！……",)))
    assert call(got, "content") == "unsure"


def test_check_screens_refuses_a_phrase_of_only_punctuation(case: Case) -> None:
    with pytest.raises(InputError, match="no letters or digits"):
        check_screens(case, phrases=["!!! ...", PHRASE], record=False, progress=False)


@pytest.mark.parametrize("phrase", ["暖阳烘焙" * 80, "暖阳烘焙\x00老板"])
def test_a_long_or_odd_phrase_given_as_text_is_a_phrase_not_a_path(
        case: Case, monkeypatch: pytest.MonkeyPatch, phrase: str) -> None:
    monkeypatch.setattr(ocr, "_engine", FailingEngine)
    report = check_screens(case, phrases=phrase, record=False, progress=False)
    assert report.phrases == (phrase,) and report.checks == ()


def test_hostile_invisible_characters_do_not_hide_a_phrase() -> None:
    # zero-width spaces and a right-to-left override inside the line read, and in the phrase
    text = "暖阳烘焙\u200b老板陈某明\u202e用过期面粉\u200d做蛋糕"
    got = calls(frame(ln(text, 278)), look(phrases=("暖阳烘焙老板\u2060陈某明用过期面粉做蛋糕",)))
    assert call(got, "content") == "shown"
    assert got["content"].texts == (text,)


# -- publisher -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("publisher", "line", "expected"), [
    (("城南吃瓜君",), ln("城南吃瓜君", 189), "shown"),
    (("7301122334",), ln("UID：7301122334", 189), "shown"),
    (("老赵 (wxid_zhaomou88)",), ln("老赵", 189), "shown"),
    (("老赵（wxid_zhaomou88）",), ln("微信号：wxid_zhaomou88", 189), "shown"),
    (("城南吃瓜君", "7301122334"), ln(f"weibo.com/7301122334/{POST_ID}", 60), "unsure"),
    (("城南吃瓜君",), ln("城南吃瓜君", 189, score=0.6), "unsure"),
    (("城南吃瓜君",), ln("城南吃爪君", 189), "unsure"),  # one character misread
    (("城南吃瓜君",), ln("城北小吃店", 189), "not shown"),
])
def test_publisher(publisher: tuple[str, ...], line: OcrLine, expected: str) -> None:
    got = calls(frame(STATUS, line, ln("今天天气不错", 278)), look(publisher=publisher))
    assert call(got, "publisher") == expected
    if expected != "not shown":
        assert got["publisher"].texts == (line.text,)


def test_publisher_id_only_inside_the_address_says_so() -> None:
    got = calls(frame(ln(URL, 60)), look(publisher=("7301122334",)))
    assert "only inside the address" in got["publisher"].why


def test_without_a_recorded_publisher_a_name_above_the_time_is_a_candidate() -> None:
    got = calls(frame(STATUS, PUBLISHER, POSTED), look(publisher=()))
    assert (call(got, "publisher"), got["publisher"].texts) == ("unsure", ("城南吃瓜君",))
    handle = calls(frame(ln("转发了 @城南吃瓜君 的微博", 300)), look(publisher=()))
    assert call(handle, "publisher") == "unsure"
    none = calls(frame(ln("今天天气不错", 300)), look(publisher=()))
    assert call(none, "publisher") == "not shown"


def test_a_two_letter_name_is_not_guessed_fuzzily() -> None:
    got = calls(frame(ln("老钱", 189)), look(publisher=("老赵",)))
    assert call(got, "publisher") == "not shown"


# -- publish time --------------------------------------------------------------------------------


def test_publish_time_as_written_and_as_a_time() -> None:
    got = calls(frame(STATUS, PUBLISHER, POSTED), look())
    assert call(got, "publish_time") == "shown"
    assert "as written" in got["publish_time"].why
    # "11-20 14:02" recorded; the capture of 11-21 shows "昨天 14:02": the same minute
    got = calls(frame(STATUS, PUBLISHER, ln("昨天 14:02", 226)),
                look(displayed_time="11-20 14:02"))
    assert call(got, "publish_time") == "shown"
    assert "as a time" in got["publish_time"].why
    # the same words a day later are another minute
    later = calls(frame(PUBLISHER, ln("昨天 14:02", 226)), look(displayed_time="11-20 14:02"),
                  cap=CAP + timedelta(days=1))
    assert call(later, "publish_time") == "unsure"


def test_publish_time_glued_by_ocr() -> None:
    got = calls(frame(PUBLISHER, ln("2026-11-2014:02来自iPhone15Pro", 226)),
                look(displayed_time="2026-11-20 14:02"))
    assert call(got, "publish_time") == "shown"
    (t,) = [t for t in got["times"] if t.place == "page"]
    assert t.text == "2026-11-20 14:02"
    assert t.value is not None
    assert t.value.earliest == datetime(2026, 11, 20, 6, 2, tzinfo=UTC)


def test_comment_times_only_are_not_the_publish_time() -> None:
    # a post whose body is a picture: the next lines read are comments, far below the name
    got = calls(frame(STATUS, PUBLISHER, ln("网友甲：真的假的？", 600), ln("11-20 15:02", 630),
                      ln("网友乙：已避雷", 700), ln("11-20 15:40", 730)),
                look(displayed_time="2026-11-20 14:02"))
    assert call(got, "publish_time") == "not shown"
    assert "11-20 15:02" in got["publish_time"].why


def test_a_different_time_beside_the_publisher_is_unsure() -> None:
    got = calls(frame(STATUS, PUBLISHER, ln("昨天 15:02", 226)),
                look(displayed_time="2026-11-20 14:02"))
    assert call(got, "publish_time") == "unsure"
    assert got["publish_time"].texts == ("昨天 15:02",)
    assert "differs" in got["publish_time"].why


def test_without_a_recorded_time_the_time_beside_the_publisher_is_unsure() -> None:
    got = calls(frame(STATUS, PUBLISHER, POSTED), look(displayed_time=""))
    assert call(got, "publish_time") == "unsure"
    nothing = calls(frame(STATUS, PUBLISHER), look(displayed_time=""))
    assert call(nothing, "publish_time") == "not shown"


def test_the_status_bar_clock_is_never_the_publish_time() -> None:
    got = calls(frame(ln("14:02", 11, x=25), PUBLISHER), look(displayed_time="11-21 14:02"),
                cap=datetime(2026, 11, 21, 14, 2, 30, tzinfo=CST))
    assert call(got, "publish_time") == "not shown"
    assert [t.place for t in got["times"]] == ["status bar"]


def test_a_relative_time_without_a_capture_time_matches_as_written_only() -> None:
    got = calls(frame(PUBLISHER, ln("昨天 14:02", 226)), look(), cap=None)
    assert call(got, "publish_time") == "shown"
    assert got["times"][0].value is None
    got = calls(frame(PUBLISHER, ln("昨天 14:02", 226)), look(displayed_time="11-20 14:02"),
                cap=None)
    assert call(got, "publish_time") == "unsure"


# -- status bar ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("clock", "captured", "agrees"), [
    ("09:15", CAP, True),
    ("09:14", CAP, True),   # a clock shows whole minutes
    ("09:12", CAP, False),  # 3 min behind (more than CLOCK_SLACK)
    ("08:30", CAP, False),  # the sample's retouched copy
    ("23:59", datetime(2026, 11, 22, 0, 0, 30, tzinfo=CST), True),  # across midnight
    ("00:01", datetime(2026, 11, 21, 23, 59, 30, tzinfo=CST), True),
    ("00:30", datetime(2026, 11, 21, 23, 30, tzinfo=CST), False),
])
def test_status_bar_clock(clock: str, captured: datetime, agrees: bool) -> None:
    got = calls(frame(ln(clock, 11, x=25), PUBLISHER), look(), cap=captured)
    assert got["status_bar"] == clock
    assert got["status_bar_check"].startswith("agrees" if agrees else "differs")
    assert bool(got["warnings"]) is not agrees


def test_a_clock_that_differs_is_a_problem_of_the_capture() -> None:
    got = calls(frame(ln("08:30", 11, x=25), PUBLISHER, POSTED, ln(PHRASE, 278), ln(URL, 60)),
                look())
    assert got["status_bar_check"] == ("differs from the capture time (09:15:40 Asia/Shanghai, "
                                       "assumed zone): 45 min behind it")
    check = ScreenCheck("E0001", "x.png", "0" * 64, "image", None,
                        **{a: got[a] for a in ASPECTS},  # type: ignore[arg-type]
                        status_bar=got["status_bar"], status_bar_check=got["status_bar_check"])
    assert check.complete
    assert check.problems == (f"status-bar time 08:30 {got['status_bar_check']}",)


def test_status_bar_not_checked_without_a_capture_time() -> None:
    got = calls(frame(STATUS, PUBLISHER), look(), cap=None)
    assert got["status_bar_check"].startswith("not checked")
    assert got["warnings"] == ()


# -- URL -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    (URL, "shown"),
    (f"weibo.com/7301122334/{POST_ID}", "shown"),
    (f"http://weibo.com/7301122334/{POST_ID}?refer_flag=1001&utm_source=x#comment", "shown"),
    (f"网址：https://weibo.com/7301122334/{POST_ID}（已截图）", "shown"),  # in a sentence
    (f"链接 https://weibo.com/7301122334/{POST_ID}，请查看", "shown"),
    (f"weibo.com/7301122334/{POST_ID} 来自微博", "shown"),
    (f"https://weibo.com/7301122334/{POST_ID}.", "shown"),
    (f"weibo.com/7301122334/{POST_ID}9", "unsure"),            # another post
    (f"weibo.com/7301122334/{POST_ID[:-3]}S78", "unsure"),   # one digit misread
    (f"weibo.c0m/7301122334/{POST_ID}", "unsure"),           # the domain misread
    (f"m.weibo.cn/detail/{POST_ID}", "unsure"),               # another host
    ("https://example.org/news/1", "unsure"),
    ("微博正文", "not shown"),
    ("联系 zhao@example.com", "not shown"),
    ("昨天14:02来自iPhone15Pro", "not shown"),
    ("来自iPhone.15Pro", "not shown"),
])
def test_url(text: str, expected: str) -> None:
    got = calls(frame(STATUS, ln(text, 60), PUBLISHER), look())
    assert call(got, "url") == expected, got["url"].why


def test_an_app_page_is_named_but_is_not_an_address() -> None:
    got = calls(frame(STATUS, ln("微博正文", 60), PUBLISHER), look())
    assert call(got, "url") == "not shown"
    assert got["url"].texts == ("app page: 微博正文",)
    assert "not an address" in got["url"].why


def test_without_a_recorded_url_any_address_is_shown() -> None:
    got = calls(frame(ln("https://example.org/news/1", 60)), look(url=""))
    assert (call(got, "url"), got["url"].texts) == ("shown", ("https://example.org/news/1",))


# -- counts --------------------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("转发 1843", [("reposts", 1843, "exact", 1843, 1843, "转发 1843")]),
    ("赞1.2万", [("likes", 12000, "approximate", 11500, 12999, "赞 1.2万")]),
    ("阅读 10万+", [("views", 100000, "at least", 100000, None, "阅读 10万+")]),
    ("1.2万 转发", [("reposts", 12000, "approximate", 11500, 12999, "转发 1.2万")]),
    ("Reposts 1,234", [("reposts", 1234, "exact", 1234, 1234, "Reposts 1,234")]),
    # one line holding the whole bar, as OCR often reads it
    ("转发 1843 评论 611 赞 1.2万", [("reposts", 1843, "exact", 1843, 1843, "转发 1843"),
                                 ("comments", 611, "exact", 611, 611, "评论 611"),
                                 ("likes", 12000, "approximate", 11500, 12999, "赞 1.2万")]),
    ("转发1843评论611赞1.2万", [("reposts", 1843, "exact", 1843, 1843, "转发 1843"),
                            ("comments", 611, "exact", 611, 611, "评论 611"),
                            ("likes", 12000, "approximate", 11500, 12999, "赞 1.2万")]),
    ("1843 转发  611 评论", [("reposts", 1843, "exact", 1843, 1843, "转发 1843"),
                         ("comments", 611, "exact", 611, 611, "评论 611")]),
    ("来自iPhone15Pro", []),
    ("昨天 14:02", []),
])
def test_counts(text: str, expected: list[tuple[object, ...]]) -> None:
    got = calls(frame(ln(text, 723)), look())
    assert [(c.what, c.value, c.kind, c.low, c.high, c.shown) for c in got["counts"]] == expected


def test_approximate_counts_keep_the_unit_of_their_last_digit() -> None:
    got = calls(frame(ln("赞1.2万", 723), ln("阅读 3万", 760), ln("likes 2.5k", 800)), look())
    assert [(c.value, c.step) for c in got["counts"]] == [(12000, 1000), (30000, 10000),
                                                          (2500, 100)]


# -- recordings, small text, nothing read --------------------------------------------------------


def test_recording_calls_each_aspect_at_its_first_frame() -> None:
    cap = datetime(2026, 11, 21, 9, 41, 7, tzinfo=CST)
    frames = (
        frame(ln("09:41", 11, x=25), ln("微博正文", 60), PUBLISHER, at=0.0),
        frame(ln("09:41", 11, x=25), PUBLISHER, POSTED, at=1.0),
        frame(ln("09:42", 11, x=25), ln(PHRASE, 278), ln("转发 1920", 723), at=53.0),
        frame(ln("09:42", 11, x=25), ln("转发 1921", 723), at=60.0),
    )
    got = calls(frames, look(), cap=cap)
    assert [(call(got, a), got[a].at) for a in ASPECTS] == [
        ("shown", 53.0), ("shown", 0.0), ("shown", 1.0), ("not shown", None)]
    assert [(c.value, c.at) for c in got["counts"]] == [(1920, 53.0), (1921, 60.0)]
    # the status-bar clock of the first frame is checked against the capture time
    assert got["status_bar_check"].startswith("agrees")


def test_a_recording_frame_is_read_against_the_capture_time_plus_its_offset() -> None:
    cap = datetime(2026, 11, 20, 23, 59, 50, tzinfo=CST)
    frames = (frame(ln("别的页面", 300), at=0.0), frame(PUBLISHER, ln("今天 14:02", 226), at=20.0))
    # 20 s in, it is 11-21: "今天" is the 21st, not the post's day (the 20th)
    got = calls(frames, look(displayed_time="2026-11-20 14:02"), cap=cap)
    assert call(got, "publish_time") == "unsure"
    page = [t for t in got["times"] if t.place == "page"]
    assert page[0].value.earliest == datetime(2026, 11, 21, 6, 2, tzinfo=UTC)


def test_small_text_is_never_not_shown() -> None:
    tiny = OcrFrame(135, 292, tuple(OcrLine(t, 0.9, (5, y, 120, y + MIN_TEXT_HEIGHT - 3))
                                    for t, y in (("好几个小孩吃了上吐下泻", 60), ("转告身边的人", 80))))
    got = calls(tiny, look())
    assert [call(got, a) for a in ASPECTS] == ["unsure"] * 4
    assert "too small" in got["url"].why
    assert any("small" in w for w in got["warnings"])


def test_nothing_read_is_unsure_everywhere() -> None:
    got = calls((), look())
    assert [call(got, a) for a in ASPECTS] == ["unsure"] * 4


# -- the report ----------------------------------------------------------------------------------


def _check(**elements: Element) -> ScreenCheck:
    base = {a: Element(Call.SHOWN, ("ok",)) for a in ASPECTS}
    base.update(elements)
    return ScreenCheck("E0001", "IMG_1.PNG", "a" * 64, "image", "2026-11-21T01:15:40.000000Z",
                       **base)  # type: ignore[arg-type]


def test_json_contract() -> None:
    c = _check(url=Element(Call.NOT_SHOWN, ("app page: 微博正文",), None, "no address"))
    d = c.to_json()
    assert {k: d[k] for k in ("evidence_id", *ASPECTS)} == {
        "evidence_id": "E0001", "content": "shown", "publisher": "shown",
        "publish_time": "shown", "url": "not shown"}
    assert d["texts"]["url"] == ["app page: 微博正文"]
    assert set(d["first_seen"]) == set(ASPECTS)
    assert d["complete"] is False
    assert {v.value for v in Call} == {"shown", "not shown", "unsure"}


def test_html_escapes_hostile_text_and_shows_invisible_characters() -> None:
    c = _check(content=Element(Call.SHOWN, ("<script>alert(1)</script>",), None,
                               "why ' onmouseover='x"),
               publisher=Element(Call.SHOWN, ("城南\u202e吃瓜君\u200b",)))
    page = ScreenReport((c,), ("<b>phrase</b>",))._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert "<b>phrase</b>" not in page
    assert "' onmouseover='" not in page
    assert "\u202e" not in page and "\u200b" not in page
    assert "U+202E" in page and "U+200B" in page


def test_table_has_one_row_per_capture() -> None:
    report = ScreenReport((_check(url=Element(Call.UNSURE)), _check()))
    df = report.table()
    assert list(df["url"]) == ["unsure", "shown"]
    assert list(df["problems"]) == ["url unsure", ""]
    assert report.problems == 1


# -- key-phrase files ----------------------------------------------------------------------------


def test_read_phrases_skips_comments_and_a_bom(tmp_path: Path) -> None:
    p = tmp_path / "phrases.txt"
    p.write_bytes(b"\xef\xbb\xbf# the statements\n\n" + PHRASE.encode() + b"\r\n  "
                  + "店里还偷偷改生产日期".encode() + b"  \n" + PHRASE.encode() + b"\n")
    assert read_phrases(p) == PHRASES


@pytest.mark.parametrize(("data", "message"), [
    (PHRASE.encode("gbk"), "not UTF-8"),
    (b"", "holds no phrase"),
    (b"# only a comment\n\n", "holds no phrase"),
    (PHRASE.encode() + "\n！？……\n".encode(), "line 2"),
])
def test_read_phrases_refuses_a_bad_file_naming_it(tmp_path: Path, data: bytes,
                                                   message: str) -> None:
    p = tmp_path / "phrases.txt"
    p.write_bytes(data)
    with pytest.raises(OcrError, match=message) as exc:
        read_phrases(p)
    assert exc.value.path == p
    assert str(p) in str(exc.value)


def test_read_phrases_missing_file(tmp_path: Path) -> None:
    with pytest.raises(OcrError, match="cannot be read") as exc:
        read_phrases(tmp_path / "nope.txt")
    assert exc.value.path == tmp_path / "nope.txt"


# -- properties ----------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=40), max_size=6), st.text(max_size=20))
def test_any_text_gives_one_of_the_three_calls(texts: list[str], phrase: str) -> None:
    f = frame(*(ln(t, 40 + 40 * i) for i, t in enumerate(texts)))
    got = check_frames((f,), look(phrases=(phrase,) if phrase.strip() else ()),
                       captured_at=CAP)
    for a in ASPECTS:
        assert isinstance(got[a], Element)
    for c in got["counts"]:
        assert c.low <= c.value and (c.high is None or c.high >= c.value)


# -- captures of a case (a stand-in engine) ------------------------------------------------------


class FakeEngine:
    """Stands in for RapidOCR: returns ``lines`` (text, box) for every image it is given and
    counts its calls (the captures are 720 px wide and short: read whole, at their own size)."""

    def __init__(self, lines: list[tuple[str, tuple[int, int, int, int]]]) -> None:
        self.lines = lines
        self.calls = 0

    def __call__(self, bgr: np.ndarray) -> tuple[list[list[object]], None]:
        self.calls += 1
        out = [[[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], text, 0.99]
               for text, (x0, y0, x1, y1) in self.lines]
        return out, None


class FailingEngine:
    def __call__(self, bgr: np.ndarray) -> None:
        raise AssertionError("the OCR engine must not run")


def _png(size: tuple[int, int] = (720, 1200)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, "white").save(buf, "PNG")
    return buf.getvalue()


def _case_with(tmp_path: Path, files: dict[str, tuple[bytes, IntakeFacts]]) -> Case:
    src = tmp_path / "src"
    src.mkdir()
    case = Case.init(tmp_path / "case")
    for name, (data, facts) in files.items():
        (src / name).write_bytes(data)
        case.add([src / name], facts=facts, progress=False)
    return case


def _facts(url: str = URL, captured: str = "2026-11-21T09:15:40+08:00") -> IntakeFacts:
    return IntakeFacts(category="post", url=url, publisher="城南吃瓜君",
                       publisher_id="7301122334", displayed_time="昨天 14:02",
                       captured_at=captured)


def test_screen_counts_name_the_post_and_the_capture_time(tmp_path: Path,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    engine = FakeEngine([("09:15", (25, 11, 84, 34)), ("城南吃瓜君", (112, 189, 242, 218)),
                         ("转发 1843", (39, 723, 141, 748)), ("赞 1.2万", (400, 723, 490, 748))])
    monkeypatch.setattr(ocr, "_engine", lambda: engine)
    png = _png()
    case = _case_with(tmp_path, {
        "a.png": (png, _facts()),
        "b.png": (_png((721, 1200)), _facts(url="https://weibo.com/7301122334/1" + POST_ID)),
    })
    # nothing kept yet: no counts, and the engine is not started
    assert screen_counts(case, [POST_ID]) == []
    assert engine.calls == 0
    check_screens(case, phrases=[PHRASE], progress=False)
    assert engine.calls == 2
    got = screen_counts(case, [POST_ID, "999"])
    cap = datetime(2026, 11, 21, 1, 15, 40, tzinfo=UTC)
    sha = hashlib.sha256(png).hexdigest()
    assert [(d.post_id, d.what, d.value, d.kind, d.shown, d.observed_at, d.evidence_id,
             d.sha256, d.source) for d in got] == [
        (POST_ID, "reposts", 1843, "exact", "转发 1843", cap, "E0001", sha, "screen:ocr"),
        (POST_ID, "likes", 12000, "approximate", "赞 1.2万", cap, "E0001", sha, "screen:ocr")]
    # a post id inside a longer number is another post (b.png): not counted
    assert {d.evidence_id for d in got} == {"E0001"}
    assert screen_counts(case, []) == []


def test_screen_counts_prefer_the_address_the_capture_shows(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch
                                                            ) -> None:
    other = "5012264409187733"
    engine = FakeEngine([(f"weibo.com/7301122334/{other}", (54, 59, 441, 82)),
                         ("转发 268", (39, 723, 141, 748))])
    monkeypatch.setattr(ocr, "_engine", lambda: engine)
    case = _case_with(tmp_path, {"a.png": (_png(), _facts())})
    check_screens(case, progress=False)
    assert [(d.post_id, d.value) for d in screen_counts(case, [POST_ID, other])] == [(other, 268)]


# -- the sample case (the real engine, once) -----------------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Case, ScreenReport]:
    case = copy_sample_case(tmp_path_factory.mktemp("sample") / "case")
    report = case.screens(phrases=list(PHRASES), progress=False)
    return case, report


EXPECTED = {
    "E0009": ("shown", "shown", "shown", "not shown"),
    "E0010": ("shown", "shown", "shown", "shown"),
    "E0011": ("shown", "shown", "shown", "not shown"),
    "E0012": ("not shown", "not shown", "not shown", "not shown"),
    "E0013": ("shown", "shown", "shown", "not shown"),
    "E0014": ("shown", "shown", "shown", "not shown"),
    "E0015": ("shown", "shown", "shown", "not shown"),
}


def test_sample_case_calls(sample: tuple[Case, ScreenReport]) -> None:
    _, report = sample
    got = {c.evidence_id: tuple(getattr(c, a).call.value for a in ASPECTS)
           for c in report.checks}
    assert set(got) == {*EXPECTED, "E0016"}
    for eid, want in EXPECTED.items():
        assert got[eid] == want, eid
    # the 135x292 thumbnail: text too small for "not shown"
    assert "not shown" not in got["E0016"]


def test_sample_case_recording_first_seen(sample: tuple[Case, ScreenReport]) -> None:
    _, report = sample
    rec = next(c for c in report.checks if c.evidence_id == "E0009")
    assert rec.kind == "recording"
    assert [getattr(rec, a).at for a in ("content", "publisher", "publish_time")] == [0.0] * 3
    d = rec.to_json()
    assert d["first_seen"]["content"] == 0.0 and d["first_seen"]["url"] is None


def test_sample_case_texts_counts_and_status_bar(sample: tuple[Case, ScreenReport]) -> None:
    _, report = sample
    img = next(c for c in report.checks if c.evidence_id == "E0010")
    assert img.complete and img.problems == ()
    assert img.publisher.texts == ("城南吃瓜君",)
    assert img.url.texts == (f"weibo.com/7301122334/{POST_ID}",)
    assert [(n.what, n.value, n.kind) for n in img.counts] == [
        ("reposts", 1843, "exact"), ("comments", 611, "exact"), ("likes", 12000, "approximate")]
    assert img.status_bar == "09:15" and img.status_bar_check.startswith("agrees")
    # the cropped, forwarded copy has no status bar and no address
    cropped = next(c for c in report.checks if c.evidence_id == "E0015")
    assert cropped.status_bar == "" and cropped.url.texts == ()
    assert report.problems == len(report.checks) - 1


def _ocr_entries(case: Case) -> list[int]:
    df = case.entries_frame()
    return list(df.loc[df["action"] == "ocr", "seq"])


def test_sample_case_kept_readings_are_reused(sample: tuple[Case, ScreenReport],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    case, report = sample
    monkeypatch.setattr(ocr, "_engine", FailingEngine)
    readings = _ocr_entries(case)
    assert len(readings) == 1
    again = case.screens(phrases=list(PHRASES), progress=False)
    assert again.to_json() == report.to_json()
    assert _ocr_entries(case) == readings


def test_spread_takes_the_counts_shown(sample: tuple[Case, ScreenReport],
                                       monkeypatch: pytest.MonkeyPatch) -> None:
    case, _ = sample
    monkeypatch.setattr(ocr, "_engine", FailingEngine)
    shown = [d for d in case.spread(progress=False).displayed if d.source == "screen:ocr"]
    assert {d.evidence_id for d in shown} >= {"E0009", "E0010", "E0011", "E0013"}
    img = [d for d in shown if d.evidence_id == "E0010"]
    assert [(d.post_id, d.what, d.value) for d in img] == [
        (POST_ID, "reposts", 1843), (POST_ID, "comments", 611), (POST_ID, "likes", 12000)]
    assert img[0].observed_at == datetime(2026, 11, 21, 1, 15, 40, tzinfo=UTC)
    rec = [d for d in shown if d.evidence_id == "E0009"]
    assert rec and all(d.observed_at >= datetime(2026, 11, 21, 1, 41, 7, tzinfo=UTC)
                       for d in rec)


def test_spread_never_starts_the_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ocr, "_engine", FailingEngine)
    case = copy_sample_case(tmp_path / "case")
    shutil.rmtree(case.root / "derived" / "ocr")  # the kept readings gone: nothing to use
    analysis = case.spread(progress=False, record=False)
    assert not [d for d in analysis.displayed if d.source == "screen:ocr"]
    assert not (case.root / "derived" / "ocr").exists()


def test_report_names_every_capture_in_html(sample: tuple[Case, ScreenReport]) -> None:
    _, report = sample
    page = report._repr_html_()
    for c in report.checks:
        assert re.search(rf"<td>{c.evidence_id}</td>", page)


def test_a_comment_meta_line_counts_the_comment_not_the_post() -> None:
    bar = OcrLine("转发1843 评论611", 0.99, (20, 700, 500, 730))
    comment = OcrLine("昨天14:20 回复 赞12", 0.99, (80, 900, 300, 920))
    got = check_frames((OcrFrame(540, 1170, (bar, comment)),), LookFor())["counts"]
    assert [(c.what, c.value) for c in got] == [("reposts", 1843), ("comments", 611)]
    alone = OcrLine("赞12", 0.99, (80, 900, 300, 920))  # the same words on a line of their own
    got = check_frames((OcrFrame(540, 1170, (alone,)),), LookFor())["counts"]
    assert [(c.what, c.value) for c in got] == [("likes", 12)]


def test_case_screens_takes_phrases_from_a_generator_or_else_the_last_logged(
        tmp_path: Path) -> None:
    case = copy_sample_case(tmp_path / "case")
    one = "店里还偷偷改生产日期"
    got = case.screens(phrases=(p for p in [one]), run=False, record=False, progress=False)
    assert got.phrases == (one,)
    logged = case.screens(run=False, record=False, progress=False)
    assert logged.phrases == case.key_phrases and len(logged.phrases) == 2
    assert case.screens(phrases=[], run=False, record=False, progress=False).phrases == \
        logged.phrases
