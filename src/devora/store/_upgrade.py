"""Creating and upgrading the store's schema: SQLAlchemy, imported only when needed.

Opening a store whose schema is current costs one query; only a new or older store pays
for SQLAlchemy, once, to create or upgrade its tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from devora.store import _tables as tables

if TYPE_CHECKING:
    from devora.store._database import Database, PooledDatabase

__all__ = ["schema_is_current", "upgrade_pooled", "upgrade_sqlite"]

_PG_UPGRADE_LOCK = 4242424242  # one process upgrades at a time; the others wait


def schema_is_current(database: Database) -> bool:
    """Whether a SQLite store's schema is the version this code writes (one query)."""
    with database.transaction(read_only=True) as cursor:
        cursor.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
            (tables.SCHEMA,),
        )
        if cursor.fetchone()[0] == 0:
            return False
        cursor.execute(f"SELECT version FROM {tables.SCHEMA}")  # nosec B608
        row = cursor.fetchone()
    return row is not None and row[0] == tables.SCHEMA_VERSION


def upgrade_sqlite(path: Path) -> None:
    """Create or upgrade a SQLite store's schema, one process at a time (BEGIN IMMEDIATE)."""
    import sqlalchemy as sa

    from devora.store._database import BUSY_TIMEOUT_MS
    from devora.store._schema import upgrade_schema

    engine = sa.create_engine(f"sqlite:///{path}", connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

    @sa.event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # Devora issues BEGIN itself

    @sa.event.listens_for(engine, "begin")
    def _on_begin(connection: sa.Connection) -> None:
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    try:
        with engine.begin() as connection:
            upgrade_schema(connection)
    finally:
        engine.dispose()


def upgrade_pooled(database: PooledDatabase) -> None:
    """Create or upgrade a PostgreSQL store's schema under an advisory lock."""
    import sqlalchemy as sa

    from devora.store._schema import upgrade_schema

    with database.engine.begin() as connection:
        if database.dialect == "postgresql":
            connection.execute(sa.text(f"SELECT pg_advisory_xact_lock({_PG_UPGRADE_LOCK})"))
        upgrade_schema(connection)
