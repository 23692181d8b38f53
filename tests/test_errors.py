"""One error family: every exception Devora defines is a DevoraError, every timeout a TimedOut.

The classes are found, not listed: every module of devora is imported and every exception
class defined in it is checked, so a new one outside the family fails here. Hints and exit
codes are checked for every DevoraError in tests/cli/test_error_hints.py.
"""

from __future__ import annotations

import importlib
import inspect
import pickle
import pkgutil
from pathlib import Path

import pytest

import devora
from devora.agents import ToolRefused
from devora.cli._common import Interrupted
from devora.engine._attempts import StepTimeoutError
from devora.errors import EXIT_FAILED, DevoraError, StepError, TimedOut
from devora.llm import ProviderError, ProviderTimeoutError
from devora.tools import ProcessTimedOut, ToolTimeoutError
from devora.tools.checks import NotRunError, ToolCrashError, ToolOutputError
from devora.tools.git import GitTimeoutError
from devora.tools.lighthouse import LighthouseFailedError
from devora.tools.lighthouse._report import LighthouseTimeoutError
from devora.tools.locust._stage import LocustTimeoutError
from devora.tools.migrations._errors import BackupError, BackupTimeoutError
from devora.workflows._project_paths import PathOutsideProjectError, inside_project
from devora.workflows.incident._errors import (
    HealthCheckTimeoutError,
    RunbookCommandError,
    RunbookCommandTimeoutError,
)

# Control-flow signals, not errors: they unwind a task the way CancelledError does.
CONTROL_FLOW = {"devora.engine._context.StepSuspended"}


