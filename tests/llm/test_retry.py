"""The retry policy: Retry-After parsing, backoff, which errors are retried, the callback."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from devora.llm import ProviderError, RetryNotice, RetryPolicy, call_with_retries
from devora.llm import parse_retry_after as parse


def test_retry_after_in_seconds() -> None:
    assert parse({"Retry-After": "3"}) == 3.0
    assert parse({"retry-after": "0.5"}) == 0.5


def test_retry_after_as_http_date() -> None:
    now = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert parse({"Retry-After": header}, now=now) == pytest.approx(7.0)


def test_retry_after_in_the_past_is_zero_and_garbage_is_none() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse({"Retry-After": "Wed, 01 Jan 2025 00:00:00 GMT"}, now=now) == 0.0
    assert parse({"Retry-After": "soon"}) is None
    assert parse({}) is None


def test_retry_after_ms_wins() -> None:
    assert parse({"retry-after-ms": "250", "retry-after": "9"}) == 0.25


def test_backoff_is_exponential_and_capped() -> None:
    policy = RetryPolicy(base_delay=1, multiplier=2, max_delay=5, jitter=0)
    assert [policy.backoff(n) for n in (1, 2, 3, 4)] == [1, 2, 4, 5]


class Flaky:
    """Fails with the given errors, then answers."""

    def __init__(self, *errors: ProviderError) -> None:
        self.errors = list(errors)
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return "ok"


async def test_retries_retryable_errors_with_backoff_and_reports_each() -> None:
    slept: list[float] = []
    notices: list[RetryNotice] = []

    async def sleep(delay: float) -> None:
        slept.append(delay)

    flaky = Flaky(
        ProviderError("p", "boom", status=503, retryable=True),
        ProviderError("p", "slow", status=429, retryable=True, retry_after=4),
    )
    policy = RetryPolicy(max_attempts=3, base_delay=0.5, jitter=0)
    assert await call_with_retries(flaky, policy, on_retry=notices.append, sleep=sleep) == "ok"
    assert slept == [0.5, 4]
    assert [(n.attempt, n.status, n.from_retry_after) for n in notices] == [
        (1, 503, False),
        (2, 429, True),
    ]
    assert "Retry-After" in str(notices[1])


async def test_gives_up_after_max_attempts_with_the_last_error() -> None:
    async def sleep(delay: float) -> None:
        pass

    errors = [ProviderError("p", f"boom {n}", status=500, retryable=True) for n in range(3)]
    flaky = Flaky(*errors)
    with pytest.raises(ProviderError, match=r"boom 2 \(gave up after 3 attempts\)$"):
        await call_with_retries(flaky, RetryPolicy(max_attempts=3), sleep=sleep)
    assert flaky.calls == 3


async def test_does_not_retry_a_permanent_error_or_a_huge_retry_after() -> None:
    flaky = Flaky(ProviderError("p", "bad key", status=401))
    with pytest.raises(ProviderError, match="bad key"):
        await call_with_retries(flaky, RetryPolicy())
    assert flaky.calls == 1
    flaky = Flaky(ProviderError("p", "come back tomorrow", status=429, retryable=True,
                                retry_after=86400))  # fmt: skip
    with pytest.raises(ProviderError, match=r"tomorrow.*asks to wait 86400s, longer than the 60s"):
        await call_with_retries(flaky, RetryPolicy(max_retry_after=60))
    assert flaky.calls == 1
