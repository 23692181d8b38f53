"""Acting on an incident from another terminal: acknowledge it, add a note to its timeline.

Both are filed as answers of the run, never as events: the run's own process numbers its
events, and may be running while someone acknowledges. The escalation step reads the
acknowledgement within a second; the postmortem reads the notes.
"""

from __future__ import annotations

import time
from enum import StrEnum

from devora.engine import answer_request, owner_is_alive, pending_requests
from devora.errors import RunNotResumableError, UsageError
from devora.store import AnswerRecord, RunRecord, RunStatus, StepStatus, Store
from devora.workflows.incident._errors import NotAnIncidentError
from devora.workflows.incident._escalation import ACK_STEP, WORKFLOW_NAME
from devora.workflows.incident._timeline import NOTE_PREFIX

__all__ = ["AckOutcome", "acknowledge_incident", "add_note"]


class AckOutcome(StrEnum):
    """What an acknowledgement did."""

    SEEN = "seen"  # the running escalation read it and stopped
    ANSWERED = "answered"  # the run waited for it: resume the run to go on
    FILED = "filed"  # nobody runs the incident now: `devora resume` will read it
    ALREADY = "already"  # someone acknowledged before


def _incident(store: Store, run_id: str) -> RunRecord:
    run = store.get_run(run_id)
    if run.workflow != WORKFLOW_NAME:
        raise NotAnIncidentError(run.id, run.workflow)
    return run


def acknowledge_incident(
    store: Store, run_id: str, by: str, comment: str | None = None, *, settle: float = 10.0
) -> tuple[AckOutcome, str | None]:
    """File the acknowledgement and watch (at most `settle` s) what the run makes of it.

    Returns what happened and who acknowledged (who did first, when someone had).
    """
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
    return _settled(store, run.id, settle), by


def _settled(store: Store, run_id: str, settle: float) -> AckOutcome:
    """Watch the run until its escalation reads the ack, or it stops waiting for one.

    The escalation may have looked for an ack a moment before this one was filed, and be
    suspending the run: then the run waits with its answer already there, and only a
    resume continues it.
    """
    deadline = time.monotonic() + settle
    while True:
        run = store.get_run(run_id)
        if any(
            attempt.step_id == ACK_STEP and attempt.status is StepStatus.SUCCEEDED
            for attempt in store.attempts(run_id)
        ):
            return AckOutcome.SEEN
        if run.status is RunStatus.WAITING:
            waiting = {request.step_id for request in pending_requests(store, run_id)}
            return AckOutcome.ANSWERED if ACK_STEP in waiting else AckOutcome.FILED
        alive = run.status is RunStatus.RUNNING and owner_is_alive(run.owner)
        if not alive or time.monotonic() > deadline:
            return AckOutcome.FILED
        time.sleep(0.2)


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
