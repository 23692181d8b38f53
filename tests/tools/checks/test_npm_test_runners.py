"""`npm test` judged by the real summaries of node's test runner, Jest and Vitest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from devora.tools.checks import CheckResult, CheckStatus, NpmTestCheck, detect_project

from .conftest import npm_ci, require_executable

FIXTURE = Path(__file__).resolve().parents[1].parent / "fixtures" / "js-test-runners"

# Three failing tests, one passing, one skipped, one todo: the case once read as "1 fails".
NODE_TESTS = """\
import test from 'node:test';
import assert from 'node:assert';
test('one', () => assert.equal(1, 2));
test('two', () => assert.equal(1, 2));
test('three', () => assert.equal(1, 2));
test('four', () => assert.equal(1, 1));
test('skipped', { skip: true }, () => {});
test('later', { todo: true }, () => {});
"""
RUNNER_TESTS = """\
{imports}
test('one', () => expect(1).toBe(2));
test('two', () => expect(1).toBe(2));
test('three', () => expect(1).toBe(2));
test('four', () => expect(1).toBe(1));
test.skip('skipped', () => expect(1).toBe(1));
test.todo('later');
"""


def _project(root: Path, script: str, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    package = {"name": "p", "version": "1.0.0", "private": True, "scripts": {"test": script}}
    (root / "package.json").write_text(json.dumps(package), encoding="utf-8")
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


async def _npm_test(root: Path) -> CheckResult:
    require_executable("node", "install Node.js 20")
    return await NpmTestCheck().run(detect_project(root))


@pytest.fixture(scope="session")
def runners(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """node_modules with Jest and Vitest, from the committed lock file (npm ci, once)."""
    npm = require_executable("npm", "install Node.js 20, which ships npm")
    target = tmp_path_factory.mktemp("runners")
    for name in ("package.json", "package-lock.json"):
        shutil.copy(FIXTURE / name, target / name)
    npm_ci(npm, target)
    return target / "node_modules"


def _with_runners(root: Path, node_modules: Path) -> Path:
    (root / "node_modules").symlink_to(node_modules)
    return root


async def test_node_test_runner_counts_three_of_four_failing(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "node --test", {"a.test.mjs": NODE_TESTS})
    result = await _npm_test(root)
    assert result.status is CheckStatus.FAILED and result.exit_code == 1
    assert result.metrics == {"tests": 6, "passed": 1, "failures": 3, "errors": 0, "skipped": 2}
    [finding] = result.findings
    assert (finding.rule, finding.file) == ("test-script", "package.json")
    assert "node --test reported 3 of 4 test(s) failing" in finding.message
    assert result.output_tail and "# fail 3" in result.output_tail


async def test_node_spec_reporter_is_read_too(tmp_path: Path) -> None:
    script = "node --test --test-reporter=spec"
    root = _project(tmp_path / "p", script, {"a.test.mjs": NODE_TESTS})
    result = await _npm_test(root)
    assert result.status is CheckStatus.FAILED
    assert (result.metrics["passed"], result.metrics["failures"]) == (1, 3)


async def test_node_tests_that_pass_pass(tmp_path: Path) -> None:
    tests = NODE_TESTS.replace("assert.equal(1, 2)", "assert.equal(2, 2)")
    root = _project(tmp_path / "p", "node --test", {"a.test.mjs": tests})
    result = await _npm_test(root)
    assert result.status is CheckStatus.PASSED, result.reason
    assert result.metrics == {"tests": 6, "passed": 4, "failures": 0, "errors": 0, "skipped": 2}


async def test_only_skipped_tests_is_not_run(tmp_path: Path) -> None:
    tests = "import test from 'node:test';\ntest('x', { skip: true }, () => {});\n"
    root = _project(tmp_path / "p", "node --test", {"a.test.mjs": tests})
    result = await _npm_test(root)
    assert result.status is CheckStatus.NOT_RUN
    reported = "node --test reported 1 skipped or todo, 0 passed"
    assert result.reason == f"not run: no test ran ({reported})"
    assert result.metrics["skipped"] == 1


async def test_exit_0_without_a_summary_is_not_a_pass(tmp_path: Path) -> None:
    root = _project(tmp_path / "p", "echo all good", {})
    result = await _npm_test(root)
    assert result.status is CheckStatus.CRASHED and result.exit_code == 0
    assert result.reason and "printed no test summary" in result.reason
    assert result.output_tail and "all good" in result.output_tail


async def test_a_failing_exit_without_a_summary_is_crashed_with_the_output(
    tmp_path: Path,
) -> None:
    root = _project(tmp_path / "p", "node missing-runner.js", {})
    result = await _npm_test(root)
    assert result.status is CheckStatus.CRASHED and result.exit_code == 1
    assert result.reason and "before any test runner's summary" in result.reason
    assert result.output_tail and "Cannot find module" in result.output_tail


async def test_a_failing_exit_after_all_tests_passed_is_crashed(tmp_path: Path) -> None:
    tests = "import test from 'node:test';\ntest('x', () => {});\n"
    script = "node --test && exit 7"
    root = _project(tmp_path / "p", script, {"a.test.mjs": tests})
    result = await _npm_test(root)
    assert result.status is CheckStatus.CRASHED and result.exit_code == 7
    assert result.reason and "reported no failing test" in result.reason


@pytest.mark.slow
async def test_jest_counts_three_of_four_failing(tmp_path: Path, runners: Path) -> None:
    root = _project(tmp_path / "p", "jest", {"a.test.js": RUNNER_TESTS.format(imports="")})
    result = await _npm_test(_with_runners(root, runners))
    assert result.status is CheckStatus.FAILED and result.exit_code == 1
    assert result.metrics == {"tests": 6, "passed": 1, "failures": 3, "errors": 0, "skipped": 2}
    assert "jest reported 3 of 4 test(s) failing" in result.findings[0].message


@pytest.mark.slow
async def test_vitest_counts_three_of_four_failing(tmp_path: Path, runners: Path) -> None:
    imports = "import { test, expect } from 'vitest';"
    files = {"a.test.mjs": RUNNER_TESTS.format(imports=imports)}
    root = _project(tmp_path / "p", "vitest run", files)
    result = await _npm_test(_with_runners(root, runners))
    assert result.status is CheckStatus.FAILED and result.exit_code == 1
    assert result.metrics == {"tests": 6, "passed": 1, "failures": 3, "errors": 0, "skipped": 2}
    assert "vitest reported 3 of 4 test(s) failing" in result.findings[0].message


@pytest.mark.slow
@pytest.mark.parametrize("script", ["jest --passWithNoTests", "vitest run --passWithNoTests"])
async def test_no_test_file_is_not_run(tmp_path: Path, runners: Path, script: str) -> None:
    root = _project(tmp_path / "p", script, {})
    result = await _npm_test(_with_runners(root, runners))
    assert result.status is CheckStatus.NOT_RUN and result.exit_code is None
    assert result.reason == f"not run: `npm test` ({script}) found no test file"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("script", "name", "imports"),
    [("jest", "a.test.js", ""), ("vitest run", "a.test.mjs", "import { test } from 'vitest';")],
)
async def test_jest_and_vitest_passing_tests_pass(
    tmp_path: Path, runners: Path, script: str, name: str, imports: str
) -> None:
    tests = RUNNER_TESTS.format(imports=imports).replace("toBe(2)", "toBe(1)")
    if imports:
        tests = tests.replace("{ test }", "{ test, expect }")
    root = _project(tmp_path / "p", script, {name: tests})
    result = await _npm_test(_with_runners(root, runners))
    assert result.status is CheckStatus.PASSED, (result.reason, result.output_tail)
    assert result.metrics == {"tests": 6, "passed": 4, "failures": 0, "errors": 0, "skipped": 2}
