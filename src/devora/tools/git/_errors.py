"""The errors of git, one family for every caller (release, the coding agent, the gate, hooks).

DevoraError
├── UsageError
│   ├── NotAGitRepositoryError      the path is not inside a git work tree (or has no commit)
│   └── WorktreeExistsError         a run's branch or worktree is already there
└── StepError
    ├── GitCommandError             git exited non-zero
    ├── GitTimeoutError             git did not finish in time and was killed (a TimedOut)
    └── UnsafeLinkError             a changed file is a link leading out of its tree
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devora.errors import StepError, TimedOut, UsageError

__all__ = [
    "GitCommandError",
    "GitTimeoutError",
    "NotAGitRepositoryError",
    "UnsafeLinkError",
    "WorktreeExistsError",
    "git_error_detail",
]


class NotAGitRepositoryError(UsageError):
    """The path is not inside a git working tree, or git cannot be used there.

    Callers that need git for one purpose (--changed, a hook, the coding agent) say so in
    `message` and `hint`; the structured fields are the same for all.
    """

    code = "not_a_git_repository"

    def __init__(
        self,
        path: Path | str,
        problem: str = "",
        *,
        message: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.path = str(path)
        self.problem = problem
        default = f"not a git repository: {self.path}" + (f" ({problem})" if problem else "")
        super().__init__(
            message or default,
            hint=hint or "run Devora inside a git repository, or `git init` first",
        )


class WorktreeExistsError(UsageError):
    """The branch or worktree directory for this run already exists."""

    code = "worktree_exists"

    def __init__(self, branch: str, path: str) -> None:
        self.branch = branch
        self.path = path
        super().__init__(
            f"branch {branch} or worktree {path} already exists",
            hint=f"use a new run id, or remove them: git worktree remove {path} && "
            f"git branch -D {branch}",
        )


def git_error_detail(stderr: str, returncode: int) -> str:
    """The line of git's error output that says what went wrong."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if line.startswith(("fatal:", "error:")):
            return line
    return lines[-1] if lines else f"git exited {returncode}"


class GitCommandError(StepError):
    """git exited with a non-zero status."""

    code = "git_failed"

    def __init__(
        self,
        argv: Sequence[str],
        returncode: int,
        stderr: str,
        *,
        cwd: Path | str,
        hint: str | None = None,
        message: str | None = None,
    ) -> None:
        self.argv = list(argv)
        self.returncode = returncode
        self.stderr = stderr.strip()
        self.cwd = str(cwd)
        super().__init__(
            message or f"`{' '.join(self.argv)}` failed in {self.cwd}: {self.detail}",
            hint=hint or "run the same git command in the repository to see the full output",
        )

    @property
    def detail(self) -> str:
        """The line of git's error output that says what went wrong."""
        return git_error_detail(self.stderr, self.returncode)


class GitTimeoutError(StepError, TimedOut):
    """git did not finish within its timeout and was killed."""

    code = "git_timeout"

    def __init__(self, argv: Sequence[str], timeout: float, *, cwd: Path | str) -> None:
        self.argv = list(argv)
        self.timeout = self.limit = timeout
        self.what = " ".join(self.argv[:2])
        self.cwd = str(cwd)
        super().__init__(
            f"`{' '.join(self.argv)}` did not finish within {timeout:g}s in {self.cwd}",
            hint="check the network and the remote's availability, or raise the timeout",
        )


class UnsafeLinkError(StepError):
    """A changed file is a link (or lies under one) that leads outside its tree."""

    code = "unsafe_link"

    def __init__(self, name: str, target: str, root: Path | str) -> None:
        self.name = name
        self.target = target
        self.root = str(root)
        super().__init__(
            f"refusing to copy {name}: it leads to {target}, outside {self.root}",
            hint="a change may only hold regular files and links that stay inside the "
            "repository; look at the change with `git diff` before using it",
        )
