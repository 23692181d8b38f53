"""The store's tables and the versioned migrations that build and upgrade them."""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa

from devora.store import _tables as names

__all__ = ["SCHEMA_VERSION", "metadata", "upgrade_schema"]

metadata = sa.MetaData()

schema_version = sa.Table(
    names.SCHEMA,
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
)

runs = sa.Table(
    names.RUNS,
    metadata,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("workflow", sa.String(200), nullable=False, index=True),
    sa.Column("workflow_ref", sa.Text, nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("inputs", sa.Text, nullable=False),
    sa.Column("outputs", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("parent_run_id", sa.String(128), index=True),
    sa.Column("parent_step_id", sa.String(200)),
    sa.Column("dry_run", sa.Boolean, nullable=False, default=False),
    sa.Column("owner", sa.String(300)),
    sa.Column("cancel_requested", sa.Boolean, nullable=False, default=False),
    sa.Column("created_at", sa.Float, nullable=False, index=True),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Column("finished_at", sa.Float),
    sa.Column("summary", sa.Text, nullable=False, default="{}"),
)

step_attempts = sa.Table(
    names.ATTEMPTS,
    metadata,
    sa.Column("run_id", sa.String(128), primary_key=True),
    sa.Column("phase", sa.String(16), primary_key=True),
    sa.Column("step_id", sa.String(200), primary_key=True),
    sa.Column("attempt", sa.Integer, primary_key=True),
    sa.Column("status", sa.String(32), nullable=False),
    sa.Column("output", sa.Text),
    sa.Column("error", sa.Text),
    sa.Column("plan", sa.Text),
    sa.Column("started_at", sa.Float),
    sa.Column("finished_at", sa.Float),
    sa.Column("seq", sa.Integer, nullable=False),
    sqlite_with_rowid=False,  # the primary key is the table: one b-tree to write per commit
)

events = sa.Table(
    names.EVENTS,
    metadata,
    sa.Column("run_id", sa.String(128), primary_key=True),
    sa.Column("seq", sa.Integer, primary_key=True),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
    sa.Column("step_id", sa.String(200)),
    sa.Column("attempt", sa.Integer),
    sa.Column("message", sa.Text),
    sa.Column("data", sa.Text, nullable=False),
    sqlite_with_rowid=False,
)

artifacts = sa.Table(
    names.ARTIFACTS,
    metadata,
    sa.Column("run_id", sa.String(128), primary_key=True),
    sa.Column("name", sa.String(300), primary_key=True),
    sa.Column("step_id", sa.String(200)),
    sa.Column("path", sa.Text, nullable=False),
    sa.Column("media_type", sa.String(100), nullable=False),
    sa.Column("size", sa.BigInteger, nullable=False),
    sa.Column("sha256", sa.String(64), nullable=False),
    sa.Column("created_at", sa.Float, nullable=False),
)

answers = sa.Table(
    names.ANSWERS,
    metadata,
    sa.Column("run_id", sa.String(128), primary_key=True),
    sa.Column("step_id", sa.String(200), primary_key=True),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("answered_by", sa.String(200)),
    sa.Column("answered_at", sa.Float, nullable=False),
)


leases = sa.Table(
    names.LEASES,
    metadata,
    # What is held: "run:<run id>" for a run's coordinator, "step:<run>/<phase>/<step>/<attempt>"
    # for a step claimed by a worker.
    sa.Column("key", sa.String(600), primary_key=True),
    sa.Column("owner", sa.String(300), nullable=False),
    # The fencing token: raised by one at every takeover, so a former owner's late write
    # (carrying the old token) is recognised and refused.
    sa.Column("token", sa.BigInteger, nullable=False),
    sa.Column("acquired_at", sa.Float, nullable=False),
    sa.Column("expires_at", sa.Float, nullable=False),
)

schedule_ticks = sa.Table(
    names.TICKS,
    metadata,
    # One row per fired tick: the primary key is what stops two schedulers firing it twice.
    sa.Column("schedule", sa.String(200), primary_key=True),
    sa.Column("tick_at", sa.Float, primary_key=True),
    sa.Column("run_id", sa.String(128)),
    sa.Column("fired_by", sa.String(300), nullable=False),
    sa.Column("fired_at", sa.Float, nullable=False),
)

webhook_deliveries = sa.Table(
    names.DELIVERIES,
    metadata,
    # One row per accepted delivery: the same delivery id never starts two runs.
    sa.Column("source", sa.String(64), primary_key=True),
    sa.Column("delivery_id", sa.String(300), primary_key=True),
    sa.Column("event", sa.String(100), nullable=False),
    sa.Column("run_id", sa.String(128)),
    sa.Column("received_at", sa.Float, nullable=False),
)


def _create_v1(connection: sa.Connection) -> None:
    for table in (runs, step_attempts, events, artifacts, answers):
        table.create(connection, checkfirst=True)


def _mark_retried_attempts_v2(connection: sa.Connection) -> None:
    """Version 1 recorded a retried attempt as `failed`: its event says `retry_scheduled`."""
    retried = sa.exists().where(
        (events.c.run_id == step_attempts.c.run_id)
        & (events.c.seq == step_attempts.c.seq)
        & (events.c.kind == "step.retry_scheduled")
    )
    connection.execute(
        step_attempts.update()
        .where((step_attempts.c.status == "failed") & retried)
        .values(status="retried")
    )


def _add_leases_schedules_deliveries_v3(connection: sa.Connection) -> None:
    for table in (leases, schedule_ticks, webhook_deliveries):
        table.create(connection, checkfirst=True)


# Append a function to move the schema one version up; never edit a released one.
MIGRATIONS: list[Callable[[sa.Connection], None]] = [
    _create_v1,
    _mark_retried_attempts_v2,
    _add_leases_schedules_deliveries_v3,
]
SCHEMA_VERSION = names.SCHEMA_VERSION
if len(MIGRATIONS) != SCHEMA_VERSION:  # pragma: no cover - caught by any test importing this
    raise RuntimeError("store/_tables.SCHEMA_VERSION must equal the number of migrations")


def upgrade_schema(connection: sa.Connection) -> int:
    """Bring the schema to SCHEMA_VERSION inside the caller's (locked) transaction."""
    schema_version.create(connection, checkfirst=True)
    current = connection.execute(sa.select(schema_version.c.version)).scalar()
    if current is None:
        connection.execute(schema_version.insert().values(id=1, version=0))
        current = 0
    if current > SCHEMA_VERSION:
        raise RuntimeError(
            f"the store's schema is version {current}, newer than this Devora "
            f"understands ({SCHEMA_VERSION}); upgrade Devora"
        )
    for version in range(current, SCHEMA_VERSION):
        MIGRATIONS[version](connection)
    if current != SCHEMA_VERSION:
        connection.execute(schema_version.update().values(version=SCHEMA_VERSION))
    return SCHEMA_VERSION
