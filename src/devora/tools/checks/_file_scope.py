"""File-level checks asked about some files only: what the incremental gate re-checks.

A file-level check (ruff check, ruff format, bandit, eslint, prettier) judges each file on
its own, so on a change only the changed files need its tool; the gate merges their
findings with the reused findings of the other files. `only` names the files to check
(relative to the project root); those the tool would not look at are left out here, and
when none is left the tool is not started at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from devora.tools.checks._base import ToolCheck

__all__ = ["FileScopedCheck"]


class FileScopedCheck(ToolCheck):
    """A tool check that can be run on some of the project's files instead of all of them."""

    # The file name endings the tool looks at when it walks the project itself.
    suffixes: ClassVar[tuple[str, ...]] = ()
    # Folders the tool never looks into (besides what its own config excludes).
    skipped_dirs: ClassVar[tuple[str, ...]] = ("node_modules", ".git", ".venv", "venv")

    def __init__(self, *, timeout: float | None = None, only: Sequence[str] | None = None):
        super().__init__(timeout=timeout)
        self.only = tuple(only) if only is not None else None

    def scoped(self, files: Sequence[str]) -> list[str]:
        """Of the given files, those this tool would check when walking the project."""
        return [
            name
            for name in files
            if name.endswith(self.suffixes)
            and not any(part in self.skipped_dirs for part in name.split("/")[:-1])
        ]

    def targets(self, whole: Sequence[str]) -> list[str]:
        """What to pass the tool: `whole` (the project), or the files asked about."""
        return list(whole) if self.only is None else self.scoped(self.only)
