"""What every LLM-backed step shares: the run's usage and budget, and the provider to open."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from devora.config import DevoraConfig
from devora.engine import StepContext
from devora.squads._model import Agent

if TYPE_CHECKING:
    from devora.llm import Provider, Usage

__all__ = ["open_agent_provider", "record_usage", "run_usage"]


def run_usage(ctx: StepContext[Any]) -> Usage:
    """The tokens and dollars the run has spent so far (kept on the run, across resumes)."""
    from devora.llm import Usage

    spent = ctx.summary
    return Usage(
        calls=int(spent.get("llm_calls", 0)),
        input_tokens=int(spent.get("llm_input_tokens", 0)),
        output_tokens=int(spent.get("llm_output_tokens", 0)),
        cost=float(spent.get("llm_cost", 0.0)),
    )


def record_usage(ctx: StepContext[Any], usage: Usage, before: Usage) -> None:
    """Store the run's usage on the run, and log this step's share."""
    step_tokens = usage.total_tokens - before.total_tokens
    step_cost = usage.cost - before.cost
    ctx.log(
        f"llm usage: {usage.calls - before.calls} call(s), {step_tokens} tokens, ${step_cost:.4f}",
        calls=usage.calls - before.calls,
        tokens=step_tokens,
        cost=round(step_cost, 6),
    )
    ctx.set_summary(
        llm_calls=usage.calls,
        llm_input_tokens=usage.input_tokens,
        llm_output_tokens=usage.output_tokens,
        llm_cost=round(usage.cost, 6),
    )


def open_agent_provider(
    ctx: StepContext[Any], config: DevoraConfig, member: Agent, usage: Usage
) -> Provider:
    """The provider of the agent's model, counting into `usage` under the run's budget."""
    from devora.llm import Budget, Price, ProviderOptions, open_provider

    assert member.model is not None
    options = ProviderOptions(
        request_timeout=config.llm.request_timeout,
        usage=usage,
        budget=Budget(max_tokens=config.llm.max_tokens, max_cost=config.llm.max_cost),
        prices={name: Price(p.input, p.output) for name, p in config.llm.prices.items()},
        on_log=ctx.log,
        structured_output=config.llm.structured_output,
    )
    ctx.log(f"{member.role} works with {member.model}")
    return open_provider(
        member.model, options, base_url=config.llm.base_url, key_variable=config.llm.key_variable
    )
