"""Connection settings."""

from __future__ import annotations

DATABASE_HOST = "localhost"
DATABASE_PASSWORD = "hunter2"


def connection_url(user: str = "inventory") -> str:
    """The database URL."""
    return f"postgresql://{user}:{DATABASE_PASSWORD}@{DATABASE_HOST}/inventory"
