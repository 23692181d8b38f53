"""Running a database client tool (pg_dump, pg_restore) through the one process runner."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping, Sequence

from devora.errors import ToolNotInstalledError
from devora.tools._subprocess import ProcessTimedOut, run_bounded
from devora.tools.migrations._errors import BackupError, BackupTimeoutError

__all__ = ["POSTGRES_CLIENT_INSTALL", "TOOL_TIME_LIMIT", "run_tool"]

TOOL_TIME_LIMIT = 3600.0
"""Seconds a dump or restore may take before it is killed."""

POSTGRES_CLIENT_INSTALL = "apt-get install postgresql-client (Debian/Ubuntu) or brew install libpq"


async def run_tool(
    argv: Sequence[str],
    *,
    action: str,
    target: str,
    env: Mapping[str, str] | None = None,
    time_limit: float = TOOL_TIME_LIMIT,
) -> str:
    """Run the tool; return its stderr, or raise BackupError on failure or timeout.

    The tool and everything it started are killed when it outlives `time_limit` or the
    caller cancels.
    """
    if shutil.which(argv[0]) is None:
        raise ToolNotInstalledError(argv[0], POSTGRES_CLIENT_INSTALL)
    try:
        # What it prints on stdout is not read by anyone: keep none of it.
        completed = await run_bounded(
            argv, time_limit=time_limit, env={**os.environ, **(env or {})}, keep_bytes=0
        )
    except FileNotFoundError as exc:
        raise ToolNotInstalledError(argv[0], POSTGRES_CLIENT_INSTALL) from exc
    except ProcessTimedOut as timed_out:
        raise BackupTimeoutError(action, target, argv[0], time_limit) from timed_out
    text = completed.stderr.decode(errors="replace").strip()
    if completed.returncode != 0:
        last = text.splitlines()[-1] if text else f"exit code {completed.returncode}"
        raise BackupError(action, target, f"{argv[0]} failed: {last}")
    return text
