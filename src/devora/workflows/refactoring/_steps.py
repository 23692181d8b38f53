"""The actions of the refactoring workflow: analyze, plan, refactor, test, review."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.codemods import CodemodResult, rename_symbol, replace_deprecated_calls
from devora.tools.git import (
    Worktree,
    commit_worktree,
    create_worktree,
    git_output,
    open_worktree,
    remove_worktree,
)
from devora.tools.metrics import ProjectAnalysis, analyze_project
from devora.tools.testrun import TestOutcome
from devora.workflows.refactoring._inputs import RefactoringConfig, RefactoringInputs
from devora.workflows.refactoring._plan import figures_of, rank_targets, target_for
from devora.workflows.refactoring._records import (
    RefactoringPlan,
    RefactoringReview,
    SafetyNet,
    Target,
    TargetDelta,
    WorktreeChange,
)
from devora.workflows.refactoring._report import render_json, render_markdown
from devora.workflows.refactoring._safety import (
    judge_safety,
    measure_side,
    project_environment,
)
from devora.workflows.refactoring._squads import plan_squad, refactor_squad, result_of

__all__ = ["analyze", "choose", "plan_refactor", "refactor", "review", "safety_net"]

Context = StepContext[RefactoringInputs]


class TargetChoice(BaseModel):
    """A person's choice among the ranked targets."""

    target: str = Field(description="the number of a ranked target (1 = first), or FILE[:FUNCTION]")


class PersonsRefactoring(BaseModel):
    """What a person did in the run's worktree (committed or not)."""

    summary: str = Field(description="what was changed and why")


async def analyze(ctx: Context) -> ProjectAnalysis:
    """Measure complexity, maintainability, duplication, churn, hotspots and coupling."""
    analysis = await analyze_project(Path(ctx.inputs.path), window_days=ctx.inputs.window_days)
    ctx.add_artifact("analysis.json", analysis.model_dump_json(indent=2))
    ctx.log(
        f"{len(analysis.functions)} function(s), {len(analysis.duplicates)} duplicate block(s), "
        f"{len(analysis.hotspots)} hotspot(s), {len(analysis.couplings)} coupled pair(s)"
    )
    return analysis


async def choose(ctx: Context) -> RefactoringPlan:
    """Rank the targets; --target or --rename choose, else a person does."""
    analysis: ProjectAnalysis = result_of(ctx, "analyze")
    root = Path(analysis.root)
    kind = ctx.inputs.kind
    config = RefactoringConfig.load(root)
    python = await _python_files(root)
    mentioned = [f for f in python if _mentions(root / f, config.deprecated)]
    ranked = rank_targets(analysis, kind, ctx.inputs.top, config.deprecated, mentioned)
    ctx.add_artifact("plan.md", _plan_text(ranked))
    if ctx.inputs.rename is not None:
        old, _, new = ctx.inputs.rename.partition("=")
        module = old.rpartition(".")[0]
        files = [f for f in python if _module_of(f) == module] or [module]
        chosen = target_for(analysis, files[0], None, kind).model_copy(
            update={"proposal": f"rename {old} to {new} project-wide", "codemod": "rename"}
        )
        return RefactoringPlan(analysis=analysis, ranked=tuple(ranked), chosen=(chosen,),
                               chosen_by="--rename")  # fmt: skip
    if ctx.inputs.target is not None:
        file, _, function = ctx.inputs.target.partition(":")
        chosen = target_for(analysis, file, function or None, kind)
        return RefactoringPlan(analysis=analysis, ranked=tuple(ranked), chosen=(chosen,),
                               chosen_by="--target")  # fmt: skip
    if not ranked:
        raise StepError(
            f"nothing to refactor for --kind {kind}: no target in {root}",
            hint="pass --target FILE[:FUNCTION], or another --kind",
        )
    answer = ctx.wait_for_input(
        "Choose what to refactor:\n" + _plan_text(ranked), TargetChoice, squad=plan_squad(ctx)
    )
    return RefactoringPlan(
        analysis=analysis,
        ranked=tuple(ranked),
        chosen=(_chosen(answer.target, ranked, analysis, kind),),
        chosen_by="a person",
    )


def _chosen(answer: str, ranked: list[Target], analysis: ProjectAnalysis, kind: Any) -> Target:
    if answer.strip().isdigit() and 1 <= int(answer) <= len(ranked):
        return ranked[int(answer) - 1]
    for target in ranked:
        if target.label == answer.strip():
            return target
    file, _, function = answer.strip().partition(":")
    if not analysis.functions_in(file):
        raise StepError(f"{answer!r} is none of the ranked targets", hint="answer 1, 2, …")
    return target_for(analysis, file, function or None, kind)


