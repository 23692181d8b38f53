"""run_bounded: the one way commands run — time-limited, and nothing outlives it."""

from __future__ import annotations

import asyncio
import sys
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


async def test_merged_output_keeps_the_tail(tmp_path: Path) -> None:
    done = await run_bounded(
        [sys.executable, "-c", "import sys; print('x' * 5000); print('END', file=sys.stderr)"],
        cwd=tmp_path,
        time_limit=30,
        merge_stderr=True,
        keep_bytes=100,
    )
    assert len(done.stdout) == 100 and done.stdout.endswith(b"END\n")
