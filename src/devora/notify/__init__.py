"""Notifications to squads' contacts: a generic JSON webhook and Slack incoming webhooks,
posted through one delivery path (retries, backoff, URLs never shown)."""

from devora.notify._delivery import Delivery, DeliveryTarget, RetryPolicy, deliver_all
from devora.notify._messages import (
    Notification,
    notification_for,
    slack_payload,
    webhook_payload,
)
from devora.notify._notifier import Notifier

__all__ = [
    "Delivery",
    "DeliveryTarget",
    "Notification",
    "Notifier",
    "RetryPolicy",
    "deliver_all",
    "notification_for",
    "slack_payload",
    "webhook_payload",
]
