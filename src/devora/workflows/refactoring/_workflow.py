"""Refactoring: analyze → plan → refactor → test → review.

    analyze (backend)  complexity and maintainability per function, duplication, churn,
                       hotspots and temporal coupling
    plan (backend)     ranked targets with their figures and proposals; --target, --rename
                       or a person chooses
    refactor (backend) in a worktree: a codemod (rename, deprecated calls), the coding agent
                       when a model is configured, or a person
    test (qa)          the same tests pass before and after, coverage not lower, type check
                       not worse; otherwise the worktree is discarded and the run fails
    review (qa)        the delta per target and the diff; the patch, branch and report

The user's checkout, index and stash are never touched.
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.tools.metrics import ProjectAnalysis
from devora.workflows import register_command_line
from devora.workflows.refactoring._inputs import RefactoringInputs
from devora.workflows.refactoring._present import present_refactoring
from devora.workflows.refactoring._records import (
    RefactoringPlan,
    RefactoringReview,
    SafetyNet,
    WorktreeChange,
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

analyze_step: Step[ProjectAnalysis] = Step("analyze", analyze, squad="backend", timeout=1800)
plan_step: Step[RefactoringPlan] = Step("plan", choose, squad="backend", needs=[analyze_step])
refactor_step: Step[WorktreeChange] = Step(
    "refactor",
    refactor,
    squad="backend",
    needs=[plan_step],
    side_effects=True,
    plan=plan_refactor,
    timeout=3600,
)
test_step: Step[SafetyNet] = Step(
    "test", safety_net, squad="qa", needs=[refactor_step], timeout=3600
)
review_step: Step[RefactoringReview] = Step(
    "review", review, squad="qa", needs=[test_step], timeout=1800
)

refactoring_steps = (analyze_step, plan_step, refactor_step, test_step, review_step)


def refactoring_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The refactored target, the branch and the files changed."""
    plan: RefactoringPlan = ctx.result("plan")
    change: WorktreeChange = ctx.result("refactor")
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
    concurrency=1,
)
register_command_line(refactoring, positional=("path",), present=present_refactoring)
