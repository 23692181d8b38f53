"""Which environment runs a project's checks: configured, detected, or created by Devora."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from devora.tools.pyenv._detect import describe_interpreter, find_project_environment
from devora.tools.pyenv._environment import EnvironmentKind, PythonEnvironment
from devora.tools.pyenv._isolated import isolated_environment

__all__ = ["resolve_environment"]


async def resolve_environment(
    root: Path,
    pyproject: dict[str, Any],
    *,
    cache_dir: Path,
    log: Callable[[str], None],
    python: str | None = None,
    kind: EnvironmentKind | None = None,
) -> PythonEnvironment:
    """The environment the project's tests and type checks run in.

    `python` (an interpreter, relative to the project) or `kind` come from the gate's
    config and are used as told, or the checks are not run; otherwise the project's own
    environment is detected, and without one an isolated environment is created in
    `cache_dir`. The result says what was tried in its notes.
    """
    if python is not None:
        path = _configured_python(root, python)
        if path is None:
            return PythonEnvironment(
                kind=EnvironmentKind.CONFIGURED,
                problem=f"the configured python {python} does not exist",
            )
        return await describe_interpreter(EnvironmentKind.CONFIGURED, path, root)
    if kind is EnvironmentKind.ISOLATED:
        return await isolated_environment(root, pyproject, cache_dir, log)
    if kind is not None:
        found, notes = await find_project_environment(root, pyproject, (kind,))
        if found is not None:
            return found
        why = "; ".join(notes) or f"the project has no {kind} environment"
        return PythonEnvironment(
            kind=kind, problem=f"the configured {kind} environment is not available: {why}"
        )
    found, notes = await find_project_environment(root, pyproject)
    if found is not None:
        return found.model_copy(update={"notes": tuple(notes)})
    isolated = await isolated_environment(root, pyproject, cache_dir, log)
    return isolated.model_copy(update={"notes": (*notes, *isolated.notes)})


def _configured_python(root: Path, python: str) -> Path | None:
    path = (root / Path(python).expanduser()).absolute()
    return path if path.exists() else None
