"""The store: one database (SQLite in WAL mode, or PostgreSQL) that journals runs.

`Store` is one class made of its concepts, each in its module: the connection and its
transactions (`_connection`), the journal (`_journal`: events, attempts, run updates,
numbered), runs (`_runs`) and answers and artifacts (`_answers`).
"""

from __future__ import annotations

import os

from devora.store._answers import AnswerStore
from devora.store._journal import is_advisory
from devora.store._location import resolve_store_location
from devora.store._runs import RunStore

__all__ = ["Store", "is_advisory", "open_store"]


class Store(RunStore, AnswerStore):
    """Durable memory of runs; every write is one transaction (see `write`)."""


def open_store(url: str | None = None, home: str | os.PathLike[str] | None = None) -> Store:
    """Open (creating or upgrading) the store named by the arguments or the environment."""
    return Store(resolve_store_location(url, home))
