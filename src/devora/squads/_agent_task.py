"""A step done by a squad's LLM agent — or by a person when no model is configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from devora.config import DevoraConfig, load_config
from devora.engine import Action, StepContext
from devora.squads._llm_support import open_agent_provider, record_usage, run_usage
from devora.squads._model import Agent, Backend
from devora.squads._resolve import effective_squads, find_agent

__all__ = ["AgentTask", "human_task_prompt"]

OutputT = TypeVar("OutputT", bound=BaseModel)
Instructions = str | Callable[[StepContext[Any]], str]
ConfigRoot = Callable[[StepContext[Any]], Path]


class AgentTask(Action[OutputT], Generic[OutputT]):
    """Ask a squad's LLM agent for a structured answer (validated, re-asked when it does not fit).

    Without a model configured for that agent, the step becomes a human task: the run
    waits, and `devora tasks` says what to produce and how to configure a model.
    """

    def __init__(
        self,
        squad: str,
        output: type[OutputT],
        instructions: Instructions,
        *,
        agent: str | None = None,
        max_attempts: int = 3,
        config_root: ConfigRoot | None = None,
    ) -> None:
        self.squad = squad
        self.output = output
        self.instructions = instructions
        self.agent = agent
        self.max_attempts = max_attempts
        self.config_root = config_root

    @property
    def name(self) -> str:
        return f"agent:{self.squad}/{self.agent or 'llm'}"

    def output_type(self) -> Any:
        return self.output

    async def run(self, ctx: StepContext[Any]) -> OutputT:
        config = load_config(self.config_root(ctx) if self.config_root else None)
        member = find_agent(effective_squads(config), self.squad, self.agent)
        task = self.instructions(ctx) if callable(self.instructions) else self.instructions
        if member.backend is not Backend.LLM or member.model is None:
            return ctx.wait_for_input(
                human_task_prompt(task, self.squad, member), self.output, squad=self.squad
            )
        return await self._ask_model(ctx, config, member, task)

    async def _ask_model(
        self, ctx: StepContext[Any], config: DevoraConfig, member: Agent, task: str
    ) -> OutputT:
        from devora.llm import Message, complete_structured

        usage = run_usage(ctx)
        before = usage.model_copy(deep=True)
        try:
            async with open_agent_provider(ctx, config, member, usage) as provider:
                messages = [Message.system(member.prompt), Message.user(task)]
                return await complete_structured(
                    provider, messages, self.output, max_attempts=self.max_attempts
                )
        finally:
            record_usage(ctx, usage, before)


def human_task_prompt(task: str, squad: str, member: Agent) -> str:
    """What a person is asked to do when no model does it, and how to hand it to a model."""
    if member.backend is Backend.LLM:
        why = (
            f"No LLM model is configured for the {squad} squad's {member.role}, so this is a "
            "task for a person. To let a model do it, set DEVORA_MODEL=provider:model (for "
            "example openai:gpt-4o-mini with OPENAI_API_KEY, or ollama:llama3.1), or "
            f'[tool.devora.squads.{squad}] model = "..." in pyproject.toml.'
        )
    else:
        why = f"The {squad} squad's {member.role} is a person."
    return (
        f"{task}\n\n{why} Answer with `devora complete RUN STEP --output FILE` (JSON or YAML "
        "that fits the schema shown by `devora tasks --json`)."
    )
