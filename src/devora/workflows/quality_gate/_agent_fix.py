"""--fix with a model: the qa squad's coding agent takes on what the tools' fixes left.

Up to three attempts. The agent works as every coding agent does (the squads'
`run_coding_agent`: the run's budget, the sandbox) in a git worktree of a scratch copy of the
project (as it is now, the safe fixes included), never in the project itself. After each
attempt the type checks, linters and tests run again in that worktree, in the agent's
sandbox (they run code the agent wrote); the change is kept, copied into the project
without following links, only when it leaves fewer type and lint errors, no more failing
tests and no crashed tool. Without a model configured for the qa squad's code reviewer
(DEVORA_MODEL or devora.toml), this does not run; without a sandbox (and no opt-out), it is
not run, and says why.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from devora.engine import StepContext
from devora.errors import DevoraError
from devora.tools import Level, confined
from devora.tools.checks import CheckResult, CheckStatus, ProjectProfile, detect_project
from devora.tools.git import (
    UnsafeLinkError,
    check_changed_files,
    commit_everything,
    copy_changed_files,
    create_scratch_repository,
)
from devora.workflows.quality_gate._categories import CATEGORY_OF, Category, checks_named
from devora.workflows.quality_gate._config import GateConfig
from devora.workflows.quality_gate._models import AgentAttempt, AgentFixReport
from devora.workflows.quality_gate._running import run_checks

if TYPE_CHECKING:
    from devora.agents import CodingResult

__all__ = [
    "FIXING_AGENT",
    "MAX_ATTEMPTS",
    "agent_fix_model",
    "fix_with_agent",
    "remaining_errors",
]

FIXING_AGENT = ("qa", "code-reviewer")
MAX_ATTEMPTS = 3
_JUDGED = (Category.TYPECHECK, Category.LINT, Category.TESTS)
_COMMANDS = (("ruff", "check"), ("ruff", "format"), ("mypy",), ("pytest",))
# What is not copied into the scratch repository; linked into the worktree instead.
_LINKED = (".venv", "venv", "node_modules")
_SKIPPED = (".git", ".devora", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")
_MAX_TASK_FINDINGS = 40


def agent_fix_model(root: Path) -> str | None:
    """The model of the qa squad's code reviewer, when one is configured."""
    from devora.config import load_config
    from devora.squads import Backend, effective_squads, find_agent

    member = find_agent(effective_squads(load_config(root)), *FIXING_AGENT)
    return member.model if member.backend is Backend.LLM else None


def remaining_errors(results: Sequence[CheckResult]) -> int:
    """The type and lint errors in results (what the agent is asked to fix)."""
    return sum(
        1
        for result in results
        if CATEGORY_OF.get(result.name) in (Category.TYPECHECK, Category.LINT)
        for finding in result.findings
        if finding.level is Level.ERROR
    )


async def fix_with_agent(
    ctx: StepContext[Any],
    profile: ProjectProfile,
    config: GateConfig,
    results: Sequence[CheckResult],
) -> AgentFixReport:
    """Let the coding agent fix the remaining type and lint errors, keeping what improves."""
    # The agents (their sandbox, the LLM clients) are imported only when an agent will work:
    # a tenth of a second of every gate's start-up otherwise.
    from devora.agents import SandboxUnavailableError, find_bubblewrap
    from devora.config import load_config
    from devora.squads import effective_squads, find_agent, run_coding_agent
    from devora.squads._llm_support import run_usage

    settings = load_config(profile.root)
    member = find_agent(effective_squads(settings), *FIXING_AGENT)
    assert member.model is not None, "fix_with_agent needs a configured model"
    spent_before = run_usage(ctx)
    current = {r.name: r for r in results if CATEGORY_OF.get(r.name) in _JUDGED}
    attempts: list[AgentAttempt] = []
    not_run: str | None = None
    try:
        # Refused before the first model call when there is no sandbox (and no opt-out).
        bwrap = await find_bubblewrap() if settings.agents.sandbox == "on" else None
        with tempfile.TemporaryDirectory(prefix="devora-agent-fix-") as scratch:
            repository = await create_scratch_repository(
                profile.root, Path(scratch) / "project", skipped=(*_SKIPPED, *_LINKED)
            )
            for attempt in range(1, MAX_ATTEMPTS + 1):
                before = list(current.values())
                if remaining_errors(before) == 0:
                    break
                try:
                    result = await run_coding_agent(
                        ctx,
                        settings,
                        member,
                        repository,
                        _task(before),
                        allowed_commands=_COMMANDS,
                        run_id=f"attempt-{attempt}",
                        worktrees_root=Path(scratch) / "worktrees",
                    )
                except SandboxUnavailableError:
                    raise
                except DevoraError as error:
                    # A model that fails (budget, limits, service) ends the attempts, not the gate.
                    ctx.log(f"agent attempt {attempt} failed: {error}")
                    attempts.append(_failed_attempt(attempt, before, str(error)))
                    break
                if not result.files_changed:
                    attempts.append(_attempt(attempt, False, result, before, None))
                    ctx.log(f"agent attempt {attempt}: no change")
                    continue
                try:
                    check_changed_files(result.worktree, result.files_changed)
                except UnsafeLinkError as error:
                    ctx.log(f"agent attempt {attempt} refused: {error}")
                    attempts.append(_failed_attempt(attempt, before, str(error), "refused"))
                    continue
                _link_environments(profile.root, result.worktree)
                after = await _recheck(
                    profile,
                    result.worktree,
                    Path(scratch) / "checks",
                    bwrap,
                    config,
                    list(current),
                    ctx.log,
                )
                better = _improves(before, after)
                attempts.append(_attempt(attempt, better, result, before, after))
                ctx.log(f"agent attempt {attempt}: {'kept' if better else 'discarded'}")
                if better:
                    copy_changed_files(result.worktree, profile.root, result.files_changed)
                    # The next attempt starts from the kept change.
                    copy_changed_files(result.worktree, repository, result.files_changed)
                    await commit_everything(repository, "kept")
                    current.update({r.name: r for r in after})
    except SandboxUnavailableError as error:
        # A fix not attempted is not run, and the user is told how to make it run.
        not_run = f"{error.message}. Hint: {error.hint}"
        ctx.log(f"the coding agent did not run: {not_run}")
    spent = run_usage(ctx).since(spent_before)
    return AgentFixReport(
        model=member.model,
        attempts=tuple(attempts),
        not_run=not_run,
        rerun=tuple(current.values()) if any(a.kept for a in attempts) else (),
        llm_calls=spent.calls,
        llm_tokens=spent.total_tokens,
        llm_cost=round(spent.cost, 6),
    )


