"""saas-mvp's deploy alone, right after generation (run by file reference from
test_workflow_deploy.py): the verifications are tested elsewhere, the deploy here; and the
same followed by a step that fails, so that the run is rolled back."""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.errors import StepError
from devora.workflows.saas_mvp import saas_mvp
from devora.workflows.saas_mvp._deploy import deploy, plan_deploy, undeploy, will_deploy

KEPT = ("requirements", "spec-review", "architecture")

deploy_only = Workflow(
    name="saas-mvp-deploy-only",
    steps=[
        *(step for step in saas_mvp.steps if step.id in KEPT),
        Step(
            "deploy",
            deploy,
            squad="devops",
            needs=["architecture"],
            when=will_deploy,
            side_effects=True,
            plan=plan_deploy,
            compensate=undeploy,
        ),
    ],
    inputs=saas_mvp.inputs,
    outputs=saas_mvp.outputs,
    preflight=saas_mvp.preflight,
)


async def fail_after_deploy(ctx: StepContext[Any]) -> None:
    """A step after the deploy that fails: the run is rolled back."""
    raise StepError("failing on purpose after the deploy")


deploy_then_fail = Workflow(
    name="saas-mvp-deploy-then-fail",
    steps=[*deploy_only.steps, Step("after", fail_after_deploy, squad="qa", needs=["deploy"])],
    inputs=saas_mvp.inputs,
    outputs=lambda ctx: {},
    preflight=saas_mvp.preflight,
)
