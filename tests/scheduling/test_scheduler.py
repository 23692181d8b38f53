"""The scheduler: ticks fired on time, missed ones once or never, and never twice."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path
from typing import Any

import pytest

from devora.engine import Engine
from devora.scheduling import ScheduleConfig, Scheduler, open_local_runs
from devora.store import RunStatus, Store
from devora.store._ticks import Tick, claim_tick, fired_ticks
from tests.cli.harness import TOYS, Devora, assert_one_clear_error, wait_for

HOURLY = "0 * * * *"
T = 1_795_921_200.0  # 2026-11-29 03:00 UTC, a tick of HOURLY


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


class Started:
    """What the scheduler asked to start (the test's side of StartRun)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any], str]] = []

    async def __call__(self, workflow: str, inputs: dict[str, Any], run_id: str) -> None:
        self.calls.append((workflow, inputs, run_id))


def _schedule(missed: str = "run_once", cron: str = HOURLY) -> ScheduleConfig:
    return ScheduleConfig(workflow="wf", cron=cron, inputs={"seed": 3}, missed=missed)  # type: ignore[arg-type]


def test_a_tick_on_time_starts_one_run_recorded_with_its_tick(any_store: Store) -> None:
    clock, started = Clock(T - 10), Started()
    scheduler = Scheduler(any_store, {"hourly": _schedule()}, started, owner="a", clock=clock)
    assert asyncio.run(scheduler.fire_due()) == []  # nothing due before the first tick
    clock.now = T + 0.2
    [tick] = asyncio.run(scheduler.fire_due())
    assert started.calls == [("wf", {"seed": 3}, tick.run_id)]
    assert asyncio.run(scheduler.fire_due()) == []  # the same tick, seen again: not fired
    assert [(t.tick_at, t.run_id, t.fired_by) for t in fired_ticks(any_store, "hourly")] == [
        (T, tick.run_id, "a")
    ]


def test_a_first_start_fires_no_tick_that_fell_before_it(any_store: Store) -> None:
    started = Started()
    scheduler = Scheduler(any_store, {"hourly": _schedule()}, started, clock=Clock(T + 600))
    assert asyncio.run(scheduler.fire_due()) == []
    assert started.calls == []
    # Started just after a tick (`devora scheduler --once` from cron): that tick is due.
    just_after = Scheduler(any_store, {"hourly": _schedule()}, started, clock=Clock(T + 5))
    assert [t.tick_at for t in asyncio.run(just_after.fire_due())] == [T]


@pytest.mark.parametrize(("missed", "runs"), [("run_once", 1), ("skip", 0)])
def test_ticks_missed_while_nothing_ran_fire_once_or_not_at_all(
    any_store: Store, missed: str, runs: int
) -> None:
    claim_tick(any_store, Tick(schedule="hourly", tick_at=T - 5 * 3600, fired_by="earlier"))
    started = Started()
    clock = Clock(T + 600)  # five ticks were missed; the latest is 10 minutes late
    scheduler = Scheduler(any_store, {"hourly": _schedule(missed)}, started, clock=clock)
    fired = asyncio.run(scheduler.fire_due())
    assert [t.tick_at for t in fired] == [T] * runs
    assert len(started.calls) == runs
    assert asyncio.run(scheduler.fire_due()) == []  # never twice
    clock.now = T + 3600 + 1  # the next tick, on time, fires under both policies
    assert [t.tick_at for t in asyncio.run(scheduler.fire_due())] == [T + 3600]


def test_two_schedulers_on_one_store_fire_each_tick_once(any_store: Store) -> None:
    clock = Clock(T - 1)
    first, second = Started(), Started()
    schedulers = [
        Scheduler(any_store, {"hourly": _schedule()}, started, owner=name, clock=clock)
        for name, started in (("a", first), ("b", second))
    ]
    for hour in range(3):
        clock.now = T + hour * 3600 + 0.1
        for scheduler in (schedulers[hour % 2], schedulers[1 - hour % 2]):
            asyncio.run(scheduler.fire_due())
    assert len(first.calls) + len(second.calls) == 3
    assert [t.fired_by for t in fired_ticks(any_store, "hourly")] == ["a", "b", "a"]


def test_a_run_that_cannot_start_is_reported_and_the_other_schedules_go_on(
    any_store: Store,
) -> None:
    reports: list[str] = []

    async def refuse(workflow: str, inputs: dict[str, Any], run_id: str) -> None:
        if workflow == "broken":
            raise RuntimeError("token=sk-abcdefghijklmnopqrstuvwx refused")

    schedules = {
        "broken": ScheduleConfig(workflow="broken", cron=HOURLY),
        "fine": ScheduleConfig(workflow="fine", cron=HOURLY),
    }
    clock = Clock(T - 1)
    scheduler = Scheduler(any_store, schedules, refuse, clock=clock, report=reports.append)
    clock.now = T + 1
    assert sorted(t.schedule for t in asyncio.run(scheduler.fire_due())) == ["broken", "fine"]
    [report] = reports
    assert "schedule broken" in report and "did not start" in report
    assert "sk-abcdefghijklmnopqrstuvwx" not in report


def test_local_runs_record_the_run_under_the_ticks_id_and_execute_it(any_store: Store) -> None:
    schedule = ScheduleConfig(workflow=f"{TOYS}:chain", cron=HOURLY, inputs={"seed": 4})
    reports: list[str] = []

    async def main() -> list[Tick]:
        clock = Clock(T - 1)
        async with open_local_runs(Engine(any_store), reports.append) as runs:
            scheduler = Scheduler(any_store, {"chain": schedule}, runs, clock=clock)
            clock.now = T + 0.5
            fired = await scheduler.fire_due()
            await runs.wait()
        return fired

    [tick] = asyncio.run(main())
    assert tick.run_id is not None
    run = any_store.get_run(tick.run_id)
    assert (run.workflow, run.status, run.inputs["seed"]) == ("chain", RunStatus.SUCCEEDED, 4)
    assert run.outputs == {"last": {"total": 122, "side": "side-4"}}
    assert reports[-1] == f"run {tick.run_id} (chain) succeeded"


# -- the command, as real processes ------------------------------------------------------


def _devora_for(store: Store, tmp_path: Path) -> Devora:
    return Devora(home=store.location.home, database_url=None if store.is_sqlite else store.url)


def test_two_scheduler_processes_on_one_store_fire_every_tick_once(
    any_store: Store, tmp_path: Path
) -> None:
    devora = _devora_for(any_store, tmp_path)
    (devora.home.parent / "devora.toml").write_text(
        f'[schedules.every_second]\nworkflow = "{TOYS}:chain"\n'
        'cron = "* * * * * *"\ninputs = { seed = 5 }\n'
    )
    processes = [devora.start("scheduler") for _ in range(2)]
    wait_for(lambda: len(fired_ticks(any_store, "every_second")) >= 5, timeout=90)
    outputs = []
    for process in processes:
        process.send_signal(signal.SIGINT)
    for process in processes:
        out, err = process.communicate(timeout=60)
        assert process.returncode == 0, err
        assert "scheduler stopped" in err
        outputs.append(out)
    ticks = fired_ticks(any_store, "every_second")
    runs = [r for r in any_store.list_runs(workflow="chain", limit=500)]
    assert len(ticks) >= 3
    # Every tick started exactly one run, under the id the tick recorded; nothing else ran.
    assert sorted(t.run_id or "" for t in ticks) == sorted(r.id for r in runs)
    assert len({t.tick_at for t in ticks}) == len(ticks)
    assert sum(o.count(") started") for o in outputs) == len(ticks)
    assert all(t.tick_at == int(t.tick_at) for t in ticks)  # whole seconds, as the cron says
    assert all(r.inputs["seed"] == 5 for r in runs)


def test_the_command_refuses_a_config_without_schedules_or_with_a_bad_one(
    tmp_path: Path,
) -> None:
    devora = Devora(home=tmp_path / ".devora")
    assert_one_clear_error(devora("scheduler", "--once"), "no schedules")
    (tmp_path / "devora.toml").write_text(
        '[schedules.nightly]\nworkflow = "no-such-workflow"\ncron = "0 3 * * *"\n'
    )
    assert_one_clear_error(devora("scheduler", "--once"), "schedule 'nightly'", "no-such-workflow")
    (tmp_path / "devora.toml").write_text(
        '[schedules.nightly]\nworkflow = "quality-gate"\ncron = "at dawn"\n'
    )
    assert_one_clear_error(devora("scheduler", "--once"), "not a cron expression")
