"""The built-in workflows and how workflows are found by name."""

from devora.workflows._command_line import CommandLine, command_line, register_command_line
from devora.workflows._input_shape import check_input_shape
from devora.workflows._registry import (
    BUILTIN_WORKFLOWS,
    WorkflowEntry,
    available_workflows,
    resolve_workflow,
)

__all__ = [
    "BUILTIN_WORKFLOWS",
    "CommandLine",
    "WorkflowEntry",
    "available_workflows",
    "check_input_shape",
    "command_line",
    "register_command_line",
    "resolve_workflow",
]
