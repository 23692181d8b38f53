"""The score out of 100 and the conditions: how findings become a verdict.

Each category that applies to the project is worth its weight (renormalized so the weights
of the categories that apply add up to 100). A category earns a fraction of its weight:

- typecheck, lint, security, performance: 1 minus the penalties of its findings (by level,
  in percent of the category), never below 0;
- tests: the share of the tests that ran (skipped ones excluded) that pass, averaged with
  coverage / min_coverage (capped at 1); coverage that was not measured earns nothing, and
  neither does coverage while a test fails (failing tests can raise coverage; they must
  never raise the score);
- a category one of whose required checks did not run (tool missing, crashed, not run)
  earns 0: what was not checked is never counted as passed.

The score is monotonic: more findings, more failing tests, or a required check that did not
run never raise it (tests/workflows/quality_gate/test_gate_score_properties.py proves it).
A check named in `optional` that did not run is left out of the score and the conditions.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from devora.tools import Finding, Level
from devora.tools.checks import CheckResult, CheckStatus
from devora.workflows.quality_gate._categories import Category
from devora.workflows.quality_gate._config import GateConfig
from devora.workflows.quality_gate._models import CategoryScore, ConditionResult

__all__ = [
    "CategoryInput",
    "coverage_of",
    "evaluate_conditions",
    "failing_tests",
    "score_categories",
]

_RAN = (CheckStatus.PASSED, CheckStatus.FAILED)


class CategoryInput:
    """One category's final check results and the findings judged for it."""

    def __init__(
        self, category: Category, results: Sequence[CheckResult], findings: Sequence[Finding]
    ) -> None:
        self.category = category
        self.results = tuple(results)
        self.findings = tuple(findings)

    @property
    def ran(self) -> tuple[CheckResult, ...]:
        """The checks whose tool ran and was understood."""
        return tuple(result for result in self.results if result.status in _RAN)

    def unrun(self, optional: Collection[str] = ()) -> tuple[CheckResult, ...]:
        """The required checks that did not run (missing tool, not run, crashed)."""
        return tuple(r for r in self.results if r.status not in _RAN and r.name not in optional)

    def counted(self, optional: Collection[str] = ()) -> bool:
        """True when the category is scored: some check ran, or a required one did not."""
        return bool(self.ran or self.unrun(optional))


def score_categories(
    inputs: Sequence[CategoryInput], config: GateConfig
) -> tuple[int, tuple[CategoryScore, ...]]:
    """The score out of 100 and each applicable category's part of it."""
    applicable = [item for item in inputs if item.counted(config.optional)]
    total_weight = sum(getattr(config.weights, item.category.value) for item in applicable)
    scores = []
    for item in applicable:
        weight = getattr(config.weights, item.category.value)
        fraction, detail = _fraction(item, config)
        share = 100 * weight / total_weight if total_weight else 0.0
        scores.append(
            CategoryScore(
                category=item.category,
                weight=round(share, 2),
                fraction=round(fraction, 4),
                points=round(share * fraction, 2),
                detail=detail,
            )
        )
    score = round(sum(item.points for item in scores)) if total_weight else 0
    return max(0, min(100, score)), tuple(scores)


def coverage_of(results: Sequence[CheckResult]) -> float | None:
    """The statement coverage measured by the test checks, when one measured it."""
    values = [r.metrics["coverage_percent"] for r in results if "coverage_percent" in r.metrics]
    return min(values) if values else None


def evaluate_conditions(
    inputs: Sequence[CategoryInput], config: GateConfig
) -> tuple[ConditionResult, ...]:
    """The SonarQube-style conditions; any that fails, fails the gate whatever the score."""
    by_category = {item.category: item for item in inputs}
    conditions: list[ConditionResult] = []
    unrun = [r for item in inputs for r in item.unrun(config.optional)]
    crashed = [r for r in unrun if r.status is CheckStatus.CRASHED]
    not_run = [r for r in unrun if r.status is not CheckStatus.CRASHED]
    conditions.append(
        ConditionResult(
            name="no check crashed",
            passed=not crashed,
            detail="; ".join(f"{r.name}: {r.reason}" for r in crashed) or "every tool worked",
        )
    )
    conditions.append(
        ConditionResult(
            name="every required check ran",
            passed=not not_run,
            detail="; ".join(f"{r.name}: {r.reason}" for r in not_run)
            or "no check left out"
            + (f" (optional: {', '.join(sorted(config.optional))})" if config.optional else ""),
        )
    )
    tests = by_category.get(Category.TESTS)
    if tests is not None and tests.counted(config.optional):
        coverage = coverage_of(tests.ran)
        if coverage is not None:
            conditions.append(
                ConditionResult(
                    name=f"coverage >= {config.min_coverage:g} %",
                    passed=coverage >= config.min_coverage,
                    detail=f"coverage is {coverage:.1f} %",
                )
            )
        if config.fail_on_failing_tests:
            conditions.append(_no_failing_test(tests, config))
    security = by_category.get(Category.SECURITY)
    if config.fail_on_high_security and security is not None and security.counted(config.optional):
        high = [f for f in security.findings if f.level is Level.ERROR]
        conditions.append(
            ConditionResult(
                name="no high-severity security finding",
                passed=not high,
                detail="; ".join(f"{f.rule} at {_where(f)}" for f in high[:5]) or "none found",
            )
        )
    return tuple(conditions)


