"""The errors of a bug resolution.

DevoraError
├── UsageError
│   └── DirtyTreeError         uncommitted changes the run would not see
└── StepError
    ├── NotReproducedError     the reproducer passes: there is no bug to resolve here
    └── NoFixError             no candidate fix passed FAIL_TO_PASS and PASS_TO_PASS
"""

from __future__ import annotations

from collections.abc import Sequence

from devora.errors import StepError, UsageError

__all__ = ["DirtyTreeError", "NoFixError", "NotReproducedError"]


class DirtyTreeError(UsageError):
    """The repository has uncommitted changes to what the run works on."""

    code = "dirty_tree"

    def __init__(self, root: str, paths: Sequence[str]) -> None:
        self.root = root
        self.paths = list(paths)
        shown = ", ".join(self.paths[:5]) + (" ..." if len(self.paths) > 5 else "")
        super().__init__(
            f"{root} has uncommitted changes ({shown}): the run reproduces and fixes the bug "
            "at HEAD, so it would not see them",
            hint="commit them (a reproducer test too), or stash them yourself, then run again",
        )


class NotReproducedError(StepError):
    """The reproducer passed every time: the bug does not show at HEAD."""

    code = "not_reproduced"

    def __init__(self, command: str, runs: int, exit_code: int | None, output_tail: str) -> None:
        self.command = command
        self.runs = runs
        self.reproducer_exit_code = exit_code
        self.output_tail = output_tail
        super().__init__(
            f"not reproduced: `{command}` passed {runs} of {runs} runs at HEAD "
            f"(exit code {exit_code}):\n{output_tail}".rstrip(),
            hint="check that the reproducer fails where the bug is (run it yourself), "
            "and that the bug is committed",
        )


class NoFixError(StepError):
    """Every candidate fix was rejected."""

    code = "no_fix"

    def __init__(self, reasons: Sequence[str]) -> None:
        self.reasons = list(reasons)
        listed = "\n".join(f"- {reason}" for reason in self.reasons) or "- no candidate was made"
        super().__init__(
            f"no candidate fix passed FAIL_TO_PASS and PASS_TO_PASS:\n{listed}",
            hint="see report.md among the run's artifacts for the diagnosis, and fix it by hand",
        )
