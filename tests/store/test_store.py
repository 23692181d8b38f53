"""The store on real SQLite and PostgreSQL: schema versions, atomic batches, many writers."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa

from devora.errors import (
    DevoraError,
    IllegalTransitionError,
    RunBusyError,
    RunNotFoundError,
    RunNotResumableError,
    StoreUnavailableError,
)
from devora.store import (
    SCHEMA_VERSION,
    AttemptRecord,
    Event,
    EventKind,
    JournalBatch,
    RunRecord,
    RunStatus,
    RunUpdate,
    StepStatus,
    Store,
    open_store,
    resolve_store_location,
)
from devora.store import _schema as schema
from tests.engine.conftest import any_store  # noqa: F401 - the parametrized store fixture

ROOT = Path(__file__).resolve().parents[2]


def test_default_location_is_sqlite_under_dot_devora(tmp_path: Path) -> None:
    location = resolve_store_location(env={})
    assert location.url.endswith("/.devora/devora.db") and location.sqlite_path is not None
    pg = resolve_store_location(env={"DEVORA_DATABASE_URL": "postgres://u:p@h/db"})
    assert pg.url == "postgresql+psycopg://u:p@h/db" and pg.sqlite_path is None


def test_schema_is_versioned_and_created(any_store: Store) -> None:  # noqa: F811
    with any_store.transaction(read_only=True) as sql:
        version = sql.scalar("SELECT version FROM devora_schema")
    assert version == SCHEMA_VERSION == len(schema.MIGRATIONS)


def test_an_older_schema_is_upgraded_on_open(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        schema.schema_version.create(connection)
        connection.execute(schema.schema_version.insert().values(id=1, version=0))
    engine.dispose()
    with open_store(url=f"sqlite:///{db}") as store:
        store.create_run(RunRecord(id="r", workflow="w", workflow_ref="w"))
        assert store.get_run("r").workflow == "w"
    inspector = sa.inspect(sa.create_engine(f"sqlite:///{db}"))
    assert {"devora_runs", "devora_events", "devora_step_attempts"} <= set(
        inspector.get_table_names()
    )


def test_version_1_retried_attempts_are_marked_retried_on_upgrade(tmp_path: Path) -> None:
    """Version 1 wrote a retried attempt as `failed`; its `retry_scheduled` event tells."""
    db = tmp_path / "v1.db"
    with open_store(url=f"sqlite:///{db}") as store:
        store.create_run(RunRecord(id="r", workflow="w", workflow_ref="w"))
        store.write(
            JournalBatch(
                events=[
                    Event(run_id="r", seq=2, kind=EventKind.STEP_RETRY_SCHEDULED, step_id="a"),
                    Event(run_id="r", seq=3, kind=EventKind.STEP_FINISHED, step_id="b"),
                ],
                attempts=[
                    AttemptRecord(
                        run_id="r", step_id="a", attempt=1, status=StepStatus.FAILED, seq=2
                    ),
                    AttemptRecord(
                        run_id="r", step_id="b", attempt=1, status=StepStatus.FAILED, seq=3
                    ),
                ],
            )
        )
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        connection.execute(schema.schema_version.update().values(version=1))
    engine.dispose()
    with open_store(url=f"sqlite:///{db}") as store:
        statuses = {a.step_id: a.status for a in store.attempts("r")}
    assert statuses == {"a": StepStatus.RETRIED, "b": StepStatus.FAILED}
    tables = set(sa.inspect(sa.create_engine(f"sqlite:///{db}")).get_table_names())
    assert {"devora_leases", "devora_schedule_ticks", "devora_webhook_deliveries"} <= tables


def test_a_newer_schema_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "new.db"
    with open_store(url=f"sqlite:///{db}"):
        pass
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as connection:
        connection.execute(schema.schema_version.update().values(version=SCHEMA_VERSION + 1))
    engine.dispose()
    with pytest.raises(RuntimeError, match="newer than this Devora understands"):
        open_store(url=f"sqlite:///{db}")


def test_batches_are_all_or_nothing(any_store: Store) -> None:  # noqa: F811
    any_store.create_run(RunRecord(id="r1", workflow="w", workflow_ref="w"))
    event = Event(run_id="r1", seq=2, kind=EventKind.STEP_STARTED, step_id="a")
    any_store.write(JournalBatch(events=[event]))
    attempt = AttemptRecord(
        run_id="r1", step_id="a", attempt=1, status=StepStatus.SUCCEEDED, output=1, seq=3
    )
    finished = Event(run_id="r1", seq=3, kind=EventKind.STEP_FINISHED, step_id="a")
    with pytest.raises(IllegalTransitionError):  # pending cannot become succeeded
        any_store.write(
            JournalBatch(
                events=[finished],
                attempts=[attempt],
                runs=[RunUpdate(run_id="r1", status=RunStatus.SUCCEEDED)],
            )
        )
    assert any_store.attempts("r1") == []
    assert any_store.get_run("r1").status is RunStatus.PENDING
    assert [e.kind for e in any_store.events("r1")] == [EventKind.STEP_STARTED]


def test_events_are_numbered_after_the_last_committed_one(any_store: Store) -> None:  # noqa: F811
    """Two writers of one run numbered the same seq: the later one's events move up."""
    created = any_store.create_run(
        RunRecord(id="r", workflow="w", workflow_ref="w"),
        Event(run_id="r", kind=EventKind.RUN_CREATED),
    )
    assert created is not None and created.seq == 1
    outside = Event(run_id="r", kind=EventKind.STEP_LOG, message="answered")  # unnumbered
    assert any_store.write(JournalBatch(events=[outside])) == 2
    live = [Event(run_id="r", seq=2, kind=EventKind.STEP_STARTED, step_id="a")]
    live.append(Event(run_id="r", seq=3, kind=EventKind.STEP_FINISHED, step_id="a"))
    attempt = AttemptRecord(run_id="r", step_id="a", attempt=1, status=StepStatus.SUCCEEDED, seq=3)
    batch = JournalBatch(events=live, attempts=[attempt])
    assert any_store.write(batch) == 1
    assert [e.seq for e in batch.events] == [3, 4] and attempt.seq == 4
    stored = any_store.events("r")
    assert [(e.seq, e.kind) for e in stored] == [
        (1, EventKind.RUN_CREATED),
        (2, EventKind.STEP_LOG),
        (3, EventKind.STEP_STARTED),
        (4, EventKind.STEP_FINISHED),
    ]
    assert [a.seq for a in any_store.attempts("r")] == [4]


