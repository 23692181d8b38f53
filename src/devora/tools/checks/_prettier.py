"""Prettier: files whose formatting differs, from `prettier --list-different`."""

from __future__ import annotations

from pathlib import Path

from devora.tools import Finding, Level
from devora.tools.checks._base import Outcome, ToolOutputError, relative_file
from devora.tools.checks._file_scope import FileScopedCheck
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["PrettierCheck", "parse_prettier_list"]


class PrettierCheck(FileScopedCheck):
    """Check formatting with the project's own Prettier; each file to reformat is a finding."""

    name = "prettier"
    tool = "prettier"
    install = "npm install --save-dev prettier"
    suffixes = ("",)  # every file: Prettier itself knows which it formats (--ignore-unknown)

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Prettier formats JavaScript and TypeScript projects."""
        return profile.has(Language.JAVASCRIPT)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `prettier --list-different .` and read the files it lists."""
        targets = self.targets(["."])
        if not targets:
            return Outcome()
        if self.only is not None:
            # Files named on the command line: ignored ones (.prettierignore) are skipped
            # silently, unknown kinds with --ignore-unknown.
            targets = ["--ignore-unknown", *(f"./{name}" for name in targets)]
        output = await self.call([str(executable), "--list-different", *targets], profile)
        try:
            findings = parse_prettier_list(output.stdout, profile.root)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        if output.exit_code == 1 and not findings:
            raise self.unreadable(output, ToolOutputError("exit 1 but no file listed"))
        return Outcome(findings=findings, exit_code=output.exit_code)


def parse_prettier_list(text: str, root: Path) -> list[Finding]:
    """A fixable finding per file `prettier --list-different` printed (each must exist)."""
    findings = []
    for line in text.splitlines():
        name = line.strip()
        if not name:
            continue
        if not (root / name).is_file():
            raise ToolOutputError(f"not a file of the project: {name[:200]!r}")
        findings.append(
            Finding(
                tool="prettier",
                rule="format",
                level=Level.WARNING,
                message="file would be reformatted by `prettier --write`",
                file=relative_file(name, root),
                fixable=True,
            )
        )
    return findings
