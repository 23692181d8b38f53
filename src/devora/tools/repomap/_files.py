"""Which files of a project a repository map reads: its Python and JavaScript/TypeScript
sources, without environments, dependencies, build output or hidden folders."""

from __future__ import annotations

import os
from pathlib import Path

from devora.tools.repomap._symbols import JS_SUFFIXES, PYTHON_SUFFIXES

__all__ = ["MAX_FILE_BYTES", "SKIPPED_FOLDERS", "source_files"]

MAX_FILE_BYTES = 1_000_000  # larger files are generated or vendored, not read
SKIPPED_FOLDERS = frozenset(
    {"node_modules", "venv", "env", "build", "dist", "__pycache__", "site-packages"}
)
_SUFFIXES = (*PYTHON_SUFFIXES, *JS_SUFFIXES)


def source_files(root: Path) -> list[str]:
    """The project's source files, relative to `root` with '/' separators, sorted."""
    found: list[str] = []
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(
            name for name in folders if not name.startswith(".") and name not in SKIPPED_FOLDERS
        )
        for name in files:
            if not name.endswith(_SUFFIXES) or name.endswith((".min.js", ".d.ts")):
                continue
            path = Path(folder) / name
            try:
                if path.is_symlink() or path.stat().st_size > MAX_FILE_BYTES:
                    continue
            except OSError:
                continue
            found.append(path.relative_to(root).as_posix())
    return sorted(found)
