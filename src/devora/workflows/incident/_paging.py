"""Paging squads: every contact of the squads an escalation level names, right now.

Unlike run notifications, a page does not depend on the contact's `events` list: the
escalation policy is the subscription. Delivery is retried, bounded in time, and a
contact that cannot be reached is reported (never raised): the next level is the
safety net.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from devora.config import ContactConfig
from devora.notify import (
    Delivery,
    DeliveryTarget,
    Notification,
    RetryPolicy,
    deliver_all,
    webhook_payload,
)
from devora.squads import Squad

__all__ = ["page_squads"]


async def page_squads(
    squads: Mapping[str, Squad],
    names: Sequence[str],
    notification: Notification,
    *,
    request_timeout: float = 5.0,
    attempts: int = 3,
    backoff: float = 0.5,
) -> list[Delivery]:
    """Post the page to every contact of the named squads; one outcome per contact."""
    targets = [
        DeliveryTarget(contact, notification.kind, _page_body(contact, name, notification), name)
        for name in names
        if name in squads
        for contact in squads[name].contacts
    ]
    policy = RetryPolicy(attempts=attempts, backoff=backoff, timeout=request_timeout)
    return await deliver_all(targets, policy)


def _page_body(contact: ContactConfig, squad: str, notification: Notification) -> dict[str, Any]:
    if contact.kind == "slack":
        return {"text": f":rotating_light: *Devora incident* {notification.message}"}
    return webhook_payload(dataclasses.replace(notification, squad=squad))
