"""--fix: the tools' own safe fixes, the diff of what they changed, and the re-checks."""

from __future__ import annotations

import difflib
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

from devora.tools import Level
from devora.tools.checks import (
    CheckResult,
    CheckStatus,
    FixResult,
    ProjectProfile,
    fix_eslint,
    fix_prettier,
    fix_ruff_check,
    fix_ruff_format,
)
from devora.workflows.quality_gate._cache import ResultCache
from devora.workflows.quality_gate._categories import Category, checks_named
from devora.workflows.quality_gate._models import CategoryRun, Detection, FixReport
from devora.workflows.quality_gate._running import run_checks

__all__ = [
    "FIXERS",
    "fix_project",
    "fixable_checks",
    "fixable_files",
    "got_worse",
    "render_diff",
    "run_fixers",
]

Fixer = Callable[[ProjectProfile], Awaitable[FixResult]]

# In the order they run: lint fixes first, then the formatter formats their result.
FIXERS: dict[str, tuple[str, Fixer]] = {
    "ruff-check": ("ruff check --fix", fix_ruff_check),
    "eslint": ("eslint --fix", fix_eslint),
    "ruff-format": ("ruff format", fix_ruff_format),
    "prettier": ("prettier --write", fix_prettier),
}


def fixable_checks(results: Sequence[CheckResult]) -> list[str]:
    """The checks with at least one finding their tool can fix, in the fixers' order."""
    with_fixes = {r.name for r in results if any(f.fixable for f in r.findings)}
    return [name for name in FIXERS if name in with_fixes]


def fixable_files(results: Sequence[CheckResult]) -> list[str]:
    """The files holding a fixable finding."""
    return sorted({f.file for r in results for f in r.findings if f.fixable and f.file})


async def run_fixers(
    profile: ProjectProfile,
    names: Sequence[str],
    files: Sequence[str],
    log: Callable[[str], None],
) -> tuple[tuple[FixResult, ...], str]:
    """Apply the named checks' fixers one after another; the fixes and their unified diff.

    `files` are those the fixers may change (those with fixable findings): their text before
    is what the diff starts from.
    """
    before = _snapshot(profile.root, files)
    fixes: list[FixResult] = []
    for name in names:
        label, fixer = FIXERS[name]
        fix = await fixer(profile)
        log(f"{label}: changed {len(fix.changed_files)} file(s)")
        fixes.append(fix)
    changed = sorted({name for fix in fixes for name in fix.changed_files})
    return tuple(fixes), render_diff(profile.root, before, changed)


async def fix_project(
    detection: Detection,
    runs: Sequence[CategoryRun],
    cache: ResultCache | None,
    tree: Callable[[], Awaitable[str]],
    log: Callable[[str], None],
) -> FixReport:
    """Run the fixers for what the lint checks found fixable, then verify the fixes.

    Every check runs again (type check and tests included: a lint fix can break either).
    The fixes are kept only when no check got worse; otherwise the changed files get their
    earlier text back, the earlier results stand, and the report says which check got worse.
    """
    lint = [result for run in runs if run.category is Category.LINT for result in run.results]
    names = fixable_checks(lint)
    files = fixable_files(lint)
    earlier = _snapshot(detection.profile.root, files)
    fixes, diff = await run_fixers(detection.profile, names, files, log)
    changed = sorted({name for fix in fixes for name in fix.changed_files})
    if not changed:
        return FixReport(fixes=fixes, changed_files=(), diff="")
    before = [result for run in runs for result in run.results]
    checks = checks_named(
        [r.name for r in before], detection.config.budgets, detection.config.timeouts
    )
    rerun, _ = await run_checks(
        checks, detection.profile, detection.config, cache, await tree(), log
    )
    after = {result.name: result for result in rerun}
    worse = [why for r in before if (why := got_worse(r, after.get(r.name))) is not None]
    if worse:
        lost = _restore(detection.profile.root, earlier, changed)
        log(f"--fix discarded: {'; '.join(worse)}")
        return FixReport(
            fixes=fixes,
            changed_files=tuple(lost),
            diff=diff,
            discarded=tuple(worse),
        )
    fixed = sum(len(r.findings) for r in before) - sum(len(r.findings) for r in rerun)
    return FixReport(
        fixes=fixes, changed_files=tuple(changed), diff=diff, rerun=rerun, fixed_findings=fixed
    )


def got_worse(before: CheckResult, after: CheckResult | None) -> str | None:
    """Why a check's result after the fixes is worse than before, or None when it is not.

    Worse: it no longer runs (crashed, not run), or it reports more errors (failing tests,
    type errors); warnings, such as a file ruff format would now reformat, are not.
    """
    if after is None:
        return f"{before.name} did not run again"
    ran = (CheckStatus.PASSED, CheckStatus.FAILED)
    if before.status in ran and after.status not in ran:
        return f"{before.name} {after.status.value.replace('_', ' ')}: {after.reason}"
    errors_before, errors_after = before.count(Level.ERROR), after.count(Level.ERROR)
    if after.status in ran and errors_after > errors_before:
        return f"{before.name} errors {errors_before} -> {errors_after}"
    return None


def _restore(root: Path, earlier: dict[str, str | None], changed: Sequence[str]) -> list[str]:
    # The files whose earlier text was not read cannot go back: they are named, not hidden.
    lost = []
    for name in changed:
        text = earlier.get(name)
        if text is None:
            lost.append(name)
        else:
            (root / name).write_text(text, encoding="utf-8")
    return lost


def render_diff(root: Path, before: dict[str, str | None], changed: Sequence[str]) -> str:
    """A unified diff of the changed files from their earlier text to their text now."""
    chunks: list[str] = []
    for name in changed:
        old = before.get(name)
        new = _read(root / name)
        if old is None or new is None:
            chunks.append(f"--- a/{name}\n+++ b/{name}\n(changed; not text, or not read before)\n")
            continue
        chunks.append(
            "".join(
                difflib.unified_diff(
                    old.splitlines(keepends=True),
                    new.splitlines(keepends=True),
                    fromfile=f"a/{name}",
                    tofile=f"b/{name}",
                )
            )
        )
    return "".join(chunk if chunk.endswith("\n") else chunk + "\n" for chunk in chunks)


def _snapshot(root: Path, names: Sequence[str]) -> dict[str, str | None]:
    return {name: _read(root / name) for name in names}


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
