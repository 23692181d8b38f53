"""Duplicate code, found by pylint's similarity checker (`symilar`) and read from its report."""

from __future__ import annotations

import importlib.util
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from devora.errors import StepError, ToolNotInstalledError
from devora.tools._subprocess import run_process, tail
from devora.tools.metrics._complexity import REFACTOR_INSTALL
from devora.tools.metrics._models import DuplicateBlock

__all__ = ["DEFAULT_MIN_LINES", "find_duplicates", "parse_symilar_report"]

DEFAULT_MIN_LINES = 6
SYMILAR_TIMEOUT = 600.0
_HEADER = re.compile(r"^(\d+) similar lines in (\d+) files$")
_PLACE = re.compile(r"^==(.+):\[(\d+):(\d+)\]$")


async def find_duplicates(
    root: Path, files: Sequence[str], *, min_lines: int = DEFAULT_MIN_LINES
) -> list[DuplicateBlock]:
    """Blocks of at least `min_lines` lines (comments, docstrings and imports ignored) that
    occur more than once among the Python `files` (relative to root)."""
    python = [name for name in files if name.endswith(".py")]
    if len(python) == 0:
        return []
    if importlib.util.find_spec("pylint") is None:
        raise ToolNotInstalledError("pylint (symilar)", REFACTOR_INSTALL)
    # -P: the project's own modules (a `copy.py`, say) must not shadow the standard library
    # that pylint imports; `python -m` would put the project's folder first on sys.path.
    argv = [
        sys.executable,
        "-P",
        "-m",
        "pylint.checkers.symilar",
        "--duplicates",
        str(min_lines),
        "--ignore-comments",
        "--ignore-docstrings",
        "--ignore-imports",
        *python,
    ]
    result = await run_process(argv, cwd=root, time_limit=SYMILAR_TIMEOUT)
    if result.exit_code != 0 or "TOTAL lines=" not in result.stdout:
        raise StepError(
            f"pylint's similarity checker failed (exit {result.exit_code}): "
            f"{tail(result.stderr or result.stdout, 5)}",
            hint="run the same command by hand: python -m pylint.checkers.symilar FILES",
        )
    return parse_symilar_report(result.stdout)


def parse_symilar_report(text: str) -> list[DuplicateBlock]:
    """The blocks of a symilar report; its 0-based, end-exclusive ranges as 1-based lines."""
    blocks: list[DuplicateBlock] = []
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        header = _HEADER.match(lines[index].strip())
        index += 1
        if header is None:
            continue
        places: list[tuple[str, int, int]] = []
        while index < len(lines) and (place := _PLACE.match(lines[index].strip())):
            start, end = int(place.group(2)), int(place.group(3))
            places.append((place.group(1), start + 1, end))
            index += 1
        blocks.append(DuplicateBlock(lines=int(header.group(1)), places=tuple(places)))
    return blocks
