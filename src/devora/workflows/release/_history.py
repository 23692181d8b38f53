"""Files as the release's starting commit holds them.

Steps compute their changes from the commit `validate` saw, not from the working tree, so
that a step resumed after a crash computes the same change it computed the first time.
"""

from __future__ import annotations

from collections.abc import Sequence

from devora.errors import StepError
from devora.tools.release import (
    FileChange,
    GitRepository,
    VersionFileChange,
    bump_version_text,
    prepend_changelog,
    version_file_kind,
)

__all__ = ["changelog_change", "read_at", "version_file_changes"]


async def read_at(repo: GitRepository, revision: str, path: str) -> str | None:
    """A file's text in a commit; None when the commit does not have it."""
    result = await repo.git("show", f"{revision}:{path}", check=False)
    return result.stdout if result.returncode == 0 else None


async def version_file_changes(
    repo: GitRepository, revision: str, paths: Sequence[str], version: str
) -> tuple[VersionFileChange, ...]:
    """Each version file bumped to `version`, from its text in `revision`."""
    changes = []
    for path in paths:
        text = await read_at(repo, revision, path)
        if text is None:
            raise StepError(
                f"version file {path} is not committed in {revision[:7]}",
                hint="commit it, or fix version_files in the release config",
            )
        kind = version_file_kind(path)
        old, new_text = bump_version_text(text, kind, version, path=path)
        changes.append(
            VersionFileChange(
                path=path,
                kind=kind,
                old_version=old,
                new_version=version,
                old_text=text,
                new_text=new_text,
            )
        )
    return tuple(changes)


async def changelog_change(
    repo: GitRepository, revision: str, path: str, section: str
) -> FileChange:
    """The changelog with the section prepended, from its text in `revision`."""
    old = await read_at(repo, revision, path)
    return FileChange(
        path=path, old_text=old, new_text=prepend_changelog(old or "", section, path=path)
    )
