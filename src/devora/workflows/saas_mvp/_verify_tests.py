"""The generated project's own tests, run once, in its own environment (never Devora's).

They run as the quality gate's own pytest check (under coverage, JUnit read), and the
result is kept in the gate's result cache under the key the gate computes for this tree,
tool, environment and config: the gate's child run then reuses it ("cached result reused")
instead of running the tests a second time. A tree that changed in between, or another
gate config, makes another key, and the gate runs the tests itself.

The gate's pip-audit is handed over the same way (`audit_dependencies`), run beside the
tests instead of after them: a result that ran goes to the result cache; a "not run" (its
service unreachable) goes to the gate's not-run memo, which the gate reports as not run,
with its reason, never as passed.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from devora.tools.checks import (
    Check,
    CheckResult,
    CheckStatus,
    PipAuditCheck,
    ProjectProfile,
    PytestCheck,
    detect_project,
    remember_tool_versions_in,
)
from devora.tools.pyenv import EnvironmentKind, PythonEnvironment, resolve_environment
from devora.workflows.quality_gate import (
    GateConfig,
    NotRunMemo,
    ResultCache,
    default_cache_dir,
    fingerprint_files,
    load_gate_config,
    tree_digest,
)
from devora.workflows.saas_mvp._records import Verification, VerificationStatus

__all__ = [
    "audit_dependencies",
    "environment_problem",
    "project_environment",
    "project_profile",
    "verify_project_tests",
]

NAME = "project tests"
_FAILING_RULES = ("test-failure", "test-error")


async def project_environment(
    root: Path, cache_dir: Path, log: Callable[[str], None]
) -> PythonEnvironment:
    """An isolated environment with the project and its test dependencies (cached by uv)."""
    profile = detect_project(root)
    return await resolve_environment(
        root, profile.pyproject, cache_dir=cache_dir, log=log, kind=EnvironmentKind.ISOLATED
    )


def project_profile(root: Path, environment: PythonEnvironment) -> ProjectProfile:
    """The project as the quality gate's detect step sees it, with its environment."""
    return detect_project(root).model_copy(update={"python_env": environment})


def environment_problem(name: str, environment: PythonEnvironment) -> Verification:
    """A verification that could not run because the project's environment is not usable."""
    return Verification(
        name=name,
        status=VerificationStatus.NOT_RUN,
        reason=f"no Python environment for the project: {environment.problem}",
        output_tail=environment.output_tail or "",
    )


async def verify_project_tests(
    root: Path, environment: PythonEnvironment, *, home: Path, run_id: str
) -> Verification:
    """Run the project's pytest suite under coverage; passed only when it ran tests and none
    failed. The result is handed to the quality gate through its cache (module docstring)."""
    if environment.python is None or not environment.usable:
        return environment_problem(NAME, environment)
    profile = project_profile(root, environment)
    config = load_gate_config(profile)
    check = PytestCheck(timeout=config.timeouts.get("pytest"))  # as the gate makes it
    result = await check.run(profile)
    await _hand_over(check, result, profile, config, home=home, run_id=run_id)
    return _verification(result, environment)


async def audit_dependencies(
    root: Path, environment: PythonEnvironment, *, home: Path, run_id: str
) -> CheckResult | None:
    """Run the gate's pip-audit check now and hand its result to the gate (module
    docstring); None when the project's environment is not usable (the gate says why)."""
    if environment.python is None or not environment.usable:
        return None
    profile = project_profile(root, environment)
    config = load_gate_config(profile)
    check = PipAuditCheck(timeout=config.timeouts.get("pip-audit"))  # as the gate makes it
    if not check.applies_to(profile):
        return None
    result = await check.run(profile)
    await _hand_over(check, result, profile, config, home=home, run_id=run_id)
    return result


async def _hand_over(
    check: Check,
    result: CheckResult,
    profile: ProjectProfile,
    config: GateConfig,
    *,
    home: Path,
    run_id: str,
) -> None:
    """Keep `result` where the gate looks first, under the key it computes for this tree."""
    remember_tool_versions_in(default_cache_dir().parent / "tool-versions")
    cache = ResultCache(default_cache_dir())
    files = await fingerprint_files(profile.root, [home])
    inputs = await cache.inputs(check, profile, config)
    key = ResultCache.key_for(inputs, tree_digest(files))
    cache.save(key, result.model_copy(update={"run": run_id}))  # passed or failed only
    memo = NotRunMemo(cache.directory / "not-run")
    memo.save(memo.key(inputs, profile.root, files), result)  # not run only


def _verification(result: CheckResult, environment: PythonEnvironment) -> Verification:
    counts = {
        "passed": int(result.metrics.get("passed", 0)),
        "failed": int(result.metrics.get("failures", 0)),
        "error": int(result.metrics.get("errors", 0)),
        "skipped": int(result.metrics.get("skipped", 0)),
    }
    broken = [f.message.split(": ", 1)[0] for f in result.findings if f.rule in _FAILING_RULES]
    if result.status is CheckStatus.PASSED and counts["passed"]:
        status, reason = VerificationStatus.PASSED, None
    elif broken:
        status, reason = (
            VerificationStatus.FAILED,
            f"{len(broken)} failing: {', '.join(broken[:5])}",
        )
    elif result.status is CheckStatus.NOT_RUN or result.status is CheckStatus.PASSED:
        status, reason = VerificationStatus.NOT_RUN, result.reason or "pytest ran no test"
    else:
        status = VerificationStatus.FAILED
        reason = result.reason or f"pytest {result.status.value} (exit {result.exit_code})"
    details: dict[str, object] = {"environment": environment.describe(), "counts": counts}
    if "coverage_percent" in result.metrics:
        details["coverage_percent"] = round(result.metrics["coverage_percent"], 1)
    return Verification(
        name=NAME,
        status=status,
        command=_command(environment),
        exit_status=result.exit_code,
        output_tail=result.output_tail or _failures(result),
        reason=reason,
        seconds=round(result.duration, 3),
        details=details,
    )


def _command(environment: PythonEnvironment) -> tuple[str, ...]:
    # As the gate's pytest check runs it (plus --source, and --junitxml to a scratch file).
    coverage = ("-m", "coverage", "run") if environment.has("coverage") else ()
    return (str(environment.python), *coverage, "-m", "pytest", "-q")


def _failures(result: CheckResult) -> str:
    """The failing tests as pytest's JUnit report gives them: where, and why."""
    lines = []
    for finding in result.findings:
        if finding.rule in _FAILING_RULES:
            where = f"{finding.file}:{finding.line}: " if finding.file and finding.line else ""
            lines.append(f"{where}{finding.message}")
    return "\n".join(lines[-20:])
