"""A step that runs another workflow as a child run, linked to its parent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from devora.engine._action import Action, Plan
from devora.engine._context import StepContext, StepSuspended, WaitRequest
from devora.engine._workflow import Workflow
from devora.errors import StepError
from devora.store import RunStatus

__all__ = ["SubWorkflow"]

InputsFunction = Callable[[StepContext[Any]], Mapping[str, Any]]


class SubWorkflow(Action[dict[str, Any]]):
    """Run `workflow` as a child run; its outputs become this step's output.

    The child's id is `<parent run id>.<step id>`, so a resumed parent finds and resumes
    its child instead of starting another. A dry-run parent runs a dry-run child.
    """

    def __init__(
        self, workflow: Workflow, inputs: Mapping[str, Any] | InputsFunction | None = None
    ) -> None:
        self.workflow = workflow
        self.inputs = inputs

    @property
    def name(self) -> str:
        return f"workflow:{self.workflow.name}"

    async def run(self, ctx: StepContext[Any]) -> dict[str, Any]:
        inputs = self.inputs(ctx) if callable(self.inputs) else dict(self.inputs or {})
        execution = ctx._execution
        result = await execution.engine.run_child(
            self.workflow,
            inputs,
            parent=execution.run,
            parent_step_id=ctx.step_id,
            dry_run=ctx.dry_run,
        )
        if result.status is RunStatus.SUCCEEDED:
            return result.outputs
        if result.status is RunStatus.WAITING:
            raise StepSuspended(
                WaitRequest(
                    kind="child",
                    key=ctx.step_id,
                    prompt=f"child run {result.run_id} ({self.workflow.name}) is waiting",
                    child_run_id=result.run_id,
                )
            )
        message = result.error.message if result.error else ""
        raise StepError(
            f"child run {result.run_id} ({self.workflow.name}) ended {result.status.value}"
            + (f": {message}" if message else ""),
            hint=f"see `devora status {result.run_id}`",
        )

    async def plan(self, ctx: StepContext[Any]) -> Plan:
        # A dry-run child changes nothing either, so planning is running it as a dry-run.
        outputs = await self.run(ctx)
        return Plan(summary=f"dry-run of {self.workflow.name}", predicted_output=outputs)

    def output_type(self) -> Any:
        return dict[str, Any]
