"""Running a tool: an argv list, a working directory, a timeout, and what it printed."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from devora.tools._subprocess import ProcessTimedOut, run_bounded

__all__ = ["ProcessOutput", "ToolTimeoutError", "run_process", "strip_ansi", "tail"]

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
    """Run argv in cwd for at most time_limit seconds (then kill it) and return its output."""
    inherited = {k: v for k, v in os.environ.items() if not _describes_parent(k)}
    try:
        completed = await run_bounded(
            argv, cwd=cwd, time_limit=time_limit, env={**inherited, **_QUIET_ENV, **(env or {})}
        )
    except ProcessTimedOut:
        raise ToolTimeoutError(argv, time_limit) from None
    return ProcessOutput(
        argv=completed.argv,
        exit_code=completed.returncode,
        stdout=strip_ansi(completed.stdout.decode(errors="replace")),
        stderr=strip_ansi(completed.stderr.decode(errors="replace")),
        duration=completed.duration,
    )


def _describes_parent(name: str) -> bool:
    # Colour forcing breaks parsing; pytest-cov's and pytest's own variables describe the
    # process that runs Devora (its tests, its coverage), not the project's tools.
    return name in _COLOUR_FORCING or name.startswith(_PARENT_PREFIXES)
