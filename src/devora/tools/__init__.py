"""Adapters that drive real tools through their machine-readable output."""

from devora.tools._finding import Finding, Level
from devora.tools._subprocess import Completed, ProcessTimedOut, run_bounded

__all__ = ["Completed", "Finding", "Level", "ProcessTimedOut", "run_bounded"]
