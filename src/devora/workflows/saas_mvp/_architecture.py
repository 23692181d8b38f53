"""The architecture step: the stack, and the project generated from the spec into --out."""

from __future__ import annotations

import asyncio
import hashlib
from pathlib import Path
from typing import Any

from devora.engine import Plan, StepContext
from devora.workflows.saas_mvp._generate import GeneratedEntity, GeneratedProject, generate_project
from devora.workflows.saas_mvp._records import Architecture, EntityLayout, GeneratedLayout
from devora.workflows.saas_mvp._requirements import the_spec

__all__ = ["STACK", "generate_architecture", "plan_architecture", "project_of"]

STACK = {
    "backend": "FastAPI, served by uvicorn",
    "data": "SQLAlchemy 2 models, Alembic migrations",
    "databases": "PostgreSQL (compose file), SQLite for development and tests",
    "pages": "server-rendered HTML: sign up, sign in, list, create, edit, delete",
    "authentication": "password (hashed), bearer token for the API, session cookie for pages",
    "tests": "pytest, one module per entity",
    "delivery": "Dockerfile, compose file with PostgreSQL, CI workflow",
    "template": "copier (a project can take template updates with `copier update`)",
}


def _layout(project: GeneratedProject) -> GeneratedLayout:
    digest = hashlib.sha256()
    for name in project.files:
        digest.update(name.encode() + b"\0")
        digest.update((project.path / name).read_bytes() + b"\0")
    return GeneratedLayout(root=str(project.path), files=project.files, digest=digest.hexdigest())


async def generate_architecture(ctx: StepContext[Any]) -> Architecture:
    """Generate the project into --out and record the stack and the layout."""
    spec = the_spec(ctx)
    out = Path(ctx.inputs.out)
    project = await asyncio.to_thread(generate_project, spec, out)
    layout = await asyncio.to_thread(_layout, project)
    ctx.log(
        f"generated {len(project.files)} files into {out} (template {project.template_version})"
    )
    return Architecture(
        product=spec.name,
        package=project.package,
        app=project.app,
        template_version=project.template_version,
        stack=STACK,
        layout=layout,
        entities=tuple(
            EntityLayout(
                name=e.name,
                snake=e.snake,
                plural=e.plural,
                fields=e.fields,
                relations=e.relations,
                default_role_can=e.default_role_can,
            )
            for e in project.entities
        ),
    )


async def plan_architecture(ctx: StepContext[Any]) -> Plan:
    """What generation would write (nothing is written in a dry-run)."""
    spec = the_spec(ctx)
    names = ", ".join(entity.name for entity in spec.entities)
    return Plan(
        summary=f"generate {spec.name} ({names}) into {ctx.inputs.out}",
        changes=[
            f"write the project into {ctx.inputs.out}",
            *(f"{k}: {v}" for k, v in STACK.items()),
        ],
    )


def project_of(architecture: Architecture) -> GeneratedProject:
    """The generated project as the generator described it, from the journaled record."""
    return GeneratedProject(
        path=Path(architecture.layout.root),
        package=architecture.package,
        files=architecture.layout.files,
        entities=tuple(
            GeneratedEntity(
                name=e.name,
                snake=e.snake,
                plural=e.plural,
                fields=e.fields,
                relations=e.relations,
                default_role_can=e.default_role_can,
            )
            for e in architecture.entities
        ),
        template_version=architecture.template_version,
        app=architecture.app,
    )
