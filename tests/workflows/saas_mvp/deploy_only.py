"""saas-mvp's deploy alone, right after generation (run by file reference from
test_workflow_deploy.py): the verifications are tested elsewhere, the deploy here."""

from __future__ import annotations

from devora.engine import Step, Workflow
from devora.workflows.saas_mvp import saas_mvp
from devora.workflows.saas_mvp._deploy import deploy, plan_deploy, will_deploy

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
        ),
    ],
    inputs=saas_mvp.inputs,
    outputs=saas_mvp.outputs,
    preflight=saas_mvp.preflight,
)
