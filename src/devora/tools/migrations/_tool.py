"""Running a database client tool (pg_dump, pg_restore) as an argv list with a timeout."""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
from collections.abc import Mapping, Sequence

from devora.errors import ToolNotInstalledError
from devora.tools.migrations._errors import BackupError

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
) -> str:
    """Run the tool; return its stderr, or raise BackupError on failure or timeout.

    The tool is killed when it outlives TOOL_TIME_LIMIT or the caller cancels (for a
    shorter limit, wrap the call in `asyncio.timeout`).
    """
    if shutil.which(argv[0]) is None:
        raise ToolNotInstalledError(argv[0], POSTGRES_CLIENT_INSTALL)
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env={**os.environ, **(env or {})},
        )
    except FileNotFoundError as exc:
        raise ToolNotInstalledError(argv[0], POSTGRES_CLIENT_INSTALL) from exc
    try:
        async with asyncio.timeout(TOOL_TIME_LIMIT):
            _stdout, stderr = await process.communicate()
    except BaseException as exc:
        # Timed out, or the caller cancelled: never leave the tool running.
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await asyncio.shield(process.wait())
        if isinstance(exc, TimeoutError):
            raise BackupError(
                action, target, f"{argv[0]} did not finish within {TOOL_TIME_LIMIT:.0f}s"
            ) from None
        raise
    text = stderr.decode(errors="replace").strip()
    if process.returncode != 0:
        last = text.splitlines()[-1] if text else f"exit code {process.returncode}"
        raise BackupError(action, target, f"{argv[0]} failed: {last}")
    return text
