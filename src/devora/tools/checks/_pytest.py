"""Pytest with coverage: failing tests from pytest's JUnit XML, the percent from coverage JSON."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from devora.tools._subprocess import ProcessOutput, run_process, scratch_directory, tail
from devora.tools.checks._base import NotRunError, Outcome, ToolOutputError
from devora.tools.checks._coverage_config import coverage_source_args
from devora.tools.checks._in_environment import (
    EnvironmentCheck,
    environment_variables,
    module_command,
)
from devora.tools.checks._junit import JUnitReport, parse_junit_xml
from devora.tools.checks._profile import Language, ProjectProfile
from devora.tools.checks._pytest_status import judge_pytest_run
from devora.tools.impact import PLUGIN, forget_files, plugin_directory, plugin_file

__all__ = ["ImpactRun", "JUnitReport", "PytestCheck", "parse_coverage_json", "parse_junit_xml"]

_BASELINE_DATA = ".coverage.devora-baseline"
# `coverage combine --append` then `coverage json -o TARGET`, as coverage's command line does
# them, in one interpreter.
_COMBINE_AND_REPORT = """
import sys
import coverage
cov = coverage.Coverage()
cov.load()
cov.combine()
cov.save()
cov.json_report(outfile=sys.argv[1])
"""
# `coverage run ARGS` and, in the same interpreter (one start-up and one import of coverage
# less than `coverage json` after it): the reused tests' data copied in, the impact plugin's
# own lines forgotten in every data file (as forget_files does), the data files combined
# and the JSON report written. It exits with the run's status; a report that fails says
# why on its last line of stderr.
_RUN_AND_REPORT = """
import glob, os, shutil, sqlite3, sys
from contextlib import closing
import coverage
from coverage.cmdline import main

target, baseline, plugin = sys.argv[1:4]
status = main(sys.argv[4:])
try:
    data = os.environ["COVERAGE_FILE"]
    if baseline:
        shutil.copyfile(baseline, data + ".devora-baseline")
    names = glob.glob(glob.escape(data) + "*")
    for name in names if plugin else ():
        with closing(sqlite3.connect(name)) as db:
            db.execute("PRAGMA journal_mode = MEMORY")  # scratch files: no journal, no fsync
            db.execute("PRAGMA synchronous = OFF")
            tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
            ids = [(i,) for i, path in db.execute("SELECT id, path FROM file") if path == plugin]
            for table in ("line_bits", "arc", "tracer"):
                if table in tables:
                    db.executemany(f"DELETE FROM {table} WHERE file_id = ?", ids)
            db.executemany("DELETE FROM file WHERE id = ?", ids)
            db.commit()
    cov = coverage.Coverage()
    cov.load()
    if any(name != data for name in names):
        cov.combine()
        cov.save()
    cov.json_report(outfile=target)
except Exception as error:
    print(f"coverage not measured: {error}", file=sys.stderr)
