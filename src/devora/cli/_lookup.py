"""Finding a run from what a user types: its id or an unambiguous prefix of it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from devora.errors import RunNotFoundError, UsageError

if TYPE_CHECKING:
    from devora.store import RunRecord, Store

__all__ = ["find_run"]


def find_run(store: Store, run_id: str) -> RunRecord:
    """The run with this id, or the only run whose id starts with it."""
    try:
        return store.get_run(run_id)
    except RunNotFoundError:
        matches = store.run_ids(run_id) if len(run_id) >= 4 else []
        if len(matches) == 1:
            return store.get_run(matches[0])
        if len(matches) > 1:
            raise UsageError(
                f"run id {run_id!r} is ambiguous: {', '.join(matches)}",
                hint="type more of the id",
            ) from None
        raise
