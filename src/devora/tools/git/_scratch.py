"""Scratch repositories: a throwaway git copy of a directory, to branch a worktree from."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Sequence
from pathlib import Path

from devora.tools.git._process import COMMITTER, run_git

__all__ = ["commit_everything", "create_scratch_repository"]

# Copying a project is local work, but a big one takes a while on a busy machine.
_SCRATCH_GIT_TIMEOUT = 120.0


async def create_scratch_repository(
    source: Path, target: Path, *, skipped: Sequence[str] = ()
) -> Path:
    """Copy `source` to `target` (links kept as links, `skipped` names left out) and commit it
    all in a new repository there; return `target`."""
    await asyncio.to_thread(
        shutil.copytree,
        source,
        target,
        symlinks=True,
        ignore=shutil.ignore_patterns(".git", *skipped),
    )
    await run_git(target, [*COMMITTER, "init", "-q"], time_limit=_SCRATCH_GIT_TIMEOUT)
    await commit_everything(target, "the project as Devora found it")
    return target


async def commit_everything(repository: Path, message: str) -> bool:
    """Commit every change of the work tree (new files too); False when there was none."""
    await run_git(repository, ["add", "-A"], time_limit=_SCRATCH_GIT_TIMEOUT)
    staged = await run_git(
        repository, ["diff", "--cached", "--quiet"], time_limit=_SCRATCH_GIT_TIMEOUT, check=False
    )
    if staged.returncode == 0:
        return False
    await run_git(
        repository,
        [*COMMITTER, "commit", "-q", "--no-verify", "--allow-empty-message", "-m", message],
        time_limit=_SCRATCH_GIT_TIMEOUT,
    )
    return True
