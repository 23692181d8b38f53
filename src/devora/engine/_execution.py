"""One execution of one run: the scheduler, the durable step path, and the saga.

The durable path of a step has one shape (as in DBOS): if its result is recorded, reuse
it without running; otherwise run it (with retries and a timeout), queue the result, and
let no dependent start before the commit that holds it.
"""

from __future__ import annotations

import asyncio
import functools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Coroutine, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from devora.engine._action import Plan
from devora.engine._attempts import run_attempts
from devora.engine._context import StepContext, WaitRequest
from devora.engine._error_record import ErrorRecord
from devora.engine._journal import Journal
from devora.engine._outcome import (
    RunResult,
    StepOutcome,
    dump_output,
    load_output,
    typed_output,
)
from devora.engine._saga import fail_and_compensate
from devora.engine._workflow import Step, Workflow
from devora.errors import RunCancelledError, StepError, StepRejectedError
from devora.store import (
    AnswerRecord,
    AttemptRecord,
    Event,
    EventKind,
    LeaseLostError,
    Phase,
    RunRecord,
    RunStatus,
    RunUpdate,
    StepStatus,
    Store,
)

if TYPE_CHECKING:
    from devora.engine._engine import Engine

__all__ = ["RunExecution"]

_WATCH_INTERVAL = 0.25
_CANCEL_POLL_EVERY = 2  # watcher ticks between two looks at the store's cancel flag


