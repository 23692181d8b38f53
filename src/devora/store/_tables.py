"""The store's table names and the schema version this code reads and writes.

Kept apart from `_schema` (SQLAlchemy's table definitions and the upgrades), so the
store's everyday queries need neither SQLAlchemy nor its start-up time.
"""

from __future__ import annotations

__all__ = [
    "ANSWERS",
    "ARTIFACTS",
    "ATTEMPTS",
    "DELIVERIES",
    "EVENTS",
    "LEASES",
    "RUNS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "TICKS",
]

# Raise by one with each migration appended to `_schema.MIGRATIONS` (a test checks).
SCHEMA_VERSION = 3

SCHEMA = "devora_schema"
RUNS = "devora_runs"
ATTEMPTS = "devora_step_attempts"
EVENTS = "devora_events"
ARTIFACTS = "devora_artifacts"
ANSWERS = "devora_answers"
LEASES = "devora_leases"
TICKS = "devora_schedule_ticks"
DELIVERIES = "devora_webhook_deliveries"
