"""The sample case (``data/``, made by :mod:`forensics.sample`): the generator reproduces the
committed files, and the package reads them and reaches what ``data/README.md`` says it should
(the findings, the parser warnings and the spread figures, read from the README's tables)."""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from pathlib import Path

import pytest

from forensics.artifacts import _registry_fingerprint, ensure_parsed, load_parsed
from forensics.case import Case
from forensics.notebooks import copy_sample_case, sample_case_dir
from forensics.ocr import capture_kind, load_reading
from forensics.sample import (
    CASE_NUMBER,
    CASE_TITLE,
    EXAMINER,
    KEY_PHRASES,
    NOTARY,
    NOTARY_LIST,
    NOTARY_TIME,
    build_case,
    generate,
    main,
)

DATA = Path(__file__).resolve().parent.parent / "data"
FILES = DATA / "case-files"
KEPT = DATA / "case"
REBUILD = ("rebuild it: rm -rf data/case && python -m forensics.sample data/case-files "
           "--case data/case")
README = DATA / "README.md"


def _table(heading: str, index: int = 0) -> list[dict[str, str]]:
    """The ``index``-th Markdown table under the ``## heading`` of data/README.md."""
    text = README.read_text(encoding="utf-8")
    m = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"data/README.md has no section {heading!r}"
    tables, current = [], []
    for line in m.group(1).splitlines():
        if line.startswith("|"):
            current.append([c.strip() for c in line.strip().strip("|").split("|")])
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    header, _rule, *rows = tables[index]
    return [dict(zip(header, r, strict=True)) for r in rows]


def _committed() -> dict[str, Path]:
    return {p.relative_to(FILES).as_posix(): p for p in sorted(FILES.rglob("*")) if p.is_file()}


def _video(path: Path) -> tuple[tuple, list]:
    import av
    import numpy as np

    with av.open(str(path)) as c:
        s = c.streams.video[0]
        facts = (s.codec_context.name, s.width, s.height, c.duration,
                 c.metadata.get("creation_time"))
        frames = [np.asarray(f.to_ndarray(format="rgb24"), dtype=np.int16) for f in c.decode(s)]
    return facts, frames


def test_generator_reproduces_the_committed_files(tmp_path):
    written = generate(tmp_path / "out")
    made = {p.relative_to(tmp_path / "out").as_posix(): p for p in written}
    committed = _committed()
    assert sorted(made) == sorted(committed)
    for name, path in committed.items():
        if name.endswith(".mp4"):
            # the MP4 bytes depend on the FFmpeg build inside PyAV: compare what it shows
            (facts_a, frames_a), (facts_b, frames_b) = _video(path), _video(made[name])
            assert facts_a == facts_b
            assert facts_a[1:] == (270, 584, 4_000_000, "2026-11-21T09:41:07.000000Z")
            assert len(frames_a) == len(frames_b) == 20
            for a, b in zip(frames_a, frames_b, strict=True):
                assert abs(a - b).mean() < 2.0
        else:
            assert made[name].read_bytes() == path.read_bytes(), f"{name} differs"
    total = sum(p.stat().st_size for p in FILES.rglob("*") if p.is_file())
    assert total < 2_000_000


def test_another_seed_changes_only_the_repost_lists(tmp_path):
    a, b = generate(tmp_path / "a"), generate(tmp_path / "b", seed=7)
    differ = {x.name for x, y in zip(a, b, strict=True)
              if not x.name.endswith(".mp4") and x.read_bytes() != y.read_bytes()}
    assert differ == {"reposts-5091873346521078.csv", "reposts-5012264409187733.csv"}


def test_main_usage_and_bad_destination(tmp_path, capsys):
    assert main([]) == 2
    assert main([str(tmp_path), "--seed", "x"]) == 2
    assert main([str(tmp_path), "--case"]) == 2
    assert main(["--case", str(tmp_path)]) == 2
    (tmp_path / "file").write_text("x")
    assert main([str(tmp_path / "file")]) == 2
    assert "not a folder" in capsys.readouterr().err


def test_notary_hash_list_matches_all_but_the_missing_file():
    listed = {}
    for line in (FILES / "notary" / "SHA256SUMS.txt").read_text(encoding="utf-8").splitlines():
        digest, name = line.split("  ", 1)
        listed[name] = digest
    present = {n: d for n, d in listed.items() if (FILES / "notary" / n).exists()}
    assert set(listed) - set(present) == {"公证录像_20261121.mp4"}
    for name, digest in present.items():
        assert hashlib.sha256((FILES / "notary" / name).read_bytes()).hexdigest() == digest


