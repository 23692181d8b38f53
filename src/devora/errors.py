"""Devora's errors: one hierarchy, each error knows its message, code, hint and exit code.

    DevoraError                        exit 2 unless a family says otherwise
    ├── UsageError                     exit 2: the user asked for something that cannot be
    │   ├── UnknownWorkflowError                 done as asked (bad name, bad input, bad file)
    │   ├── InputValidationError
    │   ├── InputsFileError
    │   ├── RunNotFoundError
    │   ├── RunNotResumableError
    │   ├── IllegalTransitionError     a run's lifecycle does not allow the change
    │   ├── WorkflowDefinitionError
    │   ├── ConfigError                        config._load: devora.toml cannot be read
    │   ├── UnknownSquadError, NotYouError, NotAnApproverError          squads
    │   ├── PathOutsideProjectError    (also a ValueError)  workflows._project_paths
    │   └── the domains' bad inputs: tools.checks, tools.git, tools.migrations,
    │       tools.release, workflows.{quality_gate,incident,release,migration}, cli._hook
    ├── RunBusyError                   exit 2: another live process owns the run
    ├── RunCancelledError              exit 4: why a run was cancelled (its error record)
    ├── Interrupted                    exit 130: Ctrl-C stopped the run (cli._common)
    ├── EnvironmentProblem             exit 5: the machine is not ready (store, tools)
    │   ├── StoreUnavailableError      the database cannot be reached
    │   │   ├── StoreURLError              DEVORA_DATABASE_URL is not a database URL
    │   │   ├── StoreDriverMissingError    the URL's database driver is not installed
    │   │   ├── StoreCorruptError          the file is not a (sound) SQLite database
    │   │   └── StoreLockedError           another process holds the lock too long
    │   ├── StoreNotWritableError      read-only directory or file
    │   │   └── StoreFullError             the disk or file-size limit is full
    │   ├── ToolNotInstalledError
    │   ├── MissingAPIKeyError                 llm
    │   ├── SandboxUnavailableError            agents
    │   ├── NotRunError                        tools.checks: a check that cannot run here
    │   └── DatabaseUnreachableError, BackupError                  tools.migrations
    ├── StepError                      exit 1: raised inside actions to fail a step
    │   ├── StepRejectedError                  engine: an approver rejected the step
    │   ├── ToolCrashError                     tools.checks: a tool that did not do its job
    │   ├── ToolOutputError (also a ValueError)  tools.checks: unreadable tool output
    │   ├── ToolRefused                        agents: a tool call refused to the model
    │   ├── ProviderError, StructuredOutputError, BudgetExceeded     llm
    │   ├── GitCommandError, UnsafeLinkError   tools.git (release's push errors under it)
    │   └── the domains' failed steps: agents, tools.checks, tools.lighthouse,
    │       tools.release, workflows.{quality_gate,incident,performance}
    └── TimedOut                       exit 1, retryable: something ran past its `limit`
        ├── ProcessTimedOut                    tools._subprocess: a command was killed
        │   └── ToolTimeoutError                   a tool run by run_process
        ├── StepTimeoutError (StepError)       engine: a step attempt was cancelled
        ├── ProviderTimeoutError (ProviderError)  llm: the model gave no answer in time
        ├── GitTimeoutError (StepError)        tools.git
        ├── LighthouseTimeoutError (its FailedError)   tools.lighthouse
        ├── LocustTimeoutError (StepError)     tools.locust: a load stage
        ├── BackupTimeoutError (BackupError, exit 5)   tools.migrations
        ├── HealthCheckTimeoutError (StepError)  workflows.incident
        └── RunbookCommandTimeoutError (RunbookCommandError)  workflows.incident

Every timeout is a ``TimedOut`` with ``limit`` (seconds) and ``what`` (what timed out), so
``except TimedOut`` catches all of them; one that is also a step's or a provider's error
lists that family first, which keeps that family's exit code and retry policy.

Where the classes live: this module holds the cross-cutting ones (usage, the store, the
machine, steps, timeouts). Each domain keeps its own in a small ``_errors.py`` beside the
code that raises them (``agents``, ``llm``, ``tools.checks``, ``tools.git``,
``tools.migrations``, ``tools.release``, ``workflows.incident``, ``workflows.quality_gate``):
one concept per module, read with the code it belongs to, and this file stays the map
rather than a thousand-line catalogue. All of them derive from the families above.

Not errors: ``engine.StepSuspended`` is a ``BaseException`` on purpose, a control-flow
signal like ``asyncio.CancelledError`` that unwinds an action waiting for a human and
that no ``except Exception`` may swallow; it never reaches a user.

Errors from libraries underneath are translated at the edge into the most specific
of these, raised ``from`` the original: the store's in ``store._faults``, the LLM
providers' in ``llm._translate``, git's in ``tools.git``, a process's in
``tools._subprocess``. Every error has a hint: a subclass builds its
own, and one raised with only a message gets its class's ``default_hint``. Only the
CLI's top-level handler turns them into ``Error:`` / ``Hint:`` lines and an exit code.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "EXIT_BAD_INPUT",
    "EXIT_CANCELLED",
    "EXIT_ENVIRONMENT",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_WAITING",
    "DevoraError",
    "EnvironmentProblem",
    "IllegalTransitionError",
    "InputValidationError",
    "InputsFileError",
    "RunBusyError",
    "RunCancelledError",
    "RunNotFoundError",
    "RunNotResumableError",
    "StepError",
    "StepRejectedError",
    "StoreCorruptError",
    "StoreDriverMissingError",
    "StoreFullError",
    "StoreLockedError",
    "StoreNotWritableError",
    "StoreURLError",
    "StoreUnavailableError",
    "TimedOut",
    "ToolNotInstalledError",
    "UnknownWorkflowError",
    "UsageError",
    "WorkflowDefinitionError",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_WAITING = 3
EXIT_CANCELLED = 4
EXIT_ENVIRONMENT = 5
EXIT_INTERRUPTED = 130


class DevoraError(Exception):
    """Base of every error Devora raises on purpose."""

    code: str = "devora_error"
    exit_code: int = EXIT_BAD_INPUT
    retryable: bool = False  # retrying a bad input or a missing tool changes nothing
    default_hint: str = "see `devora --help` and the docs/ folder for what Devora expects"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint: str = hint or self.default_hint

    def __str__(self) -> str:
        return self.message

    def __reduce__(self) -> tuple[object, ...]:
        # Subclasses build their message from structured fields; pickling must not
        # call their __init__ with the wrong arguments (Celery ships errors around).
        return (_rebuild_error, (type(self), self.__dict__))


def _rebuild_error(cls: type[DevoraError], state: dict[str, object]) -> DevoraError:
    error = cls.__new__(cls)
    Exception.__init__(error, state.get("message", ""))
    error.__dict__.update(state)
    return error


class UsageError(DevoraError):
    """The request cannot be carried out as given; fix the command or its inputs."""

    code = "usage"
    exit_code = EXIT_BAD_INPUT
    default_hint = "`devora COMMAND --help` describes the command, its arguments and options"


class UnknownWorkflowError(UsageError):
    """No built-in workflow has this name and no file defines it."""

    code = "unknown_workflow"

    def __init__(self, name: str, *, reason: str | None = None, known: Sequence[str] = ()) -> None:
        self.name = name
        message = f"unknown workflow {name!r}"
        if reason:
            message += f": {reason}"
        hint = "run `devora list` to see the built-in workflows, or pass path/to/file.py:NAME"
        if known:
            hint = f"known workflows: {', '.join(sorted(known))}; or pass path/to/file.py:NAME"
        super().__init__(message, hint=hint)


class WorkflowDefinitionError(UsageError):
    """A workflow definition is inconsistent (unknown need, cycle, duplicate id...)."""

    code = "workflow_definition"
    default_hint = "`devora show WORKFLOW` lists its steps, their needs and inputs"

    def __init__(self, workflow: str, problem: str, *, hint: str | None = None) -> None:
        self.workflow = workflow
        self.problem = problem
        super().__init__(f"workflow {workflow!r} is invalid: {problem}", hint=hint)


class InputValidationError(UsageError):
    """The inputs of a run do not fit the workflow's input model."""

    code = "invalid_input"

    def __init__(self, workflow: str, problems: Sequence[tuple[str, str]]) -> None:
        self.workflow = workflow
        self.problems = list(problems)
        # pydantic prefixes a validator's own message with "Value error, ": noise to a user.
        details = "; ".join(
            f"{field}: {why.removeprefix('Value error, ')}" for field, why in self.problems
        )
        super().__init__(
            f"invalid input for workflow {workflow!r}: {details}",
            hint=f"pass inputs with -i NAME=VALUE or --inputs FILE; "
            f"`devora show {workflow}` lists the inputs",
        )


