"""Incident severity: SEV1 (critical) to SEV4 (minor), given or classified from signals.

The rubric follows the definitions PagerDuty (response.pagerduty.com, "Severity Levels")
and Atlassian (Incident Handbook, "Severity levels") publish:

    SEV1  critical: a security breach, customer data lost, or most users (>= 50 %) affected,
          or half of the requests failing; public communication, executives involved.
    SEV2  major: a significant share of users (>= 10 %) affected, an error rate >= 10 %,
          or revenue affected; core functionality impaired for many customers.
    SEV3  minor: some users (>= 1 %) affected or an error rate >= 1 %; a workaround exists.
    SEV4  low: no measurable customer impact; needs action in working hours.

"When unsure, assume the worse": the worst level any known signal reaches is kept, then a
missing signal raises it one level (it may hide a worse impact), and with no signal at all
the incident is a SEV2 until someone measures. A severity given by hand is kept unless a
known signal reaches a worse one.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

__all__ = [
    "SEVERITY_PRIORITIES",
    "Severity",
    "Signals",
    "Triage",
    "classify_signals",
    "parse_severity",
    "triage_incident",
]


class Severity(StrEnum):
    """How bad an incident is: SEV1 is the worst."""

    SEV1 = "SEV1"
    SEV2 = "SEV2"
    SEV3 = "SEV3"
    SEV4 = "SEV4"

    @property
    def rank(self) -> int:
        """1 for SEV1 (the worst) to 4 for SEV4."""
        return int(self.value[3])

    @property
    def priority(self) -> str:
        """The priority that goes with the severity (P1 to P4)."""
        return SEVERITY_PRIORITIES[self]

    def raised(self) -> Severity:
        """One level worse (SEV1 stays SEV1)."""
        return Severity(f"SEV{max(1, self.rank - 1)}")

    def worse(self, other: Severity) -> Severity:
        """The worse of the two."""
        return self if self.rank <= other.rank else other


SEVERITY_PRIORITIES = {
    Severity.SEV1: "P1",
    Severity.SEV2: "P2",
    Severity.SEV3: "P3",
    Severity.SEV4: "P4",
}


def parse_severity(value: Any) -> Any:
    """Accept `SEV2`, `sev2`, `SEV-2` or `2`; anything else is left for validation to refuse."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        text = value.strip().upper().replace("-", "").replace(" ", "")
        if text.isdigit():
            text = f"SEV{text}"
        return text
    return value


class Signals(BaseModel):
    """What is known about the impact; None means not measured (yet)."""

    users_affected_pct: float | None = Field(default=None, ge=0, le=100)
    error_rate_pct: float | None = Field(default=None, ge=0, le=100)
    data_loss: bool | None = None
    security_breach: bool | None = None
    revenue_impact: bool | None = None

    def unknown(self) -> list[str]:
        """The names of the signals nobody gave."""
        return [name for name, value in self if value is None]


class Triage(BaseModel):
    """The severity an incident is handled at, and why."""

    severity: Severity
    priority: str
    given: Severity | None
    from_signals: Severity | None = Field(description="what the known signals alone reach")
    reasons: list[str]
    unknown_signals: list[str]


def _known_level(signals: Signals) -> tuple[Severity | None, list[str]]:
    """The worst level the known signals reach, with the rule each one matched."""
    found: list[tuple[Severity, str]] = []
    if signals.security_breach:
        found.append((Severity.SEV1, "security breach"))
    if signals.data_loss:
        found.append((Severity.SEV1, "customer data lost"))
    users = signals.users_affected_pct
    if users is not None:
        level = (
            Severity.SEV1
            if users >= 50
            else Severity.SEV2
            if users >= 10
            else Severity.SEV3
            if users >= 1
            else Severity.SEV4
        )
        found.append((level, f"{users:g} % of users affected"))
    errors = signals.error_rate_pct
    if errors is not None:
        level = (
            Severity.SEV1
            if errors >= 50
            else Severity.SEV2
            if errors >= 10
            else Severity.SEV3
            if errors >= 1
            else Severity.SEV4
        )
        found.append((level, f"error rate {errors:g} %"))
    if signals.revenue_impact:
        found.append((Severity.SEV2, "revenue affected"))
    known = [value for value in signals.model_dump().values() if value is not None]
    if not known:
        return None, []
    worst = Severity.SEV4
    for level, _ in found:
        worst = worst.worse(level)
    reasons = [f"{why} → {level.value}" for level, why in found] or ["no customer impact → SEV4"]
    return worst, reasons


def classify_signals(signals: Signals) -> tuple[Severity, list[str]]:
    """The severity the rubric gives these signals, and the reasons, in words."""
    known, reasons = _known_level(signals)
    unknown = signals.unknown()
    if known is None:
        return Severity.SEV2, ["no impact signal given: assumed major (SEV2) until measured"]
    if unknown:
        raised = known.raised()
        if raised is not known:
            reasons.append(
                f"not measured: {', '.join(unknown)}: raised {known.value} → {raised.value} "
                "(when unsure, assume the worse)"
            )
        return raised, reasons
    return known, reasons


def triage_incident(given: Severity | None, signals: Signals) -> Triage:
    """The severity to handle the incident at: the given one, or the signals' if worse."""
    unknown = signals.unknown()
    if given is None:
        severity, reasons = classify_signals(signals)
        return Triage(
            severity=severity,
            priority=severity.priority,
            given=None,
            from_signals=severity,
            reasons=reasons,
            unknown_signals=unknown,
        )
    known, reasons = _known_level(signals)
    severity = given if known is None else given.worse(known)
    reasons = [f"declared {given.value}", *reasons]
    if severity is not given:
        reasons.append(f"the signals reach {severity.value}, worse than declared: kept the worse")
    return Triage(
        severity=severity,
        priority=severity.priority,
        given=given,
        from_signals=known,
        reasons=reasons,
        unknown_signals=unknown,
    )
