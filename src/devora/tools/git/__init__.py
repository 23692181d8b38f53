"""git, the one way Devora runs it: the process, its errors, its output parsed, worktrees
and scratch repositories. Every workflow, agent and command that needs git uses this."""

from devora.tools.git._copy import check_changed_files, copy_changed_files
from devora.tools.git._errors import (
    GitCommandError,
    GitTimeoutError,
    NotAGitRepositoryError,
    UnsafeLinkError,
    WorktreeExistsError,
    git_error_detail,
)
from devora.tools.git._parse import parse_diff_zero, parse_status_paths, split_nul
from devora.tools.git._process import (
    COMMITTER,
    DEFAULT_GIT_TIMEOUT,
    GIT_INSTALL,
    GitResult,
    git_environment,
    git_output,
    run_git,
)
from devora.tools.git._scratch import commit_everything, create_scratch_repository
from devora.tools.git._worktree import (
    Worktree,
    commit_worktree,
    create_worktree,
    default_worktrees_root,
    open_worktree,
    remove_worktree,
)

__all__ = [
    "COMMITTER",
    "DEFAULT_GIT_TIMEOUT",
    "GIT_INSTALL",
    "GitCommandError",
    "GitResult",
    "GitTimeoutError",
    "NotAGitRepositoryError",
    "UnsafeLinkError",
    "Worktree",
    "WorktreeExistsError",
    "check_changed_files",
    "commit_everything",
    "commit_worktree",
    "copy_changed_files",
    "create_scratch_repository",
    "create_worktree",
    "default_worktrees_root",
    "git_environment",
    "git_error_detail",
    "git_output",
    "open_worktree",
    "parse_diff_zero",
    "parse_status_paths",
    "remove_worktree",
    "run_git",
    "split_nul",
]
