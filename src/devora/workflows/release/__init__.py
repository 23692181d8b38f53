"""The release workflow: validate, version, changelog, quality gate, tag and publish."""

from devora.workflows.release._config import (
    ReleaseConfigError,
    ReleaseInputs,
    ReleaseSettings,
    resolve_settings,
)
from devora.workflows.release._records import (
    ChangelogUpdate,
    Published,
    ReleaseCommit,
    ReleasePlan,
    RepositoryState,
)
from devora.workflows.release._workflow import release, release_outputs, release_steps

__all__ = [
    "ChangelogUpdate",
    "Published",
    "ReleaseCommit",
    "ReleaseConfigError",
    "ReleaseInputs",
    "ReleasePlan",
    "ReleaseSettings",
    "RepositoryState",
    "release",
    "release_outputs",
    "release_steps",
    "resolve_settings",
]
