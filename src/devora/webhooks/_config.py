"""`[webhooks.*]`: where each sender's secret is, and how an alert becomes an incident."""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from devora.config import ConfigError, DevoraConfig

__all__ = ["AlertSourceConfig", "GitHubHookConfig", "WebhooksConfig", "load_webhooks_config"]

DEFAULT_SEVERITIES = {
    "critical": "SEV1",
    "page": "SEV1",
    "error": "SEV2",
    "high": "SEV2",
    "warning": "SEV3",
    "medium": "SEV3",
    "info": "SEV4",
    "low": "SEV4",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    secret_env: str = Field(min_length=1, description="env variable holding the shared secret")

    def secret(self) -> str | None:
        """The secret, read from the environment now (never stored)."""
        return os.environ.get(self.secret_env) or None


class AlertSourceConfig(_Strict):
    """Alertmanager or Grafana: the bearer secret and how labels map to an incident."""

    service_label: str = Field(default="service", description="the label naming the service")
    default_service: str | None = Field(default=None, description="when that label is absent")
    severity_label: str = Field(default="severity")
    severities: dict[str, str] = Field(
        default_factory=lambda: dict(DEFAULT_SEVERITIES),
        description="the severity label's value (any case) -> SEV1..SEV4",
    )

    def severity(self, labels: dict[str, str]) -> str | None:
        """The SEV of an alert's labels, or None (the workflow then classifies)."""
        value = labels.get(self.severity_label)
        if value is None:
            return None
        mapping = {key.lower(): sev for key, sev in self.severities.items()}
        return mapping.get(value.strip().lower())


class GitHubHookConfig(_Strict):
    """GitHub: the webhook secret, which repository to check out, how to comment back."""

    repository: str | None = Field(
        default=None, description="clone URL or local path; default: the payload's clone_url"
    )
    token_env: str = Field(default="GITHUB_TOKEN", description="env variable with the API token")
    api_url: str | None = Field(default=None, description="default: $GITHUB_API_URL")


class WebhooksConfig(BaseModel):
    """Every sender's settings; a sender without a table uses its defaults."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    alertmanager: AlertSourceConfig = AlertSourceConfig(secret_env="DEVORA_ALERTMANAGER_SECRET")
    grafana: AlertSourceConfig = AlertSourceConfig(secret_env="DEVORA_GRAFANA_SECRET")
    github: GitHubHookConfig = GitHubHookConfig(secret_env="DEVORA_GITHUB_WEBHOOK_SECRET")


def load_webhooks_config(config: DevoraConfig) -> WebhooksConfig:
    """The `[webhooks]` tables, defaults filled in; ConfigError names a bad key."""
    raw = dict((config.model_extra or {}).get("webhooks") or {})
    defaults = WebhooksConfig()
    try:
        for name in ("alertmanager", "grafana", "github"):
            table = raw.get(name)
            if isinstance(table, dict):
                raw[name] = {"secret_env": getattr(defaults, name).secret_env, **table}
        return WebhooksConfig.model_validate(raw)
    except (ValidationError, TypeError) as exc:
        problems = (
            "; ".join(
                f"webhooks.{'.'.join(str(p) for p in error['loc'])}: {error['msg']}"
                for error in exc.errors()
            )
            if isinstance(exc, ValidationError)
            else str(exc)
        )
        raise ConfigError(config.source or "the configuration", problems) from exc
