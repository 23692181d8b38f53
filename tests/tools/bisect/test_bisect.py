"""Bisection on real git histories (200+ commits) in detached worktrees."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from devora.errors import EXIT_BAD_INPUT
from devora.tools.bisect import (
    GoodIsBadError,
    NotAnAncestorError,
    UnknownRefError,
    bisect_history,
    walk_back_order,
)
from devora.tools.testrun import Reproducer, Verdict, run_reproducer
from tests.tools.bisect.history import build_history, git, user_state

COMMITS = 240


async def file_probe(path: Path) -> Verdict:
    """The reproducer's rule read straight from the checkout (no process: fast)."""
    if (path / "BROKEN").exists():
        return Verdict.UNTESTABLE
    bad = "a - b" in (path / "src" / "calc.py").read_text()
    return Verdict.FAILED if bad else Verdict.PASSED


async def command_probe(path: Path) -> Verdict:
    run = await run_reproducer(Reproducer(argv=(sys.executable, "check.py")), path, None)
    return run.verdict


def commit_of(root: Path, number: int) -> str:
    return git(root, "rev-list", "--reverse", "main").split()[number - 1]


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = build_history(tmp_path / "repo", COMMITS, bad_at=157, tags={"v1.0": 120, "v0.9": 60})
    # The user's own uncommitted work and stash, which bisection must leave alone.
    (root / "counter.txt").write_text("mine\n")
    (root / "notes.txt").write_text("untracked\n")
    return root


@pytest.mark.parametrize("jobs", [1, 2, 3])
def test_bisection_names_the_first_bad_commit(repo: Path, tmp_path: Path, jobs: int) -> None:
    before = user_state(repo)
    report = asyncio.run(
        bisect_history(
            repo, file_probe, good=commit_of(repo, 1), jobs=jobs, worktrees_root=tmp_path
        )
    )
    assert report.culprit is not None
    assert report.culprit.hash == commit_of(repo, 157)
    assert report.culprit.subject == "commit 157"
    assert "src/calc.py" in report.culprit.diff_stat
    assert "-    return a + b" in report.culprit.diff
    assert report.culprit.author.startswith("A1 <")
    assert report.commits_in_range == COMMITS - 1
    assert user_state(repo) == before
    assert "devora-bisect" not in git(repo, "worktree", "list")


def test_more_workers_take_fewer_rounds(repo: Path, tmp_path: Path) -> None:
    good = commit_of(repo, 1)
    one = asyncio.run(bisect_history(repo, file_probe, good=good, jobs=1, worktrees_root=tmp_path))
    three = asyncio.run(
        bisect_history(repo, file_probe, good=good, jobs=3, worktrees_root=tmp_path)
    )
    # Binary search over 239 commits takes about log2(239) rounds; k=3 about log4(239).
    assert one.rounds >= 7
    assert three.rounds < one.rounds
    assert one.test_runs == one.rounds + 1  # one per round, and the check of --good


def test_untestable_commits_are_skipped(tmp_path: Path) -> None:
    root = build_history(tmp_path / "repo", 220, bad_at=100, untestable={40, 41, 98, 147})
    report = asyncio.run(
        bisect_history(root, file_probe, good=commit_of(root, 1), jobs=2, worktrees_root=tmp_path)
    )
    assert report.culprit is not None and report.culprit.subject == "commit 100"
    assert Verdict.UNTESTABLE in {t.verdict for t in report.tested}
    # Untestable at the culprit: the candidates say so instead of guessing.
    skipped_at_culprit = build_history(tmp_path / "r2", 220, bad_at=100, untestable={99, 100})
    report = asyncio.run(
        bisect_history(
            skipped_at_culprit, file_probe, good=commit_of(skipped_at_culprit, 1), jobs=2,
            worktrees_root=tmp_path,
        )
    )  # fmt: skip
    # 99 and 100 cannot be tested: the first bad is one of 99, 100, 101 (git says the same).
    assert report.culprit is None
    assert report.candidates == [commit_of(skipped_at_culprit, n) for n in (99, 100, 101)]


def test_without_good_it_walks_back_to_a_passing_commit(repo: Path, tmp_path: Path) -> None:
    before = user_state(repo)
    report = asyncio.run(bisect_history(repo, file_probe, jobs=2, worktrees_root=tmp_path))
    assert report.good_found_automatically
    assert report.good == commit_of(repo, 120)  # the newest tag, where the test passes
    assert report.culprit is not None and report.culprit.subject == "commit 157"
    assert user_state(repo) == before


def test_walk_back_tries_tags_then_doubling_distances(repo: Path) -> None:
    order = asyncio.run(walk_back_order(repo, commit_of(repo, COMMITS)))
    numbers = [int(git(repo, "log", "-1", "--format=%s", c).split()[1]) for c in order]
    assert numbers[:2] == [120, 60]
    assert numbers[2:6] == [COMMITS - 1, COMMITS - 2, COMMITS - 4, COMMITS - 8]
    assert numbers[-1] == 1


def test_a_bug_that_was_always_there_says_so(tmp_path: Path) -> None:
    root = build_history(tmp_path / "repo", 30, bad_at=1)
    report = asyncio.run(bisect_history(root, file_probe, jobs=2, worktrees_root=tmp_path))
    assert report.always_bad and report.good is None and report.culprit is None


def test_with_a_real_command_reproducer(tmp_path: Path) -> None:
    root = build_history(tmp_path / "repo", 200, bad_at=31, untestable={50})
    report = asyncio.run(
        bisect_history(
            root, command_probe, good=commit_of(root, 2), jobs=2, worktrees_root=tmp_path
        )
    )
    assert report.culprit is not None and report.culprit.subject == "commit 31"


def test_bad_good_refs_are_usage_errors(repo: Path, tmp_path: Path) -> None:
    before = user_state(repo)
    with pytest.raises(UnknownRefError) as unknown:
        asyncio.run(bisect_history(repo, file_probe, good="v7.7", worktrees_root=tmp_path))
    assert unknown.value.exit_code == EXIT_BAD_INPUT and "v7.7" in unknown.value.message
    with pytest.raises(GoodIsBadError) as already:
        asyncio.run(
            bisect_history(repo, file_probe, good=commit_of(repo, 200), worktrees_root=tmp_path)
        )
    assert already.value.exit_code == EXIT_BAD_INPUT and "already" in already.value.message
    git(repo, "branch", "side", commit_of(repo, 10))
    git(repo, "worktree", "add", "-q", str(tmp_path / "side"), "side")
    (tmp_path / "side" / "x.txt").write_text("x")
    git(tmp_path / "side", "add", "x.txt")
    git(tmp_path / "side", "commit", "-qm", "side")
    with pytest.raises(NotAnAncestorError):
        asyncio.run(bisect_history(repo, file_probe, good="side", worktrees_root=tmp_path))
    git(repo, "worktree", "remove", "--force", str(tmp_path / "side"))
    assert user_state(repo) == before
