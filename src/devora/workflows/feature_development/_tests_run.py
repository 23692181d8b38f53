"""The project's tests in a checkout — pytest with the project's interpreter, and `npm test`
when package.json has a test script (judged by devora.tools.checks from node --test's,
Jest's or Vitest's summary) — inside the agent's sandbox when the code under test was
written by an agent and the sandbox is on."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from devora.agents import find_bubblewrap, sandbox_confinement
from devora.tools import confined
from devora.tools.checks import CheckResult, CheckStatus, NpmTestCheck, detect_project
from devora.tools.testrun import TestOutcome, TestRun, TestRunCrashedError, run_pytest

__all__ = [
    "NPM_TEST",
    "SuiteResult",
    "SuiteVerdict",
    "is_python_project",
    "run_suite",
    "sandboxed_tests",
]

NPM_TEST = "npm test"  # the JavaScript suite is one unit: its runners' summaries give counts
_PYTHON_MARKERS = ("pyproject.toml", "setup.py", "setup.cfg", "requirements.txt")


class SuiteVerdict(StrEnum):
    """Not run is not passed: a suite that did not run says so, with the reason."""

    PASSED = "passed"
    FAILED = "failed"
    CRASHED = "crashed"
    NOT_RUN = "not run"


class SuiteResult(BaseModel):
    """The outcome of one run of the project's tests."""

    verdict: SuiteVerdict
    passed: list[str] = Field(default_factory=list)
    failed: list[str] = Field(default_factory=list, description="failed or errored test ids")
    reason: str = Field(default="", description="why it crashed or did not run")
    output_tail: str = ""
    npm: dict[str, float] = Field(
        default_factory=dict, description="npm test's counts (tests, passed, failures...)"
    )

    def describe(self) -> str:
        """One line: the verdict and the counts, or the reason."""
        if self.verdict in (SuiteVerdict.CRASHED, SuiteVerdict.NOT_RUN):
            return f"{self.verdict}: {self.reason}"
        if self.npm and set(self.passed + self.failed) == {NPM_TEST}:
            return f"{self.verdict}: {self._npm_counts()}"
        counted = [t for t in self.passed + self.failed if t != NPM_TEST]
        passed = sum(t != NPM_TEST for t in self.passed)
        line = f"{self.verdict}: {passed} passed, {len(counted) - passed} failed"
        return line + (f"; {self._npm_counts()}" if self.npm else "")

    def _npm_counts(self) -> str:
        counts = {k: int(v) for k, v in self.npm.items()}
        failed = counts.get("failures", 0) + counts.get("errors", 0)
        return f"npm test: {counts.get('passed', 0)} passed, {failed} failed"


def summarize(run: TestRun) -> SuiteResult:
    """A pytest run as a verdict and the test ids by outcome."""
    passed = run.with_outcome(TestOutcome.PASSED)
    failed = sorted(run.with_outcome(TestOutcome.FAILED) + run.with_outcome(TestOutcome.ERROR))
    if not run.cases:
        return SuiteResult(verdict=SuiteVerdict.NOT_RUN, reason="pytest collected no test",
                           output_tail=run.output_tail)  # fmt: skip
    verdict = SuiteVerdict.FAILED if failed else SuiteVerdict.PASSED
    return SuiteResult(verdict=verdict, passed=sorted(passed), failed=failed,
                       output_tail=run.output_tail)  # fmt: skip


def is_python_project(root: Path) -> bool:
    """The project is Python's (its tests are pytest's, run with its own interpreter)."""
    return any((root / name).is_file() for name in _PYTHON_MARKERS)


async def run_suite(root: Path, python: Path | None, test_ids: Sequence[str] = ()) -> SuiteResult:
    """The tests `test_ids` (all when empty) at root — pytest's when `python` is given, and
    the whole `npm test` when package.json has a test script and no ids are asked for; a
    crashed run is reported, not raised."""
    parts: list[SuiteResult] = []
    if python is not None:
        try:
            parts.append(summarize(await run_pytest(root, python, test_ids)))
        except TestRunCrashedError as error:
            parts.append(SuiteResult(verdict=SuiteVerdict.CRASHED, reason=error.message))
    profile = detect_project(root)
    if not test_ids and profile.test_script is not None:
        parts.append(_npm_suite(await NpmTestCheck().run(profile)))
    return _combined(parts)


def _npm_suite(result: CheckResult) -> SuiteResult:
    verdicts = {
        CheckStatus.PASSED: SuiteVerdict.PASSED,
        CheckStatus.FAILED: SuiteVerdict.FAILED,
        CheckStatus.NOT_RUN: SuiteVerdict.NOT_RUN,
    }
    verdict = verdicts.get(result.status, SuiteVerdict.CRASHED)
    tail = result.output_tail or ""
    if verdict in (SuiteVerdict.NOT_RUN, SuiteVerdict.CRASHED):
        reason = f"{NPM_TEST}: {result.reason or 'no reason given'}"
        return SuiteResult(verdict=verdict, reason=reason, output_tail=tail)
    unit = {"passed" if verdict is SuiteVerdict.PASSED else "failed": [NPM_TEST]}
    return SuiteResult(verdict=verdict, output_tail=tail, npm=result.metrics, **unit)


def _combined(parts: list[SuiteResult]) -> SuiteResult:
    """One verdict over pytest's and npm's: the worst one; none ran is not run."""
    if not parts:
        reason = "no test suite: not a Python project, no npm test script"
        return SuiteResult(verdict=SuiteVerdict.NOT_RUN, reason=reason)
    if len(parts) == 1:
        return parts[0]
    order = [SuiteVerdict.CRASHED, SuiteVerdict.FAILED, SuiteVerdict.NOT_RUN, SuiteVerdict.PASSED]
    verdict = min((p.verdict for p in parts), key=order.index)
    return SuiteResult(
        verdict=verdict,
        passed=sorted(t for p in parts for t in p.passed),
        failed=sorted(t for p in parts for t in p.failed),
        reason="; ".join(p.reason for p in parts if p.reason),
        output_tail="\n".join(p.output_tail for p in parts if p.output_tail)[-4000:],
        npm=next((p.npm for p in parts if p.npm), {}),
    )


@contextlib.asynccontextmanager
async def sandboxed_tests(
    sandbox: bool, worktree: Path, repository: Path, python: Path | None
) -> AsyncIterator[None]:
    """Tests started inside run in the agent's sandbox (when `sandbox`): the agent's code
    runs confined as its commands did; only the worktree and a scratch folder writable."""
    if not sandbox:
        yield
        return
    bwrap = await find_bubblewrap()
    readable = [repository]
    if python is not None:
        prefix = python.parent.parent
        readable += dict.fromkeys([prefix, prefix.resolve()])
    scratch = worktree.parent / f"{worktree.name}-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with confined(sandbox_confinement(bwrap, worktree, scratch, readable)):
        yield
