"""pip-audit: known vulnerabilities of a project's Python dependencies, from its JSON output."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from devora.tools import Finding, Level
from devora.tools._subprocess import tail
from devora.tools.checks._base import (
    NotRunError,
    Outcome,
    ToolCheck,
    ToolCrashError,
    ToolOutputError,
)
from devora.tools.checks._profile import Language, ProjectProfile

__all__ = ["PipAuditCheck", "PipAuditReport", "parse_pip_audit_json"]

# What requests/urllib3 say when the vulnerability service cannot be reached.
_NETWORK_ERRORS = (
    "ConnectionError",
    "ConnectTimeout",
    "ReadTimeout",
    "Max retries exceeded",
    "Failed to establish a new connection",
    "Temporary failure in name resolution",
    "Name or service not known",
    "ProxyError",
    "SSLError",
)


class PipAuditReport:
    """What pip-audit said: a finding per vulnerability, and the dependencies it skipped."""

    def __init__(self, findings: list[Finding], audited: int, skipped: dict[str, str]) -> None:
        self.findings = findings
        self.audited = audited
        self.skipped = skipped


class PipAuditCheck(ToolCheck):
    """Audit dependencies with pip-audit; not_run (never passed) when its service is away."""

    name = "pip-audit"
    tool = "pip-audit"
    install = "pip install pip-audit"

    def __init__(
        self,
        *,
        timeout: float | None = None,
        service: str | None = None,
        osv_url: str | None = None,
        pinned: bool = False,
    ) -> None:
        """Service and osv_url choose pip-audit's vulnerability service; pinned says that
        requirements.txt pins every dependency (a lock), so pip-audit need not resolve it."""
        super().__init__(timeout=timeout)
        self.service = service
        self.osv_url = osv_url
        self.pinned = pinned

    def applies_to(self, profile: ProjectProfile) -> bool:
        """pip-audit audits Python projects."""
        return profile.has(Language.PYTHON)

    async def execute(self, executable: Path, profile: ProjectProfile) -> Outcome:
        """Run `pip-audit -f json` on requirements.txt or the project, and read its report."""
        if (profile.root / "requirements.txt").is_file():
            target, manifest = ["-r", "requirements.txt"], "requirements.txt"
            if self.pinned:
                target += ["--no-deps", "--disable-pip"]
        elif (profile.root / "pyproject.toml").is_file():
            if not _declares_dependencies(profile):
                return Outcome(notes=["pip-audit: the project declares no dependencies"])
            target, manifest = ["."], "pyproject.toml"
        else:
            raise NotRunError("not run: no requirements.txt or pyproject.toml to audit")
        argv = [str(executable), "-f", "json", "--progress-spinner", "off"]
        if self.service:
            argv += ["--vulnerability-service", self.service]
        if self.osv_url:
            argv += ["--osv-url", self.osv_url]
        output = await self.call([*argv, *target], profile, ok=(0, 1, 2))
        if not output.stdout.strip():
            if any(marker in output.stderr for marker in _NETWORK_ERRORS):
                raise NotRunError(
                    "not run: pip-audit cannot reach its vulnerability service",
                    notes=[tail(output.stderr, 1)],
                )
            raise ToolCrashError(
                f"pip-audit exited with code {output.exit_code} without a report",
                exit_code=output.exit_code,
                output=output.stderr,
            )
        try:
            report = parse_pip_audit_json(output.stdout, manifest)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        notes = [f"not audited: {name}: {why}" for name, why in report.skipped.items()]
        if report.skipped and not report.findings:
            total = report.audited + len(report.skipped)
            raise NotRunError(
                f"not run: pip-audit could not audit {len(report.skipped)} of {total} "
                f"dependencies (is its vulnerability service reachable?)",
                notes=notes,
            )
        return Outcome(
            findings=report.findings,
            metrics={"dependencies_audited": float(report.audited)},
            notes=notes,
            exit_code=output.exit_code,
        )


def parse_pip_audit_json(text: str, manifest: str) -> PipAuditReport:
    """A finding per vulnerability in `pip-audit -f json`; skipped dependencies kept apart."""
    try:
        dependencies: list[dict[str, Any]] = json.loads(text)["dependencies"]
    except (json.JSONDecodeError, KeyError, TypeError) as error:
        raise ToolOutputError(f"not pip-audit's JSON report: {error}") from error
    findings: list[Finding] = []
    skipped: dict[str, str] = {}
    audited = 0
    for dependency in dependencies:
        try:
            name = dependency["name"]
            if "skip_reason" in dependency:
                skipped[name] = dependency["skip_reason"]
                continue
            audited += 1
            for vulnerability in dependency.get("vulns", []):
                fixes = ", ".join(vulnerability.get("fix_versions") or []) or "none yet"
                findings.append(
                    Finding(
                        tool="pip-audit",
                        rule=vulnerability["id"],
                        level=Level.ERROR,
                        message=f"{name} {dependency.get('version', '?')} has {vulnerability['id']}"
                        f" (fixed in: {fixes})",
                        file=manifest,
                    )
                )
        except (KeyError, TypeError, AttributeError) as error:
            raise ToolOutputError(f"unexpected pip-audit entry {dependency!r}: {error}") from error
    return PipAuditReport(findings, audited, skipped)


def _declares_dependencies(profile: ProjectProfile) -> bool:
    project = profile.pyproject.get("project", {})
    if not isinstance(project, dict):
        return False
    if project.get("dependencies") or project.get("optional-dependencies"):
        return True
    return "dependencies" in project.get("dynamic", [])
