"""test (qa): a test per acceptance criterion, written by the qa squad's coding agent (or a
person), that fails on the base commit and passes on the change — both really run — and
every test that passed on the base still passes. The tests' change may touch test files
only (_test_scope): the agent's is undone and asked again once, a person's is refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from devora.config import load_config
from devora.engine import StepContext
from devora.errors import StepError
from devora.squads import run_coding_agent
from devora.tools.bisect import open_checkouts, resolve_commit
from devora.tools.git import git_output, run_git
from devora.tools.testrun import TestRun, run_pytest
from devora.workflows.feature_development._documents import Prd
from devora.workflows.feature_development._implement import (
    AGENT_COMMANDS,
    Implementation,
    coding_member,
)
from devora.workflows.feature_development._project import (
    environment_python,
    feature_label,
    project_root,
    worktrees_root,
)
from devora.workflows.feature_development._test_scope import OutsideTestsError, check_test_change
from devora.workflows.feature_development._tests_run import (
    SuiteResult,
    is_python_project,
    run_suite,
    sandboxed_tests,
)

__all__ = [
    "AcceptanceReport",
    "AcceptanceTests",
    "CriterionCheck",
    "prove_feature",
    "report_markdown",
]

AGENT_ATTEMPTS = 2  # a refused change is undone and the agent asked once more


class AcceptanceTests(BaseModel):
    """A person's acceptance tests: the commit adding them, and the test ids per criterion."""

    commit: str = Field(description="a commit on top of the implementation, adding the tests")
    tests: dict[str, list[str]] = Field(description="criterion id -> pytest test ids")


class CriterionCheck(BaseModel):
    """One criterion: its tests, how they ended on the base and on the change."""

    criterion: str
    tests: list[str]
    before: dict[str, str] = Field(description="test id -> outcome on the base commit")
    after: dict[str, str] = Field(description="test id -> outcome on the change")

    @property
    def holds(self) -> bool:
        """Every test failed before and passes after (and there is at least one)."""
        return bool(self.tests) and all(
            self.before.get(t) != "passed" and self.after.get(t) == "passed" for t in self.tests
        )


class AcceptanceReport(BaseModel):
    """FAIL_TO_PASS per criterion and PASS_TO_PASS over the whole suite."""

    base: str
    head: str
    criteria: list[CriterionCheck]
    baseline: SuiteResult
    after: SuiteResult
    broken: list[str] = Field(description="tests that passed on the base and do not now")

    @property
    def accepted(self) -> bool:
        """Every criterion holds and nothing that passed before broke."""
        return all(c.holds for c in self.criteria) and not self.broken


def _test_task(prd: Prd, refused: OutsideTestsError | None = None) -> str:
    lines = [
        f"Write the acceptance tests of the feature {prd.title!r}, already implemented here: "
        "one pytest test per acceptance criterion (more when a criterion needs them), in "
        "new files under tests/. Name each test function after its criterion's id: "
        "test_<id in lower case>_<what it checks>, e.g. test_ac1_... Change only test files: "
        "a change to any other file (the code under test, the project's configuration) is "
        "refused. Run the tests; they must pass.",
        "",
    ]
    for c in prd.acceptance_criteria:
        lines.append(f"- {c.id} ({c.test_prefix()}_...): Given {c.given}; When {c.when}; "
                     f"Then {c.then}")  # fmt: skip
    if refused is not None:
        lines += ["", f"Your previous attempt was refused and undone: {refused.message}. "
                  f"{refused.hint}. Write the tests again, changing only test files."]  # fmt: skip
    return "\n".join(lines)


async def _agent_tests(ctx: StepContext[Any], prd: Prd, done: Implementation) -> list[str]:
    """The qa agent writes the tests on the run's branch; the new test files it made."""
    top = project_root(ctx)
    config = load_config(top)
    member = coding_member(config, "qa")
    assert member is not None
    worktree = Path(done.worktree)
    refused: OutsideTestsError | None = None
    for attempt in range(1, AGENT_ATTEMPTS + 1):
        await run_coding_agent(ctx, config, member, top, _test_task(prd, refused),
                               allowed_commands=AGENT_COMMANDS, run_id=feature_label(ctx),
                               worktrees_root=worktrees_root(ctx))  # fmt: skip
        try:
            changed = await check_test_change(top, worktree, done.head, "the qa agent")
        except OutsideTestsError as error:
            ctx.log(f"attempt {attempt} of the acceptance tests refused: {error.message}")
            refused = error
            await run_git(worktree, ["reset", "--hard", "--quiet", done.head], time_limit=120)
            await run_git(worktree, ["clean", "-fdq"], time_limit=120)
            continue
        return [name for name in changed if name.endswith(".py") and (worktree / name).is_file()]
    assert refused is not None
    raise refused


async def _human_tests(ctx: StepContext[Any], prd: Prd, done: Implementation) -> AcceptanceTests:
    """A person commits the tests on top of the change and maps them to the criteria."""
    answer = ctx.wait_for_input(
        f"{_test_task(prd)}\n\nNo model is configured for the qa squad, so this is a task for "
        f"a person: commit the tests on top of {done.head[:12]} (branch {done.branch}), then "
        '`devora complete RUN test --output answer.json` with {"commit": "...", "tests": '
        '{"AC1": ["tests/test_x.py::test_ac1_..."]}}.',
        AcceptanceTests,
        squad="qa",
    )
    worktree = Path(done.worktree)
    commit = await resolve_commit(worktree, answer.commit, "commit")
    ancestor = await run_git(worktree, ["merge-base", "--is-ancestor", done.head, commit],
                             check=False)  # fmt: skip
    if ancestor.returncode != 0:
        raise StepError(
            f"commit {commit[:12]} does not build on the change {done.head[:12]}",
            hint=f"commit the tests on {done.branch} and complete the step again",
        )
    await run_git(worktree, ["reset", "--hard", "--quiet", commit], time_limit=120)
    await check_test_change(project_root(ctx), worktree, done.head, "a person")
    return answer


