"""Leases and fencing tokens, on SQLite and PostgreSQL."""

from __future__ import annotations

import time

import pytest

from devora.store import (
    AttemptRecord,
    Fence,
    JournalBatch,
    LeaseLostError,
    RunRecord,
    StepStatus,
    Store,
    acquire_lease,
    expired_run_leases,
    read_lease,
    release_lease,
    renew_lease,
    run_lease_key,
)


def _result(run_id: str, step: str) -> JournalBatch:
    return JournalBatch(
        attempts=[
            AttemptRecord(
                run_id=run_id, step_id=step, attempt=1, status=StepStatus.SUCCEEDED, seq=1
            )
        ]
    )


def test_a_free_lease_is_taken_and_a_live_one_refused(any_store: Store) -> None:
    lease = acquire_lease(any_store, "run:r1", "a:1", 30)
    assert lease is not None and lease.token == 1
    assert acquire_lease(any_store, "run:r1", "b:2", 30) is None
    again = acquire_lease(any_store, "run:r1", "a:1", 30)
    assert again is not None and again.token == 1  # its owner keeps its token


def test_an_expired_lease_is_taken_over_with_a_higher_token(any_store: Store) -> None:
    first = acquire_lease(any_store, "run:r1", "a:1", 0.05)
    assert first is not None
    time.sleep(0.1)
    assert [lease.key for lease in expired_run_leases(any_store)] == ["run:r1"]
    second = acquire_lease(any_store, "run:r1", "b:2", 30)
    assert second is not None and second.token == 2 and second.owner == "b:2"
    with pytest.raises(LeaseLostError):
        renew_lease(any_store, first, 30)
    assert not release_lease(any_store, first)
    held = read_lease(any_store, "run:r1")
    assert held is not None and held.owner == "b:2"


def test_a_stale_token_write_is_refused_and_nothing_is_written(any_store: Store) -> None:
    any_store.create_run(RunRecord(id="r1", workflow="w", workflow_ref="w"))
    old = acquire_lease(any_store, run_lease_key("r1"), "a:1", 30)
    new = acquire_lease(any_store, run_lease_key("r1"), "b:2", 30, take_over=True)
    assert old is not None and new is not None and new.token == old.token + 1
    stale = _result("r1", "s")
    stale.fence = Fence(old.key, old.token)
    with pytest.raises(LeaseLostError):
        any_store.write(stale)
    assert any_store.attempts("r1") == []
    current = _result("r1", "s")
    current.fence = Fence(new.key, new.token, release=True)
    any_store.write(current)
    assert [a.step_id for a in any_store.attempts("r1")] == ["s"]
    assert read_lease(any_store, new.key) is None  # released with the result
