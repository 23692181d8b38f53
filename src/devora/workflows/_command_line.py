"""How the command line shows a workflow: its positional arguments and its own summary.

The engine knows nothing of command lines; a workflow module registers these beside its
definition, and the CLI looks them up.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from devora.engine import Workflow
from devora.errors import WorkflowDefinitionError

__all__ = ["CommandLine", "command_line", "register_command_line"]

Presenter = Callable[[Any, Any], None]


@dataclass(frozen=True, slots=True)
class CommandLine:
    """`positional`: the inputs taken as arguments (`PATH`); `present(result, console)`:
    the workflow's own summary, printed after a run."""

    positional: tuple[str, ...] = ()
    present: Presenter | None = None


_REGISTERED: dict[str, tuple[Workflow, CommandLine]] = {}


def register_command_line(
    workflow: Workflow, *, positional: tuple[str, ...] = (), present: Presenter | None = None
) -> Workflow:
    """Give a workflow its command-line arguments and summary; returns the workflow."""
    unknown = [name for name in positional if name not in workflow.inputs.model_fields]
    if unknown:
        raise WorkflowDefinitionError(
            workflow.name,
            f"positional inputs {unknown} are not fields of {workflow.inputs.__name__}",
        )
    _REGISTERED[workflow.name] = (workflow, CommandLine(positional, present))
    return workflow


def command_line(workflow: Workflow) -> CommandLine:
    """What the command line knows of this workflow (nothing special when unregistered)."""
    registered = _REGISTERED.get(workflow.name)
    if registered is None or registered[0] is not workflow:
        return CommandLine()
    return registered[1]
