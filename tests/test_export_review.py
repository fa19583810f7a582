"""Adversarial review of the BagIt and verify-kit exports (issue 9): a kit made from a case with
every kind of custody entry, Unicode (NFC and NFD) and empty files, an attachment extracted from
an e-mail, checked by its own script under ``python -I -S`` from another folder on a path with
spaces and Chinese, and tampered with one way at a time.  Each test states the defect it pins
down (``BUG:``) or, for what already held, what it guards."""

from __future__ import annotations

import collections
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest

from forensics.case import Case
from forensics.custody import Action, EntryDraft
from forensics.errors import IntegrityError
from forensics.export import export

EML = (b"From: a@example.com\r\nSubject: hi\r\nMIME-Version: 1.0\r\n"
       b"Content-Type: multipart/mixed; boundary=XX\r\n\r\n--XX\r\nContent-Type: text/plain\r\n\r\n"
       b"body\r\n--XX\r\nContent-Type: image/png\r\n"
       b"Content-Disposition: attachment; filename=\"\xe5\x9b\xbe.png\"\r\n"
       b"Content-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--XX--\r\n")


@pytest.fixture(scope="module")
def rich(tmp_path_factory) -> tuple[Case, Path]:
    """A case whose log holds every kind of entry the package writes in a normal run, and its
    verify kit in a folder whose path has spaces and Chinese."""
    tmp = tmp_path_factory.mktemp("rich") / "审查 目录"
    src = tmp / "src"
    src.mkdir(parents=True)
    (src / "caf\u00e9.txt").write_bytes(b"nfc")  # NFC
    (src / "cafe\u0301.txt").write_bytes(b"nfd")  # NFD: another name, another item
    (src / "empty.bin").write_bytes(b"")
    (src / "mail.eml").write_bytes(EML)
    case = Case.init(tmp / "case", title="审查", case_number="(2026)测9号", examiner="王鉴定")
    case.add(sorted(src.iterdir()))
    case.add([src / "empty.bin"], parse=False)  # seen again
    case.verify()
    case.record([EntryDraft(Action.NOTE, details={"text": "备注 \u202e rtl"})])
    case.set_facts(["E0001"], purpose="测试")
    (tmp / "SHA256SUMS").write_text(case.item("E0001").digests.sha256 + "  x.txt\n",
                                    encoding="utf-8")
    case.attest(tmp / "SHA256SUMS", issued_at="2026-11-21 15:00")
    case.anchor()
    from forensics.tsp import request_item

    request_item(case, "E0001")
    case.backup(tmp / "backup")
    export(case, "verify-kit", tmp / "套件 kit", progress=False)
    return case, tmp / "套件 kit"


def run_verify(kit: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-I", "-S", str(kit / "verify.py"), str(kit)],
                          cwd=cwd, capture_output=True, text=True, encoding="utf-8",
                          timeout=120, check=False)


def problems(done: subprocess.CompletedProcess[str]) -> list[str]:
    return [line.split(" / ", 1)[-1] for line in done.stdout.splitlines()
            if line.startswith("[问题 PROBLEM]")]


@pytest.fixture
def copy(rich, tmp_path) -> Path:
    """A writable copy of the rich kit."""
    _, kit = rich
    dest = tmp_path / "副本 copy"
    shutil.copytree(kit, dest)
    for p in dest.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)
    return dest


