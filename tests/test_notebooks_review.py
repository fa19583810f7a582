"""Adversarial review of the notebooks runner (forensics.notebooks), the sample generator
(forensics.sample) and ``forensics demo`` (issue 8).

One small case (forensics.demo's captures, with hostile text planted in the intake sheet, the chat
export and the repost list) is run through every notebook once, at a path with spaces and Chinese
characters, recorded and with ``lang="en"``; the other checks run one notebook at a time on copies
of a pristine case, or fail before any kernel starts.  The tests that fail name a bug each (see
the docstrings); they are not marked xfail.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
from click.testing import CliRunner

import forensics.notebooks as notebooks_module
from forensics.appendix_html import CSP
from forensics.case import Case
from forensics.cli import cli
from forensics.errors import InputError
from forensics.integrity import compare
from forensics.notebooks import (
    NOTEBOOKS,
    build_sample_case,
    normalize_notebook,
    notebooks_dir,
    render_html,
    run_notebooks,
    write_demo_sources,
)
from forensics.sample import generate

#: Text an attacker controls (a chat line, a repost, an intake note): markup that would run or
#: break out of a style block if not escaped, and a right-to-left override that reorders text.
HOSTILE = "</style><script>alert(1)</script><img src=x onerror=alert(2)>\u202eevil"
DATA_FILES = Path(__file__).resolve().parent.parent / "data" / "case-files"


# --- helpers -------------------------------------------------------------------------------------

def _hostile_sources(dest: Path) -> Path:
    src = write_demo_sources(dest)
    sheet = (src / "intake.csv").read_text(encoding="utf-8-sig")
    assert "证明截图的转交时间" in sheet
    sheet = sheet.replace("证明截图的转交时间", '"' + HOSTILE + '"')
    (src / "intake.csv").write_text(sheet, encoding="utf-8-sig")
    chat = (src / "chat-export.txt").read_text(encoding="utf-8")
    (src / "chat-export.txt").write_text(chat + f"2026-11-20 14:37:00 李四: {HOSTILE}\n",
                                         encoding="utf-8")
    reposts = (src / "reposts.csv").read_text(encoding="utf-8")
    reposts = reposts.replace("真的假的？", HOSTILE).replace("路人乙", "路人<b>乙</b>\u202e")
    (src / "reposts.csv").write_text(reposts, encoding="utf-8")
    return src


class _Tags(HTMLParser):
    """Every start tag and its attributes, as a browser's parser would see them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(page: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(page)
    return parser.tags


def _copy_case(pristine: Path, work: Path) -> Path:
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(pristine, work / "case")
    return work / "case"


def _notebooks_with(tmp: Path, name: str, source: str) -> Path:
    """A copy of the notebooks in which the ``Case.open`` cell of ``name`` is ``source``."""
    folder = tmp / "notebooks"
    shutil.copytree(notebooks_dir(), folder)
    nb = nbformat.read(folder / f"{name}.ipynb", as_version=4)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "Case.open" in c.source)
    cell.source = source
    nbformat.write(nb, folder / f"{name}.ipynb")
    return folder


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("pristine")
    build_sample_case(root / "case", write_demo_sources(root / "sources"))
    return root / "case"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """Every notebook, recorded, lang="en", on a hostile case under spaces and Chinese."""
    base = tmp_path_factory.mktemp("review 评审") / "证据 案件"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORENSICS_ACTOR", "test-examiner")
        case = build_sample_case(base / "case", _hostile_sources(base / "src"))
        report = run_notebooks(base / "case", base / "报告 out", lang="en", progress=False)
    return case, report, base / "报告 out"


# --- paths, escaping, custody (one full run) -----------------------------------------------------

def test_spaces_and_chinese_in_paths_run_every_notebook(hostile_run):
    _, report, out = hostile_run
    assert report.ok and [r.name for r in report.runs] == list(NOTEBOOKS)
    assert all(r.logged_seq is not None for r in report.runs)
    assert (out / "appendix" / "appendix.pdf").read_bytes()[:5] == b"%PDF-"
    # lang="en" reaches the appendix
    assert '<html lang="en">' in (out / "appendix" / "appendix.html").read_text(encoding="utf-8")


