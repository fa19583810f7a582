"""The litigation appendix: the evidence list (证据目录) and the hash table, from the case.

This module holds the tables a lawyer files, built only from what the case records: the items,
their digests and their intake facts.  Nothing is invented: the "what it proves" column
(证明对象/目的) is the ``purpose`` the expert entered (at intake, or later with
``forensics facts``); an item without one says so in its remarks.

* :func:`evidence_list`: one row per item in the court's order and numbering (1, 2-1, 2-2...):
  序号, 证据名称, 证据来源, 证明对象/目的, 页码, 原件/复印件, 备注, then the evidence number and
  SHA-256 that tie the row to the hash table;
* :func:`hash_table`: one row per item: evidence number, name, size, SHA-256, SM3, MD5,
  acquisition time, capture time, original carrier, and whether the item is a copy that cannot
  stand alone (no original carrier: 证据规定 art. 15, 互联网法院规定 art. 11);
* :func:`write_csv`: the deterministic CSV form of a table (UTF-8 with a BOM for Excel, LF line
  ends, the same bytes for the same case).

* :func:`write_appendix`: the whole appendix (HTML, PDF and every table) into a folder, logged
  in one custody entry; :func:`write_tables` the tables alone.

Examples
--------
>>> from forensics.appendix import EVIDENCE_LIST_COLUMNS
>>> EVIDENCE_LIST_COLUMNS[:7]
('序号', '证据名称', '证据来源', '证明对象/目的', '页码', '原件/复印件', '备注')
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from forensics.errors import InputError
from forensics.intake import CATEGORIES

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from forensics.case import Case, Item

__all__ = [
    "APPENDIX_FILES",
    "CATEGORY_NAMES",
    "EVIDENCE_LIST_COLUMNS",
    "HASH_TABLE_COLUMNS",
    "TABLE_FILES",
    "evidence_list",
    "hash_table",
    "made_from_head",
    "write_appendix",
    "write_csv",
    "write_tables",
    "write_xlsx",
]

#: The columns of the evidence list: the seven of the court's form, then the two that tie each
#: row to the hash table.
EVIDENCE_LIST_COLUMNS = ("序号", "证据名称", "证据来源", "证明对象/目的", "页码", "原件/复印件", "备注",
                         "证据编号", "SHA-256")
HASH_TABLE_COLUMNS = ("evidence_id", "name", "size", "sha256", "sm3", "md5", "acquired_at",
                      "captured_at", "carrier", "copy_only")
#: 证据规定 art. 14 kinds, as the evidence list names them, in the order the list groups them.
CATEGORY_NAMES: Mapping[str, str] = {
    "post": "网络平台发布的信息",
    "message": "网络应用服务的通信信息",
    "record/log": "用户注册信息、身份认证信息、电子交易记录、通信记录、登录日志等信息",
    "file/media": "文档、图片、音频、视频、数字证书、计算机程序等电子文件",
    "other": "其他电子数据",
}
def _original(item: Item) -> str:
    has = item.facts.has_original_carrier
    if has is None:
        return "未说明 / not stated"
    if not has:
        return "复制件（无原始载体，不能单独作为定案依据）/ copy without an original carrier"
    return f"原件（原始载体：{item.facts.carrier.strip()}）/ original, on its carrier"


def _name(item: Item) -> str:
    f = item.facts
    what = " ".join(x for x in (f.platform, f.publisher) if x)
    return f"{what}：{item.name}" if what else item.name


def _source(item: Item) -> str:
    f = item.facts
    parts = []
    if f.captured_by or f.method:
        parts.append("".join(x for x in (f.captured_by, "以" if f.captured_by and f.method else "",
                                          f.method) if x) + ("取得" if f.captured_by else ""))
    if f.tool:
        parts.append(f"工具 {f.tool}")
    if f.url:
        parts.append(f.url)
    if item.extracted_from:
        parts.append(f"提取自 {item.extracted_from}（附件）/ extracted from {item.extracted_from}")
    return "；".join(parts) or "未说明 / not stated"


def _remarks(item: Item) -> str:
    f = item.facts
    parts = []
    if f.captured_at:
        parts.append(f"取证时间 {f.captured_at}")
    if f.displayed_time:
        parts.append(f"页面显示时间 {f.displayed_time}")
    if not f.purpose:
        parts.append("证明目的待鉴定人填写 / purpose not yet stated (forensics facts --purpose)")
    # handed over again by someone; a re-extraction from the same mail (a re-parse) is not
    again = sum(1 for s in item.sightings[1:]
                if not (item.extracted_from and s.source_path.startswith(f"{item.extracted_from}/")))
    if again:
        parts.append(f"同一内容另经提交 {again} 次 / handed over again {again}×")
    if f.note:
        parts.append(f.note)
    return "；".join(parts)


def _order(items: Sequence[Item], groups: Mapping[str, str] | None) -> list[tuple[str, Item]]:
    """(序号, item) in the court's order: the expert's groups when given (evidence number to
    group label, e.g. {"E0001": "1", "E0002": "1"}; groups in the order first named, the
    items not named after them), else one group per art. 14 kind in the order
    of :data:`CATEGORY_NAMES` (items without a kind last); an extracted attachment follows the
    item it came from.  A group of several items is numbered 1-1, 1-2, ...; a group of one is 1."""
    by_id = {it.evidence_id: it for it in items}
    if groups is not None:
        unknown = sorted(set(groups) - set(by_id))
        if unknown:
            raise InputError(f"groups name items that are not in the case: {', '.join(unknown)}")
        labels = list(dict.fromkeys(groups.values()))  # in the order the expert gave them
        missing = [e for e in by_id if e not in groups]
        key = {e: (labels.index(groups[e]), 0) for e in groups}
        key.update({e: (len(labels), 0) for e in missing})
    else:
        kinds = [*CATEGORIES, None]
        key = {e: (kinds.index(it.facts.category if it.facts.category in CATEGORIES else None), 0)
               for e, it in by_id.items()}
    def lineage(e: str) -> list[str]:  # the item's numbers from its outermost mail down
        chain = [e]
        while by_id[chain[-1]].extracted_from in by_id and len(chain) < 64:
            chain.append(str(by_id[chain[-1]].extracted_from))
        return chain[::-1]

    # attachments go with the item they came from, right after it (nested ones too)
    for e in by_id:
        top = lineage(e)[0]
        if top != e and (groups is None or e not in groups):
            key[e] = key[top]

    def id_key(e: str) -> tuple[int, str]:  # E0002 before E10000
        return (len(e), e)

    def rank(it: Item) -> tuple[object, ...]:
        return (key[it.evidence_id][0], *[id_key(x) for x in lineage(it.evidence_id)])

    ordered = sorted(items, key=rank)
    out: list[tuple[str, Item]] = []
    group_ids = [key[it.evidence_id][0] for it in ordered]
    number = 0
    for i, it in enumerate(ordered):
        g = group_ids[i]
        if i == 0 or g != group_ids[i - 1]:
            number += 1
            k = 0
        k += 1
        size = group_ids.count(g)
        out.append((f"{number}-{k}" if size > 1 else f"{number}", it))
    return out


def evidence_list(case: Case, *, groups: Mapping[str, str] | None = None) -> pd.DataFrame:
    """The evidence list (证据目录) of the case: :data:`EVIDENCE_LIST_COLUMNS`, one row per item.

    ``groups``: evidence number to group label, to number items as the court wants them
    (items of one label share a number: 2-1, 2-2); by default one group per kind of electronic
    data (证据规定 art. 14).  ``页码`` is left empty here: the PDF appendix fills it with the
    page of the item's exhibit.
    """
    import pandas as pd

    rows = []
    for seq, it in _order(case.items, groups):
        rows.append((seq, _name(it), _source(it), it.facts.purpose or "", "", _original(it),
                     _remarks(it), it.evidence_id, it.digests.sha256))
    return pd.DataFrame(rows, columns=list(EVIDENCE_LIST_COLUMNS), dtype=object)


def hash_table(case: Case) -> pd.DataFrame:
    """The hash table keyed to the evidence numbers: :data:`HASH_TABLE_COLUMNS`, in number
    order.  ``copy_only`` is ``yes`` for an item whose intake says it has no original carrier,
    ``no`` when a carrier is named, ``not stated`` when the intake says nothing."""
    import pandas as pd

    rows = []
    for it in case.items:
        d = it.digests
        has = it.facts.has_original_carrier
        rows.append((it.evidence_id, it.name, d.size, d.sha256, d.sm3, d.md5,
                     it.acquired_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), it.facts.captured_at or "",
                     (it.facts.carrier or "").strip(),
                     "not stated" if has is None else "no" if has else "yes"))
    return pd.DataFrame(rows, columns=list(HASH_TABLE_COLUMNS))


#: The tables :func:`write_tables` writes, by file name.
TABLE_FILES = ("evidence-list.csv", "evidence-list.xlsx", "hashes.csv", "timeline.csv",
               "timeline.xlsx", "findings.csv", "spread.csv")


def write_tables(case: Case, out: str | os.PathLike[str], *,
                 groups: Mapping[str, str] | None = None, progress: bool | None = None,
                 record: bool | None = None) -> dict[str, Path]:
    """Write the appendix's tables (:data:`TABLE_FILES`) into the folder ``out`` and record them
    in the custody log (an ``export`` entry with each file's SHA-256 and the custody head they
    were made from).  The same case gives the same bytes: the spreadsheets carry the case's
    creation date, not the time of writing.

    ``timeline`` is :meth:`Case.timeline` (every event with its time description, source,
    original text, zone and interval); ``findings`` the cross-checks; ``spread`` one row per
    post of :meth:`Case.spread`.  ``record``: log the export (default: when the case folder is
    writable and not a backup; a backup is read, never written to).  Returns the paths by name.
    :func:`write_appendix` writes these tables together with the HTML and PDF.
    """
    from forensics.artifacts import ensure_parsed, events_frame

    record = _may_record(case, record)
    folder = _out_folder(case, out)
    # parse first: parsing can extract attachments (new items), and every table must name the
    # same items and come from the same custody head
    ensure_parsed(case, progress=progress, rows=False, record=record)
    # the tables too: an item whose rows are missing is parsed again (and logged) now,
    # before the custody head this is made from is taken
    events_frame(case, progress=progress, record=record)
    case.refresh()
    head = made_from_head(case)
    written = _write_all(folder, _table_bytes(case, groups=groups, progress=progress,
                                                 record=record))
    if record:
        case.log_export("appendix tables", written, head=head,
                        evidence_ids=[it.evidence_id for it in case.items])
    return written


#: Every file :func:`write_appendix` writes, in this order.
APPENDIX_FILES = ("appendix.html", "appendix.pdf", *TABLE_FILES)


def write_appendix(case: Case, out: str | os.PathLike[str], *, lang: str = "both",
                   groups: Mapping[str, str] | None = None, pseudonymize: bool = False,
                   keep: Sequence[str] = (), frames: bool = True, parties: Sequence[str] = (),
                   progress: bool | None = None, record: bool | None = None) -> dict[str, Path]:
    """Write the whole litigation appendix into the folder ``out`` and log it in one entry.

    The files are :data:`APPENDIX_FILES`: ``appendix.html`` (one self-contained file),
    ``appendix.pdf`` (A4, all fonts embedded), the 证据目录 as CSV and XLSX, the hash table,
    the timeline (CSV, XLSX), the findings and the per-post spread table.  HTML and PDF are drawn
    from one content model (:func:`forensics.appendix_model.build_appendix`), so they say the
    same thing; the tables are those of :func:`write_tables`.

    Parameters
    ----------
    case : Case
    out : path
        The folder (created if missing); files of these names in it are replaced atomically.
    lang : {"both", "zh", "en"}
        Chinese then English, or one of them.
    groups : mapping, optional
        Evidence number to group label for the 证据目录's numbering (1-1, 1-2...).
    pseudonymize : bool
        Replace the names and ids of third parties (reposting accounts, chat participants, mail
        correspondents) by stable pseudonyms in every file written
        (:func:`forensics.pseudonyms.pseudonyms`); the mapping stays in the case.
    keep : sequence of str
        With ``pseudonymize``: names or ids needed for proof, kept as they are (the parties);
        the publishers the intake facts name are always kept.
    frames : bool
        Show screen recordings as frames at fixed intervals (:mod:`forensics.frames`).
    parties : sequence of str
        The parties, as the cover lists them (``"原告：张三"``).
    record : bool, optional
        Log the export (default: when the case is writable and not a backup).

    Returns
    -------
    dict of str to Path
        The files written, by name.

    Raises
    ------
    InputError
        Bad ``lang`` or ``groups``; no TrueType Chinese font for the PDF (the message names the
        font to install); ``record=True`` on a backup.

    Notes
    -----
    Writing the appendix twice gives the same bytes: the documents name the custody head they
    were made from (:func:`made_from_head`, which leaves out ``export`` entries such as the one
    this function writes), never the time of writing; that time is in the log entry.
    """
    from forensics.appendix_html import draw_html
    from forensics.appendix_model import LANGS, build_appendix
    from forensics.appendix_pdf import draw_pdf, pdf_fonts
    from forensics.artifacts import ensure_parsed, events_frame

    if lang not in LANGS:
        raise InputError(f"lang must be one of {', '.join(LANGS)}, not {lang!r}")
    record = _may_record(case, record)
    folder = _out_folder(case, out)
    fonts = pdf_fonts()  # before anything is written: a missing font fails first
    ensure_parsed(case, progress=progress, rows=False, record=record)
    # the tables too: an item whose rows are missing is parsed again (and logged) now,
    # before the custody head this is made from is taken
    events_frame(case, progress=progress, record=record)
    case.refresh()
    pz = None
    if pseudonymize:
        from forensics.pseudonyms import pseudonyms

        pz = pseudonyms(case, keep=keep, progress=progress)
    head = made_from_head(case)
    model = build_appendix(case, lang=lang, groups=groups, pseudonymize=pz,
                           frames=_recording_frames if frames else None, parties=parties,
                           progress=progress, record=record)
    files = {"appendix.html": draw_html(model),
             "appendix.pdf": draw_pdf(model, fonts=fonts, progress=progress)}
    files.update(_table_bytes(case, groups=groups, progress=progress, record=record,
                              pseudonymize=pz))
    written = _write_all(folder, files)
    if record:
        params: dict[str, object] = dict(model.params)
        from forensics.appendix_model import _font_file

        params.update({f"font.{name}": f"{Path(path).name} sha256:{_font_file(path)}"
                       for name, path, _ in fonts.files})
        case.log_export("appendix", written, head=head, params=params,
                        evidence_ids=[it.evidence_id for it in case.items])
    return written


def made_from_head(case: Case):  # -> forensics.custody.Entry | None
    """The custody entry an appendix is made from: the last one that is not an ``export`` or
    ``derived`` entry.

    Exports only record files written from the case, and ``derived`` entries data kept in it
    for reuse (parsed tables, figures); leaving them out lets the same case give the same
    appendix however often it is written.

    >>> import tempfile, pathlib
    >>> from forensics.case import Case
    >>> case = Case.init(pathlib.Path(tempfile.mkdtemp()) / "c")
    >>> made_from_head(case).action
    'init'
    """
    from forensics.custody import Action

    for e in reversed(case.log.entries()):
        if e.action not in (Action.EXPORT, Action.DERIVED):
            return e
    return None


def _may_record(case: Case, record: bool | None) -> bool:
    from forensics.artifacts import _writable

    if record is None:  # a backup or read-only media: written, never logged into
        return _writable(case)
    if record and not _writable(case):
        raise InputError(f"{case.root} is a backup or read-only: its custody log is not written "
                         f"to; write the appendix from the case itself")
    return record


def _recording_frames(case: Case, item: Item) -> list[tuple[float, bytes]]:
    """Frames of a screen recording for the appendix (none for other items)."""
    from forensics.errors import IntegrityError
    from forensics.frames import frames_for, is_recording

    if not is_recording(item.name, None):
        return []
    try:
        # up to twelve frames spread over the recording, at least a second apart
        return [(f.seconds, f.png) for f in frames_for(case, item, every=1.0, limit=12)]
    except IntegrityError:
        raise InputError(f"{item.evidence_id}: the stored copy does not match its SHA-256; run "
                         f"forensics verify {case.root}") from None


def _table_bytes(case: Case, *, groups: Mapping[str, str] | None, progress: bool | None,
                 record: bool, pseudonymize: Callable[[str], str] | None = None
                 ) -> dict[str, bytes]:
    """The bytes of every file of :data:`TABLE_FILES` (pseudonymized when asked)."""
    from forensics.appendix_model import pseudonymized_frame

    created = _case_date(case)
    ev = evidence_list(case, groups=groups)
    timeline = case.timeline(progress=progress, record=record)
    analysis = case.spread(progress=progress, record=record)
    findings = case.findings(progress=progress, record=record).to_frame()
    spread = analysis.flat_posts()
    hashes = hash_table(case)
    if pseudonymize is not None:
        ev, timeline, findings, spread, hashes = (
            pseudonymized_frame(df, pseudonymize) for df in (ev, timeline, findings, spread, hashes))
    form = _form_lines(case)
    return {
        "evidence-list.csv": write_csv(ev),
        "evidence-list.xlsx": write_xlsx(ev, sheet="证据目录", created=created,
                                         above=form[0], below=form[1]),
        "hashes.csv": write_csv(hashes),
        "timeline.csv": write_csv(_timeline_text(timeline)),
        "timeline.xlsx": write_xlsx(timeline, sheet="timeline", created=created),
        "findings.csv": write_csv(findings),
        "spread.csv": write_csv(spread),
    }


def _out_folder(case: Case, out: str | os.PathLike[str]) -> Path:
    """``out`` checked before anything is made: a folder (or none yet), outside the case
    folder except under its ``reports/`` (files in the store would be unexplained there)."""
    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise InputError(f"{folder} is a file, not a folder; name a folder for the appendix")
    root = case.root.resolve()
    where = folder.resolve()
    inside = where == root or root in where.parents
    if inside and where.relative_to(root).parts[:1] != ("reports",):
        raise InputError(f"{folder} is inside the case folder {root}; write the appendix outside "
                         f"it, or under {root / 'reports'}")
    return folder


def _write_all(folder: Path, files: Mapping[str, bytes]) -> dict[str, Path]:
    from forensics.durable import atomic_write

    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"{folder}: the folder cannot be made ({exc.strerror or exc}); name "
                         f"another") from None
    written = {}
    for name, data in files.items():
        atomic_write(folder / name, data)
        written[name] = folder / name
    return written


def _form_lines(case: Case) -> tuple[list[str], list[str]]:
    """The lines of the court's form around the evidence list (证据规定 art. 19: the list is
    signed and dated by the party): above, the title and case number; below, the party's
    signature and date lines, left to fill by hand."""
    meta = case.metadata
    above = ["证据目录 / Evidence list",
             f"案号 / case number：{meta.case_number or '＿＿＿＿'}",
             f"案件 / case：{meta.title or '＿＿＿＿'}",
             "提交人（当事人）/ party：＿＿＿＿＿＿＿＿"]
    below = ["提交人签名（盖章）/ signature：＿＿＿＿＿＿＿＿",
             "日期 / date：＿＿＿＿年＿＿月＿＿日"]
    return above, below


def _timeline_text(df: pd.DataFrame) -> pd.DataFrame:
    """The timeline with its times as ISO 8601 UTC text (``…Z``), for the CSV."""
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.DatetimeTZDtype):
            s = out[c].dt.tz_convert("UTC")
            out[c] = s.dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ").where(s.notna(), "")
    return out


def _case_date(case: Case) -> datetime:
    """The case's creation time: the document date of its spreadsheets."""
    try:
        return datetime.fromisoformat(case.metadata.created_at.replace("Z", "+00:00"))
    except (AttributeError, ValueError):
        return datetime(2000, 1, 1, tzinfo=UTC)


