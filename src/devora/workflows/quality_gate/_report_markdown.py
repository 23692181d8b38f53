"""report.md: the verdict as Markdown, ready to post as a pull-request comment."""

from __future__ import annotations

from devora.tools import Finding
from devora.workflows.quality_gate._models import CheckSummary, GateReport

__all__ = ["MAX_MARKDOWN_FINDINGS", "render_markdown"]

MAX_MARKDOWN_FINDINGS = 50
_MAX_DIFF_CHARS = 20_000


def render_markdown(report: GateReport) -> str:
    """A heading with the score and verdict, then checks, score, conditions, findings, fixes."""
    verdict = "passed" if report.passed else "failed"
    mark = "✅" if report.passed else "❌"
    scope = f" — new code since `{report.base}`" if report.changed_only else ""
    lines = [
        f"## {mark} Devora quality gate {verdict}: {report.score}/100 "
        f"(threshold {report.threshold}){scope}",
        "",
    ]
    if report.reasons:
        lines += ["**Why it failed**", "", *(f"- {_cell(reason)}" for reason in report.reasons)]
        lines.append("")
    lines += [
        "| check | tool | status | errors | warnings | info |",
        "| --- | --- | --- | ---: | ---: | ---: |",
        *(_check_row(check) for check in report.checks),
        "",
        *(
            f"Python environment: `{environment}`\n"
            for environment in dict.fromkeys(c.environment for c in report.checks if c.environment)
        ),
        "| category | points | weight | detail |",
        "| --- | ---: | ---: | --- |",
        *(
            f"| {c.category.value} | {c.points:.1f} | {c.weight:g} | {_cell(c.detail)} |"
            for c in report.categories
        ),
        "",
        "**Conditions**",
        "",
        *(
            f"- {'✅' if c.passed else '❌'} {_cell(c.name)}: {_cell(c.detail)}"
            for c in report.conditions
        ),
        "",
    ]
    lines += _crash_section(report)
    lines += _findings_section(report.findings)
    if report.fix is not None and report.fix.changed_files:
        diff = report.fix.diff
        if len(diff) > _MAX_DIFF_CHARS:
            diff = diff[:_MAX_DIFF_CHARS] + "\n… (cut; the full diff is the run's fixes.diff)\n"
        lines += [
            f"<details><summary>Fixed by --fix: {len(report.fix.changed_files)} file(s), "
            f"{report.fix.fixed_findings} finding(s)</summary>",
            "",
            "```diff",
            diff.rstrip("\n"),
            "```",
            "",
            "</details>",
            "",
        ]
    if report.agent is not None:
        lines += _agent_section(report)
    return "\n".join(lines)


def _agent_section(report: GateReport) -> list[str]:
    assert report.agent is not None
    agent = report.agent
    lines = [
        f"<details><summary>The coding agent ({agent.model}): {len(agent.kept)} of "
        f"{len(agent.attempts)} attempt(s) kept</summary>",
        "",
    ]
    if agent.not_run is not None:
        lines.append(f"- not run: {agent.not_run}")
    for attempt in agent.attempts:
        verdict = "kept" if attempt.kept else "discarded"
        after = "no change" if attempt.errors_after is None else f"{attempt.errors_after}"
        lines.append(
            f"- attempt {attempt.attempt}, {verdict}: type and lint errors "
            f"{attempt.errors_before} → {after}; {', '.join(attempt.files) or 'no files'}"
        )
    for attempt in agent.kept:
        lines += ["", "```diff", attempt.diff[:_MAX_DIFF_CHARS].rstrip("\n"), "```"]
    lines += ["", "</details>", ""]
    return lines


def _check_row(check: CheckSummary) -> str:
    status = check.status.replace("_", " ")
    if check.status == "not_run":
        status = _cell(check.reason or "not run")
    elif check.status == "crashed":
        status = f"crashed: {_cell(check.reason or 'no reason given')}"
    if check.optional and check.status in ("not_run", "crashed"):
        status += " (optional)"
    tests = check.test_counts()
    if tests:
        status += f" ({tests})"
    if check.cached:
        status += " (cached)"
    if check.reused:
        status += f" (reused: {_cell(check.reused)})"
    counts = check.counts
    return (
        f"| {check.name} | {check.tool} {check.tool_version or ''} | {status} "
        f"| {counts.get('error', 0)} | {counts.get('warning', 0)} | {counts.get('info', 0)} |"
    )


def _crash_section(report: GateReport) -> list[str]:
    lines: list[str] = []
    for check in report.checks:
        if check.status == "crashed" and check.output_tail:
            code = "" if check.exit_code is None else f" (exit code {check.exit_code})"
            lines += [
                f"<details><summary>{check.name} crashed{code}: the end of its output</summary>",
                "",
                "```text",
                check.output_tail.replace("```", "` ` `"),
                "```",
                "",
                "</details>",
                "",
            ]
    return lines


def _findings_section(findings: tuple[Finding, ...]) -> list[str]:
    if not findings:
        return ["No findings.", ""]
    shown = findings[:MAX_MARKDOWN_FINDINGS]
    lines = [
        f"**Findings** ({len(findings)})",
        "",
        "| level | where | tool | rule | message |",
        "| --- | --- | --- | --- | --- |",
    ]
    for finding in shown:
        where = finding.file or "(project)"
        if finding.file and finding.line:
            where = f"{finding.file}:{finding.line}"
        lines.append(
            f"| {finding.level.value} | `{_cell(where)}` | {finding.tool} | {_cell(finding.rule)} "
            f"| {_cell(finding.message)} |"
        )
    if len(findings) > len(shown):
        lines.append(f"\n… and {len(findings) - len(shown)} more in report.json")
    lines.append("")
    return lines


def _cell(text: str) -> str:
    # A table cell is one line, and a pipe would end it.
    return " ".join(text.split()).replace("|", "\\|")
