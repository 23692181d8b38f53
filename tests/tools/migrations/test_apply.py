"""Apply, verify against the dry-run, roll back; and bad URLs, on real databases."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.tools.migrations import (
    AlembicSource,
    DatabaseUnreachableError,
    MigrationError,
    MigrationState,
    MigrationStatementError,
    SmokeQuery,
    SqlFolderSource,
    analyze,
    apply_migrations,
    backup_database,
    dry_run,
    rollback_migrations,
    verify_migrations,
)

from .helpers import require_executable, run_sql, state_of, write_alembic_project, write_sql_folder
from .revisions import A1, B2

FOLDER = {
    "0001_users.sql": """
        CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
        INSERT INTO users (id, name) VALUES (1, 'ann');
    """,
    "0002_orders.sql": """
        CREATE TABLE orders (
            id INTEGER PRIMARY KEY,
            user_id INTEGER NOT NULL REFERENCES users (id),
            total NUMERIC(10, 2) DEFAULT 0 CHECK (total >= 0)
        );
        CREATE INDEX ix_orders_user ON orders (user_id);
    """,
}
SMOKE = (
    SmokeQuery(name="users readable", sql="SELECT id, name FROM users", expect_rows=True),
    SmokeQuery(sql="SELECT count(*) FROM orders WHERE total >= 0"),
)


async def test_sql_folder_apply_verify_and_restore(tmp_path: Path, db_url: str) -> None:
    run_sql(db_url, "CREATE TABLE keep (id INTEGER PRIMARY KEY)", "INSERT INTO keep VALUES (1)")
    source = SqlFolderSource(write_sql_folder(tmp_path, FOLDER))
    before = state_of(db_url)
    predicted = await dry_run(source, db_url)
    backup = await backup_database(db_url, tmp_path / "artifacts")
    result = apply_migrations(source, db_url)
    assert [m.version for m in result.applied] == ["1", "2"]
    assert result.start.applied == () and result.end.applied == ("1", "2")
    assert result.after == predicted.after
    verified = verify_migrations(db_url, predicted.after, SMOKE)
    assert verified.ok, verified.problems()
    assert [s.rows for s in verified.smoke] == [1, 1]
    rolled = await rollback_migrations(
        source, db_url, start=result.start, backup=backup, before=result.before
    )
    assert rolled.method == "restore"
    assert rolled.schema_diff is not None and rolled.schema_diff.empty
    assert rolled.restore_command == backup.restore_command
    assert state_of(db_url) == before


async def test_alembic_apply_then_rollback_by_downgrade(tmp_path: Path, db_url: str) -> None:
    source = AlembicSource(write_alembic_project(tmp_path, {"a1.py": A1}))
    first = apply_migrations(source, db_url)
    assert first.end.applied == ("a1",)
    before = state_of(db_url)
    write_alembic_project(tmp_path, {"b2.py": B2})
    source = AlembicSource(tmp_path / "alembic_project" / "alembic.ini")
    result = apply_migrations(source, db_url)
    assert result.start.applied == ("a1",) and result.end.applied == ("b2",)
    rolled = await rollback_migrations(source, db_url, start=result.start, before=result.before)
    assert rolled.method == "downgrade" and rolled.state.applied == ("a1",)
    assert rolled.schema_diff is not None and rolled.schema_diff.empty
    assert state_of(db_url) == before


async def test_verify_reports_a_schema_that_is_not_the_predicted_one(
    tmp_path: Path, sqlite_url: str
) -> None:
    source = SqlFolderSource(write_sql_folder(tmp_path, FOLDER))
    predicted = await dry_run(source, sqlite_url)
    apply_migrations(source, sqlite_url)
    run_sql(sqlite_url, "ALTER TABLE users ADD COLUMN surprise INTEGER")
    verified = verify_migrations(sqlite_url, predicted.after)
    assert not verified.ok
    assert verified.problems() == [
        "schema differs from the dry-run: + column users.surprise: surprise INTEGER NULL"
    ]


async def test_failing_and_empty_smoke_queries_fail_verification_without_writing(
    tmp_path: Path, db_url: str
) -> None:
    source = SqlFolderSource(write_sql_folder(tmp_path, FOLDER))
    predicted = await dry_run(source, db_url)
    apply_migrations(source, db_url)
    before = state_of(db_url)
    verified = verify_migrations(
        db_url,
        predicted.after,
        [
            SmokeQuery(sql="SELECT * FROM orders", expect_rows=True),
            SmokeQuery(name="ghost", sql="SELECT * FROM ghosts"),
            SmokeQuery(sql="DELETE FROM users"),
        ],
    )
    assert not verified.ok
    first, second, third = verified.smoke
    assert (first.ok, first.error) == (False, "returned no rows")
    assert not second.ok and "ghosts" in (second.error or "")
    assert third.ok
    assert state_of(db_url) == before  # the DELETE was rolled back
    assert any(line.startswith("smoke query 'ghost':") for line in verified.problems())


async def test_rollback_of_sql_without_backup_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    source = SqlFolderSource(write_sql_folder(tmp_path, FOLDER))
    result = apply_migrations(source, sqlite_url)
    with pytest.raises(MigrationError, match="no downgrades and no backup"):
        await rollback_migrations(source, sqlite_url, start=result.start)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://admin:hunter2@127.0.0.1:1/app",
        "sqlite:////nonexistent-dir/devora/app.db",
        "sqlite:///{tmp}/missing.db",
        "not a database url",
    ],
)
async def test_unreachable_database_is_a_clear_error(tmp_path: Path, url: str) -> None:
    url = url.format(tmp=tmp_path)
    source = SqlFolderSource(write_sql_folder(tmp_path, FOLDER))
    errors = []
    with pytest.raises(DatabaseUnreachableError) as info:
        analyze(source, url)
    errors.append(info.value)
    with pytest.raises(DatabaseUnreachableError) as info:
        await dry_run(source, url)
    errors.append(info.value)
    with pytest.raises(DatabaseUnreachableError) as info:
        apply_migrations(source, url)
    errors.append(info.value)
    for error in errors:
        assert "hunter2" not in str(error)
        assert error.url in error.message
        assert error.hint
    assert not (tmp_path / "missing.db").exists()


def test_apply_may_create_a_new_sqlite_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    source = SqlFolderSource(write_sql_folder(tmp_path, FOLDER))
    result = apply_migrations(source, url, create_missing=True)
    assert result.end.applied == ("1", "2")
    assert sorted(result.after.tables) == ["devora_schema_migrations", "orders", "users"]


def test_analyze_lists_pending_and_findings_and_changes_nothing(
    tmp_path: Path, db_url: str
) -> None:
    source = SqlFolderSource(write_sql_folder(tmp_path, FOLDER))
    apply_migrations(source, db_url)
    write_sql_folder(tmp_path, {"0003_cleanup.sql": "-- bye\nDROP TABLE orders;\n"})
    before = state_of(db_url)
    analysis = analyze(source, db_url)
    assert state_of(db_url) == before
    assert [m.version for m in analysis.pending] == ["3"]
    assert [(f.rule, f.line) for f in analysis.findings] == [("drop-table", 2)]
    assert analysis.findings[0].file == str(tmp_path / "migrations" / "0003_cleanup.sql")
    relative = analyze(source, db_url, root=tmp_path)
    assert relative.findings[0].file == "migrations/0003_cleanup.sql"


async def test_non_atomic_failure_says_what_stayed_and_the_backup_brings_it_back(
    tmp_path: Path, pg_url: str
) -> None:
    require_executable("pg_dump", "apt-get install postgresql-client")
    run_sql(pg_url, "CREATE TABLE keep (id INTEGER PRIMARY KEY)", "INSERT INTO keep VALUES (1)")
    source = SqlFolderSource(
        write_sql_folder(
            tmp_path,
            {
                "0001_a.sql": "CREATE TABLE a (id INTEGER);\n",
                "0002_b.sql": "CREATE TABLE b (id INTEGER);\n"
                "CREATE INDEX CONCURRENTLY ix_nope ON nope (id);\n",
            },
        )
    )
    before = state_of(pg_url)
    backup = await backup_database(pg_url, tmp_path / "artifacts")
    with pytest.raises(MigrationStatementError) as info:
        apply_migrations(source, pg_url)
    assert info.value.line == 2 and "nope" in info.value.message
    assert "committed before the failure: 1" in (info.value.hint or "")
    assert "Restore the backup" in (info.value.hint or "")
    assert sorted(state_of(pg_url)[0].tables) == ["a", "b", "devora_schema_migrations", "keep"]
    rolled = await rollback_migrations(
        source,
        pg_url,
        start=MigrationState(source="sql", applied=()),
        backup=backup,
        before=before[0],
    )
    assert (
        rolled.method == "restore" and rolled.schema_diff is not None and rolled.schema_diff.empty
    )
    assert state_of(pg_url) == before
