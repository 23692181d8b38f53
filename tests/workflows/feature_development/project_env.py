"""The environment of the test projects: a small project's, holding its test tools only.

This interpreter's environment auto-loads a dozen pytest plugins (hypothesis, schemathesis,
locust…): seconds of start-up on each of the many test runs a feature makes, where a small
project's environment (pytest and coverage) starts in well under one. It is a real virtual
environment, made once per process, its packages' installed files copied from this
interpreter's (no network), removed at exit."""

from __future__ import annotations

import atexit
import shutil
import subprocess
import sys
import sysconfig
import tempfile
from collections.abc import Sequence
from importlib.metadata import distribution
from pathlib import Path

from packaging.requirements import Requirement

__all__ = ["PROJECT_TOOLS", "build_environment", "project_environment"]

PROJECT_TOOLS = ("pytest", "coverage")
_made: list[Path] = []


def _closure(names: Sequence[str]) -> list[str]:
    """The distributions `names` need (their requirements, markers evaluated), themselves too."""
    found: dict[str, str] = {}
    todo = list(names)
    while todo:
        dist = distribution(todo.pop())
        key = dist.metadata["Name"].lower()
        if key in found:
            continue
        found[key] = dist.metadata["Name"]
        for line in dist.requires or []:
            required = Requirement(line)
            if required.marker is None or required.marker.evaluate({"extra": ""}):
                todo.append(required.name)
    return sorted(found.values())


def build_environment(folder: Path, tools: Sequence[str] = PROJECT_TOOLS) -> Path:
    """A virtual environment at `folder` holding `tools` and what they need."""
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(folder)], check=True)
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(folder)}))
    for name in _closure(tools):
        dist = distribution(name)
        for file in dist.files or []:
            if file.parts[0] == "..":  # scripts: the tools run as `python -m`
                continue
            source = Path(str(dist.locate_file(file)))
            if source.is_file():
                (purelib / file).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, purelib / file)
    return folder


def project_environment() -> Path:
    """The test projects' environment (made on the first call)."""
    if not _made:
        folder = Path(tempfile.mkdtemp(prefix="devora-project-env-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        _made.append(build_environment(folder / "venv"))
    return _made[0]
