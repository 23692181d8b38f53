"""A map of a repository: its definitions with their signatures, the most referenced first,
trimmed to a token budget (as Aider's repo map gives a model the shape of a codebase)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from devora.tools.repomap._files import source_files
from devora.tools.repomap._rank import RankedSymbol, count_identifiers, rank_symbols
from devora.tools.repomap._symbols import (
    PYTHON_SUFFIXES,
    Symbol,
    javascript_symbols,
    python_symbols,
)

__all__ = ["DEFAULT_TOKEN_BUDGET", "RepoMap", "build_repo_map", "estimate_tokens", "words_of"]

DEFAULT_TOKEN_BUDGET = 1024
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]{2,}")


def estimate_tokens(text: str) -> int:
    """Tokens a model will count for `text`, estimated as one per four characters."""
    return math.ceil(len(text) / 4)


def words_of(text: str) -> set[str]:
    """The identifier-like words of a text (a request), for `mentions`."""
    return set(_WORD.findall(text))


class RepoMap(BaseModel):
    """The map's text, and what it read and left out."""

    model_config = ConfigDict(frozen=True)

    root: str
    text: str
    files_read: int = Field(description="source files read")
    symbols_found: int = Field(description="definitions found in them")
    symbols_shown: int = Field(description="definitions that fit in the budget")
    tokens: int = Field(description="estimated tokens of the text (characters / 4)")
    budget: int
    unparsed: list[str] = Field(default_factory=list, description="Python files with errors")
    ranked: list[Symbol] = Field(default_factory=list, description="the definitions shown")


def build_repo_map(
    root: Path, *, budget: int = DEFAULT_TOKEN_BUDGET, mentions: Iterable[str] = ()
) -> RepoMap:
    """Read `root`'s sources and render the best-ranked definitions that fit in `budget`."""
    root = root.resolve()
    sources: dict[str, str] = {}
    symbols: list[Symbol] = []
    unparsed: list[str] = []
    for name in source_files(root):
        try:
            text = (root / name).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        sources[name] = text
        if name.endswith(PYTHON_SUFFIXES):
            found = python_symbols(name, text)
            if not found and text.strip() and _broken(text):
                unparsed.append(name)
        else:
            found = javascript_symbols(name, text)
        symbols.extend(found)
    ranked = rank_symbols(symbols, count_identifiers(sources), mentions)
    shown = _fit(ranked, budget)
    text = _render(shown)
    return RepoMap(
        root=str(root),
        text=text,
        files_read=len(sources),
        symbols_found=len(symbols),
        symbols_shown=len(shown),
        tokens=estimate_tokens(text),
        budget=budget,
        unparsed=unparsed,
        ranked=[r.symbol for r in shown],
    )


def _broken(text: str) -> bool:
    import ast

    try:
        ast.parse(text)
    except (SyntaxError, ValueError, RecursionError):
        return True
    return False


def _line(ranked: RankedSymbol) -> str:
    symbol = ranked.symbol
    indent = "    " if symbol.parent else "  "
    return f"{indent}{symbol.line}: {symbol.signature}\n"


def _fit(ranked: list[RankedSymbol], budget: int) -> list[RankedSymbol]:
    """The best-ranked definitions whose rendering stays within the budget (greedy)."""
    shown: list[RankedSymbol] = []
    files: set[str] = set()
    characters = 0
    for candidate in ranked:
        cost = len(_line(candidate))
        if candidate.symbol.file not in files:
            cost += len(candidate.symbol.file) + 3  # its header line and the blank line
        if estimate_tokens("x" * (characters + cost)) > budget:
            break
        shown.append(candidate)
        files.add(candidate.symbol.file)
        characters += cost
    return shown


def _render(shown: list[RankedSymbol]) -> str:
    """Files in the order of their best definition; definitions in source order in each."""
    order: dict[str, list[RankedSymbol]] = {}
    for ranked in shown:
        order.setdefault(ranked.symbol.file, []).append(ranked)
    parts = []
    for file, members in order.items():
        members.sort(key=lambda r: r.symbol.line)
        parts.append(f"{file}:\n" + "".join(_line(r) for r in members))
    return "\n".join(parts)
