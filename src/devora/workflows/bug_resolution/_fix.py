"""fix (backend or frontend): candidates tried in order until one passes FAIL_TO_PASS and
PASS_TO_PASS — the culprit reverted; the coding agent, up to three attempts, each told why
the previous one was rejected; a person, when no model is configured."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from devora.engine import Plan, StepContext
from devora.errors import DevoraError
from devora.tools.bisect import BisectReport
from devora.workflows.bug_resolution._candidates import (
    agent_candidate,
    discard,
    human_candidate,
    revert_candidate,
)
from devora.workflows.bug_resolution._inputs import BugInputs, Component
from devora.workflows.bug_resolution._llm import coding_member
from devora.workflows.bug_resolution._records import (
    Candidate,
    CandidateKind,
    FixOutcome,
    LocalizationReport,
    ReproductionReport,
)

__all__ = ["MAX_ATTEMPTS", "fixing_squad", "plan_fix", "try_fixes", "undo_fix"]

MAX_ATTEMPTS = 3
_FRONTEND = (".ts", ".tsx", ".js", ".jsx", ".mjs", ".vue", ".svelte", ".css", ".scss", ".html")
_DIFF_IN_TASK = 12_000


def fixing_squad(ctx: StepContext[BugInputs]) -> Component:
    """--component, else where the fault is localized (frontend files), else backend."""
    if ctx.inputs.component is not None:
        return ctx.inputs.component
    found: LocalizationReport | None = ctx.result("localize")
    top = found.suspects[0].file if found and found.suspects else ""
    return Component.FRONTEND if top.endswith(_FRONTEND) else Component.BACKEND


def diagnosis(ctx: StepContext[Any], feedback: str = "") -> str:
    """The whole diagnosis, for the agent or the person who fixes the bug."""
    reproduction: ReproductionReport = ctx.result("reproduce")
    bisect: BisectReport = ctx.result("culprit")
    found: LocalizationReport = ctx.result("localize")
    lines = [
        "Fix the bug this reproducer shows, with the smallest change to the code under test. "
        "Do not change or delete tests; every test that passes now must still pass.",
        "",
        f"Reproducer ({reproduction.status}, {reproduction.failed} of "
        f"{len(reproduction.runs)} runs failed): {reproduction.reproducer.describe()}",
        "Its output:",
        reproduction.runs[-1].output_tail,
        "",
    ]
    if bisect.culprit is not None:
        culprit = bisect.culprit
        lines += [
            f"Bisection names the commit that introduced it: {culprit.hash[:12]} "
            f"{culprit.subject!r} by {culprit.author} ({culprit.date})",
            culprit.diff[:_DIFF_IN_TASK],
            "",
        ]
    elif bisect.always_bad:
        lines += ["Bisection: the bug was there in every commit tried.", ""]
    if found.suspects:
        lines.append("Most suspicious functions (spectrum-based fault localization):")
        lines += [
            f"- {s.file}:{s.line} {s.function} (score {s.score}"
            + (", in the failure's traceback)" if s.in_traceback else ")")
            for s in found.suspects
        ]
        lines.append("")
    if feedback:
        lines += ["Your previous attempt was rejected:", feedback]
    return "\n".join(lines)


async def try_fixes(ctx: StepContext[BugInputs]) -> FixOutcome:
    """Try the candidates in order; stop at the first accepted one."""
    reproduction: ReproductionReport = ctx.result("reproduce")
    bisect: BisectReport = ctx.result("culprit")
    squad = fixing_squad(ctx)
    top = Path(reproduction.repository)
    repeat = ctx.inputs.repeat
    candidates: list[Candidate] = []

    async def judged(candidate: Candidate) -> bool:
        candidates.append(candidate)
        verdict = "accepted" if candidate.accepted else f"rejected: {candidate.rejected_because}"
        ctx.log(f"candidate {candidate.label}: {verdict}")
        if not candidate.accepted:
            await discard(top, candidate.branch, candidate.worktree)
        return candidate.accepted

    if bisect.culprit is not None and await judged(
        await revert_candidate(ctx, reproduction, bisect.culprit, repeat)
    ):
        return FixOutcome(squad=squad, candidates=candidates)
    config, member = coding_member(top, squad.value)
    if member is None:
        prompt = (
            f"{diagnosis(ctx, _feedback(candidates))}\n\nMake the fix in a worktree of your own "
            f"(`git worktree add -b my-fix ../my-fix {reproduction.base[:12]}`), commit it, and "
            "give the commit."
        )
        await judged(await human_candidate(ctx, reproduction, prompt, repeat))
        return FixOutcome(squad=squad, candidates=candidates)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        task = diagnosis(ctx, _feedback(candidates))
        try:
            candidate = await agent_candidate(
                ctx, reproduction, config, member, task, attempt, repeat
            )
        except DevoraError as error:
            # A model that fails (budget, limits, no sandbox) ends the attempts, not the run.
            ctx.log(f"agent attempt {attempt} failed: {error}")
            candidates.append(
                Candidate(
                    kind=CandidateKind.AGENT,
                    label=f"agent-{attempt}",
                    base=reproduction.base,
                    rejected_because=f"the agent failed: {error.message}",
                )
            )
            break
        if await judged(candidate):
            break
    return FixOutcome(squad=squad, candidates=candidates)


def _feedback(candidates: list[Candidate]) -> str:
    if not candidates or candidates[-1].judgement is None:
        return ""
    last = candidates[-1]
    assert last.judgement is not None
    failures = "\n\n".join(f"{test}:\n{text}" for test, text in last.judgement.failures.items())
    return f"{last.label}: {last.rejected_because}\n{failures}".strip()


async def plan_fix(ctx: StepContext[BugInputs]) -> Plan:
    """Which candidates would be tried, on which branches (nothing is made in a dry-run)."""
    bisect: BisectReport = ctx.result("culprit")
    reproduction: ReproductionReport = ctx.result("reproduce")
    squad = fixing_squad(ctx)
    changes = []
    if bisect.culprit is not None:
        changes.append(f"revert {bisect.culprit.hash[:12]} on devora/fix-{ctx.run_id}-revert")
    member = coding_member(Path(reproduction.repository), squad.value)[1]
    changes.append(
        f"the {squad} squad's coding agent ({member.model}), up to {MAX_ATTEMPTS} attempts"
        if member is not None
        else f"a task for a person of the {squad} squad (no model configured)"
    )
    return Plan(summary=f"would try {len(changes)} kind(s) of fix", changes=changes)


async def undo_fix(ctx: StepContext[BugInputs]) -> None:
    """Compensation: the accepted candidate's worktree and branch go (the review refused it)."""
    outcome: FixOutcome | None = ctx.result(ctx.step_id)
    reproduction: ReproductionReport = ctx.result("reproduce")
    chosen = outcome.chosen if outcome is not None else None
    if chosen is not None:
        await discard(Path(reproduction.repository), chosen.branch, chosen.worktree)
        ctx.log(f"removed candidate branch {chosen.branch}")
