"""SaaS MVP errors: a spec that cannot be used, an output directory that is in the way.

UsageError
├── SpecError            the product spec: bad YAML/JSON, unknown field type, relation to a
│                        missing entity, reserved or duplicate name... with file:line
└── OutputNotEmptyError  the output directory exists and holds files
StepError
└── GenerationError      the template could not be rendered (a bug, not a bad input)
"""

from __future__ import annotations

from pathlib import Path

from devora.errors import StepError, UsageError

__all__ = ["GenerationError", "OutputNotEmptyError", "SpecError"]

_SPEC_HINT = (
    "docs/saas-mvp.md describes the spec; examples/saas-spec.yaml is a complete one to copy"
)


class SpecError(UsageError):
    """A product spec that cannot be used, naming the field and where it is (file:line)."""

    code = "saas_spec"

    def __init__(
        self,
        source: str,
        problem: str,
        *,
        field: str = "",
        line: int | None = None,
        column: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.source = source
        self.problem = problem
        self.field = field
        self.line = line
        self.column = column
        where = f"{source}:{line}" if line is not None else source
        subject = f"{field}: " if field else ""
        super().__init__(f"{where}: {subject}{problem}", hint=hint or _SPEC_HINT)


class OutputNotEmptyError(UsageError):
    """The directory to generate into exists and is not empty; nothing was written."""

    code = "saas_output_not_empty"

    def __init__(self, path: Path, *, reason: str = "exists and is not empty") -> None:
        self.path = path
        super().__init__(
            f"output directory {path} {reason}; nothing was written",
            hint="pass --out with a new or empty directory",
        )


class GenerationError(StepError):
    """The project could not be rendered from the template; nothing was left behind."""

    code = "saas_generation"

    def __init__(self, problem: str) -> None:
        self.problem = problem
        super().__init__(
            f"the project could not be generated: {problem}",
            hint="this is a bug in Devora's SaaS template: report it with the spec",
        )
