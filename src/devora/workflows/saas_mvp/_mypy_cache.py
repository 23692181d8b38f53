"""mypy's cache, warmed once per template and environment and shared by generated projects.

The quality gate keeps mypy's incremental cache per project and environment, so a newly
generated project would type-check FastAPI, SQLAlchemy and pydantic from nothing (most of
a cold `mypy --strict`). The first gate on a template's environment leaves its cache here;
the next project's gate starts from a copy of it. mypy checks every cached module against
its source's size and hash, so a copy never hides a change: what differs is checked again.
The cache is SQLite files written in place, so it is copied, never hard-linked.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

from devora.tools.checks import venv_packages
from devora.tools.pyenv import PythonEnvironment
from devora.workflows.quality_gate import default_cache_dir, mypy_cache_dir
from devora.workflows.saas_mvp._context import TEMPLATE_VERSION
from devora.workflows.saas_mvp._verify_tests import project_profile

__all__ = ["keep_mypy_cache", "seed_mypy_cache", "shared_mypy_cache"]


def shared_mypy_cache(home: Path, environment: PythonEnvironment, package: str) -> Path:
    """The shared cache for this template version and the packages of this environment
    (the project's own distribution left out: it differs from one project to the next)."""
    others = [p for p in venv_packages(environment.prefix) if not p.startswith(f"{package}-")]
    parts = [TEMPLATE_VERSION, str(environment.version), *others]
    digest = hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]
    return home / "cache" / "saas-mvp" / "mypy" / digest


def gate_mypy_cache(root: Path, environment: PythonEnvironment) -> Path:
    """Where the quality gate keeps mypy's cache for this project and environment."""
    return mypy_cache_dir(default_cache_dir() / "mypy", project_profile(root, environment))


def seed_mypy_cache(shared: Path, gate: Path) -> bool:
    """Copy the shared cache to the gate's, for a project whose gate has none; True if so."""
    if gate.exists() or not shared.is_dir():
        return False
    _copy_into_place(shared, gate)
    return True


def keep_mypy_cache(gate: Path, shared: Path) -> bool:
    """After the first gate of an environment: its cache becomes the shared one; True if so."""
    if shared.exists() or not gate.is_dir():
        return False
    _copy_into_place(gate, shared)
    return True


def _copy_into_place(source: Path, target: Path) -> None:
    # Copied beside the target, then renamed: a reader never sees half a cache, and of two
    # runs keeping one at the same time the second finds the target there and drops its copy.
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        shutil.copytree(source, scratch / "cache")
        try:
            os.rename(scratch / "cache", target)
        except OSError:
            if not target.is_dir():
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
