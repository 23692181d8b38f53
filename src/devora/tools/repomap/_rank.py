"""Ranking definitions by how often the rest of the project refers to them.

A definition's score is the number of times its name appears as an identifier in the
project's sources (its own definition not counted), shared among the definitions with that
name. Definitions whose name the request mentions come before all others (Aider's repo map
weighs the identifiers a chat mentions up too). Dunder names (`__init__`) score nothing:
every class has them.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence

from devora.tools.repomap._symbols import Symbol

__all__ = ["RankedSymbol", "count_identifiers", "rank_symbols"]

_IDENTIFIER = re.compile(r"[A-Za-z_$][\w$]*")


class RankedSymbol:
    """A definition with its score and its count of references."""

    __slots__ = ("mentioned", "references", "score", "symbol")

    def __init__(self, symbol: Symbol, references: int, score: float, mentioned: bool) -> None:
        self.symbol = symbol
        self.references = references
        self.score = score
        self.mentioned = mentioned


def count_identifiers(sources: Mapping[str, str]) -> Counter[str]:
    """How often each identifier occurs across all the sources."""
    counts: Counter[str] = Counter()
    for text in sources.values():
        counts.update(_IDENTIFIER.findall(text))
    return counts


def rank_symbols(
    symbols: Sequence[Symbol], identifiers: Counter[str], mentions: Iterable[str] = ()
) -> list[RankedSymbol]:
    """The definitions, best first: mentioned ones, then by score, then file and line."""
    defined = Counter(symbol.name for symbol in symbols)
    mentioned = {word.lower() for word in mentions}
    ranked = []
    for symbol in symbols:
        name = symbol.name
        references = max(identifiers.get(name, 0) - defined[name], 0)
        dunder = name.startswith("__") and name.endswith("__")
        score = 0.0 if dunder else references / defined[name]
        ranked.append(RankedSymbol(symbol, references, score, name.lower() in mentioned))
    ranked.sort(key=lambda r: (not r.mentioned, -r.score, r.symbol.file, r.symbol.line))
    return ranked
