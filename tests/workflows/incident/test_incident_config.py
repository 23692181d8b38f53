"""Incident settings: policies per severity (defaults filled in), runbooks, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from devora.config import ConfigError
from devora.workflows.incident import (
    DEFAULT_POLICIES,
    NoRunbookError,
    Severity,
    load_incident_settings,
)

SERVICE = """
[tool.devora.incident.services.api]
health_url = "http://127.0.0.1:8000/health"
[[tool.devora.incident.services.api.runbook]]
name = "rollback"
argv = ["git", "revert", "--no-edit", "HEAD"]
risky = true
"""


def write(root: Path, text: str) -> None:
    (root / "pyproject.toml").write_text(f"[project]\nname = 'x'\n{text}", encoding="utf-8")


def test_pyproject_policies_override_the_defaults_per_severity(tmp_path: Path) -> None:
    write(
        tmp_path,
        SERVICE
        + """
[tool.devora.incident.escalation]
sev1 = { levels = [{ squads = ["devops", "backend"], ack_minutes = 2 }] }
""",
    )
    settings = load_incident_settings(tmp_path)
    [level] = settings.policy(Severity.SEV1).levels
    assert level.squads == ["devops", "backend"] and level.ack_minutes == 2
    assert settings.policy(Severity.SEV3) == DEFAULT_POLICIES[Severity.SEV3]
    service = settings.service("api")
    assert service.runbook[0].risky and service.healthy_checks == 3


def test_the_defaults_escalate_faster_the_worse_the_severity() -> None:
    first_waits = [DEFAULT_POLICIES[s].levels[0].ack_minutes for s in Severity]
    assert first_waits == sorted(first_waits)
    assert "business" in DEFAULT_POLICIES[Severity.SEV1].levels[-1].squads


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            '[tool.devora.incident.escalation.SEV9]\nlevels = [{ squads = ["devops"], '
            "ack_minutes = 1 }]",
            "incident.escalation.SEV9",
        ),
        (
            "[tool.devora.incident.escalation.SEV2]\nlevels = []",
            "incident.escalation.SEV2.levels",
        ),
        (
            '[tool.devora.incident.escalation.SEV2]\nlevels = [{ squads = ["devops"], '
            "ack_minutes = 0 }]",
            "ack_minutes",
        ),
        (
            '[tool.devora.incident.services.api]\nhealth_url = "ftp://x"',
            "incident.services.api.health_url",
        ),
        (
            '[tool.devora.incident.services.api]\nhealth_url = "http://x"\n'
            '[[tool.devora.incident.services.api.runbook]]\nname = "a"\nargv = []',
            "incident.services.api.runbook.0.argv",
        ),
        (
            '[tool.devora.incident.services.api]\nhealth_url = "http://x"\nretries = 3',
            "incident.services.api.retries",
        ),
    ],
)
def test_a_bad_setting_names_the_file_and_the_key(tmp_path: Path, text: str, problem: str) -> None:
    write(tmp_path, text)
    with pytest.raises(ConfigError) as raised:
        load_incident_settings(tmp_path)
    assert "pyproject.toml" in raised.value.message and problem in raised.value.message


def test_a_service_with_an_empty_runbook_has_none(tmp_path: Path) -> None:
    write(tmp_path, '[tool.devora.incident.services.web]\nhealth_url = "http://x"\n' + SERVICE)
    settings = load_incident_settings(tmp_path)
    with pytest.raises(NoRunbookError, match=r"'web' has no runbook \(its runbook is empty\)"):
        settings.service("web")
    with pytest.raises(NoRunbookError, match="services with one: api") as raised:
        settings.service("db")
    assert raised.value.hint is not None and "[incident.services.db]" in raised.value.hint
