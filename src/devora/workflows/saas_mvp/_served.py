"""The generated app, served from its own environment on a fresh SQLite database."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

from devora.tools import run_process
from devora.tools.webapp import RunningApp, free_port, open_app
from devora.workflows.saas_mvp._generate import GeneratedEntity, GeneratedProject
from devora.workflows.saas_mvp._spec import ProductSpec

__all__ = [
    "START_WITHIN",
    "ServedProject",
    "app_environment",
    "checked_entity",
    "serve_argv",
    "serve_project",
]

START_WITHIN = 90.0
ADMIN_TIME_LIMIT = 60.0


def serve_argv(project: GeneratedProject, python: Path) -> list[str]:
    """How the project serves itself (its database upgraded first)."""
    return project.run_argv(python, migrate=True)


def app_environment(project: GeneratedProject, port: int, database_url: str) -> dict[str, str]:
    """The variables the generated app reads: where to listen, which database; and its own
    sources first on the path: the environment holds an installed copy of the project as it
    was when the environment was built (it is keyed by what defines it, not by the code)."""
    return {
        "PYTHONPATH": str(project.path / "src"),
        "HOST": "127.0.0.1",
        project.port_env: str(port),
        project.database_url_env: database_url,
    }


@dataclass(frozen=True)
class ServedProject:
    """The running app, and what a check needs beside HTTP: its database, its commands."""

    app: RunningApp
    project: GeneratedProject
    python: Path
    database_url: str

    async def make_admin(self, email: str) -> str:
        """Give an account every permission with the project's own `make-admin` command;
        its output. RuntimeError (with the output) when it fails."""
        argv = [str(self.python), "-m", self.project.package, "make-admin", email]
        done = await run_process(
            argv,
            cwd=self.project.path,
            time_limit=ADMIN_TIME_LIMIT,
            env={
                "PYTHONPATH": str(self.project.path / "src"),
                self.project.database_url_env: self.database_url,
            },
        )
        output = (done.stdout + done.stderr).strip()
        if done.exit_code != 0:
            raise RuntimeError(f"{' '.join(argv[1:])} exited {done.exit_code}: {output}")
        return output


@contextlib.asynccontextmanager
async def serve_project(project: GeneratedProject, python: Path) -> AsyncIterator[ServedProject]:
    """The app running on a free port and a fresh SQLite file, until the block ends."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="devora-saas-db-") as scratch:
        database_url = f"sqlite:///{Path(scratch) / 'app.db'}"
        async with open_app(
            serve_argv(project, python),
            cwd=project.path,
            port=port,
            env=app_environment(project, port, database_url),
            health_path=project.health_path,
            start_within=START_WITHIN,
        ) as running:
            yield ServedProject(running, project, python, database_url)


def checked_entity(project: GeneratedProject, spec: ProductSpec) -> tuple[GeneratedEntity, bool]:
    """The entity the browser creates, and whether its user must be made an admin first.

    The first entity a new user may create and read that needs no other row; else the first
    table (it refers to no other), created as an admin.
    """
    for generated in project.entities:
        entity = spec.entity(generated.name)
        needs_row = any(relation.required for relation in entity.relations)
        if not needs_row and {"create", "read", "list"} <= set(generated.default_role_can):
            return generated, False
    return project.entities[0], True
