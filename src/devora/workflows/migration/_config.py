"""Migration settings: the run's inputs, then the project's config file, then the defaults.

The config is ``[migration]`` in ``devora.toml`` or ``[tool.devora.migration]`` in
``pyproject.toml``, found in the migrations' folder or the nearest folder above it. The
database URL is a secret: it comes from ``--url`` or, better, from the environment
variable named by ``url_env`` (``DATABASE_URL`` by default) and is never journaled.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devora.config import read_section
from devora.errors import UsageError
from devora.secrets import url_password
from devora.tools.migrations import (
    DEFAULT_HISTORY_TABLE,
    AlembicSource,
    MigrationSource,
    SmokeQuery,
    SqlFolderSource,
    mask_url,
)

__all__ = [
    "MigrationConfigError",
    "MigrationInputs",
    "MigrationSettings",
    "database_url",
    "open_source",
    "resolve_settings",
]

SourceKind = Literal["auto", "sql", "alembic"]


class MigrationConfigError(UsageError):
    """The migration project or its configuration cannot be used as given."""

    code = "migration_config"

    def __init__(self, problem: str, *, hint: str | None = None) -> None:
        self.problem = problem
        super().__init__(
            problem,
            hint=hint
            or "see docs/migration.md for the keys of [migration] (devora.toml) or "
            "[tool.devora.migration] (pyproject.toml)",
        )


class MigrationInputs(BaseModel):
    """Which migrations to run on which database, and how carefully."""

    path: str = Field(
        default=".", description="a folder of NNNN_name.sql files, an alembic.ini, or its folder"
    )
    url: str | None = Field(
        default=None,
        description="the database URL, without a password (that goes in $DATABASE_URL)",
    )
    url_env: str | None = Field(
        default=None, description="the environment variable holding the URL (DATABASE_URL)"
    )
    source: SourceKind = Field(default="auto", description="auto, sql or alembic")
    db_schema: str | None = Field(default=None, description="the PostgreSQL schema to compare")
    smoke: list[str] | None = Field(
        default=None, description="SQL queries that must pass after the migration"
    )
    fail_on_risk: bool = Field(
        default=False, description="stop at analyze when the lint finds a risky operation"
    )

    @field_validator("url")
    @classmethod
    def _no_password(cls, value: str | None) -> str | None:
        # Inputs are stored with the run: a secret must come from the environment instead.
        if value and url_password(value) is not None:
            raise ValueError(
                "a URL with a password would be stored with the run; put it in "
                "$DATABASE_URL (or the variable named by --url-env) instead"
            )
        return value


class _FileConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url_env: str | None = None
    source: SourceKind | None = None
    schema_name: str | None = Field(default=None, alias="schema")
    history_table: str | None = None
    smoke_queries: list[SmokeQuery | str] = Field(default_factory=list)
    fail_on_risk: bool = False


class MigrationSettings(BaseModel):
    """The settings a migration runs with (no secret: the URL is masked)."""

    model_config = ConfigDict(frozen=True)

    kind: Literal["sql", "alembic"]
    location: str
    root: str
    database: str
    url_env: str
    db_schema: str | None
    history_table: str
    smoke_queries: tuple[SmokeQuery, ...]
    fail_on_risk: bool
    config_file: str | None


def _find_config(start: Path) -> tuple[_FileConfig, Path | None]:
    folder = start if start.is_dir() else start.parent
    for directory in (folder, *folder.parents):
        found = read_section(
            directory,
            "migration",
            lambda file, error: MigrationConfigError(f"cannot read {file}: {error}"),
        )
        if found is None:
            continue
        data, file = found
        try:
            return _FileConfig.model_validate(data), file
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise MigrationConfigError(
                f"invalid migration configuration in {file}: {where}: {first['msg']}"
            ) from error
    return _FileConfig(), None


def _detect(path: Path, wanted: SourceKind) -> tuple[Literal["sql", "alembic"], Path]:
    if not path.exists():
        raise MigrationConfigError(
            f"{path} does not exist",
            hint="pass the folder of .sql migrations or the Alembic project (alembic.ini)",
        )
    if path.is_file():
        if path.suffix == ".ini" and wanted in ("auto", "alembic"):
            return "alembic", path
        raise MigrationConfigError(
            f"{path} is a file but not an alembic.ini",
            hint="pass the folder of .sql migrations or the Alembic project",
        )
    ini = path / "alembic.ini"
    if wanted == "alembic" or (wanted == "auto" and ini.is_file()):
        return "alembic", ini
    if wanted == "sql" or any(path.glob("*.sql")):
        return "sql", path
    # A project root: its migrations/ folder (the common layout) holds them.
    for folder in (path / "migrations", path / "db" / "migrations"):
        if folder.is_dir() and (any(folder.glob("*.sql")) or (folder / "alembic.ini").is_file()):
            return _detect(folder, wanted)
    raise MigrationConfigError(
        f"no migrations found in {path}: no alembic.ini and no .sql files",
        hint="pass the folder of NNNN_name.sql files or the folder holding alembic.ini",
    )


def database_url(inputs: MigrationInputs, url_env: str) -> str:
    """The database URL from --url or the environment; a clear error when there is none.

    `postgresql://` and `postgres://` URLs use psycopg 3, the driver Devora installs.
    """
    value = inputs.url or os.environ.get(url_env, "").strip()
    if not value:
        raise MigrationConfigError(
            f"no database URL: --url was not given and ${url_env} is not set",
            hint=f"export {url_env}=postgresql://user@host:5432/db (or sqlite:///app.db)",
        )
    return re.sub(r"^postgres(?:ql)?://", "postgresql+psycopg://", value)


def resolve_settings(inputs: MigrationInputs) -> MigrationSettings:
    """Find the migrations and the config, and check a database URL is there."""
    path = Path(inputs.path).expanduser().resolve()
    config, config_file = _find_config(path)
    kind, location = _detect(
        path, inputs.source if inputs.source != "auto" else config.source or "auto"
    )
    url_env = inputs.url_env or config.url_env or "DATABASE_URL"
    url = database_url(inputs, url_env)
    smoke = [SmokeQuery(sql=q) if isinstance(q, str) else q for q in config.smoke_queries]
    smoke += [SmokeQuery(sql=sql) for sql in inputs.smoke or []]
    root = config_file.parent if config_file is not None else location.parent
    return MigrationSettings(
        kind=kind,
        location=str(location),
        root=str(root),
        database=mask_url(url),
        url_env=url_env,
        db_schema=inputs.db_schema or config.schema_name,
        history_table=config.history_table or DEFAULT_HISTORY_TABLE,
        smoke_queries=tuple(smoke),
        fail_on_risk=inputs.fail_on_risk or config.fail_on_risk,
        config_file=str(config_file) if config_file else None,
    )


def open_source(settings: MigrationSettings) -> MigrationSource:
    """The migration source the settings name."""
    if settings.kind == "alembic":
        return AlembicSource(settings.location)
    return SqlFolderSource(settings.location, history_table=settings.history_table)
