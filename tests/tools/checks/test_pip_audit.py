"""pip-audit: never a pass when its vulnerability service cannot be reached."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.tools.checks import CheckStatus, PipAuditCheck, detect_project, parse_pip_audit_json


@pytest.fixture
def pinned(tmp_path: Path) -> Path:
    """A project pinning a requests release with published vulnerabilities."""
    (tmp_path / "requirements.txt").write_text("requests==2.19.0\n")
    return tmp_path


@pytest.mark.slow
async def test_unreachable_service_is_not_run(pinned: Path, tool_path: str) -> None:
    check = PipAuditCheck(service="osv", osv_url="http://127.0.0.1:9/v1/query", pinned=True)
    result = await check.run(detect_project(pinned, search_path=tool_path))
    assert result.status is CheckStatus.NOT_RUN
    assert result.reason == "not run: pip-audit cannot reach its vulnerability service"
    assert result.notes and "Connection" in result.notes[0]


@pytest.mark.slow
async def test_default_service_never_passes_vulnerable_pins(pinned: Path, tool_path: str) -> None:
    result = await PipAuditCheck().run(detect_project(pinned, search_path=tool_path))
    # Where the service answers, requests 2.19.0 has known vulnerabilities; where it does not,
    # pip-audit skips every dependency and says "No known vulnerabilities": that is not a pass.
    assert result.status in {CheckStatus.FAILED, CheckStatus.NOT_RUN}, result
    if result.status is CheckStatus.FAILED:
        assert result.findings and all(f.file == "requirements.txt" for f in result.findings)
    else:
        assert result.reason and "could not audit" in result.reason


async def test_project_without_dependencies_has_nothing_to_audit(
    python_project: Path, tool_path: str
) -> None:
    result = await PipAuditCheck().run(detect_project(python_project, search_path=tool_path))
    assert result.status is CheckStatus.PASSED
    assert result.notes == ("pip-audit: the project declares no dependencies",)


def test_report_with_vulnerabilities_and_skips() -> None:
    # The shape `pip-audit -f json` prints (2.7+): vulnerable, clean and skipped dependencies.
    text = """{"dependencies": [
      {"name": "requests", "version": "2.19.0", "vulns": [
        {"id": "PYSEC-2018-28", "fix_versions": ["2.20.0"], "aliases": ["CVE-2018-18074"],
         "description": "Requests sends HTTP Authorization headers on redirects"},
        {"id": "GHSA-j8r2-6x86-q33q", "fix_versions": ["2.31.0"], "aliases": [],
         "description": "Proxy-Authorization leak"}]},
      {"name": "idna", "version": "3.7", "vulns": []},
      {"name": "mylocal", "skip_reason": "Dependency not found on PyPI and could not be audited"}
    ], "fixes": []}"""
    report = parse_pip_audit_json(text, "requirements.txt")
    assert [f.rule for f in report.findings] == ["PYSEC-2018-28", "GHSA-j8r2-6x86-q33q"]
    assert report.findings[0].message == "requests 2.19.0 has PYSEC-2018-28 (fixed in: 2.20.0)"
    assert report.audited == 2
    assert list(report.skipped) == ["mylocal"]
