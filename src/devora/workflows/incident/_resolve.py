"""Step 4, resolve: health checks until the service is healthy, then the incident's times."""

from __future__ import annotations

import time
from typing import Any

from devora.engine import StepContext
from devora.workflows.incident._config import load_incident_settings
from devora.workflows.incident._health import wait_until_healthy
from devora.workflows.incident._records import (
    Declaration,
    Escalation,
    HealthCheck,
    Mitigation,
    Resolution,
)
from devora.workflows.incident._timeline import format_duration

__all__ = ["resolve_incident"]


async def resolve_incident(ctx: StepContext[Any]) -> Resolution:
    """Wait until the service is healthy N times in a row; compute detect/mitigate/resolve."""
    declaration: Declaration = ctx.result("declare")
    escalation: Escalation = ctx.result("escalate")
    mitigation: Mitigation = ctx.result("mitigate")
    service = load_incident_settings().service(declaration.service)
    url = service.health_url
    ctx.log(
        f"checking {url} until healthy {service.healthy_checks} times in a row "
        f"(timeout {service.health_timeout:g}s)"
    )
    last_healthy: list[bool] = []

    def report(check: HealthCheck) -> None:
        # Log the first check and every change between healthy and not, not each check.
        if not last_healthy or last_healthy[-1] != check.healthy:
            state = "healthy" if check.healthy else "unhealthy"
            answer = f"HTTP {check.status}" if check.status is not None else check.error
            ctx.log(f"{url} {state} ({answer})")
        last_healthy.append(check.healthy)

    checks = await wait_until_healthy(
        url,
        needed=service.healthy_checks,
        interval=service.health_interval,
        within=service.health_timeout,
        request_timeout=service.request_timeout,
        on_check=report,
    )
    resolved_at = time.time()
    start = declaration.started_at
    resolution = Resolution(
        url=url,
        checks=len(checks),
        healthy_in_a_row=service.healthy_checks,
        resolved_at=resolved_at,
        time_to_detect=declaration.declared_at - start,
        time_to_acknowledge=escalation.acknowledged_at - declaration.declared_at,
        time_to_mitigate=mitigation.mitigated_at - start,
        time_to_resolve=resolved_at - start,
    )
    ctx.log(
        f"resolved: healthy {service.healthy_checks} times in a row after {len(checks)} "
        f"check(s); time to resolve {format_duration(resolution.time_to_resolve)}",
        resolution=resolution.model_dump(mode="json"),
    )
    ctx.set_summary(
        time_to_mitigate_s=round(resolution.time_to_mitigate, 1),
        time_to_resolve_s=round(resolution.time_to_resolve, 1),
    )
    return resolution
