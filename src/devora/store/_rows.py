"""How values become row values: JSON text (redacted) and INSERT statements."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from devora.secrets import redact_value

__all__ = ["dumps", "insert_sql", "loads"]


def dumps(value: Any) -> str:
    """`value` as compact JSON text, with every secret redacted."""
    # The one boundary where text is stored: no secret gets past it.
    return json.dumps(redact_value(value), separators=(",", ":"), default=str)


def loads(text: str | None) -> Any:
    """The value of stored JSON text (None stays None)."""
    return None if text is None else json.loads(text)


def insert_sql(table: str, columns: Sequence[str], marker: str | None = None) -> str:
    """INSERT of these columns: positional `marker`s, or `:column` parameters."""
    values = [marker or f":{column}" for column in columns]
    # Table and column names are the store's constants; values go as parameters.
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join(values)})"  # nosec B608
