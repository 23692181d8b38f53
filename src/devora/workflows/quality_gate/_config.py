"""The gate's configuration: weights, threshold, conditions and budgets, from the project.

Read from `[tool.devora.quality_gate]` in the project's pyproject.toml, or from
`[quality_gate]` in its devora.toml (which wins when both exist). Every key is optional.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devora.config import read_section
from devora.tools.checks import AssetBudget, ProjectProfile
from devora.workflows.quality_gate._categories import CATEGORY_OF
from devora.workflows.quality_gate._errors import GateConfigError

__all__ = ["GateConfig", "Penalties", "Weights", "load_gate_config"]


class Weights(BaseModel):
    """How many points of the 100 each category is worth (renormalized over those that apply)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    typecheck: float = Field(default=20, ge=0)
    lint: float = Field(default=20, ge=0)
    tests: float = Field(default=30, ge=0)
    security: float = Field(default=20, ge=0)
    performance: float = Field(default=10, ge=0)


class Penalties(BaseModel):
    """Percent of its category's points one finding costs, by level."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    error: float = Field(default=10, ge=0, le=100)
    warning: float = Field(default=4, ge=0, le=100)
    info: float = Field(default=1, ge=0, le=100)


class GateConfig(BaseModel):
    """Everything the verdict depends on; the defaults are those docs/quality-gate.md lists."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    threshold: int = Field(default=80, ge=0, le=100, description="the score needed to pass")
    min_coverage: float = Field(
        default=80, ge=0, le=100, description="statement coverage under this fails the gate"
    )
    fail_on_high_security: bool = Field(
        default=True, description="any high-severity security finding fails the gate"
    )
    fail_on_failing_tests: bool = Field(default=True, description="a failing test fails the gate")
    weights: Weights = Weights()
    penalties: Penalties = Penalties()
    budgets: tuple[AssetBudget, ...] = Field(
        default=(), description="front-end asset size budgets (performance)"
    )
    optional: tuple[str, ...] = Field(
        default=(),
        description="checks whose not running (or crashing) costs neither score nor verdict",
    )
    timeouts: dict[str, float] = Field(
        default_factory=dict,
        description="seconds a check may take, by check name (a long test suite: pytest = 3600)",
    )
    python: str | None = Field(
        default=None, description="the interpreter that runs pytest and mypy (project-relative)"
    )
    environment: Literal["venv", "uv", "poetry", "hatch", "pdm", "isolated"] | None = Field(
        default=None, description="the project environment to use instead of detecting one"
    )
    source: str | None = Field(default=None, description="the file this was read from")

    @field_validator("optional")
    @classmethod
    def _known_checks(cls, names: tuple[str, ...]) -> tuple[str, ...]:
        unknown = sorted(set(names) - set(CATEGORY_OF))
        if unknown:
            raise ValueError(
                f"unknown check(s) {', '.join(unknown)}; known: {', '.join(sorted(CATEGORY_OF))}"
            )
        return names

    @field_validator("timeouts")
    @classmethod
    def _known_timeouts(cls, timeouts: dict[str, float]) -> dict[str, float]:
        cls._known_checks(tuple(timeouts))
        bad = sorted(name for name, seconds in timeouts.items() if not seconds > 0)
        if bad:
            raise ValueError(f"timeouts must be positive seconds: {', '.join(bad)}")
        return timeouts


def load_gate_config(profile: ProjectProfile) -> GateConfig:
    """The gate configuration of a project (defaults when it has none)."""
    found = read_section(profile.root, "quality_gate", _unreadable)
    if found is None:
        return GateConfig()
    section, file = found
    if not isinstance(section, dict):
        raise GateConfigError(file, [("quality_gate", "must be a table")])
    return _validate(section, file)


def _unreadable(path: Path, error: Exception) -> Exception:
    problem = "syntax" if isinstance(error, tomllib.TOMLDecodeError) else "file"
    return GateConfigError(path, [(problem, str(error))])


def _validate(section: dict[str, Any], file: Path) -> GateConfig:
    if "source" in section:
        raise GateConfigError(file, [("source", "unknown key")])
    try:
        return GateConfig.model_validate({**section, "source": str(file)})
    except ValidationError as error:
        problems = [
            (".".join(str(part) for part in item["loc"]), item["msg"]) for item in error.errors()
        ]
        raise GateConfigError(file, problems) from error
