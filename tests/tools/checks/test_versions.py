"""Tool versions are asked once per installed binary and remembered between runs."""

from __future__ import annotations

import sys
from pathlib import Path

from devora.tools.checks import _versions, remember_tool_versions_in, tool_version


def fake_tool(tmp_path: Path) -> tuple[Path, Path]:
    """A Python script tool that counts how often it is asked for its version."""
    venv = tmp_path / "venv"
    (venv / "lib" / "python3.11" / "site-packages" / "faketool-1.2.3.dist-info").mkdir(parents=True)
    (venv / "bin").mkdir()
    python = venv / "bin" / "python"
    python.symlink_to(sys.executable)
    calls = tmp_path / "calls"
    tool = venv / "bin" / "faketool"
    tool.write_text(f"#!{python}\nopen({str(calls)!r}, 'a').write('x')\nprint('faketool 1.2.3')\n")
    tool.chmod(0o755)
    return tool, calls


async def test_a_version_is_asked_once_and_remembered_on_disk(tmp_path: Path) -> None:
    tool, calls = fake_tool(tmp_path)
    remember_tool_versions_in(tmp_path / "memo")
    try:
        assert await tool_version(tool, tmp_path) == "1.2.3"
        _versions._versions.clear()  # a new process: only the disk remembers
        assert await tool_version(tool, tmp_path) == "1.2.3"
        assert calls.read_text() == "x"
        (
            tool.parent.parent / "lib" / "python3.11" / "site-packages" / "faketool-1.2.4.dist-info"
        ).mkdir()
        _versions._versions.clear()  # an upgrade changes the installed packages: ask again
        await tool_version(tool, tmp_path)
        assert calls.read_text() == "xx"
    finally:
        remember_tool_versions_in(None)
