"""The quality gate's check adapters: detect a project, run the real tools, read their findings.

    profile = detect_project(Path("."))
    results = [await check.run(profile) for check in checks_for(profile)]

Every check returns a CheckResult (passed, failed, not_run with the reason, or crashed with
the exit code and stderr tail); the fixers apply the tools' own safe fixes.
"""

from devora.tools._subprocess import ProcessOutput, ToolTimeoutError, run_process
from devora.tools.checks._assets import (
    ASSET_PATTERNS,
    AssetBudget,
    AssetSize,
    AssetSizeCheck,
    measure_assets,
)
from devora.tools.checks._bandit import BanditCheck, parse_bandit_json
from devora.tools.checks._base import (
    Check,
    NotRunError,
    Outcome,
    ToolCheck,
    ToolCrashError,
    ToolOutputError,
    relative_file,
)
from devora.tools.checks._errors import (
    NotAProjectError,
    ProjectConfigError,
    ProjectNotFoundError,
    ToolFailedError,
)
from devora.tools.checks._eslint import EslintCheck, EslintReport, parse_eslint_json
from devora.tools.checks._fingerprint import check_fingerprint, project_files, tree_fingerprint
from devora.tools.checks._fixers import (
    FixResult,
    fix_eslint,
    fix_prettier,
    fix_ruff_check,
    fix_ruff_format,
)
from devora.tools.checks._junit import JUnitCase, parse_junit_cases
from devora.tools.checks._mypy import (
    MypyCheck,
    mypy_targets,
    parse_mypy_json,
    split_mypy_output,
)
from devora.tools.checks._npm import NpmAuditCheck, NpmTestCheck, parse_npm_audit_json
from devora.tools.checks._pip_audit import PipAuditCheck, PipAuditReport, parse_pip_audit_json
from devora.tools.checks._prettier import PrettierCheck, parse_prettier_list
from devora.tools.checks._profile import (
    JS_TOOLS,
    PYTHON_TOOLS,
    Language,
    ProjectProfile,
    default_search_path,
    detect_project,
)
from devora.tools.checks._pytest import (
    JUnitReport,
    PytestCheck,
    parse_coverage_json,
    parse_junit_xml,
)
from devora.tools.checks._registry import all_checks, checks_for
from devora.tools.checks._result import CheckResult, CheckStatus
from devora.tools.checks._ruff import (
    RuffCheck,
    RuffFormatCheck,
    parse_ruff_format_json,
    parse_ruff_format_text,
    parse_ruff_json,
)
from devora.tools.checks._tsc import TscCheck, parse_tsc_output
from devora.tools.checks._versions import (
    remember_tool_versions_in,
    tool_identity,
    tool_version,
    venv_packages,
)

__all__ = [
    "ASSET_PATTERNS",
    "JS_TOOLS",
    "PYTHON_TOOLS",
    "AssetBudget",
    "AssetSize",
    "AssetSizeCheck",
    "BanditCheck",
    "Check",
    "CheckResult",
    "CheckStatus",
    "EslintCheck",
    "EslintReport",
    "FixResult",
    "JUnitCase",
    "JUnitReport",
    "Language",
    "MypyCheck",
    "NotAProjectError",
    "NotRunError",
    "NpmAuditCheck",
    "NpmTestCheck",
    "Outcome",
    "PipAuditCheck",
    "PipAuditReport",
    "PrettierCheck",
    "ProcessOutput",
    "ProjectConfigError",
    "ProjectNotFoundError",
    "ProjectProfile",
    "PytestCheck",
    "RuffCheck",
    "RuffFormatCheck",
    "ToolCheck",
    "ToolCrashError",
    "ToolFailedError",
    "ToolOutputError",
    "ToolTimeoutError",
    "TscCheck",
    "all_checks",
    "check_fingerprint",
    "checks_for",
    "default_search_path",
    "detect_project",
    "fix_eslint",
    "fix_prettier",
    "fix_ruff_check",
    "fix_ruff_format",
    "measure_assets",
    "mypy_targets",
    "parse_bandit_json",
    "parse_coverage_json",
    "parse_eslint_json",
    "parse_junit_cases",
    "parse_junit_xml",
    "parse_mypy_json",
    "parse_npm_audit_json",
    "parse_pip_audit_json",
    "parse_prettier_list",
    "parse_ruff_format_json",
    "parse_ruff_format_text",
    "parse_ruff_json",
    "parse_tsc_output",
    "project_files",
    "relative_file",
    "remember_tool_versions_in",
    "run_process",
    "split_mypy_output",
    "tool_identity",
    "tool_version",
    "tree_fingerprint",
    "venv_packages",
]
