"""What is remembered: runs, step attempts, events, artifacts, answers (SQLite or PostgreSQL)."""

from devora.store._claims import StepClaim, claim_step
from devora.store._leases import (
    RESULTS_CHANNEL,
    Fence,
    Lease,
    LeaseLostError,
    acquire_lease,
    expired_run_leases,
    read_lease,
    release_lease,
    renew_lease,
    run_lease_key,
    step_lease_key,
)
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
from devora.store._status import (
    IllegalTransitionError,
    RunStatus,
    StepStatus,
    check_run_transition,
    statuses_before,
)
from devora.store._store import Store, open_store
from devora.store._tables import SCHEMA_VERSION

__all__ = [
    "RESULTS_CHANNEL",
    "SCHEMA_VERSION",
    "AnswerRecord",
    "ArtifactRecord",
    "AttemptRecord",
    "Event",
    "EventKind",
    "Fence",
    "IllegalTransitionError",
    "JournalBatch",
    "Lease",
    "LeaseLostError",
    "Phase",
    "RunRecord",
    "RunStatus",
    "RunUpdate",
    "StepClaim",
    "StepStatus",
    "Store",
    "StoreLocation",
    "acquire_lease",
    "check_run_transition",
    "claim_step",
    "expired_run_leases",
    "mask_url",
    "open_store",
    "read_lease",
    "release_lease",
    "renew_lease",
    "resolve_store_location",
    "run_lease_key",
    "statuses_before",
    "step_lease_key",
]
