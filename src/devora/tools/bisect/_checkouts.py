"""Detached worktrees where bisection checks commits out, away from the user's checkout.

The user's work tree, index and stash are never touched: each worker has a worktree of its
own (registered in the repository's .git/worktrees while it exists), removed at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import tempfile
import weakref
from collections.abc import AsyncIterator
from pathlib import Path

from devora.tools.git import run_git

__all__ = ["check_out", "open_checkouts"]

_CHECKOUT_TIMEOUT = 300.0
# `git worktree add` reads every entry of .git/worktrees and fails on one another `add` is
# still writing ("failed to read .git/worktrees/NAME/commondir"): adding and removing
# checkouts of one repository is serialized (a run bisects and localizes at the same time).
_registry_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[Path, asyncio.Lock]] = (
    weakref.WeakKeyDictionary()
)


def _registry_lock(repository: Path) -> asyncio.Lock:
    locks = _registry_locks.setdefault(asyncio.get_running_loop(), {})
    return locks.setdefault(repository.resolve(), asyncio.Lock())


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
                async with _registry_lock(repository):
                    await run_git(
                        repository,
                        ["worktree", "add", "--detach", "--quiet", str(path), commit],
                        time_limit=_CHECKOUT_TIMEOUT,
                    )
                made.append(path)
            yield paths
        finally:
            async with _registry_lock(repository):
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
