"""`devora incident`: declare an incident, acknowledge it, add notes to its timeline."""

from __future__ import annotations

import getpass
from typing import Annotated, Any

import typer

from devora.cli._common import console, exit_code_for, open_cli_store, print_result, run_with_view

__all__ = ["register"]

incident_app = typer.Typer(
    name="incident",
    help="Incident response: declare, acknowledge, add notes (docs/incident-response.md).",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode=None,
)

ByOption = Annotated[str | None, typer.Option("--by", help="Who (default: $USER).")]


def register(app: typer.Typer) -> None:
    """Add the `incident` command group to the app."""
    app.add_typer(incident_app, name="incident")


@incident_app.command()
def declare(
    summary: Annotated[str, typer.Argument(help="What is wrong, in one line.")],
    service: Annotated[str, typer.Option(help="The affected service (it needs a runbook).")],
    severity: Annotated[
        str | None, typer.Option(help="SEV1 (critical) to SEV4 (minor); else classified.")
    ] = None,
    users_affected: Annotated[
        float | None, typer.Option(help="Share of users affected, in %.")
    ] = None,
    error_rate: Annotated[
        float | None, typer.Option(help="Share of requests failing, in %.")
    ] = None,
    data_loss: Annotated[
        bool | None, typer.Option("--data-loss/--no-data-loss", help="Customer data was lost.")
    ] = None,
    security_breach: Annotated[
        bool | None,
        typer.Option("--security-breach/--no-security-breach", help="A security breach."),
    ] = None,
    revenue_impact: Annotated[
        bool | None,
        typer.Option("--revenue-impact/--no-revenue-impact", help="Revenue is affected."),
    ] = None,
    started_at: Annotated[
        str | None, typer.Option(help="When the problem began (ISO 8601); default: now.")
    ] = None,
    json_lines: Annotated[bool, typer.Option("--json", help="JSON lines of events.")] = False,
) -> None:
    """Declare an incident: page, run the runbook, check health, write the postmortem."""
    from devora.errors import InputValidationError, UsageError
    from devora.workflows import command_line, resolve_workflow
    from devora.workflows.incident import WORKFLOW_NAME, load_incident_settings

    raw: dict[str, Any] = {
        "summary": summary,
        "service": service,
        "severity": severity,
        "users_affected_pct": users_affected,
        "error_rate_pct": error_rate,
        "data_loss": data_loss,
        "security_breach": security_breach,
        "revenue_impact": revenue_impact,
        "started_at": started_at,
    }
    raw = {key: value for key, value in raw.items() if value is not None}
    definition = resolve_workflow(WORKFLOW_NAME)
    try:
        definition.validate_inputs(raw)  # a bad input makes no run
    except InputValidationError as exc:
        raise UsageError(
            exc.message, hint="`devora incident declare --help` lists the options and values"
        ) from exc
    load_incident_settings().service(service)  # nor does a service without a runbook
    with open_cli_store() as store:
        result = run_with_view(
            lambda engine: engine.run(definition, raw), store=store, json_lines=json_lines
        )
    if not json_lines:
        print_result(result)
        present = command_line(definition).present
        if present is not None:
            present(result, console())
    raise typer.Exit(exit_code_for(result.status.value))


@incident_app.command()
def ack(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="The incident's run.")],
    by: ByOption = None,
    comment: Annotated[str | None, typer.Option(help="A word for the timeline.")] = None,
    resume_run: Annotated[
        bool, typer.Option("--resume/--no-resume", help="Continue a waiting run right away.")
    ] = True,
) -> None:
    """Acknowledge an incident: its escalation stops and its runbook starts."""
    from devora.cli._lookup import find_run
    from devora.workflows import command_line, resolve_workflow
    from devora.workflows.incident import AckOutcome, acknowledge_incident

    who = by or getpass.getuser()
    with open_cli_store() as store:
        run = find_run(store, run_id)
        outcome, first = acknowledge_incident(store, run.id, who, comment)
        out = console()
        if outcome is AckOutcome.ALREADY:
            out.print(f"incident {run.id} was already acknowledged by {first}", markup=False)
            return
        out.print(f"incident {run.id} acknowledged by {who}", markup=False)
        if outcome is AckOutcome.SEEN:
            out.print("the escalation stopped; the runbook runs next", markup=False)
            return
        if outcome is AckOutcome.FILED:
            out.print(
                f"nobody runs the incident now: continue it with devora resume {run.id}",
                markup=False,
            )
            return
        if not resume_run:
            out.print(f"continue it with: devora resume {run.id}", markup=False)
            return
        definition = resolve_workflow(run.workflow_ref)
        result = run_with_view(
            lambda engine: engine.resume(run.id, definition), store=store, json_lines=False
        )
    print_result(result)
    present = command_line(definition).present
    if present is not None:
        present(result, console())
    raise typer.Exit(exit_code_for(result.status.value))


@incident_app.command()
def note(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="The incident's run.")],
    text: Annotated[str, typer.Argument(help="What you saw or did.")],
    by: ByOption = None,
) -> None:
    """Add a note to the incident's timeline (the postmortem lists it)."""
    from devora.cli._lookup import find_run
    from devora.workflows.incident import add_note

    who = by or getpass.getuser()
    with open_cli_store() as store:
        run = add_note(store, find_run(store, run_id).id, text, who)
    console().print(f"note added to incident {run.id}", markup=False)
    if run.status.finished:
        console().print(
            f"the postmortem is already written: `devora incident postmortem {run.id}` "
            "writes it again with this note",
            markup=False,
        )


@incident_app.command()
def postmortem(
    run_id: Annotated[str, typer.Argument(metavar="RUN", help="The incident's run.")],
) -> None:
    """Write the incident's postmortem again: after a failed run, or to add later notes."""
    from devora.cli._lookup import find_run
    from devora.workflows.incident import rewrite_postmortem

    with open_cli_store() as store:
        path = rewrite_postmortem(store, find_run(store, run_id).id)
    console().print(f"postmortem: {path}", markup=False)