sys.exit(status)
"""
_NOT_MEASURED = "coverage not measured: "
_NO_TESTS_COLLECTED = 5


@dataclass(frozen=True)
class ImpactRun:
    """Run the tests for impact analysis: each in its own coverage context, outcomes kept.

    `record_to` receives the run's coverage data (`.coverage`, with the baseline's merged
    in) and `outcomes.json` (the devora_impact plugin's report). `deselect` names tests
    whose last result (passed) is reused: they are counted as passed, not as deselected.
    `baseline` is earlier coverage data, already without those tests' re-run contexts and
    changed files, combined into this run's before the percent is read. `only`, when set,
    names the files pytest collects (with pytest's own rules, and the directories on the
    way): every other file holds reused tests only, and those are counted as reused too.
    """

    record_to: Path
    deselect: tuple[str, ...] = ()
    baseline: Path | None = None
    only: tuple[Path, ...] | None = None


class PytestCheck(EnvironmentCheck):
    """Run the tests under coverage; each failing test is a finding, coverage a metric."""

    name = "pytest"
    tool = "pytest"
    install = "pip install pytest coverage"
    default_timeout = 900.0
    # Coverage is wanted, not required: without it the tests still run, unmeasured (a note
    # says how to install it, and an unmeasured coverage earns nothing in the score).
    requires = ("pytest",)

    def __init__(self, *, timeout: float | None = None, impact: ImpactRun | None = None) -> None:
        super().__init__(timeout=timeout)
        self.impact = impact

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Pytest runs the tests of Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `coverage run -m pytest` (in the project's environment), then `coverage json`
        (in the same interpreter when coverage runs as a module)."""
        coverage = _coverage_command(profile, executable)
        impact = self.impact if coverage is not None else None
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
            if impact is not None:
                pytest_args[2:2] = ["-p", PLUGIN]
                env.update(_impact_variables(impact, Path(scratch), env))
            target = Path(scratch) / "coverage.json"
            one_process = coverage is not None and coverage[1:] == ["-m", "coverage"]
            if coverage is not None:
                source = coverage_source_args(profile.root, profile.pyproject)
                argv = [*coverage, "run", *source, "-m", "pytest"]
                if one_process:
                    baseline = impact.baseline if impact is not None else None
                    plugin = str(plugin_file()) if impact is not None else ""
                    script = [_RUN_AND_REPORT, str(target), str(baseline or ""), plugin]
                    argv = [coverage[0], "-c", *script, *argv[3:]]
            else:
                argv = module_command(profile, "pytest", executable)
                notes.append(_coverage_missing(profile))
            output = await self.call([*argv, *pytest_args], profile, ok=range(-255, 256), env=env)
            report = junit.read_text(encoding="utf-8") if junit.is_file() else None
            outcome = _judged(output, report, profile.root, _reused(impact, Path(scratch)))
            metrics = dict(outcome.metrics)
            percent = None
            if one_process:
                percent = self._read_percent(target, output, notes)
            elif coverage is not None:
                percent = await self._coverage_percent(coverage, profile, Path(scratch), env, notes)
            if percent is not None:
                metrics["coverage_percent"] = percent
            if impact is not None:
                _keep_impact(impact, Path(scratch))
        return replace(outcome, metrics=metrics, notes=[*outcome.notes, *notes])

    def _read_percent(self, target: Path, output: ProcessOutput, notes: list[str]) -> float | None:
        """The percent the one-process run reported, or a note saying why there is none."""
        if not target.is_file():
            said = [line for line in output.stderr.splitlines() if line.startswith(_NOT_MEASURED)]
            why = said[-1] if said else _NOT_MEASURED + tail(output.stdout + output.stderr, 3)
            notes.append(why)
            return None
        try:
            return parse_coverage_json(target.read_text(encoding="utf-8"))
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error

    async def _coverage_percent(
        self,
        coverage: list[str],
        profile: ProjectProfile,
        scratch: Path,
        env: dict[str, str],
        notes: list[str],
    ) -> float | None:
        target = scratch / "coverage.json"
        if self.impact is not None and self.impact.baseline is not None:
            shutil.copyfile(self.impact.baseline, scratch / _BASELINE_DATA)
        data = [name for name in os.listdir(scratch) if name.startswith(".coverage")]
        if self.impact is not None:
            for name in data:  # the plugin's own lines never count, in any data file
                forget_files(scratch / name, [str(plugin_file())])
        argv = [*coverage, "json", "-o", str(target)]
        if any(name.startswith(".coverage.") for name in data):
            # [run] parallel = true leaves one data file per process, and the reused tests'
            # data is one more: combine them (with this run's .coverage) first, in the same
            # process as the report when coverage runs as a module (one start-up less).
            python = coverage[0] if coverage[1:] == ["-m", "coverage"] else None
            if python is not None:
                argv = [python, "-c", _COMBINE_AND_REPORT, str(target)]
            else:
                await run_process(
                    [*coverage, "combine", "--append"],
                    cwd=profile.root,
                    time_limit=self.timeout,
                    env=env,
                )
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


def _impact_variables(impact: ImpactRun, scratch: Path, env: dict[str, str]) -> dict[str, str]:
    """The plugin on the path, where it writes its report, and the tests it deselects."""
    inherited = env.get("PYTHONPATH") or os.environ.get("PYTHONPATH")
    paths = [path for path in (inherited, str(plugin_directory())) if path]
    variables = {
        "PYTHONPATH": os.pathsep.join(paths),
        "DEVORA_IMPACT_REPORT": str(scratch / "outcomes.json"),
    }
    if impact.deselect:
        deselect = scratch / "deselect.json"
        deselect.write_text(json.dumps(list(impact.deselect)), encoding="utf-8")
        variables["DEVORA_IMPACT_DESELECT"] = str(deselect)
        if impact.only is not None:
            only = scratch / "only.json"
            only.write_text(json.dumps([str(path) for path in impact.only]), encoding="utf-8")
            variables["DEVORA_IMPACT_ONLY"] = str(only)
    return variables


def _reused(impact: ImpactRun | None, scratch: Path) -> tuple[int, int]:
    """How many reused tests the plugin deselected (collected, then dropped) and pruned (in
    files it did not collect)."""
    if impact is None or not impact.deselect:
        return 0, 0
    try:
        report = json.loads((scratch / "outcomes.json").read_text(encoding="utf-8"))
        return len(report["deselected"]), len(report.get("pruned", []))
    except (OSError, ValueError, KeyError, TypeError):
        return 0, 0  # no report: pytest did not get as far as collecting


def _judged(
    output: ProcessOutput, junit: str | None, root: Path, reused: tuple[int, int]
) -> Outcome:
    """The run judged; reused tests count as the passed tests they were."""
    deselected, pruned = reused
    try:
        outcome = judge_pytest_run(output, junit, root)
    except NotRunError as error:
        if not (deselected or pruned) or output.exit_code != _NO_TESTS_COLLECTED:
            raise
        # Every test was reused: pytest itself ran none.
        outcome = Outcome(metrics=error.metrics, exit_code=0)
    if not (deselected or pruned):
        return outcome
    metrics = {"failures": 0.0, "errors": 0.0, "skipped": 0.0, **outcome.metrics}
    metrics["tests"] = metrics.get("tests", 0.0) + deselected + pruned
    metrics["passed"] = metrics.get("passed", 0.0) + deselected + pruned
    metrics["deselected"] = max(0.0, metrics.get("deselected", 0.0) - deselected)
    return replace(outcome, metrics=metrics)


def _keep_impact(impact: ImpactRun, scratch: Path) -> None:
    """Copy the run's coverage data and the plugin's report where the gate keeps them."""
    impact.record_to.mkdir(parents=True, exist_ok=True)
    for name in (".coverage", "outcomes.json"):
        source = scratch / name
        if source.is_file():
            shutil.copyfile(source, impact.record_to / name)
        else:
            (impact.record_to / name).unlink(missing_ok=True)


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
