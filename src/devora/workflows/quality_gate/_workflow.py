"""The quality gate, as its description reads (all steps owned by the qa squad):

    detect ─┬─ typecheck ──┐
            ├─ lint ───────┤
            ├─ test ───────┼─ autofix ─ agent_fix ─ report ─ verdict
            ├─ security ───┤
            └─ performance ┘

autofix runs only with --fix when a tool can fix something; agent_fix only with --fix,
when a model is configured for the qa squad's code reviewer and type or lint errors remain.

detect finds the project's languages, tools, gate config and (with --changed) the lines
changed since --base; the five checks run side by side, reusing cached results on an
unchanged tree and, on a changed one, re-checking only what the change can affect
(_incremental; --full re-runs everything); report scores and writes the reports; verdict
fails the run (exit 1) when the gate fails.
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from devora.engine import Plan, Step, StepContext, Workflow
from devora.errors import DevoraError
from devora.tools.checks import CheckResult, detect_project, remember_tool_versions_in
from devora.workflows import register_command_line
from devora.workflows.quality_gate._agent_fix import (
    agent_fix_model,
    fix_with_agent,
    remaining_errors,
)
from devora.workflows.quality_gate._baselines import BaselineStore
from devora.workflows.quality_gate._cache import (
    ResultCache,
    default_cache_dir,
    devora_home,
    fingerprint_files,
    tree_digest,
)
from devora.workflows.quality_gate._categories import Category, plan_checks
from devora.workflows.quality_gate._changed import changed_lines, repository_prefix
from devora.workflows.quality_gate._config import load_gate_config
from devora.workflows.quality_gate._environment import with_python_environment
from devora.workflows.quality_gate._errors import GateFailedError
from devora.workflows.quality_gate._fixing import fix_project, fixable_checks, fixable_files
from devora.workflows.quality_gate._incremental import Incremental, mypy_cache_dir
from devora.workflows.quality_gate._models import (
    AgentFixReport,
    CategoryRun,
    Detection,
    FixReport,
    GateInputs,
    GateReport,
)
from devora.workflows.quality_gate._present import present_gate, unchecked_summary
from devora.workflows.quality_gate._reports import render_reports, write_reports
from devora.workflows.quality_gate._running import run_category
from devora.workflows.quality_gate._verdict import judge

__all__ = ["quality_gate"]

Context = StepContext[GateInputs]


async def detect(ctx: Context) -> Detection:
    """Detect the project's languages, tools and gate config; with --changed, the new lines."""
    profile = await asyncio.to_thread(detect_project, Path(ctx.inputs.path))
    config = load_gate_config(profile)
    profile = await with_python_environment(profile, config, ctx.log)
    changed = await changed_lines(profile.root, ctx.inputs.base) if ctx.inputs.changed else None
    detection = Detection(
        profile=profile,
        config=config,
        checks=plan_checks(profile, config.budgets),
        changed=changed,
        tree=await _tree(ctx, profile.root),
        missing_tools=profile.missing_tools(),
        repository=await repository_prefix(profile.root),
    )
    ctx.log(f"{profile.root}: {', '.join(sorted(profile.languages))}")
    if changed is not None:
        ctx.log(f"judging {changed.line_count} line(s) changed since {changed.base}")
    for tool in detection.missing_tools:
        ctx.log(f"not installed: {tool} (its checks are reported as not run)")
    return detection


async def typecheck(ctx: Context) -> CategoryRun:
    """Type-check: mypy, tsc --noEmit."""
    return await _run(ctx, Category.TYPECHECK)


async def lint(ctx: Context) -> CategoryRun:
    """Lint and format: ruff check, ruff format --check, eslint, prettier --check."""
    return await _run(ctx, Category.LINT)


async def test(ctx: Context) -> CategoryRun:
    """Test: pytest with coverage, the project's npm test script."""
    return await _run(ctx, Category.TESTS)


async def security(ctx: Context) -> CategoryRun:
    """Security: bandit, pip-audit, npm audit."""
    return await _run(ctx, Category.SECURITY)


async def performance(ctx: Context) -> CategoryRun:
    """Performance: the size of the built front-end assets against the budgets."""
    return await _run(ctx, Category.PERFORMANCE)


