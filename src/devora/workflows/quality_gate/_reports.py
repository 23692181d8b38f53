"""Writing the reports: as run artifacts always, and into --report-dir when asked."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devora.errors import StepError
from devora.private_files import make_private_dir, write_private
from devora.secrets import redact
from devora.workflows.quality_gate._models import GateReport
from devora.workflows.quality_gate._report_json import render_json
from devora.workflows.quality_gate._report_junit import render_junit
from devora.workflows.quality_gate._report_markdown import render_markdown
from devora.workflows.quality_gate._report_sarif import render_sarif

__all__ = ["REPORT_FILES", "render_reports", "write_reports"]

REPORT_FILES: dict[str, tuple[str, Callable[[GateReport], str]]] = {
    "json": ("report.json", render_json),
    "markdown": ("report.md", render_markdown),
    "sarif": ("report.sarif", render_sarif),
    "junit": ("report.xml", render_junit),
}


def render_reports(report: GateReport) -> dict[str, str]:
    """Every report format's file name and text."""
    return {name: render(report) for name, render in REPORT_FILES.values()}


def write_reports(report: GateReport, directory: Path) -> dict[str, str]:
    """Write every report into directory (created if needed); format -> path written."""
    try:
        make_private_dir(directory)
        written = {}
        for kind, (name, render) in REPORT_FILES.items():
            target = directory / name
            partial = target.with_name(f".{name}.partial")
            write_private(partial, redact(render(report)))
            partial.replace(target)
            written[kind] = str(target)
    except OSError as error:
        raise StepError(
            f"cannot write the reports into {directory}: {error.strerror or error}",
            hint="pass a --report-dir that can be created and written",
        ) from error
    return written
