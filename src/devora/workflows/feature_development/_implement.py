"""implement: the plan's tasks by the owning squad's coding agent, each followed by the
project's tests. Backend and frontend tasks that do not wait for each other run in parallel
on branches of their own, merged at the end into devora/feature-<run-id> (a conflict is a
task for a person); otherwise one task at a time on that branch. Every finished task is
journaled, so a resumed step re-runs only the unfinished ones. Without a model, a person
makes the change and gives its commit."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from devora.config import DevoraConfig, load_config
from devora.engine import Plan, StepContext, fault_point_in_step
from devora.errors import DevoraError, StepError
from devora.squads import Agent, Backend, effective_squads, find_agent, run_coding_agent
from devora.tools.bisect import open_checkouts, resolve_commit
from devora.tools.git import open_worktree, run_git
from devora.workflows.feature_development._config import load_feature_config
from devora.workflows.feature_development._documents import Design, FeaturePlan, PlanTask, Prd
from devora.workflows.feature_development._lanes import (
    Lane,
    MergeOutcome,
    MergeResolution,
    merge_lanes,
    split_lanes,
)
from devora.workflows.feature_development._project import (
    feature_label,
    project_python,
    project_root,
    worktrees_root,
)
from devora.workflows.feature_development._task_records import (
    ImplementRecords,
    TaskResult,
    read_records,
    record_baseline,
    record_task,
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
    "remove_lanes",
    "undo_implement",
]

AGENT_COMMANDS = (("pytest",), ("python", "-m", "pytest"), ("npm", "test"))


class HumanChange(BaseModel):
    """A change a person made: the commit holding it (based on the run's base commit)."""

    commit: str = Field(description="the commit with the change, on a branch of your own")
    summary: str = Field(default="", description="what was changed")


class Implementation(BaseModel):
    """The change on the run's branch, and its worktree."""

    branch: str
    worktree: str
    base: str
    head: str
    files: list[str]
    tasks: list[TaskResult]
    baseline: SuiteResult = Field(description="the whole suite on the base commit")
    lanes: list[str] = Field(default_factory=list, description="branches merged into `branch`")
    merged: SuiteResult | None = Field(default=None, description="the suite after the merge")


@dataclass(frozen=True)
class _Setting:
    """What every task of one implement attempt shares."""

    ctx: StepContext[Any]
    config: DevoraConfig
    base: str
    python: Path | None
    baseline: SuiteResult
    records: ImplementRecords

    @property
    def sandbox(self) -> bool:
        return self.config.agents.sandbox == "on"


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
    python = await project_python(ctx)
    records = await read_records(ctx)
    base = worktree.base_commit
    baseline = records.baselines.get(base)
    if baseline is None:
        baseline = await run_baseline(ctx, base, python, config.agents.sandbox == "on")
        await record_baseline(ctx, base, baseline)
    else:
        ctx.log(f"the suite on the base {base[:12]}: {baseline.describe()} (recorded before)")
    setting = _Setting(ctx, config, base, python, baseline, records)
    lanes: list[Lane] = []
    merged: SuiteResult | None = None
    try:
        if coding_member(config, "backend") is None:
            results = [await _human_change(ctx, worktree.path, base, python, baseline)]
        else:
            lanes = split_lanes(ctx.result("plan"), feature_label(ctx))
            if len(lanes) == 1:
                results = await _do_lane(setting, lanes[0], worktree.path)
            else:
                results, merged = await _parallel_lanes(setting, lanes, worktree.path)
    except StepError:
        await discard_branch(ctx)  # a failed change leaves no branch behind
        raise
    return Implementation(
        branch=worktree.branch,
        worktree=str(worktree.path),
        base=base,
        head=await worktree.head(),
        files=await worktree.changed_files(),
        tasks=results,
        baseline=baseline,
        lanes=[lane.branch for lane in lanes if len(lanes) > 1],
        merged=merged,
    )


async def run_baseline(
    ctx: StepContext[Any], base: str, python: Path | None, sandbox: bool
) -> SuiteResult:
    """The whole suite on the base commit, in a throwaway checkout (as the change's runs)."""
    top = project_root(ctx)
    async with (
        open_checkouts(top, 1, base) as (checkout,),
        sandboxed_tests(sandbox, checkout, top, python),
    ):
        return await run_suite(checkout, python)


async def _tests_at(setting: _Setting, path: Path) -> SuiteResult:
    top = project_root(setting.ctx)
    async with sandboxed_tests(setting.sandbox, path, top, setting.python):
        return await run_suite(path, setting.python)


async def _on_branch(path: Path, commit: str) -> bool:
    found = await run_git(path, ["merge-base", "--is-ancestor", commit, "HEAD"], check=False)
    return found.returncode == 0


async def _do_lane(setting: _Setting, lane: Lane, path: Path) -> list[TaskResult]:
    """The lane's tasks in order at `path`; those recorded by an earlier attempt (and still
    on the branch) are not run again, and what an interrupted one left is thrown away."""
    ctx = setting.ctx
    results: list[TaskResult] = []
    start = setting.base
    for task in lane.tasks:
        record = setting.records.tasks.get(task.id)
        if record is None or record.lane != lane.label or not await _on_branch(path, record.commit):
            break
        ctx.log(f"task {task.id} ({task.squad}): done before at {record.commit[:12]}, kept")
        results.append(record)
        start = record.commit
    await run_git(path, ["reset", "--hard", "--quiet", start], time_limit=120)
    await run_git(path, ["clean", "-fdq"], time_limit=120)
    for task in lane.tasks[len(results) :]:
        fault_point_in_step(f"{ctx.step_id}.{task.id}", ctx.attempt)
        member = coding_member(setting.config, task.squad) or coding_member(
            setting.config, "backend"
        )
        assert member is not None
        done = await run_coding_agent(
            ctx, setting.config, member, project_root(ctx), _task_prompt(ctx, task),
            allowed_commands=AGENT_COMMANDS, run_id=lane.label,
            worktrees_root=worktrees_root(ctx),
        )  # fmt: skip
        tests = await _tests_at(setting, path)
        broken = _broken(setting.baseline, tests)
        result = TaskResult(task=task.id, squad=task.squad, by="agent", commit=done.head_commit,
                            summary=done.summary, tests=tests, broken=broken,
                            lane=lane.label)  # fmt: skip
        if broken or tests.verdict is SuiteVerdict.CRASHED:
            ctx.log(f"task {task.id} ({task.squad}): {tests.describe()}")
            _require_green(task.id, tests, broken)
        await record_task(ctx, result)
        results.append(result)
    return results


async def _parallel_lanes(
    setting: _Setting, lanes: list[Lane], path: Path
) -> tuple[list[TaskResult], SuiteResult]:
    """Each lane on its own branch from the base, in parallel; then merged at `path`."""
    ctx = setting.ctx
    top = project_root(ctx)
    trees = {
        lane.label: await open_worktree(top, lane.label, root=worktrees_root(ctx),
                                        base=setting.base)
        for lane in lanes
    }  # fmt: skip
    ctx.log("in parallel: " + ", ".join(f"{lane.squad} on {lane.branch}" for lane in lanes))
    try:
        async with asyncio.TaskGroup() as group:
            jobs = [group.create_task(_do_lane(setting, lane, trees[lane.label].path))
                    for lane in lanes]  # fmt: skip
    except BaseExceptionGroup as errors:
        # A lane's failure cancelled the others; the first Devora error says why.
        first = next((e for e in errors.exceptions if isinstance(e, DevoraError)), None)
        raise first or errors from None
    results = [result for job in jobs for result in job.result()]
    heads = {lane.label: await trees[lane.label].head() for lane in lanes}
    outcome = await merge_lanes(path, heads)
    if outcome.conflicts:
        await _resolve_by_person(ctx, path, heads, outcome)
    merged = await _tests_at(setting, path)
    broken = _broken(setting.baseline, merged)
    ctx.log(f"merged {', '.join(lane.branch for lane in lanes)}: {merged.describe()}")
    _require_green("the merge", merged, broken)
    return results, merged


async def _resolve_by_person(
    ctx: StepContext[Any], path: Path, heads: dict[str, str], outcome: MergeOutcome
) -> None:
    """A conflict is a task for a person: a commit that holds every lane's head."""
    files = ", ".join(outcome.conflicts)
    ctx.log(f"merge conflict merging {outcome.conflicted_lane}: {files}")
    lanes = " and ".join(f"devora/{label} ({head[:12]})" for label, head in heads.items())
    answer = ctx.wait_for_input(
        f"Merging the lanes {lanes} into devora/{feature_label(ctx)} conflicts in: {files}. "
        "Devora does not pick a side: merge them yourself on a branch of your own "
        f"(`git switch -c my-merge {outcome.head[:12]} && git merge "
        + " ".join(f"devora/{label}" for label in heads)
        + "`), resolve, commit, and give the commit: "
        '`devora complete RUN implement --output answer.json` with {"commit": "..."}.',
        MergeResolution,
        squad="backend",
    )
    commit = await resolve_commit(path, answer.commit, "commit")
    for label, head in heads.items():
        held = await run_git(path, ["merge-base", "--is-ancestor", head, commit], check=False)
        if held.returncode != 0:
            raise StepError(
                f"commit {commit[:12]} does not hold devora/{label} ({head[:12]})",
                hint="merge every lane's branch into your commit and complete the step again",
            )
    await run_git(path, ["reset", "--hard", "--quiet", commit], time_limit=120)
    ctx.log(f"a person merged the lanes: {commit[:12]}")


async def _human_change(
    ctx: StepContext[Any], path: Path, base: str, python: Path | None, baseline: SuiteResult
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
    made: FeaturePlan | None = ctx.result("plan")
    lanes = split_lanes(made, feature_label(ctx)) if made is not None and member else []
    if len(lanes) > 1:
        changes.append("in parallel, merged into the branch at the end: "
                       + ", ".join(f"{lane.squad} on {lane.branch}" for lane in lanes))  # fmt: skip
    changes += _deploy_plan(ctx)
    return Plan(summary=f"would implement the feature on {branch} by {who}", changes=changes)


def _deploy_plan(ctx: StepContext[Any]) -> list[str]:
    """The deploy and its compensation, as configured (a dry-run skips the deploy step)."""
    feature = load_feature_config(project_root(ctx))
    environment = ctx.inputs.environment
    deploy = feature.deploy.get(environment)
    if not deploy:
        return [f"no deploy: no command configured for {environment}"]
    rollback = feature.rollback.get(environment)
    return [
        f"after the approvals, deploy to {environment}: {' '.join(deploy)}",
        f"if the run fails after the deploy, roll back {environment}: {' '.join(rollback)}"
        if rollback
        else f"no rollback: no command configured for {environment}",
    ]


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
    await remove_lanes(ctx)
    ctx.log(f"removed {branch} and its worktree")


async def remove_lanes(ctx: StepContext[Any]) -> None:
    """Remove the lanes' worktrees and branches (devora/feature-<run-id>-<squad>)."""
    top = project_root(ctx)
    label = feature_label(ctx)
    for squad in ("backend", "frontend"):
        lane = f"{label}-{squad}"
        path = worktrees_root(ctx) / f"{top.name}-{lane}"
        await run_git(top, ["worktree", "remove", "--force", str(path)], check=False)
        await run_git(top, ["branch", "-D", f"devora/{lane}"], check=False)
        await run_git(top, ["config", "--remove-section", f"branch.devora/{lane}"], check=False)
    await run_git(top, ["worktree", "prune"], check=False)
