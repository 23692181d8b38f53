"""run_bounded: the one way commands run — time-limited, and nothing outlives it."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from pathlib import Path

import pytest

from devora.tools import ProcessTimedOut, run_bounded
from tests.tools.processes import ends, leaves_a_sleeping_child, pid_in


async def test_output_and_exit_code(tmp_path: Path) -> None:
    done = await run_bounded(
        [
            sys.executable,
            "-c",
            "import sys; print('out'); print('err', file=sys.stderr); sys.exit(3)",
        ],
        cwd=tmp_path,
        time_limit=30,
    )
    assert (done.returncode, done.stdout, done.stderr) == (3, b"out\n", b"err\n")


async def test_a_timeout_kills_the_whole_group_and_keeps_what_was_printed(tmp_path: Path) -> None:
    with pytest.raises(ProcessTimedOut) as info:
        await run_bounded(leaves_a_sleeping_child(), cwd=tmp_path, time_limit=1.5)
    child = int(info.value.stdout.split()[0])
    assert await ends(child)


async def test_cancellation_kills_the_whole_group(tmp_path: Path) -> None:
    marker = tmp_path / "pid"
    task = asyncio.create_task(
        run_bounded(leaves_a_sleeping_child(marker), cwd=tmp_path, time_limit=60)
    )
    child = await pid_in(marker)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await ends(child)


async def test_cancellation_while_the_command_starts_kills_the_whole_group(
    tmp_path: Path,
) -> None:
    """Cancelled before asyncio has connected the command's pipes (a loaded machine once
    took that long): asyncio kills only the process it started; its children live on."""
    marker = tmp_path / "pid"
    before = children()
    task = asyncio.create_task(
        run_bounded(leaves_a_sleeping_child(marker), cwd=tmp_path, time_limit=60)
    )
    while not children() - before:  # noqa: ASYNC110 (no event tells of a fork)
        await asyncio.sleep(0)
    # Its pipes take more steps of the loop to connect. The loop stands still meanwhile,
    # while the command starts its child and says its pid.
    deadline = time.monotonic() + 60
    while not (marker.is_file() and marker.read_text()):
        assert time.monotonic() < deadline, "the command never started its child"
        time.sleep(0.05)
    child = int(marker.read_text())
    task.cancel()
    assert await ends(child)  # killed, long before its 60 s sleep would end
    with pytest.raises(asyncio.CancelledError):
        await task


def children() -> set[int]:
    """The processes this one started, still there."""
    mine = str(os.getpid())
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                if (entry / "stat").read_text().rsplit(") ", 1)[1].split()[1] == mine:
                    found.add(int(entry.name))
    return found


async def test_merged_output_keeps_the_tail(tmp_path: Path) -> None:
    done = await run_bounded(
        [sys.executable, "-c", "import sys; print('x' * 5000); print('END', file=sys.stderr)"],
        cwd=tmp_path,
        time_limit=30,
        merge_stderr=True,
        keep_bytes=100,
    )
    assert len(done.stdout) == 100 and done.stdout.endswith(b"END\n")
