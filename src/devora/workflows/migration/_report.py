"""Markdown for the migration's artifacts: findings, schemas before and after, rollback."""

from __future__ import annotations

from collections.abc import Sequence

from devora.tools import Finding
from devora.tools.migrations import SchemaDiff, SchemaSnapshot

__all__ = ["render_findings", "render_schema", "render_schema_change"]


def render_findings(findings: Sequence[Finding]) -> str:
    """One list item per lint finding, with its migration file and line."""
    if not findings:
        return "No risky operation found.\n"
    lines = []
    for finding in findings:
        where = f"{finding.file}:{finding.line}" if finding.line else str(finding.file)
        lines.append(f"- **{finding.level.value}** `{finding.rule}` {where}: {finding.message}")
    return "\n".join(lines) + "\n"


def render_schema(snapshot: SchemaSnapshot) -> str:
    """Tables with their columns, indexes and constraints."""
    if not snapshot.tables:
        return "(no tables)\n"
    lines: list[str] = []
    for name, table in sorted(snapshot.tables.items()):
        lines.append(f"- table `{name}`")
        lines += [f"  - column {column.describe()}" for column in table.columns]
        lines += [f"  - {index.describe()}" for index in table.indexes]
        lines += [f"  - {constraint.describe()}" for constraint in table.constraints]
    return "\n".join(lines) + "\n"


def render_schema_change(before: SchemaSnapshot, after: SchemaSnapshot, diff: SchemaDiff) -> str:
    """The dry-run report: the changes, then the schema before and after."""
    changes = "\n".join(f"- `{line}`" for line in diff.describe()) or "No schema change."
    return (
        "# Schema change\n\n"
        f"{changes}\n\n"
        "## Before\n\n"
        f"{render_schema(before)}\n"
        "## After\n\n"
        f"{render_schema(after)}"
    )
