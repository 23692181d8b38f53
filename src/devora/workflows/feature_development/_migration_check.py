"""migration (data): when the design says a data change needs a migration and the project
keeps migrations, the branch must add one, and (Alembic) it must apply on a fresh SQLite
through Devora's migration workflow as a child run, downgrade to the base's revision, and
upgrade again to the same schema. A missing or failing migration fails the step with the
evidence; what could not be checked is said, never counted as passed."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from devora.engine import StepContext, SubWorkflow
from devora.errors import DevoraError, StepError
from devora.tools.bisect import open_checkouts
from devora.tools.git import git_output
from devora.workflows._registry import resolve_workflow
from devora.workflows.feature_development._boundaries import alembic_ini, migration_tool
from devora.workflows.feature_development._documents import Design
from devora.workflows.feature_development._implement import Implementation
from devora.workflows.feature_development._project import project_root

if TYPE_CHECKING:
    from devora.tools.migrations import AlembicSource

__all__ = ["MigrationCheck", "check_migration"]

CheckStatus = Literal["passed", "failed", "not needed", "not run"]


class MigrationCheck(BaseModel):
    """What was checked of the feature's migration, and how it ended."""

    status: CheckStatus
    reason: str
    tool: str | None = None
    tables: list[str] = Field(default_factory=list, description="tables the design migrates")
    new: list[str] = Field(default_factory=list, description="migration files the branch adds")
    applied: list[str] = Field(default_factory=list, description="revisions the child applied")
    downgraded_to: list[str] | None = Field(default=None, description="revision after downgrade")
    child_run: str | None = None


def _report(ctx: StepContext[Any], check: MigrationCheck) -> MigrationCheck:
    ctx.add_artifact("migration-check.json", json.dumps(check.model_dump(mode="json"), indent=2),
                     media_type="application/json")  # fmt: skip
    ctx.log(f"migration check {check.status}: {check.reason}")
    if check.status == "failed":
        raise StepError(f"the feature's migration fails: {check.reason}",
                        hint="see migration-check.json and the child run's log; add or fix "
                        "the migration on the branch")  # fmt: skip
    return check


async def check_migration(ctx: StepContext[Any]) -> MigrationCheck:
    """Check the migration the design asks for (or say why there is nothing to check)."""
    design: Design = ctx.result("design")
    done: Implementation = ctx.result("implement")
    tables = [change.table for change in design.data if change.migration]
    if not tables:
        reason = "the design marks no data change as needing a migration"
        return _report(ctx, MigrationCheck(status="not needed", reason=reason))
    top = project_root(ctx)
    tool = migration_tool(top)
    if tool is None:
        reason = (f"the design migrates {', '.join(tables)}, but the project keeps no "
                  "migrations (no alembic.ini, no Django migrations folder) to check")  # fmt: skip
        return _report(ctx, MigrationCheck(status="not run", reason=reason, tables=tables))
    listed = await git_output(top, ["diff", "--name-only", "--diff-filter=A", done.base, done.head])
    added = [name for name in listed.splitlines() if name.endswith(".py")]
    async with open_checkouts(top, 1, done.head) as (checkout,):
        if tool == "django":
            return _report(ctx, _django(tables, added))
        return _report(ctx, await _alembic(ctx, checkout, tables, added))


def _django(tables: list[str], added: list[str]) -> MigrationCheck:
    new = [name for name in added if "/migrations/" in f"/{name}"
           and Path(name).name[:1].isdigit()]  # fmt: skip
    if not new:
        return MigrationCheck(status="failed", tool="django", tables=tables,
                              reason=f"the design migrates {', '.join(tables)}, but the branch "
                              "adds no file under an app's migrations/ folder")  # fmt: skip
    reason = (f"{', '.join(new)} added; not applied: the migration workflow runs Alembic and "
              "SQL-folder migrations, not Django's")  # fmt: skip
    return MigrationCheck(status="not run", tool="django", tables=tables, new=new, reason=reason)


