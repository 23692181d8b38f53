"""The `devora` command: run, resume and cancel workflows; answer what runs wait for."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from devora.cli._common import (
    console,
    exit_code_for,
    open_cli_store,
    print_result,
    run_with_view,
)

if TYPE_CHECKING:
    from devora.store import RunRecord, Store

__all__ = ["app"]

app = typer.Typer(
    name="devora",
    help=(
        "Devora runs software-delivery workflows as durable, observable runs.\n\n"
        "Exit codes: 0 succeeded, 1 failed (or rolled back), 2 bad input or usage, "
        "3 waiting for an approval or input, 4 cancelled, 5 environment problem "
        "(store or tool unavailable), 130 interrupted (Ctrl-C; resume it)."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

JsonOption = Annotated[bool, typer.Option("--json", help="JSON output (JSON lines for events).")]


@app.command(context_settings={"ignore_unknown_options": True, "allow_extra_args": True})
def run(
    workflow: Annotated[str, typer.Argument(help="A built-in name or path/to/file.py:NAME.")],
    arguments: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ARGS]...",
            help="The workflow's positional inputs (e.g. a PATH) and its inputs as options "
            "(--fix, --report-dir DIR).",
        ),
    ] = None,
    inputs: Annotated[
        list[str] | None,
        typer.Option("--input", "-i", help="An input as NAME=VALUE (repeatable)."),
    ] = None,
    inputs_file: Annotated[
        Path | None, typer.Option("--inputs", help="A JSON or YAML file of inputs.")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Plan side-effecting steps; change nothing.")
    ] = False,
    concurrency: Annotated[
        int | None, typer.Option(min=1, help="Most steps running at once.")
    ] = None,
    json_lines: JsonOption = False,
) -> None:
    """Run a workflow: validate its inputs, then execute it with a live view."""
    from devora.cli._inputs import collect_inputs, workflow_arguments
    from devora.workflows import command_line, resolve_workflow

    definition = resolve_workflow(workflow)
    raw = collect_inputs(inputs or [], inputs_file)
    raw.update(
        workflow_arguments(
            definition.name,
            command_line(definition).positional,
            definition.inputs.model_fields,
            arguments or [],
        )
    )
    definition.validate_inputs(raw)  # before the store is touched: bad input makes nothing
    with open_cli_store() as store:
        result = run_with_view(
            lambda engine: engine.run(definition, raw, dry_run=dry_run),
            store=store,
            json_lines=json_lines,
            concurrency=concurrency,
        )
    if not json_lines:
        print_result(result)
        present = command_line(definition).present
        if present is not None and not result.dry_run:
            present(result, console())
    raise typer.Exit(exit_code_for(result.status.value))


@app.command()
def resume(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="The run to continue.")],
    force: Annotated[
        bool, typer.Option(help="Take the run over even if its owner seems alive.")
    ] = False,
    json_lines: JsonOption = False,
) -> None:
    """Continue a crashed, cancelled or waiting run; completed steps are not run again."""
    from devora.workflows import resolve_workflow

    with open_cli_store() as store:
        run_record = _find_run(store, run_id)
        definition = resolve_workflow(run_record.workflow_ref)
        result = run_with_view(
            lambda engine: engine.resume(run_record.id, definition, force=force),
            store=store,
            json_lines=json_lines,
        )
    if not json_lines:
        print_result(result)
    raise typer.Exit(exit_code_for(result.status.value))


@app.command()
def cancel(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="The run to cancel.")],
) -> None:
    """Cancel a run: its running steps stop, and it can be resumed later."""
    from devora.engine import cancel_run

    with open_cli_store() as store:
        run_record = _find_run(store, run_id)
        updated = cancel_run(store, run_record.id)
    if updated.status.value == "cancelled":
        console().print(f"run {updated.id} cancelled; resume with: devora resume {updated.id}")
    else:
        console().print(
            f"cancel requested: the process running {updated.id} ({updated.owner}) "
            "stops its steps within a second"
        )


@app.command()
def approve(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    step: Annotated[str, typer.Argument(metavar="STEP")],
    comment: Annotated[str | None, typer.Option(help="Why, for the record.")] = None,
    by: Annotated[
        str | None, typer.Option(help="Only your own name: you are your OS account.")
    ] = None,
    resume_run: Annotated[
        bool, typer.Option("--resume/--no-resume", help="Continue the run right away.")
    ] = True,
) -> None:
    """Approve a step that waits for approval, then continue the run."""
    _answer(run_id, step, {"approved": True, "comment": comment}, "approval", by, resume_run)


@app.command()
def reject(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    step: Annotated[str, typer.Argument(metavar="STEP")],
    comment: Annotated[str, typer.Option(help="Why the step is rejected.")] = "",
    by: Annotated[
        str | None, typer.Option(help="Only your own name: you are your OS account.")
    ] = None,
    resume_run: Annotated[
        bool, typer.Option("--resume/--no-resume", help="Continue the run right away.")
    ] = True,
) -> None:
    """Reject a step that waits for approval; the step fails and the run rolls back."""
    _answer(run_id, step, {"approved": False, "comment": comment}, "approval", by, resume_run)


@app.command()
def complete(
    run_id: Annotated[str, typer.Argument(metavar="RUN")],
    step: Annotated[str, typer.Argument(metavar="STEP")],
    output: Annotated[
        Path, typer.Option("--output", help="A JSON or YAML file with the step's output.")
    ],
    by: Annotated[
        str | None, typer.Option(help="Only your own name: you are your OS account.")
    ] = None,
    resume_run: Annotated[
        bool, typer.Option("--resume/--no-resume", help="Continue the run right away.")
    ] = True,
) -> None:
    """Give the output a waiting step asks for (checked against its schema), then continue."""
    from devora.cli._inputs import collect_inputs

    payload = collect_inputs([], output)
    _answer(run_id, step, payload, "input", by, resume_run)


def _answer(
    run_id: str,
    step: str,
    payload: dict[str, object],
    kind: str,
    by: str | None,
    resume_run: bool,
) -> None:
    from devora.cli._answers import answer_as_os_account
    from devora.workflows import resolve_workflow

    with open_cli_store() as store:
        run_record, who = answer_as_os_account(store, run_id, step, payload, kind=kind, by=by)
        console().print(f"{kind} for {run_record.id} {step} recorded (by {who})")
        if not resume_run:
            console().print(f"continue it with: devora resume {run_record.id}")
            return
        definition = resolve_workflow(run_record.workflow_ref)
        result = run_with_view(
            lambda engine: engine.resume(run_record.id, definition), store=store, json_lines=False
        )
    print_result(result)
    raise typer.Exit(exit_code_for(result.status.value))


def _find_run(store: Store, run_id: str) -> RunRecord:
    from devora.cli._lookup import find_run

    return find_run(store, run_id)


# The commands defined in other modules, by name: a command line that names one imports
# only its module (the others cost start-up time); help and unknown names import them all.
COMMAND_MODULES: dict[str, str] = {
    "list": "_inspect",
    "show": "_inspect",
    "runs": "_inspect",
    "status": "_inspect",
    "logs": "_inspect",
    "tasks": "_inspect",
    "serve": "_serve",
    "squads": "_squads",
    "config": "_squads",
    "hook": "_hook",
    "incident": "_incident",
    "scheduler": "_scheduler",
    "mcp": "_mcp",
    "worker": "_worker",
}


@app.callback()
def _group() -> None:
    # A callback keeps `devora` a group of commands even when only one is registered.
    pass


def register_commands(argv: list[str] | None) -> None:
    """Add the commands the command line may need: the one it names, or all of them."""
    import importlib

    words = sys.argv[1:] if argv is None else argv
    named = next((word for word in words if not word.startswith("-")), None)
    if named in _CORE_COMMANDS:
        return
    for module in dict.fromkeys(COMMAND_MODULES.values()):  # in the order help lists them
        if named in COMMAND_MODULES and COMMAND_MODULES[named] != module:
            continue
        if module not in _registered:
            importlib.import_module(f"devora.cli.{module}").register(app)
            _registered.add(module)


_CORE_COMMANDS = frozenset({"run", "resume", "cancel", "approve", "reject", "complete"})
_registered: set[str] = set()
