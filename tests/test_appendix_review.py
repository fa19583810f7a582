"""Review of the appendix tables and `forensics facts` (issue 7, first part): reproducers.

Each test names what the issue, LEGAL.md or the README promises and the smallest input that broke
it.  Inputs are invented here (mails, repost lists in the documented form of
docs/formats/reposts.md, hostile names).
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from pathlib import Path

import pandas as pd
from click.testing import CliRunner

from forensics.appendix import evidence_list, hash_table, write_csv, write_tables, write_xlsx
from forensics.case import Case
from forensics.cli import cli
from forensics.custody import Action, EntryDraft
from forensics.errors import ForensicsError
from forensics.intake import IntakeFacts
from forensics.integrity import compare
from tests.test_appendix import EML as MAIL  # the one multipart mail with an attachment

INNER = ("From: c@example.com\nTo: d@example.com\nSubject: inner\n"
         "Date: Fri, 20 Nov 2026 14:00:00 +0800\nMIME-Version: 1.0\n"
         "Content-Type: multipart/mixed; boundary=\"C\"\n\n--C\nContent-Type: text/plain\n\n"
         "inner body\n--C\nContent-Type: text/plain; name=\"deep.txt\"\n"
         "Content-Disposition: attachment; filename=\"deep.txt\"\n\ndeep attachment\n--C--\n")
NESTED = ("From: a@example.com\nTo: b@example.com\nSubject: outer\n"
          "Date: Fri, 20 Nov 2026 15:02:11 +0800\nMIME-Version: 1.0\n"
          "Content-Type: multipart/mixed; boundary=\"B\"\n\n--B\nContent-Type: text/plain\n\n"
          "see attached\n--B\nContent-Type: message/rfc822; name=\"inner.eml\"\n"
          "Content-Disposition: attachment; filename=\"inner.eml\"\n\n" + INNER
          + "--B\nContent-Type: text/plain; name=\"note.txt\"\n"
          "Content-Disposition: attachment; filename=\"note.txt\"\n\nattached note\n--B--\n")

HEADER = "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id\n"
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection: leading characters


def _cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def _mail_case(case: Case, tmp_path: Path, **kw) -> Case:
    m = tmp_path / "mail.eml"
    m.write_text(MAIL, encoding="utf-8")
    case.add([m], facts=IntakeFacts(category="message", carrier="none",
                                    captured_at="2026-11-21T09:15:00+08:00"),
             progress=False, **kw)
    return case


# --- (1) content of the evidence list -----------------------------------------------------------

def test_write_tables_evidence_list_and_hashes_name_the_same_items(case, tmp_path):
    """A mail added with --no-parse: write_tables builds the evidence list *before* the timeline
    parses the mail and extracts its attachment, and the hash table *after*; the two files
    filed together then list different items (and a second run gives another evidence list)."""
    _mail_case(case, tmp_path, parse=False)
    w = write_tables(case, tmp_path / "out", progress=False)
    ev = pd.read_csv(w["evidence-list.csv"], dtype=str, encoding="utf-8-sig")
    ht = pd.read_csv(w["hashes.csv"], dtype=str, encoding="utf-8-sig")
    assert sorted(ev["证据编号"]) == sorted(ht["evidence_id"])


def test_a_captured_at_correction_does_not_make_attachments_handed_over_again(case, tmp_path):
    """`forensics facts --captured-at` on a mail re-parses it; the re-extraction logs a
    `seen-again` for every attachment, and the evidence list then states in 备注 that the
    attachment was "handed over again" (同一内容另经提交 N 次) although nobody handed anything."""
    _mail_case(case, tmp_path)
    case.events(progress=False)
    for day in (22, 23):
        case.set_facts(["E0001"], captured_at=f"2026-11-{day}T09:15:00+08:00")
        case.events(progress=False)
    remark = evidence_list(case).set_index("证据编号").at["E0002", "备注"]
    assert "另经提交" not in remark and "handed over again" not in remark, remark


def test_an_attachment_keeps_the_capture_time_of_its_mail_after_a_correction(case, tmp_path):
    """The attachment took its intake facts from the mail when extracted; after the mail's
    captured_at is corrected the attachment still shows the old time (the seen-again entry the
    re-parse logged even records the new one), so the list shows two capture times for one mail."""
    _mail_case(case, tmp_path)
    case.set_facts(["E0001"], captured_at="2026-11-22T09:15:00+08:00")
    case.events(progress=False)
    ht = hash_table(case).set_index("evidence_id")
    assert ht.at["E0002", "captured_at"] == ht.at["E0001", "captured_at"]


def test_a_nested_attachment_follows_its_mail_not_an_unrelated_item(case, tmp_path):
    """`forensics add CASE mail.eml chat.txt`: the attachment of the attached mail (deep.txt,
    E0005) is sorted by its direct parent's number and lands after the unrelated chat."""
    m = tmp_path / "mail.eml"
    m.write_text(NESTED, encoding="utf-8")
    chat = tmp_path / "chat.txt"
    chat.write_text("2026-11-20 14:32 李四: hi", encoding="utf-8")
    case.add([m, chat], facts=IntakeFacts(category="message"), progress=False)
    order = list(evidence_list(case)["证据编号"])
    family = {it.evidence_id for it in case.items if it.evidence_id != "E0002"}
    positions = sorted(order.index(e) for e in family)
    assert positions == list(range(positions[0], positions[0] + len(family))), order


