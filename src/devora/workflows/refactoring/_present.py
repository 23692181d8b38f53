"""How the CLI shows the end of a refactoring run."""

from __future__ import annotations

from typing import Any

from devora.engine import RunResult

__all__ = ["present_refactoring"]


def present_refactoring(result: RunResult, console: Any) -> None:
    """The branch holding the refactoring, the files it changed, and what the safety net
    could not check (a check that did not run is not a pass)."""
    outputs = result.outputs
    if result.status.value == "succeeded" and outputs:
        console.print(
            f"refactored {outputs['target']} on branch {outputs['branch']} "
            f"({len(outputs['files_changed'])} file(s)); `devora artifacts {result.run_id}` "
            "has the patch and the report",
            markup=False,
        )
        for reason in outputs.get("not_verified", []):
            console.print(f"not verified (optional): {reason}", markup=False)
