"""Fixtures for the release tool tests: real git, isolated from the user's git config."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from .helpers import ISOLATED_GIT_ENV, GitFixture, init_repo, require_executable


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Make git ignore ~/.gitconfig and /etc/gitconfig, and any repository around us."""
    require_executable("git", "apt-get install git")
    for name, value in ISOLATED_GIT_ENV.items():
        monkeypatch.setenv(name, value)
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_AUTHOR_NAME"):
        monkeypatch.delenv(name, raising=False)
    yield


@pytest.fixture
def repo(tmp_path: Path) -> GitFixture:
    """An empty repository on branch main."""
    return init_repo(tmp_path / "repo")