class InputsFileError(UsageError):
    """An inputs file cannot be read or parsed."""

    code = "inputs_file"

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"cannot read inputs file {path}: {problem}",
            hint="an inputs file is a JSON or YAML mapping of input names to values",
        )


class RunNotFoundError(UsageError):
    """No run has this id in the store."""

    code = "run_not_found"

    def __init__(self, run_id: str) -> None:
        self.run_id = run_id
        super().__init__(
            f"no run with id {run_id!r}",
            hint="`devora runs` lists the recorded runs (check DEVORA_DATABASE_URL too)",
        )


class RunNotResumableError(UsageError):
    """The run has finished, or is a child that only its parent may resume."""

    code = "run_not_resumable"

    def __init__(
        self, run_id: str, status: str, *, hint: str | None = None, action: str = "resumed"
    ) -> None:
        self.run_id = run_id
        self.status = status
        super().__init__(
            f"run {run_id} is {status} and cannot be {action}",
            hint=hint
            or "only pending, running (after a crash), waiting or cancelled runs resume; "
            "start a new run with `devora run`",
        )


class IllegalTransitionError(UsageError):
    """A run was asked to move to a status its lifecycle does not allow."""

    code = "illegal_transition"

    def __init__(self, run_id: str, current: str, target: str) -> None:
        self.run_id = run_id
        self.current = current
        self.target = target
        super().__init__(
            f"run {run_id} cannot go from {current} to {target}",
            hint=f"`devora status {run_id}` shows where the run is now",
        )


