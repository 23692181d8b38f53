"""`devora incident postmortem RUN`: write the postmortem again from the run's record.

For an incident whose run failed before its postmortem step (a runbook command failed, the
service never became healthy), and for notes added after the document was written. A
narrative the run's model drafted is kept; otherwise its sections are left for a person.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from devora.engine import owner_is_alive
from devora.errors import UsageError
from devora.private_files import make_private_dir, write_private
from devora.secrets import redact_artifact
from devora.store import ArtifactRecord, Event, EventKind, JournalBatch, RunStatus, Store
from devora.workflows.incident._errors import NotAnIncidentError
from devora.workflows.incident._escalation import WORKFLOW_NAME
from devora.workflows.incident._facts import incident_facts, succeeded_outputs
from devora.workflows.incident._postmortem import Narrative, render_postmortem
from devora.workflows.incident._records import PostmortemReport
from devora.workflows.incident._write_postmortem import POSTMORTEM_ARTIFACT

__all__ = ["rewrite_postmortem"]

_AFTER_THE_RUN = (
    "it was written after the run by `devora incident postmortem`, which drafts no narrative."
)


def rewrite_postmortem(store: Store, run_id: str) -> Path:
    """Render the incident's postmortem from the store and record it as the run's artifact."""
    run = store.get_run(run_id)
    if run.workflow != WORKFLOW_NAME:
        raise NotAnIncidentError(run.id, run.workflow)
    if run.status is RunStatus.RUNNING and owner_is_alive(run.owner):
        raise UsageError(
            f"incident {run.id} is still running: its postmortem step will write the document",
            hint=f"run this again when `devora status {run.id}` shows it finished",
        )
    facts = incident_facts(store, run)
    earlier = succeeded_outputs(store.attempts(run.id)).get("postmortem")
    report = PostmortemReport.model_validate(earlier) if earlier else None
    narrative = Narrative.model_validate(report.narrative) if report and report.narrative else None
    drafted_by = (
        f"drafted by an LLM ({report.drafted_by.removeprefix('llm:')}): review it"
        if narrative and report
        else "left for a person"
    )
    document = render_postmortem(facts, narrative, drafted_by, left_because=_AFTER_THE_RUN)
    data = redact_artifact(document)  # argv and output quoted in it hold no secret
    directory = make_private_dir(store.artifact_dir(run.id))
    path = directory / POSTMORTEM_ARTIFACT
    partial = path.with_name(f".{POSTMORTEM_ARTIFACT}.partial")
    write_private(partial, data)
    partial.replace(path)
    record = ArtifactRecord(
        run_id=run.id,
        name=POSTMORTEM_ARTIFACT,
        path=str(path),
        step_id="postmortem",
        media_type="text/markdown",
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
    )
    event = Event(
        run_id=run.id,
        kind=EventKind.ARTIFACT_ADDED,
        step_id="postmortem",
        message=POSTMORTEM_ARTIFACT,
        data={"name": POSTMORTEM_ARTIFACT, "path": str(path), "size": len(data)},
    )
    store.write(JournalBatch(events=[event], artifacts=[record]))
    return path
