"""What a project is made of: its languages, its files, and which check tools are installed."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import tomllib
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from devora.tools.checks._errors import NotAProjectError, ProjectConfigError, ProjectNotFoundError
from devora.tools.pyenv import PythonEnvironment

__all__ = [
    "JS_TOOLS",
    "PYTHON_TOOLS",
    "Language",
    "ProjectProfile",
    "default_search_path",
    "detect_project",
]

PYTHON_TOOLS = ("ruff", "mypy", "pytest", "coverage", "bandit", "pip-audit")
JS_TOOLS = ("eslint", "tsc", "prettier")
_NODE_TOOLS = ("node", "npm")

_PYTHON_MARKERS = ("pyproject.toml", "setup.cfg", "setup.py", "requirements.txt")
_JS_MARKERS = ("package.json",)
_TS_MARKERS = ("tsconfig.json",)
_LOCK_FILES = {
    "package-lock.json": "npm",
    "npm-shrinkwrap.json": "npm",
    "yarn.lock": "yarn",
    "pnpm-lock.yaml": "pnpm",
    "bun.lockb": "bun",
    "uv.lock": "uv",
    "poetry.lock": "poetry",
    "Pipfile.lock": "pipenv",
    "pdm.lock": "pdm",
}
_BUILD_DIRS = ("dist", "build", "out")
# What `npm init` writes when there is no test script; running it only proves npm works.
_NPM_PLACEHOLDER_TEST = 'echo "Error: no test specified" && exit 1'
_TOML_LINE = re.compile(r"at line (\d+)")


class Language(StrEnum):
    """A language a project is written in."""

    PYTHON = "python"
    JAVASCRIPT = "javascript"
    TYPESCRIPT = "typescript"


class ProjectProfile(BaseModel):
    """The detected shape of a project: what the quality gate can check there, and with what."""

    model_config = ConfigDict(frozen=True)

    root: Path = Field(description="absolute path of the project")
    languages: frozenset[Language]
    markers: tuple[str, ...] = Field(description="the project files found at the root")
    lock_files: tuple[str, ...] = ()
    package_managers: tuple[str, ...] = Field(default=(), description="from the lock files")
    python_venv: Path | None = Field(default=None, description="the project's .venv (or venv)")
    python_env: PythonEnvironment | None = Field(
        default=None, description="where pytest and mypy run (resolved by the gate's detect)"
    )
    test_script: str | None = Field(default=None, description="package.json scripts.test")
    build_script: str | None = Field(default=None, description="package.json scripts.build")
    build_dir: str | None = Field(default=None, description="where the build writes, if found")
    tools: dict[str, Path] = Field(
        default_factory=dict, description="installed tools (of those the checks use) by name"
    )
    pyproject: dict[str, Any] = Field(default_factory=dict, description="parsed pyproject.toml")

    def has(self, language: Language) -> bool:
        """True when the project uses the language."""
        return language in self.languages

    def tool(self, name: str) -> Path | None:
        """The executable of an installed tool, or None."""
        return self.tools.get(name)

    def missing_tools(self) -> tuple[str, ...]:
        """The tools the checks for this project's languages would use but cannot find."""
        wanted: list[str] = []
        if self.has(Language.PYTHON):
            wanted += PYTHON_TOOLS
        if self.has(Language.JAVASCRIPT):
            wanted += (*JS_TOOLS, *_NODE_TOOLS)
        return tuple(name for name in wanted if name not in self.tools)


