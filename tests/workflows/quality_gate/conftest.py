"""Fixtures for the quality gate's tests: a devora command with its own home, and projects."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from gate_projects import GIT_ENV, copy_example, make_clean_project, tool_path

from tests.cli.harness import Devora
from tests.conftest import require_executable


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """git ignores ~/.gitconfig and /etc/gitconfig, here and in the devora subprocess."""
    require_executable("git", "apt-get install git")
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    """The real `devora` command, with a DEVORA_HOME of its own."""
    home = tmp_path / "home" / ".devora"
    home.parent.mkdir(parents=True)
    return Devora(home=home)


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A fresh copy of examples/python-project."""
    return copy_example(tmp_path / "python-project")


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    """A small project every check passes on."""
    root = tmp_path / "clean"
    root.mkdir()
    return make_clean_project(root)


@pytest.fixture
def path_env() -> dict[str, str]:
    """Environment for the CLI: this venv's tools first on PATH (coverage beside pytest)."""
    return {"PATH": tool_path()}