def _grouped(prd: Prd, ids: list[str]) -> dict[str, list[str]]:
    """Test ids by the criterion their function's name starts with (test_ac1_...)."""
    grouped: dict[str, list[str]] = {}
    for criterion in prd.acceptance_criteria:
        prefix = criterion.test_prefix()
        grouped[criterion.id] = [
            test for test in ids
            if (name := test.rsplit("::", 1)[-1].split("[", 1)[0]) == prefix
            or name.startswith(prefix + "_")
        ]  # fmt: skip
    return grouped


def _outcomes(run: TestRun, tests: list[str]) -> dict[str, str]:
    found = {}
    for test in tests:
        outcome = run.outcome(test)
        found[test] = outcome.value if outcome is not None else "not collected"
    return found


async def prove_feature(ctx: StepContext[Any]) -> AcceptanceReport:
    """Write the acceptance tests, then run them on the base and on the change, and the
    whole suite on both; test-report.md and test-report.json are the evidence."""
    prd: Prd = ctx.result("analyze")
    done: Implementation = ctx.result("implement")
    top = project_root(ctx)
    worktree = Path(done.worktree)
    if not is_python_project(top):
        raise StepError(
            "the acceptance tests of a project that is not Python are not run: only pytest "
            "tests can be run on the base and on the change",
            hint=f"the change is on {done.branch}, tested with npm test by the implement step",
        )
    python = await environment_python(ctx)
    sandbox = load_config(top).agents.sandbox == "on"
    if coding_member(load_config(top), "qa") is not None:
        files = await _agent_tests(ctx, prd, done)
        given: dict[str, list[str]] | None = None
    else:
        answer = await _human_tests(ctx, prd, done)
        given = answer.tests
        files = sorted({t.split("::", 1)[0] for ids in given.values() for t in ids})
    if not files:
        raise StepError(
            "no acceptance test was written",
            hint="each acceptance criterion needs a test that fails before the change",
        )
    head = (await git_output(worktree, ["rev-parse", "HEAD"])).strip()
    async with sandboxed_tests(sandbox, worktree, top, python):
        new = await run_pytest(worktree, python, files)
        after = await run_suite(worktree, python)
    mapping = given if given is not None else _grouped(prd, sorted(new.cases))
    overlay = {name: (worktree / name).read_text(encoding="utf-8") for name in files}
    baseline = done.baseline
    async with (
        open_checkouts(top, 1, done.base) as (checkout,),
        sandboxed_tests(sandbox, checkout, top, python),
    ):
        for name, text in overlay.items():
            (checkout / name).parent.mkdir(parents=True, exist_ok=True)
            (checkout / name).write_text(text, encoding="utf-8")
        old = await run_pytest(checkout, python, files)
    criteria = [
        CriterionCheck(criterion=c.id, tests=mapping.get(c.id, []),
                       before=_outcomes(old, mapping.get(c.id, [])),
                       after=_outcomes(new, mapping.get(c.id, [])))
        for c in prd.acceptance_criteria
    ]  # fmt: skip
    broken = sorted(set(baseline.passed) - set(after.passed))
    report = AcceptanceReport(base=done.base, head=head, criteria=criteria, baseline=baseline,
                              after=after, broken=broken)  # fmt: skip
    ctx.add_artifact("test-report.md", report_markdown(report), media_type="text/markdown")
    ctx.add_artifact("test-report.json", json.dumps(report.model_dump(mode="json"), indent=2),
                     media_type="application/json")  # fmt: skip
    held = sum(c.holds for c in criteria)
    ctx.log(f"acceptance: {held}/{len(criteria)} criteria fail before and pass after; "
            f"{len(broken)} previously passing test(s) broken")  # fmt: skip
    if not report.accepted:
        raise StepError(f"the feature is not proven: {_why(report)}", hint="see test-report.md")
    return report


def _why(report: AcceptanceReport) -> str:
    reasons = []
    for c in report.criteria:
        if not c.tests:
            reasons.append(f"{c.criterion} has no test")
        elif not c.holds:
            reasons.append(f"{c.criterion}: before {c.before}, after {c.after}")
    if report.broken:
        reasons.append(f"broken: {', '.join(report.broken[:10])}")
    return "; ".join(reasons)


def report_markdown(report: AcceptanceReport) -> str:
    """The test report: one row per criterion, then the whole suite before and after."""
    lines = [
        "# Test report", "",
        f"Base {report.base[:12]}, change {report.head[:12]}.", "",
        "| criterion | test | on the base | on the change | holds |",
        "| --- | --- | --- | --- | --- |",
    ]  # fmt: skip
    for c in report.criteria:
        if not c.tests:
            lines.append(f"| {c.criterion} | (none) | - | - | no |")
        for test in c.tests:
            holds = "yes" if c.before[test] != "passed" and c.after[test] == "passed" else "no"
            lines.append(
                f"| {c.criterion} | `{test}` | {c.before[test]} | {c.after[test]} | {holds} |"
            )
    lines += [
        "",
        f"- whole suite on the base: {report.baseline.describe()}",
        f"- whole suite on the change: {report.after.describe()}",
        f"- previously passing tests broken: {', '.join(report.broken) or 'none'}",
        f"- verdict: {'proven' if report.accepted else 'not proven'}",
    ]
    return "\n".join(lines) + "\n"
