"""Workflows the server tests offer besides the engine's toys (`devora serve --workflow`)."""

from __future__ import annotations

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
