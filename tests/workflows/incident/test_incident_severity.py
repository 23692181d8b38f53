"""The severity rubric: given, classified from signals, and "when unsure, assume the worse"."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from devora.workflows.incident import (
    IncidentInputs,
    Severity,
    Signals,
    classify_signals,
    triage_incident,
)

ALL_CLEAR = {"data_loss": False, "security_breach": False, "revenue_impact": False}


@pytest.mark.parametrize(
    ("signals", "expected"),
    [
        ({"users_affected_pct": 0, "error_rate_pct": 0, **ALL_CLEAR}, Severity.SEV4),
        ({"users_affected_pct": 2, "error_rate_pct": 0.5, **ALL_CLEAR}, Severity.SEV3),
        ({"users_affected_pct": 0.5, "error_rate_pct": 12, **ALL_CLEAR}, Severity.SEV2),
        ({"users_affected_pct": 60, "error_rate_pct": 1, **ALL_CLEAR}, Severity.SEV1),
        (
            {"users_affected_pct": 0, "error_rate_pct": 0, **ALL_CLEAR, "revenue_impact": True},
            Severity.SEV2,
        ),
        (
            {"users_affected_pct": 0, "error_rate_pct": 0, **ALL_CLEAR, "data_loss": True},
            Severity.SEV1,
        ),
        (
            {"users_affected_pct": 0, "error_rate_pct": 0, **ALL_CLEAR, "security_breach": True},
            Severity.SEV1,
        ),
    ],
)
def test_the_worst_signal_sets_the_severity(signals: dict[str, object], expected: Severity) -> None:
    severity, reasons = classify_signals(Signals.model_validate(signals))
    assert severity is expected
    assert reasons


def test_a_missing_signal_raises_the_severity_one_level() -> None:
    severity, reasons = classify_signals(Signals(users_affected_pct=2, error_rate_pct=0.5))
    assert severity is Severity.SEV2  # SEV3 from the known signals, unsure about the rest
    assert "not measured: data_loss, security_breach, revenue_impact" in reasons[-1]
    assert "assume the worse" in reasons[-1]


def test_no_signal_at_all_is_a_major_incident() -> None:
    severity, reasons = classify_signals(Signals())
    assert severity is Severity.SEV2
    assert "no impact signal" in reasons[0]


def test_a_given_severity_is_kept_unless_known_signals_are_worse() -> None:
    kept = triage_incident(Severity.SEV3, Signals(users_affected_pct=2))
    assert kept.severity is Severity.SEV3 and kept.priority == "P3"
    worse = triage_incident(Severity.SEV3, Signals(data_loss=True))
    assert worse.severity is Severity.SEV1 and worse.given is Severity.SEV3
    assert "worse than declared" in worse.reasons[-1]


@pytest.mark.parametrize("text", ["SEV2", "sev2", "Sev-2", "2"])
def test_severity_spellings(text: str) -> None:
    inputs = IncidentInputs(summary="down", service="api", severity=text)
    assert inputs.severity is Severity.SEV2


@pytest.mark.parametrize("bad", ["SEV5", "critical", "0"])
def test_a_severity_that_does_not_exist(bad: str) -> None:
    with pytest.raises(ValidationError, match="SEV1"):
        IncidentInputs(summary="down", service="api", severity=bad)


def test_an_incident_cannot_start_in_the_future() -> None:
    with pytest.raises(ValidationError, match="future"):
        IncidentInputs(summary="down", service="api", started_at="2999-01-01T00:00:00Z")
