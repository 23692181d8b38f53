"""What each refactoring step hands to the next (journaled, so a resumed run reuses it)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from devora.tools.metrics import ProjectAnalysis

__all__ = [
    "Figures",
    "RefactoringPlan",
    "RefactoringReview",
    "SafetyNet",
    "Target",
    "TargetDelta",
    "WorktreeChange",
]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Figures(_Frozen):
    """A target's measures: complexity, maintainability, duplicated lines, lines of code."""

    complexity: int
    maintainability: float | None
    duplicated_lines: int | None  # None: not measured (jscpd missing), never "no duplication"
    lines: int


class Target(_Frozen):
    """One place to refactor, why (its figures) and what is proposed."""

    file: str
    function: str | None
    score: float
    revisions: int
    figures: Figures
    proposal: str
    codemod: str | None = None  # "rename" or "replace-deprecated" when a codemod does it

    @property
    def label(self) -> str:
        """FILE:FUNCTION, or FILE."""
        return f"{self.file}:{self.function}" if self.function else self.file


class RefactoringPlan(_Frozen):
    """The analysis, the ranked targets, and the ones chosen."""

    analysis: ProjectAnalysis
    ranked: tuple[Target, ...]
    chosen: tuple[Target, ...]
    chosen_by: str  # "--target", "--rename", or who answered


class WorktreeChange(_Frozen):
    """The refactoring made on branch `branch` in a worktree, and by whom."""

    branch: str
    worktree: str
    base_commit: str
    head_commit: str
    files_changed: tuple[str, ...]
    done_by: str  # "codemod rename", "coding agent MODEL", "person"
    summary: str


class SafetyNet(_Frozen):
    """The same tests before and after, coverage and type errors before and after."""

    tests_before: int
    passed_before: tuple[str, ...]
    no_longer_passing: tuple[str, ...]
    coverage_before: float | None
    coverage_after: float | None
    type_errors_before: int | None
    type_errors_after: int | None
    worse: tuple[str, ...]  # what got worse; empty when the change is kept
    # Optional figures not measured (coverage.py or mypy missing): not a pass, not a failure.
    not_run: tuple[str, ...] = ()
    # Figures not measured that the config does not call optional: the change is not kept.
    not_measured: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        """What the safety net established, and what it did not (a check not run is no pass)."""
        if self.worse or self.not_measured:
            verdict = [f"worse: {'; '.join(self.worse)}"] if self.worse else []
            if self.not_measured:
                verdict.append(f"not verified: {'; '.join(self.not_measured)}")
            return "; ".join(verdict)
        held = [f"{len(self.passed_before)} test(s) pass before and after"]
        if self.coverage_before is not None:
            held.append("coverage not lower")
        if self.type_errors_before is not None:
            held.append("type check not worse")
        text = "kept: " + ", ".join(held)
        if self.not_run:
            text += "; not verified (optional): " + "; ".join(self.not_run)
        return text


class TargetDelta(_Frozen):
    """A target's figures before and after."""

    target: str
    before: Figures
    after: Figures | None  # None when the function is gone (renamed or moved)


class RefactoringReview(_Frozen):
    """What the refactoring changed, per target, and where its artifacts are."""

    deltas: tuple[TargetDelta, ...]
    branch: str
    files_changed: tuple[str, ...]
    patch_lines: int
