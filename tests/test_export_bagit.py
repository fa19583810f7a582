"""BagIt and verify-kit exports (forensics.export_bagit): validated by the Library of Congress
tools, checked against the custody log, refused on a damaged item, re-checked by the kit's own
stand-alone script after one flipped byte, one edited or deleted log line, one changed label.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from forensics.case import Case
from forensics.cli import cli
from forensics.custody import EntryDraft, canonical_json, check_chain
from forensics.digests import new
from forensics.errors import InputError, IntegrityError
from forensics.export import export
from forensics.export_bagit import (
    MAX_NAME_BYTES,
    README_NAME,
    VERIFY_SCRIPT,
    safe_name,
    write_bagit,
)
from forensics.notebooks import copy_sample_case

#: Names a file system allows that a bag path must not carry as they are (Linux bytes).
HOSTILE = {b"x\\..": "..", b"evil\\": "", b"100%.txt": "100%.txt", b"a\nb.txt": "a\nb.txt",
           b"CON.txt": "CON.txt", b"trail. ": "trail. ", b"caf\xe9.png": "caf\ufffd.png",
           b"=cmd.txt": "=cmd.txt"}


def manifest(folder: Path, name: str) -> dict[str, str]:
    out = {}
    for line in (folder / name).read_text(encoding="utf-8").splitlines():
        digest, path = line.split("  ", 1)
        out[path] = digest
    return out


def bag_info(folder: Path) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for line in (folder / "bag-info.txt").read_text(encoding="utf-8").splitlines():
        k, v = line.split(": ", 1)
        out.setdefault(k, []).append(v)
    return out


def run_verify(kit: Path, *args: str, isolated: bool = True,
               env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, *(["-I"] if isolated else []), str(kit / "verify.py"), *args]
    return subprocess.run(cmd, capture_output=True, text=True, encoding="utf-8", env=env,
                          timeout=120, check=False)


def load_script(kit: Path):
    spec = importlib.util.spec_from_file_location("kit_verify", kit / "verify.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def small(case: Case, captures: Path) -> Case:
    case.add([captures], progress=False)
    return case


@pytest.fixture
def kit(small: Case, tmp_path: Path) -> Path:
    export(small, "verify-kit", tmp_path / "kit", progress=False)
    return tmp_path / "kit"


@pytest.fixture(scope="module")
def sample_bag(tmp_path_factory) -> tuple[Case, Path]:
    tmp = tmp_path_factory.mktemp("sample")
    case = copy_sample_case(tmp / "case")
    export(case, "bagit", tmp / "bag", progress=False)
    return case, tmp / "bag"


# --- the bag ----------------------------------------------------------------------------------


def test_sample_bag_passes_bagit_library_and_command_line(sample_bag):
    _, bag = sample_bag
    assert bagit.Bag(str(bag)).validate() is True
    tool = Path(sys.executable).parent / "bagit.py"
    assert tool.is_file(), "the bagit package installs the bagit.py command"
    done = subprocess.run([str(tool), "--validate", str(bag)], capture_output=True, text=True,
                          check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "is valid" in done.stderr


def test_manifests_equal_the_custody_log(sample_bag):
    case, bag = sample_bag
    sha256, sha512, sm3 = (manifest(bag, f"manifest-{a}.txt") for a in ("sha256", "sha512", "sm3"))
    assert len(sha256) == len(sha512) == len(sm3) == len(case.items) == 16
    for it in case.items:
        (rel,) = [p for p in sha256 if p.startswith(f"data/{it.evidence_id}/")]
        assert rel == f"data/{it.evidence_id}/{it.name}"
        assert sha256[rel] == it.digests.sha256 and sm3[rel] == it.digests.sm3
        data = (bag / rel).read_bytes()
        assert data == (case.root / it.stored_as).read_bytes()
        assert sha512[rel] == hashlib.sha512(data).hexdigest()
        assert sm3[rel] == new("sm3", data).hexdigest()


def test_payload_oxum_and_bag_info(sample_bag):
    case, bag = sample_bag
    info = bag_info(bag)
    total = sum(it.digests.size for it in case.items)
    assert info["Payload-Oxum"] == [f"{total}.16"]
    m = case.metadata
    assert info["Source-Organization"] == [m.examiner]
    assert info["External-Identifier"] == [m.case_number]
    assert info["External-Description"] == [m.title]
    assert info["Bag-Software-Agent"][0].startswith("forensics ")
    export_entry = case.log.entries()[-1]
    made_from = export_entry.details["made_from_head"]
    assert info["Forensics-Custody-Head"] == [f"{made_from['seq']}:{made_from['entry_sha256']}"]
    assert (bag / "bagit.txt").read_bytes() == (b"BagIt-Version: 1.0\n"
                                                b"Tag-File-Character-Encoding: UTF-8\n")


def test_custody_log_is_copied_through_the_head(sample_bag):
    case, bag = sample_bag
    copied = (bag / "custody" / "custody.jsonl").read_bytes()
    whole = case.log.path.read_bytes()
    assert whole.startswith(copied) and whole != copied  # the export entry came after
    assert copied.count(b"\n") == case.log.entries()[-1].details["made_from_head"]["seq"]
    assert (bag / "custody" / "case.toml").read_bytes() == (case.root / "case.toml").read_bytes()
    tags = manifest(bag, "tagmanifest-sha256.txt")
    assert {"bagit.txt", "bag-info.txt", "custody/custody.jsonl", "custody/case.toml",
            "evidence-list.csv", "manifest-sm3.txt"} <= set(tags)
    assert not any(p.startswith(("data/", "tagmanifest-")) for p in tags)


def test_evidence_list(sample_bag):
    import csv

    case, bag = sample_bag
    text = (bag / "evidence-list.csv").read_bytes().decode("utf-8-sig")
    rows = list(csv.DictReader(text.splitlines()))
    assert [r["evidence_id"] for r in rows] == [it.evidence_id for it in case.items]
    first = case.items[0]
    assert rows[0]["sha256"] == first.digests.sha256 and rows[0]["md5"] == first.digests.md5
    assert rows[0]["file"] == f"data/{first.evidence_id}/{first.name}"
    assert rows[0]["purpose"] == first.facts.purpose


def test_the_export_is_logged_with_every_file(small, tmp_path):
    head = small.head
    report = export(small, "bagit", tmp_path / "bag", progress=False)
    entry = small.log.entries()[-1]
    assert entry.action == "export" and entry.seq == report.recorded_seq
    assert entry.details["made_from_head"] == {"seq": head.seq,
                                               "entry_sha256": head.entry_sha256}
    files = dict(entry.details["files"])
    on_disk = {p.relative_to(tmp_path / "bag").as_posix(): p
               for p in (tmp_path / "bag").rglob("*") if p.is_file()}
    assert set(files) == set(on_disk)
    for rel, digest in files.items():
        assert hashlib.sha256(on_disk[rel].read_bytes()).hexdigest() == digest
    assert sorted(entry.evidence_ids) == [it.evidence_id for it in small.items]


def test_a_large_file_is_streamed_and_hashed_right(case, tmp_path):
    big = tmp_path / "screen-recording.mp4"
    big.write_bytes(os.urandom(5 << 20) + b"end")  # past the digests' thread threshold
    case.add([big], progress=False)
    (tmp_path / "bag").mkdir()
    write_bagit(case, tmp_path / "bag", progress=False)
    data = big.read_bytes()
    rel = "data/E0001/screen-recording.mp4"
    assert manifest(tmp_path / "bag", "manifest-sha512.txt")[rel] == \
        hashlib.sha512(data).hexdigest()
    assert manifest(tmp_path / "bag", "manifest-sm3.txt")[rel] == new("sm3", data).hexdigest()
    assert bagit.Bag(str(tmp_path / "bag")).is_valid()


# --- refusals -------------------------------------------------------------------------------


def test_a_tampered_store_byte_stops_the_export(small, tmp_path):
    it = small.item("E0002")
    stored = small.root / it.stored_as
    os.chmod(stored, 0o644)
    data = bytearray(stored.read_bytes())
    data[0] ^= 1
    stored.write_bytes(bytes(data))
    entries_before = len(small.log.entries())
    with pytest.raises(IntegrityError, match="E0002: content changed: sha256") as exc:
        export(small, "bagit", tmp_path / "bag", progress=False)
    kinds = {(p.kind, p.where) for p in exc.value.report.problems}
    assert ("changed-item", "E0002") in kinds and all(w == "E0002" for _, w in kinds)
    assert exc.value.exit_code == 1
    assert list((tmp_path / "bag").iterdir()) == []  # nothing half-written is left
    assert len(small.log.entries()) == entries_before  # and nothing recorded


def test_a_missing_original_stops_the_export(small, tmp_path):
    stored = small.root / small.item("E0001").stored_as
    stored.unlink()
    with pytest.raises(IntegrityError, match="E0001: missing from the store"):
        export(small, "verify-kit", tmp_path / "kit", progress=False)
    assert list((tmp_path / "kit").iterdir()) == []


def test_a_changed_case_toml_stops_the_export(small, tmp_path):
    toml = small.root / "case.toml"
    toml.write_bytes(toml.read_bytes().replace(b"examiner", b"examiner ", 1))
    with pytest.raises(IntegrityError, match="case metadata changed outside the tool"):
        export(small, "bagit", tmp_path / "bag", progress=False)


def test_dest_inside_the_case_or_not_empty_is_refused_by_the_command(small, tmp_path):
    inside = run_cli("export", str(small.root), "--format", "bagit",
                     str(small.root / "reports" / "bag"))
    assert inside.exit_code == 2 and "inside the case folder" in inside.output
    full = tmp_path / "full"
    full.mkdir()
    (full / "keep.txt").write_text("x")
    refused = run_cli("export", str(small.root), "--format", "bagit", str(full))
    assert refused.exit_code == 2 and "not an empty folder" in refused.output
    assert sorted(p.name for p in full.iterdir()) == ["keep.txt"]
    ok = run_cli("export", str(small.root), "--format", "verify-kit", str(tmp_path / "kit"))
    assert ok.exit_code == 0, ok.output
    assert (tmp_path / "kit" / "verify.py").is_file()


def test_a_case_without_items_is_an_empty_but_valid_bag(case, tmp_path):
    export(case, "verify-kit", tmp_path / "kit", progress=False)
    assert bagit.Bag(str(tmp_path / "kit")).validate() is True
    assert bag_info(tmp_path / "kit")["Payload-Oxum"] == ["0.0"]
    assert run_verify(tmp_path / "kit").returncode == 0


def test_an_unreadable_original_is_a_finding_not_a_storage_error(small, tmp_path):
    stored = small.root / small.item("E0003").stored_as
    stored.chmod(0o644)
    stored.unlink()
    stored.mkdir()  # something the store should never hold: a folder where the file was
    with pytest.raises(IntegrityError, match="E0003: could not be read, so not checked"):
        export(small, "bagit", tmp_path / "bag", progress=False)


def test_write_bagit_alone_wants_an_empty_folder(small, tmp_path):
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "f").write_text("x")
    with pytest.raises(InputError, match="not empty"):
        write_bagit(small, tmp_path / "x", progress=False)


def run_cli(*args: str):
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


# --- names ------------------------------------------------------------------------------------


def test_hostile_file_names_get_safe_forms(case, tmp_path):
    folder = tmp_path / "hostile"
    folder.mkdir()
    for raw in HOSTILE:
        with open(os.path.join(os.fsencode(folder), raw), "wb") as fh:
            fh.write(b"content of " + raw)
    case.add([folder], progress=False)
    names = {it.name for it in case.items}
    assert names == set(HOSTILE.values())
    report = export(case, "verify-kit", tmp_path / "kit", progress=False)
    kit = tmp_path / "kit"
    assert bagit.Bag(str(kit)).validate() is True
    files = manifest(kit, "manifest-sha256.txt")
    written = {p.rsplit("/", 1)[1] for p in files}
    assert sorted(written) == sorted({"unnamed", "100_.txt", "a_b.txt", "_CON.txt", "trail",
                                      "caf_.png", "=cmd.txt"})
    assert len(files) == 8  # ".." and "" are both "unnamed", each in its item's folder
    renamed = bag_info(kit)["Forensics-Renamed"]
    assert len(renamed) == len(report.notes) == 7  # all but =cmd.txt
    assert any('was "a\\nb.txt"' in r and "control characters" in r for r in renamed)
    assert any("not valid UTF-8" in n for n in report.notes)
    csv_text = (kit / "evidence-list.csv").read_text(encoding="utf-8-sig")
    assert "'=cmd.txt" in csv_text  # no formula for a spreadsheet to run
    done = run_verify(kit)
    assert done.returncode == 0, done.stdout


@given(st.text(max_size=300))
@settings(max_examples=300, deadline=None)
def test_safe_name_is_safe_and_stable(name):
    s = safe_name(name)
    assert s.name not in ("", ".", "..") and s.original == name
    assert not any(c in s.name for c in '/\\\x00%<>:"|?*')
    assert all(ord(c) >= 0x20 and c != "\x7f" for c in s.name)
    assert len(s.name.encode("utf-8")) <= MAX_NAME_BYTES
    assert s.name == s.name.rstrip(" .")
    assert safe_name(s.name).name == s.name and not safe_name(s.name).changed
    assert s.changed == (s.name != name)


# --- the verify kit ---------------------------------------------------------------------------


def test_verify_script_needs_only_python_38():
    ast.parse(VERIFY_SCRIPT, feature_version=(3, 8))
    imported = {a.name.split(".")[0] for n in ast.walk(ast.parse(VERIFY_SCRIPT))
                if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module for n in ast.walk(ast.parse(VERIFY_SCRIPT))
                 if isinstance(n, ast.ImportFrom) and n.module}
    assert imported <= set(sys.stdlib_module_names) | {"__future__"}


def test_a_fresh_kit_passes(kit):
    for isolated in (True, False):
        done = run_verify(kit, isolated=isolated)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "RESULT: PASSED" in done.stdout and "核验结果：通过" in done.stdout
    assert "custody log hash chain intact: 5 entries" in done.stdout
    readme = (kit / README_NAME).read_bytes()
    assert readme.startswith("\ufeff".encode())
    text = readme.decode("utf-8-sig")
    assert text.index("使用说明") < text.index("read me")
    assert hashlib.sha256(VERIFY_SCRIPT.encode()).hexdigest() in text
    assert bag_info(kit)["Forensics-Custody-Head"][0] in text
    assert (kit / "verify.py").read_text(encoding="utf-8") == VERIFY_SCRIPT


def test_a_flipped_payload_byte_is_named(kit):
    target = kit / "data" / "E0002" / "post.png"
    os.chmod(target, 0o644)
    data = bytearray(target.read_bytes())
    data[3] ^= 0x01
    target.write_bytes(bytes(data))
    done = run_verify(kit)
    assert done.returncode == 1
    assert "data/E0002/post.png: sha256 mismatch: expected=" in done.stdout
    assert "data/E0002/post.png: sha512 mismatch" in done.stdout
    assert "RESULT: " in done.stdout and "PROBLEM(S) FOUND" in done.stdout


def test_an_edited_custody_line_is_named(kit):
    log = kit / "custody" / "custody.jsonl"
    lines = log.read_bytes().split(b"\n")
    assert b'"actor":"test-examiner"' in lines[1]
    lines[1] = lines[1].replace(b'"actor":"test-examiner"', b'"actor":"test-examinor"')
    log.write_bytes(b"\n".join(lines))
    done = run_verify(kit)
    assert done.returncode == 1
    assert "entry 2 (line 2): edited: entry_sha256 expected=" in done.stdout
    assert "custody/custody.jsonl: changed: sha256 expected=" in done.stdout


def test_a_deleted_custody_entry_is_named(kit):
    log = kit / "custody" / "custody.jsonl"
    lines = log.read_bytes().split(b"\n")
    del lines[2]
    log.write_bytes(b"\n".join(lines))
    done = run_verify(kit)
    assert done.returncode == 1
    assert "entries 3 to 3 missing (deleted?)" in done.stdout
    assert "entry 4 (line 3): prev mismatch: expected=" in done.stdout


def test_a_cut_custody_log_is_named(kit):
    log = kit / "custody" / "custody.jsonl"
    lines = log.read_bytes().split(b"\n")
    log.write_bytes(b"\n".join(lines[:-3]) + b"\n")  # the last acquire and the parse gone
    done = run_verify(kit)
    assert done.returncode == 1
    assert "custody head mismatch" in done.stdout
    assert "no such item in the custody log" in done.stdout


def test_a_changed_head_in_bag_info_is_named(kit):
    info = kit / "bag-info.txt"
    text = info.read_text(encoding="utf-8")
    head = bag_info(kit)["Forensics-Custody-Head"][0]
    info.write_text(text.replace(head, "3:" + "0" * 64), encoding="utf-8")
    done = run_verify(kit)
    assert done.returncode == 1
    assert f"custody head mismatch: bag-info.txt Forensics-Custody-Head=3:{'0' * 64} but the " \
           f"log ends at {head}" in done.stdout
    assert "bag-info.txt: changed: sha256" in done.stdout


def test_a_removed_payload_file_and_an_added_one_are_named(kit):
    (kit / "data" / "E0001" / "mail.eml").unlink()
    (kit / "data" / "E0001" / "extra.txt").write_text("x")
    done = run_verify(kit)
    assert done.returncode == 1
    assert "data/E0001/mail.eml: listed in the manifests, missing from data/" in done.stdout
    assert "data/E0001/extra.txt: in data/ but in no manifest" in done.stdout
    assert "Payload-Oxum mismatch" in done.stdout


def test_a_folder_that_is_not_a_kit_cannot_be_checked(tmp_path, kit):
    done = subprocess.run([sys.executable, "-I", str(kit / "verify.py"), str(tmp_path / "no")],
                          capture_output=True, text=True, encoding="utf-8", check=False)
    assert done.returncode == 2 and "CANNOT RUN" in done.stdout


def test_without_sm3_in_hashlib_it_says_so(kit, monkeypatch, capsys):
    script = load_script(kit)
    real = hashlib.new

    def no_sm3(name, *args, **kwargs):
        if name.lower() == "sm3":
            raise ValueError("unsupported hash type sm3")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(script.hashlib, "new", no_sm3)
    assert script.main([str(kit)]) == 0
    out = capsys.readouterr().out
    assert "this Python's hashlib has no SM3: manifest-sm3.txt not checked" in out
    assert "1 thing(s) not checked" in out


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner,
                                                                max_size=4),
    max_leaves=12)


@given(_JSON)
@settings(max_examples=400, deadline=None)
def test_the_scripts_canonical_json_is_the_logs(value):
    script = _script_module()
    assert script.jcs(value).encode("utf-8") == canonical_json(value)


def _script_module():
    if "kit_verify_standalone" not in sys.modules:
        spec = importlib.util.spec_from_loader("kit_verify_standalone", loader=None)
        module = importlib.util.module_from_spec(spec)
        exec(compile(VERIFY_SCRIPT, "verify.py", "exec"), module.__dict__)
        sys.modules["kit_verify_standalone"] = module
    return sys.modules["kit_verify_standalone"]


def test_the_script_agrees_with_the_log_on_awkward_entries(small, tmp_path):
    small.log.append([EntryDraft("note", details={
        "text": '证据 "引号" \\ 反斜杠 \u2028 \u0007 \t\n 😀 \x7f', "𝄞": 1, "\uff5a": 2, "a": 3,
        "float": 1.5e-7, "big": 1e21, "small": 5e-324, "neg": -0.0, "nested": [None, True,
                                                                            {"": []}]})])
    assert check_chain(small.log.path).passed
    export(small, "verify-kit", tmp_path / "kit", progress=False)
    done = run_verify(tmp_path / "kit")
    assert done.returncode == 0, done.stdout
    log = tmp_path / "kit" / "custody" / "custody.jsonl"
    lines = log.read_bytes().split(b"\n")
    lines[5] = lines[5].replace("😀".encode(), "😁".encode())
    log.write_bytes(b"\n".join(lines))
    assert not check_chain(log).passed
    done = run_verify(tmp_path / "kit")
    assert done.returncode == 1 and "entry 6 (line 6): edited" in done.stdout


# --- RFC 3161 tokens (the shared corpus's real token) ------------------------------------------


@pytest.mark.corpus
def test_a_timestamp_token_is_checked_with_openssl(corpus, case, tmp_path):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    src = corpus / "timestamp" / "sigstage"
    case.add([src / "hello.txt"], progress=False)  # the datum the token stamps
    shutil.copyfile(src / "response-sha256.tsr", case.root / "anchors" / "hello.tsr")
    shutil.copyfile(src / "ts_chain.pem", case.root / "anchors" / "hello.pem")
    export(case, "verify-kit", tmp_path / "kit", progress=False)
    kit = tmp_path / "kit"
    done = run_verify(kit)
    assert done.returncode == 0, done.stdout
    assert "timestamp token hello.tsr valid: item E0001 existed at 2025-05-09 11:58:55 UTC " \
           "(with certificates shipped in the kit: not an independent trust anchor)" in done.stdout
    done = run_verify(kit, "--ca", str(src / "ts_chain.pem"))
    assert done.returncode == 0 and "not an independent" not in done.stdout
    no_openssl = run_verify(kit, env={"PATH": str(tmp_path / "empty")})
    assert no_openssl.returncode == 0
    assert "timestamp token hello.tsr: not checked (openssl not found)" in no_openssl.stdout
    token = kit / "custody" / "anchors" / "hello.tsr"
    data = bytearray(token.read_bytes())
    data[-40] ^= 0x01  # inside the signature
    token.write_bytes(bytes(data))
    done = run_verify(kit, "--ca", str(src / "ts_chain.pem"))
    assert done.returncode == 1
    assert "custody/anchors/hello.tsr: changed" in done.stdout
