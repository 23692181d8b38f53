"""Limits on the shape of a run's raw inputs, checked before they are validated.

Shared by every interface that starts runs (the CLI, the API), so a value refused by one
is refused by the other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from devora.errors import UsageError

__all__ = ["MAX_INPUT_DEPTH", "MAX_INPUT_ITEMS", "check_input_shape"]

MAX_INPUT_DEPTH = 32  # lists and mappings inside one input value, at most
MAX_INPUT_ITEMS = 100_000  # values in all the inputs together (YAML aliases count each time)


def check_input_shape(inputs: Mapping[str, Any]) -> None:
    """Refuse inputs nested deeper than MAX_INPUT_DEPTH or larger than MAX_INPUT_ITEMS.

    Deeper values would overflow Python's stack wherever they are walked (validation,
    JSON for the journal); a self-referencing YAML anchor is infinitely deep.
    """
    pending: list[tuple[str, Any, int]] = [(name, value, 1) for name, value in inputs.items()]
    seen = 0
    while pending:
        name, value, depth = pending.pop()
        seen += 1
        if seen > MAX_INPUT_ITEMS:
            raise UsageError(
                f"the inputs hold more than {MAX_INPUT_ITEMS} values",
                hint="pass a path to a file the workflow reads instead of the data itself",
            )
        if depth > MAX_INPUT_DEPTH:
            raise UsageError(
                f"input {name!r} is nested more than {MAX_INPUT_DEPTH} levels deep",
                hint="give a flatter value (a YAML anchor must not contain itself)",
            )
        if isinstance(value, Mapping):
            pending.extend((name, item, depth + 1) for item in value.values())
        elif isinstance(value, list | tuple):
            pending.extend((name, item, depth + 1) for item in value)
