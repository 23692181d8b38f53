"""Per-test coverage from coverage.py's SQLite data file: which files each test executed.

Read with sqlite3 directly (coverage's schema 7: `file`, `context`, `line_bits`, `arc`),
so the data of any coverage version in the project's environment is read without it.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection
from contextlib import closing
from pathlib import Path

__all__ = [
    "context_name",
    "executed_files",
    "forget_coverage",
    "forget_files",
    "lines_outside_tests",
]

_TABLES = ("line_bits", "arc")  # line data, or arc data when coverage measures branches
_SELECT = {
    "line_bits": "SELECT DISTINCT context.context, file.path FROM line_bits"
    " JOIN context ON context.id = context_id JOIN file ON file.id = file_id",
    "arc": "SELECT DISTINCT context.context, file.path FROM arc"
    " JOIN context ON context.id = context_id JOIN file ON file.id = file_id",
}
_OUTSIDE = {
    "line_bits": "SELECT file.path, numbits FROM line_bits JOIN context ON context.id = "
    "context_id JOIN file ON file.id = file_id WHERE context.context = ?",
    "arc": "SELECT file.path, fromno, tono FROM arc JOIN context ON context.id = context_id "
    "JOIN file ON file.id = file_id WHERE context.context = ?",
}
_DELETE = {
    "line_bits": (
        "DELETE FROM line_bits WHERE file_id = ?",
        "DELETE FROM line_bits WHERE context_id = ?",
    ),
    "arc": ("DELETE FROM arc WHERE file_id = ?", "DELETE FROM arc WHERE context_id = ?"),
}


def executed_files(
    data_file: Path, root: Path, static_context: str | None = None
) -> tuple[dict[str, set[str]], set[str]]:
    """Test context -> project files it executed, and every project file measured at all.

    Contexts are named by the tests' node ids (devora_impact plugin); "" holds what ran
    outside any test (imports during collection). Files outside root are left out.
    """
    executed: dict[str, set[str]] = {}
    measured: set[str] = set()
    prefix = f"{static_context}|" if static_context else ""
    with closing(sqlite3.connect(f"file:{data_file}?mode=ro", uri=True)) as db:
        for table in _existing_tables(db):
            for context, path in db.execute(_SELECT[table]):
                name = _relative(path, root)
                if name is None:
                    continue
                measured.add(name)
                test = context[len(prefix) :] if context.startswith(prefix) else context
                if test and test != static_context:
                    executed.setdefault(test, set()).add(name)
    return executed, measured


def lines_outside_tests(
    data_file: Path, root: Path, static_context: str | None = None
) -> dict[str, set[int]]:
    """Project file -> the lines that ran outside any test (imports, collection)."""
    context = static_context or ""
    lines: dict[str, set[int]] = {}
    with closing(sqlite3.connect(f"file:{data_file}?mode=ro", uri=True)) as db:
        tables = _existing_tables(db)
        if "line_bits" in tables:
            for path, numbits in db.execute(_OUTSIDE["line_bits"], (context,)):
                name = _relative(path, root)
                if name is not None:
                    lines.setdefault(name, set()).update(_numbers(numbits))
        if "arc" in tables:
            for path, start, end in db.execute(_OUTSIDE["arc"], (context,)):
                name = _relative(path, root)
                if name is not None:
                    lines.setdefault(name, set()).update(n for n in (start, end) if n > 0)
    return lines


def _numbers(numbits: bytes) -> list[int]:
    # coverage's numbits: bit j of byte i set means line i * 8 + j ran.
    return [i * 8 + j for i, byte in enumerate(numbits) for j in range(8) if byte & (1 << j)]


def context_name(test: str, static_context: str | None) -> str:
    """The coverage context a test ran in (coverage prefixes its static context, if any)."""
    return f"{static_context}|{test}" if static_context else test


def forget_coverage(
    data_file: Path, root: Path, contexts: Collection[str], files: Collection[str]
) -> None:
    """Delete from a data file what ran in the given contexts and in the given project files."""
    with closing(sqlite3.connect(data_file)) as db:
        file_ids = [
            file_id
            for file_id, path in db.execute("SELECT id, path FROM file")
            if _relative(path, root) in files
        ]
        context_ids = [
            context_id
            for context_id, context in db.execute("SELECT id, context FROM context")
            if context in contexts
        ]
        for table in _existing_tables(db):
            by_file, by_context = _DELETE[table]
            db.executemany(by_file, [(i,) for i in file_ids])
            db.executemany(by_context, [(i,) for i in context_ids])
        db.commit()


def forget_files(data_file: Path, paths: Collection[str]) -> None:
    """Delete files (absolute paths, as coverage records them) from a data file altogether:
    the impact plugin's own lines must not count in the project's coverage."""
    with closing(sqlite3.connect(data_file)) as db:
        ids = [(i,) for i, path in db.execute("SELECT id, path FROM file") if path in paths]
        if not ids:
            return
        for table in _existing_tables(db):
            db.executemany(_DELETE[table][0], ids)
        if "tracer" in _table_names(db):
            db.executemany("DELETE FROM tracer WHERE file_id = ?", ids)
        db.executemany("DELETE FROM file WHERE id = ?", ids)
        db.commit()


def _table_names(db: sqlite3.Connection) -> set[str]:
    return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def _existing_tables(db: sqlite3.Connection) -> list[str]:
    names = _table_names(db)
    return [table for table in _TABLES if table in names]


def _relative(path: str, root: Path) -> str | None:
    base = str(root) + os.sep
    if not path.startswith(base):
        return None
    return path[len(base) :].replace(os.sep, "/")
