"""Bad settings: one clear error, the documented exit code, and no run left half-made."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from devora.store import open_store
from tests.executors.conftest import TOYS, Cluster, free_port


def _runs(url: str, home: Path) -> int:
    with open_store(url=url, home=home) as store:
        return len(store.list_runs())


def test_an_unreachable_broker_exits_5_and_makes_no_run(tmp_path: Path, pg_url: str) -> None:
    cluster = Cluster(tmp_path, pg_url, f"redis://127.0.0.1:{free_port()}/0")
    done = cluster.devora("run", f"{TOYS}:chain")
    assert done.returncode == 5, done.stdout + done.stderr
    assert "Error: cannot reach the Celery broker at redis://127.0.0.1:" in done.stderr
    assert "Hint:" in done.stderr and "Traceback" not in done.stderr
    assert _runs(pg_url, tmp_path) == 0
    worker = cluster.devora("worker")
    assert worker.returncode == 5, worker.stdout + worker.stderr


def test_the_celery_executor_refuses_a_sqlite_store(tmp_path: Path) -> None:
    database = tmp_path / "devora.db"
    sqlite3.connect(database).close()
    url = f"sqlite:///{database}"
    cluster = Cluster(tmp_path, url, "redis://127.0.0.1:6379/0")
    for command in (["run", f"{TOYS}:chain"], ["worker"]):
        done = cluster.devora(*command)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "the celery executor needs a PostgreSQL store" in done.stderr
    assert _runs(url, tmp_path) == 0


def test_a_worker_for_an_unknown_squad_is_refused(tmp_path: Path, pg_url: str) -> None:
    cluster = Cluster(tmp_path, pg_url, "redis://127.0.0.1:6379/0")
    done = cluster.devora("worker", "--squads", "qa,astronauts")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "unknown squad or agent 'astronauts'" in done.stderr


def test_celery_without_a_broker_url_is_refused(tmp_path: Path, pg_url: str) -> None:
    cluster = Cluster(tmp_path, pg_url, "")
    done = cluster.devora("run", f"{TOYS}:chain")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "the celery executor needs a broker URL" in done.stderr
    assert _runs(pg_url, tmp_path) == 0
