"""Replace calls of deprecated functions with their successors, from a mapping
{"package.module.old": "package.module.new"} (the project's config says which).

A call through a module attribute (`mod.old(...)`) keeps its form when the successor lives
in the same module; otherwise the call uses the successor's name and the import it needs is
added (and an import of the old name that is no longer used is removed). Files without such
a call are not written; running it again changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import libcst as cst
from libcst.codemod import CodemodContext
from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor
from libcst.metadata import FullyQualifiedNameProvider

from devora.tools.codemods._modules import (
    ParsedModule,
    check_identifier,
    qualified_names,
    read_modules,
)
from devora.tools.codemods._rename import exported_names
from devora.tools.codemods._result import CodemodResult

__all__ = ["replace_deprecated_calls"]


def replace_deprecated_calls(
    root: Path, successors: Mapping[str, str], files: list[str]
) -> CodemodResult:
    """Rewrite every call of a deprecated function (a key of `successors`) in `files`."""
    for old, new in successors.items():
        check_identifier(old, dotted=True)
        check_identifier(new, dotted=True)
    shorts = {old.rpartition(".")[2] for old in successors}
    modules = list(read_modules(root, files, *shorts, "import *"))
    # Every name a deprecated function is reachable under (re-exports followed).
    aliases = {
        alias: (old, new)
        for old, new in successors.items()
        for alias in exported_names(modules, old)
    }
    changed: list[str] = []
    edits = 0
    for module in modules:
        replacer = _Replacer(module, aliases)
        tree = module.wrapper.visit(replacer)
        if not replacer.edits:
            continue
        tree = AddImportsVisitor(replacer.context).transform_module(tree)
        tree = RemoveImportsVisitor(replacer.context).transform_module(tree)
        if tree.bytes != module.source:
            (root / module.file).write_bytes(tree.bytes)
            changed.append(module.file)
            edits += replacer.edits
    described = ", ".join(f"{old} -> {new}" for old, new in sorted(successors.items()))
    return CodemodResult(
        codemod="replace-deprecated",
        description=f"replace deprecated calls: {described}",
        changed_files=tuple(sorted(changed)),
        edits=edits,
    )


class _Replacer(cst.CSTTransformer):
    METADATA_DEPENDENCIES = (FullyQualifiedNameProvider,)

    def __init__(self, module: ParsedModule, aliases: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self.module = module
        self.aliases = aliases
        self.context = CodemodContext(
            full_module_name=module.name, full_package_name=module.package
        )
        self.edits = 0

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.Call:
        func = original_node.func
        qualified = self.get_metadata(FullyQualifiedNameProvider, func, set())
        found = [self.aliases[n] for n in qualified_names(qualified) if n in self.aliases]
        if not found:
            return updated_node
        old, new = found[0]
        old_module = old.rpartition(".")[0]
        new_module, _, new_short = new.rpartition(".")
        self.edits += 1
        if isinstance(updated_node.func, cst.Attribute) and old_module == new_module:
            return updated_node.with_changes(
                func=updated_node.func.with_changes(attr=cst.Name(new_short))
            )
        if new_module != self.module.name:
            AddImportsVisitor.add_needed_import(self.context, new_module, new_short)
        if isinstance(original_node.func, cst.Name):
            RemoveImportsVisitor.remove_unused_import(
                self.context, old_module, original_node.func.value
            )
        return updated_node.with_changes(func=cst.Name(new_short))
