"""The saga: when a run fails, its completed steps' compensations run in reverse order."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from devora.engine._error_record import ErrorRecord
from devora.engine._faults import fault_point_in_step
from devora.engine._outcome import RunResult, StepOutcome
from devora.engine._workflow import Step
from devora.store import AttemptRecord, EventKind, Phase, RunStatus, StepStatus

if TYPE_CHECKING:
    from devora.engine._execution import RunExecution

__all__ = ["compensate", "fail_and_compensate"]


async def fail_and_compensate(execution: RunExecution) -> RunResult:
    """End a failed run: compensate its completed steps in reverse completion order."""
    assert execution.failed_step is not None
    failed = execution.outcomes[execution.failed_step]
    error = (failed.error or ErrorRecord(type="", message="")).at_step(execution.failed_step)
    to_undo = [
        step_id
        for step_id in reversed(execution.completion_order)
        if execution.workflow.by_id[step_id].compensate is not None
    ]
    if not to_undo:
        return await execution.finish(RunStatus.FAILED, error=error)
    if execution.dry_run:
        for step_id in to_undo:
            execution.journal.event(
                EventKind.COMPENSATION_FINISHED,
                step_id=step_id,
                message="dry-run: compensation not run",
                data={"status": "planned"},
            )
        return await execution.finish(RunStatus.FAILED, error=error)
    all_undone = True
    for step_id in to_undo:
        previous = execution.compensations.get(step_id)
        if previous is not None and previous.status is StepStatus.COMPENSATED:
            continue
        outcome = await compensate(execution, execution.workflow.by_id[step_id])
        execution.compensations[step_id] = outcome
        all_undone = all_undone and outcome.status is StepStatus.COMPENSATED
        await execution.journal.flush()
    status = RunStatus.ROLLED_BACK if all_undone else RunStatus.ROLLBACK_FAILED
    return await execution.finish(status, error=error)


async def compensate(execution: RunExecution, step: Step[Any]) -> StepOutcome:
    """Run one step's compensation and journal its outcome."""
    assert step.compensate is not None
    attempt = execution.next_attempt(step)
    execution.journal.event(EventKind.COMPENSATION_STARTED, step_id=step.id, attempt=attempt)
    await execution.journal.flush()
    ctx = execution.context(step, attempt)
    started = time.time()
    try:
        fault_point_in_step(step.id, attempt)
        async with asyncio.timeout(step.timeout):
            await step.compensate.run(ctx)
        outcome = StepOutcome(status=StepStatus.COMPENSATED)
    except Exception as exc:
        outcome = StepOutcome(
            status=StepStatus.COMPENSATION_FAILED, error=ErrorRecord.from_exception(exc)
        )
    outcome.started_at, outcome.finished_at, outcome.attempt = started, time.time(), attempt
    execution.journal.record_attempt(
        AttemptRecord(
            run_id=execution.run.id,
            step_id=step.id,
            attempt=attempt,
            phase=Phase.COMPENSATE,
            status=outcome.status,
            error=None if outcome.error is None else outcome.error.to_json(),
            started_at=started,
            finished_at=outcome.finished_at,
            seq=0,
        ),
        EventKind.COMPENSATION_FINISHED,
        outcome.error.message if outcome.error else None,
        {"status": outcome.status.value},
    )
    return outcome
