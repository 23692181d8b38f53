"""pip-audit: known vulnerabilities of a project's Python dependencies, from its JSON output."""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
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
from devora.tools.checks._installed import installed_distributions, normalized, project_name
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
    """Audit dependencies with pip-audit; not_run (never passed) when its service is away.

    requirements.txt is audited when there is one, else pyproject.toml's dependencies; a
    project with only setup.py/setup.cfg has its environment's installed distributions
    audited (less the project itself).
    """

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
        """Run `pip-audit -f json` on requirements.txt, the project, or its environment."""
        with tempfile.TemporaryDirectory(prefix="devora-pip-audit-") as scratch:
            target = await self._target(profile, Path(scratch))
            if isinstance(target, Outcome):
                return target
            return await self._audit(executable, profile, target)

    async def _target(self, profile: ProjectProfile, scratch: Path) -> _Target | Outcome:
        root = profile.root
        if (root / "requirements.txt").is_file():
            argv = ["-r", "requirements.txt"]
            if self.pinned:
                argv += ["--no-deps", "--disable-pip"]
            return _Target(argv, "requirements.txt")
        if (root / "pyproject.toml").is_file() and (
            "project" in profile.pyproject or not _has_setuptools_files(root)
        ):
            if not _declares_dependencies(profile):
                return Outcome(notes=["pip-audit: the project declares no dependencies"])
            return _Target(["."], "pyproject.toml")
        if not _has_setuptools_files(root):
            raise NotRunError("not run: no requirements.txt or pyproject.toml to audit")
        return await _environment_target(profile, scratch)

    async def _audit(self, executable: Path, profile: ProjectProfile, target: _Target) -> Outcome:
        argv = [str(executable), "-f", "json", "--progress-spinner", "off"]
        if self.service:
            argv += ["--vulnerability-service", self.service]
        if self.osv_url:
            argv += ["--osv-url", self.osv_url]
        output = await self.call([*argv, *target.argv], profile, ok=(0, 1, 2))
        if not output.stdout.strip():
            if any(marker in output.stderr for marker in _NETWORK_ERRORS):
                raise NotRunError(
                    "not run: pip-audit cannot reach its vulnerability service",
                    notes=[tail(output.stderr, 1), *target.notes],
                )
            raise ToolCrashError(
                f"pip-audit exited with code {output.exit_code} without a report",
                exit_code=output.exit_code,
                output=output.stderr,
            )
        try:
            report = parse_pip_audit_json(output.stdout, target.manifest)
        except ToolOutputError as error:
            raise self.unreadable(output, error) from error
        notes = [*target.notes]
        notes += [f"not audited: {name}: {why}" for name, why in report.skipped.items()]
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


@dataclass(frozen=True)
class _Target:
    """What pip-audit is asked to audit: its arguments, the file findings point at, notes."""

    argv: list[str]
    manifest: str
    notes: tuple[str, ...] = ()


async def _environment_target(profile: ProjectProfile, scratch: Path) -> _Target:
    """The project's environment as pinned requirements, without the project itself.

    setup.py/setup.cfg list no dependencies pip-audit can read, so what is installed in the
    project's environment (its dependencies and its test dependencies) is audited instead.
    """
    environment = profile.python_env
    if environment is None or not environment.usable or environment.python is None:
        why = environment.problem if environment is not None else "none was resolved"
        raise NotRunError(
            "not run: no requirements.txt or pyproject.toml to audit, and no Python "
            f"environment of the project to audit instead ({why})"
        )
    installed = await installed_distributions(environment.python, profile.root)
    if isinstance(installed, str):
        raise NotRunError(f"not run: cannot list the project's environment: {installed}")
    name = project_name(profile.root, profile.pyproject)
    own = normalized(name) if name else None
    pins = sorted(f"{dist}=={version}" for dist, version in installed.items()
                  if normalized(dist) != own)  # fmt: skip
    requirements = scratch / "environment.txt"
    requirements.write_text("".join(f"{pin}\n" for pin in pins), encoding="utf-8")
    itself = (
        f"the project's own distribution {name} left out"
        if name
        else (
            "the project's name is not in setup.cfg or setup.py, so its own distribution "
            "may be reported as not audited"
        )
    )
    note = (
        f"pip-audit: audited what is installed in the project's environment "
        f"{environment.describe()} ({len(pins)} distributions, test dependencies included; "
        f"{itself}), since setup.py/setup.cfg list no dependencies pip-audit reads"
    )
    manifest = "setup.cfg" if (profile.root / "setup.cfg").is_file() else "setup.py"
    return _Target(["-r", str(requirements), "--no-deps", "--disable-pip"], manifest, (note,))


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


def _has_setuptools_files(root: Path) -> bool:
    return (root / "setup.py").is_file() or (root / "setup.cfg").is_file()


def _declares_dependencies(profile: ProjectProfile) -> bool:
    project = profile.pyproject.get("project", {})
    if not isinstance(project, dict):
        return False
    if project.get("dependencies") or project.get("optional-dependencies"):
        return True
    return "dependencies" in project.get("dynamic", [])
