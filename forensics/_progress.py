"""Progress bars for long work: shown in a terminal or a notebook, quiet otherwise.

``tqdm.auto`` draws a widget in Jupyter and text in a terminal; when standard error is not a
terminal (a pipe, a log file, CI) and no notebook kernel is running, nothing is drawn.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["progress_bar", "progress_wanted"]


def _in_notebook() -> bool:
    shell = sys.modules.get("IPython")
    if shell is None or "ipykernel" not in sys.modules:
        return False
    try:
        ip = shell.get_ipython()  # type: ignore[attr-defined]
    except AttributeError:
        return False
    return ip is not None and ip.__class__.__name__ == "ZMQInteractiveShell"


def progress_wanted(enabled: bool | None = None) -> bool:
    """True when a bar should be drawn (``enabled`` forces it either way)."""
    if enabled is not None:
        return enabled
    if _in_notebook():
        return True
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


class _Quiet:
    """Stands in for a bar when none is drawn: every call does nothing."""

    total: int | None = None

    def update(self, n: int = 1) -> None:
        """Count ``n`` more units (nothing to draw)."""

    def refresh(self) -> None:
        """Nothing to redraw."""


@contextmanager
def progress_bar(*, total: int | None, desc: str, unit: str = "it",
                 enabled: bool | None = None) -> Iterator[object]:
    """A context manager yielding an object with ``update(n)``."""
    if not progress_wanted(enabled):
        yield _Quiet()
        return
    from tqdm.auto import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, unit_scale=unit == "B", leave=False,
               dynamic_ncols=True)
    try:
        yield bar
    finally:
        bar.close()
