"""The notebooks (notebooks/NN-name.ipynb + .py) and their runner (forensics.notebooks).

Static checks read the committed notebooks; the rest run them with papermill on the demonstration
case (forensics.demo's captures, through forensics.notebooks.build_sample_case), once per module:
two runs on fresh copies of one case for reproducibility, one run through `demo_main` for the
custody log, and the integrity notebook alone on a copy with one flipped byte in the store.
"""

from __future__ import annotations

import ast
import hashlib
import html
import json
import os
import re
import shutil
import sys
from pathlib import Path

import nbformat
import pytest
from IPython.core.inputtransformer2 import TransformerManager
from papermill.exceptions import PapermillExecutionError

from forensics.appendix import APPENDIX_FILES
from forensics.appendix_html import CSP
from forensics.case import Case
from forensics.errors import InputError
from forensics.notebooks import (
    ANALYST_TAG,
    GATE_TAG,
    NOTEBOOKS,
    RUN_LOG,
    _kernel_manager_class,
    build_sample_case,
    copy_sample_case,
    demo_main,
    normalize_notebook,
    notebooks_dir,
    run_notebooks,
    sample_case_dir,
    write_demo_sources,
)

PARAMETERS = ["case_dir", "out_dir", "strict", "lang", "record", "key_phrases"]
SOURCE = notebooks_dir()


def _source(name: str):
    return nbformat.read(SOURCE / f"{name}.ipynb", as_version=4)


def _python(cell_source: str) -> ast.Module:
    """A code cell as Python (IPython magics such as %matplotlib turned into calls)."""
    return ast.parse(TransformerManager().transform_cell(cell_source))


# --- the committed notebooks ----------------------------------------------------------------------

@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_has_no_outputs_and_parameters_first(name):
    nb = _source(name)
    assert nb.metadata["jupytext"]["formats"] == "ipynb,py:percent"
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: outputs committed"
    first = nb.cells[0]
    assert first.cell_type == "code" and first.metadata["tags"] == ["parameters"]
    names = [t.id for s in _python(first.source).body for t in s.targets]  # type: ignore[attr-defined]
    assert names == PARAMETERS


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_committed_notebook_defines_no_function_or_class(name):
    for i, cell in enumerate(_source(name).cells):
        if cell.cell_type != "code":
            continue
        tree = _python(cell.source)
        defined = [type(n).__name__ for n in ast.walk(tree) if isinstance(
            n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda)]
        assert defined == [], f"{name} cell {i}: {defined}"


def test_a_function_in_a_cell_is_caught():
    """The check above is real: a def (or lambda) in a cell is found."""
    for bad in ("def f():\n    return 1", "g = lambda x: x", "%matplotlib inline\nclass C: pass"):
        tree = _python(bad)
        assert any(isinstance(n, ast.FunctionDef | ast.Lambda | ast.ClassDef)
                   for n in ast.walk(tree))


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_text_pair_matches_the_notebook(name):
    import jupytext

    def cells(nb):
        return [(c.cell_type, c.source.strip(), sorted(c.metadata.get("tags", ())))
                for c in nb.cells]

    ipynb = jupytext.read(SOURCE / f"{name}.ipynb")
    text = jupytext.read(SOURCE / f"{name}.py")
    assert cells(text) == cells(ipynb)


def test_markdown_is_in_chinese_then_english_and_only_integrity_has_the_gate():
    for name in NOTEBOOKS:
        nb = _source(name)
        first = next(c for c in nb.cells if c.cell_type == "markdown").source
        heading, _, body = first.partition("\n\n")
        assert heading.startswith("# ") and " / " in heading
        zh, en = heading.split(" / ", 1)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in zh) and en.isascii()
        paragraphs = body.split("\n\n")  # a paragraph in Chinese, then the same in English
        assert any("\u4e00" <= ch <= "\u9fff" for ch in paragraphs[0])
        assert paragraphs[-1].isascii()
        gates = [c for c in nb.cells if GATE_TAG in c.metadata.get("tags", ())]
        assert len(gates) == (1 if name == "02-integrity" else 0)
        assert any(ANALYST_TAG in c.metadata.get("tags", ()) for c in nb.cells)


def test_normalize_removes_run_times_and_random_ids():
    nb = nbformat.v4.new_notebook(metadata={"papermill": {
        "start_time": "2026-01-01T00:00:00", "end_time": "x", "duration": 2.0, "parameters": {}}})
    injected = nbformat.v4.new_code_cell("a = 1", metadata={"tags": ["injected-parameters"]})
    nb.cells.append(injected)
    normalize_notebook(nb)
    assert nb.metadata["papermill"] == {"parameters": {}}
    assert injected["id"] == "injected-parameters"


