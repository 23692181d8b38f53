"""Renaming a symbol project-wide on real files: definition, references, imports and
re-exports, `__all__`; idempotent; untouched files byte-identical; the tests still pass."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import pytest

from devora.tools.codemods import (
    InvalidSymbolError,
    RenameConflictError,
    SymbolNotFoundError,
    rename_symbol,
)

PROJECT = {
    "src/shop/__init__.py": 'from .pricing import total_price\n\n__all__ = ["total_price"]\n',
    "src/shop/pricing.py": (
        '"""Prices."""\n\n__all__ = ["total_price", "tax"]\n\n\n'
        "def tax(amount):\n    return amount * 0.2\n\n\n"
        "def total_price(items):  # the sum with tax\n"
        "    return sum(items) + tax(sum(items))\n\n\n"
        "def twice(items):\n    return 2 * total_price(items)\n"
    ),
    "src/shop/cart.py": (
        "from . import pricing\nfrom .pricing import total_price as price_of\n\n\n"
        "class Cart:\n    def __init__(self):\n        self.items = []\n\n"
        "    def total(self):\n        return pricing.total_price(self.items)\n\n"
        "    def again(self):\n        return price_of(self.items)\n"
    ),
    "src/shop/other.py": (
        "def total_price(x):\n    return x  # a different function of the same name\n"
    ),
    "tests/test_shop.py": (
        "import shop\nimport shop.pricing\nfrom shop import total_price\n"
        "from shop.cart import Cart\nfrom shop.other import total_price as other_total\n\n\n"
        "def test_total():\n    assert total_price([10]) == 12\n"
        "    assert shop.pricing.total_price([10]) == shop.total_price([10])\n\n\n"
        "def test_cart():\n    cart = Cart()\n    cart.items = [5, 5]\n"
        "    assert cart.total() == cart.again() == 12\n\n\n"
        "def test_other():\n    assert other_total(3) == 3\n\n\n"
        "def test_local_names_are_not_the_symbol():\n    total_price = 1\n"
        "    assert total_price == 1\n"
    ),
    "README.md": "total_price is documented here and stays as written.\n",
}


def _write(root: Path) -> list[str]:
    for name, text in PROJECT.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return sorted(name for name in PROJECT if name.endswith(".py"))


def _hashes(root: Path) -> dict[str, str]:
    return {name: hashlib.sha256((root / name).read_bytes()).hexdigest() for name in PROJECT}


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=root,
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(root / "src"), "PATH": "/usr/bin:/bin"},
        timeout=120,
        check=False,
    )


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, list[str]]:
    return tmp_path, _write(tmp_path)


def test_a_rename_reaches_definition_references_imports_and_all(
    project: tuple[Path, list[str]],
) -> None:
    root, files = project
    assert _pytest(root).returncode == 0
    before = _hashes(root)
    result = rename_symbol(root, "shop.pricing.total_price", "price_with_tax", files)
    assert result.changed_files == (
        "src/shop/__init__.py",
        "src/shop/cart.py",
        "src/shop/pricing.py",
        "tests/test_shop.py",
    )
    pricing = (root / "src/shop/pricing.py").read_text()
    assert "def price_with_tax(items):  # the sum with tax" in pricing
    assert '__all__ = ["price_with_tax", "tax"]' in pricing
    assert "return 2 * price_with_tax(items)" in pricing
    init = (root / "src/shop/__init__.py").read_text()
    assert init == 'from .pricing import price_with_tax\n\n__all__ = ["price_with_tax"]\n'
    cart = (root / "src/shop/cart.py").read_text()
    assert "pricing.price_with_tax(self.items)" in cart
    assert "from .pricing import price_with_tax as price_of" in cart
    assert "return price_of(self.items)" in cart  # the alias stays the caller's name
    test = (root / "tests/test_shop.py").read_text()
    assert "from shop import price_with_tax\n" in test
    assert "shop.pricing.price_with_tax([10]) == shop.price_with_tax([10])" in test
    assert "from shop.other import total_price as other_total" in test
    assert "    total_price = 1\n    assert total_price == 1\n" in test
    after = _hashes(root)
    untouched = set(PROJECT) - set(result.changed_files)
    assert untouched == {"src/shop/other.py", "README.md"}
    assert all(before[name] == after[name] for name in untouched)
    outcome = _pytest(root)
    assert outcome.returncode == 0, outcome.stdout
    assert "4 passed" in outcome.stdout


def test_a_rename_twice_changes_nothing_the_second_time(
    project: tuple[Path, list[str]],
) -> None:
    root, files = project
    rename_symbol(root, "shop.pricing.total_price", "price_with_tax", files)
    once = _hashes(root)
    again = rename_symbol(root, "shop.pricing.total_price", "price_with_tax", files)
    assert again.changed_files == () and again.edits == 0 and _hashes(root) == once
    with pytest.raises(SymbolNotFoundError):  # the old name is gone everywhere
        rename_symbol(root, "shop.pricing.total_price", "another_name", files)
    assert _hashes(root) == once


def test_bad_renames_are_refused_and_write_nothing(project: tuple[Path, list[str]]) -> None:
    root, files = project
    before = _hashes(root)
    with pytest.raises(SymbolNotFoundError) as missing:
        rename_symbol(root, "shop.pricing.no_such", "other", files)
    with pytest.raises(RenameConflictError):
        rename_symbol(root, "shop.pricing.total_price", "tax", files)
    with pytest.raises(InvalidSymbolError):
        rename_symbol(root, "total_price", "x", files)
    with pytest.raises(InvalidSymbolError):
        rename_symbol(root, "shop.pricing.total_price", "not a name", files)
    assert missing.value.exit_code == 2 and missing.value.hint
    assert _hashes(root) == before
