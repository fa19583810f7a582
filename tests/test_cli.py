"""The ``forensics`` command: exit codes 0/1/2, --json keys, help with examples, no tracebacks."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.cli import cli

COMMANDS = ["init", "add", "hash", "verify", "log", "anchor", "backup", "note", "artifacts", "inspect",
            "parse-time", "timeline", "findings"]


def run(*args: str, input: str | None = None):
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result


@pytest.fixture
def case_dir(tmp_path, captures):
    d = tmp_path / "case"
    assert run("init", str(d), "--title", "测试", "--examiner", "王").exit_code == 0
    assert run("add", str(d), str(captures), "--category", "post", "--no-progress").exit_code == 0
    return d


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    r = run(command, "--help")
    assert r.exit_code == 0
    assert "Example" in r.output


def test_init_and_add_report(tmp_path, captures):
    d = tmp_path / "c"
    r = run("init", str(d), "--case-number", "(2026)京0491民初1号", "--json")
    assert r.exit_code == 0 and json.loads(r.output)["head"]["seq"] == 1
    r = run("add", str(d), str(captures), "--json", "--platform", "微博", "--carrier", "none")
    assert r.exit_code == 0
    out = json.loads(r.output)
    assert [a["evidence_id"] for a in out["added"]] == ["E0001", "E0002", "E0003"]
    assert set(out["added"][0]) >= {"evidence_id", "status", "path", "size", "sha256", "seq"}


def test_init_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("x")
    r = run("init", str(tmp_path / "x"))
    assert r.exit_code == 2 and "already exists and is not empty" in r.output


def test_init_refuses_an_unknown_zone(tmp_path):
    r = run("init", str(tmp_path / "z"), "--timezone", "Mars/Olympus")
    assert r.exit_code == 2 and "unknown time zone" in r.output


def test_hash_json_keys(captures):
    r = run("hash", str(captures / "post.png"), str(captures / "mail.eml"), "--json")
    assert r.exit_code == 0
    rows = json.loads(r.output)
    assert [set(x) for x in rows] == [{"path", "size", "sha256", "sm3", "md5"}] * 2
    import hashlib

    data = (captures / "post.png").read_bytes()
    assert rows[0]["sha256"] == hashlib.sha256(data).hexdigest()
    assert rows[0]["md5"] == hashlib.md5(data).hexdigest()


def test_hash_text_form(captures):
    r = run("hash", str(captures / "post.png"))
    assert r.exit_code == 0 and r.output.startswith("sha256:")


@pytest.mark.parametrize("args", [["hash", "nope.bin"], ["verify", "nope"], ["log", "nope"],
                                  ["anchor", "nope"], ["add", "nope", "x"], ["hash"],
                                  ["verify"], ["frobnicate"]])
def test_bad_usage_and_input_exit_2(tmp_path, args):
    os.chdir(tmp_path)
    r = run(*args)
    assert r.exit_code == 2
    assert "Traceback" not in r.output


def test_add_missing_file_exit_2(case_dir):
    r = run("add", str(case_dir), "/no/such/file.png")
    assert r.exit_code == 2 and "/no/such/file.png: no such file or folder" in r.output


def test_add_bad_category_exit_2(case_dir, captures):
    r = run("add", str(case_dir), str(captures / "post.png"), "--category", "rumour")
    assert r.exit_code == 2 and "unknown category" in r.output


def test_verify_exit_codes_and_json(case_dir):
    r = run("verify", str(case_dir), "--json")
    assert r.exit_code == 0
    out = json.loads(r.output)
    assert out["status"] == "passed" and out["problems"] == []
    assert set(out) >= {"status", "problems", "items_checked", "entries_checked", "head"}
    stored = next((case_dir / "store").rglob("*/*/*"))
    stored.chmod(0o644)
    stored.write_bytes(b"x")
    r = run("verify", str(case_dir), "--json")
    assert r.exit_code == 1
    problems = json.loads(r.output)["problems"]
    assert {p["kind"] for p in problems} == {"changed-item"}
    assert all({"kind", "where", "message"} <= set(p) for p in problems)


def test_verify_text_names_the_problem(case_dir):
    lines = (case_dir / "custody.jsonl").read_bytes().splitlines(keepends=True)
    lines[1], lines[2] = lines[2], lines[1]
    (case_dir / "custody.jsonl").write_bytes(b"".join(lines))
    r = run("verify", str(case_dir), "--no-record")
    assert r.exit_code == 1
    assert "reordered" in r.output


def test_verify_damaged_log_still_reports(case_dir):
    log = case_dir / "custody.jsonl"
    log.write_bytes(log.read_bytes() + b"garbage without newline")
    r = run("verify", str(case_dir), "--json")
    # The torn tail is recovered (logged) first; the case then verifies.
    assert r.exit_code == 0
    assert any("recovered" in n for n in json.loads(r.output)["notes"])
    lines = log.read_bytes().splitlines(keepends=True)
    lines[-1] = lines[-1].replace(b'"verify"', b'"VERIFY"')
    log.write_bytes(b"".join(lines))
    r = run("verify", str(case_dir), "--json")
    assert r.exit_code == 1
    out = json.loads(r.output)
    assert "edited-entry" in {p["kind"] for p in out["problems"]}
    assert any("not logged" in n for n in out["notes"])


def test_anchor_then_verify_with_the_printed_line(case_dir):
    r = run("anchor", str(case_dir))
    assert r.exit_code == 0
    line = r.stdout.strip().splitlines()[0]
    assert run("verify", str(case_dir), "--anchor", line).exit_code == 0
    lines = (case_dir / "custody.jsonl").read_bytes().splitlines(keepends=True)
    seq = int(line.split(":")[0])
    (case_dir / "custody.jsonl").write_bytes(b"".join(lines[: seq - 1]))
    for f in (case_dir / "anchors").iterdir():
        f.unlink()
    r = run("verify", str(case_dir), "--anchor", line, "--no-record")
    assert r.exit_code == 1 and "tail cut off" in r.output


def test_log_table_and_json(case_dir):
    r = run("log", str(case_dir))
    assert r.exit_code == 0 and "acquire" in r.output and "E0001" in r.output
    entries = json.loads(run("log", str(case_dir), "--json").output)
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))


def test_backup_and_verify_against(case_dir, tmp_path):
    dest = tmp_path / "bk"
    r = run("backup", str(case_dir), str(dest), "--json")
    assert r.exit_code == 0 and json.loads(r.output)["status"] == "passed"
    r = run("verify", str(case_dir), "--against", str(dest), "--json")
    assert r.exit_code == 0 and json.loads(r.output)["against"]["status"] == "passed"
    r = run("verify", str(case_dir), "--against", str(tmp_path / "nothing"))
    assert r.exit_code == 2


def test_console_script_runs_without_traceback(tmp_path):
    exe = Path(sys.executable).with_name("forensics")
    cmd = [str(exe)] if exe.exists() else [sys.executable, "-m", "forensics.cli"]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    p = subprocess.run([*cmd, "verify", str(tmp_path / "none")], capture_output=True, text=True,
                       env=env)
    assert p.returncode == 2
    assert "not a forensics case" in p.stderr and "Traceback" not in p.stderr


def test_progress_is_quiet_when_not_a_terminal(tmp_path, captures):
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    d = tmp_path / "c"
    subprocess.run([sys.executable, "-m", "forensics.cli", "init", str(d)], check=True, env=env,
                   capture_output=True)
    p = subprocess.run([sys.executable, "-m", "forensics.cli", "add", str(d), str(captures)],
                       capture_output=True, text=True, env=env)
    assert p.returncode == 0
    assert "\r" not in p.stderr and "it/s" not in p.stderr and "B/s" not in p.stderr


def test_note_is_logged_with_its_evidence(case_dir):
    r = run("note", str(case_dir), "收到公证处光盘，封存编号 2026-118", "--evidence", "E0002", "--json")
    assert r.exit_code == 0
    entry = json.loads(r.output)
    assert entry["action"] == "note" and entry["details"]["text"].startswith("收到公证处光盘")
    assert [e["id"] for e in entry["evidence"]] == ["E0002"]
    assert run("verify", str(case_dir)).exit_code == 0
    r = run("note", str(case_dir), "x", "--evidence", "E0099")
    assert r.exit_code == 2 and "no evidence item 'E0099'" in r.output
    assert run("note", str(case_dir), "  ").exit_code == 2


def test_artifacts_json_keys(case_dir):
    r = run("artifacts", str(case_dir), "--json")
    assert r.exit_code == 0, r.output
    items = json.loads(r.output)
    assert [i["evidence_id"] for i in items] == ["E0001", "E0002", "E0003"]
    for i in items:
        for key in ("evidence_id", "name", "sha256", "media_type", "parser", "warnings",
                    "unparsed_reason", "metadata"):
            assert key in i
        assert isinstance(i["warnings"], list) and isinstance(i["metadata"], dict)
    one = json.loads(run("artifacts", str(case_dir), "--json", "--evidence", "E0002").output)
    assert [i["evidence_id"] for i in one] == ["E0002"]
    r = run("artifacts", str(case_dir), "--evidence", "E0099")
    assert r.exit_code == 2 and "E0099" in r.output


def test_artifacts_strict_exits_1_on_unparsed(tmp_path):
    d = tmp_path / "case"
    run("init", str(d))
    f = tmp_path / "blob.bin"
    f.write_bytes(bytes(range(256)))
    run("add", str(d), str(f), "--no-progress")
    r = run("artifacts", str(d))
    assert r.exit_code == 0 and "NOT PARSED" in r.output
    assert run("artifacts", str(d), "--strict").exit_code == 1


def test_inspect_writes_nothing_and_reports_by_content(tmp_path):
    f = tmp_path / "photo.jpg"  # a PNG named .jpg
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    before = sorted(p.name for p in tmp_path.iterdir())
    r = run("inspect", "--json", "--hash", str(tmp_path))
    assert r.exit_code == 0, r.output
    (obj,) = json.loads(r.output)
    assert obj["path"] == str(f) and obj["media_type"] == "image/png"
    assert obj["sha256"] == __import__("hashlib").sha256(f.read_bytes()).hexdigest()
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    r = run("inspect", str(f))
    assert r.exit_code == 0 and "image/png" in r.output and "sha256" not in r.output
    quick = json.loads(run("inspect", "--json", str(f)).output)
    assert quick[0]["sha256"] is None


def test_inspect_bad_input_exit_2(tmp_path):
    r = run("inspect", str(tmp_path / "missing.jpg"))
    assert r.exit_code == 2 and "missing.jpg" in r.output
    r = run("inspect", "--timezone", "Mars/Base", str(tmp_path))
    assert r.exit_code == 2 and "Mars/Base" in r.output


def test_inspect_skips_what_is_not_a_regular_file_and_goes_on(tmp_path):
    d = tmp_path / "shots"
    d.mkdir()
    (d / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(40))
    os.mkfifo(d / "pipe")
    (d / "link.png").symlink_to(d / "a.png")
    r = run("inspect", "--json", str(d))
    assert r.exit_code == 2
    out = json.loads(r.stdout)
    by_name = {Path(o["path"]).name: o for o in out}
    assert by_name["a.png"]["media_type"] == "image/png"
    assert "not a regular file" in by_name["pipe"]["error"]
    assert "symbolic link" in by_name["link.png"]["error"]


def test_inspect_into_a_closed_pipe_is_quiet(tmp_path):
    for i in range(300):
        (tmp_path / f"{i}.txt").write_text("x" * 10)
    p = subprocess.run(f"{sys.executable} -m forensics.cli inspect {tmp_path} | head -1",
                       shell=True, capture_output=True, text=True, check=False)
    assert p.stdout.startswith("========") and "Traceback" not in p.stderr
    assert "error" not in p.stderr


def test_parse_time_json_contract():
    r = run("parse-time", "3分钟前", "--reference", "2026-11-20T10:00:00+08:00", "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["utc"] is None
    assert (out["earliest"], out["latest"]) == ("2026-11-20T01:56:00Z", "2026-11-20T01:57:00Z")
    assert out["zone"] == "assumed" and out["source"]
    r = run("parse-time", "2017-03-06T04:02:06Z", "--json")
    assert json.loads(r.output)["utc"] == "2017-03-06T04:02:06Z"
    assert json.loads(r.output)["zone"] == "explicit"


@pytest.mark.parametrize("args", [["garbage"], ["3分钟前"], ["3分钟前", "--reference", "yesterday"],
                                  ["今天 09:15", "--reference", "2026-11-20T10:00:00"],
                                  ["14:32", "--timezone", "Mars/Base"]])
def test_parse_time_bad_input_exit_2(args):
    r = run("parse-time", *args)
    assert r.exit_code == 2 and "error:" in r.output and "Traceback" not in r.output


def test_timeline_and_findings_commands(case_dir, tmp_path):
    r = run("timeline", str(case_dir), "--format", "json")
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and {"utc", "earliest", "latest", "time_description", "source", "evidence_id"
                     } <= set(rows[0])
    out = tmp_path / "t.csv"
    fig = tmp_path / "t.png"
    r = run("timeline", str(case_dir), "--out", str(out), "--figure", str(fig))
    assert r.exit_code == 0, r.output
    assert out.read_text().startswith('"utc"') or out.read_text().startswith("utc")
    assert fig.read_bytes().startswith(b"\x89PNG")
    ts = tmp_path / "ts.jsonl"
    assert run("timeline", str(case_dir), "--format", "timesketch", "--out", str(ts)).exit_code == 0
    first = json.loads(ts.read_text().splitlines()[0])
    assert {"message", "datetime", "timestamp_desc"} <= set(first)
    r = run("findings", str(case_dir), "--json")
    assert r.exit_code in (0, 1)
    report = json.loads(r.stdout)
    assert {"findings", "count_by_severity"} <= set(report)
    assert run("timeline", str(case_dir), "--figure", str(tmp_path / "x.gif")).exit_code == 2
    assert run("findings", str(case_dir), "--tolerance", "-1").exit_code == 2


def test_parse_time_says_when_a_time_is_after_the_capture():
    r = run("parse-time", "今天 14:15", "--reference", "2026-11-20T10:00:00+08:00", "--json")
    assert r.exit_code == 0 and json.loads(r.stdout)["after_reference"] is True
    assert "after the reference" in r.stderr
    r = run("parse-time", "今天 09:15", "--reference", "2026-11-20T10:00:00+08:00", "--json")
    assert json.loads(r.stdout)["after_reference"] is False
    assert json.loads(run("parse-time", "2026-11-20T01:00:00Z", "--json").stdout
                      )["after_reference"] is None


# -- spread ----------------------------------------------------------------------------------------
SPREAD_CSV = (
    "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id\n"
    "P1,100,张三,,2026-11-20 10:00,某公司老板卷款跑路了,1.2万,R0,\n"
    "P1,200,李四,100,2026-11-20 10:05,转发微博,10,R1,R0\n"
    "P1,300,王五,200,2026-11-20 10:07,真的吗//@李四:转发微博,5,R2,R1\n"
    "P2,900,赵六,,2026-11-20 11:00,另一条,3,,\n"
    "P2,901,钱七,900,2026-11-20 11:03,转发,,,\n"
)
SPREAD_KEYS = {"post_id", "originators", "repost_rows", "distinct_accounts", "unique_reposts",
               "max_depth", "max_breadth", "structural_virality", "reached_500_reposts_at",
               "reached_5000_views_at", "data_quality"}


def _spread_case(tmp_path, text: str) -> Path:
    d = tmp_path / "spread-case"
    assert run("init", str(d), "--title", "传播", "--examiner", "王").exit_code == 0
    f = tmp_path / "reposts.csv"
    f.write_text(text, encoding="utf-8")
    r = run("add", str(d), str(f), "--no-progress")
    assert r.exit_code == 0, r.output
    return d


def test_spread_help_shows_an_example():
    r = run("spread", "--help")
    assert r.exit_code == 0 and "Example" in r.output and "forensics spread CASE" in r.output


def test_spread_json_clean_case_exits_0(tmp_path):
    d = _spread_case(tmp_path, SPREAD_CSV)
    r = run("spread", str(d), "--json", "--no-progress")
    assert r.exit_code == 0, r.output
    posts = json.loads(r.stdout)
    assert [p["post_id"] for p in posts] == ["P1", "P2"]
    assert all(set(p) >= SPREAD_KEYS for p in posts)
    p1 = posts[0]
    assert (p1["originators"], p1["repost_rows"], p1["distinct_accounts"], p1["max_depth"]) == (
        ["100"], 2, 3, 2)
    assert {k: v for k, v in p1["data_quality"].items() if v} == {"approximate_counts": 1}


def test_spread_duplicate_row_exits_1(tmp_path):
    d = _spread_case(tmp_path, SPREAD_CSV + "P1,200,李四,100,2026-11-20 10:05,转发微博,10,R1,R0\n")
    r = run("spread", str(d), "--json", "--no-progress")
    assert r.exit_code == 1, r.output
    (p1,) = [p for p in json.loads(r.stdout) if p["post_id"] == "P1"]
    assert p1["data_quality"]["duplicate_rows"] == 1 and p1["repost_rows"] == 3
    r = run("spread", str(d), "--no-progress")
    assert r.exit_code == 1 and "duplicate_rows 1" in r.stdout
    assert "not legal conclusions" in r.stderr


def test_spread_one_post(tmp_path):
    d = _spread_case(tmp_path, SPREAD_CSV)
    r = run("spread", str(d), "--post", "P2", "--json", "--no-progress")
    assert r.exit_code == 0, r.output
    assert [p["post_id"] for p in json.loads(r.stdout)] == ["P2"]


def test_spread_out_writes_files_and_logs(tmp_path):
    d = _spread_case(tmp_path, SPREAD_CSV)
    out = tmp_path / "exports"
    r = run("spread", str(d), "--out", str(out), "--no-progress")
    assert r.exit_code == 0, r.output
    for name in ("spread.json", "accounts.csv", "nodes.csv", "repost-graph.graphml",
                 "repost-graph.gexf", "repost-graph.json"):
        assert (out / name).is_file(), name
    r = run("log", str(d), "--json")
    assert r.exit_code == 0
    assert '"export"' in r.stdout and "spread" in r.stdout


def test_spread_list_without_a_case(tmp_path):
    f = tmp_path / "reposts.csv"
    f.write_text(SPREAD_CSV + "P1,400,孙八,300,3分钟前,顶,,R3,R2\n", encoding="utf-8")
    before = f.read_bytes()
    r = run("spread", "--list", str(f), "--captured-at", "2026-11-20T10:30:00+08:00", "--json",
            "--no-progress")
    assert r.exit_code == 0, r.output
    (p1,) = [p for p in json.loads(r.stdout) if p["post_id"] == "P1"]
    assert p1["repost_rows"] == 3 and p1["max_depth"] == 3
    assert p1["data_quality"]["untimed_rows"] == 0
    assert f.read_bytes() == before
    # without the capture time the relative time is noted, not guessed
    r = run("spread", "--list", str(f), "--json", "--no-progress")
    assert r.exit_code == 0 and "captured_at" in r.stderr


@pytest.mark.parametrize("args, message", [
    ([], "name a CASE folder"),
    (["--post", "NOPE"], "NOPE"),
    (["--figure", "x.gif"], ".png"),
])
def test_spread_bad_usage_exits_2(tmp_path, args, message):
    if args:
        d = _spread_case(tmp_path, SPREAD_CSV)
        args = [str(d), *args]
    r = run("spread", *args, "--no-progress")
    assert r.exit_code == 2, r.output
    assert "error:" in r.output and message in r.output and "Traceback" not in r.output


def test_spread_case_and_list_together_exit_2(tmp_path):
    d = _spread_case(tmp_path, SPREAD_CSV)
    f = tmp_path / "reposts.csv"
    r = run("spread", str(d), "--list", str(f))
    assert r.exit_code == 2 and "not both" in r.output


def test_spread_bad_list_exits_2(tmp_path):
    f = tmp_path / "bad.csv"
    f.write_text("post_id,account_id,time\nP,1,2026-11-20 10:00\n", encoding="utf-8")
    r = run("spread", "--list", str(f), "--json")
    assert r.exit_code == 2 and str(f) in r.output and "parent_account_id" in r.output


def test_spread_figure_goes_into_a_new_folder_and_is_logged(tmp_path):
    d = _spread_case(tmp_path, SPREAD_CSV)
    fig = tmp_path / "figs" / "new" / "cascade.png"
    r = run("spread", str(d), "--post", "P1", "--figure", str(fig), "--no-progress")
    assert r.exit_code == 0, r.output
    curve = fig.with_name("cascade-curve.png")
    assert fig.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and curve.exists()
    log = run("log", str(d), "--json")
    entries = json.loads(log.stdout)
    last = entries[-1]
    assert last["action"] == "export" and last["details"]["what"] == "spread figures"
    assert last["details"]["files"]["cascade.png"] == hashlib.sha256(fig.read_bytes()).hexdigest()


def test_spread_out_with_an_unknown_post_writes_and_logs_nothing(tmp_path):
    d = _spread_case(tmp_path, SPREAD_CSV)
    before = run("log", str(d), "--json").stdout
    out = tmp_path / "exports"
    r = run("spread", str(d), "--post", "NOPE", "--out", str(out), "--no-progress")
    assert r.exit_code == 2 and "NOPE" in r.output
    assert not out.exists()
    # nothing exported or logged but the parsed tables kept for reuse (made by the analysis)
    after = json.loads(run("log", str(d), "--json").stdout)
    assert after[:len(json.loads(before))] == json.loads(before)
    assert [e["action"] for e in after[len(json.loads(before)):]] in ([], ["derived"])


# -- facts -----------------------------------------------------------------------------------------
def test_facts_sets_and_clears_and_refuses_bad_input(tmp_path):
    d = tmp_path / "c"
    assert run("init", str(d)).exit_code == 0
    f = tmp_path / "a.txt"
    f.write_text("x", encoding="utf-8")
    assert run("add", str(d), str(f), "--note", "初录").exit_code == 0
    r = run("facts", str(d), "E0001", "--purpose", "证明发布时间", "--clear", "note", "--json")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == [{"evidence_id": "E0001", "facts": {"purpose": "证明发布时间"}}]
    log = json.loads(run("log", str(d), "--json").stdout)
    assert log[-1]["action"] == "facts"
    assert log[-1]["details"]["replaced"] == {"purpose": None, "note": "初录"}
    assert run("facts", str(d), "E0009", "--purpose", "x").exit_code == 2
    assert run("facts", str(d), "E0001", "--clear", "colour").exit_code == 2
    assert run("facts", str(d), "E0001").exit_code == 2  # nothing to set
    assert "Example" in run("facts", "--help").output


def test_facts_no_change_and_conflicting_options(tmp_path):
    d = tmp_path / "c"
    assert run("init", str(d)).exit_code == 0
    f = tmp_path / "a.txt"
    f.write_text("x", encoding="utf-8")
    assert run("add", str(d), str(f), "--purpose", "p").exit_code == 0
    before = run("log", str(d), "--json").stdout
    r = run("facts", str(d), "E0001", "--purpose", "p")
    assert r.exit_code == 0 and "nothing changed" in r.output
    assert run("log", str(d), "--json").stdout == before  # no entry for a no-op
    r = run("facts", str(d), "E0001", "--note", "x", "--clear", "note")
    assert r.exit_code == 2 and "together" in r.output
