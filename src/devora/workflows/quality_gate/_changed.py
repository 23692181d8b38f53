"""--changed: the lines changed since a base ref (git diff -U0), and the findings on them."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from devora.errors import ToolNotInstalledError
from devora.tools import Finding
from devora.tools.git import (
    GitTimeoutError,
    NotAGitRepositoryError,
    parse_diff_zero,
    run_git,
    split_nul,
)
from devora.workflows.quality_gate._errors import BaseRefError

__all__ = ["ChangedLines", "changed_lines", "repository_prefix"]

# An untracked or wholly new file: every line of it is new.
WHOLE_FILE = (1, 2**31 - 1)


class ChangedLines(BaseModel):
    """The lines that are new since a base commit, per file relative to the project root."""

    model_config = ConfigDict(frozen=True)

    base: str = Field(description="the ref as given")
    commit: str = Field(description="the commit compared with (merge base of base and HEAD)")
    files: dict[str, tuple[tuple[int, int], ...]] = Field(
        default_factory=dict, description="file -> inclusive (first, last) line ranges"
    )

    def covers(self, finding: Finding) -> bool:
        """True when the finding is on a changed line (or in a changed file, when it has no line).

        A finding with no file (a vulnerable dependency) concerns the whole project: kept.
        """
        if finding.file is None:
            return True
        ranges = self.files.get(finding.file)
        if ranges is None:
            return False
        if finding.line is None:
            return True
        last = finding.end_line if finding.end_line is not None else finding.line
        return any(first <= last and finding.line <= end for first, end in ranges)

    def select(self, findings: Iterable[Finding]) -> tuple[Finding, ...]:
        """The findings on changed lines."""
        return tuple(finding for finding in findings if self.covers(finding))

    @property
    def line_count(self) -> int:
        """How many lines changed (an untracked file counts as one)."""
        return sum(
            1 if (first, last) == WHOLE_FILE else last - first + 1
            for ranges in self.files.values()
            for first, last in ranges
        )


async def changed_lines(root: Path, base: str) -> ChangedLines:
    """The lines of the project at root changed since base: the working tree (staged or not)
    against the merge base of base and HEAD, plus every line of untracked files."""
    try:
        inside = await _git(root, "rev-parse", "--is-inside-work-tree")
    except NotADirectoryError as error:
        raise _not_a_repository(root, "no such directory") from error
    if inside[0] != 0 or inside[1].strip() != "true":
        raise _not_a_repository(root, _first_line(inside[2]) or "not a work tree")
    resolved = await _git(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{base}^{{commit}}"
    )
    if resolved[0] != 0:
        raise BaseRefError(base, "unknown revision (a repository without commits has no HEAD)")
    commit = resolved[1].strip()
    merge_base = await _git(root, "merge-base", commit, "HEAD")
    if merge_base[0] == 0 and merge_base[1].strip():
        commit = merge_base[1].strip()
    diff = await _git(
        root,
        "-c",
        "core.quotePath=false",
        "diff",
        "-U0",
        "--no-color",
        "--no-ext-diff",
        "--relative",
        "--src-prefix=a/",
        "--dst-prefix=b/",
        commit,
        "--",
    )
    if diff[0] != 0:
        raise BaseRefError(base, _first_line(diff[2]) or f"git diff exited with {diff[0]}")
    files = dict(parse_diff_zero(diff[1]))
    untracked = await _git(
        root, "-c", "core.quotePath=false", "ls-files", "-z", "--others", "--exclude-standard"
    )
    for name in split_nul(untracked[1]):
        files[name] = (WHOLE_FILE,)
    return ChangedLines(base=base, commit=commit, files=files)


async def repository_prefix(root: Path) -> tuple[str, str] | None:
    """The git work tree holding root and root's path inside it ("" at the top, else "a/b/"),
    or None outside git. Reports name files from the repository's top, as code scanning does."""
    try:
        code, out, _ = await _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
    except (ToolNotInstalledError, GitTimeoutError, NotADirectoryError):
        return None
    lines = out.splitlines()
    if code != 0 or not lines:
        return None
    return lines[0], lines[1] if len(lines) > 1 else ""


async def _git(root: Path, *args: str) -> tuple[int, str, str]:
    result = await run_git(root, args, check=False)
    return result.returncode, result.stdout, result.stderr


def _not_a_repository(root: Path, problem: str) -> NotAGitRepositoryError:
    return NotAGitRepositoryError(
        root,
        problem,
        message=f"--changed needs a git repository, and {root} is not in one ({problem})",
        hint="run without --changed, or `git init` and commit the project first",
    )


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
