"""Pytest's JUnit XML report: the counts, and a finding per failing or erroring test."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from xml.etree.ElementTree import Element, ParseError  # nosec B405 - types only; parsed by defusedxml

import defusedxml.ElementTree as SafeElementTree
from defusedxml import DefusedXmlException

from devora.tools import Finding, Level
from devora.tools.checks._base import ToolOutputError, relative_file

__all__ = ["JUnitCase", "JUnitReport", "parse_junit_cases", "parse_junit_xml"]

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


@dataclass(frozen=True)
class JUnitCase:
    """One test case of a report: its pytest id, its outcome and, when it did not pass, why."""

    test_id: str
    outcome: str  # passed, failed, error or skipped
    message: str = ""
    text: str = ""


def parse_junit_cases(text: str) -> list[JUnitCase]:
    """Every test case of a pytest JUnit XML report (xunit1), test id by test id."""
    cases: list[JUnitCase] = []
    for suite in _suites(text):
        for case in suite.iter("testcase"):
            outcome, problem = "passed", None
            for kind, name in (("failure", "failed"), ("error", "error"), ("skipped", "skipped")):
                found = case.find(kind)
                if found is not None:
                    outcome, problem = name, found
                    break
            message = (problem.get("message") or "") if problem is not None else ""
            body = (problem.text or "") if problem is not None else ""
            cases.append(JUnitCase(_test_id(case), outcome, message, body))
    return cases


def _suites(text: str) -> list[Element]:
    try:
        # The project's tests wrote it: parse it as untrusted (no entities, no DTDs).
        document = SafeElementTree.fromstring(text)
    except (ParseError, DefusedXmlException) as error:
        raise ToolOutputError(f"JUnit XML cannot be parsed: {error}") from error
    suites = [document] if document.tag == "testsuite" else document.findall("testsuite")
    if not suites:
        raise ToolOutputError("JUnit XML has no <testsuite>")
    return list(suites)


def _test_id(case: Element) -> str:
    """pytest's node id of a case: file::Class::name (xunit1 reports carry the file)."""
    file = case.get("file")
    name = case.get("name", "?")
    classname = case.get("classname") or ""
    if not file:
        return "::".join(part for part in (classname, name) if part)
    # classname is "tests.test_a" for a function, "tests.test_a.TestX" for a method.
    module = file.removesuffix(".py").replace("/", ".")
    owner = classname.removeprefix(module).lstrip(".") if classname.startswith(module) else ""
    return "::".join(part for part in (file, owner, name) if part)


def parse_junit_xml(text: str, root: Path) -> JUnitReport:
    """The counts of a pytest JUnit XML report, and a finding per failing or erroring test."""
    suites = _suites(text)
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


def _test_finding(case: Element, problem: Element, kind: str, root: Path) -> Finding:
    file = case.get("file")
    test_id = _test_id(case)
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