def _plan_text(ranked: list[Target]) -> str:
    lines = ["| # | target | score | complexity | MI | duplicated | lines | proposal |",
             "|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for number, t in enumerate(ranked, 1):
        f = t.figures
        lines.append(
            f"| {number} | {t.label} | {t.score:g} | {f.complexity} | {f.maintainability} "
            f"| {f.duplicated_lines} | {f.lines} | {t.proposal} |"
        )
    return "\n".join(lines) + "\n"


def plan_refactor(ctx: Context) -> Plan:
    """Say what the refactor step would change, and how."""
    plan: RefactoringPlan = result_of(ctx, "plan")
    target = plan.chosen[0]
    how = f"codemod {target.codemod}" if target.codemod else "the coding agent or a person"
    return Plan(
        summary=f"would refactor {target.label} with {how}: {target.proposal}",
        changes=[f"branch devora/refactor-{ctx.run_id} in a worktree (the checkout untouched)"],
    )


async def refactor(ctx: Context) -> WorktreeChange:
    """Make the change in a worktree: a codemod, the coding agent, or a person."""
    plan: RefactoringPlan = result_of(ctx, "plan")
    target = plan.chosen[0]
    root = Path(plan.analysis.root)
    worktree = await open_worktree(
        root, _run_name(ctx), root=ctx.home / "worktrees", base=plan.analysis.head
    )
    ctx.log(f"worktree {worktree.path} on {worktree.branch}")
    if target.codemod is not None:
        done = await _codemod(ctx, worktree, target)
        summary, done_by = f"{done.description}: {done.edits} edit(s)", f"codemod {done.codemod}"
        await commit_worktree(worktree, f"refactor: {done.description}", done.changed_files)
    else:
        summary, done_by = await _judgement(ctx, worktree, target)
    files = tuple(await worktree.changed_files())
    if not files:
        await remove_worktree(worktree, delete_branch=True)
        raise StepError(
            f"the refactoring of {target.label} changed nothing",
            hint="check the rename or the deprecated mapping, or choose another target",
        )
    return WorktreeChange(
        branch=worktree.branch,
        worktree=str(worktree.path),
        base_commit=worktree.base_commit,
        head_commit=await worktree.head(),
        files_changed=files,
        done_by=done_by,
        summary=summary,
    )


def _run_name(ctx: StepContext[Any]) -> str:
    return f"refactor-{ctx.run_id}"


async def _codemod(ctx: Context, worktree: Worktree, target: Target) -> CodemodResult:
    files = await _python_files(worktree.path)
    if target.codemod == "rename" and ctx.inputs.rename:
        old, _, new = ctx.inputs.rename.partition("=")
        return rename_symbol(worktree.path, old, new, files)
    config = RefactoringConfig.load(worktree.path)
    return replace_deprecated_calls(worktree.path, config.deprecated, [target.file])


async def _judgement(ctx: Context, worktree: Worktree, target: Target) -> tuple[str, str]:
    """The coding agent when the target's squad has a model; a person of it otherwise."""
    from devora.config import load_config
    from devora.squads import Backend, effective_squads, find_agent, run_coding_agent

    task = (
        f"Refactor {target.label} in this repository without changing its behaviour: "
        f"{target.proposal}. Its figures: complexity {target.figures.complexity}, "
        f"maintainability {target.figures.maintainability}, "
        f"{target.figures.duplicated_lines} duplicated line(s), changed {target.revisions} "
        "time(s). Keep every test passing, do not change the tests, run them at the end."
    )
    settings = load_config(Path(worktree.repository))
    squad = refactor_squad(ctx)
    member = find_agent(effective_squads(settings), squad)
    if member.backend is Backend.LLM and member.model is not None:
        result = await run_coding_agent(
            ctx,
            settings,
            member,
            worktree.repository,
            task,
            allowed_commands=(("pytest",), ("python", "-m", "pytest")),
            run_id=_run_name(ctx),
            worktrees_root=ctx.home / "worktrees",
        )
        return result.summary, f"coding agent {member.model}"
    answer = ctx.wait_for_input(
        f"{task}\n\nWork in {worktree.path} (branch {worktree.branch}); commit there or leave "
        "the files changed, then complete this step with a summary.",
        PersonsRefactoring,
        squad=squad,
    )
    await commit_worktree(worktree, f"refactor: {target.label}", await worktree.untracked_files())
    return answer.summary, "a person"


async def safety_net(ctx: Context) -> SafetyNet:
    """The same tests pass before and after, coverage not lower, type check not worse;
    otherwise the worktree and its branch are discarded and the run fails."""
    plan: RefactoringPlan = result_of(ctx, "plan")
    change: WorktreeChange = result_of(ctx, "refactor")
    root = Path(plan.analysis.root)
    environment = await project_environment(root, ctx.home / "cache" / "environments", ctx.log)
    if not environment.usable:
        raise StepError(
            f"the project's tests cannot run: {environment.problem}",
            hint="give the project a .venv with its test dependencies",
        )
    base = await create_worktree(
        root, f"{_run_name(ctx)}-base", root=ctx.home / "worktrees", base=change.base_commit
    )
    try:
        before = await measure_side(base.path, environment)
    finally:
        await remove_worktree(base, delete_branch=True)
    after = await measure_side(Path(change.worktree), environment)
    optional = RefactoringConfig.load(root).optional
    lost, worse, not_run, not_measured = judge_safety(before, after, optional)
    passed = tuple(before.tests.with_outcome(TestOutcome.PASSED))
    net = SafetyNet(
        tests_before=len(before.tests.cases),
        passed_before=passed,
        no_longer_passing=tuple(lost),
        coverage_before=before.coverage,
        coverage_after=after.coverage,
        type_errors_before=before.type_errors,
        type_errors_after=after.type_errors,
        worse=tuple(worse),
        not_run=tuple(not_run),
        not_measured=tuple(not_measured),
    )
    ctx.add_artifact("safety-net.json", net.model_dump_json(indent=2))
    if worse or not_measured:
        worktree = await open_worktree(root, _run_name(ctx), root=ctx.home / "worktrees")
        await remove_worktree(worktree, delete_branch=True)
    if worse:
        raise StepError(
            f"the refactoring made things worse, its worktree was discarded: {'; '.join(worse)}",
            hint="see safety-net.json; choose another refactoring or fix the change by hand",
        )
    if not_measured:
        raise StepError(
            "the safety net could not measure what it must, so the change is not verified and "
            f"its worktree was discarded: {'; '.join(not_measured)}",
            hint="install the tool in the project's environment, or accept changes not "
            'verified on it: [refactoring] optional = ["coverage", "typecheck"] in devora.toml',
        )
    ctx.log(
        f"{net.verdict} (coverage {before.coverage} -> {after.coverage}; type errors "
        f"{before.type_errors} -> {after.type_errors})"
    )
    return net


async def review(ctx: Context) -> RefactoringReview:
    """Each target's figures before and after, the diff; patch, branch and report."""
    plan: RefactoringPlan = result_of(ctx, "plan")
    change: WorktreeChange = result_of(ctx, "refactor")
    net: SafetyNet = ctx.result("test")
    worktree = Path(change.worktree)
    after = await analyze_project(worktree, window_days=plan.analysis.window_days)
    deltas = []
    for target in plan.chosen:
        still = target.function is None or any(
            f.name == target.function for f in after.functions_in(target.file)
        )
        deltas.append(
            TargetDelta(
                target=target.label,
                before=target.figures,
                after=figures_of(after, target.file, target.function) if still else None,
            )
        )
    patch = await git_output(worktree, ["diff", "--binary", change.base_commit, "HEAD"])
    ctx.add_artifact("refactoring.patch", patch, media_type="text/x-diff")
    result = RefactoringReview(
        deltas=tuple(deltas),
        branch=change.branch,
        files_changed=change.files_changed,
        patch_lines=len(patch.splitlines()),
    )
    ctx.add_artifact("report.md", render_markdown(plan, change, net, result, patch))
    ctx.add_artifact("report.json", render_json(plan, change, net, result))
    ctx.log(f"kept on branch {change.branch}: {len(change.files_changed)} file(s) changed")
    return result


async def _python_files(root: Path) -> list[str]:
    listed = await git_output(root, ["ls-files", "-z", "--", "*.py", "*.pyi"])
    return sorted(name for name in listed.split("\0") if name)


def _module_of(file: str) -> str:
    parts = list(Path(file).with_suffix("").parts)
    if parts and parts[0] == "src":
        parts = parts[1:]
    if parts and parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _mentions(path: Path, deprecated: dict[str, str]) -> bool:
    if not deprecated:
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return any(old.rpartition(".")[2] + "(" in text for old in deprecated)
