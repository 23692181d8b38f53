"""Everything one audit found, in one model: what the reports and the history are made of."""

from __future__ import annotations

import json

from pydantic import BaseModel, ConfigDict

from devora.workflows.performance._analysis import Analysis
from devora.workflows.performance._history import PastAudit
from devora.workflows.performance._measurement import Measurement, metric_info
from devora.workflows.performance._recommend import Optimization
from devora.workflows.performance._verify import Verification

__all__ = ["AuditReport", "audit_json", "format_value"]


class AuditReport(BaseModel):
    """One audit: its target, first measurement, analysis, recommendations and verification."""

    model_config = ConfigDict(frozen=True)

    run_id: str
    target: str
    measured_at: str
    profile: Measurement
    analysis: Analysis
    optimization: Optimization
    verification: Verification
    history: tuple[PastAudit, ...]

    @property
    def verdict(self) -> str:
        """`passed`, or `failed` with why."""
        if self.verification.passed:
            return "passed"
        broken = [b for b in self.verification.budgets if not b.passed and b.level == "error"]
        reasons = []
        if broken:
            reasons.append(f"{len(broken)} budget(s) broken")
        if self.verification.regressions:
            reasons.append(f"{len(self.verification.regressions)} regression(s)")
        return "failed: " + ", ".join(reasons)


def audit_json(report: AuditReport) -> str:
    """The audit's machine-readable record; later audits of the target read `metrics` back."""
    verification = report.verification
    return json.dumps(
        {
            "target": report.target,
            "measured_at": report.measured_at,
            "passed": verification.passed,
            "metrics": verification.medians,
            "measurements": verification.measurements,
            "budgets": [b.model_dump() for b in verification.budgets],
            "regressions": [c.model_dump() for c in verification.regressions],
            "noise": list(verification.noise),
            "recommendations": [r.model_dump() for r in report.optimization.recommendations],
            "lighthouse_version": report.profile.lighthouse.version
            if report.profile.lighthouse
            else None,
        },
        indent=2,
    )


def format_value(name: str, value: float) -> str:
    """A metric's value in its unit, for people."""
    unit = metric_info(name).unit
    if unit == "score":
        return f"{value * 100:.0f}"
    if unit == "ms":
        return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"
    if unit == "bytes":
        return f"{value / 1024:,.1f} KiB"
    if unit == "s":
        return f"{value * 1000:.3f} ms"
    if unit == "ratio":
        return f"{value * 100:.1f} %"
    return f"{value:.3f}"
