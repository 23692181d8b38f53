"""Delivering notifications to squads' contacts, off the run's path: a dead endpoint
never blocks or fails a run."""

from __future__ import annotations

import asyncio
import logging
import queue
import threading
from collections.abc import Iterable

from devora.config import ContactConfig
from devora.notify._delivery import Delivery, DeliveryTarget, RetryPolicy, deliver_all
from devora.notify._messages import (
    Notification,
    notification_for,
    slack_payload,
    webhook_payload,
)
from devora.squads import Squad
from devora.store import Event, EventKind

__all__ = ["Notifier"]

_log = logging.getLogger("devora.notify")


class Notifier:
    """An event subscriber that posts what squads subscribed to, from a background thread."""

    def __init__(
        self,
        squads: Iterable[Squad],
        *,
        timeout: float = 5.0,
        attempts: int = 3,
        backoff: float = 0.5,
    ) -> None:
        self.squads = {squad.name: squad for squad in squads}
        self.policy = RetryPolicy(attempts=attempts, backoff=backoff, timeout=timeout)
        self.deliveries: list[Delivery] = []
        self._workflows: dict[str, str] = {}
        self._run_squads: dict[str, set[str]] = {}
        self._queue: queue.Queue[tuple[ContactConfig, Notification] | None] = queue.Queue()
        self._thread: threading.Thread | None = None

    @property
    def active(self) -> bool:
        """True when some squad has a contact to notify."""
        return any(squad.contacts for squad in self.squads.values())

    def __call__(self, event: Event) -> None:
        if event.kind is EventKind.RUN_CREATED:
            self._workflows[event.run_id] = str(event.data.get("workflow"))
            # Steps without an owner add no squad; a run none of whose steps has one tells
            # every squad with a contact.
            steps = event.data.get("steps", [])
            self._run_squads[event.run_id] = {s["squad"] for s in steps if s.get("squad")}
            return
        workflow = self._workflows.get(event.run_id) or event.data.get("workflow")
        notification = notification_for(event, workflow)
        if notification is None:
            return
        for contact in self._contacts_for(notification):
            self._enqueue(contact, notification)

    def _contacts_for(self, notification: Notification) -> list[ContactConfig]:
        if notification.squad:
            names = {notification.squad}
        else:
            names = self._run_squads.get(notification.run_id) or set(self.squads)
        return [
            contact
            for name in sorted(names)
            if name in self.squads
            for contact in self.squads[name].contacts
            if notification.kind in contact.events
        ]

    def _enqueue(self, contact: ContactConfig, notification: Notification) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._deliver_all, daemon=True)
            self._thread.start()
        self._queue.put((contact, notification))

    def close(self, wait: float = 10.0) -> None:
        """Deliver what is queued, waiting at most `wait` seconds; safe to call twice."""
        if self._thread is None:
            return
        self._queue.put(None)
        self._thread.join(wait)
        if self._thread.is_alive():
            _log.warning("notifications still pending after %.0fs; giving up on them", wait)
        self._thread = None

    def _deliver_all(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            contact, notification = item
            body = (
                slack_payload(notification)
                if contact.kind == "slack"
                else webhook_payload(notification)
            )
            target = DeliveryTarget(contact, notification.kind, body)
            [delivery] = asyncio.run(deliver_all([target], self.policy))
            if not delivery.ok:
                _log.warning(
                    "notifying %s of %s failed: %s",
                    delivery.contact,
                    delivery.kind,
                    delivery.error,
                )
            self.deliveries.append(delivery)
