"""The Python checks run the real tools on the example project and on small fixtures."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from devora.tools import Level
from devora.tools.checks import (
    BanditCheck,
    CheckStatus,
    MypyCheck,
    PytestCheck,
    RuffCheck,
    RuffFormatCheck,
    detect_project,
)


def _tool(tool_path: str, name: str) -> str:
    return str(Path(tool_path.split(":")[0]) / name)


def _run(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


@pytest.fixture
def clean_project(tmp_path: Path) -> Path:
    """A tiny Python project with nothing wrong in it."""
    root = tmp_path / "clean"
    (root / "src" / "tidy").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "tidy"\nversion = "1.0"\n\n'
        '[tool.pytest.ini_options]\npythonpath = ["src"]\n'
    )
    (root / "src" / "tidy" / "__init__.py").write_text(
        '"""Tidy."""\n\n\ndef double(value: int) -> int:\n    """Twice the value."""\n'
        "    return value * 2\n"
    )
    (root / "tests" / "test_tidy.py").write_text(
        "from tidy import double\n\n\ndef test_double() -> None:\n    assert double(2) == 4\n"
    )
    return root


async def test_ruff_check_finds_the_documented_lint_errors(
    python_project: Path, tool_path: str
) -> None:
    result = await RuffCheck().run(detect_project(python_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert result.tool == "ruff" and result.tool_version and result.exit_code == 1
    found = sorted((f.rule, f.file, f.line, f.fixable) for f in result.findings)
    assert found == [
        ("B006", "src/inventory/stock.py", 42, False),
        ("E741", "src/inventory/stock.py", 44, False),
        ("F401", "src/inventory/stock.py", 5, True),
        ("F401", "src/inventory/stock.py", 6, True),
        ("F841", "src/inventory/stock.py", 45, False),
    ]
    assert all(f.level is Level.ERROR and f.tool == "ruff" for f in result.findings)


async def test_ruff_counts_equal_ruffs_own(python_project: Path, tool_path: str) -> None:
    result = await RuffCheck().run(detect_project(python_project, search_path=tool_path))
    ruff = _tool(tool_path, "ruff")
    as_json = _run([ruff, "check", "--output-format", "json", "--no-cache", "."], python_project)
    assert len(result.findings) == len(json.loads(as_json.stdout))
    as_text = _run([ruff, "check", "--no-cache", "."], python_project)
    summary = re.search(r"Found (\d+) errors?\.", as_text.stdout)
    assert summary is not None and len(result.findings) == int(summary.group(1))


async def test_ruff_format_lists_each_file_to_reformat(
    python_project: Path, tool_path: str
) -> None:
    # A second file with two separate hunks is still one finding: one per file.
    (python_project / "src" / "inventory" / "extra.py").write_text(
        "x = [ 1,2 ]\n\n\n\n\ny = { 'a':1 }\n"
    )
    result = await RuffFormatCheck().run(detect_project(python_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert sorted(f.file for f in result.findings) == [
        "src/inventory/extra.py",
        "src/inventory/report.py",
    ]
    assert all(f.fixable and f.rule == "format" for f in result.findings)
    text = _run([_tool(tool_path, "ruff"), "format", "--check", "--no-cache", "."], python_project)
    summary = re.search(r"(\d+) files? would be reformatted", text.stdout + text.stderr)
    assert summary is not None and len(result.findings) == int(summary.group(1))


async def test_mypy_finds_the_type_error_and_matches_its_summary(
    python_project: Path, tool_path: str
) -> None:
    result = await MypyCheck().run(detect_project(python_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert [(f.rule, f.file, f.line, f.column) for f in result.findings] == [
        ("assignment", "src/inventory/stock.py", 38, 18)
    ]
    text = _run([_tool(tool_path, "mypy"), "--cache-dir", "/dev/null"], python_project)
    summary = re.search(r"Found (\d+) errors? in", text.stdout)
    assert summary is not None
    assert result.count(Level.ERROR) == int(summary.group(1))


async def test_mypy_counts_match_on_a_fixture_with_notes(tmp_path: Path, tool_path: str) -> None:
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "mod.py").write_text(
        "import not_a_module_anywhere\n"
        "reveal_type(1)\n"
        "def f(a: int) -> str:\n    return a\n"
        "x: int = f(1)\n"
    )
    result = await MypyCheck().run(detect_project(tmp_path, search_path=tool_path))
    text = _run([_tool(tool_path, "mypy"), "--cache-dir", "/dev/null", "."], tmp_path)
    summary = re.search(r"Found (\d+) errors? in", text.stdout)
    assert summary is not None and result.count(Level.ERROR) == int(summary.group(1)) == 3
    notes = [f for f in result.findings if f.level is Level.INFO]
    assert [(f.line, f.message) for f in notes] == [(2, 'Revealed type is "Literal[1]?"')]
    import_error = next(f for f in result.findings if f.rule == "import-not-found")
    assert "missing-imports" in import_error.message  # mypy's hint is kept


async def test_pytest_reports_the_failing_test_and_coverage(
    python_project: Path, tool_path: str
) -> None:
    result = await PytestCheck().run(detect_project(python_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert [(f.rule, f.file, f.line) for f in result.findings] == [
        ("test-failure", "tests/test_stock.py", 19)
    ]
    assert "test_cheapest" in result.findings[0].message
    assert "'book' == 'pen'" in result.findings[0].message
    assert result.metrics["tests"] == 4 and result.metrics["failures"] == 1
    assert 0 < result.metrics["coverage_percent"] < 100
    # Checking wrote nothing into the project: no .coverage, no cache, no junit.
    assert not (python_project / ".coverage").exists()
    assert not (python_project / ".pytest_cache").exists()


async def test_pytest_counts_equal_pytests_own(python_project: Path, tool_path: str) -> None:
    result = await PytestCheck().run(detect_project(python_project, search_path=tool_path))
    text = _run([_tool(tool_path, "pytest"), "-p", "no:cacheprovider"], python_project)
    summary = re.search(r"(\d+) failed, (\d+) passed", text.stdout)
    assert summary is not None
    assert len(result.findings) == int(summary.group(1))
    assert result.metrics["tests"] == int(summary.group(1)) + int(summary.group(2))


async def test_pytest_collection_error_is_a_crash(clean_project: Path, tool_path: str) -> None:
    # Exit 2: pytest was interrupted before running anything; no test result is true.
    (clean_project / "tests" / "test_broken.py").write_text("import not_a_module_anywhere\n")
    result = await PytestCheck().run(detect_project(clean_project, search_path=tool_path))
    assert result.status is CheckStatus.CRASHED and result.exit_code == 2
    assert result.reason is not None and "interrupted" in result.reason
    assert result.output_tail is not None and "not_a_module_anywhere" in result.output_tail


async def test_pytest_without_tests_is_not_run(clean_project: Path, tool_path: str) -> None:
    (clean_project / "tests" / "test_tidy.py").unlink()
    result = await PytestCheck().run(detect_project(clean_project, search_path=tool_path))
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason == "not run: pytest collected no tests"


async def test_bandit_finds_the_hard_coded_password(python_project: Path, tool_path: str) -> None:
    result = await BanditCheck().run(detect_project(python_project, search_path=tool_path))
    assert result.status is CheckStatus.FAILED
    assert [(f.rule, f.file, f.line, f.severity) for f in result.findings] == [
        ("B105", "src/inventory/settings.py", 6, "LOW")
    ]
    assert "hunter2" in result.findings[0].message
    bandit = [_tool(tool_path, "bandit"), "-f", "json", "-q", "-r", "src"]
    report = json.loads(_run(bandit, python_project).stdout)
    totals = report["metrics"]["_totals"]
    assert len(result.findings) == sum(totals[f"SEVERITY.{s}"] for s in ("LOW", "MEDIUM", "HIGH"))


async def test_bandit_severity_maps_to_levels(tmp_path: Path, tool_path: str) -> None:
    (tmp_path / "setup.py").write_text("")
    (tmp_path / "app.py").write_text(
        "import subprocess\n\n\ndef run(cmd):\n    subprocess.call(cmd, shell=True)\n"
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_app.py").write_text("assert True\n")  # excluded: tests
    result = await BanditCheck().run(detect_project(tmp_path, search_path=tool_path))
    by_rule = {f.rule: f for f in result.findings}
    assert by_rule["B602"].severity == "HIGH" and by_rule["B602"].level is Level.ERROR
    assert by_rule["B404"].level is Level.INFO
    assert all(f.file == "app.py" for f in result.findings)


@pytest.mark.parametrize("check", [RuffCheck, RuffFormatCheck, MypyCheck, PytestCheck, BanditCheck])
async def test_clean_project_passes(check: type, clean_project: Path, tool_path: str) -> None:
    result = await check().run(detect_project(clean_project, search_path=tool_path))
    assert result.status is CheckStatus.PASSED, result
    assert result.findings == () and result.reason is None


async def test_mypy_sees_packages_of_the_projects_own_venv(tmp_path: Path, tool_path: str) -> None:
    root = tmp_path / "p"
    root.mkdir()
    (root / "setup.py").write_text("")
    (root / "app.py").write_text("from venvonly import VALUE\n\nx: str = VALUE\n")
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root / ".venv")], check=True)
    lib = next((root / ".venv" / "lib").glob("python3*")) / "site-packages" / "venvonly"
    lib.mkdir(parents=True)
    (lib / "__init__.py").write_text("VALUE: int = 1\n")
    (lib / "py.typed").write_text("")
    # The .venv has no mypy: the one on the PATH runs, told to use the project's interpreter.
    result = await MypyCheck().run(detect_project(root, search_path=tool_path))
    assert [(f.rule, f.line) for f in result.findings] == [("assignment", 3)]


async def test_pytest_combines_parallel_coverage_data(clean_project: Path, tool_path: str) -> None:
    pyproject = clean_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.coverage.run]\nparallel = true\n")
    result = await PytestCheck().run(detect_project(clean_project, search_path=tool_path))
    assert result.status is CheckStatus.PASSED
    assert result.metrics["coverage_percent"] == 100.0


async def test_parallel_coverage_in_the_projects_environment_is_combined_in_one_process(
    clean_project: Path, tool_path: str
) -> None:
    from devora.tools.pyenv import EnvironmentKind, describe_interpreter

    pyproject = clean_project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "\n[tool.coverage.run]\nparallel = true\n")
    module = clean_project / "src" / "tidy" / "__init__.py"
    module.write_text(module.read_text() + "\n\ndef never(value: int) -> int:\n    return -value\n")
    profile = detect_project(clean_project, search_path=tool_path)
    with_script = await PytestCheck().run(profile)  # coverage's script: combine, then json
    environment = await describe_interpreter(
        EnvironmentKind.CONFIGURED, Path(sys.executable), clean_project
    )
    assert environment.usable and environment.has("coverage")
    in_environment = profile.model_copy(update={"python_env": environment})
    with_module = await PytestCheck().run(in_environment)  # python -c: both in one process
    assert with_module.status is CheckStatus.PASSED, with_module.notes
    assert with_module.metrics["coverage_percent"] == with_script.metrics["coverage_percent"]
    assert 0 < with_module.metrics["coverage_percent"] < 100
