"""Running a command the one way Devora does: an argv list, a time limit, nothing left behind.

Every process Devora starts (tools, git, runbook commands, database clients, the coding
agent's commands) starts here, so they all get the same guarantees: the command runs in a
session of its own, and when it times out or its step is cancelled the whole process group
is killed — a hook or a test runner's children included, which would otherwise keep the
pipes open and hang the step. `run_bounded` gives the bytes; `run_process` runs a tool
with a quiet environment and gives its output as plain text.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devora.errors import TimedOut

__all__ = [
    "Completed",
    "Confinement",
    "ProcessOutput",
    "ProcessTimedOut",
    "ToolTimeoutError",
    "confined",
    "run_bounded",
    "run_process",
    "scratch_directory",
    "start_in_own_session",
    "strip_ansi",
    "tail",
]

# Tools print colours and progress bars to terminals; we want plain machine-readable output.
# (Not FORCE_COLOR=0: some tools, ruff 0.6 among them, force colours when it is set at all.)
_QUIET_ENV = {
    "NO_COLOR": "1",
    "PYTHONDONTWRITEBYTECODE": "1",
    "PYTHONIOENCODING": "utf-8",
    "npm_config_fund": "false",
    "npm_config_update_notifier": "false",
}
_COLOUR_FORCING = frozenset({"FORCE_COLOR", "CLICOLOR_FORCE", "PY_COLORS"})
_PARENT_PREFIXES = ("COV_CORE_", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


@dataclass(frozen=True)
class Completed:
    """A finished command: its exit code, what it printed, how long it took."""

    argv: tuple[str, ...]
    returncode: int
    stdout: bytes
    stderr: bytes
    duration: float


class ProcessTimedOut(TimedOut):
    """The command ran past its time limit and was killed; what it printed is kept."""

    code = "process_timed_out"
    default_hint = "raise the time limit, or run the command by hand to see where it hangs"

    def __init__(self, argv: Sequence[str], time_limit: float, stdout: bytes) -> None:
        self.argv = tuple(argv)
        self.time_limit = self.limit = time_limit
        self.what = Path(argv[0]).name
        self.stdout = stdout
        super().__init__(f"{self.what} timed out after {time_limit:g} s")


async def run_bounded(
    argv: Sequence[str],
    *,
    cwd: Path | None = None,
    time_limit: float,
    env: Mapping[str, str] | None = None,
    merge_stderr: bool = False,
    keep_bytes: int | None = None,
) -> Completed:
    """Run argv in cwd (default: the current directory) for at most time_limit seconds.

    `env` replaces the environment when given. With `merge_stderr`, stderr is read into
    stdout; with `keep_bytes`, only the last bytes of stdout are kept (the end of a test
    run holds its summary). FileNotFoundError (no such program) is the caller's to translate.
    """
    started = time.monotonic()
    process = await start_in_own_session(
        argv,
        cwd=cwd,
        env=dict(env) if env is not None else None,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT if merge_stderr else asyncio.subprocess.PIPE,
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


async def start_in_own_session(argv: Sequence[str], **options: Any) -> asyncio.subprocess.Process:
    """Start argv in a session (and process group) of its own.

    Cancelled while it starts (its pipes not yet connected: a loaded machine takes a while),
    asyncio would kill the process alone, and what it had already started would live on:
    the start is finished instead, and the whole group killed.
    """
    starting = asyncio.ensure_future(
        asyncio.create_subprocess_exec(*argv, start_new_session=True, **options)
    )
    try:
        return await asyncio.shield(starting)
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):  # a start that failed left nothing to kill
            await _kill_group(await starting)
        raise


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


@dataclass(frozen=True)
class ProcessOutput:
    """What a finished tool left: its exit code, its output as text and how long it took."""

    argv: tuple[str, ...]
    exit_code: int
    stdout: str
    stderr: str
    duration: float


class ToolTimeoutError(ProcessTimedOut):
    """A tool run by `run_process` ran longer than its timeout and was killed."""

    code = "tool_timeout"

    def __init__(self, argv: Sequence[str], timeout: float, stdout: bytes = b"") -> None:
        super().__init__(argv, timeout, stdout)
        self.timeout = timeout


def strip_ansi(text: str) -> str:
    """The text without terminal colour and cursor escapes (raw ESC never belongs in JSON)."""
    return _ANSI.sub("", text)


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
    """Run argv in cwd for at most time_limit seconds (then kill it) and return its output.

    Inside `confined(...)`, the command runs confined, with the confinement's environment.
    """
    inherited = {k: v for k, v in os.environ.items() if not _describes_parent(k)}
    command = list(argv)
    confinement = _confinement.get()
    if confinement is not None:
        inherited = confinement.environment(inherited)
        command = confinement.argv(argv, cwd)
    try:
        completed = await run_bounded(
            command,
            cwd=cwd,
            time_limit=time_limit,
            env={**inherited, **_QUIET_ENV, **(env or {})},
        )
    except ProcessTimedOut as timed_out:
        raise ToolTimeoutError(argv, time_limit, timed_out.stdout) from None
    return ProcessOutput(
        argv=tuple(argv),
        exit_code=completed.returncode,
        stdout=strip_ansi(completed.stdout.decode(errors="replace")),
        stderr=strip_ansi(completed.stderr.decode(errors="replace")),
        duration=completed.duration,
    )


@dataclass(frozen=True)
class Confinement:
    """How `run_process` starts tools inside a sandbox (the gate re-checking an agent's work).

    `argv` rewrites a command (argv, cwd) into the one that runs it confined; `environment`
    turns the inherited environment into the one allowed inside; `scratch` is a directory
    writable inside, where tools put their own temporary files (`scratch_directory`).
    """

    argv: Callable[[Sequence[str], Path], list[str]]
    environment: Callable[[Mapping[str, str]], dict[str, str]]
    scratch: Path


_confinement: ContextVar[Confinement | None] = ContextVar("devora_confinement", default=None)


@contextlib.contextmanager
def confined(confinement: Confinement) -> Iterator[None]:
    """Within the block (and the tasks it starts), `run_process` runs tools confined."""
    token = _confinement.set(confinement)
    try:
        yield
    finally:
        _confinement.reset(token)


def scratch_directory() -> Path | None:
    """Where a tool's temporary files go: the confinement's scratch, else None (the system's)."""
    confinement = _confinement.get()
    return confinement.scratch if confinement is not None else None


def _describes_parent(name: str) -> bool:
    # Colour forcing breaks parsing; pytest-cov's and pytest's own variables describe the
    # process that runs Devora (its tests, its coverage), not the project's tools.
    return name in _COLOUR_FORCING or name.startswith(_PARENT_PREFIXES)
