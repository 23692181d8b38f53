"""Step 3, mitigate: run the service's runbook, risky commands only after an approval.

Each command's argv, exit code and output are journaled as a log event of the step (the
incident's timeline). A resumed step (after an approval, or a crash) does not run again a
command whose success is already journaled.
"""

from __future__ import annotations

import shlex
import time
from pathlib import Path
from typing import Any

from devora.engine import Approval, Plan, StepContext, StepSuspended, WaitRequest
from devora.llm import redact
from devora.tools import ProcessTimedOut, run_bounded
from devora.workflows.incident._config import RunbookCommand, load_incident_settings
from devora.workflows.incident._errors import (
    CommandRejectedError,
    RunbookCommandError,
    RunbookCommandTimeoutError,
)
from devora.workflows.incident._inputs import IncidentInputs
from devora.workflows.incident._records import CommandRun, Declaration, Mitigation
from devora.workflows.incident._run_access import run_events, step_logs

__all__ = ["MAX_OUTPUT", "approval_key", "mitigate_incident", "plan_mitigation", "run_command"]

MAX_OUTPUT = 8000  # characters of a command's output kept in the timeline


def approval_key(step_id: str, command: RunbookCommand) -> str:
    """Where the approval of one risky command is filed."""
    return f"{step_id}#approval:{command.name}"


async def mitigate_incident(ctx: StepContext[IncidentInputs]) -> Mitigation:
    """Run the runbook's commands in order; stop at the first that fails."""
    declaration: Declaration = ctx.result("declare")
    service = load_incident_settings().service(declaration.service)
    events = await run_events(ctx)
    done = {
        run.name: run
        for run in (CommandRun.model_validate(c) for c in step_logs(events, ctx.step_id, "command"))
        if run.exit_code == 0
    }
    runs: list[CommandRun] = []
    for command in service.runbook:
        if command.name in done:
            runs.append(done[command.name])
            continue
        approved_by = _approved_by(ctx, command) if command.risky else None
        run = await run_command(command, Path.cwd())
        run = run.model_copy(update={"approved_by": approved_by})
        ctx.log(
            f"ran {command.name} ({shlex.join(command.argv)}): exit {run.exit_code} in "
            f"{run.finished_at - run.started_at:.1f}s",
            command=run.model_dump(mode="json"),
        )
        if run.exit_code != 0:
            raise RunbookCommandError(
                command.name, command.argv, f"exited with {run.exit_code}", run.output
            )
        runs.append(run)
    return Mitigation(commands=runs, mitigated_at=time.time())


def _approved_by(ctx: StepContext[Any], command: RunbookCommand) -> str:
    key = approval_key(ctx.step_id, command)
    answer = ctx.answer(key)
    if answer is None:
        raise StepSuspended(
            WaitRequest(
                kind="approval",
                key=key,
                prompt=f"run risky runbook command {command.name!r}: {shlex.join(command.argv)}"
                + (f" ({command.description})" if command.description else ""),
                squad="devops",
            )
        )
    approval = Approval.model_validate(answer.payload)
    who = approval.by or answer.answered_by
    if not approval.approved:
        raise CommandRejectedError(command.name, who, approval.comment)
    comment = f": {approval.comment}" if approval.comment else ""
    ctx.log(f"{command.name} approved" + (f" by {who}" if who else "") + comment)
    return who or "someone"


async def run_command(command: RunbookCommand, cwd: Path) -> CommandRun:
    """Run one command (argv, no shell) with its timeout; its output is kept, clipped, masked."""
    started = time.time()
    try:
        # Its own process group: a timeout or a cancelled run also ends what it started.
        completed = await run_bounded(
            command.argv, cwd=cwd, time_limit=command.timeout, merge_stderr=True
        )
    except ProcessTimedOut as timed_out:
        raise RunbookCommandTimeoutError(command.name, command.argv, command.timeout) from timed_out
    except OSError as exc:
        raise RunbookCommandError(
            command.name, command.argv, f"cannot start: {exc.strerror or exc}"
        ) from exc
    # The output goes into the journal and the postmortem: mask what looks like a secret.
    text = redact(completed.stdout.decode("utf-8", errors="replace"))
    return CommandRun(
        name=command.name,
        argv=list(command.argv),
        exit_code=completed.returncode,
        output=text[-MAX_OUTPUT:],
        started_at=started,
        finished_at=time.time(),
    )


def plan_mitigation(ctx: StepContext[IncidentInputs]) -> Plan:
    """The runbook commands that would run, the risky ones after an approval."""
    service = load_incident_settings().service(ctx.inputs.service)
    changes = [
        f"run {command.name}: {shlex.join(command.argv)}"
        + (" (after a devops approval)" if command.risky else "")
        for command in service.runbook
    ]
    return Plan(summary=f"would run {len(changes)} runbook command(s)", changes=changes)
