"""The backup step: a copy of the database to restore, taken with where the database was."""

from __future__ import annotations

import asyncio

from devora.engine import Plan, StepContext
from devora.tools.migrations import backup_database
from devora.workflows.migration._config import MigrationInputs, database_url, open_source
from devora.workflows.migration._records import BackedUp
from devora.workflows.migration._state import read_position

__all__ = ["back_up", "plan_backup"]


def plan_backup(ctx: StepContext[MigrationInputs]) -> Plan:
    """Say how the database would be backed up."""
    settings = ctx.result("analyze").settings
    url = database_url(ctx.inputs, settings.url_env)
    how = "pg_dump --format=custom" if url.startswith("postgresql") else "the SQLite backup API"
    return Plan(
        summary=f"would back up {settings.database} with {how} into the run's artifacts",
        changes=[f"create a backup file in {ctx.artifacts_dir}"],
    )


async def back_up(ctx: StepContext[MigrationInputs]) -> BackedUp:
    """Back the database up into the run's artifacts; the report names the restore command."""
    settings = ctx.result("analyze").settings
    url = database_url(ctx.inputs, settings.url_env)
    backup = await backup_database(url, ctx.artifacts_dir)
    position = await asyncio.to_thread(
        read_position, open_source(settings), url, settings.db_schema
    )
    artifact = await asyncio.to_thread(
        ctx.add_artifact, backup.path.name, backup.path, media_type="application/octet-stream"
    )
    size = await asyncio.to_thread(lambda: artifact.stat().st_size)
    ctx.log(f"backed up {settings.database} to {backup.path} ({size} bytes)")
    ctx.log(f"restore with: {backup.restore_command}")
    return BackedUp(backup=backup, position=position)
