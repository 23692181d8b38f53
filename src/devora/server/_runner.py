"""Runs executing in the server's own event loop, and resumed when the server restarts.

Starting a run records it (the starts of one turn of the loop share a commit) and queues
its execution: at most `max_running` runs execute at once, the others stay `pending` in a
first-come queue (`queue_position`), so accepting 200 starts does not mean running 200 at
once on two cores.

Every run the server starts records ``"executor": "devora serve"`` in its creation context.
On start, the server resumes such runs whose process died (a crash, SIGKILL: still
`running` or `pending` under an owner that no longer exists) and those it interrupted
itself when it last stopped (their ids kept in a 0600 file in Devora's home).
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from devora.engine import Engine, EventBus, Workflow, owner_is_alive
from devora.errors import DevoraError, RunBusyError
from devora.private_files import write_private
from devora.store import Event, EventKind, RunRecord, RunStatus, Store
from devora.workflows import check_input_shape, resolve_workflow

__all__ = ["EXECUTOR", "QueuePosition", "Runner", "Subscription", "default_max_running"]

EXECUTOR = "devora serve"
_INTERRUPTED_FILE = "serve-interrupted.json"
_HELD_EVENTS = 1000  # events held for a follower that does not keep up; then it rereads
_log = logging.getLogger("devora.server")


def default_max_running() -> int:
    """Runs executing at once when not configured: 4 per core, at least 8.

    Runs mostly wait (on tools, models, people), so a few per core keep the cores busy
    without letting hundreds of runs share one event loop.
    """
    return max(8, 4 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class QueuePosition:
    """Where a queued run stands: `position` 1 runs next, once one of `running` ends."""

    position: int
    running: int
    limit: int


class Subscription:
    """A follower of one run: the committed events the runner publishes, in order.

    `woken` is set at each commit of the run (and at each `poke`); `take()` hands over the
    events published since, or None when the follower must read the journal itself (a
    poke without events, or more events than it is allowed to hold). `ended`: the server
    is stopping, the follower ends its stream.
    """

    def __init__(self) -> None:
        self.woken = asyncio.Event()
        self.ended = False
        self._events: list[Event] | None = []

    def hold(self, event: Event) -> None:
        """Keep a committed event for the follower, and wake it."""
        if self._events is not None:
            self._events.append(event)
            if len(self._events) > _HELD_EVENTS:
                self._events = None
        self.woken.set()

    def mark_stale(self) -> None:
        """Something was committed that was not published here: read the journal."""
        self._events = None
        self.woken.set()

    def end(self) -> None:
        """The server is stopping: wake the follower, for good."""
        self.ended = True
        self.woken.set()

    def take(self) -> list[Event] | None:
        """The events held since the last call (None: read the journal instead)."""
        self.woken.clear()
        events, self._events = self._events, []
        return events


@dataclass(frozen=True)
class _Starting:
    workflow: Workflow
    made: tuple[RunRecord, Event]  # Engine.prepare_run's
    waiter: asyncio.Future[None]


@dataclass(frozen=True)
class _Queued:
    workflow: Workflow
    run: RunRecord
    resumed: bool


class Runner:
    """Starts and resumes runs as tasks of this loop; wakes the live views on each commit.

    `concurrency`: most steps running at once in a run; `max_running`: most runs executing
    at once (default `default_max_running()`), the others wait their turn in order.
    """

    def __init__(
        self,
        store: Store,
        *,
        run_context: Mapping[str, Any],
        concurrency: int | None = None,
        max_running: int | None = None,
    ) -> None:
        if max_running is not None and max_running < 1:
            raise ValueError("max_running must be at least 1")
        self.store = store
        self.max_running = max_running or default_max_running()
        self.bus = EventBus()
        # Subscribed before the engine gets the bus: `Engine` replaces a bus without
        # subscribers (an empty EventBus is falsy) with its own, which nobody would hear.
        self.bus.subscribe(self._on_event)
        self.engine = Engine(
            store,
            bus=self.bus,
            concurrency=concurrency,
            run_context={**run_context, "executor": EXECUTOR},
        )
        self._tasks: dict[str, asyncio.Task[None]] = {}  # executing now
        self._queue: dict[str, _Queued] = {}  # waiting for a slot, first in first out
        self._subscriptions: dict[str, set[Subscription]] = {}
        self._starting: list[_Starting] = []  # recorded together at the loop's next turn
        self._closing = False
        self._streams_ended = False

    # -- live views ---------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:  # published by the engine after its commit
        for subscription in self._subscriptions.get(event.run_id, ()):
            subscription.hold(event)

    def poke(self, run_id: str) -> None:
        """Tell whoever follows the run that its journal has changed (not through the bus)."""
        for subscription in self._subscriptions.get(run_id, ()):
            subscription.mark_stale()

    def end_streams(self) -> None:
        """The server is stopping: every follower ends its stream now, not after uvicorn's
        grace period (it waits for open responses before the app's shutdown)."""
        self._streams_ended = True
        for followers in self._subscriptions.values():
            for subscription in followers:
                subscription.end()

    @contextmanager
    def subscribe(self, run_id: str) -> Iterator[Subscription]:
        """Follow the run's commits; subscribe *before* reading the journal."""
        subscription = Subscription()
        if self._streams_ended:
            subscription.end()
        followers = self._subscriptions.setdefault(run_id, set())
        followers.add(subscription)
        try:
            yield subscription
        finally:
            followers.discard(subscription)
            if not followers:
                self._subscriptions.pop(run_id, None)

    def executes(self, run_id: str) -> bool:
        """True while this server executes the run (not while it is queued)."""
        return run_id in self._tasks

    def owns(self, run_id: str) -> bool:
        """True while the run executes here or waits here for its turn."""
        return run_id in self._tasks or run_id in self._queue

    def queue_position(self, run_id: str) -> QueuePosition | None:
        """Where the run waits in this server's queue; None when it is not queued."""
        if run_id not in self._queue:
            return None
        if next(reversed(self._queue)) == run_id:  # a start just queued: no walk of the queue
            position = len(self._queue)
        else:
            position = list(self._queue).index(run_id) + 1
        return QueuePosition(position, len(self._tasks), self.max_running)

    def withdraw(self, run_id: str) -> bool:
        """Take a queued run out of the queue (it will not execute); False if not queued."""
        return self._queue.pop(run_id, None) is not None

    # -- starting and resuming --------------------------------------------------------------

    async def start(
        self,
        workflow: Workflow,
        raw: Mapping[str, Any],
        *,
        dry_run: bool = False,
        run_id: str | None = None,
    ) -> RunRecord:
        """Validate as the CLI does, record the run (one commit), and queue its execution.

        `run_id`: the id to record it under (a schedule's tick chose it); default: a new one.
        """
        await self.check(workflow, raw)
        return await self.record(workflow, raw, dry_run=dry_run, run_id=run_id)

    async def check(self, workflow: Workflow, raw: Mapping[str, Any]) -> None:
        """What `start` checks before it records anything: the inputs, the preflight."""
        check_input_shape(raw)
        inputs = workflow.validate_inputs(raw)
        if workflow.preflight is not None:
            await workflow.preflight(inputs)

    async def record(
        self,
        workflow: Workflow,
        raw: Mapping[str, Any],
        *,
        dry_run: bool = False,
        run_id: str | None = None,
    ) -> RunRecord:
        """Record a run whose inputs `check` accepted and queue its execution.

        The starts that reach this in one turn of the loop share one commit, made at the
        next turn (a burst of 200: one transaction, not 200); all are recorded, or none,
        before any returns. A run with a chosen `run_id` (a schedule's tick, which another
        scheduler may have recorded) commits alone, so that its clash fails only itself.
        """
        made = self.engine.prepare_run(workflow, raw, dry_run=dry_run, run_id=run_id)
        if run_id is not None:
            self.engine.record_runs([made])
            self._spawn(workflow, made[0], resumed=False)
            return made[0]
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._starting.append(_Starting(workflow, made, waiter))
        if len(self._starting) == 1:
            asyncio.get_running_loop().call_soon(self._commit_starts)
        await waiter
        return made[0]

    def _commit_starts(self) -> None:
        starting, self._starting = self._starting, []
        try:
            self.engine.record_runs([start.made for start in starting])
        except Exception as error:  # rolled back: none of them was recorded
            for start in starting:
                if not start.waiter.done():
                    start.waiter.set_exception(error)
            return
        for start in starting:  # queued in the order they were recorded
            self._spawn(start.workflow, start.made[0], resumed=False)
            if not start.waiter.done():
                start.waiter.set_result(None)

    async def resume(self, run_id: str, workflow: Workflow, *, force: bool = False) -> RunRecord:
        """Claim a run and continue it in the background; completed steps are reused."""
        if self.owns(run_id):
            raise RunBusyError(run_id, f"this server ({self.engine.owner})")
        run = await self.engine.claim_for_resume(run_id, workflow, force=force)
        self._spawn(workflow, run, resumed=True)
        return run

    def _spawn(self, workflow: Workflow, run: RunRecord, *, resumed: bool) -> None:
        self._queue[run.id] = _Queued(workflow, run, resumed)
        self._dispatch()

    def _dispatch(self) -> None:
        """Start queued runs, oldest first, while slots are free."""
        while self._queue and len(self._tasks) < self.max_running and not self._closing:
            run_id = next(iter(self._queue))
            queued = self._queue.pop(run_id)
            task = asyncio.create_task(
                self._execute(queued.workflow, queued.run, queued.resumed), name=f"run {run_id}"
            )
            self._tasks[run_id] = task
            task.add_done_callback(functools.partial(self._done, run_id))

    def _done(self, run_id: str, _task: asyncio.Task[None]) -> None:
        self._tasks.pop(run_id, None)
        self._dispatch()

    async def _execute(self, workflow: Workflow, run: RunRecord, resumed: bool) -> None:
        try:
            current = await self.store.call(self.store.get_run, run.id)
            if current.status is not run.status:  # cancelled elsewhere while it waited
                _log.info("run %s was not executed: it became %s", run.id, current.status)
                return
            await self.engine.execute(workflow, run, resumed=resumed)
        except asyncio.CancelledError:
            raise
        except Exception:  # the run's own failure is journaled; this is the engine failing
            _log.exception("run %s stopped on an unexpected error", run.id)
        finally:
            self.poke(run.id)

    # -- the server's life --------------------------------------------------------------------

    async def recover(self) -> list[str]:
        """Resume the runs this server owned before it stopped; returns their ids."""
        interrupted = self._read_interrupted()
        candidates: list[RunRecord] = []
        # Cancelled and waiting runs only when this server stopped them (executing, or
        # queued after an answer); running and pending ones when their process is gone.
        stopped_here = (RunStatus.CANCELLED, RunStatus.WAITING)
        for status in (RunStatus.RUNNING, RunStatus.PENDING, *stopped_here):
            for run in await self.store.call(_top_level_runs, self.store, status):
                if status in stopped_here and run.id not in interrupted:
                    continue
                if status not in stopped_here and owner_is_alive(run.owner):
                    continue
                if await self.store.call(_started_here, self.store, run.id):
                    candidates.append(run)
        resumed = []
        for run in candidates:
            try:
                await self.resume(run.id, resolve_workflow(run.workflow_ref))
            except DevoraError as error:  # one run that cannot resume must not stop the others
                _log.warning("run %s was not resumed: %s", run.id, error.message)
                continue
            resumed.append(run.id)
        self._interrupted_path.unlink(missing_ok=True)
        return resumed

    async def aclose(self) -> None:
        """Stop executing: running runs are recorded cancelled, and they and the queued
        (still pending) are resumed at next start."""
        if self._closing:
            return
        self._closing = True
        running = dict(self._tasks)
        if running or self._queue:
            write_private(self._interrupted_path, json.dumps(sorted({*running, *self._queue})))
        self._queue.clear()
        for task in running.values():
            task.cancel()
        await asyncio.gather(*running.values(), return_exceptions=True)

    @property
    def _interrupted_path(self) -> Path:
        return self.store.location.home / _INTERRUPTED_FILE

    def _read_interrupted(self) -> set[str]:
        try:
            ids = json.loads(self._interrupted_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return set()
        return {str(i) for i in ids} if isinstance(ids, list) else set()


def _top_level_runs(store: Store, status: RunStatus) -> list[RunRecord]:
    return store.list_runs(status=status, top_level_only=True, limit=10_000)


def _started_here(store: Store, run_id: str) -> bool:
    """True when the run was created by a `devora serve` (its recorded context says so)."""
    for event in store.events(run_id, kinds=[EventKind.RUN_CREATED], limit=1):
        context = event.data.get("context")
        return isinstance(context, dict) and context.get("executor") == EXECUTOR
    return False
