"""The facts of an incident, read back from its run in the store — also of one that failed.

One path for both the postmortem step and `devora incident postmortem RUN`: the recorded
outputs of the steps that succeeded, and for a step that did not, what its journaled log
events say it did (pages sent, commands run).
"""

from __future__ import annotations

from typing import Any

from devora.engine import ErrorRecord
from devora.errors import UsageError
from devora.store import AttemptRecord, Phase, RunRecord, StepStatus, Store
from devora.workflows.incident._inputs import IncidentInputs
from devora.workflows.incident._postmortem import PostmortemFacts
from devora.workflows.incident._records import (
    CommandRun,
    Declaration,
    Escalation,
    Mitigation,
    Page,
    Resolution,
)
from devora.workflows.incident._run_access import step_logs
from devora.workflows.incident._severity import Triage, triage_incident
from devora.workflows.incident._timeline import build_timeline, incident_notes

__all__ = ["incident_facts", "succeeded_outputs"]


def succeeded_outputs(attempts: list[AttemptRecord]) -> dict[str, Any]:
    """The recorded output of every step that succeeded, by step id."""
    return {
        attempt.step_id: attempt.output
        for attempt in attempts
        if attempt.phase is Phase.RUN and attempt.status is StepStatus.SUCCEEDED
    }


def _failure(run: RunRecord) -> str | None:
    if run.error:
        error = ErrorRecord.from_json(run.error)
        where = f"step {error.step} failed: " if error.step else ""
        return f"{where}{error.message}"
    if run.status.value in ("cancelled", "waiting"):
        return f"the run is {run.status.value}"
    return None


def incident_facts(store: Store, run: RunRecord) -> PostmortemFacts:
    """Everything the store knows of the incident `run`."""
    outputs = succeeded_outputs(store.attempts(run.id))
    if "declare" not in outputs:
        raise UsageError(
            f"incident {run.id} was never declared: its declare step did not succeed",
            hint=f"`devora status {run.id}` shows why",
        )
    inputs = IncidentInputs.model_validate(run.inputs)
    events = store.events(run.id)
    escalation = Escalation.model_validate(outputs["escalate"]) if "escalate" in outputs else None
    logged_triage = step_logs(events, "escalate", "triage")
    triage = (
        escalation.triage
        if escalation
        else Triage.model_validate(logged_triage[-1])
        if logged_triage
        else triage_incident(inputs.severity, inputs.signals())
    )
    mitigation = Mitigation.model_validate(outputs["mitigate"]) if "mitigate" in outputs else None
    return PostmortemFacts(
        run_id=run.id,
        declaration=Declaration.model_validate(outputs["declare"]),
        signals=inputs.signals(),
        triage=triage,
        pages=escalation.pages
        if escalation
        else [Page.model_validate(page) for page in step_logs(events, "escalate", "page")],
        acknowledged_by=escalation.acknowledged_by if escalation else None,
        acknowledged_at=escalation.acknowledged_at if escalation else None,
        commands=mitigation.commands
        if mitigation
        else [CommandRun.model_validate(c) for c in step_logs(events, "mitigate", "command")],
        mitigated_at=mitigation.mitigated_at if mitigation else None,
        resolution=Resolution.model_validate(outputs["resolve"]) if "resolve" in outputs else None,
        failure=_failure(run),
        timeline=build_timeline(events, incident_notes(store.answers(run.id))),
    )
