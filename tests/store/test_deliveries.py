"""Accepted webhook deliveries: one delivery id, one run, on SQLite and on PostgreSQL."""

from __future__ import annotations

import threading

from devora.store import Store, open_store
from devora.store._deliveries import Delivery, claim_delivery, find_delivery, forget_delivery
from tests.engine.conftest import any_store  # noqa: F401 - the parametrized store fixture


def test_a_delivery_is_claimed_once_and_the_second_gets_the_first_run(any_store: Store) -> None:  # noqa: F811
    first = claim_delivery(
        any_store, Delivery(source="github", delivery_id="d1", event="push", run_id="r1")
    )
    again = claim_delivery(
        any_store, Delivery(source="github", delivery_id="d1", event="push", run_id="r2")
    )
    assert first.first and first.delivery.run_id == "r1"
    assert not again.first and again.delivery.run_id == "r1"
    other_source = claim_delivery(
        any_store, Delivery(source="grafana", delivery_id="d1", event="alert", run_id="r3")
    )
    assert other_source.first


def test_a_forgotten_delivery_can_be_claimed_again(any_store: Store) -> None:  # noqa: F811
    claim_delivery(
        any_store, Delivery(source="github", delivery_id="d1", event="push", run_id="r1")
    )
    forget_delivery(any_store, "github", "d1")
    assert find_delivery(any_store, "github", "d1") is None
    retry = claim_delivery(
        any_store, Delivery(source="github", delivery_id="d1", event="push", run_id="r9")
    )
    assert retry.first
    found = find_delivery(any_store, "github", "d1")
    assert found is not None and found.run_id == "r9"


def test_unsafe_text_in_a_delivery_id_is_kept_safe(any_store: Store) -> None:  # noqa: F811
    claim = claim_delivery(any_store, Delivery(source="github", delivery_id="a\x00b", event="push"))
    assert claim.first
    again = claim_delivery(any_store, Delivery(source="github", delivery_id="a\x00b", event="push"))
    assert not again.first


def test_racing_servers_start_one_run_per_delivery(any_store: Store) -> None:  # noqa: F811
    stores = [open_store(url=any_store.url, home=any_store.location.home) for _ in range(4)]
    firsts: list[str] = []
    lock = threading.Lock()

    def race(index: int) -> None:
        for number in range(15):
            claim = claim_delivery(
                stores[index],
                Delivery(
                    source="github", delivery_id=f"d{number}", event="push", run_id=str(index)
                ),
            )
            if claim.first:
                with lock:
                    firsts.append(f"d{number}")

    threads = [threading.Thread(target=race, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert sorted(firsts) == sorted(f"d{n}" for n in range(15))
