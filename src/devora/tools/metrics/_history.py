"""Churn and temporal coupling from `git log --numstat`, computed as code-maat computes its
`revisions`, `churn` and `coupling` analyses."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path

from devora.tools.git import run_git
from devora.tools.metrics._models import Coupling, FileChurn

__all__ = ["ChangeSet", "CouplingRules", "file_churn", "read_change_sets", "temporal_coupling"]

_MARK = "--devora-commit--"
LOG_TIMEOUT = 300.0


@dataclass(frozen=True)
class ChangeSet:
    """One commit: its hash, author and, per file, (lines added, lines deleted)."""

    commit: str
    author: str
    files: dict[str, tuple[int, int]]


@dataclass(frozen=True)
class CouplingRules:
    """code-maat's coupling thresholds (its defaults)."""

    min_revisions: int = 5
    min_shared_revisions: int = 5
    min_degree: int = 30
    max_changeset_size: int = 30


async def read_change_sets(root: Path, window_days: int) -> list[ChangeSet]:
    """The non-merge commits of HEAD's history in the last `window_days` days."""
    result = await run_git(
        root,
        [
            "log",
            "--no-merges",
            "--no-renames",
            "--numstat",
            f"--since={window_days}.days.ago",
            f"--format={_MARK}%H%x09%aE",
            "HEAD",
        ],
        time_limit=LOG_TIMEOUT,
    )
    sets: list[ChangeSet] = []
    for line in result.stdout.splitlines():
        if line.startswith(_MARK):
            commit, _, author = line.removeprefix(_MARK).partition("\t")
            sets.append(ChangeSet(commit, author, {}))
        elif line.strip() and sets:
            added, deleted, name = line.split("\t", 2)
            # Binary files show "-": they changed, with no line counts.
            sets[-1].files[name] = (_count(added), _count(deleted))
    return sets


def _count(field: str) -> int:
    return int(field) if field.isdigit() else 0


def file_churn(change_sets: list[ChangeSet]) -> list[FileChurn]:
    """Per file: revisions (commits), lines added and deleted, distinct authors."""
    revisions: Counter[str] = Counter()
    added: Counter[str] = Counter()
    deleted: Counter[str] = Counter()
    authors: defaultdict[str, set[str]] = defaultdict(set)
    for change in change_sets:
        for name, (plus, minus) in change.files.items():
            revisions[name] += 1
            added[name] += plus
            deleted[name] += minus
            authors[name].add(change.author)
    return sorted(
        (
            FileChurn(
                file=name,
                revisions=count,
                added=added[name],
                deleted=deleted[name],
                authors=len(authors[name]),
            )
            for name, count in revisions.items()
        ),
        key=lambda churn: (-churn.revisions, churn.file),
    )


def temporal_coupling(
    change_sets: list[ChangeSet], rules: CouplingRules | None = None
) -> list[Coupling]:
    """Pairs of files that change in the same commits: degree = shared revisions over the
    average of their revisions, in percent (large commits are left out, as code-maat does)."""
    rules = rules or CouplingRules()
    kept = [c for c in change_sets if len(c.files) <= rules.max_changeset_size]
    revisions: Counter[str] = Counter(name for c in kept for name in c.files)
    shared: Counter[tuple[str, str]] = Counter(
        pair for c in kept for pair in combinations(sorted(c.files), 2)
    )
    found: list[Coupling] = []
    for (first, second), together in shared.items():
        if together < rules.min_shared_revisions:
            continue
        if min(revisions[first], revisions[second]) < rules.min_revisions:
            continue
        average = (revisions[first] + revisions[second]) / 2
        degree = int(together / average * 100)  # code-maat truncates to an integer percent
        if degree < rules.min_degree:
            continue
        found.append(
            Coupling(
                file=first,
                coupled=second,
                degree=degree,
                shared_revisions=together,
                average_revisions=average,
            )
        )
    return sorted(found, key=lambda c: (-c.degree, -c.shared_revisions, c.file, c.coupled))
