"""Our retry policy for provider calls: exponential backoff that honours Retry-After."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TypeVar

from devora.llm._errors import ProviderError

__all__ = ["RetryNotice", "RetryPolicy", "call_with_retries", "parse_retry_after"]

T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a failed provider call is retried."""

    max_attempts: int = 4
    base_delay: float = 1.0
    multiplier: float = 2.0
    max_delay: float = 30.0
    # A Retry-After longer than this is not waited for: the call fails instead.
    max_retry_after: float = 120.0
    jitter: float = 0.1

    def backoff(self, attempt: int) -> float:
        """The delay before retry number `attempt` (1-based) when the server gave none."""
        delay = min(self.max_delay, self.base_delay * self.multiplier ** (attempt - 1))
        if self.jitter:
            delay *= 1 + random.uniform(-self.jitter, self.jitter)  # nosec B311 - jitter
        return max(0.0, delay)


@dataclass(frozen=True)
class RetryNotice:
    """One retry about to happen, for step logs."""

    attempt: int
    max_attempts: int
    delay: float
    reason: str
    status: int | None
    from_retry_after: bool

    def __str__(self) -> str:
        source = " (Retry-After)" if self.from_retry_after else ""
        return (
            f"retry {self.attempt}/{self.max_attempts - 1} in {self.delay:.2f}s{source}: "
            f"{self.reason}"
        )


def parse_retry_after(headers: Mapping[str, str], *, now: datetime | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms` or `Retry-After` (seconds or an HTTP date)."""
    lowered = {key.lower(): value for key, value in headers.items()}
    millis = lowered.get("retry-after-ms")
    if millis is not None:
        try:
            return max(0.0, float(millis) / 1000)
        except ValueError:
            pass
    value = lowered.get("retry-after")
    if value is None:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


async def call_with_retries(
    call: Callable[[], Awaitable[T]],
    policy: RetryPolicy,
    *,
    on_retry: Callable[[RetryNotice], None] | None = None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `call`, retrying retryable ProviderErrors by `policy`; re-raise the last one."""
    attempt = 1
    while True:
        try:
            return await call()
        except ProviderError as error:
            if not error.retryable:
                raise
            if attempt >= policy.max_attempts:
                raise error.give_up(f"gave up after {attempt} attempts") from error.__cause__
            from_header = error.retry_after is not None
            if error.retry_after is not None:
                if error.retry_after > policy.max_retry_after:
                    why = (
                        f"the server asks to wait {error.retry_after:g}s, longer than the "
                        f"{policy.max_retry_after:g}s Devora waits"
                    )
                    raise error.give_up(why) from error.__cause__
                delay = error.retry_after
            else:
                delay = policy.backoff(attempt)
            if on_retry is not None:
                on_retry(
                    RetryNotice(
                        attempt=attempt,
                        max_attempts=policy.max_attempts,
                        delay=delay,
                        reason=error.message,
                        status=error.status,
                        from_retry_after=from_header,
                    )
                )
            await sleep(delay)
            attempt += 1
