"""Performance audit: profile → analyze → optimize → verify.

profile (performance)   Lighthouse scores and lab metrics, endpoint latency percentiles,
                        built asset sizes, pytest-benchmark results
analyze (performance)   budgets (Lighthouse CI assertions) and the last audit of the target
optimize (performance)  ranked recommendations; an LLM's advice when a model is configured
verify (performance)    more measurements, medians, the verdict; Markdown, HTML, JSON reports
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.workflows import register_command_line
from devora.workflows.performance._audit_report import AuditReport, format_value
from devora.workflows.performance._config import AuditInputs
from devora.workflows.performance._history import WORKFLOW_NAME
from devora.workflows.performance._measurement import metric_info
from devora.workflows.performance._present import present_audit
from devora.workflows.performance._recommend import Optimization
from devora.workflows.performance._steps import (
    Analyzed,
    Profile,
    analyze,
    optimize,
    profile,
    verify,
)

__all__ = ["audit_outputs", "performance_audit"]

profile_step: Step[Profile] = Step("profile", profile, squad="performance", timeout=900)
analyze_step: Step[Analyzed] = Step("analyze", analyze, squad="performance", needs=[profile_step])
optimize_step: Step[Optimization] = Step(
    "optimize", optimize, squad="performance", needs=[analyze_step]
)
verify_step: Step[AuditReport] = Step(
    "verify", verify, squad="performance", needs=[optimize_step], timeout=3600
)

_HEADLINE = ("categories:performance", "largest-contentful-paint", "total-blocking-time")


def audit_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The verdict, the verified medians, what regressed, and the report's path."""
    report = ctx.result(verify_step)
    medians = report.verification.medians
    headline = [
        f"{metric_info(name).label}: {format_value(name, medians[name])}"
        for name in (*_HEADLINE, *(n for n in medians if n.endswith(":p95")))
        if name in medians
    ]
    return {
        "target": report.target,
        "verdict": report.verdict,
        "passed": report.verification.passed,
        "metrics": medians,
        "regressions": [c.metric for c in report.verification.regressions],
        "broken_budgets": [b.metric for b in report.verification.budgets if not b.passed],
        "recommendations": [r.title for r in report.optimization.recommendations],
        "headline": headline,
        "report": str(ctx.artifacts_dir / "performance-audit.html"),
    }


performance_audit = Workflow(
    name=WORKFLOW_NAME,
    description="Lighthouse, latency, asset sizes and benchmarks against budgets and the "
    "last audit; ranked fixes; verified medians.",
    steps=[profile_step, analyze_step, optimize_step, verify_step],
    inputs=AuditInputs,
    outputs=audit_outputs,
    concurrency=1,
)
register_command_line(performance_audit, positional=("url",), present=present_audit)
