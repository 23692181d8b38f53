"""detect_project: languages, files and installed tools, and the clear errors on bad paths."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

from devora.errors import UsageError
from devora.tools.checks import (
    Language,
    NotAProjectError,
    ProjectConfigError,
    ProjectNotFoundError,
    default_search_path,
    detect_project,
)

from .conftest import PYTHON_EXAMPLE, write_tool


def test_python_example_is_python_with_its_tools(tool_path: str) -> None:
    profile = detect_project(PYTHON_EXAMPLE, search_path=tool_path)
    assert profile.languages == {Language.PYTHON}
    assert profile.markers == ("pyproject.toml",)
    assert profile.root == PYTHON_EXAMPLE.resolve()
    assert profile.pyproject["project"]["name"] == "inventory-example"
    for tool in ("ruff", "mypy", "pytest", "coverage", "bandit", "pip-audit"):
        location = profile.tool(tool)
        assert location is not None and location.name == tool
    assert profile.missing_tools() == ()


def test_typescript_example_finds_node_modules_tools(ts_project: Path, tool_path: str) -> None:
    profile = detect_project(ts_project, search_path=tool_path)
    assert profile.languages == {Language.JAVASCRIPT, Language.TYPESCRIPT}
    assert set(profile.markers) == {"package.json", "tsconfig.json"}
    assert profile.lock_files == ("package-lock.json",)
    assert profile.package_managers == ("npm",)
    assert profile.test_script is not None and "node --test" in profile.test_script
    assert profile.build_script == "tsc"
    assert profile.build_dir is None  # nothing built yet
    for tool in ("eslint", "tsc", "prettier"):
        location = profile.tool(tool)
        assert location is not None
        assert location.parent == ts_project.resolve() / "node_modules" / ".bin"
    assert profile.tool("node") is not None and profile.tool("npm") is not None
    assert profile.tool("ruff") is None  # Python tools are not looked for in a JS project


def test_project_venv_comes_before_the_path(tmp_path: Path, tool_path: str) -> None:
    (tmp_path / "setup.py").write_text("from setuptools import setup\nsetup()\n")
    own_ruff = write_tool(tmp_path / ".venv" / "bin", "ruff", "exit 0")
    (tmp_path / ".venv" / "bin" / "python").symlink_to(sys.executable)
    profile = detect_project(tmp_path, search_path=tool_path)
    assert profile.python_venv == tmp_path.resolve() / ".venv"
    assert profile.tool("ruff") == tmp_path.resolve() / ".venv" / "bin" / "ruff"
    assert own_ruff.is_file()
    venv_mypy = Path(tool_path.split(os.pathsep)[0]) / "mypy"
    assert profile.tool("mypy") == venv_mypy  # not in the project's .venv: found on the PATH


def test_tools_not_installed_are_missing(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("requests\n")
    (tmp_path / "package.json").write_text(json.dumps({"name": "x"}))
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    profile = detect_project(tmp_path, search_path=str(empty))
    assert profile.tools == {}
    assert set(profile.missing_tools()) == {
        "ruff",
        "mypy",
        "pytest",
        "coverage",
        "bandit",
        "pip-audit",
        "eslint",
        "tsc",
        "prettier",
        "node",
        "npm",
    }


def test_js_project_details(tmp_path: Path) -> None:
    package = {
        "name": "app",
        "scripts": {"test": 'echo "Error: no test specified" && exit 1', "build": "vite build"},
        "devDependencies": {"typescript": "^5"},
    }
    (tmp_path / "package.json").write_text(json.dumps(package))
    (tmp_path / "yarn.lock").write_text("")
    (tmp_path / "build").mkdir()
    profile = detect_project(tmp_path, search_path="")
    assert profile.has(Language.TYPESCRIPT)  # typescript in the dependencies, no tsconfig
    assert profile.test_script is None  # npm init's placeholder is no test script
    assert profile.build_script == "vite build"
    assert profile.build_dir == "build"
    assert profile.package_managers == ("yarn",)


def test_missing_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ProjectNotFoundError) as caught:
        detect_project(tmp_path / "nowhere")
    assert "does not exist" in caught.value.message
    assert caught.value.hint and "pyproject.toml" in caught.value.hint
    assert isinstance(caught.value, UsageError)


def test_a_file_is_not_a_project_path(tmp_path: Path) -> None:
    file = tmp_path / "pyproject.toml"
    file.write_text("")
    with pytest.raises(ProjectNotFoundError, match="is not a directory"):
        detect_project(file)


def test_directory_without_project_files_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(NotAProjectError) as caught:
        detect_project(tmp_path)
    assert "pyproject.toml" in caught.value.message and "package.json" in caught.value.message
    assert caught.value.hint


def test_broken_pyproject_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\nversion = \n')
    with pytest.raises(ProjectConfigError) as caught:
        detect_project(tmp_path)
    assert caught.value.line == 3
    assert f"{tmp_path.resolve() / 'pyproject.toml'}:3" in caught.value.message
    assert caught.value.hint and "line 3" in caught.value.hint


def test_broken_package_json_names_the_line(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text('{\n  "name": "x",\n  "scripts": {,}\n}\n')
    with pytest.raises(ProjectConfigError) as caught:
        detect_project(tmp_path)
    assert caught.value.line == 3
    assert "package.json:3" in caught.value.message


def test_package_json_must_be_an_object(tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text("[1, 2]")
    with pytest.raises(ProjectConfigError, match="not a JSON object"):
        detect_project(tmp_path)


def test_default_search_path_ends_with_devoras_own_bin(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nowhere")
    assert default_search_path() == os.pathsep.join(["/nowhere", str(Path(sys.executable).parent)])
    profile = detect_project(PYTHON_EXAMPLE)  # the tools of Devora's own environment
    assert profile.tool("ruff") == Path(sys.executable).parent / "ruff"
