"""The gate on the TypeScript example: eslint, tsc, prettier, npm test, npm audit; --fix."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from gate_projects import REPO, tool_path

from tests.cli.harness import Devora
from tests.conftest import require_executable

pytestmark = pytest.mark.slow

TS_EXAMPLE = REPO / "examples" / "typescript-project"
_IGNORED = shutil.ignore_patterns("node_modules", "dist")


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example with its node_modules from the committed package-lock.json (npm ci)."""
    require_executable("node", "install Node.js 20")
    npm = require_executable("npm", "install Node.js 20, which ships npm")
    target = tmp_path_factory.mktemp("ts") / "typescript-project"
    shutil.copytree(TS_EXAMPLE, target, ignore=_IGNORED)
    completed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund", "--prefer-offline"],
        cwd=target,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    return target


@pytest.fixture
def project(installed: Path, tmp_path: Path) -> Path:
    target = tmp_path / "typescript-project"
    shutil.copytree(installed, target, ignore=_IGNORED)
    (target / "node_modules").symlink_to(installed / "node_modules")
    return target


def gate(devora: Devora, project: Path, out: Path, *args: str) -> dict[str, Any]:
    result = devora(
        "run", "quality-gate", str(project), "--report-dir", str(out), *args,
        timeout=300, PATH=tool_path(),
    )  # fmt: skip
    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert isinstance(report, dict)
    return report


def test_the_typescript_example_fails_with_its_known_findings(
    devora: Devora, project: Path, tmp_path: Path
) -> None:
    report = gate(devora, project, tmp_path / "out")
    checks = {c["name"]: c for c in report["checks"]}
    assert set(checks) == {"tsc", "eslint", "prettier", "npm-test", "npm-audit", "asset-size"}
    assert {c["category"] for c in checks.values()} == {
        "typecheck", "lint", "tests", "security", "performance"
    }  # fmt: skip
    findings = report["findings"]
    assert isinstance(findings, list)
    rules = sorted((f["check"], f["rule"], f["file"], f["line"]) for f in findings)
    assert ("tsc", "TS2322", "src/config.ts", 9) in rules
    assert [r[1] for r in rules if r[0] == "eslint"] == sorted(
        ["no-var", "prefer-const", "@typescript-eslint/no-unused-vars",
         "@typescript-eslint/no-explicit-any"]
    )  # fmt: skip
    assert [(r[1], r[2]) for r in rules if r[0] == "prettier"] == [("format", "src/format.ts")]
    assert checks["npm-test"]["status"] == "failed"
    # npm audit and the asset budgets may not run here (no audit service, no build): then
    # they say why, and score nothing.
    for name in ("npm-audit", "asset-size"):
        assert checks[name]["status"] in ("passed", "failed", "not_run")
        if checks[name]["status"] == "not_run":
            assert checks[name]["reason"]
    assert report["passed"] is False


def test_fix_applies_eslint_and_prettier_fixes(
    devora: Devora, project: Path, tmp_path: Path
) -> None:
    report = gate(devora, project, tmp_path / "out", "--fix")
    fix = report["fix"]
    assert isinstance(fix, dict)
    assert fix["changed_files"] == ["src/config.ts", "src/format.ts"]
    assert "-  var host" in fix["diff"] and "+  const host" in fix["diff"]
    assert "+++ b/src/format.ts" in fix["diff"]
    remaining = sorted(f["rule"] for f in report["findings"] if f["check"] == "eslint")
    assert remaining == ["@typescript-eslint/no-explicit-any", "@typescript-eslint/no-unused-vars"]
    assert [f for f in report["findings"] if f["check"] == "prettier"] == []


def test_three_of_four_failing_node_tests_are_three_failing_tests(
    devora: Devora, tmp_path: Path
) -> None:
    # Once read as "1 fails": the runner's own counts reach the row, the condition, the score.
    project = tmp_path / "node-project"
    project.mkdir()
    package = {"name": "p", "version": "1.0.0", "private": True, "scripts": {"test": "node --test"}}
    (project / "package.json").write_text(json.dumps(package), encoding="utf-8")
    (project / "a.test.mjs").write_text(
        "import test from 'node:test';\nimport assert from 'node:assert';\n"
        + "".join(f"test('t{n}', () => assert.equal({n}, 3));\n" for n in range(4))
        + "test('s', { skip: true }, () => {});\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    report = gate(devora, project, out)
    row = next(c for c in report["checks"] if c["name"] == "npm-test")
    assert row["status"] == "failed"
    assert row["metrics"] == {"tests": 5, "passed": 1, "failures": 3, "errors": 0, "skipped": 1}
    conditions = {c["name"]: c["detail"] for c in report["conditions"]}
    assert conditions["no failing test"] == "3 test(s) fail"
    tests = next(c for c in report["categories"] if c["category"] == "tests")
    assert tests["detail"].startswith("1/4 tests pass (1 skipped, 0 deselected)")
    assert "npm-test" in (out / "report.md").read_text(encoding="utf-8")
    assert "1 passed, 3 failed, 1 skipped" in (out / "report.md").read_text(encoding="utf-8")
