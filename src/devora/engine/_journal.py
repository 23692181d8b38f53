"""The journal of one run: events and results are batched, committed, then published.

Nothing is published before it is committed, and a step's dependents start only after
the commit that holds its result (group commit: one transaction per scheduler turn).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from devora.engine._events import EventBus
from devora.engine._faults import fault_point
from devora.store import (
    ArtifactRecord,
    AttemptRecord,
    Event,
    EventKind,
    Fence,
    JournalBatch,
    RunUpdate,
    Store,
)

__all__ = ["Journal"]


class Journal:
    """Pending writes of one run and the commit that makes them durable."""

    def __init__(self, store: Store, bus: EventBus, run_id: str, last_seq: int) -> None:
        self.store = store
        self.bus = bus
        self.run_id = run_id
        self._seq = last_seq
        self._pending = JournalBatch()
        self._lock = asyncio.Lock()
        # Set while a lease guards the run (or a worker's step): every commit carries it and
        # is refused once another process has taken over.
        self.fence: Fence | None = None

    def event(
        self,
        kind: EventKind,
        *,
        step_id: str | None = None,
        attempt: int | None = None,
        message: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> Event:
        """Queue an event for the next commit and return it."""
        self._seq += 1
        event = Event.model_construct(
            run_id=self.run_id,
            seq=self._seq,
            kind=kind,
            at=time.time(),
            step_id=step_id,
            attempt=attempt,
            message=message,
            data=data if data is not None else {},
        )
        self._pending.events.append(event)
        return event

    def record_attempt(
        self, record: AttemptRecord, kind: EventKind, message: str | None, data: dict[str, Any]
    ) -> Event:
        """Queue an attempt's result with the event announcing it (they share a seq)."""
        event = self.event(
            kind, step_id=record.step_id, attempt=record.attempt, message=message, data=data
        )
        record.seq = event.seq
        self._pending.attempts.append(record)
        return event

    def add_artifact(self, record: ArtifactRecord) -> None:
        """Queue an artifact record with the event announcing it."""
        self._pending.artifacts.append(record)
        self.event(
            EventKind.ARTIFACT_ADDED,
            step_id=record.step_id,
            message=record.name,
            data={"name": record.name, "path": record.path, "size": record.size},
        )

    def update_run(self, update: RunUpdate) -> None:
        """Queue a change of the run row."""
        self._pending.runs.append(update)

    @property
    def dirty(self) -> bool:
        """True when something waits to be committed."""
        return bool(self._pending)

    async def flush(self, *, blocking: bool = False) -> None:
        """Commit everything pending in one transaction, then publish its events.

        `blocking` commits from the loop's own thread, for a caller with nothing else to
        run meanwhile (a worker's last write of a step): no hop to a thread and back.
        """
        async with self._lock:
            batch = self._pending
            if not batch:
                return
            self._pending = JournalBatch()
            batch.fence = self.fence
            fault_point("before_commit", batch)
            if blocking:
                offset = self.store.write(batch)
            else:
                offset = await self.store.call(self.store.write, batch)
            # Another writer committed events of this run meanwhile: ours moved up after
            # them (in the store, atomically); the next ones follow.
            self._seq += offset
            fault_point("after_commit", batch)
        if self.bus:
            for event in batch.events:
                self.bus.publish(event)
