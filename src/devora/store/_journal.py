"""The journal: events, attempt records and run updates committed together, numbered."""

from __future__ import annotations

import contextlib
import time
from collections.abc import Iterator, Sequence
from typing import Any, cast

from devora.errors import IllegalTransitionError, RunNotFoundError
from devora.secrets import redact
from devora.store import _tables as tables
from devora.store._connection import StoreConnection
from devora.store._database import Statements, rows_as_dicts
from devora.store._leases import finish_fence, start_fence
from devora.store._location import StoreLocation
from devora.store._records import (
    ArtifactRecord,
    AttemptRecord,
    Event,
    EventKind,
    JournalBatch,
    Phase,
    RunUpdate,
)
from devora.store._rows import dumps, insert_sql, loads
from devora.store._status import StepStatus, statuses_before
from devora.store._text import safe_text

__all__ = ["JournalStore", "attempt_from_row", "is_advisory", "pipelined"]

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


def _last_seq_sql(marker: str) -> str:
    # Names are this module's constants; the run id goes as a parameter.
    return f"SELECT max(seq) FROM {tables.EVENTS} WHERE run_id = {marker}"  # nosec B608


class JournalStore(StoreConnection):
    """The store's journal: `write` commits a batch; `events` and `attempts` read it back."""

    def __init__(self, location: StoreLocation) -> None:
        super().__init__(location)
        marker = "?" if self.is_sqlite else "%s"
        self._insert_event_sql = insert_sql(tables.EVENTS, _EVENT_COLUMNS, marker)
        self._insert_attempt_sql = insert_sql(tables.ATTEMPTS, _ATTEMPT_COLUMNS, marker)
        self._last_seq_sql = _last_seq_sql(marker)
        # Lock first, read after: a PostgreSQL statement's snapshot predates its wait for
        # the lock, so a max(seq) read by the locking statement misses the writer it
        # waited for (two workers of one run then commit the same seq).
        self._lock_run_sql = f"SELECT 1 FROM {tables.RUNS} WHERE id = {marker} FOR UPDATE"  # nosec B608

    def write(self, batch: JournalBatch) -> int:
        """Commit a batch of events, attempt records and run updates atomically.

        The batch's events are numbered after the run's last committed event in the same
        transaction: when another writer got there first, they (and the attempt records
        that share their numbers) move up. Returns by how much (0 almost always).

        On PostgreSQL the statements go in two round trips (psycopg's pipeline): the fence,
        the run's lock, its last number and the run updates; then, once those are checked,
        the rows and the commit. One at a time they took eight.
        """
        if not batch:
            return 0
        with (
            self.transaction() as sql,
            _Cursors(sql) as cursors,
            pipelined(cursors.connection) as pipeline,
        ):
            if not self.is_sqlite and is_advisory(batch):
                cursors.new().execute("SET LOCAL synchronous_commit = off")
            return self._write_batch(sql, cursors, pipeline, batch)

    def _write_within(self, sql: Statements, batch: JournalBatch) -> int:
        """`write`'s batch inside a transaction the caller opened and commits, one statement
        at a time (creating a run, filing an answer: one event beside the caller's rows)."""
        with _Cursors(sql) as cursors:
            return self._write_batch(sql, cursors, None, batch)

    def _write_batch(
        self, sql: Statements, cursors: _Cursors, pipeline: Any, batch: JournalBatch
    ) -> int:
        """The batch's statements, in the open transaction; returns `write`'s offset.

        Writers of one run are serialized by the run's number (SQLite's BEGIN IMMEDIATE; on
        PostgreSQL the run's row is locked first), so two never commit the same number.
        """
        sqlite = self.is_sqlite
        # What the rest depends on: the fence holds, the run's last number, the updates.
        fence = cursors.new() if batch.fence is not None else None
        if fence is not None and batch.fence is not None:
            start_fence(fence, batch.fence, sqlite=sqlite)
        last = None
        if batch.events:
            run_id = batch.events[0].run_id
            if not sqlite:
                cursors.new().execute(self._lock_run_sql, (run_id,))
            last = cursors.new()
            last.execute(self._last_seq_sql, (run_id,))
        updates = []
        for update in batch.runs:
            statement, params = _run_update_sql(update)
            cursor = cursors.new()
            cursor.execute(sql.database.sql(statement), params)
            updates.append((update, cursor))
        if pipeline is not None:
            pipeline.sync()  # sends the above, and waits for their results
        if fence is not None and batch.fence is not None:
            finish_fence(fence, batch.fence, sqlite=sqlite)
        for update, cursor in updates:
            if cursor.rowcount != 1:
                _refuse_run_update(sql, update)
        offset = 0
        if last is not None:
            row = last.fetchone()
            offset = _renumber(batch, int((row[0] if row else None) or 0))
        # The rows, sent with the commit.
        if batch.events:
            cursors.new().executemany(self._insert_event_sql, [_event_row(e) for e in batch.events])
        if batch.attempts:
            cursors.new().executemany(
                self._insert_attempt_sql, [_attempt_row(a) for a in batch.attempts]
            )
        for artifact in batch.artifacts:
            cursors.new().execute(
                sql.database.sql(
                    f"DELETE FROM {tables.ARTIFACTS} WHERE run_id = :run_id AND name = :name"  # nosec B608
                ),
                {"run_id": artifact.run_id, "name": safe_text(artifact.name)},
            )
        if batch.artifacts:
            cursors.new().executemany(
                sql.database.sql(insert_sql(tables.ARTIFACTS, _ARTIFACT_COLUMNS)),
                [_artifact_row(a) for a in batch.artifacts],
            )
        return offset  # the rows go with the commit, when the pipeline ends

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
        return [attempt_from_row(data) for data in rows]

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
        return [_event_from_row(row) for row in rows]

    def news(self, run_id: str, after_seq: int) -> tuple[list[Event], list[AttemptRecord]]:
        """The run's events and its steps' results (phase run) committed after `after_seq`:
        one transaction, one round trip on PostgreSQL (a coordinator's look at its run).

        Each read has its own snapshot: a result may be committed between the two, and
        then it is among the results but its event is not among the events.
        """
        params = {"run_id": run_id, "after": after_seq, "phase": Phase.RUN.value}
        statements = (
            f"SELECT * FROM {tables.EVENTS} WHERE run_id = :run_id AND seq > :after "  # nosec B608
            "ORDER BY seq",
            f"SELECT * FROM {tables.ATTEMPTS} WHERE run_id = :run_id AND seq > :after "  # nosec B608
            "AND phase = :phase ORDER BY seq",
        )
        with self.transaction(read_only=True) as sql, _Cursors(sql) as cursors:
            with pipelined(cursors.connection):
                for statement in statements:
                    cursors.new().execute(sql.database.sql(statement), params)
            events, attempts = (rows_as_dicts(cursor) for cursor in cursors.opened)
        return [_event_from_row(row) for row in events], [attempt_from_row(r) for r in attempts]

    def last_seq(self, run_id: str) -> int:
        """The highest event seq recorded for the run (0 when none)."""
        with self.transaction(read_only=True) as sql:
            value = sql.scalar(
                f"SELECT max(seq) FROM {tables.EVENTS} WHERE run_id = :run_id", {"run_id": run_id}
            )
        return int(value or 0)


