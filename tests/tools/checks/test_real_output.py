"""Parsers tolerate what the real tools print; a tool that prints nothing is not a pass."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from devora.tools.checks import (
    BanditCheck,
    CheckStatus,
    MypyCheck,
    RuffCheck,
    detect_project,
    split_mypy_output,
)

UNUSED_SECTION = (
    "[mypy]\nwarn_unused_configs = True\n\n[mypy-nothere.*]\nignore_missing_imports = True\n"
)


def make_package(root: Path, body: str) -> Path:
    (root / "src" / "pkg").mkdir(parents=True)
    (root / "src" / "pkg" / "__init__.py").write_text(body)
    (root / "pyproject.toml").write_text('[project]\nname = "pkg"\nversion = "1"\n')
    return root


async def test_mypy_with_an_unused_config_section_passes_with_a_note(
    tmp_path: Path, tool_path: str
) -> None:
    # Seen: an unused [mypy-x.*] section in setup.cfg made a working mypy "crashed".
    root = make_package(tmp_path / "p", '"""Pkg."""\n\nx: int = 1\n')
    (root / "setup.cfg").write_text(UNUSED_SECTION)
    result = await MypyCheck().run(detect_project(root, search_path=tool_path))
    assert result.status is CheckStatus.PASSED, result
    assert result.notes == ("mypy: setup.cfg: note: unused section(s): [mypy-nothere.*]",)


async def test_mypy_errors_beside_a_plain_note_are_all_counted(
    tmp_path: Path, tool_path: str
) -> None:
    root = make_package(tmp_path / "p", '"""Pkg."""\n\nx: int = "a"\ny: str = 1\n')
    (root / "setup.cfg").write_text(UNUSED_SECTION)
    result = await MypyCheck().run(detect_project(root, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert [f.line for f in result.findings] == [3, 4]


def test_only_plain_notes_are_taken_out_of_mypys_json() -> None:
    text = '{"a": 1}\nsetup.cfg: note: unused section(s): [mypy-x.*]\nSomething else\n'
    kept, notes = split_mypy_output(text)
    assert kept == '{"a": 1}\nSomething else'  # still unreadable: not silently dropped
    assert notes == ["mypy: setup.cfg: note: unused section(s): [mypy-x.*]"]


@pytest.mark.parametrize(("check", "tool"), [(RuffCheck, "ruff"), (BanditCheck, "bandit")])
async def test_a_tool_that_exits_0_and_prints_nothing_is_not_a_pass(
    check: type[RuffCheck] | type[BanditCheck], tool: str, tmp_path: Path
) -> None:
    root = make_package(tmp_path / "p", '"""Pkg."""\n')
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    silent = bin_dir / tool
    silent.write_text("#!/bin/sh\nexit 0\n")
    silent.chmod(0o755)
    result = await check().run(detect_project(root, search_path=f"{bin_dir}{os.pathsep}/usr/bin"))
    assert result.status is CheckStatus.CRASHED, result
    assert result.reason is not None and "cannot be read" in result.reason
