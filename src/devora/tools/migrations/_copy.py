"""Throwaway copies of a database, for statements that cannot be tried inside a transaction."""

from __future__ import annotations

import sqlite3
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, Engine

from devora.tools.migrations._database import mask_url, sqlite_path
from devora.tools.migrations._errors import BackupError

__all__ = ["open_throwaway_copy"]


def _quote(engine: Engine, name: str) -> str:
    return engine.dialect.identifier_preparer.quote(name)


@contextmanager
def _sqlite_copy(source: Path) -> Iterator[URL]:
    with tempfile.TemporaryDirectory(prefix="devora-dryrun-") as directory:
        target = Path(directory) / source.name
        with closing(sqlite3.connect(source)) as src, closing(sqlite3.connect(target)) as dst:
            src.backup(dst)
        yield sa.engine.make_url(f"sqlite:///{target}")


@contextmanager
def _postgres_copy(engine: Engine) -> Iterator[URL]:
    source = engine.url.database or ""
    name = f"{source[:30]}_devora_dryrun_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(
        engine.url.set(database="postgres"),
        poolclass=sa.pool.NullPool,
        isolation_level="AUTOCOMMIT",
    )
    try:
        with admin.connect() as connection:
            try:
                connection.exec_driver_sql(
                    f"CREATE DATABASE {_quote(admin, name)} TEMPLATE {_quote(admin, source)}"
                )
            except sa.exc.DBAPIError as exc:
                raise BackupError(
                    "copy for the dry-run",
                    mask_url(engine.url),
                    str(exc.orig).strip().splitlines()[0],
                    hint="CREATE DATABASE ... TEMPLATE needs no other session on the database "
                    "and the CREATEDB privilege; close other connections and retry",
                ) from exc
        try:
            yield engine.url.set(database=name)
        finally:
            with admin.connect() as connection:
                connection.exec_driver_sql(
                    f"DROP DATABASE IF EXISTS {_quote(admin, name)} WITH (FORCE)"
                )
    finally:
        admin.dispose()


@contextmanager
def open_throwaway_copy(engine: Engine) -> Iterator[URL]:
    """Copy the database (SQLite file copy, PostgreSQL TEMPLATE) and drop the copy on exit."""
    path = sqlite_path(engine.url)
    if path is not None:
        with _sqlite_copy(path) as url:
            yield url
    elif engine.dialect.name == "postgresql":
        with _postgres_copy(engine) as url:
            yield url
    else:
        raise BackupError(
            "copy for the dry-run",
            mask_url(engine.url),
            f"no way to copy a {engine.dialect.name} database",
        )
