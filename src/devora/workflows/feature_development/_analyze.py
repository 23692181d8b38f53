"""analyze (business) → plan (backend) → design (backend): the PRD, the plan and the design,
each by the squad's LLM agent or, without a model, by a person through `devora complete`,
validated against its schema and kept as PRD.md, plan.md and design.md."""

from __future__ import annotations

from typing import Any

from devora.engine import StepContext
from devora.squads import AgentTask
from devora.workflows.feature_development._boundaries import find_routes, migration_tool
from devora.workflows.feature_development._documents import Design, FeaturePlan, Prd
from devora.workflows.feature_development._markdown import (
    design_markdown,
    plan_markdown,
    prd_markdown,
)
from devora.workflows.feature_development._project import project_map, project_root

__all__ = ["analyze", "design", "plan", "prd_instructions"]


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


def _design_instructions(ctx: StepContext[Any]) -> str:
    prd: Prd = ctx.result("analyze")
    plan_: FeaturePlan = ctx.result("plan")
    root = project_root(ctx)
    routes = find_routes(root)
    migrations = migration_tool(root)
    if routes:
        shown = "\n".join(f"- {route.describe()}" for route in routes[:40])
        api = ("; and an OpenAPI 3 fragment (`openapi`: its paths, each operation with its "
               "responses and path parameters) since the project serves HTTP. Its routes:\n"
               f"{shown}\n")  # fmt: skip
    else:
        api = "; the project declares no HTTP route, so likely none"
    data = (f"; the project keeps its schema in {migrations} migrations: say which changes "
            "need one" if migrations else "")  # fmt: skip
    return (
        f"Design what this feature changes at the boundaries: the API (method, path, summary"
        f"{api}), the data (tables and columns{data}), and the components (modules, "
        "classes, UI parts) that change.\n\n"
        f"PRD:\n{prd.model_dump_json()}\n\nPlan:\n{plan_.model_dump_json()}\n\n"
        f"The repository's main definitions:\n{project_map(ctx, prd.model_dump_json())}"
    )


_ANALYZE = AgentTask("business", Prd, prd_instructions, config_root=project_root)
_PLAN = AgentTask("backend", FeaturePlan, _plan_instructions, config_root=project_root)
_DESIGN = AgentTask("backend", Design, _design_instructions, config_root=project_root)


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


async def design(ctx: StepContext[Any]) -> Design:
    """The design, validated, kept as design.md (the business squad approves it next)."""
    made = await _DESIGN.run(ctx)
    ctx.add_artifact("design.md", design_markdown(made), media_type="text/markdown")
    return made
