"""A migration killed (SIGKILL) after apply committed but before its result was journaled
resumes without applying twice, and can still roll back to where it started."""

from __future__ import annotations

from pathlib import Path

from migration_projects import dumps, finished, run_sql, state_of, write_sql_folder

from tests.cli.harness import Devora, json_lines

MIGRATION = (
    "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);\n"
    "INSERT INTO users (id, name) VALUES (1, 'ann');\n"
)


def crash_then_resume(
    devora: Devora, folder: Path, url: str, *args: str
) -> tuple[dict[str, object], str]:
    crashed = devora(
        "run",
        "migration",
        str(folder),
        *args,
        "--json",
        timeout=180,
        DATABASE_URL=url,
        DEVORA_CRASH_AT="before_commit:apply",
    )
    assert crashed.returncode == -9, crashed.stdout + crashed.stderr
    run_id = json_lines(crashed.stdout)[0]["run_id"]
    resumed = devora("resume", run_id, "--json", timeout=180, DATABASE_URL=url)
    return finished(resumed.stdout, resumed.stderr), resumed.stdout


def test_apply_resumed_after_a_crash_is_not_applied_twice(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    db_url = sqlite_url
    folder = write_sql_folder(tmp_path, {"0001_users.sql": MIGRATION})

    run, stdout = crash_then_resume(devora, folder, db_url)

    assert run["status"] == "succeeded", dumps(run)
    assert "resumed: " in stdout and "is already at 1" in stdout
    assert state_of(db_url)[1].tables["users"].rows == 1


def test_a_resumed_apply_still_rolls_back_to_where_the_run_started(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    run_sql(
        sqlite_url, "CREATE TABLE notes (id INTEGER PRIMARY KEY)", "INSERT INTO notes VALUES (7)"
    )
    folder = write_sql_folder(tmp_path, {"0001_users.sql": MIGRATION})
    before = state_of(sqlite_url)

    run, _ = crash_then_resume(devora, folder, sqlite_url, "--smoke", '["SELECT nope FROM users"]')

    assert run["status"] == "rolled_back", dumps(run)
    assert state_of(sqlite_url) == before


def test_a_rollback_that_cannot_restore_says_so_and_ends_rollback_failed(
    devora: Devora, sqlite_url: str, tmp_path: Path
) -> None:
    folder = write_sql_folder(tmp_path, {"0001_users.sql": MIGRATION})
    crashed = devora(
        "run",
        "migration",
        str(folder),
        "--smoke",
        '["SELECT nope FROM users"]',
        "--json",
        timeout=180,
        DATABASE_URL=sqlite_url,
        DEVORA_CRASH_AT="in_step:verify",
    )
    assert crashed.returncode == -9, crashed.stdout + crashed.stderr
    run_id = json_lines(crashed.stdout)[0]["run_id"]
    for backup in (devora.home / "artifacts" / run_id).glob("*.sqlite3"):
        backup.unlink()  # the backup is lost before the rollback needs it

    resumed = devora("resume", run_id, "--json", timeout=180, DATABASE_URL=sqlite_url)

    run = finished(resumed.stdout, resumed.stderr)
    assert resumed.returncode == 1 and run["status"] == "rollback_failed", dumps(run)
    failed = [
        e
        for e in json_lines(resumed.stdout)
        if e["kind"] == "compensation.finished" and e["data"]["status"] == "compensation_failed"
    ]
    assert len(failed) == 1 and failed[0]["step_id"] == "apply"
    assert "does not exist" in failed[0]["message"]
