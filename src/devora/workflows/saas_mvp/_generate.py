"""Generate a SaaS MVP project from a spec with copier, deterministically and all at once.

    project = generate_project(load_spec(Path("saas-spec.yaml")), Path("out/team-board"))
    project.test_argv(python)   # [python, -m, pytest, -q]

The template (`template/`, versioned by its `copier.yml`) is rendered into a temporary
sibling of `out` and renamed into place: a failure leaves nothing behind, and an `out` that
exists and is not empty is refused before anything is written. The same spec gives the
same bytes: copier is given the spec and the names derived from it, runs no task and no
git, and the template writes no date. The conventions a browser or HTTP check relies on
(paths, form and element ids) are in `GeneratedEntity` and docs/saas-mvp.md.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from devora.workflows.saas_mvp._context import TEMPLATE_VERSION, table_order, template_data
from devora.workflows.saas_mvp._errors import GenerationError, OutputNotEmptyError
from devora.workflows.saas_mvp._spec import ACTIONS, EntitySpec, ProductSpec

__all__ = ["TEMPLATE", "GeneratedEntity", "GeneratedProject", "generate_project"]

TEMPLATE = Path(__file__).with_name("template")


@dataclass(frozen=True)
class GeneratedEntity:
    """One entity of the generated app: its URLs and the ids a browser test drives.

    Pages: `list_path` shows `table#<plural>-table` with a `tr#<snake>-<id>` per row;
    `new_path` shows `form#<snake>-form` with one input (or select, textarea) per field,
    `name` = the field (a relation: `<relation>_id`), `id` = `<snake>-<name>`, submitted by
    `button#<snake>-submit`. API: `api_path` (GET list, POST create) and
    `api_path/{id}` (GET, PUT, DELETE), bearer token or session cookie.
    """

    name: str
    snake: str
    plural: str
    fields: tuple[str, ...]
    relations: tuple[str, ...]
    default_role_can: tuple[str, ...]

    @property
    def list_path(self) -> str:
        """The page listing the rows."""
        return f"/{self.plural}"

    @property
    def new_path(self) -> str:
        """The page with the form creating a row."""
        return f"/{self.plural}/new"

    @property
    def api_path(self) -> str:
        """The JSON collection: GET lists, POST creates."""
        return f"/api/{self.plural}"

    @property
    def form_id(self) -> str:
        """The id of the create and edit form."""
        return f"{self.snake}-form"

    @property
    def submit_id(self) -> str:
        """The id of the form's submit button."""
        return f"{self.snake}-submit"

    @property
    def table_id(self) -> str:
        """The id of the list page's table."""
        return f"{self.plural}-table"

    def input_id(self, name: str) -> str:
        """The id of a field's input (`name` a field, or a relation's `<relation>_id`)."""
        return f"{self.snake}-{name}"


@dataclass(frozen=True)
class GeneratedProject:
    """A generated project: where it is, what it holds, how to test and run it."""

    path: Path
    package: str
    files: tuple[str, ...]
    entities: tuple[GeneratedEntity, ...]
    template_version: str
    app: str  # module:attribute for uvicorn
    health_path: str = "/health"
    port_env: str = "PORT"
    database_url_env: str = "DATABASE_URL"
    signup_path: str = "/signup"
    signin_path: str = "/signin"
    api_signup_path: str = "/api/auth/signup"
    api_token_path: str = "/api/auth/token"

    @property
    def entity_names(self) -> tuple[str, ...]:
        """The entities, in the order their tables are created."""
        return tuple(entity.name for entity in self.entities)

    def test_argv(self, python: Path) -> list[str]:
        """The project's own tests, run by `python` (the project's environment) in `path`."""
        return [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"]

    def run_argv(self, python: Path, *, migrate: bool = True) -> list[str]:
        """Serve the app on $HOST:$PORT (127.0.0.1:8000), upgrading the database first."""
        return [str(python), "-m", self.package, "serve", *(["--migrate"] if migrate else [])]

    def migrate_argv(self, python: Path) -> list[str]:
        """`alembic upgrade head` on $DATABASE_URL, from `path`."""
        return [str(python), "-m", "alembic", "upgrade", "head"]


def generate_project(
    spec: ProductSpec, out: Path, *, template: Path | None = None, version: str | None = None
) -> GeneratedProject:
    """Render the project for `spec` into `out` (new or empty), all of it or nothing.

    `template` is the packaged template directory by default; a template repository
    (_template_repo) with `version` (its git tag) makes a project `copier update` can move
    to a later version of that repository.
    """
    out = out.absolute()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        reason = "exists and is not empty" if out.is_dir() else "exists and is not a directory"
        raise OutputNotEmptyError(out, reason=reason)
    out.parent.mkdir(parents=True, exist_ok=True)
    data = template_data(spec)
    scratch = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        _render(data, scratch / "project", template or TEMPLATE, version)
        files = tuple(
            sorted(p.relative_to(scratch / "project").as_posix() for p in _files(scratch))
        )
        if out.exists():
            out.rmdir()  # empty, checked above; a race that filled it fails the rename
        os.replace(scratch / "project", out)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    os.chmod(out, 0o777 & ~_umask())  # mkdtemp made it 0700; a project keeps usual modes
    package = str(data["project"]["package"])
    return GeneratedProject(
        path=out,
        package=package,
        files=files,
        entities=tuple(_entity(spec, entity) for entity in table_order(spec)),
        template_version=TEMPLATE_VERSION,
        app=f"{package}.app:app",
    )


def _render(
    data: dict[str, object], destination: Path, template: Path, version: str | None
) -> None:
    from copier import run_copy  # imported here: copier is the `saas` extra, and slow to load

    try:
        run_copy(
            str(template),
            destination,
            vcs_ref=version,
            data=data,
            defaults=True,
            overwrite=True,
            unsafe=False,
            quiet=True,
            skip_tasks=True,
        )
    except Exception as error:  # copier's errors share no base class; any is a template bug
        raise GenerationError(f"{type(error).__name__}: {error}") from error


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _files(scratch: Path) -> list[Path]:
    return [p for p in (scratch / "project").rglob("*") if p.is_file()]


def _entity(spec: ProductSpec, entity: EntitySpec) -> GeneratedEntity:
    role = next(r for r in spec.users.roles if r.name == spec.users.default_role)
    allowed = role.allowed(entity.name)
    return GeneratedEntity(
        name=entity.name,
        snake=entity.snake,
        plural=entity.plural,
        fields=tuple(field.name for field in entity.fields),
        relations=tuple(f"{relation.name}_id" for relation in entity.relations),
        default_role_can=tuple(a for a in ACTIONS if a in allowed),
    )
