"""The reading half of a migration: what is pending and how risky it is, then the dry-run.

Neither step changes the database: analyze only reads, and the dry-run applies the pending
migrations in a transaction it rolls back (or on a throwaway copy).
"""

from __future__ import annotations

from pathlib import Path

from devora.engine import Plan, StepContext
from devora.errors import StepError
from devora.tools import Level
from devora.tools.migrations import DryRunResult, analyze, dry_run
from devora.workflows.migration._config import (
    MigrationInputs,
    database_url,
    open_source,
    resolve_settings,
)
from devora.workflows.migration._records import Analyzed
from devora.workflows.migration._report import render_findings, render_schema_change

__all__ = ["analyze_migrations", "dry_run_migrations", "has_pending", "plan_from_dry_run"]


def analyze_migrations(ctx: StepContext[MigrationInputs]) -> Analyzed:
    """Read what the database has applied, list what is pending, lint it."""
    settings = resolve_settings(ctx.inputs)
    source = open_source(settings)
    url = database_url(ctx.inputs, settings.url_env)
    analysis = analyze(source, url, root=Path(settings.root))
    pending = [f"{m.version} ({Path(m.file).name})" for m in analysis.pending]
    ctx.log(
        f"{settings.database} ({analysis.dialect}): applied "
        f"{', '.join(analysis.state.applied) or 'nothing'}; pending {', '.join(pending) or 'none'}"
    )
    for finding in analysis.findings:
        ctx.log(
            f"{finding.level.value} {finding.rule} at {finding.file}:{finding.line}: "
            f"{finding.message}"
        )
    ctx.add_artifact("lint.md", "# Migration lint\n\n" + render_findings(analysis.findings))
    ctx.set_summary(pending=len(analysis.pending), findings=len(analysis.findings))
    risky = [f for f in analysis.findings if f.level in (Level.ERROR, Level.WARNING)]
    if settings.fail_on_risk and risky:
        first = risky[0]
        raise StepError(
            f"{len(risky)} risky operation(s) in the pending migrations, first "
            f"{first.rule} at {first.file}:{first.line}: {first.message}",
            hint="make the migrations safe (see the lint.md artifact), or run without "
            "--fail-on-risk to accept the risk",
        )
    return Analyzed(settings=settings, analysis=analysis)


def has_pending(ctx: StepContext[MigrationInputs]) -> bool:
    """The later steps run only when there is something to migrate."""
    return bool(ctx.result("analyze").analysis.pending)


async def dry_run_migrations(ctx: StepContext[MigrationInputs]) -> DryRunResult:
    """Apply the pending migrations and undo them; report the schema before and after."""
    analyzed: Analyzed = ctx.result("analyze")
    settings = analyzed.settings
    source = open_source(settings)
    url = database_url(ctx.inputs, settings.url_env)
    result = await dry_run(source, url, schema=settings.db_schema)
    diff = result.diff
    how = (
        "a rolled-back transaction"
        if result.mode == "transaction"
        else (f"a throwaway copy ({result.copy_method})")
    )
    ctx.log(
        f"dry-run in {how}: {len(result.migrations)} migration(s), "
        f"{len(diff.changes)} schema change(s)"
    )
    for line in diff.describe():
        ctx.log(line)
    ctx.add_artifact("schema-change.md", render_schema_change(result.before, result.after, diff))
    if not result.migrations:
        raise StepError(
            "the dry-run found nothing to apply, but analyze found pending migrations",
            hint="another process migrated the database meanwhile; run again",
        )
    return result


async def plan_from_dry_run(ctx: StepContext[MigrationInputs]) -> Plan:
    """In a dry-run of the workflow the dry-run is the plan: what apply would change."""
    result = await dry_run_migrations(ctx)
    settings = ctx.result("analyze").settings
    names = [f"{m.version} ({Path(m.file).name})" for m in result.migrations]
    return Plan(
        summary=f"would apply {len(names)} migration(s) to {settings.database}: "
        + ", ".join(names),
        changes=result.diff.describe(),
        details={
            "mode": result.mode,
            "migrations": names,
            "before": result.before.model_dump(mode="json"),
            "after": result.after.model_dump(mode="json"),
        },
        predicted_output=result,
    )
