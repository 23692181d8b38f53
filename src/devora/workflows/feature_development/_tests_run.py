"""The project's tests in a checkout, run with the project's interpreter — inside the agent's
sandbox when the code under test was written by an agent and the sandbox is on."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Sequence
from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, Field

from devora.agents import find_bubblewrap, sandbox_confinement
from devora.tools import confined
from devora.tools.testrun import TestOutcome, TestRun, TestRunCrashedError, run_pytest

__all__ = ["SuiteResult", "SuiteVerdict", "run_suite", "sandboxed_tests"]


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

    def describe(self) -> str:
        """One line: the verdict and the counts, or the reason."""
        if self.verdict in (SuiteVerdict.CRASHED, SuiteVerdict.NOT_RUN):
            return f"{self.verdict}: {self.reason}"
        return f"{self.verdict}: {len(self.passed)} passed, {len(self.failed)} failed"


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


async def run_suite(root: Path, python: Path, test_ids: Sequence[str] = ()) -> SuiteResult:
    """The tests `test_ids` (all when empty) at root; a crashed run is reported, not raised."""
    try:
        run = await run_pytest(root, python, test_ids)
    except TestRunCrashedError as error:
        return SuiteResult(verdict=SuiteVerdict.CRASHED, reason=error.message)
    return summarize(run)


@contextlib.asynccontextmanager
async def sandboxed_tests(
    sandbox: bool, worktree: Path, repository: Path, python: Path
) -> AsyncIterator[None]:
    """Tests started inside run in the agent's sandbox (when `sandbox`): the agent's code
    runs confined as its commands did; only the worktree and a scratch folder writable."""
    if not sandbox:
        yield
        return
    bwrap = await find_bubblewrap()
    prefix = python.parent.parent
    readable = [repository, *dict.fromkeys([prefix, prefix.resolve()])]
    scratch = worktree.parent / f"{worktree.name}-scratch"
    scratch.mkdir(parents=True, exist_ok=True)
    with confined(sandbox_confinement(bwrap, worktree, scratch, readable)):
        yield
