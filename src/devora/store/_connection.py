"""The store's connection: opening (creating or upgrading the schema), transactions, closing."""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self, TypeVar

from devora.errors import StoreUnavailableError
from devora.private_files import create_private_file, make_private_dir
from devora.store._database import Database, PooledDatabase, SqliteDatabase, Statements
from devora.store._faults import database_fault, engine_fault, filesystem_fault
from devora.store._location import StoreLocation, mask_url
from devora.store._upgrade import schema_is_current, upgrade_pooled, upgrade_sqlite

__all__ = ["StoreConnection"]

T = TypeVar("T")


class StoreConnection:
    """One open database (SQLite in WAL mode, or PostgreSQL); every write one transaction."""

    def __init__(self, location: StoreLocation) -> None:
        self.location = location
        self.url = location.url
        self.is_sqlite = location.sqlite_path is not None
        self._lock = threading.RLock()
        self._database: Database | None = None
        self._open()

    def _open(self) -> None:
        path = self.location.sqlite_path
        try:
            if path is not None:
                self._prepare_sqlite_directory(path)
                database: Database = SqliteDatabase(path)
                self._database = database
                if not schema_is_current(database):
                    upgrade_sqlite(path)
            else:
                database = self._connect_pooled()
                self._database = database
                upgrade_pooled(database)
        except Exception as exc:
            self.close()
            fault = database_fault(self.location, exc)
            if fault is None:
                raise
            raise fault from exc

    def _connect_pooled(self) -> PooledDatabase:
        try:
            return PooledDatabase(self.url)
        except Exception as exc:
            fault = engine_fault(self.location, exc)
            if fault is None:
                raise
            raise fault from exc

    def _prepare_sqlite_directory(self, path: Path) -> None:
        try:
            if path.parent == self.location.home or self.location.home in path.parents:
                make_private_dir(self.location.home)
            make_private_dir(path.parent)
        except OSError as exc:
            raise filesystem_fault(path.parent, exc) from exc
        probe = path.parent / f".devora-write-probe-{os.getpid()}"
        try:
            probe.write_bytes(b"")
            probe.unlink()
            create_private_file(path)  # SQLite gives -wal and -shm the database's mode
        except OSError as exc:
            raise filesystem_fault(path.parent, exc) from exc
        _keep_out_of_git(self.location.home)
        if path.parent != self.location.home:
            _keep_out_of_git(path.parent)

    def close(self) -> None:
        """Close the connection; safe to call twice."""
        with self._lock:
            database, self._database = self._database, None
            if database is not None:
                database.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    async def call(self, function: Callable[..., T], *args: Any) -> T:
        """Call a store method from async code without blocking its event loop.

        SQLite answers in microseconds: called inline. A network database may take
        milliseconds: called from a worker thread, so running steps keep their loop.
        """
        if self.is_sqlite:
            return function(*args)
        return await asyncio.to_thread(function, *args)

    @contextmanager
    def transaction(self, *, read_only: bool = False) -> Iterator[Statements]:
        """One transaction, committed on exit: for the store's own modules (leases, ticks)."""
        with self._lock:
            database = self._database
            if database is None:
                raise StoreUnavailableError(mask_url(self.url), "the store is closed")
            try:
                with database.transaction(read_only=read_only) as cursor:
                    yield Statements(database, cursor)
            except Exception as exc:
                fault = database_fault(self.location, exc)
                if fault is None:
                    raise
                raise fault from exc


def _keep_out_of_git(directory: Path) -> None:
    """Make git ignore Devora's own files, so a run never makes a repository dirty."""
    # `.devora/` usually sits in the project a workflow works on; a release refuses a
    # dirty tree, and a quality gate's tree fingerprint must not change with each run.
    ignore = directory / ".gitignore"
    if directory.is_dir() and not ignore.exists():
        with contextlib.suppress(OSError):
            ignore.write_text("# Devora's store and artifacts: never committed\n*\n")
