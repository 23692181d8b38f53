"""The quality gate as a child run of the release, imported only when it is asked for."""

from __future__ import annotations

import importlib
from typing import Any

from devora.engine import Action, StepContext, SubWorkflow, Workflow
from devora.errors import StepError
from devora.workflows.release._records import RepositoryState

__all__ = ["QUALITY_GATE", "RunQualityGate"]

QUALITY_GATE = "devora.workflows.quality_gate:quality_gate"


def _load_gate() -> Workflow:
    module_name, _, attribute = QUALITY_GATE.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as error:
        raise StepError(
            f"the quality gate is not available: cannot import {module_name} ({error})",
            hint="run the release without --quality-gate, or install a Devora with the "
            "quality-gate workflow",
        ) from error
    gate = getattr(module, attribute, None)
    if not isinstance(gate, Workflow):
        raise StepError(f"{QUALITY_GATE} is not a workflow")
    return gate


class RunQualityGate(Action[dict[str, Any]]):
    """Run the quality gate on the repository as a child run; its failure stops the release."""

    async def run(self, ctx: StepContext[Any]) -> dict[str, Any]:
        gate = _load_gate()
        state: RepositoryState = ctx.result("validate")
        fields = gate.inputs.model_fields
        inputs = {"path": state.root} if "path" in fields else {}
        return await SubWorkflow(gate, inputs=inputs).run(ctx)

    def output_type(self) -> Any:
        return dict[str, Any]
