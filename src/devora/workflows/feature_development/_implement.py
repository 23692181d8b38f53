"""implement: the plan's tasks one at a time by the owning squad's coding agent, in one
worktree on devora/feature-<run-id>; each task ends with the project's tests run. Without a
model, a person makes the change and gives its commit."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, Field

from devora.config import DevoraConfig, load_config
from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.squads import Agent, Backend, effective_squads, find_agent, run_coding_agent
from devora.tools.bisect import open_checkouts, resolve_commit
from devora.tools.git import open_worktree, run_git
from devora.workflows.feature_development._config import load_feature_config
from devora.workflows.feature_development._documents import Design, FeaturePlan, PlanTask, Prd
from devora.workflows.feature_development._project import (
    environment_python,
    feature_label,
    project_root,
    worktrees_root,
)
from devora.workflows.feature_development._tests_run import (
    SuiteResult,
    SuiteVerdict,
    run_suite,
    sandboxed_tests,
)

__all__ = [
    "AGENT_COMMANDS",
    "HumanChange",
    "Implementation",
    "TaskResult",
    "coding_member",
    "discard_branch",
    "implement",
    "plan_implement",
    "undo_implement",
]

AGENT_COMMANDS = (("pytest",), ("python", "-m", "pytest"))


class HumanChange(BaseModel):
    """A change a person made: the commit holding it (based on the run's base commit)."""

    commit: str = Field(description="the commit with the change, on a branch of your own")
    summary: str = Field(default="", description="what was changed")


class TaskResult(BaseModel):
    """One task done: by whom, the commit it ended on, and the tests after it."""

    task: str
    squad: str
    by: Literal["agent", "person"]
    commit: str
    summary: str
    tests: SuiteResult
    broken: list[str] = Field(default_factory=list, description="passed on the base, not now")


class Implementation(BaseModel):
    """The change on the run's branch, and its worktree."""

    branch: str
    worktree: str
    base: str
    head: str
    files: list[str]
    tasks: list[TaskResult]
    baseline: SuiteResult = Field(description="the whole suite on the base commit")


def coding_member(config: DevoraConfig, squad: str) -> Agent | None:
    """`squad`'s LLM member, None when it has no model configured."""
    member = find_agent(effective_squads(config), squad)
    return member if member.backend is Backend.LLM and member.model is not None else None


def _task_prompt(ctx: StepContext[Any], task: PlanTask) -> str:
    prd: Prd = ctx.result("analyze")
    design: Design = ctx.result("design")
    return (
        f"Implement task {task.id} of the feature {prd.title!r}: {task.title}.\n"
        f"{task.description}\nFiles likely touched: {', '.join(task.files) or 'see the design'}."
        "\nDo not write the acceptance tests (the qa squad does); keep every existing test "
        "passing and run them before you finish.\n\n"
        f"PRD:\n{prd.model_dump_json()}\n\nDesign:\n{design.model_dump_json()}"
    )


async def implement(ctx: StepContext[Any]) -> Implementation:
    """Every task of the plan on devora/feature-<run-id>, each followed by the project's tests."""
    top = project_root(ctx)
    config = load_config(top)
    worktree = await open_worktree(top, feature_label(ctx), root=worktrees_root(ctx))
    python = await environment_python(ctx)
    sandbox = config.agents.sandbox == "on"
    baseline = await run_baseline(ctx, worktree.base_commit, python, sandbox)
    ctx.log(f"the suite on the base {worktree.base_commit[:12]}: {baseline.describe()}")
    try:
        results = await _do_tasks(ctx, config, worktree.path, worktree.base_commit, python,
                                  baseline)  # fmt: skip
    except StepError:
        await discard_branch(ctx)  # a failed change leaves no branch behind
        raise
    return Implementation(
        branch=worktree.branch,
        worktree=str(worktree.path),
        base=worktree.base_commit,
        head=await worktree.head(),
        files=await worktree.changed_files(),
        tasks=results,
        baseline=baseline,
    )


async def run_baseline(
    ctx: StepContext[Any], base: str, python: Path, sandbox: bool
) -> SuiteResult:
    """The whole suite on the base commit, in a throwaway checkout (as the change's runs)."""
    top = project_root(ctx)
    async with (
        open_checkouts(top, 1, base) as (checkout,),
        sandboxed_tests(sandbox, checkout, top, python),
    ):
        return await run_suite(checkout, python)


async def _do_tasks(
    ctx: StepContext[Any],
    config: DevoraConfig,
    path: Path,
    base: str,
    python: Path,
    baseline: SuiteResult,
) -> list[TaskResult]:
    top = project_root(ctx)
    sandbox = config.agents.sandbox == "on"
    results: list[TaskResult] = []
    if coding_member(config, "backend") is None:
        results.append(await _human_change(ctx, path, base, python, baseline))
    else:
        made: FeaturePlan = ctx.result("plan")
        for task in made.ordered():
            member = coding_member(config, task.squad) or coding_member(config, "backend")
            assert member is not None
            done = await run_coding_agent(
                ctx, config, member, top, _task_prompt(ctx, task),
                allowed_commands=AGENT_COMMANDS, run_id=feature_label(ctx),
                worktrees_root=worktrees_root(ctx),
            )  # fmt: skip
            async with sandboxed_tests(sandbox, path, top, python):
                tests = await run_suite(path, python)
            broken = _broken(baseline, tests)
            results.append(TaskResult(task=task.id, squad=task.squad, by="agent",
                                      commit=done.head_commit, summary=done.summary,
                                      tests=tests, broken=broken))  # fmt: skip
            ctx.log(f"task {task.id} ({task.squad}): {tests.describe()}")
            _require_green(task.id, tests, broken)
    return results


async def _human_change(
    ctx: StepContext[Any], path: Path, base: str, python: Path, baseline: SuiteResult
) -> TaskResult:
    made: FeaturePlan = ctx.result("plan")
    tasks = "\n".join(f"- {t.id} ({t.squad}): {t.title}" for t in made.ordered())
    answer = ctx.wait_for_input(
        "Implement the feature (PRD.md, plan.md and design.md are in the run's artifacts) on "
        f"a branch of your own started at {base[:12]} "
        f"(`git worktree add -b my-feature ../my-feature {base[:12]}`), commit it, and give "
        f"the commit. The tasks:\n{tasks}\n\nNo model is configured for the backend squad, so "
        "this is a task for a person: `devora complete RUN implement --output answer.json` "
        'with {"commit": "...", "summary": "..."}.',
        HumanChange,
        squad="backend",
    )
    commit = await resolve_commit(path, answer.commit, "commit")
    ancestor = await run_git(path, ["merge-base", "--is-ancestor", base, commit], check=False)
    if ancestor.returncode != 0:
        raise StepError(
            f"commit {commit[:12]} does not descend from the run's base {base[:12]}",
            hint=f"start your branch at {base[:12]} and complete the step again",
        )
    await run_git(path, ["reset", "--hard", "--quiet", commit], time_limit=120)
    tests = await run_suite(path, python)
    ctx.log(f"a person's change {commit[:12]}: {tests.describe()}")
    broken = _broken(baseline, tests)
    _require_green("the change", tests, broken)
    return TaskResult(task="all", squad="backend", by="person", commit=commit,
                      summary=answer.summary or f"a person's change ({commit[:12]})",
                      tests=tests, broken=broken)  # fmt: skip


def _broken(baseline: SuiteResult, now: SuiteResult) -> list[str]:
    """Tests that passed on the base and do not pass now (gone ones included)."""
    return sorted(set(baseline.passed) - set(now.passed))


def _require_green(what: str, tests: SuiteResult, broken: list[str]) -> None:
    if broken:
        raise StepError(
            f"after {what}, {len(broken)} test(s) that passed on the base fail: "
            + ", ".join(broken[:10]),
            hint="every test that passed before must still pass; see the step's log",
        )
    if tests.verdict is SuiteVerdict.CRASHED:
        raise StepError(f"after {what}, the tests crashed: {tests.reason}",
                        hint="see the step's log for pytest's output")  # fmt: skip


async def plan_implement(ctx: StepContext[Any]) -> Plan:
    """The branch and who would write the code (nothing is made in a dry-run)."""
    config = load_config(project_root(ctx))
    member = coding_member(config, "backend")
    who = (f"the coding agent ({member.model}), task by task" if member is not None
           else "a person (no model configured for the backend squad)")  # fmt: skip
    branch = f"devora/{feature_label(ctx)}"
    changes = [f"branch {branch} with the plan's tasks by {who}, each followed by the tests"]
    deploy = load_feature_config(project_root(ctx)).deploy.get(ctx.inputs.environment)
    changes.append(
        f"after the approvals, deploy to {ctx.inputs.environment}: {' '.join(deploy)}"
        if deploy
        else f"no deploy: no command configured for {ctx.inputs.environment}"
    )
    return Plan(summary=f"would implement the feature on {branch} by {who}", changes=changes)


async def undo_implement(ctx: StepContext[Any]) -> None:
    """Compensation: the run's worktree and branch go (the run failed after it)."""
    await discard_branch(ctx)


async def discard_branch(ctx: StepContext[Any]) -> None:
    """Remove the run's worktree and its branch devora/feature-<run-id>."""
    top = project_root(ctx)
    label = feature_label(ctx)
    path = worktrees_root(ctx) / f"{top.name}-{label}"
    await run_git(top, ["worktree", "remove", "--force", str(path)], check=False)
    await run_git(top, ["worktree", "prune"], check=False)
    branch = f"devora/{label}"
    await run_git(top, ["branch", "-D", branch], check=False)
    await run_git(top, ["config", "--remove-section", f"branch.{branch}"], check=False)
    ctx.log(f"removed {branch} and its worktree")
