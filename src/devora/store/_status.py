"""The lifecycles of runs and steps, as enums whose illegal transitions raise."""

from __future__ import annotations

from enum import StrEnum

from devora.errors import IllegalTransitionError

__all__ = [
    "IllegalTransitionError",
    "RunStatus",
    "StepStatus",
    "check_run_transition",
    "statuses_before",
]


class RunStatus(StrEnum):
    """Where a run is in its life (DESIGN.md, run semantics)."""

    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ROLLED_BACK = "rolled_back"
    ROLLBACK_FAILED = "rollback_failed"

    @property
    def finished(self) -> bool:
        """True when the run can never change again."""
        return self in _FINISHED

    @property
    def resumable(self) -> bool:
        """True when `devora resume` may continue the run."""
        return self in _RESUMABLE


_FINISHED = frozenset(
    {RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.ROLLED_BACK, RunStatus.ROLLBACK_FAILED}
)
_RESUMABLE = frozenset(
    {RunStatus.PENDING, RunStatus.RUNNING, RunStatus.WAITING, RunStatus.CANCELLED}
)

_RUN_TRANSITIONS: dict[RunStatus, frozenset[RunStatus]] = {
    RunStatus.PENDING: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED}),
    RunStatus.RUNNING: frozenset(
        {
            RunStatus.RUNNING,  # a resume after a crash takes the run over
            RunStatus.WAITING,
            RunStatus.SUCCEEDED,
            RunStatus.FAILED,
            RunStatus.CANCELLED,
            RunStatus.ROLLED_BACK,
            RunStatus.ROLLBACK_FAILED,
        }
    ),
    RunStatus.WAITING: frozenset({RunStatus.RUNNING, RunStatus.CANCELLED}),
    RunStatus.CANCELLED: frozenset({RunStatus.RUNNING}),
    RunStatus.SUCCEEDED: frozenset(),
    RunStatus.FAILED: frozenset(),
    RunStatus.ROLLED_BACK: frozenset(),
    RunStatus.ROLLBACK_FAILED: frozenset(),
}
_PREDECESSORS = {
    target: frozenset(s for s, targets in _RUN_TRANSITIONS.items() if target in targets)
    for target in RunStatus
}


def check_run_transition(run_id: str, current: RunStatus, target: RunStatus) -> None:
    """Raise IllegalTransitionError unless `current -> target` is allowed."""
    if target not in _RUN_TRANSITIONS[current]:
        raise IllegalTransitionError(run_id, current, target)


def statuses_before(target: RunStatus) -> frozenset[RunStatus]:
    """The statuses a run may be in to move to `target`."""
    return _PREDECESSORS[target]


class StepStatus(StrEnum):
    """Where a step is in its life within one run."""

    PENDING = "pending"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    RETRIED = "retried"  # an attempt that failed and was followed by another one
    SKIPPED = "skipped"
    PLANNED = "planned"  # dry-run: the side-effecting action's plan() ran instead of run()
    WAITING = "waiting"
    CANCELLED = "cancelled"
    COMPENSATED = "compensated"
    COMPENSATION_FAILED = "compensation_failed"

    @property
    def done(self) -> bool:
        """True when dependents may rely on this step's recorded outcome."""
        return self in _STEP_DONE


_STEP_DONE = frozenset({StepStatus.SUCCEEDED, StepStatus.SKIPPED, StepStatus.PLANNED})
