"""k-ary bisection: several commits of one round tested at once, in separate worktrees.

With k workers a round tests k commits spread evenly over the commits still in doubt, so
each round leaves 1/(k+1) of them instead of 1/2; with k = 1 it is plain binary search, as
`git bisect run` does. A commit the probe cannot test (exit 125, tests not there) is
skipped, as git does; when only skipped commits separate the last good from the first bad,
the result names all of them as candidates.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from devora.tools.bisect._checkouts import check_out
from devora.tools.testrun import Verdict

__all__ = ["Probe", "SearchResult", "TestedCommit", "search_first_bad"]

Probe = Callable[[Path], Awaitable[Verdict]]
"""Tests the checkout at a path: passed (good), failed (bad) or untestable (skip)."""


class TestedCommit(BaseModel):
    """One probe run: the commit and what the reproducer said there."""

    __test__ = False
    model_config = ConfigDict(frozen=True)

    commit: str
    verdict: Verdict
    round: int


class SearchResult(BaseModel):
    """Where the search ended: the first bad commit, or the candidates skipped commits leave."""

    model_config = ConfigDict(frozen=True)

    first_bad: str | None = Field(description="the culprit, when it is one commit")
    candidates: list[str] = Field(description="the commits that may be the first bad one")
    tested: list[TestedCommit]
    rounds: int

    @property
    def test_runs(self) -> int:
        """How many times the probe ran."""
        return len(self.tested)


async def search_first_bad(
    commits: Sequence[str], probe: Probe, checkouts: Sequence[Path]
) -> SearchResult:
    """The first commit of `commits` (oldest first; the last is known bad, the one before
    the first known good) where `probe` fails, with one probe per checkout per round."""
    if not commits:
        raise ValueError("no commit to bisect")
    good, bad = -1, len(commits) - 1
    skipped: set[int] = set()
    tested: list[TestedCommit] = []
    rounds = 0
    while doubtful := [i for i in range(good + 1, bad) if i not in skipped]:
        rounds += 1
        points = _spread(doubtful, len(checkouts))
        verdicts = await asyncio.gather(
            *(
                _probe_at(probe, path, commits[i])
                for path, i in zip(checkouts, points, strict=False)
            )
        )
        for index, verdict in zip(points, verdicts, strict=True):
            tested.append(TestedCommit(commit=commits[index], verdict=verdict, round=rounds))
            if verdict is Verdict.UNTESTABLE:
                skipped.add(index)
        failed = [i for i, v in zip(points, verdicts, strict=True) if v is Verdict.FAILED]
        bad = min([bad, *failed])
        passed = [i for i, v in zip(points, verdicts, strict=True) if v is Verdict.PASSED]
        good = max([good, *(i for i in passed if i < bad)])
    candidates = [commits[i] for i in range(good + 1, bad + 1)]
    return SearchResult(
        first_bad=candidates[0] if len(candidates) == 1 else None,
        candidates=candidates,
        tested=tested,
        rounds=rounds,
    )


def _spread(doubtful: list[int], workers: int) -> list[int]:
    """Up to `workers` indices cutting `doubtful` into equal parts."""
    count = min(workers, len(doubtful))
    chosen = {doubtful[(part * len(doubtful)) // (count + 1)] for part in range(1, count + 1)}
    return sorted(chosen)


async def _probe_at(probe: Probe, path: Path, commit: str) -> Verdict:
    await check_out(path, commit)
    return await probe(path)
