"""Real git repositories for the agent tests."""

from __future__ import annotations

import subprocess
from pathlib import Path

CALC = "def add(a, b):\n    return a - b\n"
CALC_FIXED = "def add(a, b):\n    return a + b\n"
TEST_CALC = "from calc import add\n\n\ndef test_add():\n    assert add(2, 3) == 5\n"


def git(repo: Path, *args: str) -> str:
    """Run git in `repo` (with an identity, so commits work on any machine)."""
    result = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],
        cwd=repo,
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def make_repo(path: Path) -> Path:
    """A repository with a buggy calc.py and its failing test, committed on main."""
    path.mkdir(parents=True)
    git(path, "init", "-q", "-b", "main")
    (path / "calc.py").write_text(CALC)
    (path / "test_calc.py").write_text(TEST_CALC)
    (path / ".gitignore").write_text("__pycache__/\n.pytest_cache/\n")
    git(path, "add", ".")
    git(path, "commit", "-q", "-m", "calc")
    return path
