"""Schema snapshots and data fingerprints on real SQLite and PostgreSQL."""

from __future__ import annotations

from devora.tools.migrations import (
    ColumnInfo,
    ConstraintInfo,
    IndexInfo,
    SchemaSnapshot,
    fingerprint_data,
    open_engine,
    snapshot_schema,
)

from .helpers import run_sql, state_of

SCHEMA = (
    "CREATE TABLE teams (id INTEGER PRIMARY KEY, name VARCHAR(40) NOT NULL UNIQUE)",
    "CREATE TABLE users ("
    " id INTEGER PRIMARY KEY,"
    " team_id INTEGER NOT NULL,"
    " email VARCHAR(100),"
    " age INTEGER DEFAULT 18,"
    " CONSTRAINT fk_users_team FOREIGN KEY (team_id) REFERENCES teams (id),"
    " CONSTRAINT ck_users_age CHECK (age >= 0))",
    "CREATE INDEX ix_users_email ON users (email)",
)


def _snapshot(url: str) -> SchemaSnapshot:
    with open_engine(url) as engine, engine.connect() as connection:
        return snapshot_schema(connection)


def test_snapshot_has_tables_columns_indexes_and_constraints(db_url: str) -> None:
    run_sql(db_url, *SCHEMA)
    snapshot = _snapshot(db_url)
    assert sorted(snapshot.tables) == ["teams", "users"]
    users = snapshot.tables["users"]
    assert [c.name for c in users.columns] == ["id", "team_id", "email", "age"]
    email = users.columns[2]
    assert email.type == "VARCHAR(100)" and email.nullable and email.default is None
    assert not users.columns[1].nullable
    assert users.columns[3].default is not None and "18" in users.columns[3].default
    assert IndexInfo(name="ix_users_email", columns=("email",), unique=False) in users.indexes
    kinds = {c.kind for c in users.constraints}
    assert kinds == {"primary_key", "foreign_key", "check"}
    fk = next(c for c in users.constraints if c.kind == "foreign_key")
    assert (fk.columns, fk.referred_table, fk.referred_columns) == (("team_id",), "teams", ("id",))
    check = next(c for c in users.constraints if c.kind == "check")
    assert check.name == "ck_users_age" and "age" in (check.sqltext or "")
    teams = snapshot.tables["teams"]
    assert any(c.kind == "unique" and c.columns == ("name",) for c in teams.constraints)


def test_equal_schemas_compare_equal_and_diff_lists_every_change(db_url: str) -> None:
    run_sql(db_url, *SCHEMA)
    before = _snapshot(db_url)
    assert _snapshot(db_url) == before
    assert before.diff(_snapshot(db_url)).empty
    run_sql(
        db_url,
        "CREATE TABLE audit (id INTEGER PRIMARY KEY)",
        "ALTER TABLE users ADD COLUMN nickname VARCHAR(20)",
        "DROP INDEX ix_users_email",
        "CREATE UNIQUE INDEX ix_users_email ON users (email)",
    )
    diff = before.diff(_snapshot(db_url))
    lines = diff.describe()
    assert "+ table audit" in lines
    assert "+ column users.nickname: nickname VARCHAR(20) NULL" in lines
    assert any(line.startswith("~ index users.ix_users_email: INDEX") for line in lines)
    assert len(lines) == 3


def test_models_round_trip_through_json() -> None:
    snapshot = SchemaSnapshot(
        dialect="sqlite",
        tables={},
    )
    assert SchemaSnapshot.model_validate_json(snapshot.model_dump_json()) == snapshot
    column = ColumnInfo(name="a", type="INTEGER", nullable=False, default="0")
    assert column.describe() == "a INTEGER NOT NULL DEFAULT 0"
    unnamed = ConstraintInfo(kind="unique", name=None, columns=("a", "b"))
    assert unnamed.key() == "unique:UNIQUE (a, b)"


def test_fingerprint_changes_with_any_row_and_not_with_row_order(db_url: str) -> None:
    run_sql(db_url, *SCHEMA, "INSERT INTO teams VALUES (1, 'a'), (2, 'b')")
    with open_engine(db_url) as engine, engine.connect() as connection:
        first = fingerprint_data(connection)
    assert first.tables["teams"].rows == 2 and first.tables["users"].rows == 0
    run_sql(db_url, "DELETE FROM teams", "INSERT INTO teams VALUES (2, 'b'), (1, 'a')")
    assert state_of(db_url)[1] == first
    run_sql(db_url, "UPDATE teams SET name = 'c' WHERE id = 2")
    changed = state_of(db_url)[1]
    assert changed != first
    assert first.changed_tables(changed) == ["teams"]


def test_views_are_part_of_the_snapshot(db_url: str) -> None:
    run_sql(db_url, *SCHEMA, "CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 18")
    before = _snapshot(db_url)
    assert list(before.views) == ["adults"]
    assert "age >= 18" in before.views["adults"]
    run_sql(
        db_url,
        "DROP VIEW adults",
        "CREATE VIEW adults AS SELECT id, email FROM users WHERE age >= 21",
        "CREATE VIEW everyone AS SELECT id FROM users",
    )
    added, changed = before.diff(_snapshot(db_url)).describe()  # removed, added, changed
    assert added.startswith("+ view everyone:")
    assert changed.startswith("~ view adults:") and "21" in changed


def test_postgresql_enums_and_added_values_show_in_the_diff(pg_url: str) -> None:
    run_sql(pg_url, "CREATE TYPE mood AS ENUM ('sad', 'ok')")
    before = _snapshot(pg_url)
    assert before.enums == {"mood": ("sad", "ok")}
    run_sql(pg_url, "ALTER TYPE mood ADD VALUE 'happy'", "CREATE TYPE size AS ENUM ('s')")
    assert before.diff(_snapshot(pg_url)).describe() == [
        "+ enum size: s",
        "~ enum mood: sad, ok -> sad, ok, happy",
    ]
