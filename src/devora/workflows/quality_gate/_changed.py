"""--changed: the lines changed since a base ref (git diff -U0), and the findings on them."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from devora.tools import Finding
from devora.tools.checks import ToolTimeoutError, run_process
from devora.workflows.quality_gate._errors import BaseRefError, NotAGitRepositoryError

__all__ = ["ChangedLines", "changed_lines", "parse_diff_zero", "repository_prefix"]

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")
_GIT_TIMEOUT = 60.0
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


def parse_diff_zero(text: str) -> dict[str, tuple[tuple[int, int], ...]]:
    """The added line ranges of each file in `git diff -U0` output (new-side paths).

    Hunks that only delete lines add nothing; deleted files are left out. A hunk's lines are
    counted from its header, so a changed line that reads like a header ("++ x") is content.
    """
    files: dict[str, list[tuple[int, int]]] = {}
    current: str | None = None
    pending = 0  # lines of the current hunk still to skip
    for line in text.split("\n"):  # not splitlines(): a form feed in a line is content
        if pending > 0:
            if not line.startswith("\\"):  # "\ No newline at end of file" is not a line
                pending -= 1
            continue
        if line.startswith("+++ "):
            target = line[4:].rstrip("\t")
            current = None if target == "/dev/null" else target.removeprefix("b/")
            continue
        match = _HUNK.match(line)
        if match is None:
            continue
        old_count = int(match.group(2)) if match.group(2) is not None else 1
        start = int(match.group(3))
        count = int(match.group(4)) if match.group(4) is not None else 1
        pending = old_count + count
        if current is not None and count > 0:
            files.setdefault(current, []).append((start, start + count - 1))
    return {name: tuple(ranges) for name, ranges in files.items() if ranges}


async def changed_lines(root: Path, base: str) -> ChangedLines:
    """The lines of the project at root changed since base: the working tree (staged or not)
    against the merge base of base and HEAD, plus every line of untracked files."""
    inside = await _git(root, "rev-parse", "--is-inside-work-tree")
    if inside[0] != 0 or inside[1].strip() != "true":
        raise NotAGitRepositoryError(root, _first_line(inside[2]) or "not a work tree")
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
    for name in untracked[1].split("\0"):
        if name:
            files[name] = (WHOLE_FILE,)
    return ChangedLines(base=base, commit=commit, files=files)


async def repository_prefix(root: Path) -> tuple[str, str] | None:
    """The git work tree holding root and root's path inside it ("" at the top, else "a/b/"),
    or None outside git. Reports name files from the repository's top, as code scanning does."""
    try:
        code, out, _ = await _git(root, "rev-parse", "--show-toplevel", "--show-prefix")
    except NotAGitRepositoryError:
        return None
    lines = out.splitlines()
    if code != 0 or not lines:
        return None
    return lines[0], lines[1] if len(lines) > 1 else ""


async def _git(root: Path, *args: str) -> tuple[int, str, str]:
    try:
        output = await run_process(["git", *args], cwd=root, time_limit=_GIT_TIMEOUT)
    except FileNotFoundError as error:
        raise NotAGitRepositoryError(root, "git is not installed") from error
    except ToolTimeoutError as error:
        raise NotAGitRepositoryError(root, str(error)) from error
    return output.exit_code, output.stdout, output.stderr


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""
