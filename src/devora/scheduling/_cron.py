"""When a schedule's ticks fall, and which tick (if any) a scheduler fires now."""

from __future__ import annotations

from datetime import UTC, datetime

from croniter import croniter  # type: ignore[import-untyped]

from devora.scheduling._config import MissedPolicy

__all__ = ["ON_TIME", "latest_tick", "next_tick", "tick_to_fire"]

# A tick seen at most this long after it fell (and within half its period) is on time;
# later, it was missed: no scheduler was running.
ON_TIME = 60.0


def _at(timestamp: float) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC)


def next_tick(cron: str, after: float) -> float:
    """The first tick strictly after `after` (epoch seconds, UTC)."""
    return float(croniter(cron, _at(after)).get_next(float))


def latest_tick(cron: str, now: float) -> float:
    """The last tick at or before `now`."""
    # get_prev is strict; a tick exactly at `now` is found from a hair later (and one
    # found in that hair but after `now` has not fallen yet).
    tick = float(croniter(cron, _at(now + 0.001)).get_prev(float))
    return tick if tick <= now else float(croniter(cron, _at(now)).get_prev(float))


def tick_to_fire(
    cron: str, missed: MissedPolicy, since: float, now: float, on_time: float = ON_TIME
) -> float | None:
    """The tick to fire at `now`, given that every tick up to `since` is settled.

    Only the latest tick after `since` can fire: ticks missed while no scheduler ran are
    run once (`run_once`, the latest of them), never one run per missed tick, or not at
    all (`skip`); a tick on time fires under both policies.
    """
    latest = latest_tick(cron, now)
    if latest <= since:
        return None
    # On time: within `on_time`, and within half the gap to the next tick (every second
    # too: a scheduler that wakes 5 s late to a per-second schedule missed those ticks).
    window = min(on_time, (next_tick(cron, latest) - latest) / 2)
    if now - latest <= window or missed == "run_once":
        return latest
    return None
