"""The refactoring tests' projects: a src-layout `shop` with tests, a history and a .venv."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.harness import Devora
from tests.fixtures.project_env import link_project_environment
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
# What the safety net runs in the shop's own environment: its tests, coverage, type check.
SHOP_TOOLS = ("pytest", "coverage", "mypy")


@pytest.fixture
def devora(tmp_path: Path) -> Devora:
    return Devora(home=tmp_path / ".devora")


@pytest.fixture
def shop(tmp_path: Path) -> History:
    """A src-layout project with tests and a .venv holding pytest, coverage and mypy."""
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
    link_project_environment(repo.root, SHOP_TOOLS)
    ignore = repo.root / ".gitignore"
    ignore.write_text(ignore.read_text() + ".venv\n")  # no trailing slash: .venv is a link
    git(repo.root, "commit", "-q", "-am", "ignore the venv")
    return repo
