"""GET /api/runs/{id}/events: a run's journal as Server-Sent Events.

The stream reads committed events from the store, in `seq` order, starting after
`Last-Event-ID` (or `?after=`): a client that reconnects with the last id it saw gets
every event once, in order. The runs this server executes hand their committed events
to the stream as they are published (no polling, no second read); on a gap, or for a run
executing elsewhere (looked at every second), the stream reads the journal.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query
from fastapi.responses import StreamingResponse

from devora.server._state import ServerState
from devora.store import Event, EventKind, Store

__all__ = ["format_event", "router"]

_BATCH = 500  # events read from the store at a time
_POLL_SECONDS = 1.0  # a look at a journal other processes write, when nothing woke us
_KEEPALIVE_SECONDS = 15.0


def format_event(event: Event) -> str:
    """One SSE frame: id = the event's seq, event = its kind, data = the event as JSON."""
    data = json.dumps(event.model_dump(mode="json"), separators=(",", ":"), default=str)
    return f"id: {event.seq}\nevent: {event.kind.value}\ndata: {data}\n\n"


def _events_after(store: Store, run_id: str, after: int) -> list[Event]:
    return store.events(run_id, after_seq=after, limit=_BATCH)


async def follow_events(
    state: ServerState, run_id: str, after: int, *, follow: bool
) -> AsyncIterator[str]:
    """SSE frames of the run's events after `after`; with `follow`, until the run finishes."""
    store, runner = state.store, state.runner
    last = after
    quiet_since = time.monotonic()
    with runner.subscribe(run_id) as subscription:  # before reading: no commit slips by
        events = await store.call(_events_after, store, run_id, last)
        while True:
            for event in events:
                if event.seq > last:  # the first read and the bus may both have it
                    yield format_event(event)
                    last = event.seq
            if events:
                quiet_since = time.monotonic()
            if len(events) == _BATCH:
                events = await store.call(_events_after, store, run_id, last)
                continue
            if not follow or subscription.ended:  # ended: the server is stopping
                return
            # The status is read only when it may have become final: nothing new (woken by
            # the end of an execution, or a poll), or the run's own last event among the new.
            if not events or any(e.kind is EventKind.RUN_FINISHED for e in events):
                run = await store.call(store.get_run, run_id)
                if run.status.finished:  # its status and last events commit together
                    for event in await store.call(_events_after, store, run_id, last):
                        yield format_event(event)  # committed between the reads
                    return
            # A run this server executes (or queues) commits here, and each commit wakes us.
            poll = _KEEPALIVE_SECONDS if runner.owns(run_id) else _POLL_SECONDS
            try:
                await asyncio.wait_for(subscription.woken.wait(), timeout=poll)
            except TimeoutError:
                if time.monotonic() - quiet_since >= _KEEPALIVE_SECONDS:
                    quiet_since = time.monotonic()
                    yield ": keepalive\n\n"
            published = _following(subscription.take(), last)
            if published is None:  # a gap, a poke, a poll: the journal says what is new
                published = await store.call(_events_after, store, run_id, last)
            events = published


def _following(published: list[Event] | None, last: int) -> list[Event] | None:
    """The published events that follow `last` without a gap, else None (read the store)."""
    if published is None:
        return None
    fresh = [event for event in published if event.seq > last]
    if not fresh:
        return None
    for expected, event in enumerate(fresh, start=last + 1):
        if event.seq != expected:
            return None
    return fresh


def router(state: ServerState) -> APIRouter:
    """The event stream route, behind the bearer token."""
    api = APIRouter(prefix="/api", tags=["events"], dependencies=[Depends(state.require_token)])

    @api.get(
        "/runs/{run_id}/events",
        summary="The run's events as Server-Sent Events (resume with Last-Event-ID)",
        response_class=StreamingResponse,
        responses={200: {"content": {"text/event-stream": {}}}},
    )
    async def events(
        run_id: str,
        last_event_id: Annotated[int | None, Header(alias="Last-Event-ID", ge=0, le=2**62)] = None,
        after: Annotated[int, Query(ge=0, le=2**62, description="start after this seq")] = 0,
        follow: Annotated[bool, Query(description="keep streaming until the run ends")] = True,
    ) -> StreamingResponse:
        await state.store.call(state.store.get_run, run_id)  # 404 before the stream starts
        start = max(after, last_event_id or 0)
        return StreamingResponse(
            follow_events(state, run_id, start, follow=follow),
            media_type="text/event-stream",
            headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        )

    return api
