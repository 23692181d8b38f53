"""Accepted webhook deliveries: the row that stops one delivery id starting two runs."""

from __future__ import annotations

import time
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel, Field
from sqlalchemy.dialects import postgresql, sqlite

from devora.store import _schema as schema
from devora.store._store import Store
from devora.store._text import safe_text

__all__ = [
    "Delivery",
    "DeliveryClaim",
    "claim_delivery",
    "find_delivery",
    "forget_delivery",
    "set_delivery_run",
]


class Delivery(BaseModel):
    """One delivery a webhook sender made: who sent it, its id, its event, the run it started."""

    source: str = Field(max_length=64)
    delivery_id: str = Field(max_length=300)
    event: str = Field(max_length=100)
    run_id: str | None = None
    received_at: float = Field(default_factory=time.time)


class DeliveryClaim(BaseModel):
    """The answer to a claim: `first` when this call recorded it, else the earlier record."""

    first: bool
    delivery: Delivery


def _insert(store: Store) -> Any:
    return (postgresql.insert if not store.is_sqlite else sqlite.insert)(schema.webhook_deliveries)


def claim_delivery(store: Store, delivery: Delivery) -> DeliveryClaim:
    """Record the delivery unless its (source, id) is there already; the insert decides.

    Two servers receiving the same delivery at once both call this: exactly one gets
    `first=True`; the other gets the winner's record (and its run id) back.
    """
    table = schema.webhook_deliveries
    delivery_id = safe_text(delivery.delivery_id) or ""
    row = {
        "source": delivery.source,
        "delivery_id": delivery_id,
        "event": safe_text(delivery.event),
        "run_id": delivery.run_id,
        "received_at": delivery.received_at,
    }
    with store._transaction() as connection:
        inserted = connection.execute(
            _insert(store)
            .values(**row)
            .on_conflict_do_nothing(index_elements=[table.c.source, table.c.delivery_id])
            .returning(table.c.source)
        ).first()
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
        if inserted is not None:
            return DeliveryClaim(first=True, delivery=Delivery.model_validate(row))
        existing = connection.execute(_select(delivery.source, delivery_id)).first()
    assert existing is not None  # a conflicting row exists: nothing deletes it in between
    return DeliveryClaim(first=False, delivery=Delivery.model_validate(dict(existing._mapping)))


def find_delivery(store: Store, source: str, delivery_id: str) -> Delivery | None:
    """The recorded delivery with this id from this source, or None."""
    with store._transaction(read_only=True) as connection:
        row = connection.execute(_select(source, safe_text(delivery_id) or "")).first()
    return None if row is None else Delivery.model_validate(dict(row._mapping))


def forget_delivery(store: Store, source: str, delivery_id: str) -> None:
    """Remove a claim whose run could not be made, so the sender's retry can start it."""
    table = schema.webhook_deliveries
    with store._transaction() as connection:
        connection.execute(
            table.delete().where(
                (table.c.source == source) & (table.c.delivery_id == (safe_text(delivery_id) or ""))
            )
        )


def set_delivery_run(store: Store, source: str, delivery_id: str, run_id: str) -> None:
    """Record the run a claimed delivery started."""
    table = schema.webhook_deliveries
    with store._transaction() as connection:
        connection.execute(
            table.update()
            .where(
                (table.c.source == source) & (table.c.delivery_id == (safe_text(delivery_id) or ""))
            )
            .values(run_id=run_id)
        )


def _select(source: str, delivery_id: str) -> sa.Select[Any]:
    table = schema.webhook_deliveries
    return sa.select(table).where((table.c.source == source) & (table.c.delivery_id == delivery_id))
