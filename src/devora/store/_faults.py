"""What went wrong under the store, told the user's way: one place turns database errors
into the most specific `StoreUnavailableError` / `StoreNotWritableError`.

A disk that is full is not a database that is down, and a file that is not a database is
not a locked one: each gets its own error and its own hint.
"""

from __future__ import annotations

import errno
import resource
import shutil
from pathlib import Path

from devora.errors import (
    DevoraError,
    StoreCorruptError,
    StoreDriverMissingError,
    StoreFullError,
    StoreLockedError,
    StoreNotWritableError,
    StoreUnavailableError,
    StoreURLError,
)
from devora.store._location import StoreLocation, mask_url

__all__ = ["database_fault", "engine_fault", "filesystem_fault"]

# SQLite's result codes (sqlite3 exceptions carry them as `sqlite_errorname`), and the
# first words of their messages for drivers that do not.
_FULL = ("SQLITE_FULL", "database or disk is full")
_READONLY = ("SQLITE_READONLY", "readonly database")
_LOCKED = ("SQLITE_BUSY", "SQLITE_LOCKED", "database is locked")
_CORRUPT = ("SQLITE_NOTADB", "SQLITE_CORRUPT", "file is not a database", "disk image is malformed")
_CANTOPEN = ("SQLITE_CANTOPEN", "unable to open database file")
# PostgreSQL's SQLSTATEs: 53100 disk_full, 25006 read_only_sql_transaction, 55P03 lock.
_PG_FULL = ("53100", "No space left on device")
_PG_READONLY = ("25006",)
_PG_LOCKED = ("55P03",)
_LOW_SPACE = 1 << 20  # a write that fails with less than this left failed for want of room


def engine_fault(location: StoreLocation, error: Exception) -> DevoraError | None:
    """The error for a URL SQLAlchemy cannot build an engine from (None: not such a fault)."""
    import sqlalchemy as sa  # only a pooled (non-SQLite) store gets here: it has SQLAlchemy

    url = mask_url(location.url)
    if isinstance(error, sa.exc.NoSuchModuleError):
        scheme = location.url.partition(":")[0]
        return StoreURLError(url, f"{scheme!r} is not a database SQLAlchemy knows")
    if isinstance(error, sa.exc.ArgumentError):
        return StoreURLError(url, "not a database URL")
    if isinstance(error, ImportError):
        return StoreDriverMissingError(url, error.name or str(error))
    return None


def database_fault(location: StoreLocation, error: BaseException) -> DevoraError | None:
    """The error for a database or driver failure that is the environment's fault.

    `error` is SQLAlchemy's wrapper or the driver's own exception. None means the error
    is not about the environment (an integrity conflict, a bug): let it through.
    """
    # SQLAlchemy's DBAPIError wraps the driver's exception in `orig`; the sqlite3 and
    # psycopg connections the store holds raise the driver's own.
    original = getattr(error, "orig", None) or error
    kind = type(original).__name__
    if kind not in ("OperationalError", "DatabaseError", "DiskFull", "ReadOnlySqlTransaction"):
        return None
    text = str(original).strip().splitlines()[0] if str(original).strip() else kind
    codes = " ".join(
        str(getattr(original, attribute, "") or "")
        for attribute in ("sqlite_errorname", "sqlstate", "pgcode")
    )
    url = mask_url(location.url)
    where = str(location.sqlite_path) if location.sqlite_path is not None else url

    def said(*words: str) -> bool:
        return any(word in codes or word in text for word in words)

    if said(*_FULL, *_PG_FULL) or (said("SQLITE_IOERR") and _no_room(location.sqlite_path)):
        return StoreFullError(where, text)
    if said(*_READONLY, *_PG_READONLY) or "readonly" in text.replace("-", ""):
        return StoreNotWritableError(where, text)
    if said(*_LOCKED, *_PG_LOCKED):
        return StoreLockedError(url, text)
    if said(*_CORRUPT):
        return StoreCorruptError(where, text)
    if location.sqlite_path is not None and said(*_CANTOPEN):
        return _unopenable(location.sqlite_path, text)
    return StoreUnavailableError(url, text)


def filesystem_fault(path: Path, error: OSError) -> DevoraError:
    """The error for a file-system failure while preparing or writing the store."""
    problem = error.strerror or str(error)
    if error.errno in (errno.ENOSPC, errno.EFBIG, errno.EDQUOT):
        return StoreFullError(str(path), problem)
    return StoreNotWritableError(str(path), problem)


def _no_room(path: Path | None) -> bool:
    """Whether a SQLite write failed for want of room: a full disk or a file-size limit.

    SQLite reports a write refused with EFBIG (RLIMIT_FSIZE) as a plain I/O error.
    """
    if path is None:
        return False
    try:
        if shutil.disk_usage(path.parent).free < _LOW_SPACE:
            return True
        limit = resource.getrlimit(resource.RLIMIT_FSIZE)[0]
        if limit == resource.RLIM_INFINITY:
            return False
        sizes = [p.stat().st_size for p in (path, path.with_name(path.name + "-wal")) if p.exists()]
    except OSError:
        return False
    return any(size + _LOW_SPACE >= limit for size in sizes)


def _unopenable(path: Path, text: str) -> DevoraError:
    if path.is_dir():
        return StoreCorruptError(str(path), "it is a directory, not a SQLite database file")
    return StoreUnavailableError(
        str(path),
        text,
        hint=f"check that {path.parent} exists and that this user may read and write "
        f"{path.name} there, or point DEVORA_HOME at another directory",
    )
