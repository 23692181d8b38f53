"""Mypy: type errors read from `mypy -O json` (one JSON object per line, mypy >= 1.11)."""

from __future__ import annotations

import configparser
import hashlib
import json
import re
import tempfile
from pathlib import Path

from devora.private_files import make_private_dir, make_tree_private
from devora.tools import Finding, Level
from devora.tools.checks._base import Outcome, ToolOutputError, relative_file
from devora.tools.checks._in_environment import EnvironmentCheck, module_command
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["MypyCheck", "parse_mypy_json", "split_mypy_output"]

_LEVELS = {"error": Level.ERROR, "warning": Level.WARNING, "note": Level.INFO}
# A plain-text note mypy prints outside its JSON: "setup.cfg: note: unused section(s): ..."
_PLAIN_NOTE = re.compile(r"^[^{\s][^:]*(?::\d+)*: note: ")


class MypyCheck(EnvironmentCheck):
    """Type-check with mypy; each error is a finding (standalone notes are info findings)."""

    name = "mypy"
    tool = "mypy"
    install = "pip install mypy"

    def __init__(self, *, timeout: float | None = None, cache_dir: Path | None = None) -> None:
        super().__init__(timeout=timeout)
        # mypy's incremental cache: a re-check after a change reads the unchanged modules'
        # results from it. The gate keeps one per project and environment in its own cache.
        self.cache_dir = cache_dir

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Mypy checks Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run mypy on the configured files (or src/, or .) and read its JSON lines."""
        command = module_command(profile, "mypy", executable)
        cache_dir = self.cache_dir or _cache_dir(profile.root)
        argv = [*command, "-O", "json", "--cache-dir", str(cache_dir)]
        argv += [*_python_executable(profile, command), *mypy_targets(profile)]
        if self.cache_dir is not None:  # in Devora's home: private, like every file there
            make_private_dir(self.cache_dir)
        output = await self.call(argv, profile)
        if self.cache_dir is not None:
            make_tree_private(self.cache_dir)
        json_lines, notes = split_mypy_output(output.stdout)
        try:
            findings = parse_mypy_json(json_lines, profile.root)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        errors = sum(1 for finding in findings if finding.level is Level.ERROR)
        if output.exit_code == 1 and errors == 0:
            raise self.unreadable(output, ToolOutputError("exit 1 but no error reported"))
        return Outcome(
            findings=findings, notes=notes, exit_code=output.exit_code, failed=errors > 0
        )


def mypy_targets(profile: ProjectProfile) -> list[str]:
    """What to pass mypy: nothing when its config names the files, else src/ or the root."""
    tool = profile.pyproject.get("tool", {})
    if isinstance(tool, dict) and isinstance(tool.get("mypy"), dict) and tool["mypy"].get("files"):
        return []
    for name in ("mypy.ini", ".mypy.ini", "setup.cfg"):
        path = profile.root / name
        if path.is_file():
            parser = configparser.ConfigParser()
            try:
                parser.read(path, encoding="utf-8")
            except configparser.Error:
                continue  # mypy itself will say what is wrong with it
            if parser.has_option("mypy", "files"):
                return []
    return ["src"] if (profile.root / "src").is_dir() else ["."]


def split_mypy_output(text: str) -> tuple[str, list[str]]:
    """Mypy's JSON lines, and the plain notes it prints beside them even with `-O json`.

    Seen: `setup.cfg: note: unused section(s): [mypy-x.*]` (warn_unused_configs) in the
    middle of the JSON. Such notes are kept as notes; any other plain line stays in the
    JSON text, so that output which is really not JSON is still reported as unreadable.
    """
    kept: list[str] = []
    notes: list[str] = []
    for line in text.splitlines():
        if _PLAIN_NOTE.match(line):
            notes.append(f"mypy: {line.strip()}")
        else:
            kept.append(line)
    return "\n".join(kept), notes


def parse_mypy_json(text: str, root: Path) -> list[Finding]:
    """Findings from `mypy -O json`: one per line; columns made 1-based, hints appended."""
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            message = item["message"]
            if item.get("hint"):
                message = f"{message} ({item['hint']})"
            column = item.get("column")
            findings.append(
                Finding(
                    tool="mypy",
                    rule=item.get("code") or "mypy",
                    level=_LEVELS[item["severity"]],
                    message=message,
                    file=relative_file(item["file"], root),
                    line=item["line"] if item.get("line", 0) >= 1 else None,
                    column=column + 1 if isinstance(column, int) and column >= 0 else None,
                    end_line=item.get("end_line") if (item.get("end_line") or 0) >= 1 else None,
                    severity=item["severity"],
                )
            )
        except json.JSONDecodeError as error:
            raise ToolOutputError(f"line {number} is not JSON: {line[:200]!r}") from error
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ToolOutputError(f"unexpected mypy message on line {number}: {error}") from error
    return findings


def _python_executable(profile: ProjectProfile, command: list[str]) -> list[str]:
    """A mypy from elsewhere (Devora's) must still see the packages of the project's Python."""
    environment = profile.python_env
    if environment is not None:
        inside = len(command) > 1  # `python -m mypy` with the environment's own interpreter
        if inside or environment.python is None:
            return []
        return ["--python-executable", str(environment.python)]
    venv = profile.python_venv
    if venv is not None and not Path(command[0]).is_relative_to(venv):
        return ["--python-executable", str(venv / "bin" / "python")]
    return []


def _cache_dir(root: Path) -> Path:
    # Outside the project: checking must not write into the tree it checks.
    digest = hashlib.sha256(str(root).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / "devora-mypy-cache" / digest
