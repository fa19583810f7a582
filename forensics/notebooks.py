"""Run the analysis notebooks on a case and render them for lawyers; ``forensics demo``.

The notebooks (``notebooks/01-intake`` ... ``06-appendix``, each an ``.ipynb`` paired with a
jupytext percent ``.py``) are thin: a cell tagged ``parameters`` first (papermill's convention,
https://papermill.readthedocs.io/en/latest/usage-parameterize.html), then cells of one or two
calls into :mod:`forensics`.  :func:`run_notebooks` executes each with papermill in a kernel of
*this* interpreter (no kernelspec is looked up, so nothing is registered in the user's home),
and renders each executed notebook to HTML for lawyers with nbconvert: no code, no prompts, and
without the cells tagged ``analyst``.

Two runs on the same case give the same rendered HTML and the same executed notebooks: the
volatile metadata papermill and nbclient write (start and end times, durations, the kernel's
busy/idle times) is removed from the executed notebooks, and recorded instead in the custody
log's ``export`` entry of each notebook, together with the SHA-256 of both files.  A run that
does not write to the case (``record=False``: a review, or ``forensics demo``) keeps the same facts
in ``run-log.json`` beside the pages instead.

``forensics demo`` (:func:`demo_main`) is the main job: it copies the sample case the repository
keeps in ``data/case`` (:func:`copy_sample_case`) and runs every notebook on the copy as a
reviewer would, so two runs give byte-identical appendix files and identical pages.

In strict mode (the default), a case whose verification fails stops the integrity notebook at
its cell tagged ``integrity-gate``: papermill's :class:`~papermill.exceptions.
PapermillExecutionError` names the cell, the notebook is still written and rendered (with the
error where it happened), and no later notebook runs.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import importlib.resources
import importlib.util
import json
import os
import re
import shutil
import stat
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from forensics.errors import ForensicsError, InputError, NotebookError

if TYPE_CHECKING:  # pragma: no cover
    from forensics.case import Case

__all__ = [
    "ANALYST_TAG",
    "GATE_TAG",
    "LANGS",
    "NOTEBOOKS",
    "RUN_LOG",
    "NotebookRun",
    "RunReport",
    "build_sample_case",
    "copy_sample_case",
    "demo_main",
    "normalize_notebook",
    "notebooks_dir",
    "render_html",
    "run_notebooks",
    "sample_case_dir",
    "write_demo_sources",
]

#: The notebooks, in the order they run; ``NN-name.ipynb`` in :func:`notebooks_dir`.
NOTEBOOKS: tuple[str, ...] = (
    "01-intake",
    "02-integrity",
    "03-artifacts",
    "04-timestamps",
    "05-spread",
    "06-appendix",
)

#: Cells for the analyst only: left out, with their outputs, of the lawyers' rendering.
ANALYST_TAG = "analyst"

#: The cell of the integrity notebook that raises when verification failed in strict mode.
GATE_TAG = "integrity-gate"

#: Cells never shown to lawyers besides the analyst's: papermill's parameter cells.
_HIDDEN_TAGS = frozenset({ANALYST_TAG, "parameters", "injected-parameters"})

#: The languages of the notebooks' ``lang`` parameter (that of :func:`write_appendix`).
LANGS: tuple[str, ...] = ("both", "zh", "en")

#: Packages the runner needs (the ``notebooks`` extra), by import name and distribution name.
_NEEDED = (("papermill", "papermill"), ("nbconvert", "nbconvert"), ("nbformat", "nbformat"),
           ("nbclient", "nbclient"), ("ipykernel", "ipykernel"))

#: Metadata keys that change on every run (papermill's and nbclient's timings).
_VOLATILE_NB_KEYS = ("start_time", "end_time", "duration")
_VOLATILE_CELL_KEYS = ("start_time", "end_time", "duration")

#: The directory under the package where a wheel carries the notebooks (package data).
_PACKAGED = "_notebooks"
#: ... and the sample case (``data/case`` of the repository).
_PACKAGED_CASE = "_sample_case"

#: What a run that writes nothing into the case (``record=False``) writes beside its pages: the
#: run's times, parameters, versions and the SHA-256 of every file, as the custody log's
#: ``export`` entries would hold them.
RUN_LOG = "run-log.json"


@dataclass(frozen=True, slots=True)
class NotebookRun:
    """One notebook executed and rendered.

    ``executed`` is the executed notebook (outputs kept, volatile metadata removed), ``html``
    its rendering for lawyers; ``status`` is ``"passed"`` or ``"failed"`` (an error stopped it at
    the cell whose id is ``failed_cell``, tagged ``failed_tags``); ``seconds`` is how long it
    ran; ``logged_seq`` the custody entry that records both files (None when not recorded).
    """

    name: str
    executed: Path
    html: Path
    status: str
    seconds: float
    started_at: str
    failed_cell: str | None
    failed_tags: tuple[str, ...]
    logged_seq: int | None


@dataclass(frozen=True, slots=True)
class RunReport:
    """What :func:`run_notebooks` wrote: one :class:`NotebookRun` per notebook run."""

    case: str
    out_dir: str
    runs: tuple[NotebookRun, ...]

    @property
    def ok(self) -> bool:
        """True when every notebook ran to its end."""
        return bool(self.runs) and all(r.status == "passed" for r in self.runs)

    def __str__(self) -> str:
        lines = [f"notebooks of {self.case} rendered into {self.out_dir}:"]
        lines += [f"  {r.name:<14} {r.status:<7} {r.seconds:6.1f} s  {r.html}" for r in self.runs]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{escape(r.name)}</td><td>{escape(r.status)}</td><td>{r.seconds:.1f}</td>"
            f"<td>{escape(str(r.html))}</td><td>{r.logged_seq if r.logged_seq else '—'}</td></tr>"
            for r in self.runs)
        return (f"<div><p>{escape(self.case)} → {escape(self.out_dir)}</p><table><tr>"
                "<th>notebook</th><th>status</th><th>seconds</th><th>rendering</th>"
                f"<th>custody entry</th></tr>{rows}</table></div>")


def _require() -> None:
    """Refuse, naming what to install, when a package the runner needs is missing."""
    missing = [dist for mod, dist in _NEEDED if importlib.util.find_spec(mod) is None]
    if missing:
        raise InputError(f"running the notebooks needs {', '.join(missing)}: install them with "
                         "`pip install forensics` (they are its dependencies)")


def notebooks_dir() -> Path:
    """The folder holding the notebooks: ``notebooks/`` of a source checkout (or an editable
    install), else the copy a wheel carries in the package (``forensics/_notebooks``).

    >>> sorted(p.stem for p in notebooks_dir().glob("*.ipynb")) == list(NOTEBOOKS)
    True
    """
    candidates = (Path(__file__).resolve().parent.parent / "notebooks",
                  Path(str(importlib.resources.files("forensics") / _PACKAGED)))
    for folder in candidates:
        if all((folder / f"{name}.ipynb").is_file() for name in NOTEBOOKS):
            return folder
    raise InputError(f"the notebooks ({', '.join(NOTEBOOKS)}) are in none of "
                     f"{', '.join(str(c) for c in candidates)}; reinstall forensics")


@functools.cache
def _kernel_manager_class() -> type:
    """A kernel manager that starts ipykernel in this very interpreter.

    No kernelspec is looked up: a ``python3`` kernel registered in the user's home for another
    Python (where forensics may not be installed) cannot be picked by mistake, and nothing has
    to be registered.
    """
    from ipykernel.kernelspec import RESOURCES, get_kernel_dict
    from jupyter_client.kernelspec import KernelSpec
    from jupyter_client.manager import AsyncKernelManager

    class ThisInterpreterKernelManager(AsyncKernelManager):
        """Starts ``sys.executable -m ipykernel_launcher`` whatever the kernel name, talking
        over local sockets (IPC) where the system has them rather than unencrypted TCP."""

        def __init__(self, **kwargs: Any) -> None:
            if os.name == "posix":
                kwargs.setdefault("transport", "ipc")
            super().__init__(**kwargs)

        @property
        def kernel_spec(self) -> KernelSpec:
            if self._kernel_spec is None:
                self._kernel_spec = KernelSpec(resource_dir=RESOURCES, **get_kernel_dict())
            return self._kernel_spec

    return ThisInterpreterKernelManager


def normalize_notebook(nb: Any) -> Any:
    """Remove the metadata that changes on every run from an executed notebook, in place.

    Papermill's start and end times and durations (of the notebook and of each cell) and
    nbclient's per-cell ``execution`` timings go, and the cell papermill injects (tagged
    ``injected-parameters``) gets a fixed id instead of a random one; the parameters, statuses,
    outputs and execution counts stay.  Returns ``nb``.

    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(metadata={"papermill": {"duration": 1.5, "parameters": {}}})
    >>> nb.cells.append(nbformat.v4.new_code_cell("1", metadata={
    ...     "execution": {"iopub.status.busy": "2026-01-01T00:00:00Z"},
    ...     "papermill": {"start_time": "2026-01-01T00:00:00", "status": "completed"}}))
    >>> normalize_notebook(nb).metadata["papermill"], dict(nb.cells[0].metadata)
    ({'parameters': {}}, {'papermill': {'status': 'completed'}})
    """
    pm = nb.metadata.get("papermill")
    if pm is not None:
        for key in _VOLATILE_NB_KEYS:
            pm.pop(key, None)
    for cell in nb.cells:
        if "injected-parameters" in cell.metadata.get("tags", ()):
            cell["id"] = "injected-parameters"  # papermill gives it a random id
        cell.metadata.pop("execution", None)
        cpm = cell.metadata.get("papermill")
        if cpm is not None:
            for key in _VOLATILE_CELL_KEYS:
                cpm.pop(key, None)
    return nb


from forensics.appendix_model import _INVISIBLE  # noqa: E402 - beside the pattern it joins

#: Every script element of nbconvert's page (its own markup: the outputs' text is escaped).
_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>\s*", re.S | re.I)


def render_html(executed: Path | str, dest: Path | str, *, lang: str = "both") -> Path:
    """Render an executed notebook to HTML for lawyers: outputs only, without code, prompts,
    parameter cells or cells tagged ``analyst`` (nbconvert's ``HTMLExporter`` with
    ``exclude_input`` and a ``TagRemovePreprocessor``), with no script, the appendix's
    Content-Security-Policy, invisible characters as visible markers, and ``lang`` as the
    page's language (``zh-CN`` unless ``"en"``).  Returns ``dest``.

    Raises :class:`~forensics.errors.InputError` when ``executed`` is not a readable notebook.
    """
    _require()
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor

    executed, dest = Path(executed), Path(dest)
    try:
        nb = nbformat.read(executed, as_version=4)
    except (OSError, ValueError) as exc:
        raise InputError(f"{executed}: not a readable notebook ({exc})") from None
    exporter = HTMLExporter(exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.register_preprocessor(
        TagRemovePreprocessor(remove_cell_tags=set(_HIDDEN_TAGS), enabled=True), enabled=True)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": executed.stem}})
    # A lawyer's page must open offline and run nothing: nbconvert's template loads require.js,
    # MathJax and mermaid from CDNs; they go, and the appendix's Content-Security-Policy forbids
    # any request and any script (the outputs hold attacker-written text, escaped).
    from forensics.appendix_html import CSP
    from forensics.durable import atomic_write

    body = _SCRIPT.sub("", body)
    # as in the appendix, an invisible or direction-changing character in the data is shown as
    # a visible marker, never left to take effect (plain text: safe in attributes too)
    body = _INVISIBLE.sub(lambda m: f"⟦U+{ord(m.group()):04X}⟧", body)
    body = body.replace("<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" '
                                  f'content="{CSP}">', 1)
    # the page's language, as the appendix says it (Chinese first unless English only)
    body = body.replace('<html lang="en">', f'<html lang="{"en" if lang == "en" else "zh-CN"}">', 1)
    dest.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(dest, body.encode("utf-8"))
    return dest


def run_notebooks(case_dir: Path | str, out_dir: Path | str, *, strict: bool = True,
                  lang: str = "both", record: bool = True,
                  names: tuple[str, ...] | list[str] | None = None,
                  key_phrases: tuple[str, ...] | list[str] = (),
                  progress: bool | None = None) -> RunReport:
    """Execute the notebooks on a case with papermill and render each for lawyers.

    Each notebook ``NN-name`` is executed into ``out_dir/notebooks/NN-name.ipynb`` (volatile
    metadata removed: :func:`normalize_notebook`) and rendered to ``out_dir/NN-name.html``
    (:func:`render_html`); both files, with the run's start time, duration and parameters, are
    recorded in one ``export`` entry (``what: notebook``) of the custody log.  The appendix
    notebook writes the appendix into ``out_dir/appendix``.

    Parameters
    ----------
    case_dir : path
        The case (``Case.open`` must accept it).
    out_dir : path
        Where to write (created if missing); files of the same names are replaced.
    strict : bool
        Stop at the integrity notebook when verification fails (the notebooks' ``strict``).
    lang : {"both", "zh", "en"}
        The language of the appendix and the spread figures.
    record : bool
        Log what the notebooks do in the custody log (the verification, parses, the appendix)
        and each notebook's export; False reads the case without writing to it (a review).
    names : sequence of str, optional
        Run only these notebooks (names of :data:`NOTEBOOKS`, run in that order).
    key_phrases : sequence of str
        The defamatory statements to look for in the screenshots and recordings (the
        notebooks' ``key_phrases``; :func:`forensics.screens.check_screens`).
    progress : bool, optional
        Draw a progress bar (default: in a terminal or a notebook).

    Returns
    -------
    RunReport

    Raises
    ------
    InputError
        Not a case, an unknown notebook or language, or a package the runner needs missing.
    papermill.exceptions.PapermillExecutionError
        A cell raised (in strict mode, the integrity gate of a case that failed verification);
        its ``cell_index`` and ``exec_count`` name the cell and a note names the notebook and
        both files, which were written.
    """
    from forensics._progress import progress_bar
    from forensics.case import Case

    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    chosen = tuple(NOTEBOOKS) if names is None else tuple(names)
    unknown = [n for n in chosen if n not in NOTEBOOKS]
    if unknown or not chosen:
        raise InputError(f"unknown notebook(s) {', '.join(unknown) or '(none named)'}; known: "
                         f"{', '.join(NOTEBOOKS)}")
    _require()
    case = Case.open(case_dir)
    from forensics.appendix import _may_record, _out_folder

    # outside the case (or under its reports/), a folder; a backup is read, never logged into
    out = _out_folder(case, out_dir).resolve()
    record = _may_record(case, record)
    source = notebooks_dir()
    params = {"case_dir": str(case.root.resolve()), "out_dir": str(out), "strict": bool(strict),
              "lang": lang, "record": bool(record),
              "key_phrases": [str(p) for p in key_phrases]}
    runs: list[NotebookRun] = []
    with progress_bar(total=len(chosen), desc="notebooks", unit="notebook",
                      enabled=progress) as bar:
        for name in (n for n in NOTEBOOKS if n in chosen):
            run, error = _run_one(case, source / f"{name}.ipynb", out, name, params, record)
            runs.append(run)
            bar.update(1)  # type: ignore[attr-defined]
            if not record:  # after every notebook, so that a failed run is kept too
                _write_run_log(out, case, params, runs)
            if error is not None:
                tags = f" (tagged {', '.join(run.failed_tags)})" if run.failed_tags else ""
                error.add_note(f"notebook {name}, In [{error.exec_count}]{tags}, cell id "
                               f"{run.failed_cell}: executed copy {run.executed}, rendering "
                               f"{run.html}")
                raise error
    return RunReport(case=str(case.root), out_dir=str(out), runs=tuple(runs))


def _write_run_log(out: Path, case: Case, params: dict[str, object],
                   runs: list[NotebookRun]) -> Path:
    """Write :data:`RUN_LOG`: what the custody log's ``export`` entries would have recorded."""
    import papermill

    from forensics import __version__
    from forensics.durable import atomic_write

    head = case.head
    notebooks = []
    for r in runs:
        files = {}
        for rel, path in ((r.html.name, r.html), (f"notebooks/{r.executed.name}", r.executed)):
            with contextlib.suppress(OSError):
                files[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        notebooks.append({"notebook": r.name, "status": r.status, "started_at": r.started_at,
                          "seconds": round(r.seconds, 3), "failed_cell": r.failed_cell,
                          "files": files})
    doc = {
        "what": "notebooks run without writing to the case (record=False); a recorded run "
                "logs these facts in the custody log's export entries instead",
        "case": str(case.root),
        "custody_head": ({"seq": head.seq, "entry_sha256": head.entry_sha256}
                         if head is not None else None),
        "params": params,
        "versions": {"forensics": __version__, "papermill": papermill.__version__,
                     "python": sys.version.split()[0]},
        "notebooks": notebooks,
    }
    dest = out / RUN_LOG
    atomic_write(dest, (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    return dest


@contextlib.contextmanager
def _environ(**values: str) -> Iterator[None]:
    """Set environment variables for the duration (the kernel started inside inherits them)."""
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _run_one(case: Case, source: Path, out: Path, name: str, params: dict[str, object],
             record: bool) -> tuple[NotebookRun, Exception | None]:
    """Execute, normalize, render and log one notebook; the papermill error, if any."""
    import nbformat
    import papermill
    from papermill.exceptions import PapermillExecutionError

    executed = out / "notebooks" / f"{name}.ipynb"
    html = out / f"{name}.html"
    try:
        executed.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{executed.parent}: the folder cannot be made ({exc.strerror or exc}); "
                         "name another") from None
    started = datetime.now(UTC)
    clock = time.perf_counter()
    error: PapermillExecutionError | None = None
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    try:
        # the analyst's own IPython profile (start-up files, display options) must not change
        # what the notebooks show: the kernel gets an empty one
        with tempfile.TemporaryDirectory() as ipython_dir, _environ(IPYTHONDIR=ipython_dir):
            papermill.execute_notebook(
                str(source), str(executed), parameters=params, kernel_name="python3",
                progress_bar=False, cwd=str(out), kernel_manager_class=_kernel_manager_class())
    except PapermillExecutionError as exc:
        error = exc
    except (DeadKernelError, CellTimeoutError) as exc:  # a crash or a hang, not a cell's error
        what = "died" if isinstance(exc, DeadKernelError) else "timed out"
        raise NotebookError(f"notebook {name}: the kernel {what} ({exc}); the partial run is in "
                            f"{executed}") from None
    seconds = time.perf_counter() - clock
    nb = nbformat.read(executed, as_version=4)
    nbformat.write(normalize_notebook(nb), executed)
    render_html(executed, html, lang=str(params["lang"]))
    failed = _failed_cell(nb) if error is not None else None
    failed_id, failed_tags = failed if failed is not None else (None, ())
    status = "failed" if error is not None else "passed"
    logged = None
    if record:
        entry = case.log_export("notebook", {html.name: html, f"notebooks/{executed.name}":
                                             executed}, params={
            "notebook": name, "status": status, "started_at": started.isoformat(
                timespec="seconds").replace("+00:00", "Z"), "seconds": round(seconds, 3),
            "strict": str(params["strict"]).lower(), "lang": str(params["lang"]),
            "papermill": papermill.__version__, "python": sys.version.split()[0],
            **({"failed_cell": failed_id} if failed_id is not None else {})})
        logged = entry.seq
    run = NotebookRun(name=name, executed=executed, html=html, status=status,
                      seconds=seconds, started_at=started.isoformat(), failed_cell=failed_id,
                      failed_tags=failed_tags, logged_seq=logged)
    return run, error


def _failed_cell(nb: Any) -> tuple[str, tuple[str, ...]] | None:
    """The id and tags of the cell papermill marked ``failed`` (or the first with an error)."""
    for cell in nb.cells:
        if (cell.get("metadata", {}).get("papermill", {}).get("status") == "failed"
                or any(o.get("output_type") == "error" for o in cell.get("outputs", ()))):
            return str(cell.get("id")), tuple(cell.get("metadata", {}).get("tags", ()))
    return None


# --- the demonstration ---------------------------------------------------------------------------

def write_demo_sources(dest: Path | str) -> Path:
    """The small demonstration's captures and intake sheet in ``dest``
    (:func:`forensics.demo.write_captures`): a quicker case than the sample for trying the
    notebooks.  Returns ``dest``."""
    from forensics.demo import write_captures

    return write_captures(Path(dest))


def build_sample_case(case_dir: Path | str, src: Path | str, *,
                      title: str = "示例：张三诉李四名誉权纠纷 (demonstration)",
                      case_number: str = "(2026)示0000民初1号",
                      examiner: str = "示例鉴定人") -> Case:
    """Create a case at ``case_dir`` and bring in every file of ``src/intake.csv`` with its
    intake facts.  ``case_dir`` must not exist or be empty.

    Raises :class:`~forensics.errors.InputError` (``CaseExistsError``, ``IntakeSheetError``...)
    as :meth:`Case.init` and :meth:`Case.add` do; a missing sheet is named.

    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> case = build_sample_case(tmp / "case", write_demo_sources(tmp / "src"))
    >>> [it.evidence_id for it in case.items]
    ['E0001', 'E0002', 'E0003', 'E0004']
    """
    from forensics.case import Case

    sheet = Path(src) / "intake.csv"
    if not sheet.is_file():
        raise InputError(f"{sheet}: no intake sheet in the sample folder {src}")
    case = Case.init(case_dir, title=title, case_number=case_number, examiner=examiner)
    case.add([], sheet=sheet)
    return case


def sample_case_dir() -> Path:
    """The sample case the repository keeps (``data/case``, built by
    :func:`forensics.sample.build_case`), or the copy a wheel carries
    (``forensics/_sample_case``).  Read only: :func:`copy_sample_case` copies it.

    >>> (sample_case_dir() / "custody.jsonl").is_file()
    True
    """
    candidates = (Path(__file__).resolve().parent.parent / "data" / "case",
                  Path(str(importlib.resources.files("forensics") / _PACKAGED_CASE)))
    for folder in candidates:
        if (folder / "custody.jsonl").is_file() and (folder / "case.toml").is_file():
            return folder
    raise InputError(f"the sample case is in none of {', '.join(str(c) for c in candidates)}; "
                     "reinstall forensics, or in a source checkout build it with `python -m "
                     "forensics.sample data/case-files --case data/case`")


def copy_sample_case(dest: Path | str) -> Case:
    """Copy the sample case (:func:`sample_case_dir`) to ``dest`` and open the copy.

    Every file is copied byte for byte (the custody log included, so the copy verifies as the
    original does); the stored originals are made read-only as :meth:`Case.add` leaves them, and
    the case's empty folders (which git does not keep) are made again.  Nothing is written into
    the sample case itself.

    Raises :class:`~forensics.errors.InputError` when ``dest`` exists and is not an empty folder,
    or cannot be written.

    >>> import tempfile
    >>> case = copy_sample_case(Path(tempfile.mkdtemp()) / "case")
    >>> len(case.items), case.verify(record=False, progress=False).ok
    (16, True)
    """
    from forensics.case import _FOLDERS, Case

    src, dest = sample_case_dir(), Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise InputError(f"{dest}: already exists and is not an empty folder; the sample case "
                         "is copied into a new one")
    try:
        for folder in _FOLDERS:
            (dest / folder).mkdir(parents=True, exist_ok=True)
        for path in sorted(src.rglob("*")):
            rel = path.relative_to(src)
            if path.is_dir() or path.suffix in (".lock", ".pyc") or "__pycache__" in rel.parts:
                continue
            target = dest / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(path, target)
            if rel.parts[0] == "store":
                target.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    except OSError as exc:
        raise InputError(f"{exc.filename or dest}: the sample case cannot be copied there "
                         f"({exc.strerror or exc}); choose another folder") from None
    return Case.open(dest)


def demo_main(dest: Path | str, *, fresh: bool = False) -> int:
    """``forensics demo [DIR] [--fresh]``: the main job on the sample case (``data/README.md``).

    By default a copy of the sample case the repository keeps (:func:`copy_sample_case`) goes to
    ``DIR/case`` and every notebook runs on it as a reviewer would (``record=False``: the copy
    is read, never written; the run's times are in ``DIR/reports/run-log.json``), so two runs
    give byte-identical appendix files and identical pages.  With ``fresh``, the sample files
    are generated into ``DIR/sources`` and a new case is built from them
    (:func:`forensics.sample.build_case`) and everything is recorded in its custody log: the
    intake as it really happens, with today's times (so the appendix names another custody
    head than the kept case's).

    Either way the executed notebooks go to ``DIR/reports/notebooks``, their HTML for lawyers
    to ``DIR/reports``, the appendix to ``DIR/reports/appendix``, and where everything is gets
    printed.

    Returns the exit code: 0 done, 1 a notebook failed (verification failed in strict mode, or
    another error in a cell: both named on stderr), 2 bad input (``DIR/case`` already holds
    something, a package missing).
    """
    dest = Path(dest)
    clock = time.perf_counter()
    try:
        _require()
    except InputError as exc:
        print(f"forensics demo: {exc}", file=sys.stderr)
        return exc.exit_code
    from papermill.exceptions import PapermillExecutionError

    try:
        case_dir, reports, src = dest / "case", dest / "reports", dest / "sources"
        for folder in (reports, case_dir, src):  # checked before anything is written
            if folder.is_dir() and any(folder.iterdir()):
                raise InputError(f"{folder}: already exists and is not empty; remove {dest} or "
                                 "choose another folder")
        if fresh:
            from forensics.sample import build_case, generate

            generate(src)  # the sample case of data/README.md, made afresh (seeded)
            case = build_case(case_dir, src)
            print(f"case: {case_dir} (built now from {src / 'intake.csv'}: {len(case.items)} "
                  "items, every step in its custody log)")
        else:
            case = copy_sample_case(case_dir)
            head = case.head
            print(f"case: {case_dir} (a copy of the sample case {sample_case_dir()}: "
                  f"{len(case.items)} items, custody head entry {head.seq if head else 0}; "
                  "read, never written)")
        from forensics.sample import KEY_PHRASES

        report = run_notebooks(case_dir, reports, strict=True, record=fresh,
                               key_phrases=KEY_PHRASES)
    except PapermillExecutionError as exc:
        print(f"forensics demo: a notebook failed:{exc}", file=sys.stderr)
        for note in getattr(exc, "__notes__", ()):
            print(note, file=sys.stderr)
        return 1
    except ForensicsError as exc:
        print(f"forensics demo: {exc}", file=sys.stderr)
        return exc.exit_code
    print(report)
    appendix = reports / "appendix"
    print(f"appendix: {appendix / 'appendix.html'}, {appendix / 'appendix.pdf'} "
          f"(and its tables in {appendix})")
    print(f"executed notebooks: {reports / 'notebooks'}")
    if not fresh:
        print(f"run log (times, versions, file digests): {reports / RUN_LOG}")
    print(f"open the notebooks: jupyter lab {notebooks_dir()}")
    print(f"done in {time.perf_counter() - clock:.1f} s")
    return 0
