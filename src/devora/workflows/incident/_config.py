"""Incident settings: escalation policies per severity and runbooks per service.

They come from ``[incident]`` in ``devora.toml`` (or ``[tool.devora.incident]`` in
``pyproject.toml``). A severity without a policy in the file uses the default below.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devora.config import ConfigError, load_config
from devora.squads import squad_names
from devora.workflows.incident._errors import NoRunbookError
from devora.workflows.incident._severity import Severity, parse_severity

__all__ = [
    "DEFAULT_POLICIES",
    "EscalationLevel",
    "EscalationPolicy",
    "IncidentSettings",
    "RunbookCommand",
    "ServiceConfig",
    "load_incident_settings",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class EscalationLevel(_Strict):
    """Who is paged at this level, and how long they have to acknowledge."""

    squads: list[str] = Field(min_length=1)
    ack_minutes: float = Field(gt=0, description="minutes before the next level is paged")

    @field_validator("squads")
    @classmethod
    def _known_squads(cls, squads: list[str]) -> list[str]:
        unknown = [name for name in squads if name not in squad_names()]
        if unknown:
            raise ValueError(f"unknown squad {unknown[0]!r} (squads: {', '.join(squad_names())})")
        return squads


class EscalationPolicy(_Strict):
    """The levels paged one after the other while nobody acknowledges."""

    levels: list[EscalationLevel] = Field(min_length=1)


def _policy(*levels: tuple[list[str], float]) -> EscalationPolicy:
    return EscalationPolicy(
        levels=[EscalationLevel(squads=squads, ack_minutes=minutes) for squads, minutes in levels]
    )


# The worse the incident, the more people are paged and the sooner the next level is.
DEFAULT_POLICIES: dict[Severity, EscalationPolicy] = {
    Severity.SEV1: _policy((["devops"], 5), (["devops", "backend", "business"], 10)),
    Severity.SEV2: _policy((["devops"], 15), (["devops", "backend"], 30)),
    Severity.SEV3: _policy((["devops"], 60), (["backend"], 240)),
    Severity.SEV4: _policy((["devops"], 480)),
}


class RunbookCommand(_Strict):
    """One mitigation command: an argv list, run from the project directory."""

    name: str = Field(min_length=1)
    argv: list[str] = Field(min_length=1)
    risky: bool = Field(default=False, description="wait for a devops approval before it runs")
    timeout: float = Field(default=300, gt=0, description="seconds")
    description: str = ""


class ServiceConfig(_Strict):
    """A service incidents can be declared for: its health check and its runbook."""

    health_url: str = Field(pattern=r"^https?://")
    healthy_checks: int = Field(default=3, ge=1, description="healthy answers in a row")
    health_interval: float = Field(default=2.0, ge=0, description="seconds between checks")
    health_timeout: float = Field(default=300.0, gt=0, description="seconds to become healthy")
    request_timeout: float = Field(default=5.0, gt=0, description="seconds per check")
    runbook: list[RunbookCommand] = Field(default_factory=list)

    @field_validator("runbook")
    @classmethod
    def _unique_names(cls, runbook: list[RunbookCommand]) -> list[RunbookCommand]:
        names = [command.name for command in runbook]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise ValueError(f"runbook command name {duplicates[0]!r} is used twice")
        return runbook


class IncidentSettings(_Strict):
    """Everything the incident workflow reads from the configuration."""

    escalation: dict[Severity, EscalationPolicy] = Field(default_factory=dict)
    services: dict[str, ServiceConfig] = Field(default_factory=dict)
    source: str | None = None

    @field_validator("escalation", mode="before")
    @classmethod
    def _severity_keys(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {parse_severity(key): policy for key, policy in value.items()}
        return value

    def policy(self, severity: Severity) -> EscalationPolicy:
        """The configured policy for this severity, else the default one."""
        return self.escalation.get(severity) or DEFAULT_POLICIES[severity]

    def service(self, name: str) -> ServiceConfig:
        """The service's settings; NoRunbookError when it has none or an empty runbook."""
        service = self.services.get(name)
        if service is None:
            raise NoRunbookError(name, self.with_runbooks())
        if not service.runbook:
            raise NoRunbookError(name, self.with_runbooks(), reason=" (its runbook is empty)")
        return service

    def with_runbooks(self) -> list[str]:
        """The services that have at least one runbook command."""
        return sorted(name for name, service in self.services.items() if service.runbook)


def load_incident_settings(root: Path | None = None) -> IncidentSettings:
    """Read and validate the incident section; ConfigError names the key that is wrong."""
    config = load_config(root)
    source = config.source or "the configuration"
    section = config.section("incident")
    try:
        return IncidentSettings.model_validate({**section, "source": config.source})
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in ("incident", *first["loc"]))
        raise ConfigError(source, f"{where}: {first['msg']}") from error
