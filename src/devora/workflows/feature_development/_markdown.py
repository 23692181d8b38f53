"""PRD.md, plan.md and design.md: the validated documents as people read them."""

from __future__ import annotations

import json

from devora.workflows.feature_development._documents import Design, FeaturePlan, Prd

__all__ = ["design_markdown", "plan_markdown", "prd_markdown"]


def _bullets(items: list[str], empty: str = "none") -> list[str]:
    return [f"- {item}" for item in items] or [f"- {empty}"]


def prd_markdown(prd: Prd) -> str:
    """The PRD: problem, user stories, Given/When/Then criteria, scope and questions."""
    lines = [f"# {prd.title}", "", "## Problem", "", prd.problem, "", "## User stories", ""]
    lines += [f"- As {s.as_a}, I want {s.i_want}, so that {s.so_that}." for s in prd.user_stories]
    lines += ["", "## Acceptance criteria", ""]
    for criterion in prd.acceptance_criteria:
        lines += [
            f"- **{criterion.id}**",
            f"  - Given {criterion.given}",
            f"  - When {criterion.when}",
            f"  - Then {criterion.then}",
        ]
    lines += ["", "## Out of scope", "", *_bullets(prd.out_of_scope)]
    lines += ["", "## Open questions", "", *_bullets(prd.open_questions)]
    return "\n".join(lines) + "\n"


def plan_markdown(plan: FeaturePlan) -> str:
    """The plan: one row per task, in the order they are done."""
    lines = [
        "# Plan",
        "",
        "| # | task | squad | files | after |",
        "| --- | --- | --- | --- | --- |",
    ]
    for number, task in enumerate(plan.ordered(), 1):
        files = ", ".join(f"`{f}`" for f in task.files) or "-"
        after = ", ".join(task.depends_on) or "-"
        lines.append(
            f"| {number} | **{task.id}** {task.title} | {task.squad} | {files} | {after} |"
        )
    details = [f"- **{t.id}**: {t.description}" for t in plan.ordered() if t.description]
    if details:
        lines += ["", *details]
    return "\n".join(lines) + "\n"


def design_markdown(design: Design) -> str:
    """The design: API and data (backend), then the components of both squads."""
    lines = ["# Design", "", design.summary, "", "## API (backend)", ""]
    lines += [f"- `{c.method} {c.path}`: {c.summary}" for c in design.api] or ["- no change"]
    if design.openapi:
        lines += ["", "```json", json.dumps(design.openapi, indent=2, sort_keys=True), "```"]
    lines += ["", "## Data (backend)", ""]
    lines += [
        f"- table `{c.table}`: {', '.join(c.columns) or 'no column change'}"
        + (" (migration)" if c.migration else "")
        for c in design.data
    ] or ["- no change"]
    lines += ["", "## Components (backend)", ""]
    lines += [f"- `{c.name}`: {c.change}" for c in design.components] or ["- no change"]
    lines += ["", "## Components (frontend)", ""]
    if design.ui_not_needed is not None:
        lines.append(f"- not needed: {design.ui_not_needed}")
    else:
        lines += [design.ui_summary, "", "| component | route | props | state | calls |",
                  "| --- | --- | --- | --- | --- |"]  # fmt: skip
        for c in design.ui:
            props = ", ".join(f"{f.name}: {f.type}" for f in c.props) or "-"
            state = ", ".join(f"{f.name}: {f.type}" for f in c.state) or "-"
            calls = ", ".join(f"`{op}`" for op in c.uses) or "-"
            lines.append(f"| **{c.name}** ({c.change}) | {c.route or '-'} | {props} | {state} "
                         f"| {calls} |")  # fmt: skip
    return "\n".join(lines) + "\n"
