"""What each migration step hands to the next (journaled, so a resumed run reuses it)."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict

from devora.engine import StepContext
from devora.errors import StepError
from devora.tools.migrations import (
    Analysis,
    Backup,
    DataFingerprint,
    MigrationState,
    SchemaSnapshot,
)
from devora.workflows.migration._config import MigrationSettings

__all__ = ["Analyzed", "Applied", "BackedUp", "Position", "result_of"]

M = TypeVar("M", bound=BaseModel)


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


def result_of(ctx: StepContext[Any], step_id: str, model: type[M]) -> M:
    """The output of an earlier step, checked to be the model it should be."""
    value = ctx.result(step_id)
    if isinstance(value, model):
        return value
    if isinstance(value, dict):
        return model.model_validate(value)
    raise StepError(f"step {step_id!r} has no {model.__name__} output (it was {value!r})")
