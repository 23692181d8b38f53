"""Apply the pending migrations, verify them, and roll them back when something fails.

`apply` puts the database back itself when it fails halfway (a failed step has no
compensation); once it has succeeded, `roll_back` is its compensation, run when verify
(or a later step) fails.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools.migrations import (
    DryRunResult,
    MigrationError,
    VerifyResult,
    apply_migrations,
    verify_migrations,
)
from devora.workflows.migration._config import (
    MigrationInputs,
    MigrationSettings,
    database_url,
    open_source,
)
from devora.workflows.migration._records import Applied, BackedUp
from devora.workflows.migration._rollback import bring_back
from devora.workflows.migration._state import differences, read_position

__all__ = ["apply_pending", "plan_apply", "roll_back", "verify_applied"]


def _settings(ctx: StepContext[MigrationInputs]) -> tuple[MigrationSettings, str]:
    settings = ctx.result("analyze").settings
    return settings, database_url(ctx.inputs, settings.url_env)


def plan_apply(ctx: StepContext[MigrationInputs]) -> Plan:
    """Say which migrations would be applied and the schema changes the dry-run found."""
    settings = ctx.result("analyze").settings
    predicted: DryRunResult = ctx.result("dry_run")
    names = [f"{m.version} ({Path(m.file).name})" for m in predicted.migrations]
    return Plan(
        summary=f"would apply {len(names)} migration(s) to {settings.database}: "
        + ", ".join(names),
        changes=predicted.diff.describe(),
        details={"migrations": names, "dry_run_mode": predicted.mode},
    )


async def apply_pending(ctx: StepContext[MigrationInputs]) -> Applied:
    """Apply and commit the pending migrations; put the database back if that fails."""
    settings, url = _settings(ctx)
    backed_up: BackedUp = ctx.result("backup")
    predicted: DryRunResult = ctx.result("dry_run")
    source = open_source(settings)
    schema = settings.db_schema
    before = await asyncio.to_thread(read_position, source, url, schema)
    expected_end = predicted.migrations[-1].version if predicted.migrations else None
    if before.state.applied != predicted.start.applied:
        if before.state.applied[-1:] == (expected_end,):
            # This step applied them before a crash stopped its result being journaled.
            ctx.log(f"resumed: {settings.database} is already at {expected_end}")
            return Applied(
                before=backed_up.position,
                end=before.state,
                applied=tuple(m.version for m in predicted.migrations),
                after=before.schema_snapshot,
            )
        raise StepError(
            f"{settings.database} changed since the dry-run: it is at "
            f"{', '.join(before.state.applied) or 'nothing'}, the dry-run started from "
            f"{', '.join(predicted.start.applied) or 'nothing'}",
            hint="another process migrated it meanwhile; run the migration again",
        )
    try:
        result = await asyncio.to_thread(apply_migrations, source, url, schema=schema)
    except MigrationError as error:
        now = await asyncio.to_thread(read_position, source, url, schema)
        changed = differences(before, now)
        if not changed:
            raise StepError(
                f"{error.message}; nothing was committed, the database is as before",
                hint=error.hint,
            ) from error
        ctx.log(f"apply failed after committing part of it ({'; '.join(changed)}): rolling back")
        await bring_back(ctx, settings, url, before, backed_up.backup)
        raise StepError(
            f"{error.message}; what was committed was rolled back and the database is back "
            "where it was",
            hint=error.hint,
        ) from error
    names = tuple(m.version for m in result.applied)
    ctx.log(f"applied {', '.join(names) or 'nothing'} to {settings.database}")
    ctx.set_summary(applied=len(names))
    return Applied(before=before, end=result.end, applied=names, after=result.after)


async def roll_back(ctx: StepContext[MigrationInputs]) -> None:
    """Compensation of apply: downgrade or restore the backup, and show the database is back."""
    settings, url = _settings(ctx)
    applied: Applied = ctx.result("apply")
    backed_up: BackedUp = ctx.result("backup")
    await bring_back(ctx, settings, url, applied.before, backed_up.backup)


async def verify_applied(ctx: StepContext[MigrationInputs]) -> VerifyResult:
    """The schema is the one the dry-run predicted, and the smoke queries pass."""
    settings, url = _settings(ctx)
    predicted: DryRunResult = ctx.result("dry_run")
    result = await asyncio.to_thread(
        verify_migrations, url, predicted.after, settings.smoke_queries, schema=settings.db_schema
    )
    for smoke in result.smoke:
        label = smoke.query.name or smoke.query.sql
        ctx.log(f"smoke query {label!r}: " + ("ok" if smoke.ok else f"FAILED: {smoke.error}"))
    if not result.ok:
        raise StepError(
            f"verification failed: {'; '.join(result.problems())}",
            hint="the migration is rolled back; fix it (or the smoke query) and run again",
        )
    ctx.log("schema matches the dry-run's prediction")
    return result
