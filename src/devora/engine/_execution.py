"""One execution of one run: the scheduler that starts each step once its needs are done.

The run's state and replay are `RunState`'s (`_run_state`), the durable path of a step
`DurableSteps`' (`_durable_step`), the end of the run `RunEnding`'s (`_ending`), and the
rollback of a failed run the saga's (`_saga`).
"""

from __future__ import annotations

import asyncio
import functools
import threading
from typing import Any

from devora.engine._context import StepContext, WaitRequest
from devora.engine._ending import RunEnding
from devora.engine._error_record import ErrorRecord
from devora.engine._outcome import RunResult, StepOutcome
from devora.engine._saga import fail_and_compensate
from devora.engine._workflow import Step
from devora.errors import StepRejectedError
from devora.store import EventKind, LeaseLostError, StepStatus

__all__ = ["RunExecution"]

_WATCH_INTERVAL = 0.25
_CANCEL_POLL_EVERY = 2  # watcher ticks between two looks at the store's cancel flag


class RunExecution(RunEnding):
    """Drives one run from its journal to its end (or to waiting, or cancelled)."""

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
