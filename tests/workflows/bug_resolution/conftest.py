"""Fixtures for the bug-resolution tests: a devora command with its own home, and real
histories (tests/tools/bisect/history.py) whose project runs in this venv."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli.harness import Devora
from tests.conftest import require_executable
from tests.tools.bisect.history import build_history

GIT_ENV = {"GIT_CONFIG_GLOBAL": "/dev/null", "GIT_CONFIG_NOSYSTEM": "1"}
TEST_ID = "tests/test_calc.py::test_add"
PYPROJECT = '[project]\nname = "calc"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
MORE = "def test_one():\n    assert 1 + 1 == 2\n\n\ndef test_two():\n    assert 'a' < 'b'\n"


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
    """The real `devora` command, with a DEVORA_HOME of its own and no model."""
    home = tmp_path / "home" / ".devora"
    home.parent.mkdir(parents=True)
    return Devora(home=home)


def no_model() -> dict[str, str]:
    """The environment of a run without a model (whatever the machine configures)."""
    return {"DEVORA_MODEL": "", "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                         os.environ.get("PATH", "")])}  # fmt: skip


def with_venv(root: Path) -> Path:
    """The project's .venv is this interpreter's environment (pytest and coverage in it)."""
    (root / ".venv").symlink_to(Path(sys.prefix), target_is_directory=True)
    return root


def make_history(root: Path, commits: int, bad_at: int | None, **extra: object) -> Path:
    """A history whose commit `bad_at` breaks calc.add, with .venv ignored."""
    files = dict(extra.pop("extra", {}) or {})  # type: ignore[call-overload]
    first = {".gitignore": ".venv\n", "pyproject.toml": PYPROJECT, "tests/test_more.py": MORE,
             **files.get(1, {})}  # fmt: skip
    built = build_history(
        root,
        commits,
        bad_at=bad_at,
        extra={**files, 1: first},
        counter=False,
        **extra,  # type: ignore[arg-type]
    )
    return with_venv(built)
