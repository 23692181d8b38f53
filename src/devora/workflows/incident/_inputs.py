"""What `devora incident declare` (or `devora run incident-response`) takes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, Field, field_validator

from devora.workflows.incident._severity import Severity, Signals, parse_severity

__all__ = ["IncidentInputs"]


class IncidentInputs(BaseModel):
    """The incident as declared: the service, a summary, a severity or impact signals."""

    summary: str = Field(min_length=1, description="what is wrong, in one line")
    service: str = Field(min_length=1, description="the affected service (has a runbook)")
    severity: Severity | None = Field(
        default=None, description="SEV1 (critical) to SEV4 (minor); classified when not given"
    )
    users_affected_pct: float | None = Field(
        default=None, ge=0, le=100, description="share of users affected, in %"
    )
    error_rate_pct: float | None = Field(
        default=None, ge=0, le=100, description="share of requests failing, in %"
    )
    data_loss: bool | None = Field(default=None, description="customer data was lost")
    security_breach: bool | None = Field(default=None, description="a security breach")
    revenue_impact: bool | None = Field(default=None, description="revenue is affected")
    started_at: datetime | None = Field(
        default=None, description="when the problem began (ISO 8601); default: when declared"
    )

    @field_validator("severity", mode="before")
    @classmethod
    def _severity(cls, value: Any) -> Any:
        return parse_severity(value)

    @field_validator("started_at")
    @classmethod
    def _in_the_past(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        if aware > datetime.now(UTC):
            raise ValueError("the incident cannot start in the future")
        return aware

    def signals(self) -> Signals:
        """The impact signals given."""
        return Signals(
            users_affected_pct=self.users_affected_pct,
            error_rate_pct=self.error_rate_pct,
            data_loss=self.data_loss,
            security_breach=self.security_breach,
            revenue_impact=self.revenue_impact,
        )
