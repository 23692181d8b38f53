"""report.json: the whole verdict as data (score, passed, checks[], findings[])."""

from __future__ import annotations

import json
from typing import Any

import devora
from devora.tools import Finding
from devora.workflows.quality_gate._models import GateReport
from devora.workflows.quality_gate._verdict import finding_order

__all__ = ["REPORT_FORMAT_VERSION", "render_json"]

REPORT_FORMAT_VERSION = 1
# findings are written below with their check; the re-run results are in checks[] already.
_EXCLUDED: Any = {
    "reports": True,
    "findings": True,
    "by_check": True,
    "fix": {"rerun"},
    "agent": {"rerun"},
}


def render_json(report: GateReport) -> str:
    """The report as indented JSON, findings with tool, rule, level, file, line and message."""
    data: dict[str, Any] = {
        "format_version": REPORT_FORMAT_VERSION,
        "generator": f"devora {devora.__version__}",
        **report.model_dump(
            mode="json",
            exclude={"reports": True, "findings": True, "by_check": True, "fix": {"rerun"}},
        ),
    }
    # Each finding says which check reported it (ruff check and ruff format share a tool).
    pairs: list[tuple[str | None, Finding]] = [
        (name, f) for name, found in report.by_check.items() for f in found
    ]
    if not pairs:
        pairs = [(None, f) for f in report.findings]
    pairs.sort(key=lambda pair: finding_order(pair[1]))
    data["findings"] = [{"check": name, **f.model_dump(mode="json")} for name, f in pairs]
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
