"""The migration workflow end to end through the real CLI, on real SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from migration_projects import (
    ALEMBIC_A1,
    ALEMBIC_B2,
    dumps,
    events,
    finished,
    run_migration,
    run_sql,
    state_of,
    write_alembic_project,
    write_sql_folder,
)

from tests.cli.harness import Devora

USERS = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n"
EMAIL = (
    "ALTER TABLE users ADD COLUMN email VARCHAR(100);\n"
    "CREATE INDEX ix_users_email ON users (email);\n"
)


def seed(url: str) -> None:
    run_sql(url, "CREATE TABLE notes (id INTEGER PRIMARY KEY, body VARCHAR(20))")
    run_sql(url, "INSERT INTO notes (id, body) VALUES (1, 'keep me'), (2, 'me too')")


def artifacts(devora: Devora, run_id: str) -> dict[str, Path]:
    folder = devora.home / "artifacts" / run_id
    return {p.name: p for p in folder.iterdir()} if folder.is_dir() else {}


def test_sql_folder_is_backed_up_applied_and_verified(
    devora: Devora, db_url: str, tmp_path: Path
) -> None:
    seed(db_url)
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS, "0002_email.sql": EMAIL})

    code, run, stdout = run_migration(
        devora, folder, db_url, "--smoke", '["SELECT id, email FROM users"]'
    )

    assert code == 0, dumps(run)
    assert run["outputs"]["applied"] == ["1", "2"] and run["outputs"]["source"] == "sql"
    schema, data = state_of(db_url)
    assert {"users", "notes", "devora_schema_migrations"} <= set(schema.tables)
    assert [c.name for c in schema.tables["users"].columns] == ["id", "name", "email"]
    assert data.tables["notes"].rows == 2
    found = artifacts(devora, run["run_id"])
    assert {"lint.md", "schema-change.md"} <= set(found)
    backup = Path(run["outputs"]["backup"])
    assert backup.name in found and backup.stat().st_size > 0
    assert "restore with: " in stdout
    assert "+ table users" in found["schema-change.md"].read_text()
    order = [e["step_id"] for e in events(stdout) if e["kind"] == "step.started"]
    assert order == ["analyze", "backup", "dry_run", "apply", "verify"]

    again, rerun, _ = run_migration(devora, folder, db_url)
    assert again == 0 and rerun["outputs"]["pending"] == [], dumps(rerun)
    assert state_of(db_url) == (schema, data)


def test_dry_run_runs_analyze_and_the_dry_run_only_and_changes_nothing(
    devora: Devora, db_url: str, tmp_path: Path
) -> None:
    seed(db_url)
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS, "0002_email.sql": EMAIL})
    before = state_of(db_url)

    code, run, stdout = run_migration(devora, folder, db_url, "--dry-run")

    assert code == 0 and run["dry_run"] is True, dumps(run)
    assert state_of(db_url) == before
    finished_steps = {
        e["step_id"]: e["data"]["status"] for e in events(stdout) if e["kind"] == "step.finished"
    }
    assert finished_steps == {
        "analyze": "succeeded",
        "backup": "planned",
        "dry_run": "planned",
        "apply": "skipped",
        "verify": "skipped",
    }
    plan = run["plans"]["dry_run"]
    assert "would apply 2 migration(s)" in plan["summary"]
    assert "+ table users" in plan["changes"]
    assert "users" in plan["details"]["after"]["tables"]
    assert "users" not in plan["details"]["before"]["tables"]
    assert not [
        name for name in artifacts(devora, run["run_id"]) if name.endswith((".dump", ".sqlite3"))
    ]


def test_failed_verification_restores_the_backup_and_shows_the_database_is_back(
    devora: Devora, db_url: str, tmp_path: Path
) -> None:
    seed(db_url)
    folder = write_sql_folder(
        tmp_path,
        {
            "0001_users.sql": USERS,
            "0002_purge.sql": "DELETE FROM notes WHERE id = 2;\n"
            "ALTER TABLE notes ADD COLUMN tag VARCHAR(5);\n",
        },
    )
    before = state_of(db_url)

    code, run, stdout = run_migration(
        devora, folder, db_url, "--smoke", '["SELECT no_such_column FROM notes"]'
    )

    assert code == 1 and run["status"] == "rolled_back", dumps(run)
    assert run["error"]["step"] == "verify"
    assert "no_such_column" in run["error"]["message"]
    assert state_of(db_url) == before  # rows deleted by the migration are back too
    assert "restore: database at nothing" in stdout
    assert "the database is back where it was" in stdout
    report = artifacts(devora, run["run_id"])["rollback.md"].read_text()
    assert "same schema, same data fingerprint" in report


def test_alembic_project_upgrades_and_a_failed_verify_downgrades(
    devora: Devora, db_url: str, tmp_path: Path
) -> None:
    project = write_alembic_project(tmp_path, {"a1.py": ALEMBIC_A1})
    code, run, _ = run_migration(devora, project, db_url)
    assert code == 0 and run["outputs"]["at"] == ["a1"], dumps(run)
    (project / "migrations" / "versions" / "b2.py").write_text(ALEMBIC_B2.lstrip())
    before = state_of(db_url)

    code, run, stdout = run_migration(
        devora, project, db_url, "--smoke", '["SELECT missing FROM users"]'
    )

    assert code == 1 and run["status"] == "rolled_back", dumps(run)
    assert "downgrade: database at a1" in stdout
    assert state_of(db_url) == before

    code, run, _ = run_migration(devora, project, db_url, "--smoke", '["SELECT email FROM users"]')
    assert code == 0 and run["outputs"]["applied"] == ["b2"], dumps(run)
    assert [c.name for c in state_of(db_url)[0].tables["users"].columns] == ["id", "name", "email"]


def test_risky_operations_are_findings_with_file_and_line(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    seed(sqlite_url)
    folder = write_sql_folder(
        tmp_path,
        {"0001_risky.sql": "-- tidy up\nALTER TABLE notes DROP COLUMN body;\nDROP TABLE notes;\n"},
    )
    before = state_of(sqlite_url)

    code, run, stdout = run_migration(devora, folder, sqlite_url, "--fail-on-risk")

    assert code == 1 and run["error"]["step"] == "analyze", dumps(run)
    assert "drop-column at migrations/0001_risky.sql:2" in stdout
    assert "drop-table at migrations/0001_risky.sql:3" in stdout
    assert state_of(sqlite_url) == before
    lint = artifacts(devora, run["run_id"])["lint.md"].read_text()
    assert "`drop-table` migrations/0001_risky.sql:3" in lint


def test_nothing_pending_skips_every_later_step(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})
    assert run_migration(devora, folder, sqlite_url)[0] == 0
    before = state_of(sqlite_url)

    code, run, stdout = run_migration(devora, folder, sqlite_url)

    assert code == 0 and run["outputs"]["applied"] == [], dumps(run)
    skipped = {
        e["step_id"]
        for e in events(stdout)
        if e["kind"] == "step.finished" and e["data"]["status"] == "skipped"
    }
    assert skipped == {"backup", "dry_run", "apply", "verify"}
    assert state_of(sqlite_url) == before


def test_the_database_password_is_never_shown_or_stored_and_short_urls_work(
    devora: Devora, pg_url: str, tmp_path: Path
) -> None:
    """PostgreSQL here trusts local connections, so a password in the URL is ignored by it."""
    url = pg_url.replace("postgres@", "postgres:s3cr3t-pw@", 1)
    url = url.replace("postgresql+psycopg://", "postgres://", 1)  # the short spelling works
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})

    result = devora("run", "migration", str(folder), timeout=180, DATABASE_URL=url)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "s3cr3t-pw" not in result.stdout + result.stderr
    stored = b"".join(p.read_bytes() for p in devora.home.rglob("*") if p.is_file())
    assert b"s3cr3t-pw" not in stored


def test_an_apply_that_fails_after_committing_part_restores_the_backup(
    devora: Devora, pg_url: str, tmp_path: Path
) -> None:
    """CREATE INDEX CONCURRENTLY cannot run in a transaction, so this migration is applied
    statement by statement; its last statement fails only on the real database (not on the
    dry-run's throwaway copy), after the index and a row were committed."""
    seed(pg_url)
    database = pg_url.rsplit("/", 1)[1]
    folder = write_sql_folder(
        tmp_path,
        {
            "0001_index.sql": "CREATE INDEX CONCURRENTLY ix_notes_body ON notes (body);\n"
            "INSERT INTO notes (id, body) VALUES (3, 'added');\n"
            f"SELECT 1 / (CASE WHEN current_database() = '{database}' THEN 0 ELSE 1 END);\n",
        },
    )
    before = state_of(pg_url)

    code, run, stdout = run_migration(devora, folder, pg_url)

    assert code == 1 and run["status"] == "failed", dumps(run)
    assert run["error"]["step"] == "apply"
    assert "division by zero" in run["error"]["message"]
    assert "rolled back and the database is back where it was" in run["error"]["message"]
    assert "apply failed after committing part of it" in stdout
    assert "restore: database at nothing" in stdout
    assert state_of(pg_url) == before


def test_config_names_the_url_variable_and_smoke_queries(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})
    (tmp_path / "devora.toml").write_text(
        '[migration]\nurl_env = "APP_DB"\nsmoke_queries = [\n'
        '  { sql = "SELECT id FROM users", expect_rows = true, name = "users seeded" },\n]\n'
    )
    before = state_of(sqlite_url)

    result = devora("run", "migration", str(folder), "--json", timeout=180, APP_DB=sqlite_url)

    run = finished(result.stdout, result.stderr)
    assert result.returncode == 1 and run["status"] == "rolled_back", dumps(run)
    assert "smoke query 'users seeded': returned no rows" in run["error"]["message"]
    assert state_of(sqlite_url) == before


