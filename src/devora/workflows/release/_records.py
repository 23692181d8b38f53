"""What each release step hands to the next (journaled, so a resumed run reuses it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

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
]


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
