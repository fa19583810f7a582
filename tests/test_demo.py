"""`make demo` (python -m forensics.demo): the demonstration case builds, verifies, and carries
its spread analysis, exports and figures, each logged."""

from __future__ import annotations

import hashlib
import json

from forensics.appendix import APPENDIX_FILES
from forensics.case import Case
from forensics.demo import build_demo


def test_demo_builds_verifies_and_logs_its_spread_exports(tmp_path, capsys):
    case_dir, out = tmp_path / "demo-case", tmp_path / "demo-out"
    assert build_demo(case_dir, out) == 0
    printed = capsys.readouterr().out
    assert "spread of Nabc123: 6 reposts, 7 accounts, depth 3, 1 changed-text variant(s)" in printed
    spread = json.loads((out / "spread" / "spread.json").read_text(encoding="utf-8"))
    assert spread[0]["originators"] == ["1234567890"]
    assert spread[0]["reached_5000_views_at"]["original_displayed"] == "2026-11-22T02:00:00Z"
    case = Case.open(case_dir)
    exports = [e for e in case.log.entries() if e.action == "export"]
    assert [e.details["what"] for e in exports] == ["spread", "spread figures", "appendix"]
    for e in exports:
        folder = out / ("appendix" if e.details["what"] == "appendix" else "spread")
        for name, digest in e.details["files"].items():
            assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    assert set(exports[-1].details["files"]) == set(APPENDIX_FILES)
    assert (out / "appendix" / "appendix.pdf").read_bytes()[:5] == b"%PDF-"
    assert "appendix:" in printed
    assert (out / "spread" / "cascade.png").read_bytes()[:4] == b"\x89PNG"
