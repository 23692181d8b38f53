"""The shape of Devora's configuration: models, prices, budgets, squads and their contacts."""

from __future__ import annotations

import os
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AgentConfig",
    "AgentsConfig",
    "CeleryConfig",
    "ContactConfig",
    "DevoraConfig",
    "LLMConfig",
    "PriceConfig",
    "SquadConfig",
]

NOTIFICATION_EVENTS = ("run.failed", "run.succeeded", "approval.needed", "incident.declared")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class PriceConfig(_Strict):
    """Dollars per million input and output tokens of one model."""

    input: float = Field(ge=0)
    output: float = Field(ge=0)


class LLMConfig(_Strict):
    """Which model agents use by default, what it costs, and the run budget."""

    model: str | None = Field(
        default=None, description="provider:model used by LLM agents without their own"
    )
    base_url: str | None = Field(default=None, description="for other OpenAI-compatible servers")
    key_variable: str | None = Field(default=None, description="env variable holding the key")
    request_timeout: float = Field(default=120.0, gt=0)
    max_tokens: int | None = Field(default=None, gt=0, description="run budget in tokens")
    max_cost: float | None = Field(default=None, gt=0, description="run budget in dollars")
    prices: dict[str, PriceConfig] = Field(default_factory=dict)
    structured_output: Literal["prompt", "json_schema", "json_object"] = Field(
        default="prompt",
        description="how a structured answer's schema reaches the model besides the prompt: "
        "json_schema (OpenAI's response_format) or json_object (llama-cpp-python's server)",
    )


class ContactConfig(_Strict):
    """Where a squad's notifications go. The URL is a secret: give it through the env."""

    name: str | None = None
    kind: Literal["webhook", "slack"] = "webhook"
    url_env: str | None = Field(default=None, description="environment variable with the URL")
    url: str | None = Field(default=None, description="the URL itself (prefer url_env)")
    events: list[str] = Field(default_factory=lambda: ["run.failed", "approval.needed"])

    @field_validator("events")
    @classmethod
    def _known_events(cls, events: list[str]) -> list[str]:
        unknown = [e for e in events if e not in NOTIFICATION_EVENTS]
        if unknown:
            raise ValueError(f"unknown events {unknown}; known: {list(NOTIFICATION_EVENTS)}")
        return events

    def resolved_url(self) -> str | None:
        """The URL to post to, read from the environment when `url_env` names it."""
        if self.url_env:
            return os.environ.get(self.url_env) or None
        return self.url


class AgentConfig(_Strict):
    """Overrides for one agent of a squad."""

    model: str | None = None


class AgentsConfig(_Strict):
    """What holds for every coding agent: the OS sandbox its commands run in."""

    sandbox: Literal["on", "off"] = Field(
        default="on",
        description='"off": agent commands run unconfined, with a warning each time (not advised)',
    )


class SquadConfig(_Strict):
    """Overrides for one squad: its model, its agents' models, contacts and approvers."""

    model: str | None = None
    agents: dict[str, AgentConfig] = Field(default_factory=dict)
    contacts: list[ContactConfig] = Field(default_factory=list)
    approvers: list[str] = Field(default_factory=list)


class CeleryConfig(_Strict):
    """The Celery executor: its broker, and how long leases and messages may go unanswered."""

    broker_url: str | None = Field(
        default=None, description="redis://... or amqp://... (a secret: prefer DEVORA_BROKER_URL)"
    )
    lease_seconds: float = Field(default=15.0, gt=0, description="a dead holder's lease lapses")
    redispatch_seconds: float = Field(
        default=30.0, gt=0, description="a step nobody holds this long after it was sent is resent"
    )
    visibility_timeout: float = Field(default=3600.0, gt=0, description="Redis redelivery delay")


class DevoraConfig(BaseModel):
    """The effective configuration: devora.toml or [tool.devora], then the environment."""

    model_config = ConfigDict(extra="allow")  # workflows read their own sections

    llm: LLMConfig = Field(default_factory=LLMConfig)
    squads: dict[str, SquadConfig] = Field(default_factory=dict)
    approvers: dict[str, str] = Field(
        default_factory=dict, description="an approver's name -> the OS account that is them"
    )
    agents: AgentsConfig = Field(default_factory=AgentsConfig)
    executor: Literal["local", "celery"] = Field(
        default="local", description="where steps run: this process, or Celery workers"
    )
    celery: CeleryConfig = Field(default_factory=CeleryConfig)
    source: str | None = Field(default=None, description="the file it was read from")

    def section(self, name: str) -> dict[str, Any]:
        """A workflow's own section (e.g. `quality_gate`), or an empty mapping."""
        value = (self.model_extra or {}).get(name, {})
        return value if isinstance(value, dict) else {}
