"""Adapters that drive real tools through their machine-readable output."""

from devora.tools._finding import Finding, Level
from devora.tools._subprocess import (
    Completed,
    ProcessOutput,
    ProcessTimedOut,
    ToolTimeoutError,
    run_bounded,
    run_process,
    strip_ansi,
    tail,
)

__all__ = [
    "Completed",
    "Finding",
    "Level",
    "ProcessOutput",
    "ProcessTimedOut",
    "ToolTimeoutError",
    "run_bounded",
    "run_process",
    "strip_ansi",
    "tail",
]
