"""Runs executing in the server's own event loop, and resumed when the server restarts.

Every run the server starts records ``"executor": "devora serve"`` in its creation context.
On start, the server resumes such runs whose process died (a crash, SIGKILL: still
`running` or `pending` under an owner that no longer exists) and those it interrupted
itself when it last stopped (their ids kept in a 0600 file in Devora's home).
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from devora.engine import Engine, EventBus, Workflow, owner_is_alive
from devora.errors import DevoraError, RunBusyError
from devora.private_files import write_private
from devora.store import Event, EventKind, RunRecord, RunStatus, Store
from devora.workflows import check_input_shape, resolve_workflow

__all__ = ["EXECUTOR", "Runner"]

EXECUTOR = "devora serve"
_INTERRUPTED_FILE = "serve-interrupted.json"
_log = logging.getLogger("devora.server")


class Runner:
    """Starts and resumes runs as tasks of this loop; wakes the live views on each commit."""

    def __init__(
        self,
        store: Store,
        *,
        run_context: Mapping[str, Any],
        concurrency: int | None = None,
    ) -> None:
        self.store = store
        self.bus = EventBus()
        self.engine = Engine(
            store,
            bus=self.bus,
            concurrency=concurrency,
            run_context={**run_context, "executor": EXECUTOR},
        )
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._signals: dict[str, asyncio.Event] = {}
        self._closing = False
        self.bus.subscribe(self._on_event)

    # -- live views ---------------------------------------------------------------------

    def _on_event(self, event: Event) -> None:
        self.poke(event.run_id)

    def poke(self, run_id: str) -> None:
        """Tell whoever follows the run that its journal has new committed events."""
        signal = self._signals.pop(run_id, None)
        if signal is not None:
            signal.set()

    def signal(self, run_id: str) -> asyncio.Event:
        """An event set at the run's next commit: take it *before* reading the journal."""
        signal = self._signals.get(run_id)
        if signal is None:
            signal = self._signals[run_id] = asyncio.Event()
        return signal

    def executes(self, run_id: str) -> bool:
        """True while this server executes the run."""
        return run_id in self._tasks

    # -- starting and resuming --------------------------------------------------------------

    async def start(
        self,
        workflow: Workflow,
        raw: Mapping[str, Any],
        *,
        dry_run: bool = False,
        run_id: str | None = None,
    ) -> RunRecord:
        """Validate as the CLI does, record the run, and execute it in the background.

        `run_id`: the id to record it under (a schedule's tick chose it); default: a new one.
        """
        check_input_shape(raw)
        inputs = workflow.validate_inputs(raw)
        if workflow.preflight is not None:
            await workflow.preflight(inputs)
        run = self.engine.create_run(workflow, raw, dry_run=dry_run, run_id=run_id)
        self._spawn(workflow, run, resumed=False)
        return run

    async def resume(self, run_id: str, workflow: Workflow, *, force: bool = False) -> RunRecord:
        """Claim a run and continue it in the background; completed steps are reused."""
        if run_id in self._tasks:
            raise RunBusyError(run_id, f"this server ({self.engine.owner})")
        run = await self.engine.claim_for_resume(run_id, workflow, force=force)
        self._spawn(workflow, run, resumed=True)
        return run

    def _spawn(self, workflow: Workflow, run: RunRecord, *, resumed: bool) -> None:
        task = asyncio.create_task(self._execute(workflow, run, resumed), name=f"run {run.id}")
        self._tasks[run.id] = task
        task.add_done_callback(lambda _task: self._tasks.pop(run.id, None))

    async def _execute(self, workflow: Workflow, run: RunRecord, resumed: bool) -> None:
        try:
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
        for status in (RunStatus.RUNNING, RunStatus.PENDING, RunStatus.CANCELLED):
            for run in await self.store.call(_top_level_runs, self.store, status):
                if status is RunStatus.CANCELLED and run.id not in interrupted:
                    continue
                if status is not RunStatus.CANCELLED and owner_is_alive(run.owner):
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
        """Stop executing: running runs are recorded cancelled and resumed at next start."""
        if self._closing:
            return
        self._closing = True
        running = dict(self._tasks)
        if running:
            write_private(self._interrupted_path, json.dumps(sorted(running)))
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
