"""Ruff's target version from the project's supported Pythons, when its ruff config sets none.

Without a target, ruff assumes its own default and its fixes may use syntax newer than the
project supports (seen: imports rewritten for a newer Python, mypy errors tripled).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from devora.tools.pyenv import lowest_minor, requires_python

__all__ = ["ruff_target_args"]

_OLDEST, _NEWEST = 7, 13  # the targets every supported ruff knows


def ruff_target_args(root: Path, pyproject: dict[str, Any]) -> list[str]:
    """`--target-version pyXY` from requires-python / python_requires, or nothing."""
    if _ruff_sets_target(root, pyproject):
        return []
    wanted = requires_python(root, pyproject)
    minor = lowest_minor(wanted) if wanted else None
    if minor is None:
        return []
    return ["--target-version", f"py3{min(max(minor, _OLDEST), _NEWEST)}"]


def _ruff_sets_target(root: Path, pyproject: dict[str, Any]) -> bool:
    tool = pyproject.get("tool")
    ruff = tool.get("ruff") if isinstance(tool, dict) else None
    if isinstance(ruff, dict) and "target-version" in ruff:
        return True
    for name in ("ruff.toml", ".ruff.toml"):
        path = root / name
        if path.is_file():
            try:
                return "target-version" in tomllib.loads(path.read_text(encoding="utf-8"))
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                return True  # ruff will report its own config error; add nothing to it
    return False
