"""What can go wrong starting a web application."""

from __future__ import annotations

from devora.errors import StepError

__all__ = ["AppStartError"]


class AppStartError(StepError):
    """The application exited, or did not answer its health check in time."""

    code = "app_start_failed"

    def __init__(self, problem: str, *, argv: tuple[str, ...], output_tail: str) -> None:
        self.problem = problem
        self.argv = argv
        self.output_tail = output_tail
        super().__init__(
            f"the application did not start: {problem}",
            hint="run the command by hand in the project to see why: " + " ".join(argv),
        )
