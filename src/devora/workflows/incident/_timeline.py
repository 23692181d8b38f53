"""The incident's timeline: the run's own events and the notes people added, in time order."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from pydantic import BaseModel

from devora.store import AnswerRecord, Event, EventKind

__all__ = [
    "NOTE_PREFIX",
    "TimelineEntry",
    "build_timeline",
    "format_clock",
    "format_duration",
    "incident_notes",
]

NOTE_PREFIX = "note:"  # notes are filed as answers under "note:<time>" keys


class TimelineEntry(BaseModel):
    """One line of the timeline."""

    at: float
    source: str  # a step id, "run" or "note"
    text: str
    by: str | None = None


def incident_notes(answers: Mapping[str, AnswerRecord]) -> list[TimelineEntry]:
    """The notes added with `devora incident note RUN "..."`, oldest first."""
    notes = [
        TimelineEntry(
            at=answer.answered_at,
            source="note",
            text=str(answer.payload.get("text", "")),
            by=answer.answered_by,
        )
        for key, answer in answers.items()
        if key.startswith(NOTE_PREFIX)
    ]
    return sorted(notes, key=lambda note: note.at)


def _describe(event: Event) -> str | None:
    data = event.data
    if event.kind is EventKind.STEP_LOG:
        return event.message
    if event.kind is EventKind.STEP_WAITING:
        request = data.get("request") or {}
        return f"waiting for {request.get('kind', 'an answer')}: {request.get('prompt', '')}"
    if event.kind is EventKind.STEP_FINISHED:
        status = str(data.get("status", "finished"))
        detail = f": {event.message}" if event.message and status == "failed" else ""
        return f"step {event.step_id} {status}{detail}"
    if event.kind is EventKind.STEP_RETRY_SCHEDULED:
        return f"{event.step_id} failed, retry scheduled: {event.message or ''}".rstrip(": ")
    if event.kind is EventKind.RUN_RESUMED:
        return "the run was resumed"
    if event.kind is EventKind.RUN_WAITING:
        return None
    if event.kind is EventKind.RUN_FINISHED and data.get("status") == "cancelled":
        return "the run was cancelled"
    return None


def build_timeline(
    events: Iterable[Event], notes: Iterable[TimelineEntry] = ()
) -> list[TimelineEntry]:
    """Merge what Devora recorded with the people's notes, by time."""
    entries = []
    for event in events:
        text = _describe(event)
        if text:
            entries.append(TimelineEntry(at=event.at, source=event.step_id or "run", text=text))
    entries.extend(notes)
    return sorted(entries, key=lambda entry: entry.at)


def format_clock(at: float) -> str:
    """`2026-11-25 09:41:07 UTC`."""
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def format_duration(seconds: float) -> str:
    """`42s`, `3m 05s` or `2h 03m`."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"
