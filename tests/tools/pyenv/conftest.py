"""Fixtures for the environment tests: small real projects written into tmp dirs."""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from devora.tools.pyenv import find_uv

__all__ = ["git_init", "write_project"]


def write_project(root: Path, files: dict[str, str]) -> Path:
    """Write a project's files (dedented) under root and return root."""
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def git_init(root: Path) -> None:
    """Make root a git repository with everything committed (to compare its status later)."""
    for argv in (
        ["git", "init", "-q"],
        ["git", "add", "-A"],
        ["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init"],
    ):
        subprocess.run(argv, cwd=root, check=True, capture_output=True)


@pytest.fixture(scope="session")
def uv() -> Path:
    """uv, which devora[checks] installs."""
    found = find_uv()
    if found is None:
        pytest.fail("uv is not installed: pip install 'devora[checks]'")
    return found
