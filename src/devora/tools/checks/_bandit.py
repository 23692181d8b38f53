"""Bandit: security issues in Python code, read from `bandit -f json`."""

from __future__ import annotations

import json
from pathlib import Path

from devora.tools import Finding, Level
from devora.tools.checks._base import Outcome, ToolOutputError, relative_file
from devora.tools.checks._file_scope import FileScopedCheck
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["BanditCheck", "parse_bandit_json"]

_LEVELS = {"HIGH": Level.ERROR, "MEDIUM": Level.WARNING, "LOW": Level.INFO}
# Tests assert (B101) by design, and installed packages are not the project's code.
_EXCLUDED = (".venv", "venv", "node_modules", ".git", ".tox", ".nox", "build", "dist", "tests")


class BanditCheck(FileScopedCheck):
    """Scan Python code with bandit; HIGH issues are errors, MEDIUM warnings, LOW info."""

    name = "bandit"
    tool = "bandit"
    install = "pip install bandit"
    suffixes = (".py", ".pyw")
    skipped_dirs = ()  # bandit applies its exclusions (-x) to files named to it as well

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Bandit scans Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `bandit -f json -r` on src/ (or the root without tests and virtualenvs)."""
        has_src = (profile.root / "src").is_dir()
        excluded = ["-x", ",".join(f"./{name}" for name in _EXCLUDED)]
        if self.only is not None:
            files = [f for f in self.targets(()) if not has_src or f.startswith("src/")]
            if not files:
                return Outcome()
            targets = [f"./{name}" for name in files] + ([] if has_src else excluded)
        elif has_src:
            targets = ["src"]
        else:
            targets = [".", *excluded]
        argv = [str(executable), "-f", "json", "-q", "-r", *targets]
        if isinstance(profile.pyproject.get("tool", {}).get("bandit"), dict):
            # bandit reads [tool.bandit] (skips, excludes) only when told to.
            argv[1:1] = ["-c", str(profile.root / "pyproject.toml")]
        output = await self.call(argv, profile)
        try:
            findings, notes = parse_bandit_json(output.stdout, profile.root)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        return Outcome(findings=findings, notes=notes, exit_code=output.exit_code)


def parse_bandit_json(text: str, root: Path) -> tuple[list[Finding], list[str]]:
    """Findings from `bandit -f json`, and a note per file bandit could not scan."""
    try:
        data = json.loads(text)
        results = data["results"]
        errors = data.get("errors", [])
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ToolOutputError(f"not bandit's JSON report: {error}") from error
    findings = []
    for item in results:
        try:
            severity = str(item["issue_severity"]).upper()
            findings.append(
                Finding(
                    tool="bandit",
                    rule=item["test_id"],
                    level=_LEVELS.get(severity, Level.WARNING),
                    message=f"{item['issue_text']} ({item['test_name']}, "
                    f"confidence {str(item.get('issue_confidence', '?')).lower()})",
                    file=relative_file(item["filename"], root),
                    line=item.get("line_number") or None,
                    column=(item["col_offset"] + 1)
                    if isinstance(item.get("col_offset"), int)
                    else None,
                    end_line=max(item.get("line_range") or [0]) or None,
                    severity=severity,
                )
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ToolOutputError(f"unexpected bandit result {item!r}: {error}") from error
    notes = [f"bandit could not scan {e.get('filename')}: {e.get('reason')}" for e in errors]
    return findings, notes
