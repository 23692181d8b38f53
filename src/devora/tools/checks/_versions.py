"""Which version of a tool is installed, asked once per installed binary.

Asking `mypy --version` or `pip-audit --version` costs half a second of CPU each; a
binary that has not changed (same real file, size, mtime and, for a Python script, the
same installed packages) keeps its version, so it is remembered on disk between runs
once `remember_tool_versions_in(directory)` names where.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import re
from pathlib import Path

from devora.tools._subprocess import ToolTimeoutError, run_process

__all__ = ["remember_tool_versions_in", "tool_identity", "tool_version", "venv_packages"]

_VERSION = re.compile(r"\d+\.\d+(?:\.\d+)?(?:[-.+]?[0-9A-Za-z.]+)?")
_versions: dict[tuple[str, float], str | None] = {}
_memo_directory: Path | None = None


def remember_tool_versions_in(directory: Path | None) -> None:
    """Keep the versions found on disk under `directory` (None: only in this process)."""
    global _memo_directory
    _memo_directory = directory


async def tool_version(executable: Path, cwd: Path) -> str | None:
    """The version a tool prints for --version (remembered per binary), or None."""
    try:
        key = (str(executable), os.stat(executable).st_mtime)
    except OSError:
        return None
    if key in _versions:
        return _versions[key]
    identity = await asyncio.to_thread(tool_identity, executable)
    memo = _memo_directory / f"{identity}.json" if identity and _memo_directory else None
    version = _read_memo(memo) if memo is not None else None
    if version is None:
        version = await _ask(executable, cwd)
        if version is not None and memo is not None:
            _write_memo(memo, version)
    _versions[key] = version
    return version


async def _ask(executable: Path, cwd: Path) -> str | None:
    try:
        output = await run_process([str(executable), "--version"], cwd=cwd, time_limit=30)
    except (OSError, ToolTimeoutError):
        return None
    match = _VERSION.search(output.stdout or output.stderr)
    return match.group(0) if match and output.exit_code == 0 else None


def _read_memo(memo: Path) -> str | None:
    try:
        return str(json.loads(memo.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_memo(memo: Path, version: str) -> None:
    try:
        memo.parent.mkdir(parents=True, exist_ok=True)
        partial = memo.with_name(f".{memo.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps({"version": version}), encoding="utf-8")
        partial.replace(memo)
    except OSError:
        pass  # a memo is an optimisation: a read-only cache only costs the next lookup


def tool_identity(executable: Path) -> str | None:
    """What identifies an installed tool without running it, or None when nothing does."""
    try:
        real = executable.resolve()
        stat = real.stat()
        with real.open("rb") as handle:
            first = handle.readline(512)
    except OSError:
        return None
    parts = [str(real), str(stat.st_size), str(stat.st_mtime_ns)]
    if first.startswith(b"#!"):
        words = first[2:].decode(errors="replace").split()
        names = [Path(word).name for word in words[:2]]
        if any(name.startswith("python") for name in names):
            # A pip-installed script stays the same file across upgrades; its packages do not.
            packages = venv_packages(Path(words[0]).parent.parent)
            if not packages:
                return None
            parts += packages
        elif "node" not in names:
            return None  # a shell wrapper (a pyenv shim) chooses the tool at run time
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def venv_packages(prefix: Path | None) -> list[str]:
    """The dist-info names (name and version) of every package installed under a prefix."""
    if prefix is None:
        return []
    return sorted(path.name for path in prefix.glob("lib/python*/site-packages/*.dist-info"))
