"""The project's Python modules as libcst sees them: each file's module name (from its import
root: the first folder up without an __init__.py), parsed with fully qualified names."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

import libcst as cst
from libcst.helpers import (
    ModuleNameAndPackage,
    calculate_module_and_package,
    get_absolute_module_from_package_for_import,
)
from libcst.metadata import FullyQualifiedNameProvider, MetadataWrapper, QualifiedName

from devora.tools.codemods._errors import InvalidSymbolError

__all__ = [
    "ParsedModule",
    "check_identifier",
    "imported_module",
    "parse_module",
    "qualified_names",
    "read_modules",
]


@dataclass
class ParsedModule:
    """One file: its path (relative to the root), module name and package, and its tree."""

    file: str
    name: str
    package: str
    source: bytes
    wrapper: MetadataWrapper


def check_identifier(name: str, *, dotted: bool) -> str:
    """The name, when it is a Python identifier (dotted, with a module, when asked)."""
    parts = name.split(".")
    if not all(part.isidentifier() for part in parts) or (dotted and len(parts) < 2):
        raise InvalidSymbolError(name, "a dotted name module.Name" if dotted else "an identifier")
    return name


def _naming(root: Path, file: str) -> ModuleNameAndPackage:
    folder = (root / file).parent
    while (folder / "__init__.py").is_file() and folder != root:
        folder = folder.parent
    path = str(root / file)
    if path.endswith(".pyi"):  # a stub is the module of the same name
        path = path[:-1]
    return calculate_module_and_package(str(folder), path)


def parse_module(root: Path, file: str) -> ParsedModule | None:
    """The file parsed (None when it is not valid Python libcst can read)."""
    source = (root / file).read_bytes()
    try:
        tree = cst.parse_module(source)
    except cst.ParserSyntaxError:
        return None
    naming = _naming(root, file)
    wrapper = MetadataWrapper(tree, cache={FullyQualifiedNameProvider: naming})
    return ParsedModule(file, naming.name, naming.package, source, wrapper)


def read_modules(root: Path, files: list[str], *mentioning: str) -> Iterator[ParsedModule]:
    """The parsed modules among files whose text mentions one of `mentioning` (the others
    cannot be concerned)."""
    needles = [word.encode() for word in mentioning]
    for file in files:
        text = (root / file).read_bytes()
        if any(needle in text for needle in needles):
            parsed = parse_module(root, file)
            if parsed is not None:
                yield parsed


def imported_module(module: ParsedModule, node: cst.ImportFrom) -> str | None:
    """The absolute name of the module a `from X import ...` imports from."""
    return get_absolute_module_from_package_for_import(module.package or None, node)


def qualified_names(names: Collection[QualifiedName]) -> set[str]:
    """The dotted names of libcst's qualified names."""
    return {qualified.name for qualified in names}
