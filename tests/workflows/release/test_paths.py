"""Release's file options stay inside the repository: `..` and symlinks out are refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from release_repos import Project

from tests.cli.harness import Devora

ESCAPES = [
    ("--changelog", "../../X.md"),
    ("--changelog", "/tmp/devora-escape.md"),
    ("-i", "changelog=out/CHANGELOG.md"),  # `out` is a symlink leaving the repository
    ("-i", 'version_files=["pyproject.toml", "out/pyproject.toml"]'),
]


@pytest.mark.parametrize(("option", "value"), ESCAPES)
def test_a_release_file_outside_the_repository_is_refused_before_the_run(
    devora: Devora, project: Project, tmp_path: Path, option: str, value: str
) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (project.path / "out").symlink_to(outside)
    before = sorted(p.name for p in tmp_path.iterdir())
    result = devora("run", "release", str(project.path), option, value)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "outside the project" in result.stderr and "Hint:" in result.stderr
    assert "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # nothing written
    assert list(outside.iterdir()) == []
    assert not Path("/tmp/devora-escape.md").exists()
    assert json.loads(devora("runs", "--json").stdout) == []  # no run recorded


def test_a_release_file_inside_the_repository_is_accepted(devora: Devora, project: Project) -> None:
    result = devora(
        "run", "release", str(project.path), "--changelog", "docs/../CHANGES.md", "--dry-run"
    )
    assert result.returncode != 2, result.stderr


def test_a_config_file_naming_a_file_outside_is_refused(devora: Devora, project: Project) -> None:
    project.write("devora.toml", '[release]\nchangelog = "../CHANGELOG.md"\n')
    project.commit("chore: config", "devora.toml")
    result = devora("run", "release", str(project.path), "--dry-run")
    assert result.returncode != 0
    assert "outside the project" in result.stdout + result.stderr
