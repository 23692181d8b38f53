"""Migration: analyze → backup → dry_run → apply → verify, and rollback on failure.

    analyze (data)  pending migrations and a lint of risky operations (file and line)
    backup (devops)  SQLite backup API or pg_dump, into the run's artifacts
    dry_run (data)  apply in a rolled-back transaction (or a throwaway copy); schemas
    apply (data)  apply and commit; its compensation is the rollback
    verify (data)  the schema is the predicted one and the smoke queries pass
    rollback  apply's compensation: Alembic downgrade or restore of the backup,
                       then proof that schema and data are back where they were

`--dry-run` runs analyze and dry_run only: the dry-run is then the plan (what apply would
change); backup is planned, apply and verify are skipped.
Steps run one at a time: a backup and a dry-run must not compete for the database.
"""

from __future__ import annotations

from typing import Any

from devora.engine import Step, StepContext, Workflow
from devora.tools.migrations import DryRunResult, VerifyResult
from devora.workflows import register_command_line
from devora.workflows.migration._analyze import (
    analyze_migrations,
    dry_run_migrations,
    has_pending,
    plan_from_dry_run,
)
from devora.workflows.migration._apply import apply_pending, plan_apply, roll_back, verify_applied
from devora.workflows.migration._backup import back_up, plan_backup
from devora.workflows.migration._config import MigrationInputs
from devora.workflows.migration._present import present_migration
from devora.workflows.migration._records import Analyzed, Applied, BackedUp

__all__ = [
    "analyze_step",
    "apply_step",
    "backup_step",
    "dry_run_step",
    "migration",
    "migration_outputs",
    "migration_steps",
    "verify_step",
]

DATABASE_TIMEOUT = 3600

analyze_step: Step[Analyzed] = Step("analyze", analyze_migrations, squad="data")
backup_step: Step[BackedUp] = Step(
    "backup",
    back_up,
    squad="devops",
    needs=[analyze_step],
    when=has_pending,
    side_effects=True,
    plan=plan_backup,
    timeout=DATABASE_TIMEOUT,
)
dry_run_step: Step[DryRunResult] = Step(
    "dry_run",
    dry_run_migrations,
    squad="data",
    needs=[analyze_step],
    when=has_pending,
    side_effects=True,  # not really: but in a dry-run of the workflow it is the plan
    plan=plan_from_dry_run,
    timeout=DATABASE_TIMEOUT,
)
apply_step: Step[Applied] = Step(
    "apply",
    apply_pending,
    squad="data",
    needs=[backup_step, dry_run_step],
    side_effects=True,
    plan=plan_apply,
    compensate=roll_back,
    timeout=DATABASE_TIMEOUT,
)
verify_step: Step[VerifyResult] = Step(
    "verify", verify_applied, squad="data", needs=[apply_step], timeout=DATABASE_TIMEOUT
)

migration_steps = (analyze_step, backup_step, dry_run_step, apply_step, verify_step)


def migration_outputs(ctx: StepContext[Any]) -> dict[str, Any]:
    """The database, what was pending and applied, the findings, and the backup."""
    analyzed: Analyzed = ctx.result("analyze")
    applied = ctx.result("apply")
    backup = ctx.result("backup")
    done = Applied.model_validate(applied) if applied is not None else None
    return {
        "database": analyzed.settings.database,
        "source": analyzed.settings.kind,
        "pending": [m.version for m in analyzed.analysis.pending],
        "applied": list(done.applied) if done else [],
        "at": list(done.end.applied) if done else list(analyzed.analysis.state.applied),
        "findings": len(analyzed.analysis.findings),
        "backup": str(BackedUp.model_validate(backup).backup.path) if backup is not None else None,
    }


migration = Workflow(
    name="migration",
    description="Analyze, back up, dry-run, apply and verify database migrations, with rollback.",
    steps=migration_steps,
    inputs=MigrationInputs,
    outputs=migration_outputs,
    concurrency=1,
)
register_command_line(migration, positional=("path",), present=present_migration)
