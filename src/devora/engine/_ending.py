"""How an execution ends: the run's status settled, its closing events committed."""

from __future__ import annotations

import json
import time
from typing import Any

from devora.engine._durable_step import DurableSteps
from devora.engine._error_record import ErrorRecord
from devora.engine._outcome import RunResult, dump_output
from devora.errors import RunCancelledError
from devora.store import EventKind, RunStatus, RunUpdate, StepStatus

__all__ = ["RunEnding"]


class RunEnding(DurableSteps):
    """The end of an execution: succeeded, failed, waiting or cancelled, and its result."""

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
