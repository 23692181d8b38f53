"""Bandit follows the project's own [tool.bandit] settings (skips, excludes)."""

from __future__ import annotations

from pathlib import Path

from devora.tools.checks import BanditCheck, detect_project

SOURCE = 'PASSWORD = "hunter2"\n'


def project(root: Path, pyproject: str) -> Path:
    (root / "src" / "app").mkdir(parents=True)
    (root / "src" / "app" / "__init__.py").write_text(SOURCE)
    (root / "pyproject.toml").write_text('[project]\nname = "app"\nversion = "1"\n' + pyproject)
    return root


async def test_a_hard_coded_password_is_found(tmp_path: Path, tool_path: str) -> None:
    result = await BanditCheck().run(detect_project(project(tmp_path, ""), search_path=tool_path))
    assert [f.rule for f in result.findings] == ["B105"]


async def test_tool_bandit_skips_are_honoured(tmp_path: Path, tool_path: str) -> None:
    root = project(tmp_path, '[tool.bandit]\nskips = ["B105"]\n')
    result = await BanditCheck().run(detect_project(root, search_path=tool_path))
    assert result.status.value == "passed" and result.findings == ()
