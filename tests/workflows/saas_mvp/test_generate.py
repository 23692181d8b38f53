"""generate_project: all or nothing, byte for byte, and a project that passes its own checks.

The generated project's tests, type check and migration run in an isolated environment
built for it by devora.tools.pyenv (as the quality gate builds one), never in Devora's.
"""

from __future__ import annotations

import asyncio
import json
import os
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from devora.tools.pyenv import EnvironmentKind, PythonEnvironment, resolve_environment
from devora.workflows.saas_mvp._errors import OutputNotEmptyError
from devora.workflows.saas_mvp._generate import GeneratedProject, generate_project
from devora.workflows.saas_mvp._load import load_spec, parse_spec
from devora.workflows.saas_mvp._spec import ProductSpec
from tests.conftest import require

EXAMPLE = Path(__file__).parents[3] / "examples" / "saas-spec.yaml"
BIN = Path(sys.executable).parent

# Five entities, every field type, an optional and a self relation, no sign-up page.
VARIANT = {
    "name": "Field Lab",
    "entities": [
        {"name": "Lab", "fields": [{"name": "title", "type": "str", "unique": True}]},
        {
            "name": "Sample",
            "label": "code",
            "fields": [
                {"name": "code", "type": "str"},
                {"name": "notes", "type": "text", "required": False},
                {"name": "count", "type": "int"},
                {"name": "weight", "type": "float", "required": False},
                {"name": "approved", "type": "bool"},
                {"name": "taken_on", "type": "date"},
                {"name": "measured_at", "type": "datetime", "required": False},
                {"name": "contact", "type": "email"},
                {"name": "cost", "type": "money"},
                {"name": "link", "type": "url", "required": False},
            ],
            "relations": [
                {"name": "lab", "entity": "Lab"},
                {"name": "parent", "entity": "Sample", "required": False},
            ],
        },
        {"name": "Box", "fields": [{"name": "shelf", "type": "int"}]},
        {"name": "Study", "fields": [{"name": "topic", "type": "text"}],
         "relations": [{"name": "lab", "entity": "Lab", "required": False}]},
        {"name": "City", "fields": [{"name": "zip_code", "type": "str"}]},
    ],
    "users": {"roles": [{"name": "viewer", "permissions": {"*": ["list", "read"]}}],
              "default_role": "viewer"},
    "authentication": {"signup": False, "password_min_length": 12},
    "plans": [{"name": "trial", "limits": {"Box": 2}}, {"name": "team", "price": 49}],
}  # fmt: skip


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


def test_an_output_directory_with_files_is_refused_and_left_alone(tmp_path: Path) -> None:
    spec = load_spec(EXAMPLE)
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(OutputNotEmptyError) as caught:
        generate_project(spec, out)
    assert caught.value.exit_code == 2
    assert "nothing was written" in str(caught.value)
    assert tree(out) == {"keep.txt": b"mine"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]
    (tmp_path / "file").write_text("x", encoding="utf-8")
    with pytest.raises(OutputNotEmptyError, match="not a directory"):
        generate_project(spec, tmp_path / "file")


