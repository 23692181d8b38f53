"""Finding workflows by name: the built-ins, plugins' entry points, and path/to/file.py:NAME."""

from __future__ import annotations

import importlib
import importlib.util
from dataclasses import dataclass
from importlib.metadata import entry_points

from devora.engine import Workflow, is_file_reference, load_workflow_file
from devora.errors import UnknownWorkflowError

__all__ = ["BUILTIN_WORKFLOWS", "WorkflowEntry", "available_workflows", "resolve_workflow"]

ENTRY_POINT_GROUP = "devora.workflows"


@dataclass(frozen=True, slots=True)
class WorkflowEntry:
    """A workflow that can be named: where it is defined and what it does."""

    name: str
    target: str  # "module:attribute"
    description: str
    source: str  # "built-in" or the distribution providing the plugin


# Built-in workflows, imported only when asked for (keeps `devora --help` fast).
BUILTIN_WORKFLOWS: dict[str, WorkflowEntry] = {
    entry.name: entry
    for entry in (
        WorkflowEntry(
            "quality-gate",
            "devora.workflows.quality_gate:quality_gate",
            "Type-check, lint, test and audit a project in parallel; score it; auto-fix.",
            "built-in",
        ),
        WorkflowEntry(
            "release",
            "devora.workflows.release:release",
            "Next version from Conventional Commits, changelog, tag and publish, with rollback.",
            "built-in",
        ),
        WorkflowEntry(
            "migration",
            "devora.workflows.migration:migration",
            "Analyze, back up, dry-run, apply and verify database migrations, with rollback.",
            "built-in",
        ),
        WorkflowEntry(
            "incident-response",
            "devora.workflows.incident:incident_response",
            "Declare, triage and escalate, mitigate with the runbook, resolve, postmortem.",
            "built-in",
        ),
        WorkflowEntry(
            "performance-audit",
            "devora.workflows.performance:performance_audit",
            "Lighthouse, latency, asset sizes and benchmarks against budgets and past audits.",
            "built-in",
        ),
        WorkflowEntry(
            "bug-resolution",
            "devora.workflows.bug_resolution:bug_resolution",
            "Reproduce, bisect, localize, repair and prove it (FAIL_TO_PASS, PASS_TO_PASS).",
            "built-in",
        ),
        WorkflowEntry(
            "scaling",
            "devora.workflows.scaling:scaling",
            "Staged Locust load test, SLA breaking point, capacity plan, Kubernetes manifests.",
            "built-in",
        ),
        WorkflowEntry(
            "refactoring",
            "devora.workflows.refactoring:refactoring",
            "Hotspots from complexity and churn, codemods or the coding agent in a worktree, "
            "behind the tests.",
            "built-in",
        ),
        WorkflowEntry(
            "commit-gate",
            "devora.workflows.commit_gate:commit_gate",
            "The quality gate on a pushed commit or pull request in a clean checkout; comment.",
            "built-in",
        ),
        WorkflowEntry(
            "saas-mvp",
            "devora.workflows.saas_mvp:saas_mvp",
            "A product spec (or idea) to a generated FastAPI project, verified and deployed.",
            "built-in",
        ),
        WorkflowEntry(
            "feature-development",
            "devora.workflows.feature_development:feature_development",
            "From a request to a tested change: PRD, plan, design, code, proof, review, deploy.",
            "built-in",
        ),
    )
}


def available_workflows() -> dict[str, WorkflowEntry]:
    """Built-in workflows, then those that installed plugins declare."""
    found = {
        name: entry
        for name, entry in BUILTIN_WORKFLOWS.items()
        if importlib.util.find_spec(entry.target.partition(":")[0]) is not None
    }
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in found:
            continue
        source = point.dist.name if point.dist is not None else "plugin"
        found[point.name] = WorkflowEntry(point.name, point.value, "", source)
    return found


def resolve_workflow(reference: str) -> Workflow:
    """The workflow for a built-in name, a plugin name, or `path/to/file.py:NAME`."""
    if is_file_reference(reference):
        return load_workflow_file(reference)
    known = available_workflows()
    entry = known.get(reference)
    if entry is None:
        reason = None
        if reference.endswith(".py"):
            reason = "a file reference needs the workflow's name: path/to/file.py:NAME"
        raise UnknownWorkflowError(reference, reason=reason, known=list(known))
    module_name, _, attribute = entry.target.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise UnknownWorkflowError(reference, reason=f"cannot import {module_name}: {exc}") from exc
    workflow = getattr(module, attribute, None)
    if not isinstance(workflow, Workflow):
        raise UnknownWorkflowError(reference, reason=f"{entry.target} is not a Workflow")
    workflow.ref = reference
    return workflow
