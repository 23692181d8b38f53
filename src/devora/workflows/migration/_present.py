"""How the CLI shows the end of a migration run."""

from __future__ import annotations

from typing import Any

from devora.engine import RunResult

__all__ = ["present_migration"]


def present_migration(result: RunResult, console: Any) -> None:
    """One line on what was applied, or on the rollback."""
    outputs = result.outputs
    status = result.status.value
    if status == "succeeded" and outputs:
        applied = ", ".join(outputs["applied"]) or "nothing (up to date)"
        console.print(f"migrated {outputs['database']}: applied {applied}", markup=False)
        if outputs.get("backup"):
            console.print(f"backup: {outputs['backup']}", markup=False)
    elif status in ("rolled_back", "rollback_failed"):
        console.print(
            f"migration {status.replace('_', ' ')}: see the rollback.md artifact and "
            f"`devora logs {result.run_id}`",
            markup=False,
        )
