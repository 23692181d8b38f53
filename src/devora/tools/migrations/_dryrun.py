"""Dry-run: apply the pending migrations and undo them, reporting the schema before and after."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import URL

from devora.tools.migrations._copy import open_throwaway_copy
from devora.tools.migrations._database import open_engine
from devora.tools.migrations._lint import runs_outside_transaction
from devora.tools.migrations._schema import SchemaDiff, SchemaSnapshot, snapshot_schema
from devora.tools.migrations._source import Migration, MigrationSource, MigrationState

__all__ = ["DryRunResult", "dry_run"]


class DryRunResult(BaseModel):
    """What applying the pending migrations would do, found without changing the database."""

    model_config = ConfigDict(frozen=True)

    mode: Literal["transaction", "copy"]
    """`transaction`: run and rolled back; `copy`: run on a throwaway copy, then dropped."""
    start: MigrationState
    migrations: tuple[Migration, ...]
    before: SchemaSnapshot
    after: SchemaSnapshot

    @property
    def diff(self) -> SchemaDiff:
        """The schema changes the migrations make."""
        return self.before.diff(self.after)


def dry_run(source: MigrationSource, url: str | URL, *, schema: str | None = None) -> DryRunResult:
    """Apply the pending migrations in a rolled-back transaction, or on a throwaway copy
    when a statement cannot run in one; the database itself is left as it was."""
    with open_engine(url) as engine:
        with engine.connect() as connection:
            start = source.state(connection)
            pending = source.pending(connection)
            before = snapshot_schema(connection, schema=schema)
            dialect = connection.dialect.name
            version = connection.dialect.server_version_info or ()
            # Unknown SQL (a revision that cannot render offline) may need autocommit too:
            # only a throwaway copy is safe for it.
            needs_copy = any(m.render_problem for m in pending) or any(
                runs_outside_transaction(s, dialect, version) for m in pending for s in m.statements
            )
            connection.rollback()  # end the reads' implicit transaction
            if not needs_copy:
                transaction = connection.begin()
                try:
                    source.apply_in_transaction(connection)
                    after = snapshot_schema(connection, schema=schema)
                finally:
                    transaction.rollback()
                return DryRunResult(
                    mode="transaction",
                    start=start,
                    migrations=tuple(pending),
                    before=before,
                    after=after,
                )
        with open_throwaway_copy(engine) as copy_url, open_engine(copy_url) as copy:
            source.upgrade(copy)
            with copy.connect() as connection:
                after = snapshot_schema(connection, schema=schema)
        return DryRunResult(
            mode="copy", start=start, migrations=tuple(pending), before=before, after=after
        )
