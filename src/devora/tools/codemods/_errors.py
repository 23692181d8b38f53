"""The errors of the codemods: what to change cannot be found, or cannot be changed safely.

UsageError
├── SymbolNotFoundError     the symbol to rename or replace is defined nowhere in the project
├── RenameConflictError     the new name is already taken where the symbol is defined
└── InvalidSymbolError      a name that is not a dotted Python name
"""

from __future__ import annotations

from devora.errors import UsageError

__all__ = ["InvalidSymbolError", "RenameConflictError", "SymbolNotFoundError"]


class SymbolNotFoundError(UsageError):
    """No module of the project defines the symbol."""

    code = "symbol_not_found"

    def __init__(self, symbol: str) -> None:
        self.symbol = symbol
        super().__init__(
            f"{symbol} is not defined in the project",
            hint="name it by its module and name as imported from the project root, "
            "e.g. package.module.Name",
        )


class RenameConflictError(UsageError):
    """The new name is already bound in the module that defines the symbol."""

    code = "rename_conflict"

    def __init__(self, symbol: str, new_name: str, module: str) -> None:
        self.symbol = symbol
        self.new_name = new_name
        super().__init__(
            f"cannot rename {symbol} to {new_name}: {module} already defines {new_name}",
            hint="choose a name that module does not use yet",
        )


class InvalidSymbolError(UsageError):
    """A name that is not a (dotted) Python identifier."""

    code = "invalid_symbol"

    def __init__(self, name: str, expected: str) -> None:
        self.name = name
        super().__init__(f"{name!r} is not {expected}", hint="e.g. package.module.Name, or NewName")
