"""Outcomes of steps and runs, and how errors and outputs are put into the journal."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, TypeAdapter

from devora.engine._action import Plan
from devora.engine._context import WaitRequest
from devora.engine._error_record import ErrorRecord
from devora.store import RunStatus, StepStatus

__all__ = ["RunResult", "StepOutcome", "output_adapter"]


@dataclass(slots=True)
class StepOutcome:
    """How a step ended in this run: its status and output, error, plan or wait request."""

    status: StepStatus
    output: Any = None
    error: ErrorRecord | None = None
    plan: Plan | None = None
    request: WaitRequest | None = None
    skip_reason: str | None = None
    attempt: int = 0
    started_at: float | None = None
    finished_at: float | None = None
    replayed: bool = False

    @property
    def duration(self) -> float | None:
        """Seconds the step took, when known."""
        if self.started_at is None or self.finished_at is None:
            return None
        return self.finished_at - self.started_at


@dataclass(slots=True)
class RunResult:
    """What a run (or one resumption of it) ended with."""

    run_id: str
    workflow: str
    status: RunStatus
    outputs: dict[str, Any] = field(default_factory=dict)
    error: ErrorRecord | None = None
    steps: dict[str, StepOutcome] = field(default_factory=dict)
    compensations: dict[str, StepOutcome] = field(default_factory=dict)
    dry_run: bool = False
    summary: dict[str, Any] = field(default_factory=dict)

    @property
    def plans(self) -> dict[str, Plan]:
        """The plans of side-effecting steps (dry-run), by step id."""
        return {k: v.plan for k, v in self.steps.items() if v.plan is not None}

    @property
    def waiting(self) -> dict[str, WaitRequest]:
        """What each waiting step waits for, by step id."""
        return {k: v.request for k, v in self.steps.items() if v.request is not None}


_ADAPTERS: dict[Any, TypeAdapter[Any]] = {}
_PLAIN = (str, int, float, bool, type(None))


def output_adapter(output_type: Any) -> TypeAdapter[Any]:
    """A cached pydantic adapter that dumps outputs to JSON and loads them back typed."""
    adapter = _ADAPTERS.get(output_type)
    if adapter is None:
        adapter = TypeAdapter(output_type)
        _ADAPTERS[output_type] = adapter
    return adapter


def dump_output(output_type: Any, value: Any) -> Any:
    """The JSON-ready form of a step output."""
    if isinstance(value, _PLAIN):
        return value
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    return output_adapter(output_type).dump_python(value, mode="json")


def load_output(output_type: Any, value: Any) -> Any:
    """A journaled output turned back into the declared type."""
    if output_type is Any or value is None:
        return value
    return output_adapter(output_type).validate_python(value)


def typed_output(output_type: Any, value: Any) -> Any:
    """The output dependents see: of the declared type, live as after a replay.

    A value already of the declared class is kept; any other (a dict for a model, a
    plan's predicted output) is validated into that type, as a resume would load it.
    """
    if output_type is Any or value is None:
        return value
    if isinstance(output_type, type) and isinstance(value, output_type):
        return value
    return output_adapter(output_type).validate_python(value)
