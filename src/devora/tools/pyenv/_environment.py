"""A Python environment the project's checks run in: its kind, its interpreter, what it has."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["EnvironmentKind", "PythonEnvironment"]


class EnvironmentKind(StrEnum):
    """Where an environment comes from: the project's own tools, its config, or Devora."""

    VENV = "venv"
    UV = "uv"
    POETRY = "poetry"
    HATCH = "hatch"
    PDM = "pdm"
    CONFIGURED = "configured"
    ISOLATED = "isolated"


# How a user adds a package to each kind of environment (the Hint of a missing tool).
_INSTALL = {
    EnvironmentKind.UV: "uv add --dev {packages}",
    EnvironmentKind.POETRY: "poetry add --group dev {packages}",
    EnvironmentKind.HATCH: "add {packages} to the dependencies of [tool.hatch.envs.default]",
    EnvironmentKind.PDM: "pdm add -dG test {packages}",
}


class PythonEnvironment(BaseModel):
    """The interpreter that runs the project's tests and type checks, or why there is none.

    `problem` is set when the environment cannot be used (a failed build, a configured
    interpreter that does not exist); the checks that need it are then not run, with it
    as their reason and `output_tail` (the end of uv's output) beside it.
    """

    model_config = ConfigDict(frozen=True)

    kind: EnvironmentKind
    python: Path | None = Field(default=None, description="the interpreter")
    prefix: Path | None = Field(default=None, description="sys.prefix of the interpreter")
    version: str | None = Field(default=None, description="the Python version, e.g. 3.12.1")
    modules: dict[str, str] = Field(
        default_factory=dict, description="pytest, coverage, mypy: the version installed there"
    )
    problem: str | None = None
    output_tail: str | None = None
    notes: tuple[str, ...] = Field(
        default=(), description="what detection tried and fell back from"
    )

    @property
    def usable(self) -> bool:
        """True when there is an interpreter to run."""
        return self.problem is None and self.python is not None

    def has(self, module: str) -> bool:
        """True when the module (pytest, coverage, mypy) is installed in the environment."""
        return module in self.modules

    def describe(self) -> str:
        """One line for the reader: the kind and where it is, e.g. `uv (/p/.venv)`."""
        where = self.prefix or self.python
        label = str(self.kind)
        if self.kind is EnvironmentKind.ISOLATED:
            label = "isolated (created by Devora)"
        return f"{label} ({where})" if where is not None else str(label)

    def install_hint(self, *packages: str) -> str:
        """How the user installs packages into this environment."""
        names = " ".join(packages)
        template = _INSTALL.get(self.kind)
        if template is not None:
            return template.format(packages=names)
        return f"{self.python or 'python'} -m pip install {names}"
