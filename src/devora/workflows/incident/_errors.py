"""Incident errors, each with its structured fields and a hint that says how to fix it.

UsageError
├── NoRunbookError            the service has no runbook in the configuration
└── NotAnIncidentError        `devora incident ack|note` on a run of another workflow
StepError
├── RunbookCommandError       a runbook command failed, timed out or is not installed
│   └── RunbookCommandTimeoutError  ... timed out and was killed (a TimedOut too)
├── CommandRejectedError      someone rejected a risky runbook command
└── HealthCheckTimeoutError   the service was not healthy N times in a row in time (TimedOut)
"""

from __future__ import annotations

from devora.errors import StepError, TimedOut, UsageError

__all__ = [
    "CommandRejectedError",
    "HealthCheckTimeoutError",
    "NoRunbookError",
    "NotAnIncidentError",
    "RunbookCommandError",
    "RunbookCommandTimeoutError",
]


class NoRunbookError(UsageError):
    """An incident names a service the configuration has no runbook for."""

    code = "incident_no_runbook"

    def __init__(self, service: str, known: list[str], *, reason: str = "") -> None:
        self.service = service
        self.known = known
        listed = ", ".join(known) or "none"
        super().__init__(
            f"service {service!r} has no runbook{reason} (services with one: {listed})",
            hint=f"add [incident.services.{service}] with health_url and [[incident.services."
            f"{service}.runbook]] commands to devora.toml (docs/incident-response.md)",
        )


class NotAnIncidentError(UsageError):
    """`devora incident ack|note` was given a run that is not an incident."""

    code = "not_an_incident"

    def __init__(self, run_id: str, workflow: str) -> None:
        self.run_id = run_id
        self.workflow = workflow
        super().__init__(
            f"run {run_id} is a {workflow} run, not an incident",
            hint="`devora runs` lists the incident-response runs",
        )


class RunbookCommandError(StepError):
    """A runbook command did not succeed."""

    code = "incident_runbook_command"

    def __init__(self, name: str, argv: list[str], problem: str, output: str = "") -> None:
        self.name = name
        self.argv = argv
        self.problem = problem
        self.output = output
        tail = f"; last output: {output.strip()[-300:]}" if output.strip() else ""
        super().__init__(
            f"runbook command {name!r} ({' '.join(argv)}) {problem}{tail}",
            hint="fix the command in the service's runbook, or mitigate by hand and record "
            "what you did with `devora incident note RUN`",
        )


class RunbookCommandTimeoutError(RunbookCommandError, TimedOut):
    """A runbook command ran past its timeout and was killed, with what it started."""

    code = "incident_runbook_timeout"

    def __init__(self, name: str, argv: list[str], timeout: float) -> None:
        self.limit = timeout
        self.what = f"runbook command {name!r}"
        super().__init__(name, argv, f"timed out after {timeout:g}s")


class CommandRejectedError(StepError):
    """A risky runbook command was rejected by an approver."""

    code = "incident_command_rejected"

    def __init__(self, name: str, by: str | None, comment: str | None) -> None:
        self.name = name
        self.by = by
        self.comment = comment
        who = f" by {by}" if by else ""
        why = f": {comment}" if comment else ""
        super().__init__(
            f"runbook command {name!r} was rejected{who}{why}",
            hint="mitigate by hand and record what you did with `devora incident note RUN`",
        )


class HealthCheckTimeoutError(StepError, TimedOut):
    """The service did not answer healthy enough times in a row before the timeout."""

    code = "incident_health_timeout"

    def __init__(self, url: str, timeout: float, needed: int, checks: int, last: str) -> None:
        self.url = url
        self.timeout = self.limit = timeout
        self.what = f"the health check of {url}"
        self.needed = needed
        self.checks = checks
        self.last = last
        super().__init__(
            f"{url} was not healthy {needed} times in a row within {timeout:g}s "
            f"({checks} checks; last: {last})",
            hint="check that the service runs and that health_url is right; raise "
            "health_timeout if it needs longer to recover",
        )
