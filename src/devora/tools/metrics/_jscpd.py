"""Duplicate code in TypeScript and JavaScript, found by jscpd and read from its JSON report.

jscpd is looked for as Lighthouse is (devora.tools._node_tool): `DEVORA_JSCPD`, `jscpd` on the
PATH, then the copy `scripts/bootstrap` installs into a Devora checkout's tools/refactor.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from devora.errors import StepError
from devora.tools._node_tool import CHECKOUT_TOOLS, node_tool_command
from devora.tools._subprocess import run_process, tail
from devora.tools.metrics._models import DuplicateBlock

__all__ = [
    "JSCPD_SCRIPT",
    "JSCPD_SUFFIXES",
    "find_script_duplicates",
    "jscpd_command",
    "parse_jscpd_report",
]

JSCPD_SUFFIXES = frozenset({".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx"})
JSCPD_SCRIPT = CHECKOUT_TOOLS / "refactor" / "node_modules" / "jscpd" / "bin" / "jscpd"
JSCPD_TIMEOUT = 600.0
_INSTALL_JSCPD = (
    "npm install -g jscpd@4 (Node 18 or newer), or set DEVORA_JSCPD to a jscpd CLI; in a "
    "Devora checkout, scripts/bootstrap installs it into tools/refactor"
)


def jscpd_command() -> list[str]:
    """The argv prefix that starts jscpd; ToolNotInstalledError when it is nowhere."""
    return node_tool_command(
        "jscpd", variable="DEVORA_JSCPD", checkout_script=JSCPD_SCRIPT, install=_INSTALL_JSCPD
    )


async def find_script_duplicates(
    root: Path, files: Sequence[str], *, min_lines: int
) -> list[DuplicateBlock]:
    """Blocks of at least `min_lines` lines that occur more than once among the TypeScript and
    JavaScript `files` (relative to root); ToolNotInstalledError when jscpd is missing."""
    scripts = [name for name in files if Path(name).suffix.lower() in JSCPD_SUFFIXES]
    if not scripts:
        return []
    command = jscpd_command()
    with tempfile.TemporaryDirectory(prefix="devora-jscpd-") as output:
        # No size limits: jscpd silently skips files over its defaults (1000 lines, 100 kB),
        # which would read as "no duplication" in the largest files.
        argv = [*command, "--reporters", "json", "--output", output, "--silent",
                "--min-lines", str(min_lines), "--max-lines", "10000000", "--max-size", "1gb",
                "--no-gitignore", "--exitCode", "0", *scripts]  # fmt: skip
        result = await run_process(argv, cwd=root, time_limit=JSCPD_TIMEOUT)
        report = Path(output) / "jscpd-report.json"
        if (
            result.exit_code == 0
            and not report.is_file()
            and _all_shorter(root, scripts, min_lines)
        ):
            return []  # jscpd writes no report when no file is long enough to hold a clone
        if result.exit_code != 0 or not report.is_file():
            raise StepError(
                f"jscpd failed (exit {result.exit_code}): "
                f"{tail(result.stderr or result.stdout, 5)}",
                hint="run the same command by hand: jscpd --reporters json FILES",
            )
        data = json.loads(report.read_text(encoding="utf-8"))
    return parse_jscpd_report(data)


def _all_shorter(root: Path, files: list[str], min_lines: int) -> bool:
    return all(
        len((root / name).read_text(encoding="utf-8", errors="replace").splitlines()) < min_lines
        for name in files
    )


def parse_jscpd_report(data: dict[str, Any]) -> list[DuplicateBlock]:
    """The clones of a jscpd JSON report (its 1-based, inclusive line ranges)."""
    return [
        DuplicateBlock(
            lines=int(clone["lines"]),
            places=tuple(
                (str(clone[side]["name"]), int(clone[side]["start"]), int(clone[side]["end"]))
                for side in ("firstFile", "secondFile")
            ),
        )
        for clone in data.get("duplicates", [])
    ]
