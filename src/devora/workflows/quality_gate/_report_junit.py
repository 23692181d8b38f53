"""report.xml: the verdict as JUnit XML (one suite per check, one failing case per finding)."""

from __future__ import annotations

import xml.etree.ElementTree as ElementTree  # nosec B405 - writes XML, never parses it

from devora.tools import Finding
from devora.workflows.quality_gate._models import CheckSummary, GateReport

__all__ = ["render_junit"]


def render_junit(report: GateReport) -> str:
    """A <testsuites> document: the gate's verdict and conditions, then each check."""
    suites = ElementTree.Element("testsuites", name="devora quality gate")
    _verdict_suite(suites, report)
    for check in report.checks:
        _check_suite(suites, check, list(report.by_check.get(check.name, ())))
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for suite in suites:
        for key in totals:
            totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        suites.set(key, str(value))
    ElementTree.indent(suites)
    body = ElementTree.tostring(suites, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _verdict_suite(parent: ElementTree.Element, report: GateReport) -> None:
    suite = ElementTree.SubElement(parent, "testsuite", name="quality-gate")
    score = ElementTree.SubElement(
        suite, "testcase", classname="quality-gate", name=f"score >= {report.threshold}"
    )
    failures = 0
    if report.score < report.threshold:
        failures += 1
        ElementTree.SubElement(
            score, "failure", type="score", message=f"score {report.score} < {report.threshold}"
        )
    for condition in report.conditions:
        case = ElementTree.SubElement(
            suite, "testcase", classname="quality-gate", name=condition.name
        )
        if not condition.passed:
            failures += 1
            ElementTree.SubElement(case, "failure", type="condition", message=condition.detail)
    _counts(suite, tests=1 + len(report.conditions), failures=failures)


def _check_suite(parent: ElementTree.Element, check: CheckSummary, findings: list[Finding]) -> None:
    suite = ElementTree.SubElement(
        parent, "testsuite", name=check.name, time=f"{check.duration:.3f}"
    )
    if check.status == "not_run":
        case = ElementTree.SubElement(suite, "testcase", classname=check.name, name=check.name)
        ElementTree.SubElement(case, "skipped", message=check.reason or "not run")
        _counts(suite, tests=1, skipped=1)
        return
    if check.status == "crashed":
        case = ElementTree.SubElement(suite, "testcase", classname=check.name, name=check.name)
        error = ElementTree.SubElement(case, "error", message=check.reason or "crashed")
        error.text = check.reason
        _counts(suite, tests=1, errors=1)
        return
    if not findings:
        ElementTree.SubElement(suite, "testcase", classname=check.name, name=check.name)
        _counts(suite, tests=1)
        return
    for finding in findings:
        where = finding.file or "(project)"
        if finding.file and finding.line:
            where = f"{finding.file}:{finding.line}"
        attributes = {"classname": check.name, "name": f"{where} {finding.rule}"}
        if finding.file:
            attributes["file"] = finding.file
        if finding.line:
            attributes["line"] = str(finding.line)
        case = ElementTree.SubElement(suite, "testcase", attributes)
        failure = ElementTree.SubElement(
            case, "failure", type=finding.rule, message=finding.message
        )
        failure.text = f"{finding.level.value}: {finding.message} ({where})"
    _counts(suite, tests=len(findings), failures=len(findings))


def _counts(
    suite: ElementTree.Element, *, tests: int, failures: int = 0, errors: int = 0, skipped: int = 0
) -> None:
    suite.set("tests", str(tests))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    suite.set("skipped", str(skipped))
