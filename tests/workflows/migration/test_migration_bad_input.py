"""Every bad input of a migration: one clear reason, a failing exit, the database untouched."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from migration_projects import (
    ALEMBIC_A1,
    dumps,
    run_migration,
    run_sql,
    state_of,
    write_alembic_project,
    write_sql_folder,
)

from tests.cli.harness import Devora

USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n"


def assert_refused(run: dict[str, Any], code: int, step: str, *fragments: str) -> None:
    assert code == 1, dumps(run)
    assert run["status"] == "failed", dumps(run)
    assert run["error"]["step"] == step, dumps(run)
    for fragment in fragments:
        assert fragment in run["error"]["message"], dumps(run["error"])
    assert run["error"].get("hint"), dumps(run["error"])


def seeded(url: str) -> None:
    run_sql(url, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(20))")
    run_sql(url, "INSERT INTO notes (id, body) VALUES (1, 'keep me')")


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
        "sqlite:////no/such/folder/app.db",
    ],
)
def test_a_database_that_cannot_be_reached(devora: Devora, tmp_path: Path, url: str) -> None:
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})

    code, run, _ = run_migration(devora, folder, url)

    assert_refused(run, code, "analyze", "cannot connect to the database")


def test_no_database_url_at_all(devora: Devora, tmp_path: Path) -> None:
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})

    code, run, _ = run_migration(devora, folder, "", "--url-env", "NO_SUCH_DEVORA_URL")

    assert_refused(run, code, "analyze", "no database URL", "$NO_SUCH_DEVORA_URL")


def test_a_migration_with_a_syntax_error(devora: Devora, db_url: str, tmp_path: Path) -> None:
    seeded(db_url)
    folder = write_sql_folder(
        tmp_path,
        {
            "0001_users.sql": USERS,
            "0002_broken.sql": "INSERT INTO notes VALUES (2, 'x');\n"
            "ALTER TABLE notes ADDD COLUMN y INT;\n",
        },
    )
    before = state_of(db_url)

    code, run, _ = run_migration(devora, folder, db_url)

    assert_refused(run, code, "dry_run", "syntax error", "0002_broken.sql:2")
    assert state_of(db_url) == before


@pytest.mark.parametrize(
    ("files", "problem"),
    [
        ({"0001_users.sql": USERS, "0003_more.sql": "SELECT 1;\n"}, "gap in the numbering"),
        ({"0001_users.sql": USERS, "0001_again.sql": "SELECT 1;\n"}, "number 1 is used by 2"),
        ({"0001_users.sql": USERS, "users2.sql": "SELECT 1;\n"}, "is not named NNNN_"),
    ],
)
def test_a_migration_folder_that_is_not_a_clean_sequence(
    devora: Devora, sqlite_url: str, tmp_path: Path, files: dict[str, str], problem: str
) -> None:
    seeded(sqlite_url)
    folder = write_sql_folder(tmp_path, files)
    before = state_of(sqlite_url)

    code, run, _ = run_migration(devora, folder, sqlite_url)

    assert_refused(run, code, "analyze", problem)
    assert state_of(sqlite_url) == before


def test_a_checksum_mismatch_on_an_applied_migration(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    db_url = sqlite_url  # the check reads the history table the same way on both databases
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})
    assert run_migration(devora, folder, db_url)[0] == 0
    (folder / "0001_users.sql").write_text(USERS.replace("50", "80"))
    (folder / "0002_more.sql").write_text("ALTER TABLE users ADD COLUMN age INTEGER;\n")
    before = state_of(db_url)

    code, run, _ = run_migration(devora, folder, db_url)

    assert_refused(run, code, "analyze", "0001_users.sql", "checksum")
    assert state_of(db_url) == before


def test_a_path_without_migrations(devora: Devora, sqlite_url: str, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()

    code, run, _ = run_migration(devora, empty, sqlite_url)

    assert_refused(run, code, "analyze", "no migrations found")


def test_an_alembic_revision_that_fails_leaves_the_database_as_it_was(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    db_url = sqlite_url
    project = write_alembic_project(
        tmp_path,
        {
            "a1.py": ALEMBIC_A1.replace(
                "VALUES (1, 'ann')\")", 'VALUES (1, \'ann\')")\n    op.execute("SELEC 1")'
            )
        },
    )
    seeded(db_url)
    before = state_of(db_url)

    code, run, _ = run_migration(devora, project, db_url)

    assert code == 1 and run["status"] == "failed", dumps(run)
    assert run["error"]["step"] == "dry_run"
    assert "a1.py" in run["error"]["message"]
    assert state_of(db_url) == before


def test_a_password_on_the_command_line_is_refused_before_any_run(
    devora: Devora, tmp_path: Path
) -> None:
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})

    result = devora(
        "run",
        "migration",
        str(folder),
        "--url",
        "postgresql://app:hunter2@db.internal/app",
        timeout=60,
    )

    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stderr.startswith("Error: invalid input for workflow 'migration': url")
    assert "$DATABASE_URL" in result.stderr and "hunter2" not in result.stderr
    assert not (devora.home / "devora.db").exists()


def test_a_project_root_finds_its_migrations_folder(tmp_path: Path) -> None:
    from devora.workflows.migration._config import _detect

    folder = tmp_path / "migrations"
    folder.mkdir()
    (folder / "0001_users.sql").write_text("CREATE TABLE users (id INTEGER PRIMARY KEY);\n")
    assert _detect(tmp_path, "auto") == ("sql", folder)
