"""Release workflow tests: git isolated from the user's configuration, a store per test."""

from __future__ import annotations

from pathlib import Path

import pytest
from release_repos import Project, make_project


@pytest.fixture(autouse=True)
def _git_isolated(isolated_git: None) -> None:
    """Every test here runs with git isolated (tests/workflows/conftest.py). The quality gate
    a release runs tests its project in the environment Devora creates for it (uv)."""


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A project released as 1.0.0 (tag v1.0.0) and pushed to a bare remote."""
    return make_project(tmp_path)
