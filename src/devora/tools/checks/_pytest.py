"""Pytest with coverage: failing tests from pytest's JUnit XML, the percent from coverage JSON."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from devora.tools._subprocess import run_process, scratch_directory, tail
from devora.tools.checks._base import Outcome, ToolOutputError
from devora.tools.checks._coverage_config import coverage_source_args
from devora.tools.checks._in_environment import (
    EnvironmentCheck,
    environment_variables,
    module_command,
)
from devora.tools.checks._junit import JUnitReport, parse_junit_xml
from devora.tools.checks._profile import Language, ProjectProfile
from devora.tools.checks._pytest_status import judge_pytest_run

__all__ = ["JUnitReport", "PytestCheck", "parse_coverage_json", "parse_junit_xml"]


class PytestCheck(EnvironmentCheck):
    """Run the tests under coverage; each failing test is a finding, coverage a metric."""

    name = "pytest"
    tool = "pytest"
    install = "pip install pytest coverage"
    default_timeout = 900.0
    # Coverage is wanted, not required: without it the tests still run, unmeasured (a note
    # says how to install it, and an unmeasured coverage earns nothing in the score).
    requires = ("pytest",)

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Pytest runs the tests of Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `coverage run -m pytest` (in the project's environment), then `coverage json`."""
        coverage = _coverage_command(profile, executable)
        notes: list[str] = []
        # Where the sandbox lets pytest write, when it runs confined.
        with tempfile.TemporaryDirectory(
            prefix="devora-pytest-", dir=scratch_directory()
        ) as scratch:
            junit = Path(scratch) / "junit.xml"
            env = {
                **environment_variables(profile),
                "COVERAGE_FILE": str(Path(scratch) / ".coverage"),
            }
            pytest_args = [
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
                "-o",
                "junit_family=xunit1",
                "-q",
            ]
            if coverage is not None:
                source = coverage_source_args(profile.root, profile.pyproject)
                argv = [*coverage, "run", *source, "-m", "pytest"]
            else:
                argv = module_command(profile, "pytest", executable)
                notes.append(_coverage_missing(profile))
            output = await self.call([*argv, *pytest_args], profile, ok=range(-255, 256), env=env)
            report = junit.read_text(encoding="utf-8") if junit.is_file() else None
            outcome = judge_pytest_run(output, report, profile.root)
            metrics = dict(outcome.metrics)
            if coverage is not None:
                percent = await self._coverage_percent(coverage, profile, Path(scratch), env, notes)
                if percent is not None:
                    metrics["coverage_percent"] = percent
        return replace(outcome, metrics=metrics, notes=[*outcome.notes, *notes])

    async def _coverage_percent(
        self,
        coverage: list[str],
        profile: ProjectProfile,
        scratch: Path,
        env: dict[str, str],
        notes: list[str],
    ) -> float | None:
        target = scratch / "coverage.json"
        if any(name.startswith(".coverage.") for name in os.listdir(scratch)):
            # [run] parallel = true leaves one data file per process: combine them first.
            await run_process(
                [*coverage, "combine"], cwd=profile.root, time_limit=self.timeout, env=env
            )
        argv = [*coverage, "json", "-o", str(target)]
        output = await run_process(argv, cwd=profile.root, time_limit=self.timeout, env=env)
        if not target.is_file():
            notes.append(f"coverage not measured: {tail(output.stdout + output.stderr, 3)}")
            return None
        try:
            return parse_coverage_json(target.read_text(encoding="utf-8"))
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error


def parse_coverage_json(text: str) -> float:
    """The total percent covered from `coverage json`."""
    try:
        return float(json.loads(text)["totals"]["percent_covered"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ToolOutputError(f"coverage JSON has no totals.percent_covered: {error}") from error


def _coverage_missing(profile: ProjectProfile) -> str:
    environment = profile.python_env
    if environment is None:
        return "coverage not measured: install coverage beside pytest"
    return (
        f"coverage not measured: coverage is not installed in {environment.describe()} "
        f"(Hint: {environment.install_hint('coverage')})"
    )


def _coverage_command(profile: ProjectProfile, executable: Path) -> list[str] | None:
    """coverage in the project's environment, or the script beside pytest; None without it."""
    if profile.python_env is not None:
        has = profile.python_env.has("coverage")
        return module_command(profile, "coverage", executable) if has else None
    script = executable.parent / "coverage"
    return [str(script)] if script.is_file() else None