def _failed_attempt(
    number: int, before: Sequence[CheckResult], reason: str, outcome: str = "failed"
) -> AgentAttempt:
    errors_before, failing_before = _errors_and_failures(before)
    return AgentAttempt(
        attempt=number,
        kept=False,
        files=(),
        errors_before=errors_before,
        errors_after=None,
        failing_tests_before=failing_before,
        failing_tests_after=None,
        summary=f"{outcome}: {reason}",
        diff="",
    )


def _task(results: Sequence[CheckResult]) -> str:
    lines = [
        "The quality gate found these type and lint errors that the tools cannot fix. Fix",
        "them with the smallest changes; do not weaken the checks (no ignores, no config",
        "changes) and do not change what the tests expect. Run the tools to check your work.",
        "",
    ]
    findings = [
        (r.name, f)
        for r in results
        if CATEGORY_OF.get(r.name) in (Category.TYPECHECK, Category.LINT)
        for f in r.findings
        if f.level is Level.ERROR
    ]
    for name, finding in findings[:_MAX_TASK_FINDINGS]:
        lines.append(f"- {finding.file}:{finding.line} [{name} {finding.rule}] {finding.message}")
    if len(findings) > _MAX_TASK_FINDINGS:
        lines.append(f"- … and {len(findings) - _MAX_TASK_FINDINGS} more")
    return "\n".join(lines)


def _errors_and_failures(results: Sequence[CheckResult]) -> tuple[int, int]:
    failing = sum(
        1
        for r in results
        if CATEGORY_OF.get(r.name) is Category.TESTS
        for f in r.findings
        if f.level is Level.ERROR
    )
    return remaining_errors(results), failing


def _improves(before: Sequence[CheckResult], after: Sequence[CheckResult]) -> bool:
    if any(r.status is CheckStatus.CRASHED for r in after):
        return False
    errors_before, failing_before = _errors_and_failures(before)
    errors_after, failing_after = _errors_and_failures(after)
    # Deleting a failing test is not fixing it: the number of tests may not go down.
    fewer_tests = _test_count(after) < _test_count(before)
    return errors_after < errors_before and failing_after <= failing_before and not fewer_tests


def _test_count(results: Sequence[CheckResult]) -> float:
    return sum(r.metrics.get("tests", 0.0) for r in results)


def _attempt(
    number: int,
    kept: bool,
    result: CodingResult,
    before: Sequence[CheckResult],
    after: Sequence[CheckResult] | None,
) -> AgentAttempt:
    errors_before, failing_before = _errors_and_failures(before)
    errors_after: int | None = None
    failing_after: int | None = None
    if after is not None:
        errors_after, failing_after = _errors_and_failures(after)
    return AgentAttempt(
        attempt=number,
        kept=kept,
        files=tuple(result.files_changed),
        errors_before=errors_before,
        errors_after=errors_after,
        failing_tests_before=failing_before,
        failing_tests_after=failing_after,
        summary=result.summary,
        diff=result.patch,
    )


async def _recheck(
    project: ProjectProfile,
    worktree: Path,
    scratch: Path,
    bwrap: str | None,
    config: GateConfig,
    names: Sequence[str],
    log: Callable[[str], None],
) -> list[CheckResult]:
    # The project's environment as detect chose it, never one resolved again from files
    # the agent may have changed: building that would run the agent's setup code unconfined,
    # and the checks before and after would not run in the same environment.
    profile = detect_project(worktree).model_copy(update={"python_env": project.python_env})
    checks = checks_named(names, config.budgets, config.timeouts)
    with _confined(bwrap, worktree, scratch, _environment_paths(project)):
        results, _ = await run_checks(checks, profile, config, None, "", log)
    return list(results)


def _link_environments(project: Path, worktree: Path) -> None:
    for name in _LINKED:
        if (project / name).exists() and not (worktree / name).exists():
            (worktree / name).symlink_to(project / name)


def _environment_paths(project: ProjectProfile) -> list[Path]:
    # What the checks read besides the worktree: the project (its .venv is linked into the
    # worktree) and the environment Devora created for it, wherever they are.
    paths = [project.root]
    if project.python_env is not None and project.python_env.prefix is not None:
        paths.append(project.python_env.prefix)
    return paths


@contextlib.contextmanager
def _confined(
    bwrap: str | None, worktree: Path, scratch: Path, readable: Sequence[Path]
) -> Iterator[None]:
    # The checks run code the agent wrote (its tests): in the agent's sandbox, as its
    # commands did, unless the user opted out of the sandbox (bwrap None).
    if bwrap is None:
        yield
        return
    from devora.agents import sandbox_confinement

    scratch.mkdir(parents=True, exist_ok=True)
    with confined(sandbox_confinement(bwrap, worktree, scratch, readable)):
        yield
