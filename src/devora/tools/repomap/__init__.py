"""A map of a repository for a model: definitions and signatures, most referenced first.

    found = build_repo_map(root, budget=1024, mentions=words_of(request))
    print(found.text)   # "six.py:\n  873: def add_metaclass(metaclass)\n..."

Python is read with `ast` (classes, functions, methods, their signatures as written);
JavaScript and TypeScript by regular expressions, best effort. Definitions are ranked by how
often the project refers to their names, and the map is trimmed to a token budget
(estimated as characters / 4), as Aider's repo map does.
"""

from devora.tools.repomap._files import MAX_FILE_BYTES, SKIPPED_FOLDERS, source_files
from devora.tools.repomap._map import (
    DEFAULT_TOKEN_BUDGET,
    RepoMap,
    build_repo_map,
    estimate_tokens,
    words_of,
)
from devora.tools.repomap._rank import RankedSymbol, count_identifiers, rank_symbols
from devora.tools.repomap._symbols import Symbol, SymbolKind, javascript_symbols, python_symbols

__all__ = [
    "DEFAULT_TOKEN_BUDGET",
    "MAX_FILE_BYTES",
    "SKIPPED_FOLDERS",
    "RankedSymbol",
    "RepoMap",
    "Symbol",
    "SymbolKind",
    "build_repo_map",
    "count_identifiers",
    "estimate_tokens",
    "javascript_symbols",
    "python_symbols",
    "rank_symbols",
    "source_files",
    "words_of",
]
