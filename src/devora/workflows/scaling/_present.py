"""How the CLI shows the end of a scaling study."""

from __future__ import annotations

from typing import Any

from devora.engine import RunResult

__all__ = ["present_scaling"]


def present_scaling(result: RunResult, console: Any) -> None:
    """The capacity found, the plan, and where the files are."""
    outputs = result.outputs or {}
    if not outputs:
        return
    breaking = outputs["breaking_users"]
    limit = f"breaks at {breaking} users" if breaking else "no stage broke the SLA"
    bound = " (lower bound)" if outputs["lower_bound"] else ""
    console.print(
        f"capacity {outputs['capacity_rps']:g} req/s per instance{bound}; {limit}",
        markup=False,
    )
    cost = (
        f", {outputs['monthly_cost']:g} a month" if outputs.get("monthly_cost") is not None else ""
    )
    console.print(
        f"plan: {outputs['instances']} instances for {outputs['target_rps']:g} req/s{cost}",
        markup=False,
    )
    console.print(f"report: {outputs['report']}", markup=False)
