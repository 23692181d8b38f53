"""Health checks: GET a URL until it answers 2xx N times in a row, within a deadline."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import httpx

from devora.workflows.incident._errors import HealthCheckTimeoutError
from devora.workflows.incident._records import HealthCheck

__all__ = ["check_once", "wait_until_healthy"]


async def check_once(client: httpx.AsyncClient, url: str, limit: float) -> HealthCheck:
    """One GET: the status, or the kind of error when nothing came back in time."""
    started = time.monotonic()
    at = time.time()
    try:
        response = await client.get(url, timeout=limit)
    except httpx.TimeoutException:
        return HealthCheck(at=at, status=None, error=f"no answer within {limit:g}s", seconds=limit)
    except httpx.HTTPError as exc:
        return HealthCheck(
            at=at, status=None, error=type(exc).__name__, seconds=time.monotonic() - started
        )
    return HealthCheck(at=at, status=response.status_code, seconds=time.monotonic() - started)


async def wait_until_healthy(
    url: str,
    *,
    needed: int,
    interval: float,
    within: float,
    request_timeout: float,
    on_check: Callable[[HealthCheck], None] | None = None,
) -> list[HealthCheck]:
    """Every check made until `needed` healthy ones in a row; HealthCheckTimeoutError if late."""
    checks: list[HealthCheck] = []
    streak = 0
    deadline = time.monotonic() + within
    async with httpx.AsyncClient(follow_redirects=True) as client:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise HealthCheckTimeoutError(url, within, needed, len(checks), _last(checks))
            check = await check_once(client, url, min(request_timeout, remaining))
            checks.append(check)
            if on_check is not None:
                on_check(check)
            streak = streak + 1 if check.healthy else 0
            if streak >= needed:
                return checks
            await asyncio.sleep(max(0.0, min(interval, deadline - time.monotonic())))


def _last(checks: list[HealthCheck]) -> str:
    """The last check's outcome, and the last answer when that check got none (the final
    check can be cut short by the deadline: its timeout alone would hide what the service
    said)."""
    if not checks:
        return "no check could be made"
    last = _describe(checks[-1])
    if checks[-1].status is None:
        answered = [check for check in checks if check.status is not None]
        if answered:
            return f"{last}; last answer: {_describe(answered[-1])}"
    return last


def _describe(check: HealthCheck) -> str:
    return f"HTTP {check.status}" if check.status is not None else str(check.error)
