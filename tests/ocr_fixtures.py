"""A stand-in for the OCR engine, shared by the tests of forensics.ocr and `forensics screens`."""

from __future__ import annotations

import numpy as np


class FakeEngine:
    """Stands in for RapidOCR: returns ``lines`` (text, box) for every image and counts calls."""

    def __init__(self, lines: list[tuple[str, tuple[int, int, int, int]]]) -> None:
        self.lines = lines
        self.calls = 0

    def __call__(self, bgr: np.ndarray) -> tuple[list[list[object]], None]:
        self.calls += 1
        return [[[[x0, y0], [x1, y0], [x1, y1], [x0, y1]], text, 0.99]
                for text, (x0, y0, x1, y1) in self.lines], None
