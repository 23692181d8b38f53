"""Files only their owner may read: Devora's home, database, artifacts, reports and caches.

The mode is set when the file or directory is created (``os.open`` / ``mkdir`` with a
mode), so there is no moment when another account could open it. A project's own files
(a changelog, a version file) are not written through here: they keep the project's modes.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO

__all__ = [
    "PRIVATE_DIR_MODE",
    "PRIVATE_FILE_MODE",
    "create_private_file",
    "make_private_dir",
    "make_tree_private",
    "open_private",
    "write_private",
]

PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def make_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) with mode 0700 for the directories it creates."""
    if not path.exists():
        missing = [p for p in (path, *path.parents) if not p.exists()]
        for directory in reversed(missing):
            try:
                directory.mkdir(mode=PRIVATE_DIR_MODE)
            except FileExistsError:
                continue
            os.chmod(directory, PRIVATE_DIR_MODE)  # mkdir's mode is filtered by the umask
    return path


def open_private(path: Path) -> BinaryIO:
    """Open `path` for writing (truncated), created with mode 0600."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    os.fchmod(descriptor, PRIVATE_FILE_MODE)  # an existing file keeps its mode otherwise
    return os.fdopen(descriptor, "wb")


def write_private(path: Path, data: bytes | str) -> None:
    """Write `data` (text as UTF-8) to `path`, a file of mode 0600."""
    with open_private(path) as target:
        target.write(data.encode("utf-8") if isinstance(data, str) else data)


def create_private_file(path: Path) -> None:
    """Create `path` empty with mode 0600 if it does not exist (a database about to open)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE_MODE)
    except FileExistsError:
        return
    os.close(descriptor)


def make_tree_private(root: Path) -> None:
    """Give what a tool wrote under `root` (a cache in Devora's home) the private modes.

    For files another program creates with its own modes; `root` itself is made with
    `make_private_dir` first, so nothing under it was ever reachable by another account.
    """
    for directory, subdirectories, files in os.walk(root):
        for name in subdirectories:
            _chmod_if_needed(Path(directory, name), PRIVATE_DIR_MODE)
        for name in files:
            _chmod_if_needed(Path(directory, name), PRIVATE_FILE_MODE)


def _chmod_if_needed(path: Path, mode: int) -> None:
    try:
        if path.stat(follow_symlinks=False).st_mode & 0o777 != mode and not path.is_symlink():
            os.chmod(path, mode)
    except FileNotFoundError:  # the tool removed it meanwhile
        pass
