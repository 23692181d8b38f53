"""The refactoring run's inputs, checked before a run is recorded: a git repository with a
clean tree, a target that exists, a known kind, a well-formed rename; and its config."""

from __future__ import annotations

import asyncio
import concurrent.futures
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from devora.config import read_section
from devora.errors import UsageError
from devora.tools.codemods import InvalidSymbolError
from devora.tools.git import NotAGitRepositoryError, run_git
from devora.tools.metrics import measure_file, measured_suffix, repository_root

__all__ = [
    "RefactoringConfig",
    "RefactoringConfigError",
    "RefactoringInputs",
    "RefactoringKind",
    "check_config",
    "run_in_thread",
]


class RefactoringKind(StrEnum):
    """What the plan looks for."""

    CLEANUP = "cleanup"  # complex, duplicated, hard-to-maintain functions
    MODERNIZE = "modernize"  # deprecated calls and names (the codemods)
    PERFORMANCE = "performance"  # hot, complex loops in often-changed code
    ARCHITECTURE = "architecture"  # files that change together, large modules


class RefactoringInputs(BaseModel):
    """What to refactor, and how."""

    path: str = Field(default=".", description="the git repository to refactor")
    target: str | None = Field(
        default=None, description="FILE[:FUNCTION] to refactor (else the plan's choice)"
    )
    kind: RefactoringKind = Field(
        default=RefactoringKind.CLEANUP,
        description="cleanup, modernize, performance or architecture",
    )
    rename: str | None = Field(
        default=None, description="rename a symbol project-wide: package.module.Old=New"
    )
    window_days: int = Field(default=365, ge=1, description="the history churn is counted over")
    top: int = Field(default=5, ge=1, le=50, description="how many targets the plan ranks")

    @field_validator("path")
    @classmethod
    def _a_clean_repository(cls, path: str) -> str:
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise ValueError(f"{path} is not a directory")
        problem = run_in_thread(_tree_problem(folder.resolve()))
        if problem:
            raise ValueError(problem)
        return path

    @field_validator("rename")
    @classmethod
    def _old_equals_new(cls, rename: str | None) -> str | None:
        if rename is None:
            return None
        old, sep, new = rename.partition("=")
        try:
            if not sep:
                raise InvalidSymbolError(rename, "package.module.Old=New")
            from devora.tools.codemods._modules import check_identifier

            check_identifier(old, dotted=True)
            check_identifier(new, dotted=False)
        except InvalidSymbolError as error:
            raise ValueError(error.message) from None
        return rename

    @model_validator(mode="after")
    def _target_exists(self) -> RefactoringInputs:
        if self.target is None:
            return self
        root = Path(self.path).expanduser().resolve()
        file, _, function = self.target.partition(":")
        if not run_in_thread(_tracked(root, file)):
            raise ValueError(f"target: {file} is not a file committed in {root}")
        if function:
            if not measured_suffix(file):
                raise ValueError(f"target: functions of {file} cannot be measured")
            names = {f.name for f in measure_file(root, file)}
            if function not in names:
                known = ", ".join(sorted(names)[:8]) or "none"
                raise ValueError(f"target: {file} has no function {function} (it has: {known})")
        return self


def run_in_thread(coroutine: Any) -> Any:
    # Inputs are validated both outside the event loop (the CLI) and inside it (the engine).
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


async def _tree_problem(folder: Path) -> str | None:
    try:
        root = await repository_root(folder)
    except NotAGitRepositoryError as error:
        return f"{error.message} ({error.hint})"
    status = await run_git(root, ["status", "--porcelain", "--untracked-files=no"])
    if status.stdout.strip():
        first = status.stdout.splitlines()[0]
        return (
            f"{root} has uncommitted changes ({first.strip()}, …): the refactoring starts "
            "from HEAD, commit or stash them first"
        )
    return None


async def _tracked(root: Path, file: str) -> bool:
    found = await run_git(root, ["ls-files", "--error-unmatch", "--", file], check=False)
    return found.returncode == 0 and (root / file).is_file()


class RefactoringConfigError(UsageError):
    """The project's [refactoring] configuration cannot be read or is invalid."""

    code = "refactoring_config"

    def __init__(self, file: str, problem: str) -> None:
        self.file = file
        super().__init__(
            f"invalid refactoring configuration in {file}: {problem}",
            hint="see docs/refactoring.md: [refactoring] deprecated = "
            '{ "package.module.old" = "package.module.new" }',
        )


class RefactoringConfig(BaseModel):
    """`[refactoring]` in devora.toml (or [tool.devora.refactoring] in pyproject.toml)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    deprecated: dict[str, str] = Field(default_factory=dict)
    # Safety-net figures whose not being measured costs nothing (the change is kept, the
    # report says "not verified (optional)"); any other figure not measured fails the run.
    optional: tuple[Literal["coverage", "typecheck"], ...] = ()

    @classmethod
    def load(cls, root: Path) -> RefactoringConfig:
        """The project's config, or the defaults."""
        found = read_section(
            root, "refactoring", lambda f, e: RefactoringConfigError(f.name, str(e))
        )
        if found is None:
            return cls()
        data, file = found
        try:
            return cls.model_validate(data)
        except ValidationError as error:
            first = error.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            raise RefactoringConfigError(file.name, f"{where}: {first['msg']}") from error


async def check_config(inputs: RefactoringInputs) -> None:
    """The project's [refactoring] config must be valid before a run is recorded."""
    RefactoringConfig.load(await repository_root(Path(inputs.path)))
