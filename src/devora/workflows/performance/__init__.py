"""The performance-audit workflow: profile, analyze, optimize, verify."""

from devora.workflows.performance._analysis import Analysis, BudgetResult, Change
from devora.workflows.performance._audit_report import AuditReport
from devora.workflows.performance._benchmark import BenchmarkStat, parse_benchmark_json
from devora.workflows.performance._config import (
    Assertion,
    AuditInputs,
    AuditSettings,
    resolve_audit_settings,
)
from devora.workflows.performance._latency import (
    EndpointLatency,
    TargetUnreachableError,
    check_reachable,
    measure_latency,
    percentile,
)
from devora.workflows.performance._measurement import Measurement, metric_info
from devora.workflows.performance._recommend import Optimization, Recommendation
from devora.workflows.performance._verify import Verification
from devora.workflows.performance._workflow import audit_outputs, performance_audit

__all__ = [
    "Analysis",
    "Assertion",
    "AuditInputs",
    "AuditReport",
    "AuditSettings",
    "BenchmarkStat",
    "BudgetResult",
    "Change",
    "EndpointLatency",
    "Measurement",
    "Optimization",
    "Recommendation",
    "TargetUnreachableError",
    "Verification",
    "audit_outputs",
    "check_reachable",
    "measure_latency",
    "metric_info",
    "parse_benchmark_json",
    "percentile",
    "performance_audit",
    "resolve_audit_settings",
]
