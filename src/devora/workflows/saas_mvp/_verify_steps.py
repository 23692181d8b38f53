"""The verifying steps: each runs its checks, records them with their evidence, and fails
the run when one did not pass (not run is not passed)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.pyenv import PythonEnvironment
from devora.workflows.saas_mvp._architecture import project_of
from devora.workflows.saas_mvp._generate import GeneratedProject
from devora.workflows.saas_mvp._plan import CHECKS
from devora.workflows.saas_mvp._records import Architecture, Verification, Verified
from devora.workflows.saas_mvp._requirements import the_spec
from devora.workflows.saas_mvp._verify_browser import verify_browser
from devora.workflows.saas_mvp._verify_http import verify_http
from devora.workflows.saas_mvp._verify_migration import (
    create_database,
    drop_database,
    fresh_database_name,
    migrate_child,
    postgres_server_url,
)
from devora.workflows.saas_mvp._verify_quality import verify_quality
from devora.workflows.saas_mvp._verify_tests import (
    audit_dependencies,
    environment_problem,
    project_environment,
    verify_project_tests,
)

__all__ = [
    "VerificationFailedError",
    "check_backend",
    "check_frontend",
    "check_postgresql",
    "check_quality_gate",
    "check_sqlite",
    "plan_verification",
    "record_verifications",
    "verify_backend",
    "verify_frontend",
    "verify_postgresql",
    "verify_quality_gate",
    "verify_sqlite",
]


class VerificationFailedError(StepError):
    """A check of the generated project did not pass; the message holds its evidence."""

    code = "saas_verification_failed"

    def __init__(self, failed: list[Verification], project: str) -> None:
        self.failed = failed
        evidence = "\n\n".join(verification.evidence() for verification in failed)
        super().__init__(
            f"the generated project did not pass {', '.join(v.name for v in failed)}:\n{evidence}",
            hint=f"the project is kept in {project} to look at; fix the template or the spec "
            "and run again",
        )


def record_verifications(
    ctx: StepContext[Any], verifications: list[Verification], *, fatal: bool = True
) -> Verified:
    """Log each verification, keep them as `verify-<step>.json`; when `fatal`, a check that
    did not pass fails the step (and the run) with its evidence."""
    for verification in verifications:
        ctx.log(
            f"{verification.name}: {verification.status.value}"
            + (f" ({verification.reason})" if verification.reason else ""),
            command=list(verification.command),
            exit_status=verification.exit_status,
            seconds=verification.seconds,
        )
    record = Verified(verifications=tuple(verifications))
    ctx.add_artifact(
        f"verify-{ctx.step_id}.json",
        json.dumps(record.model_dump(mode="json"), indent=2),
        media_type="application/json",
    )
    failed = [v for v in verifications if not v.passed]
    if failed and fatal:
        architecture: Architecture = ctx.result("architecture")
        raise VerificationFailedError(failed, architecture.layout.root)
    return record


def _root(ctx: StepContext[Any]) -> Path:
    architecture: Architecture = ctx.result("architecture")
    return Path(architecture.layout.root)


async def _environment(ctx: StepContext[Any], root: Path) -> PythonEnvironment:
    environment = await project_environment(root, ctx.home / "cache" / "environments", ctx.log)
    ctx.log(f"python environment: {environment.describe()}")
    return environment


def _prefixed(ctx: StepContext[Any], name: str) -> str:
    """`name` for the first checks; `<step>-name` for the enrichment's, beside them."""
    return name if ctx.step_id in CHECKS else f"{ctx.step_id}-{name}"


def _project(ctx: StepContext[Any], root: Path) -> GeneratedProject:
    return replace(project_of(ctx.result("architecture")), path=root)


async def check_sqlite(ctx: StepContext[Any], root: Path) -> list[Verification]:
    """The migration of the project at `root` on a fresh SQLite file (a child run)."""
    workspace = ctx.home / "saas-mvp" / ctx.run_id
    workspace.mkdir(parents=True, exist_ok=True)
    database = workspace / _prefixed(ctx, "migration-check.db")
    database.unlink(missing_ok=True)  # fresh (a resumed step whose child is done reuses it)
    sqlite3.connect(database).close()  # the migration workflow opens, never creates, a file
    return [await migrate_child(ctx, root, f"sqlite:///{database}", "SQLite")]


