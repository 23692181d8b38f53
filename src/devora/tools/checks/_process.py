"""Running a tool: an argv list, a working directory, a timeout, and what it printed."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ProcessOutput", "ToolTimeoutError", "run_process", "tail"]

# Tools print colours and progress bars to terminals; we want plain machine-readable output.
_QUIET_ENV = {
    "NO_COLOR": "1",
    "FORCE_COLOR": "0",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
    "npm_config_fund": "false",
    "npm_config_update_notifier": "false",
}


@dataclass(frozen=True)
class ProcessOutput:
    """What a finished process left: its exit code, its output and how long it took."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    duration: float


class ToolTimeoutError(Exception):
    """The process ran longer than its timeout and was killed."""

    def __init__(self, argv: Sequence[str], timeout: float) -> None:
        super().__init__(f"{Path(argv[0]).name} timed out after {timeout:g} s")
        self.argv = tuple(argv)
        self.timeout = timeout


def tail(text: str, lines: int = 20) -> str:
    """The last lines of a text, stripped."""
    return "\n".join(text.strip().splitlines()[-lines:])


async def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    time_limit: float,
    env: Mapping[str, str] | None = None,
) -> ProcessOutput:
    """Run argv in cwd for at most time_limit seconds (then kill it) and return its output."""
    environment = {**os.environ, **_QUIET_ENV, **(env or {})}
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    try:
        async with asyncio.timeout(time_limit):
            stdout, stderr = await process.communicate()
    except TimeoutError:
        _kill_group(process)
        await process.wait()
        raise ToolTimeoutError(argv, time_limit) from None
    except BaseException:
        # Cancelled from outside: never leave the tool running behind us.
        _kill_group(process)
        await process.wait()
        raise
    assert process.returncode is not None
    return ProcessOutput(
        argv=tuple(argv),
        exit_code=process.returncode,
        stdout=stdout.decode(errors="replace"),
        stderr=stderr.decode(errors="replace"),
        duration=time.monotonic() - started,
    )


def _kill_group(process: asyncio.subprocess.Process) -> None:
    # npm and npx start children of their own; kill the whole session we gave the tool.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