async def _alembic(
    ctx: StepContext[Any], checkout: Path, tables: list[str], added: list[str]
) -> MigrationCheck:
    ini = alembic_ini(checkout)
    found = MigrationCheck(status="failed", reason="", tool="alembic", tables=tables)
    if ini is None:
        found.status, found.reason = "not run", "no alembic.ini (at the root or in migrations/)"
        return found
    try:
        source, new = await asyncio.to_thread(_new_revisions, ini, checkout, added)
    except DevoraError as error:
        found.reason = error.message
        return found
    found.new = sorted(new.values())
    if not new:
        found.reason = (f"the design migrates {', '.join(tables)}, but the branch adds no "
                        f"Alembic revision under {source.script.versions}")  # fmt: skip
        return found
    with tempfile.TemporaryDirectory(prefix="devora-feature-db-") as folder:
        database = Path(folder) / "fresh.db"
        sqlite3.connect(database).close()  # the migration workflow opens, never creates, a file
        url = f"sqlite:///{database}"
        inputs = {"path": str(ini), "source": "alembic", "url": url}
        found.child_run = f"{ctx.run_id}.{ctx.step_id}"
        try:
            outputs = await SubWorkflow(resolve_workflow("migration"), inputs=inputs).run(ctx)
        except StepError as error:
            found.reason = f"it does not apply on a fresh SQLite: {error.message}"
            return found
        found.applied = [str(v) for v in outputs.get("applied", [])]
        missing = sorted(set(new) - set(found.applied))
        if missing:
            found.reason = f"the child run did not apply {', '.join(missing)}"
            return found
        downs = {down for rev in new for down in _downs(source.script.get_revision(rev))}
        before = tuple(sorted(downs - set(new)))
        try:
            problem = await asyncio.to_thread(_round_trip, source, url, before)
        except DevoraError as error:
            problem = f"{error.message}" + (f" ({error.hint})" if error.hint else "")
    found.downgraded_to = list(before)
    if problem:
        found.reason = problem
        return found
    found.status = "passed"
    found.reason = (f"{', '.join(found.new)} applied on a fresh SQLite (child run "
                    f"{found.child_run}), downgraded to {', '.join(before) or 'base'} and "
                    "upgraded again to the same schema")  # fmt: skip
    return found


def _new_revisions(
    ini: Path, checkout: Path, added: list[str]
) -> tuple[AlembicSource, dict[str, str]]:
    """The project's revisions, and those the branch adds (revision -> file)."""
    # Imported here: SQLAlchemy and Alembic cost every `devora` command that loads this
    # workflow a good part of its start-up, and only a migration check needs them.
    from devora.tools.migrations import AlembicSource

    source = AlembicSource(ini)
    top = checkout.resolve()
    files = {s.revision: Path(s.path).resolve().relative_to(top).as_posix()
             for s in source.script.walk_revisions()}  # fmt: skip
    return source, {revision: file for revision, file in files.items() if file in added}


def _downs(script: Any) -> tuple[str, ...]:
    down = getattr(script, "down_revision", None)
    if down is None:
        return ()
    return (down,) if isinstance(down, str) else tuple(down)


def _round_trip(source: AlembicSource, url: str, before: tuple[str, ...]) -> str | None:
    """Downgrade the new revisions, check the database is at `before`, upgrade again and
    check the schema is the one applied; the problem found, or None."""
    from devora.tools.migrations import MigrationState, open_engine, snapshot_schema

    with open_engine(url) as engine:
        with engine.connect() as connection:
            applied = snapshot_schema(connection)
        source.downgrade(engine, MigrationState(source="alembic", applied=before, tracked=True))
        with engine.connect() as connection:
            at = source.state(connection).applied
            down = snapshot_schema(connection)
        if tuple(sorted(at)) != before:
            return (f"after the downgrade the database is at {', '.join(at) or 'base'}, not "
                    f"{', '.join(before) or 'base'}")  # fmt: skip
        if down == applied:
            return "the downgrade left the schema as the upgrade made it: it undoes nothing"
        source.upgrade(engine)
        with engine.connect() as connection:
            again = snapshot_schema(connection)
    if again != applied:
        changes = "; ".join(applied.diff(again).describe()[:5])
        return f"upgrading again after the downgrade gives another schema: {changes}"
    return None
