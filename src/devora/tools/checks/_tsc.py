"""The TypeScript compiler: type errors parsed from `tsc --noEmit --pretty false`."""

from __future__ import annotations

import re
from pathlib import Path

from devora.tools import Finding, Level
from devora.tools.checks._base import (
    NotRunError,
    Outcome,
    ToolCheck,
    ToolOutputError,
    relative_file,
)
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["TscCheck", "parse_tsc_output"]

# src/a.ts(9,9): error TS2322: Type 'string' is not assignable to type 'number'.
_LOCATED = re.compile(
    r"^(?P<file>.+?)\((?P<line>\d+),(?P<column>\d+)\): "
    r"(?P<level>error|warning|message) (?P<code>TS\d+): (?P<message>.*)$"
)
# error TS5023: Unknown compiler option 'foo'.
_GLOBAL = re.compile(r"^(?P<level>error|warning|message) (?P<code>TS\d+): (?P<message>.*)$")
_LEVELS = {"error": Level.ERROR, "warning": Level.WARNING, "message": Level.INFO}


class TscCheck(ToolCheck):
    """Type-check a TypeScript project with its own tsc; each diagnostic is a finding."""

    name = "tsc"
    tool = "tsc"
    install = "npm install --save-dev typescript"

    def applies_to(self, profile: ProjectProfile) -> bool:
        """tsc checks TypeScript projects."""
        return profile.has(Language.TYPESCRIPT)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `tsc --noEmit --pretty false -p .` and parse its diagnostics."""
        if not (profile.root / "tsconfig.json").is_file():
            raise NotRunError("not run: no tsconfig.json")
        argv = [str(executable), "--noEmit", "--pretty", "false", "-p", "."]
        output = await self.call(argv, profile, ok=(0, 1, 2))
        try:
            findings = parse_tsc_output(output.stdout, profile.root)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        if output.exit_code != 0 and not findings:
            raise self.unreadable(output, ToolOutputError("non-zero exit but no diagnostic"))
        return Outcome(findings=findings, exit_code=output.exit_code)


def parse_tsc_output(text: str, root: Path) -> list[Finding]:
    """Findings from tsc's plain diagnostics; indented lines continue the previous message."""
    findings: list[Finding] = []
    for raw in text.splitlines():
        if not raw.strip():
            continue
        located = _LOCATED.match(raw)
        match = located or _GLOBAL.match(raw)
        if match is not None:
            findings.append(
                Finding(
                    tool="tsc",
                    rule=match["code"],
                    level=_LEVELS[match["level"]],
                    message=match["message"].strip(),
                    file=relative_file(match["file"], root) if located else None,
                    line=int(match["line"]) if located else None,
                    column=int(match["column"]) if located else None,
                )
            )
        elif raw.startswith((" ", "\t")) and findings:
            last = findings[-1]
            findings[-1] = last.model_copy(update={"message": f"{last.message}\n{raw.strip()}"})
        else:
            raise ToolOutputError(f"not a tsc diagnostic: {raw[:200]!r}")
    return findings
