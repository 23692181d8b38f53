"""How the CLI shows the end of a release run."""

from __future__ import annotations

from typing import Any

from devora.engine import RunResult

__all__ = ["present_release"]


def present_release(result: RunResult, console: Any) -> None:
    """One line on what was released, or on what the rollback undid."""
    outputs = result.outputs
    if result.status.value == "succeeded" and outputs:
        where = f", pushed to {outputs['pushed_to']}" if outputs.get("pushed_to") else ""
        console.print(
            f"released {outputs['version']} (tag {outputs['tag']}, "
            f"commit {str(outputs['commit'])[:7]}){where}",
            markup=False,
        )
    elif result.status.value in ("rolled_back", "rollback_failed"):
        undone = ", ".join(result.compensations) or "nothing"
        console.print(
            f"release {result.status.value.replace('_', ' ')}: compensations ran for {undone}; "
            f"`devora logs {result.run_id}` lists what was undone",
            markup=False,
        )
