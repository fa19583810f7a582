"""The Timesketch export (forensics.export_timesketch): the documented import form (mandatory
``message``, ``datetime`` in ISO 8601, ``timestamp_desc``), times in UTC, every row counted."""

from __future__ import annotations

import csv
import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from forensics.errors import InputError
from forensics.export import export
from forensics.export_timesketch import CSV_NAME, INFO_NAME, JSONL_NAME, write_timesketch
from forensics.notebooks import copy_sample_case
from forensics.timeline import build_timeline

REQUIRED = ("message", "datetime", "timestamp_desc")
OURS = ("source", "original", "zone", "precision", "evidence_id", "sha256", "earliest", "latest")


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("ts")
    case = copy_sample_case(tmp / "case")
    timeline = case.timeline(progress=False, record=False)
    report = export(case, "timesketch", tmp / "ts", progress=False)
    return case, timeline, report, tmp / "ts"


def lines(folder: Path) -> list[dict[str, object]]:
    text = (folder / JSONL_NAME).read_text(encoding="utf-8")
    assert text.endswith("\n")
    return [json.loads(line) for line in text.splitlines()]


def test_every_line_has_the_mandatory_fields_and_ours(sample):
    _, timeline, _, folder = sample
    rows = lines(folder)
    assert len(rows) == len(timeline) > 1000
    for row in rows:
        for key in REQUIRED:
            assert isinstance(row[key], str) and row[key], (key, row)
        for key in OURS:
            assert key in row
        assert isinstance(row["timestamp"], int)


def test_times_are_utc_iso_8601(sample):
    _, _, _, folder = sample
    for row in lines(folder):
        t = datetime.fromisoformat(row["datetime"])
        assert row["datetime"].endswith("+00:00") and t.utcoffset() == timedelta(0)
        assert t == datetime.fromisoformat(row["earliest"].replace("Z", "+00:00"))
        assert row["timestamp"] == (t - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(
            microseconds=1)


def test_the_csv_form_has_the_header_and_the_same_rows(sample):
    _, timeline, _, folder = sample
    with open(folder / CSV_NAME, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0])[:4] == ["message", "datetime", "timestamp", "timestamp_desc"]
    assert len(rows) == len(timeline)
    assert [r["message"] for r in rows] == [r["message"] for r in lines(folder)]


def test_counts_provenance_and_the_custody_entry(sample):
    case, timeline, report, folder = sample
    info = json.loads((folder / INFO_NAME).read_text(encoding="utf-8"))
    assert info["timeline_rows"] == info["rows_written"] == len(timeline)
    assert info["rows_left_out"] == [] and info["times_not_read"] == []
    assert info["custody_head"]["seq"] == report.made_from_seq
    assert report.notes == (f"{len(timeline)} of {len(timeline)} timeline rows written to "
                            f"{JSONL_NAME} and {CSV_NAME}",)
    entry = case.log.entries()[-1]
    assert entry.action == "export" and entry.details["params"]["format"] == "timesketch"
    for name, digest in entry.details["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest


def test_rows_without_a_time_are_left_out_and_counted(case, tmp_path, monkeypatch):
    base = {"evidence_id": "E0001", "sha256": "cd" * 32, "parser": "reposts",
            "data_type": "social:repost", "description": "Reposted", "zone": "assumed",
            "zone_name": "Asia/Shanghai", "precision": "minute", "actor": "李四",
            "text": "//@张三: 转发过五百了", "url": ""}
    events = pd.DataFrame([
        {**base, "location": "row 2", "earliest": "2026-11-20T01:56:00Z",
         "latest": "2026-11-20T01:57:00Z", "original": "3分钟前",
         "time_source": "repost:time(displayed)"},
        {**base, "location": "row 1", "earliest": "1500-01-01T00:00:00Z",
         "latest": "1500-01-01T00:00:00Z", "original": "1500-01-01 08:00",
         "time_source": "repost:time"}])
    df = build_timeline(events=events)
    df.attrs["unread"] = [{"evidence_id": "E0001", "source": "intake:captured_at",
                           "original": "昨天 14:02", "reason": "relative"}]
    monkeypatch.setattr(case, "timeline", lambda **kw: df)
    (tmp_path / "ts").mkdir()
    written = write_timesketch(case, tmp_path / "ts", progress=False)
    rows = lines(tmp_path / "ts")
    assert len(rows) == 1 and rows[0]["original"] == "3分钟前"
    assert rows[0]["datetime"] == "2026-11-20T01:56:00+00:00" and rows[0]["utc"] is None
    assert rows[0]["latest"] == "2026-11-20T01:57:00Z"  # an interval keeps both bounds
    assert written.notes == (
        f"1 of 2 timeline rows written to {JSONL_NAME} and {CSV_NAME}",
        f"1 row(s) without a time Timesketch can place were left out (out of range or "
        f"unreadable; listed in {INFO_NAME})",
        f"1 stated time(s) could not be read and have no row (listed in {INFO_NAME})")
    info = json.loads((tmp_path / "ts" / INFO_NAME).read_text(encoding="utf-8"))
    assert info["rows_left_out"] == [{"evidence_id": "E0001", "source": "repost:time",
                                      "location": "row 1", "original": "1500-01-01 08:00"}]
    assert info["times_not_read"][0]["original"] == "昨天 14:02"


def test_the_export_does_not_write_into_the_case(case, captures, tmp_path):
    case.add([captures], progress=False)
    before = case.log.path.read_bytes()
    (tmp_path / "ts").mkdir()
    write_timesketch(case, tmp_path / "ts", progress=False)
    assert case.log.path.read_bytes() == before


def test_a_folder_that_is_not_empty_is_refused(case, tmp_path):
    (tmp_path / "ts").mkdir()
    (tmp_path / "ts" / "old.jsonl").write_text("{}\n")
    with pytest.raises(InputError, match="not an empty folder"):
        write_timesketch(case, tmp_path / "ts", progress=False)
