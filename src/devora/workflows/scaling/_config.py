"""What a scaling study runs with: the run's inputs over `[scaling]` in the config.

[scaling]                          # devora.toml, or [tool.devora.scaling]
url = "http://127.0.0.1:8000/"     # the only host the load test targets
endpoints = ["/", "/api/items"]    # paths on url, requested in turn by every user
stages = [10, 25, 50, 100]         # users per stage, increasing
stage_seconds = 30
max_requests = 20000               # per stage: the stage stops there
sla_p95_ms = 300
sla_error_rate = 0.01
target_rps = 400                   # the load to plan for
headroom = 0.3                     # 30 % spare capacity
price_per_instance = 35.0          # per month, optional
tested_instances = 1               # how many instances served the load test
min_instances = 2
app_name = "api"
image = "registry.example.com/api:1.4.2"
server = "uvicorn"                 # or "gunicorn" (sync workers)
app_module = "api.main:app"
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from devora.config import ConfigError, load_config
from devora.errors import StepError

__all__ = ["DEFAULT_URL", "ScalingInputs", "ScalingSettings", "resolve_scaling_settings"]

DEFAULT_URL = "http://127.0.0.1:8000/"
MAX_USERS = 5000
MAX_STAGE_SECONDS = 3600


def _split_list(value: Any) -> Any:
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    return value


class ScalingInputs(BaseModel):
    """The service to load and the load to plan for; unset options come from `[scaling]`."""

    url: str | None = Field(default=None, description=f"the service (default {DEFAULT_URL})")
    endpoints: list[str] | None = Field(default=None, description="paths on url to request")
    stages: list[int] | None = Field(default=None, description="users per stage, increasing")
    stage_seconds: float | None = Field(
        default=None, ge=1, le=MAX_STAGE_SECONDS, description="how long each stage runs"
    )
    max_requests: int | None = Field(default=None, ge=1, description="requests per stage, at most")
    target_rps: float | None = Field(default=None, gt=0, description="the load to plan for (req/s)")
    headroom: float | None = Field(default=None, ge=0, le=5, description="spare share, 0.3 = 30 %")
    price_per_instance: float | None = Field(
        default=None, ge=0, description="price of one instance per month"
    )
    sla_p95_ms: float | None = Field(default=None, gt=0, description="p95 latency limit (ms)")
    sla_error_rate: float | None = Field(
        default=None, ge=0, le=1, description="error-rate limit (0.01 = 1 %)"
    )
    path: str = Field(default=".", description="the project whose config is read")

    _lists = field_validator("endpoints", "stages", mode="before")(_split_list)

    @model_validator(mode="after")
    def _plannable(self) -> ScalingInputs:
        """Merged with `[scaling]`, the settings must describe a study: checked before a
        run is recorded, so a bad option or a missing target is exit 2 and nothing made."""
        merge_settings(self)
        return self


class _FileConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = DEFAULT_URL
    endpoints: list[str] = ["/"]
    stages: list[int] = [5, 10, 20, 40]
    stage_seconds: float = Field(default=20, ge=1, le=MAX_STAGE_SECONDS)
    spawn_rate: float | None = Field(default=None, gt=0)
    max_requests: int = Field(default=50_000, ge=1)
    sla_p95_ms: float = Field(default=500, gt=0)
    sla_error_rate: float = Field(default=0.01, ge=0, le=1)
    target_rps: float | None = Field(default=None, gt=0)
    headroom: float = Field(default=0.3, ge=0, le=5)
    price_per_instance: float | None = Field(default=None, ge=0)
    currency: str = "USD"
    tested_instances: int = Field(default=1, ge=1)
    min_instances: int = Field(default=2, ge=1)
    app_name: str = Field(default="app", pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
    image: str = "registry.example.com/app:latest"
    container_port: int = Field(default=8000, ge=1, le=65535)
    health_path: str = "/"
    cpu_per_instance: float = Field(default=1.0, gt=0)
    memory_per_instance: str = "512Mi"
    server: Literal["uvicorn", "gunicorn"] = "uvicorn"
    app_module: str = "app.main:app"


class ScalingSettings(_FileConfig):
    """Everything a scaling study runs with, once inputs and config are merged."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    config_file: str | None = None

    @field_validator("stages")
    @classmethod
    def _increasing(cls, stages: list[int]) -> list[int]:
        if not stages:
            raise ValueError("give at least one stage")
        if any(users < 1 or users > MAX_USERS for users in stages):
            raise ValueError(f"users per stage must be between 1 and {MAX_USERS}")
        if any(b <= a for a, b in itertools.pairwise(stages)):
            raise ValueError(f"stages must increase: {stages}")
        return stages

    @field_validator("endpoints")
    @classmethod
    def _paths(cls, endpoints: list[str]) -> list[str]:
        if not endpoints:
            raise ValueError("give at least one endpoint")
        for endpoint in endpoints:
            if not endpoint.startswith("/") or urlsplit(endpoint).netloc:
                raise ValueError(f"{endpoint!r} is not a path: endpoints are paths on url")
        return endpoints

    @field_validator("url")
    @classmethod
    def _http(cls, url: str) -> str:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{url!r} is not an http(s) URL")
        return url

    @property
    def host(self) -> str:
        """The URL without a trailing slash (Locust's --host)."""
        return self.url.rstrip("/")


def resolve_scaling_settings(inputs: ScalingInputs) -> ScalingSettings:
    """Merge the inputs over `[scaling]` over the defaults; a StepError names what is wrong.

    The inputs were checked when the run started; this fails a step only when the
    configuration changed since (a resumed run).
    """
    try:
        return merge_settings(inputs)
    except ValueError as error:
        raise StepError(
            str(error),
            hint="fix the option on the command line or under [scaling] in devora.toml",
        ) from error


def merge_settings(inputs: ScalingInputs) -> ScalingSettings:
    """The settings a study runs with; ValueError (ConfigError for the file) when unusable."""
    root = Path(inputs.path).resolve()
    config = load_config(root)
    section = dict(config.section("scaling"))
    where = config.source or "the configuration"
    try:
        _FileConfig.model_validate(section)
    except ValidationError as error:
        raise ConfigError(where, _problems(error, "scaling.")) from error
    given = inputs.model_dump(exclude={"path"}, exclude_none=True)
    try:
        settings = ScalingSettings.model_validate(
            {**section, **given, "config_file": config.source}
        )
    except ValidationError as error:
        raise ValueError(f"invalid scaling settings: {_problems(error, '')}") from None
    if settings.target_rps is None:
        raise ValueError(
            "no target load to plan for: pass --target-rps N (requests per second, "
            "more than 0) or set target_rps under [scaling]"
        )
    return settings


def _problems(error: ValidationError, prefix: str) -> str:
    return "; ".join(
        f"{prefix}{'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}"
        for e in error.errors()
    )
