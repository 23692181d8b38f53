"""Errors of the check adapters, each with a message built from its fields and a hint.

DevoraError
├── UsageError
│   ├── ProjectNotFoundError      the path does not exist
│   ├── NotAProjectError          nothing there says which languages or tools it uses
│   └── ProjectConfigError        a config file cannot be parsed (file, line, problem)
└── StepError
    └── ToolFailedError           a fixer's tool crashed or printed what cannot be read
"""

from __future__ import annotations

from pathlib import Path

from devora.errors import StepError, UsageError

__all__ = ["NotAProjectError", "ProjectConfigError", "ProjectNotFoundError", "ToolFailedError"]


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
