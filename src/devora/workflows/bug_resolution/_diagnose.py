"""diagnose (qa), two independent results: the culprit commit (bisection in detached
worktrees) and the suspicious functions (spectrum-based fault localization)."""

from __future__ import annotations

from pathlib import Path

from devora.engine import StepContext
from devora.errors import DevoraError
from devora.tools.bisect import BisectReport, bisect_history
from devora.tools.faultloc import localize_faults
from devora.tools.testrun import Reproduction
from devora.workflows.bug_resolution._inputs import BugInputs
from devora.workflows.bug_resolution._project import make_probe, open_checkout
from devora.workflows.bug_resolution._records import LocalizationReport, ReproductionReport

__all__ = ["TOP_SUSPECTS", "find_culprit", "localize"]

TOP_SUSPECTS = 10


async def find_culprit(ctx: StepContext[BugInputs]) -> BisectReport:
    """The first bad commit between --good (or one found by walking back) and HEAD."""
    reproduction: ReproductionReport = ctx.result("reproduce")
    python = Path(reproduction.python) if reproduction.python else None
    # A flaky bug is judged bad at a commit when any of a few runs fails there.
    repeat = ctx.inputs.repeat if reproduction.status is Reproduction.FLAKY else 1
    probe = make_probe(reproduction.reproducer, python, reproduction.overlay, repeat=repeat)
    report = await bisect_history(
        Path(reproduction.repository), probe, good=ctx.inputs.good, bad=reproduction.head
    )
    if report.culprit is not None:
        ctx.log(
            f"culprit {report.culprit.hash[:12]} {report.culprit.subject!r} "
            f"({report.test_runs} test runs, {report.rounds} rounds)"
        )
    elif report.always_bad:
        ctx.log(f"the bug was always there ({report.test_runs} test runs)")
    else:
        ctx.log(f"one of {len(report.candidates)} untestable commits: {report.candidates}")
    return report


async def localize(ctx: StepContext[BugInputs]) -> LocalizationReport:
    """The top suspicious functions, from per-test coverage and the failures' tracebacks."""
    reproduction: ReproductionReport = ctx.result("reproduce")
    if reproduction.python is None:
        return LocalizationReport(note="no Python environment: localization needs pytest")
    async with open_checkout(Path(reproduction.repository), reproduction.base) as root:
        try:
            found = await localize_faults(root, Path(reproduction.python), top=TOP_SUSPECTS)
        except DevoraError as error:
            ctx.log(f"localization not run: {error}")
            return LocalizationReport(note=f"not run: {error.message}. Hint: {error.hint}")
    for suspect in found.suspects[:3]:
        ctx.log(f"suspect {suspect.file}:{suspect.line} {suspect.function} ({suspect.score})")
    note = "" if found.failing_tests else "no test failed under coverage: nothing to rank"
    return LocalizationReport(suspects=found.suspects, failing_tests=found.failing_tests, note=note)
