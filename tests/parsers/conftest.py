"""Helpers for parser tests: parse bytes or a file with the built-in registry."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from forensics.parsers import ParseContext, default_registry, parse_path
from forensics.records import Artifact


def parse_bytes(data: bytes, name: str = "sample", *, media_type: str | None = None,
                evidence_id: str | None = "E0001", default_zone: str | None = "Asia/Shanghai"
                ) -> Artifact:
    """Parse in-memory bytes as if they were a stored evidence file."""
    ctx = ParseContext(evidence_id=evidence_id, sha256=hashlib.sha256(data).hexdigest(),
                       name=name, size=len(data), default_zone=default_zone)
    return default_registry().parse(io.BytesIO(data), ctx, media_type=media_type)


def parse_file(path: Path, **kwargs) -> Artifact:
    return parse_path(path, **kwargs)


@pytest.fixture
def parse():
    return parse_bytes
