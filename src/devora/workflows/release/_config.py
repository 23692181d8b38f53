"""Release settings: the run's inputs, then the project's config file, then the defaults.

The config is ``[release]`` in ``devora.toml`` or ``[tool.devora.release]`` in
``pyproject.toml`` at the repository root; an input given on the command line wins.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from devora.config import read_section
from devora.errors import UsageError
from devora.tools.release import DEFAULT_TAG_FORMAT, Increment, Prerelease
from devora.workflows._project_paths import PathOutsideProjectError, inside_project

__all__ = ["ReleaseConfigError", "ReleaseInputs", "ReleaseSettings", "resolve_settings"]


class ReleaseConfigError(UsageError):
    """The project's release configuration cannot be read or is invalid."""

    code = "release_config"

    def __init__(self, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(
            f"invalid release configuration in {file}: {problem}",
            hint="see docs/release.md for the keys of [release] (devora.toml) or "
            "[tool.devora.release] (pyproject.toml)",
        )


class ReleaseInputs(BaseModel):
    """What to release and how; unset options come from the project's config."""

    path: str = Field(default=".", description="the git repository to release")
    increment: Increment | None = Field(
        default=None, description="force the increment: MAJOR, MINOR or PATCH"
    )
    prerelease: Prerelease | None = Field(
        default=None, description="make a pre-release: alpha, beta or rc"
    )
    version: str | None = Field(default=None, description="release exactly this version")
    branch: str | None = Field(default=None, description="the release branch (config: branch)")
    remote: str | None = Field(default=None, description="the remote to push to (default origin)")
    tag_format: str | None = Field(default=None, description="release tags, e.g. v{version}")
    version_files: list[str] | None = Field(
        default=None, description="files whose version is bumped (pyproject.toml, ...)"
    )
    changelog: str | None = Field(default=None, description="the changelog file (CHANGELOG.md)")
    quality_gate: bool = Field(default=False, description="run the quality gate before tagging")
    require_approval: bool = Field(
        default=False, description="wait for a devops approval before publishing"
    )
    push: bool = Field(default=True, description="push the release commit and tag")

    @field_validator("path")
    @classmethod
    def _a_git_work_tree(cls, path: str) -> str:
        """Refuse, before a run is recorded, a path that cannot be released."""
        folder = Path(path).expanduser()
        if not folder.exists():
            raise ValueError(f"{path} does not exist")
        if not folder.is_dir():
            raise ValueError(f"{path} is not a directory")
        resolved = folder.resolve()
        if not any((parent / ".git").exists() for parent in (resolved, *resolved.parents)):
            raise ValueError(f"{path} is not a git repository (run `git init` there first)")
        return path

    @field_validator("increment", mode="before")
    @classmethod
    def _upper(cls, value: Any) -> Any:
        return value.upper() if isinstance(value, str) else value

    @field_validator("prerelease", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("changelog", "version_files")
    @classmethod
    def _inside_the_repository(cls, value: Any, info: ValidationInfo) -> Any:
        # A release writes these files: `../../X` must not reach outside the repository.
        for name in [value] if isinstance(value, str) else value or []:
            inside_project(info.data.get("path", "."), name, info.field_name or "path")
        return value


class _FileConfig(BaseModel):
    """The keys a config file may set."""

    model_config = ConfigDict(extra="forbid")

    branch: str | None = None
    remote: str | None = None
    tag_format: str | None = None
    version_files: list[str] | None = None
    changelog: str | None = None
    approval: str | bool | None = None
    major_version_zero: bool = False
    push: bool | None = None


class ReleaseSettings(BaseModel):
    """The settings a release runs with, once inputs and config are merged."""

    model_config = ConfigDict(frozen=True)

    branch: str | None
    remote: str | None
    tag_format: str
    version_files: tuple[str, ...]
    changelog: str
    approval: str | None
    major_version_zero: bool
    config_file: str | None


def _read_config(root: Path) -> tuple[_FileConfig, str | None]:
    found = read_section(
        root,
        "release",
        lambda file, error: ReleaseConfigError(file.name, f"cannot read it ({error})"),
    )
    if found is None:
        return _FileConfig(), None
    data, file = found
    if not isinstance(data, dict):
        raise ReleaseConfigError(file.name, "the release section is not a table")
    try:
        return _FileConfig.model_validate(data), file.name
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ReleaseConfigError(file.name, f"{where}: {first['msg']}") from error


def _unreadable(file: Path, error: Exception) -> Exception:
    return ReleaseConfigError(file.name, f"cannot read it ({error})")


def _detected_version_files(root: Path) -> tuple[str, ...]:
    """pyproject.toml and package.json when they hold a static version."""
    found: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            project = {}
        if isinstance(project, dict) and "version" in project:
            found.append("pyproject.toml")
    package = root / "package.json"
    if package.is_file() and '"version"' in package.read_text(encoding="utf-8"):
        found.append("package.json")
    return tuple(found)


def resolve_settings(inputs: ReleaseInputs, root: Path) -> ReleaseSettings:
    """Merge inputs over the config file over the defaults."""
    config, config_file = _read_config(root)
    approval: str | None = None
    if inputs.require_approval or config.approval is True:
        approval = "devops"
    elif isinstance(config.approval, str) and config.approval:
        approval = config.approval
    push = inputs.push and config.push is not False
    remote = (inputs.remote or config.remote or "origin") if push else None
    files = inputs.version_files if inputs.version_files is not None else config.version_files
    for name in [*(config.version_files or []), *([config.changelog] if config.changelog else [])]:
        try:
            inside_project(root, name, "a release file")
        except PathOutsideProjectError as error:
            raise ReleaseConfigError(config_file or str(root), str(error)) from error
    return ReleaseSettings(
        branch=inputs.branch or config.branch,
        remote=remote,
        tag_format=inputs.tag_format or config.tag_format or DEFAULT_TAG_FORMAT,
        version_files=tuple(files) if files is not None else _detected_version_files(root),
        changelog=inputs.changelog or config.changelog or "CHANGELOG.md",
        approval=approval,
        major_version_zero=config.major_version_zero,
        config_file=config_file,
    )
