"""The Python versions a project supports: `requires-python`, or setup.cfg's `python_requires`."""

from __future__ import annotations

import configparser
import contextlib
import re
from pathlib import Path
from typing import Any

__all__ = ["lowest_minor", "requires_python"]

_LOWER_BOUND = re.compile(r"(?:>=|~=|===|==|>)\s*3\.(\d+)")


def requires_python(root: Path, pyproject: dict[str, Any]) -> str | None:
    """The project's Python requirement, e.g. `>=3.9`, or None when it states none."""
    project = pyproject.get("project")
    wanted = project.get("requires-python") if isinstance(project, dict) else None
    if isinstance(wanted, str) and wanted.strip():
        return wanted.strip()
    setup_cfg = root / "setup.cfg"
    if not setup_cfg.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    with contextlib.suppress(configparser.Error, UnicodeDecodeError):
        parser.read(setup_cfg, encoding="utf-8")
    if parser.has_option("options", "python_requires"):
        return parser.get("options", "python_requires").strip() or None
    return None


def lowest_minor(requirement: str) -> int | None:
    """The lowest Python 3 minor version a requirement allows (`>=3.9,<4` → 9), if it says."""
    bounds = [int(minor) for minor in _LOWER_BOUND.findall(requirement)]
    return max(bounds) if bounds else None
