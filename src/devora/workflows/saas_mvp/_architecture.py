"""The architecture step: the stack, and the project generated from the spec into --out."""

from __future__ import annotations

import asyncio
import hashlib
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

from devora.engine import Plan, StepContext
from devora.workflows.saas_mvp._generate import GeneratedEntity, GeneratedProject, generate_project
from devora.workflows.saas_mvp._plan import run_plan
from devora.workflows.saas_mvp._records import Architecture, EntityLayout, GeneratedLayout
from devora.workflows.saas_mvp._requirements import the_spec
from devora.workflows.saas_mvp._template_repo import template_repository, template_tag

__all__ = ["STACK", "generate_architecture", "plan_architecture", "project_of"]

STACK = {
    "backend": "FastAPI, served by uvicorn",
    "data": "SQLAlchemy 2 models, Alembic migrations",
    "databases": "PostgreSQL (compose file), SQLite for development and tests",
    "pages": "server-rendered HTML: sign up, sign in, list, create, edit, delete",
    "authentication": "password (hashed); the API signs in with OAuth2's password flow, "
    "pages with a session cookie",
    "tests": "pytest, one module per entity",
    "delivery": "Dockerfile, compose file with PostgreSQL, CI workflow",
    "template": "copier (a project can take template updates with `copier update`)",
}


GATE_CONFIG = "devora.toml"


def _gate_config(root: Path, optional: list[str]) -> str:
    """The project's own gate config: these checks may not run without failing the gate."""
    listed = ", ".join(f'"{name}"' for name in optional)
    text = (
        "# Written by `devora run saas-mvp` from [saas_mvp] gate_optional: the quality gate\n"
        "# reports these checks as not run when they cannot run, without failing on them.\n"
        f"[quality_gate]\noptional = [{listed}]\n"
    )
    (root / GATE_CONFIG).write_text(text, encoding="utf-8")
    return GATE_CONFIG


def _layout(project: GeneratedProject, files: tuple[str, ...]) -> GeneratedLayout:
    digest = hashlib.sha256()
    for name in files:
        digest.update(name.encode() + b"\0")
        digest.update((project.path / name).read_bytes() + b"\0")
    return GeneratedLayout(root=str(project.path), files=files, digest=digest.hexdigest())


async def generate_architecture(ctx: StepContext[Any]) -> Architecture:
    """Generate the project into --out and record the stack and the layout."""
    spec = the_spec(ctx)
    out = Path(ctx.inputs.out)
    repository = await template_repository(ctx.home / "cache" / "saas-mvp" / "template")
    project = await asyncio.to_thread(
        partial(generate_project, spec, out, template=repository, version=template_tag())
    )
    files = project.files
    if ctx.inputs.gate_optional:
        files = tuple(sorted({*files, _gate_config(project.path, ctx.inputs.gate_optional)}))
    layout = await asyncio.to_thread(_layout, project, files)
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
        entities=tuple(EntityLayout.model_validate(asdict(e)) for e in project.entities),
    )


async def plan_architecture(ctx: StepContext[Any]) -> Plan:
    """What generation would write (nothing is written in a dry-run)."""
    spec = the_spec(ctx)
    names = ", ".join(entity.name for entity in spec.entities)
    return Plan(
        summary=f"generate {spec.name} ({names}) into {ctx.inputs.out}",
        changes=[f"write the project into {ctx.inputs.out}", *run_plan(ctx.inputs)],
        details={"stack": STACK},
    )


def project_of(architecture: Architecture) -> GeneratedProject:
    """The generated project as the generator described it, from the journaled record."""
    return GeneratedProject(
        path=Path(architecture.layout.root),
        package=architecture.package,
        files=architecture.layout.files,
        entities=tuple(GeneratedEntity(**e.model_dump()) for e in architecture.entities),
        template_version=architecture.template_version,
        app=architecture.app,
    )
