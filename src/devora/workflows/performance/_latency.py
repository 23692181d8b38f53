"""Latency percentiles of HTTP endpoints, from a bounded number of sequential requests."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from urllib.parse import urljoin, urlsplit

import httpx
from pydantic import BaseModel, ConfigDict

from devora.errors import StepError

__all__ = [
    "EndpointLatency",
    "TargetUnreachableError",
    "check_reachable",
    "endpoint_url",
    "measure_latency",
    "percentile",
]


class TargetUnreachableError(StepError):
    """An endpoint did not answer at all (refused, unresolvable or timed out)."""

    code = "target_unreachable"

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        self.problem = problem
        super().__init__(
            f"{url} is unreachable: {problem}",
            hint="start the service (or fix --url / endpoints) and check it with curl -I URL",
        )


class EndpointLatency(BaseModel):
    """Response times of one endpoint, in milliseconds."""

    model_config = ConfigDict(frozen=True)

    endpoint: str
    url: str
    requests: int
    errors: int
    p50: float
    p95: float
    p99: float
    mean: float

    @property
    def error_rate(self) -> float:
        """The share of requests that failed (status >= 400 or no answer)."""
        return self.errors / self.requests if self.requests else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks."""
    if not values:
        raise ValueError("no values")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def endpoint_url(base: str | None, endpoint: str) -> str:
    """An absolute endpoint as is; a path joined to the base URL."""
    if urlsplit(endpoint).scheme in ("http", "https"):
        return endpoint
    if base is None:
        raise StepError(
            f"endpoint {endpoint!r} is a path but no url was given to resolve it against",
            hint="pass --url http://host:port/ or give endpoints as full URLs",
        )
    return urljoin(base if base.endswith("/") else base + "/", endpoint.lstrip("/"))


async def check_reachable(url: str, *, request_timeout: float = 10) -> None:
    """Raise TargetUnreachableError unless the URL answers (with any status)."""
    try:
        async with httpx.AsyncClient(timeout=request_timeout) as client:
            await client.get(url)
    except httpx.HTTPError as error:
        raise TargetUnreachableError(url, str(error) or type(error).__name__) from error


async def measure_latency(
    base: str | None, endpoints: Sequence[str], *, requests: int, request_timeout: float
) -> list[EndpointLatency]:
    """Send `requests` GETs to each endpoint, one after the other, and time them."""
    results = []
    limits = httpx.Limits(max_connections=1)
    async with httpx.AsyncClient(timeout=request_timeout, limits=limits) as client:
        for endpoint in endpoints:
            url = endpoint_url(base, endpoint)
            timings: list[float] = []
            errors = 0
            for index in range(requests):
                started = time.perf_counter()
                try:
                    response = await client.get(url)
                except httpx.HTTPError as error:
                    refused = isinstance(error, httpx.ConnectError | httpx.ConnectTimeout)
                    if index == 0 and refused:
                        problem = str(error) or type(error).__name__
                        raise TargetUnreachableError(url, problem) from error
                    errors += 1
                    continue
                elapsed = round((time.perf_counter() - started) * 1000, 3)
                timings.append(elapsed)
                if response.status_code >= 400:
                    errors += 1
            if not timings:
                raise TargetUnreachableError(url, f"none of {requests} requests was answered")
            results.append(
                EndpointLatency(
                    endpoint=endpoint,
                    url=url,
                    requests=requests,
                    errors=errors,
                    p50=round(percentile(timings, 50), 3),
                    p95=round(percentile(timings, 95), 3),
                    p99=round(percentile(timings, 99), 3),
                    mean=round(sum(timings) / len(timings), 3),
                )
            )
    return results
