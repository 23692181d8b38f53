"""Notifications to squads' contacts: a generic JSON webhook and Slack incoming webhooks."""

from devora.notify._messages import (
    Notification,
    notification_for,
    slack_payload,
    webhook_payload,
)
from devora.notify._notifier import Delivery, Notifier

__all__ = [
    "Delivery",
    "Notification",
    "Notifier",
    "notification_for",
    "slack_payload",
    "webhook_payload",
]
