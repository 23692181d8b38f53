"""The generated Alembic migration, applied through Devora's migration workflow as a child
run: on a fresh SQLite file, and on a fresh PostgreSQL database dropped afterwards."""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from devora.engine import StepContext, SubWorkflow
from devora.errors import StepError
from devora.secrets import mask_url, url_password
from devora.workflows._registry import resolve_workflow
from devora.workflows.saas_mvp._records import Verification, VerificationStatus

__all__ = [
    "POSTGRES_URL_ENV",
    "create_database",
    "drop_database",
    "fresh_database_name",
    "migrate_child",
    "postgres_server_url",
]

POSTGRES_URL_ENV = "DEVORA_SAAS_POSTGRES_URL"
# The child reads a URL with a password from here: a secret is never a stored input.
_CHILD_URL_ENV = "DEVORA_SAAS_MIGRATION_URL"


def postgres_server_url(given: str | None) -> str | None:
    """The PostgreSQL server to check on: --postgres-url, else $DEVORA_SAAS_POSTGRES_URL."""
    value = given or os.environ.get(POSTGRES_URL_ENV, "").strip()
    if not value:
        return None
    return re.sub(r"^postgres(?:ql)?(\+\w+)?://", "postgresql+psycopg://", value)


def fresh_database_name(run_id: str) -> str:
    """A database of this run's own (dropped after the check)."""
    return "devora_saas_" + re.sub(r"[^a-z0-9]", "_", run_id.lower())[:40]


async def migrate_child(ctx: StepContext[Any], root: Path, url: str, database: str) -> Verification:
    """Run the migration workflow on `url` as a child run; its outcome is the verification."""
    inputs: dict[str, Any] = {"path": str(root), "source": "alembic"}
    if url_password(url) is not None:
        os.environ[_CHILD_URL_ENV] = url
        inputs["url_env"] = _CHILD_URL_ENV
    else:
        inputs["url"] = url
    name = f"migration on {database}"
    command = ("devora", "run", "migration", str(root), "--url", mask_url(url))
    started = time.monotonic()
    try:
        outputs = await SubWorkflow(resolve_workflow("migration"), inputs=inputs).run(ctx)
    except StepError as error:
        return Verification(
            name=name,
            status=VerificationStatus.FAILED,
            command=command,
            seconds=round(time.monotonic() - started, 3),
            reason=error.message,
            output_tail=error.hint or "",
        )
    applied = list(outputs.get("applied", []))
    status = VerificationStatus.PASSED if applied else VerificationStatus.FAILED
    return Verification(
        name=name,
        status=status,
        command=command,
        exit_status=0,
        seconds=round(time.monotonic() - started, 3),
        reason=None if applied else "the child run applied no migration",
        output_tail=json.dumps(outputs, sort_keys=True),
        details={"child_run": f"{ctx.run_id}.{ctx.step_id}", "applied": applied},
    )


async def create_database(server_url: str, name: str) -> str:
    """Create database `name` on the server (dropping a leftover of a crashed run first);
    its URL."""

    def create() -> None:
        admin = sa.create_engine(
            server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        finally:
            admin.dispose()

    await asyncio.to_thread(create)
    return sa.engine.make_url(server_url).set(database=name).render_as_string(hide_password=False)


async def drop_database(server_url: str, name: str) -> None:
    """Drop the run's database."""

    def drop() -> None:
        admin = sa.create_engine(
            server_url, isolation_level="AUTOCOMMIT", poolclass=sa.pool.NullPool
        )
        try:
            with admin.connect() as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            admin.dispose()

    await asyncio.to_thread(drop)
