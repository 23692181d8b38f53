"""What one execution knows of its run: its steps' outcomes so far, rebuilt from the journal.

Replay reads the committed attempts once, at the start; each later outcome updates the
same state (`_release`), so the scheduler only asks it which steps are ready.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from devora.engine._error_record import ErrorRecord
from devora.engine._journal import Journal
from devora.engine._outcome import StepOutcome, load_output
from devora.engine._workflow import Step, Workflow
from devora.errors import StepError
from devora.store import AnswerRecord, AttemptRecord, Phase, RunRecord, StepStatus, Store

if TYPE_CHECKING:
    from devora.engine._engine import Engine

__all__ = ["RunState", "loaded_error"]


class RunState:
    """One run's execution state: its steps' outcomes and outputs, and which are ready."""

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
                    status=record.status, error=loaded_error(record), replayed=True
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
                error=loaded_error(record),
                attempt=record.attempt,
                replayed=True,
            )
            self.failed_step = self.failed_step or step.id

    def _is_done(self, step_id: str) -> bool:
        outcome = self.outcomes.get(step_id)
        return outcome is not None and outcome.status.done

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

    def next_attempt(self, step: Step[Any]) -> int:
        """The number of the step's next attempt (numbers continue across resumes)."""
        attempt = self._next_attempt.get(step.id, 1)
        self._next_attempt[step.id] = attempt + 1
        return attempt

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


def loaded_error(record: AttemptRecord) -> ErrorRecord | None:
    """The typed error of a journaled attempt."""
    return None if record.error is None else ErrorRecord.from_json(record.error)
