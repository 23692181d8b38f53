"""--fix with a model: the qa squad's coding agent takes on what the tools' fixes left.

Up to three attempts. The agent works in a git worktree of a scratch copy of the project
(as it is now, the safe fixes included), never in the project itself. After each attempt
the type checks, linters and tests run again in that worktree; the change is kept, copied
into the project, only when it leaves fewer type and lint errors, no more failing tests
and no crashed tool. Without a model configured for the qa squad's code reviewer
(DEVORA_MODEL or devora.toml), this does not run.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from devora.errors import DevoraError
from devora.tools import Level
from devora.tools.checks import CheckResult, CheckStatus, ProjectProfile, detect_project
from devora.workflows.quality_gate._categories import CATEGORY_OF, Category, checks_named
from devora.workflows.quality_gate._config import GateConfig
from devora.workflows.quality_gate._models import AgentAttempt, AgentFixReport
from devora.workflows.quality_gate._running import run_checks

if TYPE_CHECKING:
    from devora.agents import CodingResult
    from devora.config import DevoraConfig
    from devora.llm import Provider, Usage

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
    profile: ProjectProfile,
    config: GateConfig,
    results: Sequence[CheckResult],
    *,
    log: Callable[[str], None],
) -> AgentFixReport:
    """Let the coding agent fix the remaining type and lint errors, keeping what improves."""
    from devora.agents import CodingAgent, CommandPolicy
    from devora.config import load_config
    from devora.llm import Usage

    model = agent_fix_model(profile.root)
    assert model is not None, "fix_with_agent needs a configured model"
    settings = load_config(profile.root)
    usage = Usage()  # shared by the attempts' providers: what the whole step spent
    current = {r.name: r for r in results if CATEGORY_OF.get(r.name) in _JUDGED}
    attempts: list[AgentAttempt] = []
    with tempfile.TemporaryDirectory(prefix="devora-agent-fix-") as scratch:
        repository = await _scratch_repository(profile.root, Path(scratch) / "project")
        for attempt in range(1, MAX_ATTEMPTS + 1):
            before = list(current.values())
            if remaining_errors(before) == 0:
                break
            try:
                async with _open_provider(model, settings, usage, log) as provider:
                    agent = CodingAgent(
                        provider,
                        commands=CommandPolicy(
                            allowed=_COMMANDS, sandbox=settings.agents.sandbox == "on"
                        ),
                        worktrees_root=Path(scratch) / "worktrees",
                        on_log=log,
                    )
                    task = _task(before)
                    result = await agent.run(repository, task, run_id=f"attempt-{attempt}")
            except DevoraError as error:
                # A model that fails (budget, limits, service) ends the attempts, not the gate.
                log(f"agent attempt {attempt} failed: {error}")
                attempts.append(_failed_attempt(attempt, before, str(error)))
                break
            worktree = result.worktree
            if not result.files_changed:
                attempts.append(_attempt(attempt, False, result, before, None))
                log(f"agent attempt {attempt}: no change")
                continue
            _link_environments(profile.root, worktree)
            after = await _recheck(worktree, config, list(current), log)
            better = _improves(before, after)
            attempts.append(_attempt(attempt, better, result, before, after))
            log(f"agent attempt {attempt}: {'kept' if better else 'discarded'}")
            if better:
                _copy_changes(worktree, profile.root, result.files_changed)
                await _commit(repository, worktree, result.files_changed)
                current.update({r.name: r for r in after})
    return AgentFixReport(
        model=model,
        attempts=tuple(attempts),
        rerun=tuple(current.values()) if any(a.kept for a in attempts) else (),
        llm_calls=usage.calls,
        llm_tokens=usage.total_tokens,
        llm_cost=round(usage.cost, 6),
    )


def _failed_attempt(number: int, before: Sequence[CheckResult], reason: str) -> AgentAttempt:
    errors_before, failing_before = _errors_and_failures(before)
    return AgentAttempt(
        attempt=number,
        kept=False,
        files=(),
        errors_before=errors_before,
        errors_after=None,
        failing_tests_before=failing_before,
        failing_tests_after=None,
        summary=f"failed: {reason}",
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
    worktree: Path, config: GateConfig, names: Sequence[str], log: Callable[[str], None]
) -> list[CheckResult]:
    profile = detect_project(worktree)
    results, _ = await run_checks(
        checks_named(names, config.budgets), profile, config, None, "", log
    )
    return list(results)


async def _scratch_repository(source: Path, target: Path) -> Path:
    from devora.tools.checks import run_process

    await asyncio.to_thread(
        shutil.copytree,
        source,
        target,
        symlinks=True,
        ignore=shutil.ignore_patterns(*_SKIPPED, *_LINKED),
    )
    git = ["git", "-c", "user.name=Devora", "-c", "user.email=devora@localhost"]
    for argv in (
        [*git, "init", "-q"],
        [*git, "add", "-A"],
        [*git, "commit", "-q", "--no-verify", "-m", "the project as the gate found it"],
    ):
        output = await run_process(argv, cwd=target, time_limit=120)
        if output.exit_code != 0:
            raise RuntimeError(f"{' '.join(argv[3:])} failed: {output.stderr.strip()}")
    return target


async def _commit(repository: Path, worktree: Path, files: Sequence[str]) -> None:
    # The next attempt starts from the kept change.
    from devora.tools.checks import run_process

    _copy_changes(worktree, repository, files)
    git = ["git", "-c", "user.name=Devora", "-c", "user.email=devora@localhost"]
    await run_process([*git, "add", "-A"], cwd=repository, time_limit=120)
    await run_process(
        [*git, "commit", "-q", "--no-verify", "-m", "kept"], cwd=repository, time_limit=120
    )


def _link_environments(project: Path, worktree: Path) -> None:
    for name in _LINKED:
        if (project / name).exists() and not (worktree / name).exists():
            (worktree / name).symlink_to(project / name)


def _copy_changes(source: Path, target: Path, files: Sequence[str]) -> None:
    for name in files:
        origin, destination = source / name, target / name
        if origin.is_file():
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(origin, destination)
        elif destination.is_file():
            destination.unlink()


def _open_provider(
    model: str, settings: DevoraConfig, usage: Usage, log: Callable[[str], None]
) -> Provider:
    from devora.llm import Budget, Price, ProviderOptions, open_provider

    llm = settings.llm
    options = ProviderOptions(
        request_timeout=llm.request_timeout,
        usage=usage,
        budget=Budget(max_tokens=llm.max_tokens, max_cost=llm.max_cost),
        prices={name: Price(p.input, p.output) for name, p in llm.prices.items()},
        on_log=log,
    )
    log(f"the coding agent works with {model}")
    return open_provider(model, options, base_url=llm.base_url, key_variable=llm.key_variable)
