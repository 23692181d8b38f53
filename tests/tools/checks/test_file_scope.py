"""File-level checks asked about some files only (what the incremental gate re-checks)."""

from __future__ import annotations

from pathlib import Path

from devora.tools.checks import (
    BanditCheck,
    CheckStatus,
    EslintCheck,
    PrettierCheck,
    RuffCheck,
    RuffFormatCheck,
    detect_project,
)


def _found(result_findings: tuple[object, ...]) -> list[tuple[str, str | None]]:
    return sorted((f.rule, f.file) for f in result_findings)  # type: ignore[attr-defined]


async def test_ruff_on_some_files_reports_what_the_whole_run_reports_for_them(
    python_project: Path, tool_path: str
) -> None:
    (python_project / "src" / "inventory" / "extra.py").write_text("import os\n", encoding="utf-8")
    profile = detect_project(python_project, search_path=tool_path)
    whole = await RuffCheck().run(profile)
    some = await RuffCheck(only=["src/inventory/extra.py", "README.md"]).run(profile)
    assert some.status is CheckStatus.FAILED
    assert _found(some.findings) == [("F401", "src/inventory/extra.py")]
    assert [f for f in whole.findings if f.file == "src/inventory/extra.py"] == list(some.findings)


async def test_files_the_config_excludes_stay_excluded(
    python_project: Path, tool_path: str
) -> None:
    pyproject = python_project / "pyproject.toml"
    text = pyproject.read_text(encoding="utf-8")
    pyproject.write_text(
        text.replace('src = ["src"]', 'src = ["src"]\nextend-exclude = ["legacy"]'), "utf-8"
    )
    (python_project / "legacy").mkdir()
    (python_project / "legacy" / "old.py").write_text("import os\n", encoding="utf-8")
    profile = detect_project(python_project, search_path=tool_path)
    for check in (RuffCheck(only=["legacy/old.py"]), RuffFormatCheck(only=["legacy/old.py"])):
        result = await check.run(profile)
        assert result.status is CheckStatus.PASSED and result.findings == (), result.reason


async def test_no_file_for_the_tool_means_it_is_not_started(
    python_project: Path, tool_path: str
) -> None:
    profile = detect_project(python_project, search_path=tool_path)
    for check in (RuffCheck(only=["README.md"]), BanditCheck(only=["tests/test_stock.py"])):
        result = await check.run(profile)
        assert result.status is CheckStatus.PASSED and result.exit_code is None


async def test_ruff_format_and_bandit_on_the_changed_file(
    python_project: Path, tool_path: str
) -> None:
    profile = detect_project(python_project, search_path=tool_path)
    report = ["src/inventory/report.py"]
    assert _found((await RuffFormatCheck(only=report).run(profile)).findings) == [
        ("format", "src/inventory/report.py")
    ]
    settings = ["src/inventory/settings.py", "src/inventory/report.py"]
    bandit = await BanditCheck(only=settings).run(profile)
    assert _found(bandit.findings) == [("B105", "src/inventory/settings.py")]


async def test_eslint_and_prettier_on_some_files(ts_project: Path, tool_path: str) -> None:
    profile = detect_project(ts_project, search_path=tool_path)
    for check_type in (EslintCheck, PrettierCheck):
        whole = await check_type().run(profile)
        files = sorted({f.file for f in whole.findings if f.file})
        assert files, f"{check_type.name} found nothing to compare"
        some = await check_type(only=[files[0], "README.md", "node_modules/x.js"]).run(profile)
        assert some.status is CheckStatus.FAILED, some.reason
        expected = [f for f in whole.findings if f.file == files[0]]
        assert sorted(some.findings, key=repr) == sorted(expected, key=repr)
