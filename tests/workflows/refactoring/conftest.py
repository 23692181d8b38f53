"""The refactoring tests' projects: a src-layout `shop` with tests, a history and a .venv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.harness import Devora
from tests.tools.metrics.histories import History, branchy, git

PRICING = (
    '__all__ = ["total_price"]\n\n\n'
    "def total_price(items):\n    return sum(items) + tax(sum(items))\n\n\n"
    "def tax(amount):\n    return amount // 5\n"
)
TESTS = (
    "from shop.pricing import total_price, tax\n\n\n"
    "def test_total():\n    assert total_price([10]) == 12\n\n\n"
    "def test_tax():\n    assert tax(10) == 2\n"
)


@pytest.fixture(autouse=True)
def _lean_pytest(lean_project_pytest: None) -> None:
    """The shop's pytest starts without this venv's heaviest plugins (tests/conftest.py)."""


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / ".devora")


@pytest.fixture
def shop(tmp_path: Path) -> History:
    """A src-layout project with tests and a .venv that is Devora's interpreter's."""
    repo = History(tmp_path / "shop")
    repo.commit(
        "shop",
        {
            "pyproject.toml": '[project]\nname = "shop"\nversion = "1.0"\n',
            "src/shop/__init__.py": "",
            "src/shop/pricing.py": PRICING,
            "src/shop/rules.py": branchy("rule", 6),
            "tests/test_pricing.py": TESTS,
        },
    )
    for i in range(3):
        repo.commit(f"rules {i}", {"src/shop/rules.py": branchy("rule", 7 + i)})
    # The project's own environment: a venv that sees the test runner's packages
    # (pytest, coverage, mypy) through a .pth file.
    venv = repo.root / ".venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    (site / "runner.pth").write_text("\n".join(p for p in sys.path if "site-packages" in p))
    (repo.root / ".gitignore").write_text((repo.root / ".gitignore").read_text() + ".venv/\n")
    git(repo.root, "commit", "-q", "-am", "ignore the venv")
    return repo
