"""Fired schedule ticks: the insert decides who fires, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

from devora.store import Store, open_store
from devora.store._ticks import Tick, claim_tick, fired_ticks, last_fired_tick
from tests.engine.conftest import any_store  # noqa: F401 - the parametrized store fixture


def test_the_first_claim_of_a_tick_wins_and_the_second_does_not(any_store: Store) -> None:  # noqa: F811
    first = Tick(schedule="nightly", tick_at=1_800_000_000.0, run_id="r1", fired_by="a")
    second = first.model_copy(update={"run_id": "r2", "fired_by": "b"})
    assert claim_tick(any_store, first) is True
    assert claim_tick(any_store, second) is False
    [kept] = fired_ticks(any_store, "nightly")
    assert (kept.run_id, kept.fired_by) == ("r1", "a")


def test_the_last_fired_tick_is_the_latest_of_its_schedule_only(any_store: Store) -> None:  # noqa: F811
    assert last_fired_tick(any_store, "nightly") is None
    for schedule, at in (("nightly", 100.0), ("nightly", 300.0), ("nightly", 200.0), ("x", 900.0)):
        claim_tick(any_store, Tick(schedule=schedule, tick_at=at, fired_by="a"))
    last = last_fired_tick(any_store, "nightly")
    assert last is not None and last.tick_at == 300.0
    assert [t.tick_at for t in fired_ticks(any_store, "nightly")] == [100.0, 200.0, 300.0]


def test_many_stores_racing_for_the_same_ticks_fire_each_once(any_store: Store) -> None:  # noqa: F811
    stores = [open_store(url=any_store.url, home=any_store.location.home) for _ in range(4)]
    wins: list[tuple[int, float]] = []
    lock = threading.Lock()

    def race(index: int) -> None:
        for at in range(20):
            tick = Tick(
                schedule="s", tick_at=float(at), run_id=f"{index}-{at}", fired_by=str(index)
            )
            if claim_tick(stores[index], tick):
                with lock:
                    wins.append((index, float(at)))

    threads = [threading.Thread(target=race, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert sorted(at for _, at in wins) == [float(at) for at in range(20)]
    recorded = {t.tick_at: t.fired_by for t in fired_ticks(any_store, "s")}
    assert recorded == {at: str(index) for index, at in wins}
