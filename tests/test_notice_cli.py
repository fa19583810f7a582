"""`forensics notice CASE ...` (also `notice write`), `notice sent`, `notice reply`: exit codes,
JSON, messages.  The case is made here: one PNG drawn with Pillow whose intake URL is ``POST``.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from PIL import Image

from forensics.case import Case
from forensics.cli import cli
from forensics.intake import IntakeFacts

POST = "https://weibo.com/7301122334/5091873346521078"
IDENTITY = """name = "陈某明"
id_type = "居民身份证"
id_number = "110101199001011234"
phone = "13800000000"
address = "北京市东城区示例路1号"
"""


@pytest.fixture
def case(tmp_path: Path) -> Path:
    buf = io.BytesIO()
    Image.new("RGB", (200, 300), "red").save(buf, "PNG")
    (tmp_path / "shot.png").write_bytes(buf.getvalue())
    c = Case.init(tmp_path / "case")
    c.add([tmp_path / "shot.png"],
          facts=IntakeFacts(url=POST, captured_at="2026-11-21T09:15:40+08:00"))
    (tmp_path / "id.toml").write_text(IDENTITY, encoding="utf-8")
    return c.root


def run(*args: object):
    return CliRunner().invoke(cli, [str(a) for a in args])


def write(case: Path, *extra: object):
    return run("notice", "write", case, "--platform", "新浪微博", "--identity",
               case.parent / "id.toml", "--out", case.parent / "out", "--date", "2026-11-25",
               *extra)


def test_help_has_examples():
    for sub in ("write", "sent", "reply"):
        result = run("notice", sub, "--help")
        assert result.exit_code == 0, result.output
        assert "Examples:" in result.output and f"forensics notice {sub}" in result.output


def test_write_json_exit_0(case: Path):
    result = write(case, "--url", POST, "--measures", "delete,block", "--json")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["evidence_ids"] == ["E0001"] and out["measures"] == ["delete", "block"]
    assert out["warnings"] == [] and out["date"] == "2026-11-25"
    for name, f in out["files"].items():
        assert hashlib.sha256(Path(f["path"]).read_bytes()).hexdigest() == f["sha256"], name
    assert "110101199001011234" not in result.output


def test_url_without_evidence_exit_1_with_warning(case: Path):
    result = write(case, "--url", POST, "--url", "https://m.weibo.cn/detail/1")
    assert result.exit_code == 1, result.output
    assert "warning: https://m.weibo.cn/detail/1" in result.stderr
    assert (case.parent / "out" / "notice.pdf").is_file()


def test_no_evidence_exit_2_unless_forced(case: Path):
    result = write(case, "--url", "https://www.douyin.com/video/1")
    assert result.exit_code == 2 and "no URL of the notice has evidence" in result.stderr
    assert not (case.parent / "out").exists()
    result = write(case, "--url", "https://www.douyin.com/video/1", "--force", "--json")
    assert result.exit_code == 1 and json.loads(result.stdout)["forced"] is True


def test_bad_identity_and_measure_exit_2(case: Path):
    (case.parent / "id.toml").write_text(IDENTITY + 'nmae = "x"\n', encoding="utf-8")
    result = write(case, "--url", POST)
    assert result.exit_code == 2 and "key 'nmae'" in result.stderr
    (case.parent / "id.toml").write_text(IDENTITY, encoding="utf-8")
    result = write(case, "--url", POST, "--measures", "delete,takedown")
    assert result.exit_code == 2 and "unknown measure 'takedown'" in result.stderr


def test_sent_and_reply(case: Path, tmp_path: Path):
    result = run("notice", "reply", case, "--at", "2026-11-26 09:00", "--text", "x")
    assert result.exit_code == 2 and "no notice was logged as sent" in result.stderr
    assert write(case, "--url", POST).exit_code == 0
    result = run("notice", "sent", case, case.parent / "out", "--channel", "微博侵权投诉页面",
                 "--at", "2026-11-25 10:00", "--recipient", "新浪微博法务部", "--json")
    assert result.exit_code == 0, result.output
    sent = json.loads(result.stdout)
    assert sent["kind"] == "sent" and sent["zone"] == "assumed" and sent["events"] == 1
    answer = tmp_path / "answer.eml"
    answer.write_bytes(b"Subject: re\r\n\r\ndone\r\n")
    result = run("notice", "reply", case, "--at", "2026-11-26T09:00:00+08:00", "--kind",
                 "action-taken", "--file", answer, "--text", "已删除", "--json")
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["evidence_ids"] == ["E0002"]
    result = run("notice", "reply", case, "--at", "soon", "--text", "x")
    assert result.exit_code == 2 and "cannot be read" in result.stderr
    timeline = Case.open(case).timeline(progress=False)
    kinds = set(timeline["data_type"])
    assert {"notice:sent", "notice:action-taken"} <= kinds


def test_the_issue_form_writes_with_several_urls_in_one_value(case: Path):
    """`forensics notice CASE --platform NAME --urls ... --identity FILE --out DIR`, as the
    issue names it: no `write`, and --urls taking several addresses."""
    other = "https://m.weibo.cn/detail/1"
    result = run("notice", case, "--platform", "新浪微博", "--urls", f"{POST} {other}",
                 "--identity", case.parent / "id.toml", "--out", case.parent / "out",
                 "--date", "2026-11-25", "--json")
    assert result.exit_code == 1, result.output  # the second URL has no evidence: a warning
    out = json.loads(result.stdout)
    assert out["urls"] == [POST, other] and out["evidence_ids"] == ["E0001"]
    assert "warning: https://m.weibo.cn/detail/1" in result.stderr
    assert run("notice", "--help").exit_code == 0


def test_a_reply_before_the_sending_warns_and_exits_1(case: Path):
    assert write(case, "--url", POST).exit_code == 0
    sent = run("notice", "sent", case, case.parent / "out", "--channel", "微博侵权投诉页面",
               "--at", "2026-11-25T10:00:00+08:00")
    assert sent.exit_code == 0, sent.output
    early = run("notice", "reply", case, "--at", "2026-11-24T09:00:00+08:00", "--text", "收到")
    assert early.exit_code == 1, early.output
    assert "warning:" in early.stderr
    on_time = run("notice", "reply", case, "--at", "2026-11-26T09:00:00+08:00", "--text", "已删除",
                  "--kind", "action-taken")
    assert on_time.exit_code == 0, on_time.output
