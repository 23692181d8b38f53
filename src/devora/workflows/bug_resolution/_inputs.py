"""What a bug resolution is given: the repository, and a reproducer (a test, a command or an
issue), optionally a known-good ref and the squad that fixes it."""

from __future__ import annotations

import shlex
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, field_validator, model_validator

from devora.tools.testrun import Reproducer
from devora.workflows._project_paths import git_work_tree

__all__ = ["DEFAULT_REPEAT", "BugInputs", "Component"]

DEFAULT_REPEAT = 3


class Component(StrEnum):
    """The squad that fixes the bug."""

    BACKEND = "backend"
    FRONTEND = "frontend"


class BugInputs(BaseModel):
    """The bug to resolve: where, and what shows it (exactly one of test, command, issue)."""

    path: str = Field(default=".", description="the git repository with the bug")
    test: list[str] | None = Field(
        default=None, description="the pytest test id(s) that show the bug"
    )
    command: list[str] | None = Field(
        default=None, description='a command that fails while the bug is there ("..." or argv)'
    )
    issue: str | None = Field(
        default=None, description="a file describing the bug (a reproducer test is written)"
    )
    good: str | None = Field(default=None, description="a ref where the bug was not there yet")
    component: Component | None = Field(
        default=None, description="who fixes it: backend or frontend (default: from the fault)"
    )
    repeat: int = Field(
        default=DEFAULT_REPEAT, ge=2, le=50, description="runs of the reproducer, to tell flaky"
    )

    @field_validator("path")
    @classmethod
    def _a_git_work_tree(cls, value: str) -> str:
        return git_work_tree(value)

    @field_validator("test", mode="before")
    @classmethod
    def _test_ids(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("command", mode="before")
    @classmethod
    def _argv(cls, value: Any) -> Any:
        # A command given as one string is split into words as a shell would, never run by one.
        if isinstance(value, str):
            try:
                return shlex.split(value)
            except ValueError as error:
                raise ValueError(f"cannot split the command into words: {error}") from error
        return value

    @field_validator("issue")
    @classmethod
    def _issue_file(cls, value: str | None) -> str | None:
        if value is None:
            return None
        file = Path(value).expanduser()
        if not file.is_file():
            raise ValueError(f"issue file {value} does not exist")
        return str(file.resolve())

    @model_validator(mode="after")
    def _one_reproducer(self) -> BugInputs:
        given = [name for name in ("test", "command", "issue") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(
                'give exactly one of --test ID, --command "..." or --issue FILE'
                + (f" (got {', '.join('--' + g for g in given)})" if given else "")
            )
        return self

    def reproducer(self) -> Reproducer | None:
        """The reproducer the inputs name; None for an issue (its test is written first)."""
        if self.test:
            return Reproducer(test_ids=tuple(self.test))
        if self.command:
            return Reproducer(argv=tuple(self.command))
        return None
