"""Running a command the one way Devora does: an argv list, a time limit, nothing left behind.

Every adapter (tools, git, the coding agent's commands) starts its processes here, so they
all get the same guarantees: the command runs in a session of its own, and when it times
out or its step is cancelled the whole process group is killed — a hook or a test runner's
children included, which would otherwise keep the pipes open and hang the step.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Completed", "ProcessTimedOut", "run_bounded"]


@dataclass(frozen=True)
class Completed:
    """A finished command: its exit code, what it printed, how long it took."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes
    duration: float


class ProcessTimedOut(Exception):
    """The command ran past its time limit and was killed; what it printed is kept."""

    def __init__(self, argv: Sequence[str], time_limit: float, stdout: bytes) -> None:
        super().__init__(f"{Path(argv[0]).name} timed out after {time_limit:g} s")
        self.argv = tuple(argv)
        self.time_limit = time_limit
        self.stdout = stdout


async def run_bounded(
    argv: Sequence[str],
    *,
    cwd: Path,
    time_limit: float,
    env: Mapping[str, str] | None = None,
    merge_stderr: bool = False,
    keep_bytes: int | None = None,
) -> Completed:
    """Run argv in cwd for at most time_limit seconds.

    `env` replaces the environment when given. With `merge_stderr`, stderr is read into
    stdout; with `keep_bytes`, only the last bytes of stdout are kept (the end of a test
    run holds its summary). FileNotFoundError (no such program) is the caller's to translate.
    """
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        *argv,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
        start_new_session=True,
    )
    stdout, stderr = bytearray(), bytearray()
    try:
        async with asyncio.timeout(time_limit):
            await asyncio.gather(
                _read(process.stdout, stdout, keep_bytes),
                _read(process.stderr, stderr, None),
            )
            await process.wait()
    except TimeoutError:
        await _kill_group(process)
        raise ProcessTimedOut(argv, time_limit, bytes(stdout)) from None
    except BaseException:
        # Cancelled from outside: never leave the command running behind us.
        await _kill_group(process)
        raise
    assert process.returncode is not None
    return Completed(
        argv=tuple(argv),
        returncode=process.returncode,
        stdout=bytes(stdout),
        stderr=bytes(stderr),
        duration=time.monotonic() - started,
    )


async def _read(
    stream: asyncio.StreamReader | None, into: bytearray, keep_bytes: int | None
) -> None:
    # Read as it comes, so what a command printed before it hung is not lost.
    if stream is None:
        return
    while chunk := await stream.read(65536):
        into += chunk
        if keep_bytes is not None and len(into) > keep_bytes:
            del into[: len(into) - keep_bytes]


async def _kill_group(process: asyncio.subprocess.Process) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    await process.wait()
