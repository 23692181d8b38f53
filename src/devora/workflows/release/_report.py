"""The rollback report: each compensation says what it undid, in the log and an artifact."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from devora.engine import StepContext
from devora.tools.release import UndoneOperation

__all__ = ["report_undone"]


def report_undone(ctx: StepContext[Any], done: Sequence[UndoneOperation]) -> None:
    """Log each undone operation and keep them as `rollback-STEP.md`."""
    lines = [f"# Rollback of step {ctx.step_id}", ""]
    for operation in done:
        ctx.log(f"undone: {operation.operation}: {operation.description}")
        lines.append(f"- {operation.operation}: {operation.description}")
    ctx.add_artifact(f"rollback-{ctx.step_id}.md", "\n".join(lines) + "\n")
