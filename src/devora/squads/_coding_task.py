"""A step done by a squad's coding agent, in a worktree of its own — or by a person."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from devora.config import DevoraConfig, load_config
from devora.engine import Action, StepContext
from devora.squads._agent_task import ConfigRoot, Instructions, human_task_prompt
from devora.squads._llm_support import open_agent_provider, record_usage, run_usage
from devora.squads._model import Agent, Backend
from devora.squads._resolve import effective_squads, find_agent

if TYPE_CHECKING:
    from devora.agents import CodingResult

__all__ = ["CodeChange", "CodingTask", "code_change", "run_coding_agent"]

Repository = Callable[[StepContext[Any]], str | Path]


class CodeChange(BaseModel):
    """A change made on its own branch: where it is, what it touched, and why."""

    branch: str = Field(description="the branch holding the change")
    head_commit: str = Field(description="the commit at the tip of that branch")
    files_changed: list[str] = Field(default_factory=list)
    summary: str = Field(description="what changed and why, and the last test result")
    patch_artifact: str | None = Field(default=None, description="the run artifact with the diff")


class CodingTask(Action[CodeChange]):
    """Have a squad's coding agent change a repository on branch `devora/<run id>`.

    The user's working tree is never touched; the step's output is the branch, its head
    commit and a patch artifact. Without a model, a person makes the change and completes
    the step with the same fields.
    """

    def __init__(
        self,
        squad: str,
        instructions: Instructions,
        repository: Repository,
        *,
        agent: str | None = None,
        allowed_commands: Sequence[Sequence[str]] = (("pytest",), ("ruff", "check")),
        max_iterations: int = 30,
        command_timeout: float = 300.0,
        config_root: ConfigRoot | None = None,
    ) -> None:
        self.squad = squad
        self.instructions = instructions
        self.repository = repository
        self.agent = agent
        self.allowed_commands = tuple(tuple(argv) for argv in allowed_commands)
        self.max_iterations = max_iterations
        self.command_timeout = command_timeout
        self.config_root = config_root

    @property
    def name(self) -> str:
        return f"coding-agent:{self.squad}/{self.agent or 'llm'}"

    def output_type(self) -> Any:
        return CodeChange

    async def run(self, ctx: StepContext[Any]) -> CodeChange:
        config = load_config(self.config_root(ctx) if self.config_root else None)
        member = find_agent(effective_squads(config), self.squad, self.agent)
        repository = _absolute(self.repository(ctx))
        task = self.instructions(ctx) if callable(self.instructions) else self.instructions
        if member.backend is not Backend.LLM or member.model is None:
            request = (
                f"{task}\n\nRepository: {repository}. Make the change on a branch of your own, "
                "then give its branch, head_commit, files_changed and summary."
            )
            return ctx.wait_for_input(
                human_task_prompt(request, self.squad, member), CodeChange, squad=self.squad
            )
        result = await run_coding_agent(
            ctx,
            config,
            member,
            repository,
            task,
            allowed_commands=self.allowed_commands,
            command_timeout=self.command_timeout,
            max_iterations=self.max_iterations,
        )
        return code_change(ctx, result, f"{ctx.step_id}.patch")


async def run_coding_agent(
    ctx: StepContext[Any],
    config: DevoraConfig,
    member: Agent,
    repository: Path,
    task: str,
    *,
    allowed_commands: Sequence[Sequence[str]],
    command_timeout: float = 300.0,
    max_iterations: int = 30,
    run_id: str | None = None,
    worktrees_root: Path | None = None,
) -> CodingResult:
    """The one path of a coding agent: `member`'s model, under the run's budget and usage,
    sandboxed as configured, on branch `devora/<run_id>` (default: the run's id) of a
    worktree under `worktrees_root` (default: the Devora home's worktrees)."""
    from devora.agents import CodingAgent, CommandPolicy

    usage = run_usage(ctx)
    before = usage.model_copy(deep=True)
    try:
        async with open_agent_provider(ctx, config, member, usage) as provider:
            agent = CodingAgent(
                provider,
                commands=CommandPolicy(
                    allowed=allowed_commands,
                    timeout=command_timeout,
                    sandbox=config.agents.sandbox == "on",
                ),
                max_iterations=max_iterations,
                worktrees_root=worktrees_root or ctx.home / "worktrees",
                on_log=ctx.log,
            )
            return await agent.run(repository, task, run_id=run_id or ctx.run_id)
    finally:
        record_usage(ctx, usage, before)


def code_change(ctx: StepContext[Any], result: CodingResult, patch_name: str) -> CodeChange:
    """The agent's change as a step's output, its diff kept as the artifact `patch_name`."""
    patch = ctx.add_artifact(patch_name, result.patch, media_type="text/x-diff")
    ctx.log(f"{len(result.files_changed)} file(s) changed on {result.branch}")
    return CodeChange(
        branch=result.branch,
        head_commit=result.head_commit,
        files_changed=result.files_changed,
        summary=result.summary,
        patch_artifact=str(patch),
    )


def _absolute(path: str | Path) -> Path:
    return Path(path).expanduser().resolve()
