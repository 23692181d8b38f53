"""What an incident step reads of its own run while it runs: events and fresh answers.

The engine hands an action the answers filed before the run (re)started; an escalation
waits for an acknowledgement filed *while* it runs, from another process, and rebuilds
what it already did from the run's journaled events. Both need the run's store; the
engine does not expose it to actions yet, so this module is the one place that reaches
for it (see the report of issue 6: a public `StepContext.store` would replace it).
"""

from __future__ import annotations

import asyncio
from typing import Any

from devora.engine import StepContext
from devora.store import AnswerRecord, Event, EventKind, Store

__all__ = ["fresh_answer", "run_answers", "run_events", "run_store", "step_logs"]


def run_store(ctx: StepContext[Any]) -> Store:
    """The store the run is journaled in."""
    return ctx._execution.store


async def run_events(ctx: StepContext[Any]) -> list[Event]:
    """Every committed event of the run, in order."""
    return await asyncio.to_thread(run_store(ctx).events, ctx.run_id)


async def run_answers(ctx: StepContext[Any]) -> dict[str, AnswerRecord]:
    """Every answer filed for the run so far, including those filed after it started."""
    return await asyncio.to_thread(run_store(ctx).answers, ctx.run_id)


async def fresh_answer(ctx: StepContext[Any], key: str) -> AnswerRecord | None:
    """The answer filed under `key`, read from the store now (not when the run started)."""
    return ctx.answer(key) or (await run_answers(ctx)).get(key)


def step_logs(events: list[Event], step_id: str, key: str) -> list[dict[str, Any]]:
    """The `key` data of the step's log events that carry it, oldest first."""
    return [
        event.data[key]
        for event in events
        if event.kind is EventKind.STEP_LOG and event.step_id == step_id and key in event.data
    ]
