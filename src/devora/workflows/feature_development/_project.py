"""The project a feature is built in: its root, its map, its environment, the run's branch."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from devora.engine import StepContext
from devora.errors import ToolNotInstalledError
from devora.tools.pyenv import resolve_environment
from devora.tools.repomap import build_repo_map, words_of
from devora.tools.testrun import PYTEST_INSTALL
from devora.workflows.feature_development._tests_run import is_python_project

__all__ = [
    "MAP_BUDGET",
    "environment_python",
    "feature_label",
    "project_map",
    "project_python",
    "project_root",
    "worktrees_root",
]

MAP_BUDGET = 1500  # tokens of repository map in a prompt


def project_root(ctx: StepContext[Any]) -> Path:
    """The repository the run changes (its configuration is read there)."""
    return Path(ctx.inputs.path)


def project_map(ctx: StepContext[Any], text: str) -> str:
    """The repository map, ranked towards the names `text` mentions."""
    found = build_repo_map(project_root(ctx), budget=MAP_BUDGET, mentions=words_of(text))
    return found.text or "(no Python or JavaScript/TypeScript definitions found)"


def feature_label(ctx: StepContext[Any]) -> str:
    """The run's branch is devora/<label>."""
    return f"feature-{ctx.run_id}"


def worktrees_root(ctx: StepContext[Any]) -> Path:
    """Where the run's worktree lives (the Devora home: kept across resumes)."""
    return ctx.home / "worktrees"


def _pyproject(root: Path) -> dict[str, Any]:
    try:
        return tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return {}


async def environment_python(ctx: StepContext[Any]) -> Path:
    """The project's interpreter: its own environment, or one Devora makes and caches."""
    root = project_root(ctx)
    cache = ctx.home / "cache" / "environments"
    environment = await resolve_environment(root, _pyproject(root), cache_dir=cache, log=ctx.log)
    if not environment.usable or environment.python is None:
        raise ToolNotInstalledError(
            "python environment",
            f"{environment.problem}; create the project's .venv with pytest in it, "
            f"or {PYTEST_INSTALL}",
        )
    ctx.log(f"python environment: {environment.describe()}")
    return environment.python


async def project_python(ctx: StepContext[Any]) -> Path | None:
    """The project's interpreter when it is a Python project; None for a JavaScript one."""
    if not is_python_project(project_root(ctx)):
        ctx.log("not a Python project: its tests are npm test's")
        return None
    return await environment_python(ctx)
