"""Leases with fencing tokens: who coordinates a run, which worker runs a step.

A lease is a row of `devora_leases` (key, owner, token, expires_at). Its owner renews it
while it lives; anyone may take it over once it has expired, and a takeover raises the
token by one. A write that carries a `Fence` (key, token) is committed only while that
token is still the lease's: the late write of an owner that was replaced is refused.

Keys: `run:<run id>` for a run's coordinator, `step:<run>/<phase>/<step>/<attempt>` for
a step a worker has claimed.

On PostgreSQL a step's claim (taken, renewed) is committed without waiting for the WAL
flush (`synchronous_commit = off`): it is visible to every other worker at once, and
only a database crash in the next fraction of a second can lose it. A lost claim lets
another worker run the step again, and of the two result writes only one finds the claim
and commits (the result itself is always committed synchronously, with the claim's
release). That saves one disk flush per step, the largest cost of a step on a worker.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from devora.errors import DevoraError
from devora.store._tables import LEASES

if TYPE_CHECKING:
    from devora.store._database import Statements
    from devora.store._store import Store

__all__ = [
    "RESULTS_CHANNEL",
    "Fence",
    "Lease",
    "LeaseLostError",
    "acquire_lease",
    "expired_run_leases",
    "finish_fence",
    "read_lease",
    "release_lease",
    "renew_lease",
    "run_lease_key",
    "start_fence",
    "step_lease_key",
]

# The PostgreSQL NOTIFY channel a worker's committed step result is announced on.
RESULTS_CHANNEL = "devora_step_results"


class LeaseLostError(DevoraError):
    """A write carried a fencing token that is no longer the lease's: another took over."""

    code = "lease_lost"

    def __init__(self, key: str, token: int) -> None:
        self.key = key
        self.token = token
        super().__init__(
            f"the lease {key!r} (token {token}) was taken over by another process; "
            "this process's write was refused",
            hint="another coordinator or worker continues the work; nothing to do here",
        )


@dataclass(frozen=True, slots=True)
class Lease:
    """A held lease: its key, owner, fencing token and when it expires (unix seconds)."""

    key: str
    owner: str
    token: int
    expires_at: float

    @property
    def expired(self) -> bool:
        """True when its owner has stopped renewing it long enough."""
        return self.expires_at <= time.time()


@dataclass(frozen=True, slots=True)
class Fence:
    """What a journal write carries to be refused when its lease was taken over.

    `release` deletes the lease in the same transaction (a step's result is its last
    write); `notify` (PostgreSQL) announces the commit to the run's coordinator.
    """

    key: str
    token: int
    release: bool = False
    notify: str | None = None


def run_lease_key(run_id: str) -> str:
    """The key of a run's coordinator lease."""
    return f"run:{run_id}"


def step_lease_key(run_id: str, phase: str, step_id: str, attempt: int) -> str:
    """The key of the lease a worker holds while it runs one attempt of a step."""
    return f"step:{run_id}/{phase}/{step_id}/{attempt}"


def _lease(row: dict[str, Any]) -> Lease:
    return Lease(
        key=row["key"], owner=row["owner"], token=int(row["token"]), expires_at=row["expires_at"]
    )


def acquire_lease(
    store: Store, key: str, owner: str, seconds: float, *, take_over: bool = False
) -> Lease | None:
    """Hold `key` for `seconds`; None when another owner holds it and it has not expired.

    A free key starts at token 1. An expired lease, or any lease when `take_over` (the
    caller knows its owner is gone), is taken with the token raised by one; the same
    owner re-acquiring a live lease keeps its token.
    """
    select = f"SELECT * FROM {LEASES} WHERE key = :key" + ("" if store.is_sqlite else " FOR UPDATE")
    with store.transaction() as sql:
        _lazy_commit_of_claim(store, sql, key)
        now = time.time()
        params = {"key": key, "owner": owner, "now": now, "expires_at": now + seconds}
        row = sql.first(select, params)
        if row is None:
            inserted = sql.first(
                f"INSERT INTO {LEASES} (key, owner, token, acquired_at, expires_at) "
                "VALUES (:key, :owner, 1, :now, :expires_at) "
                "ON CONFLICT (key) DO NOTHING RETURNING key",
                params,
            )
            if inserted is not None:
                return Lease(key, owner, 1, now + seconds)
            row = sql.first(select, params)  # a racer inserted it first
            assert row is not None
        same_owner = row["owner"] == owner and row["expires_at"] > now
        if row["expires_at"] > now and not take_over and not same_owner:
            return None
        token = int(row["token"]) if same_owner else int(row["token"]) + 1
        sql.execute(
            f"UPDATE {LEASES} SET owner = :owner, token = :token, acquired_at = :now, "
            "expires_at = :expires_at WHERE key = :key",
            {**params, "token": token},
        )
        return Lease(key, owner, token, now + seconds)


