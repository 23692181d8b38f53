"""The data the gate's steps hand each other, and the report they end with."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator

from devora.tools import Finding
from devora.tools.checks import CheckResult, FixResult, ProjectProfile
from devora.workflows.quality_gate._categories import Category
from devora.workflows.quality_gate._changed import ChangedLines
from devora.workflows.quality_gate._config import GateConfig

__all__ = [
    "AgentAttempt",
    "AgentFixReport",
    "CategoryRun",
    "CategoryScore",
    "CheckSummary",
    "ConditionResult",
    "Detection",
    "FixReport",
    "GateInputs",
    "GateReport",
]


class GateInputs(BaseModel):
    """What to check, and how."""

    path: str = Field(default=".", description="the project to check (its root directory)")
    fix: bool = Field(default=False, description="apply the tools' safe fixes, then re-check")
    changed: bool = Field(default=False, description="judge only lines changed since --base")
    base: str = Field(default="HEAD", description="the git ref --changed compares with")
    report_dir: str | None = Field(
        default=None, description="write report.json, .md, .sarif and .xml into this directory"
    )
    cache: bool = Field(
        default=True, description="reuse results for an unchanged tree, re-check only a change"
    )
    full: bool = Field(
        default=False, description="re-run every check in full (the results are kept)"
    )

    @field_validator("path")
    @classmethod
    def _project_exists(cls, value: str) -> str:
        path = Path(value).expanduser()
        if not path.exists():
            raise ValueError(f"project path {value} does not exist")
        if not path.is_dir():
            raise ValueError(f"project path {value} is not a directory")
        return str(path.resolve())

    @field_validator("report_dir")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        return str(Path(value).expanduser().absolute()) if value is not None else None


class Detection(BaseModel):
    """What detect found: the project, its gate config, the checks to run, the changed lines."""

    model_config = ConfigDict(frozen=True)

    profile: ProjectProfile
    config: GateConfig
    checks: dict[Category, tuple[str, ...]]
    changed: ChangedLines | None = None
    tree: str = Field(default="", description="fingerprint of the project's files (for caching)")
    repository: tuple[str, str] | None = Field(
        default=None, description="the git work tree and the project's prefix in it"
    )
    missing_tools: tuple[str, ...] = ()

    def names(self, category: Category) -> tuple[str, ...]:
        """The checks of one category that apply to the project."""
        return self.checks.get(category, ())


class CategoryRun(BaseModel):
    """The results of one category's checks, and which of them came from the cache."""

    model_config = ConfigDict(frozen=True)

    category: Category
    results: tuple[CheckResult, ...]
    cached: tuple[str, ...] = ()


class FixReport(BaseModel):
    """What --fix did: the fixers that ran, the files they changed as a diff, the re-checks."""

    model_config = ConfigDict(frozen=True)

    fixes: tuple[FixResult, ...]
    changed_files: tuple[str, ...]
    diff: str
    rerun: tuple[CheckResult, ...] = ()
    fixed_findings: int = Field(default=0, description="findings before minus after, re-run")
    discarded: tuple[str, ...] = Field(
        default=(), description="why the fixes were undone: the checks they made worse"
    )


class AgentAttempt(BaseModel):
    """One attempt of the agent: what it changed, the errors before and after, kept or not."""

    model_config = ConfigDict(frozen=True)

    attempt: int
    kept: bool
    files: tuple[str, ...]
    errors_before: int
    errors_after: int | None
    failing_tests_before: int
    failing_tests_after: int | None
    summary: str
    diff: str


class AgentFixReport(BaseModel):
    """What the agent did over its attempts, and the checks' results after the kept ones."""

    model_config = ConfigDict(frozen=True)

    model: str
    attempts: tuple[AgentAttempt, ...]
    not_run: str | None = Field(
        default=None, description="why the agent was not run (the error and its hint)"
    )
    rerun: tuple[CheckResult, ...] = ()
    llm_calls: int = 0
    llm_tokens: int = 0
    llm_cost: float = Field(default=0.0, description="dollars, when the model has a price")

    @property
    def kept(self) -> tuple[AgentAttempt, ...]:
        """The attempts whose change is now in the project."""
        return tuple(attempt for attempt in self.attempts if attempt.kept)


class CheckSummary(BaseModel):
    """One check in the report: what ran, how it ended, what it found."""

    model_config = ConfigDict(frozen=True)

    name: str
    tool: str
    tool_version: str | None
    environment: str | None = Field(default=None, description="the Python environment it ran in")
    category: Category
    status: str
    reason: str | None = None
    exit_code: int | None = None
    output_tail: str | None = Field(
        default=None, description="the end of the tool's output (stderr when it crashed)"
    )
    optional: bool = Field(default=False, description="configured optional: not running is free")
    counts: dict[str, int]
    cached: bool = False
    reused: str | None = Field(
        default=None, description="what of the result was reused (incremental), from which run"
    )
    duration: float = 0.0
    metrics: dict[str, float] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def test_counts(self) -> str:
        """A test check's counts ("3 passed, 1 failed, 2 skipped, 4 deselected"); '' for others."""
        if "passed" not in self.metrics:
            return ""
        failed = self.metrics.get("failures", 0.0) + self.metrics.get("errors", 0.0)
        parts = [("passed", self.metrics["passed"]), ("failed", failed)]
        parts += [(key, self.metrics.get(key, 0.0)) for key in ("skipped", "deselected")]
        return ", ".join(f"{value:g} {key}" for key, value in parts if value or key == "passed")


class CategoryScore(BaseModel):
    """How one category scored: a fraction of its weight."""

    model_config = ConfigDict(frozen=True)

    category: Category
    weight: float
    fraction: float = Field(ge=0, le=1)
    points: float
    detail: str


class ConditionResult(BaseModel):
    """A SonarQube-style condition: any that fails, fails the gate."""

    model_config = ConfigDict(frozen=True)

    name: str
    passed: bool
    detail: str


class GateReport(BaseModel):
    """The verdict and everything behind it; what every report format is written from."""

    model_config = ConfigDict(frozen=True)

    project: str
    score: int = Field(ge=0, le=100)
    threshold: int
    passed: bool
    reasons: tuple[str, ...] = Field(default=(), description="why the gate failed")
    changed_only: bool = False
    base: str | None = None
    categories: tuple[CategoryScore, ...]
    conditions: tuple[ConditionResult, ...]
    checks: tuple[CheckSummary, ...]
    findings: tuple[Finding, ...] = Field(description="the findings judged (all, or on new lines)")
    by_check: dict[str, tuple[Finding, ...]] = Field(
        default_factory=dict, description="the same findings, by the check that reported them"
    )
    fix: FixReport | None = None
    agent: AgentFixReport | None = Field(
        default=None, description="what the coding agent changed (--fix with a model)"
    )
    repository: tuple[str, str] | None = Field(
        default=None, description="the git work tree and the project's prefix in it"
    )
    reports: dict[str, str] = Field(default_factory=dict, description="format -> written path")

    @property
    def cached(self) -> tuple[str, ...]:
        """The checks whose results were reused from the cache."""
        return tuple(check.name for check in self.checks if check.cached)
