"""reproduce (qa): the reproducer repeated at HEAD, in a worktree of its own; the tests that
pass there (the PASS_TO_PASS baseline). With --issue, a reproducer test is written first:
by the coding agent when a model is configured, else by a person."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field

from devora.engine import StepContext
from devora.errors import DevoraError, StepError
from devora.tools.bisect import resolve_commit
from devora.tools.git import git_output, open_worktree
from devora.tools.testrun import Reproducer, Reproduction, Verdict
from devora.workflows.bug_resolution._candidates import discard
from devora.workflows.bug_resolution._errors import NotReproducedError
from devora.workflows.bug_resolution._inputs import BugInputs
from devora.workflows.bug_resolution._judge import passing_tests
from devora.workflows.bug_resolution._llm import coding_member, run_agent, worktrees_root
from devora.workflows.bug_resolution._project import (
    environment_python,
    open_checkout,
    reproducer_files,
    run_in,
)
from devora.workflows.bug_resolution._records import ReproducerRunRecord, ReproductionReport
from devora.workflows.bug_resolution._report import write_report

__all__ = ["WrittenReproducer", "reproduce_bug"]


class WrittenReproducer(BaseModel):
    """A reproducer test a person wrote for an issue: its commit and test id(s)."""

    commit: str = Field(description="the commit holding the new failing test")
    test: list[str] = Field(description="its pytest id(s), e.g. tests/test_bug.py::test_it")


async def reproduce_bug(ctx: StepContext[BugInputs]) -> ReproductionReport:
    """Run the reproducer `repeat` times at HEAD: reproduced, flaky, or not reproduced."""
    inputs = ctx.inputs
    top = Path((await git_output(Path(inputs.path), ["rev-parse", "--show-toplevel"])).strip())
    head = await resolve_commit(top, "HEAD", "HEAD")
    reproducer, base = inputs.reproducer(), head
    if reproducer is None:
        reproducer, base = await _written_reproducer(ctx, top, head)
    cache = ctx.home / "cache" / "environments"
    python = await environment_python(top, cache, ctx.log, required=bool(reproducer.test_ids))
    async with open_checkout(top, base) as root:
        runs = [await run_in(root, reproducer, python) for _ in range(inputs.repeat)]
        baseline, note = await _baseline(root, python)
    records = [
        ReproducerRunRecord(
            verdict=r.verdict, exit_code=r.exit_code, output_tail=r.output_tail, duration=r.duration
        )
        for r in runs
    ]
    passed = sum(r.verdict is Verdict.PASSED for r in runs)
    failed = sum(r.verdict is Verdict.FAILED for r in runs)
    if passed + failed == 0:
        raise StepError(
            f"`{reproducer.describe()}` could not test HEAD: {runs[-1].output_tail}",
            hint="a reproducer must pass or fail; exit 125 (or tests that are not there) means "
            "it cannot test this checkout",
        )
    status = (
        Reproduction.REPRODUCED
        if passed == 0
        else Reproduction.NOT_REPRODUCED
        if failed == 0
        else Reproduction.FLAKY
    )
    ctx.log(f"{reproducer.describe()}: {status} ({failed} failed, {passed} passed)")
    report = ReproductionReport(
        repository=str(top),
        head=head,
        base=base,
        reproducer=reproducer,
        overlay=await reproducer_files(top, base, reproducer) if reproducer.test_ids else {},
        python=str(python) if python else None,
        status=status,
        passed=passed,
        failed=failed,
        runs=records,
        baseline_passed=baseline,
        baseline_note=note,
    )
    if status is Reproduction.NOT_REPRODUCED:
        write_report(ctx, reproduction=report)
        last = runs[-1]
        raise NotReproducedError(reproducer.describe(), len(runs), last.exit_code, last.output_tail)
    return report


async def _baseline(root: Path, python: Path | None) -> tuple[list[str] | None, str]:
    if python is None:
        return None, "no Python environment: PASS_TO_PASS cannot be checked"
    try:
        return await passing_tests(root, python), ""
    except DevoraError as error:
        return None, f"the project's tests did not run at HEAD ({error.message.splitlines()[0]})"


async def _written_reproducer(
    ctx: StepContext[BugInputs], top: Path, head: str
) -> tuple[Reproducer, str]:
    """A failing test for the issue: the agent's (on its own branch) or a person's commit."""
    issue = _read_issue(str(ctx.inputs.issue))
    config, member = coding_member(top, "qa")
    if member is None:
        answer = ctx.wait_for_input(
            "Write a pytest test that fails because of this issue, commit it (on any branch "
            f"based on {head[:12]}), and give its commit and test id.\n\n{issue}",
            WrittenReproducer,
            squad="qa",
        )
        return Reproducer(test_ids=tuple(answer.test)), await resolve_commit(top, answer.commit)
    label = f"fix-{ctx.run_id}-reproducer"
    await open_worktree(top, label, root=worktrees_root(ctx), base=head)
    task = (
        "Write ONE new pytest test file under tests/ that reproduces the issue below: it must "
        "FAIL on the current code because of the bug, and pass once the bug is fixed. Do not "
        f"change any other file.\n\nIssue:\n{issue}"
    )
    result = await run_agent(ctx, config, member, top, task, label)
    tests = [f for f in result.files_changed if Path(f).name.startswith("test_")]
    if not tests:
        raise StepError(
            "the coding agent wrote no test file for the issue",
            hint="give the reproducer yourself with --test ID or --command",
        )
    ctx.log(f"the coding agent wrote {', '.join(tests)} in {result.head_commit[:12]}")
    # Its commit is the base every candidate starts from (and the kept fix holds it): the
    # agent's branch and worktree are not left behind.
    await discard(top, result.branch, result.worktree)
    return Reproducer(test_ids=tuple(tests)), result.head_commit


def _read_issue(path: str) -> str:
    return Path(path).read_text(encoding="utf-8", errors="replace")
