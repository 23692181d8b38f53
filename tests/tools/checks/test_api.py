"""The package's public API: one sorted __all__, every name importable, every check listed."""

from __future__ import annotations

from pathlib import Path

import devora.tools.checks as checks
from devora.tools import Finding, Level
from devora.tools.checks import (
    Check,
    CheckResult,
    CheckStatus,
    ToolCheck,
    all_checks,
    checks_for,
    detect_project,
)


def test_all_is_sorted_and_complete() -> None:
    assert checks.__all__ == sorted(checks.__all__, key=lambda name: (not name.isupper(), name))
    for name in checks.__all__:
        assert hasattr(checks, name), name


def test_every_check_has_a_unique_name_and_install_hint() -> None:
    instances = all_checks()
    names = [check.name for check in instances]
    assert len(names) == len(set(names))
    for check in instances:
        assert isinstance(check, Check)
        assert check.tool and check.install
    tools = {check.tool for check in instances if isinstance(check, ToolCheck)}
    assert tools == {
        "ruff",
        "mypy",
        "pytest",
        "bandit",
        "pip-audit",
        "eslint",
        "tsc",
        "prettier",
        "npm",
    }


def test_checks_for_picks_by_language(tmp_path: Path) -> None:
    (tmp_path / "py").mkdir()
    (tmp_path / "py" / "pyproject.toml").write_text("")
    python = detect_project(tmp_path / "py", search_path="")
    assert [c.name for c in checks_for(python)] == [
        "ruff-check", "ruff-format", "mypy", "pytest", "bandit", "pip-audit",
    ]  # fmt: skip
    (tmp_path / "ts").mkdir()
    (tmp_path / "ts" / "package.json").write_text('{"scripts": {"build": "tsc"}}')
    (tmp_path / "ts" / "tsconfig.json").write_text("{}")
    typescript = detect_project(tmp_path / "ts", search_path="")
    assert [c.name for c in checks_for(typescript)] == [
        "eslint", "tsc", "prettier", "npm-test", "npm-audit", "asset-size",
    ]  # fmt: skip


def test_result_counts() -> None:
    findings = (
        Finding(tool="t", rule="a", level=Level.ERROR, message="m"),
        Finding(tool="t", rule="b", level=Level.ERROR, message="m"),
        Finding(tool="t", rule="c", level=Level.INFO, message="m"),
    )
    result = CheckResult(name="n", tool="t", status=CheckStatus.FAILED, findings=findings)
    assert not result.ok and result.count() == 3 and result.count(Level.ERROR) == 2
    assert result.counts_by_level() == {"error": 2, "warning": 0, "info": 1}
    assert CheckResult(name="n", tool="t", status=CheckStatus.PASSED).ok


def test_result_round_trips_through_json() -> None:
    # The engine journals step outputs as JSON; a result must come back equal.
    result = CheckResult(
        name="pytest",
        tool="pytest",
        tool_version="9.2.0",
        status=CheckStatus.FAILED,
        findings=(Finding(tool="pytest", rule="test-failure", level=Level.ERROR, message="x"),),
        metrics={"coverage_percent": 62.5},
        notes=("a note",),
        duration=1.5,
    )
    assert CheckResult.model_validate_json(result.model_dump_json()) == result
