"""test (qa): the chosen fix judged again, as the report's evidence; review (qa): the quality
gate on the changed lines as a child run, an LLM review comment when a model is configured,
and an approval before the fix's branch devora/fix-<run-id> is kept."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from devora.engine import Plan, StepContext, SubWorkflow, Workflow
from devora.errors import StepError
from devora.tools.git import run_git
from devora.workflows.bug_resolution._candidates import discard
from devora.workflows.bug_resolution._errors import NoFixError
from devora.workflows.bug_resolution._inputs import BugInputs
from devora.workflows.bug_resolution._judge import judge_candidate
from devora.workflows.bug_resolution._records import (
    Candidate,
    FixOutcome,
    Judgement,
    ReproductionReport,
)
from devora.workflows.bug_resolution._report import write_report

__all__ = [
    "KeptFix",
    "ReviewComment",
    "chosen_fix",
    "fix_outcome",
    "gate_changed_lines",
    "keep_fix",
    "plan_keep",
    "review_instructions",
    "test_fix",
]

QUALITY_GATE = "devora.workflows.quality_gate:quality_gate"
_LINKED = (".venv", "venv", "node_modules")


class ReviewComment(BaseModel):
    """The LLM reviewer's comment on the fix."""

    comment: str = Field(description="the review: is the fix right, minimal, and complete?")
    concerns: list[str] = Field(default_factory=list, description="what a person should check")


class KeptFix(BaseModel):
    """The branch the fix is kept on."""

    branch: str
    commit: str
    patch_artifact: str


def fix_outcome(ctx: StepContext[Any]) -> FixOutcome | None:
    """The fix step's outcome (whichever squad's step ran)."""
    for step in ("fix_backend", "fix_frontend"):
        outcome: FixOutcome | None = ctx.result(step)
        if outcome is not None:
            return outcome
    return None


def chosen_fix(ctx: StepContext[Any]) -> Candidate:
    """The accepted candidate; NoFixError (with the report written) when there is none."""
    outcome = fix_outcome(ctx)
    chosen = outcome.chosen if outcome is not None else None
    if chosen is None or chosen.worktree is None:
        write_report(ctx, **_parts(ctx))
        candidates = outcome.candidates if outcome is not None else []
        raise NoFixError([f"{c.label}: {c.rejected_because}" for c in candidates])
    return chosen


async def test_fix(ctx: StepContext[BugInputs]) -> Judgement:
    """FAIL_TO_PASS (repeated) and PASS_TO_PASS on the chosen fix, test id by test id."""
    chosen = chosen_fix(ctx)
    reproduction: ReproductionReport = ctx.result("reproduce")
    assert chosen.worktree is not None
    judgement = await judge_candidate(Path(chosen.worktree), reproduction, ctx.inputs.repeat)
    ctx.log(
        f"FAIL_TO_PASS {judgement.fail_to_pass_passed}/{judgement.fail_to_pass_runs}; "
        f"PASS_TO_PASS {judgement.pass_to_pass_checked - len(judgement.pass_to_pass_broken)}"
        f"/{judgement.pass_to_pass_checked}"
    )
    if not judgement.accepted:
        write_report(ctx, **_parts(ctx), evidence=judgement)
        raise StepError(
            f"the fix {chosen.label} failed when tested again: {judgement.reasons()}",
            hint="the reproducer or the tests are flaky; see report.md",
        )
    return judgement


def _load_gate() -> Workflow:
    module, _, attribute = QUALITY_GATE.partition(":")
    gate = getattr(importlib.import_module(module), attribute)
    assert isinstance(gate, Workflow)
    return gate


async def gate_changed_lines(ctx: StepContext[BugInputs]) -> dict[str, Any]:
    """The quality gate on the lines the fix changed, as a child run; its verdict goes to the
    reviewer (a failing gate is reported, the approver decides)."""
    chosen = chosen_fix(ctx)
    assert chosen.worktree is not None
    worktree = Path(chosen.worktree)
    repository = Path(ctx.result("reproduce").repository)
    for name in _LINKED:  # the project's environment, which the worktree does not hold
        if (repository / name).exists() and not (worktree / name).exists():
            (worktree / name).symlink_to(repository / name)
    inputs = {"path": str(worktree), "changed": True, "base": chosen.base, "cache": False}
    try:
        return await SubWorkflow(_load_gate(), inputs=inputs).run(ctx)
    except StepError as error:
        ctx.log(f"quality gate: {error.message}")
        return {"passed": False, "error": error.message}


def review_instructions(ctx: StepContext[Any]) -> str:
    """What the LLM reviewer is asked."""
    chosen = chosen_fix(ctx)
    reproduction: ReproductionReport = ctx.result("reproduce")
    return (
        "Review this fix of a bug. The reproducer "
        f"`{reproduction.reproducer.describe()}` failed before and passes now; every test that "
        "passed before still passes. Is the fix right, minimal and complete? Name concerns a "
        f"person should check.\n\n{chosen.summary}\n\n{chosen.patch[:20_000]}"
    )


def _branch(ctx: StepContext[Any]) -> str:
    return f"devora/fix-{ctx.run_id}"


async def plan_keep(ctx: StepContext[BugInputs]) -> Plan:
    """The branch that would be kept."""
    return Plan(summary=f"would keep the fix on {_branch(ctx)}", changes=[_branch(ctx)])


async def keep_fix(ctx: StepContext[BugInputs]) -> KeptFix:
    """After the qa approval: the fix on devora/fix-<run-id>, its patch and the report."""
    chosen = chosen_fix(ctx)
    reproduction: ReproductionReport = ctx.result("reproduce")
    repository = Path(reproduction.repository)
    assert chosen.commit is not None
    await run_git(repository, ["branch", "--force", _branch(ctx), chosen.commit])
    await discard(repository, chosen.branch, chosen.worktree)
    patch = ctx.add_artifact("fix.patch", chosen.patch, media_type="text/x-diff")
    kept = KeptFix(branch=_branch(ctx), commit=chosen.commit, patch_artifact=str(patch))
    write_report(ctx, **_parts(ctx), kept=kept)
    ctx.log(f"kept the fix on {kept.branch} ({kept.commit[:12]})")
    return kept


def _parts(ctx: StepContext[Any]) -> dict[str, Any]:
    return {
        "reproduction": ctx.result("reproduce"),
        "bisect": ctx.result("culprit"),
        "localization": ctx.result("localize"),
        "fix": fix_outcome(ctx),
        "evidence": _maybe(ctx, "test"),
        "gate": _maybe(ctx, "gate"),
        "comment": _maybe(ctx, "comment"),
    }


def _maybe(ctx: StepContext[Any], step: str) -> Any:
    try:
        return ctx.result(step)
    except StepError:  # a step that has not run yet has no result
        return None
