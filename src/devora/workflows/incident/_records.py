"""What each step of an incident hands to the next (journaled, so they survive a resume)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from devora.workflows.incident._severity import Triage

__all__ = [
    "Acknowledgement",
    "CommandRun",
    "Declaration",
    "Escalation",
    "HealthCheck",
    "Mitigation",
    "Page",
    "PostmortemReport",
    "Resolution",
]


class Declaration(BaseModel):
    """The incident as declared: which service, what is wrong, since when."""

    service: str
    summary: str
    declared_at: float
    started_at: float = Field(description="when the problem began (declared_at when unknown)")
    health_url: str
    runbook: list[str]


class Acknowledgement(BaseModel):
    """Someone took the incident: `devora incident ack RUN`."""

    by: str = Field(min_length=1)
    comment: str | None = None


class Page(BaseModel):
    """One escalation level paged: who, when, and how many contacts were reached."""

    level: int = Field(description="0 for the first level")
    squads: list[str]
    at: float
    reached: int
    failed: list[str] = Field(default_factory=list)


class Escalation(BaseModel):
    """The triage and who was paged until someone acknowledged."""

    triage: Triage
    pages: list[Page]
    acknowledged_by: str
    acknowledged_at: float


class CommandRun(BaseModel):
    """One runbook command that ran: its exit code and output."""

    name: str
    argv: list[str]
    exit_code: int
    output: str
    started_at: float
    finished_at: float
    approved_by: str | None = None


class Mitigation(BaseModel):
    """The runbook commands that ran, in order."""

    commands: list[CommandRun]
    mitigated_at: float


class HealthCheck(BaseModel):
    """One health check: the HTTP status, or the error when there was no answer."""

    at: float
    status: int | None
    error: str | None = None
    seconds: float

    @property
    def healthy(self) -> bool:
        """A 2xx answer."""
        return self.status is not None and 200 <= self.status < 300


class Resolution(BaseModel):
    """The service healthy again, and the incident's durations (seconds)."""

    url: str
    checks: int
    healthy_in_a_row: int
    resolved_at: float
    time_to_detect: float
    time_to_acknowledge: float
    time_to_mitigate: float
    time_to_resolve: float


class PostmortemReport(BaseModel):
    """Where the postmortem was written, who drafted its narrative, and the narrative."""

    artifact: str
    path: str
    drafted_by: str = Field(description="'llm:<model>' or 'person' (sections left to fill)")
    timeline_entries: int
    narrative: dict[str, Any] | None = Field(
        default=None, description="the drafted narrative, kept for a rewrite of the document"
    )
