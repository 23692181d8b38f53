"""report.sarif: the findings as SARIF 2.1.0, one run per tool (GitHub code scanning reads it)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import quote

from devora.tools import Finding, Level
from devora.workflows.quality_gate._models import CheckSummary, GateReport

__all__ = ["SARIF_SCHEMA", "SARIF_VERSION", "render_sarif"]

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVELS = {Level.ERROR: "error", Level.WARNING: "warning", Level.INFO: "note"}
_SRCROOT = "SRCROOT"
# A finding about the whole project (a vulnerable dependency) is placed on its manifest.
_MANIFESTS = ("pyproject.toml", "package.json", "setup.cfg", "setup.py", "requirements.txt")


def render_sarif(report: GateReport) -> str:
    """A SARIF 2.1.0 log of the judged findings: one run per tool, rules listed per run."""
    root = Path(report.project)
    manifest = next((name for name in _MANIFESTS if (root / name).is_file()), None)
    # Inside git, URIs are relative to the repository's top (what code scanning expects),
    # so a project in a subdirectory of a monorepo is placed right.
    prefix = ""
    if report.repository is not None:
        root, prefix = Path(report.repository[0]), report.repository[1]
    runs = [
        _run(tool, checks, [f for f in report.findings if f.tool == tool], root, prefix, manifest)
        for tool, checks in _tools(report.checks).items()
    ]
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": runs}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _tools(checks: Sequence[CheckSummary]) -> dict[str, list[CheckSummary]]:
    # Code scanning refuses two runs of one tool in an upload: group ruff check and format.
    grouped: dict[str, list[CheckSummary]] = {}
    for check in checks:
        if check.status in ("passed", "failed"):
            grouped.setdefault(check.tool, []).append(check)
    return grouped


def _run(
    tool: str,
    checks: list[CheckSummary],
    findings: list[Finding],
    root: Path,
    prefix: str,
    manifest: str | None,
) -> dict[str, Any]:
    rules: dict[str, int] = {}
    for finding in findings:
        rules.setdefault(finding.rule, len(rules))
    driver: dict[str, Any] = {
        "name": tool,
        "rules": [{"id": rule, "name": rule} for rule in rules],
    }
    version = next((c.tool_version for c in checks if c.tool_version), None)
    if version:
        driver["version"] = version
    results = [_result(finding, rules[finding.rule], prefix, manifest) for finding in findings]
    return {
        "tool": {"driver": driver},
        "automationDetails": {"id": f"devora/quality-gate/{tool}/"},
        "originalUriBaseIds": {_SRCROOT: {"uri": root.as_uri() + "/"}},
        "results": results,
        "properties": {"checks": [check.name for check in checks]},
    }


def _result(finding: Finding, rule_index: int, prefix: str, manifest: str | None) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "ruleIndex": rule_index,
        "level": _LEVELS[finding.level],
        "message": {"text": finding.message or finding.rule},
    }
    file = finding.file or manifest
    if file is not None:
        physical: dict[str, Any] = {
            "artifactLocation": {"uri": quote(prefix + file), "uriBaseId": _SRCROOT}
        }
        if finding.file is not None and finding.line is not None:
            region: dict[str, int] = {"startLine": finding.line}
            if finding.column is not None:
                region["startColumn"] = finding.column
            if finding.end_line is not None and finding.end_line >= finding.line:
                region["endLine"] = finding.end_line
            physical["region"] = region
        result["locations"] = [{"physicalLocation": physical}]
    properties: dict[str, Any] = {}
    if finding.severity:
        properties["severity"] = finding.severity
    if finding.fixable:
        properties["fixable"] = True
    if properties:
        result["properties"] = properties
    return result