def test_a_failed_render_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from devora.workflows.saas_mvp import _generate
    from devora.workflows.saas_mvp._errors import GenerationError

    monkeypatch.setattr(_generate, "TEMPLATE", tmp_path / "no-such-template")
    with pytest.raises(GenerationError):
        generate_project(load_spec(EXAMPLE), tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_the_same_spec_gives_the_same_bytes(tmp_path: Path) -> None:
    spec = load_spec(EXAMPLE)
    started = time.monotonic()
    first = generate_project(spec, tmp_path / "one")
    seconds = time.monotonic() - started
    second = generate_project(spec, tmp_path / "two")
    print(f"generation of {len(first.files)} files: {seconds:.2f} s")
    assert tree(first.path) == tree(second.path)
    assert first.files == second.files == tuple(sorted(tree(first.path)))
    other = generate_project(parse_spec(json.dumps(VARIANT), json_format=True), tmp_path / "v")
    assert tree(other.path) != tree(first.path)
    answers = (first.path / ".copier-answers.yml").read_text(encoding="utf-8")
    assert "name: Team Board" in answers
    assert seconds < 30


def test_the_project_describes_itself(tmp_path: Path) -> None:
    project = generate_project(load_spec(EXAMPLE), tmp_path / "app")
    assert project.package == "team_board"
    assert project.app == "team_board.app:app"
    assert project.entity_names == ("Client", "Project", "Task", "Invoice")
    invoice = project.entities[3]
    assert (invoice.list_path, invoice.new_path, invoice.api_path) == (
        "/invoices",
        "/invoices/new",
        "/api/invoices",
    )
    assert invoice.relations == ("client_id", "project_id")
    assert invoice.default_role_can == ("list", "read")
    form = (tmp_path / "app/src/team_board/templates/form.html").read_text(encoding="utf-8")
    assert 'id="{{ entity.snake }}-form"' in form
    assert (
        "team_board"
        in tomllib.loads((project.path / "pyproject.toml").read_text())["tool"]["setuptools"][
            "package-data"
        ]
    )


def _environment(project: GeneratedProject, cache: Path) -> PythonEnvironment:
    pyproject = tomllib.loads((project.path / "pyproject.toml").read_text(encoding="utf-8"))
    env = asyncio.run(
        resolve_environment(
            project.path,
            pyproject,
            cache_dir=cache,
            log=print,
            kind=EnvironmentKind.ISOLATED,
        )
    )
    require(env.usable, f"no isolated environment for the project: {env.problem} {env.output_tail}")
    return env


@pytest.fixture(scope="module", params=["example", "variant"])
def built(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[GeneratedProject, Path]:
    """A generated project and the interpreter of its isolated environment."""
    root = tmp_path_factory.mktemp("saas")
    spec: ProductSpec = (
        load_spec(EXAMPLE)
        if request.param == "example"
        else parse_spec(json.dumps(VARIANT), json_format=True)
    )
    project = generate_project(spec, root / "project")
    env = _environment(project, root / "environments")
    assert env.python is not None
    return project, env.python


def _run(argv: list[str], cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, **env}
    environment.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        argv, cwd=cwd, env=environment, capture_output=True, text=True, timeout=600, check=False
    )


def test_its_own_tests_pass_in_its_own_environment(built: tuple[GeneratedProject, Path]) -> None:
    project, python = built
    assert not str(python).startswith(str(BIN.parent))
    done = _run(project.test_argv(python), project.path)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout


def test_it_is_lint_format_type_and_bandit_clean(built: tuple[GeneratedProject, Path]) -> None:
    project, python = built
    checks = [
        [str(BIN / "ruff"), "check", "--no-cache", "."],
        [str(BIN / "ruff"), "format", "--check", "--no-cache", "."],
        [str(BIN / "bandit"), "-q", "-r", "src", "-c", "pyproject.toml"],
        [str(python), "-m", "mypy", "--no-incremental", "--cache-dir", os.devnull],
    ]
    for argv in checks:
        done = _run(argv, project.path)
        assert done.returncode == 0, f"{argv}: {done.stdout[-3000:]}{done.stderr[-2000:]}"


def test_alembic_upgrades_a_fresh_sqlite_database(
    built: tuple[GeneratedProject, Path], tmp_path: Path
) -> None:
    project, python = built
    database = tmp_path / "fresh.db"
    done = _run(project.migrate_argv(python), project.path, DATABASE_URL=f"sqlite:///{database}")
    assert done.returncode == 0, done.stdout + done.stderr
    with sqlite3.connect(database) as connection:
        names = {row[0] for row in connection.execute("SELECT name FROM sqlite_master")}
    plurals = {entity.plural for entity in project.entities}
    assert {"users", "auth_sessions", "alembic_version", *plurals} <= names
