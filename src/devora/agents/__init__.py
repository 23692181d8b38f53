"""The coding agent: an LLM with file and command tools in a git worktree of its own."""

from devora.agents._coding_agent import DEFAULT_SYSTEM_PROMPT, CodingAgent, CodingResult
from devora.agents._commands import CommandPolicy, CommandResult, run_allowed_command
from devora.agents._errors import AgentLimitError, SandboxUnavailableError, ToolRefused
from devora.agents._paths import resolve_inside
from devora.agents._sandbox import (
    command_environment,
    find_bubblewrap,
    run_sandboxed,
    sandbox_confinement,
)
from devora.agents._toolbox import TOOL_SPECS, Toolbox
from devora.tools.git import (
    Worktree,
    commit_worktree,
    create_worktree,
    default_worktrees_root,
    open_worktree,
    remove_worktree,
)

__all__ = [
    "DEFAULT_SYSTEM_PROMPT",
    "TOOL_SPECS",
    "AgentLimitError",
    "CodingAgent",
    "CodingResult",
    "CommandPolicy",
    "CommandResult",
    "SandboxUnavailableError",
    "ToolRefused",
    "Toolbox",
    "Worktree",
    "command_environment",
    "commit_worktree",
    "create_worktree",
    "default_worktrees_root",
    "find_bubblewrap",
    "open_worktree",
    "remove_worktree",
    "resolve_inside",
    "run_allowed_command",
    "run_sandboxed",
    "sandbox_confinement",
]
