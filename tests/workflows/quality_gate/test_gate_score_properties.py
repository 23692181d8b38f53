"""The score is monotonic: proved with hypothesis over the scoring function itself.

More findings, more failing tests, or a required check that did not run never raise the
score; a required check that did not run never leaves a clean verdict.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import given, settings
from hypothesis import strategies as st

from devora.tools import Finding, Level
from devora.tools.checks import CheckResult, CheckStatus
from devora.workflows.quality_gate import Category, GateConfig
from devora.workflows.quality_gate._categories import CATEGORY_OF
from devora.workflows.quality_gate._config import Penalties, Weights
from devora.workflows.quality_gate._scoring import (
    CategoryInput,
    evaluate_conditions,
    score_categories,
)

CHECKS_OF = {c: [n for n, cat in CATEGORY_OF.items() if cat is c] for c in Category}
RAN = (CheckStatus.PASSED, CheckStatus.FAILED)


@dataclass
class Check:
    """One check's result, as the property tests vary it."""

    name: str
    status: CheckStatus
    levels: list[Level] = field(default_factory=list)
    tests: int = 0
    failing: int = 0
    skipped: int = 0
    coverage: float | None = None

    def result(self) -> CheckResult:
        ran = self.status in RAN
        findings = [
            Finding(tool=self.name, rule="r", level=level, message=f"{self.name} {i}")
            for i, level in enumerate(self.levels if ran else [])
        ]
        metrics: dict[str, float] = {}
        if ran and CATEGORY_OF[self.name] is Category.TESTS:
            findings += [
                Finding(tool=self.name, rule="test-failure", level=Level.ERROR, message=f"t{i}")
                for i in range(self.failing)
            ]
            metrics = {
                "tests": float(self.tests + self.failing + self.skipped),
                "passed": float(self.tests),
                "failures": float(self.failing),
                "skipped": float(self.skipped),
            }
            if self.coverage is not None:
                metrics["coverage_percent"] = self.coverage
        return CheckResult(
            name=self.name,
            tool=self.name,
            status=self.status,
            reason=None if ran else f"{self.status.value}: because",
            findings=tuple(findings),
            metrics=metrics,
        )


def inputs_of(checks: list[Check]) -> list[CategoryInput]:
    by_category: dict[Category, list[CheckResult]] = {c: [] for c in Category}
    for check in checks:
        by_category[CATEGORY_OF[check.name]].append(check.result())
    return [
        CategoryInput(c, results, [f for r in results for f in r.findings])
        for c, results in by_category.items()
    ]


def score(checks: list[Check], config: GateConfig) -> int:
    return score_categories(inputs_of(checks), config)[0]


coverages = st.one_of(st.none(), st.floats(min_value=0, max_value=100))


@st.composite
def a_check(draw: st.DrawFn, name: str) -> Check:
    return Check(
        name=name,
        status=draw(st.sampled_from(list(CheckStatus))),
        levels=draw(st.lists(st.sampled_from(list(Level)), max_size=12)),
        tests=draw(st.integers(0, 40)),
        failing=draw(st.integers(0, 10)),
        skipped=draw(st.integers(0, 5)),
        coverage=draw(coverages),
    )


@st.composite
def gates(draw: st.DrawFn) -> tuple[list[Check], GateConfig]:
    names = draw(st.lists(st.sampled_from(sorted(CATEGORY_OF)), min_size=1, unique=True))
    checks = [draw(a_check(name)) for name in names]
    weight = st.floats(min_value=0, max_value=50)
    penalty = st.floats(min_value=0, max_value=100)
    config = GateConfig(
        weights=Weights(
            typecheck=draw(weight),
            lint=draw(weight),
            tests=draw(weight),
            security=draw(weight),
            performance=draw(weight),
        ),
        penalties=Penalties(error=draw(penalty), warning=draw(penalty), info=draw(penalty)),
        min_coverage=draw(st.floats(min_value=0, max_value=100)),
    )
    return checks, config


@settings(max_examples=400, deadline=None)
@given(gates(), st.data())
def test_one_more_finding_never_raises_the_score(
    gate: tuple[list[Check], GateConfig], data: st.DataObject
) -> None:
    checks, config = gate
    index = data.draw(st.integers(0, len(checks) - 1))
    worse = [Check(**vars(c)) for c in checks]
    worse[index].levels = [*worse[index].levels, data.draw(st.sampled_from(list(Level)))]
    if worse[index].status is CheckStatus.PASSED:
        worse[index].status = CheckStatus.FAILED
    assert score(worse, config) <= score(checks, config)


@settings(max_examples=400, deadline=None)
@given(gates(), st.data())
def test_more_failing_tests_never_raise_the_score_whatever_the_coverage(
    gate: tuple[list[Check], GateConfig], data: st.DataObject
) -> None:
    # Failing tests run code: coverage may go up with them. The score may not.
    checks, config = gate
    tests = [i for i, c in enumerate(checks) if CATEGORY_OF[c.name] is Category.TESTS]
    if not tests:
        checks = [*checks, data.draw(a_check("pytest"))]
        tests = [len(checks) - 1]
    index = data.draw(st.sampled_from(tests))
    worse = [Check(**vars(c)) for c in checks]
    more = data.draw(st.integers(1, 5))
    if data.draw(st.booleans()) and worse[index].tests >= more:
        worse[index].tests -= more  # passing tests now fail
    worse[index].failing += more  # (or new failing tests were added)
    worse[index].coverage = data.draw(coverages)
    if worse[index].status is CheckStatus.PASSED:
        worse[index].status = CheckStatus.FAILED
    assert score(worse, config) <= score(checks, config)


@settings(max_examples=400, deadline=None)
@given(gates(), st.data())
def test_a_required_check_that_did_not_run_never_raises_the_score_nor_passes(
    gate: tuple[list[Check], GateConfig], data: st.DataObject
) -> None:
    checks, config = gate
    index = data.draw(st.integers(0, len(checks) - 1))
    worse = [Check(**vars(c)) for c in checks]
    worse[index].status = data.draw(st.sampled_from([CheckStatus.CRASHED, CheckStatus.NOT_RUN]))
    assert score(worse, config) <= score(checks, config)
    conditions = evaluate_conditions(inputs_of(worse), config)
    assert not all(condition.passed for condition in conditions)


def test_two_more_failing_tests_with_more_coverage_lower_the_score() -> None:
    # Seen: two more failing tests raised the score from 41 to 48 (their code was covered).
    config = GateConfig()
    before = [Check("pytest", CheckStatus.FAILED, tests=8, failing=2, coverage=30.0)]
    after = [Check("pytest", CheckStatus.FAILED, tests=8, failing=4, coverage=90.0)]
    assert score(after, config) < score(before, config)


def test_an_unreachable_audit_service_is_never_a_clean_verdict() -> None:
    # Seen: pip-audit unable to reach its service, and 100/100 PASSED.
    checks = [
        Check("bandit", CheckStatus.PASSED),
        Check("pip-audit", CheckStatus.NOT_RUN),
        Check("ruff-check", CheckStatus.PASSED),
    ]
    config = GateConfig()
    conditions = {c.name: c for c in evaluate_conditions(inputs_of(checks), config)}
    assert not conditions["every required check ran"].passed
    assert "pip-audit" in conditions["every required check ran"].detail
    assert score(checks, config) < 100
    # Declared optional, its absence costs neither the score nor the verdict.
    optional = GateConfig(optional=("pip-audit",))
    conditions = {c.name: c for c in evaluate_conditions(inputs_of(checks), optional)}
    assert conditions["every required check ran"].passed
    assert score(checks, optional) == 100
