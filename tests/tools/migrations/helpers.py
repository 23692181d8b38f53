"""Builders and probes shared by the migration tests."""

from __future__ import annotations

import textwrap
from pathlib import Path

try:  # tests/ as a package (tests/__init__.py) or as a plain rootdir conftest
    from tests.conftest import require_executable
except ModuleNotFoundError:  # pragma: no cover - depends on how pytest was started
    from conftest import require_executable

from devora.tools.migrations import (
    DataFingerprint,
    SchemaSnapshot,
    fingerprint_data,
    open_engine,
    snapshot_schema,
)

__all__ = [
    "require_executable",
    "run_sql",
    "state_of",
    "write_alembic_project",
    "write_sql_folder",
]


def run_sql(url: str, *statements: str) -> None:
    """Execute statements and commit (test setup)."""
    with open_engine(url) as engine, engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def state_of(url: str) -> tuple[SchemaSnapshot, DataFingerprint]:
    """The schema and data fingerprint of the database, to prove something changed nothing."""
    with open_engine(url) as engine, engine.connect() as connection:
        return snapshot_schema(connection), fingerprint_data(connection)


def write_sql_folder(root: Path, files: dict[str, str]) -> Path:
    """A folder of .sql migrations with the given names and contents."""
    folder = root / "migrations"
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return folder


ALEMBIC_INI = """\
[alembic]
script_location = migrations
sqlalchemy.url = sqlite:///unused.db
"""

ENV_PY = """\
from alembic import context
raise RuntimeError("Devora runs revisions on its own connection; env.py must not run")
"""


def write_alembic_project(root: Path, revisions: dict[str, str]) -> Path:
    """An Alembic project (alembic.ini, env.py, versions/) with the given revision files."""
    project = root / "alembic_project"
    versions = project / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    (project / "alembic.ini").write_text(ALEMBIC_INI, encoding="utf-8")
    (project / "migrations" / "env.py").write_text(ENV_PY, encoding="utf-8")
    for name, text in revisions.items():
        (versions / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return project / "alembic.ini"
