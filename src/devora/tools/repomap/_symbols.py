"""The definitions a source file holds: Python through `ast`, JavaScript/TypeScript by regex.

The JavaScript/TypeScript reading is best effort: top-level `function`, `class`, exported
`const`/`let` arrow functions and class methods found by regular expressions, not a parser,
so definitions inside template strings or unusual formatting may be missed or misread.
"""

from __future__ import annotations

import ast
import re
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

__all__ = [
    "JS_SUFFIXES",
    "PYTHON_SUFFIXES",
    "Symbol",
    "SymbolKind",
    "javascript_symbols",
    "python_symbols",
]

PYTHON_SUFFIXES = (".py", ".pyi")
JS_SUFFIXES = (".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx")


class SymbolKind(StrEnum):
    """What a definition is."""

    CLASS = "class"
    FUNCTION = "function"
    METHOD = "method"


class Symbol(BaseModel):
    """One definition: its name, where it is (1-based line), and its signature as written."""

    model_config = ConfigDict(frozen=True)

    name: str
    kind: SymbolKind
    file: str
    line: int
    signature: str
    parent: str | None = None  # the class a method belongs to


def python_symbols(file: str, source: str) -> list[Symbol]:
    """Classes, functions and methods of a Python module; [] when it does not parse."""
    try:
        tree = ast.parse(source, filename=file)
    except (SyntaxError, ValueError, RecursionError):
        return []
    found: list[Symbol] = []
    for node in _definitions(tree.body):
        if isinstance(node, ast.ClassDef):
            found.append(_python_class(file, node))
            for item in _definitions(node.body):
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    found.append(_python_function(file, item, parent=node.name))
        else:
            found.append(_python_function(file, node))
    return found


_Definition = ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef


def _definitions(body: list[ast.stmt]) -> list[_Definition]:
    """Definitions of a module or class body, those under `if`/`try`/`with` too (as
    `if PY3: def b(s): ...`), not those nested in functions."""
    found: list[_Definition] = []
    for node in body:
        if isinstance(node, _Definition):
            found.append(node)
        elif isinstance(node, ast.If):
            found += _definitions(node.body) + _definitions(node.orelse)
        elif isinstance(node, ast.Try):
            for block in (node.body, node.orelse, node.finalbody):
                found += _definitions(block)
            for handler in node.handlers:
                found += _definitions(handler.body)
        elif isinstance(node, ast.With):
            found += _definitions(node.body)
    return found


def _python_class(file: str, node: ast.ClassDef) -> Symbol:
    bases = ", ".join(ast.unparse(base) for base in node.bases)
    signature = f"class {node.name}({bases})" if bases else f"class {node.name}"
    return Symbol(
        name=node.name, kind=SymbolKind.CLASS, file=file, line=node.lineno, signature=signature
    )


def _python_function(
    file: str, node: ast.FunctionDef | ast.AsyncFunctionDef, parent: str | None = None
) -> Symbol:
    prefix = "async def" if isinstance(node, ast.AsyncFunctionDef) else "def"
    returns = f" -> {ast.unparse(node.returns)}" if node.returns is not None else ""
    signature = f"{prefix} {node.name}({ast.unparse(node.args)}){returns}"
    return Symbol(
        name=node.name,
        kind=SymbolKind.METHOD if parent else SymbolKind.FUNCTION,
        file=file,
        line=node.lineno,
        signature=signature,
        parent=parent,
    )


_JS_FUNCTION = re.compile(
    r"^(?:export\s+)?(?:default\s+)?(?:async\s+)?function\s*\*?\s*([A-Za-z_$][\w$]*)\s*"
    r"(<[^>{}]*>)?\s*(\([^)]*\))",
    re.MULTILINE,
)
_JS_ARROW = re.compile(
    r"^(?:export\s+)?(?:const|let|var)\s+([A-Za-z_$][\w$]*)\s*(?::[^=]+)?=\s*(?:async\s+)?"
    r"(\([^)]*\)|[A-Za-z_$][\w$]*)\s*(?::\s*[^=]+)?=>",
    re.MULTILINE,
)
_JS_CLASS = re.compile(
    r"^(?:export\s+)?(?:default\s+)?(?:abstract\s+)?class\s+([A-Za-z_$][\w$]*)([^{]*)\{",
    re.MULTILINE,
)
_JS_METHOD = re.compile(
    r"^[ \t]+(?:public\s+|private\s+|protected\s+|static\s+|async\s+|readonly\s+)*"
    r"([A-Za-z_$][\w$]*)\s*(\([^)]*\))\s*(?::\s*[^{;]+)?\{",
    re.MULTILINE,
)
_NOT_METHODS = frozenset({"if", "for", "while", "switch", "catch", "function", "return"})


def javascript_symbols(file: str, source: str) -> list[Symbol]:
    """Best-effort definitions of a JavaScript or TypeScript file (see the module docstring)."""
    found: list[Symbol] = []
    for match in _JS_FUNCTION.finditer(source):
        signature = f"function {match.group(1)}{match.group(2) or ''}{_squash(match.group(3))}"
        found.append(_js(file, source, match, match.group(1), SymbolKind.FUNCTION, signature))
    for match in _JS_ARROW.finditer(source):
        params = _squash(match.group(2))
        signature = f"const {match.group(1)} = {params} =>"
        found.append(_js(file, source, match, match.group(1), SymbolKind.FUNCTION, signature))
    classes = list(_JS_CLASS.finditer(source))
    for index, match in enumerate(classes):
        heritage = _squash(match.group(2)).strip()
        signature = f"class {match.group(1)}" + (f" {heritage}" if heritage else "")
        found.append(_js(file, source, match, match.group(1), SymbolKind.CLASS, signature))
        end = classes[index + 1].start() if index + 1 < len(classes) else len(source)
        for method in _JS_METHOD.finditer(source, match.end(), end):
            name = method.group(1)
            if name in _NOT_METHODS:
                continue
            found.append(
                _js(file, source, method, name, SymbolKind.METHOD,
                    f"{name}{_squash(method.group(2))}", parent=match.group(1))
            )  # fmt: skip
    return sorted(found, key=lambda symbol: symbol.line)


def _js(
    file: str,
    source: str,
    match: re.Match[str],
    name: str,
    kind: SymbolKind,
    signature: str,
    parent: str | None = None,
) -> Symbol:
    line = source.count("\n", 0, match.start(1)) + 1
    return Symbol(name=name, kind=kind, file=file, line=line, signature=signature, parent=parent)


def _squash(text: str) -> str:
    return " ".join(text.split())
