"""Confining paths the model gives to the worktree."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from devora.agents._errors import ToolRefused

__all__ = ["resolve_inside"]


def resolve_inside(root: Path, path: str) -> Path:
    """The real path of `path` (relative to `root`); refuse anything that leaves `root`."""
    if not path or not path.strip():
        raise ToolRefused("a path is required")
    given = PurePosixPath(path.replace("\\", "/"))
    if given.is_absolute() or Path(path).is_absolute():
        raise ToolRefused(f"refused: {path!r} is absolute; give a path relative to the worktree")
    if ".." in given.parts:
        raise ToolRefused(f"refused: {path!r} goes outside the worktree ('..')")
    if ".git" in given.parts:
        raise ToolRefused(f"refused: {path!r} is inside .git")
    real_root = root.resolve()
    # resolve() follows symlinks, so a link pointing out of the worktree is caught here.
    resolved = (real_root / Path(*given.parts)).resolve()
    if not resolved.is_relative_to(real_root):
        raise ToolRefused(f"refused: {path!r} resolves outside the worktree (symlink)")
    if ".git" in resolved.relative_to(real_root).parts:
        raise ToolRefused(f"refused: {path!r} resolves inside .git (symlink)")
    return resolved