def test_an_unknown_config_key_is_named(devora: Devora, sqlite_url: str, tmp_path: Path) -> None:
    folder = write_sql_folder(tmp_path, {"0001_users.sql": USERS})
    (tmp_path / "pyproject.toml").write_text('[tool.devora.migration]\nsmoke = ["SELECT 1"]\n')

    code, run, _ = run_migration(devora, folder, sqlite_url)

    assert code == 1 and run["error"]["step"] == "analyze", dumps(run)
    assert "pyproject.toml: smoke" in run["error"]["message"]


def test_a_downgrade_that_cannot_bring_rows_back_is_followed_by_a_restore(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    project = write_alembic_project(tmp_path, {"a1.py": ALEMBIC_A1})
    assert run_migration(devora, project, sqlite_url)[0] == 0
    lossy = ALEMBIC_B2.replace(
        'op.create_index("ix_users_email", "users", ["email"])',
        'op.create_index("ix_users_email", "users", ["email"])\n'
        '    op.execute("DELETE FROM users WHERE id = 1")',
    )
    (project / "migrations" / "versions" / "b2.py").write_text(lossy.lstrip())
    before = state_of(sqlite_url)

    code, run, stdout = run_migration(
        devora, project, sqlite_url, "--smoke", '["SELECT missing FROM users"]'
    )

    assert code == 1 and run["status"] == "rolled_back", dumps(run)
    assert "downgrade: database at a1" in stdout
    assert "the downgrade left differences (data of table users differs): restore" in stdout
    assert state_of(sqlite_url) == before
    assert state_of(sqlite_url)[1].tables["users"].rows == 1