def test_hash_table_does_not_say_not_a_copy_when_the_carrier_was_never_stated(case, tmp_path):
    """STYLE 4 / LEGAL 4: "not checked" never reads as "passed".  The evidence list says
    未说明 for an item without a stated carrier, but the hash table says copy_only=False,
    the same as for an item whose original carrier is named."""
    f = tmp_path / "a.txt"
    f.write_text("a", encoding="utf-8")
    case.add([f], progress=False)
    copy_only = hash_table(case).at[0, "copy_only"]
    assert pd.isna(copy_only) or copy_only not in (False, "False"), copy_only


def test_original_or_copy_column_answers_original_or_copy(case, tmp_path):
    """Column 原件/复印件 (LEGAL 16; 证据规定 art. 15: data with its original carrier is the
    original).  With a carrier the cell reads "原始载体：… / original carrier kept": it never
    says 原件, and "kept" states a custody fact the intake never recorded."""
    f = tmp_path / "a.txt"
    f.write_text("a", encoding="utf-8")
    case.add([f], facts=IntakeFacts(carrier="iPhone 13 F2LX"), progress=False)
    cell = evidence_list(case).at[0, "原件/复印件"]
    assert cell.startswith("原件"), cell


def test_evidence_list_xlsx_has_case_number_and_signature_and_date_lines(case, tmp_path):
    """LEGAL 16 and issue 7 (2): the 证据目录 carries case number, party, signature and date
    lines (证据规定 art. 19: signed and dated).  evidence-list.xlsx has only the table."""
    _mail_case(case, tmp_path)
    w = write_tables(case, tmp_path / "out", progress=False)
    with zipfile.ZipFile(w["evidence-list.xlsx"]) as z:
        strings = z.read("xl/sharedStrings.xml").decode()
    assert case.metadata.case_number in strings
    assert "签" in strings and "日期" in strings


# --- (2) custody semantics of `facts` -----------------------------------------------------------

def test_set_facts_records_the_value_it_really_replaces(case, tmp_path):
    """Two processes setting the same fact: every entry's `replaced` must be the value the
    entry before it set (the old values are read under the lock that appends)."""
    import subprocess
    import sys

    f = tmp_path / "a.txt"
    f.write_text("a", encoding="utf-8")
    case.add([f], facts=IntakeFacts(purpose="P0"), progress=False)
    code = ("import sys\nfrom forensics.case import Case\nc = Case.open(sys.argv[1])\n"
            "for i in range(15):\n    c.set_facts(['E0001'], purpose=f'{sys.argv[2]}{i}')\n")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(case.root), who])
             for who in ("A", "B")]
    assert all(p.wait(timeout=120) == 0 for p in procs)
    entries = [e for e in Case.open(case.root).log.entries() if e.action == "facts"]
    assert len(entries) == 30
    previous = "P0"
    for e in entries:
        assert e.details["replaced"]["purpose"] == previous, (e.seq, e.details)
        previous = e.details["facts"]["purpose"]


