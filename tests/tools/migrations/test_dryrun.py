"""Dry-run: the predicted schema is right and the database is exactly as before."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa

from devora.tools.migrations import (
    AlembicSource,
    MigrationSyntaxError,
    SqlFolderSource,
    dry_run,
    open_engine,
    snapshot_schema,
)

from .helpers import (
    require_executable,
    run_sql,
    state_of,
    write_alembic_project,
    write_sql_folder,
)
from .revisions import A1, B2, C3_CONCURRENT

FIRST = {
    "0001_users.sql": """
        CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
        INSERT INTO users (id, name) VALUES (1, 'ann'), (2, 'bob');
    """
}
SECOND = {
    "0002_email.sql": """
        ALTER TABLE users ADD COLUMN email VARCHAR(100);
        UPDATE users SET email = name || '@example.org';
        CREATE TABLE audit (id INTEGER PRIMARY KEY, what VARCHAR(20));
        INSERT INTO audit VALUES (1, 'migrated');
    """
}


def copies_of(url: str, postgres_url: str) -> list[str]:
    """The dry-run copies of url's database still on the server. Only its own: tests in
    other workers make and drop copies of their databases at the same time."""
    prefix = f"{sa.make_url(url).database}"[:30] + "_devora_dryrun_"
    with open_engine(postgres_url) as engine, engine.connect() as connection:
        names = connection.exec_driver_sql("SELECT datname FROM pg_database").scalars()
        return [name for name in names if name.startswith(prefix)]


def _applied_first(tmp_path: Path, url: str) -> SqlFolderSource:
    source = SqlFolderSource(write_sql_folder(tmp_path, FIRST))
    with open_engine(url) as engine:
        source.upgrade(engine)
    return source


async def test_dry_run_in_a_transaction_predicts_and_changes_nothing(
    tmp_path: Path, db_url: str
) -> None:
    source = _applied_first(tmp_path, db_url)
    write_sql_folder(tmp_path, SECOND)
    before = state_of(db_url)
    result = await dry_run(source, db_url)
    assert state_of(db_url) == before
    assert result.mode == "transaction"
    assert [m.version for m in result.migrations] == ["2"]
    assert result.start.applied == ("1",)
    assert result.before == before[0]
    assert result.diff.describe() == [
        "+ table audit",
        "+ column users.email: email VARCHAR(100) NULL",
    ]
    with open_engine(db_url) as engine:
        source.upgrade(engine)
        with engine.connect() as connection:
            assert snapshot_schema(connection) == result.after


async def test_dry_run_of_a_fresh_database_leaves_no_history_table(
    tmp_path: Path, db_url: str
) -> None:
    source = SqlFolderSource(write_sql_folder(tmp_path, {**FIRST, **SECOND}))
    run_sql(db_url, "CREATE TABLE other (id INTEGER PRIMARY KEY)", "INSERT INTO other VALUES (1)")
    before = state_of(db_url)
    result = await dry_run(source, db_url)
    assert "devora_schema_migrations" in result.after.tables
    assert state_of(db_url) == before
    assert "devora_schema_migrations" not in before[0].tables


async def test_dry_run_with_a_syntax_error_reports_it_and_changes_nothing(
    tmp_path: Path, db_url: str
) -> None:
    source = _applied_first(tmp_path, db_url)
    write_sql_folder(tmp_path, {"0002_bad.sql": "ALTER TABLE users ADD COLUMN x int;\nSELEC 1;\n"})
    before = state_of(db_url)
    with pytest.raises(MigrationSyntaxError) as info:
        await dry_run(source, db_url)
    assert info.value.line == 2 and info.value.file.endswith("0002_bad.sql")
    assert state_of(db_url) == before


async def test_concurrent_index_goes_to_a_throwaway_copy(
    tmp_path: Path, pg_url: str, postgres_url: str
) -> None:
    source = _applied_first(tmp_path, pg_url)
    write_sql_folder(
        tmp_path,
        {"0002_index.sql": "CREATE INDEX CONCURRENTLY ix_users_name ON users (name);\n"},
    )
    before = state_of(pg_url)
    result = await dry_run(source, pg_url)
    assert (result.mode, result.copy_method) == ("copy", "template")
    assert result.diff.describe() == ["+ index users.ix_users_name: INDEX ix_users_name (name)"]
    assert state_of(pg_url) == before
    assert copies_of(pg_url, postgres_url) == []


async def test_vacuum_on_sqlite_goes_to_a_throwaway_copy(tmp_path: Path, sqlite_url: str) -> None:
    source = _applied_first(tmp_path, sqlite_url)
    write_sql_folder(tmp_path, {"0002_vacuum.sql": "DELETE FROM users WHERE id = 2;\nVACUUM;\n"})
    before = state_of(sqlite_url)
    result = await dry_run(source, sqlite_url)
    assert result.mode == "copy"
    assert result.diff.empty
    assert state_of(sqlite_url) == before


async def test_alembic_dry_run_in_a_transaction(tmp_path: Path, db_url: str) -> None:
    source = AlembicSource(write_alembic_project(tmp_path, {"a1.py": A1, "b2.py": B2}))
    before = state_of(db_url)
    result = await dry_run(source, db_url)
    assert result.mode == "transaction"
    assert sorted(result.after.tables) == ["alembic_version", "users"]
    assert [c.name for c in result.after.tables["users"].columns] == ["id", "full_name", "email"]
    assert state_of(db_url) == before


async def test_alembic_autocommit_block_dry_run_uses_a_copy(tmp_path: Path, pg_url: str) -> None:
    source = AlembicSource(
        write_alembic_project(tmp_path, {"a1.py": A1, "b2.py": B2, "c3.py": C3_CONCURRENT})
    )
    before = state_of(pg_url)
    result = await dry_run(source, pg_url)
    assert result.mode == "copy"
    assert any(ix.name == "ix_users_full_name" for ix in result.after.tables["users"].indexes)
    assert state_of(pg_url) == before


async def test_copy_of_a_database_in_use_is_made_with_pg_dump(
    tmp_path: Path, pg_url: str, postgres_url: str
) -> None:
    require_executable("pg_dump", "apt-get install postgresql-client")
    source = _applied_first(tmp_path, pg_url)
    write_sql_folder(
        tmp_path,
        {"0002_index.sql": "CREATE INDEX CONCURRENTLY ix_users_name ON users (name);\n"},
    )
    before = state_of(pg_url)
    application = sa.create_engine(pg_url, poolclass=sa.pool.NullPool)
    with application.connect() as busy:  # an application session: TEMPLATE is refused
        busy.exec_driver_sql("SELECT 1")
        result = await dry_run(source, pg_url)
    application.dispose()
    assert (result.mode, result.copy_method) == ("copy", "pg_dump")
    assert result.diff.describe() == ["+ index users.ix_users_name: INDEX ix_users_name (name)"]
    assert state_of(pg_url) == before
    assert copies_of(pg_url, postgres_url) == []


async def test_insert_into_an_existing_serial_table_is_tried_on_a_copy(
    tmp_path: Path, pg_url: str
) -> None:
    run_sql(
        pg_url,
        "CREATE TABLE events (id SERIAL PRIMARY KEY, what VARCHAR(20))",
        "INSERT INTO events (what) VALUES ('boot')",
    )
    source = SqlFolderSource(
        write_sql_folder(tmp_path, {"0001_seed.sql": "INSERT INTO events (what) VALUES ('x');\n"})
    )
    before = state_of(pg_url)
    assert before[1].sequences == {"events_id_seq": 1}
    result = await dry_run(source, pg_url)
    assert result.mode == "copy"  # nextval is not undone by a rollback
    assert state_of(pg_url) == before


def test_fingerprint_sees_a_sequence_moved_by_a_rolled_back_insert(pg_url: str) -> None:
    run_sql(pg_url, "CREATE TABLE events (id SERIAL PRIMARY KEY, what VARCHAR(20))")
    before = state_of(pg_url)
    with open_engine(pg_url) as engine, engine.connect() as connection:
        connection.exec_driver_sql("INSERT INTO events (what) VALUES ('x')")
        connection.rollback()
    after = state_of(pg_url)
    assert after[1].tables == before[1].tables
    assert after[1] != before[1]
    assert before[1].changed_tables(after[1]) == []
    assert before[1].changed_sequences(after[1]) == ["events_id_seq"]


async def test_enum_value_added_in_a_transaction_is_rolled_back(
    tmp_path: Path, pg_url: str
) -> None:
    run_sql(pg_url, "CREATE TYPE mood AS ENUM ('sad', 'ok')")
    source = SqlFolderSource(
        write_sql_folder(tmp_path, {"0001_mood.sql": "ALTER TYPE mood ADD VALUE 'happy';\n"})
    )
    before = state_of(pg_url)
    result = await dry_run(source, pg_url)
    assert result.mode == "transaction"  # allowed in a transaction since PostgreSQL 12
    assert "~ enum mood: sad, ok -> sad, ok, happy" in result.diff.describe()
    assert state_of(pg_url) == before