def _name(cls: type[BaseException]) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def _defined_exceptions() -> list[type[BaseException]]:
    for module in pkgutil.walk_packages(devora.__path__, "devora."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    found: set[type[BaseException]] = set()
    pending: list[type[BaseException]] = [BaseException]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.split(".")[0] == "devora":
            found.add(cls)
    return sorted(found, key=_name)


EXCEPTIONS = _defined_exceptions()
TIMEOUTS = [cls for cls in EXCEPTIONS if "Timeout" in cls.__name__ or "TimedOut" in cls.__name__]

# Each timeout as its raisers build it: (instance, its limit, words its `what` holds).
TIMEOUT_SAMPLES: dict[type[TimedOut], tuple[TimedOut, float, str]] = {
    ProcessTimedOut: (ProcessTimedOut(["/usr/bin/sleep", "9"], 2.0, b"half"), 2.0, "sleep"),
    ToolTimeoutError: (ToolTimeoutError(["ruff", "check"], 3.0), 3.0, "ruff"),
    StepTimeoutError: (StepTimeoutError("lint", 4.0), 4.0, "lint"),
    ProviderTimeoutError: (ProviderTimeoutError("openai", 5.0), 5.0, "openai"),
    GitTimeoutError: (GitTimeoutError(["git", "fetch"], 6.0, cwd="/r"), 6.0, "git fetch"),
    HealthCheckTimeoutError: (
        HealthCheckTimeoutError("http://x/health", 7.0, 3, 9, "503"),
        7.0,
        "http://x/health",
    ),
    RunbookCommandTimeoutError: (
        RunbookCommandTimeoutError("restart", ["systemctl", "restart", "x"], 8.0),
        8.0,
        "restart",
    ),
    BackupTimeoutError: (BackupTimeoutError("backup", "db", "pg_dump", 9.0), 9.0, "pg_dump"),
    LighthouseTimeoutError: (LighthouseTimeoutError("http://x/", 10.0), 10.0, "Lighthouse"),
    LocustTimeoutError: (LocustTimeoutError(20, 11.0), 11.0, "20-user"),
}


def test_the_scan_finds_exceptions_of_every_layer() -> None:
    layers = {cls.__module__.split(".")[1] for cls in EXCEPTIONS}
    assert {"errors", "engine", "tools", "workflows", "llm", "agents", "cli"} <= layers
    assert StepTimeoutError in EXCEPTIONS and ToolRefused in EXCEPTIONS


@pytest.mark.parametrize("cls", EXCEPTIONS, ids=_name)
def test_every_exception_is_a_devora_error_or_a_control_flow_signal(
    cls: type[BaseException],
) -> None:
    if _name(cls) in CONTROL_FLOW:
        assert not issubclass(cls, Exception), "a control-flow signal must pass `except Exception`"
    else:
        assert issubclass(cls, DevoraError), f"{_name(cls)} is outside the DevoraError family"


def test_the_control_flow_signals_still_exist() -> None:
    assert {_name(cls) for cls in EXCEPTIONS} >= CONTROL_FLOW


@pytest.mark.parametrize("cls", TIMEOUTS, ids=_name)
def test_every_timeout_is_a_timed_out_with_its_limit_and_what(cls: type[BaseException]) -> None:
    assert issubclass(cls, TimedOut), f"{_name(cls)} is a timeout outside TimedOut"
    assert cls in TIMEOUT_SAMPLES or cls is TimedOut, f"add a sample of {_name(cls)} above"
    if cls is TimedOut:
        return
    error, limit, what = TIMEOUT_SAMPLES[cls]
    with pytest.raises(TimedOut) as caught:
        raise error
    assert caught.value.limit == limit and what in caught.value.what
    assert caught.value.message and caught.value.hint


def test_a_timeout_keeps_its_familys_exit_code_and_retry_policy() -> None:
    step = StepTimeoutError("lint", 1.0)
    provider = ProviderTimeoutError("openai", 1.0)
    git = GitTimeoutError(["git", "push"], 1.0, cwd="/r")
    assert isinstance(step, StepError) and step.exit_code == EXIT_FAILED and step.retryable
    assert isinstance(provider, ProviderError) and provider.retryable
    assert isinstance(git, StepError) and not git.retryable
    assert ProcessTimedOut(["x"], 1.0, b"").retryable  # as when it was a plain Exception
    # A domain's timeout is still that domain's error, for the callers that catch it.
    backup = BackupTimeoutError("backup", "db", "pg_dump", 1.0)
    assert isinstance(backup, BackupError) and backup.exit_code == 5 and not backup.retryable
    assert isinstance(RunbookCommandTimeoutError("r", ["r"], 1.0), RunbookCommandError)
    assert isinstance(LighthouseTimeoutError("http://x/", 1.0), LighthouseFailedError)


@pytest.mark.parametrize(
    "error",
    [
        *(sample for sample, _, _ in TIMEOUT_SAMPLES.values()),
        ToolRefused("outside the worktree"),
        ToolOutputError("not JSON"),
        ToolCrashError("ruff exited with code 2", exit_code=2, output="boom"),
        NotRunError("no tsconfig.json", notes=["n"], metrics={"m": 1.0}),
        PathOutsideProjectError("a release file", "../x", Path("/p")),
        Interrupted("run-1"),
    ],
    ids=lambda e: type(e).__name__,
)
def test_errors_pickle_with_their_message_and_fields(error: DevoraError) -> None:
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error) and copy.hint == error.hint
    assert vars(copy) == vars(error)


def test_a_crashed_tool_keeps_its_own_exit_code_apart_from_devoras() -> None:
    crash = ToolCrashError("pytest exited with code 4", exit_code=4, output="usage: pytest")
    assert crash.tool_exit_code == 4 and crash.exit_code == EXIT_FAILED
    assert crash.output_tail == "usage: pytest" and str(crash) == crash.reason


def test_a_path_outside_the_project_is_still_a_value_error_for_input_validators(
    tmp_path: Path,
) -> None:
    with pytest.raises(ValueError, match="outside the project"):
        inside_project(tmp_path, "../elsewhere", "changelog")
    assert inside_project(tmp_path, "CHANGELOG.md", "changelog") == tmp_path / "CHANGELOG.md"


def test_the_error_map_in_errors_py_names_every_family() -> None:
    import devora.errors

    doc = inspect.getdoc(devora.errors) or ""
    for family in ("UsageError", "EnvironmentProblem", "StepError", "TimedOut", "StepSuspended"):
        assert family in doc
    for cls in TIMEOUT_SAMPLES:
        assert cls.__name__ in doc, f"errors.py's map does not show {cls.__name__}"
