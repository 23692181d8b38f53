"""A Python file's module-level code, without function bodies, as one digest.

A change inside a function body can only affect the tests that executed that function
(their coverage says which); a change anywhere else (an import, a constant, a signature,
a decorator, a class attribute) may change what every importer sees.
"""

from __future__ import annotations

import ast
import functools
import hashlib
from pathlib import Path

__all__ = ["function_body_lines", "functions_of", "module_skeleton", "parsed", "skeletons_of"]

_PASS: list[ast.stmt] = [ast.Pass()]


@functools.lru_cache(maxsize=16)
def parsed(source: bytes) -> ast.Module | None:
    """The AST of a source, or None when it does not parse. Shared by every reader (one
    parse of a changed file per run, not one per question): never change it."""
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError):
        return None


def functions_of(tree: ast.Module) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    """Every function of a module, nested ones included, in a fixed order (depth first).

    Only statements are visited: a function is a statement, so it is never inside an
    expression (the expressions are most of the tree, and ast.walk went through them all).
    """
    found: list[ast.FunctionDef | ast.AsyncFunctionDef] = []
    pending: list[ast.AST] = [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found.append(node)
        for field in _BLOCKS:
            block = getattr(node, field, None)
            if isinstance(block, list):
                pending.extend(reversed(block))
    return found


# The fields that hold statements (or handlers and match cases, which hold statements).
_BLOCKS = ("body", "orelse", "finalbody", "handlers", "cases")


@functools.lru_cache(maxsize=16)
def module_skeleton(source: bytes) -> str | None:
    """The digest of the module-level code of a Python source, or None when it does not parse."""
    tree = parsed(source)
    if tree is None:
        return None
    functions = functions_of(tree)
    bodies = [node.body for node in functions]
    try:
        for node in functions:  # the shared tree, bodies left out for the dump only
            node.body = _PASS
        skeleton = ast.dump(tree, include_attributes=False)
    finally:
        for node, body in zip(functions, bodies, strict=True):
            node.body = body
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
    tree = parsed(source)
    if tree is None:
        return set()
    lines: set[int] = set()
    for node in functions_of(tree):
        if node.body:
            last = node.end_lineno or node.body[-1].lineno
            lines.update(range(node.body[0].lineno, last + 1))
    return lines
