"""The interface every migration source (a folder of .sql files, an Alembic project) offers."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection, Engine

from devora.tools.migrations._sqltext import SqlStatement

__all__ = ["Migration", "MigrationSource", "MigrationState"]


class Migration(BaseModel):
    """One migration: its version, its file and the SQL it runs on this database."""

    model_config = ConfigDict(frozen=True)

    version: str
    name: str
    file: str
    statements: tuple[SqlStatement, ...]
    render_problem: str | None = None
    """Why the SQL could not be known in advance (then `statements` is incomplete)."""


class MigrationState(BaseModel):
    """What a database has applied: versions (.sql folder) or current heads (Alembic)."""

    model_config = ConfigDict(frozen=True)

    source: str
    applied: tuple[str, ...]
    tracked: bool = True
    """Whether the source's bookkeeping table (history or version table) existed."""


@runtime_checkable
class MigrationSource(Protocol):
    """Where migrations come from and how they are applied and undone."""

    kind: str
    location: str
    supports_downgrade: bool

    def state(self, connection: Connection) -> MigrationState:
        """What the database has applied."""
        ...

    def pending(self, connection: Connection) -> list[Migration]:
        """The migrations not yet applied, in order; checks the source first."""
        ...

    def apply_in_transaction(self, connection: Connection) -> list[Migration]:
        """Apply every pending migration inside the caller's open transaction; never commit."""
        ...

    def upgrade(self, engine: Engine) -> list[Migration]:
        """Apply and commit every pending migration (all-or-nothing unless a statement must
        run outside a transaction, then one transaction per migration)."""
        ...

    def downgrade(self, engine: Engine, to: MigrationState) -> None:
        """Undo migrations until the database is at `to` (sources without downgrades raise)."""
        ...
