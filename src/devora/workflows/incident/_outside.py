"""Acting on an incident from another terminal: acknowledge it, add a note to its timeline.

Both are filed as answers of the run, never as events: the run's own process numbers its
events, and may be running while someone acknowledges. The escalation step reads the
acknowledgement within a second; the postmortem reads the notes.
"""

from __future__ import annotations

import time
from enum import StrEnum

from devora.engine import answer_request, pending_requests
from devora.errors import RunNotResumableError, UsageError
from devora.store import AnswerRecord, RunRecord, RunStatus, Store
from devora.workflows.incident._errors import NotAnIncidentError
from devora.workflows.incident._escalation import ACK_STEP, WORKFLOW_NAME
from devora.workflows.incident._timeline import NOTE_PREFIX

__all__ = ["AckOutcome", "acknowledge_incident", "add_note"]


class AckOutcome(StrEnum):
    """What an acknowledgement did."""

    FILED = "filed"  # the run is running (or stopped): its escalation step will see it
    ANSWERED = "answered"  # the run waited for it: resume the run to go on
    ALREADY = "already"  # someone acknowledged before


def _incident(store: Store, run_id: str) -> RunRecord:
    run = store.get_run(run_id)
    if run.workflow != WORKFLOW_NAME:
        raise NotAnIncidentError(run.id, run.workflow)
    return run


def acknowledge_incident(
    store: Store, run_id: str, by: str, comment: str | None = None
) -> tuple[AckOutcome, str | None]:
    """File the acknowledgement; returns what it did and who acknowledged first."""
    run = _incident(store, run_id)
    earlier = store.answers(run.id).get(ACK_STEP)
    if earlier is not None:
        return AckOutcome.ALREADY, earlier.answered_by
    if run.status.finished:
        raise RunNotResumableError(
            run.id, run.status.value, hint="the incident's run is over; nothing waits for an ack"
        )
    payload = {"by": by, "comment": comment}
    waiting = {request.step_id for request in pending_requests(store, run.id)}
    if run.status is RunStatus.WAITING and ACK_STEP in waiting:
        answer_request(store, run.id, ACK_STEP, payload, kind="input", answered_by=by)
        return AckOutcome.ANSWERED, by
    store.add_answer(AnswerRecord(run_id=run.id, step_id=ACK_STEP, payload=payload, answered_by=by))
    return AckOutcome.FILED, by


def add_note(store: Store, run_id: str, text: str, by: str) -> RunRecord:
    """Add a note to the incident's timeline (the postmortem lists it); returns the run."""
    if not text.strip():
        raise UsageError("a note needs some text", hint='devora incident note RUN "what you saw"')
    run = _incident(store, run_id)
    store.add_answer(
        AnswerRecord(
            run_id=run.id,
            step_id=f"{NOTE_PREFIX}{time.time_ns()}",
            payload={"text": text.strip()},
            answered_by=by,
        )
    )
    return run
