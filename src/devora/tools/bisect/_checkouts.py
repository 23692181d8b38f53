"""Detached worktrees where bisection checks commits out, away from the user's checkout.

The user's work tree, index and stash are never touched: each worker has a worktree of its
own (registered in the repository's .git/worktrees while it exists), removed at the end.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from devora.tools.git import run_git

__all__ = ["check_out", "open_checkouts"]

_CHECKOUT_TIMEOUT = 300.0


@contextlib.asynccontextmanager
async def open_checkouts(
    repository: Path, count: int, commit: str, *, root: Path | None = None
) -> AsyncIterator[list[Path]]:
    """`count` detached worktrees of `repository` at `commit`; all removed on leaving."""
    with tempfile.TemporaryDirectory(prefix="devora-bisect-", dir=root) as parent:
        paths = [Path(parent) / f"w{index}" for index in range(count)]
        made: list[Path] = []
        try:
            for path in paths:
                await run_git(
                    repository,
                    ["worktree", "add", "--detach", "--quiet", str(path), commit],
                    time_limit=_CHECKOUT_TIMEOUT,
                )
                made.append(path)
            yield paths
        finally:
            for path in made:
                await run_git(
                    repository,
                    ["worktree", "remove", "--force", str(path)],
                    time_limit=_CHECKOUT_TIMEOUT,
                    check=False,
                )
            await run_git(repository, ["worktree", "prune"], check=False)


async def check_out(path: Path, commit: str) -> None:
    """Put the worktree at `path` on `commit`, with nothing left from the previous one."""
    await run_git(path, ["checkout", "--detach", "--force", "--quiet", commit],
                  time_limit=_CHECKOUT_TIMEOUT)  # fmt: skip
    await run_git(path, ["clean", "-fdxq"], time_limit=_CHECKOUT_TIMEOUT)
