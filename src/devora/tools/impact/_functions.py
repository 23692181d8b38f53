"""Which functions a change to a Python file touched, and where its unchanged lines went.

The old and new sources are compared line by line (difflib); each changed line is mapped
to the innermost function whose body holds it, in the old file's AST (lines replaced or
deleted) and the new file's (lines replaced or inserted; its functions are the old ones,
in the same order, when the module-level code is unchanged). A changed line outside every
function body that is neither blank nor a comment means code outside the functions
changed: the change cannot be confined to functions (None).
"""

from __future__ import annotations

import ast
import difflib
import re
from dataclasses import dataclass

from devora.tools.impact._skeleton import functions_of, parsed

__all__ = ["FunctionChange", "function_change"]

_LINE_END = re.compile(r"\r\n|\r|\n")  # Python's line ends (str.splitlines knows more)


@dataclass(frozen=True)
class FunctionChange:
    """A change confined to function bodies: the old bodies' lines, and the line map."""

    bodies: tuple[tuple[int, int], ...]  # (first, last) old lines of each changed body
    moved: dict[int, int]  # every unchanged old line -> its line now

    def touches(self, lines: set[int]) -> bool:
        """Whether any of these old lines is in a changed function's body."""
        return any(first <= line <= last for line in lines for first, last in self.bodies)


def function_change(old: bytes, new: bytes) -> FunctionChange | None:
    """The functions a change touched, or None when it is not confined to function bodies
    (or a side does not parse, or the two sides' functions do not correspond)."""
    old_tree, new_tree = parsed(old), parsed(new)
    if old_tree is None or new_tree is None:
        return None
    try:
        old_text = _LINE_END.split(old.decode("utf-8"))
        new_text = _LINE_END.split(new.decode("utf-8"))
    except UnicodeDecodeError:  # parsed with a coding declaration: lines not comparable here
        return None
    old_bodies, new_bodies = _bodies(old_tree), _bodies(new_tree)
    if [name for name, _, _ in old_bodies] != [name for name, _, _ in new_bodies]:
        return None
    changed: set[int] = set()
    moved: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(None, old_text, new_text, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            moved.update((i1 + k + 1, j1 + k + 1) for k in range(i2 - i1))
            continue
        # Old lines replaced or deleted, new lines replaced or inserted: a new function's
        # index is its old counterpart's.
        for text, bodies, start, end in (
            (old_text, old_bodies, i1, i2),
            (new_text, new_bodies, j1, j2),
        ):
            for line in range(start + 1, end + 1):
                inner = _innermost(bodies, line)
                if inner is not None:
                    changed.add(inner)
                elif not _inert(text[line - 1]):
                    return None
    touched = tuple((old_bodies[i][1], old_bodies[i][2]) for i in sorted(changed))
    return FunctionChange(bodies=touched, moved=moved)


def _bodies(tree: ast.Module) -> list[tuple[str, int, int]]:
    # Every function's name and body lines, in functions_of's order (the same on both sides).
    found: list[tuple[str, int, int]] = []
    for node in functions_of(tree):
        if node.body:
            last = node.end_lineno or node.body[-1].lineno
            found.append((node.name, node.body[0].lineno, last))
    return found


def _innermost(bodies: list[tuple[str, int, int]], line: int) -> int | None:
    holding = [i for i, (_, first, last) in enumerate(bodies) if first <= line <= last]
    return min(holding, key=lambda i: bodies[i][2] - bodies[i][1]) if holding else None


def _inert(line: str) -> bool:
    stripped = line.strip()
    return not stripped or stripped.startswith("#")
