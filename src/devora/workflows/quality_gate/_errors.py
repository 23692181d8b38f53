"""Errors of the quality gate, each with a message built from its fields and a hint.

DevoraError
├── UsageError
│   ├── GateConfigError           [tool.devora.quality_gate] or devora.toml is wrong
│   └── BaseRefError              --base names no commit git knows
└── StepError
    └── GateFailedError           the verdict: the score or a condition fails the gate

--changed outside a git work tree is devora.tools.git's NotAGitRepositoryError.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devora.errors import StepError, UsageError

__all__ = [
    "BaseRefError",
    "GateConfigError",
    "GateFailedError",
]


class GateConfigError(UsageError):
    """The gate's configuration (weights, threshold, conditions, budgets) is not valid."""

    code = "gate_config"

    def __init__(self, file: Path, problems: Sequence[tuple[str, str]]) -> None:
        self.file = str(file)
        self.problems = tuple(problems)
        listed = "; ".join(f"{where}: {problem}" for where, problem in problems)
        super().__init__(
            f"the quality gate configuration in {file} is not valid: {listed}",
            hint="see docs/quality-gate.md for the keys, their types and their defaults",
        )


class BaseRefError(UsageError):
    """The --base reference names no commit in the repository."""

    code = "bad_base_ref"

    def __init__(self, ref: str, problem: str) -> None:
        self.ref = ref
        self.problem = problem
        super().__init__(
            f"--base {ref} is not a commit git knows here: {problem}",
            hint="pass a branch, tag or commit of this repository (fetch it first in CI)",
        )


class GateFailedError(StepError):
    """The project did not pass: the score is under the threshold or a condition failed."""

    code = "gate_failed"

    def __init__(self, score: int, threshold: int, reasons: Sequence[str]) -> None:
        self.score = score
        self.threshold = threshold
        self.reasons = tuple(reasons)
        super().__init__(
            f"quality gate failed (score {score}/100): {'; '.join(reasons)}",
            hint="fix the findings listed above (try --fix for the safe ones) and run it again",
        )
