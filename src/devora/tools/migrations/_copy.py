"""Throwaway copies of a database, for statements that cannot be tried inside a transaction.

SQLite: the file is copied through the backup API. PostgreSQL: `CREATE DATABASE ... TEMPLATE`
(fast, but refused while any other session is connected to the source, as an application
usually is), else a new empty database filled by pg_dump | pg_restore. The copy is dropped
on exit, whatever happened inside.
"""

from __future__ import annotations

import asyncio
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine, make_url

from devora.tools.migrations._backup import copy_sqlite_file, libpq_uri
from devora.tools.migrations._database import mask_url, sqlite_path
from devora.tools.migrations._errors import BackupError
from devora.tools.migrations._tool import run_tool

__all__ = ["CopyMethod", "open_throwaway_copy"]

CopyMethod = Literal["file", "template", "pg_dump"]
_OBJECT_IN_USE = "55006"


def _quote(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


def _create_database(admin: Engine, name: str, template: str | None) -> bool:
    """Create the database; False when the template is in use by another session."""
    sql = f"CREATE DATABASE {_quote(admin, name)}"
    if template is not None:
        sql += f" TEMPLATE {_quote(admin, template)}"
    with admin.connect() as connection:
        if template is not None:
            # PostgreSQL waits ~5 s before refusing a template in use: ask first.
            sessions = connection.execute(
                sa.text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name"),
                {"name": template},
            ).scalar()
            if sessions:
                return False
        try:
            connection.exec_driver_sql(sql)
        except sa.exc.DBAPIError as exc:
            if template is not None and getattr(exc.orig, "sqlstate", None) == _OBJECT_IN_USE:
                return False
            raise BackupError(
                "copy for the dry-run",
                mask_url(admin.url),
                str(exc.orig).strip().splitlines()[0],
                hint="creating the throwaway copy needs the CREATEDB privilege",
            ) from exc
    return True


def _drop_database(admin: Engine, name: str) -> None:
    with admin.connect() as connection:
        connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {_quote(admin, name)} WITH (FORCE)")


async def _fill_by_dump(source: URL, target: URL, directory: Path) -> None:
    dump = directory / "source.dump"
    src_uri, env = libpq_uri(source)
    dst_uri, _ = libpq_uri(target)
    masked = mask_url(source)
    await run_tool(
        ["pg_dump", "--format=custom", "--no-owner", f"--file={dump}", f"--dbname={src_uri}"],
        action="copy for the dry-run",
        target=masked,
        env=env,
    )
    await run_tool(
        ["pg_restore", "--exit-on-error", "--no-owner", f"--dbname={dst_uri}", str(dump)],
        action="copy for the dry-run",
        target=masked,
        env=env,
    )


@asynccontextmanager
async def open_throwaway_copy(url: str | URL) -> AsyncIterator[tuple[URL, CopyMethod]]:
    """Copy the database; yield the copy's URL and how it was made; drop the copy on exit."""
    parsed = make_url(url)
    with tempfile.TemporaryDirectory(prefix="devora-dryrun-") as directory:
        path = sqlite_path(parsed)
        if path is not None:
            target = Path(directory) / path.name
            await asyncio.to_thread(copy_sqlite_file, path, target)
            yield make_url(f"sqlite:///{target}"), "file"
            return
        if parsed.get_backend_name() != "postgresql":
            raise BackupError(
                "copy for the dry-run",
                mask_url(parsed),
                f"no way to copy a {parsed.get_backend_name()} database",
            )
        source = parsed.database or ""
        name = f"{source[:30]}_devora_dryrun_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(
            parsed.set(database="postgres"),
            poolclass=sa.pool.NullPool,
            isolation_level="AUTOCOMMIT",
        )
        copy_url = parsed.set(database=name)
        try:
            method: CopyMethod = "template"
            try:
                if not await asyncio.to_thread(_create_database, admin, name, source):
                    method = "pg_dump"
                    await asyncio.to_thread(_create_database, admin, name, None)
                    await _fill_by_dump(parsed, copy_url, Path(directory))
                yield copy_url, method
            finally:
                await asyncio.shield(asyncio.to_thread(_drop_database, admin, name))
        finally:
            admin.dispose()
