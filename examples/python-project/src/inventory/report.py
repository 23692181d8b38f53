"""A printable stock report."""

from __future__ import annotations

from inventory.stock import Item


def report_lines(items: list[Item]) -> list[str]:
    """One line per item."""
    return [ f"{item.name:<20}{item.quantity:>5}" for item in items ]
