"""A reproducer: the tests or the command that show a bug, run at one checkout.

A pytest reproducer passes when every test it names passes; a command passes when it exits
0. As for `git bisect run`, exit status 125 (or tests that are not there, or all skipped)
means this checkout cannot be tested, not that it is good or bad.
"""

from __future__ import annotations

import shutil
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, model_validator

from devora.errors import ToolNotInstalledError
from devora.tools._subprocess import ProcessTimedOut, run_process, tail
from devora.tools.testrun._errors import TestRunCrashedError
from devora.tools.testrun._model import TestOutcome, TestRun
from devora.tools.testrun._pytest import DEFAULT_TEST_TIMEOUT, project_path, run_pytest

__all__ = ["UNTESTABLE_EXIT", "Reproducer", "ReproducerRun", "Verdict", "run_reproducer"]

UNTESTABLE_EXIT = 125


class Verdict(StrEnum):
    """What one run of a reproducer says about a checkout."""

    PASSED = "passed"
    FAILED = "failed"
    UNTESTABLE = "untestable"


class Reproducer(BaseModel):
    """pytest test ids, or a command given as an argv list (exactly one of them)."""

    model_config = ConfigDict(frozen=True)

    test_ids: tuple[str, ...] = ()
    argv: tuple[str, ...] = ()
    time_limit: float = Field(default=DEFAULT_TEST_TIMEOUT, gt=0)

    @model_validator(mode="after")
    def _one_kind(self) -> Reproducer:
        if bool(self.test_ids) == bool(self.argv):
            raise ValueError("give either test ids or a command, not both or neither")
        return self

    def describe(self) -> str:
        """One line for a report: the test ids or the command."""
        if self.test_ids:
            return "pytest " + " ".join(self.test_ids)
        return " ".join(self.argv)


class ReproducerRun(BaseModel):
    """One run of a reproducer: its verdict, exit code, output's end, and per-test outcomes."""

    model_config = ConfigDict(frozen=True)

    verdict: Verdict
    exit_code: int | None
    output_tail: str = ""
    duration: float = 0.0
    tests: TestRun | None = None


async def run_reproducer(reproducer: Reproducer, root: Path, python: Path | None) -> ReproducerRun:
    """Run the reproducer once in the checkout at root (pytest tests run with `python`)."""
    if reproducer.test_ids:
        if python is None:
            raise ToolNotInstalledError("python", "create the project's environment first")
        return await _run_tests(reproducer, root, python)
    return await _run_command(reproducer, root)


async def _run_tests(reproducer: Reproducer, root: Path, python: Path) -> ReproducerRun:
    try:
        tests = await run_pytest(
            root, python, reproducer.test_ids, time_limit=reproducer.time_limit
        )
    except TestRunCrashedError as crashed:
        return ReproducerRun(
            verdict=Verdict.UNTESTABLE,
            exit_code=crashed.tool_exit_code,
            output_tail=crashed.output_tail,
        )
    outcomes = [tests.outcome(test_id) for test_id in reproducer.test_ids]
    if any(o in (TestOutcome.FAILED, TestOutcome.ERROR) for o in outcomes):
        verdict = Verdict.FAILED
    elif all(o is TestOutcome.PASSED for o in outcomes):
        verdict = Verdict.PASSED
    else:
        verdict = Verdict.UNTESTABLE  # missing or skipped here
    return ReproducerRun(
        verdict=verdict,
        exit_code=tests.exit_code,
        output_tail=tests.output_tail,
        duration=tests.duration,
        tests=tests,
    )


async def _run_command(reproducer: Reproducer, root: Path) -> ReproducerRun:
    program = reproducer.argv[0]
    if shutil.which(program, path=None) is None and not (root / program).is_file():
        raise ToolNotInstalledError(program, f"install {program}, or give its full path")
    try:
        output = await run_process(
            reproducer.argv,
            cwd=root,
            time_limit=reproducer.time_limit,
            env={"PYTHONPATH": project_path(root)},
        )
    except FileNotFoundError as error:
        raise ToolNotInstalledError(program, f"install {program}, or give its full path") from error
    except ProcessTimedOut as timed_out:
        return ReproducerRun(
            verdict=Verdict.FAILED,
            exit_code=None,
            output_tail=f"timed out after {reproducer.time_limit:g} s\n"
            + tail(timed_out.stdout.decode(errors="replace")),
        )
    if output.exit_code == 0:
        verdict = Verdict.PASSED
    elif output.exit_code == UNTESTABLE_EXIT:
        verdict = Verdict.UNTESTABLE
    else:
        verdict = Verdict.FAILED
    return ReproducerRun(
        verdict=verdict,
        exit_code=output.exit_code,
        output_tail=tail(f"{output.stdout}\n{output.stderr}"),
        duration=output.duration,
    )
