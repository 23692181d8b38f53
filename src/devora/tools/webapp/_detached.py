"""Stopping an application started detached (a local deployment), hours later perhaps.

A detached app leads its own process group (its pid is the group's id), so stopping the
group stops its workers too. A pid is reused once its process is gone: the process's start
time (`/proc/PID/stat`, in clock ticks since boot) is recorded with it, and a process that
started at another time is not ours and is left alone.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

__all__ = ["process_start_time", "stop_command", "stop_detached"]

_POLL = 0.1
_STOP_GRACE = 10.0


def process_start_time(pid: int) -> int | None:
    """When the process started (clock ticks since boot), or None when it is not running."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    # The command name (field 2) may hold spaces and parentheses: count after the last ')'.
    fields = stat[stat.rindex(")") + 2 :].split()
    if fields[0] == "Z":  # a zombie has ended; only its parent has not reaped it yet
        return None
    return int(fields[19])


def stop_command(pid: int) -> tuple[str, ...]:
    """How a person stops the app and its workers: SIGTERM to its process group."""
    return ("kill", "-TERM", "--", f"-{pid}")


async def stop_detached(pid: int, started: int | None, grace: float = _STOP_GRACE) -> str:
    """Stop the app `pid` (SIGTERM to its group, SIGKILL after `grace` seconds) if it is
    still the process that started at `started`; what happened, in words."""
    now = process_start_time(pid)
    if now is None:
        return f"process {pid} was not running"
    if started is not None and now != started:
        return f"process {pid} is another program now (started at another time): left alone"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGTERM)
    waited = 0.0
    while process_start_time(pid) == now and waited < grace:
        await asyncio.sleep(_POLL)
        waited += _POLL
    if process_start_time(pid) != now:
        return f"process {pid} stopped"
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)
    return f"process {pid} killed (still running {grace:g} s after SIGTERM)"