class RunCancelledError(DevoraError):
    """A run was cancelled (`devora cancel`, Ctrl-C); recorded as the run's error."""

    code = "run_cancelled"
    exit_code = EXIT_CANCELLED

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason, hint="`devora resume RUN` continues it where it stopped")


class RunBusyError(DevoraError):
    """Another live process is executing the run."""

    code = "run_busy"
    exit_code = EXIT_BAD_INPUT

    def __init__(self, run_id: str, owner: str) -> None:
        self.run_id = run_id
        self.owner = owner
        super().__init__(
            f"run {run_id} is being executed by {owner}",
            hint=f"wait for it, or stop it with `devora cancel {run_id}`",
        )


class EnvironmentProblem(DevoraError):
    """The machine is not ready: a store that cannot be reached, a tool not installed."""

    code = "environment"
    exit_code = EXIT_ENVIRONMENT
    default_hint = "fix the machine's setup named above, then run the command again"


class StoreUnavailableError(EnvironmentProblem):
    """The database behind the store cannot be reached or opened."""

    code = "store_unavailable"

    def __init__(self, url: str, problem: str, *, hint: str | None = None) -> None:
        self.url = url
        self.problem = problem
        super().__init__(
            f"cannot open the Devora store at {url}: {problem}",
            hint=hint
            or "check that the database is running and that DEVORA_DATABASE_URL is right "
            "(unset it to use SQLite at .devora/devora.db)",
        )


