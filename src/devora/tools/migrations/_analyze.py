"""Analyze: what is pending, and which of its statements are risky."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict
from sqlalchemy.engine import URL

from devora.tools import Finding, Level
from devora.tools.migrations._database import open_engine
from devora.tools.migrations._lint import TOOL, lint_statements, runs_outside_transaction
from devora.tools.migrations._source import Migration, MigrationSource, MigrationState

__all__ = ["Analysis", "analyze"]


class Analysis(BaseModel):
    """The pending migrations of a database and the findings of the risk lint."""

    model_config = ConfigDict(frozen=True)

    dialect: str
    state: MigrationState
    pending: tuple[Migration, ...]
    findings: tuple[Finding, ...]
    outside_transaction: tuple[str, ...]
    """`file:line` of statements that cannot run in a transaction (the dry-run uses a copy)."""


def _relative(file: str | None, root: Path | None) -> str | None:
    if file is None or root is None:
        return file
    path = Path(file).resolve()
    return str(path.relative_to(root)) if path.is_relative_to(root) else file


def analyze(source: MigrationSource, url: str | URL, *, root: str | Path | None = None) -> Analysis:
    """Read the database's migration state and lint the pending migrations; changes nothing.

    With `root` (the project root), findings name their files relative to it.
    """
    with open_engine(url) as engine, engine.connect() as connection:
        state = source.state(connection)
        pending = source.pending(connection)
        dialect = connection.dialect.name
        version = connection.dialect.server_version_info or ()
        connection.rollback()
    statements = [s for m in pending for s in m.statements]
    outside = tuple(
        f"{s.file}:{s.line}" for s in statements if runs_outside_transaction(s, dialect, version)
    )
    findings = lint_statements(statements, dialect)
    findings += [
        Finding(
            tool=TOOL,
            rule="not-linted",
            level=Level.WARNING,
            message=f"revision {m.version} was not linted: {m.render_problem}",
            file=m.file,
        )
        for m in pending
        if m.render_problem
    ]
    base = Path(root).resolve() if root is not None else None
    findings = [f.model_copy(update={"file": _relative(f.file, base)}) for f in findings]
    return Analysis(
        dialect=dialect,
        state=state,
        pending=tuple(pending),
        findings=tuple(findings),
        outside_transaction=outside,
    )
