"""The built-in workflows and how workflows are found by name."""

from devora.workflows._registry import (
    BUILTIN_WORKFLOWS,
    WorkflowEntry,
    available_workflows,
    resolve_workflow,
)

__all__ = ["BUILTIN_WORKFLOWS", "WorkflowEntry", "available_workflows", "resolve_workflow"]
