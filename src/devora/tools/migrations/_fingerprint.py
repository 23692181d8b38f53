"""A data fingerprint: per table, the row count and a hash of its rows in a canonical order."""

from __future__ import annotations

import hashlib
import json

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection

__all__ = ["DataFingerprint", "TableFingerprint", "fingerprint_data"]


class TableFingerprint(BaseModel):
    """The row count and content hash of one table."""

    model_config = ConfigDict(frozen=True)

    rows: int
    sha256: str


class DataFingerprint(BaseModel):
    """Per-table fingerprints; equal fingerprints mean the same rows in every table."""

    model_config = ConfigDict(frozen=True)

    tables: dict[str, TableFingerprint]
    sequences: dict[str, int | None] = {}
    """PostgreSQL sequences' last values (None: never used); nextval survives a rollback."""

    def changed_tables(self, other: DataFingerprint) -> list[str]:
        """Tables whose rows differ, or that exist in only one of the two."""
        names = self.tables.keys() | other.tables.keys()
        return sorted(n for n in names if self.tables.get(n) != other.tables.get(n))

    def changed_sequences(self, other: DataFingerprint) -> list[str]:
        """Sequences whose last value differs, or that exist in only one of the two."""
        names = self.sequences.keys() | other.sequences.keys()
        return sorted(
            n
            for n in names
            if n not in self.sequences
            or n not in other.sequences
            or self.sequences[n] != other.sequences[n]
        )


def fingerprint_data(connection: Connection, *, schema: str | None = None) -> DataFingerprint:
    """Hash every table's rows; rows are sorted in Python so any column type works."""
    inspector = sa.inspect(connection)
    tables: dict[str, TableFingerprint] = {}
    for name in inspector.get_table_names(schema=schema):
        table = sa.Table(name, sa.MetaData(), schema=schema)
        columns = [c["name"] for c in inspector.get_columns(name, schema=schema)]
        selected: list[sa.ColumnClause[object]] = [sa.column(c) for c in columns]
        query = sa.select(*selected).select_from(table)
        encoded = sorted(
            json.dumps(list(row), default=repr, sort_keys=True) for row in connection.execute(query)
        )
        digest = hashlib.sha256()
        digest.update(json.dumps(columns).encode())
        for line in encoded:
            digest.update(line.encode())
            digest.update(b"\n")
        tables[name] = TableFingerprint(rows=len(encoded), sha256=digest.hexdigest())
    sequences: dict[str, int | None] = {}
    if connection.dialect.name == "postgresql":
        rows = connection.execute(
            sa.text(
                "SELECT sequencename, last_value FROM pg_sequences "
                "WHERE schemaname = coalesce(:schema, current_schema()) ORDER BY sequencename"
            ),
            {"schema": schema},
        )
        sequences = {str(name): value for name, value in rows}
    return DataFingerprint(tables=tables, sequences=sequences)
