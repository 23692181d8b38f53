"""Cyclomatic complexity and maintainability per function: radon for Python, lizard for the
other languages it reads (TypeScript, JavaScript, Go, Java, C/C++, …)."""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

from devora.errors import ToolNotInstalledError
from devora.tools.metrics._models import FunctionMetrics

__all__ = ["LIZARD_SUFFIXES", "REFACTOR_INSTALL", "measure_file", "measured_suffix"]

REFACTOR_INSTALL = "pip install 'devora[refactor]' (radon, lizard, libcst, pylint)"
LIZARD_SUFFIXES = frozenset(
    {".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".go", ".java", ".c", ".h", ".cc", ".cpp",
     ".hpp", ".cs", ".rb", ".php", ".swift", ".kt", ".rs", ".scala", ".lua"}
)  # fmt: skip


def measured_suffix(path: str) -> bool:
    """True for files the analysis measures (Python, or a language lizard reads)."""
    suffix = Path(path).suffix.lower()
    return suffix == ".py" or suffix in LIZARD_SUFFIXES


def measure_file(root: Path, name: str) -> list[FunctionMetrics]:
    """The functions of one file (relative to root); SyntaxError when radon cannot parse it."""
    text = (root / name).read_text(encoding="utf-8", errors="replace")
    if name.endswith(".py"):
        return list(_radon_functions(name, text))
    return _lizard_functions(root, name, text)


def _radon_functions(name: str, text: str) -> Iterator[FunctionMetrics]:
    try:
        from radon.complexity import cc_visit  # type: ignore[import-untyped]
        from radon.metrics import mi_visit  # type: ignore[import-untyped]
        from radon.raw import analyze  # type: ignore[import-untyped]
    except ImportError as error:
        raise ToolNotInstalledError("radon", REFACTOR_INSTALL) from error
    lines = text.splitlines()
    # cc_visit lists functions, classes and methods (as `radon cc` does); classes are not
    # functions: their figure is their methods'.
    for block in cc_visit(text):
        if not hasattr(block, "is_method"):
            continue
        source = textwrap.dedent("\n".join(lines[block.lineno - 1 : block.endline])) + "\n"
        try:
            maintainability: float | None = round(float(mi_visit(source, True)), 2)
            sloc = int(analyze(source).sloc)
        except SyntaxError:  # a body radon can only read within its file (rare)
            maintainability, sloc = None, block.endline - block.lineno + 1
        yield FunctionMetrics(
            file=name,
            name=str(block.fullname),
            line=block.lineno,
            end_line=block.endline,
            complexity=int(block.complexity),
            maintainability=maintainability,
            lines=sloc,
            tool="radon",
        )


def _lizard_functions(root: Path, name: str, text: str) -> list[FunctionMetrics]:
    try:
        import lizard  # type: ignore[import-untyped]
    except ImportError as error:
        raise ToolNotInstalledError("lizard", REFACTOR_INSTALL) from error
    info = lizard.analyze_file.analyze_source_code(str(root / name), text)
    return [
        FunctionMetrics(
            file=name,
            name=str(function.name),
            line=int(function.start_line),
            end_line=int(function.end_line),
            complexity=int(function.cyclomatic_complexity),
            maintainability=None,
            lines=int(function.nloc),
            tool="lizard",
        )
        for function in info.function_list
    ]
