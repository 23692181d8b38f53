"""What a test run says, test id by test id: passed, failed, error or skipped."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Reproduction", "TestCaseResult", "TestOutcome", "TestRun", "TestTally"]


class TestOutcome(StrEnum):
    """The outcome of one test in one run."""

    __test__ = False  # not a pytest test class

    PASSED = "passed"
    FAILED = "failed"
    ERROR = "error"
    SKIPPED = "skipped"


class TestCaseResult(BaseModel):
    """One test of one run: its id, its outcome and, when it did not pass, why."""

    __test__ = False
    model_config = ConfigDict(frozen=True)

    test_id: str
    outcome: TestOutcome
    message: str = ""
    traceback: str = Field(default="", description="the failure's text as the runner gave it")


class TestRun(BaseModel):
    """One run of a project's tests: the command, its exit code, and every test's outcome."""

    __test__ = False
    model_config = ConfigDict(frozen=True)

    argv: tuple[str, ...]
    exit_code: int
    duration: float
    cases: dict[str, TestCaseResult] = Field(default_factory=dict)
    output_tail: str = ""

    def outcome(self, test_id: str) -> TestOutcome | None:
        """The outcome of a test id (a file, a class or a parametrized test: all it selects).

        Any error makes it error, else any failure failed, else any pass passed; skipped when
        every selected test was skipped; None when the run reported none of them.
        """
        selected = [case.outcome for case in self.selected(test_id)]
        for outcome in (TestOutcome.ERROR, TestOutcome.FAILED, TestOutcome.PASSED):
            if outcome in selected:
                return outcome
        return TestOutcome.SKIPPED if selected else None

    def selected(self, test_id: str) -> list[TestCaseResult]:
        """The cases a test id selects: itself, its parametrizations, what a file or class holds."""
        return [
            case
            for case_id, case in self.cases.items()
            if case_id == test_id or case_id.startswith((f"{test_id}[", f"{test_id}::"))
        ]

    def with_outcome(self, outcome: TestOutcome) -> list[str]:
        """The ids of the tests that ended with `outcome`, sorted."""
        return sorted(i for i, case in self.cases.items() if case.outcome is outcome)


class Reproduction(StrEnum):
    """What repeating a reproducer showed: it always fails, sometimes, or never."""

    REPRODUCED = "reproduced"
    FLAKY = "flaky"
    NOT_REPRODUCED = "not reproduced"


class TestTally(BaseModel):
    """How often one test passed and did not pass over repeated runs."""

    __test__ = False
    model_config = ConfigDict(frozen=True)

    test_id: str
    passed: int = 0
    failed: int = 0
    outcomes: tuple[TestOutcome | None, ...] = ()

    @property
    def runs(self) -> int:
        """How many runs the tally counts."""
        return len(self.outcomes)

    @property
    def reproduction(self) -> Reproduction:
        """reproduced: it never passed; not reproduced: it always passed; flaky otherwise."""
        if self.passed == 0:
            return Reproduction.REPRODUCED
        if self.failed == 0:
            return Reproduction.NOT_REPRODUCED
        return Reproduction.FLAKY
