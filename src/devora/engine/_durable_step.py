"""The durable path of one step, as actions and executors see it.

As in DBOS: a step whose result is recorded is reused without running (`adopt`, and the
replay of `RunState`); otherwise it runs here with retries and a timeout (`run_here`), and
its outcome is queued for the next commit (`_record`); no dependent starts before that
commit holds it.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable, Coroutine, Mapping
from typing import Any

from devora.engine._action import Plan
from devora.engine._attempts import run_attempts
from devora.engine._context import StepContext, WaitRequest
from devora.engine._error_record import ErrorRecord
from devora.engine._outcome import StepOutcome, dump_output, load_output, typed_output
from devora.engine._run_state import RunState, loaded_error
from devora.engine._workflow import Step
from devora.errors import StepError
from devora.store import AttemptRecord, Event, EventKind, Phase, RunUpdate, StepStatus

__all__ = ["DurableSteps"]


class DurableSteps(RunState):
    """A run's steps: the context an action gets, run here or adopted, their outcomes queued."""

    # -- what actions see ---------------------------------------------------------------

    def call_in_loop(self, function: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        """Call `function` on the run's event loop, also from a sync action's worker thread."""
        if self._loop is None or threading.get_ident() == self._loop_thread:
            function(*args, **kwargs)
        else:
            self._loop.call_soon_threadsafe(functools.partial(function, *args, **kwargs))

    def update_summary(self, figures: Mapping[str, Any]) -> None:
        """Merge figures into the run's summary (journaled with the next commit)."""
        self.summary.update(figures)
        if self.step_figures is not None:
            self.step_figures.update(figures)
            return
        self.journal.update_run(RunUpdate(run_id=self.run.id, summary=dict(self.summary)))

    def context(self, step: Step[Any], attempt: int) -> StepContext[Any]:
        """The context handed to the step's action."""
        return StepContext(
            run_id=self.run.id,
            step_id=step.id,
            attempt=attempt,
            inputs=self.inputs,
            dry_run=self.dry_run,
            _execution=self,
        )

    # -- what executors see (executors.StepDriver) ----------------------------------------

    @property
    def run_id(self) -> str:
        """The id of the run being executed."""
        return self.run.id

    @property
    def owner(self) -> str:
        """How this process names itself (host:pid)."""
        return self.engine.owner

    def run_here(self, step: Step[Any], ctx: StepContext[Any]) -> Coroutine[Any, Any, StepOutcome]:
        """Run the step's attempts in this process (its result is queued by `_record`)."""
        return run_attempts(self, step, ctx)

    async def adopt(self, step: Step[Any], record: AttemptRecord) -> StepOutcome:
        """The outcome of a step another process ran and committed (not journaled again)."""
        outcome = StepOutcome(
            status=record.status,
            error=loaded_error(record),
            attempt=record.attempt,
            started_at=record.started_at,
            finished_at=record.finished_at,
            replayed=True,
        )
        if record.plan is not None:
            outcome.plan = Plan.model_validate(record.plan)
        if record.status.done:
            outcome.output = load_output(step.output_type, record.output)
        elif record.status is StepStatus.WAITING:
            # The request is in the event that recorded the attempt (they share a seq).
            events = await self.engine.call_store(
                functools.partial(self.store.events, self.run.id, after_seq=record.seq - 1, limit=1)
            )
            request = events[0].data.get("request") if events else None
            if request is not None:
                outcome.request = WaitRequest.model_validate(request)
        return outcome

    def publish(self, event: Event) -> None:
        """Show a committed event (another process's) to this process's subscribers, and
        merge the figures a step set on a worker into the run's summary."""
        figures = event.data.get("summary") if event.kind is EventKind.STEP_FINISHED else None
        if figures:
            self.update_summary(figures)
        self.engine.bus.publish(event)

    def _record(self, step: Step[Any], outcome: StepOutcome, attempt: int) -> None:
        """Queue a step's outcome for the next commit and release its dependents."""
        if outcome.replayed:  # adopted: another process committed it already
            self._next_attempt[step.id] = max(self._next_attempt.get(step.id, 1), attempt + 1)
            self.outcomes[step.id] = outcome
            self._release(step, outcome)
            return
        try:
            outcome.output = typed_output(step.output_type, outcome.output)
            stored_output = dump_output(step.output_type, outcome.output)
        except Exception as exc:
            outcome = StepOutcome(
                status=StepStatus.FAILED,
                error=ErrorRecord.from_exception(
                    StepError(f"the output of step {step.id!r} cannot be journaled: {exc}")
                ),
                attempt=attempt,
                started_at=outcome.started_at,
                finished_at=outcome.finished_at,
            )
            stored_output = None
        outcome.attempt = attempt
        self.outcomes[step.id] = outcome
        data: dict[str, Any] = {"status": outcome.status.value, "squad": step.squad}
        if outcome.duration is not None:
            data["duration"] = round(outcome.duration, 6)
        message = None
        if outcome.error is not None:
            data["error_type"] = outcome.error.type
            message = outcome.error.message
        if outcome.plan is not None:
            data["plan"] = outcome.plan.model_dump(mode="json")
            message = outcome.plan.summary
        if outcome.skip_reason is not None:
            message = outcome.skip_reason
        if self.step_figures:
            data["summary"] = dict(self.step_figures)
        kind = EventKind.STEP_FINISHED
        if outcome.status is StepStatus.WAITING:
            assert outcome.request is not None
            kind = EventKind.STEP_WAITING
            data["request"] = outcome.request.model_dump(mode="json")
            message = outcome.request.prompt
        self.journal.record_attempt(
            AttemptRecord.model_construct(
                run_id=self.run.id,
                step_id=step.id,
                attempt=attempt,
                phase=Phase.RUN,
                status=outcome.status,
                output=stored_output,
                error=None if outcome.error is None else outcome.error.to_json(),
                plan=data.get("plan"),
                started_at=outcome.started_at,
                finished_at=outcome.finished_at,
                seq=0,
            ),
            kind,
            message,
            data,
        )
        self._release(step, outcome)
