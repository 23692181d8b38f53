"""The project's own coverage configuration, which the gate's coverage run must not override.

coverage.py reads `.coveragerc`, `[coverage:*]` sections of setup.cfg and tox.ini, and
`[tool.coverage]` in pyproject.toml. Only when none of them says what to measure does the
gate add `--source=src` (a flag that would replace the project's own `source` or
`include`), so tests are not counted as covered code.
"""

from __future__ import annotations

import configparser
from pathlib import Path
from typing import Any

__all__ = ["coverage_measures", "coverage_source_args"]

_WHAT_TO_MEASURE = ("source", "source_pkgs", "include")
_INI_SECTIONS = ((".coveragerc", "run"), ("setup.cfg", "coverage:run"), ("tox.ini", "coverage:run"))


def coverage_source_args(root: Path, pyproject: dict[str, Any]) -> list[str]:
    """`--source=src` when the project's coverage config names nothing to measure, else none."""
    if coverage_measures(root, pyproject):
        return []
    return ["--source=src"] if (root / "src").is_dir() else []


def coverage_measures(root: Path, pyproject: dict[str, Any]) -> bool:
    """True when a coverage config file of the project says what `coverage run` measures."""
    tool = pyproject.get("tool")
    coverage = tool.get("coverage") if isinstance(tool, dict) else None
    run = coverage.get("run") if isinstance(coverage, dict) else None
    if isinstance(run, dict) and any(key in run for key in _WHAT_TO_MEASURE):
        return True
    for name, section in _INI_SECTIONS:
        parser = _read_ini(root / name)
        if parser is not None and any(parser.has_option(section, k) for k in _WHAT_TO_MEASURE):
            return True
    return False


def _read_ini(path: Path) -> configparser.ConfigParser | None:
    if not path.is_file():
        return None
    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError):
        return None  # coverage itself will say what is wrong with it
    return parser