def write_xlsx(df: pd.DataFrame, path: str | os.PathLike[str] | None = None, *,
               sheet: str = "Sheet1", created: datetime | None = None,
               above: Sequence[str] = (), below: Sequence[str] = ()) -> bytes:
    """The table as an Excel workbook (xlsxwriter): the same bytes for the same table.

    The document date is ``created`` (give a date that belongs to the case, such as its creation
    time; default 2000-01-01), never the time of writing, which the custody log records instead.
    Text is written as text (an id such as ``4882123456789012`` keeps every digit; so is an
    integer beyond what a spreadsheet number holds exactly, 2**53), times as ISO 8601 text; the
    header row is frozen.  ``above``/``below``: lines of text before and after the table (a
    form's title, case number, signature and date lines).  A text longer than a cell holds
    (32,767 characters) is refused with :class:`~forensics.errors.InputError` naming its row
    and column, never cut.  Written atomically to ``path`` when given.
    """
    import pandas as pd
    import xlsxwriter

    from forensics.durable import atomic_write

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "remove_timezone": True,
                                   "strings_to_numbers": False, "strings_to_formulas": False,
                                   "strings_to_urls": False})
    wb.set_properties({"created": (created or datetime(2000, 1, 1, tzinfo=UTC))
                       .astimezone(UTC).replace(tzinfo=None),
                       "comments": "forensics appendix table"})
    ws = wb.add_worksheet(sheet[:31])
    head = wb.add_format({"bold": True})
    for r, line in enumerate(above):
        ws.write_string(r, 0, line)
    top = len(above)
    for c, name in enumerate(df.columns):
        ws.write_string(top, c, str(name), head)
    for c, name in enumerate(df.columns):
        col = df[name]
        if isinstance(col.dtype, pd.DatetimeTZDtype):
            values = [None if pd.isna(x) else pd.Timestamp(x).tz_convert("UTC").isoformat()
                      .replace("+00:00", "Z") for x in col]
        else:
            values = col.astype(object).tolist()
        for r, v in enumerate(values, start=top + 1):
            if v is None or v is pd.NA or (isinstance(v, float) and v != v) or v is pd.NaT:
                continue
            if isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif (isinstance(v, int) and abs(v) <= 2**53) or isinstance(v, float):
                ws.write_number(r, c, v)
            else:
                text = v.isoformat() if isinstance(v, datetime) else str(v)
                if len(text) > 32767:
                    raise InputError(f"{sheet}: row {r - top}, column {df.columns[c]!r} holds "
                                     f"{len(text)} characters, more than a spreadsheet cell "
                                     f"takes (32,767); use the CSV, which keeps it whole")
                ws.write_string(r, c, text)
    for r, line in enumerate(below, start=top + len(df) + 2):
        ws.write_string(r, 0, line)
    ws.freeze_panes(top + 1, 0)
    wb.close()
    data = buf.getvalue()
    if path is not None:
        atomic_write(path, data)
    return data


