"""The finding: one normalized result of a check, whatever tool produced it."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Finding", "Level"]


class Level(StrEnum):
    """How serious a finding is; SARIF's levels plus `info` for notes."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Finding(BaseModel):
    """One result of a check: what rule a tool says is broken, and where."""

    model_config = ConfigDict(frozen=True)

    tool: str
    rule: str
    level: Level
    message: str
    file: str | None = Field(default=None, description="path relative to the project root")
    line: int | None = Field(default=None, ge=1, description="1-based line")
    column: int | None = Field(default=None, ge=1, description="1-based column")
    end_line: int | None = Field(default=None, ge=1)
    fixable: bool = False
    severity: str | None = Field(
        default=None, description="the tool's own severity word when it has one (bandit: HIGH)"
    )
