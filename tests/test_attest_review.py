"""Adversarial review of forensics.attest (issue 9): hash lists as real tools and offices write
them, hostile names, certificate edge cases, and a case left consistent when an import fails.

Each test states the defect it pins down (``BUG:``).  The Windows outputs are written as the
tools print them: ``certutil -hashfile`` (English and Chinese Windows, the older form with
spaces between the bytes), PowerShell's ``Get-FileHash`` as a table, a list and ``Export-Csv``,
and Windows PowerShell 5.1's ``>`` redirection, which writes UTF-16LE with a byte-order mark."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.attest import import_attestation, read_attestation
from forensics.case import Case
from forensics.cli import cli
from forensics.errors import AttestationError
from tests.conftest import case_holding

FILES = {"a.png": b"\x89PNG a", "b.txt": b"bee", "chat.txt": b"hello"}
A = hashlib.sha256(FILES["a.png"]).hexdigest()
B = hashlib.sha256(FILES["b.txt"]).hexdigest()


@pytest.fixture
def held(tmp_path: Path) -> tuple[Case, Path]:
    """A case holding three small files (a.png E0001, b.txt E0002, chat.txt E0003)."""
    return case_holding(tmp_path, FILES), tmp_path


def _log(case: Case) -> bytes:
    return (case.root / "custody.jsonl").read_bytes()


def _statuses(report) -> list[tuple[str, str | None]]:
    return [(m.status, m.evidence_id) for m in report.matches]


# --- lists as Windows offices write them ----------------------------------------------------

def test_a_powershell_utf16_list_is_read(held):
    """BUG: Windows PowerShell 5.1 writes `Get-FileHash ... > list.txt` (and `sha256sum` output
    redirected there) as UTF-16LE with a BOM; it was refused as "not text"."""
    case, tmp = held
    path = tmp / "SHA256SUMS.txt"
    path.write_bytes(f"{A}  a.png\r\n{B}  b.txt\r\n".encode("utf-16"))
    report = import_attestation(case, path)
    assert report.attestation.encoding == "utf-16"
    assert _statuses(report) == [("matched", "E0001"), ("matched", "E0002")]


def _spaced(hexdigest: str) -> str:
    return " ".join(hexdigest[i:i + 2] for i in range(0, len(hexdigest), 2))


@pytest.mark.parametrize("text", [
    # Windows 10/11, English
    f"SHA256 hash of C:\\证据\\a.png:\r\n{A}\r\nCertUtil: -hashfile command completed "
    "successfully.\r\n",
    # Windows 7: the bytes separated by spaces
    f"SHA256 hash of file C:\\证据\\a.png:\r\n{_spaced(A)}\r\nCertUtil: -hashfile command "
    "completed successfully.\r\n",
    # Chinese Windows (the console's code page: GBK)
    f"SHA256 的 C:\\证据\\a.png 哈希:\r\n{A}\r\nCertUtil: -hashfile 命令成功完成。\r\n",
])
def test_certutil_hashfile_output_is_a_sum_list(held, text):
    """BUG: `certutil -hashfile FILE SHA256` (what Chinese offices run on Windows) was refused:
    "line 1: not a digest line"."""
    case, tmp = held
    path = tmp / "hashes.txt"
    path.write_bytes(text.encode("gbk"))
    report = import_attestation(case, path)
    (m,) = report.matches
    assert (m.status, m.evidence_id, m.algorithm) == ("matched", "E0001", "sha256")
    assert m.listed.name == "C:\\证据\\a.png" and m.listed.line == 2


def test_certutil_output_of_several_files_and_a_mismatch_by_windows_name(held):
    """BUG (as above), and a certutil mismatch must be told by the file's name in a Windows
    path, loudly (mismatched, not missing)."""
    case, tmp = held
    wrong = hashlib.md5(b"other").hexdigest()
    text = (f"MD5 hash of D:\\取证\\a.png:\r\n{hashlib.md5(FILES['a.png']).hexdigest()}\r\n"
            "CertUtil: -hashfile command completed successfully.\r\n"
            f"MD5 hash of D:\\取证\\b.txt:\r\n{wrong}\r\n"
            "CertUtil: -hashfile command completed successfully.\r\n")
    (tmp / "md5.txt").write_text(text, encoding="utf-8")
    report = import_attestation(case, tmp / "md5.txt")
    assert _statuses(report) == [("matched", "E0001"), ("mismatched", "E0002")]


@pytest.mark.parametrize(("name", "text"), [
    ("hashes.txt",  # Get-FileHash's default table (Format-Table), upper-case hex
     "\r\nAlgorithm       Hash                                                                   "
     "Path\r\n---------       ----                                                              "
     "     ----\r\n"
     f"SHA256          {A.upper()}       C:\\证据\\a.png\r\n"
     f"SHA256          {B.upper()}       C:\\证据\\b.txt\r\n\r\n\r\n"),
    ("hashes-list.txt",  # Get-FileHash | Format-List
     f"\r\n\r\nAlgorithm : SHA256\r\nHash      : {A.upper()}\r\nPath      : C:\\证据\\a.png\r\n"
     f"\r\nAlgorithm : SHA256\r\nHash      : {B.upper()}\r\nPath      : C:\\证据\\b.txt\r\n\r\n"),
    ("hashes.csv",  # Get-FileHash | Export-Csv (Windows PowerShell 5.1 writes the #TYPE line)
     '#TYPE Microsoft.Powershell.Utility.FileHash\r\n"Algorithm","Hash","Path"\r\n'
     f'"SHA256","{A.upper()}","C:\\证据\\a.png"\r\n"SHA256","{B.upper()}","C:\\证据\\b.txt"\r\n'),
])
def test_get_filehash_output_is_a_sum_list(held, name, text):
    """BUG: PowerShell's `Get-FileHash` output (table, list or CSV) was refused."""
    case, tmp = held
    (tmp / name).write_bytes(text.encode("utf-16"))
    report = import_attestation(case, tmp / name)
    assert _statuses(report) == [("matched", "E0001"), ("matched", "E0002")]
    assert report.matches[0].listed.name == "C:\\证据\\a.png"
    assert report.attestation.kind == "sha256sum"