def test_kernel_is_this_interpreter_whatever_kernelspecs_say(tmp_path, monkeypatch):
    """A python3 kernelspec elsewhere on the Jupyter path (another Python) is not used."""
    decoy = tmp_path / "kernels" / "python3"
    decoy.mkdir(parents=True)
    (decoy / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "decoy", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path))
    km = _kernel_manager_class()(kernel_name="python3")
    assert km.kernel_spec.argv[0] == sys.executable


def test_bad_arguments_are_refused_before_any_kernel(tmp_path, pristine):
    with pytest.raises(InputError, match="lang must be one of both, zh, en, not 'fr'"):
        run_notebooks(pristine, tmp_path / "out", lang="fr")
    with pytest.raises(InputError, match="unknown notebook"):
        run_notebooks(pristine, tmp_path / "out", names=["07-nothing"])
    with pytest.raises(InputError, match="not a forensics case"):
        run_notebooks(tmp_path / "missing", tmp_path / "out")
    with pytest.raises(InputError, match="no intake sheet"):
        build_sample_case(tmp_path / "c", tmp_path)
    assert not (tmp_path / "out").exists()


# --- running them ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    """The demonstration case, verified once (recorded); copied before each run."""
    root = tmp_path_factory.mktemp("pristine")
    case = build_sample_case(root / "case", write_demo_sources(root / "sources"))
    assert case.verify().ok
    return root / "case"


