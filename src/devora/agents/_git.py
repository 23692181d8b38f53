"""Running git as an argv list, asynchronously, with a timeout."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devora.agents._errors import GitError
from devora.errors import ToolNotInstalledError
from devora.tools._subprocess import ProcessTimedOut, run_bounded

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
    argv = ("git", *_IDENTITY, *args)
    try:
        completed = await run_bounded(argv, cwd=cwd, time_limit=GIT_TIMEOUT)
    except FileNotFoundError as error:
        raise ToolNotInstalledError("git", "https://git-scm.com/downloads") from error
    except ProcessTimedOut:
        raise GitError(args, -1, f"timed out after {GIT_TIMEOUT:g}s") from None
    if completed.returncode != 0:
        raise GitError(args, completed.returncode or 1, completed.stderr.decode(errors="replace"))
    return completed.stdout.decode(errors="replace")
