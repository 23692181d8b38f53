"""Running git as an argv list, asynchronously, with a timeout."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path

from devora.agents._errors import GitError
from devora.errors import ToolNotInstalledError

__all__ = ["GIT_TIMEOUT", "run_git"]

# Local git operations; a hung git (a lock, a credential prompt) must not hang the run.
GIT_TIMEOUT = 120.0

# Commits made by the agent do not depend on the user's git identity, signing or hooks.
_IDENTITY = (
    "-c",
    "user.name=Devora",
    "-c",
    "user.email=devora@localhost",
    "-c",
    "commit.gpgsign=false",
)


async def run_git(args: Sequence[str], cwd: Path) -> str:
    """Run `git ARGS` in `cwd` and return its stdout; raise GitError on failure."""
    try:
        process = await asyncio.create_subprocess_exec(
            "git",
            *_IDENTITY,
            *args,
            cwd=cwd,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except FileNotFoundError as error:
        raise ToolNotInstalledError("git", "https://git-scm.com/downloads") from error
    try:
        stdout, stderr = await asyncio.wait_for(process.communicate(), GIT_TIMEOUT)
    except TimeoutError:
        process.kill()
        await process.wait()
        raise GitError(args, -1, f"timed out after {GIT_TIMEOUT:g}s") from None
    except asyncio.CancelledError:
        process.kill()
        await process.wait()
        raise
    if process.returncode != 0:
        raise GitError(args, process.returncode or 1, stderr.decode(errors="replace"))
    return stdout.decode(errors="replace")