class StoreURLError(StoreUnavailableError):
    """DEVORA_DATABASE_URL does not name a database SQLAlchemy knows."""

    code = "store_url"

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(
            url,
            problem,
            hint="DEVORA_DATABASE_URL is a database URL such as "
            "postgresql://user@host:5432/db or sqlite:////abs/path/devora.db "
            "(unset it to use SQLite at .devora/devora.db)",
        )


class StoreDriverMissingError(StoreUnavailableError):
    """The URL names a database whose Python driver is not installed."""

    code = "store_driver_missing"

    def __init__(self, url: str, driver: str) -> None:
        self.driver = driver
        super().__init__(
            url,
            f"its database driver {driver!r} is not installed",
            hint="Devora stores runs in SQLite or PostgreSQL: use a postgresql:// URL "
            "(driver psycopg, installed with Devora) or unset DEVORA_DATABASE_URL",
        )


class StoreCorruptError(StoreUnavailableError):
    """The store's file is not a SQLite database, or a damaged one."""

    code = "store_corrupt"

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            path,
            problem,
            hint=f"move the file aside (mv {path} {path}.broken) and Devora starts a new "
            "store there, or point DEVORA_HOME at another directory",
        )


class StoreLockedError(StoreUnavailableError):
    """Another process kept the store locked longer than Devora waits."""

    code = "store_locked"

    def __init__(self, url: str, problem: str) -> None:
        super().__init__(
            url,
            problem,
            hint="another devora process is writing to this store; wait for it or stop it "
            "(`devora runs --status running`), then run the command again",
        )


class StoreNotWritableError(EnvironmentProblem):
    """The store's directory or file is read-only."""

    code = "store_not_writable"

    def __init__(self, path: str, problem: str, *, hint: str | None = None) -> None:
        self.path = path
        self.problem = problem
        super().__init__(
            f"the Devora store at {path} is not writable: {problem}",
            hint=hint
            or "make the directory writable, or point DEVORA_HOME or DEVORA_DATABASE_URL "
            "somewhere writable",
        )


class StoreFullError(StoreNotWritableError):
    """The disk (or the process's file-size limit) is full: nothing more can be written."""

    code = "store_full"

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(
            path,
            problem,
            hint="free space on that disk (or raise the file-size limit, `ulimit -f`); "
            "then `devora resume RUN` continues an interrupted run from its journal",
        )


class ToolNotInstalledError(EnvironmentProblem):
    """A command-line tool a step needs is not installed."""

    code = "tool_not_installed"

    def __init__(self, tool: str, install: str) -> None:
        self.tool = tool
        self.install = install
        super().__init__(f"{tool} is not installed", hint=f"install it: {install}")


class StepError(DevoraError):
    """Raised by an action to fail its step with a clear reason (not retried)."""

    code = "step_failed"
    exit_code = EXIT_FAILED
    retryable = False
    default_hint = "`devora status RUN` and `devora logs RUN` show the step's log and error"


class StepRejectedError(StepError):
    """An approver rejected a step that waited for approval: the step fails."""

    code = "step_rejected"

    def __init__(self, step_id: str, by: str, comment: str | None = None) -> None:
        self.step_id = step_id
        self.by = by
        self.comment = comment
        super().__init__(
            f"step {step_id!r} was rejected by {by}" + (f": {comment}" if comment else ""),
            hint="start a new run once the objection is addressed",
        )


class TimedOut(DevoraError):
    """Something ran past its time limit: the base of every Devora timeout.

    Subclasses set `limit` (the seconds allowed) and `what` (what timed out) before
    building their message. A timeout is worth another attempt unless its family says not.
    """

    code = "timed_out"
    exit_code = EXIT_FAILED
    retryable = True
    default_hint = "raise the time limit, or find out why it took so long (`devora logs RUN`)"
    limit: float
    what: str
