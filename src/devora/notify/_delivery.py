"""Posting a JSON body to a contact: the one delivery path for notifications and pages.

Bounded retries with exponential backoff on network errors, 5xx and 429; a 4xx is final
(the endpoint refuses this body; asking again will not help). The outcome never names
the URL: it is a secret.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devora.config import ContactConfig

if TYPE_CHECKING:
    import httpx

__all__ = ["Delivery", "DeliveryTarget", "RetryPolicy", "deliver_all"]


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How hard to try one contact: attempts, the first backoff (doubling), the timeout."""

    attempts: int = 3
    backoff: float = 0.5
    timeout: float = 5.0


@dataclass(frozen=True, slots=True)
class DeliveryTarget:
    """One body for one contact, with what to call the outcome."""

    contact: ContactConfig
    kind: str
    body: dict[str, Any]
    squad: str | None = None


@dataclass(frozen=True, slots=True)
class Delivery:
    """The outcome of one notification to one contact."""

    contact: str
    kind: str
    ok: bool
    attempts: int
    error: str | None
    squad: str | None = None


async def deliver_all(targets: Sequence[DeliveryTarget], policy: RetryPolicy) -> list[Delivery]:
    """Post every target concurrently; one outcome per target, in order. Never raises."""
    if not targets:
        return []
    import httpx  # only when something will be sent: it costs start-up time otherwise

    async with httpx.AsyncClient(timeout=policy.timeout) as client:
        return list(await asyncio.gather(*(_deliver(client, t, policy) for t in targets)))


async def _deliver(
    client: httpx.AsyncClient, target: DeliveryTarget, policy: RetryPolicy
) -> Delivery:
    import httpx

    contact = target.contact
    label = contact.name or contact.kind
    url = contact.resolved_url()
    if not url:
        why = f"{contact.url_env} is not set" if contact.url_env else "no url"
        return Delivery(label, target.kind, False, 0, why, target.squad)
    error = "not sent"
    attempt = 0
    for attempt in range(1, policy.attempts + 1):
        try:
            response = await client.post(url, json=target.body)
        except httpx.HTTPError as exc:
            error = type(exc).__name__  # never the URL: it is a secret
        else:
            if response.status_code < 300:
                return Delivery(label, target.kind, True, attempt, None, target.squad)
            error = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code != 429:
                break
        if attempt < policy.attempts:
            await asyncio.sleep(policy.backoff * 2 ** (attempt - 1))
    return Delivery(label, target.kind, False, attempt, error, target.squad)
