"""What an incident step reads of its own run while it runs: events and fresh answers.

An escalation waits for an acknowledgement filed *while* it runs, from another process,
and rebuilds what it already did from the run's journaled events.
"""

from __future__ import annotations

import asyncio
from typing import Any

from devora.engine import StepContext
from devora.store import AnswerRecord, Event, EventKind, Store

__all__ = ["fresh_answer", "run_answers", "run_events", "run_store", "step_logs"]


def run_store(ctx: StepContext[Any]) -> Store:
    """The store the run is journaled in."""
    return ctx.store


async def run_events(ctx: StepContext[Any]) -> list[Event]:
    """Every committed event of the run, in order."""
    return await ctx.events()


async def run_answers(ctx: StepContext[Any]) -> dict[str, AnswerRecord]:
    """Every answer filed for the run so far, including those filed after it started."""
    return await asyncio.to_thread(ctx.store.answers, ctx.run_id)


async def fresh_answer(ctx: StepContext[Any], key: str) -> AnswerRecord | None:
    """The answer filed under `key`, read from the store now (not when the run started)."""
    return ctx.answer(key) or await ctx.fresh_answer(key)


def step_logs(events: list[Event], step_id: str, key: str) -> list[dict[str, Any]]:
    """The `key` data of the step's log events that carry it, oldest first."""
    return [
        event.data[key]
        for event in events
        if event.kind is EventKind.STEP_LOG and event.step_id == step_id and key in event.data
    ]