def detect_project(root: Path, *, search_path: str | None = None) -> ProjectProfile:
    """Detect the languages, files and installed tools of the project at root.

    Python tools are looked up in the project's .venv/bin (or venv/bin) first, then on
    search_path; by default that is the PATH followed by the bin directory of the Python
    running Devora (where `pip install devora[checks]` put them). JavaScript tools are looked
    up only in the project's node_modules/.bin; node and npm on search_path.
    """
    if search_path is None:
        search_path = default_search_path()
    if not root.exists():
        raise ProjectNotFoundError(root)
    if not root.is_dir():
        raise ProjectNotFoundError(root, "is not a directory")
    root = root.resolve()
    markers = tuple(
        name for name in (*_PYTHON_MARKERS, *_JS_MARKERS, *_TS_MARKERS) if (root / name).is_file()
    )
    if not markers:
        raise NotAProjectError(root, (*_PYTHON_MARKERS, *_JS_MARKERS, *_TS_MARKERS))

    pyproject = _read_pyproject(root / "pyproject.toml")
    package = _read_package_json(root / "package.json")
    languages: set[Language] = set()
    if any(name in markers for name in _PYTHON_MARKERS):
        languages.add(Language.PYTHON)
    if "package.json" in markers:
        languages.add(Language.JAVASCRIPT)
    if "tsconfig.json" in markers or "typescript" in _dependencies(package):
        languages.update((Language.TYPESCRIPT, Language.JAVASCRIPT))

    lock_files = tuple(name for name in _LOCK_FILES if (root / name).is_file())
    python_venv = next(
        (root / name for name in (".venv", "venv") if (root / name / "bin" / "python").exists()),
        None,
    )
    scripts = package.get("scripts") if isinstance(package.get("scripts"), dict) else {}
    assert isinstance(scripts, dict)
    test_script = scripts.get("test")
    if not isinstance(test_script, str) or test_script.strip() == _NPM_PLACEHOLDER_TEST:
        test_script = None
    build_script = scripts.get("build") if isinstance(scripts.get("build"), str) else None

    return ProjectProfile(
        root=root,
        languages=frozenset(languages),
        markers=markers,
        lock_files=lock_files,
        package_managers=tuple(dict.fromkeys(_LOCK_FILES[name] for name in lock_files)),
        python_venv=python_venv,
        test_script=test_script,
        build_script=build_script,
        build_dir=next((name for name in _BUILD_DIRS if (root / name).is_dir()), None),
        tools=_find_tools(root, languages, python_venv, search_path),
        pyproject=pyproject,
    )


def default_search_path() -> str:
    """The PATH, then the bin directory of the Python running Devora."""
    own_bin = str(Path(sys.executable).parent)
    entries = os.environ.get("PATH", "").split(os.pathsep)
    return os.pathsep.join([*entries, own_bin] if own_bin not in entries else entries)


def _find_tools(
    root: Path, languages: set[Language], venv: Path | None, search_path: str
) -> dict[str, Path]:
    found: dict[str, Path] = {}
    if Language.PYTHON in languages:
        for name in PYTHON_TOOLS:
            location = _python_tool(name, venv, search_path)
            if location is not None:
                found[name] = location
    if Language.JAVASCRIPT in languages:
        bin_dir = root / "node_modules" / ".bin"
        for name in JS_TOOLS:
            candidate = bin_dir / name
            if candidate.is_file():
                found[name] = candidate
        for name in _NODE_TOOLS:
            on_path = shutil.which(name, path=search_path)
            if on_path is not None:
                found[name] = Path(on_path)
    return found


def _python_tool(name: str, venv: Path | None, search_path: str) -> Path | None:
    if venv is not None:
        candidate = venv / "bin" / name
        if candidate.is_file():
            return candidate
    found = shutil.which(name, path=search_path)
    return Path(found) if found is not None else None


def _read_pyproject(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        match = _TOML_LINE.search(str(error))
        raise ProjectConfigError(
            path, str(error), line=int(match.group(1)) if match else None
        ) from error
    except UnicodeDecodeError as error:
        raise ProjectConfigError(path, f"not UTF-8 text ({error.reason})") from error


def _read_package_json(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ProjectConfigError(path, error.msg, line=error.lineno) from error
    except UnicodeDecodeError as error:
        raise ProjectConfigError(path, f"not UTF-8 text ({error.reason})") from error
    if not isinstance(data, dict):
        raise ProjectConfigError(path, "the top level is not a JSON object")
    return data


def _dependencies(package: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for key in ("dependencies", "devDependencies"):
        section = package.get(key)
        if isinstance(section, dict):
            names.update(section)
    return names
