"""A worker's claim on one step: the run, the claim and what the step reads, in one commit.

Before a worker runs a step it needs the run (is it still running? its inputs), a claim
on the step (a lease with a fencing token, `_leases`), whether a result of this dispatch
is already committed, the results of the steps it reads (those it needs, directly or
not) and the run's answers. All of it is one transaction, sent to PostgreSQL in one
pipeline with its commit: one round trip, where separate calls took some fifteen, each
a wake-up of the database on a busy machine.

The reads run after the claim, each statement with its own snapshot (READ COMMITTED):
a holder commits its result and drops its claim in one transaction, so a result
committed before the claim was taken is seen by them.

The claim is committed without waiting for the WAL flush (`synchronous_commit = off`,
for this transaction only; see `_leases`): a database crash in the next fraction of a
second can lose it, and then of two workers running the step only one finds its claim
when it commits its result, and the other's commit is refused by the fence.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from devora.errors import RunNotFoundError
from devora.store import _tables as tables
from devora.store._answers import answer_from_row
from devora.store._database import rows_as_dicts
from devora.store._journal import attempt_from_row, pipelined
from devora.store._leases import Lease, read_lease
from devora.store._records import AnswerRecord, AttemptRecord, Phase, RunRecord
from devora.store._runs import run_from_row
from devora.store._store import Store

__all__ = ["StepClaim", "claim_step"]

# A free key starts at token 1; an expired lease, or the same owner's, is taken over (the
# token raised, unless the same owner still holds it live); another live owner's is not
# touched, and no row comes back.
_CLAIM_SQL = (
    f"INSERT INTO {tables.LEASES} (key, owner, token, acquired_at, expires_at) "  # nosec B608
    "VALUES (:key, :owner, 1, :now, :expires_at) "
    "ON CONFLICT (key) DO UPDATE SET owner = excluded.owner, "
    f"token = CASE WHEN {tables.LEASES}.owner = excluded.owner "
    f"AND {tables.LEASES}.expires_at > :now "
    f"THEN {tables.LEASES}.token ELSE {tables.LEASES}.token + 1 END, "
    "acquired_at = excluded.acquired_at, expires_at = excluded.expires_at "
    f"WHERE {tables.LEASES}.expires_at <= :now OR {tables.LEASES}.owner = :owner "
    "RETURNING token"
)


@dataclass(slots=True)
class StepClaim:
    """What `claim_step` found: the run, the claim (or its live holder), and the reads."""

    run: RunRecord
    lease: Lease | None  # None: another owner holds the step, live (see `holder`)
    holder: Lease | None = None
    attempts: list[AttemptRecord] = field(default_factory=list)
    answers: dict[str, AnswerRecord] = field(default_factory=dict)


def claim_step(
    store: Store,
    run_id: str,
    key: str,
    owner: str,
    seconds: float,
    *,
    reads: Sequence[str],
) -> StepClaim:
    """Claim `key` for `owner` and read, after the claim, the run's attempts of `reads`
    (phase run, in completion order) and its answers; one transaction, one round trip.

    The claim is committed whatever the run's status: a caller that finds the run stopped,
    or the step's result already committed, releases it.
    """
    now = time.time()
    ids = list(dict.fromkeys(reads))
    marks = ", ".join(f":step_{i}" for i in range(len(ids)))
    attempts_sql = (
        f"SELECT * FROM {tables.ATTEMPTS} WHERE run_id = :run_id AND phase = :phase "  # nosec B608
        f"AND step_id IN ({marks}) ORDER BY seq"
    )
    statements: list[tuple[str, dict[str, Any]]] = [
        (f"SELECT * FROM {tables.RUNS} WHERE id = :run_id", {"run_id": run_id}),  # nosec B608
        (
            _CLAIM_SQL,
            {"key": key, "owner": owner, "now": now, "expires_at": now + seconds},
        ),
        (
            attempts_sql,
            {
                "run_id": run_id,
                "phase": Phase.RUN.value,
                **{f"step_{i}": step_id for i, step_id in enumerate(ids)},
            },
        ),
        (f"SELECT * FROM {tables.ANSWERS} WHERE run_id = :run_id", {"run_id": run_id}),  # nosec B608
    ]
    with store.transaction() as sql:
        connection = cast(Any, sql.cursor).connection  # the driver's (psycopg's, sqlite3's)
        cursors = []
        with pipelined(connection):
            if not store.is_sqlite:
                connection.cursor().execute("SET LOCAL synchronous_commit = off")
            for statement, params in statements:
                cursor = connection.cursor()
                cursor.execute(sql.database.sql(statement), params)
                cursors.append(cursor)
        results = [rows_as_dicts(cursor) for cursor in cursors]
    run_rows, token_rows, attempt_rows, answer_rows = results
    if not run_rows:
        raise RunNotFoundError(run_id)
    lease = Lease(key, owner, int(token_rows[0]["token"]), now + seconds) if token_rows else None
    claim = StepClaim(
        run=run_from_row(run_rows[0]),
        lease=lease,
        attempts=[attempt_from_row(row) for row in attempt_rows],
        answers={row["step_id"]: answer_from_row(row) for row in answer_rows},
    )
    if lease is None:
        claim.holder = read_lease(store, key)
    return claim
