"""A tiny inventory: items, stock levels and a settings module."""

from inventory.stock import Item, restock, total_value

__all__ = ["Item", "restock", "total_value"]
