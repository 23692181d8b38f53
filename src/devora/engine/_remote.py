"""A step run by a worker for a coordinator elsewhere: the worker's side of the durable path.

One shape, as in DBOS: if the step's result is committed, return without running;
otherwise claim the step (a lease with a fencing token), run its attempts, commit the
result under (run, step, attempt) with the claim's token, and only then return, so the
message is acknowledged after the commit. A worker that loses its claim (it stalled and
another took the step over) has its late commit refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
from collections.abc import AsyncIterator, Callable
from enum import StrEnum

from devora.engine._engine import Engine, owner_is_alive
from devora.engine._execution import RunExecution
from devora.engine._journal import Journal
from devora.engine._workflow import Workflow
from devora.store import (
    AttemptRecord,
    Fence,
    Lease,
    LeaseLostError,
    Phase,
    RunStatus,
    StepStatus,
    acquire_lease,
    read_lease,
    release_lease,
    renew_lease,
    step_lease_key,
)

__all__ = ["StepDelivery", "perform_step"]


class StepDelivery(StrEnum):
    """What a worker did with one delivery of a step's message."""

    RAN = "ran"  # it ran the step and committed the result
    REPLAYED = "replayed"  # the result was already committed: not run again
    BUSY = "busy"  # a live worker holds the step; its commit (or lease expiry) follows
    FENCED = "fenced"  # it ran, but another took the step over: its commit was refused
    NOT_RUNNING = "not running"  # the run was cancelled or finished meanwhile


def is_committed(recorded: list[AttemptRecord], step_id: str, attempt: int) -> bool:
    """True when a result of this dispatch (attempt `attempt` or a retry after it) is in."""
    return any(
        r.step_id == step_id
        and r.phase is Phase.RUN
        and r.attempt >= attempt
        and r.status is not StepStatus.RETRIED
        for r in recorded
    )


async def perform_step(
    engine: Engine,
    resolve: Callable[[str], Workflow],
    run_id: str,
    step_id: str,
    attempt: int,
    *,
    lease_seconds: float,
) -> StepDelivery:
    """Run one dispatched step of a run durably in this (worker) process."""
    store = engine.store
    run = await engine.call_store(store.get_run, run_id)
    if run.status is not RunStatus.RUNNING:
        return StepDelivery.NOT_RUNNING
    key = step_lease_key(run_id, Phase.RUN.value, step_id, attempt)
    lease = await engine.call_store(acquire_lease, store, key, engine.owner, lease_seconds)
    if lease is None:
        held = await engine.call_store(read_lease, store, key)
        if held is not None and owner_is_alive(held.owner):
            return StepDelivery.BUSY
        # Its holder was a process of this machine that died (a killed pool child).
        take_over = functools.partial(acquire_lease, take_over=True)
        lease = await engine.call_store(take_over, store, key, engine.owner, lease_seconds)
        assert lease is not None
    # Read under the claim: a holder commits its result and drops its claim in one
    # transaction, so a result committed before we claimed is seen here.
    recorded = await engine.call_store(store.attempts, run_id)
    if is_committed(recorded, step_id, attempt):
        await engine.call_store(release_lease, store, lease)
        return StepDelivery.REPLAYED
    workflow = resolve(run.workflow_ref)
    answers = await engine.call_store(store.answers, run_id)
    journal = Journal(store, engine.bus, run_id, 0)  # the store numbers events after the last
    journal.fence = Fence(key, lease.token)
    execution = RunExecution(
        engine, workflow, run, workflow.validate_inputs(run.inputs), journal, answers, recorded, 1
    )
    execution._loop = asyncio.get_running_loop()
    execution._loop_thread = threading.get_ident()
    step = workflow.by_id[step_id]
    execution._next_attempt[step_id] = attempt + 1
    async with _renewing(engine, lease, lease_seconds):
        outcome = await execution.run_here(step, execution.context(step, attempt))
    execution._record(step, outcome, outcome.attempt)
    journal.fence = Fence(key, lease.token, release=True, notify=run_id)
    try:
        await journal.flush()
    except LeaseLostError:
        return StepDelivery.FENCED
    return StepDelivery.RAN


@contextlib.asynccontextmanager
async def _renewing(engine: Engine, lease: Lease, seconds: float) -> AsyncIterator[None]:
    """Renew the claim while the step runs (a third of its life at a time)."""

    async def renew() -> None:
        current = lease
        while True:
            await asyncio.sleep(seconds / 3)
            try:
                current = await engine.call_store(renew_lease, engine.store, current, seconds)
            except LeaseLostError:
                return  # the commit will be refused; the step's new owner reports it

    task = asyncio.create_task(renew())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
