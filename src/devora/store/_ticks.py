"""Fired schedule ticks: the row whose insert decides which scheduler fires a tick."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from devora.store._store import Store
from devora.store._tables import TICKS

__all__ = ["Tick", "claim_tick", "fired_ticks", "last_fired_tick"]


class Tick(BaseModel):
    """One fired tick of a schedule: when it was due, the run it started, who fired it."""

    schedule: str = Field(max_length=200)
    tick_at: float = Field(description="when the tick was due (epoch seconds)")
    run_id: str | None = None
    fired_by: str = Field(max_length=300)
    fired_at: float = Field(default_factory=time.time)


def claim_tick(store: Store, tick: Tick) -> bool:
    """Record the tick as fired; True for the one caller whose insert made the row.

    The primary key (schedule, tick_at) is the arbiter: of any number of schedulers
    sharing one store, exactly one gets True for a tick, and only it starts the run.
    """
    with store.transaction() as sql:
        inserted = sql.first(
            f"INSERT INTO {TICKS} (schedule, tick_at, run_id, fired_by, fired_at) "
            "VALUES (:schedule, :tick_at, :run_id, :fired_by, :fired_at) "
            "ON CONFLICT (schedule, tick_at) DO NOTHING RETURNING schedule",
            tick.model_dump(),
        )
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
    return inserted is not None


def last_fired_tick(store: Store, schedule: str) -> Tick | None:
    """The latest tick of the schedule any scheduler fired, or None when none ever was."""
    with store.transaction(read_only=True) as sql:
        row = sql.first(
            f"SELECT * FROM {TICKS} WHERE schedule = :schedule ORDER BY tick_at DESC LIMIT 1",
            {"schedule": schedule},
        )
    return None if row is None else Tick.model_validate(row)


def fired_ticks(store: Store, schedule: str, *, limit: int = 100) -> list[Tick]:
    """The schedule's fired ticks, oldest first (the last `limit` of them)."""
    with store.transaction(read_only=True) as sql:
        rows = sql.rows(
            f"SELECT * FROM {TICKS} WHERE schedule = :schedule ORDER BY tick_at DESC LIMIT :limit",
            {"schedule": schedule, "limit": limit},
        )
    return [Tick.model_validate(row) for row in reversed(rows)]
