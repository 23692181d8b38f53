"""The errors of running a project's tests.

DevoraError
├── UsageError
│   └── UnknownTestError        the test id names no test of the project
└── StepError
    └── TestRunCrashedError     the test runner ended without saying anything about the tests
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from devora.errors import StepError, UsageError

__all__ = ["TestRunCrashedError", "UnknownTestError"]


class UnknownTestError(UsageError):
    """A test id the runner does not know in this project."""

    __test__ = False
    code = "unknown_test"

    def __init__(self, test_ids: Sequence[str], root: Path | str, detail: str = "") -> None:
        self.test_ids = list(test_ids)
        self.root = str(root)
        names = ", ".join(self.test_ids)
        super().__init__(
            f"no such test in {self.root}: {names}" + (f" ({detail})" if detail else ""),
            hint="give a pytest node id relative to the project's root, as "
            "`python -m pytest --collect-only -q` lists them (tests/test_x.py::test_name)",
        )


class TestRunCrashedError(StepError):
    """The test runner exited without a report (interrupted, a usage error, a crash)."""

    __test__ = False
    code = "test_run_crashed"

    def __init__(self, argv: Sequence[str], exit_code: int, meaning: str, output_tail: str):
        self.argv = list(argv)
        self.tool_exit_code = exit_code
        self.output_tail = output_tail
        super().__init__(
            f"`{' '.join(self.argv)}` {meaning} (exit code {exit_code}):\n{output_tail}",
            hint="run the same command in the project to see its whole output",
        )
