"""Paging squads: every contact of the squads an escalation level names, right now.

Unlike run notifications, a page does not depend on the contact's `events` list: the
escalation policy is the subscription. Delivery is retried, bounded in time, and a
contact that cannot be reached is reported (never raised): the next level is the
safety net.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import httpx

from devora.notify import Notification, webhook_payload
from devora.squads import Squad

__all__ = ["PageDelivery", "page_squads"]


@dataclass(frozen=True, slots=True)
class PageDelivery:
    """The outcome of paging one contact."""

    squad: str
    contact: str
    ok: bool
    error: str | None = None


async def page_squads(
    squads: Mapping[str, Squad],
    names: Sequence[str],
    notification: Notification,
    *,
    request_timeout: float = 5.0,
    attempts: int = 3,
    backoff: float = 0.5,
) -> list[PageDelivery]:
    """Post the page to every contact of the named squads; one result per contact."""
    targets = [
        (name, contact) for name in names if name in squads for contact in squads[name].contacts
    ]
    async with httpx.AsyncClient(timeout=request_timeout) as client:
        return list(
            await asyncio.gather(
                *(
                    _post(
                        client,
                        name,
                        contact.name or contact.kind,
                        contact.kind,
                        contact.resolved_url(),
                        notification,
                        attempts,
                        backoff,
                    )
                    for name, contact in targets
                )
            )
        )


async def _post(
    client: httpx.AsyncClient,
    squad: str,
    label: str,
    kind: str,
    url: str | None,
    notification: Notification,
    attempts: int,
    backoff: float,
) -> PageDelivery:
    if not url:
        return PageDelivery(squad, label, False, "no URL (its url_env is not set)")
    squad_notification = Notification(
        notification.kind,
        notification.run_id,
        notification.workflow,
        notification.status,
        notification.step_id,
        squad,
        notification.message,
        notification.at,
    )
    body = (
        {"text": f":rotating_light: *Devora incident* {notification.message}"}
        if kind == "slack"
        else webhook_payload(squad_notification)
    )
    error = "not sent"
    for attempt in range(1, attempts + 1):
        try:
            response = await client.post(url, json=body)
        except httpx.HTTPError as exc:
            error = type(exc).__name__  # never the URL: it is a secret
        else:
            if response.status_code < 300:
                return PageDelivery(squad, label, True)
            error = f"HTTP {response.status_code}"
            if response.status_code < 500 and response.status_code != 429:
                break
        if attempt < attempts:
            await asyncio.sleep(backoff * 2 ** (attempt - 1))
    return PageDelivery(squad, label, False, error)
