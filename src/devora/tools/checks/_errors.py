"""Errors of the check adapters, each with a message built from its fields and a hint.

DevoraError
├── UsageError
│   ├── ProjectNotFoundError      the path does not exist
│   ├── NotAProjectError          nothing there says which languages or tools it uses
│   └── ProjectConfigError        a config file cannot be parsed (file, line, problem)
├── EnvironmentProblem
│   └── NotRunError               a check cannot run here (no config for it, no service)
└── StepError
    ├── ToolCrashError            a check's tool did not do its job (exit code, output)
    ├── ToolOutputError           a tool's output cannot be read as promised (a ValueError too)
    └── ToolFailedError           a fixer's tool crashed or printed what cannot be read

NotRunError and ToolCrashError do not leave a check: `ToolCheck.run` turns them into a
not-run or crashed result; ToolOutputError becomes a ToolCrashError (`ToolCheck.unreadable`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from devora.errors import EnvironmentProblem, StepError, UsageError
from devora.tools._subprocess import tail

__all__ = [
    "NotAProjectError",
    "NotRunError",
    "ProjectConfigError",
    "ProjectNotFoundError",
    "ToolCrashError",
    "ToolFailedError",
    "ToolOutputError",
]


class ProjectNotFoundError(UsageError):
    """The project path does not exist or is not a directory."""

    code = "project_not_found"

    def __init__(self, path: Path, problem: str = "does not exist") -> None:
        self.path = str(path)
        super().__init__(
            f"project path {path} {problem}",
            hint="pass the directory that holds pyproject.toml or package.json",
        )


class NotAProjectError(UsageError):
    """The directory holds none of the files that say what a project is made of."""

    code = "not_a_project"

    def __init__(self, path: Path, looked_for: tuple[str, ...]) -> None:
        self.path = str(path)
        self.looked_for = looked_for
        super().__init__(
            f"{path} is not a project Devora recognizes: none of {', '.join(looked_for)} is there",
            hint="run it in the project's root directory (where pyproject.toml or package.json is)",
        )


class ProjectConfigError(UsageError):
    """A project file (pyproject.toml, package.json, tsconfig.json) cannot be parsed."""

    code = "project_config"

    def __init__(self, file: Path, problem: str, *, line: int | None = None) -> None:
        self.file = str(file)
        self.line = line
        self.problem = problem
        where = f"{file}:{line}" if line is not None else str(file)
        super().__init__(
            f"cannot parse {where}: {problem}",
            hint=f"fix the syntax of {file.name} (line {line})"
            if line is not None
            else f"fix the syntax of {file.name}",
        )


class ToolFailedError(StepError):
    """A tool run as a fixer exited abnormally or printed output that cannot be read."""

    code = "tool_failed"

    def __init__(self, tool: str, problem: str, *, exit_code: int | None, output_tail: str) -> None:
        self.tool = tool
        self.problem = problem
        self.tool_exit_code = exit_code
        self.output_tail = output_tail
        message = f"{tool} failed: {problem}"
        if output_tail:
            message += f"\n{output_tail}"
        super().__init__(message, hint=f"run {tool} by hand in the project to see the error")


class ToolOutputError(StepError, ValueError):
    """A tool printed output that cannot be read as the format it promises.

    A ValueError too: parsers raise it beside the ValueErrors of json and int().
    """

    code = "tool_output"
    default_hint = "run the tool by hand in the project to see what it printed"


class ToolCrashError(StepError):
    """The tool did not do its job: an unexpected exit code, or output that cannot be read."""

    code = "tool_crashed"
    default_hint = "run the tool by hand in the project to see the error"

    def __init__(self, reason: str, *, exit_code: int | None = None, output: str = "") -> None:
        self.reason = reason
        # Not `exit_code`: that is the exit code of `devora` (1), the tool's is this one.
        self.tool_exit_code = exit_code
        self.output_tail = tail(output) or None
        super().__init__(reason)


class NotRunError(EnvironmentProblem):
    """The check cannot run here (no config for it, no service to reach); says why."""

    code = "check_not_run"
    default_hint = "the reason above says what the check needs; `devora logs RUN` shows more"

    def __init__(
        self, reason: str, *, notes: Sequence[str] = (), metrics: Mapping[str, float] | None = None
    ) -> None:
        self.reason = reason
        self.notes = tuple(notes)
        self.metrics = dict(metrics or {})
        super().__init__(reason)
