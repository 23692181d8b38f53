"""Feature development: analyze → plan → design → implement → test → review → deploy.

    analyze (business)  the PRD: problem, user stories, Given/When/Then acceptance criteria
    plan (backend)  tasks, their squads, the files they likely touch (from the repository
        map), their dependencies
    design_api (backend) ∥ design_ui (frontend)  API and data; UI components (only when
        the project has a front end, else recorded as not needed with the reason)
    design  both merged into design.md; a component calling an undeclared operation is
        refused and asked again; approve_design (business)
    implement (backend)  the tasks by the coding agents on devora/feature-<run-id>, each
        followed by the project's tests (or a person's commit)
    migration (data)  the migration the design asks for: on the branch, applied on a fresh
        SQLite by the migration workflow (a child run), downgraded and upgraded again
    test (qa)  a test per criterion that fails on the base and passes on the change
    gate (qa)  the quality gate on the changed lines, as a child run
    review (qa)  after a qa approval: the branch kept, feature.patch
    deploy (devops)  the configured command, after a devops approval; rollback compensates
    check (devops)  the configured check after the deploy

Every agent step is a task for a person when no model is configured. The user's checkout
is never touched: the work happens in a worktree.
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.workflows._command_line import register_command_line
from devora.workflows.feature_development._acceptance import AcceptanceReport, prove_feature
from devora.workflows.feature_development._analyze import analyze, plan
from devora.workflows.feature_development._config import load_feature_config
from devora.workflows.feature_development._deploy import (
    check_configured,
    check_deploy,
    deploy,
    deploy_configured,
    plan_deploy,
    roll_back,
)
from devora.workflows.feature_development._design import design, design_api, design_ui
from devora.workflows.feature_development._documents import Design, Prd
from devora.workflows.feature_development._implement import (
    implement,
    plan_implement,
    undo_implement,
)
from devora.workflows.feature_development._inputs import FeatureInputs
from devora.workflows.feature_development._migration_check import MigrationCheck, check_migration
from devora.workflows.feature_development._preflight import preflight
from devora.workflows.feature_development._project import project_root
from devora.workflows.feature_development._review import (
    KeptFeature,
    gate_changed_lines,
    keep_feature,
    plan_keep,
)

__all__ = ["feature_development", "feature_development_outputs", "feature_development_steps"]

TEST_TIMEOUT = 3600


def approved_design(ctx: StepContext[Any]) -> Design:
    """The design, as the business squad approved it."""
    return ctx.result("design")  # type: ignore[no-any-return]


def _live(ctx: StepContext[Any]) -> bool:
    return not ctx.dry_run


analyze_step: Step[Prd] = Step("analyze", analyze, squad="business")
plan_step = Step("plan", plan, squad="backend", needs=[analyze_step])
design_api_step = Step("design_api", design_api, squad="backend", needs=[plan_step],
                       description="The API and data this feature changes (backend).")  # fmt: skip
design_ui_step = Step("design_ui", design_ui, squad="frontend", needs=[plan_step],
                      description="The UI components this feature changes (frontend).")  # fmt: skip
design_step = Step(
    "design",
    design,
    squad="frontend",
    needs=[design_api_step, design_ui_step],
    description="design.md from both parts; a component calling an operation nobody declares "
    "is asked again (frontend).",
)
approve_design_step = Step(
    "approve_design",
    approved_design,
    squad="business",
    needs=[design_step],
    approval="business",
    description="Approve design.md (business) before any code is written.",
)
implement_step = Step(
    "implement",
    implement,
    squad="backend",
    needs=[approve_design_step],
    side_effects=True,
    plan=plan_implement,
    compensate=undo_implement,
    timeout=TEST_TIMEOUT,
    description="The plan's tasks by the coding agents on devora/feature-<run-id>.",
)
migration_step: Step[MigrationCheck] = Step(
    "migration",
    check_migration,
    squad="data",
    needs=[implement_step],
    when=_live,
    timeout=TEST_TIMEOUT,
    description="The migration the design asks for: added, applied, downgraded (a child run).",
)
test_step: Step[AcceptanceReport] = Step(
    "test", prove_feature, squad="qa", needs=[migration_step], when=_live, timeout=TEST_TIMEOUT
)
gate_step = Step("gate", gate_changed_lines, squad="qa", needs=[test_step], when=_live,
                 description="The quality gate on the changed lines, as a child run.")  # fmt: skip
review_step: Step[KeptFeature] = Step(
    "review",
    keep_feature,
    squad="qa",
    needs=[gate_step],
    approval="qa",
    side_effects=True,
    plan=plan_keep,
    description="Keep the tested feature on devora/feature-<run-id>: approve to keep it.",
)
deploy_step = Step(
    "deploy",
    deploy,
    squad="devops",
    needs=[review_step],
    when=deploy_configured,
    approval="devops",
    side_effects=True,
    plan=plan_deploy,
    compensate=roll_back,
    description="The configured deploy command (staging by default): approve to deploy.",
)
check_step = Step("check", check_deploy, squad="devops", needs=[deploy_step],
                  when=lambda ctx: _live(ctx) and check_configured(ctx))  # fmt: skip

feature_development_steps = (
    analyze_step,
    plan_step,
    design_api_step,
    design_ui_step,
    design_step,
    approve_design_step,
    implement_step,
    migration_step,
    test_step,
    gate_step,
    review_step,
    deploy_step,
    check_step,
)


def feature_development_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The PRD's title, the proof, the gate, the kept branch and the deploy."""
    prd: Prd | None = ctx.result("analyze")
    proven: AcceptanceReport | None = ctx.result("test")
    migrated: MigrationCheck | None = ctx.result("migration")
    gate = ctx.result("gate")
    kept: KeptFeature | None = ctx.result("review")
    environment = ctx.inputs.environment
    if environment not in load_feature_config(project_root(ctx)).deploy:
        deployed = f"not run: no deploy command configured for {environment}"
    elif ctx.result("deploy") is not None:
        deployed = f"deployed to {environment}"
    else:
        deployed = "not run"
    return {
        "feature": prd.title if prd is not None else None,
        "criteria": len(prd.acceptance_criteria) if prd is not None else 0,
        "migration": migrated.status if migrated is not None else None,
        "proven": proven.accepted if proven is not None else None,
        "gate_passed": gate.get("passed") if isinstance(gate, dict) else None,
        "branch": kept.branch if kept is not None else None,
        "commit": kept.commit if kept is not None else None,
        "deploy": deployed,
    }


feature_development = Workflow(
    name="feature-development",
    description="From a request to a tested change: PRD, plan, design, code, proof, review, "
    "deploy.",
    steps=feature_development_steps,
    inputs=FeatureInputs,
    outputs=feature_development_outputs,
    preflight=preflight,
    concurrency=2,
)
register_command_line(feature_development, positional=("path",))
