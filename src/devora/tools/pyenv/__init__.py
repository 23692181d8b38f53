"""The Python environment a project's checks run in: the project's own, or one Devora makes.

    env = await resolve_environment(root, pyproject, cache_dir=cache, log=print)
    env.python  # run `python -m pytest` with it

Detection looks for the project's .venv (or venv), uv, Poetry, Hatch and PDM environments;
without one, an isolated environment with the project and its test dependencies is created
with uv in Devora's cache and reused while the files that define it are unchanged.
"""

from devora.tools.pyenv._detect import DETECTABLE, describe_interpreter, find_project_environment
from devora.tools.pyenv._environment import EnvironmentKind, PythonEnvironment
from devora.tools.pyenv._isolated import MARKER, find_uv, isolated_environment
from devora.tools.pyenv._probe import (
    CHECK_MODULES,
    Probe,
    ask_interpreter,
    probe_interpreter,
    probe_owned,
)
from devora.tools.pyenv._requirements import InstallPlan, plan_install
from devora.tools.pyenv._requires_python import lowest_minor, requires_python
from devora.tools.pyenv._resolve import resolve_environment

__all__ = [
    "CHECK_MODULES",
    "DETECTABLE",
    "MARKER",
    "EnvironmentKind",
    "InstallPlan",
    "Probe",
    "PythonEnvironment",
    "ask_interpreter",
    "describe_interpreter",
    "find_project_environment",
    "find_uv",
    "isolated_environment",
    "lowest_minor",
    "plan_install",
    "probe_interpreter",
    "probe_owned",
    "requires_python",
    "resolve_environment",
]
