"""A JavaScript project's tests in feature development: `npm test` (node's own runner here)
run through devora.tools.checks, judged by its summary, on the base and after each task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from devora.workflows.feature_development._tests_run import (
    NPM_TEST,
    SuiteVerdict,
    is_python_project,
    run_suite,
)
from tests.cli.harness import Devora, finished_event
from tests.conftest import require_executable
from tests.llm.harness import model_env
from tests.llm.scripted_server import openai_reply
from tests.tools.bisect.history import git, user_state
from tests.workflows.feature_development.conftest import (
    DESIGN,
    PRD,
    UI_DESIGN,
    UI_MARKER,
    answer,
    no_model,
    routed_server,
    writes,
)

SUM = "exports.total = (prices) => prices.reduce((a, b) => a + b, 0);\n"
SUM_WITH_DISCOUNT = (
    "exports.total = (prices, discount = 0) =>\n"
    "  (prices.reduce((a, b) => a + b, 0) * (100 - discount)) / 100;\n"
)
SUM_BROKEN = "exports.total = (prices) => 0;\n"
TESTS = (
    "const test = require('node:test');\nconst assert = require('node:assert');\n"
    "const { total } = require('../src/cart.js');\n\n"
    "test('sums', () => assert.strictEqual(total([1, 2]), 3));\n"
    "test('empty', () => assert.strictEqual(total([]), 0));\n"
)
PLAN = {"tasks": [{"id": "T1", "title": "discount", "squad": "frontend",
                   "files": ["src/cart.js"], "depends_on": []}]}  # fmt: skip


def js_project(root: Path) -> Path:
    """A committed Node project whose `npm test` is `node --test` (no dependency to install)."""
    require_executable("npm", "install Node.js 20, which ships npm")
    package = {"name": "shop", "version": "0.1.0", "private": True,
               "scripts": {"test": "node --test"}}  # fmt: skip
    files = {"package.json": json.dumps(package, indent=2), "src/cart.js": SUM,
             "test/cart.test.js": TESTS}  # fmt: skip
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "shop")
    return root


async def test_npm_test_is_the_suite_of_a_javascript_project(tmp_path: Path) -> None:
    root = js_project(tmp_path / "shop")
    assert not is_python_project(root)
    passing = await run_suite(root, None)
    assert passing.verdict is SuiteVerdict.PASSED, passing.output_tail
    assert (
        passing.passed == [NPM_TEST]
        and passing.describe() == "passed: npm test: 2 passed, 0 failed"
    )
    (root / "src/cart.js").write_text(SUM_BROKEN)
    failing = await run_suite(root, None)
    assert failing.verdict is SuiteVerdict.FAILED and failing.failed == [NPM_TEST]
    assert failing.describe() == "failed: npm test: 1 passed, 1 failed"
    package = json.loads((root / "package.json").read_text())
    del package["scripts"]
    (root / "package.json").write_text(json.dumps(package))
    none = await run_suite(root, None)
    assert none.verdict is SuiteVerdict.NOT_RUN
    assert none.reason == "no test suite: not a Python project, no npm test script"


@pytest.mark.slow
def test_implement_runs_a_javascript_projects_tests(devora: Devora, tmp_path: Path) -> None:
    repo = js_project(tmp_path / "shop")
    before = user_state(repo)
    change = writes("c1", "src/cart.js", SUM_WITH_DISCOUNT)
    script = [answer(PRD), answer(PLAN), answer(DESIGN), change, openai_reply("discount added.")]
    # The plan's task is the frontend's: the UI is designed too, in parallel with the API.
    with routed_server(script, {UI_MARKER: [answer(UI_DESIGN)]}) as server:
        env = no_model() | model_env(server)
        first = devora("run", "feature-development", str(repo), "--request", "a discount",
                       "--json", timeout=600, **env)  # fmt: skip
        run_id = finished_event(first)["run_id"]
        done = devora("approve", run_id, "approve_design", timeout=900, **env)
    assert server.remaining == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    shown_logs = devora("logs", run_id, "--json").stdout.splitlines()
    logs = [json.loads(line) for line in shown_logs if line.startswith("{")]
    said = [str(e.get("message")) for e in logs if e.get("step_id") == "implement"]
    assert any("on the base" in m and "passed: npm test: 2 passed, 0 failed" in m for m in said)
    assert any(m.startswith("task T1 (frontend): passed: npm test: 2 passed") for m in said)
    shown = json.loads(devora("status", run_id, "--json").stdout)
    # The acceptance step runs pytest tests only: said so, never taken for passed.
    assert shown["steps"]["implement"]["status"] == "succeeded"
    assert (
        "acceptance tests of a project that is not Python are not run"
        in (shown["error"]["message"])
    )
    assert user_state(repo) == before
