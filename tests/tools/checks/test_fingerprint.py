"""Fingerprints change exactly when what a check's result depends on changes."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from devora.tools.checks import (
    MypyCheck,
    RuffCheck,
    check_fingerprint,
    detect_project,
    project_files,
    tree_fingerprint,
)

from .conftest import write_tool


def _git(root: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)


async def test_content_changes_the_tree_fingerprint_timestamps_do_not(
    python_project: Path,
) -> None:
    first = await tree_fingerprint(python_project)
    stock = python_project / "src" / "inventory" / "stock.py"
    os.utime(stock, (1_000_000, 1_000_000))
    assert await tree_fingerprint(python_project) == first
    stock.write_text(stock.read_text() + "\n")
    assert await tree_fingerprint(python_project) != first


async def test_git_ignored_files_do_not_count_untracked_ones_do(python_project: Path) -> None:
    _git(python_project, "init", "-q")
    (python_project / ".gitignore").write_text("*.log\n")
    files = await project_files(python_project)
    assert "src/inventory/stock.py" in files and ".gitignore" in files  # untracked, not ignored
    first = await tree_fingerprint(python_project)
    (python_project / "debug.log").write_text("noise")
    assert await tree_fingerprint(python_project) == first
    (python_project / "new.py").write_text("x = 1\n")
    assert await tree_fingerprint(python_project) != first


async def test_outside_git_caches_and_dependencies_are_left_out(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "node_modules" / "x").mkdir(parents=True)
    (tmp_path / "node_modules" / "x" / "index.js").write_text("")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.js").write_text("")
    assert await project_files(tmp_path) == ["package.json", "src/a.js"]


async def test_check_and_tool_version_change_the_check_fingerprint(
    python_project: Path, tool_path: str
) -> None:
    profile = detect_project(python_project, search_path=tool_path)
    ruff = await check_fingerprint(RuffCheck(), profile)
    assert await check_fingerprint(RuffCheck(), profile) == ruff
    assert await check_fingerprint(MypyCheck(), profile) != ruff
    fake_bin = python_project.parent / "bin"
    write_tool(fake_bin, "ruff", 'echo "ruff 0.1.0"')
    old = detect_project(python_project, search_path=str(fake_bin))
    first = await check_fingerprint(RuffCheck(), old)
    write_tool(fake_bin, "ruff", 'echo "ruff 0.2.0"')
    os.utime(fake_bin / "ruff", (2_000_000, 2_000_000))  # a reinstall: new file, new version
    assert await check_fingerprint(RuffCheck(), old) != first


async def test_what_the_tools_write_is_not_a_change_even_without_a_gitignore(
    tmp_path: Path,
) -> None:
    import subprocess

    from devora.tools.checks import project_files, tree_fingerprint

    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "mod.py").write_text("X = 1\n", encoding="utf-8")
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    before = await tree_fingerprint(tmp_path)
    (tmp_path / "pkg" / "__pycache__").mkdir()
    (tmp_path / "pkg" / "__pycache__" / "mod.cpython-311.pyc").write_bytes(b"\0")
    (tmp_path / ".pytest_cache").mkdir()
    (tmp_path / ".pytest_cache" / "README.md").write_text("cache", encoding="utf-8")
    (tmp_path / ".coverage").write_bytes(b"data")
    assert await project_files(tmp_path) == ["pkg/mod.py"]
    assert await tree_fingerprint(tmp_path) == before
