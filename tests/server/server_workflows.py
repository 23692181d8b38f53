"""Workflows the server tests offer besides the engine's toys (`devora serve --workflow`)."""

from __future__ import annotations

import asyncio

from pydantic import BaseModel, Field

from devora.engine import Step, StepContext, Workflow


class ReportInputs(BaseModel):
    title: str = Field(default="report", max_length=100)


async def write_report(ctx: StepContext[ReportInputs]) -> str:
    ctx.add_artifact("report.md", f"# {ctx.inputs.title}\n\nall good\n")
    ctx.add_artifact("data.json", '{"score": 97}')
    return "written"


reports = Workflow(
    name="reports",
    inputs=ReportInputs,
    steps=[Step("write", write_report, squad="documentation")],
)


class ChattyInputs(BaseModel):
    lines: int = Field(default=100, ge=1, le=100_000)
    pause: float = Field(default=0.01, ge=0, le=1)


async def chatter(ctx: StepContext[ChattyInputs]) -> int:
    """A step that streams log lines, as a tool's output would (a busy run for load tests)."""
    for number in range(ctx.inputs.lines):
        ctx.log(f"line {number}")
        await asyncio.sleep(ctx.inputs.pause)
    return ctx.inputs.lines


chatty = Workflow(
    name="chatty",
    inputs=ChattyInputs,
    steps=[Step("chatter", chatter, squad="qa")],
)


class GateInputs(BaseModel):
    pause: float = Field(default=0, ge=0, le=600)


async def _signed(ctx: StepContext[GateInputs]) -> str:
    return f"{ctx.step_id} signed"


async def _signed_after_a_pause(ctx: StepContext[GateInputs]) -> str:
    await asyncio.sleep(ctx.inputs.pause)
    return await _signed(ctx)


two_gates = Workflow(
    name="two_gates",
    inputs=GateInputs,
    steps=[
        Step("legal", _signed_after_a_pause, squad="business", approval="business"),
        Step("security", _signed, squad="devops", approval="devops"),
    ],
)
