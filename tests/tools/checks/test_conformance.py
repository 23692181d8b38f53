"""One suite for every tool check: a tool that crashes, hangs or is missing never passes."""

from __future__ import annotations

import asyncio
import json
import os
import time
from pathlib import Path

import pytest

from devora.tools.checks import (
    CheckStatus,
    NpmTestCheck,
    RuffCheck,
    ToolCheck,
    all_checks,
    detect_project,
)

from .conftest import write_tool

TOOL_CHECKS = [check for check in all_checks() if isinstance(check, ToolCheck)]
IDS = [check.name for check in TOOL_CHECKS]
_JS_TOOLS = {"eslint", "tsc", "prettier"}


def _project(root: Path) -> Path:
    """A project every check applies to: Python with dependencies, TypeScript with npm."""
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["requests"]\n'
    )
    (root / "package.json").write_text(
        json.dumps({"name": "p", "scripts": {"test": "node --test", "build": "tsc"}})
    )
    (root / "package-lock.json").write_text("{}")
    (root / "tsconfig.json").write_text("{}")
    (root / "app.py").write_text("x = 1\n")
    return root


def _install_fake(root: Path, tool: str, script: str) -> str:
    """Put a fake tool where detection looks (node_modules/.bin or a bin dir); return PATH."""
    fake_bin = root.parent / "fake-bin"
    if tool in _JS_TOOLS:
        write_tool(root / "node_modules" / ".bin", tool, script)
    else:
        write_tool(fake_bin, tool, script)
        if tool == "pytest":
            write_tool(fake_bin, "coverage", script)  # pytest runs under the coverage beside it
    fake_bin.mkdir(exist_ok=True)
    return str(fake_bin)


@pytest.mark.parametrize("check", TOOL_CHECKS, ids=IDS)
async def test_exit_2_with_garbage_is_crashed(check: ToolCheck, tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    search = _install_fake(
        root, check.tool, "echo '<<garbage>> {{{'; echo 'boom: it broke' >&2; exit 2"
    )
    result = await check.run(detect_project(root, search_path=search))
    # npm test too: a failing exit without a test runner's summary says nothing of the tests.
    assert result.status is CheckStatus.CRASHED, result
    assert result.exit_code == 2
    assert result.reason
    assert result.output_tail is not None and "boom: it broke" in result.output_tail


@pytest.mark.parametrize("check", TOOL_CHECKS, ids=IDS)
async def test_exit_0_with_garbage_is_crashed(check: ToolCheck, tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    search = _install_fake(root, check.tool, "echo 'this is not what the tool promised'; exit 0")
    result = await check.run(detect_project(root, search_path=search))
    assert result.status is CheckStatus.CRASHED, result
    assert result.reason is not None
    assert any(
        why in result.reason
        for why in ("cannot be read", "without a test report", "no test summary Devora can read")
    )


@pytest.mark.parametrize("check", TOOL_CHECKS, ids=IDS)
async def test_silent_exit_1_is_never_passed(check: ToolCheck, tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    search = _install_fake(root, check.tool, "exit 1")
    result = await check.run(detect_project(root, search_path=search))
    assert result.status is CheckStatus.CRASHED, result


@pytest.mark.parametrize("check", TOOL_CHECKS, ids=IDS)
async def test_missing_tool_is_not_run_with_how_to_install(
    check: ToolCheck, tmp_path: Path
) -> None:
    root = _project(tmp_path / "p")
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    result = await check.run(detect_project(root, search_path=str(empty)))
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason == f"not run: install {check.tool} ({check.install})"
    assert result.findings == ()


@pytest.mark.parametrize(
    "check", [RuffCheck(timeout=0.5), NpmTestCheck(timeout=0.5)], ids=lambda check: check.tool
)
async def test_a_hanging_tool_is_killed_and_crashed(check: ToolCheck, tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    script = 'case "$1" in --version) echo 1.2.3; exit 0;; esac\nsleep 30 & sleep 30'
    search = _install_fake(root, check.tool, script)
    started = time.monotonic()
    result = await check.run(detect_project(root, search_path=search))
    assert time.monotonic() - started < 10
    assert result.status is CheckStatus.CRASHED
    assert result.reason == f"{check.tool} timed out after 0.5 s"
    assert result.tool_version == "1.2.3"


async def test_real_ruff_with_a_broken_config_is_crashed(tmp_path: Path, tool_path: str) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "pyproject.toml").write_text('[tool.ruff]\nline-length = "wide"\n')
    (root / "app.py").write_text("x = 1\n")
    result = await RuffCheck().run(detect_project(root, search_path=tool_path))
    assert result.status is CheckStatus.CRASHED
    assert result.exit_code == 2
    assert result.output_tail and "line-length" in result.output_tail


async def test_cancelling_a_check_kills_its_tool(tmp_path: Path) -> None:
    root = _project(tmp_path / "p")
    pid_file = tmp_path / "tool.pid"
    script = f'case "$1" in --version) echo 1.0; exit 0;; esac\necho $$ > {pid_file}\nsleep 30'
    search = _install_fake(root, "ruff", script)
    task = asyncio.create_task(RuffCheck().run(detect_project(root, search_path=search)))
    for _ in range(100):
        if pid_file.is_file() and pid_file.read_text().strip():
            break
        await asyncio.sleep(0.05)
    pid = int(pid_file.read_text())
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # reaped and gone: no orphan left running
