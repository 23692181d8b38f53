"""analyze (business) → plan (backend): the PRD and the plan, each by the squad's LLM agent
or, without a model, by a person through `devora complete`, validated against its schema and
kept as PRD.md and plan.md (the design is _design.py's)."""

from __future__ import annotations

from typing import Any

from devora.engine import StepContext
from devora.squads import AgentTask
from devora.workflows.feature_development._documents import FeaturePlan, Prd
from devora.workflows.feature_development._markdown import plan_markdown, prd_markdown
from devora.workflows.feature_development._project import project_map, project_root

__all__ = ["analyze", "plan", "prd_instructions"]


def prd_instructions(ctx: StepContext[Any]) -> str:
    """What the business squad is asked: a PRD for the request."""
    request: str = ctx.inputs.request
    return (
        "Write the product requirements (PRD) for this feature request: the problem, user "
        "stories, acceptance criteria in Given/When/Then form (ids AC1, AC2, ...; each one "
        "testable by an automated test), what is out of scope, and open questions.\n\n"
        f"Feature request:\n{request}\n\n"
        f"The repository's main definitions:\n{project_map(ctx, request)}"
    )


def _plan_instructions(ctx: StepContext[Any]) -> str:
    prd: Prd = ctx.result("analyze")
    text = prd.model_dump_json()
    return (
        "Plan the work for this PRD: tasks, the squad that owns each (backend or frontend), "
        "the files each is likely to touch (from the repository map below; new files too), "
        "and which tasks each depends on. Keep it short: one task per coherent change.\n\n"
        f"PRD:\n{text}\n\nThe repository's main definitions:\n{project_map(ctx, text)}"
    )


_ANALYZE = AgentTask("business", Prd, prd_instructions, config_root=project_root)
_PLAN = AgentTask("backend", FeaturePlan, _plan_instructions, config_root=project_root)


async def analyze(ctx: StepContext[Any]) -> Prd:
    """The PRD, validated, kept as PRD.md."""
    prd = await _ANALYZE.run(ctx)
    ctx.add_artifact("PRD.md", prd_markdown(prd), media_type="text/markdown")
    ctx.log(f"PRD {prd.title!r}: {len(prd.acceptance_criteria)} acceptance criteria")
    return prd


async def plan(ctx: StepContext[Any]) -> FeaturePlan:
    """The plan, validated (dependencies known, no cycle), kept as plan.md."""
    made = await _PLAN.run(ctx)
    ctx.add_artifact("plan.md", plan_markdown(made), media_type="text/markdown")
    ctx.log(f"plan: {len(made.tasks)} task(s)")
    return made
