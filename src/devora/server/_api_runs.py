"""The run routes: start, list, detail, answer (approve, reject, complete), cancel, resume,
and artifact download."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, status
from fastapi.responses import FileResponse
from pydantic import BaseModel, Field

from devora.engine import cancel_run
from devora.errors import RunNotResumableError
from devora.runs_view import RunDetail, RunView, run_detail, run_view
from devora.server._errors import ArtifactNotFoundError
from devora.server._runner import Runner
from devora.server._state import ServerState
from devora.squads import record_answer
from devora.store import RunRecord, RunStatus, Store

__all__ = ["StartRun", "StartedRun", "router", "started_run"]

RUN_ID = Annotated[str, Field(min_length=1, max_length=200)]


class StartRun(BaseModel):
    """What a new run needs: the workflow's name, its inputs, and whether it is a dry-run."""

    workflow: str = Field(min_length=1, max_length=200, examples=["quality-gate"])
    inputs: dict[str, Any] = Field(default_factory=dict)
    dry_run: bool = False


class Approval(BaseModel):
    """An approval or a rejection, with why."""

    comment: str | None = Field(default=None, max_length=10_000)


class Completion(BaseModel):
    """The output a waiting step asks for (checked against its JSON Schema)."""

    output: dict[str, Any]


class Queued(BaseModel):
    """Why a pending run has not started: it waits its turn in this server's queue."""

    position: int = Field(description="1: the next run to execute")
    running: int = Field(description="runs executing now")
    limit: int = Field(description="most runs executing at once (devora serve --max-runs)")


class StartedRun(RunView):
    """A run just recorded; `queued` when it waits for one of the running runs to end."""

    queued: Queued | None = None


class QueuedRunDetail(RunDetail):
    """A run's detail; `queued` while it is pending in this server's queue."""

    queued: Queued | None = None


class Answered(BaseModel):
    """An answer recorded, by whom, and the run as it is now."""

    run: RunView
    step_id: str
    kind: Literal["approval", "input"]
    answered_by: str
    resumed: bool


