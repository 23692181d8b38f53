"""Adapters that drive real tools through their machine-readable output."""

from devora.tools._finding import Finding, Level
from devora.tools._subprocess import (
    Completed,
    Confinement,
    ProcessOutput,
    ProcessTimedOut,
    ToolTimeoutError,
    confined,
    run_bounded,
    run_process,
    scratch_directory,
    strip_ansi,
    tail,
)

__all__ = [
    "Completed",
    "Confinement",
    "Finding",
    "Level",
    "ProcessOutput",
    "ProcessTimedOut",
    "ToolTimeoutError",
    "confined",
    "run_bounded",
    "run_process",
    "scratch_directory",
    "strip_ansi",
    "tail",
]
