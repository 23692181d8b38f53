"""A lint of risky operations in migration SQL: drops, renames, blocking indexes, NOT NULLs."""

from __future__ import annotations

import re
from collections.abc import Iterable

from devora.tools import Finding, Level
from devora.tools.migrations._sqltext import SqlStatement

__all__ = ["TOOL", "advances_sequences", "lint_statements", "runs_outside_transaction"]

TOOL = "devora-migrations"

_IDENT = r'(?:"[^"]+"|[\w$]+)(?:\s*\.\s*(?:"[^"]+"|[\w$]+))?'
_FLAGS = re.IGNORECASE | re.DOTALL
_CREATE_TABLE = re.compile(
    r"^CREATE\s+(?:(?:GLOBAL|LOCAL)\s+)?(?:(?:TEMP|TEMPORARY|UNLOGGED)\s+)?TABLE\s+"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?(?P<table>{_IDENT})",
    _FLAGS,
)
_DROP_TABLE = re.compile(rf"^DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?P<table>{_IDENT})", _FLAGS)
_ALTER_TABLE = re.compile(
    rf"^ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?(?:ONLY\s+)?(?P<table>{_IDENT})\s+(?P<rest>.*)$", _FLAGS
)
_CREATE_INDEX = re.compile(
    r"^CREATE\s+(?:UNIQUE\s+)?INDEX\s+(?P<concurrently>CONCURRENTLY\s+)?"
    rf"(?:IF\s+NOT\s+EXISTS\s+)?(?:{_IDENT}\s+)?ON\s+(?:ONLY\s+)?(?P<table>{_IDENT})",
    _FLAGS,
)
_DROP_COLUMN = re.compile(
    rf"^DROP\s+(?!CONSTRAINT\b)(?:COLUMN\s+)?(?:IF\s+EXISTS\s+)?(?P<column>{_IDENT})", _FLAGS
)
_ADD_COLUMN = re.compile(
    r"^ADD\s+(?!CONSTRAINT\b|PRIMARY\b|UNIQUE\b|FOREIGN\b|CHECK\b|EXCLUDE\b)"
    rf"(?:COLUMN\s+)?(?:IF\s+NOT\s+EXISTS\s+)?(?P<column>{_IDENT})",
    _FLAGS,
)
_RENAME_TABLE = re.compile(rf"^RENAME\s+TO\s+(?P<new>{_IDENT})", _FLAGS)
_RENAME_COLUMN = re.compile(
    rf"^RENAME\s+(?!CONSTRAINT\b)(?:COLUMN\s+)?(?P<old>{_IDENT})\s+TO\s+(?P<new>{_IDENT})", _FLAGS
)
_NOT_NULL = re.compile(r"\bNOT\s+NULL\b", _FLAGS)
_DEFAULT = re.compile(r"\bDEFAULT\b|\bGENERATED\b", _FLAGS)
_NO_TRANSACTION = re.compile(
    r"^(?:VACUUM\b|CREATE\s+(?:UNIQUE\s+)?INDEX\s+CONCURRENTLY\b|DROP\s+INDEX\s+CONCURRENTLY\b"
    r"|REINDEX\b.*\bCONCURRENTLY\b|CREATE\s+DATABASE\b|DROP\s+DATABASE\b|ALTER\s+SYSTEM\b"
    r"|CREATE\s+TABLESPACE\b|DROP\s+TABLESPACE\b|DETACH\s+PARTITION\b.*\bCONCURRENTLY\b)",
    _FLAGS,
)
_INSERT = re.compile(rf"^(?:WITH\b.*?\)\s*)?INSERT\s+INTO\s+(?P<table>{_IDENT})", _FLAGS)
_SEQUENCE_CALL = re.compile(r"\b(?:nextval|setval)\s*\(|^ALTER\s+SEQUENCE\b", _FLAGS)
_ADD_ENUM_VALUE = re.compile(r"^ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE\b", _FLAGS)


def _name(identifier: str) -> str:
    """The bare table name: last dotted part, unquoted names folded to lower case."""
    last = re.split(r'\s*\.\s*(?=(?:"[^"]+"|[\w$]+)$)', identifier.strip())[-1]
    return last[1:-1] if last.startswith('"') else last.lower()


def _split_actions(rest: str) -> list[str]:
    """Split an ALTER TABLE's action list on top-level commas."""
    actions: list[str] = []
    current: list[str] = []
    depth = 0
    for ch in rest:
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        if ch == "," and depth == 0:
            actions.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    actions.append("".join(current).strip())
    return [a for a in actions if a]


