"""Incident response: declare → triage and escalate → mitigate → resolve → postmortem.

declare (devops)        the service has a runbook; when the problem began
escalate (devops)       severity and priority; page the policy's levels until an ack
mitigate (devops)       the service's runbook, risky commands after an approval
resolve (devops)        health checks until healthy N times in a row; the durations
postmortem (documentation)  Google SRE template, timeline from events and notes
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.workflows import register_command_line
from devora.workflows.incident._declare import declare_incident
from devora.workflows.incident._escalation import (
    ACK_STEP,
    WORKFLOW_NAME,
    escalate_incident,
    plan_escalation,
)
from devora.workflows.incident._inputs import IncidentInputs
from devora.workflows.incident._mitigate import mitigate_incident, plan_mitigation
from devora.workflows.incident._present import present_incident
from devora.workflows.incident._records import (
    Declaration,
    Escalation,
    Mitigation,
    PostmortemReport,
    Resolution,
)
from devora.workflows.incident._resolve import resolve_incident
from devora.workflows.incident._write_postmortem import write_postmortem

__all__ = [
    "declare_step",
    "escalate_step",
    "incident_outputs",
    "incident_response",
    "mitigate_step",
    "postmortem_step",
    "resolve_step",
]

declare_step: Step[Declaration] = Step(
    "declare", declare_incident, squad="devops", description="Record the incident."
)
escalate_step: Step[Escalation] = Step(
    ACK_STEP,
    escalate_incident,
    squad="devops",
    needs=[declare_step],
    side_effects=True,
    plan=plan_escalation,
    description="Set the severity; page each level of its policy until someone acknowledges.",
)
mitigate_step: Step[Mitigation] = Step(
    "mitigate",
    mitigate_incident,
    squad="devops",
    needs=[escalate_step],
    side_effects=True,
    plan=plan_mitigation,
    description="Run the service's runbook; risky commands wait for an approval.",
)
resolve_step: Step[Resolution] = Step(
    "resolve",
    resolve_incident,
    squad="devops",
    needs=[mitigate_step],
    description="Health checks until healthy N times in a row; time to detect/mitigate/resolve.",
)
postmortem_step: Step[PostmortemReport] = Step(
    "postmortem",
    write_postmortem,
    squad="documentation",
    needs=[resolve_step],
    description="A blameless postmortem (Google SRE template) with the run's timeline.",
)


def incident_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """Severity, who acknowledged, the durations and the postmortem's path."""
    escalation: Escalation = ctx.result(escalate_step)
    resolution: Resolution = ctx.result(resolve_step)
    postmortem: PostmortemReport = ctx.result(postmortem_step)
    return {
        "service": ctx.inputs.service,
        "severity": escalation.triage.severity.value,
        "priority": escalation.triage.priority,
        "acknowledged_by": escalation.acknowledged_by,
        "levels_paged": len(escalation.pages),
        "time_to_detect_s": round(resolution.time_to_detect, 1),
        "time_to_acknowledge_s": round(resolution.time_to_acknowledge, 1),
        "time_to_mitigate_s": round(resolution.time_to_mitigate, 1),
        "time_to_resolve_s": round(resolution.time_to_resolve, 1),
        "postmortem": postmortem.path,
    }


incident_response = Workflow(
    name=WORKFLOW_NAME,
    description="Declare, triage and escalate, mitigate with the runbook, resolve, postmortem.",
    steps=[declare_step, escalate_step, mitigate_step, resolve_step, postmortem_step],
    inputs=IncidentInputs,
    outputs=incident_outputs,
    concurrency=1,
)
register_command_line(incident_response, positional=("summary",), present=present_incident)
