"""The report of a bug resolution, in JSON and Markdown: reproduction, culprit, localization,
the candidates and the chosen fix with its test evidence."""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

from devora.engine import StepContext

__all__ = ["render_markdown", "write_report"]

_TAIL = 1500


def _dump(value: Any) -> Any:
    return value.model_dump(mode="json") if isinstance(value, BaseModel) else value


def write_report(ctx: StepContext[Any], **parts: Any) -> None:
    """Keep report.json and report.md among the run's artifacts (what is known so far)."""
    data = {"run_id": ctx.run_id, **{name: _dump(value) for name, value in parts.items()}}
    fix = data.get("fix")
    if isinstance(fix, dict):
        chosen = next((c for c in fix["candidates"] if c.get("rejected_because") is None
                       and c.get("judgement")), None)  # fmt: skip
        data["chosen_fix"] = chosen["label"] if chosen else None
    ctx.add_artifact(
        "report.json", json.dumps(data, indent=2) + "\n", media_type="application/json"
    )
    ctx.add_artifact("report.md", render_markdown(data), media_type="text/markdown")


def render_markdown(data: dict[str, Any]) -> str:
    """The report as Markdown, section by section."""
    lines = [f"# Bug resolution {data['run_id']}", ""]
    lines += _reproduction(data.get("reproduction"))
    lines += _culprit(data.get("bisect"))
    lines += _localization(data.get("localization"))
    lines += _candidates(data.get("fix"))
    lines += _evidence(data.get("evidence"))
    lines += _review(data.get("gate"), data.get("comment"), data.get("kept"))
    return "\n".join(lines).rstrip() + "\n"


def _reproduction(rep: dict[str, Any] | None) -> list[str]:
    if not rep:
        return []
    reproducer = rep["reproducer"]
    command = (
        "pytest " + " ".join(reproducer["test_ids"])
        if reproducer["test_ids"]
        else " ".join(reproducer["argv"])
    )
    last = rep["runs"][-1]
    return [
        "## Reproduction",
        "",
        f"- reproducer: `{command}`",
        f"- at HEAD {rep['head'][:12]}: **{rep['status']}** "
        f"({rep['failed']} failed, {rep['passed']} passed of {len(rep['runs'])} runs)",
        f"- last run: {last['verdict']}, exit code {last['exit_code']}",
        "",
        "```",
        last["output_tail"][-_TAIL:].rstrip(),
        "```",
        "",
    ]


def _culprit(bisect: dict[str, Any] | None) -> list[str]:
    if not bisect:
        return []
    lines = ["## Culprit", ""]
    how = "found by walking back" if bisect["good_found_automatically"] else "given"
    culprit = bisect.get("culprit")
    if culprit:
        lines += [
            f"- first bad commit: `{culprit['hash'][:12]}` {culprit['subject']}",
            f"- author: {culprit['author']}, {culprit['date']}",
            f"- known good: `{(bisect['good'] or '')[:12]}` ({how}); "
            f"{bisect['commits_in_range']} commits in range, {len(bisect['tested'])} test runs "
            f"in {bisect['rounds']} rounds of {bisect['jobs']}",
            "",
            "```",
            culprit["diff_stat"],
            "```",
            "",
        ]
    elif bisect["always_bad"]:
        lines += ["The bug was there in every commit tried: no culprit.", ""]
    else:
        lines += ["Untestable commits hide the culprit; one of:", ""]
        lines += [f"- `{c[:12]}`" for c in bisect["candidates"]] + [""]
    return lines


def _localization(found: dict[str, Any] | None) -> list[str]:
    if not found:
        return []
    lines = ["## Localization", ""]
    if found["note"]:
        lines += [found["note"], ""]
    if found["suspects"]:
        lines += ["| score | ochiai | function | where |", "| --- | --- | --- | --- |"]
        lines += [
            f"| {s['score']} | {s['ochiai']} | `{s['function']}`"
            f"{' (traceback)' if s['in_traceback'] else ''} | {s['file']}:{s['line']} |"
            for s in found["suspects"]
        ]
        lines.append("")
    return lines


def _candidates(fix: dict[str, Any] | None) -> list[str]:
    if not fix:
        return []
    lines = [f"## Fix candidates ({fix['squad']})", ""]
    for c in fix["candidates"]:
        verdict = (
            "accepted"
            if c["rejected_because"] is None and c["judgement"]
            else (f"rejected: {c['rejected_because']}")
        )
        lines.append(f"- **{c['label']}** ({c['kind']}): {verdict}")
        if c["summary"]:
            lines.append(f"  - {c['summary'].splitlines()[0]}")
    chosen = next(
        (c for c in fix["candidates"] if c["rejected_because"] is None and c["judgement"]), None
    )
    if chosen is not None and chosen["patch"]:
        lines += ["", f"Chosen: {chosen['label']}", "", "```diff", chosen["patch"].rstrip(), "```"]
    return [*lines, ""]


def _evidence(judgement: dict[str, Any] | None) -> list[str]:
    if not judgement:
        return []
    broken = judgement["pass_to_pass_broken"]
    lines = [
        "## Test evidence",
        "",
        f"- FAIL_TO_PASS: the reproducer passed {judgement['fail_to_pass_passed']} of "
        f"{judgement['fail_to_pass_runs']} runs",
        f"- PASS_TO_PASS: {judgement['pass_to_pass_checked'] - len(broken)} of "
        f"{judgement['pass_to_pass_checked']} tests that passed before still pass",
    ]
    lines += [f"  - broken: `{test}` ({outcome})" for test, outcome in sorted(broken.items())]
    if judgement["note"]:
        lines.append(f"- note: {judgement['note']}")
    return [*lines, ""]


def _review(
    gate: dict[str, Any] | None, comment: dict[str, Any] | None, kept: dict[str, Any] | None
) -> list[str]:
    lines: list[str] = []
    if gate is not None or comment is not None or kept is not None:
        lines += ["## Review", ""]
    if gate is not None:
        verdict = "passed" if gate.get("passed") else "did not pass"
        lines.append(f"- quality gate on the changed lines: {verdict}"
                     + (f" ({gate['error']})" if gate.get("error") else ""))  # fmt: skip
    if comment is not None:
        lines.append(f"- reviewer: {comment['comment']}")
        lines += [f"  - concern: {c}" for c in comment.get("concerns", [])]
    if kept is not None:
        lines.append(f"- approved; kept on branch `{kept['branch']}` ({kept['commit'][:12]})")
    return [*lines, ""] if lines else []