def test_hostile_text_is_escaped_and_nothing_can_run(hostile_run):
    _, report, out = hostile_run
    escaped = "&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;"
    assert escaped in (out / "01-intake.html").read_text(encoding="utf-8")  # the purpose column
    for r in report.runs:
        page = r.html.read_text(encoding="utf-8")
        assert "<script" not in page.lower()
        assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
        for tag, attrs in _tags(page):
            assert tag not in ("script", "iframe", "object", "embed"), (r.name, tag)
            assert not any(a.startswith("on") for a in attrs), (r.name, tag, attrs)
            if tag == "img":
                assert (attrs.get("src") or "").startswith("data:image/"), (r.name, attrs)
        assert "alert(1)</script>" not in page


def test_lawyers_pages_show_no_raw_bidi_override(hostile_run):
    """BUG: a U+202E from the evidence reaches the lawyers' HTML raw (01-intake: the intake
    purpose; 04-timestamps: the chat line), reordering what the page shows; the appendix draws
    the same character as a visible marker (appendix_model: ``⟦U+202E⟧``)."""
    _, report, out = hostile_run
    assert "\u202e" not in (out / "appendix" / "appendix.html").read_text(encoding="utf-8")
    raw = [r.name for r in report.runs if "\u202e" in r.html.read_text(encoding="utf-8")]
    assert raw == []


def test_lawyers_pages_do_not_cut_digests_or_text(hostile_run):
    """BUG: the tables of 03-artifacts, 04-timestamps and 06-appendix are cut at pandas' default
    50 characters: the SHA-256 digests end in "..." and so do the evidence list's source and
    note columns.  Only 01 and 02 set ``display.max_colwidth`` (in an analyst cell)."""
    _, report, _ = hostile_run
    cut = {}
    for r in report.runs:
        cells = re.findall(r"<td>([^<]{10,})\.\.\.</td>", r.html.read_text(encoding="utf-8"))
        if cells:
            cut[r.name] = cells[0]
    assert cut == {}


def test_lawyers_pages_do_not_name_the_case_folder(hostile_run):
    """BUG: 02-integrity's page shows the case's absolute folder (the VerificationReport's HTML),
    e.g. /home/<examiner>/...: the analyst's file system in a page for the court, and the same
    case at two places renders differently.  The appendix names no folder."""
    case, report, out = hostile_run
    root = str(case.root.resolve())
    assert root not in (out / "appendix" / "appendix.html").read_text(encoding="utf-8")
    named = [r.name for r in report.runs if root in r.html.read_text(encoding="utf-8")]
    assert named == []


def test_custody_entries_match_the_files_on_disk(hostile_run):
    case, report, out = hostile_run
    case = Case.open(case.root)
    by_seq = {e.seq: e for e in case.log.entries()}
    for r in report.runs:
        e = by_seq[r.logged_seq]
        assert e.action == "export" and e.details["what"] == "notebook"
        assert set(e.details["files"]) == {f"{r.name}.html", f"notebooks/{r.name}.ipynb"}
        for name, digest in e.details["files"].items():
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
        params = e.details["params"]
        assert set(params) == {"lang", "notebook", "papermill", "python", "seconds",
                               "started_at", "status", "strict"}
        assert params["lang"] == "en" and params["notebook"] == r.name
        # what an entry carries besides the digests: where the files went (absolute) and the
        # actor; no home directory unless the reports are under it, nothing secret
        assert e.details["out"] == str(out.resolve())
        assert e.actor == "test-examiner"
        assert str(Path.home()) not in repr(e.details) or \
            str(out.resolve()).startswith(str(Path.home()))


