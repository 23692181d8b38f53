"""Bytecode kept for the tests' interpreter outside the project (PYTHONPYCACHEPREFIX).

Tools run with PYTHONDONTWRITEBYTECODE=1, so nothing lands in the project. For pytest that
meant compiling the project's modules and rewriting the asserts of every test file it
imports on each run (on six, 0.35 of 1.55 CPU s for 42 tests). With a prefix, Python and
pytest (>= 6) write and read their .pyc files in a mirror tree there instead, and the
project stays untouched.

A .pyc is trusted by the source's mtime (whole seconds) and size, as Python does; an edit
in the same second that keeps the size would reuse stale bytecode. So the prefix keeps the
digest of every project file it has seen, and the bytecode of a file whose digest changed
is deleted before the run: a result never comes from code the tree no longer holds.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path

from devora.private_files import make_private_dir, write_private
from devora.tools.checks._profile import ProjectProfile

__all__ = ["bytecode_variables", "forget_stale_bytecode"]

_SEEN = ".devora-files.json"
# Python reads PYTHONPYCACHEPREFIX from 3.8 on, pytest writes its rewritten test modules
# under it from 6.0 on; with older ones bytecode would land in the project's __pycache__.
_PYTHON_WITH_PREFIX = (3, 8)
_PYTEST_WITH_PREFIX = (6, 0)


def forget_stale_bytecode(prefix: Path, root: Path, files: Mapping[str, str]) -> None:
    """Delete the bytecode of the project's Python files whose digest is not the one the
    prefix saw last (changed, added, deleted), then remember `files` (name -> sha256)."""
    make_private_dir(prefix)
    record = prefix / _SEEN
    try:
        seen = json.loads(record.read_bytes())
    except (OSError, ValueError):
        seen = None
    if not isinstance(seen, dict):
        seen = {}
        stale = [name for name in files if name.endswith(".py")]
    else:
        names = {*files, *seen}
        stale = [n for n in names if n.endswith(".py") and files.get(n) != seen.get(n)]
    folders = {str(root), str(root.resolve())}  # the path Python or pytest imported it by
    for name in stale:
        directory, _, module = name.rpartition("/")
        stem = module.removesuffix(".py")
        for folder in folders:
            mirror = prefix / Path(folder, directory).relative_to("/")
            try:
                compiled = [e.path for e in os.scandir(mirror) if _compiled_from(e.name, stem)]
            except OSError:
                continue
            for path in compiled:
                Path(path).unlink(missing_ok=True)
    python = {name: digest for name, digest in files.items() if name.endswith(".py")}
    partial = prefix / f".{_SEEN}.{os.getpid()}.partial"
    write_private(partial, json.dumps(python))
    partial.replace(record)


def bytecode_variables(profile: ProjectProfile, prefix: Path | None) -> dict[str, str]:
    """The variables that make the tests' interpreter keep bytecode under `prefix`; none
    when there is no prefix or the environment's pytest would write into the project."""
    environment = profile.python_env
    if prefix is None or environment is None:
        return {}
    if _version(environment.version) < _PYTHON_WITH_PREFIX:
        return {}
    if _version(environment.modules.get("pytest")) < _PYTEST_WITH_PREFIX:
        return {}
    return {"PYTHONPYCACHEPREFIX": str(prefix), "PYTHONDONTWRITEBYTECODE": ""}


def _compiled_from(name: str, stem: str) -> bool:
    # six.cpython-311.pyc, and pytest's six.cpython-311-pytest-9.2.0.pyc
    return name.startswith(f"{stem}.") and name.endswith(".pyc") and name.count(".") >= 2


def _version(text: str | None) -> tuple[int, ...]:
    parts = []
    for part in (text or "").split(".")[:2]:
        digits = "".join(c for c in part if c.isdigit()) if part[:1].isdigit() else ""
        if not digits:
            break
        parts.append(int(digits))
    return tuple(parts) if parts else (0,)
