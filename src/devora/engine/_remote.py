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
    AnswerRecord,
    AttemptRecord,
    Fence,
    Lease,
    LeaseLostError,
    Phase,
    RunRecord,
    RunStatus,
    StepStatus,
    Store,
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
    claim = await engine.call_store(
        _claim_step, store, run_id, step_id, attempt, engine.owner, lease_seconds
    )
    if isinstance(claim, StepDelivery):
        return claim
    run, lease, recorded, answers = claim
    key = lease.key
    workflow = resolve(run.workflow_ref)
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


def _claim_step(
    store: Store, run_id: str, step_id: str, attempt: int, owner: str, lease_seconds: float
) -> StepDelivery | tuple[RunRecord, Lease, list[AttemptRecord], dict[str, AnswerRecord]]:
    """Before a step runs: the run, the claim, the run's results and answers, or why not.

    One call, so one hop to the store's thread (a hop costs milliseconds on a busy machine).
    """
    run = store.get_run(run_id)
    if run.status is not RunStatus.RUNNING:
        return StepDelivery.NOT_RUNNING
    key = step_lease_key(run_id, Phase.RUN.value, step_id, attempt)
    lease = acquire_lease(store, key, owner, lease_seconds)
    if lease is None:
        held = read_lease(store, key)
        if held is not None and owner_is_alive(held.owner):
            return StepDelivery.BUSY
        # Its holder was a process of this machine that died (a killed pool child).
        lease = acquire_lease(store, key, owner, lease_seconds, take_over=True)
        assert lease is not None
    # Read under the claim: a holder commits its result and drops its claim in one
    # transaction, so a result committed before we claimed is seen here.
    recorded = store.attempts(run_id)
    if is_committed(recorded, step_id, attempt):
        release_lease(store, lease)
        return StepDelivery.REPLAYED
    return run, lease, recorded, store.answers(run_id)


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
