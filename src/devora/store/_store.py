"""The store: one database (SQLite in WAL mode, or PostgreSQL) that journals runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from devora.errors import (
    IllegalTransitionError,
    RunBusyError,
    RunNotFoundError,
    RunNotResumableError,
    StoreUnavailableError,
)
from devora.private_files import create_private_file, make_private_dir
from devora.secrets import redact, redact_value
from devora.store import _tables as tables
from devora.store._database import Cursor, Database, PooledDatabase, SqliteDatabase, Statements
from devora.store._faults import database_fault, engine_fault, filesystem_fault
from devora.store._leases import check_fence
from devora.store._location import StoreLocation, mask_url, resolve_store_location
from devora.store._records import (
    AnswerRecord,
    ArtifactRecord,
    AttemptRecord,
    Event,
    EventKind,
    JournalBatch,
    Phase,
    RunRecord,
    RunUpdate,
)
from devora.store._status import RunStatus, StepStatus, statuses_before
from devora.store._text import safe_text
from devora.store._upgrade import schema_is_current, upgrade_pooled, upgrade_sqlite

__all__ = ["Store", "open_store"]


def _dumps(value: Any) -> str:
    # The one boundary where text is stored: no secret gets past it.
    return json.dumps(redact_value(value), separators=(",", ":"), default=str)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


_RUN_COLUMNS = tuple(RunRecord.model_fields)
_EVENT_COLUMNS = ("run_id", "seq", "kind", "at", "step_id", "attempt", "message", "data")
_ATTEMPT_COLUMNS = (
    "run_id",
    "phase",
    "step_id",
    "attempt",
    "status",
    "output",
    "error",
    "plan",
    "started_at",
    "finished_at",
    "seq",
)
_ARTIFACT_COLUMNS = tuple(ArtifactRecord.model_fields)


def _insert_sql(table: str, columns: Sequence[str], marker: str | None = None) -> str:
    """INSERT of these columns: positional `marker`s, or `:column` parameters."""
    values = [marker or f":{column}" for column in columns]
    # Table and column names are this module's constants; values go as parameters.
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"  # nosec B608


T = TypeVar("T")


def _last_seq_sql(marker: str) -> str:
    # Names are this module's constants; the run id goes as a parameter.
    return f"SELECT max(seq) FROM {tables.EVENTS} WHERE run_id = {marker}"  # nosec B608


class Store:
    """Durable memory of runs; every write is one transaction (see `write`)."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.url = location.url
        self.is_sqlite = location.sqlite_path is not None
        self._lock = threading.RLock()
        self._database: Database | None = None
        marker = "?" if self.is_sqlite else "%s"
        self._insert_event_sql = _insert_sql(tables.EVENTS, _EVENT_COLUMNS, marker)
        self._insert_attempt_sql = _insert_sql(tables.ATTEMPTS, _ATTEMPT_COLUMNS, marker)
        self._last_seq_sql = _last_seq_sql(marker)
        # Lock first, read after: a PostgreSQL statement's snapshot predates its wait for
        # the lock, so a max(seq) read by the locking statement misses the writer it
        # waited for (two workers of one run then commit the same seq).
        self._lock_run_sql = f"SELECT 1 FROM {tables.RUNS} WHERE id = {marker} FOR UPDATE"  # nosec B608
        self._open()

    # -- opening -----------------------------------------------------------------

    def _open(self) -> None:
        path = self.location.sqlite_path
        try:
            if path is not None:
                self._prepare_sqlite_directory(path)
                database: Database = SqliteDatabase(path)
                self._database = database
                if not schema_is_current(database):
                    upgrade_sqlite(path)
            else:
                database = self._connect_pooled()
                self._database = database
                upgrade_pooled(database)
        except Exception as exc:
            self.close()
            fault = database_fault(self.location, exc)
            if fault is None:
                raise
            raise fault from exc

    def _connect_pooled(self) -> PooledDatabase:
        try:
            return PooledDatabase(self.url)
        except Exception as exc:
            fault = engine_fault(self.location, exc)
            if fault is None:
                raise
            raise fault from exc

    def _prepare_sqlite_directory(self, path: Path) -> None:
        try:
            if path.parent == self.location.home or self.location.home in path.parents:
                make_private_dir(self.location.home)
            make_private_dir(path.parent)
        except OSError as exc:
            raise filesystem_fault(path.parent, exc) from exc
        probe = path.parent / f".devora-write-probe-{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
            create_private_file(path)  # SQLite gives -wal and -shm the database's mode
        except OSError as exc:
            raise filesystem_fault(path.parent, exc) from exc
        _keep_out_of_git(self.location.home)
        if path.parent != self.location.home:
            _keep_out_of_git(path.parent)

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        with self._lock:
            database, self._database = self._database, None
            if database is not None:
                database.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """Call a store method from async code without blocking its event loop.

        SQLite answers in microseconds: called inline. A network database may take
        milliseconds: called from a worker thread, so running steps keep their loop.
        """
        if self.is_sqlite:
            return function(*args)
        return await asyncio.to_thread(function, *args)

    # -- transactions --------------------------------------------------------------

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Statements]:
        """One transaction, committed on exit: for the store's own modules (leases, ticks)."""
        with self._lock:
            database = self._database
            if database is None:
                raise StoreUnavailableError(mask_url(self.url), "the store is closed")
            try:
                with database.transaction(read_only=read_only) as cursor:
                    yield Statements(database, cursor)
            except Exception as exc:
                fault = database_fault(self.location, exc)
                if fault is None:
                    raise
                raise fault from exc

    # -- runs ----------------------------------------------------------------------

    def create_run(self, run: RunRecord, first_event: Event | None = None) -> Event | None:
        """Insert a new run (and the event announcing it) in one transaction.

        Returns the event as committed (numbered), to publish.
        """
        return self.create_runs([(run, first_event)])[0]

    def create_runs(self, runs: Sequence[tuple[RunRecord, Event | None]]) -> list[Event | None]:
        """Insert new runs (each with the event announcing it) in one transaction: all or none.

        One commit for many (`devora serve` groups the starts that arrive together).
        Returns each run's event as committed (numbered), to publish.
        """
        batches = [JournalBatch(events=[] if event is None else [event]) for _, event in runs]
        with self.transaction() as sql:
            for (run, _), batch in zip(runs, batches, strict=True):
                sql.execute(_insert_sql(tables.RUNS, _RUN_COLUMNS), self._run_row(run))
                self._insert_journal(sql.cursor, batch)
        return [batch.events[0] if batch.events else None for batch in batches]

    @staticmethod
    def _run_row(run: RunRecord) -> dict[str, Any]:
        row = run.model_dump()
        for key in ("inputs", "outputs", "error", "summary"):
            row[key] = None if row[key] is None else _dumps(row[key])
        row["status"] = run.status.value
        row["workflow_ref"] = safe_text(run.workflow_ref)
        return row

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this id; RunNotFoundError when there is none."""
        with self.transaction(read_only=True) as sql:
            row = sql.first(f"SELECT * FROM {tables.RUNS} WHERE id = :id", {"id": run_id})
        if row is None:
            raise RunNotFoundError(run_id)
        return self._run_from_row(row)

    @staticmethod
    def _run_from_row(data: dict[str, Any]) -> RunRecord:
        for key in ("inputs", "outputs", "error", "summary"):
            data[key] = _loads(data[key])
        data["summary"] = data["summary"] or {}
        data["dry_run"] = bool(data["dry_run"])
        data["cancel_requested"] = bool(data["cancel_requested"])
        return RunRecord.model_validate(data)

    def list_runs(
        self,
        *,
        workflow: str | None = None,
        status: RunStatus | None = None,
        parent_run_id: str | None = None,
        top_level_only: bool = False,
        created_after: float | None = None,
        created_before: float | None = None,
        limit: int = 50,
    ) -> list[RunRecord]:
        """The most recent runs first, filtered (creation times in unix seconds)."""
        where = ["1 = 1"]
        params: dict[str, Any] = {"limit": limit}
        if created_after is not None:
            where.append("created_at >= :after")
            params["after"] = created_after
        if created_before is not None:
            where.append("created_at < :before")
            params["before"] = created_before
        if workflow is not None:
            where.append("workflow = :workflow")
            params["workflow"] = workflow
        if status is not None:
            where.append("status = :status")
            params["status"] = status.value
        if parent_run_id is not None:
            where.append("parent_run_id = :parent")
            params["parent"] = parent_run_id
        if top_level_only:
            where.append("parent_run_id IS NULL")
        query = (
            f"SELECT * FROM {tables.RUNS} WHERE {' AND '.join(where)} "  # nosec B608
            "ORDER BY created_at DESC LIMIT :limit"
        )
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(query, params)
        return [self._run_from_row(row) for row in rows]

    def claim_run(self, run_id: str, owner: str, expected_owner: str | None) -> None:
        """Make `owner` the process executing the run, if its owner is still `expected_owner`.

        A compare-and-set in one statement: of two processes resuming the same run, one
        wins; the other gets RunBusyError (or RunNotResumableError when the winner has
        already finished the run).
        """
        same_owner = "owner IS NULL" if expected_owner is None else "owner = :expected"
        params = {"id": run_id, "owner": owner, "expected": expected_owner, "now": time.time()}
        with self.transaction() as sql:
            claimed = sql.execute(
                f"UPDATE {tables.RUNS} SET owner = :owner, updated_at = :now "  # nosec B608
                f"WHERE id = :id AND {same_owner}",
                params,
            )
            if claimed == 1:
                return
            row = sql.first(f"SELECT owner, status FROM {tables.RUNS} WHERE id = :id", params)
        if row is None:
            raise RunNotFoundError(run_id)
        if not RunStatus(row["status"]).resumable:
            raise RunNotResumableError(run_id, row["status"])
        raise RunBusyError(run_id, row["owner"] or "another process")

    def request_cancel(self, run_id: str) -> RunRecord:
        """Ask the process executing a run to cancel it (seen within a second)."""
        with self.transaction() as sql:
            changed = sql.execute(
                f"UPDATE {tables.RUNS} SET cancel_requested = :yes, updated_at = :now "
                "WHERE id = :id",
                {"id": run_id, "yes": True, "now": time.time()},
            )
            if changed == 0:
                raise RunNotFoundError(run_id)
        return self.get_run(run_id)

    def cancel_requested(self, run_id: str) -> bool:
        """True when someone asked for this run to be cancelled."""
        with self.transaction(read_only=True) as sql:
            value = sql.scalar(
                f"SELECT cancel_requested FROM {tables.RUNS} WHERE id = :id", {"id": run_id}
            )
        return bool(value)

    # -- the journal -----------------------------------------------------------------

    def write(self, batch: JournalBatch) -> int:
        """Commit a batch of events, attempt records and run updates atomically.

        The batch's events are numbered after the run's last committed event in the same
        transaction: when another writer got there first, they (and the attempt records
        that share their numbers) move up. Returns by how much (0 almost always).
        """
        if not batch:
            return 0
        with self.transaction() as sql:
            if not self.is_sqlite and is_advisory(batch):
                sql.execute("SET LOCAL synchronous_commit = off")
            offset = self._insert_journal(sql.cursor, batch)
            for update in batch.runs:
                self._apply_run_update(sql, update)
            for artifact in batch.artifacts:
                sql.execute(
                    f"DELETE FROM {tables.ARTIFACTS} WHERE run_id = :run_id AND name = :name",
                    {"run_id": artifact.run_id, "name": safe_text(artifact.name)},
                )
            sql.execute_many(
                _insert_sql(tables.ARTIFACTS, _ARTIFACT_COLUMNS),
                [_artifact_row(a) for a in batch.artifacts],
            )
        return offset

    def _insert_journal(self, cursor: Cursor, batch: JournalBatch) -> int:
        """Events and step results, the hot path of every run: positional, to the driver."""
        if batch.fence is not None:  # a coordinator's or worker's write: refused if stale
            check_fence(cursor, batch.fence, sqlite=self.is_sqlite)
        offset = self._number_events(cursor, batch)
        if batch.events:
            cursor.executemany(self._insert_event_sql, [self._event_row(e) for e in batch.events])
        if batch.attempts:
            cursor.executemany(
                self._insert_attempt_sql, [self._attempt_row(a) for a in batch.attempts]
            )
        return offset

    def _number_events(self, cursor: Cursor, batch: JournalBatch) -> int:
        """Move the batch's events after the run's last committed one, if need be.

        Writers are serialized here (SQLite's BEGIN IMMEDIATE; on PostgreSQL the run's
        row is locked), so two writers of one run never commit the same number.
        """
        if not batch.events:
            return 0
        run_id = batch.events[0].run_id
        if not self.is_sqlite:
            cursor.execute(self._lock_run_sql, (run_id,))
        cursor.execute(self._last_seq_sql, (run_id,))
        row = cursor.fetchone()
        offset = int((row[0] if row else None) or 0) - (batch.events[0].seq - 1)
        if offset <= 0:
            return 0
        batch.events[:] = [e.model_copy(update={"seq": e.seq + offset}) for e in batch.events]
        for attempt in batch.attempts:
            attempt.seq += offset
        return offset

    @staticmethod
    def _event_row(event: Event) -> tuple[Any, ...]:
        return (
            event.run_id,
            event.seq,
            event.kind.value,
            event.at,
            event.step_id,
            event.attempt,
            None if event.message is None else safe_text(redact(event.message)),
            _dumps(event.data),
        )

    @staticmethod
    def _attempt_row(attempt: AttemptRecord) -> tuple[Any, ...]:
        return (
            attempt.run_id,
            attempt.phase.value,
            attempt.step_id,
            attempt.attempt,
            attempt.status.value,
            None if attempt.output is None else _dumps(attempt.output),
            None if attempt.error is None else _dumps(attempt.error),
            None if attempt.plan is None else _dumps(attempt.plan),
            attempt.started_at,
            attempt.finished_at,
            attempt.seq,
        )

    @staticmethod
    def _apply_run_update(sql: Statements, update: RunUpdate) -> None:
        """Change a run row; a status change is checked against the row's status, here."""
        values: dict[str, Any] = {"updated_at": time.time()}
        where = "id = :id"
        params: dict[str, Any] = {"id": update.run_id}
        if update.status is not None:
            values["status"] = update.status.value
            allowed = [s.value for s in statuses_before(update.status)]
            params.update({f"from_{i}": status for i, status in enumerate(allowed)})
            where += f" AND status IN ({', '.join(f':from_{i}' for i in range(len(allowed)))})"
        if update.outputs is not None:
            values["outputs"] = _dumps(update.outputs)
        if update.error is not None:
            values["error"] = _dumps(update.error)
        if update.owner is not None:
            values["owner"] = update.owner
        if update.clear_owner:
            values["owner"] = None
        if update.clear_cancel:
            values["cancel_requested"] = False
        if update.finished_at is not None:
            values["finished_at"] = update.finished_at
        if update.summary is not None:
            values["summary"] = _dumps(update.summary)
        assignments = ", ".join(f"{column} = :set_{column}" for column in values)
        params.update({f"set_{column}": value for column, value in values.items()})
        # Column names come from the code above; values go as parameters.
        if sql.execute(f"UPDATE {tables.RUNS} SET {assignments} WHERE {where}", params) == 1:  # nosec B608
            return
        current = sql.scalar(f"SELECT status FROM {tables.RUNS} WHERE id = :id", params)
        if current is None:
            raise RunNotFoundError(update.run_id)
        assert update.status is not None  # only a status check can leave the row unchanged
        raise IllegalTransitionError(update.run_id, current, update.status.value)

    def attempts(
        self, run_id: str, phase: Phase | None = None, *, after_seq: int = 0
    ) -> list[AttemptRecord]:
        """Every recorded attempt of a run (committed after `after_seq`), in completion order."""
        where = "run_id = :run_id AND seq > :after" + (
            "" if phase is None else " AND phase = :phase"
        )
        params = {
            "run_id": run_id,
            "after": after_seq,
            "phase": None if phase is None else phase.value,
        }
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(
                f"SELECT * FROM {tables.ATTEMPTS} WHERE {where} ORDER BY seq",  # nosec B608
                params,
            )
        records = []
        for data in rows:
            for key in ("output", "error", "plan"):
                data[key] = _loads(data[key])
            data["status"] = StepStatus(data["status"])
            records.append(AttemptRecord.model_validate(data))
        return records

    def events(
        self,
        run_id: str,
        *,
        after_seq: int = 0,
        limit: int | None = None,
        kinds: Sequence[EventKind] = (),
    ) -> list[Event]:
        """The run's events with seq > after_seq (of the given kinds), in order."""
        where = "run_id = :run_id AND seq > :after"
        params: dict[str, Any] = {"run_id": run_id, "after": after_seq}
        if kinds:
            params.update({f"kind_{i}": kind.value for i, kind in enumerate(kinds)})
            where += f" AND kind IN ({', '.join(f':kind_{i}' for i in range(len(kinds)))})"
        query = f"SELECT * FROM {tables.EVENTS} WHERE {where} ORDER BY seq"  # nosec B608
        if limit is not None:
            query += " LIMIT :limit"
            params["limit"] = limit
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(query, params)
        return [
            Event(
                run_id=row["run_id"],
                seq=row["seq"],
                kind=EventKind(row["kind"]),
                at=row["at"],
                step_id=row["step_id"],
                attempt=row["attempt"],
                message=row["message"],
                data=_loads(row["data"]) or {},
            )
            for row in rows
        ]

    def last_seq(self, run_id: str) -> int:
        """The highest event seq recorded for the run (0 when none)."""
        with self.transaction(read_only=True) as sql:
            value = sql.scalar(
                f"SELECT max(seq) FROM {tables.EVENTS} WHERE run_id = :run_id", {"run_id": run_id}
            )
        return int(value or 0)

    # -- answers and artifacts -----------------------------------------------------------

    def add_answer(self, answer: AnswerRecord, event: Event | None = None) -> None:
        """Record an outside answer for a suspended step (replacing an earlier one)."""
        row = {
            "run_id": answer.run_id,
            "step_id": answer.step_id,
            "payload": _dumps(answer.payload),
            "answered_by": safe_text(answer.answered_by),
            "answered_at": answer.answered_at,
        }
        with self.transaction() as sql:
            sql.execute(
                f"DELETE FROM {tables.ANSWERS} WHERE run_id = :run_id AND step_id = :step_id", row
            )
            sql.execute(_insert_sql(tables.ANSWERS, tuple(row)), row)
            if event is not None:
                self._insert_journal(sql.cursor, JournalBatch(events=[event]))

    def answers(self, run_id: str) -> dict[str, AnswerRecord]:
        """The answers given to the run's suspended steps, by step id."""
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(
                f"SELECT * FROM {tables.ANSWERS} WHERE run_id = :run_id", {"run_id": run_id}
            )
        return {
            row["step_id"]: AnswerRecord(
                run_id=row["run_id"],
                step_id=row["step_id"],
                payload=_loads(row["payload"]),
                answered_by=row["answered_by"],
                answered_at=row["answered_at"],
            )
            for row in rows
        }

    def artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """The artifacts a run produced."""
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(
                f"SELECT * FROM {tables.ARTIFACTS} WHERE run_id = :run_id ORDER BY created_at",
                {"run_id": run_id},
            )
        return [ArtifactRecord.model_validate(row) for row in rows]

    def artifact_dir(self, run_id: str) -> Path:
        """The directory for this run's artifact files (created on demand)."""
        return self.location.artifacts_dir / run_id

    def run_ids(self, prefix: str) -> Sequence[str]:
        """Run ids starting with `prefix` (so users can type a short id)."""
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(
                f"SELECT id FROM {tables.RUNS} WHERE id LIKE :pattern ESCAPE '!' LIMIT 5",
                # A `%` or `_` the user typed is not a wildcard.
                {"pattern": re.sub(r"([!%_])", r"!\1", prefix) + "%"},
            )
        return [row["id"] for row in rows]


