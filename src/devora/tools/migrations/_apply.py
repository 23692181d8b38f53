"""Apply the pending migrations, verify the result, and roll back to where the database was."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import URL

from devora.tools.migrations._backup import Backup, restore_backup
from devora.tools.migrations._database import open_engine
from devora.tools.migrations._errors import MigrationError
from devora.tools.migrations._schema import SchemaDiff, SchemaSnapshot, snapshot_schema
from devora.tools.migrations._source import Migration, MigrationSource, MigrationState

__all__ = [
    "SMOKE_ROW_LIMIT",
    "ApplyResult",
    "RollbackResult",
    "SmokeQuery",
    "SmokeResult",
    "VerifyResult",
    "apply_migrations",
    "rollback_migrations",
    "verify_migrations",
]


SMOKE_ROW_LIMIT = 1000
"""A smoke query's rows are counted up to this many (a smoke test is not a data export)."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ApplyResult(_Frozen):
    """What an apply did: the state and schema before and after, and what was applied."""

    start: MigrationState
    end: MigrationState
    applied: tuple[Migration, ...]
    before: SchemaSnapshot
    after: SchemaSnapshot


def apply_migrations(
    source: MigrationSource,
    url: str | URL,
    *,
    schema: str | None = None,
    create_missing: bool = False,
) -> ApplyResult:
    """Apply and commit the pending migrations (all-or-nothing when they allow it).

    `create_missing` lets a SQLite file that does not exist yet be created.
    """
    with open_engine(url, create_missing=create_missing) as engine:
        with engine.connect() as connection:
            start = source.state(connection)
            before = snapshot_schema(connection, schema=schema)
        applied = source.upgrade(engine)
        with engine.connect() as connection:
            end = source.state(connection)
            after = snapshot_schema(connection, schema=schema)
    return ApplyResult(start=start, end=end, applied=tuple(applied), before=before, after=after)


class SmokeQuery(_Frozen):
    """A query that must run without error after the migration (and return rows, if asked)."""

    sql: str
    expect_rows: bool = False
    name: str | None = None


class SmokeResult(_Frozen):
    """How one smoke query went."""

    query: SmokeQuery
    ok: bool
    rows: int | None = None
    """Rows returned, counted up to SMOKE_ROW_LIMIT; None for a statement without rows."""
    error: str | None = None


class VerifyResult(_Frozen):
    """Whether the schema is the predicted one and every smoke query passed."""

    schema_diff: SchemaDiff
    """Differences from the expected schema to the actual one (empty when they match)."""
    smoke: tuple[SmokeResult, ...]

    @property
    def ok(self) -> bool:
        """True when the schema matches and every smoke query passed."""
        return self.schema_diff.empty and all(s.ok for s in self.smoke)

    def problems(self) -> list[str]:
        """What failed, one line each."""
        lines = [f"schema differs from the dry-run: {c}" for c in self.schema_diff.describe()]
        for result in self.smoke:
            if not result.ok:
                label = result.query.name or result.query.sql
                lines.append(f"smoke query {label!r}: {result.error}")
        return lines


def _run_smoke(connection: sa.Connection, query: SmokeQuery) -> SmokeResult:
    # Each query runs in its own transaction, rolled back: a smoke test never writes.
    with connection.begin() as transaction:
        try:
            result = connection.exec_driver_sql(
                query.sql, execution_options={"no_parameters": True}
            )
            rows = len(result.fetchmany(SMOKE_ROW_LIMIT)) if result.returns_rows else None
        except sa.exc.DBAPIError as exc:
            problem = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            transaction.rollback()
            return SmokeResult(query=query, ok=False, error=problem)
        transaction.rollback()
    if query.expect_rows and not rows:
        return SmokeResult(query=query, ok=False, rows=rows or 0, error="returned no rows")
    return SmokeResult(query=query, ok=True, rows=rows)


def verify_migrations(
    url: str | URL,
    expected: SchemaSnapshot,
    smoke_queries: Sequence[SmokeQuery] = (),
    *,
    schema: str | None = None,
) -> VerifyResult:
    """Compare the schema with the dry-run's prediction and run the smoke queries."""
    with open_engine(url) as engine, engine.connect() as connection:
        actual = snapshot_schema(connection, schema=schema)
        connection.rollback()
        smoke = tuple(_run_smoke(connection, q) for q in smoke_queries)
    return VerifyResult(schema_diff=expected.diff(actual), smoke=smoke)


class RollbackResult(_Frozen):
    """How the database was brought back, and whether its schema is as before."""

    method: Literal["downgrade", "restore"]
    state: MigrationState
    schema_diff: SchemaDiff | None
    """Differences left from the schema before the migration (empty: fully back)."""
    restore_command: str | None = None


async def rollback_migrations(
    source: MigrationSource,
    url: str | URL,
    *,
    start: MigrationState,
    backup: Backup | None = None,
    before: SchemaSnapshot | None = None,
    schema: str | None = None,
) -> RollbackResult:
    """Downgrade to `start` when the source can, else restore the backup; then compare."""
    if source.supports_downgrade:
        with open_engine(url) as engine:
            source.downgrade(engine, start)
        method: Literal["downgrade", "restore"] = "downgrade"
    elif backup is not None:
        await restore_backup(backup, url)
        method = "restore"
    else:
        raise MigrationError(
            f"cannot roll back {source.location}: it has no downgrades and no backup was given",
            hint="take a backup (backup_database) before applying .sql migrations",
        )
    with open_engine(url) as engine, engine.connect() as connection:
        state = source.state(connection)
        diff = before.diff(snapshot_schema(connection, schema=schema)) if before else None
    return RollbackResult(
        method=method,
        state=state,
        schema_diff=diff,
        restore_command=backup.restore_command if backup and method == "restore" else None,
    )
