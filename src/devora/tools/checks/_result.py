"""The result of one check: its status, the tool that ran, its findings and metrics."""

from __future__ import annotations

from collections import Counter
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from devora.tools import Finding, Level

__all__ = ["CheckResult", "CheckStatus"]


class CheckStatus(StrEnum):
    """How a check ended.

    ``passed`` and ``failed`` mean the tool ran and its output was understood (failed: it
    reported at least one finding); ``not_run`` says why it could not run; ``crashed`` means
    the tool exited in a way it does not when it works, or printed output that cannot be read.
    """

    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not_run"
    CRASHED = "crashed"


class CheckResult(BaseModel):
    """What one check found, as data: never raw text."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="the check's name, e.g. ruff-check")
    tool: str = Field(description="the executable that did the work, e.g. ruff")
    tool_version: str | None = None
    environment: str | None = Field(
        default=None, description="the Python environment it ran in, e.g. `uv (/p/.venv)`"
    )
    status: CheckStatus
    reason: str | None = Field(
        default=None, description="why the check did not run or crashed, in one sentence"
    )
    exit_code: int | None = None
    output_tail: str | None = Field(
        default=None, description="the last lines of stderr (crashed) or of the output (npm test)"
    )
    findings: tuple[Finding, ...] = ()
    duration: float = Field(default=0.0, ge=0, description="wall time in seconds")
    metrics: dict[str, float] = Field(default_factory=dict)
    notes: tuple[str, ...] = Field(
        default=(), description="what the reader should know, e.g. a measure that was skipped"
    )
    run: str | None = Field(default=None, description="the run that produced this result")
    reused: str | None = Field(
        default=None,
        description="what of this result an incremental gate reused, and from which run",
    )

    @property
    def ok(self) -> bool:
        """True when the check ran and found nothing."""
        return self.status is CheckStatus.PASSED

    def count(self, level: Level | None = None) -> int:
        """The number of findings, or of findings at one level."""
        if level is None:
            return len(self.findings)
        return sum(1 for finding in self.findings if finding.level is level)

    def counts_by_level(self) -> dict[str, int]:
        """Findings counted per level (error, warning, info), zeros included."""
        counter = Counter(finding.level.value for finding in self.findings)
        return {level.value: counter.get(level.value, 0) for level in Level}
