"""Judging a measurement: against budgets (Lighthouse CI assertions) and the previous audit."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict

from devora.config import ConfigError
from devora.workflows.performance._config import Assertion
from devora.workflows.performance._measurement import metric_info

__all__ = [
    "Analysis",
    "BudgetResult",
    "Change",
    "check_budgets",
    "compare_metrics",
    "validate_assertions",
]

# Differences smaller than these are never called a change, whatever the relative size
# (CLS going from 0 to 0.001 is not a regression).
_ABSOLUTE_FLOOR = {"score": 0.01, "ms": 5.0, "bytes": 64.0, "s": 1e-6, "ratio": 0.005, "": 0.005}


class BudgetResult(BaseModel):
    """One assertion checked: the metric, its value, the limit and whether it holds."""

    model_config = ConfigDict(frozen=True)

    metric: str
    label: str
    unit: str
    actual: float
    rule: str  # minScore, maxNumericValue, minNumericValue
    limit: float
    level: str
    passed: bool


class Change(BaseModel):
    """A metric that moved beyond the tolerance since the previous audit."""

    model_config = ConfigDict(frozen=True)

    metric: str
    label: str
    unit: str
    previous: float
    current: float
    delta: float
    relative: float | None  # delta / previous, None when previous is 0
    regressed: bool


class Analysis(BaseModel):
    """Budgets and changes of one audit, and the audit it was compared with."""

    model_config = ConfigDict(frozen=True)

    budgets: tuple[BudgetResult, ...]
    changes: tuple[Change, ...]
    previous_run: str | None = None
    previous_at: str | None = None
    unmeasured: tuple[str, ...] = ()

    @property
    def broken_budgets(self) -> list[BudgetResult]:
        """Assertions that do not hold."""
        return [b for b in self.budgets if not b.passed]

    @property
    def regressions(self) -> list[Change]:
        """Changes for the worse."""
        return [c for c in self.changes if c.regressed]


def validate_assertions(assertions: Mapping[str, Assertion], source: str | None) -> None:
    """minScore only on scores: an audit's own score is not what Devora measures."""
    wrong = [
        name
        for name, assertion in assertions.items()
        if assertion.min_score is not None and metric_info(name).unit != "score"
    ]
    if wrong:
        raise ConfigError(
            source or "the configuration",
            f"performance.assertions: minScore applies to category scores "
            f"(categories:performance...), not to {', '.join(sorted(wrong))}; "
            "use maxNumericValue for those",
        )


def check_budgets(
    metrics: Mapping[str, float], assertions: Mapping[str, Assertion]
) -> tuple[list[BudgetResult], list[str]]:
    """Each assertion against the metrics; and the asserted metrics that were not measured."""
    results, unmeasured = [], []
    for name, assertion in sorted(assertions.items()):
        if name not in metrics:
            unmeasured.append(name)
            continue
        info = metric_info(name)
        actual = metrics[name]
        rules = (
            ("minScore", assertion.min_score, actual >= (assertion.min_score or 0)),
            (
                "maxNumericValue",
                assertion.max_numeric_value,
                assertion.max_numeric_value is None or actual <= assertion.max_numeric_value,
            ),
            (
                "minNumericValue",
                assertion.min_numeric_value,
                assertion.min_numeric_value is None or actual >= assertion.min_numeric_value,
            ),
        )
        for rule, limit, holds in rules:
            if limit is None:
                continue
            results.append(
                BudgetResult(
                    metric=name,
                    label=info.label,
                    unit=info.unit,
                    actual=actual,
                    rule=rule,
                    limit=limit,
                    level=assertion.level,
                    passed=holds,
                )
            )
    return results, unmeasured


def compare_metrics(
    previous: Mapping[str, float], current: Mapping[str, float], tolerance: float
) -> list[Change]:
    """Metrics that moved by more than `tolerance` (relative) and their unit's floor."""
    changes = []
    for name in sorted(set(previous) & set(current)):
        before, after = previous[name], current[name]
        info = metric_info(name)
        delta = after - before
        if abs(delta) <= _ABSOLUTE_FLOOR.get(info.unit, 0.0):
            continue
        relative = delta / before if before else None
        if relative is not None and abs(relative) <= tolerance:
            continue
        worse = delta < 0 if info.higher_is_better else delta > 0
        changes.append(
            Change(
                metric=name,
                label=info.label,
                unit=info.unit,
                previous=before,
                current=after,
                delta=delta,
                relative=relative,
                regressed=worse,
            )
        )
    changes.sort(key=lambda c: (not c.regressed, -abs(c.relative or 1.0)))
    return changes
