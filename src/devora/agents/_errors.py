"""The coding agent's errors.

    DevoraError
    ├── EnvironmentProblem
    │   └── SandboxUnavailableError     no OS sandbox for the agent's commands (bwrap)
    └── StepError
        ├── AgentLimitError             the agent used all its iterations without finishing
        └── ToolRefused                 a tool call the agent must not or cannot do

git's errors (a target that is not a repository, a worktree already there, a git command
that failed) are devora.tools.git's, the same for every caller.

A tool the model calls that cannot do its work (a path outside the worktree, a command not
allowed) does not raise out of the agent: the refusal goes back to the model as the tool's
result, as a ToolRefused raised inside the toolbox.
"""

from __future__ import annotations

from devora.errors import EnvironmentProblem, StepError

__all__ = [
    "AgentLimitError",
    "SandboxUnavailableError",
    "ToolRefused",
]


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


class ToolRefused(StepError):
    """A tool call the agent must not or cannot do; its message goes back to the model."""

    code = "tool_refused"
    default_hint = (
        "the coding agent's tools stay inside its worktree and run only the allowed commands"
    )
