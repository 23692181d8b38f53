"""Asking an interpreter what it is: its version, its prefix, which check tools it has."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from devora.private_files import write_private
from devora.tools._subprocess import ProcessTimedOut, run_bounded

__all__ = ["CHECK_MODULES", "Probe", "ask_interpreter", "probe_interpreter", "probe_owned"]

_MEMO = ".devora-probe.json"

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


async def probe_owned(python: Path, prefix: Path, cwd: Path) -> Probe | str:
    """probe_interpreter for an environment Devora owns (prefix), remembered in it while its
    interpreter and installed distributions are the same: starting an interpreter to ask
    costs a tenth of a second of CPU on every run."""
    identity = _identity(python, prefix)
    memo = prefix / _MEMO
    try:
        data = json.loads(memo.read_bytes())
        if identity is not None and data["identity"] == identity:
            return Probe(str(data["version"]), Path(data["prefix"]), dict(data["modules"]))
    except (OSError, ValueError, KeyError, TypeError):
        pass
    probe = await probe_interpreter(python, cwd)
    if isinstance(probe, Probe) and identity is not None:
        record = {"identity": identity, "version": probe.version, "prefix": str(probe.prefix)}
        partial = memo.with_name(f".{_MEMO}.{os.getpid()}.partial")
        try:
            write_private(partial, json.dumps({**record, "modules": probe.modules}))
            partial.replace(memo)
        except OSError:
            pass  # a memo only spares the next run a question
    return probe


def _identity(python: Path, prefix: Path) -> list[str] | None:
    """The interpreter's real file (path, size, mtime) and every distribution installed."""
    try:
        real = python.resolve()
        stat = real.stat()
    except OSError:
        return None
    installed = sorted(path.name for path in prefix.glob("lib/python*/site-packages/*.dist-info"))
    return [str(real), str(stat.st_size), str(stat.st_mtime_ns), *installed]


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
