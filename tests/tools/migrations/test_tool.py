"""A database client tool (pg_dump, pg_restore) that outlives its time leaves nothing behind."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from devora.errors import TimedOut
from devora.tools.migrations import BackupError
from devora.tools.migrations._tool import run_tool
from tests.tools.processes import ends, leaves_a_sleeping_child, pid_in


async def test_a_tool_past_its_time_is_killed_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    with pytest.raises(BackupError, match=r"did not finish within 3s") as caught:
        await run_tool(
            leaves_a_sleeping_child(pid_file), action="backup", target="db", time_limit=3
        )
    assert isinstance(caught.value, TimedOut) and caught.value.limit == 3
    child = await pid_in(pid_file)
    assert await ends(child)


async def test_a_cancelled_tool_is_killed_with_its_children(tmp_path: Path) -> None:
    pid_file = tmp_path / "child.pid"
    task = asyncio.create_task(
        run_tool(leaves_a_sleeping_child(pid_file), action="restore", target="db")
    )
    child = await pid_in(pid_file)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert await ends(child)
