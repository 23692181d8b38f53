"""How the CLI shows the end of an incident run."""

from __future__ import annotations

from typing import Any

from devora.engine import RunResult
from devora.workflows.incident._timeline import format_duration

__all__ = ["present_incident"]


def present_incident(result: RunResult, console: Any) -> None:
    """The severity, the durations and where the postmortem is; or how to go on."""
    outputs = result.outputs
    if result.status.value == "succeeded" and outputs:
        console.print(
            f"incident resolved: {outputs['severity']} ({outputs['priority']}) on "
            f"{outputs['service']}, acknowledged by {outputs['acknowledged_by']}; "
            f"acknowledged in {format_duration(outputs['time_to_acknowledge_s'])}, "
            f"mitigated in {format_duration(outputs['time_to_mitigate_s'])}, "
            f"resolved in {format_duration(outputs['time_to_resolve_s'])}",
            markup=False,
        )
        console.print(f"postmortem: {outputs['postmortem']}", markup=False)
    elif "escalate" in result.waiting:
        console.print(
            f"every escalation level was paged and nobody acknowledged: "
            f"devora incident ack {result.run_id}",
            markup=False,
        )
