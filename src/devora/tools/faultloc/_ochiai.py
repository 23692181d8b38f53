"""Ochiai suspiciousness from a coverage spectrum: which lines the failing tests run.

For a line s: ef failing tests cover it, ep passing tests cover it, F tests fail in all;
Ochiai(s) = ef / sqrt(F * (ef + ep)) — 1.0 for a line every failing test and no passing
test runs, 0 for a line no failing test runs.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

__all__ = ["ochiai", "score_lines"]

Spectrum = Mapping[str, Mapping[int, Iterable[str]]]
"""file → line → the test ids that ran the line."""


def ochiai(failed_covering: int, passed_covering: int, failed_total: int) -> float:
    """The Ochiai coefficient of one line."""
    denominator = math.sqrt(failed_total * (failed_covering + passed_covering))
    return failed_covering / denominator if denominator else 0.0


def score_lines(
    spectrum: Spectrum, failed: set[str], passed: set[str]
) -> dict[tuple[str, int], float]:
    """The Ochiai score of every covered line (file, line) that a failing test runs."""
    scores: dict[tuple[str, int], float] = {}
    for file, lines in spectrum.items():
        for line, tests in lines.items():
            ran = set(tests)
            ef, ep = len(ran & failed), len(ran & passed)
            if ef:
                scores[(file, line)] = ochiai(ef, ep, len(failed))
    return scores
