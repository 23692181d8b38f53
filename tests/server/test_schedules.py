"""`[schedules]` fired by a real `devora serve`: a tick starts one run, and a second server
on the same store never starts it again (the store decides who fires a tick)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest

from devora.store._ticks import Tick, fired_ticks
from tests.cli.harness import TOYS
from tests.server.conftest import LiveServer, wait_for_status

pytestmark = pytest.mark.slow


def _ticks(server: LiveServer) -> list[Tick]:
    with server.open_store() as store:
        return fired_ticks(store, "minutely")


def _wait_for_ticks(server: LiveServer, count: int, timeout: float) -> list[Tick]:
    deadline = time.monotonic() + timeout
    while (ticks := _ticks(server)) and len(ticks) < count and time.monotonic() < deadline:
        time.sleep(0.5)
    return ticks


@pytest.mark.usefixtures("store_env")  # SQLite and PostgreSQL
def test_a_tick_starts_one_run_and_a_second_server_does_not_start_it_again(
    tmp_path: Path, start_server: Callable[..., LiveServer]
) -> None:
    (tmp_path / "devora.toml").write_text(
        f'[schedules.minutely]\nworkflow = "{TOYS}:chain"\ncron = "* * * * *"\n'
        "inputs = { seed = 4 }\n"
    )
    first = start_server()
    # A schedule nobody fired yet: the tick of the current minute is due at start.
    deadline = time.monotonic() + 30
    while not _ticks(first) and time.monotonic() < deadline:
        time.sleep(0.2)
    [tick] = _ticks(first)
    assert tick.tick_at % 60 == 0 and tick.tick_at <= time.time() < tick.tick_at + 120
    detail = wait_for_status(first.client(), str(tick.run_id), {"succeeded"})
    assert detail["workflow"] == "chain" and detail["inputs"] == {"seed": 4, "slow": 0.0}

    second = start_server()  # same home, same store, its own scheduler
    # Both servers live across the next minute's tick: one of them fires it, once.
    ticks = _wait_for_ticks(second, 2, timeout=tick.tick_at + 75 - time.time())
    time.sleep(3)  # the other scheduler has seen that tick by now
    ticks = _ticks(second)
    assert [t.tick_at for t in ticks[:2]] == [tick.tick_at, tick.tick_at + 60]
    runs = second.client().get("/api/runs", params={"workflow": "chain"}).json()
    assert sorted(r["id"] for r in runs) == sorted(str(t.run_id) for t in ticks)  # one each
    for later in ticks[1:]:
        wait_for_status(second.client(), str(later.run_id), {"succeeded"})
    assert first.ran().count("last") == len(ticks)  # no run of a tick executed twice