def router(state: ServerState) -> APIRouter:
    """The run routes, all behind the bearer token."""
    api = APIRouter(prefix="/api", tags=["runs"], dependencies=[Depends(state.require_token)])
    store = state.store
    runner = state.runner

    async def get(run_id: str) -> RunRecord:
        return await store.call(store.get_run, run_id)

    def queued(run_id: str) -> Queued | None:
        position = runner.queue_position(run_id)
        return None if position is None else Queued(**vars(position))

    @api.post(
        "/runs",
        status_code=status.HTTP_201_CREATED,
        summary="Start a run: recorded at once, executed in its turn",
    )
    async def start_run(body: StartRun) -> StartedRun:
        # A valid start is answered by `_fast_start.FastStart` the same way, before FastAPI.
        workflow = await state.load_workflow(body.workflow)
        run = await runner.start(workflow, body.inputs, dry_run=body.dry_run)
        return started_run(runner, run)

    @api.get("/runs", summary="List runs, newest first")
    async def list_runs(
        workflow: Annotated[str | None, Query(max_length=200)] = None,
        run_status: Annotated[RunStatus | None, Query(alias="status")] = None,
        parent: Annotated[str | None, Query(max_length=200, description="a parent run")] = None,
        since: Annotated[float | None, Query(description="created at or after (unix s)")] = None,
        until: Annotated[float | None, Query(description="created before (unix s)")] = None,
        children: Annotated[bool, Query(description="include child runs")] = False,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> list[RunView]:
        def query(store: Store) -> list[RunRecord]:
            return store.list_runs(
                workflow=workflow,
                status=run_status,
                parent_run_id=parent,
                top_level_only=not children and parent is None,
                created_after=since,
                created_before=until,
                limit=limit,
            )

        return [run_view(r) for r in await store.call(query, store)]

    @api.get("/runs/{run_id}", summary="A run: steps, outputs, errors, children, artifacts")
    async def get_run(run_id: str) -> QueuedRunDetail:
        detail = await store.call(run_detail, store, await get(run_id))
        return QueuedRunDetail.model_construct(**dict(detail), queued=queued(detail.id))

    @api.post(
        "/runs/{run_id}/steps/{step_id}/approve",
        summary="Approve a waiting step (as the token's owner), then continue the run",
    )
    async def approve(run_id: str, step_id: str, body: Approval, resume: bool = True) -> Answered:
        payload = {"approved": True, "comment": body.comment}
        return await answer(run_id, step_id, payload, "approval", resume)

    @api.post(
        "/runs/{run_id}/steps/{step_id}/reject",
        summary="Reject a waiting step: it fails and the run rolls back",
    )
    async def reject(run_id: str, step_id: str, body: Approval, resume: bool = True) -> Answered:
        payload = {"approved": False, "comment": body.comment or ""}
        return await answer(run_id, step_id, payload, "approval", resume)

    @api.post(
        "/runs/{run_id}/steps/{step_id}/complete",
        summary="Give the output a waiting step asks for, then continue the run",
    )
    async def complete(
        run_id: str, step_id: str, body: Completion, resume: bool = True
    ) -> Answered:
        return await answer(run_id, step_id, body.output, "input", resume)

    async def answer(
        run_id: str,
        step_id: str,
        payload: dict[str, Any],
        kind: Literal["approval", "input"],
        resume: bool,
    ) -> Answered:
        run = await get(run_id)

        def record(store: Store) -> str:  # as the token's owner: docs/serve.md, API
            return record_answer(
                store, run.id, step_id, payload, kind=kind, account=state.token.owner
            )

        who = await store.call(record, store)
        runner.poke(run.id)
        if resume:
            await runner.resume(run.id, await state.load_reference(run.workflow_ref))
        return Answered(
            run=run_view(await get(run.id)),
            step_id=step_id,
            kind=kind,
            answered_by=who,
            resumed=resume,
        )

    @api.post(
        "/runs/{run_id}/cancel",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Cancel a run (running steps stop within a second); it can be resumed",
    )
    async def cancel(run_id: str) -> RunView:
        run = await get(run_id)
        if runner.withdraw(run.id) and run.status is RunStatus.CANCELLED:
            return run_view(run)  # a resume waiting its turn: now it will not happen
        if runner.executes(run.id):
            if run.status.finished:  # finishing right now
                raise RunNotResumableError(run.id, run.status.value)
            updated = await store.call(store.request_cancel, run.id)
        else:
            updated = await store.call(cancel_run, store, run.id)
        runner.poke(run.id)
        return run_view(updated)

    @api.post(
        "/runs/{run_id}/resume",
        status_code=status.HTTP_202_ACCEPTED,
        summary="Continue a crashed, cancelled or waiting run in the server",
    )
    async def resume_run(run_id: str) -> RunView:
        run = await get(run_id)
        await runner.resume(run.id, await state.load_reference(run.workflow_ref))
        return run_view(await get(run.id))

    @api.get(
        "/runs/{run_id}/artifacts/{name}",
        summary="Download an artifact",
        response_class=FileResponse,
        responses={200: {"content": {"application/octet-stream": {}}}},
    )
    async def artifact(run_id: str, name: str) -> FileResponse:
        run = await get(run_id)
        records = {a.name: a for a in await store.call(store.artifacts, run.id)}
        record = records.get(name)
        if record is None:
            raise ArtifactNotFoundError(run.id, name)
        path = _inside(store.artifact_dir(run.id), Path(record.path))
        if path is None:
            raise ArtifactNotFoundError(run.id, name)
        return FileResponse(path, media_type=record.media_type, filename=name)

    return api


def started_run(runner: Runner, run: RunRecord) -> StartedRun:
    """The answer to a start: the run as recorded, and its place in the queue."""
    position = runner.queue_position(run.id)
    queued = None if position is None else Queued(**vars(position))
    return StartedRun.model_construct(**dict(run_view(run)), queued=queued)


def _inside(folder: Path, recorded: Path) -> Path | None:
    """The recorded file if it really lies in the run's folder (links resolved), else None."""
    path = recorded.resolve()
    # A recorded path is trusted no further than the run's own folder.
    if path.is_relative_to(folder.resolve()) and path.is_file():
        return path
    return None
