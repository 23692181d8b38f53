"""A runbook command that times out or is cancelled ends with everything it started."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from devora.errors import TimedOut
from devora.workflows.incident import RunbookCommand, RunbookCommandError, run_command
from tests.tools.processes import ends, leaves_a_sleeping_child, pid_in


async def test_a_timed_out_command_leaves_no_child_behind(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    command = RunbookCommand(name="restart", argv=leaves_a_sleeping_child(pid_file), timeout=3)
    with pytest.raises(RunbookCommandError, match=r"timed out after 3s") as caught:
        await run_command(command, tmp_path)
    assert isinstance(caught.value, TimedOut) and caught.value.limit == 3
    child = int(pid_file.read_text())
    assert await ends(child)


async def test_a_cancelled_run_leaves_no_child_behind(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    command = RunbookCommand(name="restart", argv=leaves_a_sleeping_child(pid_file), timeout=60)
    task = asyncio.create_task(run_command(command, tmp_path))
    child = await pid_in(pid_file)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await ends(child)
