"""Feature-development test helpers: a small real project in a git repository (its .venv a
small project's environment: pytest and coverage, tests/fixtures/project_env.py), scripted
documents, patches and acceptance tests."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.project_env import link_project_environment
from tests.llm.scripted_server import Received, Reply, ScriptedServer, openai_reply
from tests.tools.bisect.history import git

CART = "def total(prices):\n    return sum(prices)\n"
# The feature: a discount in percent.
CART_WITH_DISCOUNT = (
    "def total(prices, discount=0):\n"
    "    if not 0 <= discount <= 100:\n"
    '        raise ValueError("discount is a percentage")\n'
    "    return sum(prices) * (100 - discount) / 100\n"
)
CART_TEST = "from shop.cart import total\n\n\ndef test_total():\n    assert total([1, 2]) == 3\n"
ACCEPTANCE = (
    "import pytest\n\nfrom shop.cart import total\n\n\n"
    "def test_ac1_discount_applied():\n    assert total([10, 10], discount=50) == 10\n\n\n"
    "def test_ac2_discount_out_of_range():\n"
    "    with pytest.raises(ValueError):\n        total([10], discount=150)\n"
)
ACCEPTANCE_FILE = "tests/test_discount.py"
REQUEST = "Customers want a discount: total(prices, discount) takes a percentage off.\n"

PRD = {
    "title": "Discounts on the cart total",
    "problem": "Customers cannot get a discount on their total.",
    "user_stories": [
        {"as_a": "customer", "i_want": "a discount in percent", "so_that": "I pay less"}
    ],
    "acceptance_criteria": [
        {"id": "AC1", "given": "prices 10 and 10", "when": "a 50% discount is given",
         "then": "the total is 10"},
        {"id": "AC2", "given": "a price", "when": "a discount over 100% is given",
         "then": "a ValueError is raised"},
    ],
    "out_of_scope": ["coupons"],
    "open_questions": [],
}  # fmt: skip
PLAN = {
    "tasks": [
        {"id": "T1", "title": "discount parameter", "squad": "backend",
         "files": ["src/shop/cart.py"], "depends_on": []},
    ]
}  # fmt: skip
DESIGN = {
    "summary": "total() takes an optional discount in percent.",
    "components": [{"name": "shop.cart.total", "change": "a discount parameter, 0..100"}],
}

UI_MARKER = "Design the UI components of this feature"
UI_DESIGN = {
    "summary": "The cart page shows the discounted total.",
    "components": [
        {"name": "CartTotal", "route": "/cart", "change": "shows the discount",
         "props": [{"name": "prices", "type": "number[]"}],
         "state": [{"name": "discount", "type": "number"}], "uses": []},
    ],
}  # fmt: skip


@pytest.fixture(autouse=True)
def _git_isolated(isolated_git: None) -> None:
    """Every test here runs with git isolated (tests/workflows/conftest.py)."""


def no_model() -> dict[str, str]:
    """The environment of a run without a model (whatever the machine configures)."""
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    return {"DEVORA_MODEL": "", "PATH": path}


def make_project(root: Path, config: str = "", files: dict[str, str] | None = None) -> Path:
    """A committed project `shop` with one passing test, its .venv a small project's."""
    root.mkdir(parents=True, exist_ok=True)
    contents = {
        ".gitignore": ".venv\n",
        "pyproject.toml": '[project]\nname = "shop"\nversion = "0.1"\n',
        "src/shop/__init__.py": "",
        "src/shop/cart.py": CART,
        "tests/test_cart.py": CART_TEST,
        **({"devora.toml": config} if config else {}),
        **(files or {}),
    }
    for name, text in contents.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "shop")
    return link_project_environment(root)


def answer(payload: Any) -> Reply:
    """A model's answer holding a JSON document."""
    return openai_reply(json.dumps(payload))


def writes(call: str, path: str, content: str) -> Reply:
    """A coding agent's turn that writes one file."""
    return openai_reply(tool_calls=[(call, "write_file", {"path": path, "content": content})])


def scripted_feature(acceptance: str = ACCEPTANCE) -> list[Reply]:
    """PRD, plan, design, the backend agent's change, the qa agent's tests."""
    return [
        answer(PRD),
        answer(PLAN),
        answer(DESIGN),
        writes("c1", "src/shop/cart.py", CART_WITH_DISCOUNT),
        openai_reply("total() takes a discount; tests pass."),
        writes("c2", ACCEPTANCE_FILE, acceptance),
        openai_reply("one test per criterion; they pass."),
    ]


class RoutedServer(ScriptedServer):
    """The scripted server, with each conversation whose opening holds a marker answered from
    that marker's script: steps that run in parallel ask in any order."""

    def __init__(self, replies: Sequence[Reply], routes: dict[str, list[Reply]]) -> None:
        super().__init__(replies)
        self.routes = {marker: list(script) for marker, script in routes.items()}

    @property
    def remaining(self) -> int:
        with self._lock:
            return len(self._replies) + sum(len(script) for script in self.routes.values())

    def _next(self, received: Received) -> Reply:
        # The task is the first user message (a structured answer's schema may come before).
        asked = [m for m in received.body["messages"] if m.get("role") in ("system", "user")]
        opening = json.dumps(asked[:3])
        for marker, script in self.routes.items():
            if marker in opening:
                with self._lock:
                    self.received.append(received)
                    if script:
                        return script.pop(0)
                return Reply(418, {"error": {"message": "scripted server: no more replies"}})
        return super()._next(received)


@contextmanager
def routed_server(replies: list[Reply], routes: dict[str, list[Reply]]) -> Iterator[RoutedServer]:
    """A started RoutedServer, stopped on leaving."""
    server = RoutedServer(replies, routes).start()
    try:
        yield server
    finally:
        server.stop()
