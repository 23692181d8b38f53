"""The generated project's own tests, run in its own environment (never Devora's)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools.checks import detect_project
from devora.tools.pyenv import EnvironmentKind, PythonEnvironment, resolve_environment
from devora.tools.testrun import TestOutcome, TestRunCrashedError, run_pytest
from devora.workflows.saas_mvp._records import Verification, VerificationStatus

__all__ = ["TEST_TIME_LIMIT", "project_environment", "verify_project_tests"]

TEST_TIME_LIMIT = 600.0
NAME = "project tests"


async def project_environment(
    root: Path, cache_dir: Path, log: Callable[[str], None]
) -> PythonEnvironment:
    """An isolated environment with the project and its test dependencies (cached by uv)."""
    profile = detect_project(root)
    return await resolve_environment(
        root, profile.pyproject, cache_dir=cache_dir, log=log, kind=EnvironmentKind.ISOLATED
    )


def environment_problem(name: str, environment: PythonEnvironment) -> Verification:
    """A verification that could not run because the project's environment is not usable."""
    return Verification(
        name=name,
        status=VerificationStatus.NOT_RUN,
        reason=f"no Python environment for the project: {environment.problem}",
        output_tail=environment.output_tail or "",
    )


async def verify_project_tests(root: Path, environment: PythonEnvironment) -> Verification:
    """Run the project's pytest suite; passed only when it ran tests and none failed."""
    if environment.python is None or not environment.usable:
        return environment_problem(NAME, environment)
    started = time.monotonic()
    try:
        run = await run_pytest(root, environment.python, time_limit=TEST_TIME_LIMIT)
    except TestRunCrashedError as crash:
        return Verification(
            name=NAME,
            status=VerificationStatus.FAILED,
            command=tuple(crash.argv),
            exit_status=crash.tool_exit_code,
            output_tail=crash.output_tail,
            reason=crash.message,
            seconds=round(time.monotonic() - started, 3),
        )
    except ToolNotInstalledError as missing:
        return Verification(name=NAME, status=VerificationStatus.NOT_RUN, reason=missing.message)
    counts = {outcome.value: len(run.with_outcome(outcome)) for outcome in TestOutcome}
    broken = run.with_outcome(TestOutcome.FAILED) + run.with_outcome(TestOutcome.ERROR)
    if broken:
        status, reason = (
            VerificationStatus.FAILED,
            f"{len(broken)} failing: {', '.join(broken[:5])}",
        )
    elif run.exit_code != 0:
        status, reason = VerificationStatus.FAILED, f"pytest exited with {run.exit_code}"
    elif not counts[TestOutcome.PASSED.value]:
        status, reason = VerificationStatus.NOT_RUN, "pytest ran no test"
    else:
        status, reason = VerificationStatus.PASSED, None
    return Verification(
        name=NAME,
        status=status,
        command=run.argv,
        exit_status=run.exit_code,
        output_tail=run.output_tail,
        reason=reason,
        seconds=round(run.duration, 3),
        details={"environment": environment.describe(), "counts": counts},
    )