def test_unknown_run(any_store: Store) -> None:  # noqa: F811
    with pytest.raises(RunNotFoundError, match="no run with id 'nope'"):
        any_store.get_run("nope")


def test_unreachable_postgres_is_one_clear_error() -> None:
    with pytest.raises(StoreUnavailableError) as info:
        open_store(url="postgresql://someone:hunter2@127.0.0.1:1/db")
    assert "hunter2" not in str(info.value) and "someone:***@" in str(info.value)
    assert info.value.hint and "DEVORA_DATABASE_URL" in info.value.hint


WORKER = textwrap.dedent(
    """
    import asyncio, sys
    from devora.engine import Engine, load_workflow_file
    from devora.store import open_store

    workflow = load_workflow_file(sys.argv[1])
    async def main():
        with open_store(home=sys.argv[2]) as store:
            engine = Engine(store)
            for n in range(int(sys.argv[3])):
                result = await engine.run(workflow, {"width": n})
                assert result.status.value == "succeeded", result.error
    asyncio.run(main())
    """
)


@pytest.mark.slow
def test_four_processes_share_one_sqlite_file(tmp_path: Path) -> None:
    """4 processes x 25 runs on one SQLite file: no 'database is locked', all recorded."""
    home = tmp_path / ".devora"
    toys = f"{ROOT / 'tests' / 'engine' / 'toy_workflows.py'}:many"
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, toys, str(home), "25"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for process in processes:
        _, stderr = process.communicate(timeout=240)
        assert process.returncode == 0, stderr
        assert "locked" not in stderr
    with open_store(home=home) as store:
        runs = store.list_runs(limit=1000)
        assert len(runs) == 100
        assert {r.status for r in runs} == {RunStatus.SUCCEEDED}
        assert all(len(store.attempts(r.id)) == 7 for r in runs)


