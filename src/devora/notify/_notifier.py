"""Delivering notifications to squads' contacts, off the run's path: a dead endpoint
never blocks or fails a run."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Iterable

import httpx

from devora.config import ContactConfig
from devora.notify._messages import (
    Notification,
    notification_for,
    slack_payload,
    webhook_payload,
)
from devora.squads import Squad
from devora.store import Event, EventKind

__all__ = ["Delivery", "Notifier"]

_log = logging.getLogger("devora.notify")


class Delivery:
    """The outcome of one notification to one contact (for tests and `devora` logs)."""

    def __init__(self, contact: str, kind: str, ok: bool, attempts: int, error: str | None):
        self.contact = contact
        self.kind = kind
        self.ok = ok
        self.attempts = attempts
        self.error = error


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
        self.timeout = timeout
        self.attempts = attempts
        self.backoff = backoff
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
            self._run_squads[event.run_id] = {s["squad"] for s in event.data.get("steps", [])}
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
        with httpx.Client(timeout=self.timeout) as client:
            while True:
                item = self._queue.get()
                if item is None:
                    return
                contact, notification = item
                self.deliveries.append(self._deliver(client, contact, notification))

    def _deliver(
        self, client: httpx.Client, contact: ContactConfig, notification: Notification
    ) -> Delivery:
        label = contact.name or contact.kind
        url = contact.resolved_url()
        if not url:
            why = f"{contact.url_env} is not set" if contact.url_env else "no url"
            _log.warning("contact %s has no URL (%s): notification dropped", label, why)
            return Delivery(label, notification.kind, False, 0, why)
        body = (
            slack_payload(notification)
            if contact.kind == "slack"
            else webhook_payload(notification)
        )
        error = None
        for attempt in range(1, self.attempts + 1):
            try:
                response = client.post(url, json=body)
                if response.status_code < 300:
                    return Delivery(label, notification.kind, True, attempt, None)
                error = f"HTTP {response.status_code}"
                if response.status_code < 500 and response.status_code != 429:
                    break  # the endpoint refuses this; asking again will not help
            except httpx.HTTPError as exc:
                error = type(exc).__name__  # never the URL: it is a secret
            time.sleep(self.backoff * 2 ** (attempt - 1))
        _log.warning("notifying %s of %s failed: %s", label, notification.kind, error)
        return Delivery(label, notification.kind, False, self.attempts, error)
