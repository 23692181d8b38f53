"""How the store reaches its database: one small interface, two connections.

SQLite is driven through the standard library's `sqlite3`, so a command that only reads
or journals a run never imports SQLAlchemy (a fifth of a second of start-up). Any other
database (PostgreSQL) goes through SQLAlchemy's engine, which parses its URL, pings its
connection and knows its driver. Both take the same SQL text with `:name` parameters;
the schema itself (its tables and versioned upgrades) stays SQLAlchemy's, imported only
when a schema must be created or upgraded.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

__all__ = [
    "Cursor",
    "Database",
    "PooledDatabase",
    "SqliteDatabase",
    "Statements",
    "rows_as_dicts",
]

BUSY_TIMEOUT_MS = 60_000
Params = Mapping[str, Any] | None


class Cursor(Protocol):
    """The part of a DB-API cursor the store uses."""

    @property
    def rowcount(self) -> int: ...
    @property
    def description(self) -> Any: ...

    def execute(self, sql: str, params: Any = ..., /) -> Any: ...
    def executemany(self, sql: str, params: Any, /) -> Any: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def close(self) -> None: ...


class Database:
    """A connection the store owns; `transaction()` yields a cursor inside one transaction.

    Statements are written once, with `:name` parameters; `sql()` gives the driver's form.
    """

    dialect: str = ""

    def sql(self, statement: str) -> str:
        """The statement in this driver's parameter style."""
        return statement

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Cursor]:
        """A cursor in a transaction committed on exit, rolled back on error."""
        raise NotImplementedError
        yield  # pragma: no cover

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        raise NotImplementedError


class SqliteDatabase(Database):
    """One `sqlite3` connection in WAL mode; writers take the lock up front."""

    dialect = "sqlite"

    def __init__(self, path: Path) -> None:
        # isolation_level=None: Devora issues BEGIN itself, so a writer can ask for
        # BEGIN IMMEDIATE and wait for the lock at the start instead of failing with
        # "database is locked" when it upgrades a read lock mid-transaction.
        self._connection: sqlite3.Connection | None = sqlite3.connect(
            path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
        )
        try:
            self._connection.execute("PRAGMA journal_mode=WAL")
            self._connection.execute("PRAGMA synchronous=NORMAL")
            self._connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        except BaseException:
            self.close()
            raise

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Cursor]:
        connection = self._connection
        if connection is None:
            raise sqlite3.ProgrammingError("Cannot operate on a closed database.")
        connection.execute("BEGIN" if read_only else "BEGIN IMMEDIATE")
        with _committed(connection, rolls_back=lambda: connection.in_transaction) as cursor:
            yield cursor

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


class PooledDatabase(Database):
    """A database behind SQLAlchemy's engine (PostgreSQL): one pooled driver connection."""

    def __init__(self, url: str) -> None:
        import sqlalchemy as sa

        self._engine = sa.create_engine(
            url,
            pool_pre_ping=True,
            connect_args={"connect_timeout": 5} if "psycopg" in url else {},
        )
        self.dialect = self._engine.dialect.name
        self._named = self._engine.dialect.paramstyle == "named"
        self._connection: Any = None
        try:
            self._connection = self._engine.raw_connection()
        except BaseException:
            self._engine.dispose()
            raise

    @property
    def engine(self) -> Any:
        """SQLAlchemy's engine, for what needs SQLAlchemy itself (creating the schema)."""
        return self._engine

    def sql(self, statement: str) -> str:
        return statement if self._named else _pyformat(statement)

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Cursor]:
        connection = self._connection
        if connection is None:
            raise RuntimeError("the store's connection is closed")
        with _committed(connection, rolls_back=lambda: True) as cursor:
            yield cursor

    def close(self) -> None:
        if self._connection is not None:
            connection, self._connection = self._connection, None
            connection.close()
        self._engine.dispose()


@contextmanager
def _committed(connection: Any, *, rolls_back: Callable[[], bool]) -> Iterator[Cursor]:
    """A cursor of connection's, committed when the block ends; rolled back (when
    `rolls_back()` says a transaction is open) when it raises."""
    cursor = connection.cursor()
    try:
        yield cursor
    except BaseException:
        if rolls_back():
            connection.rollback()
        raise
    else:
        connection.commit()
    finally:
        cursor.close()


_NAMED_PARAMETER = re.compile(r"(?<![:\w]):([A-Za-z_]\w*)")


@lru_cache(maxsize=512)
def _pyformat(statement: str) -> str:
    """`:name` → `%(name)s` (psycopg's style); a literal `%` is doubled first."""
    return _NAMED_PARAMETER.sub(r"%(\1)s", statement.replace("%", "%%"))


def rows_as_dicts(cursor: Cursor) -> list[dict[str, Any]]:
    """The cursor's remaining rows as column → value mappings."""
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


class Statements:
    """SQL run inside one transaction: `:name` parameters, rows as dicts."""

    __slots__ = ("cursor", "database")

    def __init__(self, database: Database, cursor: Cursor) -> None:
        self.database = database
        self.cursor = cursor

    def execute(self, statement: str, params: Params = None) -> int:
        """Run one statement; returns how many rows it changed."""
        self.cursor.execute(self.database.sql(statement), dict(params or {}))
        return int(self.cursor.rowcount)

    def execute_many(self, statement: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Run one statement once per row of parameters."""
        if rows:
            self.cursor.executemany(self.database.sql(statement), [dict(r) for r in rows])

    def rows(self, statement: str, params: Params = None) -> list[dict[str, Any]]:
        """Every row the query returns, as column → value."""
        self.cursor.execute(self.database.sql(statement), dict(params or {}))
        return rows_as_dicts(self.cursor)

    def first(self, statement: str, params: Params = None) -> dict[str, Any] | None:
        """The query's first row, or None."""
        rows = self.rows(statement, params)
        return rows[0] if rows else None

    def scalar(self, statement: str, params: Params = None) -> Any:
        """The first column of the first row, or None."""
        self.cursor.execute(self.database.sql(statement), dict(params or {}))
        row = self.cursor.fetchone()
        return None if row is None else row[0]
