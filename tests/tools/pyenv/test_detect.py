"""Detecting the project's own environment, and what happens when its tools are missing."""

from __future__ import annotations

import asyncio
import os
import subprocess
from pathlib import Path

import pytest

from devora.tools.checks import CheckStatus, MypyCheck, PytestCheck, detect_project
from devora.tools.pyenv import EnvironmentKind, PythonEnvironment, resolve_environment

from .conftest import git_init, write_project

SOURCE_ONLY = {
    "pyproject.toml": """
        [project]
        name = "shelf"
        version = "0.1.0"
        """,
    "src/shelf/__init__.py": "def size() -> int:\n    return 3\n",
    "tests/test_shelf.py": """
        import shelf


        def test_size():
            assert shelf.size() == 3
            assert "/src/shelf/" in shelf.__file__
        """,
}


def _venv(root: Path, uv: Path, *packages: str) -> Path:
    subprocess.run([str(uv), "venv", "-q", str(root / ".venv")], check=True, capture_output=True)
    python = root / ".venv" / "bin" / "python"
    if packages:
        subprocess.run(
            [str(uv), "pip", "install", "-q", "--python", str(python), *packages],
            check=True,
            capture_output=True,
        )
    return python


def _environment(root: Path, cache: Path, **config: object) -> PythonEnvironment:
    profile = detect_project(root)
    return asyncio.run(
        resolve_environment(
            root,
            profile.pyproject,
            cache_dir=cache,
            log=lambda _: None,
            **config,  # type: ignore[arg-type]
        )
    )


def _run(check: PytestCheck | MypyCheck, root: Path, environment: PythonEnvironment):  # type: ignore[no-untyped-def]
    profile = detect_project(root).model_copy(update={"python_env": environment})
    return asyncio.run(check.run(profile))


def test_the_projects_venv_runs_the_tests_from_the_source(tmp_path: Path, uv: Path) -> None:
    root = write_project(tmp_path / "shelf", SOURCE_ONLY)
    python = _venv(root, uv, "pytest", "coverage")
    (root / ".gitignore").write_text(".venv/\n", encoding="utf-8")
    git_init(root)
    environment = _environment(root, tmp_path / "cache")
    assert environment.kind is EnvironmentKind.VENV and environment.python == python
    result = _run(PytestCheck(), root, environment)
    assert result.status is CheckStatus.PASSED, (result.reason, result.output_tail)
    assert str(root / ".venv") in (result.environment or "")
    assert not (tmp_path / "cache").exists()  # nothing was created for it
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=root, capture_output=True, text=True, check=True
    )
    assert status.stdout == ""


def test_a_venv_without_pytest_is_not_run_with_the_install_command(
    tmp_path: Path, uv: Path
) -> None:
    root = write_project(tmp_path / "shelf", SOURCE_ONLY)
    _venv(root, uv)
    (root / "uv.lock").write_text("version = 1\n", encoding="utf-8")
    environment = _environment(root, tmp_path / "cache")
    assert environment.kind is EnvironmentKind.UV
    result = _run(PytestCheck(), root, environment)
    assert result.status is CheckStatus.NOT_RUN
    assert "uv add --dev pytest" in (result.reason or "")


def test_a_venv_without_coverage_runs_the_tests_unmeasured_and_says_so(
    tmp_path: Path, uv: Path
) -> None:
    root = write_project(tmp_path / "shelf", SOURCE_ONLY)
    _venv(root, uv, "pytest")
    environment = _environment(root, tmp_path / "cache")
    result = _run(PytestCheck(), root, environment)
    assert result.status is CheckStatus.PASSED, (result.reason, result.output_tail)
    assert result.metrics["passed"] == 1
    assert "coverage_percent" not in result.metrics
    [note] = [n for n in result.notes if n.startswith("coverage not measured")]
    assert "pip install coverage" in note and str(root / ".venv") in note


def test_mypy_outside_the_environment_sees_its_packages(tmp_path: Path, uv: Path) -> None:
    files = {
        **SOURCE_ONLY,
        "src/shelf/__init__.py": "import six\n\n\ndef size() -> int:\n    return 3\n",
        "pyproject.toml": SOURCE_ONLY["pyproject.toml"] + "\n[tool.mypy]\nstrict = false\n",
    }
    root = write_project(tmp_path / "shelf", files)
    _venv(root, uv, "six", "types-six")
    environment = _environment(root, tmp_path / "cache")
    assert not environment.has("mypy")
    result = _run(MypyCheck(), root, environment)
    assert result.status is CheckStatus.PASSED, [f.message for f in result.findings]
    assert result.environment is not None


@pytest.mark.parametrize(
    ("marker", "text", "tool"),
    [
        ("poetry.lock", "", "poetry"),
        ("hatch.toml", "[envs.default]\n", "hatch"),
        ("pdm.lock", "", "pdm"),
        ("uv.lock", "version = 1\n", "uv"),
    ],
)
def test_a_manager_not_installed_is_said_and_falls_back(
    tmp_path: Path, uv: Path, marker: str, text: str, tool: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_project(tmp_path / "shelf", {**SOURCE_ONLY, marker: text})
    # Only uv's own directory on PATH: poetry, hatch and pdm are not installed there.
    monkeypatch.setenv("PATH", str(uv.parent) + os.pathsep + "/usr/bin:/bin")
    environment = _environment(root, tmp_path / "cache")
    assert environment.kind is EnvironmentKind.ISOLATED and environment.usable
    assert any(tool in note for note in environment.notes), environment.notes


def test_pdm_python_file_names_the_interpreter(tmp_path: Path, uv: Path) -> None:
    root = write_project(tmp_path / "shelf", SOURCE_ONLY)
    python = _venv(root / "envs", uv)
    (root / ".pdm-python").write_text(str(python), encoding="utf-8")
    environment = _environment(root, tmp_path / "cache")
    assert environment.kind is EnvironmentKind.PDM and environment.python == python


def test_a_configured_python_that_does_not_exist_is_not_run(tmp_path: Path) -> None:
    root = write_project(tmp_path / "shelf", SOURCE_ONLY)
    environment = _environment(root, tmp_path / "cache", python="nope/bin/python")
    assert not environment.usable and "nope/bin/python" in (environment.problem or "")
    result = _run(PytestCheck(), root, environment)
    assert result.status is CheckStatus.NOT_RUN and "nope/bin/python" in (result.reason or "")
