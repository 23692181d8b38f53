"""A Python file's module-level code, without function bodies, as one digest.

A change inside a function body can only affect the tests that executed that file (its
coverage says which); a change anywhere else (an import, a constant, a signature, a
decorator, a class attribute) may change what every importer sees.
"""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

__all__ = ["function_body_lines", "module_skeleton", "skeletons_of"]


class _WithoutBodies(ast.NodeTransformer):
    def visit_FunctionDef(self, node: ast.FunctionDef) -> ast.AST:
        node.body = [ast.Pass()]
        return self.generic_visit(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> ast.AST:
        node.body = [ast.Pass()]
        return self.generic_visit(node)


def module_skeleton(source: bytes) -> str | None:
    """The digest of the module-level code of a Python source, or None when it does not parse."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return None
    skeleton = ast.dump(_WithoutBodies().visit(tree), include_attributes=False)
    return hashlib.sha256(skeleton.encode()).hexdigest()


def skeletons_of(root: Path, names: list[str]) -> dict[str, str]:
    """The skeleton digest of each Python file named (relative to root) that parses."""
    found: dict[str, str] = {}
    for name in names:
        if not name.endswith(".py"):
            continue
        try:
            digest = module_skeleton((root / name).read_bytes())
        except OSError:
            continue
        if digest is not None:
            found[name] = digest
    return found


def function_body_lines(source: bytes) -> set[int]:
    """The lines inside the bodies of a source's functions (empty when it does not parse)."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return set()
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            last = node.end_lineno or node.body[-1].lineno
            lines.update(range(node.body[0].lineno, last + 1))
    return lines
