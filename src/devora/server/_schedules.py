"""The `[schedules]` of the configuration, fired by `devora serve` in its own loop."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from devora.scheduling import Scheduler, check_schedules, load_schedules
from devora.server._state import ServerState

__all__ = ["serve_schedules"]

_log = logging.getLogger("devora.server")


@asynccontextmanager
async def serve_schedules(state: ServerState) -> AsyncIterator[Scheduler | None]:
    """Fire the configured schedules while the block runs (None when there are none).

    The app's lifespan enters it after the runner recovered its runs: a bad schedule
    stops the server from starting, with the schedule's error. Runs are started by the
    server's runner, like the API's, under the id the tick recorded.
    """
    schedules = load_schedules(state.config)
    if not schedules:
        yield None
        return
    workflows = check_schedules(schedules)
    by_reference = {schedules[name].workflow: workflow for name, workflow in workflows.items()}

    async def start(reference: str, inputs: dict[str, Any], run_id: str) -> None:
        await state.runner.start(by_reference[reference], inputs, run_id=run_id)

    scheduler = Scheduler(state.store, schedules, start, report=_log.warning)
    stop = asyncio.Event()
    task = asyncio.create_task(scheduler.run(stop), name="devora schedules")
    try:
        yield scheduler
    finally:
        stop.set()
        await task
