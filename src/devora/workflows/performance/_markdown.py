"""The audit as Markdown: verdict, metrics, budgets, changes, recommendations."""

from __future__ import annotations

from devora.workflows.performance._analysis import Change
from devora.workflows.performance._audit_report import AuditReport, format_value
from devora.workflows.performance._measurement import metric_info

__all__ = ["render_markdown"]


def _change(change: Change) -> str:
    relative = f" ({change.relative * 100:+.0f} %)" if change.relative is not None else ""
    return (
        f"{format_value(change.metric, change.previous)} → "
        f"{format_value(change.metric, change.current)}{relative}"
    )


def render_markdown(report: AuditReport) -> str:
    """The whole report, for a pull request or a wiki page."""
    v = report.verification
    lines = [
        f"# Performance audit of {report.target}",
        "",
        f"- Run: `{report.run_id}`, measured {report.measured_at}",
        f"- Verdict: **{report.verdict}**",
        f"- Figures are medians of {v.measurements} measurement(s) (range in brackets).",
    ]
    if report.analysis.previous_run:
        lines.append(
            f"- Compared with audit `{report.analysis.previous_run}` "
            f"({report.analysis.previous_at})."
        )
    else:
        lines.append("- No earlier audit of this target: nothing to compare with yet.")
    lines += ["", "## Metrics", "", "| metric | median | range | previous |", "|---|---|---|---|"]
    previous = report.history[-1].metrics if report.history else {}
    for name, value in v.medians.items():
        low, high = v.ranges[name]
        before = format_value(name, previous[name]) if name in previous else "—"
        lines.append(
            f"| {metric_info(name).label} | {format_value(name, value)} | "
            f"{format_value(name, low)} to {format_value(name, high)} | {before} |"
        )
    lines += ["", "## Budgets", ""]
    if v.budgets:
        lines += ["| metric | rule | limit | median | result |", "|---|---|---|---|---|"]
        for budget in v.budgets:
            result = "ok" if budget.passed else ("FAIL" if budget.level == "error" else "warn")
            lines.append(
                f"| {budget.label} | {budget.rule} | {format_value(budget.metric, budget.limit)} | "
                f"{format_value(budget.metric, budget.actual)} | {result} |"
            )
    else:
        lines.append("No budgets configured (`[performance.assertions]` in devora.toml).")
    if report.analysis.unmeasured:
        lines.append("")
        lines.append("Asserted but not measured: " + ", ".join(report.analysis.unmeasured))
    lines += ["", "## Changes since the previous audit", ""]
    if not report.analysis.previous_run:
        lines.append("This is the first audit of the target.")
    elif not v.changes and not v.noise:
        lines.append("No metric moved beyond the tolerance.")
    for change in v.changes:
        kind = "regression" if change.regressed else "improvement"
        lines.append(f"- **{kind}**: {change.label}: {_change(change)}")
    for metric in v.noise:
        lines.append(
            f"- noise: {metric_info(metric).label} looked worse in the first measurement, "
            "but not in the medians"
        )
    lines += ["", "## Recommendations", ""]
    recommendations = report.optimization.recommendations
    if not recommendations:
        lines.append("Nothing to recommend: no opportunity, asset or endpoint stands out.")
    for item in recommendations:
        lines.append(f"{item.rank}. **{item.title}** ({item.source}): {item.detail}")
    lines += ["", "### Advice", ""]
    lines += [f"- {line}" for line in report.optimization.advice]
    lines.append(f"_{report.optimization.advice_note}_")
    notes = report.profile.notes
    if notes:
        lines += ["", "## Notes", "", *(f"- {note}" for note in notes)]
    lines += ["", f"History: {len(report.history)} earlier audit(s) of this target.", ""]
    return "\n".join(lines)
