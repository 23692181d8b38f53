"""Which function holds a line of a Python file (its qualified name and first line)."""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

__all__ = ["FunctionSpan", "function_spans"]


@dataclass(frozen=True)
class FunctionSpan:
    """A function or method of a file: its qualified name and the lines it spans."""

    name: str
    first: int
    last: int


def function_spans(path: Path) -> list[FunctionSpan]:
    """Every function of the file, innermost last (an unreadable file has none)."""
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    except (OSError, SyntaxError, UnicodeDecodeError, ValueError):
        return []
    spans: list[FunctionSpan] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                name = f"{prefix}{child.name}"
                first = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                spans.append(FunctionSpan(name, first, child.end_lineno or child.lineno))
                visit(child, f"{name}.<locals>.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return spans
