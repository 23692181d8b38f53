"""The refactoring workflow: analyze, plan, refactor (codemods, the coding agent or a person,
in a worktree), test behind the safety net, review.

    devora run refactoring PATH [--target FILE[:FUNCTION]] [--kind cleanup|modernize|...]

docs/refactoring.md describes the figures, the plan, the codemods and the report.
"""

from devora.workflows.refactoring._inputs import (
    RefactoringConfig,
    RefactoringConfigError,
    RefactoringInputs,
    RefactoringKind,
)
from devora.workflows.refactoring._records import (
    Figures,
    RefactoringPlan,
    RefactoringReview,
    SafetyNet,
    Target,
    TargetDelta,
    WorktreeChange,
)
from devora.workflows.refactoring._workflow import refactoring, refactoring_steps

__all__ = [
    "Figures",
    "RefactoringConfig",
    "RefactoringConfigError",
    "RefactoringInputs",
    "RefactoringKind",
    "RefactoringPlan",
    "RefactoringReview",
    "SafetyNet",
    "Target",
    "TargetDelta",
    "WorktreeChange",
    "refactoring",
    "refactoring_steps",
]
