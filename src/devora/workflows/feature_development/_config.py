"""[feature_development] in devora.toml (or [tool.devora.feature_development]): the deploy,
check and rollback commands per environment, as argv lists.

    [feature_development.deploy]
    staging = ["./deploy.sh", "staging", "{branch}"]
    [feature_development.rollback]
    staging = ["./rollback.sh", "staging"]
    [feature_development.check]
    staging = ["curl", "-fsS", "https://staging.example.com/health"]

`{branch}`, `{commit}` and `{environment}` in an argument are replaced; nothing runs in a
shell.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devora.config import read_section
from devora.errors import UsageError

__all__ = ["FeatureConfig", "FeatureConfigError", "load_feature_config"]

Commands = dict[str, list[str]]


class FeatureConfigError(UsageError):
    """The project's feature-development configuration cannot be read or is invalid."""

    code = "feature_config"

    def __init__(self, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(
            f"invalid feature-development configuration in {file}: {problem}",
            hint="see docs/feature-development.md for [feature_development] (devora.toml) or "
            "[tool.devora.feature_development] (pyproject.toml)",
        )


class FeatureConfig(BaseModel):
    """Commands per environment name; an environment without `deploy` is not deployed."""

    model_config = ConfigDict(extra="forbid")

    deploy: Commands = Field(default_factory=dict)
    check: Commands = Field(
        default_factory=dict, description="run after deploy; failing rolls back"
    )
    rollback: Commands = Field(default_factory=dict, description="the deploy step's compensation")
    timeout: float = Field(default=900, gt=0, description="seconds each command may take")

    @field_validator("deploy", "check", "rollback")
    @classmethod
    def _argv_lists(cls, value: Commands) -> Commands:
        for environment, argv in value.items():
            if not argv or not argv[0].strip():
                raise ValueError(f"{environment}: give the command as a non-empty argv list")
        return value


def load_feature_config(root: Path) -> FeatureConfig:
    """The section of the project at `root` (an empty one when there is none)."""
    found = read_section(
        root,
        "feature_development",
        lambda file, error: FeatureConfigError(file.name, f"cannot read it ({error})"),
    )
    if found is None:
        return FeatureConfig()
    data, file = found
    if not isinstance(data, dict):
        raise FeatureConfigError(file.name, "the feature_development section is not a table")
    try:
        return FeatureConfig.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise FeatureConfigError(file.name, f"{where}: {first['msg']}") from error
