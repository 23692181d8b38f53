"""Errors of the release tool layer, each built from structured fields with a hint.

DevoraError
├── UsageError
│   ├── DirtyWorkingTreeError           uncommitted changes would leak into a release
│   ├── WrongBranchError                not on the release branch
│   ├── ShallowRepositoryError          a shallow clone hides the last release tag
│   ├── InvalidVersionError             a string is not a semantic version
│   ├── InvalidTagFormatError           a tag format without exactly one {version}
│   ├── InvalidReleaseTagError          a tag looks like a release tag but is not a version
│   ├── NoCommitsSinceTagError          nothing to release
│   ├── NoBumpWorthyCommitsError        commits, but none that changes the version
│   ├── VersionNotIncreasingError       an explicit version not above the last one
│   ├── ConflictingVersionOptionsError  --version with --increment or --prerelease
│   ├── VersionFileError                a version file without a version to replace
│   ├── FileChangedError                a file changed between plan and write
│   └── ChangelogError                  the changelog already has this version
└── StepError
    ├── GitCommandError                 (devora.tools.git) git exited non-zero
    │   ├── RemoteUnavailableError      the remote cannot be reached or read
    │   └── PushRejectedError           the remote refused the push
    └── UndoRefusedError                undoing would destroy work done after the release

NotAGitRepositoryError, GitCommandError and GitTimeoutError are devora.tools.git's.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devora.errors import StepError, UsageError
from devora.tools.git import GitCommandError
from devora.tools.git import git_error_detail as _error_detail

__all__ = [
    "ChangelogError",
    "ConflictingVersionOptionsError",
    "DirtyWorkingTreeError",
    "FileChangedError",
    "InvalidReleaseTagError",
    "InvalidTagFormatError",
    "InvalidVersionError",
    "NoBumpWorthyCommitsError",
    "NoCommitsSinceTagError",
    "PushRejectedError",
    "RemoteUnavailableError",
    "ShallowRepositoryError",
    "UndoRefusedError",
    "VersionFileError",
    "VersionNotIncreasingError",
    "WrongBranchError",
]

_MAX_LISTED = 10


class DirtyWorkingTreeError(UsageError):
    """The working tree has uncommitted changes."""

    code = "dirty_working_tree"

    def __init__(self, path: Path | str, dirty_paths: Sequence[str]) -> None:
        self.path = str(path)
        self.dirty_paths = list(dirty_paths)
        shown = ", ".join(self.dirty_paths[:_MAX_LISTED])
        more = len(self.dirty_paths) - _MAX_LISTED
        if more > 0:
            shown += f" and {more} more"
        super().__init__(
            f"the working tree of {self.path} is not clean: {shown}",
            hint="commit or stash these changes (or remove the untracked files) before releasing",
        )


class WrongBranchError(UsageError):
    """The checked-out branch is not the one releases are made from."""

    code = "wrong_branch"

    def __init__(self, path: Path | str, expected: str, actual: str | None) -> None:
        self.path = str(path)
        self.expected = expected
        self.actual = actual
        where = f"on branch {actual!r}" if actual else "on a detached HEAD"
        super().__init__(
            f"releases are made from branch {expected!r}, but {self.path} is {where}",
            hint=f"git switch {expected}, or configure the release branch",
        )


class InvalidVersionError(UsageError):
    """A string is not a semantic version (MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD])."""

    code = "invalid_version"

    def __init__(self, text: str, *, source: str = "version") -> None:
        self.text = text
        self.source = source
        super().__init__(
            f"{source} {text!r} is not a semantic version",
            hint="use MAJOR.MINOR.PATCH, optionally followed by -PRERELEASE (e.g. 1.4.0-rc.1)",
        )


class InvalidTagFormatError(UsageError):
    """A tag format does not contain exactly one {version} placeholder."""

    code = "invalid_tag_format"

    def __init__(self, tag_format: str, problem: str) -> None:
        self.tag_format = tag_format
        super().__init__(
            f"invalid release tag format {tag_format!r}: {problem}",
            hint="a tag format contains {version} once, e.g. 'v{version}' or 'release-{version}'",
        )


class InvalidReleaseTagError(UsageError):
    """A tag matches the release tag format's shape but does not hold a valid version."""

    code = "invalid_release_tag"

    def __init__(self, tag: str, tag_format: str) -> None:
        self.tag = tag
        self.tag_format = tag_format
        super().__init__(
            f"tag {tag!r} looks like a release tag (format {tag_format!r}) "
            "but does not hold a semantic version",
            hint=f"delete or rename it (`git tag -d {tag}`), or configure a tag format "
            "that does not match it",
        )


class ShallowRepositoryError(UsageError):
    """A shallow clone may lack the release tags and commits a version is computed from."""

    code = "shallow_repository"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        super().__init__(
            f"{self.path} is a shallow clone without a release tag in its history, so the "
            "last release cannot be told apart from a first release",
            hint="fetch the whole history and the tags: git fetch --unshallow --tags "
            "(in CI, check out with fetch-depth: 0)",
        )


