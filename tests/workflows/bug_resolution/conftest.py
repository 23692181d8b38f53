"""Bug-resolution test helpers: real histories (tests/tools/bisect/history.py) whose project
runs in a small project's environment (tests/fixtures/project_env.py). Git isolation and
`devora` come from tests/workflows/conftest.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests.fixtures.project_env import link_project_environment
from tests.tools.bisect.history import build_history

TEST_ID = "tests/test_calc.py::test_add"
PYPROJECT = '[project]\nname = "calc"\nversion = "0.1"\nrequires-python = ">=3.11"\n'
MORE = "def test_one():\n    assert 1 + 1 == 2\n\n\ndef test_two():\n    assert 'a' < 'b'\n"


@pytest.fixture(autouse=True)
def _git_isolated(isolated_git: None) -> None:
    """Every test here runs with git isolated (tests/workflows/conftest.py)."""


def no_model() -> dict[str, str]:
    """The environment of a run without a model (whatever the machine configures)."""
    return {"DEVORA_MODEL": "", "PATH": os.pathsep.join([str(Path(sys.executable).parent),
                                                         os.environ.get("PATH", "")])}  # fmt: skip


def with_venv(root: Path) -> Path:
    """The project's .venv is a small project's environment (pytest and coverage in it)."""
    return link_project_environment(root)


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
