"""Projects for the gate's tests: copies of the examples and small clean ones made in tmp dirs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PYTHON_EXAMPLE = REPO / "examples" / "python-project"
SARIF_SCHEMA = Path(__file__).resolve().parent / "schemas" / "sarif-2.1.0-rtm.5.json"
_IGNORED = shutil.ignore_patterns(
    "node_modules", "dist", ".mypy_cache", ".ruff_cache", "__pycache__", ".pytest_cache"
)

# The example's known problems, as README.md in examples/python-project lists them.
EXAMPLE_FINDINGS = {
    "mypy": [("assignment", "src/inventory/stock.py", 38)],
    "ruff-check": [
        ("F401", "src/inventory/stock.py", 5),
        ("F401", "src/inventory/stock.py", 6),
        ("B006", "src/inventory/stock.py", 42),
        ("E741", "src/inventory/stock.py", 44),
        ("F841", "src/inventory/stock.py", 45),
    ],
    "ruff-format": [("format", "src/inventory/report.py", None)],
    "pytest": [("test-failure", "tests/test_stock.py", 19)],
    "bandit": [("B105", "src/inventory/settings.py", 6)],
    "pip-audit": [],
}

CLEAN_PYPROJECT = """\
[project]
name = "clean"
version = "0.1.0"
requires-python = ">=3.11"
dependencies = []

[tool.ruff]
line-length = 100

[tool.ruff.lint]
select = ["E", "F", "I", "B"]

[tool.mypy]
files = ["src"]
mypy_path = "src"
strict = true

[tool.pytest.ini_options]
testpaths = ["tests"]
pythonpath = ["src"]

[tool.coverage.run]
source = ["src"]
"""

CLEAN_MODULE = '''\
"""Arithmetic that is easy to get right."""


def add(left: int, right: int) -> int:
    """The sum of two numbers."""
    return left + right


def scale(values: list[int], factor: int) -> list[int]:
    """Every value times factor."""
    return [value * factor for value in values]
'''

CLEAN_TEST = """\
from calc import add, scale


def test_add() -> None:
    assert add(2, 3) == 5


def test_scale() -> None:
    assert scale([1, 2], 3) == [3, 6]
"""


def tool_path() -> str:
    """A PATH where this venv's tools (ruff, mypy, pytest beside coverage...) come first."""
    return os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])


def copy_example(target: Path) -> Path:
    """A fresh copy of examples/python-project."""
    shutil.copytree(PYTHON_EXAMPLE, target, ignore=_IGNORED)
    return target


def make_clean_project(root: Path) -> Path:
    """A small Python project every check passes on (100 % coverage, typed, formatted)."""
    (root / "src" / "calc").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(CLEAN_PYPROJECT, encoding="utf-8")
    (root / "src" / "calc" / "__init__.py").write_text(CLEAN_MODULE, encoding="utf-8")
    (root / "tests" / "test_calc.py").write_text(CLEAN_TEST, encoding="utf-8")
    return root


def git(root: Path, *args: str) -> str:
    """Run git in root (with an identity), fail loudly, return stdout."""
    completed = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def init_repo(root: Path) -> Path:
    """Make root a git repository with everything in it committed."""
    git(root, "init", "-q", "-b", "main")
    (root / ".gitignore").write_text("__pycache__/\n.devora/\n", encoding="utf-8")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "initial")
    return root
