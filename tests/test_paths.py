"""Path safety for names that come from outside (intake sheets, folder walks)."""

from __future__ import annotations

import os
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from forensics.errors import UnsafePathError
from forensics.paths import check_relative_name, recordable_name, resolve_inside


@pytest.mark.parametrize(("name", "reason"), [
    ("../x", "leaves the folder"), ("a/../../x", "leaves the folder"), ("/etc/passwd", "absolute"),
    ("C:\\Windows", "absolute"), ("a\x00b", "NUL"), ("a\nb", "control"), ("", "empty"),
    (".", "names no file"), ("x" * 256, "longer than 255"), ("名" * 86, "longer than 255"),
    ("a\\..\\..\\b", "leaves the folder"), ("a/" * 2100 + "b", "longer than 4096"),
])
def test_unsafe_names_are_refused(name, reason):
    with pytest.raises(UnsafePathError, match=reason):
        check_relative_name(name)


def test_nfc_and_nfd_are_one_name():
    nfd = unicodedata.normalize("NFD", "证据/café.png")
    assert check_relative_name(nfd) == check_relative_name("证据/café.png")


def test_symlink_escape_is_refused(tmp_path):
    (tmp_path / "base").mkdir()
    (tmp_path / "base" / "link").symlink_to(tmp_path)
    with pytest.raises(UnsafePathError, match="symbolic link"):
        resolve_inside(tmp_path / "base", "link/secret.txt")


@given(st.text(max_size=60))
def test_resolved_names_never_leave_the_base(name):
    base = Path("/case/base")
    try:
        target = resolve_inside(base, name)
    except UnsafePathError:
        return
    assert os.path.commonpath([os.path.normpath(target), base]) == str(base)
    assert "\x00" not in str(target)


def test_recordable_name_keeps_bytes():
    assert recordable_name("a\u0301") == ("a\u0301", None)  # not normalized
    text, raw = recordable_name(b"\xff.bin")
    assert raw == "ff2e62696e" and text.endswith(".bin")


def test_names_that_only_look_like_drives_are_names():
    assert check_relative_name("1:2.png") == "1:2.png"
    with pytest.raises(UnsafePathError, match="absolute"):
        check_relative_name("D:evidence.png")


def test_bidi_overrides_are_refused():
    with pytest.raises(UnsafePathError, match="bidirectional"):
        check_relative_name("invoice\u202egnp.exe")
