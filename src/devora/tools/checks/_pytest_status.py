"""What a pytest run means: its exit status, its JUnit report and its summary line, judged.

Pytest's exit statuses: 0 all collected tests passed, 1 some failed, 2 interrupted (a
collection error, Ctrl-C), 3 internal error, 4 usage error, 5 no tests collected. Only a run
that exited 0 or 1 *and* ran at least one test says anything about the code: 2-4 are crashes,
5 and a run where every test was skipped (or `--collect-only` is in addopts) did not run.
"""

from __future__ import annotations

import re
from pathlib import Path

from devora.tools._subprocess import ProcessOutput, tail
from devora.tools.checks._base import NotRunError, Outcome, ToolCrashError, ToolOutputError
from devora.tools.checks._junit import parse_junit_xml

__all__ = ["EXIT_MEANINGS", "judge_pytest_run", "parse_pytest_summary"]

EXIT_MEANINGS = {
    0: "all tests passed",
    1: "tests failed",
    2: "was interrupted (a collection error, or Ctrl-C)",
    3: "hit an internal error",
    4: "was called wrongly (usage error: an unknown option, a missing plugin or file)",
    5: "collected no tests",
}
_NO_TESTS_COLLECTED = 5
# "1 failed, 2 passed, 1 skipped, 3 deselected in 0.12s" (with or without "=" around it).
_SUMMARY_LINE = re.compile(r"\bin \d+(?:\.\d+)?s\b")
_SUMMARY_COUNT = re.compile(
    r"(\d+) (passed|failed|skipped|deselected|errors?|xfailed|xpassed|warnings?)\b"
)


def parse_pytest_summary(stdout: str) -> dict[str, int]:
    """The counts of pytest's last summary line ("1 failed, 2 passed in 0.1s"); {} without one."""
    for line in reversed(stdout.splitlines()):
        if _SUMMARY_LINE.search(line) and _SUMMARY_COUNT.search(line):
            counts: dict[str, int] = {}
            for number, word in _SUMMARY_COUNT.findall(line):
                key = {"error": "errors", "warning": "warnings"}.get(word, word)
                counts[key] = counts.get(key, 0) + int(number)
            return counts
    return {}


def judge_pytest_run(output: ProcessOutput, junit: str | None, root: Path) -> Outcome:
    """The outcome of one pytest run; raises NotRunError or ToolCrashError when it says nothing.

    Metrics: tests (as JUnit counts them, skipped included), passed, failures, errors, skipped
    and deselected.
    """
    code = output.exit_code
    combined = f"{output.stdout}\n{output.stderr}"
    summary = parse_pytest_summary(output.stdout)
    deselected = summary.get("deselected", 0)
    if code == _NO_TESTS_COLLECTED:
        why = f" ({deselected} deselected)" if deselected else ""
        raise NotRunError(
            f"not run: pytest collected no tests{why}",
            metrics={"tests": 0.0, "passed": 0.0, "deselected": float(deselected)},
        )
    if code not in (0, 1):
        meaning = EXIT_MEANINGS.get(code, "ended abnormally")
        raise ToolCrashError(
            f"pytest {meaning} (exit code {code})", exit_code=code, output=combined
        )
    if junit is None:
        raise ToolCrashError(
            f"pytest exited with code {code} without a test report", exit_code=code, output=combined
        )
    try:
        report = parse_junit_xml(junit, root)
    except ToolOutputError as error:
        raise ToolCrashError(
            f"pytest printed output that cannot be read: {error}", exit_code=code, output=combined
        ) from error
    passed = max(0, report.tests - report.failures - report.errors - report.skipped)
    metrics = {
        "tests": float(report.tests),
        "passed": float(passed),
        "failures": float(report.failures),
        "errors": float(report.errors),
        "skipped": float(report.skipped),
        "deselected": float(deselected),
    }
    if code == 1 and not report.findings:
        raise ToolCrashError(
            "pytest exited with code 1 but reported no failing test",
            exit_code=code,
            output=combined,
        )
    if not report.findings and passed == 0:
        raise NotRunError(
            f"not run: no test ran ({_zero_run_reason(report.skipped, deselected, output.stdout)})",
            metrics=metrics,
        )
    return Outcome(
        findings=report.findings,
        metrics=metrics,
        exit_code=code,
        output_tail=tail(output.stdout) if report.findings else None,
    )


def _zero_run_reason(skipped: int, deselected: int, stdout: str) -> str:
    if skipped:
        return f"every collected test was skipped: {skipped} skipped, {deselected} deselected"
    if re.search(r"\b\d+ tests? collected\b", stdout):
        return "pytest only collected the tests: is --collect-only in its addopts?"
    return f"pytest reported 0 tests, {deselected} deselected"
