"""What an isolated environment holds: the project, its test extras, groups and requirement files.

Only what the project declares is read; pytest and coverage are added so the checks can run
(a version the project pins still wins: the resolver satisfies both).
"""

from __future__ import annotations

import configparser
import contextlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["InstallPlan", "plan_install"]

TEST_NAMES = ("test", "tests", "testing", "dev")
CHECK_PACKAGES = ("pytest", "coverage")
_PACKAGING_FILES = ("pyproject.toml", "setup.cfg", "setup.py")
_REQUIREMENT_PATTERNS = (
    "requirements.txt",
    "requirements-dev.txt",
    "requirements*test*.txt",
    # A requirements/ folder (pip-compile-multi, the Pallets projects): its test files.
    "requirements/*test*.txt",
    "requirements/*test*.in",
)
_NORMAL = re.compile(r"[-_.]+")


@dataclass(frozen=True)
class InstallPlan:
    """What `uv pip install` is asked for, and the files whose contents decide it."""

    project: bool
    extras: tuple[str, ...]
    groups: tuple[str, ...]
    requirement_files: tuple[str, ...]
    packages: tuple[str, ...] = CHECK_PACKAGES

    @property
    def inputs(self) -> tuple[str, ...]:
        """The project files an environment built from this plan depends on."""
        return (*_PACKAGING_FILES, *self.requirement_files)

    def describe(self) -> str:
        """One line: what goes in, e.g. `the project[test], group dev, pytest, coverage`."""
        parts = []
        if self.project:
            parts.append("the project" + (f"[{','.join(self.extras)}]" if self.extras else ""))
        parts += [f"group {group}" for group in self.groups]
        parts += list(self.requirement_files)
        return ", ".join([*parts, *self.packages])


def plan_install(root: Path, pyproject: dict[str, Any]) -> InstallPlan:
    """What the project needs for its tests, read from its packaging and requirement files."""
    project = pyproject.get("project")
    project = project if isinstance(project, dict) else {}
    setup_cfg = _read_setup_cfg(root / "setup.cfg")
    installable = (
        bool(project) or (root / "setup.py").is_file() or setup_cfg.has_section("metadata")
    )
    if "build-system" in pyproject and isinstance(pyproject.get("tool"), dict):
        installable = installable or "poetry" in pyproject["tool"]
    extras: list[str] = []
    declared = project.get("optional-dependencies")
    if isinstance(declared, dict):
        extras += [name for name in declared if _normal(name) in TEST_NAMES]
    if setup_cfg.has_section("options.extras_require"):
        names = setup_cfg.options("options.extras_require")
        extras += [name for name in names if _normal(name) in TEST_NAMES]
    groups = pyproject.get("dependency-groups")
    files = sorted(
        {
            path.relative_to(root).as_posix()
            for pattern in _REQUIREMENT_PATTERNS
            for path in root.glob(pattern)
            if path.is_file()
        }
    )
    # A compiled requirements/tests.txt pins what tests.in asks for: take the pins only.
    files = [name for name in files if not _has_compiled_twin(root, name)]
    return InstallPlan(
        project=installable,
        extras=tuple(dict.fromkeys(extras)) if installable else (),
        groups=tuple(g for g in groups if _normal(g) in TEST_NAMES)
        if isinstance(groups, dict)
        else (),
        requirement_files=tuple(files),
    )


def _has_compiled_twin(root: Path, name: str) -> bool:
    return name.endswith(".in") and (root / name).with_suffix(".txt").is_file()


def _normal(name: str) -> str:
    return _NORMAL.sub("-", name).lower()


def _read_setup_cfg(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None)
    if path.is_file():
        # A setup.cfg that cannot be read: the build will say what is wrong with it.
        with contextlib.suppress(configparser.Error, UnicodeDecodeError):
            parser.read(path, encoding="utf-8")
    return parser
