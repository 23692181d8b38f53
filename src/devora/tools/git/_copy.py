"""Copying a worktree's changed files into another tree, never through a link.

A change made by an agent may replace a tracked file by a link to `~/.ssh/id_rsa`; copying
it with the link followed would put the key into the project. So links are kept as links
and only when they stay inside the worktree, files are read without following a link, and
a link already at the destination is replaced, never written through.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from devora.tools.git._errors import UnsafeLinkError

__all__ = ["check_changed_files", "copy_changed_files"]


@dataclass(frozen=True)
class _Change:
    name: str
    origin: Path
    destination: Path
    link: str | None  # the link to make (relative), for a link that stays inside


def check_changed_files(source: Path, files: Sequence[str]) -> None:
    """UnsafeLinkError when a changed file of `source` is, or lies under, a link out of it."""
    _plan(source, source, files)


def copy_changed_files(source: Path, target: Path, files: Sequence[str]) -> None:
    """Make `files` in `target` as they are in `source` (a missing file is deleted there).

    Everything is checked before anything is copied: a refused change copies nothing.
    """
    for change in _plan(source, target, files):
        _apply(change)


def _plan(source: Path, target: Path, files: Sequence[str]) -> list[_Change]:
    root, target_root = source.resolve(), target.resolve()
    changes = []
    for name in files:
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise UnsafeLinkError(name, name, root)
        origin, destination = root / name, target_root / name
        _inside(name, Path(os.path.realpath(origin.parent)), root)
        _inside(name, Path(os.path.realpath(destination.parent)), target_root)
        link = None
        if origin.is_symlink():
            resolved = Path(os.path.realpath(origin))
            _inside(name, resolved, root)
            link = os.path.relpath(resolved, os.path.realpath(origin.parent))
        changes.append(_Change(name, origin, destination, link))
    return changes


def _inside(name: str, path: Path, root: Path) -> None:
    if path != root and root not in path.parents:
        raise UnsafeLinkError(name, str(path), root)


def _apply(change: _Change) -> None:
    origin, destination = change.origin, change.destination
    if change.link is None and not origin.is_file():
        if not origin.exists() and (destination.is_symlink() or destination.is_file()):
            destination.unlink()  # deleted by the change
        return  # a directory (a submodule) is not a file to copy
    destination.parent.mkdir(parents=True, exist_ok=True)
    if destination.is_symlink() or destination.exists():
        destination.unlink()  # replace a link, never write through it
    if change.link is not None:
        destination.symlink_to(change.link)
        return
    descriptor = os.open(origin, os.O_RDONLY | os.O_NOFOLLOW)
    with os.fdopen(descriptor, "rb") as reader, destination.open("xb") as writer:
        shutil.copyfileobj(reader, writer)
    shutil.copymode(origin, destination, follow_symlinks=False)
