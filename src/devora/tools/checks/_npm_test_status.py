"""What an `npm test` run means: the summary its test runner printed, and its exit code, judged.

Three runners are read from their own summaries (the last one each printed):

- node's built-in runner (`node --test`), TAP or spec: `# tests 7`, `# pass 1`, `# fail 3`,
  `# cancelled 0`, `# skipped 1`, `# todo 2` (spec prints U+2139 where TAP prints `#`);
- Jest: `Tests:       3 failed, 1 skipped, 1 todo, 1 passed, 6 total`;
- Vitest: `Tests  3 failed | 1 passed | 1 skipped | 1 todo (6)`.

The counts use pytest's vocabulary (tests, passed, failures, errors, skipped), so the gate shows
and scores them as it does pytest's: todo tests are skipped ones, cancelled ones errors. Only a
run that printed a summary and ran at least one test says anything about the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from devora.tools import Finding, Level
from devora.tools._subprocess import ProcessOutput, tail
from devora.tools.checks._base import NotRunError, Outcome, ToolCrashError

__all__ = ["TestSummary", "judge_npm_test_run", "parse_test_summaries"]

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
# TAP starts the line with "#", the spec reporter with U+2139 (information source).
_NODE_LINE = re.compile(
    r"^[#\u2139] (tests|pass|fail|cancelled|skipped|todo) (\d+)\s*$", re.MULTILINE
)
_JEST_LINE = re.compile(r"^Tests:\s+(.*\d+ total)\s*$", re.MULTILINE)
_VITEST_LINE = re.compile(r"^\s*Tests\s{2,}(.*)\((\d+)\)\s*$", re.MULTILINE)
_COUNT = re.compile(r"(\d+) (passed|failed|skipped|todo|pending)\b")
# Jest and Vitest when they find no test file at all (with or without --passWithNoTests).
_NO_TESTS = re.compile(r"^\s*No (?:tests|test files) found", re.MULTILINE)
_OUTPUT_LINES = 30


@dataclass(frozen=True)
class TestSummary:
    """One runner's counts, as its summary gave them."""

    runner: str
    total: int
    passed: int
    failed: int
    skipped: int = 0
    todo: int = 0
    cancelled: int = 0

    @property
    def ran(self) -> int:
        """The tests that ran to an end: passed or failed (cancelled ones did not)."""
        return self.passed + self.failed


def parse_test_summaries(text: str) -> list[TestSummary]:
    """The last summary each known runner printed in text (stdout and stderr); [] without one."""
    text = _ANSI.sub("", text)
    summaries = []
    node = _node_summary(text)
    if node is not None:
        summaries.append(node)
    jest = _JEST_LINE.findall(text)
    if jest:
        counts = _counts(jest[-1])
        total = int(re.findall(r"(\d+) total", jest[-1])[-1])
        summaries.append(_summary("jest", total, counts))
    vitest = _VITEST_LINE.findall(text)
    if vitest:
        line, total = vitest[-1]
        summaries.append(_summary("vitest", int(total), _counts(line)))
    return summaries


def judge_npm_test_run(output: ProcessOutput, script: str) -> Outcome:
    """The outcome of one `npm test`; raises NotRunError or ToolCrashError when it says nothing.

    Metrics: tests (skipped included, as JUnit counts them), passed, failures, errors
    (cancelled tests) and skipped (todo tests included).
    """
    code = output.exit_code
    combined = f"{output.stdout}\n{output.stderr}"
    summaries = parse_test_summaries(combined)
    if not summaries:
        if _NO_TESTS.search(_ANSI.sub("", combined)):
            raise NotRunError(f"not run: `npm test` ({script}) found no test file")
        if code == 0:
            raise ToolCrashError(
                f"`npm test` ({script}) exited 0 but printed no test summary Devora can read "
                "(node --test, Jest or Vitest): its tests are not known to pass",
                exit_code=code,
                output=combined,
            )
        raise ToolCrashError(
            f"`npm test` ({script}) exited with code {code} before any test runner's summary",
            exit_code=code,
            output=combined,
        )
    passed = sum(s.passed for s in summaries)
    failed = sum(s.failed for s in summaries)
    cancelled = sum(s.cancelled for s in summaries)
    skipped = sum(s.skipped + s.todo for s in summaries)
    metrics = {
        "tests": float(sum(s.total for s in summaries)),
        "passed": float(passed),
        "failures": float(failed),
        "errors": float(cancelled),
        "skipped": float(skipped),
    }
    runners = ", ".join(s.runner for s in summaries)
    if failed or cancelled:
        finding = Finding(
            tool="npm",
            rule="test-script",
            level=Level.ERROR,
            message=f"`npm test` ({script}) exited with code {code}: {runners} reported "
            f"{failed + cancelled} of {passed + failed + cancelled} test(s) failing"
            + (f" ({cancelled} cancelled)" if cancelled else ""),
            file="package.json",
        )
        tail_text = tail(combined, _OUTPUT_LINES)
        return Outcome(findings=[finding], metrics=metrics, exit_code=code, output_tail=tail_text)
    if code != 0:
        raise ToolCrashError(
            f"`npm test` ({script}) exited with code {code} but {runners} reported no failing test",
            exit_code=code,
            output=combined,
        )
    if passed == 0:
        raise NotRunError(
            f"not run: no test ran ({runners} reported {skipped} skipped or todo, 0 passed)",
            metrics=metrics,
        )
    return Outcome(metrics=metrics, exit_code=code)


def _node_summary(text: str) -> TestSummary | None:
    # Each `node --test` run ends with one block of counts; keep the last block's values.
    values: dict[str, int] = {}
    for word, number in _NODE_LINE.findall(text):
        values[word] = int(number)
    if "tests" not in values or "pass" not in values or "fail" not in values:
        return None
    return TestSummary(
        runner="node --test",
        total=values["tests"],
        passed=values["pass"],
        failed=values["fail"],
        skipped=values.get("skipped", 0),
        todo=values.get("todo", 0),
        cancelled=values.get("cancelled", 0),
    )


def _counts(line: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for number, word in _COUNT.findall(line):
        key = "skipped" if word == "pending" else word
        counts[key] = counts.get(key, 0) + int(number)
    return counts


def _summary(runner: str, total: int, counts: dict[str, int]) -> TestSummary:
    return TestSummary(
        runner=runner,
        total=total,
        passed=counts.get("passed", 0),
        failed=counts.get("failed", 0),
        skipped=counts.get("skipped", 0),
        todo=counts.get("todo", 0),
    )
