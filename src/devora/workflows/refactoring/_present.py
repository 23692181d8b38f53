"""How the CLI shows the end of a refactoring run."""

from __future__ import annotations

from typing import Any

from devora.engine import RunResult

__all__ = ["present_refactoring"]


def present_refactoring(result: RunResult, console: Any) -> None:
    """One line: the branch holding the refactoring and the files it changed."""
    outputs = result.outputs
    if result.status.value == "succeeded" and outputs:
        console.print(
            f"refactored {outputs['target']} on branch {outputs['branch']} "
            f"({len(outputs['files_changed'])} file(s)); `devora artifacts {result.run_id}` "
            "has the patch and the report",
            markup=False,
        )
