"""Fingerprints for caching: a check's result may be reused while its fingerprint is unchanged.

A fingerprint covers what a check's result depends on: the project's files (content, not
timestamps), the check's name, the tool's executable and version, and the packages installed
in the project's own virtualenv. Files git ignores (or, outside git, the usual build, cache
and dependency directories) are left out; node_modules is covered by the lock file and the
tool's version.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections.abc import Iterator
from pathlib import Path

from devora.errors import DevoraError
from devora.tools.checks._base import Check
from devora.tools.checks._profile import ProjectProfile
from devora.tools.checks._versions import tool_version
from devora.tools.git import run_git, split_nul

__all__ = ["check_fingerprint", "project_files", "tree_fingerprint"]

_SKIPPED_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", "node_modules", "__pycache__", ".mypy_cache",
        ".ruff_cache", ".pytest_cache", ".tox", ".nox", "dist", "build", "out", ".devora",
        ".coverage", "htmlcov", ".next", ".cache",
    }
)  # fmt: skip


_GENERATED_DIRS = frozenset(
    {"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache", ".hypothesis", ".tox", ".nox"}
)


async def project_files(root: Path) -> list[str]:
    """The project's files, relative and sorted: git's view (tracked + untracked, not ignored),
    less what the tools themselves write (bytecode, tool caches, coverage data)."""
    try:
        listed = await run_git(
            root, ["ls-files", "-z", "--cached", "--others", "--exclude-standard"], check=False
        )
    except (OSError, DevoraError):  # no git, no such directory, git too slow
        listed = None
    if listed is not None and listed.returncode == 0:
        names = set(split_nul(listed.stdout))
        return sorted(n for n in names if not _generated(n) and (root / n).is_file())
    return sorted(_walk(root))


def _generated(name: str) -> bool:
    # What running the tools writes (bytecode, their caches), even in a project without a
    # .gitignore: counting it would make every run see a changed tree.
    parts = name.split("/")
    return (
        any(part in _GENERATED_DIRS for part in parts[:-1])
        or name.endswith((".pyc", ".pyo"))
        or parts[-1] == ".coverage"
        or parts[-1].startswith(".coverage.")
    )


async def tree_fingerprint(root: Path) -> str:
    """A sha256 over the project's file names and contents."""
    names = await project_files(root)
    return await asyncio.to_thread(_digest_files, root, names)


async def check_fingerprint(check: Check, profile: ProjectProfile) -> str:
    """A sha256 over the tree, the check, its tool (path and version) and the project venv."""
    digest = hashlib.sha256()
    executable = profile.tool(check.tool)
    version = await tool_version(executable, profile.root) if executable else None
    for part in (check.name, check.tool, str(executable), str(version)):
        digest.update(part.encode())
        digest.update(b"\0")
    for name in _installed_packages(profile.python_venv):
        digest.update(name.encode())
        digest.update(b"\0")
    digest.update((await tree_fingerprint(profile.root)).encode())
    return digest.hexdigest()


def _walk(root: Path) -> Iterator[str]:
    for directory, subdirs, files in os.walk(root):
        subdirs[:] = [name for name in subdirs if name not in _SKIPPED_DIRS]
        for name in files:
            yield (Path(directory) / name).relative_to(root).as_posix()


def _digest_files(root: Path, names: list[str]) -> str:
    digest = hashlib.sha256()
    for name in names:
        digest.update(name.encode())
        digest.update(b"\0")
        digest.update(_file_digest(root / name))
    return digest.hexdigest()


def _file_digest(path: Path) -> bytes:
    try:
        return hashlib.sha256(path.read_bytes()).digest()
    except OSError:
        return b"unreadable"


def _installed_packages(venv: Path | None) -> list[str]:
    # dist-info directory names carry the name and version of every installed package.
    if venv is None:
        return []
    return sorted(path.name for path in venv.glob("lib/python*/site-packages/*.dist-info"))
