"""The refactoring report, in Markdown and JSON."""

from __future__ import annotations

import json

from devora.workflows.refactoring._records import (
    Figures,
    RefactoringPlan,
    RefactoringReview,
    SafetyNet,
    WorktreeChange,
)

__all__ = ["render_json", "render_markdown"]

_PATCH_LINES = 200


def _figures(figures: Figures | None) -> str:
    if figures is None:
        return "(gone)"
    return (
        f"complexity {figures.complexity}, MI {figures.maintainability}, "
        f"duplicated {_or_not_measured(figures.duplicated_lines)}, lines {figures.lines}"
    )


def _or_not_measured(figure: object) -> str:
    return "not measured" if figure is None else str(figure)


def _measured(name: str, before: object, after: object, net: SafetyNet, prefix: str) -> str:
    if before is None:  # not run: say why, never show it as a figure that held
        reason = next((r for r in net.not_run if r.startswith(prefix)), f"{name} not run")
        return f"- not verified (optional): {reason}"
    return f"- {name}: {before} -> {after}"


def render_markdown(
    plan: RefactoringPlan,
    change: WorktreeChange,
    net: SafetyNet,
    review: RefactoringReview,
    patch: str,
) -> str:
    """The report a person reads: targets, how the change was made, the safety net, deltas."""
    where = f"`{plan.analysis.root}` at `{plan.analysis.head[:12]}`"
    lines = ["# Refactoring report", "", f"Repository: {where}; branch `{change.branch}`."]
    lines += ["", "## Targets", ""]
    for target in plan.ranked:
        chosen = " **(chosen)**" if target in plan.chosen else ""
        lines.append(f"- `{target.label}`{chosen}: score {target.score:g}; "
                     f"{_figures(target.figures)}; {target.proposal}")  # fmt: skip
    lines += ["", f"Chosen by {plan.chosen_by}; done by {change.done_by}: {change.summary}", ""]
    lines += ["## Safety net", "",
              f"- tests passing before: {len(net.passed_before)} of {net.tests_before}; "
              f"no longer passing: {len(net.no_longer_passing)}",
              _measured("coverage", net.coverage_before, net.coverage_after, net, "coverage"),
              _measured("type errors", net.type_errors_before, net.type_errors_after, net,
                        "type check"),
              f"- verdict: {net.verdict}",
              ""]  # fmt: skip
    if plan.analysis.not_measured:
        lines += ["## Not measured", ""]
        lines += [f"- {reason}" for reason in plan.analysis.not_measured] + [""]
    lines += ["## Delta per target", ""]
    for delta in review.deltas:
        lines.append(f"- `{delta.target}`: before {_figures(delta.before)}; "
                     f"after {_figures(delta.after)}")  # fmt: skip
    shown = patch.splitlines()[:_PATCH_LINES]
    more = review.patch_lines - len(shown)
    lines += ["", "## Diff", "", "```diff", *shown, "```"]
    if more > 0:
        lines.append(f"({more} more line(s) in refactoring.patch)")
    return "\n".join(lines) + "\n"


def render_json(
    plan: RefactoringPlan, change: WorktreeChange, net: SafetyNet, review: RefactoringReview
) -> str:
    """The same, as data."""
    return json.dumps(
        {
            "repository": plan.analysis.root,
            "head": plan.analysis.head,
            "targets": [t.model_dump(mode="json") for t in plan.ranked],
            "chosen": [t.model_dump(mode="json") for t in plan.chosen],
            "chosen_by": plan.chosen_by,
            "change": change.model_dump(mode="json"),
            "safety_net": {**net.model_dump(mode="json"), "verdict": net.verdict},
            "not_measured": list(plan.analysis.not_measured),
            "review": review.model_dump(mode="json"),
        },
        indent=2,
    )