def test_render_html_and_normalize_are_deterministic(hostile_run, tmp_path):
    _, report, _ = hostile_run
    run = report.runs[0]
    # rendered as the run did it (the run was in English)
    a = render_html(run.executed, tmp_path / "a.html", lang="en")
    b = render_html(run.executed, tmp_path / "b" / "b.html", lang="en")
    assert a.read_bytes() == b.read_bytes() == run.html.read_bytes()
    nb = nbformat.read(run.executed, as_version=4)
    again = nbformat.writes(normalize_notebook(nb))
    assert again.rstrip("\n") == run.executed.read_text(encoding="utf-8").rstrip("\n")


# --- where run_notebooks may read and write ------------------------------------------------------

def test_out_dir_that_is_a_file_is_refused_with_input_error(pristine, tmp_path):
    """BUG: an ``out_dir`` that is a file raises a bare NotADirectoryError from
    ``executed.parent.mkdir`` (notebooks.py, _run_one) instead of an InputError naming it, as
    ``write_appendix`` does (appendix._out_folder)."""
    blocker = tmp_path / "reports.html"
    blocker.write_text("not a folder")
    with pytest.raises(InputError, match=r"reports\.html"):
        run_notebooks(pristine, blocker, names=["01-intake"], record=False, progress=False)


@pytest.mark.parametrize("inside", [".", "store/reports"])
def test_out_dir_inside_the_case_is_refused(pristine, tmp_path, inside):
    """BUG: run_notebooks writes its renderings into the case folder itself, even into the
    store; the case then fails verification ("unexpected file in the store").  The appendix
    refuses any folder inside the case except under reports/ (appendix._out_folder)."""
    case_dir = _copy_case(pristine, tmp_path / "work")
    with pytest.raises(InputError, match="inside the case"):
        run_notebooks(case_dir, case_dir / inside, names=["01-intake"], record=False,
                      progress=False)
    assert Case.open(case_dir).verify(record=False, progress=False).ok


def test_record_on_a_backup_does_not_write_into_it(pristine, tmp_path):
    """BUG: with record=True (the default) on a backup, run_notebooks appends an ``export``
    entry per notebook to the backup's log (Case.log_export does not check
    artifacts._writable), and 02-integrity appends a ``verify``; the backup then diverges
    from its case (``compare`` reports BackupDiverged).  Refusing (InputError) or not
    recording would both do."""
    case = Case.open(_copy_case(pristine, tmp_path / "work"))
    backup = tmp_path / "backup"
    assert case.backup(backup).ok
    before = (backup / "custody.jsonl").read_bytes()
    with contextlib.suppress(InputError):  # refusing is a fix too
        run_notebooks(backup, tmp_path / "out", names=["01-intake"], progress=False)
    assert (backup / "custody.jsonl").read_bytes() == before
    assert compare(case, backup) == ()


def test_not_strict_on_a_tampered_case_goes_on_and_shows_the_failure(pristine, tmp_path):
    case_dir = _copy_case(pristine, tmp_path / "work")
    stored = next(p for p in (case_dir / "store" / "sha256").rglob("*") if p.is_file())
    os.chmod(stored, 0o644)
    data = bytearray(stored.read_bytes())
    data[-1] ^= 0x01
    stored.write_bytes(bytes(data))
    out = tmp_path / "out"
    report = run_notebooks(case_dir, out, strict=False, progress=False,
                           names=["02-integrity", "03-artifacts", "06-appendix"])
    assert [r.name for r in report.runs] == ["02-integrity", "03-artifacts", "06-appendix"]
    assert "未通过 failed" in (out / "02-integrity.html").read_text(encoding="utf-8")
    appendix = (out / "appendix" / "appendix.html").read_text(encoding="utf-8")
    assert "未通过 / failed" in appendix
    # (with record=False no verification is logged: the appendix then says "never verified")


