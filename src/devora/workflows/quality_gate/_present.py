"""The terminal summary after a run: the score, a row per check, the top findings."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from devora.workflows.quality_gate._models import CheckSummary, GateReport

__all__ = ["TOP_FINDINGS", "present_gate", "print_gate_report", "unchecked_summary"]

NOTES_SHOWN = 3  # a check can explain itself at length; the summary stays short
TAIL_SHOWN = 8  # lines of a crashed tool's output in the summary (all of it in report.json)

TOP_FINDINGS = 10
REPORT_STEP = "report"
_STATUS_STYLE = {"passed": "green", "failed": "red", "not_run": "yellow", "crashed": "red"}
_LEVEL_STYLE = {"error": "red", "warning": "yellow", "info": "cyan"}


def present_gate(result: Any, console: Console) -> None:
    """Print the gate's summary from a finished run (nothing when it never got to a verdict)."""
    outcome = result.steps.get(REPORT_STEP)
    report = getattr(outcome, "output", None)
    if isinstance(report, GateReport):
        print_gate_report(report, console)


def print_gate_report(report: GateReport, console: Console) -> None:
    """Print a gate report: verdict, checks, score by category, conditions, findings."""
    verdict = "[bold green]PASSED[/]" if report.passed else "[bold red]FAILED[/]"
    scope = f"  (new code since {escape(report.base or '')})" if report.changed_only else ""
    console.print()
    console.print(
        f"[bold]Quality gate: {report.score}/100[/] (threshold {report.threshold}) {verdict}{scope}"
    )
    console.print(_checks_table(report.checks))
    for environment in dict.fromkeys(c.environment for c in report.checks if c.environment):
        console.print(f"python environment: {escape(environment)}")
    for check in report.checks:
        if check.status == "crashed" and check.output_tail:
            code = "" if check.exit_code is None else f", exit code {check.exit_code}"
            console.print(f"  [red]{check.name} crashed{code}; the end of its output:[/]")
            for line in check.output_tail.splitlines()[-TAIL_SHOWN:]:
                console.print(f"    [dim]{escape(line)}[/]", soft_wrap=True)
        for note in check.notes[:NOTES_SHOWN]:
            # Some notes already name their tool ("pip-audit: ...").
            text = note if note.startswith((f"{check.name}:", f"{check.tool}:")) else None
            console.print(f"  [dim]{escape(text or f'{check.name}: {note}')}[/]")
        if len(check.notes) > NOTES_SHOWN:
            more = len(check.notes) - NOTES_SHOWN
            console.print(f"  [dim]{check.name}: (+{more} more notes in report.json)[/]")
    parts = ", ".join(f"{c.category.value} {c.points:.1f}/{c.weight:g}" for c in report.categories)
    console.print(f"score: {parts}")
    for condition in report.conditions:
        mark = "[green]ok[/]  " if condition.passed else "[red]FAIL[/]"
        console.print(f"  {mark} {escape(condition.name)}: {escape(condition.detail)}")
    _print_findings(report, console)
    if report.fix is not None and report.fix.discarded:
        console.print(
            "[red]--fix discarded its changes[/] (a check got worse): "
            + escape("; ".join(report.fix.discarded))
        )
    elif report.fix is not None:
        console.print(
            f"--fix changed {len(report.fix.changed_files)} file(s), fixed "
            f"{report.fix.fixed_findings} finding(s): "
            + (", ".join(report.fix.changed_files) or "nothing to change")
        )
    if report.agent is not None and report.agent.not_run is not None:
        console.print(f"[red]coding agent not run[/]: {escape(report.agent.not_run)}")
    if report.agent is not None:
        for attempt in report.agent.attempts:
            verdict = "kept" if attempt.kept else "discarded"
            after = "-" if attempt.errors_after is None else str(attempt.errors_after)
            console.print(
                f"coding agent ({escape(report.agent.model)}) attempt {attempt.attempt}: "
                f"{verdict}, type and lint errors {attempt.errors_before} -> {after}, "
                f"files: {escape(', '.join(attempt.files) or 'none')}"
            )
    if report.cached:
        console.print(
            f"cached: {', '.join(report.cached)} (same files, tools and config as an earlier run)"
        )
    for check in report.checks:
        if check.reused and not check.cached:
            console.print(f"incremental: {check.name}: {escape(check.reused)}")
    for kind, path in report.reports.items():
        console.print(f"report ({kind}): {escape(path)}")
    for reason in report.reasons:
        console.print(f"[red]✗[/] {escape(reason)}")


def _checks_table(checks: tuple[CheckSummary, ...]) -> Table:
    table = Table(box=None, pad_edge=False)
    for column in ("check", "tool", "status", "errors", "warnings", "info", "time"):
        table.add_column(
            column, justify="right" if column in ("errors", "warnings", "info", "time") else "left"
        )
    for check in checks:
        style = _STATUS_STYLE.get(check.status, "white")
        status = f"[{style}]{check.status.replace('_', ' ')}[/]"
        if check.reason and check.status in ("not_run", "crashed"):
            reason = check.reason.removeprefix("not run: ")
            status += f": {escape(reason)}"
            if check.optional:
                status += " (optional)"
        tests = check.test_counts()
        if tests:
            status += f" ({tests})"
        version = f" {check.tool_version}" if check.tool_version else ""
        table.add_row(
            check.name,
            f"{check.tool}{version}",
            status,
            str(check.counts.get("error", 0)),
            str(check.counts.get("warning", 0)),
            str(check.counts.get("info", 0)),
            "cached" if check.cached else f"{check.duration:.1f}s",
        )
    return table


def _print_findings(report: GateReport, console: Console) -> None:
    if not report.findings:
        console.print("no findings")
        return
    console.print(
        f"top findings ({min(TOP_FINDINGS, len(report.findings))} of {len(report.findings)}):"
    )
    for finding in report.findings[:TOP_FINDINGS]:
        where = finding.file or "(project)"
        if finding.file and finding.line:
            where = f"{finding.file}:{finding.line}"
        style = _LEVEL_STYLE[finding.level.value]
        fixable = " [dim](fixable)[/]" if finding.fixable else ""
        console.print(
            f"  [{style}]{finding.level.value:<7}[/] {escape(where)}  {finding.tool} "
            f"{escape(finding.rule)}: {escape(finding.message)}{fixable}"
        )


def unchecked_summary(report: GateReport) -> dict[str, str]:
    """The run summary's account of checks that did not run, for `devora status RUN`.

    A crashed check says how its tool ended: the last lines of its output.
    """
    parts = []
    for check in report.checks:
        if check.status not in ("not_run", "crashed"):
            continue
        text = f"{check.name} {check.status.replace('_', ' ')}: {check.reason}"
        if check.output_tail:
            text += " | " + " / ".join(check.output_tail.splitlines()[-3:])
        parts.append(text)
    return {"unchecked": "; ".join(parts)} if parts else {}
