"""What each release step hands to the next (journaled, so a resumed run reuses it)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from devora.engine import StepContext
from devora.errors import StepError
from devora.tools.release import (
    Commit,
    CreatedCommit,
    CreatedTag,
    FileChange,
    NextVersion,
    PushedRelease,
    ReleaseTag,
    VersionFileChange,
)
from devora.workflows.release._config import ReleaseSettings

__all__ = [
    "ChangelogUpdate",
    "Published",
    "ReleaseCommit",
    "ReleasePlan",
    "RepositoryState",
    "result_of",
]

M = TypeVar("M", bound=BaseModel)


def result_of(ctx: StepContext[Any], step_id: str, model: type[M]) -> M:
    """The output of an earlier step, checked to be the model it should be."""
    value = ctx.result(step_id)
    if isinstance(value, model):
        return value
    if isinstance(value, dict):
        return model.model_validate(value)
    raise StepError(f"step {step_id!r} has no {model.__name__} output (it was {value!r})")


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class RepositoryState(_Frozen):
    """The validated repository: where, which branch, the last release and what came since."""

    root: str
    branch: str
    head: str
    settings: ReleaseSettings
    last_tag: ReleaseTag | None
    commits: tuple[Commit, ...]
    remote_url: str | None = None


class ReleasePlan(_Frozen):
    """The next version and the tag that will mark it."""

    next: NextVersion
    tag: str

    @property
    def version(self) -> str:
        """The version being released."""
        return self.next.version


class ChangelogUpdate(_Frozen):
    """The changelog section of this release and the change it makes to the file."""

    section: str
    change: FileChange


class ReleaseCommit(_Frozen):
    """The release commit and tag (None in a dry-run, where they are only planned)."""

    message: str
    tag_name: str
    files: tuple[VersionFileChange, ...]
    commit: CreatedCommit | None = None
    tag: CreatedTag | None = None


class Published(_Frozen):
    """What was pushed, so that it can be reverted."""

    pushed: PushedRelease
    remote_url: str | None = None
