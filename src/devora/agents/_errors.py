"""The coding agent's errors.

    DevoraError
    ├── UsageError
    │   ├── NotAGitRepositoryError      the target is not a git repository with a commit
    │   └── WorktreeExistsError         the run's branch or worktree is already there
    ├── EnvironmentProblem
    │   └── SandboxUnavailableError     no OS sandbox for the agent's commands (bwrap)
    └── StepError
        ├── GitError                    a git command failed
        └── AgentLimitError             the agent used all its iterations without finishing

A tool the model calls that cannot do its work (a path outside the worktree, a command not
allowed) does not raise out of the agent: the refusal goes back to the model as the tool's
result, as a ToolRefused raised inside the toolbox.
"""

from __future__ import annotations

from collections.abc import Sequence

from devora.errors import EnvironmentProblem, StepError, UsageError

__all__ = [
    "AgentLimitError",
    "GitError",
    "NotAGitRepositoryError",
    "SandboxUnavailableError",
    "ToolRefused",
    "WorktreeExistsError",
]


class NotAGitRepositoryError(UsageError):
    """The coding agent's target is not a git repository (or has no commit to branch from)."""

    code = "not_a_git_repository"

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            f"cannot work on {path}: {problem}",
            hint="point the agent at the root of a git repository that has at least one commit",
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


class SandboxUnavailableError(EnvironmentProblem):
    """The agent's commands cannot be sandboxed here, and the user has not opted out."""

    code = "sandbox_unavailable"

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"refusing to run the agent's commands without a sandbox: {problem}",
            hint="install bubblewrap (scripts/install-sandbox, or apt-get install bubblewrap) "
            "on a kernel with user namespaces; or, to run them unconfined, set "
            '[agents] sandbox = "off" in devora.toml',
        )


class GitError(StepError):
    """A git command failed."""

    code = "git_failed"

    def __init__(self, args: Sequence[str], returncode: int, stderr: str) -> None:
        self.args_ = list(args)
        self.returncode = returncode
        self.stderr = stderr
        command = " ".join(["git", *args])
        super().__init__(
            f"`{command}` failed with exit code {returncode}: {stderr.strip()[:500]}",
            hint="check the repository state with `git status` and `git worktree list`",
        )


class AgentLimitError(StepError):
    """The agent reached its iteration cap without a final answer."""

    code = "agent_limit"

    def __init__(self, iterations: int, branch: str, worktree: str) -> None:
        self.iterations = iterations
        self.branch = branch
        self.worktree = worktree
        super().__init__(
            f"the coding agent did not finish within {iterations} iterations; "
            f"its partial work is committed on branch {branch} (worktree {worktree})",
            hint="raise max_iterations, split the task, or use a stronger model",
        )


class ToolRefused(Exception):
    """A tool call the agent must not or cannot do; its message goes back to the model."""
