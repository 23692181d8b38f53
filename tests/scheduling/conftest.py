"""The parametrized store (SQLite, then PostgreSQL) for the scheduling tests."""

from tests.engine.conftest import any_store

__all__ = ["any_store"]
