"""The changing half of a migration: back up, apply, verify — and bring the database back.

`apply` restores the database itself when it fails halfway (a failed step has no
compensation); once it has succeeded, `rollback` is its compensation, run when verify (or
a later step) fails. Both prove the database is back by comparing its schema and a
fingerprint of its data with those taken before the apply.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.migrations import (
    Backup,
    DataFingerprint,
    DryRunResult,
    MigrationError,
    MigrationSource,
    MigrationState,
    RollbackResult,
    SchemaSnapshot,
    VerifyResult,
    apply_migrations,
    backup_database,
    fingerprint_data,
    open_engine,
    restore_backup,
    rollback_migrations,
    snapshot_schema,
    verify_migrations,
)
from devora.workflows.migration._config import (
    MigrationInputs,
    MigrationSettings,
    database_url,
    open_source,
)
from devora.workflows.migration._records import Analyzed, Applied, result_of

__all__ = [
    "apply_pending",
    "back_up",
    "plan_apply",
    "plan_backup",
    "roll_back",
    "verify_applied",
]


def _settings(ctx: StepContext[MigrationInputs]) -> tuple[MigrationSettings, str]:
    settings = result_of(ctx, "analyze", Analyzed).settings
    return settings, database_url(ctx.inputs, settings.url_env)


def plan_backup(ctx: StepContext[MigrationInputs]) -> Plan:
    """Say how the database would be backed up."""
    settings, url = _settings(ctx)
    how = "pg_dump --format=custom" if url.startswith("postgresql") else "the SQLite backup API"
    return Plan(
        summary=f"would back up {settings.database} with {how} into the run's artifacts",
        changes=[f"create a backup file in {ctx.artifacts_dir}"],
    )


async def back_up(ctx: StepContext[MigrationInputs]) -> Backup:
    """Back the database up into the run's artifacts; the report names the restore command."""
    settings, url = _settings(ctx)
    backup = await backup_database(url, ctx.artifacts_dir)
    data = await asyncio.to_thread(backup.path.read_bytes)
    ctx.add_artifact(backup.path.name, data, media_type="application/octet-stream")
    ctx.log(f"backed up {settings.database} to {backup.path} ({len(data)} bytes)")
    ctx.log(f"restore with: {backup.restore_command}")
    return backup


def plan_apply(ctx: StepContext[MigrationInputs]) -> Plan:
    """Say which migrations would be applied and the schema changes the dry-run found."""
    settings = result_of(ctx, "analyze", Analyzed).settings
    predicted = result_of(ctx, "dry_run", DryRunResult)
    names = [f"{m.version} ({Path(m.file).name})" for m in predicted.migrations]
    return Plan(
        summary=f"would apply {len(names)} migration(s) to {settings.database}: "
        + ", ".join(names),
        changes=predicted.diff.describe(),
        details={"migrations": names, "dry_run_mode": predicted.mode},
    )


def _where_it_is(url: str, schema: str | None) -> tuple[SchemaSnapshot, DataFingerprint]:
    with open_engine(url) as engine, engine.connect() as connection:
        return snapshot_schema(connection, schema=schema), fingerprint_data(
            connection, schema=schema
        )


def _starting_point(
    source: MigrationSource, url: str, schema: str | None
) -> tuple[MigrationState, SchemaSnapshot, DataFingerprint]:
    with open_engine(url) as engine, engine.connect() as connection:
        state = source.state(connection)
        connection.rollback()
        return (
            state,
            snapshot_schema(connection, schema=schema),
            fingerprint_data(connection, schema=schema),
        )


def _is_back(
    url: str, schema: str | None, before: SchemaSnapshot, data: DataFingerprint
) -> list[str]:
    """What differs from before the apply (empty: the database is back where it was)."""
    schema_now, data_now = _where_it_is(url, schema)
    problems = [f"schema: {line}" for line in before.diff(schema_now).describe()]
    problems += [f"data of table {name} differs" for name in data.changed_tables(data_now)]
    return problems


