"""Fixtures for the check adapters: copies of the example projects, and where the tools are."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

try:  # tests/ as a package (tests/__init__.py) or as a plain rootdir conftest
    from tests.conftest import require, require_executable
except ModuleNotFoundError:  # pragma: no cover - depends on how pytest was started
    from conftest import require, require_executable

__all__ = [
    "PYTHON_EXAMPLE",
    "TS_EXAMPLE",
    "npm_ci",
    "require",
    "require_executable",
    "write_tool",
]

REPO = Path(__file__).resolve().parents[3]
PYTHON_EXAMPLE = REPO / "examples" / "python-project"
TS_EXAMPLE = REPO / "examples" / "typescript-project"
_IGNORED = shutil.ignore_patterns(
    "node_modules", "dist", ".mypy_cache", ".ruff_cache", "__pycache__", ".pytest_cache"
)


@pytest.fixture(scope="session")
def tool_path() -> str:
    """A PATH where the Python tools of this venv come first (they are devora[checks])."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


@pytest.fixture
def python_project(tmp_path: Path) -> Path:
    """A fresh copy of examples/python-project, so a test may write to it."""
    target = tmp_path / "python-project"
    shutil.copytree(PYTHON_EXAMPLE, target, ignore=_IGNORED)
    return target


@pytest.fixture(scope="session")
def _ts_installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # `npm ci` once per session, from the committed package-lock.json.
    require_executable("node", "install Node.js 20")
    npm = require_executable("npm", "install Node.js 20, which ships npm")
    target = tmp_path_factory.mktemp("ts") / "typescript-project"
    shutil.copytree(TS_EXAMPLE, target, ignore=_IGNORED)
    npm_ci(npm, target)
    return target


def npm_ci(npm: str, project: Path) -> None:
    """Install a project's node_modules from its committed package-lock.json."""
    completed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, f"npm ci failed:\n{completed.stderr[-2000:]}"


@pytest.fixture
def ts_project(_ts_installed: Path, tmp_path: Path) -> Path:
    """A fresh copy of examples/typescript-project with its node_modules installed."""
    target = tmp_path / "typescript-project"
    shutil.copytree(_ts_installed, target, ignore=shutil.ignore_patterns("node_modules", "dist"))
    (target / "node_modules").symlink_to(_ts_installed / "node_modules")
    return target


def write_tool(directory: Path, name: str, script: str) -> Path:
    """Write an executable shell script standing in for a tool (for crash tests)."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / name
    path.write_text("#!/bin/sh\n" + script + "\n", encoding="utf-8")
    path.chmod(0o755)
    return path
