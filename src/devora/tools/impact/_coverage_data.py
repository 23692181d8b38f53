"""Per-test coverage from coverage.py's SQLite data file: which files each test executed.

Read with sqlite3 directly (coverage's schema 7: `file`, `context`, `line_bits`, `arc`),
so the data of any coverage version in the project's environment is read without it.
The functions that change a data file are for scratch copies (the baseline's data reduced
before a test run, a run's data before its report): they write without a journal on disk
and without waiting for the disk (SQLite's fsyncs cost 0.05-0.15 s per change on the test
step's way to pytest), so a crash in the middle leaves a damaged copy, thrown away.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Collection, Mapping
from contextlib import closing
from pathlib import Path

__all__ = [
    "context_name",
    "executed_files",
    "forget_coverage",
    "forget_files",
    "lines_by_context",
    "lines_outside_tests",
    "move_lines",
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
_LINES = {
    "line_bits": "SELECT context.context, numbits FROM line_bits"
    " JOIN context ON context.id = context_id WHERE file_id = ?",
    "arc": "SELECT context.context, fromno, tono FROM arc"
    " JOIN context ON context.id = context_id WHERE file_id = ?",
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
    with closing(_scratch(data_file)) as db:
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
    with closing(_scratch(data_file)) as db:
        ids = [(i,) for i, path in db.execute("SELECT id, path FROM file") if path in paths]
        if not ids:
            return
        for table in _existing_tables(db):
            db.executemany(_DELETE[table][0], ids)
        if "tracer" in _table_names(db):
            db.executemany("DELETE FROM tracer WHERE file_id = ?", ids)
        db.executemany("DELETE FROM file WHERE id = ?", ids)
        db.commit()


def _scratch(data_file: Path) -> sqlite3.Connection:
    """A connection that changes a scratch data file without a journal on disk or fsyncs."""
    db = sqlite3.connect(data_file)
    db.execute("PRAGMA journal_mode = MEMORY")
    db.execute("PRAGMA synchronous = OFF")
    return db


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


def lines_by_context(
    data_file: Path, root: Path, name: str, static_context: str | None = None
) -> dict[str, set[int]]:
    """Test -> the lines of one project file it executed ("" for outside any test)."""
    prefix = f"{static_context}|" if static_context else ""
    found: dict[str, set[int]] = {}
    with closing(sqlite3.connect(f"file:{data_file}?mode=ro", uri=True)) as db:
        ids = _file_ids(db, root, {name})
        tables = _existing_tables(db)
        for file_id in ids:
            rows: list[tuple[str, set[int]]] = []
            if "line_bits" in tables:
                rows += [
                    (context, set(_numbers(numbits)))
                    for context, numbits in db.execute(_LINES["line_bits"], (file_id,))
                ]
            if "arc" in tables:
                rows += [
                    (context, {abs(start), abs(end)} - {0})
                    for context, start, end in db.execute(_LINES["arc"], (file_id,))
                ]
            for context, lines in rows:
                test = context[len(prefix) :] if context.startswith(prefix) else context
                found.setdefault("" if test == static_context else test, set()).update(lines)
    return found


def move_lines(
    data_file: Path, root: Path, moved: Mapping[str, Mapping[int, int]], outside: str
) -> None:
    """Renumber the lines recorded in changed files as they are now (`moved`: old line ->
    new line); a line that is not there any more, and what ran outside tests (context
    `outside`, recorded again by the next run), are deleted."""
    with closing(_scratch(data_file)) as db:
        contexts = dict(db.execute("SELECT context, id FROM context"))
        tables = _existing_tables(db)
        for name, lines in moved.items():
            for file_id in _file_ids(db, root, {name}):
                if outside in contexts:
                    for table in tables:
                        db.execute(
                            f"DELETE FROM {table} WHERE file_id = ? AND context_id = ?",
                            (file_id, contexts[outside]),
                        )
                if "line_bits" in tables:
                    _move_line_bits(db, file_id, lines)
                if "arc" in tables:
                    _move_arcs(db, file_id, lines)
        db.commit()


def _move_line_bits(db: sqlite3.Connection, file_id: int, lines: Mapping[int, int]) -> None:
    rows = list(
        db.execute("SELECT context_id, numbits FROM line_bits WHERE file_id = ?", (file_id,))
    )
    db.execute("DELETE FROM line_bits WHERE file_id = ?", (file_id,))
    for context_id, numbits in rows:
        kept = [lines[n] for n in _numbers(numbits) if n in lines]
        if kept:
            db.execute(
                "INSERT INTO line_bits (file_id, context_id, numbits) VALUES (?, ?, ?)",
                (file_id, context_id, _numbits(kept)),
            )


def _move_arcs(db: sqlite3.Connection, file_id: int, lines: Mapping[int, int]) -> None:
    rows = list(
        db.execute("SELECT context_id, fromno, tono FROM arc WHERE file_id = ?", (file_id,))
    )
    db.execute("DELETE FROM arc WHERE file_id = ?", (file_id,))
    kept = set()
    for context_id, start, end in rows:
        new = [_moved(n, lines) for n in (start, end)]
        if new[0] is not None and new[1] is not None:
            kept.add((file_id, context_id, new[0], new[1]))
    db.executemany(
        "INSERT INTO arc (file_id, context_id, fromno, tono) VALUES (?, ?, ?, ?)", sorted(kept)
    )


def _moved(number: int, lines: Mapping[int, int]) -> int | None:
    # Negative numbers are a code object's entry or exit, named by its first line.
    if number in lines:
        return lines[number]
    if number < 0 and -number in lines:
        return -lines[-number]
    return None


def _numbits(numbers: list[int]) -> bytes:
    encoded = bytearray(max(numbers) // 8 + 1)
    for number in numbers:
        encoded[number // 8] |= 1 << (number % 8)
    return bytes(encoded)


def _file_ids(db: sqlite3.Connection, root: Path, names: Collection[str]) -> list[int]:
    return [
        i for i, path in db.execute("SELECT id, path FROM file") if _relative(path, root) in names
    ]
