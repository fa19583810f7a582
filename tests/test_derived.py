"""Derived data kept in a case for reuse (custody action ``derived``): the parsed tables as
Parquet (forensics.artifacts) and figures as PNG (forensics.figures.KeptFigures).

Each is trusted only while the custody log names it with the SHA-256 it still has and it was
made from the inputs asked for; else it is made again, never read.  Good/bad pairs: kept and
read back / changed on disk, deleted, made from other parses, a backup or ``record=False``.
"""

from __future__ import annotations

import hashlib

import pandas as pd
import pytest

from forensics import artifacts
from forensics.appendix import made_from_head
from forensics.appendix_html import draw_html
from forensics.appendix_model import build_appendix
from forensics.case import Case
from forensics.demo import _png
from forensics.errors import InputError
from forensics.figures import KeptFigures, frame_digest, timeline_figure
from forensics.intake import IntakeFacts
from tests.test_appendix_model import CHAT, REPOSTS

# the appendix model's small case, with a third repost (a ``//@`` chain, a count as 1.2万)
REPOSTS = REPOSTS + "P1,300,转发者乙,200,2026-11-20T14:12:00+08:00,//@转发者甲:转发微博,1.2万,R2,R1\n"
TABLES = ("artifacts", "events", "records", "warnings")


@pytest.fixture
def filled(case, tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "shot.png").write_bytes(_png(16, 24))
    (src / "chat.csv").write_text(CHAT, encoding="utf-8")
    (src / "reposts.csv").write_text(REPOSTS, encoding="utf-8")
    case.add([src / "shot.png", src / "chat.csv"], facts=IntakeFacts(category="message"),
             progress=False)
    case.add([src / "reposts.csv"], facts=IntakeFacts(captured_at="2026-11-19T10:00:00+08:00"),
             progress=False)
    return case


def _derived(case: Case, what: str):
    return [e for e in case.log.entries() if e.action == "derived" and e.details["what"] == what]


def _frames(case: Case) -> dict[str, pd.DataFrame]:
    return {"artifacts": case.artifacts(progress=False), "events": case.events(progress=False),
            "records": case.records(progress=False), "warnings": case.parse_warnings()}


