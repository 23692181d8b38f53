"""Files whose change invalidates every earlier result: dependencies and tool configuration."""

from __future__ import annotations

import fnmatch
import posixpath

__all__ = ["configuration_files"]

# What the tools read besides the code: project metadata, lock files, tools' settings,
# pytest's conftest.py files (fixtures and hooks for every test below them).
_PATTERNS = (
    "pyproject.toml", "setup.cfg", "setup.py", "tox.ini", "pytest.ini", ".coveragerc",
    "mypy.ini", ".mypy.ini", "ruff.toml", ".ruff.toml", ".bandit", "devora.toml",
    "conftest.py", "requirements*.txt", "requirements*.in", "constraints*.txt",
    "uv.lock", "poetry.lock", "Pipfile", "Pipfile.lock", "pdm.lock",
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml",
    "bun.lockb", "tsconfig*.json", "eslint.config.*", ".eslintrc*", ".eslintignore",
    ".prettierrc*", "prettier.config.*", ".prettierignore", ".editorconfig", ".gitignore",
)  # fmt: skip
_FOLDERS = ("requirements/",)


def configuration_files(names: list[str]) -> list[str]:
    """Those of the named files (relative, POSIX) that configure tools or pin dependencies."""
    return [
        name
        for name in names
        if name.startswith(_FOLDERS)
        or any(fnmatch.fnmatchcase(posixpath.basename(name), p) for p in _PATTERNS)
    ]
