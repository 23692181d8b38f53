"""The incident response workflow: declare, triage and escalate, mitigate, resolve, postmortem."""

from devora.workflows.incident._config import (
    DEFAULT_POLICIES,
    EscalationLevel,
    EscalationPolicy,
    IncidentSettings,
    RunbookCommand,
    ServiceConfig,
    load_incident_settings,
)
from devora.workflows.incident._errors import (
    CommandRejectedError,
    HealthCheckTimeoutError,
    NoRunbookError,
    NotAnIncidentError,
    RunbookCommandError,
)
from devora.workflows.incident._escalation import ACK_STEP, WORKFLOW_NAME
from devora.workflows.incident._facts import incident_facts
from devora.workflows.incident._health import check_once, wait_until_healthy
from devora.workflows.incident._inputs import IncidentInputs
from devora.workflows.incident._mitigate import run_command
from devora.workflows.incident._outside import AckOutcome, acknowledge_incident, add_note
from devora.workflows.incident._paging import page_squads
from devora.workflows.incident._postmortem import (
    ActionItem,
    Narrative,
    PostmortemFacts,
    blameful_phrases,
    render_postmortem,
)
from devora.workflows.incident._records import (
    Acknowledgement,
    CommandRun,
    Declaration,
    Escalation,
    HealthCheck,
    Mitigation,
    Page,
    PostmortemReport,
    Resolution,
)
from devora.workflows.incident._rewrite import rewrite_postmortem
from devora.workflows.incident._severity import (
    SEVERITY_PRIORITIES,
    Severity,
    Signals,
    Triage,
    classify_signals,
    parse_severity,
    triage_incident,
)
from devora.workflows.incident._timeline import TimelineEntry, build_timeline, incident_notes
from devora.workflows.incident._workflow import incident_outputs, incident_response

__all__ = [
    "ACK_STEP",
    "DEFAULT_POLICIES",
    "SEVERITY_PRIORITIES",
    "WORKFLOW_NAME",
    "AckOutcome",
    "Acknowledgement",
    "ActionItem",
    "CommandRejectedError",
    "CommandRun",
    "Declaration",
    "Escalation",
    "EscalationLevel",
    "EscalationPolicy",
    "HealthCheck",
    "HealthCheckTimeoutError",
    "IncidentInputs",
    "IncidentSettings",
    "Mitigation",
    "Narrative",
    "NoRunbookError",
    "NotAnIncidentError",
    "Page",
    "PostmortemFacts",
    "PostmortemReport",
    "Resolution",
    "RunbookCommand",
    "RunbookCommandError",
    "ServiceConfig",
    "Severity",
    "Signals",
    "TimelineEntry",
    "Triage",
    "acknowledge_incident",
    "add_note",
    "blameful_phrases",
    "build_timeline",
    "check_once",
    "classify_signals",
    "incident_facts",
    "incident_notes",
    "incident_outputs",
    "incident_response",
    "load_incident_settings",
    "page_squads",
    "parse_severity",
    "render_postmortem",
    "rewrite_postmortem",
    "run_command",
    "triage_incident",
    "wait_until_healthy",
]
