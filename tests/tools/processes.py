"""Commands that leave a sleeping child behind, and how to tell whether a process lives."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

__all__ = ["alive", "ends", "leaves_a_sleeping_child", "pid_in"]


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


async def ends(pid: int, within: float = 10.0) -> bool:
    """Whether the process is gone within `within` seconds (a sleeping child left behind
    lives 60 s; a killed one takes a moment to go, longer on a busy machine)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while alive(pid):
        if loop.time() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


async def pid_in(pid_file: Path) -> int:
    """The pid a command wrote to pid_file, once it is there."""
    for _ in range(400):
        if pid_file.is_file() and pid_file.read_text():
            return int(pid_file.read_text())
        await asyncio.sleep(0.05)
    raise AssertionError(f"nothing wrote a pid to {pid_file}")
