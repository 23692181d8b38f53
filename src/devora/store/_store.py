"""The store: one database (SQLite in WAL mode, or PostgreSQL) that journals runs."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import event as sa_event

from devora.errors import (
    IllegalTransitionError,
    RunBusyError,
    RunNotFoundError,
    RunNotResumableError,
    StoreUnavailableError,
)
from devora.private_files import create_private_file, make_private_dir
from devora.secrets import redact, redact_value
from devora.store import _schema as schema
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

__all__ = ["Store", "open_store"]

_BUSY_TIMEOUT_MS = 60_000


def _dumps(value: Any) -> str:
    # The one boundary where text is stored: no secret gets past it.
    return json.dumps(redact_value(value), separators=(",", ":"), default=str)


def _loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


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


def _insert_sql(table: sa.Table, columns: Sequence[str], marker: str) -> str:
    # Table and column names are this module's constants; values go as parameters.
    return (
        f"INSERT INTO {table.name} ({', '.join(columns)}) "  # nosec B608
        f"VALUES ({', '.join(marker for _ in columns)})"
    )


T = TypeVar("T")


def _last_seq_sql(marker: str, *, lock_run: bool) -> str:
    # Names are this module's constants; the run id goes as a parameter.
    last = f"SELECT max(seq) FROM {schema.events.name} WHERE run_id = {marker}"  # nosec B608
    if not lock_run:
        return last
    return f"SELECT ({last}) FROM {schema.runs.name} WHERE id = {marker} FOR UPDATE"  # nosec B608


class Store:
    """Durable memory of runs; every write is one transaction (see `write`)."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.url = location.url
        self.is_sqlite = location.url.startswith("sqlite")
        self._lock = threading.RLock()
        try:
            self._engine = self._create_engine()
        except (sa.exc.ArgumentError, ImportError) as exc:
            fault = engine_fault(location, exc)
            if fault is None:
                raise
            raise fault from exc
        self._connection: sa.Connection | None = None
        self._closed = False
        marker = "?" if self._engine.dialect.paramstyle == "qmark" else "%s"
        self._insert_event_sql = _insert_sql(schema.events, _EVENT_COLUMNS, marker)
        self._insert_attempt_sql = _insert_sql(schema.step_attempts, _ATTEMPT_COLUMNS, marker)
        self._last_seq_sql = _last_seq_sql(marker, lock_run=False)
        # Lock first, read after: a PostgreSQL statement's snapshot predates its wait for
        # the lock, so a max(seq) read by the locking statement misses the writer it
        # waited for (two workers of one run then commit the same seq).
        self._lock_run_sql = f"SELECT 1 FROM {schema.runs.name} WHERE id = {marker} FOR UPDATE"  # nosec B608
        self._open()

    # -- opening -----------------------------------------------------------------

    def _create_engine(self) -> sa.Engine:
        if not self.is_sqlite:
            return sa.create_engine(
                self.url,
                pool_pre_ping=True,
                connect_args={"connect_timeout": 5} if "psycopg" in self.url else {},
            )
        path = self.location.sqlite_path
        if path is not None:
            self._prepare_sqlite_directory(path)
        engine = sa.create_engine(self.url, connect_args={"timeout": _BUSY_TIMEOUT_MS / 1000})

        @sa_event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # Take transaction control from pysqlite so BEGIN IMMEDIATE can be issued:
            # a writer then waits for the lock up front instead of failing with
            # "database is locked" when it upgrades a read lock mid-transaction.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            cursor.close()

        @sa_event.listens_for(engine, "begin")
        def _on_begin(connection: sa.Connection) -> None:
            if connection.info.get("devora_read_only"):
                connection.exec_driver_sql("BEGIN")
            else:
                connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

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

    def _open(self) -> None:
        try:
            with self._engine.begin() as connection:
                if not self.is_sqlite:
                    # One process upgrades at a time; the others wait here.
                    connection.execute(sa.text("SELECT pg_advisory_xact_lock(4242424242)"))
                schema.upgrade_schema(connection)
            self._connection = self._engine.connect()
        except sa.exc.DBAPIError as exc:
            self._engine.dispose()
            raise self._translate(exc) from exc

    def _translate(self, exc: sa.exc.DBAPIError) -> Exception:
        return database_fault(self.location, exc) or exc

    def close(self) -> None:
        """Close the connection and the pool; safe to call twice."""
        if self._closed:
            return
        self._closed = True
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection = None
            self._engine.dispose()

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
    def _transaction(self, *, read_only: bool = False) -> Iterator[sa.Connection]:
        with self._lock:
            connection = self._connection
            if connection is None:
                raise StoreUnavailableError(mask_url(self.url), "the store is closed")
            # Per transaction: SQLAlchemy 2's execution_options() would change the shared
            # connection for good, and every later writer would then start with a plain
            # BEGIN and fail with "database is locked" when it upgrades to write.
            connection.info["devora_read_only"] = read_only
            try:
                with connection.begin():
                    yield connection
            except sa.exc.DBAPIError as exc:
                fault = database_fault(self.location, exc)
                if fault is None:
                    raise
                raise fault from exc

    # -- runs ----------------------------------------------------------------------

    def create_run(self, run: RunRecord, first_event: Event | None = None) -> Event | None:
        """Insert a new run (and the event announcing it) in one transaction.

        Returns the event as committed (numbered), to publish.
        """
        batch = JournalBatch(events=[first_event] if first_event is not None else [])
        with self._transaction() as connection:
            connection.execute(schema.runs.insert().values(**self._run_row(run)))
            self._insert_journal(connection.connection.driver_connection, batch)
        return batch.events[0] if batch.events else None

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
        with self._transaction(read_only=True) as connection:
            row = connection.execute(
                sa.select(schema.runs).where(schema.runs.c.id == run_id)
            ).first()
        if row is None:
            raise RunNotFoundError(run_id)
        return self._run_from_row(row)

    @staticmethod
    def _run_from_row(row: sa.Row[Any]) -> RunRecord:
        data = dict(row._mapping)
        for key in ("inputs", "outputs", "error", "summary"):
            data[key] = _loads(data[key])
        data["summary"] = data["summary"] or {}
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
        query = sa.select(schema.runs).order_by(schema.runs.c.created_at.desc()).limit(limit)
        if created_after is not None:
            query = query.where(schema.runs.c.created_at >= created_after)
        if created_before is not None:
            query = query.where(schema.runs.c.created_at < created_before)
        if workflow is not None:
            query = query.where(schema.runs.c.workflow == workflow)
        if status is not None:
            query = query.where(schema.runs.c.status == status.value)
        if parent_run_id is not None:
            query = query.where(schema.runs.c.parent_run_id == parent_run_id)
        if top_level_only:
            query = query.where(schema.runs.c.parent_run_id.is_(None))
        with self._transaction(read_only=True) as connection:
            rows = connection.execute(query).all()
        return [self._run_from_row(row) for row in rows]

    def claim_run(self, run_id: str, owner: str, expected_owner: str | None) -> None:
        """Make `owner` the process executing the run, if its owner is still `expected_owner`.

        A compare-and-set in one statement: of two processes resuming the same run, one
        wins; the other gets RunBusyError (or RunNotResumableError when the winner has
        already finished the run).
        """
        column = schema.runs.c.owner
        same_owner = column.is_(None) if expected_owner is None else column == expected_owner
        with self._transaction() as connection:
            claimed = connection.execute(
                schema.runs.update()
                .where((schema.runs.c.id == run_id) & same_owner)
                .values(owner=owner, updated_at=time.time())
            )
            if claimed.rowcount == 1:
                return
            row = connection.execute(
                sa.select(schema.runs.c.owner, schema.runs.c.status).where(
                    schema.runs.c.id == run_id
                )
            ).first()
        if row is None:
            raise RunNotFoundError(run_id)
        if not RunStatus(row.status).resumable:
            raise RunNotResumableError(run_id, row.status)
        raise RunBusyError(run_id, row.owner or "another process")

    def request_cancel(self, run_id: str) -> RunRecord:
        """Ask the process executing a run to cancel it (seen within a second)."""
        with self._transaction() as connection:
            result = connection.execute(
                schema.runs.update()
                .where(schema.runs.c.id == run_id)
                .values(cancel_requested=True, updated_at=time.time())
            )
            if result.rowcount == 0:
                raise RunNotFoundError(run_id)
        return self.get_run(run_id)

    def cancel_requested(self, run_id: str) -> bool:
        """True when someone asked for this run to be cancelled."""
        with self._transaction(read_only=True) as connection:
            value = connection.execute(
                sa.select(schema.runs.c.cancel_requested).where(schema.runs.c.id == run_id)
            ).scalar()
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
        if not batch.runs and not batch.artifacts:
            return self._write_journal_only(batch)
        with self._transaction() as connection:
            offset = self._insert_journal(connection.connection.driver_connection, batch)
            for update in batch.runs:
                self._apply_run_update(connection, update)
            if batch.artifacts:
                for artifact in batch.artifacts:
                    connection.execute(
                        schema.artifacts.delete().where(
                            (schema.artifacts.c.run_id == artifact.run_id)
                            & (schema.artifacts.c.name == artifact.name)
                        )
                    )
                connection.execute(
                    schema.artifacts.insert(), [_artifact_row(a) for a in batch.artifacts]
                )
        return offset

    def _write_journal_only(self, batch: JournalBatch) -> int:
        """The hot path of every run: events and step results, straight to the driver.

        SQLAlchemy's transaction bookkeeping costs more than SQLite's own commit here;
        the driver connection is the one SQLAlchemy holds, used while it has no
        transaction open (the lock guarantees it).
        """
        with self._lock:
            if self._connection is None:
                raise StoreUnavailableError(mask_url(self.url), "the store is closed")
            raw: Any = self._connection.connection.driver_connection
            try:
                if self.is_sqlite:
                    raw.execute("BEGIN IMMEDIATE")
                try:
                    offset = self._insert_journal(raw, batch)
                except BaseException:
                    raw.rollback()
                    raise
                raw.commit()
                return offset
            except Exception as exc:
                fault = database_fault(self.location, exc)
                if fault is None:
                    raise
                raise fault from exc

    def _insert_journal(self, raw: Any, batch: JournalBatch) -> int:
        cursor = raw.cursor()
        try:
            if batch.fence is not None:  # a coordinator's or worker's write: refused if stale
                check_fence(cursor, batch.fence, sqlite=self.is_sqlite)
            offset = self._number_events(cursor, batch)
            if batch.events:
                cursor.executemany(
                    self._insert_event_sql, [self._event_row(e) for e in batch.events]
                )
            if batch.attempts:
                cursor.executemany(
                    self._insert_attempt_sql, [self._attempt_row(a) for a in batch.attempts]
                )
        finally:
            cursor.close()
        return offset

    def _number_events(self, cursor: Any, batch: JournalBatch) -> int:
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
    def _apply_run_update(connection: sa.Connection, update: RunUpdate) -> None:
        """Change a run row; a status change is checked against the row's status, here."""
        runs = schema.runs
        values: dict[str, Any] = {"updated_at": time.time()}
        where = runs.c.id == update.run_id
        if update.status is not None:
            values["status"] = update.status.value
            where &= runs.c.status.in_([s.value for s in statuses_before(update.status)])
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
        if connection.execute(runs.update().where(where).values(**values)).rowcount == 1:
            return
        current = connection.execute(
            sa.select(runs.c.status).where(runs.c.id == update.run_id)
        ).scalar()
        if current is None:
            raise RunNotFoundError(update.run_id)
        assert update.status is not None  # only a status check can leave the row unchanged
        raise IllegalTransitionError(update.run_id, current, update.status.value)

    def attempts(
        self, run_id: str, phase: Phase | None = None, *, after_seq: int = 0
    ) -> list[AttemptRecord]:
        """Every recorded attempt of a run (committed after `after_seq`), in completion order."""
        query = (
            sa.select(schema.step_attempts)
            .where(schema.step_attempts.c.run_id == run_id)
            .order_by(schema.step_attempts.c.seq)
        )
        if after_seq:
            query = query.where(schema.step_attempts.c.seq > after_seq)
        if phase is not None:
            query = query.where(schema.step_attempts.c.phase == phase.value)
        with self._transaction(read_only=True) as connection:
            rows = connection.execute(query).all()
        records = []
        for row in rows:
            data = dict(row._mapping)
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
        query = (
            sa.select(schema.events)
            .where((schema.events.c.run_id == run_id) & (schema.events.c.seq > after_seq))
            .order_by(schema.events.c.seq)
        )
        if kinds:
            query = query.where(schema.events.c.kind.in_([k.value for k in kinds]))
        if limit is not None:
            query = query.limit(limit)
        with self._transaction(read_only=True) as connection:
            rows = connection.execute(query).all()
        return [
            Event(
                run_id=row.run_id,
                seq=row.seq,
                kind=EventKind(row.kind),
                at=row.at,
                step_id=row.step_id,
                attempt=row.attempt,
                message=row.message,
                data=_loads(row.data) or {},
            )
            for row in rows
        ]

    def last_seq(self, run_id: str) -> int:
        """The highest event seq recorded for the run (0 when none)."""
        with self._transaction(read_only=True) as connection:
            value = connection.execute(
                sa.select(sa.func.max(schema.events.c.seq)).where(schema.events.c.run_id == run_id)
            ).scalar()
        return int(value or 0)

    # -- answers and artifacts -----------------------------------------------------------

    def add_answer(self, answer: AnswerRecord, event: Event | None = None) -> None:
        """Record an outside answer for a suspended step (replacing an earlier one)."""
        with self._transaction() as connection:
            connection.execute(
                schema.answers.delete().where(
                    (schema.answers.c.run_id == answer.run_id)
                    & (schema.answers.c.step_id == answer.step_id)
                )
            )
            connection.execute(
                schema.answers.insert().values(
                    run_id=answer.run_id,
                    step_id=answer.step_id,
                    payload=_dumps(answer.payload),
                    answered_by=safe_text(answer.answered_by),
                    answered_at=answer.answered_at,
                )
            )
            if event is not None:
                raw = connection.connection.driver_connection
                self._insert_journal(raw, JournalBatch(events=[event]))

    def answers(self, run_id: str) -> dict[str, AnswerRecord]:
        """The answers given to the run's suspended steps, by step id."""
        with self._transaction(read_only=True) as connection:
            rows = connection.execute(
                sa.select(schema.answers).where(schema.answers.c.run_id == run_id)
            ).all()
        return {
            row.step_id: AnswerRecord(
                run_id=row.run_id,
                step_id=row.step_id,
                payload=_loads(row.payload),
                answered_by=row.answered_by,
                answered_at=row.answered_at,
            )
            for row in rows
        }

    def artifacts(self, run_id: str) -> list[ArtifactRecord]:
        """The artifacts a run produced."""
        with self._transaction(read_only=True) as connection:
            rows = connection.execute(
                sa.select(schema.artifacts)
                .where(schema.artifacts.c.run_id == run_id)
                .order_by(schema.artifacts.c.created_at)
            ).all()
        return [ArtifactRecord.model_validate(dict(row._mapping)) for row in rows]

    def artifact_dir(self, run_id: str) -> Path:
        """The directory for this run's artifact files (created on demand)."""
        return self.location.artifacts_dir / run_id

    def run_ids(self, prefix: str) -> Sequence[str]:
        """Run ids starting with `prefix` (so users can type a short id)."""
        with self._transaction(read_only=True) as connection:
            rows = connection.execute(
                sa.select(schema.runs.c.id).where(schema.runs.c.id.startswith(prefix)).limit(5)
            ).all()
        return [row.id for row in rows]


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