def test_a_failed_certutil_run_is_noted_and_a_header_without_digest_refused(held):
    """BUG (found with the certutil support): a `CertUtil: -hashfile command FAILED` line and a
    header left without its digest must not disappear silently."""
    _case, tmp = held
    text = (f"SHA256 hash of a.png:\r\n{A}\r\nCertUtil: -hashfile command completed "
            "successfully.\r\nCertUtil: -hashfile command FAILED: 0x80070002 (WIN32: 2 "
            "ERROR_FILE_NOT_FOUND)\r\n")
    (tmp / "h.txt").write_text(text, encoding="utf-8")
    a = read_attestation(tmp / "h.txt")
    assert len(a.digests) == 1
    assert any(n.startswith("line 4: certutil failed there") for n in a.notes)
    (tmp / "h2.txt").write_text(text + "SHA256 hash of b.txt:\r\n", encoding="utf-8")
    with pytest.raises(AttestationError, match="line 5: the last certutil header"):
        read_attestation(tmp / "h2.txt")


def test_a_truncated_get_filehash_table_is_refused_with_the_line(held):
    """A table PowerShell cut to the console's width ("...") cannot be trusted to hold whole
    digests: refused, naming the line, rather than read wrong."""
    _case, tmp = held
    text = ("Algorithm       Hash                            Path\r\n"
            "---------       ----                            ----\r\n"
            f"SHA256          {A[:30].upper()}...          C:\\证据\\a.png\r\n")
    (tmp / "cut.txt").write_text(text, encoding="utf-8")
    with pytest.raises(AttestationError, match=r"line 3: .*cut short"):
        read_attestation(tmp / "cut.txt")


def test_trailing_spaces_do_not_hide_a_mismatch(held):
    """BUG: a name with trailing blanks (typed lists, lists pasted from Word) was never found
    by name, so a digest the file in hand contradicts was reported as merely missing (low)
    instead of mismatched (high)."""
    case, tmp = held
    (tmp / "list.sha256").write_text(f"{'0' * 64}  b.txt  \t\n", encoding="utf-8")
    report = import_attestation(case, tmp / "list.sha256")
    assert _statuses(report) == [("mismatched", "E0002")]


# --- what the statement lists about itself and about the case -------------------------------

def test_a_list_that_lists_itself_is_no_mismatch(held):
    """BUG: a list made over a folder that held the list itself (`certutil` in a loop,
    `hashdeep -r .`) names its own file with a stale digest; the list, just brought into the
    case, was then found to "differ from the file attested": a false high finding."""
    case, tmp = held
    (tmp / "SHA256SUMS").write_text(f"{A}  a.png\n{'1' * 64}  SHA256SUMS\n", encoding="utf-8")
    report = import_attestation(case, tmp / "SHA256SUMS")
    assert report.document_ids == ("E0004",)
    assert _statuses(report) == [("matched", "E0001"), ("missing", None)]
    assert any("line 2 names the statement itself" in n for n in report.attestation.notes) \
        or "names the statement itself" in str(report)
    kinds = [f.kind for f in case.findings(progress=False)]
    assert "attested-digest-mismatch" not in kinds


def test_a_failure_while_matching_leaves_the_case_as_it_was(held):
    """BUG: with an algorithm the log does not hold (SHA-1), a stored original that had gone
    missing raised a bare FileNotFoundError (a traceback at the command line) *after* the list
    had been brought into the case: an item with no attest entry to say why it is there."""
    case, tmp = held
    stored = case.root / case.item("E0002").stored_as
    os.chmod(stored, 0o644)
    stored.rename(tmp / "away")
    (tmp / "SHA1SUMS").write_text(f"{hashlib.sha1(FILES['a.png']).hexdigest()}  a.png\n",
                                  encoding="utf-8")
    before = _log(case)
    with pytest.raises(AttestationError, match=r"E0002.*stored original.*forensics verify"):
        import_attestation(case, tmp / "SHA1SUMS")
    assert _log(case) == before and len(case.items) == 3
    result = CliRunner().invoke(cli, ["attest", "import", str(case.root), str(tmp / "SHA1SUMS")])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "E0002" in result.stderr


