"""The repository map on a real project nobody here wrote (six 1.16.0 from PyPI), and on
small JavaScript/TypeScript and broken Python files."""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from devora.tools.repomap import (
    SymbolKind,
    build_repo_map,
    estimate_tokens,
    javascript_symbols,
    python_symbols,
    words_of,
)


def test_six_signatures_and_lines_are_the_sources(sdist: Path) -> None:
    found = build_repo_map(sdist, budget=100_000)
    assert found.files_read >= 3  # six.py, test_six.py, setup.py, documentation/conf.py
    assert found.symbols_shown == found.symbols_found
    lines = (sdist / "six.py").read_text().splitlines()
    metaclass = next(s for s in found.ranked if s.name == "add_metaclass")
    assert metaclass.signature == "def add_metaclass(metaclass)"
    assert lines[metaclass.line - 1].startswith("def add_metaclass(metaclass):")
    # Definitions under `if PY3:` are read too (six defines b() and u() per version).
    assert sum(1 for s in found.ranked if s.name == "b" and s.file == "six.py") == 2
    method = next(s for s in found.ranked if s.name == "_resolve")
    assert method.kind is SymbolKind.METHOD and method.parent in {"MovedModule", "MovedAttribute"}
    assert "six.py:\n" in found.text and "  880: def add_metaclass(metaclass)\n" in found.text


def test_the_map_stays_within_its_budget_and_keeps_the_most_referenced(sdist: Path) -> None:
    sizes = []
    for budget in (60, 300, 1500):
        found = build_repo_map(sdist, budget=budget)
        assert 0 < found.tokens <= budget
        assert found.tokens == estimate_tokens(found.text)
        sizes.append(found.symbols_shown)
    assert sizes == sorted(sizes) and sizes[0] < sizes[-1]
    small = build_repo_map(sdist, budget=300)
    shown = {s.name for s in small.ranked}
    # six's most used helpers are referenced all over test_six.py; a private one-off is not.
    assert {"b", "u", "with_metaclass"} <= shown
    assert "test_callable" not in shown


def test_names_the_request_mentions_come_first(sdist: Path) -> None:
    plain = build_repo_map(sdist, budget=60)
    assert "ensure_text" not in {s.name for s in plain.ranked}
    asked = build_repo_map(sdist, budget=60, mentions=words_of("make ensure_text faster"))
    assert asked.ranked[0].name == "ensure_text"


def test_javascript_and_typescript_best_effort(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "web" / "cart.ts").write_text(
        "export interface Item { id: number }\n"
        "export function total(items: Item[], tax = 0): number {\n  return 0;\n}\n"
        "export const addItem = async (cart: Cart, item: Item) => {\n  return cart;\n};\n"
        "export class Cart extends Base {\n"
        "  private items: Item[] = [];\n"
        "  add(item: Item): void {\n    if (item) { this.items.push(item); }\n  }\n"
        "  async checkout(user: string) {\n    return total(this.items);\n  }\n"
        "}\n"
    )
    (tmp_path / "node_modules" / "lib").mkdir(parents=True)
    (tmp_path / "node_modules" / "lib" / "index.js").write_text("function hidden() {}\n")
    found = build_repo_map(tmp_path, budget=1000)
    mine = sorted((s.line, s.name, s.kind.value) for s in found.ranked if s.file == "web/cart.ts")
    assert [(name, kind, line) for line, name, kind in mine] == [
        ("total", "function", 2), ("addItem", "function", 5), ("Cart", "class", 8),
        ("add", "method", 10), ("checkout", "method", 13),
    ]  # fmt: skip
    assert "function total(items: Item[], tax = 0)" in found.text
    assert "class Cart extends Base" in found.text
    assert "hidden" not in found.text  # dependencies are not the project


def test_a_python_file_that_does_not_parse_is_named(tmp_path: Path, sdist: Path) -> None:
    shutil.copy(sdist / "six.py", tmp_path / "six.py")
    (tmp_path / "broken.py").write_text("def oops(:\n    pass\n")
    found = build_repo_map(tmp_path, budget=200)
    assert found.unparsed == ["broken.py"]
    assert found.symbols_shown > 0


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_readers_never_raise(source: str) -> None:
    for symbol in python_symbols("x.py", source) + javascript_symbols("x.ts", source):
        assert symbol.line >= 1 and symbol.name in source
