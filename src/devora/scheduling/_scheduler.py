"""The scheduler: wakes at each tick, lets the store decide who fires it, starts the run."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from devora.engine import new_run_id, this_process
from devora.scheduling._config import ScheduleConfig
from devora.scheduling._cron import ON_TIME, latest_tick, next_tick, tick_to_fire
from devora.secrets import redact
from devora.store import Store
from devora.store._ticks import Tick, claim_tick, last_fired_tick

__all__ = ["MAX_SLEEP", "Scheduler", "StartRun"]

# Starts a run of `workflow` with `inputs` under `run_id`; returns once the run is recorded.
StartRun = Callable[[str, dict[str, Any], str], Awaitable[None]]

# Wake at least this often (seconds), so a changed clock or a new tick is noticed.
MAX_SLEEP = 30.0


class Scheduler:
    """Fires the ticks of some schedules; any number of them may share one store."""

    def __init__(
        self,
        store: Store,
        schedules: Mapping[str, ScheduleConfig],
        start_run: StartRun,
        *,
        owner: str | None = None,
        clock: Callable[[], float] = time.time,
        report: Callable[[str], None] = lambda _message: None,
    ) -> None:
        self.store = store
        self.schedules = dict(schedules)
        self.owner = owner or this_process()
        self._start_run = start_run
        self._clock = clock
        self._report = report
        # Ticks up to here are settled for this scheduler (fired, lost to another or
        # skipped). A schedule no scheduler ever fired starts now: only a tick that fell
        # within ON_TIME before the start is due (`devora scheduler --once` from cron).
        self._started = clock() - ON_TIME
        self._settled: dict[str, float] = {}

    async def fire_due(self) -> list[Tick]:
        """Fire every schedule's due tick that no scheduler fired yet; the ticks fired here."""
        fired: list[Tick] = []
        for name, schedule in self.schedules.items():
            tick = await self._fire(name, schedule)
            if tick is not None:
                fired.append(tick)
        return fired

    async def _fire(self, name: str, schedule: ScheduleConfig) -> Tick | None:
        now = self._clock()
        last = await self.store.call(last_fired_tick, self.store, name)
        if last is None:
            since = self._settled.get(name, self._started)
        else:
            since = max(self._settled.get(name, last.tick_at), last.tick_at)
        tick_at = tick_to_fire(schedule.cron, schedule.missed, since, now)
        if tick_at is None:
            # Nothing due, or a missed tick skipped: settled either way.
            self._settled[name] = max(since, latest_tick(schedule.cron, now))
            return None
        self._settled[name] = tick_at
        tick = Tick(schedule=name, tick_at=tick_at, run_id=new_run_id(), fired_by=self.owner)
        if not await self.store.call(claim_tick, self.store, tick):
            return None  # another scheduler fired it
        assert tick.run_id is not None
        try:
            await self._start_run(schedule.workflow, dict(schedule.inputs), tick.run_id)
        except Exception as exc:  # one schedule's failure stops none of the others
            self._report(
                redact(f"schedule {name}: the run of tick {tick_at:.0f} did not start: {exc}")
            )
        return tick

    def seconds_to_next_tick(self) -> float:
        """How long to sleep before the earliest next tick (at most MAX_SLEEP)."""
        now = self._clock()
        soonest = min(
            (next_tick(s.cron, now) for s in self.schedules.values()), default=now + MAX_SLEEP
        )
        return max(0.0, min(soonest - now, MAX_SLEEP))

    async def run(self, stop: asyncio.Event) -> None:
        """Fire ticks until `stop` is set."""
        while not stop.is_set():
            await self.fire_due()
            # A hair past the tick, so croniter sees it as fallen.
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.seconds_to_next_tick() + 0.01)
