"""Scheduled runs: `[schedules.NAME]` cron tables, fired once per tick across schedulers."""

from devora.scheduling._config import (
    MissedPolicy,
    ScheduleConfig,
    ScheduleConfigError,
    load_schedules,
)
from devora.scheduling._cron import ON_TIME, latest_tick, next_tick, tick_to_fire
from devora.scheduling._local_runs import LocalRuns, check_schedules, open_local_runs
from devora.scheduling._scheduler import MAX_SLEEP, Scheduler, StartRun

__all__ = [
    "MAX_SLEEP",
    "ON_TIME",
    "LocalRuns",
    "MissedPolicy",
    "ScheduleConfig",
    "ScheduleConfigError",
    "Scheduler",
    "StartRun",
    "check_schedules",
    "latest_tick",
    "load_schedules",
    "next_tick",
    "open_local_runs",
    "tick_to_fire",
]