def runs_outside_transaction(
    statement: SqlStatement, dialect: str, server_version: tuple[int | str, ...] = ()
) -> bool:
    """True when the statement cannot run inside a transaction block on this database."""
    if statement.outside_transaction:
        return True
    text = statement.masked.strip()
    if dialect == "sqlite":
        return re.match(r"^VACUUM\b", text, _FLAGS) is not None
    if _NO_TRANSACTION.match(text):
        return True
    major = server_version[0] if server_version else None
    return isinstance(major, int) and major < 12 and _ADD_ENUM_VALUE.match(text) is not None


def advances_sequences(statements: Iterable[SqlStatement], dialect: str) -> bool:
    """True when, on PostgreSQL, a statement may move a sequence of an existing table.

    nextval() is not undone by a rollback, so such a dry-run must run on a copy. Inserts
    into tables created in the same batch do not count: their sequences vanish with them.
    """
    if dialect != "postgresql":
        return False
    created: set[str] = set()
    for statement in statements:
        text = statement.masked.strip()
        if match := _CREATE_TABLE.match(text):
            created.add(_name(match["table"]))
            continue
        insert = _INSERT.match(text)
        if (insert and _name(insert["table"]) not in created) or _SEQUENCE_CALL.search(text):
            return True
    return False


def _finding(statement: SqlStatement, rule: str, level: Level, message: str) -> Finding:
    return Finding(
        tool=TOOL,
        rule=rule,
        level=level,
        message=message,
        file=statement.file,
        line=statement.line,
        end_line=statement.end_line,
    )


def lint_statements(statements: Iterable[SqlStatement], dialect: str) -> list[Finding]:
    """Findings for risky operations, in statement order.

    Tables created earlier in the same batch are new: adding a NOT NULL column to them or
    indexing them without CONCURRENTLY is harmless and not reported.
    """
    findings: list[Finding] = []
    created: set[str] = set()
    for statement in statements:
        text = statement.masked.strip()
        if match := _CREATE_TABLE.match(text):
            created.add(_name(match["table"]))
        elif match := _DROP_TABLE.match(text):
            table = _name(match["table"])
            findings.append(
                _finding(
                    statement,
                    "drop-table",
                    Level.WARNING,
                    f"DROP TABLE {table} deletes the table and all its rows; "
                    "make sure nothing reads it and the data is backed up",
                )
            )
        elif (match := _CREATE_INDEX.match(text)) and dialect == "postgresql":
            table = _name(match["table"])
            if not match["concurrently"] and table not in created:
                findings.append(
                    _finding(
                        statement,
                        "index-not-concurrent",
                        Level.WARNING,
                        f"CREATE INDEX on existing table {table} without CONCURRENTLY "
                        "blocks writes to it while the index builds",
                    )
                )
        elif match := _ALTER_TABLE.match(text):
            table = _name(match["table"])
            for action in _split_actions(match["rest"]):
                findings.extend(_lint_action(statement, table, action, table in created))
    return findings


def _lint_action(
    statement: SqlStatement, table: str, action: str, new_table: bool
) -> list[Finding]:
    if match := _RENAME_TABLE.match(action):
        return [
            _finding(
                statement,
                "rename-table",
                Level.WARNING,
                f"renaming table {table} to {_name(match['new'])} breaks code that still "
                "uses the old name",
            )
        ]
    if match := _RENAME_COLUMN.match(action):
        return [
            _finding(
                statement,
                "rename-column",
                Level.WARNING,
                f"renaming column {table}.{_name(match['old'])} to {_name(match['new'])} "
                "breaks code that still uses the old name",
            )
        ]
    if match := _DROP_COLUMN.match(action):
        return [
            _finding(
                statement,
                "drop-column",
                Level.WARNING,
                f"dropping column {table}.{_name(match['column'])} deletes its data; "
                "stop reading it in code first",
            )
        ]
    match = _ADD_COLUMN.match(action)
    if match and not new_table and _NOT_NULL.search(action) and not _DEFAULT.search(action):
        return [
            _finding(
                statement,
                "add-not-null-without-default",
                Level.ERROR,
                f"adding NOT NULL column {table}.{_name(match['column'])} without a DEFAULT "
                "fails on a table that has rows; add a default, or add it nullable, "
                "backfill, then set NOT NULL",
            )
        ]
    return []
