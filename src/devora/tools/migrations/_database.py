"""Opening a migration target: engines whose transactions really cover DDL, masked URLs."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.pool import NullPool

from devora.secrets import mask_url
from devora.tools.migrations._errors import DatabaseUnreachableError

__all__ = ["mask_url", "open_engine", "sqlite_path"]


def sqlite_path(url: str | URL) -> Path | None:
    """The file of a SQLite URL, or None for an in-memory or non-SQLite database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def _make_sqlite_ddl_transactional(engine: Engine) -> None:
    # pysqlite only emits BEGIN before DML, so DDL would autocommit and a rollback would
    # not undo CREATE TABLE. Take transaction control (SQLAlchemy's documented recipe).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            connection.exec_driver_sql("BEGIN")


@contextmanager
def open_engine(url: str | URL, *, create_missing: bool = False) -> Iterator[Engine]:
    """Open an engine on `url`, check it connects, and dispose of it on exit.

    A SQLite file that does not exist is an error (a mistyped path must not silently
    become a new empty database) unless `create_missing` is true.
    """
    masked = mask_url(url)
    try:
        parsed = make_url(url)
    except Exception as exc:
        raise DatabaseUnreachableError(masked, f"not a database URL ({exc})") from exc
    path = sqlite_path(parsed)
    if path is not None and not path.parent.is_dir():
        raise DatabaseUnreachableError(masked, f"directory {path.parent} does not exist")
    if path is not None and not create_missing and not path.exists():
        raise DatabaseUnreachableError(
            masked,
            f"SQLite file {path} does not exist",
            hint="check the path; to migrate a new database, create it first "
            "(apply_migrations(..., create_missing=True))",
        )
    connect_args: dict[str, Any] = {}
    if parsed.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = 5
    try:
        engine = sa.create_engine(parsed, poolclass=NullPool, connect_args=connect_args)
    except Exception as exc:
        raise DatabaseUnreachableError(masked, str(exc).splitlines()[0]) from exc
    if engine.dialect.name == "sqlite":
        _make_sqlite_ddl_transactional(engine)
    try:
        with engine.connect() as connection:
            connection.exec_driver_sql("SELECT 1")
    except sa.exc.DBAPIError as exc:
        engine.dispose()
        problem = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        raise DatabaseUnreachableError(masked, problem) from exc
    try:
        yield engine
    finally:
        engine.dispose()
