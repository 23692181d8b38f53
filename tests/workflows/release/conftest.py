"""Release workflow tests: git isolated from the user's configuration, a store per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from release_repos import GIT_ENV, Project, make_project

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
    """The real `devora` command with a store of its own."""
    return Devora(home=tmp_path / ".devora")


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project released as 1.0.0 (tag v1.0.0) and pushed to a bare remote."""
    return make_project(tmp_path)