def _no_failing_test(tests: CategoryInput, config: GateConfig) -> ConditionResult:
    # Silence is not success: with a required test run that crashed or did not run, nobody
    # knows whether a test fails, so the condition cannot hold.
    unrun = tests.unrun(config.optional)
    failing = failing_tests(tests.ran, tests.findings)
    if unrun:
        unknown = "; ".join(f"{r.name} {r.status.value}" for r in unrun)
        counted = f"{failing} test(s) fail, " if failing else ""
        detail = f"{counted}the rest is not known ({unknown}: its tests did not all run)"
        return ConditionResult(name="no failing test", passed=False, detail=detail)
    return ConditionResult(
        name="no failing test",
        passed=failing == 0,
        detail=f"{failing} test(s) fail" if failing else "all tests pass",
    )


def failing_tests(ran: Sequence[CheckResult], findings: Sequence[Finding]) -> int:
    """How many tests fail: the runners' own counts, or the failing-test findings if more."""
    counted = sum(r.metrics.get("failures", 0.0) + r.metrics.get("errors", 0.0) for r in ran)
    return max(int(counted), sum(1 for finding in findings if finding.level is Level.ERROR))


def _fraction(item: CategoryInput, config: GateConfig) -> tuple[float, str]:
    unrun = item.unrun(config.optional)
    if unrun or not item.ran:
        return 0.0, "not checked: " + "; ".join(str(r.reason) for r in unrun)
    if item.category is Category.TESTS:
        return _tests_fraction(item.ran, item.findings, config)
    penalty = sum(_penalty(finding, config) for finding in item.findings)
    fraction = max(0.0, 1.0 - penalty / 100)
    return fraction, f"{len(item.findings)} finding(s)"


def _tests_fraction(
    ran: Sequence[CheckResult], findings: Sequence[Finding], config: GateConfig
) -> tuple[float, str]:
    failed = failing_tests(ran, findings)
    # The tests that ran: skipped ones (JUnit counts them in "tests") are not evidence.
    total = max(
        float(failed),
        sum(max(0.0, r.metrics.get("tests", 0.0) - r.metrics.get("skipped", 0.0)) for r in ran),
    )
    if total > 0:
        passing = max(0.0, (total - failed) / total)
        detail = f"{total - failed:g}/{total:g} tests pass"
    else:
        passing = 1.0
        detail = "0 failing test(s)"
    skipped = sum(r.metrics.get("skipped", 0.0) for r in ran)
    deselected = sum(r.metrics.get("deselected", 0.0) for r in ran)
    if skipped or deselected:
        detail += f" ({skipped:g} skipped, {deselected:g} deselected)"
    coverage = coverage_of(ran)
    if coverage is None:
        return passing / 2, detail + ", coverage not measured (not credited)"
    if failed:
        return passing / 2, f"{detail}, coverage {coverage:.1f} % (not credited while a test fails)"
    covered = min(1.0, coverage / config.min_coverage) if config.min_coverage > 0 else 1.0
    return (passing + covered) / 2, f"{detail}, coverage {coverage:.1f} %"


def _penalty(finding: Finding, config: GateConfig) -> float:
    levels = {
        Level.ERROR: config.penalties.error,
        Level.WARNING: config.penalties.warning,
        Level.INFO: config.penalties.info,
    }
    return levels[finding.level]


def _where(finding: Finding) -> str:
    if finding.file is None:
        return "project"
    return f"{finding.file}:{finding.line}" if finding.line else finding.file
