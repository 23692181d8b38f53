"""npm: the project's own test script, and `npm audit --json`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devora.tools import Finding, Level
from devora.tools.checks._base import NotRunError, Outcome, ToolCheck, ToolOutputError
from devora.tools.checks._npm_test_status import judge_npm_test_run
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["NpmAuditCheck", "NpmTestCheck", "parse_npm_audit_json"]

_INSTALL_NODE = "install Node.js, which ships npm"
_LEVELS = {
    "critical": Level.ERROR,
    "high": Level.ERROR,
    "moderate": Level.WARNING,
    "low": Level.INFO,
    "info": Level.INFO,
}


class NpmTestCheck(ToolCheck):
    """Run the project's own `npm test`, judged by its runner's counts (node, Jest, Vitest)."""

    name = "npm-test"
    tool = "npm"
    install = _INSTALL_NODE
    default_timeout = 900.0

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Applies to JavaScript projects (not_run when package.json has no test script)."""
        return profile.has(Language.JAVASCRIPT)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `npm test` and judge it by its runner's summary and its exit code."""
        if profile.test_script is None:
            raise NotRunError("not run: package.json has no test script")
        output = await self.call([str(executable), "test"], profile, ok=range(-255, 256))
        return judge_npm_test_run(output, profile.test_script)


class NpmAuditCheck(ToolCheck):
    """Audit npm dependencies; not_run (never passed) when the audit service cannot be reached."""

    name = "npm-audit"
    tool = "npm"
    install = _INSTALL_NODE

    def applies_to(self, profile: ProjectProfile) -> bool:
        """Applies to JavaScript projects (not_run without package-lock.json)."""
        return profile.has(Language.JAVASCRIPT)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `npm audit --json` and read a finding per vulnerable package."""
        if not any(
            name in profile.lock_files for name in ("package-lock.json", "npm-shrinkwrap.json")
        ):
            raise NotRunError("not run: no package-lock.json (run `npm install` to make one)")
        output = await self.call([str(executable), "audit", "--json"], profile)
        try:
            data = json.loads(output.stdout)
        except json.JSONDecodeError as error:
            raise self.unreadable(output, ToolOutputError(f"not JSON: {error.msg}")) from error
        problem = _audit_error(data)
        if problem is not None:
            raise NotRunError(f"not run: npm audit could not get advisories: {problem}")
        try:
            findings, total = parse_npm_audit_json(data)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        return Outcome(
            findings=findings,
            metrics={"vulnerable_packages": float(total)},
            exit_code=output.exit_code,
        )


def parse_npm_audit_json(data: dict[str, Any]) -> tuple[list[Finding], int]:
    """A finding per vulnerable package in `npm audit --json` (v2 report), and npm's total."""
    try:
        vulnerabilities: dict[str, dict[str, Any]] = data["vulnerabilities"]
        total = int(data["metadata"]["vulnerabilities"]["total"])
        findings = []
        for name, entry in vulnerabilities.items():
            severity = str(entry["severity"])
            advisories = [via for via in entry.get("via", []) if isinstance(via, dict)]
            titles = "; ".join(str(via.get("title")) for via in advisories) or (
                "through " + ", ".join(str(via) for via in entry.get("via", []))
            )
            rule = (
                str(advisories[0].get("url") or advisories[0].get("source")) if advisories else name
            )
            findings.append(
                Finding(
                    tool="npm-audit",
                    rule=rule,
                    level=_LEVELS.get(severity, Level.WARNING),
                    message=f"{name} {entry.get('range', '')}: {titles}".strip(),
                    file="package-lock.json",
                    fixable=bool(entry.get("fixAvailable")),
                    severity=severity,
                )
            )
    except (KeyError, TypeError, ValueError, AttributeError) as error:
        raise ToolOutputError(f"not npm audit's JSON report: {error}") from error
    return findings, total


def _audit_error(data: Any) -> str | None:
    # npm reports a failed audit as {"error": {...}} and/or {"message": ..., "statusCode": ...}.
    if not isinstance(data, dict) or "vulnerabilities" in data:
        return None
    error = data.get("error")
    candidates = [data.get("message")]
    if isinstance(error, dict):
        candidates += [error.get("summary"), error.get("detail"), error.get("code")]
    elif error:
        candidates.append(error)
    return next((str(text) for text in candidates if text), "no advisories in the report")
