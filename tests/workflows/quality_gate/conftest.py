"""Fixtures for the quality gate's tests: a devora command with its own home, and projects."""

from __future__ import annotations

from pathlib import Path

import pytest
from gate_projects import copy_example, make_clean_project, tool_path


@pytest.fixture(autouse=True)
def _git_isolated(isolated_git: None) -> None:
    """Every test here runs with git isolated (tests/workflows/conftest.py)."""


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
