"""Pytest with coverage: failing tests from pytest's JUnit XML, the percent from coverage JSON."""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError  # nosec B405 - types only; parsed by defusedxml

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from devora.tools import Finding, Level
from devora.tools.checks._base import (
    NotRunError,
    Outcome,
    ToolCheck,
    ToolCrashError,
    ToolOutputError,
    relative_file,
)
from devora.tools._subprocess import run_process, tail
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["JUnitReport", "PytestCheck", "parse_coverage_json", "parse_junit_xml"]

_NO_TESTS_COLLECTED = 5
_TRACE_LINE = re.compile(r"^([^\s:][^:\n]*\.py):(\d+): ", re.MULTILINE)


class JUnitReport:
    """What a JUnit XML file says: the counts and one finding per failing or erroring test."""

    def __init__(
        self, tests: int, failures: int, errors: int, skipped: int, findings: list[Finding]
    ):
        self.tests = tests
        self.failures = failures
        self.errors = errors
        self.skipped = skipped
        self.findings = findings


class PytestCheck(ToolCheck):
    """Run the tests under coverage; each failing test is a finding, coverage a metric."""

    name = "pytest"
    tool = "pytest"
    install = "pip install pytest coverage"
    default_timeout = 900.0

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Pytest runs the tests of Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `coverage run -m pytest` (coverage beside pytest), then `coverage json`."""
        coverage = executable.parent / "coverage"
        notes: list[str] = []
        with tempfile.TemporaryDirectory(prefix="devora-pytest-") as scratch:
            junit = Path(scratch) / "junit.xml"
            env = {"COVERAGE_FILE": str(Path(scratch) / ".coverage")}
            pytest_args = [
                "-p",
                "no:cacheprovider",
                f"--junitxml={junit}",
                "-o",
                "junit_family=xunit1",
                "-q",
            ]
            if coverage.is_file():
                argv = [str(coverage), "run", *_coverage_source(profile), "-m", "pytest"]
            else:
                argv = [str(executable)]
                notes.append("coverage not measured: install coverage beside pytest")
            output = await self.call([*argv, *pytest_args], profile, ok=(0, 1, 2, 5), env=env)
            if output.exit_code == _NO_TESTS_COLLECTED:
                raise NotRunError("not run: pytest collected no tests")
            if not junit.is_file():
                raise ToolCrashError(
                    f"pytest exited with code {output.exit_code} without a test report",
                    exit_code=output.exit_code,
                    output=output.stdout + output.stderr,
                )
            try:
                report = parse_junit_xml(junit.read_text(encoding="utf-8"), profile.root)
            except ToolOutputError as error:
                raise self.unreadable(output, error) from error
            if output.exit_code != 0 and not report.findings:
                raise ToolCrashError(
                    f"pytest exited with code {output.exit_code} but reported no failing test",
                    exit_code=output.exit_code,
                    output=output.stdout + output.stderr,
                )
            metrics = {
                "tests": float(report.tests),
                "failures": float(report.failures),
                "errors": float(report.errors),
                "skipped": float(report.skipped),
            }
            if coverage.is_file():
                percent = await self._coverage_percent(coverage, profile, Path(scratch), env, notes)
                if percent is not None:
                    metrics["coverage_percent"] = percent
        return Outcome(
            findings=report.findings,
            metrics=metrics,
            notes=notes,
            exit_code=output.exit_code,
            output_tail=tail(output.stdout) if report.findings else None,
        )

    async def _coverage_percent(
        self,
        coverage: Path,
        profile: ProjectProfile,
        scratch: Path,
        env: dict[str, str],
        notes: list[str],
    ) -> float | None:
        target = scratch / "coverage.json"
        if any(name.startswith(".coverage.") for name in os.listdir(scratch)):
            # [run] parallel = true leaves one data file per process: combine them first.
            await run_process(
                [str(coverage), "combine"], cwd=profile.root, time_limit=self.timeout, env=env
            )
        argv = [str(coverage), "json", "-o", str(target)]
        output = await run_process(argv, cwd=profile.root, time_limit=self.timeout, env=env)
        if not target.is_file():
            notes.append(f"coverage not measured: {tail(output.stdout + output.stderr, 3)}")
            return None
        try:
            return parse_coverage_json(target.read_text(encoding="utf-8"))
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error


def parse_junit_xml(text: str, root: Path) -> JUnitReport:
    """The counts of a pytest JUnit XML report, and a finding per failing or erroring test."""
    try:
        # The project's tests wrote it: parse it as untrusted (no entities, no DTDs).
        document = SafeElementTree.fromstring(text)
    except (ParseError, DefusedXmlException) as error:
        raise ToolOutputError(f"JUnit XML cannot be parsed: {error}") from error
    suites = [document] if document.tag == "testsuite" else document.findall("testsuite")
    if not suites:
        raise ToolOutputError("JUnit XML has no <testsuite>")
    counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    findings: list[Finding] = []
    for suite in suites:
        for key in counts:
            counts[key] += int(suite.get(key, "0"))
        for case in suite.iter("testcase"):
            for kind in ("failure", "error"):
                for problem in case.findall(kind):
                    findings.append(_test_finding(case, problem, kind, root))
    return JUnitReport(findings=findings, **counts)


def parse_coverage_json(text: str) -> float:
    """The total percent covered from `coverage json`."""
    try:
        return float(json.loads(text)["totals"]["percent_covered"])
    except (json.JSONDecodeError, KeyError, TypeError, ValueError) as error:
        raise ToolOutputError(f"coverage JSON has no totals.percent_covered: {error}") from error


def _test_finding(case: Element, problem: Element, kind: str, root: Path) -> Finding:
    file = case.get("file")
    name = case.get("name", "?")
    classname = case.get("classname") or ""
    if file:
        # classname is "tests.test_a" for a function, "tests.test_a.TestX" for a method.
        module = file.removesuffix(".py").replace("/", ".")
        owner = classname.removeprefix(module).lstrip(".") if classname.startswith(module) else ""
        test_id = "::".join(part for part in (file, owner, name) if part)
    else:
        test_id = "::".join(part for part in (classname, name) if part)
    line: int | None = int(case.get("line", "-1")) + 1 or None  # xunit1 lines are 0-based
    body = problem.text or ""
    if file:
        # The deepest traceback line in the test's own file is where it failed.
        lines = [int(n) for path, n in _TRACE_LINE.findall(body) if Path(path) == Path(file)]
        if lines:
            line = lines[-1]
    text_lines = (problem.get("message") or body).strip().splitlines()
    summary = text_lines[0] if text_lines else kind
    return Finding(
        tool="pytest",
        rule="test-failure" if kind == "failure" else "test-error",
        level=Level.ERROR,
        message=f"{test_id}: {summary}",
        file=relative_file(file, root) if file else None,
        line=line if line and line >= 1 else None,
    )


def _coverage_source(profile: ProjectProfile) -> list[str]:
    # Respect the project's own coverage config; without one, measure src/ rather than tests.
    tool = profile.pyproject.get("tool", {})
    configured = isinstance(tool, dict) and "coverage" in tool
    if configured or (profile.root / ".coveragerc").is_file():
        return []
    return ["--source=src"] if (profile.root / "src").is_dir() else []
