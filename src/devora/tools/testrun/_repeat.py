"""Repeating tests to tell a real failure from a flaky one."""

from __future__ import annotations

from collections.abc import Sequence

from devora.tools.testrun._model import TestOutcome, TestRun, TestTally

__all__ = ["tally_runs"]


def tally_runs(runs: Sequence[TestRun], test_ids: Sequence[str]) -> dict[str, TestTally]:
    """How often each test id passed and did not pass over `runs` (a missing test did not)."""
    tallies: dict[str, TestTally] = {}
    for test_id in test_ids:
        outcomes = tuple(run.outcome(test_id) for run in runs)
        passed = sum(outcome is TestOutcome.PASSED for outcome in outcomes)
        tallies[test_id] = TestTally(
            test_id=test_id, passed=passed, failed=len(outcomes) - passed, outcomes=outcomes
        )
    return tallies
