"""Bringing the database back where it was before the apply, and proving it.

Alembic projects are downgraded; when the downgrade leaves a difference (rows a migration
deleted, say) or the source has no downgrades (.sql folders), the backup is restored. The
schema, data fingerprint and migration state are then compared with those read before.
"""

from __future__ import annotations

import asyncio

from devora.engine import StepContext
from devora.errors import StepError
from devora.tools.migrations import Backup, restore_backup, rollback_migrations
from devora.workflows.migration._config import MigrationInputs, MigrationSettings, open_source
from devora.workflows.migration._records import Position
from devora.workflows.migration._state import differences, read_position

__all__ = ["bring_back"]


async def _left_over(settings: MigrationSettings, url: str, before: Position) -> list[str]:
    now = await asyncio.to_thread(read_position, open_source(settings), url, settings.db_schema)
    return differences(before, now)


async def bring_back(
    ctx: StepContext[MigrationInputs],
    settings: MigrationSettings,
    url: str,
    before: Position,
    backup: Backup | None,
) -> list[str]:
    """Downgrade or restore until the database is at `before`; the report's lines.

    Raises StepError (the rollback failed) when the database is not back.
    """
    result = await rollback_migrations(
        open_source(settings),
        url,
        start=before.state,
        backup=backup,
        before=before.schema_snapshot,
        schema=settings.db_schema,
    )
    report = [f"{result.method}: database at {', '.join(result.state.applied) or 'nothing'}"]
    problems = await _left_over(settings, url, before)
    if problems and result.method == "downgrade" and backup is not None:
        report.append(f"the downgrade left differences ({'; '.join(problems)}): restore")
        await restore_backup(backup, url)
        problems = await _left_over(settings, url, before)
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
