"""Commands that look without changing: list, show, runs, status, logs, tasks."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Annotated, Any

import typer

from devora.cli._common import console, open_cli_store
from devora.cli._lookup import find_run

if TYPE_CHECKING:
    from devora.engine import PendingRequest, Workflow
    from devora.runs_view import RunDetail
    from devora.store import Store

__all__ = ["describe_workflow", "register", "waiting_tasks_json"]

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


def register(app: typer.Typer) -> None:
    """Add the inspection commands to the app."""
    app.command("list")(list_workflows)
    app.command()(show)
    app.command()(runs)
    app.command()(status)
    app.command()(logs)
    app.command()(tasks)


def list_workflows(json_output: JsonOption = False) -> None:
    """List the workflows Devora knows by name (built-in and plugins)."""
    from devora.workflows import available_workflows

    entries = available_workflows()
    if json_output:
        print(json.dumps([_entry(e) for e in entries.values()]))
        return
    from rich.table import Table

    table = Table("workflow", "source", "description")
    for entry in entries.values():
        table.add_row(entry.name, entry.source, entry.description)
    out = console()
    if entries:
        out.print(table)
    else:
        out.print("no built-in workflows are installed yet")
    out.print("any file works too: devora run path/to/file.py:NAME")


def _entry(entry: Any) -> dict[str, str]:
    return {
        "name": entry.name,
        "target": entry.target,
        "description": entry.description,
        "source": entry.source,
    }


def show(
    workflow: Annotated[str, typer.Argument(help="A built-in name or path/to/file.py:NAME.")],
    json_output: JsonOption = False,
) -> None:
    """Show a workflow: its inputs, its steps with their squads and policies, and the DAG."""
    from devora.workflows import resolve_workflow

    definition = resolve_workflow(workflow)
    described = describe_workflow(definition)
    if json_output:
        print(json.dumps(described, indent=2, default=str))
        return
    from rich.table import Table

    out = console()
    out.print(f"[bold]{definition.name}[/]  {definition.description}")
    inputs = Table("input", "type", "default", "description", title="inputs", title_justify="left")
    for field in described["inputs"]:
        inputs.add_row(field["name"], field["type"], field["default"], field["description"])
    out.print(inputs)
    steps = Table(
        "step",
        "squad",
        "needs",
        "when",
        "retry",
        "timeout",
        "side effects",
        "compensate",
        title="steps",
        title_justify="left",
    )
    for step in described["steps"]:
        steps.add_row(
            step["id"],
            step["squad"],
            ", ".join(step["needs"]) or "-",
            "yes" if step["conditional"] else "-",
            str(step["retry_attempts"]),
            f"{step['timeout']}s" if step["timeout"] else "-",
            "yes (plan in dry-run)" if step["side_effects"] else "-",
            step["compensate"] or "-",
        )
    out.print(steps)
    out.print("[bold]DAG[/] (steps on one line can run in parallel)")
    for depth, level in enumerate(described["levels"], start=1):
        out.print(f"  {depth}. " + "  ∥  ".join(level))


def describe_workflow(definition: Workflow) -> dict[str, Any]:
    """A workflow as data: its inputs, its steps with their policies, and the DAG's levels."""
    fields = []
    for name, info in definition.inputs.model_fields.items():
        annotation = getattr(info.annotation, "__name__", None) or str(info.annotation)
        fields.append(
            {
                "name": name,
                "type": annotation,
                "default": "(required)" if info.is_required() else repr(info.default),
                "description": info.description or "",
            }
        )
    depth: dict[str, int] = {}
    for step_id in definition.order:
        step = definition.by_id[step_id]
        depth[step_id] = 1 + max((depth[n] for n in step.needs), default=0)
    levels: list[list[str]] = [[] for _ in range(max(depth.values(), default=0))]
    for step in definition.steps:
        levels[depth[step.id] - 1].append(step.id)
    return {
        "name": definition.name,
        "description": definition.description,
        "inputs": fields,
        "steps": [
            {
                "id": step.id,
                "squad": step.squad,
                "action": step.action.name,
                "description": step.description,
                "needs": list(step.needs),
                "conditional": step.when is not None,
                "retry_attempts": step.retry.attempts,
                "timeout": step.timeout,
                "side_effects": step.side_effects,
                "compensate": step.compensate.name if step.compensate else None,
                "approval": step.approval,
            }
            for step in definition.steps
        ],
        "levels": levels,
    }


