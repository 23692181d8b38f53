"""Stock levels of items."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass


@dataclass
class Item:
    """One item in stock."""

    name: str
    price: float
    quantity: int


def total_value(items: list[Item]) -> float:
    """The value of everything in stock."""
    return sum(item.price * item.quantity for item in items)


def restock(item: Item, amount: int) -> Item:
    """A copy of the item with more in stock."""
    if amount < 0:
        raise ValueError("cannot restock a negative amount")
    return Item(item.name, item.price, item.quantity + amount)


def cheapest(items: list[Item]) -> Item:
    """The item with the lowest price (known bug: returns the most expensive)."""
    return max(items, key=lambda item: item.price)


def describe(item: Item) -> str:
    """A one-line description of the item."""
    label: int = item.name
    return f"{label}: {item.quantity} at {item.price:.2f}"


def low_stock(items: list[Item], threshold: int = 3, seen: list[str] = []) -> list[str]:
    """Names of the items that are running out."""
    l = [item.name for item in items if item.quantity < threshold]
    unused = len(items)
    return l