async def autofix(ctx: Context) -> FixReport:
    """Apply the tools' safe fixes, then re-run the checks whose results they changed."""
    detection = ctx.result(detect_step)
    fix = await fix_project(
        detection,
        _category_runs(ctx),
        _cache(ctx),
        lambda: _tree(ctx, detection.profile.root),
        ctx.log,
    )
    if fix.diff:
        ctx.add_artifact("fixes.diff", fix.diff, media_type="text/x-diff")
    return fix


async def agent_fix(ctx: Context) -> AgentFixReport:
    """Hand the remaining type and lint errors to the coding agent; keep what improves."""
    detection = ctx.result(detect_step)
    # The run's usage and budget are kept by the coding agent's one path (squads).
    return await fix_with_agent(ctx, detection.profile, detection.config, _current_results(ctx))


def plan_agent_fix(ctx: Context) -> Plan:
    """Say what the coding agent would be asked to fix."""
    errors = remaining_errors(_current_results(ctx))
    model = agent_fix_model(ctx.result(detect_step).profile.root)
    return Plan(
        summary=f"would ask {model} to fix {errors} type and lint error(s)",
        # No attempt made: report and verdict judge the tree as it is.
        predicted_output=AgentFixReport(model=str(model), attempts=()),
    )


def plan_autofix(ctx: Context) -> Plan:
    """Say which fixers --fix would run, on which files."""
    lint_results = ctx.result(lint_step).results
    files = fixable_files(lint_results)
    names = fixable_checks(lint_results)
    return Plan(
        summary=f"would run {', '.join(names)} on {len(files)} file(s)",
        changes=files,
        # No change applied: report and verdict judge the unfixed tree.
        predicted_output=FixReport(fixes=(), changed_files=(), diff=""),
    )


def report(ctx: Context) -> GateReport:
    """Score the project, keep the score on the run, write the reports (artifacts, --report-dir)."""
    detection = ctx.result(detect_step)
    fix = ctx.result(autofix_step) if ctx.status(autofix_step) == "succeeded" else None
    agent = ctx.result(agent_fix_step) if ctx.status(agent_fix_step) == "succeeded" else None
    gate = judge(detection, _category_runs(ctx), fix, agent)
    if "planned" in (ctx.status(autofix_step), ctx.status(agent_fix_step)):
        ctx.log("dry-run: the fixes are planned, not applied; the verdict is of the unfixed tree")
    for name, text in render_reports(gate).items():
        ctx.add_artifact(name, text)
    if ctx.inputs.report_dir is not None and ctx.dry_run:
        ctx.log(
            f"dry-run: the reports are run artifacts only, not written to {ctx.inputs.report_dir}"
        )
    elif ctx.inputs.report_dir is not None:
        written = write_reports(gate, Path(ctx.inputs.report_dir))
        gate = gate.model_copy(update={"reports": written})
    ctx.set_summary(score=gate.score, passed=gate.passed, **unchecked_summary(gate))
    ctx.log(f"score {gate.score}/100: {'passed' if gate.passed else 'failed'}")
    return gate


def verdict(ctx: Context) -> bool:
    """Pass or fail the run: exit code 0 when the gate passes, 1 when it fails."""
    gate = ctx.result(report_step)
    if not gate.passed:
        raise GateFailedError(gate.score, gate.threshold, gate.reasons)
    return True


async def _run(ctx: Context, category: Category) -> CategoryRun:
    detection = ctx.result(detect_step)
    return await run_category(
        category,
        detection.names(category),
        detection.profile,
        detection.config,
        _cache(ctx),
        detection.tree,
        ctx.log,
        _incremental(ctx, detection),
    )


def _incremental(ctx: Context, detection: Detection) -> Incremental | None:
    # Only with the cache: --no-cache re-runs everything and keeps nothing.
    if not ctx.inputs.cache or not detection.tree:
        return None
    store = _baselines()
    files = store.files_of(detection.tree)
    if files is None:
        return None
    return Incremental(
        store=store,
        files=files,
        run=ctx.run_id,
        full=ctx.inputs.full,
        mypy_cache=mypy_cache_dir(default_cache_dir() / "mypy", detection.profile),
    )


def _baselines() -> BaselineStore:
    return BaselineStore(default_cache_dir() / "incremental")


