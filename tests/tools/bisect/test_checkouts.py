"""Throwaway checkouts opened at the same time in one repository (a run's bisection and its
fault localization do) do not trip over each other."""

from __future__ import annotations

import asyncio
from pathlib import Path

from devora.tools.bisect import open_checkouts
from tests.tools.bisect.history import GOOD, build_history, git


async def test_concurrent_checkouts_of_one_repository(tmp_path: Path) -> None:
    repo = build_history(tmp_path / "repo", 3, bad_at=None)
    head = git(repo, "rev-parse", "HEAD").strip()

    async def open_one() -> list[str]:
        async with open_checkouts(repo, 1, head) as paths:
            return [(path / "src" / "calc.py").read_text() for path in paths]

    for _ in range(100):  # git reads every worktree's entry while it adds one
        opened = await asyncio.gather(open_one(), open_one(), open_one())
        assert opened == [[GOOD]] * 3
    assert len(git(repo, "worktree", "list").splitlines()) == 1
