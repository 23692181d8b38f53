"""Running one migration statement, translating the driver's refusal into a clear error."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from devora.tools.migrations._errors import MigrationStatementError, MigrationSyntaxError
from devora.tools.migrations._sqltext import SqlStatement

__all__ = ["execute_outside_transaction", "execute_statement", "translate_statement_error"]

_NO_PARAMETERS: Any = {"no_parameters": True}  # a `%` in the SQL is not a placeholder


def translate_statement_error(
    exc: sa.exc.DBAPIError, statement: SqlStatement, *, use_position: bool = True
) -> MigrationStatementError:
    """The most specific migration error for a statement the database refused.

    With `use_position`, the driver's error position (PostgreSQL) moves the line to where
    in the statement the error is.
    """
    orig = exc.orig
    problem = str(orig).strip().splitlines()[0] if orig is not None else str(exc)
    line = statement.line
    diag = getattr(orig, "diag", None)  # psycopg: SQLSTATE and the error's position
    position = getattr(diag, "statement_position", None) if diag is not None else None
    if position and use_position:
        line = statement.line_at(int(position))
    sqlstate = getattr(orig, "sqlstate", None)
    syntax = sqlstate == "42601" or (
        sqlstate is None and ("syntax error" in problem or "incomplete input" in problem)
    )
    cls = MigrationSyntaxError if syntax else MigrationStatementError
    return cls(statement.file, line, statement.sql, problem)


def execute_statement(connection: Connection, statement: SqlStatement) -> None:
    """Execute one statement on the connection (inside whatever transaction it has)."""
    try:
        connection.exec_driver_sql(statement.sql, execution_options=_NO_PARAMETERS)
    except sa.exc.DBAPIError as exc:
        raise translate_statement_error(exc, statement) from exc


def execute_outside_transaction(engine: Engine, statement: SqlStatement) -> None:
    """Execute a statement that cannot run in a transaction on its own autocommit connection."""
    with engine.connect() as connection:
        connection.execution_options(isolation_level="AUTOCOMMIT")
        execute_statement(connection, statement)
