"""What a notification says: from an event to the generic JSON and the Slack payloads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from devora.engine import ErrorRecord
from devora.store import Event, EventKind

__all__ = ["Notification", "notification_for", "slack_payload", "webhook_payload"]

_FAILED = {"failed", "rolled_back", "rollback_failed"}


@dataclass(frozen=True, slots=True)
class Notification:
    """One thing worth telling a squad: a run failed, an approval is needed..."""

    kind: str
    run_id: str
    workflow: str | None
    status: str | None
    step_id: str | None
    squad: str | None
    message: str
    at: float


def notification_for(event: Event, workflow: str | None) -> Notification | None:
    """The notification an event calls for, if any."""
    data = event.data
    if event.kind is EventKind.RUN_FINISHED:
        status = str(data.get("status"))
        if status in _FAILED:
            error = ErrorRecord.from_json(data.get("error") or {})
            where = f" at step {error.step}" if error.step else ""
            message = f"run {event.run_id} ({workflow}) {status}{where}: {error.message}"
            return Notification(
                "run.failed",
                event.run_id,
                workflow,
                status,
                error.step,
                None,
                message,
                event.at,
            )
        if status == "succeeded":
            return Notification(
                "run.succeeded",
                event.run_id,
                workflow,
                status,
                None,
                None,
                f"run {event.run_id} ({workflow}) succeeded",
                event.at,
            )
        return None
    if event.kind is EventKind.STEP_WAITING:
        request: dict[str, Any] = data.get("request") or {}
        if request.get("kind") != "approval":
            return None
        squad = request.get("squad") or data.get("squad")
        message = (
            f"approval needed for step {event.step_id} of run {event.run_id} ({workflow}): "
            f"{request.get('prompt', '')} — devora approve {event.run_id} {event.step_id}"
        )
        return Notification(
            "approval.needed",
            event.run_id,
            workflow,
            "waiting",
            event.step_id,
            squad,
            message,
            event.at,
        )
    return None


def webhook_payload(notification: Notification) -> dict[str, Any]:
    """The generic JSON body."""
    return {
        "event": notification.kind,
        "run_id": notification.run_id,
        "workflow": notification.workflow,
        "status": notification.status,
        "step": notification.step_id,
        "squad": notification.squad,
        "message": notification.message,
        "at": notification.at,
    }


def slack_payload(notification: Notification) -> dict[str, Any]:
    """The Slack incoming-webhook body."""
    icon = {"run.failed": ":red_circle:", "approval.needed": ":raised_hand:"}.get(
        notification.kind, ":white_check_mark:"
    )
    return {"text": f"{icon} *Devora* {notification.message}"}
