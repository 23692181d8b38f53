"""The .sql folder source on real SQLite and PostgreSQL: order, checks, atomic apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.tools.migrations import (
    ChecksumMismatchError,
    MigrationFolderError,
    MigrationStatementError,
    MigrationSyntaxError,
    SqlFolderSource,
    open_engine,
)

from .helpers import run_sql, state_of, write_sql_folder

USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n"
SEED = "INSERT INTO users (id, name) VALUES (1, 'ann'), (2, '100%');\n"
EMAIL = (
    "ALTER TABLE users ADD COLUMN email VARCHAR(100);\nCREATE INDEX ix_email ON users (email);\n"
)


def _source(tmp_path: Path, files: dict[str, str]) -> SqlFolderSource:
    return SqlFolderSource(write_sql_folder(tmp_path, files))


def test_files_are_ordered_by_number(tmp_path: Path) -> None:
    source = _source(tmp_path, {"0002_b.sql": SEED, "0001_a.sql": USERS, "notes.txt": "x"})
    assert [(f.number, f.name) for f in source.files()] == [(1, "a"), (2, "b")]


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"0001_a.sql": USERS, "0003_c.sql": SEED}, "gap in the numbering: migration 2"),
        ({"0001_a.sql": USERS, "01_again.sql": SEED}, "number 1 is used by 2 files"),
        ({"0001_a.sql": USERS, "seed.sql": SEED}, "seed.sql is not named NNNN_description.sql"),
        ({"0002_b.sql": SEED}, "gap in the numbering: migration 1"),
    ],
)
def test_bad_folders_are_refused_and_the_database_is_untouched(
    tmp_path: Path, db_url: str, files: dict[str, str], problem: str
) -> None:
    run_sql(db_url, "CREATE TABLE keep (id INTEGER PRIMARY KEY)", "INSERT INTO keep VALUES (7)")
    before = state_of(db_url)
    source = _source(tmp_path, files)
    with open_engine(db_url) as engine, pytest.raises(MigrationFolderError) as info:
        source.upgrade(engine)
    assert problem in info.value.message
    assert info.value.hint
    assert state_of(db_url) == before


def test_upgrade_applies_pending_in_order_and_records_them(tmp_path: Path, db_url: str) -> None:
    source = _source(tmp_path, {"0001_users.sql": USERS, "0002_seed.sql": SEED})
    with open_engine(db_url) as engine:
        assert [m.version for m in source.upgrade(engine)] == ["1", "2"]
        (tmp_path / "migrations" / "0003_email.sql").write_text(EMAIL)
        with engine.connect() as connection:
            assert source.state(connection).applied == ("1", "2")
            pending = source.pending(connection)
            rows = connection.exec_driver_sql(
                "SELECT version, name, checksum FROM devora_schema_migrations ORDER BY version"
            ).all()
        assert [(m.version, m.name) for m in pending] == [("3", "email")]
        assert [(r[0], r[1]) for r in rows] == [(1, "users"), (2, "seed")]
        assert all(len(r[2]) == 64 for r in rows)
        assert [m.version for m in source.upgrade(engine)] == ["3"]
        assert source.upgrade(engine) == []


def test_edited_applied_migration_is_a_checksum_mismatch(tmp_path: Path, db_url: str) -> None:
    source = _source(tmp_path, {"0001_users.sql": USERS})
    with open_engine(db_url) as engine:
        source.upgrade(engine)
    (tmp_path / "migrations" / "0001_users.sql").write_text(USERS + "-- edited\n")
    (tmp_path / "migrations" / "0002_seed.sql").write_text(SEED)
    before = state_of(db_url)
    with open_engine(db_url) as engine, pytest.raises(ChecksumMismatchError) as info:
        source.upgrade(engine)
    assert info.value.version == "1"
    assert "0001_users.sql" in info.value.message
    assert state_of(db_url) == before


def test_applied_migration_whose_file_vanished_is_refused(tmp_path: Path, db_url: str) -> None:
    source = _source(tmp_path, {"0001_users.sql": USERS, "0002_seed.sql": SEED})
    with open_engine(db_url) as engine:
        source.upgrade(engine)
        (tmp_path / "migrations" / "0002_seed.sql").unlink()
        with pytest.raises(MigrationFolderError, match="2 \\(seed\\) was applied but its file"):
            source.upgrade(engine)


def test_syntax_error_names_file_and_line_and_nothing_is_committed(
    tmp_path: Path, db_url: str
) -> None:
    broken = (
        "-- third\nINSERT INTO users (id, name) VALUES (3, 'cy');\n\nCREAT TABLE oops (x int);\n"
    )
    source = _source(
        tmp_path, {"0001_users.sql": USERS, "0002_seed.sql": SEED, "0003_broken.sql": broken}
    )
    before = state_of(db_url)
    with open_engine(db_url) as engine, pytest.raises(MigrationSyntaxError) as info:
        source.upgrade(engine)
    assert info.value.file.endswith("0003_broken.sql")
    assert info.value.line == 4
    assert "0003_broken.sql:4" in info.value.message
    assert state_of(db_url) == before  # 0001 and 0002 were rolled back with it


def test_postgresql_syntax_error_points_at_the_line_inside_the_statement(
    tmp_path: Path, pg_url: str
) -> None:
    broken = "CREATE TABLE t (\n  a integer,\n  b integer,,\n  c integer\n);\n"
    source = _source(tmp_path, {"0001_t.sql": broken})
    with open_engine(pg_url) as engine, pytest.raises(MigrationSyntaxError) as info:
        source.upgrade(engine)
    assert info.value.line == 3


def test_a_statement_the_database_refuses_is_reported_with_its_line(
    tmp_path: Path, db_url: str
) -> None:
    source = _source(tmp_path, {"0001_users.sql": USERS + "\nINSERT INTO nowhere VALUES (1);\n"})
    with open_engine(db_url) as engine, pytest.raises(MigrationStatementError) as info:
        source.upgrade(engine)
    assert not isinstance(info.value, MigrationSyntaxError)
    assert info.value.line == 3
    assert "nowhere" in info.value.message


def test_out_of_order_file_is_refused(tmp_path: Path, sqlite_url: str) -> None:
    source = _source(tmp_path, {"0001_users.sql": USERS, "0002_seed.sql": SEED})
    with open_engine(sqlite_url) as engine:
        source.upgrade(engine)
        run_sql(sqlite_url, "DELETE FROM devora_schema_migrations WHERE version = 1")
        with pytest.raises(MigrationFolderError, match="older than the last applied"):
            source.upgrade(engine)


BODIES = {
    "sqlite": """
        CREATE TABLE log (message TEXT);
        CREATE TRIGGER users_log AFTER INSERT ON users BEGIN
            INSERT INTO log VALUES ('user ' || NEW.name);
            INSERT INTO log VALUES ('done; really');
        END;
        INSERT INTO users (id, name) VALUES (3, 'cy');
    """,
    "postgresql": """
        CREATE FUNCTION shout(t text) RETURNS text LANGUAGE sql
        BEGIN ATOMIC
            SELECT upper(t) || '!';
        END;
        CREATE FUNCTION whisper(t text) RETURNS text AS $$
            SELECT lower(t); -- a comment; with a semicolon
        $$ LANGUAGE sql;
        CREATE TABLE log AS SELECT shout('a') || whisper('B') AS message;
    """,
}


def test_bodies_with_semicolons_run_as_one_statement(tmp_path: Path, db_url: str) -> None:
    dialect = "sqlite" if db_url.startswith("sqlite") else "postgresql"
    source = _source(tmp_path, {"0001_users.sql": USERS, "0002_bodies.sql": BODIES[dialect]})
    with open_engine(db_url) as engine:
        source.upgrade(engine)
        with engine.connect() as connection:
            log = connection.exec_driver_sql("SELECT message FROM log").scalars().all()
    expected = ["user cy", "done; really"] if dialect == "sqlite" else ["A!b"]
    assert log == expected
