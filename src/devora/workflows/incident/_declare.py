"""Step 1, declare: record the incident, for a service that has a runbook."""

from __future__ import annotations

import time

from devora.engine import StepContext
from devora.workflows.incident._config import load_incident_settings
from devora.workflows.incident._inputs import IncidentInputs
from devora.workflows.incident._records import Declaration

__all__ = ["declare_incident"]


def declare_incident(ctx: StepContext[IncidentInputs]) -> Declaration:
    """Check the service has a runbook and note when the incident began and was declared."""
    inputs = ctx.inputs
    service = load_incident_settings().service(inputs.service)
    declared_at = time.time()
    started_at = inputs.started_at.timestamp() if inputs.started_at else declared_at
    ctx.log(f"incident declared on {inputs.service}: {inputs.summary}")
    ctx.set_summary(service=inputs.service)
    return Declaration(
        service=inputs.service,
        summary=inputs.summary,
        declared_at=declared_at,
        started_at=min(started_at, declared_at),
        health_url=service.health_url,
        runbook=[command.name for command in service.runbook],
    )
