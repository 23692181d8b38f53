"""The history between a good and a bad commit, and what a culprit commit is."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.tools.bisect._errors import NotAnAncestorError, UnknownRefError
from devora.tools.git import git_output, run_git

__all__ = ["CommitInfo", "commits_between", "describe_commit", "first_parents", "resolve_commit"]

_DIFF_LIMIT = 200_000  # characters of a culprit's diff kept in a report


class CommitInfo(BaseModel):
    """A commit as a report shows it: hash, subject and message, author, diff stat and diff."""

    model_config = ConfigDict(frozen=True)

    hash: str
    subject: str
    message: str
    author: str
    date: str
    diff_stat: str
    diff: str


async def resolve_commit(repository: Path, ref: str, option: str = "ref") -> str:
    """The full hash of the commit `ref` names; UnknownRefError when it names none."""
    if not ref or ref.startswith("-"):
        raise UnknownRefError(option, ref)
    found = await run_git(
        repository, ["rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}"], check=False
    )
    if found.returncode != 0:
        raise UnknownRefError(option, ref)
    return found.stdout.strip()


async def commits_between(repository: Path, good: str, bad: str) -> list[str]:
    """The first-parent commits after `good` up to `bad` included, oldest first."""
    ancestor = await run_git(repository, ["merge-base", "--is-ancestor", good, bad], check=False)
    if ancestor.returncode != 0:
        raise NotAnAncestorError(good, bad)
    out = await git_output(
        repository, ["rev-list", "--first-parent", "--reverse", f"{good}..{bad}"]
    )
    return out.split()


async def first_parents(repository: Path, bad: str) -> list[str]:
    """`bad` and its first-parent ancestors, newest first."""
    return (await git_output(repository, ["rev-list", "--first-parent", bad])).split()


async def describe_commit(repository: Path, commit: str) -> CommitInfo:
    """The commit's message, author, date, diff stat and (bounded) diff."""
    fields = await git_output(
        repository, ["show", "-s", "--format=%H%x00%s%x00%an <%ae>%x00%aI%x00%B", commit]
    )
    full, subject, author, date, message = fields.split("\0", 4)
    stat = await git_output(repository, ["show", "--format=", "--stat", commit])
    diff = await git_output(repository, ["show", "--format=", "--patch", commit])
    if len(diff) > _DIFF_LIMIT:
        diff = diff[:_DIFF_LIMIT] + "\n[diff cut: see `git show " + full[:12] + "`]\n"
    return CommitInfo(
        hash=full,
        subject=subject,
        message=message.strip(),
        author=author,
        date=date,
        diff_stat=stat.strip(),
        diff=diff,
    )
