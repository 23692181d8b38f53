"""GET /api/workflows: what can be run, with each workflow's input JSON Schema."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from devora.engine import Workflow
from devora.server._state import ServerState

__all__ = ["WorkflowInfo", "router"]


class StepInfo(BaseModel):
    """One step of a workflow, as the dashboard draws it."""

    id: str
    squad: str | None
    needs: list[str]
    description: str | None = None
    approval: str | None = None
    side_effects: bool = False


class WorkflowInfo(BaseModel):
    """A workflow a run can be started with."""

    name: str
    description: str
    input_schema: dict[str, Any] = Field(description="JSON Schema of the inputs")
    steps: list[StepInfo]


def describe_workflow(workflow: Workflow) -> WorkflowInfo:
    """A workflow's name, inputs schema and steps."""
    return WorkflowInfo(
        name=workflow.name,
        description=workflow.description or "",
        input_schema=workflow.inputs.model_json_schema(),
        steps=[
            StepInfo(
                id=step.id,
                squad=step.squad,
                needs=list(step.needs),
                description=step.description,
                approval=step.approval,
                side_effects=step.side_effects,
            )
            for step in workflow.steps
        ],
    )


def router(state: ServerState) -> APIRouter:
    """The workflow routes."""
    api = APIRouter(prefix="/api", tags=["workflows"], dependencies=[Depends(state.require_token)])
    described: dict[str, WorkflowInfo] = {}

    async def info(name: str) -> WorkflowInfo:
        if name not in described:
            described[name] = describe_workflow(await state.load_workflow(name))
        return described[name]

    @api.get("/workflows", summary="List the workflows")
    async def list_workflows() -> list[WorkflowInfo]:
        return [await info(name) for name in state.workflow_names()]

    @api.get("/workflows/{name}", summary="One workflow: its input JSON Schema and steps")
    async def get_workflow(name: str) -> WorkflowInfo:
        return await info(name)

    return api
