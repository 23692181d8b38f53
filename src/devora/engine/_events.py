"""Delivery of committed events to any number of in-process subscribers."""

from __future__ import annotations

import logging
from collections.abc import Callable

from devora.store import Event

__all__ = ["EventBus", "Subscriber"]

Subscriber = Callable[[Event], None]
_log = logging.getLogger("devora.events")


class EventBus:
    """Fan-out of events; a subscriber that raises is logged and never breaks a run."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        """Add a subscriber; returns a function that removes it."""
        self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            if subscriber in self._subscribers:
                self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: Event) -> None:
        """Hand an event to every subscriber, in subscription order."""
        for subscriber in tuple(self._subscribers):
            try:
                subscriber(event)
            except Exception:
                _log.exception("event subscriber %r failed on %s", subscriber, event.kind)

    def __bool__(self) -> bool:
        return bool(self._subscribers)
