"""Migration projects (.sql folders, Alembic projects) and databases for the workflow tests."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

from tests.cli.harness import Devora, json_lines
from tests.tools.migrations.helpers import run_sql, state_of, write_sql_folder
from tests.tools.migrations.revisions import A1

__all__ = [
    "ALEMBIC_A1",
    "ALEMBIC_B2",
    "dumps",
    "events",
    "finished",
    "run_migration",
    "run_sql",
    "state_of",
    "write_alembic_project",
    "write_sql_folder",
]


def write_alembic_project(root: Path, revisions: dict[str, str]) -> Path:
    """An Alembic project (alembic.ini, env.py, versions/) with the given revision files."""
    project = root / "alembic_project"
    versions = project / "migrations" / "versions"
    versions.mkdir(parents=True, exist_ok=True)
    (project / "alembic.ini").write_text(
        "[alembic]\nscript_location = migrations\n", encoding="utf-8"
    )
    (project / "migrations" / "env.py").write_text(
        "raise RuntimeError('Devora runs revisions on its own connection')\n", encoding="utf-8"
    )
    for name, text in revisions.items():
        (versions / name).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return project


ALEMBIC_A1 = A1

ALEMBIC_B2 = '''
"""email"""
import sqlalchemy as sa
from alembic import op

revision = "b2"
down_revision = "a1"


def upgrade():
    op.add_column("users", sa.Column("email", sa.String(100), nullable=True))
    op.create_index("ix_users_email", "users", ["email"])


def downgrade():
    op.drop_index("ix_users_email", "users")
    op.drop_column("users", "email")
'''


def run_migration(
    devora: Devora, path: Path, url: str, *args: str
) -> tuple[int, dict[str, Any], str]:
    """`devora run migration PATH ARGS --json` with the URL in $DATABASE_URL (not an input)."""
    result = devora("run", "migration", str(path), *args, "--json", timeout=180, DATABASE_URL=url)
    return result.returncode, finished(result.stdout, result.stderr), result.stdout


def events(stdout: str) -> list[dict[str, Any]]:
    """The JSON events of a run."""
    return json_lines(stdout)


def finished(stdout: str, stderr: str = "") -> dict[str, Any]:
    """The data of the run.finished event, with the run id."""
    found = [e for e in json_lines(stdout) if e["kind"] == "run.finished"]
    assert found, f"no run.finished event:\n{stdout}\n{stderr}"
    data: dict[str, Any] = found[-1]["data"]
    data["run_id"] = found[-1]["run_id"]
    return data


def dumps(value: Any) -> str:
    """Readable JSON for assertion messages."""
    return json.dumps(value, indent=1, default=str)
