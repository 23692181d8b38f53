"""Where a database is: its migration state, schema and a fingerprint of its data."""

from __future__ import annotations

from devora.tools.migrations import MigrationSource, fingerprint_data, open_engine, snapshot_schema
from devora.workflows.migration._records import Position

__all__ = ["differences", "read_position"]


def read_position(source: MigrationSource, url: str, schema: str | None) -> Position:
    """Read the database's migration state, schema and data fingerprint."""
    with open_engine(url) as engine, engine.connect() as connection:
        state = source.state(connection)
        connection.rollback()
        return Position(
            state=state,
            schema_snapshot=snapshot_schema(connection, schema=schema),
            data=fingerprint_data(connection, schema=schema),
        )


def differences(before: Position, now: Position) -> list[str]:
    """What differs between two positions (empty: the database is where it was)."""
    problems = [
        f"schema: {line}" for line in before.schema_snapshot.diff(now.schema_snapshot).describe()
    ]
    problems += [f"data of table {name} differs" for name in before.data.changed_tables(now.data)]
    if before.state.applied != now.state.applied:
        problems.append(
            f"migration state {', '.join(now.state.applied) or 'nothing'} instead of "
            f"{', '.join(before.state.applied) or 'nothing'}"
        )
    return problems
