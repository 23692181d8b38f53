"""Which tick a scheduler fires now: on time, missed (run once or skip), or none."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from devora.scheduling import ON_TIME, latest_tick, next_tick, tick_to_fire

EVERY_MINUTE = "* * * * *"
T = datetime(2026, 11, 29, 3, 0, tzinfo=UTC).timestamp()  # a tick of "0 3 * * *"


def test_ticks_fall_where_the_cron_expression_says() -> None:
    assert next_tick("0 3 * * *", T - 1) == T
    assert next_tick("0 3 * * *", T) == T + 86_400
    assert latest_tick("0 3 * * *", T) == T  # a tick exactly now has fallen
    assert latest_tick("0 3 * * *", T - 1) == T - 86_400
    assert next_tick("* * * * * */2", T) == T + 2  # six fields: seconds last


def test_a_tick_on_time_fires_under_both_policies() -> None:
    assert tick_to_fire("0 3 * * *", "run_once", since=T - 60, now=T + 0.5) == T
    assert tick_to_fire("0 3 * * *", "skip", since=T - 60, now=T + 0.5) == T


def test_a_settled_tick_never_fires_again() -> None:
    assert tick_to_fire("0 3 * * *", "run_once", since=T, now=T + 5) is None
    assert tick_to_fire("0 3 * * *", "run_once", since=T, now=T + 3 * 86_400 - 1) == T + 2 * 86_400


def test_missed_ticks_run_once_as_the_latest_or_are_skipped() -> None:
    since = T - 10 * 60  # the last tick fired; ten minutes of ticks were missed
    now = T + 40  # 40 s after the latest: late for a schedule of every minute
    assert tick_to_fire(EVERY_MINUTE, "run_once", since, now) == T  # only the latest
    assert tick_to_fire(EVERY_MINUTE, "skip", since, now) is None
    assert tick_to_fire(EVERY_MINUTE, "skip", since, T + 20) == T  # on time: fired
    hourly = "0 * * * *"
    assert tick_to_fire(hourly, "skip", T - 5 * 3600, T + ON_TIME + 1) is None
    assert tick_to_fire(hourly, "run_once", T - 5 * 3600, T + ON_TIME + 1) == T


@given(
    since=st.floats(min_value=T - 10 * 86_400, max_value=T + 10 * 86_400),
    gap=st.floats(min_value=0, max_value=5 * 86_400),
    cron=st.sampled_from([EVERY_MINUTE, "0 3 * * *", "*/15 * * * *", "0 0 1 * *", "7 * * * * */5"]),
    missed=st.sampled_from(["run_once", "skip"]),
)
def test_a_fired_tick_is_a_tick_of_the_schedule_after_since_and_not_in_the_future(
    since: float, gap: float, cron: str, missed: str
) -> None:
    now = since + gap
    fired = tick_to_fire(cron, missed, since, now)  # type: ignore[arg-type]
    if fired is None:
        return
    assert since < fired <= now
    assert latest_tick(cron, fired) == fired
    assert next_tick(cron, fired) > now  # the latest due, never an older missed one
    if missed == "skip":
        assert now - fired <= min(ON_TIME, (next_tick(cron, fired) - fired) / 2)
