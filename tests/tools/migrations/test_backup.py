"""Backups and restores that really bring a database back (SQLite backup API, pg_dump)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import sqlalchemy as sa

from devora.errors import ToolNotInstalledError
from devora.tools.migrations import (
    BackupError,
    DatabaseUnreachableError,
    backup_database,
    restore_backup,
)

from .helpers import require_executable, run_sql, state_of

SETUP = (
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL)",
    "CREATE INDEX ix_users_name ON users (name)",
    "INSERT INTO users VALUES (1, 'ann'), (2, 'bob')",
)
DAMAGE = (
    "DELETE FROM users WHERE id = 1",
    "ALTER TABLE users ADD COLUMN email VARCHAR(100)",
    "CREATE TABLE made_later (id INTEGER PRIMARY KEY)",
    "INSERT INTO made_later VALUES (1)",
)


def _with_password(url: str, password: str) -> str:
    return sa.engine.make_url(url).set(password=password).render_as_string(hide_password=False)


async def test_sqlite_backup_and_restore(tmp_path: Path, sqlite_url: str) -> None:
    run_sql(sqlite_url, *SETUP)
    before = state_of(sqlite_url)
    backup = await backup_database(sqlite_url, tmp_path / "artifacts")
    assert backup.dialect == "sqlite" and backup.path.is_file()
    assert backup.path.parent == tmp_path / "artifacts"
    assert backup.restore_command.startswith("sqlite3 ")
    assert str(backup.path) in backup.restore_command
    run_sql(sqlite_url, *DAMAGE)
    assert state_of(sqlite_url) != before
    await restore_backup(backup, sqlite_url)
    assert state_of(sqlite_url) == before


async def test_postgresql_backup_and_restore_removes_what_came_after(
    tmp_path: Path, pg_url: str
) -> None:
    require_executable("pg_dump", "apt-get install postgresql-client")
    url = _with_password(pg_url, "s3cret")  # trust auth ignores it; it must never be shown
    run_sql(pg_url, *SETUP, "CREATE SCHEMA app", "CREATE TABLE app.settings (k TEXT)")
    before = state_of(pg_url)
    backup = await backup_database(url, tmp_path / "artifacts")
    assert backup.dialect == "postgresql" and backup.path.stat().st_size > 0
    assert "s3cret" not in backup.restore_command and "s3cret" not in backup.database
    assert "***" in backup.database
    assert "pg_restore" in backup.restore_command and str(backup.path) in backup.restore_command
    run_sql(pg_url, *DAMAGE, "CREATE SCHEMA extra", "DROP TABLE app.settings")
    await restore_backup(backup, url)
    assert state_of(pg_url) == before
    with sa.create_engine(pg_url).connect() as connection:
        schemas = connection.exec_driver_sql(
            "SELECT nspname FROM pg_namespace WHERE nspname IN ('app', 'extra') OR "
            "position('devora_old' in nspname) > 0"
        ).scalars()
        assert sorted(schemas) == ["app"]
        assert connection.exec_driver_sql("SELECT count(*) FROM app.settings").scalar() == 0


async def test_failed_postgresql_restore_leaves_the_database_as_it_was(
    tmp_path: Path, pg_url: str
) -> None:
    require_executable("pg_restore", "apt-get install postgresql-client")
    run_sql(pg_url, *SETUP)
    backup = await backup_database(pg_url, tmp_path)
    backup.path.write_bytes(b"PGDMP this is not a dump any more")
    run_sql(pg_url, *DAMAGE)
    damaged = state_of(pg_url)
    with pytest.raises(BackupError, match="pg_restore failed"):
        await restore_backup(backup, pg_url)
    assert state_of(pg_url) == damaged


async def test_missing_pg_dump_is_a_clear_tool_error(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty-bin"))
    with pytest.raises(ToolNotInstalledError) as info:
        await backup_database(pg_url, tmp_path)
    assert info.value.tool == "pg_dump"
    assert "postgresql-client" in (info.value.hint or "")


async def test_unreachable_database_names_the_url_without_its_password(tmp_path: Path) -> None:
    url = "postgresql+psycopg://admin:hunter2@127.0.0.1:1/app"
    artifacts = tmp_path / "artifacts"
    with pytest.raises(DatabaseUnreachableError) as info:
        await backup_database(url, artifacts)
    assert "hunter2" not in str(info.value)
    assert "admin:***@127.0.0.1:1/app" in info.value.message
    assert not await asyncio.to_thread(artifacts.exists)


async def test_missing_backup_file_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    run_sql(sqlite_url, *SETUP)
    backup = await backup_database(sqlite_url, tmp_path / "b")
    backup.path.unlink()
    with pytest.raises(BackupError, match="does not exist"):
        await restore_backup(backup, sqlite_url)


async def test_the_reported_restore_commands_really_restore(tmp_path: Path, pg_url: str) -> None:
    require_executable("psql", "apt-get install postgresql-client")
    run_sql(pg_url, *SETUP)
    before = state_of(pg_url)
    backup = await backup_database(pg_url, tmp_path)
    run_sql(pg_url, *DAMAGE)
    for argv in backup.restore_commands:  # what a person pastes from the report
        process = await asyncio.create_subprocess_exec(
            *argv, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
        )
        _, stderr = await process.communicate()
        assert process.returncode == 0, stderr.decode()
    assert state_of(pg_url) == before
