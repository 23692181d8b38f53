"""The Python environment the gate's tests and type check run in, chosen once in detect."""

from __future__ import annotations

from collections.abc import Callable

from devora.tools.checks import Language, ProjectProfile
from devora.tools.pyenv import EnvironmentKind, resolve_environment
from devora.workflows.quality_gate._cache import devora_home
from devora.workflows.quality_gate._config import GateConfig

__all__ = ["with_python_environment"]


async def with_python_environment(
    profile: ProjectProfile, config: GateConfig, log: Callable[[str], None]
) -> ProjectProfile:
    """The profile with its Python environment (configured, detected or created), logged."""
    if not profile.has(Language.PYTHON):
        return profile
    environment = await resolve_environment(
        profile.root,
        profile.pyproject,
        cache_dir=devora_home() / "cache" / "environments",
        log=log,
        python=config.python,
        kind=EnvironmentKind(config.environment) if config.environment else None,
    )
    for note in environment.notes:
        log(f"python environment: {note}")
    if environment.usable:
        log(f"python environment: {environment.describe()}")
    else:
        log(f"python environment: none usable: {environment.problem}")
    return profile.model_copy(update={"python_env": environment})