def test_the_store_keeps_itself_out_of_git(tmp_path: Path) -> None:
    """A run inside a repository must not make its tree dirty (a release would refuse it)."""
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    with open_store(home=tmp_path / ".devora") as store:
        store.create_run(RunRecord(id="r", workflow="w", workflow_ref="w"))
    status = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


def test_two_claims_of_one_run_one_wins(any_store: Store) -> None:  # noqa: F811
    """Two resumers both saw a dead owner: the compare-and-set lets exactly one take it."""
    any_store.create_run(
        RunRecord(id="r", workflow="w", workflow_ref="w", status=RunStatus.RUNNING, owner="dead:1")
    )
    any_store.claim_run("r", "host:2", "dead:1")
    with pytest.raises(RunBusyError, match="run r is being executed by host:2"):
        any_store.claim_run("r", "host:3", "dead:1")
    assert any_store.get_run("r").owner == "host:2"
    any_store.write(JournalBatch(runs=[RunUpdate(run_id="r", status=RunStatus.SUCCEEDED)]))
    with pytest.raises(RunNotResumableError, match="succeeded and cannot be resumed"):
        any_store.claim_run("r", "host:3", "dead:1")


def test_every_status_change_is_checked_where_it_is_written(any_store: Store) -> None:  # noqa: F811
    any_store.create_run(RunRecord(id="r", workflow="w", workflow_ref="w"))
    any_store.write(JournalBatch(runs=[RunUpdate(run_id="r", status=RunStatus.RUNNING)]))
    any_store.write(JournalBatch(runs=[RunUpdate(run_id="r", status=RunStatus.SUCCEEDED)]))
    finished_again = JournalBatch(
        events=[Event(run_id="r", seq=2, kind=EventKind.RUN_FINISHED)],
        runs=[RunUpdate(run_id="r", status=RunStatus.CANCELLED, clear_owner=True)],
    )
    with pytest.raises(IllegalTransitionError, match="cannot go from succeeded to cancelled") as e:
        any_store.write(finished_again)
    assert isinstance(e.value, DevoraError) and e.value.exit_code == 2 and e.value.hint
    assert any_store.get_run("r").status is RunStatus.SUCCEEDED
    assert any_store.events("r") == []
    with pytest.raises(RunNotFoundError):
        any_store.write(JournalBatch(runs=[RunUpdate(run_id="nope", status=RunStatus.RUNNING)]))


def test_only_batches_that_tell_what_happens_skip_the_disk_flush() -> None:
    from devora.store._leases import Fence
    from devora.store._store import is_advisory

    started = Event(run_id="r", kind=EventKind.STEP_STARTED, step_id="a")
    log = Event(run_id="r", kind=EventKind.STEP_LOG, step_id="a", message="hi")
    finished = Event(run_id="r", kind=EventKind.STEP_FINISHED, step_id="a")
    result = AttemptRecord(run_id="r", step_id="a", attempt=1, status=StepStatus.SUCCEEDED, seq=2)
    assert is_advisory(JournalBatch(events=[started, log]))
    assert is_advisory(JournalBatch(events=[started], fence=Fence("run:r", 1)))
    assert not is_advisory(JournalBatch(events=[started], fence=Fence("step:x", 1, release=True)))
    assert not is_advisory(JournalBatch(events=[started, finished]))
    assert not is_advisory(JournalBatch(events=[finished], attempts=[result]))
    assert not is_advisory(JournalBatch())
