"""Runs as rows: create, read, list, claim, ask to cancel."""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from devora.errors import RunBusyError, RunNotFoundError, RunNotResumableError
from devora.store import _tables as tables
from devora.store._journal import JournalStore
from devora.store._records import Event, JournalBatch, RunRecord
from devora.store._rows import dumps, insert_sql, loads
from devora.store._status import RunStatus
from devora.store._text import safe_text

__all__ = ["RunStore", "run_from_row"]

_RUN_COLUMNS = tuple(RunRecord.model_fields)
_JSON_COLUMNS = ("inputs", "outputs", "error", "summary")


class RunStore(JournalStore):
    """The store's runs: each created with the event announcing it, in one transaction."""

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
                sql.execute(insert_sql(tables.RUNS, _RUN_COLUMNS), _run_row(run))
                self._write_within(sql, batch)
        return [batch.events[0] if batch.events else None for batch in batches]

    def get_run(self, run_id: str) -> RunRecord:
        """The run with this id; RunNotFoundError when there is none."""
        with self.transaction(read_only=True) as sql:
            row = sql.first(f"SELECT * FROM {tables.RUNS} WHERE id = :id", {"id": run_id})
        if row is None:
            raise RunNotFoundError(run_id)
        return run_from_row(row)

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
        return [run_from_row(row) for row in rows]

    def run_ids(self, prefix: str) -> Sequence[str]:
        """Run ids starting with `prefix` (so users can type a short id)."""
        with self.transaction(read_only=True) as sql:
            rows = sql.rows(
                f"SELECT id FROM {tables.RUNS} WHERE id LIKE :pattern ESCAPE '!' LIMIT 5",
                # A `%` or `_` the user typed is not a wildcard.
                {"pattern": re.sub(r"([!%_])", r"!\1", prefix) + "%"},
            )
        return [row["id"] for row in rows]

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


def _run_row(run: RunRecord) -> dict[str, Any]:
    row = run.model_dump()
    for key in _JSON_COLUMNS:
        row[key] = None if row[key] is None else dumps(row[key])
    row["status"] = run.status.value
    row["workflow_ref"] = safe_text(run.workflow_ref)
    return row


def run_from_row(data: dict[str, Any]) -> RunRecord:
    """The run a row of the runs table holds (its JSON columns decoded)."""
    for key in _JSON_COLUMNS:
        data[key] = loads(data[key])
    data["summary"] = data["summary"] or {}
    data["dry_run"] = bool(data["dry_run"])
    data["cancel_requested"] = bool(data["cancel_requested"])
    return RunRecord.model_validate(data)
