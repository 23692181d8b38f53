"""Running a category's checks side by side, reusing cached results for an unchanged tree."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from devora.tools.checks import Check, CheckResult, ProjectProfile
from devora.workflows.quality_gate._cache import ResultCache
from devora.workflows.quality_gate._categories import Category, checks_named
from devora.workflows.quality_gate._config import GateConfig
from devora.workflows.quality_gate._models import CategoryRun

__all__ = ["run_category", "run_checks"]

Log = Callable[[str], None]


async def run_category(
    category: Category,
    names: Sequence[str],
    profile: ProjectProfile,
    config: GateConfig,
    cache: ResultCache | None,
    tree: str,
    log: Log,
) -> CategoryRun:
    """Run the named checks of one category concurrently; say which results were cached."""
    checks = checks_named(names, config.budgets, config.timeouts)
    results, cached = await run_checks(checks, profile, config, cache, tree, log)
    return CategoryRun(category=category, results=results, cached=cached)


async def run_checks(
    checks: Sequence[Check],
    profile: ProjectProfile,
    config: GateConfig,
    cache: ResultCache | None,
    tree: str,
    log: Log,
) -> tuple[tuple[CheckResult, ...], tuple[str, ...]]:
    """Run checks concurrently (a cached result for this tree is reused), in the checks' order."""
    outcomes = await asyncio.gather(
        *(_run_one(check, profile, config, cache, tree, log) for check in checks)
    )
    results = tuple(result for result, _ in outcomes)
    cached = tuple(result.name for result, hit in outcomes if hit)
    return results, cached


async def _run_one(
    check: Check,
    profile: ProjectProfile,
    config: GateConfig,
    cache: ResultCache | None,
    tree: str,
    log: Log,
) -> tuple[CheckResult, bool]:
    key = await cache.key(check, profile, tree, config) if cache is not None else None
    if cache is not None and key is not None:
        hit = cache.load(key)
        if hit is not None:
            log(f"{check.name}: cached result reused (same files, {check.tool} and config)")
            return hit, True
    result = await check.run(profile)
    log(_describe(result))
    if cache is not None and key is not None:
        cache.save(key, result)
    return result, False


def _describe(result: CheckResult) -> str:
    if result.reason:
        return f"{result.name}: {result.status.value}: {result.reason}"
    return (
        f"{result.name}: {result.status.value}, {len(result.findings)} finding(s) "
        f"in {result.duration:.1f} s"
    )
