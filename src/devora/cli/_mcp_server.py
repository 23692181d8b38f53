"""The MCP server: Devora's operations as tools an AI coding assistant calls over stdio.

Each tool does what the matching `devora` command does, through the same functions:
workflows are found by `resolve_workflow`, inputs validated by the workflow's model,
answers checked by `devora.squads.record_answer` (the answerer is this process's OS
account, as for the CLI), runs read by `devora.runs_view.run_detail` and cancelled by
`cancel_run`. Runs are started and resumed as background `devora run|resume` processes,
so they outlive the assistant's session (`devora.cli._detached`). A `DevoraError` becomes
a tool error whose text is its message and hint.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from devora.errors import DevoraError, UsageError

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

    from devora.store import RunRecord, Store

__all__ = ["build_server"]

T = TypeVar("T")

INSTRUCTIONS = (
    "Devora runs software-delivery workflows (quality gate, release, migration, incident "
    "response...) as durable runs. list_workflows, then show_workflow for a workflow's inputs; "
    "start_run returns a run id at once (the run goes on in the background); run_status with "
    "wait_seconds follows it; tasks lists the approvals and inputs runs wait for; approve, "
    "reject and complete answer them and continue the run; cancel stops a run, resume "
    "continues a cancelled or interrupted one."
)
MAX_WAIT = 600.0


def build_server() -> MCPServer[Any]:
    """An MCP server with Devora's tools, not yet running."""
    from mcp.server.mcpserver import MCPServer

    server: MCPServer[Any] = MCPServer("devora", instructions=INSTRUCTIONS)
    for tool in (
        list_workflows,
        show_workflow,
        start_run,
        list_runs,
        run_status,
        tasks,
        approve,
        reject,
        complete,
        cancel,
        resume,
    ):
        server.tool()(_as_tool(tool))
    return server


def _as_tool(function: Callable[..., T]) -> Callable[..., T]:
    """`function` with DevoraErrors turned into the SDK's tool errors (message + hint)."""
    import functools

    from mcp.server.mcpserver.exceptions import ToolError

    @functools.wraps(function)
    def tool(*args: Any, **kwargs: Any) -> T:
        try:
            return function(*args, **kwargs)
        except DevoraError as error:
            raise ToolError(f"{error.message}\nHint: {error.hint}") from error

    return tool


@contextmanager
def _store() -> Iterator[Store]:
    from devora.cli._common import open_cli_store

    with open_cli_store() as store:
        yield store


def list_workflows() -> list[dict[str, str]]:
    """The workflows Devora knows by name: built-in and plugins (`devora list`)."""
    from devora.workflows import available_workflows

    return [
        {"name": e.name, "description": e.description, "source": e.source}
        for e in available_workflows().values()
    ]


def show_workflow(workflow: str) -> dict[str, Any]:
    """A workflow's inputs (with their JSON Schema), steps, squads and DAG (`devora show`).

    `workflow` is a built-in name or path/to/file.py:NAME.
    """
    from devora.cli._inspect import describe_workflow
    from devora.workflows import resolve_workflow

    definition = resolve_workflow(workflow)
    described = describe_workflow(definition)
    described["input_schema"] = definition.inputs.model_json_schema()
    return described


def start_run(
    workflow: str, inputs: dict[str, Any] | None = None, dry_run: bool = False
) -> dict[str, Any]:
    """Validate the inputs and start a run of the workflow in the background (`devora run`).

    Returns the run id at once; follow it with run_status. Bad inputs are refused before
    anything is recorded, with the field named.
    """
    import json

    from devora.cli._detached import start_detached
    from devora.private_files import make_private_dir, write_private
    from devora.store import resolve_store_location
    from devora.workflows import check_input_shape, resolve_workflow

    raw = dict(inputs or {})
    check_input_shape(raw)
    definition = resolve_workflow(workflow)
    definition.validate_inputs(raw)  # before anything starts: bad input makes nothing
    home = resolve_store_location().home
    inputs_file = make_private_dir(home / "mcp") / f"inputs-{time.time_ns()}.json"
    write_private(inputs_file, json.dumps(raw))
    arguments = ["run", workflow, "--inputs", str(inputs_file), "--json"]
    command = start_detached(arguments + (["--dry-run"] if dry_run else []), home, "run")
    try:
        run_id = command.wait_for_run_id()
    finally:
        inputs_file.unlink(missing_ok=True)  # recorded with the run by now, or refused
    return _progress(run_id, command.log)