class NoCommitsSinceTagError(UsageError):
    """There is nothing to release: no commit since the last release tag."""

    code = "no_commits_since_tag"

    def __init__(self, tag: str | None) -> None:
        self.tag = tag
        where = f"since tag {tag}" if tag else "in the repository"
        super().__init__(
            f"no commits {where}: nothing to release",
            hint="commit the changes to release first",
        )


class NoBumpWorthyCommitsError(UsageError):
    """Commits exist since the last tag but none of them changes the version."""

    code = "no_bump_worthy_commits"

    def __init__(self, tag: str | None, commit_count: int, types: Sequence[str]) -> None:
        self.tag = tag
        self.commit_count = commit_count
        self.types = sorted(set(types))
        where = f"since tag {tag}" if tag else "in the repository"
        found = f" (types found: {', '.join(self.types)})" if self.types else ""
        super().__init__(
            f"none of the {commit_count} commit(s) {where} calls for a new version{found}",
            hint="a release needs a fix, feat or breaking change; or force one with "
            "--increment PATCH|MINOR|MAJOR or --version X.Y.Z",
        )


class VersionNotIncreasingError(UsageError):
    """An explicitly requested version is not greater than the last released one."""

    code = "version_not_increasing"

    def __init__(self, requested: str, current: str) -> None:
        self.requested = requested
        self.current = current
        super().__init__(
            f"requested version {requested} is not greater than the last release {current}",
            hint=f"pass a version above {current}",
        )


class ConflictingVersionOptionsError(UsageError):
    """An explicit version was combined with options that compute one."""

    code = "conflicting_version_options"

    def __init__(self, version: str, options: Sequence[str]) -> None:
        self.version = version
        self.options = list(options)
        super().__init__(
            f"--version {version} cannot be combined with {' and '.join(self.options)}",
            hint="pass either an explicit --version, or --increment/--prerelease to compute it",
        )


class VersionFileError(UsageError):
    """A version file cannot be read or has no version Devora knows how to replace."""

    code = "version_file"

    def __init__(self, path: Path | str, problem: str, *, hint: str | None = None) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(
            f"cannot bump the version in {self.path}: {problem}",
            hint=hint
            or 'Devora bumps [project].version in pyproject.toml, the top-level "version" '
            'of package.json and a `__version__ = "..."` line in a Python file',
        )


class FileChangedError(UsageError):
    """A file changed between planning a change to it and writing it."""

    code = "file_changed"

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        super().__init__(
            f"{self.path} changed after the release planned its change; nothing was written",
            hint="run the release again so that it plans from the current contents",
        )


class ChangelogError(UsageError):
    """The changelog cannot take the new section (it already documents the version)."""

    code = "changelog"

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path = str(path)
        self.problem = problem
        super().__init__(
            f"cannot update {self.path}: {problem}",
            hint="remove the existing section, or release a different version",
        )


class RemoteUnavailableError(GitCommandError):
    """A remote cannot be reached or read (wrong URL, network, permissions)."""

    code = "remote_unavailable"

    def __init__(
        self, remote: str, argv: Sequence[str], returncode: int, stderr: str, *, cwd: Path | str
    ) -> None:
        self.remote = remote
        super().__init__(
            argv,
            returncode,
            stderr,
            cwd=cwd,
            message=f"cannot reach remote {remote!r}: {_error_detail(stderr, returncode)}",
            hint=f"check its URL with `git remote get-url {remote}`, the network and your "
            "credentials; nothing was changed on the remote",
        )


class PushRejectedError(GitCommandError):
    """The remote refused the push (hook, protection, non-fast-forward, auth)."""

    code = "push_rejected"

    def __init__(
        self,
        remote: str,
        refs: Sequence[str],
        argv: Sequence[str],
        returncode: int,
        stderr: str,
        *,
        cwd: Path | str,
    ) -> None:
        self.remote = remote
        self.refs = list(refs)
        reasons = "; ".join(
            line.strip() for line in stderr.splitlines() if "rejected" in line or "declined" in line
        )
        super().__init__(
            argv,
            returncode,
            stderr,
            cwd=cwd,
            message=f"remote {remote!r} rejected the push of {', '.join(self.refs)}: "
            + (reasons or _error_detail(stderr, returncode)),
            hint=f"nothing was pushed to {remote} (the push is atomic); fix the cause "
            "named by the remote (hook, branch protection, permissions, or fetch and "
            "rebase if the branch moved) and try again",
        )


class UndoRefusedError(StepError):
    """An undo would destroy work that happened after the operation it undoes."""

    code = "undo_refused"

    def __init__(self, operation: str, reason: str, *, hint: str | None = None) -> None:
        self.operation = operation
        self.reason = reason
        super().__init__(
            f"refusing to undo {operation}: {reason}",
            hint=hint or "undo it by hand after checking the repository's state",
        )