def runs(
    workflow: Annotated[str | None, typer.Option(help="Only runs of this workflow.")] = None,
    status_filter: Annotated[
        str | None, typer.Option("--status", help="Only runs with this status.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, help="How many runs, newest first.")] = 20,
    include_children: Annotated[
        bool, typer.Option("--children", help="Include child runs.")
    ] = False,
    json_output: JsonOption = False,
) -> None:
    """List recorded runs, newest first."""
    from devora.errors import UsageError
    from devora.store import RunStatus

    wanted = None
    if status_filter is not None:
        try:
            wanted = RunStatus(status_filter)
        except ValueError:
            choices = ", ".join(s.value for s in RunStatus)
            raise UsageError(
                f"unknown status {status_filter!r}", hint=f"one of: {choices}"
            ) from None
    with open_cli_store() as store:
        records = store.list_runs(
            workflow=workflow, status=wanted, limit=limit, top_level_only=not include_children
        )
    if json_output:
        from devora.runs_view import run_view

        print(json.dumps([run_view(r).model_dump(mode="json") for r in records]))
        return
    from rich.table import Table

    table = Table("run", "workflow", "status", "started", "duration", "summary")
    table.columns[0].no_wrap = True
    table.columns[1].no_wrap = True
    for record in records:
        table.add_row(
            record.id,
            record.workflow,
            record.status.value + (" (dry-run)" if record.dry_run else ""),
            _clock(record.created_at),
            _duration(record.created_at, record.finished_at),
            " ".join(f"{k}={v}" for k, v in record.summary.items()),
        )
    console().print(table if records else "no runs recorded yet")


def _clock(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _duration(start: float, end: float | None) -> str:
    return "" if end is None else f"{end - start:.1f}s"


def status(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    json_output: JsonOption = False,
) -> None:
    """Show a run: its status, each step's outcome, errors, children and artifacts."""
    from devora.runs_view import run_detail

    with open_cli_store() as store:
        detail = run_detail(store, find_run(store, run_id))
    if json_output:
        print(detail.model_dump_json())
        return
    _print_status(detail)


def _print_status(run: RunDetail) -> None:
    from rich.markup import escape
    from rich.table import Table

    from devora.engine import ErrorRecord

    out = console()
    out.print(
        f"[bold]run {run.id}[/]  workflow {run.workflow}  [bold]{run.status.value}[/]"
        + ("  (dry-run)" if run.dry_run else "")
    )
    if run.parent_run_id:
        out.print(f"child of run {run.parent_run_id} (step {run.parent_step_id})")
    out.print(f"inputs: {json.dumps(run.inputs, default=str)}")
    table = Table("step", "status", "attempts", "time", "detail")
    for step_id, step in run.steps.items():
        detail = ""
        if step.error:
            detail = ErrorRecord.from_json(step.error).message
        elif step.plan:
            detail = step.plan.get("summary", "")
        compensation = run.compensations.get(step_id)
        if compensation is not None:
            detail = f"compensation {compensation.status}. {detail}"
        table.add_row(
            step_id,
            step.status,
            str(step.attempts),
            "" if step.duration is None else f"{step.duration:.2f}s",
            escape(detail),
        )
    out.print(table)
    if run.error:
        out.print(f"[red]error[/]: {escape(ErrorRecord.from_json(run.error).message)}")
    for step_id, request in run.waiting.items():
        out.print(f"[yellow]waiting[/] {step_id} ({request['kind']}): {escape(request['prompt'])}")
    for child in run.children:
        out.print(f"child run {child.id}: {child.workflow} {child.status.value}")
    for artifact in run.artifacts:
        out.print(f"artifact {artifact.name}: {artifact.path} ({artifact.size} bytes)")
    if run.summary:
        figures = "  ".join(f"{k}={v}" for k, v in run.summary.items())
        out.print(f"summary: {escape(figures)}")
    if run.outputs:
        out.print(f"outputs: {escape(json.dumps(run.outputs, default=str))}")


def logs(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    follow: Annotated[
        bool, typer.Option("--follow", "-f", help="Keep printing until the run stops.")
    ] = False,
    json_lines: Annotated[bool, typer.Option("--json", help="JSON lines.")] = False,
) -> None:
    """Print a run's events: steps starting and finishing, log lines, retries, waits."""
    from devora.cli._render import event_json, format_event
    from devora.store import EventKind, RunStatus

    with open_cli_store() as store:
        record = find_run(store, run_id)
        last = 0
        while True:
            events = store.events(record.id, after_seq=last)
            for event in events:
                print(event_json(event) if json_lines else format_event(event), flush=True)
                last = event.seq
            if not follow:
                return
            ended = events and events[-1].kind is EventKind.RUN_FINISHED
            current = store.get_run(record.id).status
            if current not in (RunStatus.RUNNING, RunStatus.PENDING) and (ended or not events):
                return
            time.sleep(0.3)


def tasks(json_output: JsonOption = False) -> None:
    """List what waiting runs wait for: approvals and inputs, with the command to answer."""

    with open_cli_store() as store:
        if json_output:
            print(json.dumps(waiting_tasks_json(store)))
            return
        requests = _waiting_requests(store)
    if not requests:
        console().print("nothing is waiting")
        return
    from rich.table import Table

    table = Table("run", "step", "kind", "squad", "since", "what", "answer with")
    for request in requests:
        kind = request.request.kind
        command = {
            "approval": f"devora approve {request.run_id} {request.step_id}",
            "input": f"devora complete {request.run_id} {request.step_id} --output FILE",
        }.get(kind, f"answer child run {request.request.child_run_id}")
        table.add_row(
            request.run_id,
            request.step_id,
            kind,
            request.request.squad or "",
            _clock(request.since),
            request.request.prompt,
            command,
        )
    console().print(table)


def _waiting_requests(store: Store) -> list[PendingRequest]:
    from devora.engine import pending_requests
    from devora.store import RunStatus

    waiting_runs = store.list_runs(status=RunStatus.WAITING, limit=500)
    return [r for run in waiting_runs for r in pending_requests(store, run.id)]


def waiting_tasks_json(store: Store) -> list[dict[str, Any]]:
    """What waiting runs wait for, as `devora tasks --json` prints it."""
    return [
        {
            "run_id": r.run_id,
            "step_id": r.step_id,
            "since": r.since,
            **r.request.model_dump(mode="json"),
        }
        for r in _waiting_requests(store)
    ]