def list_runs(
    workflow: str | None = None, status: str | None = None, limit: int = 20
) -> list[dict[str, Any]]:
    """Recorded runs, newest first, optionally of one workflow or status (`devora runs`)."""
    from devora.runs_view import run_view
    from devora.store import RunStatus

    try:
        wanted = None if status is None else RunStatus(status)
    except ValueError:
        choices = ", ".join(s.value for s in RunStatus)
        raise UsageError(f"unknown status {status!r}", hint=f"one of: {choices}") from None
    with _store() as store:
        records = store.list_runs(
            workflow=workflow, status=wanted, limit=max(1, min(limit, 500)), top_level_only=True
        )
    return [run_view(r).model_dump(mode="json") for r in records]


def run_status(run: str, wait_seconds: float = 0) -> dict[str, Any]:
    """A run's status, steps, errors, children, artifacts and what it waits for.

    With `wait_seconds`, waits (at most 600 s) until the run is no longer pending or running
    and no live process holds it (a waiting run that `approve` or `complete` just handed to
    `devora resume` is still `waiting` until that process moves it on).
    `run` is a run id or an unambiguous prefix of one.
    """
    from devora.cli._lookup import find_run
    from devora.engine import owner_is_alive
    from devora.runs_view import run_detail
    from devora.secrets import redact_value

    def in_progress(record: RunRecord) -> bool:
        return record.status.value in ("pending", "running") or owner_is_alive(record.owner)

    deadline = time.monotonic() + max(0.0, min(wait_seconds, MAX_WAIT))
    with _store() as store:
        record = find_run(store, run)
        while in_progress(record) and time.monotonic() < deadline:
            time.sleep(0.2)
            record = store.get_run(record.id)
        payload: dict[str, Any] = redact_value(run_detail(store, record).model_dump(mode="json"))
    return payload


def tasks() -> list[dict[str, Any]]:
    """What waiting runs wait for: approvals and inputs (with the JSON Schema an input needs)."""
    from devora.cli._inspect import waiting_tasks_json

    with _store() as store:
        return waiting_tasks_json(store)


def approve(run: str, step: str, comment: str | None = None) -> dict[str, Any]:
    """Approve a step that waits for approval, then continue the run in the background."""
    return _answer(run, step, {"approved": True, "comment": comment}, "approval")


def reject(run: str, step: str, comment: str = "") -> dict[str, Any]:
    """Reject a step that waits for approval: the step fails and the run rolls back."""
    return _answer(run, step, {"approved": False, "comment": comment}, "approval")


def complete(run: str, step: str, output: dict[str, Any]) -> dict[str, Any]:
    """Give a waiting step the output it asks for (checked against its schema), then continue."""
    return _answer(run, step, output, "input")


def cancel(run: str) -> dict[str, Any]:
    """Cancel a run (`devora cancel`): its running steps stop within a second.

    A run nobody executes (waiting, or its process died) is cancelled at once; a running
    one is asked to stop (follow it with run_status). Resume it later with resume.
    """
    from devora.cli._lookup import find_run
    from devora.engine import cancel_run

    with _store() as store:
        updated = cancel_run(store, find_run(store, run).id)
    return {
        "run_id": updated.id,
        "status": updated.status.value,
        "cancel_requested": updated.status.value != "cancelled",
        "follow": "run_status(run, wait_seconds=...) until it is cancelled",
    }


def resume(run: str) -> dict[str, Any]:
    """Continue a cancelled, interrupted or waiting run in the background (`devora resume`).

    Completed steps are not run again; their recorded outputs are reused.
    """
    from devora.cli._lookup import find_run

    with _store() as store:
        run_id = find_run(store, run).id
    return _continue(run_id, f"{run_id} did not continue")


def _answer(run: str, step: str, payload: dict[str, Any], kind: str) -> dict[str, Any]:
    from devora.cli._answers import answer_as_os_account

    with _store() as store:
        record, who = answer_as_os_account(store, run, step, payload, kind=kind)
    recorded = f"the {kind} for {record.id} {step} is recorded (by {who}), but the run did not"
    result = _continue(record.id, f"{recorded} continue")
    result["answered_by"] = who
    return result


def _continue(run_id: str, failure: str) -> dict[str, Any]:
    """Start `devora resume RUN --json` in the background; return once it took the run."""
    from devora.cli._detached import start_detached
    from devora.store import resolve_store_location

    home = resolve_store_location().home
    command = start_detached(["resume", run_id, "--json"], home, "resume")
    try:
        command.wait_for_run_id()  # its first line: the run was taken over and goes on
    except DevoraError as error:
        raise UsageError(
            f"{failure}: {error.message}", hint=f"continue it with `devora resume {run_id}`"
        ) from error
    return _progress(run_id, command.log)


def _progress(run_id: str, log: Path) -> dict[str, Any]:
    with _store() as store:
        status = store.get_run(run_id).status.value
    return {
        "run_id": run_id,
        "status": status,
        "log": str(log),
        "follow": "run_status(run, wait_seconds=...) until it is no longer running",
    }
