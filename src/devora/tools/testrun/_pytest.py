"""Running a project's pytest tests in its own environment, test id by test id.

    run = await run_pytest(root, environment.python, ["tests/test_a.py::test_x"])
    run.outcome("tests/test_a.py::test_x")  # TestOutcome.FAILED

The outcomes come from pytest's JUnit XML report (devora.tools.checks' parser); the
project's sources come first on the path, so a worktree's code is the code under test even
when the environment has the project installed from elsewhere.
"""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools._subprocess import ProcessOutput, run_process, scratch_directory, tail
from devora.tools.checks import ToolOutputError, parse_junit_cases
from devora.tools.checks._pytest_status import EXIT_MEANINGS
from devora.tools.testrun._errors import TestRunCrashedError, UnknownTestError
from devora.tools.testrun._model import TestCaseResult, TestOutcome, TestRun

__all__ = ["DEFAULT_TEST_TIMEOUT", "PYTEST_INSTALL", "project_path", "run_pytest"]

PYTEST_INSTALL = "install pytest in the project's environment: python -m pip install pytest"
DEFAULT_TEST_TIMEOUT = 900.0
_USAGE_ERROR = 4
_NO_TESTS_COLLECTED = 5
_NOT_FOUND = ("ERROR: not found:", "ERROR: file or directory not found:")


def project_path(root: Path) -> str:
    """What PYTHONPATH holds for the project at root: its src/ when it has one, else root."""
    sources = root / "src"
    return str(sources if sources.is_dir() else root)


async def run_pytest(
    root: Path,
    python: Path,
    test_ids: Sequence[str] = (),
    *,
    time_limit: float = DEFAULT_TEST_TIMEOUT,
    launcher: Sequence[str] | None = None,
    extra_args: Sequence[str] = (),
    env: Mapping[str, str] | None = None,
) -> TestRun:
    """Run the tests `test_ids` (all of them when empty) of the project at root with `python`.

    `launcher` replaces `python -m pytest` (coverage around it, say). Raises UnknownTestError
    when pytest does not know a test id, ToolNotInstalledError when the interpreter or pytest
    is missing, TestRunCrashedError when pytest ends without a report.
    """
    for test_id in test_ids:
        if not test_id or test_id.startswith("-"):
            raise UnknownTestError([test_id], root, "a test id cannot start with '-'")
    command = list(launcher) if launcher is not None else [str(python), "-m", "pytest"]
    with tempfile.TemporaryDirectory(prefix="devora-testrun-", dir=scratch_directory()) as tmp:
        junit = Path(tmp) / "junit.xml"
        argv = [
            *command,
            "-p",
            "no:cacheprovider",
            f"--rootdir={root}",
            f"--junitxml={junit}",
            "-o",
            "junit_family=xunit1",
            "-q",
            *extra_args,
            *test_ids,
        ]
        variables = {"PYTHONPATH": project_path(root), **(env or {})}
        try:
            output = await run_process(argv, cwd=root, time_limit=time_limit, env=variables)
        except FileNotFoundError as error:
            raise ToolNotInstalledError(str(python), PYTEST_INSTALL) from error
        report = junit.read_text(encoding="utf-8") if junit.is_file() else None
    return _judge(output, report, root, test_ids)


def _judge(
    output: ProcessOutput, report: str | None, root: Path, test_ids: Sequence[str]
) -> TestRun:
    combined = f"{output.stdout}\n{output.stderr}"
    if "No module named pytest" in combined:
        raise ToolNotInstalledError("pytest", PYTEST_INSTALL)
    if test_ids and (
        output.exit_code == _NO_TESTS_COLLECTED
        or (output.exit_code == _USAGE_ERROR and any(n in combined for n in _NOT_FOUND))
    ):
        raise UnknownTestError(test_ids, root, tail(combined, 1))
    if report is None:
        meaning = EXIT_MEANINGS.get(output.exit_code, "ended abnormally")
        raise TestRunCrashedError(output.argv, output.exit_code, meaning, tail(combined))
    try:
        cases = parse_junit_cases(report)
    except ToolOutputError as error:
        raise TestRunCrashedError(
            output.argv, output.exit_code, f"wrote an unreadable report ({error})", tail(combined)
        ) from error
    results = {
        case.test_id: TestCaseResult(
            test_id=case.test_id,
            outcome=TestOutcome(case.outcome),
            message=case.message,
            traceback=case.text,
        )
        for case in cases
    }
    return TestRun(
        argv=output.argv,
        exit_code=output.exit_code,
        duration=output.duration,
        cases=results,
        output_tail=tail(combined),
    )