@pytest.fixture(scope="module")
def foreign_home(pristine, tmp_path_factory):
    """01-intake run with HOME holding a decoy python3 kernelspec and an IPython startup file
    that changes how pandas shows tables (what an analyst's own home may hold)."""
    base = tmp_path_factory.mktemp("home")
    home = base / "home"
    decoy = home / ".local" / "share" / "jupyter" / "kernels" / "python3"
    decoy.mkdir(parents=True)
    (decoy / "kernel.json").write_text(json.dumps({
        "argv": ["/nonexistent/python", "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "decoy", "language": "python"}))
    startup = home / ".ipython" / "profile_default" / "startup"
    startup.mkdir(parents=True)
    (startup / "00-analyst.py").write_text("import pandas as pd\n"
                                           "pd.set_option('display.max_rows', 2)\n")
    jupyter_before = sorted(str(p) for p in (home / ".local").rglob("*"))
    case_dir = _copy_case(pristine, base / "work")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("HOME", str(home))
        for var in ("XDG_DATA_HOME", "XDG_RUNTIME_DIR", "XDG_CONFIG_HOME", "XDG_CACHE_HOME",
                    "JUPYTER_PATH", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR",
                    "JUPYTER_CONFIG_DIR", "IPYTHONDIR"):
            mp.delenv(var, raising=False)
        report = run_notebooks(case_dir, base / "out", names=["01-intake"], record=False,
                               progress=False)
    return home, jupyter_before, report


def test_kernel_needs_no_kernelspec_and_writes_nothing_in_jupyter_dirs(foreign_home):
    home, jupyter_before, report = foreign_home
    assert report.ok
    assert sorted(str(p) for p in (home / ".local").rglob("*")) == jupyter_before
    # (the kernel does create ~/.ipython/profile_default and matplotlib its font cache)


def test_the_analysts_ipython_startup_files_do_not_change_the_renderings(foreign_home):
    """BUG: the kernel loads ~/.ipython/profile_default/startup/*.py (and the profile's
    ipython_kernel_config.py): a user's ``pd.set_option('display.max_rows', 2)`` cuts the
    evidence list in the lawyers' 01-intake.html to E0001 ... E0004.  The runner should start
    the kernel with an empty IPython dir (e.g. IPYTHONDIR set to a temporary folder in the
    kernel's env, or ``--IPKernelApp.exec_files=[]`` and ``--profile-dir``)."""
    _, _, report = foreign_home
    page = report.runs[0].html.read_text(encoding="utf-8")
    assert "<td>...</td>" not in page


# --- forensics demo (click) ----------------------------------------------------------------------

def test_demo_help_has_an_example():
    result = CliRunner().invoke(cli, ["demo", "--help"])
    assert result.exit_code == 0
    assert "Examples:" in result.output and "forensics demo /tmp/demo" in result.output


def test_demo_into_a_used_folder_exits_2_and_touches_nothing(tmp_path):
    dest = tmp_path / "d"
    (dest / "reports").mkdir(parents=True)
    (dest / "reports" / "old.html").write_text("earlier run")
    result = CliRunner().invoke(cli, ["demo", str(dest)])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "already exists and is not empty" in result.stderr
    assert sorted(p.name for p in dest.iterdir()) == ["reports"]


def test_demo_refused_leaves_the_sources_alone(tmp_path):
    """BUG: with DEST/case already there (e.g. DEST/reports removed to render again),
    ``forensics demo DEST`` regenerates DEST/sources (notebooks.demo_main calls
    sample.generate before build_sample_case refuses) and only then exits 2: the files the
    case was built from are overwritten.  Check DEST/case and DEST/sources first."""
    dest = tmp_path / "d"
    (dest / "case").mkdir(parents=True)
    (dest / "case" / "case.toml").write_text("an earlier case")
    (dest / "sources").mkdir()
    (dest / "sources" / "intake.csv").write_text("the sheet the earlier case was built from")
    result = CliRunner().invoke(cli, ["demo", str(dest)])
    assert result.exit_code == 2 and "already exists" in result.stderr
    assert [p.name for p in (dest / "sources").iterdir()] == ["intake.csv"]
    assert (dest / "sources" / "intake.csv").read_text() == \
        "the sheet the earlier case was built from"


def test_demo_under_a_file_exits_2_with_a_message(tmp_path):
    (tmp_path / "afile").write_text("x")
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "afile" / "sub")])
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Not a directory" in result.stderr


def test_demo_cell_error_exits_1_naming_notebook_and_cell(tmp_path, monkeypatch):
    folder = _notebooks_with(tmp_path, "01-intake",
                             "case = Case.open(case_dir)\ncase.no_such_analysis()")
    monkeypatch.setattr(notebooks_module, "notebooks_dir", lambda: folder)
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "d")])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    err = result.stderr
    assert "forensics demo: a notebook failed" in err
    assert "AttributeError" in err and "no_such_analysis" in err
    assert re.search(r"notebook 01-intake, In \[\d+\], cell id \S+: executed copy", err)
    assert (tmp_path / "d" / "reports" / "01-intake.html").is_file()
    assert not (tmp_path / "d" / "reports" / "02-integrity.html").exists()


