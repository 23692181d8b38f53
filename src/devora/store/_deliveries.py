"""Accepted webhook deliveries: the row that stops one delivery id starting two runs."""

from __future__ import annotations

import time

from pydantic import BaseModel, Field

from devora.store._store import Store
from devora.store._tables import DELIVERIES
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


def claim_delivery(store: Store, delivery: Delivery) -> DeliveryClaim:
    """Record the delivery unless its (source, id) is there already; the insert decides.

    Two servers receiving the same delivery at once both call this: exactly one gets
    `first=True`; the other gets the winner's record (and its run id) back.
    """
    delivery_id = safe_text(delivery.delivery_id) or ""
    row = {
        "source": delivery.source,
        "delivery_id": delivery_id,
        "event": safe_text(delivery.event),
        "run_id": delivery.run_id,
        "received_at": delivery.received_at,
    }
    with store.transaction() as sql:
        inserted = sql.first(
            f"INSERT INTO {DELIVERIES} (source, delivery_id, event, run_id, received_at) "
            "VALUES (:source, :delivery_id, :event, :run_id, :received_at) "
            "ON CONFLICT (source, delivery_id) DO NOTHING RETURNING source",
            row,
        )
        # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT.
        if inserted is not None:
            return DeliveryClaim(first=True, delivery=Delivery.model_validate(row))
        existing = sql.first(_SELECT, row)
    assert existing is not None  # a conflicting row exists: nothing deletes it in between
    return DeliveryClaim(first=False, delivery=Delivery.model_validate(existing))


def find_delivery(store: Store, source: str, delivery_id: str) -> Delivery | None:
    """The recorded delivery with this id from this source, or None."""
    with store.transaction(read_only=True) as sql:
        row = sql.first(_SELECT, {"source": source, "delivery_id": safe_text(delivery_id) or ""})
    return None if row is None else Delivery.model_validate(row)


def forget_delivery(store: Store, source: str, delivery_id: str) -> None:
    """Remove a claim whose run could not be made, so the sender's retry can start it."""
    with store.transaction() as sql:
        sql.execute(
            f"DELETE FROM {DELIVERIES} WHERE source = :source AND delivery_id = :delivery_id",
            {"source": source, "delivery_id": safe_text(delivery_id) or ""},
        )


def set_delivery_run(store: Store, source: str, delivery_id: str, run_id: str) -> None:
    """Record the run a claimed delivery started."""
    with store.transaction() as sql:
        sql.execute(
            f"UPDATE {DELIVERIES} SET run_id = :run_id "
            "WHERE source = :source AND delivery_id = :delivery_id",
            {"source": source, "delivery_id": safe_text(delivery_id) or "", "run_id": run_id},
        )


_SELECT = f"SELECT * FROM {DELIVERIES} WHERE source = :source AND delivery_id = :delivery_id"
