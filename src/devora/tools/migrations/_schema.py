"""A comparable snapshot of a database schema (tables, columns, indexes, constraints)."""

from __future__ import annotations

from typing import Any, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import Connection

__all__ = [
    "ColumnInfo",
    "ConstraintInfo",
    "IndexInfo",
    "SchemaChange",
    "SchemaDiff",
    "SchemaSnapshot",
    "TableInfo",
    "snapshot_schema",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ColumnInfo(_Frozen):
    """A column: its type as the database names it, nullability and server default."""

    name: str
    type: str
    nullable: bool
    default: str | None = None

    def describe(self) -> str:
        """A one-line description, e.g. `email VARCHAR(255) NOT NULL DEFAULT ''`."""
        text = f"{self.name} {self.type} {'NULL' if self.nullable else 'NOT NULL'}"
        return text + (f" DEFAULT {self.default}" if self.default is not None else "")


class IndexInfo(_Frozen):
    """An index (not those that only back a constraint on SQLite)."""

    name: str | None
    columns: tuple[str, ...]
    unique: bool

    def describe(self) -> str:
        """A one-line description."""
        return f"{'UNIQUE ' if self.unique else ''}INDEX {self.name} ({', '.join(self.columns)})"


class ConstraintInfo(_Frozen):
    """A constraint: primary key, foreign key, unique or check."""

    kind: Literal["primary_key", "foreign_key", "unique", "check"]
    name: str | None
    columns: tuple[str, ...] = ()
    referred_table: str | None = None
    referred_columns: tuple[str, ...] = ()
    sqltext: str | None = None

    def key(self) -> str:
        """What identifies it across snapshots: its name, or its content when unnamed."""
        if self.name:
            return f"{self.kind}:{self.name}"
        return f"{self.kind}:{self.describe()}"

    def describe(self) -> str:
        """A one-line description."""
        cols = ", ".join(self.columns)
        label = {"primary_key": "PRIMARY KEY", "foreign_key": "FOREIGN KEY"}.get(
            self.kind, self.kind.upper()
        )
        text = f"{label} {self.name or ''} ({cols})".replace("  ", " ")
        if self.kind == "foreign_key":
            text += f" REFERENCES {self.referred_table} ({', '.join(self.referred_columns)})"
        if self.kind == "check":
            text += f" CHECK ({self.sqltext})"
        return text


class TableInfo(_Frozen):
    """A table with its columns, indexes and constraints, in a stable order."""

    name: str
    columns: tuple[ColumnInfo, ...]
    indexes: tuple[IndexInfo, ...] = ()
    constraints: tuple[ConstraintInfo, ...] = ()


class SchemaChange(_Frozen):
    """One difference between two snapshots."""

    change: Literal["added", "removed", "changed"]
    object: Literal["table", "column", "index", "constraint", "view", "enum"]
    table: str
    name: str | None = None
    before: str | None = None
    after: str | None = None

    def describe(self) -> str:
        """A one-line description, e.g. `+ column users.email VARCHAR NULL`."""
        sign = {"added": "+", "removed": "-", "changed": "~"}[self.change]
        where = self.table if self.name is None else f"{self.table}.{self.name}"
        if self.object == "table" or (self.object in ("view", "enum") and self.change != "changed"):
            detail = f": {self.after or self.before}" if self.object != "table" else ""
            return f"{sign} {self.object} {self.table}{detail}"
        if self.change == "changed":
            return f"{sign} {self.object} {where}: {self.before} -> {self.after}"
        return f"{sign} {self.object} {where}: {self.after or self.before}"


class SchemaDiff(_Frozen):
    """What changed from one snapshot to another."""

    changes: tuple[SchemaChange, ...] = ()

    @property
    def empty(self) -> bool:
        """True when the two schemas are the same."""
        return not self.changes

    def describe(self) -> list[str]:
        """The changes, one line each."""
        return [c.describe() for c in self.changes]


def _compare(
    obj: Literal["column", "index", "constraint"],
    table: str,
    before: dict[str, str],
    after: dict[str, str],
    names: dict[str, str | None],
) -> list[SchemaChange]:
    changes: list[SchemaChange] = []
    for key in sorted(before.keys() - after.keys()):
        changes.append(
            SchemaChange(
                change="removed", object=obj, table=table, name=names[key], before=before[key]
            )
        )
    for key in sorted(after.keys() - before.keys()):
        changes.append(
            SchemaChange(change="added", object=obj, table=table, name=names[key], after=after[key])
        )
    for key in sorted(before.keys() & after.keys()):
        if before[key] != after[key]:
            changes.append(
                SchemaChange(
                    change="changed",
                    object=obj,
                    table=table,
                    name=names[key],
                    before=before[key],
                    after=after[key],
                )
            )
    return changes


def _compare_named(
    obj: Literal["view", "enum"], before: dict[str, str], after: dict[str, str]
) -> list[SchemaChange]:
    changes = [
        SchemaChange(change="removed", object=obj, table=n, before=before[n])
        for n in sorted(before.keys() - after.keys())
    ]
    changes += [
        SchemaChange(change="added", object=obj, table=n, after=after[n])
        for n in sorted(after.keys() - before.keys())
    ]
    changes += [
        SchemaChange(change="changed", object=obj, table=n, before=before[n], after=after[n])
        for n in sorted(before.keys() & after.keys())
        if before[n] != after[n]
    ]
    return changes


class SchemaSnapshot(_Frozen):
    """The schema of one database at one moment; equal snapshots mean equal schemas."""

    dialect: str
    schema_name: str | None = None
    tables: dict[str, TableInfo]
    views: dict[str, str] = {}
    """View name to its definition, whitespace collapsed."""
    enums: dict[str, tuple[str, ...]] = {}
    """PostgreSQL enum type name to its labels, in order."""

    def diff(self, after: SchemaSnapshot) -> SchemaDiff:
        """The changes that turn this snapshot into `after`."""
        changes: list[SchemaChange] = []
        for name in sorted(self.tables.keys() - after.tables.keys()):
            changes.append(SchemaChange(change="removed", object="table", table=name))
        for name in sorted(after.tables.keys() - self.tables.keys()):
            changes.append(SchemaChange(change="added", object="table", table=name))
        for name in sorted(self.tables.keys() & after.tables.keys()):
            old, new = self.tables[name], after.tables[name]
            names: dict[str, str | None] = {}
            for item in (*old.columns, *new.columns):
                names[item.name] = item.name
            changes += _compare(
                "column",
                name,
                {c.name: c.describe() for c in old.columns},
                {c.name: c.describe() for c in new.columns},
                names,
            )
            index_keys: dict[str, str | None] = {}
            for ix in (*old.indexes, *new.indexes):
                index_keys[ix.name or ix.describe()] = ix.name
            changes += _compare(
                "index",
                name,
                {ix.name or ix.describe(): ix.describe() for ix in old.indexes},
                {ix.name or ix.describe(): ix.describe() for ix in new.indexes},
                index_keys,
            )
            constraint_names: dict[str, str | None] = {}
            for ct in (*old.constraints, *new.constraints):
                constraint_names[ct.key()] = ct.name
            changes += _compare(
                "constraint",
                name,
                {ct.key(): ct.describe() for ct in old.constraints},
                {ct.key(): ct.describe() for ct in new.constraints},
                constraint_names,
            )
        changes += _compare_named("view", self.views, after.views)
        changes += _compare_named(
            "enum",
            {k: ", ".join(v) for k, v in self.enums.items()},
            {k: ", ".join(v) for k, v in after.enums.items()},
        )
        return SchemaDiff(changes=tuple(changes))


def _type_name(column: dict[str, Any], dialect: sa.Dialect) -> str:
    try:
        return str(column["type"].compile(dialect=dialect))
    except Exception:  # a type the dialect cannot render back (reflected NullType, ...)
        return repr(column["type"])


def _constraints(inspector: sa.Inspector, table: str, schema: str | None) -> list[ConstraintInfo]:
    found: list[ConstraintInfo] = []
    pk = inspector.get_pk_constraint(table, schema=schema)
    if pk.get("constrained_columns"):
        found.append(
            ConstraintInfo(
                kind="primary_key", name=pk.get("name"), columns=tuple(pk["constrained_columns"])
            )
        )
    for fk in inspector.get_foreign_keys(table, schema=schema):
        found.append(
            ConstraintInfo(
                kind="foreign_key",
                name=fk.get("name"),
                columns=tuple(fk["constrained_columns"]),
                referred_table=fk["referred_table"],
                referred_columns=tuple(fk["referred_columns"]),
            )
        )
    for uq in inspector.get_unique_constraints(table, schema=schema):
        found.append(
            ConstraintInfo(kind="unique", name=uq.get("name"), columns=tuple(uq["column_names"]))
        )
    if inspector.dialect.name == "sqlite":
        found += _sqlite_inline_uniques(inspector, table, found)
    try:
        checks = inspector.get_check_constraints(table, schema=schema)
    except NotImplementedError:
        checks = []
    for ck in checks:
        found.append(ConstraintInfo(kind="check", name=ck.get("name"), sqltext=ck["sqltext"]))
    return sorted(found, key=lambda c: c.key())


def _sqlite_inline_uniques(
    inspector: sa.Inspector, table: str, known: list[ConstraintInfo]
) -> list[ConstraintInfo]:
    # SQLAlchemy misses column-level `UNIQUE` on SQLite; SQLite keeps them as automatic
    # indexes of origin 'u', which PRAGMA index_list shows.
    bind = inspector.bind
    assert isinstance(bind, Connection)
    quoted = bind.dialect.identifier_preparer.quote(table)
    covered = {c.columns for c in known if c.kind == "unique"}
    extra: list[ConstraintInfo] = []
    for row in bind.exec_driver_sql(f"PRAGMA index_list({quoted})").all():
        if row[3] != "u":
            continue
        index = bind.dialect.identifier_preparer.quote(str(row[1]))
        info = bind.exec_driver_sql(f"PRAGMA index_info({index})").all()
        columns = tuple(str(r[2]) for r in sorted(info, key=lambda r: r[0]))
        if columns not in covered:
            covered.add(columns)
            extra.append(ConstraintInfo(kind="unique", name=None, columns=columns))
    return extra


def snapshot_schema(connection: Connection, *, schema: str | None = None) -> SchemaSnapshot:
    """Read the schema through the connection (inside its transaction, if any)."""
    inspector = sa.inspect(connection)
    tables: dict[str, TableInfo] = {}
    for table in inspector.get_table_names(schema=schema):
        columns = tuple(
            ColumnInfo(
                name=col["name"],
                type=_type_name(dict(col), connection.dialect),
                nullable=bool(col["nullable"]),
                default=None if col.get("default") is None else str(col["default"]),
            )
            for col in inspector.get_columns(table, schema=schema)
        )
        indexes = tuple(
            sorted(
                (
                    IndexInfo(
                        name=ix.get("name"),
                        columns=tuple(str(c) for c in ix.get("column_names", [])),
                        unique=bool(ix.get("unique")),
                    )
                    for ix in inspector.get_indexes(table, schema=schema)
                    if not ix.get("duplicates_constraint")
                ),
                key=lambda ix: (ix.name or "", ix.columns),
            )
        )
        tables[table] = TableInfo(
            name=table,
            columns=columns,
            indexes=indexes,
            constraints=tuple(_constraints(inspector, table, schema)),
        )
    views = {
        view: " ".join(str(inspector.get_view_definition(view, schema=schema) or "").split())
        for view in inspector.get_view_names(schema=schema)
    }
    enums: dict[str, tuple[str, ...]] = {}
    get_enums = getattr(inspector, "get_enums", None)  # PostgreSQL's inspector only
    if get_enums is not None:
        for enum in get_enums(schema=schema):
            enums[str(enum["name"])] = tuple(str(label) for label in enum["labels"])
    return SchemaSnapshot(
        dialect=connection.dialect.name,
        schema_name=schema,
        tables=tables,
        views=views,
        enums=enums,
    )
