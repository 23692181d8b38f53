"""A generated project takes template updates with `copier update`: generation records the
template repository Devora keeps in its cache and the version's tag; a new template version
is a new tag there, and `copier update` in the project moves it to that version."""

from __future__ import annotations

import asyncio
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from devora.workflows.saas_mvp import generate_project, load_spec
from devora.workflows.saas_mvp._context import TEMPLATE_VERSION
from devora.workflows.saas_mvp._generate import TEMPLATE
from devora.workflows.saas_mvp._template_repo import template_repository, template_tag
from tests.workflows.saas_mvp.workflow_harness import EXAMPLE

GIT = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
NEXT = str(int(TEMPLATE_VERSION) + 1)
NEW_LINE = f"Updated by version {NEXT} of the template."


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run([*GIT, *args], cwd=cwd, capture_output=True, text=True, check=True)
    return done.stdout


def _answers(project: Path) -> dict[str, object]:
    text = (project / ".copier-answers.yml").read_text()
    answers: dict[str, object] = yaml.safe_load(text)
    return answers


def test_copier_update_moves_a_generated_project_to_the_new_template_version(
    tmp_path: Path,
) -> None:
    repository = asyncio.run(template_repository(tmp_path / "cache" / "template"))
    out = tmp_path / "board"
    generate_project(load_spec(EXAMPLE), out, template=repository, version=template_tag())
    answers = _answers(out)
    assert answers["_commit"] == template_tag() and answers["_src_path"] == str(repository)
    assert not (out / ".git").exists()  # the template's own history is not copied
    _git(out, "init", "-q")
    _git(out, "add", "-A")
    _git(out, "commit", "-q", "-m", "generated")

    newer = tmp_path / "template-2"
    shutil.copytree(TEMPLATE, newer)
    readme = newer / "README.md.jinja"
    readme.write_text(readme.read_text() + f"\n{NEW_LINE}\n")
    asyncio.run(template_repository(repository, source=newer, version=NEXT))
    assert template_tag(NEXT) in _git(repository, "tag").split()

    done = subprocess.run(
        [sys.executable, "-m", "copier", "update", "--defaults", "--quiet"],
        cwd=out, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert (out / "README.md").read_text().endswith(f"{NEW_LINE}\n")
    assert _answers(out)["_commit"] == template_tag(NEXT)
    assert "README.md" in _git(out, "status", "--porcelain")  # the update, to review


def test_the_repository_keeps_one_commit_per_version_and_follows_the_packaged_files(
    tmp_path: Path,
) -> None:
    repository = tmp_path / "template"
    asyncio.run(template_repository(repository))
    first = _git(repository, "rev-parse", template_tag())
    asyncio.run(template_repository(repository))  # unchanged: nothing committed
    assert _git(repository, "rev-parse", template_tag()) == first
    assert len(_git(repository, "log", "--oneline").splitlines()) == 1
    changed = tmp_path / "changed"
    shutil.copytree(TEMPLATE, changed)
    (changed / "Dockerfile.jinja").write_text("FROM scratch\n")
    asyncio.run(template_repository(repository, source=changed))  # same version, other files
    assert _git(repository, "rev-parse", template_tag()) != first
    assert _git(repository, "show", f"{template_tag()}:Dockerfile.jinja") == "FROM scratch\n"
