"""What each bug-resolution step hands to the next (journaled, so a resumed run reuses it)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from devora.tools.faultloc import Suspect
from devora.tools.testrun import Reproducer, Reproduction, Verdict
from devora.workflows.bug_resolution._inputs import Component

__all__ = [
    "Candidate",
    "CandidateKind",
    "FixOutcome",
    "Judgement",
    "LocalizationReport",
    "ReproducerRunRecord",
    "ReproductionReport",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReproducerRunRecord(_Frozen):
    """One run of the reproducer: its verdict, exit code and the end of its output."""

    verdict: Verdict
    exit_code: int | None
    output_tail: str = ""
    duration: float = 0.0


class ReproductionReport(_Frozen):
    """The reproducer repeated at the base commit, and the tests that passed there."""

    repository: str
    head: str = Field(description="the user's HEAD when the run started")
    base: str = Field(description="the commit fixes start from (HEAD, or the reproducer's)")
    reproducer: Reproducer
    overlay: dict[str, str] = Field(
        default_factory=dict, description="the reproducer's test files, put into old checkouts"
    )
    python: str | None = None
    status: Reproduction
    passed: int
    failed: int
    runs: list[ReproducerRunRecord]
    baseline_passed: list[str] | None = Field(
        default=None, description="test ids passing at base; None when pytest could not run"
    )
    baseline_note: str = ""


class LocalizationReport(_Frozen):
    """The top suspicious functions, or why there are none."""

    suspects: list[Suspect] = Field(default_factory=list)
    failing_tests: list[str] = Field(default_factory=list)
    note: str = ""


class Judgement(_Frozen):
    """A candidate judged as SWE-bench judges a repair: FAIL_TO_PASS and PASS_TO_PASS."""

    fail_to_pass_runs: int
    fail_to_pass_passed: int
    pass_to_pass_checked: int
    pass_to_pass_broken: dict[str, str] = Field(
        default_factory=dict, description="test id -> its outcome now (failed, error, missing)"
    )
    failures: dict[str, str] = Field(
        default_factory=dict, description="test id -> the failure's text (fed back to the agent)"
    )
    note: str = ""

    @property
    def fail_to_pass(self) -> bool:
        """The reproducer passed every time."""
        return self.fail_to_pass_runs > 0 and self.fail_to_pass_passed == self.fail_to_pass_runs

    @property
    def pass_to_pass(self) -> bool:
        """Every test that passed before still passes."""
        return not self.pass_to_pass_broken

    @property
    def accepted(self) -> bool:
        """Both hold."""
        return self.fail_to_pass and self.pass_to_pass

    def reasons(self) -> str:
        """Why a rejected candidate was rejected, naming the tests."""
        parts = []
        if not self.fail_to_pass:
            parts.append(
                f"FAIL_TO_PASS: the reproducer passed {self.fail_to_pass_passed} of "
                f"{self.fail_to_pass_runs} runs"
            )
        if self.pass_to_pass_broken:
            broken = ", ".join(f"{t} ({o})" for t, o in sorted(self.pass_to_pass_broken.items()))
            parts.append(f"PASS_TO_PASS: {broken}")
        return "; ".join(parts) or "accepted"


class CandidateKind(StrEnum):
    """Who made a candidate fix."""

    REVERT = "revert"
    AGENT = "agent"
    HUMAN = "human"


class Candidate(_Frozen):
    """One candidate fix: where it is, what it changes, and its judgement."""

    kind: CandidateKind
    label: str
    base: str
    branch: str | None = None
    worktree: str | None = None
    commit: str | None = None
    files: list[str] = Field(default_factory=list)
    summary: str = ""
    patch: str = ""
    judgement: Judgement | None = None
    rejected_because: str | None = None

    @property
    def accepted(self) -> bool:
        """Judged and accepted."""
        return self.judgement is not None and self.judgement.accepted


class FixOutcome(_Frozen):
    """Every candidate tried, in order, and the one accepted (if any)."""

    squad: Component
    candidates: list[Candidate]

    @property
    def chosen(self) -> Candidate | None:
        """The accepted candidate."""
        return next((c for c in self.candidates if c.accepted), None)
