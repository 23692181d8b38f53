"""The package's public API: sorted, complete, documented; the workflow as the registry names it."""

from __future__ import annotations

import inspect
import pickle

import devora.workflows.incident as incident
from devora.workflows import command_line, resolve_workflow
from devora.workflows.incident import HealthCheckTimeoutError, NoRunbookError, RunbookCommandError


def test_all_is_sorted_unique_and_importable() -> None:
    names = incident.__all__
    assert len(set(names)) == len(names)
    constants = [n for n in names if n.isupper()]
    classes = [n for n in names if not n.isupper() and n[0].isupper()]
    functions = [n for n in names if n[0].islower()]
    assert constants == sorted(constants)
    assert classes == sorted(classes) and functions == sorted(functions)
    assert [name for name in names if not hasattr(incident, name)] == []


def test_public_functions_and_classes_have_docstrings() -> None:
    for name in incident.__all__:
        value = getattr(incident, name)
        if inspect.isfunction(value) or inspect.isclass(value):
            assert (value.__doc__ or "").strip(), name


def test_the_registry_resolves_incident_response() -> None:
    workflow = resolve_workflow("incident-response")
    assert workflow is incident.incident_response
    assert [step.id for step in workflow.steps] == [
        "declare",
        "escalate",
        "mitigate",
        "resolve",
        "postmortem",
    ]
    assert {step.squad for step in workflow.steps} == {"devops", "documentation"}
    assert workflow.by_id["escalate"].side_effects and workflow.by_id["mitigate"].side_effects
    assert command_line(workflow).positional == ("summary",)


def test_errors_pickle_with_their_fields() -> None:
    errors = [
        NoRunbookError("billing", ["api"]),
        RunbookCommandError("restart", ["systemctl", "restart", "api"], "exited with 1", "oops"),
        HealthCheckTimeoutError("http://127.0.0.1:9/health", 5, 3, 10, "ConnectError"),
    ]
    for error in errors:
        copy = pickle.loads(pickle.dumps(error))
        assert type(copy) is type(error) and str(copy) == str(error) and copy.hint == error.hint
        assert copy.__dict__ == error.__dict__
