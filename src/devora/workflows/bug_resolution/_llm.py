"""The squads' LLM members a bug resolution may use, and the one way it runs the coding agent."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from devora.config import DevoraConfig, load_config
from devora.engine import StepContext
from devora.squads import Agent, Backend, effective_squads, find_agent, run_coding_agent

if TYPE_CHECKING:
    from devora.agents import CodingResult

__all__ = ["AGENT_COMMANDS", "coding_member", "model_configured", "run_agent", "worktrees_root"]

# What the agent may run in its sandbox: the tests.
AGENT_COMMANDS = (("pytest",), ("python", "-m", "pytest"))


def coding_member(root: Path, squad: str) -> tuple[DevoraConfig, Agent | None]:
    """The project's config and `squad`'s LLM member, None when it has no model configured."""
    config = load_config(root)
    member = find_agent(effective_squads(config), squad)
    usable = member.backend is Backend.LLM and member.model is not None
    return config, member if usable else None


def model_configured(ctx: StepContext[Any]) -> bool:
    """A model is configured for the qa squad (the review comment needs one)."""
    return coding_member(Path(ctx.inputs.path), "qa")[1] is not None


def worktrees_root(ctx: StepContext[Any]) -> Path:
    """Where the run's candidate worktrees live (the Devora home: kept across resumes)."""
    return ctx.home / "worktrees"


async def run_agent(
    ctx: StepContext[Any], config: DevoraConfig, member: Agent, top: Path, task: str, label: str
) -> CodingResult:
    """The coding agent on branch devora/<label>, in the worktree made for it."""
    return await run_coding_agent(
        ctx,
        config,
        member,
        top,
        task,
        allowed_commands=AGENT_COMMANDS,
        run_id=label,
        worktrees_root=worktrees_root(ctx),
    )
