"""Parsing git's machine-readable output: `diff -U0`, `status --porcelain=v1 -z`, `-z` lists."""

from __future__ import annotations

import re

__all__ = ["parse_diff_zero", "parse_status_paths", "split_nul"]

_HUNK = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@")


def split_nul(text: str) -> list[str]:
    """The names of a NUL-separated listing (`git ls-files -z`, `diff --name-only -z`)."""
    return [name for name in text.split("\0") if name]


def parse_status_paths(text: str) -> list[str]:
    """The paths of `git status --porcelain=v1 -z` output (a rename's new path only)."""
    entries = text.split("\0")
    paths: list[str] = []
    index = 0
    while index < len(entries):
        entry = entries[index]
        index += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        paths.append(path)
        if "R" in status or "C" in status:
            index += 1  # the next entry is the rename's source path
    return paths


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
