"""The safe fixers change only what their tool fixes, and say which files they changed."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.errors import ToolNotInstalledError
from devora.tools.checks import (
    CheckStatus,
    EslintCheck,
    PrettierCheck,
    RuffCheck,
    RuffFormatCheck,
    ToolFailedError,
    detect_project,
    fix_eslint,
    fix_prettier,
    fix_ruff_check,
    fix_ruff_format,
)

from .conftest import write_tool


async def test_ruff_fix_removes_only_the_safe_fixes(python_project: Path, tool_path: str) -> None:
    profile = detect_project(python_project, search_path=tool_path)
    stock = python_project / "src" / "inventory" / "stock.py"
    before = stock.read_text()
    fixed = await fix_ruff_check(profile)
    assert fixed.tool == "ruff" and fixed.fixer == "ruff check --fix"
    assert fixed.changed_files == ("src/inventory/stock.py",)
    assert "import os\n" in before and "import os\n" not in stock.read_text()
    remaining = await RuffCheck().run(profile)
    assert sorted(f.rule for f in remaining.findings) == ["B006", "E741", "F841"]
    again = await fix_ruff_check(profile)
    assert again.changed_files == ()


async def test_ruff_format_reformats_the_listed_file(python_project: Path, tool_path: str) -> None:
    profile = detect_project(python_project, search_path=tool_path)
    untouched = (python_project / "src" / "inventory" / "stock.py").read_text()
    fixed = await fix_ruff_format(profile)
    assert fixed.changed_files == ("src/inventory/report.py",)
    assert (await RuffFormatCheck().run(profile)).status is CheckStatus.PASSED
    assert (python_project / "src" / "inventory" / "stock.py").read_text() == untouched


async def test_eslint_fix_applies_its_fixes(ts_project: Path, tool_path: str) -> None:
    profile = detect_project(ts_project, search_path=tool_path)
    fixed = await fix_eslint(profile)
    assert fixed.changed_files == ("src/config.ts",)
    text = (ts_project / "src" / "config.ts").read_text()
    assert "var host" not in text and "const port = parsePort" in text
    remaining = await EslintCheck().run(profile)
    assert sorted(f.rule for f in remaining.findings) == [
        "@typescript-eslint/no-explicit-any",
        "@typescript-eslint/no-unused-vars",
    ]


async def test_prettier_write_fixes_the_listed_file(ts_project: Path, tool_path: str) -> None:
    profile = detect_project(ts_project, search_path=tool_path)
    fixed = await fix_prettier(profile)
    assert fixed.changed_files == ("src/format.ts",)
    assert (await PrettierCheck().run(profile)).status is CheckStatus.PASSED
    assert (await fix_prettier(profile)).changed_files == ()


async def test_fixer_without_its_tool_raises_not_installed(python_project: Path) -> None:
    profile = detect_project(python_project, search_path=str(python_project / "no-bin"))
    with pytest.raises(ToolNotInstalledError) as caught:
        await fix_ruff_check(profile)
    assert caught.value.tool == "ruff" and caught.value.hint == "install it: pip install ruff"


async def test_fixer_with_a_crashing_tool_raises_tool_failed(python_project: Path) -> None:
    fake = write_tool(python_project.parent / "bin", "ruff", "echo 'ruff: panic' >&2; exit 2")
    profile = detect_project(python_project, search_path=str(fake.parent))
    with pytest.raises(ToolFailedError) as caught:
        await fix_ruff_format(profile)
    assert caught.value.tool == "ruff" and caught.value.tool_exit_code == 2
    assert "ruff: panic" in caught.value.output_tail
    assert caught.value.exit_code == 1  # a failed step, for the CLI
