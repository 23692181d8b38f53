"""From a verified request to runs: an alert starts an incident, a push starts a gate.

Every start goes through one path: claim the delivery in the store (the insert decides:
a delivery id seen before starts nothing), start the run, record its id; a run that
cannot start releases its claim, so the sender's retry may start it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel

from devora.config import DevoraConfig
from devora.errors import DevoraError
from devora.store import Store
from devora.store._deliveries import (
    Delivery,
    claim_delivery,
    find_delivery,
    forget_delivery,
    set_delivery_run,
)
from devora.webhooks._config import AlertSourceConfig, GitHubHookConfig
from devora.webhooks._errors import WebhookPayloadError
from devora.webhooks._payloads import (
    Alert,
    AlertGroup,
    PullRequestEvent,
    PushEvent,
    parse_payload,
)

__all__ = ["Outcome", "StartRun", "WebhookAnswer", "receive_alerts", "receive_github"]

# Starts `workflow` with `inputs` (validated as the API does); returns the run's id.
StartRun = Callable[[str, dict[str, Any]], Awaitable[str]]

INCIDENT_WORKFLOW = "incident-response"
GATE_WORKFLOW = "commit-gate"
PULL_REQUEST_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")
_MAX_KEY = 300


class Outcome(BaseModel):
    """What one alert or event did."""

    action: Literal["started", "duplicate", "noted", "ignored", "refused"]
    key: str | None = None
    run_id: str | None = None
    reason: str | None = None
    hint: str | None = None


class WebhookAnswer(BaseModel):
    """The answer to a sender: 202 when accepted or ignored, 200 for a repeat."""

    source: str
    event: str
    outcomes: list[Outcome]

    @property
    def status(self) -> int:
        """The HTTP status: 200 when everything was seen before, else 202."""
        actions = {o.action for o in self.outcomes}
        return 200 if actions == {"duplicate"} else 202


def _key(text: str) -> str:
    if len(text) <= _MAX_KEY:
        return text
    return "sha256:" + hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


async def _start_once(
    store: Store,
    source: str,
    key: str,
    event: str,
    start: StartRun,
    workflow: str,
    inputs: dict[str, Any],
) -> Outcome:
    delivery = Delivery(source=source, delivery_id=_key(key), event=event[:100])
    claim = await store.call(claim_delivery, store, delivery)
    if not claim.first:
        return Outcome(action="duplicate", key=key, run_id=claim.delivery.run_id)
    try:
        run_id = await start(workflow, inputs)
    except BaseException:
        await store.call(forget_delivery, store, source, delivery.delivery_id)
        raise
    await store.call(set_delivery_run, store, source, delivery.delivery_id, run_id)
    return Outcome(action="started", key=key, run_id=run_id)


# -- alerts ----------------------------------------------------------------------------


def _started_at(alert: Alert) -> str | None:
    if not alert.starts_at:
        return None
    try:
        moment = datetime.fromisoformat(alert.starts_at.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if moment.year < 2000 or moment > datetime.now(UTC):
        return None  # Alertmanager's zero time, or a clock ahead of ours
    return moment.isoformat()


def incident_inputs(alert: Alert, settings: AlertSourceConfig) -> dict[str, Any] | None:
    """The incident-response inputs of a firing alert; None when it names no service."""
    service = alert.labels.get(settings.service_label) or settings.default_service
    if not service:
        return None
    summary = (
        alert.annotations.get("summary")
        or alert.annotations.get("description")
        or alert.labels.get("alertname")
        or "alert"
    )
    inputs: dict[str, Any] = {"summary": summary.strip()[:500] or "alert", "service": service}
    severity = settings.severity(alert.labels)
    if severity is not None:
        inputs["severity"] = severity
    started_at = _started_at(alert)
    if started_at is not None:
        inputs["started_at"] = started_at
    return inputs


def _check_runbook(config: DevoraConfig, service: str) -> None:
    from devora.workflows.incident import IncidentSettings

    section = config.section("incident")
    IncidentSettings.model_validate({**section, "source": config.source}).service(service)


async def receive_alerts(
    source: str,
    settings: AlertSourceConfig,
    config: DevoraConfig,
    store: Store,
    body: bytes,
    start: StartRun,
) -> WebhookAnswer:
    """Each firing alert starts an incident once; a resolved one adds a note to it."""
    group = parse_payload(source, body, AlertGroup)
    outcomes = []
    for alert in group.alerts:
        try:
            if alert.status == "firing":
                outcomes.append(await _fire(source, settings, config, store, alert, start))
            else:
                outcomes.append(await _resolve(source, store, alert))
        except DevoraError as error:  # one alert's problem does not drop the others
            outcomes.append(
                Outcome(action="refused", key=alert.key(), reason=error.message, hint=error.hint)
            )
    return WebhookAnswer(source=source, event="alert", outcomes=outcomes)


async def _fire(
    source: str,
    settings: AlertSourceConfig,
    config: DevoraConfig,
    store: Store,
    alert: Alert,
    start: StartRun,
) -> Outcome:
    inputs = incident_inputs(alert, settings)
    if inputs is None:
        return Outcome(
            action="ignored",
            key=alert.key(),
            reason=f"the alert has no {settings.service_label!r} label",
            hint=f"add the label, or set default_service in [webhooks.{source}]",
        )
    _check_runbook(config, inputs["service"])
    return await _start_once(store, source, alert.key(), "alert", start, INCIDENT_WORKFLOW, inputs)


async def _resolve(source: str, store: Store, alert: Alert) -> Outcome:
    from devora.workflows.incident import add_note

    key = alert.key()
    fired = await store.call(find_delivery, store, source, _key(key))
    if fired is None or fired.run_id is None:
        return Outcome(action="ignored", key=key, reason="no incident was started for this alert")
    resolved = Delivery(source=source, delivery_id=_key(key + "#resolved"), event="resolved")
    claim = await store.call(claim_delivery, store, resolved)
    if not claim.first:
        return Outcome(action="duplicate", key=key, run_id=fired.run_id)
    name = alert.labels.get("alertname", "the alert")
    await store.call(add_note, store, fired.run_id, f"{source}: {name} resolved ({key})", source)
    return Outcome(action="noted", key=key, run_id=fired.run_id)


# -- GitHub -------------------------------------------------------------------------------


async def receive_github(
    settings: GitHubHookConfig,
    store: Store,
    headers: Mapping[str, str],
    body: bytes,
    start: StartRun,
) -> WebhookAnswer:
    """`push` and `pull_request` start the gate on their commit; other events are ignored."""
    event = headers.get("x-github-event", "")
    delivery = headers.get("x-github-delivery", "").strip()
    if event == "ping":
        return WebhookAnswer(
            source="github", event=event, outcomes=[Outcome(action="ignored", reason="pong")]
        )
    if event not in ("push", "pull_request"):
        return _ignored(event, f"event {event[:100]!r} starts nothing")
    if not delivery:
        raise WebhookPayloadError("github", "no X-GitHub-Delivery header")
    if event == "push":
        push = parse_payload("github", body, PushEvent)
        if push.deleted or push.after == "0" * len(push.after):
            return _ignored(event, "a deleted branch has no commit to check")
        repository, sha, base = push.repository, push.after, push.before
        pull_request = None
    else:
        change = parse_payload("github", body, PullRequestEvent)
        if change.action not in PULL_REQUEST_ACTIONS:
            return _ignored(event, f"pull_request {change.action[:50]!r} changes no code")
        repository = change.repository
        sha, base = change.pull_request.head.sha, change.pull_request.base.sha
        pull_request = change.number
    clone = settings.repository or repository.clone_url
    if not clone:
        raise WebhookPayloadError(
            "github", "repository.clone_url is missing, and no repository is configured"
        )
    inputs: dict[str, Any] = {
        "repository": clone,
        "sha": sha,
        "base": None if base == "0" * len(base) else base,
        "github_repository": repository.full_name,
        "pull_request": pull_request,
        "token_env": settings.token_env,
        "api_url": settings.api_url,
    }
    outcome = await _start_once(store, "github", delivery, event, start, GATE_WORKFLOW, inputs)
    return WebhookAnswer(source="github", event=event, outcomes=[outcome])


def _ignored(event: str, reason: str) -> WebhookAnswer:
    return WebhookAnswer(
        source="github", event=event[:100], outcomes=[Outcome(action="ignored", reason=reason)]
    )
