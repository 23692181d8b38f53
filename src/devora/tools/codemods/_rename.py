"""Rename a symbol project-wide: its definition, every reference (names and attributes that
resolve to it), the imports of it (re-exports followed), and its `__all__` strings.

Files the rename does not change are not written, so they stay byte-identical; running it
again changes nothing.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from libcst.metadata import FullyQualifiedNameProvider

from devora.tools.codemods._errors import RenameConflictError, SymbolNotFoundError
from devora.tools.codemods._modules import (
    ParsedModule,
    check_identifier,
    imported_module,
    qualified_names,
    read_modules,
)
from devora.tools.codemods._result import CodemodResult

__all__ = ["exported_names", "rename_symbol"]


def rename_symbol(root: Path, symbol: str, new_name: str, files: list[str]) -> CodemodResult:
    """Rename `symbol` (package.module.Name) to `new_name` in the Python `files` of root."""
    check_identifier(symbol, dotted=True)
    check_identifier(new_name, dotted=False)
    module_name, _, short = symbol.rpartition(".")
    # Modules with a star import may re-export the symbol without naming it.
    modules = list(read_modules(root, files, short, new_name, "import *"))
    done = _already_renamed(modules, symbol, module_name, new_name)
    names = exported_names(modules, symbol)
    changed: list[str] = []
    edits = 0
    for module in [] if done else modules:
        renamer = _Renamer(module, names, short, new_name)
        tree = module.wrapper.visit(renamer)
        if renamer.edits and tree.bytes != module.source:
            (root / module.file).write_bytes(tree.bytes)
            changed.append(module.file)
            edits += renamer.edits
    return CodemodResult(
        codemod="rename",
        description=f"rename {symbol} to {new_name}",
        changed_files=tuple(sorted(changed)),
        edits=edits,
    )


def _already_renamed(
    modules: list[ParsedModule], symbol: str, module_name: str, new_name: str
) -> bool:
    """True when the rename was made before (the module binds the new name, not the old);
    an error when the symbol is not there or the new name is taken."""
    defining = [m for m in modules if m.name == module_name]
    if not defining:
        raise SymbolNotFoundError(symbol)
    found = defining[0].wrapper.resolve(FullyQualifiedNameProvider)
    bound = {name for names in found.values() for name in (q.name for q in names)}
    renamed = f"{module_name}.{new_name}"
    if symbol == renamed or (symbol not in bound and renamed in bound):
        return True
    if symbol not in bound:
        raise SymbolNotFoundError(symbol)
    if renamed in bound:
        raise RenameConflictError(symbol, new_name, module_name)
    return False


def exported_names(modules: list[ParsedModule], symbol: str) -> set[str]:
    """The symbol's name and every `module.Name` that re-exports it (`from X import Name`,
    `from X import *`), followed until nothing new is found."""
    short = symbol.rpartition(".")[2]
    names = {symbol}
    imports = [(m, node) for m in modules for node in _imports_from(m)]
    grown = True
    while grown:
        grown = False
        for module, node in imports:
            source = imported_module(module, node)
            if source is None or f"{source}.{short}" not in names:
                continue
            if isinstance(node.names, cst.ImportStar) or any(
                alias.asname is None and _alias_name(alias) == short for alias in node.names
            ):
                exported = f"{module.name}.{short}"
                if exported not in names:
                    names.add(exported)
                    grown = True
    return names


def _imports_from(module: ParsedModule) -> list[cst.ImportFrom]:
    found: list[cst.ImportFrom] = []

    class _Collect(cst.CSTVisitor):
        def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
            found.append(node)

    module.wrapper.module.visit(_Collect())
    return found


def _alias_name(alias: cst.ImportAlias) -> str | None:
    return alias.name.value if isinstance(alias.name, cst.Name) else None


class _Renamer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider,)

    def __init__(self, module: ParsedModule, names: set[str], short: str, new: str) -> None:
        super().__init__()
        self.module = module
        self.names = names
        self.short = short
        self.new = new
        self.edits = 0
        self.exports = f"{module.name}.{short}" in names
        self.in_all = 0

    def _refers(self, node: cst.CSTNode) -> bool:
        qualified = self.get_metadata(FullyQualifiedNameProvider, node, set())
        return bool(qualified_names(qualified) & self.names)

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        if updated_node.value == self.short and self._refers(original_node):
            self.edits += 1
            return updated_node.with_changes(value=self.new)
        return updated_node

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        if updated_node.attr.value == self.short and self._refers(original_node):
            self.edits += 1
            return updated_node.with_changes(attr=cst.Name(self.new))
        return updated_node

    def leave_ImportFrom(
        self, original_node: cst.ImportFrom, updated_node: cst.ImportFrom
    ) -> cst.ImportFrom:
        source = imported_module(self.module, original_node)
        if isinstance(updated_node.names, cst.ImportStar) or f"{source}.{self.short}" not in (
            self.names
        ):
            return updated_node
        aliases = []
        for alias in updated_node.names:
            if _alias_name(alias) == self.short:
                self.edits += 1
                alias = alias.with_changes(name=cst.Name(self.new))
            aliases.append(alias)
        return updated_node.with_changes(names=aliases)

    def visit_Assign(self, node: cst.Assign) -> None:
        self.in_all += any(_is_all(target.target) for target in node.targets)

    def leave_Assign(self, original_node: cst.Assign, updated_node: cst.Assign) -> cst.Assign:
        self.in_all -= any(_is_all(target.target) for target in original_node.targets)
        return updated_node

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self.in_all += _is_all(node.target)

    def leave_AugAssign(
        self, original_node: cst.AugAssign, updated_node: cst.AugAssign
    ) -> cst.AugAssign:
        self.in_all -= _is_all(original_node.target)
        return updated_node

    def leave_SimpleString(
        self, original_node: cst.SimpleString, updated_node: cst.SimpleString
    ) -> cst.SimpleString:
        if self.in_all and self.exports and updated_node.evaluated_value == self.short:
            self.edits += 1
            quote = updated_node.quote
            return updated_node.with_changes(value=f"{updated_node.prefix}{quote}{self.new}{quote}")
        return updated_node


def _is_all(target: cst.BaseExpression) -> bool:
    return isinstance(target, cst.Name) and target.value == "__all__"
