"""Finding the project's own environment: its .venv, uv, Poetry, Hatch, PDM, or one configured.

A project manager that the project uses but that is not installed here (or that has no
environment for the project yet) is said in a note, and detection goes on to the next.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from devora.tools._subprocess import ProcessTimedOut, run_bounded
from devora.tools.pyenv._environment import EnvironmentKind, PythonEnvironment
from devora.tools.pyenv._probe import probe_interpreter

__all__ = ["DETECTABLE", "find_project_environment"]

DETECTABLE = (
    EnvironmentKind.VENV,
    EnvironmentKind.UV,
    EnvironmentKind.POETRY,
    EnvironmentKind.HATCH,
    EnvironmentKind.PDM,
)
_ASK = {
    EnvironmentKind.POETRY: ("poetry", "env", "info", "-p"),
    EnvironmentKind.HATCH: ("hatch", "env", "find"),
    EnvironmentKind.PDM: ("pdm", "info", "--python"),
}
_CREATE = {
    EnvironmentKind.UV: "uv sync",
    EnvironmentKind.POETRY: "poetry install",
    EnvironmentKind.HATCH: "hatch env create",
    EnvironmentKind.PDM: "pdm install",
}


async def find_project_environment(
    root: Path, pyproject: dict[str, Any], kinds: tuple[EnvironmentKind, ...] = DETECTABLE
) -> tuple[PythonEnvironment | None, list[str]]:
    """The first of `kinds` the project uses and has, and notes on those it lacks."""
    notes: list[str] = []
    for kind in kinds:
        if not _uses(kind, root, pyproject):
            continue
        python, note = await _interpreter(kind, root)
        if python is None:
            notes.append(note)
            continue
        if kind is EnvironmentKind.VENV and _uses(EnvironmentKind.UV, root, pyproject):
            kind = EnvironmentKind.UV  # uv's project environment is the .venv
        found = await describe_interpreter(kind, python, root)
        if found.usable:
            return found, notes
        notes.append(f"{kind} environment unusable: {found.problem}")
    return None, notes


async def describe_interpreter(
    kind: EnvironmentKind, python: Path, root: Path
) -> PythonEnvironment:
    """The environment of an interpreter: its version and check tools, or why it is unusable."""
    probe = await probe_interpreter(python, root)
    if isinstance(probe, str):
        return PythonEnvironment(kind=kind, python=python, problem=probe)
    return PythonEnvironment(
        kind=kind, python=python, prefix=probe.prefix, version=probe.version, modules=probe.modules
    )


def _uses(kind: EnvironmentKind, root: Path, pyproject: dict[str, Any]) -> bool:
    tool = pyproject.get("tool")
    tool = tool if isinstance(tool, dict) else {}
    if kind is EnvironmentKind.VENV:
        return _venv(root) is not None
    if kind is EnvironmentKind.UV:
        return (root / "uv.lock").is_file() or "uv" in tool
    if kind is EnvironmentKind.POETRY:
        return (root / "poetry.lock").is_file() or "poetry" in tool
    if kind is EnvironmentKind.HATCH:
        hatch = tool.get("hatch")
        return (root / "hatch.toml").is_file() or (isinstance(hatch, dict) and "envs" in hatch)
    if kind is EnvironmentKind.PDM:
        return any((root / name).is_file() for name in (".pdm-python", "pdm.lock")) or (
            "pdm" in tool
        )
    return False


async def _interpreter(kind: EnvironmentKind, root: Path) -> tuple[Path | None, str]:
    """The interpreter of the kind's environment, or None and why not."""
    if kind in (EnvironmentKind.VENV, EnvironmentKind.UV):
        venv = _venv(root)
        if venv is not None:
            return venv / "bin" / "python", ""
        return None, f"a uv project without .venv (`{_CREATE[kind]}` creates it)"
    named = _pdm_python(root) if kind is EnvironmentKind.PDM else None
    if named is not None:
        return named, ""
    command = _ASK[kind]
    tool = shutil.which(command[0])
    if tool is None:
        return None, f"a {kind} project, but {command[0]} is not installed"
    try:
        done = await run_bounded([tool, *command[1:]], cwd=root, time_limit=60)
    except (OSError, ProcessTimedOut) as error:
        return None, f"`{' '.join(command)}` failed: {error}"
    answer = done.stdout.decode(errors="replace").strip().splitlines()
    python = _python_at(answer[-1].strip()) if done.returncode == 0 and answer else None
    if python is None:
        return None, f"{kind} has no environment for the project (`{_CREATE[kind]}` creates it)"
    return python, ""


def _python_at(answer: str) -> Path | None:
    """The interpreter a tool named: itself, or the python of the environment directory."""
    path = Path(answer)
    if path.is_dir():
        path = path / "bin" / "python"
    return path if path.exists() else None


def _pdm_python(root: Path) -> Path | None:
    """The interpreter PDM recorded in .pdm-python (`pdm use` writes it)."""
    marker = root / ".pdm-python"
    if not marker.is_file():
        return None
    return _python_at(marker.read_text(encoding="utf-8").strip() or str(marker))


def _venv(root: Path) -> Path | None:
    return next(
        (root / name for name in (".venv", "venv") if (root / name / "bin" / "python").exists()),
        None,
    )