def _lazy_commit_of_claim(store: Store, sql: Statements, key: str) -> None:
    """A step's claim needs no WAL flush (see the module's docstring); a run's lease does."""
    if key.startswith("step:") and not store.is_sqlite:
        sql.execute("SET LOCAL synchronous_commit = off")


def renew_lease(store: Store, lease: Lease, seconds: float) -> Lease:
    """Push the lease's expiry `seconds` ahead; LeaseLostError when it was taken over."""
    expires_at = time.time() + seconds
    with store.transaction() as sql:
        _lazy_commit_of_claim(store, sql, lease.key)
        renewed = sql.execute(
            f"UPDATE {LEASES} SET expires_at = :expires_at WHERE key = :key AND token = :token",
            {"expires_at": expires_at, "key": lease.key, "token": lease.token},
        )
    if renewed != 1:
        raise LeaseLostError(lease.key, lease.token)
    return Lease(lease.key, lease.owner, lease.token, expires_at)


def release_lease(store: Store, lease: Lease) -> bool:
    """Give the lease up (if it is still ours); True when it was."""
    with store.transaction() as sql:
        deleted = sql.execute(
            f"DELETE FROM {LEASES} WHERE key = :key AND token = :token",
            {"key": lease.key, "token": lease.token},
        )
    return deleted == 1


def read_lease(store: Store, key: str) -> Lease | None:
    """The lease on `key`, expired or not; None when nobody holds it."""
    with store.transaction(read_only=True) as sql:
        row = sql.first(f"SELECT * FROM {LEASES} WHERE key = :key", {"key": key})
    return None if row is None else _lease(row)


def expired_run_leases(store: Store) -> list[Lease]:
    """Coordinator leases whose owner stopped renewing them (their runs need a new one)."""
    with store.transaction(read_only=True) as sql:
        rows = sql.rows(
            f"SELECT * FROM {LEASES} WHERE key LIKE 'run:%' AND expires_at <= :now",
            {"now": time.time()},
        )
    return [_lease(row) for row in rows]


def start_fence(cursor: Any, fence: Fence, *, sqlite: bool) -> None:
    """Inside a journal write's transaction, run the fence's statement; `finish_fence` reads
    its count (in a pipeline, once the pipeline is sent).

    On PostgreSQL the statement also locks the lease row until the commit, so a takeover
    waits for this write (and then raises the token) instead of racing it.
    """
    marker = "?" if sqlite else "%s"
    table = LEASES
    if fence.release:
        sql = f"DELETE FROM {table} WHERE key = {marker} AND token = {marker}"  # nosec B608
    else:
        sql = f"UPDATE {table} SET token = token WHERE key = {marker} AND token = {marker}"  # nosec B608
    cursor.execute(sql, (fence.key, fence.token))


def finish_fence(cursor: Any, fence: Fence, *, sqlite: bool) -> None:
    """LeaseLostError unless `start_fence`'s statement found the token current; then the
    notification the fence asks for (sent with the commit)."""
    if cursor.rowcount != 1:
        raise LeaseLostError(fence.key, fence.token)
    if fence.notify is not None and not sqlite:
        cursor.execute("SELECT pg_notify(%s, %s)", (RESULTS_CHANNEL, fence.notify))
