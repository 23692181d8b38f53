"""The migration workflow: analyze, back up, dry-run, apply, verify, roll back on failure."""

from devora.workflows.migration._config import (
    MigrationConfigError,
    MigrationInputs,
    MigrationSettings,
    resolve_settings,
)
from devora.workflows.migration._records import Analyzed, Applied, BackedUp, Position
from devora.workflows.migration._workflow import migration, migration_outputs, migration_steps

__all__ = [
    "Analyzed",
    "Applied",
    "BackedUp",
    "MigrationConfigError",
    "MigrationInputs",
    "MigrationSettings",
    "Position",
    "migration",
    "migration_outputs",
    "migration_steps",
    "resolve_settings",
]
