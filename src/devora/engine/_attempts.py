"""The attempts of one step: retries with backoff, a timeout per attempt, suspension."""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

from devora.engine._context import StepContext, StepSuspended
from devora.engine._error_record import ErrorRecord
from devora.engine._faults import fault_point_in_step
from devora.engine._outcome import StepOutcome
from devora.engine._workflow import Step
from devora.errors import StepError, TimedOut
from devora.store import AttemptRecord, EventKind, StepStatus

if TYPE_CHECKING:
    from devora.engine._durable_step import DurableSteps

__all__ = ["StepTimeoutError", "attempt_once", "run_attempts"]


class StepTimeoutError(StepError, TimedOut):
    """A step attempt ran past its timeout and was cancelled."""

    code = "step_timeout"
    retryable = True

    def __init__(self, step_id: str, seconds: float) -> None:
        self.limit = seconds
        self.what = f"step {step_id!r}"
        super().__init__(f"step {step_id!r} timed out after {seconds:g}s")


async def run_attempts(
    execution: DurableSteps, step: Step[Any], ctx: StepContext[Any]
) -> StepOutcome:
    """Run a step's action until it succeeds, suspends, or its retries are spent."""
    planning = execution.dry_run and step.side_effects
    started = time.time()
    tries = 1
    while True:
        fault_point_in_step(step.id, ctx.attempt)
        try:
            return await attempt_once(step, ctx, started, planning=planning)
        except StepSuspended as suspended:
            return StepOutcome(
                status=StepStatus.WAITING,
                request=suspended.request,
                attempt=ctx.attempt,
                started_at=started,
                finished_at=time.time(),
            )
        except Exception as exc:
            error = ErrorRecord.from_exception(exc)
            tries_left = step.retry.attempts - tries
            if tries_left <= 0 or not getattr(exc, "retryable", True):
                return StepOutcome(
                    status=StepStatus.FAILED,
                    error=error,
                    attempt=ctx.attempt,
                    started_at=started,
                    finished_at=time.time(),
                )
            delay = step.retry.delay(tries)
            execution.journal.record_attempt(
                AttemptRecord(
                    run_id=execution.run.id,
                    step_id=step.id,
                    attempt=ctx.attempt,
                    status=StepStatus.RETRIED,
                    error=error.to_json(),
                    started_at=started,
                    finished_at=time.time(),
                    seq=0,
                ),
                EventKind.STEP_RETRY_SCHEDULED,
                f"{error.message} (retrying in {delay:.2f}s)",
                {"delay": delay, "error_type": error.type, "tries_left": tries_left},
            )
            await asyncio.sleep(delay)
            ctx = execution.context(step, execution.next_attempt(step))
            started = time.time()
            tries += 1
            execution.journal.event(
                EventKind.STEP_STARTED,
                step_id=step.id,
                attempt=ctx.attempt,
                data={"squad": step.squad, "action": step.action.name, "retry": True},
            )


async def attempt_once(
    step: Step[Any], ctx: StepContext[Any], started: float, *, planning: bool
) -> StepOutcome:
    """One attempt: the action's run() (or plan() in a dry-run), under the step's timeout."""
    try:
        async with asyncio.timeout(step.timeout):
            if planning:
                plan = await step.action.plan(ctx)
                output = plan.predicted_output
            else:
                plan = None
                output = await step.action.run(ctx)
    except TimeoutError as exc:
        assert step.timeout is not None
        raise StepTimeoutError(step.id, step.timeout) from exc
    return StepOutcome(
        status=StepStatus.PLANNED if planning else StepStatus.SUCCEEDED,
        output=output,
        plan=plan,
        attempt=ctx.attempt,
        started_at=started,
        finished_at=time.time(),
    )