async def _bring_back(
    ctx: StepContext[MigrationInputs],
    settings: MigrationSettings,
    url: str,
    applied: Applied,
    backup: Backup | None,
) -> list[str]:
    """Downgrade (Alembic) or restore the backup, then check; restore when a downgrade
    did not bring everything back. Returns the report's lines; raises if not back."""
    source = open_source(settings)
    schema = settings.db_schema
    result: RollbackResult = await rollback_migrations(
        source, url, start=applied.start, backup=backup, before=applied.before, schema=schema
    )
    report = [f"{result.method}: database at {', '.join(result.state.applied) or 'nothing'}"]
    problems = await asyncio.to_thread(_is_back, url, schema, applied.before, applied.data_before)
    if problems and result.method == "downgrade" and backup is not None:
        report.append(f"the downgrade left differences ({'; '.join(problems)}): restoring backup")
        await restore_backup(backup, url)
        problems = await asyncio.to_thread(
            _is_back, url, schema, applied.before, applied.data_before
        )
    if backup is not None:
        report.append(f"restore command: {backup.restore_command}")
    if problems:
        report.append("the database is NOT back where it was: " + "; ".join(problems))
    else:
        report.append("the database is back where it was: same schema, same data fingerprint")
    for line in report:
        ctx.log(line)
    ctx.add_artifact("rollback.md", "# Rollback\n\n" + "".join(f"- {x}\n" for x in report))
    if problems:
        raise StepError(
            f"rollback of {settings.database} is incomplete: {'; '.join(problems)}",
            hint=f"restore the backup by hand: {backup.restore_command}"
            if backup
            else "restore the database from your own backup",
        )
    return report


async def apply_pending(ctx: StepContext[MigrationInputs]) -> Applied:
    """Apply and commit the pending migrations; put the database back if that fails."""
    settings, url = _settings(ctx)
    backup = result_of(ctx, "backup", Backup)
    schema = settings.db_schema
    source = open_source(settings)
    start, before, data_before = await asyncio.to_thread(_starting_point, source, url, schema)
    try:
        result = await asyncio.to_thread(apply_migrations, source, url, schema=schema)
    except MigrationError as error:
        changed = await asyncio.to_thread(_is_back, url, schema, before, data_before)
        if not changed:
            raise StepError(
                f"{error.message}; nothing was committed, the database is as before",
                hint=error.hint,
            ) from error
        partial = Applied(
            start=start, end=start, applied=(), before=before, after=before, data_before=data_before
        )
        ctx.log(f"apply failed after committing part of it ({'; '.join(changed)}): rolling back")
        await _bring_back(ctx, settings, url, partial, backup)
        raise StepError(
            f"{error.message}; what was committed was rolled back and the database is back "
            "where it was",
            hint=error.hint,
        ) from error
    names = [m.version for m in result.applied]
    ctx.log(f"applied {', '.join(names) or 'nothing'} to {settings.database}")
    return Applied(
        start=result.start,
        end=result.end,
        applied=tuple(names),
        before=before,
        after=result.after,
        data_before=data_before,
    )


async def roll_back(ctx: StepContext[MigrationInputs]) -> None:
    """Compensation of apply: downgrade or restore the backup, and show the database is back."""
    settings, url = _settings(ctx)
    applied = result_of(ctx, "apply", Applied)
    backup = result_of(ctx, "backup", Backup)
    await _bring_back(ctx, settings, url, applied, backup)


async def verify_applied(ctx: StepContext[MigrationInputs]) -> VerifyResult:
    """The schema is the one the dry-run predicted, and the smoke queries pass."""
    settings, url = _settings(ctx)
    predicted = result_of(ctx, "dry_run", DryRunResult)
    result = await asyncio.to_thread(
        verify_migrations, url, predicted.after, settings.smoke_queries, schema=settings.db_schema
    )
    for smoke in result.smoke:
        label = smoke.query.name or smoke.query.sql
        ctx.log(f"smoke query {label!r}: " + ("ok" if smoke.ok else f"FAILED: {smoke.error}"))
    if not result.ok:
        problems = result.problems()
        raise StepError(
            f"verification failed: {'; '.join(problems)}",
            hint="the migration is rolled back; fix it (or the smoke query) and run again",
        )
    ctx.log("schema matches the dry-run's prediction")
    return result
