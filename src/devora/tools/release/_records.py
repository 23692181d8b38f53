"""What each mutating git operation did, recorded so that it can be undone later.

The records are plain pydantic models: a workflow journals them as step outputs and its
compensation hands them back to the matching ``undo_*`` function, maybe in another process.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

__all__ = ["CreatedCommit", "CreatedTag", "PushedRelease", "UndoneOperation"]


class CreatedTag(BaseModel):
    """An annotated tag created locally (undo: ``undo_tag``)."""

    model_config = ConfigDict(frozen=True)

    name: str
    target: str
    message: str


class CreatedCommit(BaseModel):
    """A commit made on a branch (undo: ``undo_commit``, a reset to its parent)."""

    model_config = ConfigDict(frozen=True)

    hash: str
    parent: str
    branch: str | None
    paths: tuple[str, ...]
    message: str


class PushedRelease(BaseModel):
    """A branch and a tag pushed together (undo: ``undo_push``, a pushed revert)."""

    model_config = ConfigDict(frozen=True)

    remote: str
    branch: str
    tag: str | None
    commit: str
    previous_remote_commit: str | None


class UndoneOperation(BaseModel):
    """One line of a rollback report: what was undone, and how."""

    model_config = ConfigDict(frozen=True)

    operation: str
    description: str
