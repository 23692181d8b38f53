"""Separating change from noise: medians of several measurements, judged again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict

from devora.workflows.performance._analysis import (
    Analysis,
    BudgetResult,
    Change,
    check_budgets,
    compare_metrics,
)
from devora.workflows.performance._config import Assertion
from devora.workflows.performance._measurement import Measurement, median_metrics

__all__ = ["Verification", "verify_measurements"]


class Verification(BaseModel):
    """The verified figures: medians over every measurement, and what holds on them."""

    model_config = ConfigDict(frozen=True)

    measurements: int
    medians: dict[str, float]
    ranges: dict[str, tuple[float, float]]
    budgets: tuple[BudgetResult, ...]
    changes: tuple[Change, ...]
    confirmed: tuple[str, ...]  # regressions the analysis saw that the medians confirm
    noise: tuple[str, ...]  # regressions the analysis saw that the medians do not

    @property
    def regressions(self) -> list[Change]:
        """Changes for the worse, on the medians."""
        return [c for c in self.changes if c.regressed]

    @property
    def passed(self) -> bool:
        """No error-level budget broken and no confirmed regression."""
        broken = [b for b in self.budgets if not b.passed and b.level == "error"]
        return not broken and not self.regressions


def verify_measurements(
    measurements: Sequence[Measurement],
    analysis: Analysis,
    assertions: Mapping[str, Assertion],
    previous: Mapping[str, float] | None,
    tolerance: float,
) -> Verification:
    """Take medians over all measurements and judge them as the analysis judged the first."""
    medians = median_metrics(measurements)
    ranges = {
        name: (
            min(m.metrics[name] for m in measurements if name in m.metrics),
            max(m.metrics[name] for m in measurements if name in m.metrics),
        )
        for name in medians
    }
    budgets, _ = check_budgets(medians, assertions)
    changes = compare_metrics(previous, medians, tolerance) if previous else []
    still = {c.metric for c in changes if c.regressed}
    seen = [c.metric for c in analysis.regressions]
    return Verification(
        measurements=len(measurements),
        medians=medians,
        ranges=ranges,
        budgets=tuple(budgets),
        changes=tuple(changes),
        confirmed=tuple(m for m in seen if m in still),
        noise=tuple(m for m in seen if m not in still),
    )