def test_demo_kernel_death_is_reported_not_a_traceback(tmp_path, monkeypatch):
    """BUG: a kernel that dies (out of memory, a native crash while parsing a hostile file)
    raises nbclient's DeadKernelError, which neither run_notebooks nor demo_main catches: the
    CLI ends with a Python traceback, the executed notebook is left un-normalized, unrendered
    and unlogged.  Expected: exit 1 and a message naming the notebook."""
    folder = _notebooks_with(tmp_path, "01-intake", "import os\nos._exit(3)")
    monkeypatch.setattr(notebooks_module, "notebooks_dir", lambda: folder)
    result = CliRunner().invoke(cli, ["demo", str(tmp_path / "d")])
    assert isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1 and "01-intake" in result.stderr


# --- the sample generator ------------------------------------------------------------------------

def test_generate_leaves_other_files_alone_and_lists_only_its_own(tmp_path):
    dest = tmp_path / "src"
    (dest / "screenshots").mkdir(parents=True)
    (dest / "screenshots" / "mine.png").write_bytes(b"the analyst's own file")
    (dest / "notes.txt").write_text("keep me")
    written = generate(dest)
    assert len(written) == 16 and written[-1] == dest / "intake.csv"
    assert (dest / "screenshots" / "mine.png").read_bytes() == b"the analyst's own file"
    assert (dest / "notes.txt").read_text() == "keep me"
    sheet = (dest / "intake.csv").read_text(encoding="utf-8-sig")
    assert "mine.png" not in sheet and "notes.txt" not in sheet


def test_generate_below_a_file_raises_input_error(tmp_path):
    """BUG: generate checks only that ``dest`` itself is not a file; a destination below a file
    (or with a file where a sub-folder goes, e.g. dest/screenshots) raises a bare
    NotADirectoryError / FileExistsError from ``path.parent.mkdir`` (sample.py, generate)."""
    (tmp_path / "afile").write_text("x")
    with pytest.raises(InputError, match="afile"):
        generate(tmp_path / "afile" / "sub")


def test_a_moved_copy_of_the_committed_sample_builds_the_same_case(tmp_path):
    """The intake sheet's paths are relative: data/case-files can be moved (here under spaces
    and Chinese), with fresh mtimes and other permissions, and gives the same items."""
    moved = tmp_path / "移动 后" / "case files"
    shutil.copytree(DATA_FILES, moved)
    for p in moved.rglob("*"):
        if p.is_file():
            os.utime(p, (1_000_000_000, 1_000_000_000))
            os.chmod(p, 0o600)
    sheet = (moved / "intake.csv").read_text(encoding="utf-8-sig")
    assert "/work" not in sheet and "case-files" not in sheet
    case = Case.init(tmp_path / "case", title="moved sample")
    case.add([], sheet=moved / "intake.csv")
    expected = {hashlib.sha256(p.read_bytes()).hexdigest(): p.relative_to(DATA_FILES).as_posix()
                for p in DATA_FILES.rglob("*") if p.is_file() and p.name != "intake.csv"}
    captured = {it.digests.sha256: Path(it.source_path).resolve().relative_to(moved.resolve())
                .as_posix() for it in case.items if it.source_path.startswith(str(moved))}
    assert captured == expected
    # and the mail's attachment, extracted at intake
    assert len(case.items) == len(expected) + 1
