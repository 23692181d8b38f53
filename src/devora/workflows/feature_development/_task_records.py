"""The implement step's durable progress: each task's result and the baseline, journaled as
step-log events the moment they are known, so a resumed `implement` re-runs only the tasks
it has no committed record of.

A record is only a claim; it is reused when the commit it names is still on its lane's
branch (a failed attempt removes the branch, so its records name commits that are gone).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError

from devora.engine import EventKind, StepContext
from devora.workflows.feature_development._tests_run import SuiteResult

__all__ = ["ImplementRecords", "TaskResult", "read_records", "record_baseline", "record_task"]

_TASK = "feature_task"
_BASELINE = "feature_baseline"


class TaskResult(BaseModel):
    """One task done: by whom, the commit it ended on, and the tests after it."""

    task: str
    squad: str
    by: Literal["agent", "person"]
    commit: str
    summary: str
    tests: SuiteResult
    broken: list[str] = Field(default_factory=list, description="passed on the base, not now")
    lane: str = Field(default="", description="the branch label the task was done on")


class ImplementRecords(BaseModel):
    """What earlier attempts of this run's implement step committed."""

    baselines: dict[str, SuiteResult] = Field(default_factory=dict, description="base -> suite")
    tasks: dict[str, TaskResult] = Field(default_factory=dict, description="task id -> latest")


async def read_records(ctx: StepContext[Any]) -> ImplementRecords:
    """The committed records of this step, latest first wins (the journal is read now)."""
    found = ImplementRecords()
    for event in await ctx.events(EventKind.STEP_LOG):
        if event.step_id != ctx.step_id:
            continue
        try:
            if _TASK in event.data:
                task = TaskResult.model_validate(event.data[_TASK])
                found.tasks[task.task] = task
            elif _BASELINE in event.data:
                base = str(event.data[_BASELINE]["base"])
                found.baselines[base] = SuiteResult.model_validate(event.data[_BASELINE]["suite"])
        except (ValidationError, KeyError, TypeError):
            continue  # a record of another shape (an older Devora): not reused, redone
    return found


async def record_task(ctx: StepContext[Any], result: TaskResult) -> None:
    """Journal a finished task and wait until the record is committed."""
    ctx.log(
        f"task {result.task} ({result.squad}): {result.tests.describe()}",
        **{_TASK: result.model_dump(mode="json")},
    )
    await ctx.events(EventKind.STEP_LOG)  # flushes the journal: committed before going on


async def record_baseline(ctx: StepContext[Any], base: str, suite: SuiteResult) -> None:
    """Journal the suite's result on the base commit, committed before going on."""
    ctx.log(
        f"the suite on the base {base[:12]}: {suite.describe()}",
        **{_BASELINE: {"base": base, "suite": suite.model_dump(mode="json")}},
    )
    await ctx.events(EventKind.STEP_LOG)