def test_hostile_names_are_shown_escaped(held):
    """BUG: a listed name with a right-to-left override or a line break (an escaped GNU name)
    was printed as it is: `evil\\u202egnp.exe` shows as "evilexe.png", and a line break forges
    a report line."""
    case, tmp = held
    text = (f"{'2' * 64}  evil\u202egnp.exe\n"
            f"\\{'3' * 64}  x\\nMATCHED: line 9 all good\n")
    (tmp / "SHA256SUMS").write_text(text, encoding="utf-8")
    report = import_attestation(case, tmp / "SHA256SUMS")
    shown = str(report)
    assert "\u202e" not in shown and "\\u202e" in shown
    assert not any(line.startswith("MATCHED") for line in shown.splitlines())
    assert report.matches[0].listed.name == "evil\u202egnp.exe"  # recorded as listed


# --- BagIt manifests --------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["data/../x.png", "/etc/passwd", "data/a/../../x"])
def test_a_manifest_path_outside_the_payload_is_refused(held, path):
    """BUG: a BagIt payload manifest listing `data/../x` (or an absolute path), which RFC 8493
    and bagit-python refuse, was read as if it were a payload file."""
    _case, tmp = held
    (tmp / "manifest-sha256.txt").write_text(f"{A}  data/a.png\n{B}  {path}\n",
                                             encoding="utf-8")
    with pytest.raises(AttestationError, match=r"line 2: .*outside the bag's payload"):
        read_attestation(tmp / "manifest-sha256.txt")


# --- certificates -------------------------------------------------------------------------------

def test_a_json_certificate_with_a_key_twice_is_refused(held):
    """BUG: `{"issuer": "A", ..., "issuer": "B"}` silently took the last value; which one the
    paper says cannot be told."""
    _case, tmp = held
    (tmp / "c.json").write_text(
        '{"issuer": "甲公证处", "digests": [{"algorithm": "sha256", "digest": "' + A + '"}], '
        '"issuer": "乙平台"}', encoding="utf-8")
    with pytest.raises(AttestationError, match="'issuer' given twice"):
        read_attestation(tmp / "c.json")


@pytest.mark.parametrize(("entry", "message"), [
    ({"algorithm": 256, "digest": A}, r"digests\[1\]: 'algorithm' must be text"),
    ({"algorithm": " ", "digest": A}, r"digests\[1\]: 'algorithm' must be text"),
    ({"algorithm": "sha256", "digest": A, "name": 7}, r"digests\[1\]: 'name' must be text"),
    ({"algorithm": "sha256", "digest": A, "size": -1}, r"digests\[1\]: 'size' must be"),
])
def test_certificate_digest_fields_of_the_wrong_type_are_refused(held, entry, message):
    """BUG: a number as the algorithm became the algorithm "256" (then "cannot be computed"),
    a blank one the algorithm "", a number as the name the name "7", a negative size was
    kept."""
    _case, tmp = held
    (tmp / "c.json").write_text(json.dumps({"issuer": "x", "digests": [entry]}),
                                encoding="utf-8")
    with pytest.raises(AttestationError, match=message):
        read_attestation(tmp / "c.json")


def test_certificate_block_height_as_text_and_a_digest_in_groups(held):
    """BUG: platforms' JSON gives the block height as a string ("1234567"), and certificates
    print digests in groups ("63c1 dd95 ..."); both were refused."""
    _case, tmp = held
    grouped = " ".join(A[i:i + 4] for i in range(0, 64, 4)).upper()
    (tmp / "c.json").write_text(json.dumps({
        "issuer": "某存证平台", "block_height": "1234567", "chain": "司法链",
        "digests": [{"algorithm": "SHA-256", "digest": grouped}]}, ensure_ascii=False),
        encoding="utf-8")
    a = read_attestation(tmp / "c.json")
    assert a.block_height == 1234567 and a.digests[0].digest == A
    (tmp / "d.json").write_text(json.dumps({
        "issuer": "x", "block_height": "12a", "digests": [{"algorithm": "md5",
                                                           "digest": "ab" * 16}]}),
        encoding="utf-8")
    with pytest.raises(AttestationError, match="'block_height' must be a whole number"):
        read_attestation(tmp / "d.json")


def test_a_toml_date_without_time_is_a_day(held):
    """A TOML date (`issued_at = 2026-11-21`) is a day: the events say so (precision day)."""
    case, tmp = held
    (tmp / "c.toml").write_text(
        f'issuer = "示例公证处"\nissued_at = 2026-11-21\n[[digests]]\nalgorithm = "sha256"\n'
        f'digest = "{A}"\n', encoding="utf-8")
    report = import_attestation(case, tmp / "c.toml")
    assert report.attestation.issued_at == "2026-11-21"
    rows = case.timeline(progress=False)
    mine = rows[(rows["source"] == "attest:certificate") & (rows["evidence_id"] == "E0001")]
    assert mine.iloc[0]["precision"] == "day"