def _event_from_row(row: dict[str, Any]) -> Event:
    return Event(
        run_id=row["run_id"],
        seq=row["seq"],
        kind=EventKind(row["kind"]),
        at=row["at"],
        step_id=row["step_id"],
        attempt=row["attempt"],
        message=row["message"],
        data=loads(row["data"]) or {},
    )


def attempt_from_row(data: dict[str, Any]) -> AttemptRecord:
    """The attempt a row of the attempts table holds (its JSON columns decoded)."""
    for key in ("output", "error", "plan"):
        data[key] = loads(data[key])
    data["status"] = StepStatus(data["status"])
    return AttemptRecord.model_validate(data)


@contextlib.contextmanager
def pipelined(connection: Any) -> Iterator[Any]:
    """On PostgreSQL, queue the statements run inside and send them together, in one
    transaction the block commits: psycopg's pipeline mode, yielded (its `sync()` sends
    what is queued and waits for the results). On SQLite, None: statements run as they
    come, and the store's transaction commits them.

    Read a cursor's rows after the block (or after a `sync()`). The connection is put in
    autocommit mode meanwhile so that BEGIN is queued with the rest: psycopg would send
    its own BEGIN and wait for its answer, a round trip for nothing.
    """
    open_pipeline = getattr(connection, "pipeline", None)
    if open_pipeline is None:
        yield None
        return
    connection.autocommit = True
    try:
        with open_pipeline() as pipeline:
            statements = connection.cursor()
            statements.execute("BEGIN")
            yield pipeline
            statements.execute("COMMIT")
    except BaseException:
        if connection.info.transaction_status != _IDLE:
            connection.rollback()
        raise
    finally:
        if not connection.closed:
            connection.autocommit = False


