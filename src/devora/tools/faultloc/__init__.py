"""Spectrum-based fault localization: which functions the failing tests point at.

    found = await localize_faults(root, python, top=5)
    for suspect in found.suspects:
        print(suspect.file, suspect.line, suspect.function, suspect.score)

Per-test coverage (coverage.py dynamic contexts named after pytest node ids), the Ochiai
score per line and per function, merged with the frames of the failures' tracebacks.
"""

from devora.tools.faultloc._functions import FunctionSpan, function_spans
from devora.tools.faultloc._localize import (
    COVERAGE_INSTALL,
    TRACEBACK_WEIGHT,
    Localization,
    Suspect,
    localize_faults,
    rank,
    traceback_frames,
)
from devora.tools.faultloc._ochiai import ochiai, score_lines

__all__ = [
    "COVERAGE_INSTALL",
    "TRACEBACK_WEIGHT",
    "FunctionSpan",
    "Localization",
    "Suspect",
    "function_spans",
    "localize_faults",
    "ochiai",
    "rank",
    "score_lines",
    "traceback_frames",
]