def _cache(ctx: Context) -> ResultCache | None:
    # Tools' versions are remembered per installed binary, --no-cache or not: asking
    # `mypy --version` again costs half a second of CPU and tells nothing new.
    remember_tool_versions_in(default_cache_dir().parent / "tool-versions")
    return ResultCache(default_cache_dir()) if ctx.inputs.cache else None


async def _tree(ctx: Context, root: Path) -> str:
    if not ctx.inputs.cache:
        return ""
    ours = [devora_home(), *([Path(ctx.inputs.report_dir)] if ctx.inputs.report_dir else [])]
    files = await fingerprint_files(root, ours)
    tree = tree_digest(files)
    _baselines().keep_files(tree, files)  # what the check steps diff against their baselines
    return tree


def _category_runs(ctx: Context) -> list[CategoryRun]:
    runs = (ctx.result(step) for step in CHECK_STEPS)
    return [run for run in runs if run is not None]


def _applies(category: Category) -> Any:
    def condition(ctx: Context) -> bool:
        return bool(ctx.result(detect_step).names(category))

    return condition


def _current_results(ctx: Context) -> list[CheckResult]:
    # The checks' results after the safe fixes (those re-run replace the first ones).
    results = {r.name: r for run in _category_runs(ctx) for r in run.results}
    if ctx.status(autofix_step) == "succeeded":
        results.update({r.name: r for r in ctx.result(autofix_step).rerun})
    return list(results.values())


def _wants_agent_fix(ctx: Context) -> bool:
    if not ctx.inputs.fix or remaining_errors(_current_results(ctx)) == 0:
        return False
    try:
        return agent_fix_model(ctx.result(detect_step).profile.root) is not None
    except DevoraError:  # a squads configuration that cannot be read: no agent
        return False


def _wants_fix(ctx: Context) -> bool:
    lint_run = ctx.result(lint_step)
    return ctx.inputs.fix and lint_run is not None and bool(fixable_checks(lint_run.results))


# Detecting may create the project's isolated environment (uv installs its dependencies).
detect_step: Step[Detection] = Step("detect", detect, squad="qa", timeout=1200)
typecheck_step: Step[CategoryRun] = Step(
    "typecheck", typecheck, squad="qa", needs=[detect_step], when=_applies(Category.TYPECHECK)
)
lint_step: Step[CategoryRun] = Step(
    "lint", lint, squad="qa", needs=[detect_step], when=_applies(Category.LINT)
)
test_step: Step[CategoryRun] = Step(
    "test", test, squad="qa", needs=[detect_step], when=_applies(Category.TESTS)
)
security_step: Step[CategoryRun] = Step(
    "security", security, squad="qa", needs=[detect_step], when=_applies(Category.SECURITY)
)
performance_step: Step[CategoryRun] = Step(
    "performance",
    performance,
    squad="qa",
    needs=[detect_step],
    when=_applies(Category.PERFORMANCE),
)
CHECK_STEPS = (typecheck_step, lint_step, test_step, security_step, performance_step)
autofix_step: Step[FixReport] = Step(
    "autofix",
    autofix,
    squad="qa",
    needs=CHECK_STEPS,
    when=_wants_fix,
    side_effects=True,
    plan=plan_autofix,
)
agent_fix_step: Step[AgentFixReport] = Step(
    "agent_fix",
    agent_fix,
    squad="qa",
    needs=[autofix_step, *CHECK_STEPS],
    when=_wants_agent_fix,
    side_effects=True,
    plan=plan_agent_fix,
)
report_step: Step[GateReport] = Step(
    "report", report, squad="qa", needs=[*CHECK_STEPS, autofix_step, agent_fix_step]
)
verdict_step: Step[bool] = Step("verdict", verdict, squad="qa", needs=[report_step])

quality_gate = Workflow(
    name="quality-gate",
    description="Type-check, lint, test and audit a project in parallel; score it; auto-fix.",
    steps=[detect_step, *CHECK_STEPS, autofix_step, agent_fix_step, report_step, verdict_step],
    concurrency=8,
    inputs=GateInputs,
    outputs=lambda ctx: {
        "score": ctx.result(report_step).score,
        "passed": ctx.result(report_step).passed,
    },
)
register_command_line(quality_gate, positional=("path",), present=present_gate)
