"""The safety net: the project's tests, coverage and type check, before and after.

Both sides run in worktrees (the base commit, and the refactoring's branch) with the
project's Python environment; the user's checkout is never used. A test that passed before
and does not pass after, a lower coverage, or more type errors make the change worse.
A figure that could not be measured (coverage.py or mypy missing from the project's
environment) is "not run", never "not worse": like a gate check that did not run, it costs
the verdict (the run fails, saying how to install the tool) unless the project's config lists
it as optional (`[refactoring] optional = ["coverage", "typecheck"]`), when the change is
kept and reported "not verified (optional)".
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from devora.tools import Level, run_process
from devora.tools.checks import CheckStatus, MypyCheck, detect_project
from devora.tools.pyenv import PythonEnvironment, resolve_environment
from devora.tools.testrun import TestOutcome, TestRun, run_pytest

__all__ = ["Measured", "judge_safety", "measure_side", "project_environment"]

COVERAGE_TIMEOUT = 120.0


@dataclass(frozen=True)
class Measured:
    """One side of the comparison."""

    tests: TestRun
    coverage: float | None  # percent; None when coverage.py is not in the environment
    type_errors: int | None  # None when mypy could not run
    coverage_problem: str | None = None  # why coverage is None
    type_check_problem: str | None = None  # why type_errors is None


async def project_environment(
    root: Path, cache: Path, log: Callable[[str], None]
) -> PythonEnvironment:
    """The project's Python environment (its own, or one Devora creates and caches)."""
    profile = detect_project(root)
    environment = await resolve_environment(root, profile.pyproject, cache_dir=cache, log=log)
    log(f"python environment: {environment.describe()}")
    return environment


async def measure_side(folder: Path, environment: PythonEnvironment) -> Measured:
    """Run the tests under coverage and the type check in `folder`, each with the project's
    environment; a tool missing from it is a figure not measured (with the reason)."""
    assert environment.python is not None
    python = str(environment.python)
    has_coverage = environment.has("coverage")
    with tempfile.TemporaryDirectory(prefix="devora-refactor-cov-") as scratch:
        data = Path(scratch) / ".coverage"
        launcher = (
            [python, "-m", "coverage", "run", f"--data-file={data}", "-m", "pytest"]
            if has_coverage
            else None
        )
        tests = await run_pytest(folder, environment.python, launcher=launcher)
        coverage = await _percent(python, folder, data) if has_coverage else None
    coverage_problem = None
    if not has_coverage:
        coverage_problem = _missing(environment, "coverage.py", "coverage")
    elif coverage is None:
        coverage_problem = "coverage.py ran but wrote no report (coverage json failed)"
    if not environment.has("mypy"):  # never Devora's own mypy: it is not the project's
        return Measured(tests, coverage, None, coverage_problem, _missing(environment, "mypy"))
    profile = detect_project(folder).model_copy(update={"python_env": environment})
    checked = await MypyCheck().run(profile)
    if checked.status not in (CheckStatus.PASSED, CheckStatus.FAILED):
        problem = f"mypy {checked.status}: {checked.reason}"
        return Measured(tests, coverage, None, coverage_problem, problem)
    errors = sum(1 for finding in checked.findings if finding.level is Level.ERROR)
    return Measured(tests, coverage, errors, coverage_problem)


def _missing(environment: PythonEnvironment, tool: str, package: str | None = None) -> str:
    return (
        f"{tool} is not in the project's environment ({environment.describe()}): install it "
        f"there ({environment.install_hint(package or tool)})"
    )


async def _percent(python: str, folder: Path, data: Path) -> float | None:
    report = data.with_name("coverage.json")
    done = await run_process(
        [python, "-m", "coverage", "json", f"--data-file={data}", "-o", str(report), "-q"],
        cwd=folder,
        time_limit=COVERAGE_TIMEOUT,
    )
    if done.exit_code != 0 or not report.is_file():
        return None
    totals = json.loads(report.read_text(encoding="utf-8")).get("totals", {})
    percent = totals.get("percent_covered")
    return round(float(percent), 2) if percent is not None else None


def judge_safety(
    before: Measured, after: Measured, optional: Collection[str] = ()
) -> tuple[list[str], list[str], list[str], list[str]]:
    """The tests that passed before and not after, every figure that got worse, the figures
    not measured that are optional ("coverage", "typecheck"), and those not measured that
    are not (not run: neither worse nor "not worse")."""
    passed = before.tests.with_outcome(TestOutcome.PASSED)
    lost = [test for test in passed if after.tests.outcome(test) is not TestOutcome.PASSED]
    worse = [f"test {test} passed before, {after.tests.outcome(test) or 'missing'} after"
             for test in lost]  # fmt: skip
    if before.coverage is not None and (after.coverage or 0.0) < before.coverage:
        worse.append(f"coverage {before.coverage}% before, {after.coverage}% after")
    if before.type_errors is not None and (
        after.type_errors is None or after.type_errors > before.type_errors
    ):
        worse.append(f"type errors {before.type_errors} before, {after.type_errors} after")
    not_run: list[str] = []
    not_measured: list[str] = []
    if before.coverage is None:
        missed = not_run if "coverage" in optional else not_measured
        missed.append(f"coverage not measured: {before.coverage_problem}")
    if before.type_errors is None:
        missed = not_run if "typecheck" in optional else not_measured
        missed.append(f"type check not run: {before.type_check_problem}")
    return lost, worse, not_run, not_measured
