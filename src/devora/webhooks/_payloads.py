"""The JSON senders post, read into models; anything else is a WebhookPayloadError."""

from __future__ import annotations

import hashlib
import json
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devora.webhooks._errors import WebhookPayloadError

__all__ = [
    "Alert",
    "AlertGroup",
    "PullRequestEvent",
    "PushEvent",
    "Repository",
    "parse_payload",
]

M = TypeVar("M", bound=BaseModel)


class _Lenient(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class Alert(_Lenient):
    """One alert of an Alertmanager or Grafana (unified alerting) notification."""

    status: str = Field(pattern="^(firing|resolved)$")
    labels: dict[str, str] = Field(default_factory=dict)
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: str | None = Field(default=None, alias="startsAt", max_length=64)
    fingerprint: str | None = Field(default=None, max_length=200)

    def key(self) -> str:
        """This alert's identity across notifications: fingerprint (or labels) and start."""
        identity = (
            self.fingerprint
            or hashlib.sha256(json.dumps(sorted(self.labels.items())).encode()).hexdigest()[:32]
        )
        return f"{identity}@{self.starts_at or ''}"


class AlertGroup(_Lenient):
    """The notification: the alerts of one group (both senders share this shape)."""

    alerts: list[Alert] = Field(max_length=1000)


class Repository(_Lenient):
    """The repository an event is about."""

    full_name: str = Field(pattern=r"^[\w.-]+/[\w.-]+$")
    clone_url: str | None = None


class _Commit(_Lenient):
    sha: str = Field(pattern=r"^[0-9a-f]{7,64}$")


class _PullRequest(_Lenient):
    head: _Commit
    base: _Commit


class PushEvent(_Lenient):
    """GitHub's `push`: the branch, the commit before and the commit after."""

    ref: str
    before: str = Field(pattern=r"^[0-9a-f]{7,64}$")
    after: str = Field(pattern=r"^[0-9a-f]{7,64}$")
    deleted: bool = False
    repository: Repository


class PullRequestEvent(_Lenient):
    """GitHub's `pull_request`: what happened, the head and base commits."""

    action: str
    number: int = Field(ge=1)
    pull_request: _PullRequest
    repository: Repository


def parse_payload(source: str, body: bytes, model: type[M]) -> M:
    """The body as `model`; WebhookPayloadError says what is wrong with it."""
    try:
        data: Any = json.loads(body)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise WebhookPayloadError(source, f"not JSON ({type(exc).__name__})") from exc
    if not isinstance(data, dict):
        raise WebhookPayloadError(source, "the JSON is not an object")
    try:
        return model.model_validate(data)
    except (ValidationError, RecursionError) as exc:
        detail = (
            "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'body'}: {e['msg']}"
                for e in exc.errors()[:3]
            )
            if isinstance(exc, ValidationError)
            else "nested too deeply"
        )
        raise WebhookPayloadError(source, detail) from exc