_IDLE = 0  # libpq's PQTRANS_IDLE: no transaction open on the connection


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


def _event_row(event: Event) -> tuple[Any, ...]:
    return (
        event.run_id,
        event.seq,
        event.kind.value,
        event.at,
        event.step_id,
        event.attempt,
        None if event.message is None else safe_text(redact(event.message)),
        dumps(event.data),
    )


def _attempt_row(attempt: AttemptRecord) -> tuple[Any, ...]:
    return (
        attempt.run_id,
        attempt.phase.value,
        attempt.step_id,
        attempt.attempt,
        attempt.status.value,
        None if attempt.output is None else dumps(attempt.output),
        None if attempt.error is None else dumps(attempt.error),
        None if attempt.plan is None else dumps(attempt.plan),
        attempt.started_at,
        attempt.finished_at,
        attempt.seq,
    )


def _artifact_row(artifact: ArtifactRecord) -> dict[str, Any]:
    row = artifact.model_dump()
    row["name"], row["path"] = safe_text(artifact.name), safe_text(artifact.path)
    return row


def _renumber(batch: JournalBatch, last_seq: int) -> int:
    """Move the batch's events (and their attempts) after `last_seq`, if need be."""
    offset = last_seq - (batch.events[0].seq - 1)
    if offset <= 0:
        return 0
    batch.events[:] = [e.model_copy(update={"seq": e.seq + offset}) for e in batch.events]
    for attempt in batch.attempts:
        attempt.seq += offset
    return offset


def _run_update_sql(update: RunUpdate) -> tuple[str, dict[str, Any]]:
    """The statement changing a run row; a status change is checked against the row's
    status, in its WHERE (no row changed: `_refuse_run_update`)."""
    values: dict[str, Any] = {"updated_at": time.time()}
    where = "id = :id"
    params: dict[str, Any] = {"id": update.run_id}
    if update.status is not None:
        values["status"] = update.status.value
        allowed = [s.value for s in statuses_before(update.status)]
        params.update({f"from_{i}": status for i, status in enumerate(allowed)})
        where += f" AND status IN ({', '.join(f':from_{i}' for i in range(len(allowed)))})"
    if update.outputs is not None:
        values["outputs"] = dumps(update.outputs)
    if update.error is not None:
        values["error"] = dumps(update.error)
    if update.owner is not None:
        values["owner"] = update.owner
    if update.clear_owner:
        values["owner"] = None
    if update.clear_cancel:
        values["cancel_requested"] = False
    if update.finished_at is not None:
        values["finished_at"] = update.finished_at
    if update.summary is not None:
        values["summary"] = dumps(update.summary)
    assignments = ", ".join(f"{column} = :set_{column}" for column in values)
    params.update({f"set_{column}": value for column, value in values.items()})
    # Column names come from the code above; values go as parameters.
    return f"UPDATE {tables.RUNS} SET {assignments} WHERE {where}", params  # nosec B608


def _refuse_run_update(sql: Statements, update: RunUpdate) -> None:
    """Why a run update changed no row: the run is gone, or its status forbids it."""
    current = sql.scalar(f"SELECT status FROM {tables.RUNS} WHERE id = :id", {"id": update.run_id})
    if current is None:
        raise RunNotFoundError(update.run_id)
    assert update.status is not None  # only a status check can leave the row unchanged
    raise IllegalTransitionError(update.run_id, current, update.status.value)


class _Cursors:
    """The cursors of one write: one per statement whose result is read (a pipeline hands
    each statement's result to its cursor), closed together."""

    def __init__(self, sql: Statements) -> None:
        self.connection: Any = cast(Any, sql.cursor).connection  # the driver's (psycopg, sqlite3)
        self.opened: list[Any] = []

    def __enter__(self) -> _Cursors:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def new(self) -> Any:
        cursor = self.connection.cursor()
        self.opened.append(cursor)
        return cursor

    def close(self) -> None:
        for cursor in self.opened:
            cursor.close()