# Events that only tell what is happening: a step started, a log line.
_ADVISORY_KINDS = frozenset({EventKind.STEP_STARTED, EventKind.STEP_LOG})


def is_advisory(batch: JournalBatch) -> bool:
    """Whether a batch may commit without waiting for PostgreSQL's disk flush.

    The write-ahead log is flushed in order, so the next durable commit (any result, attempt,
    run status or lease release, by any process) makes it durable too; a database crash can
    lose only a tail of such batches, never a result, and a step whose `step.started` was
    lost is simply started again on resume. SQLite in WAL mode with synchronous=NORMAL does
    not flush at each commit anyway.
    """
    if batch.attempts or batch.runs or batch.artifacts or not batch.events:
        return False
    if batch.fence is not None and batch.fence.release:
        return False
    return all(event.kind in _ADVISORY_KINDS for event in batch.events)


def _artifact_row(artifact: ArtifactRecord) -> dict[str, Any]:
    row = artifact.model_dump()
    row["name"], row["path"] = safe_text(artifact.name), safe_text(artifact.path)
    return row


def _keep_out_of_git(directory: Path) -> None:
    """Make git ignore Devora's own files, so a run never makes a repository dirty."""
    # `.devora/` usually sits in the project a workflow works on; a release refuses a
    # dirty tree, and a quality gate's tree fingerprint must not change with each run.
    ignore = directory / ".gitignore"
    if directory.is_dir() and not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text("# Devora's store and artifacts: never committed\n*\n")


def open_store(url: str | None = None, home: str | os.PathLike[str] | None = None) -> Store:
    """Open (creating or upgrading) the store named by the arguments or the environment."""
    return Store(resolve_store_location(url, home))
