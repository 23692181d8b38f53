"""--fix with a model: the coding agent (a scripted OpenAI-compatible server) and the gate's
rule to keep its change only when the checks improve and the tests do not get worse."""

from __future__ import annotations

import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.cli.harness import Devora
from tests.conftest import require_executable
from tests.llm.harness import serve
from tests.llm.scripted_server import ScriptedServer, error_reply, openai_reply

pytestmark = pytest.mark.slow

STOCK = "src/inventory/stock.py"
# The example's stock.py with its type and lint errors fixed (its failing test's bug kept).
FIXED = '''"""Stock levels of items."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class Item:
    """One item in stock."""

    name: str
    price: float
    quantity: int


def total_value(items: list[Item]) -> float:
    """The value of everything in stock."""
    return sum(item.price * item.quantity for item in items)


def restock(item: Item, amount: int) -> Item:
    """A copy of the item with more in stock."""
    if amount < 0:
        raise ValueError("cannot restock a negative amount")
    return Item(item.name, item.price, item.quantity + amount)


def cheapest(items: list[Item]) -> Item:
    """The item with the lowest price (known bug: returns the most expensive)."""
    return max(items, key=lambda item: item.price)


def describe(item: Item) -> str:
    """A one-line description of the item."""
    label: str = item.name
    return f"{label}: {item.quantity} at {item.price:.2f}"


def low_stock(items: list[Item], threshold: int = 3) -> list[str]:
    """Names of the items that are running out."""
    return [item.name for item in items if item.quantity < threshold]
'''
# Fixes the errors too, but breaks restock: one more failing test.
BROKEN = FIXED.replace("item.quantity + amount)", "item.quantity)")


