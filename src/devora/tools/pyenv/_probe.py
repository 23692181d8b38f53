"""Asking an interpreter what it is: its version, its prefix, which check tools it has."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devora.tools._subprocess import ProcessTimedOut, run_bounded

__all__ = ["CHECK_MODULES", "Probe", "ask_interpreter", "probe_interpreter"]

CHECK_MODULES = ("pytest", "coverage", "mypy")

# Run isolated (-I): no PYTHONPATH, no current directory, so only what is installed counts.
_SCRIPT = f"""
import json, sys
from importlib import metadata
found = {{}}
for name in {CHECK_MODULES!r}:
    try:
        found[name] = metadata.version(name)
    except metadata.PackageNotFoundError:
        pass
print(json.dumps({{"version": sys.version.split()[0], "prefix": sys.prefix, "modules": found}}))
"""


class Probe:
    """What an interpreter said about itself."""

    def __init__(self, version: str, prefix: Path, modules: dict[str, str]) -> None:
        self.version = version
        self.prefix = prefix
        self.modules = modules


async def probe_interpreter(python: Path, cwd: Path) -> Probe | str:
    """The interpreter's version, prefix and check tools, or why it cannot be asked."""
    data = await ask_interpreter(python, _SCRIPT, cwd)
    if isinstance(data, str):
        return data
    try:
        return Probe(str(data["version"]), Path(data["prefix"]), dict(data["modules"]))
    except (ValueError, KeyError, TypeError) as error:
        return f"{python} answered what cannot be read: {error}"


async def ask_interpreter(python: Path, script: str, cwd: Path) -> Any:
    """The JSON a script run isolated (-I) by the interpreter printed last, or why there is
    none (a str: it cannot run, exited non-zero, or printed no JSON)."""
    try:
        done = await run_bounded([str(python), "-I", "-c", script], cwd=cwd, time_limit=60)
    except (OSError, ProcessTimedOut) as error:
        return f"cannot run {python}: {error}"
    if done.returncode != 0:
        stderr = done.stderr.decode(errors="replace").strip()
        return f"{python} exited with code {done.returncode}: {stderr[-300:]}"
    try:
        return json.loads(done.stdout.decode(errors="replace").strip().splitlines()[-1])
    except (IndexError, ValueError) as error:
        return f"{python} answered what cannot be read: {error}"
