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
    from devora.store import AttemptRecord, RunRecord, Store

__all__ = ["describe_workflow", "register", "run_status_json", "waiting_tasks_json"]

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
        print(json.dumps([_run_json(r) for r in records], default=str))
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


def _run_json(record: RunRecord) -> dict[str, Any]:
    return record.model_dump(mode="json", exclude={"owner", "cancel_requested"})


def _clock(at: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))


def _duration(start: float, end: float | None) -> str:
    return "" if end is None else f"{end - start:.1f}s"


def status(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    json_output: JsonOption = False,
) -> None:
    """Show a run: its status, each step's outcome, errors, children and artifacts."""
    from devora.store import Phase

    with open_cli_store() as store:
        record = find_run(store, run_id)
        if json_output:
            print(json.dumps(run_status_json(store, record), default=str))
            return
        attempts, children, artifacts, waiting = _run_parts(store, record)
    steps = _latest_by_step([a for a in attempts if a.phase is Phase.RUN])
    compensations = _latest_by_step([a for a in attempts if a.phase is Phase.COMPENSATE])
    _print_status(record, steps, compensations, attempts, children, artifacts, waiting)


def run_status_json(store: Store, record: RunRecord) -> dict[str, Any]:
    """A run as `devora status --json` prints it: steps, compensations, children, artifacts."""
    from devora.store import Phase

    attempts, children, artifacts, waiting = _run_parts(store, record)
    steps = _latest_by_step([a for a in attempts if a.phase is Phase.RUN])
    compensations = _latest_by_step([a for a in attempts if a.phase is Phase.COMPENSATE])
    payload = _run_json(record)
    payload["steps"] = {k: _attempt_json(v, attempts) for k, v in steps.items()}
    payload["compensations"] = {k: v.status.value for k, v in compensations.items()}
    payload["children"] = [c.id for c in children]
    payload["artifacts"] = [a.model_dump(mode="json") for a in artifacts]
    payload["waiting"] = {w.step_id: w.request.model_dump(mode="json") for w in waiting}
    return payload


def _run_parts(
    store: Store, record: RunRecord
) -> tuple[list[AttemptRecord], list[RunRecord], list[Any], list[PendingRequest]]:
    """What `status` shows of a run: its attempts, children, artifacts, what it waits for."""
    from devora.engine import pending_requests

    attempts = store.attempts(record.id)
    children = store.list_runs(parent_run_id=record.id, limit=100)
    artifacts = store.artifacts(record.id)
    waiting = pending_requests(store, record.id) if record.status.value == "waiting" else []
    return attempts, children, artifacts, waiting


def _latest_by_step(attempts: list[AttemptRecord]) -> dict[str, AttemptRecord]:
    latest: dict[str, AttemptRecord] = {}
    for attempt in attempts:
        latest[attempt.step_id] = attempt
    return latest


def _attempt_json(attempt: AttemptRecord, all_attempts: list[AttemptRecord]) -> dict[str, Any]:
    tries = sum(
        1 for a in all_attempts if a.step_id == attempt.step_id and a.phase == attempt.phase
    )
    data: dict[str, Any] = {
        "status": attempt.status.value,
        "attempts": tries,
        "output": attempt.output,
        "duration": None
        if attempt.started_at is None or attempt.finished_at is None
        else attempt.finished_at - attempt.started_at,
    }
    if attempt.error:
        data["error"] = attempt.error
    if attempt.plan:
        data["plan"] = attempt.plan
    return data


def _print_status(
    record: RunRecord,
    steps: dict[str, AttemptRecord],
    compensations: dict[str, AttemptRecord],
    attempts: list[AttemptRecord],
    children: list[RunRecord],
    artifacts: list[Any],
    waiting: list[Any],
) -> None:
    from rich.markup import escape
    from rich.table import Table

    from devora.engine import ErrorRecord

    out = console()
    out.print(
        f"[bold]run {record.id}[/]  workflow {record.workflow}  [bold]{record.status.value}[/]"
        + ("  (dry-run)" if record.dry_run else "")
    )
    if record.parent_run_id:
        out.print(f"child of run {record.parent_run_id} (step {record.parent_step_id})")
    out.print(f"inputs: {json.dumps(record.inputs, default=str)}")
    table = Table("step", "status", "attempts", "time", "detail")
    for step_id, attempt in steps.items():
        info = _attempt_json(attempt, attempts)
        detail = ""
        if attempt.error:
            detail = ErrorRecord.from_json(attempt.error).message
        elif attempt.plan:
            detail = attempt.plan.get("summary", "")
        compensation = compensations.get(step_id)
        if compensation is not None:
            detail = f"compensation {compensation.status.value}. {detail}"
        table.add_row(
            step_id,
            attempt.status.value,
            str(info["attempts"]),
            "" if info["duration"] is None else f"{info['duration']:.2f}s",
            escape(detail),
        )
    out.print(table)
    if record.error:
        out.print(f"[red]error[/]: {escape(ErrorRecord.from_json(record.error).message)}")
    for request in waiting:
        out.print(
            f"[yellow]waiting[/] {request.step_id} ({request.request.kind}): "
            f"{escape(request.request.prompt)}"
        )
    for child in children:
        out.print(f"child run {child.id}: {child.workflow} {child.status.value}")
    for artifact in artifacts:
        out.print(f"artifact {artifact.name}: {artifact.path} ({artifact.size} bytes)")
    if record.summary:
        figures = "  ".join(f"{k}={v}" for k, v in record.summary.items())
        out.print(f"summary: {escape(figures)}")
    if record.outputs:
        out.print(f"outputs: {escape(json.dumps(record.outputs, default=str))}")


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
