"""A step run by a worker for a coordinator elsewhere: the worker's side of the durable path.

One shape, as in DBOS: if the step's result is committed, return without running;
otherwise claim the step (a lease with a fencing token), run its attempts, commit the
result under (run, step, attempt) with the claim's token, and only then return, so the
message is acknowledged after the commit. A worker that loses its claim (it stalled and
another took the step over) has its late commit refused.

While the step runs, the worker looks at the run every second: once it is no longer
running (cancelled, or failed by another step), the step is cancelled and nothing is
committed, as with the local executor (a resume runs it again). An async action stops at
its next await; a sync action's thread cannot be interrupted: it runs to its end in the
background, and its result is dropped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from enum import StrEnum
from typing import Any

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

_log = logging.getLogger("devora.worker")


class StepDelivery(StrEnum):
    """What a worker did with one delivery of a step's message."""

    RAN = "ran"  # it ran the step and committed the result
    REPLAYED = "replayed"  # the result was already committed: not run again
    BUSY = "busy"  # a live worker holds the step; its commit (or lease expiry) follows
    FENCED = "fenced"  # it ran, but another took the step over: its commit was refused
    NOT_RUNNING = "not running"  # the run was cancelled or finished meanwhile
    STOPPED = "stopped"  # the run stopped while the step ran: cancelled, nothing committed


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
    execution.step_figures = {}  # the coordinator merges them into the run's summary
    running = asyncio.ensure_future(execution.run_here(step, execution.context(step, attempt)))
    async with _watching(engine, run_id, lease, lease_seconds, running):
        try:
            outcome = await running
        except asyncio.CancelledError:
            if not running.cancelled():
                raise
            await engine.call_store(release_lease, store, lease)
            return StepDelivery.STOPPED
    execution._record(step, outcome, outcome.attempt)
    journal.fence = Fence(key, lease.token, release=True, notify=run_id)
    try:
        await journal.flush()
    except LeaseLostError:
        return StepDelivery.FENCED
    return StepDelivery.RAN


_LOOK_SECONDS = 1.0  # how often a running step's worker looks whether its run stopped


@contextlib.asynccontextmanager
async def _watching(
    engine: Engine, run_id: str, lease: Lease, seconds: float, running: asyncio.Future[Any]
) -> AsyncIterator[None]:
    """While the step runs: renew its claim (a third of its life at a time), and cancel it
    when its run is no longer running."""

    async def watch() -> None:
        current = lease
        renewed_at = time.monotonic()
        while True:
            await asyncio.sleep(min(_LOOK_SECONDS, seconds / 3))
            try:
                run = await engine.call_store(engine.store.get_run, run_id)
                if run.status is not RunStatus.RUNNING:
                    running.cancel()
                    return
                if time.monotonic() - renewed_at >= seconds / 3:
                    current = await engine.call_store(renew_lease, engine.store, current, seconds)
                    renewed_at = time.monotonic()
            except LeaseLostError:
                return  # the commit will be refused; the step's new owner reports it
            except Exception as exc:  # the store is away for a moment: look again soon
                _log.warning("watching step run %s failed (trying again): %s", run_id, exc)

    task = asyncio.create_task(watch())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
