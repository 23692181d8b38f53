"""Acting on a run from outside its process: cancel it, answer what it waits for."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from devora.engine._context import WaitRequest
from devora.engine._engine import owner_is_alive
from devora.errors import RunNotResumableError, UsageError
from devora.store import (
    AnswerRecord,
    Event,
    EventKind,
    JournalBatch,
    RunRecord,
    RunStatus,
    RunUpdate,
    Store,
)

__all__ = [
    "InvalidAnswerError",
    "PendingRequest",
    "StepNotWaitingError",
    "answer_request",
    "cancel_run",
    "pending_requests",
]


class StepNotWaitingError(UsageError):
    """An answer for a step that does not wait for that kind of answer (or at all)."""

    code = "step_not_waiting"


class InvalidAnswerError(UsageError):
    """An answer that does not fit the schema of what the step waits for."""

    code = "invalid_answer"


def cancel_run(store: Store, run_id: str) -> RunRecord:
    """Cancel a run: ask its live process to stop, or mark an orphaned run cancelled."""
    run = store.get_run(run_id)
    if run.status.finished or run.status is RunStatus.CANCELLED:
        raise RunNotResumableError(
            run_id,
            run.status.value,
            hint="only pending, running or waiting runs can be cancelled",
            action="cancelled",
        )
    if run.status is RunStatus.RUNNING and owner_is_alive(run.owner):
        return store.request_cancel(run_id)
    # Nobody executes it (waiting, or its process died): cancel it here and now. The
    # store numbers the event after the run's last, in the transaction that writes it.
    store.write(
        JournalBatch(
            events=[
                Event(
                    run_id=run_id,
                    kind=EventKind.RUN_FINISHED,
                    message=RunStatus.CANCELLED.value,
                    data={"status": RunStatus.CANCELLED.value, "workflow": run.workflow},
                )
            ],
            runs=[
                RunUpdate(
                    run_id=run_id, status=RunStatus.CANCELLED, clear_owner=True, clear_cancel=True
                )
            ],
        )
    )
    return store.get_run(run_id)


@dataclass(frozen=True, slots=True)
class PendingRequest:
    """A step of a waiting run and what it waits for."""

    run_id: str
    step_id: str
    request: WaitRequest
    since: float


def pending_requests(store: Store, run_id: str) -> list[PendingRequest]:
    """What the run's steps wait for now (their latest wait, not yet followed by an end)."""
    latest: dict[str, Event] = {}
    for event in store.events(
        run_id, kinds=(EventKind.STEP_WAITING, EventKind.STEP_FINISHED, EventKind.STEP_STARTED)
    ):
        assert event.step_id is not None
        latest[event.step_id] = event
    return [
        PendingRequest(
            run_id=run_id,
            step_id=step_id,
            request=WaitRequest.model_validate(event.data["request"]),
            since=event.at,
        )
        for step_id, event in latest.items()
        if event.kind is EventKind.STEP_WAITING
    ]


def answer_request(
    store: Store,
    run_id: str,
    step_id: str,
    payload: dict[str, Any],
    *,
    kind: str,
    answered_by: str | None = None,
) -> PendingRequest:
    """File an answer to a waiting step; the run continues when it is resumed."""
    run = store.get_run(run_id)
    if run.status is not RunStatus.WAITING:
        raise RunNotResumableError(
            run_id,
            run.status.value,
            hint="only a waiting run takes answers; `devora tasks` lists what waits",
            action="answered",
        )
    pending = {p.step_id: p for p in pending_requests(store, run_id)}
    request = pending.get(step_id)
    if request is None:
        waiting = ", ".join(sorted(pending)) or "none"
        raise StepNotWaitingError(
            f"step {step_id!r} of run {run_id} is not waiting (waiting steps: {waiting})",
            hint=f"`devora status {run_id}` shows the steps",
        )
    if request.request.kind == "child":
        raise StepNotWaitingError(
            f"step {step_id!r} waits for its child run {request.request.child_run_id}",
            hint=f"answer the child: `devora tasks` lists run {request.request.child_run_id}",
        )
    if request.request.kind != kind:
        verb = "devora approve/reject" if request.request.kind == "approval" else "devora complete"
        raise StepNotWaitingError(
            f"step {step_id!r} waits for {request.request.kind}, not {kind}",
            hint=f"use `{verb} {run_id} {step_id}`",
        )
    if kind == "input" and request.request.output_schema is not None:
        _check_against_schema(step_id, payload, request.request.output_schema)
    store.add_answer(
        AnswerRecord(
            run_id=run_id,
            step_id=request.request.key,
            payload=payload,
            answered_by=answered_by,
            answered_at=time.time(),
        ),
        Event(
            run_id=run_id,
            kind=EventKind.STEP_LOG,
            step_id=step_id,
            message=f"{kind} answered" + (f" by {answered_by}" if answered_by else ""),
            data={"answer": kind},
        ),
    )
    return request


def _check_against_schema(step_id: str, payload: dict[str, Any], schema: dict[str, Any]) -> None:
    import jsonschema

    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(payload), key=lambda e: list(e.path))
    if errors:
        details = "; ".join(
            f"{'.'.join(str(p) for p in error.path) or '(top)'}: {error.message}"
            for error in errors[:5]
        )
        raise InvalidAnswerError(
            f"the output for step {step_id!r} does not fit what it waits for: {details}",
            hint="`devora tasks --json` shows the expected JSON schema",
        )
