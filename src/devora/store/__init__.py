"""What is remembered: runs, step attempts, events, artifacts, answers (SQLite or PostgreSQL)."""

from devora.store._location import StoreLocation, mask_url, resolve_store_location
from devora.store._records import (
    AnswerRecord,
    ArtifactRecord,
    AttemptRecord,
    Event,
    EventKind,
    JournalBatch,
    Phase,
    RunRecord,
    RunUpdate,
)
from devora.store._schema import SCHEMA_VERSION
from devora.store._status import (
    IllegalTransitionError,
    RunStatus,
    StepStatus,
    check_run_transition,
    statuses_before,
)
from devora.store._store import Store, open_store

__all__ = [
    "SCHEMA_VERSION",
    "AnswerRecord",
    "ArtifactRecord",
    "AttemptRecord",
    "Event",
    "EventKind",
    "IllegalTransitionError",
    "JournalBatch",
    "Phase",
    "RunRecord",
    "RunStatus",
    "RunUpdate",
    "StepStatus",
    "Store",
    "StoreLocation",
    "check_run_transition",
    "mask_url",
    "open_store",
    "resolve_store_location",
    "statuses_before",
]
