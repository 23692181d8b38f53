"""Devora's errors: one hierarchy, each error knows its message, code, hint and exit code.

    DevoraError
    ├── UsageError                     exit 2: the user asked for something that cannot be
    │   ├── UnknownWorkflowError                 done as asked (bad name, bad input, bad file)
    │   ├── InputValidationError
    │   ├── InputsFileError
    │   ├── RunNotFoundError
    │   ├── RunNotResumableError
    │   └── WorkflowDefinitionError
    ├── RunBusyError                   exit 2: another live process owns the run
    ├── EnvironmentProblem             exit 5: the machine is not ready (store, tools)
    │   ├── StoreUnavailableError
    │   ├── StoreNotWritableError
    │   └── ToolNotInstalledError
    └── StepError                      raised inside actions to fail a step with a clear reason

Errors from libraries underneath are translated at the edge into the most specific
of these, raised ``from`` the original. Only the CLI's top-level handler turns them into
``Error:`` / ``Hint:`` lines and an exit code.
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
    "InputValidationError",
    "InputsFileError",
    "RunBusyError",
    "RunNotFoundError",
    "RunNotResumableError",
    "StepError",
    "StoreNotWritableError",
    "StoreUnavailableError",
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

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

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
        details = "; ".join(f"{field}: {why}" for field, why in self.problems)
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

    def __init__(self, run_id: str, status: str, *, hint: str | None = None) -> None:
        self.run_id = run_id
        self.status = status
        super().__init__(
            f"run {run_id} is {status} and cannot be resumed",
            hint=hint
            or "only pending, running (after a crash), waiting or cancelled runs resume; "
            "start a new run with `devora run`",
        )


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


class StoreUnavailableError(EnvironmentProblem):
    """The database behind the store cannot be reached or opened."""

    code = "store_unavailable"

    def __init__(self, url: str, problem: str) -> None:
        self.url = url
        super().__init__(
            f"cannot open the Devora store at {url}: {problem}",
            hint="check that the database is running and that DEVORA_DATABASE_URL is right "
            "(unset it to use SQLite at .devora/devora.db)",
        )


class StoreNotWritableError(EnvironmentProblem):
    """The store's directory or file is read-only."""

    code = "store_not_writable"

    def __init__(self, path: str, problem: str) -> None:
        self.path = path
        super().__init__(
            f"the Devora store at {path} is not writable: {problem}",
            hint="make the directory writable, or point DEVORA_HOME or DEVORA_DATABASE_URL "
            "somewhere writable",
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
