"""Fixtures the workflow tests share: git isolated from the user's configuration, and the
real `devora` command with a home of its own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.harness import Devora
from tests.conftest import require_executable

GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}


@pytest.fixture
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """git ignores ~/.gitconfig and /etc/gitconfig, here and in the devora subprocess.

    An area's conftest makes it autouse with a fixture that asks for it."""
    require_executable("git", "apt-get install git")
    for name, value in GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    """The real `devora` command, with a DEVORA_HOME of its own (run from its parent)."""
    home = tmp_path / "home" / ".devora"
    home.parent.mkdir(parents=True)
    return Devora(home=home)
