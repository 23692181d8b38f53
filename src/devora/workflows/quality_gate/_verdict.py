"""The verdict: the final result of every check, judged into a GateReport."""

from __future__ import annotations

from collections.abc import Sequence

from devora.tools import Finding, Level
from devora.tools.checks import CheckResult, CheckStatus
from devora.workflows.quality_gate._categories import CATEGORY_OF, Category
from devora.workflows.quality_gate._models import (
    AgentFixReport,
    CategoryRun,
    CheckSummary,
    Detection,
    FixReport,
    GateReport,
)
from devora.workflows.quality_gate._scoring import (
    CategoryInput,
    evaluate_conditions,
    score_categories,
)

__all__ = ["finding_order", "judge"]

_LEVEL_ORDER = {Level.ERROR: 0, Level.WARNING: 1, Level.INFO: 2}


def judge(
    detection: Detection,
    runs: Sequence[CategoryRun],
    fix: FixReport | None = None,
    agent: AgentFixReport | None = None,
) -> GateReport:
    """Score the project and decide pass or fail; with --changed, judge only new lines.

    Failing tests are judged whatever lines changed: a change can break a test it never touched.
    """
    rerun = {result.name: result for result in fix.rerun} if fix is not None else {}
    if agent is not None:
        rerun.update({result.name: result for result in agent.rerun})
    cached = {name for run in runs for name in run.cached} - set(rerun)
    inputs: list[CategoryInput] = []
    summaries: list[CheckSummary] = []
    judged: list[Finding] = []
    by_check: dict[str, tuple[Finding, ...]] = {}
    for run in sorted(runs, key=lambda r: list(Category).index(r.category)):
        results = [rerun.get(result.name, result) for result in run.results]
        findings = [_judged(detection, run.category, result) for result in results]
        inputs.append(CategoryInput(run.category, results, [f for fs in findings for f in fs]))
        for result, kept in zip(results, findings, strict=True):
            summary = _summary(result, kept, result.name in cached)
            optional = result.name in detection.config.optional
            summaries.append(summary.model_copy(update={"optional": optional}))
            judged.extend(kept)
            by_check[result.name] = tuple(sorted(kept, key=finding_order))
    config = detection.config
    score, categories = score_categories(inputs, config)
    conditions = evaluate_conditions(inputs, config)
    reasons = [f"condition failed: {c.name} ({c.detail})" for c in conditions if not c.passed]
    if score < config.threshold:
        reasons.insert(0, f"score {score} is under the threshold {config.threshold}")
    return GateReport(
        project=str(detection.profile.root),
        score=score,
        threshold=config.threshold,
        passed=not reasons,
        reasons=tuple(reasons),
        changed_only=detection.changed is not None,
        base=detection.changed.base if detection.changed is not None else None,
        categories=categories,
        conditions=conditions,
        checks=tuple(summaries),
        findings=tuple(sorted(judged, key=finding_order)),
        by_check=by_check,
        fix=fix,
        agent=agent,
        repository=detection.repository,
    )


def _judged(detection: Detection, category: Category, result: CheckResult) -> tuple[Finding, ...]:
    if detection.changed is None or category is Category.TESTS:
        return result.findings
    return detection.changed.select(result.findings)


def _summary(result: CheckResult, findings: Sequence[Finding], cached: bool) -> CheckSummary:
    counts = {level.value: 0 for level in Level}
    for finding in findings:
        counts[finding.level.value] += 1
    counts["total"] = len(findings)
    if len(findings) != len(result.findings):
        counts["all"] = len(result.findings)
    return CheckSummary(
        name=result.name,
        tool=result.tool,
        tool_version=result.tool_version,
        environment=result.environment,
        category=CATEGORY_OF.get(result.name, Category.LINT),
        status=_status(result, findings),
        reason=result.reason,
        exit_code=result.exit_code,
        output_tail=result.output_tail if result.status is CheckStatus.CRASHED else None,
        counts=counts,
        cached=cached,
        reused=result.reused,
        duration=round(result.duration, 3),
        metrics=result.metrics,
        notes=result.notes,
    )


def _status(result: CheckResult, judged: Sequence[Finding]) -> str:
    # With --changed, a check whose findings are all on old lines passes the new code.
    if result.status is CheckStatus.FAILED and result.findings and not judged:
        return CheckStatus.PASSED.value
    return result.status.value


def finding_order(finding: Finding) -> tuple[int, str, int, str]:
    """Errors first, then by file and line."""
    return (_LEVEL_ORDER[finding.level], finding.file or "", finding.line or 0, finding.rule)
