"""What a Python environment has installed, as pins pip-audit can audit, and the project's name.

A project with only setup.py/setup.cfg has no file listing its dependencies that pip-audit
reads, so its environment is audited instead: every distribution installed there, as
`name==version` lines, less the project itself (a local build PyPI does not know).
"""

from __future__ import annotations

import ast
import configparser
import re
from pathlib import Path
from typing import Any

from devora.tools.pyenv import ask_interpreter

__all__ = ["installed_distributions", "normalized", "project_name"]

# Run isolated (-I): the environment's own site-packages, not the current directory.
_SCRIPT = """
import json
from importlib import metadata
seen = {}
for dist in metadata.distributions():
    name = dist.metadata["Name"]
    if name and name not in seen:
        seen[name] = dist.version
print(json.dumps(seen))
"""


async def installed_distributions(python: Path, cwd: Path) -> dict[str, str] | str:
    """Every distribution installed for `python` (name → version), or why it cannot be asked."""
    found = await ask_interpreter(python, _SCRIPT, cwd)
    if isinstance(found, str):
        return found
    try:
        return {str(name): str(version) for name, version in dict(found).items()}
    except (ValueError, TypeError) as error:
        return f"{python} answered what cannot be read: {error}"


def project_name(root: Path, pyproject: dict[str, Any]) -> str | None:
    """The project's distribution name: pyproject's [project], setup.cfg's [metadata], or a
    literal `name=` in setup.py's setup() call (read, never run)."""
    project = pyproject.get("project", {})
    if isinstance(project, dict) and isinstance(project.get("name"), str):
        return str(project["name"])
    setup_cfg = root / "setup.cfg"
    if setup_cfg.is_file():
        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(setup_cfg, encoding="utf-8")
            name = parser.get("metadata", "name", fallback=None)
        except (configparser.Error, UnicodeDecodeError):
            name = None
        if name:
            return name.strip()
    return _setup_py_name(root / "setup.py")


def normalized(name: str) -> str:
    """A distribution name as PEP 503 compares it."""
    return re.sub(r"[-_.]+", "-", name).lower()


def _setup_py_name(path: Path) -> str | None:
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            for keyword in node.keywords:
                value = keyword.value
                if (
                    keyword.arg == "name"
                    and isinstance(value, ast.Constant)
                    and isinstance(value.value, str)
                ):
                    return value.value
    return None