@pytest.fixture(scope="module")
def case(tmp_path_factory):
    """The committed files brought in as build_case does (the sheet, then the notary's list)."""
    c = Case.init(tmp_path_factory.mktemp("sample") / "case", title="sample case")
    c.add([], sheet=FILES / "intake.csv")
    c.attest(FILES / NOTARY_LIST, issuer=NOTARY, issued_at=NOTARY_TIME, event="notarized")
    return c


def _file_of(case: Case) -> dict[str, str]:
    """Evidence number -> the file's path under case-files/ (the name, for an attachment).

    The kept case (data/case) was built on another machine, in another clone: its recorded
    source paths end in ``case-files/<path>`` under a folder that need not exist here."""
    out = {}
    for it in case.items:
        parts = Path(it.source_path).parts if it.source_path else ()
        if FILES.name in parts:
            rest = parts[len(parts) - 1 - parts[::-1].index(FILES.name) + 1:]
            out[it.evidence_id] = "/".join(rest)
        else:
            out[it.evidence_id] = it.name  # an extracted attachment
    return out


def test_every_file_is_read_with_only_the_expected_warnings(case):
    files = _file_of(case)
    listed = {r["file"] for r in _table("The files (`case-files/`)")}
    assert {f"`{f}`" for f in files.values() if "/" in f} == listed - {"`intake.csv`"}
    art = case.artifacts(progress=False)
    case.refresh()  # parsing the mail brought its attachment in as an item of its own
    assert len(case.items) == len(art) == 16  # 14 captures, the hash list, the attachment
    files = _file_of(case)
    unparsed = {files[e]: r for e, r in zip(art["evidence_id"], art["unparsed_reason"],
                                            strict=True) if isinstance(r, str) and r}
    assert unparsed == {"notary/SHA256SUMS.txt":
                        "no parser reads text/plain (recognised from the content)"}
    warnings = case.parse_warnings(progress=False)
    expected = _table("Expected parser warnings")
    found = Counter()
    for e, msg in zip(warnings["evidence_id"], warnings["message"], strict=True):
        key = next((r["file"], r["warning"]) for r in expected
                   if r["file"] == files[e] and msg.startswith(r["warning"]))
        found[key] += 1
    assert found == Counter({(r["file"], r["warning"]): int(r["count"]) for r in expected})


@pytest.fixture(scope="module")
def kept(tmp_path_factory):
    """A copy of the kept case (data/case): built as build_case does, with the captures read
    by OCR (the screen findings and counts need the readings; the fresh fixture has none)."""
    return copy_sample_case(tmp_path_factory.mktemp("kept") / "case")


def test_the_key_phrase_file_holds_the_sample_phrases():
    from forensics.screens import read_phrases

    assert read_phrases(DATA / "key-phrases.txt") == KEY_PHRASES


def test_the_expected_findings_are_found(kept):
    case = kept
    files = _file_of(case)
    report = case.findings(progress=False, record=False)
    found = Counter((f.kind, f.severity.value, files[f.evidence_ids[0]]) for f in report)
    expected = Counter((r["kind"], r["severity"], r["file"])
                       for r in _table("Expected findings"))
    assert found == expected
    offset = next(f for f in report if f.kind == "device-clock-offset"
                  and "Xiaomi" in f.values[0][1])
    assert offset.delta_seconds == -365 * 86400


def test_the_spread_figures_are_those_of_the_readme(kept):
    posts = {p["post_id"]: p for p in kept.spread(progress=False, record=False).to_json()}
    rows = _table("Expected spread figures")
    assert set(posts) == {r["post_id"] for r in rows}
    for r in rows:
        p = posts[r["post_id"]]
        for key in ("repost_rows", "unique_reposts", "distinct_accounts",
                    "changed_text_variants"):
            assert p[key] == int(r[key]), (r["post_id"], key)
        assert p["data_quality"]["duplicate_rows"] == int(r["duplicate_rows"])
        for rule in ("rows", "unique", "accounts", "displayed"):
            want = r[f"500 {rule}"]
            assert p["reached_500_reposts_at"][rule] == (None if want == "-" else want)
    for r in _table("Expected spread figures", 1):
        (combined,) = posts[r["post_id"]]["combined_one_year"]
        assert "; ".join(combined["posts"]) == r["combined posts"]
        assert combined["repost_rows"] == int(r["combined repost_rows"])
        assert combined["reached_500_reposts_at"] == r["combined 500 rows"]


