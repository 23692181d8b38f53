"""Where the store lives: `DEVORA_DATABASE_URL`, or SQLite under `DEVORA_HOME` (`.devora`)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from devora.secrets import mask_url

__all__ = ["StoreLocation", "mask_url", "resolve_store_location"]


@dataclass(frozen=True, slots=True)
class StoreLocation:
    """A SQLAlchemy URL for the database and the directory that holds artifacts."""

    url: str
    home: Path
    sqlite_path: Path | None

    @property
    def artifacts_dir(self) -> Path:
        """Where run artifacts are written, one folder per run."""
        return self.home / "artifacts"


def resolve_store_location(
    url: str | None = None,
    home: str | os.PathLike[str] | None = None,
    env: os._Environ[str] | dict[str, str] | None = None,
) -> StoreLocation:
    """Resolve the store from explicit arguments, then the environment, then defaults."""
    environ = os.environ if env is None else env
    home_path = Path(home or environ.get("DEVORA_HOME") or ".devora").absolute()
    raw_url = url or environ.get("DEVORA_DATABASE_URL") or ""
    if not raw_url:
        db = home_path / "devora.db"
        return StoreLocation(url=f"sqlite:///{db}", home=home_path, sqlite_path=db)
    normalized = _normalize_url(raw_url)
    sqlite_path = None
    if normalized.startswith("sqlite:///"):
        sqlite_path = Path(normalized.removeprefix("sqlite:///")).absolute()
    return StoreLocation(url=normalized, home=home_path, sqlite_path=sqlite_path)


def _normalize_url(url: str) -> str:
    """Accept the URLs people write (postgres://, postgresql://) and pick the psycopg driver."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url
