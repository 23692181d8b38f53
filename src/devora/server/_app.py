"""The FastAPI application: its state, its routers (and the plug-ins'), its lifespan."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI

from devora.config import DevoraConfig, load_config
from devora.engine import Workflow
from devora.server import _api_runs, _api_workflows, _sse
from devora.server._auth import load_api_token
from devora.server._errors import install_error_handlers
from devora.server._fast_start import FastStart
from devora.server._runner import Runner
from devora.server._schedules import serve_schedules
from devora.server._state import ServerState
from devora.squads import approval_policy, os_account
from devora.store import open_store
from devora.workflows import resolve_workflow

__all__ = ["PLUGGED_ROUTERS", "create_app"]

# Modules of this package that add routes when present: each has `router(state)`.
PLUGGED_ROUTERS = ("devora.server._dashboard", "devora.server._webhooks")


def create_app(
    *,
    home: str | os.PathLike[str] | None = None,
    database_url: str | None = None,
    config: DevoraConfig | None = None,
    workflows: Sequence[str] = (),
    concurrency: int | None = None,
    max_runs: int | None = None,
) -> FastAPI:
    """The API app on the store named by the arguments or the environment.

    `workflows` are extra `path/to/file.py:NAME` references offered by their names;
    `max_runs` runs execute at once, the others queue (`Runner`).
    The store opens here; the runner resumes the runs it owned when the app starts.
    """
    config = config or load_config()
    extra: dict[str, Workflow] = {}
    for reference in workflows:
        workflow = resolve_workflow(reference)
        extra[workflow.name] = workflow
    store = open_store(database_url, home)
    runner = Runner(
        store,
        run_context={"approval_policy": approval_policy(config)},
        concurrency=concurrency,
        max_running=max_runs,
    )
    token = load_api_token(Path(store.location.home), os_account())
    state = ServerState(store=store, config=config, runner=runner, token=token,
                        extra_workflows=extra)  # fmt: skip

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        warming = asyncio.create_task(state.warm_up(), name="import the workflows")
        await runner.recover()
        try:
            async with serve_schedules(state):  # [schedules]: docs/serve.md
                yield
        finally:
            warming.cancel()
            await runner.aclose()
            await asyncio.gather(warming, return_exceptions=True)
            store.close()

    app = FastAPI(
        title="Devora",
        summary="Durable software-delivery workflows: runs, events, approvals, artifacts.",
        version="1",
        lifespan=lifespan,
    )
    app.state.devora = state
    install_error_handlers(app)
    app.add_middleware(FastStart, state=state)  # a valid POST /api/runs, answered sooner

    @app.get("/health", tags=["health"], summary="Liveness (no token needed)")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    for module in (_api_workflows, _api_runs, _sse):
        app.include_router(module.router(state))
    for name in PLUGGED_ROUTERS:
        if importlib.util.find_spec(name) is not None:
            app.include_router(importlib.import_module(name).router(state))
    return app
