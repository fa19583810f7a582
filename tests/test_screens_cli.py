"""``forensics screens CASE [--phrases FILE] [--evidence E..] [--json] [--no-record]``.

Fixtures: a case holding only the sample's IMG_4821.PNG (data/case-files/screenshots: a
rendered Weibo post page that shows all four: the post text, 城南吃瓜君, 昨天 14:02 and the
address) with its intake facts as in data/case-files/intake.csv, read once by the real engine;
and small cases whose blank PNG captures are "read" by a stand-in engine returning set lines.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from PIL import Image

from forensics import ocr
from forensics.case import Case
from forensics.cli import cli
from forensics.intake import IntakeFacts
from forensics.sample import KEY_PHRASES
from tests.conftest import snapshot
from tests.ocr_fixtures import FakeEngine

REPO = Path(__file__).resolve().parents[1]
SHOT = REPO / "data" / "case-files" / "screenshots" / "IMG_4821.PNG"
URL = "https://weibo.com/7301122334/5091873346521078"
FACTS = IntakeFacts(category="post", url=URL, platform="微博", publisher="城南吃瓜君",
                    publisher_id="7301122334", displayed_time="昨天 14:02",
                    captured_at="2026-11-21T09:15:40+08:00")
CONTRACT = {"evidence_id", "content", "publisher", "publish_time", "url", "texts", "first_seen"}


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def phrases(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("phrases") / "phrases.txt"
    p.write_text("# 涉嫌诽谤的陈述\n" + "\n".join(KEY_PHRASES) + "\n", encoding="utf-8")
    return p


@pytest.fixture(scope="module")
def complete(tmp_path_factory: pytest.TempPathFactory) -> Case:
    if not SHOT.is_file():
        pytest.skip(f"the sample's screenshot is missing: {SHOT}")
    case = Case.init(tmp_path_factory.mktemp("complete") / "case")
    case.add([SHOT], facts=FACTS, progress=False)
    return case


def test_help_has_an_example() -> None:
    got = run("screens", "--help")
    assert got.exit_code == 0
    assert "forensics screens CASE --phrases phrases.txt" in got.output
    assert "--no-record" in got.output and "--json" in got.output


def test_a_complete_capture_exits_0(complete: Case, phrases: Path) -> None:
    got = run("screens", str(complete.root), "--phrases", str(phrases), "--no-progress")
    assert got.exit_code == 0, got.output
    assert "E0001" in got.output and "IMG_4821.PNG" in got.output
    for aspect in ("content", "publisher", "publish time", "url"):
        assert f"    {aspect:<13} shown" in got.output
    assert "counts shown  转发 1843; 评论 611; 赞 1.2万" in got.output


def test_json_is_an_array_with_the_contract_keys(complete: Case, phrases: Path) -> None:
    got = run("screens", str(complete.root), "--phrases", str(phrases), "--json",
              "--no-progress")
    assert got.exit_code == 0
    data = json.loads(got.stdout)
    assert isinstance(data, list) and len(data) == 1
    (obj,) = data
    assert set(obj) >= CONTRACT
    assert {k: obj[k] for k in ("evidence_id", "content", "publisher", "publish_time", "url")} \
        == {"evidence_id": "E0001", "content": "shown", "publisher": "shown",
            "publish_time": "shown", "url": "shown"}
    assert obj["texts"]["url"] == ["weibo.com/7301122334/5091873346521078"]
    assert obj["first_seen"] == {"content": None, "publisher": None, "publish_time": None,
                                 "url": None}


def test_exit_2_for_a_missing_phrases_file(complete: Case, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-phrases.txt"
    got = CliRunner().invoke(cli, ["screens", str(complete.root), "--phrases", str(missing)])
    assert got.exit_code == 2
    assert str(missing) in got.output and "cannot be read" in got.output


def test_exit_2_for_a_bad_phrases_file(complete: Case, tmp_path: Path) -> None:
    bad = tmp_path / "gbk.txt"
    bad.write_bytes(KEY_PHRASES[0].encode("gbk"))
    got = CliRunner().invoke(cli, ["screens", str(complete.root), "--phrases", str(bad)])
    assert got.exit_code == 2
    assert str(bad) in got.output and "not UTF-8" in got.output


def test_exit_2_for_a_bad_evidence_id(complete: Case) -> None:
    got = CliRunner().invoke(cli, ["screens", str(complete.root), "--evidence", "E0099"])
    assert got.exit_code == 2
    assert "E0099" in got.output


# -- small cases read by a stand-in engine -------------------------------------------------------




#: A capture without an address (a cropped one): content, publisher and time only.
NO_URL = [("城南吃瓜君", (112, 189, 242, 218)), ("昨天14:02来自iPhone15Pro", (111, 226, 370, 248)),
          (KEY_PHRASES[0], (29, 278, 493, 306))]


@pytest.fixture
def cropped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[Case, FakeEngine]:
    engine = FakeEngine(NO_URL)
    monkeypatch.setattr(ocr, "_engine", lambda: engine)
    src = tmp_path / "cropped.png"
    buf = io.BytesIO()
    Image.new("RGB", (720, 1000), "white").save(buf, "PNG")
    src.write_bytes(buf.getvalue())
    case = Case.init(tmp_path / "case")
    case.add([src], facts=FACTS, progress=False)
    return case, engine


def test_an_incomplete_capture_exits_1(cropped: tuple[Case, FakeEngine], phrases: Path) -> None:
    case, engine = cropped
    got = run("screens", str(case.root), "--phrases", str(phrases), "--no-progress")
    assert got.exit_code == 1
    assert "    url           not shown" in got.output
    assert "1 captures, 1 with something to look at" in got.output
    assert engine.calls == 1


def test_no_record_writes_nothing(cropped: tuple[Case, FakeEngine], phrases: Path) -> None:
    case, engine = cropped
    before = snapshot(case.root)
    got = run("screens", str(case.root), "--phrases", str(phrases), "--no-record", "--json",
              "--no-progress")
    assert got.exit_code == 1
    assert json.loads(got.stdout)[0]["url"] == "not shown"
    assert snapshot(case.root) == before
    assert engine.calls == 1


def test_a_case_without_captures_says_so_and_exits_0(tmp_path: Path) -> None:
    from forensics.case import Case

    Case.init(tmp_path / "case")
    got = CliRunner().invoke(cli, ["screens", str(tmp_path / "case")])
    assert got.exit_code == 0
    assert "holds no screenshot, photo or recording" in got.output
    got = CliRunner().invoke(cli, ["screens", str(tmp_path / "case"), "--json"])
    assert got.exit_code == 0 and json.loads(got.stdout) == []
