"""Webhooks in: verified Alertmanager, Grafana and GitHub requests that start runs once."""

from devora.webhooks._config import (
    AlertSourceConfig,
    GitHubHookConfig,
    WebhooksConfig,
    load_webhooks_config,
)
from devora.webhooks._errors import WebhookError, WebhookPayloadError, WebhookSignatureError
from devora.webhooks._payloads import Alert, AlertGroup, PullRequestEvent, PushEvent
from devora.webhooks._receive import (
    GATE_WORKFLOW,
    INCIDENT_WORKFLOW,
    Outcome,
    StartRun,
    WebhookAnswer,
    incident_inputs,
    receive_alerts,
    receive_github,
)
from devora.webhooks._signatures import github_signature, verify_bearer, verify_github

__all__ = [
    "GATE_WORKFLOW",
    "INCIDENT_WORKFLOW",
    "Alert",
    "AlertGroup",
    "AlertSourceConfig",
    "GitHubHookConfig",
    "Outcome",
    "PullRequestEvent",
    "PushEvent",
    "StartRun",
    "WebhookAnswer",
    "WebhookError",
    "WebhookPayloadError",
    "WebhookSignatureError",
    "WebhooksConfig",
    "github_signature",
    "incident_inputs",
    "load_webhooks_config",
    "receive_alerts",
    "receive_github",
    "verify_bearer",
    "verify_github",
]
