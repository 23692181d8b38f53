"""Bisection: the first bad commit between a known-good one and HEAD, in separate worktrees.

    report = await bisect_history(repo, probe, good="v1.0", jobs=2)

k-ary: each round tests `jobs` commits at once in detached worktrees (jobs=1 is the plain
sequential binary search of `git bisect run`); untestable commits (exit 125) are skipped;
without a known-good ref, tags and then ever older commits are tried until one passes.
"""

from devora.tools.bisect._bisect import BisectReport, bisect_history, default_jobs
from devora.tools.bisect._checkouts import check_out, open_checkouts
from devora.tools.bisect._errors import GoodIsBadError, NotAnAncestorError, UnknownRefError
from devora.tools.bisect._history import (
    CommitInfo,
    commits_between,
    describe_commit,
    first_parents,
    resolve_commit,
)
from devora.tools.bisect._known_good import find_known_good, walk_back_order
from devora.tools.bisect._search import Probe, SearchResult, TestedCommit, search_first_bad

__all__ = [
    "BisectReport",
    "CommitInfo",
    "GoodIsBadError",
    "NotAnAncestorError",
    "Probe",
    "SearchResult",
    "TestedCommit",
    "UnknownRefError",
    "bisect_history",
    "check_out",
    "commits_between",
    "default_jobs",
    "describe_commit",
    "find_known_good",
    "first_parents",
    "open_checkouts",
    "resolve_commit",
    "search_first_bad",
    "walk_back_order",
]
