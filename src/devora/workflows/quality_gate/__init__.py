"""The quality gate: type-check, lint, test and audit a project in parallel; score it; fix it.

    devora run quality-gate PATH [--fix] [--changed [--base REF]] [--report-dir DIR]

docs/quality-gate.md describes the score, the conditions, the reports and the caching.
"""

from devora.workflows.quality_gate._agent_fix import agent_fix_model, fix_with_agent
from devora.workflows.quality_gate._cache import (
    ResultCache,
    default_cache_dir,
    fingerprint_files,
    fingerprint_tree,
    tree_digest,
)
from devora.workflows.quality_gate._categories import CATEGORY_OF, Category, plan_checks
from devora.workflows.quality_gate._changed import ChangedLines, changed_lines
from devora.workflows.quality_gate._config import GateConfig, Penalties, Weights, load_gate_config
from devora.workflows.quality_gate._errors import (
    BaseRefError,
    GateConfigError,
    GateFailedError,
)
from devora.workflows.quality_gate._incremental import mypy_cache_dir
from devora.workflows.quality_gate._models import (
    AgentAttempt,
    AgentFixReport,
    CategoryRun,
    CategoryScore,
    CheckSummary,
    ConditionResult,
    Detection,
    FixReport,
    GateInputs,
    GateReport,
)
from devora.workflows.quality_gate._not_run import NotRunMemo
from devora.workflows.quality_gate._present import present_gate, print_gate_report
from devora.workflows.quality_gate._report_json import render_json
from devora.workflows.quality_gate._report_junit import render_junit
from devora.workflows.quality_gate._report_markdown import render_markdown
from devora.workflows.quality_gate._report_sarif import SARIF_VERSION, render_sarif
from devora.workflows.quality_gate._reports import REPORT_FILES, render_reports, write_reports
from devora.workflows.quality_gate._verdict import judge
from devora.workflows.quality_gate._workflow import quality_gate

__all__ = [
    "CATEGORY_OF",
    "REPORT_FILES",
    "SARIF_VERSION",
    "AgentAttempt",
    "AgentFixReport",
    "BaseRefError",
    "Category",
    "CategoryRun",
    "CategoryScore",
    "ChangedLines",
    "CheckSummary",
    "ConditionResult",
    "Detection",
    "FixReport",
    "GateConfig",
    "GateConfigError",
    "GateFailedError",
    "GateInputs",
    "GateReport",
    "NotRunMemo",
    "Penalties",
    "ResultCache",
    "Weights",
    "agent_fix_model",
    "changed_lines",
    "default_cache_dir",
    "fingerprint_files",
    "fingerprint_tree",
    "fix_with_agent",
    "judge",
    "load_gate_config",
    "mypy_cache_dir",
    "plan_checks",
    "present_gate",
    "print_gate_report",
    "quality_gate",
    "render_json",
    "render_junit",
    "render_markdown",
    "render_reports",
    "render_sarif",
    "tree_digest",
    "write_reports",
]
