"""forensics: evidence handling for online-defamation cases.

Bring captured files into a case folder without changing a byte of them, keep a hash-chained
custody log, read every captured artifact into typed records and time events, and prove at any
later time that nothing was altered, added, removed or reordered.

The public names are imported on first use (PEP 562), so that quick commands such as
``forensics inspect`` start without loading what they do not need.

>>> import forensics
>>> sorted(forensics.__all__)[:4]
['Artifact', 'Case', 'IntakeFacts', 'TimeValue']
>>> forensics.Case.__name__
'Case'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

__version__ = "0.1.0"

_LAZY = {
    "Case": "forensics.case",
    "IntakeFacts": "forensics.intake",
    "VerificationReport": "forensics.integrity",
    "verify_case": "forensics.integrity",
    "Artifact": "forensics.records",
    "TimeValue": "forensics.timestamps",
    "inspect": "forensics.artifacts",
}

__all__ = [
    "Artifact",
    "Case",
    "IntakeFacts",
    "TimeValue",
    "VerificationReport",
    "__version__",
    "inspect",
    "verify_case",
]

if TYPE_CHECKING:  # pragma: no cover
    from forensics.artifacts import inspect
    from forensics.case import Case
    from forensics.intake import IntakeFacts
    from forensics.integrity import VerificationReport, verify_case
    from forensics.records import Artifact
    from forensics.timestamps import TimeValue


def __getattr__(name: str) -> object:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'forensics' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
