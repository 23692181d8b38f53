"""What an audit measures and judges: the run's inputs over `[performance]` in the config.

[performance]                      # devora.toml, or [tool.devora.performance]
url = "http://127.0.0.1:8000/"     # the page Lighthouse audits; base of relative endpoints
endpoints = ["/api/items"]         # latency percentiles of these
build_dir = "dist"                 # built front-end assets to weigh
requests = 30                      # requests per endpoint and measurement
verify_runs = 3                    # extra measurements the verify step takes
regression_tolerance = 0.10        # a change under 10 % is noise

[performance.assertions]           # Lighthouse CI style
"categories:performance" = { minScore = 0.9 }
"largest-contentful-paint" = { maxNumericValue = 2500 }
"latency:/api/items:p95" = { maxNumericValue = 200, level = "warn" }
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from devora.config import ConfigError, load_config

__all__ = [
    "CATEGORIES",
    "MAX_REQUESTS",
    "Assertion",
    "AuditInputs",
    "AuditSettings",
    "resolve_audit_settings",
]

CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
MAX_REQUESTS = 1000


def _split_list(value: Any) -> Any:
    """Accept `a,b` as well as a JSON list on the command line."""
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class AuditInputs(BaseModel):
    """What to audit; unset options come from `[performance]` in the project's config."""

    url: str | None = Field(default=None, description="the page to audit (and endpoints' base)")
    endpoints: list[str] | None = Field(
        default=None, description="endpoints (paths or URLs) whose latency is measured"
    )
    build_dir: str | None = Field(default=None, description="built assets to weigh (dist/...)")
    path: str = Field(default=".", description="the project (its config, build dir, benchmarks)")
    requests: int | None = Field(
        default=None, ge=1, le=MAX_REQUESTS, description="requests per endpoint per measurement"
    )
    verify_runs: int | None = Field(
        default=None, ge=1, le=10, description="measurements the verify step takes"
    )
    lighthouse: bool = Field(default=True, description="run Lighthouse on the url")
    benchmark_json: str | None = Field(
        default=None, description="a pytest-benchmark JSON file (default: newest in .benchmarks)"
    )
    strict: bool = Field(
        default=False, description="fail the run on a broken budget or a confirmed regression"
    )

    _lists = field_validator("endpoints", mode="before")(_split_list)


class Assertion(BaseModel):
    """A budget on one metric, as Lighthouse CI writes it (minScore / maxNumericValue)."""

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True)

    min_score: float | None = Field(default=None, alias="minScore", ge=0, le=1)
    max_numeric_value: float | None = Field(default=None, alias="maxNumericValue")
    min_numeric_value: float | None = Field(default=None, alias="minNumericValue")
    level: Literal["error", "warn"] = "error"

    @model_validator(mode="before")
    @classmethod
    def _lighthouse_ci_form(cls, value: Any) -> Any:
        """Also accept Lighthouse CI's `["warn", {maxNumericValue = 2500}]` form."""
        if isinstance(value, list) and len(value) == 2 and isinstance(value[1], dict):
            return {**value[1], "level": value[0]}
        return value


def _drop_off(assertions: Any) -> Any:
    """Lighthouse CI's `"off"` (alone or as the level) disables an assertion."""
    if not isinstance(assertions, dict):
        return assertions
    return {
        name: value
        for name, value in assertions.items()
        if value != "off" and not (isinstance(value, list) and value[:1] == ["off"])
    }


class _FileConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str | None = None
    endpoints: list[str] = []
    build_dir: str | None = None
    requests: int = Field(default=30, ge=1, le=MAX_REQUESTS)
    verify_runs: int = Field(default=3, ge=1, le=10)
    regression_tolerance: float = Field(default=0.10, ge=0, le=10)
    categories: list[str] = list(CATEGORIES)
    lighthouse_timeout: float = Field(default=180, gt=0)
    request_timeout: float = Field(default=10, gt=0)
    assertions: dict[str, Assertion] = {}

    _off = field_validator("assertions", mode="before")(_drop_off)

    @field_validator("categories")
    @classmethod
    def _known_categories(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in CATEGORIES]
        if unknown:
            raise ValueError(f"unknown categories {unknown}; known: {list(CATEGORIES)}")
        return value


class AuditSettings(BaseModel):
    """Everything an audit runs with, once inputs and config are merged."""

    model_config = ConfigDict(frozen=True)

    root: str
    url: str | None
    endpoints: tuple[str, ...]
    build_dir: str | None
    lighthouse: bool
    benchmark_json: str | None
    requests: int
    verify_runs: int
    regression_tolerance: float
    categories: tuple[str, ...]
    lighthouse_timeout: float
    request_timeout: float
    assertions: dict[str, Assertion]
    config_file: str | None

    @property
    def target(self) -> str:
        """What this audit is of: past audits of the same target are compared with it."""
        if self.url:
            return self.url
        if self.endpoints:
            return ",".join(self.endpoints)
        return str(Path(self.root, self.build_dir or ".").resolve())


def resolve_audit_settings(inputs: AuditInputs) -> AuditSettings:
    """Merge the inputs over `[performance]` over the defaults."""
    root = Path(inputs.path).resolve()
    config = load_config(root)
    section = config.section("performance")
    try:
        file = _FileConfig.model_validate(section)
    except ValidationError as error:
        problems = "; ".join(
            f"performance.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in error.errors()
        )
        raise ConfigError(config.source or "the configuration", problems) from error
    url = inputs.url or file.url
    return AuditSettings(
        root=str(root),
        url=url,
        endpoints=tuple(inputs.endpoints if inputs.endpoints is not None else file.endpoints),
        build_dir=inputs.build_dir or file.build_dir,
        lighthouse=inputs.lighthouse and url is not None,
        benchmark_json=inputs.benchmark_json,
        requests=inputs.requests or file.requests,
        verify_runs=inputs.verify_runs or file.verify_runs,
        regression_tolerance=file.regression_tolerance,
        categories=tuple(file.categories),
        lighthouse_timeout=file.lighthouse_timeout,
        request_timeout=file.request_timeout,
        assertions=file.assertions,
        config_file=config.source,
    )
