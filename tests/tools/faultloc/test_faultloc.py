"""Fault localization on a real project: per-test coverage, Ochiai, traceback frames."""

from __future__ import annotations

import asyncio
import math
import sys
import textwrap
from pathlib import Path

import pytest

from devora.tools.faultloc import localize_faults, ochiai, traceback_frames

PYTHON = Path(sys.executable)

CART = """
def price(item):
    return item["price"] * item["qty"]


def discount(total):
    if total > 100:
        return total * 0.9
    return total


def total(items):
    subtotal = sum(price(i) for i in items)
    if len(items) > 2:
        subtotal = subtotal - 1  # the bug: a stray "bulk" rebate
    return discount(subtotal)


class Ledger:
    def balance(self, entries):
        if not entries:
            raise ValueError("no entries")
        return sum(entries)
"""

TESTS = """
import pytest

from shop.cart import Ledger, discount, price, total

ONE = {"price": 2, "qty": 1}

def test_price():
    assert price({"price": 3, "qty": 2}) == 6

def test_discount():
    assert discount(200) == 180

def test_total_one():
    assert total([ONE]) == 2

def test_total_two():
    assert total([ONE, ONE]) == 4

@pytest.mark.parametrize("n", [3, 4])
def test_total_many(n):
    assert total([ONE] * n) == 2 * n

def test_balance_empty():
    assert Ledger().balance([]) == 0

def test_balance():
    assert Ledger().balance([1, 2]) == 3
"""


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "proj"
    for name, text in {"src/shop/__init__.py": "", "src/shop/cart.py": CART,
                       "tests/test_cart.py": TESTS}.items():  # fmt: skip
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def test_the_faulty_line_and_function_rank_first(project: Path) -> None:
    found = asyncio.run(localize_faults(project, PYTHON, top=5))
    assert found.failing_tests == [
        "tests/test_cart.py::test_balance_empty",
        "tests/test_cart.py::test_total_many[3]",
        "tests/test_cart.py::test_total_many[4]",
    ]
    assert found.passing_tests == 5
    by_function = {s.function: s for s in found.suspects}
    # The raising function: in a failing traceback, so it gets the bonus.
    balance = by_function["Ledger.balance"]
    assert balance.in_traceback and balance.file == "src/shop/cart.py"
    # The rebate line is run by the two failing total tests and no passing test:
    # Ochiai = 2 / sqrt(3 * 2).
    rebate = by_function["total"]
    assert rebate.line == 14
    assert rebate.ochiai == pytest.approx(2 / math.sqrt(6), abs=1e-3)
    assert not rebate.in_traceback
    # Lines every test runs score lower than the ones only failing tests run.
    assert by_function["price"].ochiai < rebate.ochiai
    assert all(not s.file.startswith("tests/") for s in found.suspects)
    assert found.suspects[0].function == "Ledger.balance"


def test_only_the_failing_reproducer_and_its_neighbours(project: Path) -> None:
    ids = ["tests/test_cart.py::test_total_many", "tests/test_cart.py::test_total_two"]
    found = asyncio.run(localize_faults(project, PYTHON, ids, top=3))
    assert found.suspects[0].function == "total"
    assert found.suspects[0].line == 14
    assert found.suspects[0].ochiai == pytest.approx(1.0)


def test_ochiai_and_frames() -> None:
    assert ochiai(2, 0, 2) == 1.0
    assert ochiai(0, 5, 2) == 0.0
    assert ochiai(1, 1, 1) == pytest.approx(1 / math.sqrt(2))
    text = "src/a.py:12: in f\n    x()\nsrc/b/c.py:3: ValueError\n  not/a frame.py x"
    assert traceback_frames(text) == [("src/a.py", 12), ("src/b/c.py", 3)]
