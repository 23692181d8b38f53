"""A run as every interface shows it: its steps, children, artifacts, waits and usage.

One reading of the store for `devora status --json`, the MCP tool `run_status` and the
API's `GET /api/runs/RUN` (layer: below cli and server, above engine and store).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from pydantic import BaseModel, Field

from devora.engine import pending_requests
from devora.store import AttemptRecord, Phase, RunRecord, RunStatus, Store

__all__ = ["ArtifactView", "RunDetail", "RunView", "StepView", "Usage", "run_detail", "run_view"]


class RunView(BaseModel):
    """A run as listed."""

    id: str
    workflow: str
    workflow_ref: str
    status: RunStatus
    inputs: dict[str, Any]
    outputs: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    parent_run_id: str | None = None
    parent_step_id: str | None = None
    dry_run: bool = False
    created_at: float
    updated_at: float
    finished_at: float | None = None
    summary: dict[str, Any] = Field(default_factory=dict)


class StepView(BaseModel):
    """The latest attempt of a step (or of its compensation)."""

    status: str
    attempts: int
    output: Any = None
    error: dict[str, Any] | None = None
    plan: dict[str, Any] | None = None
    started_at: float | None = None
    finished_at: float | None = None
    duration: float | None = Field(default=None, description="seconds, once finished")


class ArtifactView(BaseModel):
    """A file the run produced: where it lies, and where `devora serve` serves it (`url`)."""

    name: str
    step_id: str | None
    media_type: str
    size: int
    sha256: str
    created_at: float
    path: str
    url: str


class Usage(BaseModel):
    """LLM calls, tokens and dollars the run has spent."""

    llm_calls: int = 0
    llm_input_tokens: int = 0
    llm_output_tokens: int = 0
    llm_cost: float = 0.0


class RunDetail(RunView):
    """A run with its steps, compensations, children, artifacts, what it waits for, usage."""

    steps: dict[str, StepView]
    compensations: dict[str, StepView]
    children: list[RunView]
    artifacts: list[ArtifactView]
    waiting: dict[str, dict[str, Any]]
    usage: Usage


def run_view(record: RunRecord) -> RunView:
    """The listed form of a run (its owner process is not shown)."""
    return RunView.model_validate(record.model_dump(exclude={"owner", "cancel_requested"}))


def _steps(attempts: list[AttemptRecord], phase: Phase) -> dict[str, StepView]:
    tries: dict[str, int] = {}
    latest: dict[str, AttemptRecord] = {}
    for attempt in attempts:
        if attempt.phase is phase:
            tries[attempt.step_id] = tries.get(attempt.step_id, 0) + 1
            latest[attempt.step_id] = attempt
    return {
        step_id: StepView(
            status=a.status.value,
            attempts=tries[step_id],
            output=a.output,
            error=a.error,
            plan=a.plan,
            started_at=a.started_at,
            finished_at=a.finished_at,
            duration=None
            if a.started_at is None or a.finished_at is None
            else a.finished_at - a.started_at,
        )
        for step_id, a in latest.items()
    }


def run_detail(store: Store, record: RunRecord) -> RunDetail:
    """Everything the store knows of one run (call it off the event loop for a network DB)."""
    attempts = store.attempts(record.id)
    children = store.list_runs(parent_run_id=record.id, limit=1000)
    artifacts = store.artifacts(record.id)
    waiting = pending_requests(store, record.id) if record.status is RunStatus.WAITING else []
    usage = Usage.model_validate(
        {k: v for k, v in record.summary.items() if k in Usage.model_fields}
    )
    return RunDetail(
        **run_view(record).model_dump(),
        steps=_steps(attempts, Phase.RUN),
        compensations=_steps(attempts, Phase.COMPENSATE),
        children=[run_view(child) for child in children],
        artifacts=[
            ArtifactView(
                name=a.name,
                step_id=a.step_id,
                media_type=a.media_type,
                size=a.size,
                sha256=a.sha256,
                created_at=a.created_at,
                path=a.path,
                url=f"/api/runs/{quote(record.id)}/artifacts/{quote(a.name)}",
            )
            for a in artifacts
        ],
        waiting={w.step_id: w.request.model_dump(mode="json") for w in waiting},
        usage=usage,
    )
