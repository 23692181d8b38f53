"""The oldest tools pyproject allows (ruff 0.6, mypy 1.11) read right, installed for real."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from devora.tools.checks import CheckStatus, MypyCheck, RuffCheck, RuffFormatCheck, detect_project

from .conftest import require, write_tool

OLDEST_RUFF = "ruff==0.6.9"
OLDEST_MYPY = "mypy==1.11.2"


def _pip_install_target(requirement: str, target: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "install", "-q", "--target", str(target), requirement],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    require(done.returncode == 0, f"cannot install {requirement} from PyPI: {done.stderr[-500:]}")


@pytest.fixture(scope="module")
def old_mypy_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bin directory whose mypy is mypy 1.11.2 (the first with -O json), from PyPI."""
    target = tmp_path_factory.mktemp("old-mypy")
    _pip_install_target(OLDEST_MYPY, target / "lib")
    launcher = f'PYTHONPATH="{target / "lib"}" exec "{sys.executable}" -m mypy "$@"'
    return write_tool(target / "bin", "mypy", launcher).parent


@pytest.fixture(scope="module")
def old_ruff_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bin directory holding ruff 0.6.9, installed from PyPI."""
    target = tmp_path_factory.mktemp("old-ruff")
    _pip_install_target(OLDEST_RUFF, target)
    return target / "bin"


async def test_old_ruff_format_falls_back_to_its_text_output(
    python_project: Path, old_ruff_bin: Path
) -> None:
    # ruff 0.6 has no --output-format for `format`: the check reads "Would reformat: PATH".
    profile = detect_project(python_project, search_path=str(old_ruff_bin))
    result = await RuffFormatCheck().run(profile)
    assert result.tool_version == "0.6.9"
    assert result.status is CheckStatus.FAILED
    assert [(f.file, f.fixable) for f in result.findings] == [("src/inventory/report.py", True)]


async def test_old_ruff_check_json_reads_the_same(python_project: Path, old_ruff_bin: Path) -> None:
    profile = detect_project(python_project, search_path=str(old_ruff_bin))
    result = await RuffCheck().run(profile)
    assert result.tool_version == "0.6.9"
    assert sorted((f.rule, f.line) for f in result.findings) == [
        ("B006", 42),
        ("E741", 44),
        ("F401", 5),
        ("F401", 6),
        ("F841", 45),
    ]


async def test_forced_colours_in_the_environment_do_not_leak_in(
    python_project: Path, old_ruff_bin: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("CLICOLOR_FORCE", "1")
    profile = detect_project(python_project, search_path=str(old_ruff_bin))
    result = await RuffFormatCheck().run(profile)
    assert [f.file for f in result.findings] == ["src/inventory/report.py"]


async def test_mypy_1_11_json_lines_read_the_same(python_project: Path, old_mypy_bin: Path) -> None:
    # mypy 1.11's JSON has no end_line; the finding is otherwise the same.
    result = await MypyCheck().run(detect_project(python_project, search_path=str(old_mypy_bin)))
    assert result.tool_version == "1.11.2"
    assert [(f.rule, f.file, f.line, f.column, f.end_line) for f in result.findings] == [
        ("assignment", "src/inventory/stock.py", 38, 18, None)
    ]
