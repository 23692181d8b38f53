"""Ruff: `ruff check` (lint) and `ruff format --check`, read from their JSON output."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from devora.tools import Finding, Level
from devora.tools.checks._base import Outcome, ToolCrashError, ToolOutputError, relative_file
from devora.tools.checks._file_scope import FileScopedCheck
from devora.tools.checks._profile import Language, ProjectProfile
from devora.tools.checks._ruff_target import ruff_target_args

__all__ = [
    "RuffCheck",
    "RuffFormatCheck",
    "parse_ruff_format_json",
    "parse_ruff_format_text",
    "parse_ruff_json",
]

_INSTALL = "pip install ruff"
_WOULD_REFORMAT = re.compile(r"^Would reformat: (.+)$", re.MULTILINE)
_SUFFIXES = (".py", ".pyi", ".ipynb")


def _targets(check: FileScopedCheck) -> list[str]:
    # Files named on the command line are checked even when the config excludes them,
    # unless --force-exclude says otherwise.
    if check.only is None:
        return ["."]
    files = [f"./{name}" for name in check.targets(["."])]
    return ["--force-exclude", *files] if files else []


class RuffCheck(FileScopedCheck):
    """Lint with `ruff check`; every violation is a finding, fixable when ruff has a safe fix."""

    name = "ruff-check"
    tool = "ruff"
    install = _INSTALL
    suffixes = _SUFFIXES

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Ruff lints Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `ruff check --output-format json .` and read the array it prints."""
        targets = _targets(self)
        if not targets:
            return Outcome()
        argv = [str(executable), "check", "--output-format", "json", "--no-cache"]
        argv += [*ruff_target_args(profile.root, profile.pyproject), *targets]
        output = await self.call(argv, profile)
        try:
            findings = parse_ruff_json(output.stdout, profile.root)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        return Outcome(findings=findings, exit_code=output.exit_code)


class RuffFormatCheck(FileScopedCheck):
    """Check formatting with `ruff format --check`; each file to reformat is a fixable finding."""

    name = "ruff-format"
    tool = "ruff"
    install = _INSTALL
    suffixes = _SUFFIXES

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Ruff formats Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `ruff format --check` with JSON output (plain text on older ruff)."""
        targets = _targets(self)
        if not targets:
            return Outcome()
        base = [str(executable), "format", "--check", "--no-cache"]
        base += ruff_target_args(profile.root, profile.pyproject)
        argv = [*base, "--output-format", "json", *targets]
        output = await self.call(argv, profile, ok=(0, 1, 2))
        if output.exit_code == 2 and "--output-format" in output.stderr:
            # Ruff before JSON output for `format`: it prints "Would reformat: PATH" lines.
            output = await self.call([*base, *targets], profile)
            parse = parse_ruff_format_text
        elif output.exit_code == 2:
            raise ToolCrashError(
                "ruff exited with code 2", exit_code=2, output=output.stderr or output.stdout
            )
        elif output.exit_code == 0 and not output.stdout.strip():
            # "No Python files found under the given path(s)": nothing to format.
            return Outcome(exit_code=0)
        else:
            parse = parse_ruff_format_json
        try:
            findings = parse(output.stdout, profile.root)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        if output.exit_code == 1 and not findings:
            raise self.unreadable(output, ToolOutputError("exit 1 but no file to reformat"))
        return Outcome(findings=findings, exit_code=output.exit_code)


def parse_ruff_json(text: str, root: Path) -> list[Finding]:
    """Findings from `ruff check --output-format json` (one per violation)."""
    items = _json_array(text)
    findings = []
    relative = _relative_names(root)
    for item in items:
        try:
            location = item.get("location") or {}
            end = item.get("end_location") or {}
            fix = item.get("fix") or {}
            code = item.get("code")
            findings.append(
                Finding(
                    tool="ruff",
                    rule=code or "syntax-error",
                    level=Level.ERROR,
                    message=item["message"],
                    file=relative(item["filename"]),
                    line=location.get("row") or None,
                    column=location.get("column") or None,
                    end_line=end.get("row") or None,
                    fixable=bool(fix) and fix.get("applicability", "safe") == "safe",
                )
            )
        except (KeyError, TypeError, AttributeError, ValueError) as error:
            raise ToolOutputError(f"unexpected ruff violation {item!r}: {error}") from error
    return findings


def parse_ruff_format_json(text: str, root: Path) -> list[Finding]:
    """Findings from `ruff format --check --output-format json`: one per file to reformat."""
    by_file: dict[str, Finding] = {}
    for item in _json_array(text):
        try:
            file = relative_file(item["filename"], root)
            location = item.get("location") or {}
            if file not in by_file:
                by_file[file] = _format_finding(file, location.get("row") or None)
        except (KeyError, TypeError, AttributeError) as error:
            raise ToolOutputError(f"unexpected ruff format entry {item!r}: {error}") from error
    return list(by_file.values())


def parse_ruff_format_text(text: str, root: Path) -> list[Finding]:
    """Findings from the plain `ruff format --check` output ("Would reformat: PATH")."""
    files = dict.fromkeys(
        relative_file(path.strip(), root) for path in _WOULD_REFORMAT.findall(text)
    )
    return [_format_finding(file, None) for file in files]


def _format_finding(file: str, line: int | None) -> Finding:
    return Finding(
        tool="ruff",
        rule="format",
        level=Level.WARNING,
        message="file would be reformatted by `ruff format`",
        file=file,
        line=line,
        fixable=True,
    )


def _relative_names(root: Path) -> Callable[[str], str]:
    """relative_file, remembered per file name: a file with 50 findings is resolved once."""
    known: dict[str, str] = {}

    def relative(filename: str) -> str:
        if filename not in known:
            known[filename] = relative_file(filename, root)
        return known[filename]

    return relative


def _json_array(text: str) -> list[dict[str, Any]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ToolOutputError(f"not JSON ({error.msg} at line {error.lineno})") from error
    if not isinstance(data, list) or not all(isinstance(item, dict) for item in data):
        raise ToolOutputError("expected a JSON array of objects")
    return data
