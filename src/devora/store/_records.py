"""What the store remembers: runs, step attempts, events, artifacts and answers."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from devora.store._leases import Fence
from devora.store._status import RunStatus, StepStatus

__all__ = [
    "AnswerRecord",
    "ArtifactRecord",
    "AttemptRecord",
    "Event",
    "EventKind",
    "JournalBatch",
    "Phase",
    "RunRecord",
    "RunUpdate",
]


class EventKind(StrEnum):
    """Every state change Devora reports; one event model carries them all."""

    RUN_CREATED = "run.created"
    RUN_STARTED = "run.started"
    RUN_RESUMED = "run.resumed"
    RUN_WAITING = "run.waiting"
    RUN_CANCEL_REQUESTED = "run.cancel_requested"
    RUN_FINISHED = "run.finished"
    STEP_STARTED = "step.started"
    STEP_LOG = "step.log"
    STEP_RETRY_SCHEDULED = "step.retry_scheduled"
    STEP_WAITING = "step.waiting"
    STEP_FINISHED = "step.finished"
    COMPENSATION_STARTED = "compensation.started"
    COMPENSATION_FINISHED = "compensation.finished"
    ARTIFACT_ADDED = "artifact.added"


class Event(BaseModel):
    """One state change of a run, numbered in the order it happened (`seq`, per run)."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    seq: int = Field(
        default=0, description="0 until committed: the store numbers it after the run's last"
    )
    kind: EventKind
    at: float = Field(default_factory=time.time, description="unix time, seconds")
    step_id: str | None = None
    attempt: int | None = None
    message: str | None = None
    data: dict[str, Any] = Field(default_factory=dict)


class Phase(StrEnum):
    """Whether an attempt ran a step's action or its compensation."""

    RUN = "run"
    COMPENSATE = "compensate"


class AttemptRecord(BaseModel):
    """One attempt of one step: its outcome, output (JSON) or error, and timing."""

    run_id: str
    step_id: str
    attempt: int
    phase: Phase = Phase.RUN
    status: StepStatus
    output: Any = None
    error: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    started_at: float | None = None
    finished_at: float | None = None
    seq: int = Field(description="the seq of the event that recorded it: completion order")


class RunRecord(BaseModel):
    """A run as stored."""

    id: str
    workflow: str
    workflow_ref: str
    status: RunStatus = RunStatus.PENDING
    inputs: dict[str, Any] = Field(default_factory=dict)
    outputs: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    parent_run_id: str | None = None
    parent_step_id: str | None = None
    dry_run: bool = False
    owner: str | None = None
    cancel_requested: bool = False
    created_at: float = Field(default_factory=time.time)
    updated_at: float = Field(default_factory=time.time)
    finished_at: float | None = None
    summary: dict[str, Any] = Field(
        default_factory=dict, description="small figures a workflow wants listed (a score)"
    )


class RunUpdate(BaseModel):
    """A change to a run row, journaled with the events that explain it."""

    run_id: str
    status: RunStatus | None = None
    outputs: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    owner: str | None = None
    clear_owner: bool = False
    clear_cancel: bool = False
    finished_at: float | None = None
    summary: dict[str, Any] | None = None


class ArtifactRecord(BaseModel):
    """A file a run produced, kept under the store's artifact directory."""

    run_id: str
    name: str
    path: str
    step_id: str | None = None
    media_type: str = "application/octet-stream"
    size: int = 0
    sha256: str = ""
    created_at: float = Field(default_factory=time.time)


class AnswerRecord(BaseModel):
    """An outside answer (approval or input) to a suspended step."""

    run_id: str
    step_id: str
    payload: dict[str, Any]
    answered_by: str | None = None
    answered_at: float = Field(default_factory=time.time)


@dataclass(slots=True)
class JournalBatch:
    """Everything one commit writes: events, attempt records and run updates, all or nothing."""

    events: list[Event] = field(default_factory=list)
    attempts: list[AttemptRecord] = field(default_factory=list)
    runs: list[RunUpdate] = field(default_factory=list)
    artifacts: list[ArtifactRecord] = field(default_factory=list)
    fence: Fence | None = None  # the lease whose token must still be current (store._leases)

    def __bool__(self) -> bool:
        return bool(self.events or self.attempts or self.runs or self.artifacts)
