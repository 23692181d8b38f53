"""A step done by a squad's LLM agent — or by a person when no model is configured."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from devora.config import DevoraConfig, load_config
from devora.engine import Action, StepContext
from devora.squads._model import Agent, Backend
from devora.squads._resolve import effective_squads, find_agent

__all__ = ["AgentTask", "human_task_prompt"]

OutputT = TypeVar("OutputT", bound=BaseModel)
Instructions = str | Callable[[StepContext[Any]], str]
ConfigRoot = Callable[[StepContext[Any]], Path]

# Usage figures kept on the run (its summary), so a budget holds across steps and resumes.
_USAGE_KEYS = ("llm_calls", "llm_input_tokens", "llm_output_tokens", "llm_cost")


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
        from devora.llm import (
            Budget,
            Message,
            Price,
            ProviderOptions,
            Usage,
            complete_structured,
            open_provider,
        )

        assert member.model is not None
        spent = ctx.summary
        usage = Usage(
            calls=int(spent.get("llm_calls", 0)),
            input_tokens=int(spent.get("llm_input_tokens", 0)),
            output_tokens=int(spent.get("llm_output_tokens", 0)),
            cost=float(spent.get("llm_cost", 0.0)),
        )
        options = ProviderOptions(
            request_timeout=config.llm.request_timeout,
            usage=usage,
            budget=Budget(max_tokens=config.llm.max_tokens, max_cost=config.llm.max_cost),
            prices={name: Price(p.input, p.output) for name, p in config.llm.prices.items()},
            on_log=ctx.log,
        )
        ctx.log(f"asking {member.role} ({member.model})")
        try:
            async with open_provider(
                member.model,
                options,
                base_url=config.llm.base_url,
                key_variable=config.llm.key_variable,
            ) as provider:
                messages = [Message.system(member.prompt), Message.user(task)]
                return await complete_structured(
                    provider, messages, self.output, max_attempts=self.max_attempts
                )
        finally:
            ctx.set_summary(
                llm_calls=usage.calls,
                llm_input_tokens=usage.input_tokens,
                llm_output_tokens=usage.output_tokens,
                llm_cost=round(usage.cost, 6),
            )


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
