"""Refactoring: analyze → plan → refactor → test → review.

    analyze (backend|frontend)  complexity and maintainability per function, duplication,
                       churn, hotspots and temporal coupling
    plan (backend|frontend)  ranked targets with their figures and proposals; --target,
                       --rename or a person chooses
    refactor (backend|frontend)  in a worktree: a codemod (rename, deprecated calls), the
                       coding agent when a model is configured, or a person
    (frontend when the target, else the top hotspot, else most of the code, is
    TypeScript/JavaScript; backend otherwise)
    test (qa)          the same tests pass before and after, coverage not lower, type check
                       not worse; otherwise the worktree is discarded and the run fails
    review (qa)        the delta per target and the diff; the patch, branch and report

The user's checkout, index and stash are never touched.
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.workflows import register_command_line
from devora.workflows.refactoring._inputs import RefactoringInputs, check_config
from devora.workflows.refactoring._present import present_refactoring
from devora.workflows.refactoring._records import (
    RefactoringPlan,
    RefactoringReview,
    SafetyNet,
    WorktreeChange,
)
from devora.workflows.refactoring._squads import (
    BACKEND,
    FRONTEND,
    analysis_squad,
    plan_squad,
    refactor_squad,
    result_of,
    when_squad,
)
from devora.workflows.refactoring._steps import (
    analyze,
    choose,
    plan_refactor,
    refactor,
    review,
    safety_net,
)

__all__ = ["refactoring", "refactoring_steps"]


def _by_squad(
    name: str, action: Any, decide: Any, needs: list[Step[Any]], **options: Any
) -> tuple[Step[Any], Step[Any]]:
    """The step `name` once per squad; the one `decide` names runs, the other is skipped."""
    backend, frontend = (
        Step(f"{name}_{squad}", action, squad=squad, needs=needs,
             when=when_squad(decide, squad), **options)
        for squad in (BACKEND, FRONTEND)
    )  # fmt: skip
    return backend, frontend


analyze_steps = _by_squad("analyze", analyze, analysis_squad, [], timeout=1800)
plan_steps = _by_squad("plan", choose, plan_squad, list(analyze_steps))
refactor_steps = _by_squad(
    "refactor",
    refactor,
    refactor_squad,
    list(plan_steps),
    side_effects=True,
    plan=plan_refactor,
    timeout=3600,
)
test_step: Step[SafetyNet] = Step(
    "test", safety_net, squad="qa", needs=list(refactor_steps), timeout=3600
)
review_step: Step[RefactoringReview] = Step(
    "review", review, squad="qa", needs=[test_step], timeout=1800
)

refactoring_steps = (*analyze_steps, *plan_steps, *refactor_steps, test_step, review_step)


def refactoring_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The refactored target, the branch and the files changed."""
    plan: RefactoringPlan = result_of(ctx, "plan")
    change: WorktreeChange = result_of(ctx, "refactor")
    net: SafetyNet = ctx.result("test")
    return {
        "target": plan.chosen[0].label,
        "branch": change.branch,
        "files_changed": list(change.files_changed),
        "done_by": change.done_by,
        "not_verified": list(net.not_run),
    }


refactoring = Workflow(
    name="refactoring",
    description="Hotspots from complexity and churn, codemods or the coding agent in a "
    "worktree, behind the tests.",
    steps=refactoring_steps,
    inputs=RefactoringInputs,
    outputs=refactoring_outputs,
    preflight=check_config,
    concurrency=1,
)
register_command_line(refactoring, positional=("path",), present=present_refactoring)
