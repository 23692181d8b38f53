"""What the SaaS MVP run records: each verification with its evidence, and the steps' results.

A verification is passed, failed or not run (with the reason); only passed counts. Its
evidence is what a person needs to see why: the command (an argv list, or what was done),
its exit status and the end of its output.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "Architecture",
    "Deployment",
    "Enrichment",
    "EntityLayout",
    "GeneratedLayout",
    "Verification",
    "VerificationStatus",
    "Verified",
]


class VerificationStatus(StrEnum):
    """How a verification ended; only `passed` counts as verified."""

    PASSED = "passed"
    FAILED = "failed"
    NOT_RUN = "not_run"


class Verification(BaseModel):
    """One check of the generated project, with its evidence."""

    model_config = ConfigDict(frozen=True)

    name: str = Field(description="what was verified, e.g. `project tests`")
    status: VerificationStatus
    command: tuple[str, ...] = Field(
        default=(), description="the argv that ran, or the actions that were taken"
    )
    exit_status: int | None = None
    output_tail: str = Field(default="", description="the last lines of its output")
    reason: str | None = Field(default=None, description="why it failed or did not run")
    seconds: float = 0.0
    details: dict[str, Any] = Field(default_factory=dict)

    @property
    def passed(self) -> bool:
        """True only when it ran and passed."""
        return self.status is VerificationStatus.PASSED

    def evidence(self, lines: int = 12) -> str:
        """The command, its exit status and the end of its output, for an error message."""
        parts = [f"{self.name}: {self.status.value}" + (f" ({self.reason})" if self.reason else "")]
        if self.command:
            parts.append("command: " + " ".join(self.command))
        if self.exit_status is not None:
            parts.append(f"exit status: {self.exit_status}")
        if self.output_tail:
            parts.append("output (end):\n" + "\n".join(self.output_tail.splitlines()[-lines:]))
        return "\n".join(parts)


class Verified(BaseModel):
    """A step's verifications, all passed (a step whose verification fails fails the run)."""

    model_config = ConfigDict(frozen=True)

    verifications: tuple[Verification, ...]


class GeneratedLayout(BaseModel):
    """The generated project: where it is and what it holds."""

    model_config = ConfigDict(frozen=True)

    root: str
    files: tuple[str, ...]
    digest: str = Field(description="sha256 over every file's path and bytes")


class EntityLayout(BaseModel):
    """One generated entity: its names, columns and what a new user may do with it."""

    model_config = ConfigDict(frozen=True)

    name: str
    snake: str
    plural: str
    fields: tuple[str, ...]
    relations: tuple[str, ...]
    default_role_can: tuple[str, ...]


class Architecture(BaseModel):
    """The chosen stack and the generated layout, recorded by the architecture step."""

    model_config = ConfigDict(frozen=True)

    product: str
    package: str
    app: str = Field(description="the ASGI application, module:attribute")
    template_version: str
    stack: dict[str, str]
    layout: GeneratedLayout
    entities: tuple[EntityLayout, ...]


class Deployment(BaseModel):
    """Where the product was deployed, and how."""

    model_config = ConfigDict(frozen=True)

    kind: str = Field(description="`local` (started here) or `command` (the configured argv)")
    url: str | None = None
    pid: int | None = None
    command: tuple[str, ...] = ()
    exit_status: int | None = None
    output_tail: str = ""
    log: str | None = None
    stop: tuple[str, ...] = Field(
        default=(), description="how to stop a local deployment (an argv list)"
    )
    process_start: int | None = Field(
        default=None, description="when the local app's process started (ticks since boot)"
    )


class Enrichment(BaseModel):
    """The agents' optional change: kept (merged) only when every check passed on it."""

    model_config = ConfigDict(frozen=True)

    kept: bool
    branch: str
    head_commit: str
    files_changed: tuple[str, ...] = ()
    summary: str = ""
    patch_artifact: str | None = None
    reason: str | None = Field(default=None, description="why it was discarded")
    failed: tuple[str, ...] = Field(default=(), description="the checks that did not pass")
