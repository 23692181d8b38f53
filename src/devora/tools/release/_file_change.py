"""A planned change to one file: shown as a diff in a dry-run, written later, undone exactly."""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from devora.tools.release._errors import FileChangedError, UndoRefusedError
from devora.tools.release._records import UndoneOperation

__all__ = ["FileChange", "read_text_or_none", "undo_file_changes", "write_file_changes"]


class FileChange(BaseModel):
    """A file's contents before (None: it did not exist) and after a release step."""

    model_config = ConfigDict(frozen=True)

    path: str
    old_text: str | None
    new_text: str

    @property
    def diff(self) -> str:
        """The change as a unified diff that ``git apply`` accepts."""
        lines = "".join(
            difflib.unified_diff(
                (self.old_text or "").splitlines(keepends=True),
                self.new_text.splitlines(keepends=True),
                fromfile="/dev/null" if self.old_text is None else f"a/{self.path}",
                tofile=f"b/{self.path}",
            )
        )
        if self.old_text is None and lines:
            return f"diff --git a/{self.path} b/{self.path}\nnew file mode 100644\n{lines}"
        return lines


def read_text_or_none(file: Path) -> str | None:
    """A file's text, or None when it does not exist."""
    try:
        return file.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def write_file_changes(root: Path, changes: Sequence[FileChange]) -> None:
    """Write planned changes, all or none: refuse if any file changed since it was planned."""
    for change in changes:
        if read_text_or_none(root / change.path) != change.old_text:
            raise FileChangedError(change.path)
    for change in changes:
        file = root / change.path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(change.new_text, encoding="utf-8")


def undo_file_changes(root: Path, changes: Sequence[FileChange]) -> UndoneOperation:
    """Put written files back as they were (deleting created ones), checking them all first."""
    to_restore: list[FileChange] = []
    for change in changes:
        current = read_text_or_none(root / change.path)
        if current == change.old_text:
            continue  # never written, or already restored (a reset of the commit does it)
        if current != change.new_text:
            raise UndoRefusedError(
                f"the change to {change.path}",
                "the file was modified after the release wrote it",
                hint=f"restore {change.path} by hand (the release's diff shows what it changed)",
            )
        to_restore.append(change)
    for change in to_restore:
        file = root / change.path
        if change.old_text is None:
            file.unlink()
        else:
            file.write_text(change.old_text, encoding="utf-8")
    names = ", ".join(change.path for change in to_restore)
    return UndoneOperation(
        operation="restore files",
        description=f"restored {names}" if names else "no file to restore",
    )
