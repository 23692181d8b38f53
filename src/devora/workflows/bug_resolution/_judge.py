"""Judging a candidate fix as SWE-bench does: FAIL_TO_PASS and PASS_TO_PASS, test by test."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devora.errors import DevoraError
from devora.tools.testrun import TestOutcome, Verdict, run_pytest
from devora.workflows.bug_resolution._project import run_in
from devora.workflows.bug_resolution._records import Judgement, ReproductionReport

__all__ = ["judge_candidate", "passing_tests"]

_FAILURE_TEXT = 1500


async def passing_tests(root: Path, python: Path) -> list[str]:
    """The ids of the tests that pass at root (the whole suite, once)."""
    run = await run_pytest(root, python)
    return run.with_outcome(TestOutcome.PASSED)


async def judge_candidate(
    worktree: Path, reproduction: ReproductionReport, repeat: int
) -> Judgement:
    """FAIL_TO_PASS: the reproducer passes `repeat` times; PASS_TO_PASS: every test that
    passed at the base still passes (a test that is gone is broken too)."""
    python = Path(reproduction.python) if reproduction.python else None
    failures: dict[str, str] = {}
    passed = 0
    for _ in range(repeat):
        run = await run_in(worktree, reproduction.reproducer, python)
        if run.verdict is Verdict.PASSED:
            passed += 1
            continue
        failures[reproduction.reproducer.describe()] = run.output_tail[-_FAILURE_TEXT:]
        break  # one failure is enough to reject it
    runs = repeat if passed == repeat else passed + 1
    broken, checked, note = await _pass_to_pass(
        worktree, python, reproduction.baseline_passed, reproduction.reproducer.test_ids, failures
    )
    return Judgement(
        fail_to_pass_runs=runs,
        fail_to_pass_passed=passed,
        pass_to_pass_checked=checked,
        pass_to_pass_broken=broken,
        failures=failures,
        note=note or reproduction.baseline_note,
    )


async def _pass_to_pass(
    worktree: Path,
    python: Path | None,
    baseline: Sequence[str] | None,
    reproducer_ids: Sequence[str],
    failures: dict[str, str],
) -> tuple[dict[str, str], int, str]:
    if baseline is None or python is None:
        return {}, 0, "PASS_TO_PASS not checked: pytest could not run at the base"
    expected = [t for t in baseline if not any(t == r or t.startswith(r) for r in reproducer_ids)]
    try:
        run = await run_pytest(worktree, python)
    except DevoraError as error:
        return {t: "not run" for t in expected}, len(expected), f"the tests did not run: {error}"
    broken: dict[str, str] = {}
    for test_id in expected:
        outcome = run.outcome(test_id)
        if outcome is TestOutcome.PASSED:
            continue
        broken[test_id] = outcome.value if outcome is not None else "missing"
        case = run.cases.get(test_id)
        if case is not None and case.traceback:
            failures[test_id] = case.traceback[-_FAILURE_TEXT:]
    return broken, len(expected), ""