async def check_postgresql(ctx: StepContext[Any], root: Path) -> list[Verification]:
    """The migration of the project at `root` on a fresh PostgreSQL database, then dropped."""
    server = postgres_server_url(ctx.inputs.postgres_url)
    if server is None:
        raise StepError("no PostgreSQL server: --postgres-url or $DEVORA_SAAS_POSTGRES_URL")
    # One database per step: the enrichment's check must not meet the first one's.
    owner = ctx.run_id if ctx.step_id == "database-postgresql" else f"{ctx.run_id}-enriched"
    name = fresh_database_name(owner)
    url = await create_database(server, name)
    try:
        return [await migrate_child(ctx, root, url, f"PostgreSQL ({name})")]
    finally:
        await drop_database(server, name)


async def check_backend(ctx: StepContext[Any], root: Path) -> list[Verification]:
    """The tests of the project at `root` in its environment; the app does a round-trip."""
    environment = await _environment(ctx, root)
    project = _project(ctx, root)
    tests = verify_project_tests(project.path, environment, home=ctx.home, run_id=ctx.run_id)
    if environment.python is None or not environment.usable:
        return [await tests, environment_problem("app over HTTP", environment)]
    # Side by side: each returns its verification (a failed check never raises), so one
    # failing keeps the other's evidence; the app runs on a database of its own. The gate's
    # pip-audit runs beside them too (it waits mostly on its service), for the gate to reuse.
    async with asyncio.TaskGroup() as group:
        tested = group.create_task(tests)
        served = group.create_task(verify_http(project, environment.python, the_spec(ctx)))
        audited = group.create_task(
            audit_dependencies(root, environment, home=ctx.home, run_id=ctx.run_id)
        )
    audit = audited.result()
    if audit is not None:
        ctx.log(
            f"pip-audit (for the quality gate, which reuses it): {audit.status.value}"
            + (f" ({audit.reason})" if audit.reason else "")
        )
    return [tested.result(), served.result()]


async def check_frontend(ctx: StepContext[Any], root: Path) -> list[Verification]:
    """Sign up → create → list in headless Chromium on the project at `root`."""
    environment = await _environment(ctx, root)
    name = "sign-up, create, list in Chromium"
    if environment.python is None or not environment.usable:
        return [environment_problem(name, environment)]
    project = _project(ctx, root)
    with tempfile.TemporaryDirectory(prefix="devora-saas-shot-") as scratch:
        shot = Path(scratch) / "browser-failure.png"
        verification = await verify_browser(project, environment.python, the_spec(ctx), shot)
        if shot.is_file():
            artifact = _prefixed(ctx, "browser-failure.png")
            kept = ctx.add_artifact(artifact, shot, media_type="image/png")
            verification = verification.model_copy(
                update={"details": {**verification.details, "screenshot": str(kept)}}
            )
    return [verification]


async def check_quality_gate(ctx: StepContext[Any], root: Path) -> list[Verification]:
    """The quality gate on the project at `root` as a child run, score >= --min-score."""
    environment = await _environment(ctx, root)
    return [await verify_quality(ctx, root, int(ctx.inputs.min_score), environment)]


async def verify_sqlite(ctx: StepContext[Any]) -> Verified:
    """The migration applies on a fresh SQLite file (a child run of the migration workflow)."""
    return record_verifications(ctx, await check_sqlite(ctx, _root(ctx)))


async def verify_postgresql(ctx: StepContext[Any]) -> Verified:
    """The migration applies on a fresh PostgreSQL database, dropped afterwards."""
    return record_verifications(ctx, await check_postgresql(ctx, _root(ctx)))


async def verify_backend(ctx: StepContext[Any]) -> Verified:
    """The project's own tests in its environment; the app starts and does a round-trip."""
    return record_verifications(ctx, await check_backend(ctx, _root(ctx)))


async def verify_frontend(ctx: StepContext[Any]) -> Verified:
    """Sign up → create → list in headless Chromium; a screenshot is kept when it fails."""
    return record_verifications(ctx, await check_frontend(ctx, _root(ctx)))


async def verify_quality_gate(ctx: StepContext[Any]) -> Verified:
    """The quality gate passes on the project (score >= --min-score) as a child run; it
    reuses the result of the project's tests that `backend` ran, and a warm mypy cache."""
    return record_verifications(ctx, await check_quality_gate(ctx, _root(ctx)))


async def plan_verification(ctx: StepContext[Any]) -> Plan:
    """What this step would check."""
    text = CHECKS.get(ctx.step_id, ctx.step_id).format(min_score=ctx.inputs.min_score)
    return Plan(summary=f"verify: {text}")