def test_write_tables_on_a_backup_does_not_make_it_diverge(case, tmp_path):
    """Reading a backup never logs into it (integrity.BACKUP_MARKER); write_tables does (its
    export entry), and `verify --against` then reports the backup as differing from the case."""
    _mail_case(case, tmp_path)
    case.events(progress=False)
    case.backup(tmp_path / "bk")
    write_tables(Case.open(tmp_path / "bk"), tmp_path / "out", progress=False)
    assert compare(case, tmp_path / "bk") == ()


def test_verify_reports_instead_of_crashing_on_a_facts_entry_it_cannot_apply(case, tmp_path):
    """`IntakeFacts.updated` promises to pass over what a later version writes; a chained
    `facts` entry with a value this version refuses (a new category) makes every command crash
    with a ValueError traceback, `forensics verify` included."""
    f = tmp_path / "a.txt"
    f.write_text("a", encoding="utf-8")
    case.add([f], progress=False)
    case.log.append([EntryDraft(Action.FACTS, evidence=(case.item("E0001").ref,),
                                details={"facts": {"category": "document"}, "replaced": {}})])
    result = CliRunner().invoke(cli, ["verify", str(case.root), "--no-record"])
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        repr(result.exception))
    assert result.exit_code in (0, 1, 2)


# --- (3) hostile strings and spreadsheets ----------------------------------------------------------

def test_csv_tables_do_not_start_cells_with_formula_characters(case, tmp_path):
    """OWASP CSV injection: Excel runs a CSV cell that starts with = + - @.  A publisher name
    or a file name is attacker-written and reaches the start of 证据名称 / name unguarded."""
    for name, facts in (('=HYPERLINK("evil.example","x").txt', IntakeFacts()),
                        ("b.txt", IntakeFacts(publisher="@SUM(1+1)*cmd|' /C calc'!A0")),
                        ("c.txt", IntakeFacts(url="+cmd|' /C calc'!A0", purpose="-2+3"))):
        f = tmp_path / name
        f.write_text(name, encoding="utf-8")
        case.add([f], facts=facts, progress=False)
    for data in (write_csv(evidence_list(case)), write_csv(hash_table(case))):
        bad = [c for c in _cells(data) if c.startswith(DANGEROUS)]
        assert not bad, bad
        assert "HYPERLINK" in data.decode("utf-8-sig")  # guarded, not dropped


def test_timeline_csv_does_not_start_cells_with_formula_characters(case, tmp_path):
    """Account names and post texts in a platform's repost list are attacker-written; they
    start the actor and summary cells of timeline.csv."""
    f = tmp_path / "reposts.csv"
    f.write_text(HEADER + 'P1,1,"=HYPERLINK(""http://evil.example/"",""x"")",,2026-11-20 10:00,'
                 "=cmd|' /C calc'!A0,1,R0,\n"
                 "P1,2,@SUM(1),1,2026-11-20 10:05,转发,1,R1,R0\n", encoding="utf-8")
    case.add([f], facts=IntakeFacts(captured_at="2026-11-20T16:00:00+08:00"), progress=False)
    w = write_tables(case, tmp_path / "out", progress=False)
    bad = [c for c in _cells(w["timeline.csv"].read_bytes()) if c.startswith(("=", "@"))]
    assert not bad, bad


def test_write_xlsx_does_not_cut_long_text_silently():
    """xlsxwriter cuts a string past 32,767 characters and returns -2, which write_xlsx ignores:
    evidence text would be lost without a word.  Refuse, or keep every character."""
    text = "证" * 40000 + "END"
    try:
        data = write_xlsx(pd.DataFrame({"text": [text]}))
    except ForensicsError:
        return
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        assert "END" in z.read("xl/sharedStrings.xml").decode()


def test_write_xlsx_keeps_every_digit_of_an_integer_id():
    """The docstring promises an id keeps every digit; an integer column (a post id read
    without dtype=str) is written as a double: 4882123456789012345 -> 4.882123456789012E+18."""
    data = write_xlsx(pd.DataFrame({"post_id": [4882123456789012345]}))
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        xml += z.read("xl/sharedStrings.xml").decode() if "xl/sharedStrings.xml" in z.namelist() \
            else ""
    assert re.search(r">4882123456789012345<", xml), xml[-400:]
