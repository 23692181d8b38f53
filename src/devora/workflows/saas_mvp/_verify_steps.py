"""The verifying steps: each runs its checks, records them with their evidence, and fails
the run when one did not pass (not run is not passed)."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.pyenv import PythonEnvironment
from devora.workflows.saas_mvp._architecture import project_of
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
    environment_problem,
    project_environment,
    verify_project_tests,
)

__all__ = [
    "VerificationFailedError",
    "plan_verification",
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


def _record(ctx: StepContext[Any], verifications: list[Verification]) -> Verified:
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
    if failed:
        architecture: Architecture = ctx.result("architecture")
        raise VerificationFailedError(failed, architecture.layout.root)
    return record


def _root(ctx: StepContext[Any]) -> Path:
    architecture: Architecture = ctx.result("architecture")
    return Path(architecture.layout.root)


async def _environment(ctx: StepContext[Any]) -> PythonEnvironment:
    environment = await project_environment(
        _root(ctx), ctx.home / "cache" / "environments", ctx.log
    )
    ctx.log(f"python environment: {environment.describe()}")
    return environment


async def verify_sqlite(ctx: StepContext[Any]) -> Verified:
    """The migration applies on a fresh SQLite file (a child run of the migration workflow)."""
    workspace = ctx.home / "saas-mvp" / ctx.run_id
    workspace.mkdir(parents=True, exist_ok=True)
    database = workspace / "migration-check.db"
    database.unlink(missing_ok=True)  # fresh (a resumed step whose child is done reuses it)
    sqlite3.connect(database).close()  # the migration workflow opens, never creates, a file
    verification = await migrate_child(ctx, _root(ctx), f"sqlite:///{database}", "SQLite")
    return _record(ctx, [verification])


async def verify_postgresql(ctx: StepContext[Any]) -> Verified:
    """The migration applies on a fresh PostgreSQL database, dropped afterwards."""
    server = postgres_server_url(ctx.inputs.postgres_url)
    if server is None:
        raise StepError("no PostgreSQL server: --postgres-url or $DEVORA_SAAS_POSTGRES_URL")
    name = fresh_database_name(ctx.run_id)
    url = await create_database(server, name)
    try:
        verification = await migrate_child(ctx, _root(ctx), url, f"PostgreSQL ({name})")
    finally:
        await drop_database(server, name)
    return _record(ctx, [verification])


async def verify_backend(ctx: StepContext[Any]) -> Verified:
    """The project's own tests in its environment; the app starts and does a round-trip."""
    environment = await _environment(ctx)
    project = project_of(ctx.result("architecture"))
    tests = verify_project_tests(project.path, environment, home=ctx.home, run_id=ctx.run_id)
    if environment.python is None or not environment.usable:
        return _record(ctx, [await tests, environment_problem("app over HTTP", environment)])
    # Side by side: each returns its verification (a failed check never raises), so one
    # failing keeps the other's evidence; the app runs on a database of its own.
    async with asyncio.TaskGroup() as group:
        tested = group.create_task(tests)
        served = group.create_task(verify_http(project, environment.python, the_spec(ctx)))
    return _record(ctx, [tested.result(), served.result()])


async def verify_frontend(ctx: StepContext[Any]) -> Verified:
    """Sign up → create → list in headless Chromium; a screenshot is kept when it fails."""
    environment = await _environment(ctx)
    name = "sign-up, create, list in Chromium"
    if environment.python is None or not environment.usable:
        return _record(ctx, [environment_problem(name, environment)])
    project = project_of(ctx.result("architecture"))
    with tempfile.TemporaryDirectory(prefix="devora-saas-shot-") as scratch:
        shot = Path(scratch) / "browser-failure.png"
        verification = await verify_browser(project, environment.python, the_spec(ctx), shot)
        if shot.is_file():
            kept = ctx.add_artifact("browser-failure.png", shot, media_type="image/png")
            verification = verification.model_copy(
                update={"details": {**verification.details, "screenshot": str(kept)}}
            )
    return _record(ctx, [verification])


async def verify_quality_gate(ctx: StepContext[Any]) -> Verified:
    """The quality gate passes on the project (score >= --min-score) as a child run; it
    reuses the result of the project's tests that `backend` ran, and a warm mypy cache."""
    environment = await _environment(ctx)
    verification = await verify_quality(ctx, _root(ctx), int(ctx.inputs.min_score), environment)
    return _record(ctx, [verification])


async def plan_verification(ctx: StepContext[Any]) -> Plan:
    """What this step would check."""
    text = CHECKS.get(ctx.step_id, ctx.step_id).format(min_score=ctx.inputs.min_score)
    return Plan(summary=f"verify: {text}")
