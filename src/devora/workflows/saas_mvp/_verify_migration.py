"""The generated Alembic migration, applied through Devora's migration workflow as a child
run: on a fresh SQLite file, and on a fresh PostgreSQL database dropped afterwards."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from devora.engine import StepContext, SubWorkflow
from devora.errors import StepError
from devora.private_files import make_private_dir
from devora.secrets import mask_url, url_password
from devora.workflows._registry import resolve_workflow
from devora.workflows.saas_mvp._records import Verification, VerificationStatus

__all__ = [
    "POSTGRES_URL_ENV",
    "create_database",
    "drop_database",
    "fresh_database_name",
    "migrate_child",
    "password_file",
    "postgres_server_url",
]

POSTGRES_URL_ENV = "DEVORA_SAAS_POSTGRES_URL"


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
    """Run the migration workflow on `url` as a child run; its outcome is the verification.

    A password never becomes a stored input nor an environment variable (which every later
    subprocess would inherit): the child is given the URL without it, and libpq reads it
    from a private password file (`passfile`) that lives only while the child runs.
    """
    name = f"migration on {database}"
    command = ("devora", "run", "migration", str(root), "--url", mask_url(url))
    started = time.monotonic()
    try:
        with password_file(url, ctx.home / "saas-mvp" / ctx.run_id) as child_url:
            inputs = {"path": str(root), "source": "alembic", "url": child_url}
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


@contextlib.contextmanager
def password_file(url: str, directory: Path) -> Iterator[str]:
    """`url` without its password, naming a private libpq password file that holds it; the
    file is removed when the block ends. A URL without a password is given back as it is."""
    password = url_password(url)
    if password is None:
        yield url
        return
    parsed = sa.engine.make_url(url)
    entry = [parsed.host or "*", str(parsed.port or "*"), parsed.database or "*"]
    line = ":".join(_pgpass_escape(part) for part in [*entry, parsed.username or "*", password])
    make_private_dir(directory)
    handle, name = tempfile.mkstemp(prefix="pgpass-", dir=directory)  # mode 0600
    path = Path(name)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as file:
            file.write(line + "\n")
        # URL.set(password=None) keeps the password (None means "unchanged"): build anew.
        bare = sa.engine.URL.create(
            parsed.drivername,
            username=parsed.username,
            host=parsed.host,
            port=parsed.port,
            database=parsed.database,
            query={**parsed.query, "passfile": str(path)},
        )
        yield bare.render_as_string(hide_password=False)
    finally:
        path.unlink(missing_ok=True)


def _pgpass_escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


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