# --- the kept case (data/case), which `forensics demo` copies --------------------------------------

def test_the_kept_case_is_the_build_of_the_committed_files(case, tmp_path):
    """data/case holds exactly the committed files and their facts, built as build_case does."""
    assert sample_case_dir() == KEPT
    kept = copy_sample_case(tmp_path / "kept")
    meta = kept.metadata
    assert (meta.title, meta.case_number, meta.examiner) == (CASE_TITLE, CASE_NUMBER, EXAMINER)
    actions = [e.action for e in kept.log.entries()]
    assert actions[0] == "init" and actions[-4:] == ["attest", "ocr", "screens", "verify"], \
        REBUILD
    assert set(actions[1:-4]) == {"acquire", "parse"}, REBUILD
    assert kept.key_phrases == KEY_PHRASES
    attested = kept.attestations[0].details["counts"]
    assert attested == {"matched": 2, "mismatched": 0, "missing": 1, "unknown-algorithm": 0}
    case.artifacts(progress=False)  # the fresh build, parsed: its attachment comes in
    case.refresh()

    def facts(c: Case) -> list[tuple]:
        return [(it.evidence_id, it.digests, it.name, it.facts, it.extracted_from)
                for it in c.items]

    assert facts(kept) == facts(case), REBUILD
    for it in kept.items:  # the originals are the committed files, byte for byte
        data = (KEPT / it.stored_as).read_bytes()
        assert hashlib.sha256(data).hexdigest() == it.digests.sha256
    report = kept.verify(record=False, progress=False)
    assert report.ok, report


def test_the_kept_case_parses_are_current(tmp_path):
    """The kept case's logged parses are those the package makes today: a parser change
    without a rebuild would make every demo parse again (in memory) and name other files."""
    kept = copy_sample_case(tmp_path / "kept")
    registry = _registry_fingerprint()
    stale = [it.evidence_id for it in kept.items
             if load_parsed(kept, it, rows=True, registry=registry) is None]
    assert stale == [], f"parses of {stale} are stale; {REBUILD}"
    kinds = {p.evidence_id: capture_kind(p.media_type) for p in ensure_parsed(kept)}
    captures = [it for it in kept.items if kinds[it.evidence_id]]
    assert len(captures) == 8
    stale = [it.evidence_id for it in captures if load_reading(kept, it) is None]
    assert stale == [], f"OCR readings of {stale} are stale; {REBUILD}"


def test_the_expected_screenshot_calls(kept):
    """What each capture shows, from the kept readings and the logged key phrases."""
    from forensics.screens import ASPECTS

    files = _file_of(kept)
    report = kept.screens(run=False, record=False, progress=False)
    got = {files[c.evidence_id]: tuple(getattr(c, a).call.value for a in ASPECTS)
           for c in report.checks}
    want = {r["file"]: tuple(r[a] for a in ASPECTS) for r in _table("Expected screenshot calls")}
    assert got == want
    annotated = next(c for c in report.checks if c.name == "weibo-post-annotated.jpg")
    assert annotated.status_bar == "08:30" and annotated.status_bar_check.startswith("differs")


def test_build_case_refuses_without_a_sheet_and_main_builds(tmp_path, capsys):
    from forensics.errors import InputError

    with pytest.raises(InputError, match="no intake sheet"):
        build_case(tmp_path / "c", tmp_path)
    assert main([str(tmp_path / "files"), "--case", str(tmp_path / "c")]) == 0
    out = capsys.readouterr().out
    assert "built the case" in out and "16 items" in out
    assert main([str(tmp_path / "files"), "--case", str(tmp_path / "c")]) == 2  # not empty
    assert "already" in capsys.readouterr().err


def test_the_wheel_carries_every_file_of_the_kept_case():
    """pyproject's package data (what setuptools puts in a wheel) names every file of data/case,
    so `forensics demo` from an installed package copies the same case."""
    import tomllib

    root = DATA.parent
    conf = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    base = Path(conf["package-dir"]["forensics._sample_case"])
    carried = set()
    for package, globs in conf["package-data"].items():
        if not package.startswith("forensics._sample_case"):
            continue
        assert package in conf["packages"]
        folder = root / base / Path(*package.split(".")[2:])
        for pattern in globs:
            carried |= {p.relative_to(root / base).as_posix() for p in folder.glob(pattern)
                        if p.is_file()}
    kept = {p.relative_to(KEPT).as_posix() for p in KEPT.rglob("*")
            if p.is_file() and p.suffix != ".lock"}
    assert carried == kept
