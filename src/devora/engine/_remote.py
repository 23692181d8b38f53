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
from collections import OrderedDict
from collections.abc import AsyncIterator, Callable, Sequence
from enum import StrEnum
from typing import Any

from pydantic import BaseModel

from devora.engine._engine import Engine, owner_is_alive
from devora.engine._execution import RunExecution
from devora.engine._journal import Journal
from devora.engine._outcome import StepOutcome
from devora.engine._workflow import Step, Workflow
from devora.store import (
    AttemptRecord,
    Fence,
    Lease,
    LeaseLostError,
    Phase,
    RunRecord,
    RunStatus,
    StepClaim,
    StepStatus,
    Store,
    acquire_lease,
    claim_step,
    release_lease,
    renew_lease,
    step_lease_key,
)

__all__ = ["RunsSeen", "StepDelivery", "perform_step"]

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


class RunsSeen:
    """What a worker process keeps of the runs whose steps it ran: the workflows (by
    reference), each run's validated inputs (a run's inputs never change), and each
    step's ancestors.

    So a step of a run seen before costs no read of the run before its claim, and no
    validation of the run's inputs.
    """

    def __init__(self, resolve: Callable[[str], Workflow], *, size: int = 64) -> None:
        self._resolve = resolve
        self._size = size
        self._workflows: dict[str, Workflow] = {}
        self._runs: OrderedDict[str, tuple[Workflow, BaseModel]] = OrderedDict()
        self._ancestors: dict[tuple[int, str], tuple[str, ...]] = {}

    def get(self, run_id: str) -> tuple[Workflow, BaseModel] | None:
        """The run's workflow and inputs, when this process has seen the run."""
        return self._runs.get(run_id)

    def add(self, run: RunRecord) -> tuple[Workflow, BaseModel]:
        """Resolve the run's workflow and validate its inputs, once per run."""
        workflow = self._workflows.get(run.workflow_ref)
        if workflow is None:
            workflow = self._workflows[run.workflow_ref] = self._resolve(run.workflow_ref)
        known = self._runs[run.id] = (workflow, workflow.validate_inputs(run.inputs))
        while len(self._runs) > self._size:
            self._runs.popitem(last=False)
        return known

    def reads(self, workflow: Workflow, step_id: str) -> tuple[str, ...]:
        """The step and every step it needs, directly or not: the results it may read."""
        key = (id(workflow), step_id)
        found = self._ancestors.get(key)
        if found is None:
            seen: dict[str, None] = {step_id: None}
            todo = list(workflow.by_id[step_id].needs)
            while todo:
                need = todo.pop()
                if need not in seen:
                    seen[need] = None
                    todo.extend(workflow.by_id[need].needs)
            found = self._ancestors[key] = tuple(seen)
        return found


async def perform_step(
    engine: Engine,
    runs: RunsSeen,
    run_id: str,
    step_id: str,
    attempt: int,
    *,
    lease_seconds: float,
) -> StepDelivery:
    """Run one dispatched step of a run durably in this (worker) process.

    The claim and the last commit are made from the loop's thread: nothing else runs on
    it then, and a hop to a thread and back costs milliseconds on a busy machine.
    """
    store = engine.store
    known = runs.get(run_id)
    if known is None:  # the first step of this run in this process
        run = store.get_run(run_id)
        if run.status is not RunStatus.RUNNING:
            return StepDelivery.NOT_RUNNING
        known = runs.add(run)
    workflow, inputs = known
    claim = _claim_step(
        store, run_id, step_id, attempt, engine.owner, lease_seconds, runs.reads(workflow, step_id)
    )
    if isinstance(claim, StepDelivery):
        return claim
    lease = claim.lease
    assert lease is not None
    journal = Journal(store, engine.bus, run_id, 0)  # the store numbers events after the last
    journal.fence = Fence(lease.key, lease.token)
    execution = _StepExecution(
        engine, workflow, claim.run, inputs, journal, claim.answers, claim.attempts, 1
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
    journal.fence = Fence(lease.key, lease.token, release=True, notify=run_id)
    try:
        await journal.flush(blocking=True)
    except LeaseLostError:
        return StepDelivery.FENCED
    return StepDelivery.RAN


class _StepExecution(RunExecution):
    """One step's execution on a worker: only the results it reads are replayed (the
    coordinator, not the worker, decides which steps are ready)."""

    def _replay(self, recorded: list[AttemptRecord]) -> None:
        latest = {record.step_id: record for record in recorded}  # in completion order
        for record in sorted(latest.values(), key=lambda r: r.seq):
            if record.step_id in self.workflow.by_id:
                self._replay_outcome(self.workflow.by_id[record.step_id], record)

    def _release(self, step: Step[Any], outcome: StepOutcome) -> None:
        if outcome.status.done:  # its dependents are the coordinator's to start
            self._outputs[step.id] = outcome.output


def _claim_step(
    store: Store,
    run_id: str,
    step_id: str,
    attempt: int,
    owner: str,
    lease_seconds: float,
    reads: Sequence[str],
) -> StepDelivery | StepClaim:
    """Before a step runs: the run, the claim, the results the step reads, or why not."""
    key = step_lease_key(run_id, Phase.RUN.value, step_id, attempt)
    for _ in range(3):
        claim = claim_step(store, run_id, key, owner, lease_seconds, reads=reads)
        if claim.lease is not None:
            break
        held = claim.holder
        if held is not None and owner_is_alive(held.owner):
            return StepDelivery.BUSY
        if held is not None:  # its holder was a process of this machine that died
            acquire_lease(store, key, owner, lease_seconds, take_over=True)
        # Claim again (ours now, or freed meanwhile): the reads must follow the claim.
    else:
        return StepDelivery.BUSY
    assert claim.lease is not None
    if claim.run.status is not RunStatus.RUNNING:
        release_lease(store, claim.lease)
        return StepDelivery.NOT_RUNNING
    # Read under the claim: a holder commits its result and drops its claim in one
    # transaction, so a result committed before we claimed is seen here.
    if is_committed(claim.attempts, step_id, attempt):
        release_lease(store, claim.lease)
        return StepDelivery.REPLAYED
    return claim


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
