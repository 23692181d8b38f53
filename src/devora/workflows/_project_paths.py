"""Paths a workflow's inputs name inside the project: resolved (symlinks too), never outside it."""

from __future__ import annotations

from pathlib import Path

from devora.errors import UsageError

__all__ = ["PathOutsideProjectError", "git_work_tree", "inside_project"]


class PathOutsideProjectError(UsageError, ValueError):
    """A path input resolves outside the project (exit 2).

    A ValueError too, so that raised inside an input model's validator, pydantic reports
    it as that input's error.
    """

    code = "path_outside_project"

    def __init__(self, field: str, name: str, root: Path) -> None:
        self.field = field
        self.name = name
        self.root = root
        super().__init__(
            f"{field} {name!r} is outside the project {root}; "
            "name a file inside it (relative to the project root)",
            hint="paths are relative to the project root and may not lead out of it",
        )


def inside_project(root: str | Path, name: str, field: str) -> Path:
    """`name` (relative to `root`, or absolute) resolved; refused when it escapes `root`."""
    base = Path(root).expanduser().resolve()
    target = (base / Path(name).expanduser()).resolve()
    if not target.is_relative_to(base):
        raise PathOutsideProjectError(field, name, base)
    return target


def git_work_tree(value: str) -> str:
    """An input naming a folder inside a git work tree, resolved; ValueError (for an input
    model's validator) when it is not a folder or not in a repository."""
    try:
        folder = Path(value).expanduser()
    except RuntimeError as error:  # "~someone" naming no user
        raise ValueError(f"{value}: {error}") from error
    if not folder.is_dir():
        raise ValueError(f"{value} is not a directory")
    resolved = folder.resolve()
    if not any((parent / ".git").exists() for parent in (resolved, *resolved.parents)):
        raise ValueError(f"{value} is not a git repository (run `git init` there first)")
    return str(resolved)
