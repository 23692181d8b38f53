"""Backups before a migration: SQLite through its backup API, PostgreSQL through pg_dump."""

from __future__ import annotations

import asyncio
import datetime as dt
import shlex
import sqlite3
import uuid
from contextlib import closing
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import URL, make_url

from devora.tools.migrations._database import mask_url, open_engine, sqlite_path
from devora.tools.migrations._errors import BackupError
from devora.tools.migrations._tool import run_tool

__all__ = ["Backup", "backup_database", "copy_sqlite_file", "libpq_uri", "restore_backup"]

_USER_SCHEMAS = (
    "SELECT nspname FROM pg_namespace WHERE left(nspname, 3) <> 'pg_' "
    "AND nspname <> 'information_schema' ORDER BY nspname"
)


class Backup(BaseModel):
    """A backup file of a database, and the commands that restore it."""

    model_config = ConfigDict(frozen=True)

    dialect: Literal["sqlite", "postgresql"]
    path: Path
    database: str
    """The backed-up database's URL, password masked."""
    created_at: dt.datetime
    restore_commands: tuple[tuple[str, ...], ...]

    @property
    def restore_command(self) -> str:
        """The restore as one shell line, for the report (no password in it)."""
        return " && ".join(shlex.join(argv) for argv in self.restore_commands)


def libpq_uri(url: URL) -> tuple[str, dict[str, str]]:
    """A libpq URI without the password, and the environment that carries the password."""
    # URL.set(password=None) keeps the password (None means "unchanged"): build anew.
    bare = URL.create(
        "postgresql",
        username=url.username,
        host=url.host,
        port=url.port,
        database=url.database,
        query=url.query,
    )
    uri = bare.render_as_string(hide_password=False)
    env = {"PGPASSWORD": str(url.password)} if url.password else {}
    return uri, env


def _stamp() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S") + "-" + uuid.uuid4().hex[:6]


def copy_sqlite_file(source: Path, target: Path) -> None:
    """Copy a SQLite database page by page through its backup API (safe while in use)."""
    with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
        src.backup(dst)


async def backup_database(url: str | URL, directory: str | Path) -> Backup:
    """Back the database up into a new file in `directory` and return where it is."""
    parsed = make_url(url)
    masked = mask_url(parsed)
    with open_engine(parsed):  # a clear error for an unreachable database, before anything
        pass
    folder = Path(directory)
    await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
    path = sqlite_path(parsed)
    if path is not None:
        if not path.is_file():
            raise BackupError("backup", masked, f"{path} does not exist")
        target = folder / f"{path.stem}-{_stamp()}.sqlite3"
        try:
            await asyncio.to_thread(copy_sqlite_file, path, target)
        except sqlite3.Error as exc:
            raise BackupError("backup", masked, str(exc)) from exc
        command = ("sqlite3", str(path), f'.restore "{target}"')
        return Backup(
            dialect="sqlite",
            path=target,
            database=masked,
            created_at=dt.datetime.now(dt.UTC),
            restore_commands=(command,),
        )
    if parsed.get_backend_name() != "postgresql":
        raise BackupError("backup", masked, f"no backup method for {parsed.get_backend_name()}")
    uri, env = libpq_uri(parsed)
    target = folder / f"{parsed.database}-{_stamp()}.dump"
    argv = ["pg_dump", "--format=custom", "--no-owner", f"--file={target}", f"--dbname={uri}"]
    await run_tool(argv, action="backup", target=masked, env=env)
    with open_engine(parsed) as engine, engine.connect() as connection:
        schemas = [str(s) for s in connection.exec_driver_sql(_USER_SCHEMAS).scalars()]
    drops = " ".join(f'DROP SCHEMA IF EXISTS "{s}" CASCADE;' for s in schemas)
    commands = (
        (
            "psql",
            f"--dbname={uri}",
            "--set=ON_ERROR_STOP=1",
            f"--command={drops} CREATE SCHEMA IF NOT EXISTS public;",
        ),
        (
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            f"--dbname={uri}",
            str(target),
        ),
    )
    return Backup(
        dialect="postgresql",
        path=target,
        database=masked,
        created_at=dt.datetime.now(dt.UTC),
        restore_commands=commands,
    )


async def restore_backup(backup: Backup, url: str | URL) -> None:
    """Bring the database back to the backup: every object made since is gone."""
    parsed = make_url(url)
    masked = mask_url(parsed)
    if not backup.path.is_file():
        raise BackupError("restore", masked, f"backup file {backup.path} does not exist")
    if backup.dialect == "sqlite":
        path = sqlite_path(parsed)
        if path is None:
            raise BackupError("restore", masked, "a SQLite backup restores into a SQLite file")
        try:
            await asyncio.to_thread(copy_sqlite_file, backup.path, path)
        except sqlite3.Error as exc:
            raise BackupError("restore", masked, str(exc)) from exc
        return
    await _restore_postgres(backup, parsed, masked)


async def _restore_postgres(backup: Backup, url: URL, masked: str) -> None:
    # Move the current schemas aside rather than dropping them, so that a pg_restore that
    # fails leaves the database as it was instead of empty.
    suffix = f"_devora_old_{uuid.uuid4().hex[:8]}"
    with open_engine(url) as engine, engine.connect() as connection:
        quote = connection.dialect.identifier_preparer.quote
        with connection.begin():
            schemas = [str(s) for s in connection.exec_driver_sql(_USER_SCHEMAS).scalars()]
            for schema in schemas:
                aside = schema[: 63 - len(suffix)] + suffix
                connection.exec_driver_sql(f"ALTER SCHEMA {quote(schema)} RENAME TO {quote(aside)}")
            version = connection.dialect.server_version_info or (0,)
            owner = " AUTHORIZATION pg_database_owner" if version >= (15,) else ""
            connection.exec_driver_sql(f"CREATE SCHEMA public{owner}")
            connection.exec_driver_sql("GRANT USAGE ON SCHEMA public TO PUBLIC")
        uri, env = libpq_uri(url)
        argv = [
            "pg_restore",
            "--exit-on-error",
            "--single-transaction",
            "--no-owner",
            f"--dbname={uri}",
            str(backup.path),
        ]
        try:
            await run_tool(argv, action="restore", target=masked, env=env)
        except BaseException:
            with connection.begin():
                connection.exec_driver_sql("DROP SCHEMA IF EXISTS public CASCADE")
                for schema in schemas:
                    aside = schema[: 63 - len(suffix)] + suffix
                    connection.exec_driver_sql(
                        f"ALTER SCHEMA {quote(aside)} RENAME TO {quote(schema)}"
                    )
            raise
        with connection.begin():
            for schema in schemas:
                aside = schema[: 63 - len(suffix)] + suffix
                connection.exec_driver_sql(f"DROP SCHEMA {quote(aside)} CASCADE")