def _no_building(monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("the tables were made from the parses again")
    monkeypatch.setattr(artifacts, "_build_frames", refuse)


# --- the parsed tables ----------------------------------------------------------------------------

def test_tables_are_kept_logged_and_read_back_exactly(filled, monkeypatch):
    first = _frames(filled)
    (entry,) = _derived(filled, "tables")
    files = entry.details["files"]
    assert sorted(files) == [f"derived/{n}.parquet" for n in sorted(TABLES)]
    for rel, digest in files.items():
        assert hashlib.sha256((filled.root / rel).read_bytes()).hexdigest() == digest
    assert entry.details["params"]["exact"] == 1 and len(entry.details["params"]["key"]) == 64
    assert not entry.evidence  # what they came from is the key: the logged parses
    # another process: read from the Parquet files, never made again, the very same frames
    _no_building(monkeypatch)
    again = _frames(Case.open(filled.root))
    for name in TABLES:
        pd.testing.assert_frame_equal(first[name], again[name], check_exact=True)
    assert again["records"].attrs == first["records"].attrs
    assert len(_derived(filled, "tables")) == 1  # nothing logged twice


def test_a_changed_or_deleted_table_is_never_read(filled, monkeypatch):
    first = _frames(filled)
    path = filled.root / "derived" / "events.parquet"
    # a table with one time changed, written back with valid Parquet: refused by its digest
    df = first["events"].copy()
    df.loc[0, "earliest"] = "1999-01-01T00:00:00Z"
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    pq.write_table(table.replace_schema_metadata(pq.read_schema(path).metadata), path)
    again = Case.open(filled.root)
    pd.testing.assert_frame_equal(again.events(progress=False), first["events"])
    assert len(_derived(filled, "tables")) == 2  # made again, and kept again
    path.unlink()
    pd.testing.assert_frame_equal(Case.open(filled.root).events(progress=False), first["events"])
    assert len(_derived(filled, "tables")) == 3


def test_tables_of_other_parses_are_not_used(filled, tmp_path):
    before = _frames(filled)
    (tmp_path / "more.csv").write_text(CHAT.replace("收到", "再收到"), encoding="utf-8")
    filled.add([tmp_path / "more.csv"], progress=False)
    after = Case.open(filled.root).events(progress=False)
    assert len(after) > len(before["events"]) and "再收到" in set(after["text"])
    keys = [e.details["params"]["key"] for e in _derived(filled, "tables")]
    assert len(keys) == 2 and keys[0] != keys[1]


def test_no_record_keeps_nothing_and_logs_nothing(filled):
    from tests.conftest import snapshot

    reopened = Case.open(filled.root)
    before = snapshot(filled.root)
    df = reopened.events(progress=False, record=False)
    assert len(df) and snapshot(filled.root) == before
    assert not _derived(filled, "tables")


def test_a_table_parquet_cannot_hold_exactly_is_written_but_not_read_back(filled, monkeypatch):
    # a records column of numbers and text mixed (as a parser may give): Parquet holds it as
    # text, which would not read back as the same frame
    real = artifacts._build_frames

    def mixed(case, parsed):
        frames = real(case, parsed)
        rec = frames["records"]
        rec["odd"] = [1 if i % 2 else "x" for i in range(len(rec))]
        return frames
    monkeypatch.setattr(artifacts, "_build_frames", mixed)
    first = filled.records(progress=False)
    (entry,) = _derived(filled, "tables")
    assert entry.details["params"]["exact"] == 0
    assert (filled.root / "derived" / "records.parquet").is_file()  # for other tools
    calls = []
    monkeypatch.setattr(artifacts, "_build_frames", lambda c, p: calls.append(1) or mixed(c, p))
    again = Case.open(filled.root).records(progress=False)
    assert calls == [1]  # made from the parses, not read
    pd.testing.assert_frame_equal(first, again)


def test_derived_entries_change_nothing_the_appendix_states(filled):
    a = build_appendix(filled, progress=False)
    assert filled.head.action == "derived"  # tables (and figures) kept on the way
    head = made_from_head(filled)
    assert a.head == (head.seq, head.entry_sha256)
    b = build_appendix(Case.open(filled.root), progress=False)
    assert draw_html(a) == draw_html(b)


# --- figures --------------------------------------------------------------------------------------

def _draw():
    t = pd.to_datetime(["2026-11-20T06:32:00Z"], utc=True)
    return timeline_figure(pd.DataFrame({"utc": t, "earliest": t, "latest": t, "lane": ["EXIF"]}))


def test_a_kept_figure_is_drawn_once_and_logged_once(case):
    kept = KeptFigures(case, record=True)
    png = kept.png("a" * 64, _draw)
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and kept.drawn == 1
    entry = kept.log()
    assert entry.action == "derived" and entry.details["what"] == "figures"
    assert entry.details["files"] == {
        f"derived/figures/{'a' * 64}.png": hashlib.sha256(png).hexdigest()}
    assert kept.log() is None  # nothing new
    again = KeptFigures(Case.open(case.root), record=True)
    assert again.png("a" * 64, _draw) == png and again.drawn == 0 and again.log() is None


def test_a_changed_figure_file_is_drawn_again(case):
    kept = KeptFigures(case, record=True)
    png = kept.png("b" * 64, _draw)
    kept.log()
    (case.root / "derived" / "figures" / f"{'b' * 64}.png").write_bytes(b"\x89PNG forged")
    again = KeptFigures(Case.open(case.root), record=True)
    assert again.png("b" * 64, _draw) == png and again.drawn == 1
    again.log()
    third = KeptFigures(Case.open(case.root), record=True)
    assert third.png("b" * 64, _draw) == png and third.drawn == 0


def test_a_figure_not_logged_is_not_used_and_no_record_writes_nothing(case):
    folder = case.root / "derived" / "figures"
    folder.mkdir(parents=True)
    (folder / f"{'c' * 64}.png").write_bytes(b"\x89PNG planted")  # never logged
    kept = KeptFigures(case, record=False)
    png = kept.png("c" * 64, _draw)
    assert png != b"\x89PNG planted" and kept.drawn == 1
    assert kept.log() is None and (folder / f"{'c' * 64}.png").read_bytes() == b"\x89PNG planted"
    with pytest.raises(InputError, match="64 hex digits"):
        kept.png("../../evil", _draw)


def test_frame_digest_follows_every_value_type_and_order():
    a = pd.DataFrame({"x": [1, 2], "y": ["甲", "乙"]})
    assert frame_digest(a) == frame_digest(a.copy())
    assert frame_digest(a) != frame_digest(a.assign(y=["甲", "丙"]))
    assert frame_digest(a) != frame_digest(a.astype({"x": "float64"}))
    assert frame_digest(a) != frame_digest(a.iloc[::-1])
    assert frame_digest(a) != frame_digest(a.rename(columns={"y": "z"}))
    lists = pd.DataFrame({"x": [["a"], ["b"]]})  # unhashable values: their text instead
    assert frame_digest(lists) != frame_digest(pd.DataFrame({"x": [["a"], ["c"]]}))


def test_the_appendix_draws_its_spread_figures_once(filled, monkeypatch):
    first = draw_html(build_appendix(filled, progress=False))
    (entry,) = _derived(filled, "figures")
    assert len(entry.details["files"]) == 2  # the cascade and the curve of post P1
    drawn = []
    real = KeptFigures.png

    def counting(self, key, draw):
        out = real(self, key, draw)
        drawn.append(self.drawn)
        return out
    monkeypatch.setattr(KeptFigures, "png", counting)
    again = draw_html(build_appendix(Case.open(filled.root), progress=False))
    assert again == first and drawn == [0, 0]
    assert len(_derived(filled, "figures")) == 1
    # another language: other figures, drawn and kept too
    build_appendix(Case.open(filled.root), lang="zh", progress=False)
    assert len(_derived(filled, "figures")) == 2


def test_a_figure_that_cannot_be_kept_is_still_drawn_and_not_logged(case, monkeypatch):
    from pathlib import Path

    real = Path.write_bytes

    def full(self, data):
        if ".tmp" in self.name:
            raise OSError(28, "No space left on device")
        return real(self, data)
    monkeypatch.setattr(Path, "write_bytes", full)
    kept = KeptFigures(case, record=True)
    png = kept.png("d" * 64, _draw)
    assert png[:4] == b"\x89PNG" and kept.log() is None
    assert not list((case.root / "derived").rglob("*.tmp"))


def test_the_keys_name_the_code_that_makes_them(monkeypatch):
    from forensics import figures

    a = figures.source_sha256("forensics.figures", "forensics.spread_figures")
    assert a == figures.source_sha256("forensics.figures", "forensics.spread_figures")
    assert a != figures.source_sha256("forensics.figures")
    assert figures.drawing_fingerprint()["code"] == figures.source_sha256(
        "forensics.figures", "forensics.spread_figures", "forensics.spread")
    # a module without a source file: its version stands for it
    assert len(figures.source_sha256("sys")) == 64


# --- found by review: each failed before its fix -------------------------------------------------

def test_a_figure_swapped_before_it_is_logged_is_not_trusted(case):
    kept = KeptFigures(case, record=True)
    png = kept.png("e" * 64, _draw)
    # swapped between the writing and the log entry (made at the end of an appendix)
    (case.root / "derived" / "figures" / f"{'e' * 64}.png").write_bytes(b"\x89PNG forged")
    kept.log()  # logs the digest of the bytes written, not of what the folder holds now
    again = KeptFigures(Case.open(case.root), record=True)
    assert again.png("e" * 64, _draw) == png and again.drawn == 1


def test_tables_that_do_not_read_back_exactly_are_kept_once(case, tmp_path):
    (tmp_path / "a.png").write_bytes(_png(8, 8))  # no records: an empty table
    case.add([tmp_path / "a.png"], progress=False)
    for _ in range(3):
        Case.open(case.root).events(progress=False)
    assert len(_derived(case, "tables")) == 1


def test_a_missing_value_is_none_beside_flags_and_the_tables_read_back(filled, monkeypatch):
    rec = filled.records(progress=False)
    (entry,) = _derived(filled, "tables")
    assert entry.details["params"]["exact"] == 1
    flags = [c for c in rec.columns if rec[c].dtype == object]
    assert flags and all(not (isinstance(v, float) and v != v) for c in flags for v in rec[c])
    _no_building(monkeypatch)
    again = Case.open(filled.root).records(progress=False)
    for c in rec.columns:
        assert list(map(repr, rec[c])) == list(map(repr, again[c])), c


def test_the_appendix_names_the_head_after_a_parse_its_tables_needed(filled):
    first = draw_html(build_appendix(filled, progress=False))
    for rows in (filled.root / "derived" / "parsed").glob("*.rows.json"):
        rows.unlink()  # the tables are made again: the parses with them, and logged
    (filled.root / "derived" / "events.parquet").unlink()
    reopened = Case.open(filled.root)
    a = build_appendix(reopened, progress=False)
    head = made_from_head(reopened)
    assert head.action == "parse" and a.head == (head.seq, head.entry_sha256)
    assert draw_html(build_appendix(Case.open(filled.root), progress=False)) == draw_html(a)
    assert draw_html(a) != first  # it names the newer head
