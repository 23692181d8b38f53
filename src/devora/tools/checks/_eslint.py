"""ESLint: lint problems of a JavaScript/TypeScript project, read from `eslint -f json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devora.tools import Finding, Level
from devora.tools.checks._base import Outcome, ToolOutputError, relative_file
from devora.tools.checks._file_scope import FileScopedCheck
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["EslintCheck", "EslintReport", "parse_eslint_json"]

_LEVELS = {2: Level.ERROR, 1: Level.WARNING}


class EslintReport:
    """ESLint's findings, its own error and warning totals, and the files it fixed (--fix)."""

    def __init__(self, findings: list[Finding], errors: int, warnings: int, fixed: list[str]):
        self.findings = findings
        self.errors = errors
        self.warnings = warnings
        self.fixed = fixed


class EslintCheck(FileScopedCheck):
    """Lint with the project's own ESLint; each message is a finding (fixable when ESLint can)."""

    name = "eslint"
    tool = "eslint"
    install = "npm install --save-dev eslint"
    suffixes = (".js", ".mjs", ".cjs", ".jsx", ".ts", ".mts", ".cts", ".tsx")

    def applies_to(self, profile: ProjectProfile) -> bool:
        """ESLint lints JavaScript and TypeScript projects."""
        return profile.has(Language.JAVASCRIPT)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `eslint -f json .` and read its report."""
        targets = self.targets(["."])
        if not targets:
            return Outcome()
        if self.only is not None:
            # Files its config ignores (or matches no config of) are skipped, not warned of.
            targets = ["--no-warn-ignored", *(f"./{name}" for name in targets)]
        output = await self.call([str(executable), "-f", "json", *targets], profile)
        try:
            report = parse_eslint_json(output.stdout, profile.root)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        if output.exit_code == 1 and report.errors == 0:
            raise self.unreadable(output, ToolOutputError("exit 1 but no error reported"))
        return Outcome(findings=report.findings, exit_code=output.exit_code)


def parse_eslint_json(text: str, root: Path) -> EslintReport:
    """Findings from `eslint -f json`: one per message (suppressed messages left out)."""
    try:
        results: list[dict[str, Any]] = json.loads(text)
        if not isinstance(results, list):
            raise TypeError("expected a JSON array")
    except (json.JSONDecodeError, TypeError) as error:
        raise ToolOutputError(f"not ESLint's JSON report: {error}") from error
    findings: list[Finding] = []
    errors = warnings = 0
    fixed: list[str] = []
    for result in results:
        try:
            file = relative_file(result["filePath"], root)
            errors += int(result.get("errorCount", 0))
            warnings += int(result.get("warningCount", 0))
            if "output" in result:
                fixed.append(file)
            for message in result["messages"]:
                fatal = bool(message.get("fatal"))
                findings.append(
                    Finding(
                        tool="eslint",
                        rule=message.get("ruleId") or ("parse-error" if fatal else "eslint"),
                        level=Level.ERROR
                        if fatal
                        else _LEVELS.get(message["severity"], Level.INFO),
                        message=message["message"],
                        file=file,
                        line=message.get("line") or None,
                        column=message.get("column") or None,
                        end_line=message.get("endLine") or None,
                        fixable="fix" in message,
                    )
                )
        except (KeyError, TypeError, ValueError, AttributeError) as error:
            raise ToolOutputError(f"unexpected ESLint result: {error}") from error
    return EslintReport(findings, errors, warnings, fixed)
