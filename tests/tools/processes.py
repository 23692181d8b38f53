"""Commands that leave a sleeping child behind, and how to tell whether a process lives."""

from __future__ import annotations

import os
import sys
from pathlib import Path

__all__ = ["alive", "leaves_a_sleeping_child"]


def leaves_a_sleeping_child(pid_file: Path | None = None) -> list[str]:
    """An argv whose process starts a sleeping child, says its pid, then sleeps too.

    The pid goes to stdout, or to `pid_file` when given (for a caller that keeps no output).
    """
    say = (
        f"open({str(pid_file)!r}, 'w').write(str(child.pid))"
        if pid_file is not None
        else "print(child.pid, flush=True)"
    )
    script = (
        "import subprocess, sys, time;"
        "child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)']);"
        f"{say}; time.sleep(60)"
    )
    return [sys.executable, "-c", script]


def alive(pid: int) -> bool:
    """Whether the process runs (a zombie waiting for its parent does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"