class RunExecution:
    """Drives one run from its journal to its end (or to waiting, or cancelled)."""

    def __init__(
        self,
        engine: Engine,
        workflow: Workflow,
        run: RunRecord,
        inputs: BaseModel,
        journal: Journal,
        answers: dict[str, AnswerRecord],
        recorded: list[AttemptRecord],
        concurrency: int,
    ) -> None:
        self.engine = engine
        self.executor = engine.executor
        self.store: Store = engine.store
        self.workflow = workflow
        self.run = run
        self.inputs = inputs
        self.journal = journal
        self.answers = answers
        self.dry_run = run.dry_run
        self.concurrency = concurrency
        self.outcomes: dict[str, StepOutcome] = {}
        self.compensations: dict[str, StepOutcome] = {}
        self._outputs: dict[str, Any] = {}
        self.completion_order: list[str] = []
        self._next_attempt: dict[str, int] = {}
        self._pending_needs: dict[str, int] = {}
        self._ready: deque[str] = deque()
        self._running: dict[str, asyncio.Task[None]] = {}
        self._finished: list[tuple[str, StepOutcome]] = []
        self._cancelled: list[str] = []
        self.summary: dict[str, Any] = dict(run.summary)
        # On a worker: the figures its step sets, sent with the step's result (the event
        # that records it); the coordinator merges them, as the summary's one writer.
        self.step_figures: dict[str, Any] | None = None
        self._wake = asyncio.Event()
        self.failed_step: str | None = None
        self._cancel_requested = False
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread = 0
        self._replay(recorded)

    # -- replay ------------------------------------------------------------------------

    def _replay(self, recorded: list[AttemptRecord]) -> None:
        """Rebuild the run's state from its committed attempts (in completion order).

        A step's outcome is its latest attempt: a success after failed attempts is a
        success, and a failed attempt that was retried (`retried`) or a wait is no
        outcome at all, so the step runs again.
        """
        latest: dict[str, AttemptRecord] = {}
        for record in recorded:
            self._next_attempt[record.step_id] = max(
                self._next_attempt.get(record.step_id, 1), record.attempt + 1
            )
            if record.phase is Phase.COMPENSATE:
                self.compensations[record.step_id] = StepOutcome(
                    status=record.status, error=_loaded_error(record), replayed=True
                )
            elif record.step_id in self.workflow.by_id:
                latest[record.step_id] = record
        for record in sorted(latest.values(), key=lambda r: r.seq):
            self._replay_outcome(self.workflow.by_id[record.step_id], record)
        for step_id in self.workflow.order:
            if step_id in self.outcomes:
                continue
            step = self.workflow.by_id[step_id]
            self._pending_needs[step_id] = sum(1 for need in step.needs if not self._is_done(need))
            if self._pending_needs[step_id] == 0:
                self._ready.append(step_id)

    def _replay_outcome(self, step: Step[Any], record: AttemptRecord) -> None:
        if record.status.done:
            output = load_output(step.output_type, record.output)
            self._outputs[step.id] = output
            self.outcomes[step.id] = StepOutcome(
                status=record.status,
                output=output,
                attempt=record.attempt,
                started_at=record.started_at,
                finished_at=record.finished_at,
                replayed=True,
            )
            if record.status is StepStatus.SUCCEEDED:
                self.completion_order.append(step.id)
        elif record.status is StepStatus.FAILED:
            self.outcomes[step.id] = StepOutcome(
                status=record.status,
                error=_loaded_error(record),
                attempt=record.attempt,
                replayed=True,
            )
            self.failed_step = self.failed_step or step.id

    def _is_done(self, step_id: str) -> bool:
        outcome = self.outcomes.get(step_id)
        return outcome is not None and outcome.status.done

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

    def result_of(self, step_id: str) -> Any:
        """The output of a done step; StepError when it is not done."""
        if step_id not in self.workflow.by_id:
            raise StepError(f"workflow {self.workflow.name!r} has no step {step_id!r}")
        if not self._is_done(step_id):
            raise StepError(f"step {step_id!r} has no result yet: add it to this step's needs")
        return self._outputs.get(step_id)

    def results_view(self) -> Mapping[str, Any]:
        """A read-only view of the outputs so far."""
        return MappingProxyType(self._outputs)

    def status_of(self, step_id: str) -> StepStatus:
        """The status of a step in this run."""
        outcome = self.outcomes.get(step_id)
        if outcome is not None:
            return outcome.status
        return StepStatus.RUNNING if step_id in self._running else StepStatus.PENDING

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
            error=_loaded_error(record),
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

    # -- the run -------------------------------------------------------------------------

    async def execute(self) -> RunResult:
        """Run every runnable step, then settle the run's status; returns the result."""
        async with self.executor.coordinate(self) as fence:
            self.journal.fence = fence
            try:
                return await self._execute()
            except BaseExceptionGroup as group:
                # Another process took the run over (its lease): say that, not a group.
                lost = group.subgroup(LeaseLostError)
                if lost is None:
                    raise
                raise lost.exceptions[0] from None

    async def _execute(self) -> RunResult:
        self._loop = asyncio.get_running_loop()
        self._loop_thread = threading.get_ident()
        try:
            if self.failed_step is None:
                async with asyncio.TaskGroup() as group:
                    watcher = group.create_task(self._watch())
                    try:
                        await self._schedule(group)
                    finally:
                        watcher.cancel()
        except asyncio.CancelledError:
            # Ctrl-C (or our owner's cancellation): steps were cancelled by the task group
            # and are not recorded, so a resume runs them again.
            await asyncio.shield(self._settle_cancelled("interrupted"))
            raise
        if self.failed_step is not None:
            return await fail_and_compensate(self)
        if self._cancel_requested:
            return await self._settle_cancelled("cancel requested")
        return await self._settle()

    async def _schedule(self, group: asyncio.TaskGroup) -> None:
        while True:
            startable = [] if self._stopping else self._take_startable()
            await self.journal.flush()
            for step, ctx in startable:
                task = group.create_task(self._run_step(step, ctx))
                task.add_done_callback(functools.partial(self._on_task_done, step.id))
                self._running[step.id] = task
            if not self._running:
                return
            await self._wake.wait()
            self._wake.clear()
            self._absorb_finished()
            if self._stopping:
                for task in self._running.values():
                    task.cancel()

    @property
    def _stopping(self) -> bool:
        return self.failed_step is not None or self._cancel_requested

    def _take_startable(self) -> list[tuple[Step[Any], StepContext[Any]]]:
        startable: list[tuple[Step[Any], StepContext[Any]]] = []
        limit = self.concurrency
        while self._ready and len(self._running) + len(startable) < limit:
            step = self.workflow.by_id[self._ready.popleft()]
            skip_reason = self._skip_reason(step)
            if skip_reason is not None:
                self._record(
                    step,
                    StepOutcome(status=StepStatus.SKIPPED, skip_reason=skip_reason),
                    self.next_attempt(step),
                )
                continue
            if self.failed_step is not None:
                break
            if step.approval and not self.dry_run and not self._gate_open(step):
                continue
            if self.failed_step is not None:
                break
            attempt = self.next_attempt(step)
            self.journal.event(
                EventKind.STEP_STARTED,
                step_id=step.id,
                attempt=attempt,
                data={"squad": step.squad, "action": step.action.name},
            )
            startable.append((step, self.context(step, attempt)))
        return startable

    def next_attempt(self, step: Step[Any]) -> int:
        """The number of the step's next attempt (numbers continue across resumes)."""
        attempt = self._next_attempt.get(step.id, 1)
        self._next_attempt[step.id] = attempt + 1
        return attempt

    def _skip_reason(self, step: Step[Any]) -> str | None:
        """Why the step is skipped, or None when it should run."""
        if step.needs and all(
            self.outcomes[need].status is StepStatus.SKIPPED for need in step.needs
        ):
            return "every step it needs was skipped"
        if self.dry_run:
            unplanned = [
                need
                for need in step.needs
                if self.outcomes[need].status is StepStatus.PLANNED
                and self._outputs.get(need) is None
            ]
            if unplanned:
                return f"dry-run: needs the real output of {', '.join(unplanned)}"
        if step.when is None:
            return None
        try:
            if step.when(self.context(step, self._next_attempt.get(step.id, 1))):
                return None
            return "its condition is false"
        except Exception as exc:
            error = ErrorRecord.from_exception(exc).prefixed(
                f"the condition of step {step.id!r} raised"
            )
            self._record(
                step, StepOutcome(status=StepStatus.FAILED, error=error), self.next_attempt(step)
            )
            return None

    def _gate_open(self, step: Step[Any]) -> bool:
        answer = self.answers.get(f"{step.id}#approval")
        if answer is None:
            request = WaitRequest(
                kind="approval",
                key=f"{step.id}#approval",
                prompt=f"approve step {step.id!r} ({step.description or step.action.name})",
                squad=step.approval,
            )
            self._record(
                step,
                StepOutcome(status=StepStatus.WAITING, request=request),
                self.next_attempt(step),
            )
            return False
        if not answer.payload.get("approved", False):
            rejected = StepRejectedError(
                step.id, answer.answered_by or "an approver", answer.payload.get("comment")
            )
            self._record(
                step,
                StepOutcome(status=StepStatus.FAILED, error=ErrorRecord.from_exception(rejected)),
                self.next_attempt(step),
            )
            return False
        return True

    async def _run_step(self, step: Step[Any], ctx: StepContext[Any]) -> None:
        outcome: StepOutcome = await self.executor.run_step(self, step, ctx.attempt, ctx)
        self._finished.append((step.id, outcome))

    def _on_task_done(self, step_id: str, task: asyncio.Task[None]) -> None:
        # Cancelled tasks report no outcome, but must leave `_running` and wake the loop.
        if task.cancelled():
            self._cancelled.append(step_id)
        self._wake.set()

    def _absorb_finished(self) -> None:
        finished, self._finished = self._finished, []
        for step_id, outcome in finished:
            del self._running[step_id]
            self._record(self.workflow.by_id[step_id], outcome, outcome.attempt)
        cancelled, self._cancelled = self._cancelled, []
        for step_id in cancelled:
            self._running.pop(step_id, None)

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

    def _release(self, step: Step[Any], outcome: StepOutcome) -> None:
        """Let the run go on from a recorded outcome: a failure stops it, a result frees
        the steps that need it."""
        if outcome.status is StepStatus.FAILED:
            self.failed_step = self.failed_step or step.id
            return
        if not outcome.status.done:
            return
        self._outputs[step.id] = outcome.output
        if outcome.status is StepStatus.SUCCEEDED:
            self.completion_order.append(step.id)
        for dependent in self.workflow.dependents[step.id]:
            self._pending_needs[dependent] -= 1
            if self._pending_needs[dependent] == 0:
                self._ready.append(dependent)

    async def _watch(self) -> None:
        """Commit log lines of long steps, and notice a cancel asked from elsewhere."""
        ticks = 0
        while True:
            await asyncio.sleep(_WATCH_INTERVAL)
            ticks += 1
            if self.journal.dirty:
                await self.journal.flush()
            if ticks % _CANCEL_POLL_EVERY == 0 and not self._cancel_requested:
                requested = await self.engine.call_store(self.store.cancel_requested, self.run.id)
                if requested:
                    self._cancel_requested = True
                    self._wake.set()

    # -- endings ---------------------------------------------------------------------------

    async def _settle(self) -> RunResult:
        waiting = [k for k, v in self.outcomes.items() if v.status is StepStatus.WAITING]
        if waiting or len(self.outcomes) < len(self.workflow.steps):
            return await self.finish(RunStatus.WAITING, event=EventKind.RUN_WAITING)
        if self.dry_run:
            return await self.finish(RunStatus.SUCCEEDED, outputs={})
        try:
            outputs = self._workflow_outputs()
            json.dumps(outputs)
        except Exception as exc:
            error = ErrorRecord.from_exception(exc).prefixed(
                "computing the workflow's outputs failed"
            )
            return await self.finish(RunStatus.FAILED, error=error)
        return await self.finish(RunStatus.SUCCEEDED, outputs=outputs)

    def _workflow_outputs(self) -> dict[str, Any]:
        if self.workflow.outputs is not None:
            ctx = self.context(self.workflow.steps[-1], 0)
            return dict(self.workflow.outputs(ctx))
        leaves = [k for k, deps in self.workflow.dependents.items() if not deps]
        outputs = {
            k: dump_output(self.workflow.by_id[k].output_type, self._outputs.get(k))
            for k in leaves
            if self._outputs.get(k) is not None
        }
        return outputs

    async def _settle_cancelled(self, reason: str) -> RunResult:
        return await self.finish(
            RunStatus.CANCELLED, error=ErrorRecord.from_exception(RunCancelledError(reason))
        )

    async def finish(
        self,
        status: RunStatus,
        *,
        outputs: dict[str, Any] | None = None,
        error: ErrorRecord | None = None,
        event: EventKind = EventKind.RUN_FINISHED,
    ) -> RunResult:
        """Record the run's final (or waiting, or cancelled) status and its closing event."""
        finished_at = None if status in (RunStatus.WAITING, RunStatus.CANCELLED) else time.time()
        self.journal.update_run(
            RunUpdate(
                run_id=self.run.id,
                status=status,
                outputs=outputs,
                error=None if error is None else error.to_json(),
                clear_owner=True,
                clear_cancel=status is RunStatus.CANCELLED,
                finished_at=finished_at,
            )
        )
        data: dict[str, Any] = {"status": status.value, "workflow": self.workflow.name}
        if outputs is not None:
            data["outputs"] = outputs
        if error is not None:
            data["error"] = error.event_json()
        waiting = {
            k: v.request.model_dump(mode="json")
            for k, v in self.outcomes.items()
            if v.request is not None and v.status is StepStatus.WAITING
        }
        if waiting:
            data["waiting"] = waiting
        if self.dry_run:
            data["dry_run"] = True
            data["plans"] = {
                k: v.plan.model_dump(mode="json") for k, v in self.outcomes.items() if v.plan
            }
        if self.run.parent_run_id:
            data["parent_run_id"] = self.run.parent_run_id
        self.journal.event(event, message=status.value, data=data)
        if event is EventKind.RUN_WAITING:
            # Subscribers and scripts read the end of a run from run.finished; a waiting run
            # has reached the end of this execution too.
            self.journal.event(EventKind.RUN_FINISHED, message=status.value, data=data)
        await self.journal.flush()
        return RunResult(
            run_id=self.run.id,
            workflow=self.workflow.name,
            status=status,
            outputs=outputs or {},
            error=error,
            steps=dict(self.outcomes),
            compensations=dict(self.compensations),
            dry_run=self.dry_run,
            summary=dict(self.summary),
        )


def _loaded_error(record: AttemptRecord) -> ErrorRecord | None:
    """The typed error of a journaled attempt."""
    return None if record.error is None else ErrorRecord.from_json(record.error)