def test_the_rich_case_kit_passes_both_checkers(rich, tmp_path):
    """Guards: every entry kind, NFC and NFD names, an empty file and an extracted attachment
    pass bagit-python and verify.py (isolated, no site, from another folder)."""
    case, kit = rich
    actions = collections.Counter(json.loads(x)["action"] for x in
                                  (kit / "custody" / "custody.jsonl").read_text("utf-8")
                                  .splitlines())
    assert {"init", "acquire", "seen-again", "parse", "verify", "note", "facts", "attest",
            "anchor", "timestamp", "backup"} <= set(actions)
    assert any(it.extracted_from for it in case.items)
    assert bagit.Bag(str(kit)).validate() is True
    done = run_verify(kit, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "RESULT: PASSED" in done.stdout


def test_a_manifest_that_is_not_utf8_is_a_problem_not_a_traceback(copy, tmp_path):
    """BUG: one byte of a manifest made invalid UTF-8 crashed verify.py with a
    UnicodeDecodeError traceback instead of naming the file."""
    path = copy / "manifest-sha512.txt"
    path.write_bytes(b"\xff" + path.read_bytes()[1:])
    done = run_verify(copy, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "manifest-sha512.txt: not UTF-8 text" in problems(done)


def test_a_tag_manifest_that_is_not_utf8_is_a_problem(copy, tmp_path):
    """BUG: as above, for a tag manifest."""
    path = copy / "tagmanifest-sha256.txt"
    path.write_bytes(path.read_bytes() + b"\xfe\n")
    done = run_verify(copy, tmp_path)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert "tagmanifest-sha256.txt: not UTF-8 text" in problems(done)


def test_a_damaged_bag_info_is_a_problem_exit_1(copy, tmp_path):
    """BUG: a byte of bag-info.txt made invalid UTF-8 stopped the check with "CANNOT RUN"
    (exit 2, "not a kit"), when the kit is there and was tampered with (exit 1)."""
    path = copy / "bag-info.txt"
    path.write_bytes(path.read_bytes().replace(b"Bagging-Date", b"Bagging\xff-Date"))
    done = run_verify(copy, tmp_path)
    assert done.returncode == 1, done.stdout
    found = problems(done)
    assert "bag-info.txt: not UTF-8 text" in found
    assert any(p.startswith("bag-info.txt: changed: sha256") for p in found)


@pytest.mark.parametrize("rel", ["custody/extra.txt", "custody/anchors/anchor-99999999.json",
                                 "openssl.bat", "evidence-list-2.csv"])
def test_a_file_added_outside_data_is_named(copy, tmp_path, rel):
    """BUG: a file added to the kit outside data/ (a forged anchor or token in
    custody/anchors, a program beside verify.py) was in no manifest and went unmentioned:
    the kit "PASSED" (an added anchor was even reported as matching)."""
    (copy / rel).write_text('{"seq": 1, "entry_sha256": "x"}\n', encoding="utf-8")
    done = run_verify(copy, tmp_path)
    assert done.returncode == 1, done.stdout
    assert f"{rel}: in no tag manifest (added after the kit was made?)" in problems(done)


@pytest.mark.parametrize("rel", [".DS_Store", "data/E0001/.DS_Store", "custody/Thumbs.db",
                                 "._verify.py", "data/E0003/._empty.bin", "desktop.ini"])
def test_files_the_operating_system_makes_are_said_not_failed(copy, tmp_path, rel):
    """What the fix above must not break: Finder writes .DS_Store into a folder it shows, and
    ._* files beside each file copied to a USB stick; Windows writes Thumbs.db and
    desktop.ini.  They are not part of the kit: named as ignored, the kit still passes (and
    they do not count in Payload-Oxum)."""
    (copy / rel).write_bytes(b"\x00\x00\x00\x01Bud1")
    done = run_verify(copy, tmp_path)
    assert done.returncode == 0, done.stdout
    assert f"{rel}: ignored (made by the operating system, not part of the kit)" in done.stdout


def test_each_kind_of_tampering_is_named_exactly(copy, tmp_path):
    """Guards: a payload byte, the head in bag-info, a custody line, a deleted tag file and an
    extra payload file are each named, exit 1."""
    (payload,) = (copy / "data" / "E0001").iterdir()
    payload.write_bytes(b"X" + payload.read_bytes()[1:])
    info = copy / "bag-info.txt"
    info.write_text(info.read_text("utf-8").replace("Forensics-Custody-Head: ",
                                                    "Forensics-Custody-Head: 1"), "utf-8")
    log = copy / "custody" / "custody.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[2] = lines[2].replace(b'"size":', b'"size": ', 1)
    log.write_bytes(b"\n".join(lines))
    (copy / "evidence-list.csv").unlink()
    (copy / "data" / "E0002" / "extra.txt").write_bytes(b"x")
    done = run_verify(copy, tmp_path)
    found = problems(done)
    rel = payload.relative_to(copy).as_posix()
    assert done.returncode == 1
    assert any(p.startswith(f"{rel}: sha256 mismatch: expected=") for p in found)
    assert any(p.startswith("custody head mismatch: bag-info.txt Forensics-Custody-Head=1")
               for p in found)
    assert "entry 3 (line 3): not in RFC 8785 form" in found
    assert "tagmanifest-sha256.txt: evidence-list.csv is missing" in found
    assert "data/E0002/extra.txt: in data/ but in no manifest" in found


def test_not_a_kit_is_exit_2(tmp_path):
    """Guards: a folder without bagit.txt cannot be checked: exit 2."""
    from forensics.export_bagit import VERIFY_SCRIPT

    (tmp_path / "verify.py").write_text(VERIFY_SCRIPT, encoding="utf-8")
    done = run_verify(tmp_path, tmp_path)
    assert done.returncode == 2 and "CANNOT RUN" in done.stdout


def test_a_missing_store_copy_is_a_typed_error_and_dest_is_left_empty(tmp_path):
    """Guards: an item whose store copy is gone stops the export with IntegrityError naming
    it; DEST is left empty and nothing is logged."""
    (tmp_path / "a.txt").write_bytes(b"a")
    case = Case.init(tmp_path / "case")
    case.add([tmp_path / "a.txt"], parse=False)
    stored = case.root / case.item("E0001").stored_as
    os.chmod(stored, 0o644)
    stored.unlink()
    log = (case.root / "custody.jsonl").read_bytes()
    with pytest.raises(IntegrityError, match="E0001"):
        export(case, "verify-kit", tmp_path / "kit", progress=False)
    assert list((tmp_path / "kit").iterdir()) == []
    assert (case.root / "custody.jsonl").read_bytes() == log
