"""Bug resolution: reproduce → diagnose (culprit ∥ localize) → fix → test → review.

    reproduce (qa)  the reproducer repeated at HEAD: reproduced, flaky or not reproduced
    culprit (qa)  k-ary bisection in detached worktrees: the first bad commit
    localize (qa)  spectrum-based fault localization: the top suspicious functions
    fix_backend / fix_frontend  candidates, each on its own branch: the culprit reverted,
        the coding agent (up to 3 attempts), or a person; the first accepted is kept
    test (qa)  FAIL_TO_PASS (repeated) and PASS_TO_PASS, test id by test id
    gate (qa)  the quality gate on the changed lines, as a child run
    comment (qa)  an LLM review comment, when a model is configured
    review (qa)  after a qa approval: the fix kept on devora/fix-<run-id>, patch, report

The user's checkout, index and stash are never touched: everything happens in worktrees.
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.squads import AgentTask
from devora.workflows._command_line import register_command_line
from devora.workflows.bug_resolution._diagnose import find_culprit, localize
from devora.workflows.bug_resolution._fix import fixing_squad, plan_fix, try_fixes, undo_fix
from devora.workflows.bug_resolution._inputs import BugInputs, Component
from devora.workflows.bug_resolution._llm import model_configured
from devora.workflows.bug_resolution._preflight import preflight
from devora.workflows.bug_resolution._records import FixOutcome, ReproductionReport
from devora.workflows.bug_resolution._reproduce import reproduce_bug
from devora.workflows.bug_resolution._review import (
    KeptFix,
    ReviewComment,
    fix_outcome,
    gate_changed_lines,
    keep_fix,
    plan_keep,
    review_instructions,
    test_fix,
)

__all__ = ["bug_resolution", "bug_resolution_outputs", "bug_resolution_steps"]

TEST_TIMEOUT = 3600

reproduce_step: Step[ReproductionReport] = Step(
    "reproduce", reproduce_bug, squad="qa", timeout=TEST_TIMEOUT
)
culprit_step = Step("culprit", find_culprit, squad="qa", needs=[reproduce_step],
                    timeout=TEST_TIMEOUT)  # fmt: skip
localize_step = Step("localize", localize, squad="qa", needs=[reproduce_step],
                     timeout=TEST_TIMEOUT)  # fmt: skip


def _fix_step(squad: Component) -> Step[FixOutcome]:
    return Step(
        f"fix_{squad.value}",
        try_fixes,
        squad=squad.value,
        needs=[culprit_step, localize_step],
        when=lambda ctx: fixing_squad(ctx) is squad,
        side_effects=True,
        plan=plan_fix,
        compensate=undo_fix,
        description=f"Candidate fixes by the {squad} squad, each on its own branch.",
    )


fix_backend_step = _fix_step(Component.BACKEND)
fix_frontend_step = _fix_step(Component.FRONTEND)


def _live(ctx: StepContext[Any]) -> bool:
    return not ctx.dry_run


test_step = Step("test", test_fix, squad="qa", needs=[fix_backend_step, fix_frontend_step],
                 when=_live, timeout=TEST_TIMEOUT)  # fmt: skip
gate_step = Step(
    "gate",
    gate_changed_lines,
    squad="qa",
    needs=[test_step],
    when=_live,
    description="The quality gate on the fix's changed lines, as a child run.",
)
comment_step = Step(
    "comment",
    AgentTask("qa", ReviewComment, review_instructions),
    squad="qa",
    needs=[test_step],
    when=lambda ctx: _live(ctx) and model_configured(ctx),
)
review_step: Step[KeptFix] = Step(
    "review",
    keep_fix,
    squad="qa",
    needs=[gate_step, comment_step],
    approval="qa",
    side_effects=True,
    plan=plan_keep,
    description="Keep the tested fix on devora/fix-<run-id>: approve to keep it.",
)

bug_resolution_steps = (
    reproduce_step,
    culprit_step,
    localize_step,
    fix_backend_step,
    fix_frontend_step,
    test_step,
    gate_step,
    comment_step,
    review_step,
)


def bug_resolution_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The reproduction, the culprit, the chosen fix and the branch it is kept on."""
    reproduction: ReproductionReport = ctx.result("reproduce")
    bisect = ctx.result("culprit")
    outcome = fix_outcome(ctx)
    chosen = outcome.chosen if outcome is not None else None
    kept = ctx.result("review")
    return {
        "reproduction": reproduction.status.value,
        "culprit": bisect.culprit.hash if bisect is not None and bisect.culprit else None,
        "fix": chosen.label if chosen is not None else None,
        "branch": kept.branch if kept is not None else None,
        "commit": kept.commit if kept is not None else None,
    }


bug_resolution = Workflow(
    name="bug-resolution",
    description="Reproduce, bisect, localize, repair and prove it (FAIL_TO_PASS, PASS_TO_PASS).",
    steps=bug_resolution_steps,
    inputs=BugInputs,
    outputs=bug_resolution_outputs,
    preflight=preflight,
    concurrency=2,
)
register_command_line(bug_resolution, positional=("path",))
