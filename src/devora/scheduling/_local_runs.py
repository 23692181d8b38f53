"""Runs started by a scheduler executed in this process's own event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from devora.engine import Engine, Workflow
from devora.scheduling._config import ScheduleConfig, ScheduleConfigError
from devora.secrets import redact
from devora.store import RunRecord

__all__ = ["LocalRuns", "check_schedules", "open_local_runs"]


def check_schedules(schedules: Mapping[str, ScheduleConfig]) -> dict[str, Workflow]:
    """Each schedule's workflow, its inputs validated: a bad schedule fails before any tick."""
    from devora.errors import UsageError
    from devora.workflows import resolve_workflow

    workflows: dict[str, Workflow] = {}
    for name, schedule in schedules.items():
        try:
            workflow = resolve_workflow(schedule.workflow)
            workflow.validate_inputs(dict(schedule.inputs))
        except UsageError as exc:
            raise ScheduleConfigError(name, exc.message) from exc
        workflows[name] = workflow
    return workflows


class LocalRuns:
    """A StartRun (call it) that records a run, then executes it as a task it owns."""

    def __init__(self, engine: Engine, report: Callable[[str], None]) -> None:
        self.engine = engine
        self._report = report
        self._tasks: set[asyncio.Task[None]] = set()

    async def __call__(self, reference: str, inputs: dict[str, Any], run_id: str) -> None:
        """Record the run (inputs validated, preflight passed); it executes in the background."""
        from devora.workflows import resolve_workflow

        workflow = resolve_workflow(reference)
        if workflow.preflight is not None:
            await workflow.preflight(workflow.validate_inputs(inputs))
        run = await self.engine.call_store(_create, self.engine, workflow, inputs, run_id)
        self._report(f"run {run_id} ({workflow.name}) started")
        task = asyncio.create_task(self._execute(workflow, run), name=f"run {run_id}")
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _execute(self, workflow: Workflow, run: RunRecord) -> None:
        try:
            result = await self.engine.execute(workflow, run)
            self._report(f"run {run.id} ({workflow.name}) {result.status.value}")
        except Exception as exc:  # reported; the other runs and the ticks go on
            self._report(redact(f"run {run.id} ({workflow.name}) stopped: {exc}"))

    async def wait(self) -> None:
        """Wait until every run started here has ended."""
        while self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    async def aclose(self) -> None:
        """Cancel the runs still going (each is recorded cancelled, resumable); safe twice."""
        for task in list(self._tasks):
            task.cancel()
        await self.wait()


@asynccontextmanager
async def open_local_runs(
    engine: Engine, report: Callable[[str], None]
) -> AsyncIterator[LocalRuns]:
    """LocalRuns whose runs still going are cancelled (and waited for) when the block ends."""
    runs = LocalRuns(engine, report)
    try:
        yield runs
    finally:
        await runs.aclose()


def _create(engine: Engine, workflow: Workflow, inputs: dict[str, Any], run_id: str) -> RunRecord:
    return engine.create_run(workflow, inputs, run_id=run_id)
