"""The generated app, served from its own environment on a fresh SQLite database."""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

from devora.tools.webapp import RunningApp, free_port, open_app
from devora.workflows.saas_mvp._generate import GeneratedEntity, GeneratedProject
from devora.workflows.saas_mvp._spec import ProductSpec

__all__ = ["checked_entity", "serve_argv", "serve_project"]

START_WITHIN = 90.0


def serve_argv(project: GeneratedProject, python: Path) -> list[str]:
    """How the project serves itself (its database upgraded first)."""
    return project.run_argv(python, migrate=True)


def app_environment(project: GeneratedProject, port: int, database_url: str) -> dict[str, str]:
    """The variables the generated app reads: where to listen, which database."""
    return {
        "HOST": "127.0.0.1",
        project.port_env: str(port),
        project.database_url_env: database_url,
    }


@contextlib.asynccontextmanager
async def serve_project(project: GeneratedProject, python: Path) -> AsyncIterator[RunningApp]:
    """The app running on a free port and a fresh SQLite file, until the block ends."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="devora-saas-db-") as scratch:
        env = app_environment(project, port, f"sqlite:///{Path(scratch) / 'app.db'}")
        async with open_app(
            serve_argv(project, python),
            cwd=project.path,
            port=port,
            env=env,
            health_path=project.health_path,
            start_within=START_WITHIN,
        ) as running:
            yield running


def checked_entity(project: GeneratedProject, spec: ProductSpec) -> GeneratedEntity:
    """The entity a check creates and reads: the first (in table order) a new user may create
    and read, that needs no other row (no required relation)."""
    for generated in project.entities:
        entity = spec.entity(generated.name)
        needs_row = any(relation.required for relation in entity.relations)
        if not needs_row and {"create", "read"} <= set(generated.default_role_can):
            return generated
    for generated in project.entities:
        if {"create", "read"} <= set(generated.default_role_can):
            return generated
    return project.entities[0]
