"""Workflows with agent steps, run by `devora` in subprocesses (path:NAME)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from devora.engine import Step, StepContext, Workflow
from devora.squads import AgentTask, CodingTask
from devora.workflows import register_command_line


class Change(BaseModel):
    diff: str = "- a\n+ b\n"


class Review(BaseModel):
    verdict: str = Field(pattern="^(approve|request_changes)$")
    comments: list[str]


async def diff(ctx: StepContext[Change]) -> str:
    return ctx.inputs.diff


review = Workflow(
    name="review",
    inputs=Change,
    steps=[
        Step("diff", diff, squad="qa"),
        Step(
            "review",
            AgentTask(
                "qa",
                Review,
                lambda ctx: f"Review this diff:\n{ctx.result('diff')}",
                agent="code-reviewer",
            ),
            squad="qa",
            needs=["diff"],
        ),
    ],
)

stray = Workflow(
    name="stray",
    steps=[Step("ask", AgentTask("marketing", Review, "hello"), squad="qa")],
)


class FixInputs(BaseModel):
    repository: str


fix_bug = Workflow(
    name="fix_bug",
    inputs=FixInputs,
    steps=[
        Step(
            "fix",
            CodingTask(
                "backend",
                "add() returns the wrong result: fix it and run the tests",
                repository=lambda ctx: ctx.inputs.repository,
                agent="api-developer",
            ),
            squad="backend",
        )
    ],
)
register_command_line(fix_bug, positional=("repository",))
