"""Finding a commit where the reproducer passes, walking back from the bad one.

The tags in the bad commit's history come first (newest first: a release is the natural
known-good point), then first-parent ancestors at distances 1, 2, 4, 8... and the root
commit. The first commit where the reproducer passes is the known-good one; when none
does, the bug was always there.
"""

from __future__ import annotations

from pathlib import Path

from devora.tools.bisect._checkouts import check_out
from devora.tools.bisect._history import first_parents
from devora.tools.bisect._search import Probe, TestedCommit
from devora.tools.git import git_output
from devora.tools.testrun import Verdict

__all__ = ["find_known_good", "walk_back_order"]

_TAGS_TRIED = 3


async def walk_back_order(repository: Path, bad: str) -> list[str]:
    """The commits to try as known-good, in the order they are tried."""
    ancestors = (await first_parents(repository, bad))[1:]
    if not ancestors:
        return []
    tags = await git_output(
        repository,
        ["tag", "--merged", bad, "--sort=-creatordate", "--format=%(objectname)^{commit}"],
    )
    on_line = set(ancestors)
    order: list[str] = []
    for tag in tags.split()[: _TAGS_TRIED * 4]:
        commit = (await git_output(repository, ["rev-parse", tag])).strip()
        if commit in on_line and commit not in order:
            order.append(commit)
        if len(order) == _TAGS_TRIED:
            break
    distance = 1
    while distance < len(ancestors):
        order.append(ancestors[distance - 1])
        distance *= 2
    order.append(ancestors[-1])
    return list(dict.fromkeys(order))


async def find_known_good(
    repository: Path, bad: str, probe: Probe, checkout: Path
) -> tuple[str | None, list[TestedCommit]]:
    """The first commit walking back from `bad` where the probe passes (None: never)."""
    tested: list[TestedCommit] = []
    for commit in await walk_back_order(repository, bad):
        await check_out(checkout, commit)
        verdict = await probe(checkout)
        tested.append(TestedCommit(commit=commit, verdict=verdict, round=0))
        if verdict is Verdict.PASSED:
            return commit, tested
    return None, tested