def _fresh(pristine: Path, work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    shutil.copytree(pristine, work / "case")
    return work / "case"


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


@pytest.fixture(scope="module")
def two_runs(pristine, tmp_path_factory):
    """Every notebook run twice, each time on a fresh copy of the case at the same place."""
    base = tmp_path_factory.mktemp("runs")
    work, results = base / "work", []
    before = {k: v for k, v in _files(pristine).items() if not k.endswith(".lock")}
    for i in range(2):
        case_dir = _fresh(pristine, work)
        report = run_notebooks(case_dir, work / "reports", record=False, progress=False)
        # record=False: a reviewer's run writes nothing into the case (no parse, no entry),
        # though the case was never parsed and every notebook needs the parses
        after = {k: v for k, v in _files(case_dir).items() if not k.endswith(".lock")}
        assert after == before
        kept = base / f"run{i}"
        shutil.move(work / "reports", kept)
        results.append((report, kept))
    return results


def test_every_notebook_runs_and_renders(two_runs):
    report, out = two_runs[0]
    assert report.ok and [r.name for r in report.runs] == list(NOTEBOOKS)
    for r in report.runs:
        assert r.status == "passed" and r.logged_seq is None and r.failed_cell is None
        assert (out / f"{r.name}.html").is_file()
        assert (out / "notebooks" / f"{r.name}.ipynb").is_file()
    assert (out / "appendix" / "appendix.pdf").read_bytes()[:5] == b"%PDF-"
    assert "<html" in (out / "appendix" / "appendix.html").read_text(encoding="utf-8")


def test_rendered_html_has_no_code_and_no_analyst_cells(two_runs):
    _, out = two_runs[0]
    for name in NOTEBOOKS:
        page = (out / f"{name}.html").read_text(encoding="utf-8")
        page = page[page.index("<body"):]  # the stylesheet names every class; the body shows
        assert "hl-ipython" not in page and "jp-InputPrompt" not in page
        code_cells = re.findall(r'<div class="jp-Cell jp-CodeCell[^"]*"', page)
        assert code_cells and all("jp-mod-noInput" in c for c in code_cells)
        source = _source(name)
        for cell in source.cells:
            cid = f'id="cell-id={cell["id"]}"'
            tags = cell.metadata.get("tags", ())
            if ANALYST_TAG in tags or "parameters" in tags:
                assert cid not in page, f"{name}: analyst cell {cell['id']} shown"
            elif cell.cell_type == "markdown":
                assert cid in page
            if cell.cell_type == "code":
                for line in cell.source.splitlines():
                    if len(line) > 8 and not line.startswith("#"):
                        assert html.escape(line) not in page, f"{name}: code shown: {line}"
        assert "injected-parameters" not in page
        # offline and inert: no script at all, and a policy that forbids any request
        whole = (out / f"{name}.html").read_text(encoding="utf-8")
        assert "<script" not in whole.lower() and '<html lang="zh-CN">' in whole
        assert f'http-equiv="Content-Security-Policy" content="{CSP}"' in whole
    # what the lawyers do see: the verification, the hash table, the figures
    integrity = (out / "02-integrity.html").read_text(encoding="utf-8")
    assert "通过 passed" in integrity and "sm3" in integrity
    spread = (out / "05-spread.html").read_text(encoding="utf-8")
    assert spread.count('<img alt="No description') == 2  # the cascade and the curve
    intake = (out / "01-intake.html").read_text(encoding="utf-8")
    assert "证明对象/目的" in intake and "entry_sha256" not in intake  # the log is for analysts


def test_executed_notebooks_keep_no_run_times(two_runs):
    _, out = two_runs[0]
    for name in NOTEBOOKS:
        nb = nbformat.read(out / "notebooks" / f"{name}.ipynb", as_version=4)
        assert set(nb.metadata["papermill"]).isdisjoint({"start_time", "end_time", "duration"})
        assert nb.metadata["papermill"]["parameters"]["record"] is False
        for cell in nb.cells:
            assert "execution" not in cell.metadata
            assert "start_time" not in cell.metadata.get("papermill", {})


def test_two_runs_give_identical_renderings_and_appendix(two_runs):
    (_, first), (_, second) = two_runs
    a, b = _files(first), _files(second)
    assert sorted(a) == sorted(b)
    assert len([k for k in a if k.startswith("appendix/")]) == 9
    different = [k for k in a if a[k] != b[k]]
    # the executed notebooks differ only where a plain-text repr names the time of checking
    # (VerificationReport's checked_at): what is shown (HTML, images) is the same
    # ... and the run log, which keeps the run's times (record=False: nothing in the custody log)
    assert set(different) <= {"notebooks/02-integrity.ipynb", RUN_LOG}
    assert RUN_LOG in different
    for name in set(different) - {RUN_LOG}:
        assert _shown(first / name) == _shown(second / name)


def _shown(path: Path) -> list:
    nb = nbformat.read(path, as_version=4)
    return [(c.source, [{k: v for k, v in o.get("data", {}).items()
                         if k != "text/plain" or len(o["data"]) == 1}
                        for o in c.get("outputs", ())]) for c in nb.cells]


def test_strict_mode_stops_at_the_integrity_gate_when_a_byte_changed(pristine, tmp_path):
    case_dir = _fresh(pristine, tmp_path / "work")
    stored = next(p for p in (case_dir / "store" / "sha256").rglob("*") if p.is_file())
    os.chmod(stored, 0o644)
    data = bytearray(stored.read_bytes())
    data[0] ^= 0x01
    stored.write_bytes(bytes(data))
    out = tmp_path / "reports"
    with pytest.raises(PapermillExecutionError) as caught:
        run_notebooks(case_dir, out, names=["02-integrity", "03-artifacts"], record=False)
    err = caught.value
    assert err.ename == "IntegrityError" and "changed" in err.evalue
    executed = nbformat.read(out / "notebooks" / "02-integrity.ipynb", as_version=4)
    (failed,) = [c for c in executed.cells if c.get("execution_count") == err.exec_count]
    assert GATE_TAG in failed.metadata["tags"]
    assert failed.metadata["papermill"]["status"] == "failed"
    assert any(f"notebook 02-integrity, In [{err.exec_count}] (tagged {GATE_TAG}), cell id "
               f"{failed['id']}" in n for n in err.__notes__)
    page = (out / "02-integrity.html").read_text(encoding="utf-8")
    assert "未通过 failed" in page and "IntegrityError" in page
    assert not (out / "03-artifacts.html").exists()  # nothing after the gate ran
    # not strict: the same case runs through, the failure shown, not raised
    report = run_notebooks(case_dir, out, names=["02-integrity"], strict=False, record=False)
    assert report.ok
    assert "未通过 failed" in (out / "02-integrity.html").read_text(encoding="utf-8")


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_demo_twice_gives_byte_identical_appendix_and_pages(tmp_path, capsys):
    """The main job run twice (``make demo`` removes demo/ and runs again) on fresh copies of
    the kept sample case: every file under reports/ is the same bytes, but the run log,
    which holds the run's times; the kept case is not written."""
    kept = _tree(sample_case_dir())
    dest = tmp_path / "demo"
    assert demo_main(dest) == 0
    printed = capsys.readouterr().out
    for where in ("a copy of the sample case", "06-appendix.html", "appendix.pdf",
                  "executed notebooks:", f"run log (times, versions, file digests): "
                  f"{dest / 'reports' / RUN_LOG}", "done in"):
        assert where in printed
    first = _tree(dest / "reports")
    shutil.rmtree(dest)
    assert demo_main(dest) == 0
    second = _tree(dest / "reports")
    assert sorted(first) == sorted(second)
    appendix = {f"appendix/{name}" for name in APPENDIX_FILES}
    pages = {f"{n}.html" for n in NOTEBOOKS} | {f"notebooks/{n}.ipynb" for n in NOTEBOOKS}
    assert appendix | pages | {RUN_LOG} <= set(first)
    differ = sorted(name for name in first if first[name] != second[name])
    # the executed integrity notebook keeps the time its verification ran (in the report's
    # plain repr, not on the rendered page): the one line that may differ
    assert differ in ([RUN_LOG], ["notebooks/02-integrity.ipynb", RUN_LOG])
    lines = [(a, b) for a, b in zip(first["notebooks/02-integrity.ipynb"].splitlines(),
                                    second["notebooks/02-integrity.ipynb"].splitlines(),
                                    strict=True) if a != b]
    assert len(lines) <= 1
    assert all(re.sub(rb"checked_at=datetime\.datetime\([^)]*\)", b"", a)
               == re.sub(rb"checked_at=datetime\.datetime\([^)]*\)", b"", b) for a, b in lines)
    # the volatile facts are in the run log, which names every file by its digest
    log = json.loads(second[RUN_LOG])
    assert log["params"]["record"] is False
    assert [n["notebook"] for n in log["notebooks"]] == list(NOTEBOOKS)
    for nb in log["notebooks"]:
        assert nb["status"] == "passed" and nb["seconds"] > 0
        for name, digest in nb["files"].items():
            assert hashlib.sha256(second[name]).hexdigest() == digest
    # nothing written into the copy (a reviewer's run), nor into the kept case
    kept = {k: v for k, v in kept.items() if not k.endswith(".lock")}
    assert {k: v for k, v in _tree(dest / "case").items() if not k.endswith(".lock")} == kept
    assert {k: v for k, v in _tree(sample_case_dir()).items() if not k.endswith(".lock")} == kept
    head = Case.open(dest / "case").head
    assert log["custody_head"] == {"seq": head.seq, "entry_sha256": head.entry_sha256}
    page = second["appendix/appendix.html"].decode("utf-8")
    assert head.entry_sha256 in page and "陈某明诉赵某名誉权纠纷" in page


def test_copy_sample_case_is_read_only_store_and_refuses_a_used_folder(tmp_path):
    case = copy_sample_case(tmp_path / "c")
    assert case.verify(record=False, progress=False).ok
    stored = [p for p in (tmp_path / "c" / "store").rglob("*") if p.is_file()]
    assert len(stored) == len(case.items) == 16
    assert all(p.stat().st_mode & 0o222 == 0 for p in stored)
    for folder in ("store", "staging", "anchors", "derived", "reports"):
        assert (tmp_path / "c" / folder).is_dir()
    assert not list((tmp_path / "c").glob("*.lock"))
    (tmp_path / "used").mkdir()
    (tmp_path / "used" / "x").write_text("x")
    with pytest.raises(InputError, match="already exists and is not an empty folder"):
        copy_sample_case(tmp_path / "used")


def test_demo_main_fresh_builds_runs_logs_and_prints_where(tmp_path, capsys):
    dest = tmp_path / "demo"
    assert demo_main(dest, fresh=True) == 0
    printed = capsys.readouterr().out
    for where in ("case:", "built now from", "06-appendix.html", "appendix.pdf",
                  "executed notebooks:", "done in"):
        assert where in printed
    assert not (dest / "reports" / RUN_LOG).exists()  # everything is in the custody log
    case = Case.open(dest / "case")
    entries = case.log.entries()
    # the build's verification and the notebook's
    assert [e.action for e in entries if e.action == "verify"] == ["verify", "verify"]
    logged = [e for e in entries if e.action == "export" and e.details["what"] == "notebook"]
    assert [e.details["params"]["notebook"] for e in logged] == list(NOTEBOOKS)
    for e in logged:
        params = e.details["params"]
        assert params["status"] == "passed" and params["strict"] == "true"
        assert params["seconds"] > 0 and params["started_at"].endswith("Z")
        for name, digest in e.details["files"].items():
            path = dest / "reports" / name
            assert hashlib.sha256(path.read_bytes()).hexdigest() == digest
    appendix = [e for e in entries if e.action == "export" and e.details["what"] == "appendix"]
    assert len(appendix) == 1
    # a second demo into the same folder refuses (exit 2) and changes nothing
    before = (dest / "case" / "custody.jsonl").read_bytes()
    assert demo_main(dest) == 2
    assert "already exists and is not empty" in capsys.readouterr().err
    assert (dest / "case" / "custody.jsonl").read_bytes() == before
