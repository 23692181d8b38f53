"""saas-mvp with one generated test broken on purpose after generation (run by file reference
from test_workflow_run.py): the run must fail at the project's tests, with the evidence."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.workflows.saas_mvp import Architecture, saas_mvp
from devora.workflows.saas_mvp._architecture import generate_architecture, plan_architecture

BROKEN = """

def test_broken_on_purpose() -> None:
    assert 1 + 1 == 3, "broken by the saas-mvp workflow test"
"""


async def generate_then_break(ctx: StepContext[Any]) -> Architecture:
    """Generate as the workflow does, then add a failing test to the project."""
    architecture = await generate_architecture(ctx)
    first = sorted((Path(architecture.layout.root) / "tests").glob("test_*.py"))[0]
    first.write_text(first.read_text() + BROKEN)
    return architecture


broken_saas = Workflow(
    name="saas-mvp-broken",
    steps=[
        Step(
            "architecture",
            generate_then_break,
            squad="backend",
            needs=["requirements", "spec-review"],
            side_effects=True,
            plan=plan_architecture,
        )
        if step.id == "architecture"
        else step
        for step in saas_mvp.steps
    ],
    inputs=saas_mvp.inputs,
    outputs=saas_mvp.outputs,
    concurrency=saas_mvp.concurrency,
    preflight=saas_mvp.preflight,
)
