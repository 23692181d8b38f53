"""Release management's tool layer: git porcelain, Conventional Commits, versions,
changelog and version files."""

from devora.tools.release._bump import (
    BumpRules,
    Increment,
    NextVersion,
    Prerelease,
    bump_version,
    compute_next_version,
)
from devora.tools.release._changelog import (
    CHANGELOG_TITLE,
    DEFAULT_SECTION_TITLES,
    prepend_changelog,
    render_changelog_section,
    write_changelog,
)
from devora.tools.release._commits import Commit, parse_log
from devora.tools.release._conventional import (
    ConventionalCommit,
    parse_conventional,
    split_conventional,
)
from devora.tools.release._errors import (
    ChangelogError,
    DirtyWorkingTreeError,
    GitCommandError,
    GitTimeoutError,
    InvalidReleaseTagError,
    InvalidTagFormatError,
    InvalidVersionError,
    NoBumpWorthyCommitsError,
    NoCommitsSinceTagError,
    NotAGitRepositoryError,
    PushRejectedError,
    RemoteUnavailableError,
    UndoRefusedError,
    VersionFileError,
    VersionNotIncreasingError,
)
from devora.tools.release._process import DEFAULT_GIT_TIMEOUT, GitResult, run_git
from devora.tools.release._records import (
    CreatedCommit,
    CreatedTag,
    PushedRelease,
    UndoneOperation,
)
from devora.tools.release._repository import GitRepository, ReleaseTag, open_repository
from devora.tools.release._tag_format import DEFAULT_TAG_FORMAT, TagFormat
from devora.tools.release._undo import undo_commit, undo_file_changes, undo_push, undo_tag
from devora.tools.release._version import Version, parse_version
from devora.tools.release._version_files import (
    VersionFileChange,
    VersionFileKind,
    bump_version_text,
    plan_version_files,
    version_file_kind,
    write_version_files,
)

__all__ = [
    "CHANGELOG_TITLE",
    "DEFAULT_GIT_TIMEOUT",
    "DEFAULT_SECTION_TITLES",
    "DEFAULT_TAG_FORMAT",
    "BumpRules",
    "ChangelogError",
    "Commit",
    "ConventionalCommit",
    "CreatedCommit",
    "CreatedTag",
    "DirtyWorkingTreeError",
    "GitCommandError",
    "GitRepository",
    "GitResult",
    "GitTimeoutError",
    "Increment",
    "InvalidReleaseTagError",
    "InvalidTagFormatError",
    "InvalidVersionError",
    "NextVersion",
    "NoBumpWorthyCommitsError",
    "NoCommitsSinceTagError",
    "NotAGitRepositoryError",
    "Prerelease",
    "PushRejectedError",
    "PushedRelease",
    "ReleaseTag",
    "RemoteUnavailableError",
    "TagFormat",
    "UndoRefusedError",
    "UndoneOperation",
    "Version",
    "VersionFileChange",
    "VersionFileError",
    "VersionFileKind",
    "VersionNotIncreasingError",
    "bump_version",
    "bump_version_text",
    "compute_next_version",
    "open_repository",
    "parse_conventional",
    "parse_log",
    "parse_version",
    "plan_version_files",
    "prepend_changelog",
    "render_changelog_section",
    "run_git",
    "split_conventional",
    "undo_commit",
    "undo_file_changes",
    "undo_push",
    "undo_tag",
    "version_file_kind",
    "write_changelog",
    "write_version_files",
]