#: A spreadsheet takes a cell that starts with one of these for a formula (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _formula_safe(df: pd.DataFrame) -> pd.DataFrame:
    """Text cells that a spreadsheet would run as a formula get a leading ``'`` (OWASP's CSV
    injection guard): captured names and texts are written by the other side."""
    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or str(out[c].dtype) in ("str", "string"):
            out[c] = out[c].map(lambda v: f"'{v}" if isinstance(v, str) and v.startswith(
                _FORMULA_START) else v)
    return out


def write_csv(df: pd.DataFrame, path: str | os.PathLike[str] | None = None) -> bytes:
    """The table as CSV (UTF-8 with a BOM, LF line ends, no index): the same bytes for the same
    table.  A text cell starting with ``= + - @`` (or a tab) gets a leading ``'`` so that a
    spreadsheet shows it rather than runs it.  Written atomically to ``path`` when given; the
    bytes are returned either way.

    >>> import pandas as pd
    >>> write_csv(pd.DataFrame({"序号": ["1"], "证据名称": ["截图"]}))
    b'\\xef\\xbb\\xbf\\xe5\\xba\\x8f\\xe5\\x8f\\xb7,\\xe8\\xaf\\x81\\xe6\\x8d\\xae\\xe5\\x90\\x8d\\xe7\\xa7\\xb0\\n1,\\xe6\\x88\\xaa\\xe5\\x9b\\xbe\\n'
    """
    from forensics.durable import atomic_write

    buf = io.StringIO()
    _formula_safe(df).to_csv(buf, index=False, lineterminator="\n")
    data = buf.getvalue().encode("utf-8-sig")
    if path is not None:
        atomic_write(path, data)
    return data
