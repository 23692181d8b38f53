"""Bisection of a repository's history, end to end: known-good, search, the culprit.

    report = await bisect_history(repo, probe, good=None, bad="HEAD", jobs=2)
    report.culprit.hash, report.test_runs

Everything happens in detached worktrees under a temporary directory: the user's checkout,
index and stash are never touched.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from devora.tools.bisect._checkouts import check_out, open_checkouts
from devora.tools.bisect._errors import GoodIsBadError
from devora.tools.bisect._history import (
    CommitInfo,
    commits_between,
    describe_commit,
    resolve_commit,
)
from devora.tools.bisect._known_good import find_known_good
from devora.tools.bisect._search import Probe, TestedCommit, search_first_bad
from devora.tools.testrun import Verdict

__all__ = ["BisectReport", "bisect_history", "default_jobs"]


async def _check_good(
    probe: Probe, path: Path, ref: str, commit: str, tested: list[TestedCommit]
) -> None:
    await check_out(path, commit)
    verdict = await probe(path)
    tested.append(TestedCommit(commit=commit, verdict=verdict, round=0))
    if verdict is not Verdict.PASSED:
        raise GoodIsBadError(ref, commit, f"the reproducer's verdict there: {verdict}")


def default_jobs() -> int:
    """Parallel worktrees by default: one per core, at least two."""
    return max(2, os.cpu_count() or 1)


class BisectReport(BaseModel):
    """What bisection found: the culprit (or the candidates), the good commit, the cost."""

    model_config = ConfigDict(frozen=True)

    good: str | None = Field(
        description="the known-good commit; None when the bug was always there"
    )
    bad: str
    good_found_automatically: bool
    always_bad: bool = Field(description="no commit of the history passes the reproducer")
    culprit: CommitInfo | None = None
    candidates: list[str] = Field(default_factory=list)
    tested: list[TestedCommit] = Field(default_factory=list)
    rounds: int = 0
    jobs: int = 1
    commits_in_range: int = 0

    @property
    def test_runs(self) -> int:
        """How many times the reproducer ran, the known-good search included."""
        return len(self.tested)


async def bisect_history(
    repository: Path,
    probe: Probe,
    *,
    good: str | None = None,
    bad: str = "HEAD",
    jobs: int | None = None,
    worktrees_root: Path | None = None,
) -> BisectReport:
    """Find the first commit between a known-good one and `bad` where `probe` fails.

    Without `good`, walk back from `bad` until the probe passes. A given `good` where the
    probe fails is GoodIsBadError; a ref that names nothing is UnknownRefError.
    """
    workers = jobs or default_jobs()
    bad_commit = await resolve_commit(repository, bad, "--bad")
    good_commit = await resolve_commit(repository, good, "--good") if good is not None else None
    # With --good, an extra worktree checks it while the first round runs (a failure there
    # cancels the search): the check costs no round of its own.
    count = workers + (1 if good_commit is not None else 0)
    async with open_checkouts(repository, count, bad_commit, root=worktrees_root) as paths:
        tested: list[TestedCommit] = []
        if good_commit is None:
            good_commit, tested = await find_known_good(repository, bad_commit, probe, paths[0])
            if good_commit is None:
                return BisectReport(
                    good=None, bad=bad_commit, good_found_automatically=True, always_bad=True,
                    tested=tested, jobs=workers,
                )  # fmt: skip
            commits = await commits_between(repository, good_commit, bad_commit)
            result = await search_first_bad(commits, probe, paths)
        else:
            commits = await commits_between(repository, good_commit, bad_commit)
            try:
                async with asyncio.TaskGroup() as group:
                    group.create_task(_check_good(probe, paths[-1], str(good), good_commit, tested))
                    search = group.create_task(search_first_bad(commits, probe, paths[:workers]))
            except BaseExceptionGroup as errors:
                raise errors.exceptions[0] from None
            result = search.result()
    culprit = await describe_commit(repository, result.first_bad) if result.first_bad else None
    return BisectReport(
        good=good_commit,
        bad=bad_commit,
        good_found_automatically=good is None,
        always_bad=False,
        culprit=culprit,
        candidates=result.candidates,
        tested=[*tested, *result.tested],
        rounds=result.rounds,
        jobs=workers,
        commits_in_range=len(commits),
    )