def fix(devora: Devora, project: Path, out: Path, env: dict[str, str]) -> dict[str, Any]:
    result = devora(
        "run", "quality-gate", str(project), "--fix", "--report-dir", str(out),
        timeout=300, **env,
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr  # the failing test remains
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert isinstance(report, dict)
    return report


def test_the_agents_change_is_kept_when_the_checks_improve(
    devora: Devora,
    example: Path,
    path_env: dict[str, str],
    tmp_path: Path,
    scripted: list[ScriptedServer],
) -> None:
    env = path_env | serve(
        scripted,
        openai_reply(tool_calls=[("c1", "write_file", {"path": STOCK, "content": FIXED})]),
        openai_reply("Typed describe(), dropped the mutable default and the unused names."),
    )
    report = fix(devora, example, tmp_path / "out", env)

    agent = report["agent"]
    assert agent["model"] == "openai:gpt-4o-mini"
    [attempt] = agent["attempts"]  # nothing left to fix after the first: no second attempt
    assert attempt["kept"] is True and attempt["files"] == [STOCK]
    assert attempt["errors_before"] == 4 and attempt["errors_after"] == 0
    assert attempt["failing_tests_before"] == attempt["failing_tests_after"] == 1
    assert (example / STOCK).read_text(encoding="utf-8") == FIXED
    checks = {c["name"]: c for c in report["checks"]}
    assert checks["mypy"]["counts"]["total"] == checks["ruff-check"]["counts"]["total"] == 0
    assert [f["rule"] for f in report["findings"] if f["file"] == STOCK] == []
    markdown = (tmp_path / "out" / "report.md").read_text(encoding="utf-8")
    assert "1 of 1 attempt(s) kept" in markdown
    assert len(scripted[0].received) == 2
    assert (agent["llm_calls"], agent["llm_tokens"]) == (2, 30)  # 10 + 5 tokens per reply


def test_a_change_that_breaks_a_test_is_discarded(
    devora: Devora,
    example: Path,
    path_env: dict[str, str],
    tmp_path: Path,
    scripted: list[ScriptedServer],
) -> None:
    env = path_env | serve(
        scripted,
        openai_reply(tool_calls=[("c1", "write_file", {"path": STOCK, "content": BROKEN})]),
        openai_reply("Fixed the errors."),
        openai_reply("I have nothing more to change."),
        openai_reply("Still nothing."),
    )
    report = fix(devora, example, tmp_path / "out", env)

    attempts = report["agent"]["attempts"]
    assert [a["kept"] for a in attempts] == [False, False, False]
    assert attempts[0]["failing_tests_after"] == 2 and attempts[0]["errors_after"] == 0
    assert attempts[1]["files"] == [] and attempts[1]["errors_after"] is None
    text = (example / STOCK).read_text(encoding="utf-8")
    assert "item.quantity + amount" in text  # the agent's change is not in the project
    assert "import os" not in text  # the safe fixes are
    assert [f["rule"] for f in report["findings"] if f["check"] == "mypy"] == ["assignment"]


def test_without_a_model_the_agent_step_is_skipped(
    devora: Devora, example: Path, path_env: dict[str, str]
) -> None:
    env = {**path_env, "DEVORA_MODEL": ""}
    result = devora("run", "quality-gate", str(example), "--fix", "--json", timeout=300, **env)
    events = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    [finished] = [e for e in events if e["kind"] == "step.finished" and e["step_id"] == "agent_fix"]
    assert finished["data"]["status"] == "skipped"


def test_a_model_that_fails_ends_the_attempts_not_the_gate(
    devora: Devora,
    example: Path,
    path_env: dict[str, str],
    tmp_path: Path,
    scripted: list[ScriptedServer],
) -> None:
    env = path_env | serve(scripted, error_reply(400, "this model does not take tools"))
    report = fix(devora, example, tmp_path / "out", env)

    [attempt] = report["agent"]["attempts"]
    assert attempt["kept"] is False and attempt["summary"].startswith("failed: ")
    assert "400" in attempt["summary"] or "tools" in attempt["summary"]
    assert "label: int = item.name" in (example / STOCK).read_text(encoding="utf-8")
    assert report["passed"] is False


# A test the agent writes: when the gate re-runs the tests, it tries to leave the worktree
# and to read the API key. The re-check runs in the agent's sandbox, so neither happens.
ESCAPING_TEST = """import os


def test_escape():
    with open({target!r}, "w") as out:
        out.write(os.environ.get("OPENAI_API_KEY", "no key"))
"""


def test_the_recheck_runs_the_agents_tests_in_the_sandbox(
    devora: Devora,
    example: Path,
    path_env: dict[str, str],
    tmp_path: Path,
    scripted: list[ScriptedServer],
) -> None:
    require_executable("bwrap", "scripts/install-sandbox, or apt-get install bubblewrap")
    outside = Path(tempfile.mkdtemp(prefix="devora-outside-", dir="/var/tmp"))
    target = outside / "escaped"
    test_file = {
        "path": "tests/test_escape.py",
        "content": ESCAPING_TEST.format(target=str(target)),
    }
    env = path_env | serve(
        scripted,
        openai_reply(
            tool_calls=[
                ("c1", "write_file", {"path": STOCK, "content": FIXED}),
                ("c2", "write_file", test_file),
            ]
        ),
        openai_reply("Fixed the errors and added a test."),
        openai_reply("Nothing more."),
        openai_reply("Nothing more."),
    )
    try:
        report = fix(devora, example, tmp_path / "out", env)
        assert not target.exists()  # the test ran, confined: it could not write outside
        first = report["agent"]["attempts"][0]
        assert first["files"] == sorted([STOCK, "tests/test_escape.py"])
        assert first["failing_tests_after"] == 2  # its escape failed inside the sandbox
        assert first["kept"] is False
    finally:
        shutil.rmtree(outside, ignore_errors=True)


def test_without_a_sandbox_the_agent_fix_is_not_run_and_says_why(
    devora: Devora, example: Path, tmp_path: Path, scripted: list[ScriptedServer]
) -> None:
    tools = tmp_path / "bin"  # git, but no bwrap
    tools.mkdir()
    git = shutil.which("git")
    assert git is not None
    (tools / "git").symlink_to(git)
    env = {"PATH": os.pathsep.join([str(Path(sys.executable).parent), str(tools)])}
    env |= serve(scripted, openai_reply("never asked"))
    out = tmp_path / "out"
    agent = fix(devora, example, out, env)["agent"]
    assert agent["attempts"] == []
    assert "bubblewrap (bwrap) is not installed" in agent["not_run"]
    assert "Hint: install bubblewrap" in agent["not_run"]
    assert "not run: refusing to run the agent" in (out / "report.md").read_text()
    assert scripted[0].received == []  # refused before the first model call
    assert "label: int = item.name" in (example / STOCK).read_text(encoding="utf-8")
