"""Deterministic refactorings on libcst: rename a symbol project-wide, and replace calls of
deprecated functions with their successors. Both are idempotent and write only the files
they change.

    rename_symbol(root, "package.module.Old", "New", files)
    replace_deprecated_calls(root, {"package.module.old": "package.module.new"}, files)
"""

from devora.tools.codemods._deprecated import replace_deprecated_calls
from devora.tools.codemods._errors import (
    InvalidSymbolError,
    RenameConflictError,
    SymbolNotFoundError,
)
from devora.tools.codemods._modules import ParsedModule, parse_module
from devora.tools.codemods._rename import exported_names, rename_symbol
from devora.tools.codemods._result import CodemodResult

__all__ = [
    "CodemodResult",
    "InvalidSymbolError",
    "ParsedModule",
    "RenameConflictError",
    "SymbolNotFoundError",
    "exported_names",
    "parse_module",
    "rename_symbol",
    "replace_deprecated_calls",
]
