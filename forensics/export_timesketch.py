"""The case timeline in Timesketch's import form (JSON Lines and CSV).

Timesketch (https://timesketch.org/guides/user/import-from-json-csv/) imports a ``.jsonl`` or
``.csv`` file with any number of attributes, three of them mandatory: ``message`` (a string
describing the event), ``datetime`` (ISO 8601, e.g. ``2015-07-24T19:01:01+00:00``) and
``timestamp_desc`` (which time it is, e.g. "Time created"); a CSV starts with a header line.
:func:`write_timesketch` writes, into ``DEST``:

``timeline.jsonl`` and ``timeline.csv``
    One line per timeline row (:meth:`forensics.case.Case.timeline`), written by
    :func:`forensics.timeline.to_timesketch`: ``message`` ("time description: summary"),
    ``datetime`` (UTC, ``+00:00``), ``timestamp`` (microseconds since 1970, which Timesketch
    also reads), ``timestamp_desc`` (the time description), then every timeline column as an
    attribute: ``utc``, ``earliest``, ``latest`` (an interval is placed at its earliest bound,
    ``utc`` empty), ``source``, ``original``, ``zone``, ``zone_name``, ``precision``,
    ``evidence_id``, ``sha256``, ``parser``, ``data_type``, ``actor``, ``summary``,
    ``location``, ``lane``.
``export-info.json``
    What the files were made from (tool version, case number, custody head) and how many rows
    were written; every row left out (no time that can be placed: out of the range a timeline
    holds, or unreadable) with its evidence number, source, location and original text, and the
    stated times that could not be read at all.  The export's notes say the same counts.

The timeline is built without writing into the case (``record=False``): an export never
changes the case it reads.

Examples
--------
>>> import tempfile, pathlib
>>> from forensics.case import Case
>>> tmp = pathlib.Path(tempfile.mkdtemp())
>>> _ = (tmp / "chat.txt").write_text("2026-11-20 14:32 张三: 转发过五百了", encoding="utf-8")
>>> case = Case.init(tmp / "case")
>>> _ = case.add([tmp / "chat.txt"], progress=False)
>>> (tmp / "ts").mkdir()
>>> written = write_timesketch(case, tmp / "ts", progress=False)
>>> sorted(p.name for p in written.files)
['export-info.json', 'timeline.csv', 'timeline.jsonl']
>>> import json
>>> row = json.loads((tmp / "ts" / "timeline.jsonl").read_text(encoding="utf-8").splitlines()[0])
>>> row["timestamp_desc"], row["datetime"].endswith("+00:00"), row["evidence_id"]
('Acquired into case', True, 'E0001')
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from forensics import __version__
from forensics.errors import InputError, StorageError
from forensics.export import Written
from forensics.timeline import to_timesketch

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case

__all__ = ["CSV_NAME", "INFO_NAME", "JSONL_NAME", "LeftOut", "write_timesketch"]

#: The file names (Timesketch accepts only names ending in ``.jsonl`` or ``.csv``).
JSONL_NAME = "timeline.jsonl"
CSV_NAME = "timeline.csv"
INFO_NAME = "export-info.json"


@dataclass(frozen=True, slots=True)
class LeftOut:
    """A timeline row Timesketch cannot place: no earliest time."""

    evidence_id: str
    source: str
    location: str
    original: str

    def to_json(self) -> dict[str, str]:
        return {"evidence_id": self.evidence_id, "source": self.source,
                "location": self.location, "original": self.original}


def _left_out(df: pd.DataFrame) -> tuple[LeftOut, ...]:
    rows = df[df["earliest"].isna()]
    return tuple(LeftOut(str(r.evidence_id), str(r.source), str(r.location), str(r.original))
                 for r in rows.itertuples(index=False))


def write_timesketch(case: Case, dest: Path, *, progress: bool | None = None) -> Written:
    """Write the timeline of ``case`` in Timesketch's import form into the empty folder ``dest``.

    Parameters
    ----------
    case : Case
    dest : Path
        An existing, empty folder (:func:`forensics.export.export` makes it and logs the
        export: ``forensics export CASE --format timesketch DEST``).
    progress : bool, optional
        Progress bars while items are read (default: in a terminal or a notebook).

    Returns
    -------
    Written
        ``timeline.jsonl``, ``timeline.csv`` and ``export-info.json``; the notes give the rows
        written and, when there are any, how many rows were left out for want of a time and
        how many stated times could not be read.

    Raises
    ------
    InputError
        ``dest`` is not an empty folder; :class:`~forensics.errors.StorageError` when it cannot
        be written.
    """
    dest = Path(dest)
    if not dest.is_dir() or any(dest.iterdir()):
        raise InputError(f"{dest}: not an empty folder; the timeline is written into a new one")
    head = case.head
    df = case.timeline(progress=progress, record=False)
    left = _left_out(df)
    unread = [dict(u) for u in df.attrs.get("unread") or ()]
    out_of_range = [dict(u) for u in df.attrs.get("out_of_range") or ()]
    files = (dest / JSONL_NAME, dest / CSV_NAME, dest / INFO_NAME)
    try:
        rows = to_timesketch(df, files[0])
        to_timesketch(df, files[1])
        info = {
            "format": "timesketch",
            "tool": f"forensics {__version__}",
            "import_guide": "https://timesketch.org/guides/user/import-from-json-csv/",
            "case_number": case.metadata.case_number,
            "custody_head": {"seq": head.seq, "entry_sha256": head.entry_sha256}
            if head else None,
            "files": [JSONL_NAME, CSV_NAME],
            "timeline_rows": len(df),
            "rows_written": rows,
            "rows_left_out": [x.to_json() for x in left],
            "out_of_range": out_of_range,
            "times_not_read": unread,
        }
        files[2].write_text(json.dumps(info, ensure_ascii=False, indent=2, default=str) + "\n",
                            encoding="utf-8")
    except OSError as exc:
        for f in files:
            f.unlink(missing_ok=True)
        raise StorageError(dest, exc.strerror or str(exc)) from None
    notes = [f"{rows} of {len(df)} timeline rows written to {JSONL_NAME} and {CSV_NAME}"]
    if left:
        notes.append(f"{len(left)} row(s) without a time Timesketch can place were left out "
                     f"(out of range or unreadable; listed in {INFO_NAME})")
    if unread:
        notes.append(f"{len(unread)} stated time(s) could not be read and have no row "
                     f"(listed in {INFO_NAME})")
    return Written(files, tuple(notes))
