"""Dry-run: apply the pending migrations and undo them, reporting the schema before and after."""

from __future__ import annotations

import asyncio
from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import URL

from devora.tools.migrations._copy import CopyMethod, open_throwaway_copy
from devora.tools.migrations._database import open_engine
from devora.tools.migrations._lint import advances_sequences, runs_outside_transaction
from devora.tools.migrations._schema import SchemaDiff, SchemaSnapshot, snapshot_schema
from devora.tools.migrations._source import Migration, MigrationSource, MigrationState

__all__ = ["DryRunResult", "dry_run"]


class DryRunResult(BaseModel):
    """What applying the pending migrations would do, found without changing the database."""

    model_config = ConfigDict(frozen=True)

    mode: Literal["transaction", "copy"]
    """`transaction`: run and rolled back; `copy`: run on a throwaway copy, then dropped."""
    copy_method: CopyMethod | None = None
    """How the copy was made: `file` (SQLite), `template` or `pg_dump` (PostgreSQL)."""
    start: MigrationState
    migrations: tuple[Migration, ...]
    before: SchemaSnapshot
    after: SchemaSnapshot

    @property
    def diff(self) -> SchemaDiff:
        """The schema changes the migrations make."""
        return self.before.diff(self.after)


class _Plan(BaseModel):
    """What was read before the dry-run, and the result when a transaction sufficed."""

    start: MigrationState
    pending: tuple[Migration, ...]
    before: SchemaSnapshot
    result: DryRunResult | None = None


def _in_transaction(source: MigrationSource, url: str | URL, schema: str | None) -> _Plan:
    with open_engine(url) as engine, engine.connect() as connection:
        start = source.state(connection)
        pending = tuple(source.pending(connection))
        before = snapshot_schema(connection, schema=schema)
        dialect = connection.dialect.name
        version = connection.dialect.server_version_info or ()
        connection.rollback()  # end the reads' implicit transaction
        # A copy is the only safe place for unknown SQL (a revision that cannot render
        # offline), for statements that cannot run in a transaction, and for sequence moves
        # (nextval is not rolled back).
        statements = [s for m in pending for s in m.statements]
        needs_copy = (
            any(m.render_problem for m in pending)
            or any(runs_outside_transaction(s, dialect, version) for s in statements)
            or advances_sequences(statements, dialect)
        )
        plan = _Plan(start=start, pending=pending, before=before)
        if needs_copy:
            return plan
        transaction = connection.begin()
        try:
            source.apply_in_transaction(connection)
            after = snapshot_schema(connection, schema=schema)
        finally:
            transaction.rollback()
    result = DryRunResult(
        mode="transaction", start=start, migrations=pending, before=before, after=after
    )
    return plan.model_copy(update={"result": result})


def _on_copy(source: MigrationSource, url: URL, schema: str | None) -> SchemaSnapshot:
    with open_engine(url) as copy:
        source.upgrade(copy)
        with copy.connect() as connection:
            return snapshot_schema(connection, schema=schema)


async def dry_run(
    source: MigrationSource, url: str | URL, *, schema: str | None = None
) -> DryRunResult:
    """Apply the pending migrations in a rolled-back transaction, or on a throwaway copy
    when a statement cannot run in one; the database itself is left as it was."""
    plan = await asyncio.to_thread(_in_transaction, source, url, schema)
    if plan.result is not None:
        return plan.result
    async with open_throwaway_copy(url) as (copy_url, method):
        after = await asyncio.to_thread(_on_copy, source, copy_url, schema)
    return DryRunResult(
        mode="copy",
        copy_method=method,
        start=plan.start,
        migrations=plan.pending,
        before=plan.before,
        after=after,
    )
