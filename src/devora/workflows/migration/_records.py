"""What each migration step hands to the next (journaled, so a resumed run reuses it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from devora.tools.migrations import (
    Analysis,
    Backup,
    DataFingerprint,
    MigrationState,
    SchemaSnapshot,
)
from devora.workflows.migration._config import MigrationSettings

__all__ = ["Analyzed", "Applied", "BackedUp", "Position"]


class Analyzed(BaseModel):
    """The settings, and what is pending with the lint's findings."""

    model_config = ConfigDict(frozen=True)

    settings: MigrationSettings
    analysis: Analysis

    @property
    def pending(self) -> list[str]:
        """The pending migrations as `version name`."""
        return [f"{m.version} {m.name}" for m in self.analysis.pending]


class Position(BaseModel):
    """Where a database is: what it has applied, its schema, a fingerprint of its data."""

    model_config = ConfigDict(frozen=True)

    state: MigrationState
    schema_snapshot: SchemaSnapshot
    data: DataFingerprint


class BackedUp(BaseModel):
    """The backup, and where the database was when it was taken."""

    model_config = ConfigDict(frozen=True)

    backup: Backup
    position: Position


class Applied(BaseModel):
    """Where the database was before the apply, and what the apply did."""

    model_config = ConfigDict(frozen=True)

    before: Position
    end: MigrationState
    applied: tuple[str, ...]
    after: SchemaSnapshot
