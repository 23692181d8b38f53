"""Fired schedule ticks: the row whose insert decides which scheduler fires a tick."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.dialects import postgresql, sqlite

from devora.store import _schema as schema
from devora.store._store import Store

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
    table = schema.schedule_ticks
    insert: Any = (sqlite.insert if store.is_sqlite else postgresql.insert)(table)
    with store._transaction() as connection:
        inserted = connection.execute(
            insert.values(**tick.model_dump())
            .on_conflict_do_nothing(index_elements=[table.c.schedule, table.c.tick_at])
            .returning(table.c.schedule)
        ).first()
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
    return inserted is not None


def last_fired_tick(store: Store, schedule: str) -> Tick | None:
    """The latest tick of the schedule any scheduler fired, or None when none ever was."""
    table = schema.schedule_ticks
    with store._transaction(read_only=True) as connection:
        row = connection.execute(
            sa.select(table)
            .where(table.c.schedule == schedule)
            .order_by(table.c.tick_at.desc())
            .limit(1)
        ).first()
    return None if row is None else Tick.model_validate(dict(row._mapping))


def fired_ticks(store: Store, schedule: str, *, limit: int = 100) -> list[Tick]:
    """The schedule's fired ticks, oldest first (the last `limit` of them)."""
    table = schema.schedule_ticks
    with store._transaction(read_only=True) as connection:
        rows = connection.execute(
            sa.select(table)
            .where(table.c.schedule == schedule)
            .order_by(table.c.tick_at.desc())
            .limit(limit)
        ).all()
    return [Tick.model_validate(dict(row._mapping)) for row in reversed(rows)]
