"""How the CLI shows the end of a performance audit."""

from __future__ import annotations

from typing import Any

from devora.engine import RunResult

__all__ = ["present_audit"]


def present_audit(result: RunResult, console: Any) -> None:
    """The verdict, the headline figures and where the reports are."""
    outputs = result.outputs or {}
    if not outputs:
        return
    console.print(f"performance audit of {outputs['target']}: {outputs['verdict']}", markup=False)
    for line in outputs.get("headline", []):
        console.print(f"  {line}", markup=False)
    console.print(f"  report: {outputs['report']}", markup=False)
