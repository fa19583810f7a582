"""Writing the whole appendix (forensics.appendix.write_appendix) and ``forensics appendix``.

Cases are made on the fly: a generated grey PNG screenshot, a chat in the package's generic CSV
form (docs/formats/chat.md), a one-message e-mail and a repost list in the documented form
(docs/formats/reposts.md) whose original is by the publisher the intake names, all with invented
names; the screen recording is a tiny MP4 made with PyAV by :func:`tests.test_frames.record`.
The PDF is read back with poppler-utils (``pdftotext``, ``pdfimages``; installed by .ci/run:
these are core tests and fail without them), the XLSX files by unzipping their sheet XML.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from forensics.appendix import APPENDIX_FILES, made_from_head, write_appendix
from forensics.case import Case
from forensics.cli import cli
from forensics.custody import Action
from forensics.demo import _png
from forensics.errors import InputError
from forensics.figures import CJKFont
from forensics.intake import IntakeFacts
from forensics.pseudonyms import MAPPING_FILE
from tests.test_appendix_pdf import poppler

REPOSTS = (
    "post_id,account_id,account_name,parent_account_id,time,text,views,repost_id,parent_repost_id\n"
    "P1,u1001,某某大V,,2026-11-20T14:02:00+08:00,原文,10,R0,\n"
    "P1,u2001,路人甲,u1001,2026-11-20T14:10:00+08:00,转发微博,3,R1,R0\n"
    "P1,u2002,路人乙,u2001,2026-11-20T14:20:00+08:00,顶//@路人甲:转发微博,4,R2,R1\n"
)
CHAT = ("time,sender_id,sender_name,text\n"
        "2026-11-20T14:35:02+08:00,wxid_li,李四,那条微博你看到了吗\n"
        "2026-11-20T14:36:10+08:00,wxid_wang,王五,看到了，路人甲也转了\n")
EML = ("From: Alice Wang <alice@example.com>\r\nTo: bob@example.com\r\nSubject: 截图\r\n"
       "Date: Fri, 20 Nov 2026 15:02:11 +0800\r\nMessage-ID: <m1@example.com>\r\n\r\nsee\r\n")
#: Third parties the captures name (the publisher 某某大V / u1001 is named by the intake).
THIRD = ("路人甲", "u2001", "路人乙", "u2002", "李四", "wxid_li", "alice@example.com",
         "Alice Wang", "bob@example.com")
KEPT = "王五"



def pdf_text(pdf: Path, *mode: str, first: int | None = None, last: int | None = None) -> str:
    pages = [*(["-f", str(first)] if first else []), *(["-l", str(last)] if last else [])]
    return poppler("pdftotext", *mode, *pages, str(pdf), "-")


def pdf_images(pdf: Path) -> int:
    lines = poppler("pdfimages", "-list", str(pdf)).splitlines()
    return len([ln for ln in lines[2:] if ln.strip()])  # two header lines, then one per image


def xlsx_text(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return "\n".join(z.read(n).decode("utf-8") for n in z.namelist()
                         if n.startswith("xl/") and n.endswith(".xml"))


def file_text(path: Path) -> str:
    """What a reader of the file sees: the PDF's text, the spreadsheets' strings, else UTF-8."""
    if path.suffix == ".pdf":
        return pdf_text(path)
    if path.suffix == ".xlsx":
        return xlsx_text(path)
    return path.read_text(encoding="utf-8-sig")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def make_case(root: Path, *, title: str = "测试案件") -> Case:
    """A case holding a screenshot, a chat, an e-mail and a repost list."""
    src = root / "src"
    src.mkdir(parents=True)
    (src / "shot.png").write_bytes(_png(16, 24))
    (src / "chat.csv").write_text(CHAT, encoding="utf-8")
    (src / "mail.eml").write_text(EML, encoding="utf-8")
    (src / "reposts.csv").write_text(REPOSTS, encoding="utf-8")
    case = Case.init(root / "case", title=title, case_number="(2026)测0001号", examiner="王鉴定")
    case.add([src / "shot.png"], facts=IntakeFacts(
        category="post", platform="微博", publisher="某某大V", captured_by="张三",
        carrier="iPhone 13", purpose="证明内容"), progress=False)
    case.add([src / "chat.csv"], facts=IntakeFacts(category="message", platform="微信"),
             progress=False)
    case.add([src / "mail.eml"], facts=IntakeFacts(category="message"), progress=False)
    case.add([src / "reposts.csv"], facts=IntakeFacts(publisher_id="u1001", platform="微博"),
             progress=False)
    return case


def exports(case: Case) -> list:
    return [e for e in case.log.entries() if e.action == Action.EXPORT]


@dataclass(frozen=True)
class Twice:
    case: Case
    a: dict[str, Path]
    b: dict[str, Path]
    entries_before: int  # log length before the first write
    entries_between: int  # after the first write
    entries_after: int  # after the second
    head_between: tuple[int, str]  # made_from_head after the first write
    head_after: tuple[int, str]


@pytest.fixture(scope="module")
def twice(tmp_path_factory) -> Twice:
    """The small case written twice, into two folders, in one module-wide fixture."""
    tmp = tmp_path_factory.mktemp("write")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FORENSICS_ACTOR", "test-examiner")
        case = make_case(tmp)
        before = len(case.log.entries())
        a = write_appendix(case, tmp / "a", progress=False)
        between = len(case.log.entries())
        h1 = made_from_head(case)
        b = case.write_appendix(tmp / "b", progress=False)
        after = len(case.log.entries())
        h2 = made_from_head(case)
    return Twice(case, a, b, before, between, after, (h1.seq, h1.entry_sha256),
                 (h2.seq, h2.entry_sha256))


# --- 3. determinism ------------------------------------------------------------------------------

def test_two_writes_give_the_same_bytes_for_every_file(twice):
    assert list(twice.a) == list(twice.b) == list(APPENDIX_FILES)
    for name in APPENDIX_FILES:
        assert twice.a[name].read_bytes() == twice.b[name].read_bytes(), name
    # the second write logged a second export; the documents name the same head (not an export)
    assert twice.entries_after == twice.entries_between + 1
    assert len(exports(twice.case)) == 2
    assert twice.head_between == twice.head_after
    seq, entry_sha256 = twice.head_after
    assert next(e for e in twice.case.log.entries() if e.seq == seq).action != Action.EXPORT
    assert entry_sha256 in twice.a["appendix.html"].read_text(encoding="utf-8")
    assert entry_sha256 in re.sub(r"\s+", "", pdf_text(twice.a["appendix.pdf"]))


# --- 8. the custody entry ------------------------------------------------------------------------

def test_write_appendix_returns_its_files_and_logs_them_in_one_export_entry(twice):
    first, second = exports(twice.case)
    for entry, files in ((first, twice.a), (second, twice.b)):
        assert entry.details["what"] == "appendix"
        assert entry.details["files"] == {n: sha256(p) for n, p in files.items()}
        assert sorted(entry.details["files"]) == sorted(APPENDIX_FILES)
        params = entry.details["params"]
        assert params["lang"] == "both" and params["pseudonymize"] == "no"
        assert params["frames"] == "yes"
        fonts = {k: v for k, v in params.items() if k.startswith("font.")}
        assert len(fonts) >= 2
        assert all(re.fullmatch(r"\S+ sha256:[0-9a-f]{64}", v) for v in fonts.values())
        assert entry.details["made_from_head"] == {"seq": twice.head_after[0],
                                                   "entry_sha256": twice.head_after[1]}
        assert sorted(r.evidence_id for r in entry.evidence) == [
            it.evidence_id for it in twice.case.items]
    # one entry per write, nothing else
    assert twice.entries_between - twice.entries_before >= 1
    new = twice.case.log.entries()[twice.entries_before:twice.entries_between]
    assert [e.action for e in new].count(Action.EXPORT) == 1


def test_a_backup_is_written_from_but_never_logged_into(tmp_path):
    case = make_case(tmp_path)
    case.backup(tmp_path / "backup")
    copy = Case.open(tmp_path / "backup")
    log = (copy.root / "custody.jsonl").read_bytes()
    origin = (case.root / "custody.jsonl").read_bytes()
    files = write_appendix(copy, tmp_path / "out", progress=False)
    assert list(files) == list(APPENDIX_FILES)
    assert all(p.is_file() and p.stat().st_size > 0 for p in files.values())
    assert (copy.root / "custody.jsonl").read_bytes() == log
    assert (case.root / "custody.jsonl").read_bytes() == origin
    with pytest.raises(InputError, match="backup or read-only"):
        write_appendix(copy, tmp_path / "out2", progress=False, record=True)
    assert not (tmp_path / "out2").exists()
    assert (copy.root / "custody.jsonl").read_bytes() == log


# --- 9. pseudonyms -------------------------------------------------------------------------------

def test_pseudonymized_appendix_names_no_third_party_anywhere(tmp_path):
    case = make_case(tmp_path)
    plain = write_appendix(case, tmp_path / "plain", progress=False)
    masked = write_appendix(case, tmp_path / "masked", pseudonymize=True, keep=(KEPT,),
                            progress=False)
    plain_text = "\n".join(file_text(p) for p in plain.values())
    for name in (*THIRD, KEPT, "某某大V"):
        assert name in plain_text, name  # the check below is not vacuous
    for file, path in masked.items():
        text = file_text(path)
        squeezed = re.sub(r"\s+", "", text)  # a name the PDF wrapped inside a cell
        for name in THIRD:
            assert name not in text and name.replace(" ", "") not in squeezed, (file, name)
    masked_text = "\n".join(file_text(p) for p in masked.values())
    assert re.search(r"\bT000\d\b", masked_text)
    assert re.search(r"\bT000\d\b", file_text(masked["appendix.pdf"]))
    assert KEPT in masked_text and "某某大V" in masked_text  # kept, and the intake publisher
    # the mapping stays in the case, never in the output
    assert (case.root / MAPPING_FILE).is_file()
    assert not list((tmp_path / "masked").rglob(MAPPING_FILE))
    log = (case.root / "custody.jsonl").read_text(encoding="utf-8")
    for name in THIRD:
        assert name not in log and json.dumps(name)[1:-1] not in log, name
    entry = exports(case)[-1]
    assert entry.details["params"]["pseudonymize"] == "yes"


# --- 10. missing font ----------------------------------------------------------------------------

def _postscript_font(monkeypatch) -> None:
    """Make the Chinese font found one with PostScript outlines, which cannot be embedded."""
    import forensics.figures

    font = CJKFont(family="Noto Sans CJK SC", path="/nonexistent/NotoSansCJK-Regular.ttc",
                   face_index=0, truetype=False)
    monkeypatch.setattr(forensics.figures, "cjk_font", lambda *a, **k: font)


def test_no_truetype_chinese_font_is_refused_before_anything_is_written(case, captures,
                                                                        tmp_path, monkeypatch):
    case.add([captures], progress=False)
    _postscript_font(monkeypatch)
    log = (case.root / "custody.jsonl").read_bytes()
    with pytest.raises(InputError, match="fonts-wqy-microhei"):
        write_appendix(case, tmp_path / "out", progress=False)
    assert not (tmp_path / "out").exists()
    assert (case.root / "custody.jsonl").read_bytes() == log
    r = CliRunner().invoke(cli, ["appendix", str(case.root), "--out", str(tmp_path / "out"),
                                 "--no-progress"])
    assert r.exit_code == 2, r.output
    assert r.stderr.startswith("error:") and "fonts-wqy-microhei" in r.stderr
    assert "Traceback" not in r.output
    assert not (tmp_path / "out").exists()
    assert (case.root / "custody.jsonl").read_bytes() == log


# --- 11. the command -----------------------------------------------------------------------------

def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def test_help_has_an_example():
    r = run("appendix", "--help")
    assert r.exit_code == 0 and "Example" in r.output


def test_json_output_and_english_appendix(tmp_path):
    case = make_case(tmp_path)
    out = tmp_path / "out"
    r = run("appendix", str(case.root), "--out", str(out), "--lang", "en", "--json",
            "--no-progress")
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert set(got) == {"out", "files", "logged_as"}
    assert got["out"] == str(out)
    assert list(got["files"]) == list(APPENDIX_FILES)
    for name, f in got["files"].items():
        assert set(f) == {"path", "sha256"}
        assert Path(f["path"]) == out / name and sha256(Path(f["path"])) == f["sha256"]
    case.refresh()
    head = case.head
    assert head.action == Action.EXPORT and head.details["params"]["lang"] == "en"
    assert got["logged_as"] == {"seq": head.seq, "entry_sha256": head.entry_sha256}
    # English headings in the contents; the court's form keeps its Chinese column headers
    contents = pdf_text(out / "appendix.pdf", first=1, last=1)
    assert "3. Exhibits" in contents and "1. Cover" in contents
    assert "证据展示" not in contents and "封面" not in contents
    # in drawing order: a header that wraps in its narrow column stays whole without spaces
    squeezed = re.sub(r"\s+", "", pdf_text(out / "appendix.pdf", "-raw"))
    for header in ("序号", "证据名称", "证据来源", "证明对象/目的", "页码", "原件/复印件", "备注"):
        assert header in squeezed, header


@pytest.mark.parametrize("args", [
    ("--group", "E0001"),
    ("--group", "=1"),
    ("--keep", "张三"),
    ("--lang", "fr"),
])
def test_bad_options_exit_2(tmp_path, case, args):
    r = run("appendix", str(case.root), "--out", str(tmp_path / "out"), "--no-progress", *args)
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    assert not (tmp_path / "out").exists()


def test_group_and_keep_errors_say_what_to_write(tmp_path, case):
    r = run("appendix", str(case.root), "--out", str(tmp_path / "o"), "--group", "E0001")
    assert r.stderr.startswith("error:") and "EVIDENCE=LABEL" in r.stderr
    r = run("appendix", str(case.root), "--out", str(tmp_path / "o"), "--keep", "张三")
    assert r.stderr.startswith("error:") and "--pseudonymize" in r.stderr


def test_not_a_case_exits_2(tmp_path):
    (tmp_path / "empty").mkdir()
    r = run("appendix", str(tmp_path / "empty"), "--out", str(tmp_path / "out"))
    assert r.exit_code == 2
    assert r.stderr.startswith("error:") and "not a forensics case" in r.stderr
    assert "Traceback" not in r.output


# --- 12. frames of a screen recording ------------------------------------------------------------

def test_a_recording_is_shown_as_frames_or_only_named(tmp_path, case):
    from tests.test_frames import record

    clip = record(tmp_path / "screen.mp4")
    case.add([clip], facts=IntakeFacts(category="file/media", method="screen recording"),
             progress=False)
    shown = write_appendix(case, tmp_path / "frames", progress=False)
    bare = write_appendix(case, tmp_path / "bare", frames=False, progress=False)
    html = shown["appendix.html"].read_text(encoding="utf-8")
    assert html.count("data:image/png;base64,") >= 1
    assert "PNG SHA-256" in html and "frame at" in html
    assert pdf_images(shown["appendix.pdf"]) >= 1
    text = pdf_text(shown["appendix.pdf"])
    assert "frame at" in text and "PNG SHA-256" in text
    html = bare["appendix.html"].read_text(encoding="utf-8")
    assert "data:image/png;base64," not in html and "frame at" not in html
    assert "A recording cannot be played in this appendix" in html
    assert pdf_images(bare["appendix.pdf"]) == 0
    text = re.sub(r"\s+", " ", pdf_text(bare["appendix.pdf"]))
    assert "A recording cannot be played in this appendix" in text and "frame at" not in text
    assert exports(case)[-1].details["params"]["frames"] == "no"
