"""`[schedules.NAME]`: which workflow runs when (cron), with which inputs, and missed ticks."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, Literal

from croniter import croniter  # type: ignore[import-untyped]
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from devora.config import DevoraConfig
from devora.errors import UsageError

__all__ = ["MissedPolicy", "ScheduleConfig", "ScheduleConfigError", "load_schedules"]

MissedPolicy = Literal["run_once", "skip"]


class ScheduleConfigError(UsageError):
    """A `[schedules.NAME]` table that cannot be used as written."""

    code = "schedule_config"

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(
            f"schedule {name!r}: {problem}",
            hint=(
                f'[schedules.{name}] takes workflow = "NAME", cron = "0 3 * * *", '
                'inputs = { ... }, missed = "run_once" | "skip" (docs/serve.md, Schedules)'
            ),
        )


class ScheduleConfig(BaseModel):
    """One schedule: a workflow, a cron expression (UTC), the run's inputs, the missed policy."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    workflow: str = Field(min_length=1, description="a workflow name or path/to/file.py:NAME")
    cron: str = Field(description="five fields (minute first), or six with seconds last, UTC")
    inputs: dict[str, Any] = Field(default_factory=dict)
    missed: MissedPolicy = Field(
        default="run_once",
        description="a tick missed while no scheduler ran: run once at start, or skip it",
    )

    @field_validator("cron")
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        text = value.strip()
        if len(text.split()) not in (5, 6) or not croniter.is_valid(text):
            raise ValueError(f"{value!r} is not a cron expression of 5 (or 6) fields")
        try:  # some valid-looking expressions have no date at all (30 February)
            croniter(text, datetime.now(UTC)).get_next(float)
        except Exception as exc:  # croniter's own errors have no common base
            raise ValueError(f"{value!r} never fires ({exc})") from exc
        return text


def load_schedules(config: DevoraConfig) -> dict[str, ScheduleConfig]:
    """The `[schedules]` tables of the configuration, checked; ScheduleConfigError if bad."""
    raw = (config.model_extra or {}).get("schedules", {})
    if not isinstance(raw, dict):
        raise ScheduleConfigError("schedules", "[schedules] must be a table of tables")
    schedules: dict[str, ScheduleConfig] = {}
    for name, table in raw.items():
        if not isinstance(table, dict):
            raise ScheduleConfigError(str(name), "must be a table ([schedules.NAME])")
        if len(name) > 200:
            raise ScheduleConfigError(
                name[:40] + "…", "a schedule's name has at most 200 characters"
            )
        try:
            schedules[name] = ScheduleConfig.model_validate(table)
        except ValidationError as exc:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in error['loc']) or 'table'}: {error['msg']}"
                for error in exc.errors()
            )
            raise ScheduleConfigError(name, problems) from exc
    return schedules
