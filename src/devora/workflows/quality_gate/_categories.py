"""The five parts of the gate (typecheck, lint, tests, security, performance) and their checks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from enum import StrEnum

from devora.tools.checks import AssetBudget, Check, ProjectProfile, ToolCheck, all_checks

__all__ = ["CATEGORY_OF", "Category", "checks_named", "plan_checks"]


class Category(StrEnum):
    """A part of the gate: one step of the workflow, one weight of the score."""

    TYPECHECK = "typecheck"
    LINT = "lint"
    TESTS = "tests"
    SECURITY = "security"
    PERFORMANCE = "performance"


CATEGORY_OF: dict[str, Category] = {
    "mypy": Category.TYPECHECK,
    "tsc": Category.TYPECHECK,
    "ruff-check": Category.LINT,
    "ruff-format": Category.LINT,
    "eslint": Category.LINT,
    "prettier": Category.LINT,
    "pytest": Category.TESTS,
    "npm-test": Category.TESTS,
    "bandit": Category.SECURITY,
    "pip-audit": Category.SECURITY,
    "npm-audit": Category.SECURITY,
    "asset-size": Category.PERFORMANCE,
}


def plan_checks(
    profile: ProjectProfile, budgets: tuple[AssetBudget, ...] = ()
) -> dict[Category, tuple[str, ...]]:
    """The names of the checks that apply to the project, by category (every category listed)."""
    planned: dict[Category, list[str]] = {category: [] for category in Category}
    for check in all_checks(budgets):
        if check.applies_to(profile):
            planned[CATEGORY_OF[check.name]].append(check.name)
    return {category: tuple(names) for category, names in planned.items()}


def checks_named(
    names: Iterable[str],
    budgets: tuple[AssetBudget, ...] = (),
    timeouts: Mapping[str, float] | None = None,
) -> list[Check]:
    """Fresh instances of the named checks, in the registry's order, with their time limits."""
    wanted = set(names)
    checks = [check for check in all_checks(budgets) if check.name in wanted]
    for check in checks:
        if timeouts and check.name in timeouts and isinstance(check, ToolCheck):
            check.timeout = timeouts[check.name]
    return checks
