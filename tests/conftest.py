"""Shared fixtures: tiny cases and captures made on the fly, and the shared real-data corpus."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from forensics.case import Case

#: ../shared/corpus beside the project (real public files; never copied into the repository).
CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"


@pytest.fixture(autouse=True)
def _actor(monkeypatch):
    monkeypatch.setenv("FORENSICS_ACTOR", "test-examiner")


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS} (a user's clone has none)")
    return CORPUS


@pytest.fixture
def captures(tmp_path: Path) -> Path:
    """A folder of small captures, one in a sub-folder, one with a Chinese name."""
    d = tmp_path / "captures"
    (d / "微信").mkdir(parents=True)
    (d / "post.png").write_bytes(b"\x89PNG\r\n\x1a\n fake screenshot bytes")
    (d / "微信" / "聊天记录.txt").write_text("2026-11-20 14:32 李四: 转发过五百了", encoding="utf-8")
    (d / "mail.eml").write_bytes(b"From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
    return d


@pytest.fixture
def case(tmp_path: Path) -> Case:
    return Case.init(tmp_path / "case", title="测试案件", case_number="(2026)测0001号",
                     examiner="王鉴定")


def case_holding(tmp_path: Path, files: dict[str, bytes]) -> Case:
    """A case at ``tmp_path/case`` holding ``files`` (name -> bytes, brought in unparsed, in
    name order from ``tmp_path/src``)."""
    src = tmp_path / "src"
    src.mkdir()
    for name, data in files.items():
        (src / name).write_bytes(data)
    case = Case.init(tmp_path / "case")
    case.add(sorted(src.iterdir()), parse=False)
    return case


def snapshot(folder: Path) -> dict[str, tuple[bytes, int, int]]:
    """Bytes, mtime_ns and mode of every file below ``folder`` (to prove nothing changed)."""
    out = {}
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            st = os.stat(p)
            out[p.relative_to(folder).as_posix()] = (p.read_bytes(), st.st_mtime_ns, st.st_mode)
    return out


def run_in_processes(target, arg_tuples, timeout: float = 120) -> None:
    """Start one spawned process per argument tuple at once, wait, and require exit code 0."""
    import multiprocessing

    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=target, args=args) for args in arg_tuples]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout)
        assert p.exitcode == 0, f"{p.name} exited with {p.exitcode}"
