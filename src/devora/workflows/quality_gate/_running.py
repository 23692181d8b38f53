"""Running a category's checks side by side: a cached result for an unchanged tree is reused,
and on a changed tree only what the change can affect is re-checked (_incremental)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence

from devora.tools.checks import Check, CheckResult, CheckStatus, MypyCheck, ProjectProfile
from devora.workflows.quality_gate._cache import ResultCache
from devora.workflows.quality_gate._categories import Category, checks_named
from devora.workflows.quality_gate._config import GateConfig
from devora.workflows.quality_gate._incremental import Incremental, run_incrementally
from devora.workflows.quality_gate._models import CategoryRun
from devora.workflows.quality_gate._not_run import SERVICE_CHECKS, NotRunMemo

__all__ = ["CRASH_NOT_KEPT", "run_category", "run_checks"]

Log = Callable[[str], None]
# A crash may come from the machine rather than the code (a full disk, a killed process, a
# network gone): its verdict is never reused, even on an unchanged tree, and the report says so.
CRASH_NOT_KEPT = (
    "a crash is not kept: the next run runs this check again, even on an unchanged tree "
    "(a crash may come from the environment, not the code)"
)


async def run_category(
    category: Category,
    names: Sequence[str],
    profile: ProjectProfile,
    config: GateConfig,
    cache: ResultCache | None,
    tree: str,
    log: Log,
    incremental: Incremental | None = None,
) -> CategoryRun:
    """Run the named checks of one category concurrently; say which results were cached."""
    checks = checks_named(names, config.budgets, config.timeouts)
    results, cached = await run_checks(checks, profile, config, cache, tree, log, incremental)
    return CategoryRun(category=category, results=results, cached=cached)


async def run_checks(
    checks: Sequence[Check],
    profile: ProjectProfile,
    config: GateConfig,
    cache: ResultCache | None,
    tree: str,
    log: Log,
    incremental: Incremental | None = None,
) -> tuple[tuple[CheckResult, ...], tuple[str, ...]]:
    """Run checks concurrently (a cached result for this tree is reused), in the checks' order.

    With `incremental` (it needs the cache), a check whose tree changed re-checks only what
    the change can affect, and mypy keeps its incremental cache in Devora's cache.
    """
    for check in checks:
        if incremental is not None and isinstance(check, MypyCheck):
            check.cache_dir = incremental.mypy_cache
    outcomes = await asyncio.gather(
        *(_run_one(check, profile, config, cache, tree, log, incremental) for check in checks)
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
    incremental: Incremental | None,
) -> tuple[CheckResult, bool]:
    inputs = await cache.inputs(check, profile, config) if cache is not None else None
    key = ResultCache.key_for(inputs, tree) if inputs is not None else None
    full = incremental is not None and incremental.full
    if cache is not None and key is not None and not full:
        hit = cache.load(key)
        if hit is not None:
            log(f"{check.name}: cached result reused (same files, {check.tool} and config)")
            origin = f"run {hit.run}" if hit.run else "an earlier run"
            note = f"the whole result of {origin} (same files, tool and config)"
            return hit.model_copy(update={"reused": note}), True
    memo = _not_run_memo(check, profile, cache, inputs, incremental)
    if memo is not None and not full:
        remembered = memo[0].load(memo[1])
        if remembered is not None:
            log(f"{check.name}: {remembered.status.value}: {remembered.reused}")
            return remembered, False
    if incremental is not None and inputs is not None:
        result = await run_incrementally(check, profile, inputs, incremental, log)
    else:
        result = await check.run(profile)
    log(_describe(result))
    if memo is not None:
        memo[0].save(memo[1], result)
    if cache is not None and key is not None:
        cache.save(key, result.model_copy(update={"reused": None}))
        if result.status is CheckStatus.CRASHED:
            result = result.model_copy(update={"notes": (*result.notes, CRASH_NOT_KEPT)})
    return result, False


def _not_run_memo(
    check: Check,
    profile: ProjectProfile,
    cache: ResultCache | None,
    inputs: list[str] | None,
    incremental: Incremental | None,
) -> tuple[NotRunMemo, str] | None:
    """Where a service check's not-run result is remembered, and its key (with the cache)."""
    if check.name not in SERVICE_CHECKS or cache is None or inputs is None or incremental is None:
        return None
    memo = NotRunMemo(cache.directory / "not-run")
    return memo, memo.key(inputs, profile.root, incremental.files)


def _describe(result: CheckResult) -> str:
    if result.reason:
        return f"{result.name}: {result.status.value}: {result.reason}"
    return (
        f"{result.name}: {result.status.value}, {len(result.findings)} finding(s) "
        f"in {result.duration:.1f} s"
    )
